//! The map canvas: draws the scene through the camera, and turns pointer input into camera
//! moves, selection changes and (for drags of concepts) move commands.

use std::collections::{BTreeSet, HashMap, HashSet};

use egui::{Align2, Color32, CornerRadius, FontId, Pos2, Rect, Sense, Shape, Stroke, StrokeKind, Vec2, pos2, vec2};

use super::{QualmapApp, ViewState};
use crate::command::Command;
use crate::command::Element;
use crate::model::{
    ConceptId, Endpoint, EvidenceId, ItemRef, LineStyle, Point, Provenance, Relationship, RelationshipId,
};
use crate::scene::{MapTheme, Scene, TextBlock, geometry, metrics};

/// Where the canvas looks: the world point at the centre of the canvas, and points per world unit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Camera {
    /// World point shown at the canvas centre.
    pub center: Pos2,
    /// Screen points per world unit.
    pub zoom: f32,
}

impl Default for Camera {
    fn default() -> Self {
        Self { center: Pos2::ZERO, zoom: 1.0 }
    }
}

/// Zoom limits.
const MIN_ZOOM: f32 = 0.005;
const MAX_ZOOM: f32 = 8.0;
/// Fitting never enlarges a small map beyond this, so a new map starts at a natural size.
const MAX_FIT_ZOOM: f32 = 1.25;
/// Margin kept around the map when fitting, in screen points.
const FIT_MARGIN: f32 = 28.0;
/// Below this on-screen font size, text is not drawn (it could not be read anyway).
const MIN_LEGIBLE_FONT: f32 = 3.5;

impl Camera {
    /// The camera showing all of `bounds` inside `canvas`, with a margin.
    pub fn fit(bounds: Rect, canvas: Rect) -> Self {
        let room = (canvas.size() - Vec2::splat(2.0 * FIT_MARGIN)).max(Vec2::splat(1.0));
        let zoom =
            (room.x / bounds.width().max(1.0)).min(room.y / bounds.height().max(1.0)).clamp(MIN_ZOOM, MAX_FIT_ZOOM);
        Self { center: bounds.center(), zoom }
    }

    /// Converts a world point to a screen point on `canvas`.
    pub fn screen_from_world(&self, canvas: Rect, world: Pos2) -> Pos2 {
        canvas.center() + (world - self.center) * self.zoom
    }

    /// Converts a screen point on `canvas` to a world point.
    pub fn world_from_screen(&self, canvas: Rect, screen: Pos2) -> Pos2 {
        self.center + (screen - canvas.center()) / self.zoom
    }

    fn screen_rect(&self, canvas: Rect, world: Rect) -> Rect {
        Rect::from_min_max(self.screen_from_world(canvas, world.min), self.screen_from_world(canvas, world.max))
    }

    /// Zooms by `factor`, keeping the world point under `screen` fixed.
    pub fn zoom_around(&mut self, canvas: Rect, screen: Pos2, factor: f32) {
        let anchor = self.world_from_screen(canvas, screen);
        self.zoom = (self.zoom * factor).clamp(MIN_ZOOM, MAX_ZOOM);
        self.center = anchor - (screen - canvas.center()) / self.zoom;
    }
}

/// A drag in progress.
pub(super) enum DragState {
    /// Moving concepts: where each started.
    Move { start: Vec<(ConceptId, Point)>, moved: Vec2 },
    /// Selecting with a rubber band from this screen point.
    Band { from: Pos2, additive: BTreeSet<ItemRef> },
    /// Panning.
    Pan,
    /// Drawing a new relationship from this end.
    Link { from: Endpoint },
}

/// The part of the canvas not covered by the legend strip (`legend` high: one row or more, as
/// the last frame laid it out).
pub fn map_area(canvas: Rect, legend: f32) -> Rect {
    Rect::from_min_max(canvas.min, pos2(canvas.max.x, (canvas.max.y - legend).max(canvas.min.y + 1.0)))
}

