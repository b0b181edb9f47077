//! The map canvas: draws the scene through the camera (`paint`), turns pointer input into
//! camera moves, selection changes, drags, links and drops (`input`), and keeps the key along
//! its bottom (`legend`). Where it looks is the `camera`.

mod camera;
mod input;
mod legend;
mod paint;

pub use camera::{Camera, map_area};
pub use input::DragPreview;
pub(super) use input::DragState;
use input::select;
pub use legend::LEGEND_ROW_HEIGHT;
pub(super) use legend::{legend_layout, paint_legend};
pub(super) use paint::{BLOCK_CARD_HEIGHT, MIN_EDGE_LABEL, MIN_LEGIBLE_FONT};
pub use paint::{Marks, paint_line, paint_scene, visible_world};

use egui::{Align2, CornerRadius, FontId, Pos2, Rect, Sense, Shape, Stroke, StrokeKind, Vec2, vec2};

use super::QualmapApp;
use crate::model::{ConceptId, Endpoint, EvidenceId, ItemRef};
use crate::scene::{EguiMeasure, MapTheme};

/// How strongly what lies outside the focus is still drawn.
const FOCUS_FADE: f32 = 0.18;

/// What the pointer did to the canvas's items this frame.
struct Gestures {
    /// An item clicked, with the modifiers held.
    clicked: Option<(ItemRef, egui::Modifiers)>,
    /// A card whose drag began.
    drag_started: Option<ConceptId>,
    /// How far the dragged cards moved.
    drag_delta: Vec2,
    /// Whether a card's drag ended.
    drag_stopped: bool,
    /// An excerpt dropped on an item.
    dropped: Option<(EvidenceId, ItemRef)>,
    /// The link handles shown, and what they link from.
    handles: Vec<(Pos2, Endpoint)>,
    /// A link drawn from a handle, and where in the world it was let go.
    link_to: Option<(Endpoint, Pos2)>,
    /// A double click on the background: a new concept there.
    new_concept_at: Option<Pos2>,
}

impl QualmapApp {
    /// The camera that fits the map into the last canvas rectangle, measured with `ctx`'s fonts.
    pub fn fitted_camera_in(&mut self, ctx: &egui::Context) -> Camera {
        self.fitted_camera(&EguiMeasure(ctx))
    }

    pub(super) fn canvas_ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        let theme = MapTheme::new(self.prefs.theme);
        let canvas = ui.max_rect();
        self.view.canvas_rect = canvas;
        let background = ui.allocate_rect(canvas, Sense::click_and_drag());
        ui.painter().rect_filled(canvas, 0.0, theme.background);

        let legend = legend_layout(
            ui.painter(),
            self.map.doc(),
            &theme,
            canvas,
            self.view.support,
            self.view.emphasis.as_ref().map(|e| e.name.as_str()),
            self.view.tint.as_deref(),
        );
        self.view.legend_height = legend.height;
        let measure = EguiMeasure(&ctx);
        let bounds = self.scene(&measure).bounds;
        // Fit once the map's current scene exists (a large map's arrives from a worker, and
        // until then the previous scene, with the old bounds, is drawn).
        let area = map_area(canvas, legend.height);
        // A fitted view stays fitted when the window grows or shrinks or the inspector is shown
        // or hidden, until the user pans or zooms it away. (Not on every change of the canvas:
        // the inspector's width follows its contents, and the map would jump on a click.)
        let window = ctx.content_rect().size();
        let inspector = self.prefs.show_inspector;
        // Also when the key below the map takes another row (an outline or colour explained).
        if let Some(fitted) = self.view.fitted
            && fitted.camera == self.view.camera
            && (fitted.window != window || fitted.inspector != inspector || fitted.area.height() != area.height())
        {
            self.view.fit_requested = true;
        }
        if self.view.fit_requested && self.scene_cache.is_some() && !self.scene_pending() {
            self.view.camera = Camera::fit_in(bounds, area, canvas);
            self.view.fitted = Some(super::Fitted { window, inspector, camera: self.view.camera, area });
            self.view.fit_requested = false;
            // The status bar, drawn before the canvas, shows the new zoom on the next frame.
            ctx.request_repaint();
        }
        self.camera_input_ui(ui, &background, canvas);

