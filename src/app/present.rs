//! Presenting a map in a workshop: full screen, step by step through the map's story, with
//! animated camera moves and revealed items fading in, an evidence spotlight, a laser pointer,
//! a dimming spotlight on the hovered item, and a black or white screen. Also the Story window
//! where steps are written.

use std::collections::BTreeSet;
use web_time::Instant;

use egui::{Align2, Color32, CornerRadius, FontId, Key, Rect, RichText, Sense, Stroke, pos2, vec2};

use super::canvas::{Camera, Marks, paint_scene};
use super::{Action, QualmapApp};
use crate::command::Command;
use crate::model::{Document, Evidence, ItemRef, Point, Step, ViewRect};
use crate::scene::{EguiMeasure, MapTheme};

/// Seconds a step change takes (camera move and fade).
const TRANSITION_SECS: f32 = 0.6;
/// Height kept for the caption band at the bottom of the screen.
const CAPTION_BAND: f32 = 130.0;

/// Where the presenter view can go.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PresenterPlace {
    /// A window of its own on this screen (desktop coordinates, points), one the audience
    /// window is not on.
    Window(Rect),
    /// No other screen (or no windows of our own, as in tests): a panel beside the slides.
    Docked,
}

/// What a button of the presenter view asks for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum PresenterAction {
    Previous,
    Next,
    Hide,
    /// Share with the room, or close it (desktop only).
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    Room,
    /// Show or hide the room's code on the slides (desktop only).
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    RoomCode,
}

/// The state of presenting.
pub struct Presenting {
    /// Index of the step on screen.
    pub step: usize,
    from: Camera,
    to: Camera,
    started: Instant,
    /// Items that came into view with this step (they fade in).
    revealed: BTreeSet<ItemRef>,
    /// Black or white screen instead of the map.
    pub blank: Option<Color32>,
    /// The item whose evidence is shown large, and which excerpt.
    pub spotlight: Option<(ItemRef, usize)>,
    digits: String,
    /// Pointer drawn as a laser dot.
    pub laser: bool,
    /// Everything but the hovered item dims.
    pub dim: bool,
    /// The high-contrast theme, for washed-out projectors.
    pub contrast: bool,
    /// The presenter view (notes, next step, timer): opened with P or from the Story window.
    pub presenter_view: bool,
    began: Instant,
    needs_fit: bool,
    /// The step's focus worked out: what is outside it is drawn faded (by the scene).
    pub(super) focus: Option<BTreeSet<ItemRef>>,
}

/// How much smaller presenting draws its text on `screen`: sized for a projector, smaller on a
/// narrow screen (a participant's phone in a workshop room) so that it still fits.
fn narrow_scale(screen: Rect) -> f32 {
    (screen.width() / 1000.0).clamp(0.55, 1.0)
}

