//! Working with other copies of the map (see `crate::merge`):
//! - **File ▸ Compare with…** reads another copy and shows what differs: what this map added
//!   outlined green, what it lacks as grey ghosts where the other copy has them, what changed
//!   outlined amber, and the Comparison window lists every difference to step through.
//! - **File ▸ Merge map…** merges another copy of the same map without a common original (a
//!   shared drive's "conflicted copy"), as one undoable step; what differs becomes conflicts.
//! - The **Conflicts** window lists the conflicts a merge left (here or by `qualmap merge`, or
//!   git's merge driver), each with both sides, to settle one by one: mine, theirs or both.
//!   Conflicted items are outlined red on the map.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use egui::{Color32, RichText, Stroke, StrokeKind, Ui};
use serde_json::Value;

use super::Camera;
use super::files::Picked;
use super::panel::{Dock, Panel};
use super::tasks::{Poll, Task};
use super::ui_command::UiCommand;
use super::{Action, MapContext, QualmapApp};
use crate::merge::{Change, ChangeKind, Choice, can_choose, diff, merge_without_base, part_label, resolve};
use crate::model::{Document, ItemRef};
use crate::scene::{AreaShape, EdgeShape, NodeShape, SceneOptions};

/// Added in this map (outlined).
const ADDED: Color32 = Color32::from_rgb(0x2e, 0x9e, 0x4f);
/// Changed (outlined).
const CHANGED: Color32 = Color32::from_rgb(0xe0, 0x9a, 0x1a);
/// Only in the other copy (ghosts).
const GHOST: Color32 = Color32::from_rgb(0x9a, 0x9a, 0x9a);
/// In a conflict (outlined).
const CONFLICT: Color32 = Color32::from_rgb(0xd0, 0x3b, 0x3b);

/// What differs between the open map and another copy.
pub struct Comparison {
    /// The other copy's file name.
    pub other: String,
    /// Every difference, from the other copy to this map.
    pub changes: Vec<Change>,
    /// Items only this map has.
    pub added: BTreeSet<ItemRef>,
    /// Items both have, changed.
    pub changed: BTreeSet<ItemRef>,
    /// The other copy's drawing of what only it has.
    pub ghost_nodes: Vec<NodeShape>,
    /// The other copy's lines that only it has.
    pub ghost_edges: Vec<EdgeShape>,
    /// The other copy's areas that only it has.
    pub ghost_areas: Vec<AreaShape>,
    /// The map's revision that was compared.
    pub revision: u64,
}

impl Comparison {
    /// Compares `current` (at `revision`) with the copy `other` read from `name`, drawing the
    /// other copy's ghosts with `options`.
    pub fn new(
        current: &Document,
        other: &Document,
        name: String,
        revision: u64,
        options: &SceneOptions,
        measure: &dyn crate::scene::TextMeasure,
    ) -> Self {
        let changes = diff(other, current);
        let mut added = BTreeSet::new();
        let mut changed = BTreeSet::new();
        let mut removed = BTreeSet::new();
        for change in &changes {
            let Some(item) = change.element.item() else { continue };
            match change.kind {
                ChangeKind::Added => added.insert(item),
                ChangeKind::Removed => removed.insert(item),
                ChangeKind::Changed { .. } => changed.insert(item),
            };
        }
        let (ghost_nodes, ghost_edges, ghost_areas) = if removed.is_empty() {
            (Vec::new(), Vec::new(), Vec::new())
        } else {
            let scene = crate::scene::build_scene(other, options, measure);
            (
                scene.nodes.into_iter().filter(|n| removed.contains(&ItemRef::Concept(n.id))).collect(),
                scene.edges.into_iter().filter(|e| removed.contains(&ItemRef::Relationship(e.id))).collect(),
                scene.areas.into_iter().filter(|a| removed.contains(&ItemRef::Area(a.id))).collect(),
            )
        };
        Self { other: name, changes, added, changed, ghost_nodes, ghost_edges, ghost_areas, revision }
    }

    /// How many parts were added, removed and changed.
    pub fn counts(&self) -> (usize, usize, usize) {
        let count = |f: fn(&ChangeKind) -> bool| self.changes.iter().filter(|c| f(&c.kind)).count();
        (
            count(|k| matches!(k, ChangeKind::Added)),
            count(|k| matches!(k, ChangeKind::Removed)),
            count(|k| matches!(k, ChangeKind::Changed { .. })),
        )
    }
}