use crate::scene::EguiMeasure;

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

        let legend = legend_layout(ui.painter(), self.map.doc(), &theme, canvas, self.view.support);
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
        if let Some(fitted) = self.view.fitted
            && fitted.camera == self.view.camera
            && (fitted.window != window || fitted.inspector != inspector)
        {
            self.view.fit_requested = true;
        }
        if self.view.fit_requested && self.scene_cache.is_some() && !self.scene_pending() {
            self.view.camera = Camera::fit(bounds, area);
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
                ctx.set_cursor_icon(if response.dragged() {
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
                ctx.set_cursor_icon(egui::CursorIcon::Crosshair);
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
            let marks = Marks {
                selection: &self.view.selection,
                highlight: &self.view.highlight,
                only: None,
                drag: self.drag_preview.as_ref(),
                pins: true,
            };
            paint_scene(&painter, scene, &theme, &camera, canvas, &marks);
        }
        for (center, _) in &handle_paint {
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
        if self.view.filter.is_active() {
            let text = format!(
                "Filtered: {} — support counted as {}",
                self.view.filter.describe(self.map.doc()),
                self.view.support.label()
            );
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
        paint_legend(&painter, legend, &theme, canvas);
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
        if ctx.input(|i| !i.raw.hovered_files.is_empty()) {
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

    /// Pans and zooms from background drags, scrolling and pinching; handles the rubber band.
    fn camera_input_ui(&mut self, ui: &egui::Ui, background: &egui::Response, canvas: Rect) {
        let (scroll, zoom, pointer, modifiers) =
            ui.input(|i| (i.smooth_scroll_delta, i.zoom_delta(), i.pointer.hover_pos(), i.modifiers));
        let hovered = pointer.is_some_and(|p| canvas.contains(p)) && ui.ui_contains_pointer();
        if hovered {
            if zoom != 1.0
                && let Some(p) = pointer
            {
                self.view.camera.zoom_around(canvas, p, zoom);
            }
            if scroll != Vec2::ZERO {
                self.view.camera.center -= scroll / self.view.camera.zoom;
            }
        }
        if background.drag_started() {
            // Shift or Ctrl turns a background drag into a rubber band that adds to the
            // selection; a plain drag pans.
            self.view.drag = if modifiers.shift || modifiers.command {
                Some(DragState::Band {
                    from: background.interact_pointer_pos().unwrap_or_default(),
                    additive: self.view.selection.clone(),
                })
            } else {
                Some(DragState::Pan)
            };
        }
        if background.dragged() {
            match &self.view.drag {
                Some(DragState::Pan) => {
                    self.view.camera.center -= background.drag_delta() / self.view.camera.zoom;
                    ui.ctx().set_cursor_icon(egui::CursorIcon::Grabbing);
                }
                Some(DragState::Band { from, additive }) => {
                    if let Some(to) = background.interact_pointer_pos() {
                        let camera = self.view.camera;
                        let world = Rect::from_two_pos(
                            camera.world_from_screen(canvas, *from),
                            camera.world_from_screen(canvas, to),
                        );
                        let mut selection = additive.clone();
                        if let Some((_, scene)) = &self.scene_cache {
                            selection.extend(scene.nodes_in(world).map(ItemRef::Concept));
                        }
                        self.view.selection = selection;
                    }
                }
                _ => {}
            }
        }
        if background.drag_stopped() {
            self.view.drag = None;
        }
    }

    /// Moves the dragged concepts live, and records the whole drag as one undo step.
    fn concept_drag(&mut self, started: Option<ConceptId>, delta: Vec2, stopped: bool, modifiers: egui::Modifiers) {
        if let Some(id) = started {
            // A layout gliding concepts about ends before the user moves one.
            self.settle_layout();
            let item = ItemRef::Concept(id);
            if !self.view.selection.contains(&item) {
                if !(modifiers.shift || modifiers.command) {
                    self.view.selection.clear();
                }
                self.view.selection.insert(item);
            }
            let start = self
                .view
                .selection
                .iter()
                .filter_map(|item| match item {
                    ItemRef::Concept(id) => self.map.doc().concept(*id).map(|c| (*id, c.pos)),
                    _ => None,
                })
                .collect();
            // A map whose scenes are built in the background moves its cards by drawing them
            // moved; the map itself changes when the drag ends.
            let deferred = self.last_scene_build > super::SCENE_IN_BACKGROUND || self.scene_job.is_some();
            self.drag_preview = deferred.then(|| {
                let concepts: &Vec<(ConceptId, Point)> = &start;
                DragPreview::of(self.map.doc(), concepts.iter().map(|(id, _)| *id).collect())
            });
            self.view.drag = Some(DragState::Move { start, moved: Vec2::ZERO });
        }
        if delta != Vec2::ZERO
            && let Some(DragState::Move { start, moved }) = &mut self.view.drag
        {
            *moved += delta / self.view.camera.zoom;
            if let Some(preview) = &mut self.drag_preview {
                preview.offset = *moved;
            } else {
                let positions = shifted(start, *moved);
                self.map.preview_moves(positions);
            }
        }
        if stopped && let Some(DragState::Move { start, moved }) = self.view.drag.take() {
            if moved == Vec2::ZERO {
                self.drag_preview = None;
                return;
            }
            let end = shifted(&start, moved);
            if self.drag_preview.is_some() && !self.map.preview_moves(end.clone()) {
                self.drag_preview = None;
                return;
            }
            self.map.commit_moves(start, end, None);
            if let Some(preview) = &mut self.drag_preview {
                preview.until = self.map.revision();
            }
        }
    }
}

fn shifted(start: &[(ConceptId, Point)], by: Vec2) -> Vec<(ConceptId, Point)> {
    start.iter().map(|(id, p)| (*id, Point::new(p.x + by.x, p.y + by.y))).collect()
}

/// Click selection: replace, or toggle when adding.
fn select(view: &mut ViewState, item: ItemRef, adding: bool) {
    if adding {
        if !view.selection.remove(&item) {
            view.selection.insert(item);
        }
    } else {
        view.selection.clear();
        view.selection.insert(item);
    }
}

/// What stands out when a scene is drawn, and which items are drawn at all.
#[derive(Clone, Copy)]
pub struct Marks<'a> {
    /// Selected items.
    pub selection: &'a BTreeSet<ItemRef>,
    /// Highlighted items (search hits, evidence rows, presentation steps).
    pub highlight: &'a BTreeSet<ItemRef>,
    /// Draw only the items this accepts (`None`: all).
    pub only: Option<&'a dyn Fn(ItemRef) -> bool>,
    /// Concepts drawn moved although the scene has them where they were.
    pub drag: Option<&'a DragPreview>,
    /// Whether to mark pinned concepts (editing, not presenting).
    pub pins: bool,
}

/// A drag on a large map: the scene is rebuilt on a worker, too slowly for the cards to follow
/// the pointer, so the dragged cards are drawn moved by `offset` (world units) and their
/// relationships as straight lines to them, until a scene with the move arrives.
#[derive(Clone, Debug, Default)]
pub struct DragPreview {
    /// The dragged concepts.
    pub concepts: HashSet<ConceptId>,
    /// Relationships touching them, with whether their start and their end move.
    pub edges: HashMap<RelationshipId, (bool, bool)>,
    /// How far they have moved.
    pub offset: Vec2,
    /// The first map revision whose scene has them in their new place (`u64::MAX` while the
    /// drag goes on).
    pub until: u64,
}

impl DragPreview {
    fn of(doc: &crate::model::Document, concepts: HashSet<ConceptId>) -> Self {
        let moves = |end: Endpoint| matches!(end, Endpoint::Concept(c) if concepts.contains(&c));
        let edges = doc
            .relationships
            .iter()
            .filter_map(|r| {
                let ends = (moves(r.from), moves(r.to));
                (ends.0 || ends.1).then_some((r.id, ends))
            })
            .collect();
        Self { concepts, edges, offset: Vec2::ZERO, until: u64::MAX }
    }
}

/// Below this height on screen (points), concept cards are drawn as plain blocks in one mesh:
/// no text, outline or badge would be legible anyway.
const BLOCK_CARD_HEIGHT: f32 = 9.0;

/// Below this width on screen (points), relationship lines are drawn in one batched mesh of thin
/// quads instead of one anti-aliased path each.
const THIN_EDGE_WIDTH: f32 = 1.2;
/// ... unless its arrowhead would still be at least this long on screen: arrowheads and labels
/// stay while they can be seen (at 1024 × 640 the example's thin edges lost both).
const MIN_ARROW_LENGTH: f32 = 4.0;
/// Smallest radius of a support badge on a card drawn in full, in points.
const MIN_BADGE_RADIUS: f32 = 5.0;
/// Smallest on-screen size of an edge label that is drawn at all.
const MIN_EDGE_LABEL: f32 = 7.0;

/// The part of the world a canvas shows, with a margin for strokes and badges.
pub fn visible_world(camera: &Camera, canvas: Rect) -> Rect {
    Rect::from_two_pos(camera.world_from_screen(canvas, canvas.min), camera.world_from_screen(canvas, canvas.max))
        .expand(40.0 / camera.zoom.max(1e-6))
}

/// Draws a scene through a camera: only what is in view (found with the scene's spatial index),
/// and with less detail when zoomed out — cards as blocks, hairline edges batched in one mesh,
/// labels only when legible.
pub fn paint_scene(
    painter: &egui::Painter,
    scene: &Scene,
    theme: &MapTheme,
    camera: &Camera,
    canvas: Rect,
    marks: &Marks<'_>,
) {
    let Marks { selection, highlight, only, drag, pins } = *marks;
    let dragged_edge = |id: RelationshipId| drag.is_some_and(|d| d.edges.contains_key(&id));
    let dragged_node = |id: ConceptId| drag.is_some_and(|d| d.concepts.contains(&id));
    let glow = theme.highlight;
    let wanted = |item: ItemRef| only.is_none_or(|f| f(item));
    let zoom = camera.zoom;
    // Far out: a hairline of the edge's colour, in one mesh, without arrowheads or label.
    let far_out = |edge: &crate::scene::EdgeShape| {
        (edge.width * zoom).max(0.8) < THIN_EDGE_WIDTH && zoom * (9.0 + 2.0 * edge.width) < MIN_ARROW_LENGTH
    };
    let to_screen = |p: Pos2| camera.screen_from_world(canvas, p);
    let visible = canvas.expand(40.0);
    let world = visible_world(camera, canvas);

    for area in &scene.areas {
        if !wanted(ItemRef::Area(area.id)) || !area.bounds().intersects(world) {
            continue;
        }
        let outline: Vec<Pos2> = area.outline.iter().map(|p| to_screen(*p)).collect();
        let selected = selection.contains(&ItemRef::Area(area.id));
        let stroke = if selected {
            Stroke::new(3.0, theme.selection)
        } else {
            Stroke::new((1.6 * zoom).clamp(0.8, 3.0), area.stroke)
        };
        painter.add(Shape::convex_polygon(outline, area.fill, stroke));
    }
    for area in &scene.areas {
        if !wanted(ItemRef::Area(area.id)) || !area.label.rect.intersects(world) {
            continue;
        }
        let selected = selection.contains(&ItemRef::Area(area.id));
        paint_text(painter, &area.label, camera, canvas, if selected { Some(theme.selection) } else { None });
    }

    let mut in_view = Vec::new();
    scene.edge_indices_near(world, &mut in_view);
    let mut hairlines = egui::Mesh::default();
    let patterns = line_patterns(painter.ctx());
    let mut dashes = egui::Mesh::with_texture(patterns.dash.id());
    let mut dots = egui::Mesh::with_texture(patterns.dot.id());
    let (dot_circle, badge_circle) = (unit_circle::<8>(), unit_circle::<16>());
    for edge in in_view.iter().map(|&i| &scene.edges[i]) {
        if !wanted(ItemRef::Relationship(edge.id)) || dragged_edge(edge.id) {
            continue;
        }
        let selected = selection.contains(&ItemRef::Relationship(edge.id));
        let highlighted = highlight.contains(&ItemRef::Relationship(edge.id));
        let width = (edge.width * zoom).max(0.8);
        if far_out(edge) && !selected && !highlighted {
            // Far out: a hairline of the edge's colour, dashes and arrowheads too small to see.
            let alpha = if edge.line == LineStyle::Solid { 1.0 } else { 0.55 };
            let color = edge.color.gamma_multiply(alpha);
            for pair in edge.points.windows(2) {
                add_hairline(&mut hairlines, to_screen(pair[0]), to_screen(pair[1]), color);
            }
            continue;
        }
        let points: Vec<Pos2> = edge.points.iter().map(|p| to_screen(*p)).collect();
        // Only the parts in view are stroked: a line across a map zoomed in would otherwise be
        // cut into thousands of dashes off screen.
        for (along, piece) in geometry::clip_polyline(&points, visible) {
            if selected {
                painter.add(Shape::line(piece.clone(), Stroke::new(width + 5.0, theme.selection.gamma_multiply(0.45))));
            } else if highlighted {
                painter.add(Shape::line(
                    piece.clone(),
                    Stroke::new(width + metrics::HIGHLIGHT_EDGE_GROW, glow.gamma_multiply(metrics::HIGHLIGHT_ALPHA)),
                ));
            }
            let stroke = Stroke::new(width, edge.color);
            match edge.line {
                LineStyle::Solid => {
                    painter.add(Shape::line(piece, stroke));
                }
                // Dashes and dots are one textured quad per segment, in one mesh for all
                // edges: a long dashed line in view would otherwise be hundreds of pieces.
                LineStyle::Dashed => {
                    // Never finer than a few points, so a zoomed-out dashed line stays a
                    // readable pattern.
                    let period = (8.0 * zoom).max(5.0) + (5.0 * zoom).max(3.5);
                    add_patterned(&mut dashes, &piece, along, period, (2.0 * width).max(2.0), edge.color);
                }
                LineStyle::Dotted => {
                    // Round dots 1.4 line widths across, [`DOT_PERIOD`] diameters apart.
                    let diameter = (1.4 * width).max(1.5);
                    let across = diameter * DOT_TEXELS_ACROSS / DOT_TEXELS_DISC;
                    add_patterned(&mut dots, &piece, along, diameter * DOT_PERIOD, across, edge.color);
                }
            }
        }
    }
    // Drawn under the cards, like the full-detail edges.
    for mesh in [hairlines, dashes, dots] {
        if !mesh.is_empty() {
            painter.add(Shape::mesh(mesh));
        }
    }
    // A dragged card's relationships: straight lines from where their ends are now.
    if let Some(drag) = drag {
        for (&id, &(from_moves, to_moves)) in &drag.edges {
            let Some(edge) = scene.edge(id).filter(|_| wanted(ItemRef::Relationship(id))) else { continue };
            let (Some(first), Some(last)) = (edge.points.first(), edge.points.last()) else { continue };
            let moved = |p: Pos2, moves: bool| to_screen(if moves { p + drag.offset } else { p });
            let stroke = Stroke::new((edge.width * zoom).max(0.8), edge.color.gamma_multiply(0.7));
            painter.line_segment([moved(*first, from_moves), moved(*last, to_moves)], stroke);
        }
    }
    // Arrowheads and labels over every line, so no line crosses a label.
    for edge in in_view.iter().map(|&i| &scene.edges[i]) {
        if !wanted(ItemRef::Relationship(edge.id)) || dragged_edge(edge.id) {
            continue;
        }
        let selected = selection.contains(&ItemRef::Relationship(edge.id));
        let highlighted = highlight.contains(&ItemRef::Relationship(edge.id));
        if far_out(edge) && !selected && !highlighted {
            continue;
        }
        for head in &edge.arrowheads {
            painter.add(Shape::convex_polygon(head.iter().map(|p| to_screen(*p)).collect(), edge.color, Stroke::NONE));
        }
        if let Some(label) = &edge.label {
            // A label is never drawn smaller than MIN_EDGE_LABEL while it is drawn at all: it
            // grows around its own centre (a zoomed-out small window made them unreadable).
            let grow = (MIN_EDGE_LABEL / (label.font_size * zoom)).max(1.0);
            let world = label.rect.expand2(vec2(4.0, 1.5));
            let rect =
                Rect::from_center_size(camera.screen_from_world(canvas, world.center()), world.size() * zoom * grow);
            if label.font_size * zoom >= MIN_LEGIBLE_FONT && rect.intersects(visible) {
                painter.rect_filled(rect, CornerRadius::same(6), theme.label_fill);
                if selected {
                    painter.rect_stroke(
                        rect,
                        CornerRadius::same(6),
                        Stroke::new(1.5, theme.selection),
                        StrokeKind::Outside,
                    );
                }
                paint_text_grown(painter, label, camera, canvas, grow);
                if edge.from_paper {
                    paper_marker(
                        painter,
                        rect.left_center() + vec2(-5.0 * zoom.clamp(0.6, 2.0), 0.0),
                        3.5 * zoom.clamp(0.6, 2.0),
                        theme.paper_stroke,
                    );
                }
            }
        }
    }

    scene.node_indices_in(world, &mut in_view);
    let mut blocks = egui::Mesh::default();
    let mut badges = egui::Mesh::default();
    let mut badge_texts: Vec<(Pos2, String, FontId)> = Vec::new();
    // Each card with the camera to draw it through: dragged cards last (on top), through a
    // camera shifted by the drag.
    let shifted = drag.map(|d| (d, Camera { center: camera.center - d.offset, ..*camera }));
    let cards = in_view
        .iter()
        .map(|&i| &scene.nodes[i])
        .filter(|node| !dragged_node(node.id))
        .map(|node| (node, *camera))
        .chain(shifted.into_iter().flat_map(|(d, shifted)| {
            d.concepts.iter().filter_map(|id| scene.node(*id)).map(move |node| (node, shifted))
        }));
    for (node, camera) in cards {
        let camera = &camera;
        if !wanted(ItemRef::Concept(node.id)) {
            continue;
        }
        let rect = camera.screen_rect(canvas, node.rect);
        let selected = selection.contains(&ItemRef::Concept(node.id));
        let highlighted = highlight.contains(&ItemRef::Concept(node.id));
        if rect.height() < BLOCK_CARD_HEIGHT {
            // Far out: the card as a block in its first area's colour, marked if selected.
            let color = if selected {
                theme.selection
            } else if highlighted {
                glow
            } else {
                node.area_colors.first().copied().unwrap_or(node.stroke)
            };
            let rect = if selected || highlighted { rect.expand(2.0) } else { rect };
            blocks.add_colored_rect(rect, color);
            continue;
        }
        let rounding = CornerRadius::same((metrics::NODE_ROUNDING * zoom).clamp(0.0, 40.0) as u8);
        if selected {
            painter.rect_filled(rect.expand(4.0), rounding, theme.selection.gamma_multiply(0.35));
        } else if highlighted {
            painter.rect_filled(
                rect.expand(metrics::HIGHLIGHT_CARD_GROW),
                rounding,
                glow.gamma_multiply(metrics::HIGHLIGHT_ALPHA),
            );
        }
        let stroke = if selected {
            Stroke::new(2.0, theme.selection)
        } else {
            Stroke::new((node.stroke_width * zoom).clamp(0.6, 3.0), node.stroke)
        };
        // Fill and outline as one shape; the membership bar is drawn over the fill, inside the
        // outline's width.
        painter.add(egui::epaint::RectShape::new(rect, rounding, node.fill, stroke, StrokeKind::Inside));
        // Membership bar: one band per area on the card's left edge.
        if !node.area_colors.is_empty() {
            let bar = Rect::from_min_max(rect.min, pos2(rect.min.x + (5.0 * zoom).max(2.0), rect.max.y));
            let band = bar.height() / node.area_colors.len() as f32;
            for (i, color) in node.area_colors.iter().enumerate() {
                let mut piece = bar;
                piece.min.y = bar.min.y + band * i as f32;
                piece.max.y = piece.min.y + band;
                let corners = CornerRadius {
                    nw: if i == 0 { rounding.nw } else { 0 },
                    sw: if i + 1 == node.area_colors.len() { rounding.sw } else { 0 },
                    ne: 0,
                    se: 0,
                };
                painter.rect_filled(piece, corners, *color);
            }
        }
        paint_text(painter, &node.label, camera, canvas, None);
        if node.from_paper {
            paper_marker(painter, rect.left_top() + vec2(0.0, 0.0), 4.5 * zoom.clamp(0.6, 2.0), theme.paper_stroke);
        }
        if pins && node.pinned {
            pin_marker(painter, rect.right_bottom(), zoom.clamp(0.6, 2.0), theme.text);
        }
        if let Some((center, count)) = node.badge {
            // A card drawn in full keeps its support count readable however far out: the badge
            // is never under MIN_BADGE_RADIUS (at 800 × 600 with large map text they vanished).
            let radius = (node.badge_radius * zoom).max(MIN_BADGE_RADIUS);
            let center = camera.screen_from_world(canvas, center);
            // Small badges look as round with 8 sides as with 16.
            let circle: &[Vec2] = if radius < 8.0 { &dot_circle } else { &badge_circle };
            add_disc(&mut badges, circle, center, radius + 1.5, theme.background);
            add_disc(&mut badges, circle, center, radius, theme.badge_fill);
            badge_texts.push((
                center,
                count.to_string(),
                FontId::proportional(radius * metrics::BADGE_FONT_PER_RADIUS),
            ));
        }
    }
    if !blocks.is_empty() {
        painter.add(Shape::mesh(blocks));
    }
    if !badges.is_empty() {
        // Badge discs in one mesh, under their numbers (texts are drawn after meshes of the
        // same layer only if added later, so the numbers go last).
        painter.add(Shape::mesh(badges));
        for (at, text, font) in badge_texts {
            painter.text(at, Align2::CENTER_CENTER, text, font, theme.badge_text);
        }
    }
}

/// A drawing pin stuck in a card's corner: a pinned concept stays put in automatic layout.
fn pin_marker(painter: &egui::Painter, corner: Pos2, scale: f32, color: Color32) {
    let scale = scale.max(0.8);
    // The head sits on the corner; the needle goes in towards the card's middle.
    let head = corner + vec2(-1.0, -1.0) * scale;
    let point = head + vec2(-7.0, -7.0) * scale;
    painter.line_segment([head, point], Stroke::new(1.6 * scale, color));
    painter.circle(head, 4.6 * scale, Color32::from_rgb(0xc6, 0x28, 0x28), Stroke::new(1.2 * scale, Color32::WHITE));
}

/// Texels of the dot pattern across the line, and of the disc inside them.
const DOT_TEXELS_ACROSS: f32 = 16.0;
const DOT_TEXELS_DISC: f32 = 12.0;
/// Length of one dot's repeat, in dot diameters (the dot texture is 32 texels long).
const DOT_PERIOD: f32 = 32.0 / DOT_TEXELS_DISC;

/// Repeating textures for dashed and dotted lines: white with alpha, tinted by vertex colour.
#[derive(Clone)]
struct LinePatterns {
    dash: egui::TextureHandle,
    dot: egui::TextureHandle,
}

/// The line patterns of `ctx`, made on first use.
fn line_patterns(ctx: &egui::Context) -> LinePatterns {
    let id = egui::Id::unique("qualmap-line-patterns");
    if let Some(patterns) = ctx.data(|d| d.get_temp::<LinePatterns>(id)) {
        return patterns;
    }
    let options = egui::TextureOptions {
        magnification: egui::TextureFilter::Linear,
        minification: egui::TextureFilter::Linear,
        wrap_mode: egui::TextureWrapMode::Repeat,
        mipmap_mode: None,
    };
    // Dash: 8 on, 5 off along (20 of 32 texels); across, a solid core between clear rows, so
    // linear filtering feathers both sides and the ends.
    let dash_pixels: Vec<Color32> = (0..4)
        .flat_map(|y| {
            (0..32).map(move |x| if x < 20 && (y == 1 || y == 2) { Color32::WHITE } else { Color32::TRANSPARENT })
        })
        .collect();
    let dash = ctx.load_texture("qualmap-dash", egui::ColorImage::new([32, 4], dash_pixels), options);
    // Dot: a disc of 12 texels in a 32 × 16 cell, coverage-sampled for a soft rim.
    let (width, height) = (32usize, DOT_TEXELS_ACROSS as usize);
    let radius = DOT_TEXELS_DISC / 2.0;
    let centre = (radius + 1.0, height as f32 / 2.0);
    let dot_pixels: Vec<Color32> = (0..height)
        .flat_map(|y| {
            (0..width).map(move |x| {
                let mut covered = 0;
                for sy in 0..4 {
                    for sx in 0..4 {
                        let px = x as f32 + (sx as f32 + 0.5) / 4.0 - centre.0;
                        let py = y as f32 + (sy as f32 + 0.5) / 4.0 - centre.1;
                        covered += u8::from(px * px + py * py <= radius * radius);
                    }
                }
                let alpha = (u32::from(covered) * 255 / 16) as u8;
                Color32::from_rgba_premultiplied(alpha, alpha, alpha, alpha)
            })
        })
        .collect();
    let dot = ctx.load_texture("qualmap-dot", egui::ColorImage::new([width, height], dot_pixels), options);
    let patterns = LinePatterns { dash, dot };
    ctx.data_mut(|d| d.insert_temp(id, patterns.clone()));
    patterns
}

/// Appends a patterned line to a textured mesh: one quad `across` points wide per segment of
/// `piece`, with the texture repeating every `period` points along it, starting `along` points
/// into the pattern (so a line clipped to the view keeps its phase).
fn add_patterned(mesh: &mut egui::Mesh, piece: &[Pos2], along: f32, period: f32, across: f32, color: Color32) {
    if !(period.is_finite() && period > 0.1 && across.is_finite() && across > 0.0) {
        return;
    }
    let mut at = along;
    for pair in piece.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let length = a.distance(b);
        if !(length.is_finite() && length > 0.0) {
            continue;
        }
        let side = vec2(-(b.y - a.y), b.x - a.x) / length * (across / 2.0);
        let (u0, u1) = (at / period, (at + length) / period);
        let base = mesh.vertices.len() as u32;
        for (p, uv) in
            [(a + side, pos2(u0, 0.0)), (a - side, pos2(u0, 1.0)), (b + side, pos2(u1, 0.0)), (b - side, pos2(u1, 1.0))]
        {
            mesh.vertices.push(egui::epaint::Vertex { pos: p, uv, color });
        }
        mesh.add_triangle(base, base + 1, base + 3);
        mesh.add_triangle(base, base + 3, base + 2);
        at += length;
    }
}

/// Appends a one-point line from `a` to `b` to a mesh as a single quad (no feathering: at this
/// width the line is a faint trace that shows the map's structure).
fn add_hairline(mesh: &mut egui::Mesh, a: Pos2, b: Pos2, color: Color32) {
    let along = b - a;
    let length = along.length();
    if length.is_nan() || length <= 0.0 || !length.is_finite() {
        return;
    }
    let normal = vec2(-along.y, along.x) / length * 0.5;
    let base = mesh.vertices.len() as u32;
    for p in [a + normal, b + normal, b - normal, a - normal] {
        mesh.colored_vertex(p, color);
    }
    mesh.add_triangle(base, base + 1, base + 2);
    mesh.add_triangle(base, base + 2, base + 3);
}

/// `N` unit vectors around the circle, starting at +x.
fn unit_circle<const N: usize>() -> [Vec2; N] {
    std::array::from_fn(|k| {
        let angle = k as f32 * std::f32::consts::TAU / N as f32;
        vec2(angle.cos(), angle.sin())
    })
}

/// Appends a filled circle with a feathered rim to a mesh, as a polygon with one side per
/// direction in `circle` (from [`unit_circle`], computed once per frame): 16 for badges, 8 for
/// the dots of dotted lines.
fn add_disc(mesh: &mut egui::Mesh, circle: &[Vec2], center: Pos2, radius: f32, color: Color32) {
    let base = mesh.vertices.len() as u32;
    mesh.colored_vertex(center, color);
    let (inner, outer) = ((radius - 0.5).max(0.0), radius + 0.5);
    for dir in circle {
        mesh.colored_vertex(center + *dir * inner, color);
        mesh.colored_vertex(center + *dir * outer, Color32::TRANSPARENT);
    }
    let sides = circle.len() as u32;
    for k in 0..sides {
        let (i, j) = (base + 1 + 2 * k, base + 1 + 2 * ((k + 1) % sides));
        mesh.add_triangle(base, i, j);
        mesh.add_triangle(i, i + 1, j + 1);
        mesh.add_triangle(i, j + 1, j);
    }
}

/// Draws `block` `grow` times its size on screen, around its centre.
fn paint_text_grown(painter: &egui::Painter, block: &TextBlock, camera: &Camera, canvas: Rect, grow: f32) {
    let size = block.font_size * camera.zoom;
    if size < MIN_LEGIBLE_FONT {
        return;
    }
    let font = FontId::proportional(size * grow);
    let center = camera.screen_from_world(canvas, block.rect.center());
    for (i, line) in block.lines.iter().enumerate() {
        let at = center + (camera.screen_from_world(canvas, block.line_center(i)) - center) * grow;
        paint_line(painter, line, block.line_is_rtl(i), at, Align2::CENTER_CENTER, &font, block.color);
    }
}

fn paint_text(painter: &egui::Painter, block: &TextBlock, camera: &Camera, canvas: Rect, color: Option<Color32>) {
    let size = block.font_size * camera.zoom;
    if size < MIN_LEGIBLE_FONT {
        return;
    }
    let font = FontId::proportional(size);
    let color = color.unwrap_or(block.color);
    for (i, line) in block.lines.iter().enumerate() {
        let at = camera.screen_from_world(canvas, block.line_center(i));
        paint_line(painter, line, block.line_is_rtl(i), at, Align2::CENTER_CENTER, &font, color);
    }
}

/// Draws one line of text anchored at `at`, in visual order: a line with right-to-left text is
/// drawn piece by piece from left to right ([`crate::scene::text::visual_pieces`]), each piece
/// shaped on its own, since egui places its shaped runs in the string's order.
pub fn paint_line(
    painter: &egui::Painter,
    line: &str,
    rtl: bool,
    at: Pos2,
    align: Align2,
    font: &FontId,
    color: Color32,
) -> Rect {
    let Some(pieces) = crate::scene::text::visual_pieces(line, rtl) else {
        return painter.text(at, align, line, font.clone(), color);
    };
    let galleys: Vec<_> = pieces.into_iter().map(|p| painter.layout_no_wrap(p, font.clone(), color)).collect();
    let width: f32 = galleys.iter().map(|g| g.size().x).sum();
    let height = galleys.iter().map(|g| g.size().y).fold(0.0, f32::max);
    let rect = align.anchor_size(at, vec2(width, height));
    let mut x = rect.left();
    for galley in galleys {
        let size = galley.size();
        painter.galley(pos2(x, rect.center().y - size.y / 2.0), galley, color);
        x += size.x;
    }
    rect
}

/// The "from the paper" marker: a small filled diamond.
fn paper_marker(painter: &egui::Painter, center: Pos2, radius: f32, color: Color32) {
    let points = vec![
        center + vec2(0.0, -radius),
        center + vec2(radius, 0.0),
        center + vec2(0.0, radius),
        center + vec2(-radius, 0.0),
    ];
    painter.add(Shape::convex_polygon(points, color, Stroke::NONE));
}

/// Height of one row of the legend strip at the bottom of the canvas, kept free when fitting.
pub const LEGEND_ROW_HEIGHT: f32 = 30.0;
/// Extra height of each further row, when the key does not fit on one.
const LEGEND_MORE_ROWS: f32 = 20.0;

/// The key, laid out: each entry with its place (left edge, row) and text, and the strip's
/// height. Entries flow on to further rows where the canvas is too narrow for one (at 1024
/// points wide the example's key did not fit and its last entries were dropped).
struct LegendLayout {
    entries: Vec<(crate::scene::legend::LegendMark, Pos2, std::sync::Arc<egui::Galley>)>,
    height: f32,
}

fn legend_layout(
    painter: &egui::Painter,
    doc: &crate::model::Document,
    theme: &MapTheme,
    canvas: Rect,
    support: crate::model::support::SupportMode,
) -> LegendLayout {
    let font = FontId::proportional(12.5);
    let areas = doc.areas.iter().map(|a| (a.label.clone(), theme.area_fill(a.color), theme.ink(a.color)));
    let keys = crate::scene::legend::legend(areas, support);
    let (left, right) = (canvas.left() + 12.0, canvas.right() - 8.0);
    let (mut x, mut row) = (left, 0usize);
    let mut entries = Vec::with_capacity(keys.len());
    for crate::scene::legend::LegendEntry { mark: key, text } in keys {
        let galley =
            painter.layout_no_wrap(super::bidi_text::visual_line(&text).into_owned(), font.clone(), theme.text);
        let width = 20.0 + galley.size().x;
        if x > left && x + width > right {
            (x, row) = (left, row + 1);
        }
        entries.push((key, pos2(x, row as f32), galley));
        x += width + 18.0;
    }
    LegendLayout { entries, height: LEGEND_ROW_HEIGHT + row as f32 * LEGEND_MORE_ROWS }
}

/// The key along the bottom of the canvas: the areas, the paper marker, what badges and line
/// widths mean.
fn paint_legend(painter: &egui::Painter, legend: LegendLayout, theme: &MapTheme, canvas: Rect) {
    let strip = Rect::from_min_max(pos2(canvas.left(), canvas.bottom() - legend.height), canvas.max);
    painter.rect_filled(strip, 0.0, theme.label_fill);
    painter.line_segment([strip.left_top(), strip.right_top()], Stroke::new(1.0, theme.node_stroke));
    for (key, place, galley) in legend.entries {
        let (x, y) = (place.x, strip.top() + LEGEND_ROW_HEIGHT / 2.0 + place.y * LEGEND_MORE_ROWS);
        use crate::scene::legend::LegendMark;
        match key {
            LegendMark::Area { fill, stroke, .. } => {
                let swatch = Rect::from_center_size(pos2(x + 7.0, y), vec2(14.0, 10.0));
                painter.rect_filled(swatch, 2.0, fill);
                painter.rect_stroke(swatch, 2.0, Stroke::new(1.2, stroke), StrokeKind::Inside);
            }
            LegendMark::Paper => paper_marker(painter, pos2(x + 7.0, y), 4.5, theme.paper_stroke),
            LegendMark::Badge => {
                painter.circle_filled(pos2(x + 7.0, y), 6.0, theme.badge_fill);
            }
            LegendMark::Unsupported => {
                painter.extend(Shape::dashed_line(
                    &[pos2(x, y), pos2(x + 14.0, y)],
                    Stroke::new(1.5, theme.muted_text),
                    4.0,
                    3.0,
                ));
            }
        }
        painter.galley(pos2(x + 20.0, y - galley.size().y / 2.0), galley, theme.text);
    }
}

impl QualmapApp {
    /// Draws a relationship between two ends with the type used last (or the first type).
    fn add_relationship(&mut self, from: Endpoint, to: Endpoint) {
        let Some(type_id) = self
            .last_relationship_type
            .filter(|t| self.map.doc().relationship_type(*t).is_some())
            .or_else(|| self.map.doc().relationship_types.iter().find(|t| t.name == "leads to").map(|t| t.id))
            .or_else(|| self.map.doc().relationship_types.first().map(|t| t.id))
        else {
            self.status = "Add a relationship type first (Relationship types)".to_owned();
            return;
        };
        let id = self.map.doc().next_relationship_id();
        let relationship = Relationship {
            id,
            from,
            to,
            type_id,
            label: String::new(),
            direction: None,
            bend: 0.0,
            description: String::new(),
            provenance: Provenance::default(),
        };
        if self.apply_edit(Command::Insert(Element::Relationship(relationship)), None).is_none() {
            self.view.selection = [ItemRef::Relationship(id)].into();
            self.status = "New relationship: choose its type in the inspector".to_owned();
        }
    }

    /// Links an evidence item to an item (from a drop of a browser row).
    fn link_evidence(&mut self, evidence: EvidenceId, item: ItemRef) {
        let Some(found) = self.map.doc().evidence_item(evidence) else { return };
        if found.links.contains(&item) {
            return;
        }
        let mut linked = found.clone();
        linked.links.push(item);
        if self.apply_edit(Command::Update(Element::Evidence(linked)), None).is_none() {
            self.status = format!("Linked the excerpt to {}", self.map.doc().item_label(item));
        }
    }
}