fn ease(t: f32) -> f32 {
    let t = t.clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

impl QualmapApp {
    /// Whether the map is being presented.
    pub fn presenting(&self) -> Option<&Presenting> {
        self.present.as_ref()
    }

    /// The story step shown while presenting.
    pub(super) fn current_step(&self) -> Option<&Step> {
        self.present.as_ref().and_then(|p| self.map.doc().story.get(p.step))
    }

    /// Starts presenting at `step` (full screen).
    pub fn start_presenting(&mut self, ctx: &egui::Context, step: usize) {
        if self.map.doc().story.is_empty() {
            self.status = "This map has no story yet: add steps in the Story window".to_owned();
            self.set_panel_open(super::ui_command::UiCommand::ToggleStory, true);
            return;
        }
        let step = step.min(self.map.doc().story.len() - 1);
        let camera = self.view.camera;
        self.present = Some(Presenting {
            step,
            from: camera,
            to: camera,
            started: Instant::now(),
            revealed: BTreeSet::new(),
            blank: None,
            spotlight: None,
            digits: String::new(),
            laser: false,
            dim: false,
            contrast: false,
            presenter_view: self.prefs.presenter_view,
            began: Instant::now(),
            needs_fit: true,
            focus: None,
        });
        self.present_focus();
        // A page cannot go full screen by itself (the browser's own key, F11, does it).
        if cfg!(not(target_arch = "wasm32")) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(true));
        }
    }

    /// Stops presenting.
    pub fn stop_presenting(&mut self, ctx: &egui::Context) {
        // The room follows the presentation: it ends with it.
        #[cfg(not(target_arch = "wasm32"))]
        self.close_room();
        if self.present.take().is_some() {
            if cfg!(not(target_arch = "wasm32")) {
                ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(false));
            }
            self.view.fit_requested = true;
        }
    }

    /// Goes to step `index` (clamped), animating the camera and fading in what appears.
    pub fn go_to_step(&mut self, index: usize) {
        let count = self.map.doc().story.len();
        let Some(present) = &mut self.present else { return };
        if count == 0 {
            return;
        }
        let index = index.min(count - 1);
        if index == present.step && !present.needs_fit {
            return;
        }
        let before = self.map.doc().story.get(present.step).and_then(|s| self.map.doc().visible_in(s));
        let after = self.map.doc().story.get(index).and_then(|s| self.map.doc().visible_in(s));
        present.revealed = match (before, after) {
            (Some(before), Some(after)) => after.difference(&before).copied().collect(),
            (Some(before), None) => {
                let mut all: BTreeSet<ItemRef> =
                    self.map.doc().concepts.iter().map(|c| ItemRef::Concept(c.id)).collect();
                all.extend(self.map.doc().areas.iter().map(|a| ItemRef::Area(a.id)));
                all.extend(self.map.doc().relationships.iter().map(|r| ItemRef::Relationship(r.id)));
                all.difference(&before).copied().collect()
            }
            _ => BTreeSet::new(),
        };
        present.step = index;
        present.spotlight = None;
        present.needs_fit = true;
        self.present_focus();
    }

    /// Works out the focus of the step presented, if it holds one.
    fn present_focus(&mut self) {
        let focus = self.current_step().and_then(|s| s.focus.clone());
        let items = focus.map(|f| f.items(&self.map.relation_graph()));
        if let Some(present) = &mut self.present {
            present.focus = items;
        }
    }

    /// Handles the keys of presenting pressed in the audience window (`ctx`) or, listed in
    /// `elsewhere`, in the presenter's window, so that every key works from either.
    fn present_keys(&mut self, ctx: &egui::Context, elsewhere: &[Key]) {
        use super::ui_command::PresentKey;
        // Keys typed into a text field (a participant's comment in a workshop room) are text.
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        let mut elsewhere = elsewhere.to_vec();
        let mut pressed_key = |key: Key| {
            let here = ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, key));
            let there = elsewhere.iter().position(|k| *k == key).map(|at| elsewhere.remove(at)).is_some();
            here || there
        };
        // Every key of the action, asked (and so consumed) each.
        let pressed = |pressed_key: &mut dyn FnMut(Key) -> bool, action: PresentKey| {
            // Not `any`: every one of its keys is consumed, even after the first.
            let mut any = false;
            for key in action.keys() {
                any |= pressed_key(*key);
            }
            any
        };
        let Some(present) = &mut self.present else { return };
        if pressed(&mut pressed_key, PresentKey::Stop) {
            if present.spotlight.is_some() {
                present.spotlight = None;
            } else if present.blank.is_some() {
                present.blank = None;
            } else {
                self.stop_presenting(ctx);
            }
            return;
        }
        if let Some((item, index)) = &mut present.spotlight {
            // While the spotlight is open the step keys step through its excerpts.
            let count = self.map.doc().evidence_for(*item).count().max(1);
            if pressed(&mut pressed_key, PresentKey::Next) {
                *index = (*index + 1).min(count - 1);
            }
            if pressed(&mut pressed_key, PresentKey::Previous) {
                *index = index.saturating_sub(1);
            }
            return;
        }
        if pressed(&mut pressed_key, PresentKey::Black) {
            present.blank = if present.blank == Some(Color32::BLACK) { None } else { Some(Color32::BLACK) };
        }
        if pressed(&mut pressed_key, PresentKey::White) {
            present.blank = if present.blank == Some(Color32::WHITE) { None } else { Some(Color32::WHITE) };
        }
        if pressed(&mut pressed_key, PresentKey::Laser) {
            present.laser = !present.laser;
        }
        if pressed(&mut pressed_key, PresentKey::Dim) {
            present.dim = !present.dim;
        }
        if pressed(&mut pressed_key, PresentKey::Contrast) {
            present.contrast = !present.contrast;
        }
        if pressed(&mut pressed_key, PresentKey::PresenterView) {
            present.presenter_view = !present.presenter_view;
            self.prefs.presenter_view = present.presenter_view;
        }
        let room = pressed(&mut pressed_key, PresentKey::Room);
        let room_code = pressed(&mut pressed_key, PresentKey::RoomCode);
        #[cfg(not(target_arch = "wasm32"))]
        {
            if room {
                if self.room_open() {
                    self.close_room();
                } else {
                    self.share_with_room(ctx);
                }
            }
            if room_code {
                self.toggle_room_code();
            }
        }
        #[cfg(target_arch = "wasm32")]
        let _ = (room, room_code);
        let Some(present) = &mut self.present else { return };
        for (n, key) in PresentKey::GoToDigit.keys().iter().enumerate() {
            if pressed_key(*key) {
                present.digits.push(char::from(b'0' + n as u8));
            }
        }
        let mut target = None;
        if pressed(&mut pressed_key, PresentKey::GoTo) {
            if let Ok(number) = present.digits.parse::<usize>() {
                target = Some(number.saturating_sub(1));
            }
            present.digits.clear();
        }
        let step = present.step;
        if pressed(&mut pressed_key, PresentKey::Next) {
            target = Some(step + 1);
        }
        if pressed(&mut pressed_key, PresentKey::Previous) {
            target = Some(step.saturating_sub(1));
        }
        if pressed(&mut pressed_key, PresentKey::First) {
            target = Some(0);
        }
        if pressed(&mut pressed_key, PresentKey::Last) {
            target = Some(usize::MAX);
        }
        if let Some(target) = target {
            self.go_to_step(target);
        }
    }

    pub(super) fn present_ui(&mut self, ui: &mut egui::Ui, elsewhere: PresenterPlace) {
        let ctx = ui.ctx().clone();
        let whole = ui.max_rect();
        // The presenter view: on a screen the audience does not see when there is one, otherwise
        // a panel beside the slides, never over them.
        let docked = match elsewhere {
            PresenterPlace::Window(monitor) if self.present.as_ref().is_some_and(|p| p.presenter_view) => {
                let keys = self.presenter_window_ui(&ctx, monitor);
                self.present_keys(&ctx, &keys);
                None
            }
            _ => {
                self.present_keys(&ctx, &[]);
                self.present.as_ref().is_some_and(|p| p.presenter_view).then(|| {
                    let width = (whole.width() * 0.3).clamp(240.0, 380.0);
                    Rect::from_min_max(pos2(whole.max.x - width, whole.min.y), whole.max)
                })
            }
        };
        if self.present.is_none() {
            return;
        }
        let theme = MapTheme::new(self.effective_theme());
        let screen = match docked {
            Some(panel) => Rect::from_min_max(whole.min, pos2(panel.min.x, whole.max.y)),
            None => whole,
        };
        if let Some(panel) = docked {
            ui.painter().rect_filled(panel, 0.0, ui.visuals().panel_fill);
            let action = ui
                .scope_builder(egui::UiBuilder::new().max_rect(panel), |ui| {
                    egui::Frame::side_top_panel(ui.style())
                        .show(ui, |ui| {
                            ui.set_min_size(panel.size() - vec2(16.0, 16.0));
                            self.presenter_contents_ui(ui)
                        })
                        .inner
                })
                .inner;
            self.presenter_action(action);
        }
        let background = ui.allocate_rect(screen, Sense::click());
        ui.painter().rect_filled(screen, 0.0, theme.background);
        let measure = EguiMeasure(&ctx);
        let map_area = Rect::from_min_max(screen.min, pos2(screen.max.x, screen.max.y - CAPTION_BAND));

        // Camera: fit the step, then animate towards it.
        let bounds = self.scene(&measure).bounds;
        let step_view = self.current_step().and_then(|s| s.view);
        let Some(present) = &mut self.present else { return };
        if present.needs_fit {
            let target = match step_view {
                Some(view) => Rect::from_min_max(pos2(view.min.x, view.min.y), pos2(view.max.x, view.max.y)),
                None => bounds,
            };
            present.from = self.view.camera;
            present.to = Camera::fit(target, map_area);
            present.started = Instant::now();
            present.needs_fit = false;
        }
        let t = ease(present.started.elapsed().as_secs_f32() / TRANSITION_SECS);
        let camera = Camera {
            center: present.from.center + (present.to.center - present.from.center) * t,
            zoom: present.from.zoom * (present.to.zoom / present.from.zoom.max(1e-6)).powf(t),
        };
        self.view.camera = camera;
        if t < 1.0 {
            ctx.request_repaint();
        }
        let highlight: BTreeSet<ItemRef> =
            self.current_step().map(|s| s.highlight.iter().copied().collect()).unwrap_or_default();

        // Items are widgets so they can be clicked (spotlight) and found by their names.
        let mut clicked: Option<ItemRef> = None;
        let mut hovered: Option<ItemRef> = None;
        if let Some((_, scene)) = &self.scene_cache {
            for node in &scene.nodes {
                let rect = Rect::from_min_max(
                    camera.screen_from_world(map_area, node.rect.min),
                    camera.screen_from_world(map_area, node.rect.max),
                );
                let response = ui.interact(rect, ui.scope_id().with(("present-concept", node.id)), Sense::click());
                let label = node.label.lines.join(" ");
                response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &label));
                if response.clicked() {
                    clicked = Some(ItemRef::Concept(node.id));
                }
                if response.hovered() {
                    hovered = Some(ItemRef::Concept(node.id));
                }
            }
            for edge in &scene.edges {
                let Some(block) = &edge.label else { continue };
                let world = block.rect.expand(3.0);
                let rect = Rect::from_min_max(
                    camera.screen_from_world(map_area, world.min),
                    camera.screen_from_world(map_area, world.max),
                );
                let response = ui.interact(rect, ui.scope_id().with(("present-edge", edge.id)), Sense::click());
                let label = format!("Relationship: {}", self.map.doc().item_label(ItemRef::Relationship(edge.id)));
                response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &label));
                if response.clicked() {
                    clicked = Some(ItemRef::Relationship(edge.id));
                }
                if response.hovered() {
                    hovered = Some(ItemRef::Relationship(edge.id));
                }
            }
            if background.clicked()
                && let Some(pos) = background.interact_pointer_pos()
                && let Some(item) = scene.hit(camera.world_from_screen(map_area, pos), 6.0 / camera.zoom)
                && !matches!(item, ItemRef::Area(_))
            {
                clicked = Some(item);
            }
        }
        let Some(present) = &mut self.present else { return };
        if let Some(item) = clicked {
            present.spotlight = Some((item, 0));
        }

        // The map: what stays drawn as is, what is new fading in, and dimming if asked.
        let painter = ui.painter_at(screen);
        if let Some((_, scene)) = &self.scene_cache {
            let revealed = &present.revealed;
            let dim_except = present.dim.then_some(hovered).flatten();
            let none = BTreeSet::new();
            let settled = |item: ItemRef| !revealed.contains(&item);
            let mut base = painter.clone();
            if present.dim && dim_except.is_some() {
                base.multiply_opacity(0.25);
            }
            let keep = |item: ItemRef| settled(item) && Some(item) != dim_except;
            paint_scene(
                &base,
                scene,
                &theme,
                &camera,
                map_area,
                &Marks { selection: &none, highlight: &highlight, only: Some(&keep), drag: None, pins: false },
            );
            let mut fading = painter.clone();
            fading.multiply_opacity(t);
            if present.dim && dim_except.is_some() {
                fading.multiply_opacity(0.25);
            }
            let new = |item: ItemRef| !settled(item) && Some(item) != dim_except;
            paint_scene(
                &fading,
                scene,
                &theme,
                &camera,
                map_area,
                &Marks { selection: &none, highlight: &highlight, only: Some(&new), drag: None, pins: false },
            );
            if let Some(item) = dim_except {
                let one = move |i: ItemRef| i == item;
                paint_scene(
                    &painter,
                    scene,
                    &theme,
                    &camera,
                    map_area,
                    &Marks { selection: &none, highlight: &highlight, only: Some(&one), drag: None, pins: false },
                );
            }
        }

        // Caption band and step counter.
        let count = self.map.doc().story.len();
        let band = Rect::from_min_max(pos2(screen.min.x, screen.max.y - CAPTION_BAND), screen.max);
        painter.rect_filled(band, 0.0, theme.label_fill);
        painter.line_segment([band.left_top(), band.right_top()], Stroke::new(1.0, theme.node_stroke));
        if let Some(step) = self.map.doc().story.get(present.step) {
            // Wrapped and ordered as the scene wraps text, so Arabic and Hebrew read right.
            let scale = narrow_scale(screen);
            let width = band.width() - 200.0 * scale;
            let title_height = super::bidi_text::paint_paragraph(
                &painter,
                &step.title,
                &FontId::proportional(30.0 * scale),
                theme.text,
                band.min + vec2(40.0 * scale, 18.0 * scale),
                width,
            );
            super::bidi_text::paint_paragraph(
                &painter,
                &step.caption,
                &FontId::proportional(20.0 * scale),
                theme.muted_text,
                band.min + vec2(40.0 * scale, 26.0 * scale + title_height),
                width,
            );
            if let Some(filter) = &step.filter
                && filter.is_active()
            {
                painter.text(
                    screen.min + vec2(24.0, 20.0),
                    Align2::LEFT_TOP,
                    format!("Only evidence where {}", filter.describe(self.map.doc())),
                    FontId::proportional(20.0),
                    theme.selection,
                );
            }
        }
        painter.text(
            band.right_bottom() + vec2(-28.0, -20.0),
            Align2::RIGHT_BOTTOM,
            format!("{} / {count}", present.step + 1),
            FontId::proportional(24.0),
            theme.muted_text,
        );
        if !present.digits.is_empty() {
            painter.text(
                band.right_top() + vec2(-28.0, 16.0),
                Align2::RIGHT_TOP,
                format!("go to {}", present.digits),
                FontId::proportional(20.0),
                theme.selection,
            );
        }

        #[cfg(not(target_arch = "wasm32"))]
        if let Some(host) = &self.room_host {
            host.paint_code(&painter, map_area);
        }
        if let Some((item, index)) = present.spotlight {
            spotlight_ui(&painter, self.map.doc(), item, index, screen, &theme);
        }
        if let Some(color) = present.blank {
            painter.rect_filled(screen, 0.0, color);
        }
        if present.laser
            && let Some(pointer) = ui.input(|i| i.pointer.hover_pos())
        {
            ctx.set_cursor_icon(egui::CursorIcon::None);
            painter.circle_filled(pointer, 14.0, Color32::from_rgba_unmultiplied(255, 30, 30, 60));
            painter.circle_filled(pointer, 6.0, Color32::from_rgb(255, 40, 40));
        }
    }

    /// The presenter's own window on `monitor` (a screen the audience window is not on), with
    /// the same contents as the docked panel. Returns the keys pressed in it, which act as if
    /// pressed in the audience window.
    fn presenter_window_ui(&mut self, ctx: &egui::Context, monitor: Rect) -> Vec<Key> {
        let size = vec2(monitor.width().min(900.0), monitor.height().min(640.0)) - vec2(40.0, 40.0);
        let builder = egui::ViewportBuilder::default()
            .with_title("Qualmap — presenter view")
            .with_position(monitor.min + vec2(20.0, 20.0))
            .with_inner_size(size);
        let mut keys = Vec::new();
        let mut action = None;
        let mut closed = false;
        ctx.show_viewport_immediate(egui::ViewportId::from_hash_of("qualmap-presenter"), builder, |ctx, _class| {
            ctx.input(|i| {
                closed = i.viewport().close_requested();
                for event in &i.events {
                    if let egui::Event::Key { key, pressed: true, modifiers, .. } = event
                        && modifiers.is_none()
                    {
                        keys.push(*key);
                    }
                }
            });
            egui::CentralPanel::default().show(ctx, |ui| action = self.presenter_contents_ui(ui));
        });
        if closed {
            action = Some(PresenterAction::Hide);
        }
        self.presenter_action(action);
        // Keep the timer running.
        ctx.request_repaint_after(std::time::Duration::from_secs(1));
        keys
    }

    /// The presenter view: the step on screen, its notes, the next one, a timer, and buttons.
    fn presenter_contents_ui(&self, ui: &mut egui::Ui) -> Option<PresenterAction> {
        let present = self.present.as_ref()?;
        let step = present.step;
        let elapsed = present.began.elapsed().as_secs();
        let count = self.map.doc().story.len();
        let mut action = None;
        ui.heading(format!("Step {} of {count}", step + 1));
        ui.horizontal_wrapped(|ui| {
            if ui.add_enabled(step > 0, egui::Button::new("Previous step")).clicked() {
                action = Some(PresenterAction::Previous);
            }
            if ui.add_enabled(step + 1 < count, egui::Button::new("Next step")).clicked() {
                action = Some(PresenterAction::Next);
            }
            if ui.button("Hide presenter view").on_hover_text("P shows it again").clicked() {
                action = Some(PresenterAction::Hide);
            }
        });
        ui.label(format!("Time: {:02}:{:02}", elapsed / 60, elapsed % 60));
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(room) = self.room_presenter_ui(ui) {
            action = Some(room);
        }
        ui.separator();
        egui::ScrollArea::vertical().auto_shrink([false, true]).show(ui, |ui| {
            if let Some(current) = self.map.doc().story.get(step) {
                let title_font = egui::FontId::proportional(20.0);
                let strong = ui.visuals().strong_text_color();
                super::bidi_text::paragraph_ui(ui, &current.title, title_font, strong);
                super::bidi_text::label_ui(ui, &current.caption, false);
                ui.separator();
                ui.label(RichText::new("Notes").strong());
                if current.notes.is_empty() {
                    ui.label("(no notes)");
                } else {
                    for paragraph in current.notes.split('\n') {
                        super::bidi_text::label_ui(ui, paragraph, false);
                    }
                }
            }
            ui.separator();
            let next = self.map.doc().story.get(step + 1).map(|s| s.title.as_str());
            ui.label(super::bidi_text::visual_line(&format!("Next: {}", next.unwrap_or("(end of the story)"))));
            ui.label(
                RichText::new(
                    "Right/Left, Space, PageUp/PageDown: steps · number + Enter: jump · B/W: blank · L: laser · \
                     D: dim · H: contrast · P: presenter view · R: room · Q: room's code · Esc: leave",
                )
                .small()
                .weak(),
            );
        });
        action
    }

    fn presenter_action(&mut self, action: Option<PresenterAction>) {
        let Some(present) = &mut self.present else { return };
        let step = present.step;
        match action {
            Some(PresenterAction::Previous) => self.go_to_step(step.saturating_sub(1)),
            Some(PresenterAction::Next) => self.go_to_step(step + 1),
            Some(PresenterAction::Hide) => {
                present.presenter_view = false;
                self.prefs.presenter_view = false;
            }
            #[cfg(not(target_arch = "wasm32"))]
            Some(PresenterAction::Room) => {
                if self.room_open() {
                    self.close_room();
                } else if let Some(ctx) = self.egui_ctx.clone() {
                    self.share_with_room(&ctx);
                }
            }
            #[cfg(not(target_arch = "wasm32"))]
            Some(PresenterAction::RoomCode) => self.toggle_room_code(),
            #[cfg(target_arch = "wasm32")]
            Some(PresenterAction::Room | PresenterAction::RoomCode) => {}
            None => {}
        }
    }
}