        // Items are laid out as widgets on top of the background, so that they can be clicked,
        // dragged and found by screen readers (and by tests) by their labels.
        let camera = self.view.camera;
        // Borrow the cached scene out of `self` for this pass instead of copying it every frame.
        self.scene(&measure);
        let Some((scene_key, scene)) = self.scene_cache.take() else {
            return;
        };
        let Gestures { mut clicked, drag_started, drag_delta, drag_stopped, dropped, handles, link_to, new_concept_at } =
            self.item_widgets(ui, &scene, canvas, &background);
        // A read-only page reads: drags, new relationships and new concepts are not made.
        let read_only = self.read_only();
        let (drag_started, drag_delta, drag_stopped) =
            if read_only { (None, egui::Vec2::ZERO, false) } else { (drag_started, drag_delta, drag_stopped) };
        let (dropped, link_to, new_concept_at) =
            if read_only { (None, None, None) } else { (dropped, link_to, new_concept_at) };
        let handles = if read_only { Vec::new() } else { handles };
        // A right-click on the background: the item there (cards too small to be widgets), or the
        // map itself.
        if background.secondary_clicked() {
            let world = camera.world_from_screen(canvas, background.interact_pointer_pos().unwrap_or_default());
            self.view.context = Some(match scene.hit(world, 5.0 / camera.zoom) {
                Some(item) => {
                    self.select_for_menu(item);
                    super::context_menu::ContextTarget::Item(item)
                }
                None => super::context_menu::ContextTarget::Map(world),
            });
        }
        let target = self.view.context;
        background.context_menu(|ui| match target {
            Some(super::context_menu::ContextTarget::Item(item)) => self.item_menu_ui(ui, item),
            Some(super::context_menu::ContextTarget::Map(world)) => self.map_menu_ui(ui, world),
            None => ui.close(),
        });
        if background.clicked() {
            let world = camera.world_from_screen(canvas, background.interact_pointer_pos().unwrap_or_default());
            match scene.hit(world, 5.0 / camera.zoom) {
                Some(item) => clicked = Some((item, ui.input(|i| i.modifiers))),
                None if !ui.input(|i| i.modifiers.shift || i.modifiers.command) => self.view.selection.clear(),
                None => {}
            }
        }
        if let Some((item, modifiers)) = clicked {
            select(&mut self.view, item, modifiers.shift || modifiers.command);
        }
        let link_target = link_to.and_then(|(from, world)| {
            let target = match scene.hit(world, 4.0 / camera.zoom)? {
                ItemRef::Concept(id) => Endpoint::Concept(id),
                ItemRef::Area(id) => Endpoint::Area(id),
                ItemRef::Relationship(_) => return None,
            };
            (target != from).then_some((from, target))
        });
        let handle_paint: Vec<(Pos2, Endpoint)> = handles;
        self.scene_cache = Some((scene_key, scene));
        self.concept_drag(drag_started, drag_delta, drag_stopped, ui.input(|i| i.modifiers));
        if let Some((from, to)) = link_target {
            self.add_relationship(from, to);
        }
        if let Some((evidence, item)) = dropped {
            self.link_evidence(evidence, item);
        }
        if let Some(world) = new_concept_at {
            self.add_concept_at(world);
        }

