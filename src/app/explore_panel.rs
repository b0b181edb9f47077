//! The Explore window: follow the relationships. Focus on the selection's neighbourhood (or
//! everything upstream or downstream of it), list the paths between two selected items with
//! each step's support and the weakest step marked, list the feedback loops, and rank concepts by
//! their place in the structure (degree, betweenness, areas their neighbours span). Everything is
//! worked out by `crate::explore` on the map's relationship graph; measures of a large map are
//! worked out on a worker.

use std::sync::Arc;

use egui::{RichText, Ui};

use super::panel::{Dock, Panel};
use super::tasks::{Poll, Task};
use super::{Action, MapContext};
use crate::explore::{
    Focus, Follow, Listing, Measures, RelationGraph, SupportTable, endpoint_of, item_of, weakest_step,
};
use crate::model::support::EvidenceFilter;
use crate::model::{Document, Endpoint, ItemRef, RelationshipTypeId};

/// Paths and loops listed at most.
const LIST_LIMIT: usize = 200;
/// The longest feedback loop listed, in steps.
const LOOP_STEPS: usize = 8;

/// Which column the measures are sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Column {
    Label,
    In,
    Out,
    #[default]
    Betweenness,
    Areas,
}

/// What a list of paths was worked out for: its ends, whether every path (and up to how many
/// steps) or the shortest, and the map's revision.
type PathsKey = (Endpoint, Endpoint, bool, usize, u64);

/// The Explore window's state.
pub(super) struct Explore {
    /// Relationships away, for the focus.
    steps: usize,
    follow: Follow,
    only: Option<RelationshipTypeId>,
    /// Every simple path up to `max_steps` (otherwise the shortest only).
    all_paths: bool,
    max_steps: usize,
    /// The path (or loop) picked out on the map.
    chosen: Option<(bool, usize)>,
    sort: Column,
    descending: bool,
    /// Support counts of one revision and filter, counted when a path's steps are shown.
    support: Option<(u64, EvidenceFilter, Arc<SupportTable>)>,
    /// Paths listed: for which ends, settings and revision.
    paths: Option<(PathsKey, Listing<Vec<Endpoint>>)>,
    loops: Option<(u64, Listing<Vec<Endpoint>>)>,
    measures: Option<(u64, Vec<Measures>)>,
    measuring: Option<(u64, Task<Vec<Measures>>)>,
    /// The measures' rows (concepts, positions in `measures`) in the order shown, and what that
    /// order was worked out for (revision, column, descending): sorted once, not every frame.
    order: Option<((u64, Column, bool), Vec<usize>)>,
    /// How the map shows betweenness, and for which revision it was made.
    bridging: Option<(u64, Bridging)>,
}

/// How the map shows each concept's betweenness.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bridging {
    /// Not at all.
    Off,
    /// As the width of the card's outline.
    Outline,
    /// As the card's colour, pale to deep blue.
    Colour,
}

impl Bridging {
    const ALL: [Self; 3] = [Self::Off, Self::Outline, Self::Colour];

    fn label(self) -> &'static str {
        match self {
            Self::Off => "not shown",
            Self::Outline => "as outline width",
            Self::Colour => "as colour",
        }
    }
}

impl Default for Explore {
    fn default() -> Self {
        Self {
            steps: 1,
            follow: Follow::Both,
            only: None,
            all_paths: true,
            max_steps: 4,
            chosen: None,
            sort: Column::Betweenness,
            descending: true,
            support: None,
            paths: None,
            loops: None,
            measures: None,
            measuring: None,
            order: None,
            bridging: None,
        }
    }
}

impl Panel for Explore {
    fn title(&self) -> &str {
        "Explore"
    }

    fn dock(&self) -> Dock {
        Dock::Window { width: 460.0 }
    }