/// The evidence spotlight: one excerpt at a time, large, with its source.
fn spotlight_ui(painter: &egui::Painter, doc: &Document, item: ItemRef, index: usize, screen: Rect, theme: &MapTheme) {
    let evidence: Vec<&Evidence> = doc.evidence_for(item).collect();
    let scale = narrow_scale(screen);
    let margin = 40.0 * scale;
    let panel = Rect::from_center_size(
        screen.center() - vec2(0.0, CAPTION_BAND / 2.0 * scale),
        vec2(screen.width().min(1100.0) - 2.0 * margin, screen.height().min(700.0) - 200.0 * scale),
    );
    painter.rect_filled(screen, 0.0, Color32::from_black_alpha(120));
    painter.rect_filled(panel, CornerRadius::same(12), theme.node_fill);
    painter.rect_stroke(panel, CornerRadius::same(12), Stroke::new(2.0, theme.selection), egui::StrokeKind::Inside);
    let width = panel.width() - 2.0 * margin;
    let mut y = panel.top() + 30.0 * scale;
    let heading = painter.layout(doc.item_label(item), FontId::proportional(26.0 * scale), theme.text, width);
    let h = heading.size().y;
    painter.galley(pos2(panel.left() + margin, y), heading, theme.text);
    y += h + 20.0 * scale;
    let Some(e) = evidence.get(index.min(evidence.len().saturating_sub(1))) else {
        painter.text(
            pos2(panel.left() + margin, y),
            Align2::LEFT_TOP,
            "No evidence is linked to this yet.",
            FontId::proportional(24.0 * scale),
            theme.muted_text,
        );
        return;
    };
    let quoted = format!("“{}”", e.excerpt);
    if crate::scene::text::has_rtl(&e.excerpt) {
        // Right to left: wrapped by the scene's rules and drawn in visual order, right-aligned
        // when the paragraph runs right to left.
        let font = FontId::proportional(30.0 * scale);
        let row = painter.ctx().fonts_mut(|f| f.row_height(&font));
        let lines = crate::scene::text::wrap(&quoted, 30.0 * scale, width, &EguiMeasure(painter.ctx()));
        for line in &lines {
            let (x, align) = if line.rtl {
                (panel.right() - margin, Align2::RIGHT_TOP)
            } else {
                (panel.left() + margin, Align2::LEFT_TOP)
            };
            super::canvas::paint_line(painter, &line.text, line.rtl, pos2(x, y), align, &font, theme.text);
            y += row;
        }
        y += 18.0 * scale;
    } else {
        let quote = painter.layout(quoted, FontId::proportional(30.0 * scale), theme.text, width);
        let h = quote.size().y;
        painter.galley(pos2(panel.left() + margin, y), quote, theme.text);
        y += h + 18.0 * scale;
    }
    let mut source = doc.source(e.source).map_or_else(String::new, |s| {
        let attributes: Vec<String> = s.attributes.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        format!("{} ({})", s.name, attributes.join(", "))
    });
    if e.provenance.kind == crate::model::ProvenanceKind::Illustrative {
        source.push_str(" — illustrative excerpt, not a participant's words");
    }
    let meta = painter.layout(source, FontId::proportional(20.0 * scale), theme.muted_text, width);
    painter.galley(pos2(panel.left() + margin, y), meta, theme.muted_text);
    let footer = painter.layout(
        format!(
            "excerpt {} of {} · arrow keys for more · Esc closes",
            index.min(evidence.len() - 1) + 1,
            evidence.len()
        ),
        FontId::proportional(18.0 * scale),
        theme.muted_text,
        width,
    );
    let at = panel.right_bottom() - vec2(margin * 0.75, 20.0 * scale) - footer.size();
    painter.galley(at, footer, theme.muted_text);
}