/// Reading another copy to compare with or merge in.
#[derive(Default)]
pub(super) struct TeamWork {
    comparing: Option<Task<Result<Comparison, String>>>,
    merging: Option<Task<Result<crate::merge::Merged, String>>>,
    /// Waiting for the map given at startup to open.
    after_open: Option<(egui::Context, Then)>,
}

impl TeamWork {
    /// Forgets what was to be done once the map opened (it did not open).
    pub(super) fn cancel_after_open(&mut self) {
        self.after_open = None;
    }
}

/// What to do with another copy once the map given at startup is open.
#[derive(Clone, Debug)]
pub enum Then {
    /// Compare with it.
    Compare(PathBuf),
    /// Merge it in.
    Merge(PathBuf),
}

impl QualmapApp {
    /// Compares with or merges in another copy as soon as the map being opened is open (at
    /// once if none is being opened).
    pub fn once_open(&mut self, ctx: &egui::Context, then: Then) {
        if self.is_opening() {
            self.team.after_open = Some((ctx.clone(), then));
        } else {
            self.run_then(ctx, then);
        }
    }

    fn run_then(&mut self, ctx: &egui::Context, then: Then) {
        match then {
            Then::Compare(path) => self.compare_with_path(ctx, path),
            Then::Merge(path) => self.merge_with_path(ctx, path),
        }
    }

    /// Compares the open map with the copy at `path` (read on a worker thread).
    pub fn compare_with_path(&mut self, ctx: &egui::Context, path: PathBuf) {
        self.compare_with(ctx, Picked::Path(path));
    }

    /// Compares the open map with another copy (read on a worker thread).
    pub(super) fn compare_with(&mut self, ctx: &egui::Context, file: Picked) {
        let current = self.map.shared();
        let revision = self.map.revision();
        let options = self.scene_options();
        let worker_ctx = ctx.clone();
        let task = Task::spawn("compare", ctx, move |_| {
            let other = file.load().map_err(|e| e.to_string())?;
            let measure = crate::scene::EguiMeasure(&worker_ctx);
            Ok(Comparison::new(&current, &other, file.name(), revision, &options, &measure))
        });
        match task {
            Ok(task) => {
                self.status = "Comparing…".to_owned();
                self.team.comparing = Some(task);
            }
            Err(err) => self.alert("Could not compare", err.to_string()),
        }
    }

    /// Merges the copy at `path` into the open map, without a common original (read and merged
    /// on a worker thread; applied as one undoable step).
    pub fn merge_with_path(&mut self, ctx: &egui::Context, path: PathBuf) {
        self.merge_with(ctx, Picked::Path(path));
    }

    /// Merges another copy into the open map (see [`Self::merge_with_path`]).
    pub(super) fn merge_with(&mut self, ctx: &egui::Context, file: Picked) {
        let current = self.map.shared();
        let task = Task::spawn("merge", ctx, move |_| {
            let other = file.load().map_err(|e| e.to_string())?;
            merge_without_base(&current, &other).map_err(|e| format!("{}: {e}", file.name()))
        });
        match task {
            Ok(task) => {
                self.status = "Merging…".to_owned();
                self.team.merging = Some(task);
            }
            Err(err) => self.alert("Could not merge", err.to_string()),
        }
    }

    /// Whether a copy is being read to compare or merge.
    pub fn team_work_running(&self) -> bool {
        self.team.comparing.is_some() || self.team.merging.is_some()
    }