    fn ui(&mut self, ui: &mut Ui, cx: &MapContext<'_>) -> Vec<Action> {
        let mut actions = Vec::new();
        let ends: Vec<Endpoint> = cx.view.selection.iter().filter_map(|i| endpoint_of(*i)).collect();
        egui::ScrollArea::vertical().show(ui, |ui| {
            egui::CollapsingHeader::new("Focus").default_open(true).show(ui, |ui| {
                self.focus_ui(ui, cx, &ends, &mut actions);
            });
            egui::CollapsingHeader::new("Paths").default_open(true).show(ui, |ui| {
                self.paths_ui(ui, cx, &ends, &mut actions);
            });
            egui::CollapsingHeader::new("Feedback loops").show(ui, |ui| self.loops_ui(ui, cx, &mut actions));
            egui::CollapsingHeader::new("Structure").show(ui, |ui| self.measures_ui(ui, cx, &mut actions));
        });
        actions
    }
}

impl Explore {
    /// The map's relationship graph (one per revision, shared with the focus and presenting).
    fn graph(&mut self, cx: &MapContext<'_>) -> Arc<RelationGraph> {
        cx.relation_graph()
    }

    /// Support counts, made again when the map or the filter changed.
    fn support(&mut self, cx: &MapContext<'_>) -> Arc<SupportTable> {
        match &self.support {
            Some((revision, filter, support)) if *revision == cx.revision && *filter == cx.view.filter => {
                Arc::clone(support)
            }
            _ => {
                let support = Arc::new(SupportTable::new(cx.doc, &cx.view.filter));
                self.support = Some((cx.revision, cx.view.filter.clone(), Arc::clone(&support)));
                support
            }
        }
    }