/// The Story window: the steps of the story, to order, edit and present from.
#[derive(Default)]
pub(super) struct Story {
    /// The step chosen in it (presenting starts there).
    pub step: usize,
}

impl super::panel::Panel for Story {
    fn title(&self) -> &str {
        "Story"
    }

    /// The steps, to reorder and edit, and presenting from one.
    fn ui(&mut self, ui: &mut egui::Ui, cx: &super::MapContext<'_>) -> Vec<Action> {
        let mut actions = Vec::new();
        ui.label(
            RichText::new(
                "The steps you present (F5). A step shows what was selected when it was added, or everything.",
            )
            .weak(),
        );
        let steps = cx.doc.story.clone();
        let mut edited = steps.clone();
        let mut structural = false;
        let selected = self.step.min(steps.len().saturating_sub(1));
        for (i, step) in steps.iter().enumerate() {
            ui.horizontal(|ui| {
                // Drag the grip onto another step to move it there.
                let grip = ui
                    .add(egui::Button::new(RichText::new("::").monospace()).sense(Sense::click_and_drag()))
                    .on_hover_text("Drag onto another step to move it");
                if grip.dragged() {
                    grip.dnd_set_drag_payload(i);
                }
                let row = ui.selectable_label(
                    i == selected,
                    super::bidi_text::visual_line(&format!("{}. {}", i + 1, step.title)),
                );
                if row.clicked() {
                    self.step = i;
                }
                for target in [&grip, &row] {
                    if let Some(from) = target.dnd_release_payload::<usize>()
                        && *from != i
                        && *from < edited.len()
                    {
                        let moved = edited.remove(*from);
                        edited.insert(i.min(edited.len()), moved);
                        structural = true;
                    }
                }
                if ui.small_button("Up").clicked() && i > 0 {
                    edited.swap(i, i - 1);
                    structural = true;
                }
                if ui.small_button("Down").clicked() && i + 1 < steps.len() {
                    edited.swap(i, i + 1);
                    structural = true;
                }
                if ui.small_button("Duplicate").clicked() {
                    edited.insert(i + 1, step.clone());
                    structural = true;
                }
                if ui.small_button("Delete").clicked() {
                    edited.remove(i);
                    structural = true;
                }
            });
        }
        ui.separator();
        ui.horizontal(|ui| {
            if ui.button("Add current view as a step").clicked() {
                edited.push(step_from_view(cx));
                self.step = edited.len() - 1;
                structural = true;
            }
            if ui.add_enabled(!steps.is_empty(), egui::Button::new("Present from this step (F5)")).clicked() {
                self.step = selected;
                actions.push(Action::Run(super::ui_command::UiCommand::Present));
            }
        });
        let mut presenter_view = cx.prefs.presenter_view;
        if ui
            .checkbox(&mut presenter_view, "Open the presenter view when presenting (P)")
            .on_hover_text(
                "Notes, the next step and a timer: on a second screen when there is one, otherwise beside the slides",
            )
            .changed()
        {
            actions.push(Action::SetPresenterView(presenter_view));
        }
        if !structural && let Some(step) = edited.get_mut(selected) {
            ui.separator();
            egui::Grid::new("step-fields").num_columns(2).show(ui, |ui| {
                ui.label("Title");
                let body = egui::TextStyle::Body.resolve(ui.style());
                let id = ui.make_persistent_id("step-title");
                super::bidi_text::text_edit(ui, &mut step.title, false, id, body.clone(), |edit| edit)
                    .accessible_name("Step title");
                ui.end_row();
                ui.label("Caption");
                let id = ui.make_persistent_id("step-caption");
                super::bidi_text::text_edit(ui, &mut step.caption, true, id, body.clone(), |edit| edit.desired_rows(2))
                    .accessible_name("Step caption");
                ui.end_row();
                ui.label("Notes");
                let id = ui.make_persistent_id("step-notes");
                super::bidi_text::text_edit(ui, &mut step.notes, true, id, body, |edit| edit.desired_rows(2))
                    .accessible_name("Speaker notes");
                ui.end_row();
            });
            ui.horizontal(|ui| {
                if ui.button("Show the selection").clicked() {
                    step.visible = cx.view.selection.iter().copied().collect();
                }
                if ui.button("Show everything").clicked() {
                    step.visible.clear();
                }
                if ui.button("Highlight the selection").clicked() {
                    step.highlight = cx.view.selection.iter().copied().collect();
                }
                if ui.button("Use the current view").clicked() {
                    step.view = Some(current_view_rect(cx.view));
                }
            });
            ui.horizontal(|ui| {
                let focus = cx.view.focus.as_ref().map(|f| f.focus.clone());
                if ui
                    .add_enabled(focus.is_some(), egui::Button::new("Use the current focus"))
                    .on_disabled_hover_text(
                        "Focus the map first: right-click an item and choose Focus, or use the Explore window",
                    )
                    .clicked()
                {
                    step.focus = focus;
                }
                if ui.add_enabled(step.focus.is_some(), egui::Button::new("No focus")).clicked() {
                    step.focus = None;
                }
            });
            let shown =
                if step.visible.is_empty() { "everything".to_owned() } else { format!("{} items", step.visible.len()) };
            let focus = step.focus.as_ref().map(|f| format!(" Focus: {}.", f.describe(cx.doc))).unwrap_or_default();
            ui.label(
                RichText::new(format!("Shows {shown}; highlights {}.{focus}", step.highlight.len())).small().weak(),
            );
        }
        if edited != steps {
            let key = (!structural).then_some(crate::command::MergeKey::Step(selected));
            actions.push(Action::Edit(Command::SetStory(edited), key));
        }
        actions
    }
}

/// The part of the map the canvas shows now.
fn current_view_rect(view: &super::ViewState) -> ViewRect {
    // What shows above the key (the camera draws on the whole canvas).
    let area = super::canvas::map_area(view.canvas_rect, view.legend_height);
    let min = view.camera.world_from_screen(view.canvas_rect, area.min);
    let max = view.camera.world_from_screen(view.canvas_rect, area.max);
    ViewRect { min: Point::new(min.x, min.y), max: Point::new(max.x, max.y) }
}

/// A step showing the selection (or everything), with the current view and filter.
fn step_from_view(cx: &super::MapContext<'_>) -> Step {
    Step {
        title: format!("Step {}", cx.doc.story.len() + 1),
        // A focused map's step shows the whole map with the rest faded, as the canvas does (a
        // step's items would drop areas whose members are out of focus); otherwise the
        // selection (or everything).
        visible: match &cx.view.focus {
            Some(_) => Vec::new(),
            None => cx.view.selection.iter().copied().collect(),
        },
        focus: cx.view.focus.as_ref().map(|f| f.focus.clone()),
        view: Some(current_view_rect(cx.view)),
        filter: cx.view.filter.is_active().then(|| cx.view.filter.clone()),
        ..Step::default()
    }
}
