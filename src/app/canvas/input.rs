//! Pointer input on the canvas beyond clicks: panning and zooming the camera, dragging concepts
//! (live on small maps, previewed on large ones), drawing relationships and dropping evidence.

use std::collections::{BTreeSet, HashMap, HashSet};

use egui::{Pos2, Rect, Vec2};

use crate::app::{QualmapApp, ViewState};
use crate::command::{Command, Element};
use crate::model::{ConceptId, Endpoint, EvidenceId, ItemRef, Point, Provenance, Relationship, RelationshipId};

/// A drag in progress.
pub(in crate::app) enum DragState {
    /// Moving concepts: where each started.
    Move { start: Vec<(ConceptId, Point)>, moved: Vec2 },
    /// Selecting with a rubber band from this screen point.
    Band { from: Pos2, additive: BTreeSet<ItemRef> },
    /// Panning.
    Pan,
    /// Drawing a new relationship from this end.
    Link { from: Endpoint },
}

impl QualmapApp {
    /// Pans and zooms from background drags, scrolling and pinching; handles the rubber band.
    pub(in crate::app) fn camera_input_ui(&mut self, ui: &egui::Ui, background: &egui::Response, canvas: Rect) {
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
    pub(in crate::app) fn concept_drag(
        &mut self,
        started: Option<ConceptId>,
        delta: Vec2,
        stopped: bool,
        modifiers: egui::Modifiers,
    ) {
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
            let deferred = self.last_scene_build > crate::app::SCENE_IN_BACKGROUND || self.scene_job.is_some();
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
pub(in crate::app) fn shifted(start: &[(ConceptId, Point)], by: Vec2) -> Vec<(ConceptId, Point)> {
    start.iter().map(|(id, p)| (*id, Point::new(p.x + by.x, p.y + by.y))).collect()
}

/// Click selection: replace, or toggle when adding.
pub(in crate::app) fn select(view: &mut ViewState, item: ItemRef, adding: bool) {
    if adding {
        if !view.selection.remove(&item) {
            view.selection.insert(item);
        }
    } else {
        view.selection.clear();
        view.selection.insert(item);
    }
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
    pub(in crate::app) fn of(doc: &crate::model::Document, concepts: HashSet<ConceptId>) -> Self {
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

impl QualmapApp {
    /// Draws a relationship between two ends with the type used last (or the first type).
    pub(in crate::app) fn add_relationship(&mut self, from: Endpoint, to: Endpoint) {
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
    pub(in crate::app) fn link_evidence(&mut self, evidence: EvidenceId, item: ItemRef) {
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