    fn focus_ui(&mut self, ui: &mut Ui, cx: &MapContext<'_>, ends: &[Endpoint], actions: &mut Vec<Action>) {
        ui.horizontal(|ui| {
            ui.label("Within");
            ui.add(egui::DragValue::new(&mut self.steps).range(1..=9))
                .on_hover_text("Relationships away")
                .accessible_name("Steps");
            ui.label(if self.steps == 1 { "step," } else { "steps," });
            egui::ComboBox::from_id_salt("focus-follow")
                .selected_text(self.follow.label())
                .show_ui(ui, |ui| {
                    for follow in Follow::ALL {
                        ui.selectable_value(&mut self.follow, follow, follow.label());
                    }
                })
                .response
                .accessible_name("Which way");
        });
        ui.horizontal(|ui| {
            ui.label("Along");
            let name = |t: Option<RelationshipTypeId>| {
                t.and_then(|t| cx.doc.relationship_type(t))
                    .map_or("every relationship type".to_owned(), |t| t.name.clone())
            };
            egui::ComboBox::from_id_salt("focus-type")
                .selected_text(name(self.only))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.only, None, name(None));
                    for t in &cx.doc.relationship_types {
                        ui.selectable_value(&mut self.only, Some(t.id), super::bidi_text::visual_line(&t.name));
                    }
                })
                .response
                .accessible_name("Relationship type to follow");
        });
        let focus = |steps, follow| Focus { from: ends.to_vec(), steps, follow, only: self.only };
        ui.horizontal_wrapped(|ui| {
            let enabled = !ends.is_empty();
            if ui
                .add_enabled(enabled, egui::Button::new("Focus on the selection"))
                .on_disabled_hover_text("Select one or more concepts or areas first")
                .clicked()
            {
                actions.push(Action::SetFocus(Some(focus(self.steps, self.follow))));
            }
            if ui
                .add_enabled(enabled, egui::Button::new("Upstream"))
                .on_hover_text("Everything that leads to the selection")
                .clicked()
            {
                actions.push(Action::SetFocus(Some(focus(usize::MAX, Follow::Backward))));
            }
            if ui
                .add_enabled(enabled, egui::Button::new("Downstream"))
                .on_hover_text("Everything that follows from the selection")
                .clicked()
            {
                actions.push(Action::SetFocus(Some(focus(usize::MAX, Follow::Forward))));
            }
            if ui.add_enabled(cx.view.focus.is_some(), egui::Button::new("Clear focus")).clicked() {
                actions.push(Action::SetFocus(None));
            }
        });
        if let Some(view) = &cx.view.focus {
            let concepts = view.items.iter().filter(|i| matches!(i, ItemRef::Concept(_))).count();
            ui.label(
                RichText::new(format!(
                    "Focused {}: {concepts} concepts, {} items in all. Exports and new story steps show what is in focus.",
                    view.focus.describe(cx.doc),
                    view.items.len()
                ))
                .small()
                .weak(),
            );
        }
    }

    fn paths_ui(&mut self, ui: &mut Ui, cx: &MapContext<'_>, ends: &[Endpoint], actions: &mut Vec<Action>) {
        let graph = self.graph(cx);
        ui.horizontal(|ui| {
            ui.radio_value(&mut self.all_paths, false, "Shortest");
            ui.radio_value(&mut self.all_paths, true, "Every path up to");
            ui.add_enabled(self.all_paths, egui::DragValue::new(&mut self.max_steps).range(1..=8))
                .accessible_name("Longest path, in steps");
            ui.label("steps");
        });
        let [from, to] = ends else {
            ui.label(RichText::new("Select two concepts or areas (Ctrl+click) to list the paths from the first to the second. One-way relationships are followed forward only.").weak());
            return;
        };
        let key = (*from, *to, self.all_paths, self.max_steps, cx.revision);
        if self.paths.as_ref().is_none_or(|(k, _)| *k != key) {
            let found = if self.all_paths {
                graph.simple_paths(*from, *to, self.max_steps, LIST_LIMIT)
            } else {
                graph.shortest_paths(*from, *to, LIST_LIMIT)
            };
            self.paths = Some((key, found));
            self.chosen = None;
        }
        let Some((_, found)) = &self.paths else { return };
        ui.label(format!(
            "{} → {}: {} path{}{}",
            cx.doc.endpoint_label(*from),
            cx.doc.endpoint_label(*to),
            found.items.len(),
            if found.items.len() == 1 { "" } else { "s" },
            if found.truncated { format!(" (the first {LIST_LIMIT})") } else { String::new() }
        ));
        if found.items.is_empty() {
            ui.label(
                RichText::new(
                    "No path: nothing leads from the first to the second along the relationships' directions.",
                )
                .weak(),
            );
        }
        let chosen = list_ui(ui, cx.doc, &found.items, "path", self.chosen.filter(|(l, _)| !*l).map(|(_, i)| i), false);
        if let Some(i) = chosen {
            self.chosen = Some((false, i));
        }
        if let Some((false, i)) = self.chosen
            && found.items.get(i).is_some()
        {
            let support = self.support(cx);
            if let Some((_, found)) = &self.paths
                && let Some(path) = found.items.get(i)
            {
                actions.push(Action::Highlight(crate::explore::path_items(&graph, path)));
                steps_ui(ui, cx.doc, &graph, &support, path);
            }
        }
    }

    fn loops_ui(&mut self, ui: &mut Ui, cx: &MapContext<'_>, actions: &mut Vec<Action>) {
        let graph = self.graph(cx);
        ui.label(
            RichText::new(format!(
                "Cycles of one-way relationships (of at most {LOOP_STEPS} steps), as in causal mapping."
            ))
            .weak(),
        );
        if self.loops.as_ref().is_none_or(|(r, _)| *r != cx.revision) {
            self.loops = Some((cx.revision, graph.loops(LOOP_STEPS, LIST_LIMIT)));
        }
        let support = if matches!(self.chosen, Some((true, _))) { Some(self.support(cx)) } else { None };
        let Some((_, found)) = &self.loops else { return };
        if found.items.is_empty() {
            ui.label("No feedback loops.");
            return;
        }
        let chosen = list_ui(ui, cx.doc, &found.items, "loop", self.chosen.filter(|(l, _)| *l).map(|(_, i)| i), true);
        if let Some(i) = chosen {
            self.chosen = Some((true, i));
        }
        if let Some((true, i)) = self.chosen
            && let Some(cycle) = found.items.get(i)
            && let Some(support) = &support
        {
            let mut closed = cycle.clone();
            closed.extend(cycle.first().copied());
            actions.push(Action::Highlight(crate::explore::path_items(&graph, &closed)));
            steps_ui(ui, cx.doc, &graph, support, &closed);
        }
    }

    fn measures_ui(&mut self, ui: &mut Ui, cx: &MapContext<'_>, actions: &mut Vec<Action>) {
        let current = self.measures.as_ref().is_some_and(|(r, _)| *r == cx.revision);
        if !current && self.measuring.as_ref().is_none_or(|(r, _)| *r != cx.revision) {
            // The graph is shared with a worker: betweenness on a large map takes seconds.
            let graph = self.graph(cx);
            let worker = Arc::clone(&graph);
            match Task::spawn("structure measures", ui.ctx(), move |_| worker.measures()) {
                Ok(task) => self.measuring = Some((cx.revision, task)),
                // No worker could be started: here, then.
                Err(_) => self.measures = Some((cx.revision, graph.measures())),
            }
        }
        if let Some((revision, task)) = &mut self.measuring {
            match task.poll() {
                Poll::Running => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Working out betweenness…");
                    });
                    return;
                }
                Poll::Done(measures) => self.measures = Some((*revision, measures)),
                Poll::Lost => {}
            }
            self.measuring = None;
        }
        let Some((measured, measures)) = &self.measures else { return };
        // What the map shows now (another window may have replaced the outline or the colours).
        let shown = match self.bridging {
            Some((_, Bridging::Outline)) if cx.view.emphasis.is_some() => Bridging::Outline,
            Some((_, Bridging::Colour)) if cx.view.tint.as_ref().is_some_and(|t| t.name.starts_with("betweenness")) => {
                Bridging::Colour
            }
            _ => Bridging::Off,
        };
        let mut chosen = shown;
        ui.horizontal(|ui| {
            ui.label("Betweenness on the map:");
            egui::ComboBox::from_id_salt("bridging-mode")
                .selected_text(chosen.label())
                .show_ui(ui, |ui| {
                    for mode in Bridging::ALL {
                        ui.selectable_value(&mut chosen, mode, mode.label());
                    }
                })
                .response
                .accessible_name("Show betweenness on the map")
                .on_hover_text(
                    "Bridging concepts stand out: a wider outline, or a deeper blue, the more shortest paths run \
                     through them; exports show it too, with its key",
                );
        });
        let stale = chosen != Bridging::Off && self.bridging.is_some_and(|(revision, _)| revision != *measured);
        if chosen != shown || stale {
            self.bridging = (chosen != Bridging::Off).then_some((*measured, chosen));
            let outline = (chosen == Bridging::Outline).then(|| Arc::new(crate::explore::bridging(measures)));
            let colour = (chosen == Bridging::Colour).then(|| Arc::new(crate::explore::bridging_tint(measures)));
            if chosen == Bridging::Outline || shown == Bridging::Outline {
                actions.push(Action::SetEmphasis(outline));
            }
            if chosen == Bridging::Colour || shown == Bridging::Colour {
                actions.push(Action::SetTint(colour, super::ui_command::UiCommand::ToggleExplore));
            }
        }
        ui.label(
            RichText::new("Betweenness: how much of the shortest paths between other items run through a concept (bridging concepts rank high).")
                .weak(),
        );
        let order_key = (*measured, self.sort, self.descending);
        if self.order.as_ref().is_none_or(|(k, _)| *k != order_key) {
            let mut order: Vec<usize> =
                (0..measures.len()).filter(|i| matches!(measures[*i].item, Endpoint::Concept(_))).collect();
            let label = |i: &usize| cx.doc.endpoint_label(measures[*i].item).to_lowercase();
            match self.sort {
                Column::Label => order.sort_by_cached_key(label),
                Column::In => order.sort_by_key(|i| measures[*i].in_degree),
                Column::Out => order.sort_by_key(|i| measures[*i].out_degree),
                Column::Betweenness => {
                    order.sort_by(|a, b| measures[*a].betweenness.total_cmp(&measures[*b].betweenness))
                }
                Column::Areas => order.sort_by_key(|i| measures[*i].neighbour_areas),
            }
            if self.descending {
                order.reverse();
            }
            self.order = Some((order_key, order));
        }
        let Some((_, order)) = &self.order else { return };
        let shown = order.len();
        if ui.button("Pick out the five most bridging concepts").clicked() {
            let mut top: Vec<&Measures> = measures.iter().filter(|m| matches!(m.item, Endpoint::Concept(_))).collect();
            top.sort_by(|a, b| b.betweenness.total_cmp(&a.betweenness));
            let items = top.iter().take(5).filter(|m| m.betweenness > 0.0).map(|m| item_of(m.item)).collect();
            actions.push(Action::SelectAll(items));
        }
        let mut sort = (self.sort, self.descending);
        let header = |ui: &mut Ui, sort: &mut (Column, bool), text: &str, column: Column| {
            let arrow = if sort.0 == column { if sort.1 { " v" } else { " ^" } } else { "" };
            if ui.button(format!("{text}{arrow}")).clicked() {
                *sort = if sort.0 == column { (column, !sort.1) } else { (column, column != Column::Label) };
            }
        };
        let mut clicked = None;
        egui::Grid::new("measures").striped(true).num_columns(5).show(ui, |ui| {
            header(ui, &mut sort, "Concept", Column::Label);
            header(ui, &mut sort, "In", Column::In);
            header(ui, &mut sort, "Out", Column::Out);
            header(ui, &mut sort, "Betweenness", Column::Betweenness);
            header(ui, &mut sort, "Areas near", Column::Areas);
            ui.end_row();
            for m in order.iter().take(500).filter_map(|i| measures.get(*i)) {
                if ui.link(super::bidi_text::visual_line(cx.doc.endpoint_label(m.item))).clicked() {
                    clicked = Some(item_of(m.item));
                }
                ui.label(m.in_degree.to_string());
                ui.label(m.out_degree.to_string());
                ui.label(format!("{:.3}", m.betweenness));
                ui.label(m.neighbour_areas.to_string());
                ui.end_row();
            }
        });
        (self.sort, self.descending) = sort;
        if shown > 500 {
            ui.label(
                RichText::new(format!("The first 500 of {shown} concepts; `qualmap measures` lists them all.")).weak(),
            );
        }
        if let Some(item) = clicked {
            actions.push(Action::Focus(item));
        }
    }
}