    /// Takes in a finished comparison or merge, and starts one waiting for the map to open.
    pub(super) fn poll_team_work(&mut self) {
        if !self.is_opening()
            && let Some((ctx, then)) = self.team.after_open.take()
        {
            self.run_then(&ctx, then);
        }
        if let Some(task) = &mut self.team.comparing {
            let result = match task.poll() {
                Poll::Running => None,
                Poll::Done(result) => Some(result),
                Poll::Lost => Some(Err("the comparison stopped unexpectedly".to_owned())),
            };
            if let Some(result) = result {
                self.team.comparing = None;
                match result {
                    Ok(comparison) => {
                        let (added, removed, changed) = comparison.counts();
                        self.status = format!(
                            "Compared with {}: {added} added here, {removed} only there, {changed} changed",
                            comparison.other
                        );
                        self.view.compare = Some(Arc::new(comparison));
                        self.set_panel_open(UiCommand::ToggleCompare, true);
                    }
                    Err(message) => self.alert("Could not compare", message),
                }
            }
        }
        if let Some(task) = &mut self.team.merging {
            let result = match task.poll() {
                Poll::Running => None,
                Poll::Done(result) => Some(result),
                Poll::Lost => Some(Err("the merge stopped unexpectedly".to_owned())),
            };
            if let Some(result) = result {
                self.team.merging = None;
                match result {
                    Ok(merged) => {
                        let new = merged.new_conflicts;
                        let doc = Box::new(merged.document);
                        self.apply(crate::command::Command::ReplaceDocument(doc, "Merge map".to_owned()));
                        self.status = if new == 0 {
                            "Merged: nothing to settle".to_owned()
                        } else {
                            format!("Merged with {new} conflict{} to settle", if new == 1 { "" } else { "s" })
                        };
                        if !self.map.doc().conflicts.is_empty() {
                            self.set_panel_open(UiCommand::ToggleConflicts, true);
                        }
                    }
                    Err(message) => self.alert("Could not merge", message),
                }
            }
        }
    }
}

/// The outlines and ghosts of a comparison and of conflicts, drawn over the map.
pub(super) fn paint_marks(
    painter: &egui::Painter,
    scene: &crate::scene::Scene,
    camera: &Camera,
    canvas: egui::Rect,
    compare: Option<&Comparison>,
    conflicts: &BTreeSet<ItemRef>,
) {
    let screen = |p: egui::Pos2| camera.screen_from_world(canvas, p);
    let rect = |r: egui::Rect| egui::Rect::from_min_max(screen(r.min), screen(r.max));
    let outline = |item: ItemRef, color: Color32| match item {
        ItemRef::Concept(id) => {
            if let Some(node) = scene.nodes.iter().find(|n| n.id == id) {
                painter.rect_stroke(rect(node.rect).expand(4.0), 8.0, Stroke::new(3.0, color), StrokeKind::Outside);
            }
        }
        ItemRef::Relationship(id) => {
            if let Some(edge) = scene.edges.iter().find(|e| e.id == id) {
                let points: Vec<egui::Pos2> = edge.points.iter().map(|p| screen(*p)).collect();
                painter.add(egui::Shape::line(
                    points,
                    Stroke::new(edge.width * camera.zoom + 5.0, color.gamma_multiply(0.45)),
                ));
                if let Some(label) = edge.label_box() {
                    painter.rect_stroke(rect(label).expand(2.0), 6.0, Stroke::new(2.0, color), StrokeKind::Outside);
                }
            }
        }
        ItemRef::Area(id) => {
            if let Some(area) = scene.areas.iter().find(|a| a.id == id) {
                let mut points: Vec<egui::Pos2> = area.outline.iter().map(|p| screen(*p)).collect();
                if let Some(first) = points.first().copied() {
                    points.push(first);
                }
                painter.add(egui::Shape::line(points, Stroke::new(3.0, color)));
            }
        }
    };
    if let Some(compare) = compare {
        let ghost = Stroke::new(1.5, GHOST);
        for area in &compare.ghost_areas {
            let mut points: Vec<egui::Pos2> = area.outline.iter().map(|p| screen(*p)).collect();
            if let Some(first) = points.first().copied() {
                points.push(first);
            }
            painter.extend(egui::Shape::dashed_line(&points, ghost, 8.0, 6.0));
        }
        for edge in &compare.ghost_edges {
            let points: Vec<egui::Pos2> = edge.points.iter().map(|p| screen(*p)).collect();
            painter.extend(egui::Shape::dashed_line(&points, Stroke::new(2.0, GHOST), 8.0, 6.0));
        }
        for node in &compare.ghost_nodes {
            let r = rect(node.rect);
            painter.rect_filled(r, 6.0, GHOST.gamma_multiply(0.12));
            let corners = [r.left_top(), r.right_top(), r.right_bottom(), r.left_bottom(), r.left_top()];
            painter.extend(egui::Shape::dashed_line(&corners, ghost, 6.0, 4.0));
            let size = (13.0_f32 * camera.zoom).clamp(7.0, 28.0);
            painter.text(
                r.center(),
                egui::Align2::CENTER_CENTER,
                node.label.lines.join(" "),
                egui::FontId::proportional(size),
                GHOST,
            );
        }
        for item in &compare.added {
            outline(*item, ADDED);
        }
        for item in &compare.changed {
            outline(*item, CHANGED);
        }
    }
    for item in conflicts {
        outline(*item, CONFLICT);
    }
}