        let painter = ui.painter_at(canvas);
        let camera = self.view.camera;
        // Rebuild only if the drag changed the document this frame.
        self.scene(&measure);
        if let (Some(preview), Some((key, _))) = (&self.drag_preview, &self.scene_cache)
            && key.revision >= preview.until
        {
            self.drag_preview = None;
        }
        // A drag that ended some other way (the map was replaced) leaves nothing moved.
        if self.drag_preview.as_ref().is_some_and(|p| p.until == u64::MAX)
            && !matches!(self.view.drag, Some(DragState::Move { .. }))
        {
            self.drag_preview = None;
        }
        if let Some((_, scene)) = &self.scene_cache {
            let marks = |only| Marks {
                selection: &self.view.selection,
                highlight: &self.view.highlight,
                only,
                drag: self.drag_preview.as_ref(),
                pins: true,
            };
            match &self.view.focus {
                // Focused: what is out of focus faded, under what is in it.
                Some(focus) => {
                    let (outside, inside) = (|item| !focus.items.contains(&item), |item| focus.items.contains(&item));
                    let mut faded = painter.clone();
                    faded.multiply_opacity(FOCUS_FADE);
                    paint_scene(&faded, scene, &theme, &camera, canvas, &marks(Some(&outside)));
                    paint_scene(&painter, scene, &theme, &camera, canvas, &marks(Some(&inside)));
                }
                None => paint_scene(&painter, scene, &theme, &camera, canvas, &marks(None)),
            }
            // A comparison with another copy, and a merge's conflicts, drawn over the map.
            let conflicts = crate::app::team::conflicted_items(self.map.doc());
            if self.view.compare.is_some() || !conflicts.is_empty() {
                crate::app::team::paint_marks(
                    &painter,
                    scene,
                    &camera,
                    canvas,
                    self.view.compare.as_deref(),
                    &conflicts,
                );
            }
        }
        self.canvas_overlays(ui, &painter, canvas, &theme, &handle_paint, &background, legend);
    }

    /// Every item in view as a widget (areas' names, relationship labels, cards, link handles),
    /// so that they can be clicked, dragged, dropped on and found by screen readers; a double
    /// click on the background adds a concept there. Returns what happened.
    fn item_widgets(
        &mut self,
        ui: &mut egui::Ui,
        scene: &crate::scene::Scene,
        canvas: Rect,
        background: &egui::Response,
    ) -> Gestures {
        let camera = self.view.camera;
        let mut clicked: Option<(ItemRef, egui::Modifiers)> = None;
        let mut drag_started: Option<ConceptId> = None;
        let mut drag_delta = Vec2::ZERO;
        let mut drag_stopped = false;
        let mut dropped: Option<(EvidenceId, ItemRef)> = None;
        let mut handles: Vec<(Pos2, Endpoint)> = Vec::new();
        let mut link_to: Option<(Endpoint, Pos2)> = None;
        let mut new_concept_at: Option<Pos2> = None;
        // Only what is in view becomes a widget; cards too small to grab are reached by a click
        // on the background (hit-testing through the scene's index).
        let world = visible_world(&camera, canvas);
        let mut in_view = Vec::new();
        for area in &scene.areas {
            if !area.label.rect.intersects(world) {
                continue;
            }
            let rect = camera.screen_rect(canvas, area.label.rect);
            let response = ui.interact(rect, ui.scope_id().with(("area", area.id)), Sense::click());
            let label = format!("Area: {}", area.label.lines.join(" "));
            response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &label));
            if response.clicked() {
                clicked = Some((ItemRef::Area(area.id), ui.input(|i| i.modifiers)));
            }
            self.item_context_menu(&response, ItemRef::Area(area.id));
            if let Some(evidence) = response.dnd_release_payload::<EvidenceId>() {
                dropped = Some((*evidence, ItemRef::Area(area.id)));
            }
            if self.view.selection.contains(&ItemRef::Area(area.id)) {
                handles.push((rect.right_center() + vec2(10.0, 0.0), Endpoint::Area(area.id)));
            }
        }
        scene.edge_indices_near(world, &mut in_view);
        for edge in in_view.iter().map(|&i| &scene.edges[i]) {
            let Some(block) = &edge.label else { continue };
            if block.font_size * camera.zoom < MIN_LEGIBLE_FONT || !block.rect.intersects(world) {
                continue;
            }
            // As drawn: never smaller than MIN_EDGE_LABEL (see `paint_scene`).
            let grow = (MIN_EDGE_LABEL / (block.font_size * camera.zoom)).max(1.0);
            let world = block.rect.expand(3.0);
            let rect = Rect::from_center_size(
                camera.screen_from_world(canvas, world.center()),
                world.size() * camera.zoom * grow,
            );
            let response = ui.interact(rect, ui.scope_id().with(("edge", edge.id)), Sense::click());
            let label = format!("Relationship: {}", self.map.doc().item_label(ItemRef::Relationship(edge.id)));
            response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &label));
            if response.clicked() {
                clicked = Some((ItemRef::Relationship(edge.id), ui.input(|i| i.modifiers)));
            }
            self.item_context_menu(&response, ItemRef::Relationship(edge.id));
            if let Some(evidence) = response.dnd_release_payload::<EvidenceId>() {
                dropped = Some((*evidence, ItemRef::Relationship(edge.id)));
            }
        }
        scene.node_indices_in(world, &mut in_view);
        for node in in_view.iter().map(|&i| &scene.nodes[i]) {
            let rect = camera.screen_rect(canvas, node.rect);
            if !rect.intersects(canvas) || rect.height() < BLOCK_CARD_HEIGHT {
                continue;
            }
            let response = ui.interact(rect, ui.scope_id().with(("concept", node.id)), Sense::click_and_drag());
            let label = node.label.lines.join(" ");
            let selected = self.view.selection.contains(&ItemRef::Concept(node.id));
            response.widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, true, selected, &label));
            if response.clicked() {
                clicked = Some((ItemRef::Concept(node.id), ui.input(|i| i.modifiers)));
            }
            self.item_context_menu(&response, ItemRef::Concept(node.id));
            if response.double_clicked() {
                // Rename in place: the name field takes the keyboard.
                self.view.focus_label = true;
            }
            if response.drag_started() {
                drag_started = Some(node.id);
            }
            if response.dragged() {
                drag_delta += response.drag_delta();
            }
            if response.drag_stopped() {
                drag_stopped = true;
            }
            if response.hovered() || response.dragged() {
                ui.ctx().set_cursor_icon(if response.dragged() {
                    egui::CursorIcon::Grabbing
                } else {
                    egui::CursorIcon::Grab
                });
            }
            if let Some(evidence) = response.dnd_release_payload::<EvidenceId>() {
                dropped = Some((*evidence, ItemRef::Concept(node.id)));
            }
            if selected || response.hovered() || response.contains_pointer() {
                handles.push((rect.right_center() + vec2(9.0, 0.0), Endpoint::Concept(node.id)));
            }
        }
        // Link handles: drag from one to another concept or area to draw a relationship.
        for (center, from) in &handles {
            let rect = Rect::from_center_size(*center, Vec2::splat(16.0));
            let response = ui.interact(rect, ui.scope_id().with(("link-handle", *from)), Sense::drag());
            let name = self.map.doc().endpoint_label(*from).to_owned();
            response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, format!("Link from {name}")));
            if response.hovered() {
                ui.ctx().set_cursor_icon(egui::CursorIcon::Crosshair);
            }
            if response.drag_started() {
                self.view.drag = Some(DragState::Link { from: *from });
            }
            if response.drag_stopped()
                && let Some(DragState::Link { from }) = self.view.drag.take()
                && let Some(pointer) = response.interact_pointer_pos()
            {
                link_to = Some((from, camera.world_from_screen(canvas, pointer)));
            }
        }
        if background.double_clicked() {
            let world = camera.world_from_screen(canvas, background.interact_pointer_pos().unwrap_or_default());
            if scene.hit(world, 0.0).is_none_or(|hit| matches!(hit, ItemRef::Area(_))) {
                new_concept_at = Some(world);
            }
        }

        Gestures { clicked, drag_started, drag_delta, drag_stopped, dropped, handles, link_to, new_concept_at }
    }

    /// What is drawn over the map: link handles and a link being drawn, the filter's banner, the
    /// rubber band, the key, "busy" and the drop hint.
    #[allow(clippy::too_many_arguments, reason = "one canvas pass's parts")]
    fn canvas_overlays(
        &self,
        ui: &egui::Ui,
        painter: &egui::Painter,
        canvas: Rect,
        theme: &MapTheme,
        handle_paint: &[(Pos2, Endpoint)],
        background: &egui::Response,
        legend: legend::LegendLayout,
    ) {
        for (center, _) in handle_paint {
            painter.circle(*center, 5.5, theme.node_fill, Stroke::new(1.5, theme.selection));
            painter
                .line_segment([*center - vec2(3.0, 0.0), *center + vec2(3.0, 0.0)], Stroke::new(1.5, theme.selection));
            painter
                .line_segment([*center - vec2(0.0, 3.0), *center + vec2(0.0, 3.0)], Stroke::new(1.5, theme.selection));
        }
        if let Some(DragState::Link { from }) = &self.view.drag
            && let Some(pointer) = ui.input(|i| i.pointer.hover_pos())
            && let Some(start) = handle_paint.iter().find(|(_, e)| e == from).map(|(p, _)| *p)
        {
            painter.extend(Shape::dashed_line(&[start, pointer], Stroke::new(2.0, theme.selection), 6.0, 4.0));
            painter.circle_filled(pointer, 4.0, theme.selection);
        }
        // The filter and the focus in force, written on the map (exports say them in the caption).
        let mut banner = Vec::new();
        if self.view.filter.is_active() {
            banner.push(format!(
                "Filtered: {} — support counted as {}",
                self.view.filter.describe(self.map.doc()),
                self.view.support.label()
            ));
        }
        if let Some(focus) = &self.view.focus {
            banner.push(format!("Focus: {} (Explore window to change or clear)", focus.focus.describe(self.map.doc())));
        }
        if !banner.is_empty() {
            let text = banner.join("\n");
            let galley = painter.layout(text, FontId::proportional(14.0), theme.text, canvas.width() - 40.0);
            let rect = Rect::from_min_size(canvas.left_top() + vec2(12.0, 10.0), galley.size() + vec2(20.0, 12.0));
            painter.rect_filled(rect, CornerRadius::same(6), theme.label_fill);
            painter.rect_stroke(rect, CornerRadius::same(6), Stroke::new(1.5, theme.selection), StrokeKind::Inside);
            painter.galley(rect.min + vec2(10.0, 6.0), galley, theme.text);
        }
        if let Some(DragState::Band { from, .. }) = &self.view.drag
            && let Some(to) = background.interact_pointer_pos()
        {
            let band = Rect::from_two_pos(*from, to);
            painter.rect_filled(band, 2.0, theme.selection.gamma_multiply(0.12));
            painter.rect_stroke(band, 2.0, Stroke::new(1.0, theme.selection), StrokeKind::Inside);
        }
        paint_legend(painter, legend, theme, canvas);
        let busy = if self.is_opening() {
            Some("Opening the map…")
        } else if self.scene_cache.is_none() && self.scene_pending() {
            Some("Drawing the map…")
        } else {
            None
        };
        if let Some(text) = busy {
            let galley = painter.layout_no_wrap(text.to_owned(), FontId::proportional(18.0), theme.text);
            let rect = Rect::from_center_size(canvas.center(), galley.size() + vec2(36.0, 20.0));
            painter.rect_filled(rect, CornerRadius::same(8), theme.label_fill);
            painter.galley(rect.min + vec2(18.0, 10.0), galley, theme.text);
        }
        if ui.ctx().input(|i| !i.raw.hovered_files.is_empty()) {
            painter.rect_filled(canvas, 0.0, theme.background.gamma_multiply(0.85));
            painter.text(
                canvas.center(),
                Align2::CENTER_CENTER,
                "Drop a .qualmap file to open it",
                FontId::proportional(22.0),
                theme.text,
            );
        }
    }
}