/// Paths (or loops) as rows to click; returns the one clicked.
fn list_ui(
    ui: &mut Ui,
    doc: &Document,
    paths: &[Vec<Endpoint>],
    what: &str,
    chosen: Option<usize>,
    closed: bool,
) -> Option<usize> {
    let mut clicked = None;
    egui::ScrollArea::vertical().id_salt(what).max_height(160.0).show(ui, |ui| {
        for (i, path) in paths.iter().enumerate() {
            let mut names: Vec<&str> = path.iter().map(|e| doc.endpoint_label(*e)).collect();
            if closed && let Some(first) = names.first().copied() {
                names.push(first);
            }
            let text = format!("{}. {}", i + 1, names.join(" → "));
            if ui.selectable_label(chosen == Some(i), super::bidi_text::visual_line(&text)).clicked() {
                clicked = Some(i);
            }
        }
    });
    clicked
}

/// A path's steps: each relationship's type and support, the weakest step marked.
fn steps_ui(ui: &mut Ui, doc: &Document, graph: &RelationGraph, support: &SupportTable, path: &[Endpoint]) {
    let weakest = weakest_step(graph, support, path);
    egui::Grid::new("path-steps").striped(true).num_columns(2).show(ui, |ui| {
        for (i, pair) in path.windows(2).enumerate() {
            let relationships = graph.step_relationships(pair[0], pair[1]);
            let kinds: Vec<String> = relationships
                .iter()
                .filter_map(|r| doc.relationship(*r))
                .map(|r| doc.relationship_label(r).to_owned())
                .collect();
            let s = support.step(&relationships);
            let step = format!(
                "{} —{}→ {}",
                doc.endpoint_label(pair[0]),
                if kinds.is_empty() { String::new() } else { format!(" {} ", kinds.join(" / ")) },
                doc.endpoint_label(pair[1])
            );
            ui.label(super::bidi_text::visual_line(&step));
            let counts = format!("{} excerpts · {} sources · {} participants", s.excerpts, s.sources, s.participants);
            if weakest == Some(i) && path.len() > 2 {
                ui.label(RichText::new(format!("{counts} — weakest step")).strong());
            } else {
                ui.label(counts);
            }
            ui.end_row();
        }
    });
}