/// A value as the review shows it: a text as itself, a deletion in words, anything else as
/// compact JSON.
fn shown(value: &Value) -> String {
    match value {
        Value::Null => "(deleted or absent)".to_owned(),
        Value::String(text) => text.clone(),
        Value::Object(map) if map.contains_key("label") || map.contains_key("name") => {
            let name = map.get("label").or_else(|| map.get("name")).and_then(Value::as_str).unwrap_or_default();
            format!("kept: \"{name}\"")
        }
        Value::Object(map) if map.contains_key("excerpt") => {
            format!("kept: \"{}\"", map.get("excerpt").and_then(Value::as_str).unwrap_or_default())
        }
        other => crate::merge::short_value(other),
    }
}

/// The Comparison window: every difference with another copy, to step through.
#[derive(Default)]
pub(super) struct ComparePanel {
    /// The difference shown last (stepping goes on from it).
    at: Option<usize>,
}

impl Panel for ComparePanel {
    fn title(&self) -> &str {
        "Comparison"
    }

    fn dock(&self) -> Dock {
        Dock::Window { width: 460.0 }
    }

    fn ui(&mut self, ui: &mut Ui, cx: &MapContext<'_>) -> Vec<Action> {
        let mut actions = Vec::new();
        let Some(compare) = &cx.view.compare else {
            ui.label("Compare this map with another copy of it: what differs is outlined on the map and listed here.");
            if ui.button("Compare with…").clicked() {
                actions.push(Action::Run(UiCommand::CompareWith));
            }
            return actions;
        };
        let (added, removed, changed) = compare.counts();
        ui.label(format!("Compared with {}", compare.other));
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(format!("{added} added here")).color(ADDED));
            ui.label(RichText::new(format!("{removed} only in the other copy")).color(GHOST));
            ui.label(RichText::new(format!("{changed} changed")).color(CHANGED));
        });
        if cx.revision != compare.revision {
            ui.label(RichText::new("The map has changed since; compare again to bring the list up to date.").weak());
        }
        let count = compare.changes.len();
        let mut go = None;
        ui.horizontal(|ui| {
            if ui.add_enabled(count > 0, egui::Button::new("Previous")).clicked() {
                go = Some(self.at.map_or(count.saturating_sub(1), |at| (at + count - 1) % count));
            }
            if ui.add_enabled(count > 0, egui::Button::new("Next")).clicked() {
                go = Some(self.at.map_or(0, |at| (at + 1) % count));
            }
            if ui.button("Compare again").clicked() {
                actions.push(Action::Run(UiCommand::CompareWith));
            }
            if ui.button("Stop comparing").clicked() {
                actions.push(Action::EndComparison);
            }
        });
        if count == 0 {
            ui.label("The two copies are the same.");
        }
        ui.separator();
        egui::ScrollArea::vertical().auto_shrink([false, true]).max_height(420.0).show(ui, |ui| {
            for (index, change) in compare.changes.iter().enumerate() {
                let (mark, color) = match change.kind {
                    ChangeKind::Added => ("+", ADDED),
                    ChangeKind::Removed => ("–", GHOST),
                    ChangeKind::Changed { .. } => ("~", CHANGED),
                };
                let fields = match &change.kind {
                    ChangeKind::Changed { fields } => {
                        format!(": {}", fields.iter().map(|f| f.field.as_str()).collect::<Vec<_>>().join(", "))
                    }
                    _ => String::new(),
                };
                // Arabic or Hebrew names in visual order, as every list of the app shows them.
                let label = super::bidi_text::visual_line(&change.label);
                let text = format!("{mark} {} {label}{fields}", change.element.kind());
                let selected = self.at == Some(index);
                let row = ui.selectable_label(selected, RichText::new(text).color(color));
                if row.clicked() {
                    go = Some(index);
                }
                if selected && go.is_none() {
                    row.scroll_to_me(None);
                }
            }
        });
        if let Some(index) = go {
            self.at = Some(index);
            if let Some(item) = compare.changes.get(index).and_then(|c| c.element.item())
                && cx.doc.contains(item)
            {
                actions.push(Action::Focus(item));
            }
        }
        actions
    }
}

/// The Conflicts window: what a merge could not settle, each with both sides.
#[derive(Default)]
pub(super) struct ConflictsPanel;

impl Panel for ConflictsPanel {
    fn title(&self) -> &str {
        "Conflicts"
    }

    fn dock(&self) -> Dock {
        Dock::Window { width: 520.0 }
    }

    fn ui(&mut self, ui: &mut Ui, cx: &MapContext<'_>) -> Vec<Action> {
        let mut actions = Vec::new();
        let conflicts = &cx.doc.conflicts;
        if conflicts.is_empty() {
            ui.label("No conflicts to settle. File, Merge Map… merges another copy of this map into it.");
            return actions;
        }
        ui.label(format!(
            "{} conflict{} to settle. Until then the map holds your version (or the one that was not deleted).",
            conflicts.len(),
            if conflicts.len() == 1 { "" } else { "s" }
        ));
        ui.separator();
        egui::ScrollArea::vertical().auto_shrink([false, true]).max_height(460.0).show(ui, |ui| {
            for (index, conflict) in conflicts.iter().enumerate() {
                ui.push_id(index, |ui| {
                    let key = conflict.element;
                    let label = part_label(cx.doc, key);
                    let field = conflict.field.as_deref().map(|f| format!(" · {f}")).unwrap_or_default();
                    let name = if label.is_empty() {
                        "(no longer in the map)".to_owned()
                    } else {
                        format!("“{}”", super::bidi_text::visual_line(&label))
                    };
                    let heading = format!("{} {name}{field}", capitalised(key.kind()));
                    let title = ui.add(egui::Label::new(RichText::new(heading).strong()).sense(egui::Sense::click()));
                    if title.clicked()
                        && let Some(item) = key.item()
                        && cx.doc.contains(item)
                    {
                        actions.push(Action::Focus(item));
                    }
                    ui.label(RichText::new(conflict.kind.describe()).weak());
                    let column = ((ui.available_width() - 12.0) / 2.0).max(80.0);
                    egui::Grid::new("sides")
                        .num_columns(2)
                        .spacing([12.0, 4.0])
                        .min_col_width(column)
                        .max_col_width(column)
                        .show(ui, |ui| {
                            ui.label(RichText::new("Mine").strong());
                            ui.label(RichText::new("Theirs").strong());
                            ui.end_row();
                            for value in [&conflict.ours, &conflict.theirs] {
                                let value = shown(value);
                                ui.add(egui::Label::new(super::bidi_text::visual_line(&value)).wrap());
                            }
                            ui.end_row();
                        });
                    ui.horizontal(|ui| {
                        for (text, choice) in
                            [("Keep mine", Choice::Mine), ("Keep theirs", Choice::Theirs), ("Keep both", Choice::Both)]
                        {
                            if ui.add_enabled(can_choose(conflict, choice), egui::Button::new(text)).clicked() {
                                match resolve(cx.doc, index, choice) {
                                    Ok(command) => {
                                        actions.push(Action::Edit(command, None));
                                        let left = conflicts.len() - 1;
                                        actions.push(Action::Status(format!(
                                            "Settled ({}); {left} conflict{} left",
                                            text.to_lowercase(),
                                            if left == 1 { "" } else { "s" }
                                        )));
                                    }
                                    Err(message) => actions.push(Action::Status(message)),
                                }
                            }
                        }
                    });
                    ui.separator();
                });
            }
        });
        actions
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The items in conflicts, to outline on the map.
pub(super) fn conflicted_items(doc: &Document) -> BTreeSet<ItemRef> {
    doc.conflicts.iter().filter_map(|c| c.element.item()).filter(|item| doc.contains(*item)).collect()
}
