//! The Agreement window: how far two or more coders agree on what evidence supports each
//! concept, relationship and area (percent agreement, Cohen's κ, Krippendorff's α, by source or
//! by segment), a sortable table of the items, the units on which the coders differ about the
//! selected item with each coder's excerpts side by side (to settle in a meeting), and the map
//! coloured by agreement. The figures are `crate::agreement`'s, worked out once per revision and
//! settings (on a worker for large maps).

use std::sync::Arc;

use egui::{RichText, Ui};

use super::panel::{Dock, Panel};
use super::tasks::{Poll, Task};
use super::{Action, MapContext};
use crate::agreement::{AgreementError, Analysis, Disagreement, Figure, Figures, Options, Row, Unit, analyse, coders};
use crate::model::ItemRef;

/// Maps with more excerpts than this are worked out on a worker.
const IN_BACKGROUND: usize = 20_000;
/// A coder's excerpts linked elsewhere listed at most under a unit on which the coders differ.
const OTHERS_SHOWN: usize = 4;
/// Characters of an item's name shown in the table (the rest in its tooltip).
const LABEL_CHARS: usize = 36;
/// Rows of the table drawn at most (the command line lists them all).
const ROWS_SHOWN: usize = 500;

/// Which column the table is sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Column {
    Label,
    Differ,
    Agreement,
    #[default]
    Kappa,
    Alpha,
}

/// What an analysis was worked out for: the map's revision, the coders, the unit and the
/// overlap (as bits).
type Key = (u64, Vec<String>, Unit, u64);
/// What the table's order was sorted for: the analysis, the column, lowest first, unlinked listed.
type OrderKey = (Key, Column, bool, bool);
/// The map's coders with how many excerpts each coded.
type Coders = Arc<Vec<(String, usize)>>;

/// The Agreement window's state.
pub(super) struct Agreement {
    /// The coders ticked, in the map's order of names.
    chosen: Vec<String>,
    /// Whether the coders were chosen for the user (the two with most excerpts) yet.
    defaulted: bool,
    unit: Unit,
    overlap: f64,
    /// Which figure colours the map and is shown first.
    figure: Figure,
    /// Whether the map is coloured by agreement.
    colour: bool,
    /// Whether items no chosen coder linked are listed too.
    show_unlinked: bool,
    sort: Column,
    /// Lowest first (the items to talk about).
    ascending: bool,
    analysis: Option<(Key, Result<Arc<Analysis>, AgreementError>)>,
    working: Option<(Key, Task<Result<Analysis, AgreementError>>)>,
    /// Row positions in the order shown, and what they were sorted for.
    order: Option<(OrderKey, Vec<usize>)>,
    /// The colouring on the map: for which analysis and figure it was made.
    tinted: Option<(Key, Figure)>,
    /// The item whose disagreements are listed (the map's selection when it is one item).
    item: Option<ItemRef>,
    /// Its disagreements, and for which analysis and item they were listed.
    listed: Option<(Key, ItemRef, Arc<Vec<Disagreement>>)>,
    /// The map's coders with their excerpts, and the revision they were counted for.
    known: Option<(u64, Coders)>,
}

impl Default for Agreement {
    fn default() -> Self {
        Self {
            chosen: Vec::new(),
            defaulted: false,
            unit: Unit::Source,
            overlap: crate::agreement::DEFAULT_OVERLAP,
            figure: Figure::Kappa,
            colour: false,
            show_unlinked: false,
            sort: Column::Kappa,
            ascending: true,
            analysis: None,
            working: None,
            order: None,
            tinted: None,
            item: None,
            listed: None,
            known: None,
        }
    }
}

impl Panel for Agreement {
    fn title(&self) -> &str {
        "Agreement"
    }

    fn dock(&self) -> Dock {
        Dock::Window { width: 560.0 }
    }

    fn ui(&mut self, ui: &mut Ui, cx: &MapContext<'_>) -> Vec<Action> {
        let mut actions = Vec::new();
        // Counted once per revision (a pass over every excerpt).
        let known = match &self.known {
            Some((revision, known)) if *revision == cx.revision => Arc::clone(known),
            _ => {
                let known = Arc::new(coders(cx.doc));
                self.known = Some((cx.revision, Arc::clone(&known)));
                known
            }
        };
        if known.len() < 2 {
            ui.label(
                RichText::new(format!(
                    "Agreement compares the coding of two or more coders, but {}. Import each coder's coding (a table with a Coder column, or a REFI-QDA project) into this map.",
                    match known.as_ref().as_slice() {
                        [] => "no excerpt of this map names its coder".to_owned(),
                        [(one, _)] => format!("every excerpt of this map is coded by {one}"),
                        _ => String::new(),
                    }
                ))
                .weak(),
            );
            self.clear_tint(cx, &mut actions);
            return actions;
        }
        if !self.defaulted || self.chosen.iter().any(|c| !known.iter().any(|(k, _)| k == c)) {
            let mut by_count: Vec<&(String, usize)> = known.iter().collect();
            by_count.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            self.chosen = by_count.iter().take(2).map(|(name, _)| name.clone()).collect();
            self.defaulted = true;
        }
        self.settings_ui(ui, &known);
        let key: Key = (cx.revision, self.chosen.clone(), self.unit, self.overlap.to_bits());
        self.work_out(ui, cx, &key);
        let Some((current, result)) = self.analysis.clone() else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Working out agreement…");
            });
            return actions;
        };
        if current != key {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(RichText::new("Working out agreement for the new settings…").weak());
            });
        }
        let analysis = match result {
            Ok(analysis) => analysis,
            Err(err) => {
                ui.label(RichText::new(err.to_string()).color(ui.visuals().warn_fg_color));
                self.clear_tint(cx, &mut actions);
                return actions;
            }
        };
        self.colour_ui(ui, cx, &current, &analysis, &mut actions);
        summary_ui(ui, &analysis, self.figure);
        ui.separator();
        if cx.view.selection.len() == 1 {
            self.item = cx.view.selection.first().copied();
        }
        self.table_ui(ui, &current, &analysis, &mut actions);
        ui.separator();
        self.disagreements_ui(ui, cx, &current, &analysis, &mut actions);
        actions
    }
}

impl Agreement {
    fn settings_ui(&mut self, ui: &mut Ui, known: &[(String, usize)]) {
        ui.horizontal_wrapped(|ui| {
            ui.label("Coders:");
            for (name, count) in known {
                let mut on = self.chosen.contains(name);
                let text = format!("{} ({count})", super::bidi_text::visual_line(name));
                if ui.checkbox(&mut on, text).on_hover_text(format!("{count} excerpts coded by {name}")).changed() {
                    if on {
                        self.chosen.push(name.clone());
                        // Kept in the map's order of names, so the same choice is the same key.
                        self.chosen.sort_by_key(|c| known.iter().position(|(k, _)| k == c));
                    } else {
                        self.chosen.retain(|c| c != name);
                    }
                }
            }
        });
        ui.horizontal(|ui| {
            ui.label("Unit:");
            for unit in Unit::ALL {
                ui.radio_value(&mut self.unit, unit, unit.name()).on_hover_text(unit.label());
            }
            ui.add_enabled_ui(self.unit == Unit::Segment, |ui| {
                ui.label("overlap at least");
                let mut share = self.overlap;
                let response = ui
                    .add(egui::Slider::new(&mut share, 0.05..=1.0).step_by(0.05).fixed_decimals(2))
                    .on_hover_text("Excerpts of one source by different coders are one segment when they overlap by at least this share of their extent together (QDA Miner asks 0.9)")
                    .accessible_name("Least overlap");
                if response.changed() {
                    self.overlap = (share * 20.0).round() / 20.0;
                }
            });
        });
    }

    /// Starts or collects the analysis for `key` (at once for small maps).
    fn work_out(&mut self, ui: &Ui, cx: &MapContext<'_>, key: &Key) {
        if let Some((working, task)) = &mut self.working {
            match task.poll() {
                Poll::Running => {}
                Poll::Done(result) => {
                    self.analysis = Some((working.clone(), result.map(Arc::new)));
                    self.working = None;
                }
                Poll::Lost => self.working = None,
            }
        }
        let done = self.analysis.as_ref().is_some_and(|(k, _)| k == key);
        let started = self.working.as_ref().is_some_and(|(k, _)| k == key);
        if done || started {
            return;
        }
        let options = Options { coders: key.1.clone(), unit: key.2, overlap: self.overlap };
        if cx.doc.evidence.len() > IN_BACKGROUND {
            let (doc, worker) = (cx.doc.clone(), options.clone());
            if let Ok(task) = Task::spawn("agreement", ui.ctx(), move |_| analyse(&doc, &worker)) {
                self.working = Some((key.clone(), task));
                return;
            }
        }
        self.analysis = Some((key.clone(), analyse(cx.doc, &options).map(Arc::new)));
    }

    fn clear_tint(&mut self, cx: &MapContext<'_>, actions: &mut Vec<Action>) {
        if cx.view.tint.is_some() && self.tinted.is_some() {
            actions.push(Action::SetTint(None, super::ui_command::UiCommand::ToggleAgreement));
        }
        self.tinted = None;
    }

    fn colour_ui(
        &mut self,
        ui: &mut Ui,
        cx: &MapContext<'_>,
        key: &Key,
        analysis: &Analysis,
        actions: &mut Vec<Action>,
    ) {
        // The app takes the colours away when the window closes or another map opens.
        let mut colour = self.colour && cx.view.tint.is_some() && self.tinted.is_some();
        let mut figure = self.figure;
        let toggled = ui
            .horizontal(|ui| {
                let toggled = ui
                    .checkbox(&mut colour, "Colour the map by")
                    .on_hover_text("Concepts, relationships and area outlines from red (0 or below) through yellow to green (1); items without a figure keep their colours. Exports show it too.")
                    .changed();
                egui::ComboBox::from_id_salt("agreement-figure")
                    .selected_text(figure.label())
                    .show_ui(ui, |ui| {
                        for f in Figure::ALL {
                            let usable = f != Figure::Kappa || analysis.coders.len() == 2;
                            ui.add_enabled_ui(usable, |ui| ui.selectable_value(&mut figure, f, f.label()));
                        }
                    })
                    .response
                    .accessible_name("Figure that colours the map");
                toggled
            })
            .inner;
        if figure == Figure::Kappa && analysis.coders.len() != 2 {
            figure = Figure::Alpha;
        }
        self.figure = figure;
        if toggled {
            self.colour = colour;
        }
        let wanted = (key.clone(), self.figure);
        if self.colour && (toggled || self.tinted.as_ref() != Some(&wanted)) {
            self.tinted = Some(wanted);
            actions.push(Action::SetTint(
                Some(Arc::new(analysis.tint(self.figure))),
                super::ui_command::UiCommand::ToggleAgreement,
            ));
        } else if !self.colour && toggled {
            self.tinted = None;
            actions.push(Action::SetTint(None, super::ui_command::UiCommand::ToggleAgreement));
        }
    }

    fn table_ui(&mut self, ui: &mut Ui, key: &Key, analysis: &Analysis, actions: &mut Vec<Action>) {
        ui.horizontal(|ui| {
            ui.checkbox(&mut self.show_unlinked, "List items no chosen coder linked")
                .on_hover_text("Their figures say only that nobody linked them: agreement 1, κ and α undefined");
        });
        // κ is for two coders only: with more, its column sorts by α.
        if self.sort == Column::Kappa && analysis.coders.len() != 2 {
            self.sort = Column::Alpha;
        }
        let order_key = (key.clone(), self.sort, self.ascending, self.show_unlinked);
        if self.order.as_ref().is_none_or(|(k, _)| *k != order_key) {
            let mut order: Vec<usize> = (0..analysis.rows.len())
                .filter(|i| self.show_unlinked || analysis.rows[*i].figures.linked > 0)
                .collect();
            let rows = &analysis.rows;
            // Undefined figures sort after every defined one, whichever way.
            let by = |f: fn(&Figures) -> Option<f64>, a: &usize, b: &usize, ascending: bool| {
                let (x, y) = (f(&rows[*a].figures), f(&rows[*b].figures));
                match (x, y) {
                    (Some(x), Some(y)) if ascending => x.total_cmp(&y),
                    (Some(x), Some(y)) => y.total_cmp(&x),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                }
            };
            let ascending = self.ascending;
            match self.sort {
                Column::Label => {
                    order.sort_by_cached_key(|i| rows[*i].label.to_lowercase());
                    if !ascending {
                        order.reverse();
                    }
                }
                Column::Differ => {
                    order.sort_by_key(|i| rows[*i].figures.disagreements());
                    if !ascending {
                        order.reverse();
                    }
                }
                Column::Agreement => order.sort_by(|a, b| by(|f| f.agreement, a, b, ascending)),
                Column::Kappa => order.sort_by(|a, b| by(|f| f.kappa, a, b, ascending)),
                Column::Alpha => order.sort_by(|a, b| by(|f| f.alpha, a, b, ascending)),
            }
            self.order = Some((order_key, order));
        }
        let Some((_, order)) = &self.order else { return };
        if order.is_empty() {
            ui.label(RichText::new("No item has evidence from these coders in the sources they all coded.").weak());
            return;
        }
        let mut sort = (self.sort, self.ascending);
        let header = |ui: &mut Ui, sort: &mut (Column, bool), text: &str, tip: &str, column: Column| {
            let arrow = if sort.0 == column { if sort.1 { " ^" } else { " v" } } else { "" };
            if ui.button(format!("{text}{arrow}")).on_hover_text(tip).clicked() {
                *sort = if sort.0 == column { (column, !sort.1) } else { (column, true) };
            }
        };
        let two = analysis.coders.len() == 2;
        let mut clicked = None;
        // A share of the screen each for the table and the list below it (a 640-point screen
        // keeps both in view).
        let screen = ui.ctx().content_rect().height();
        let height = (screen * 0.26).clamp(110.0, 240.0);
        egui::ScrollArea::vertical().id_salt("agreement-rows").max_height(height).show(ui, |ui| {
            egui::Grid::new("agreement-table").striped(true).num_columns(6).show(ui, |ui| {
                header(ui, &mut sort, "Item", "Concept, relationship or area", Column::Label);
                header(
                    ui,
                    &mut sort,
                    "Differ",
                    "Units on which the coders differ, of the units compared",
                    Column::Differ,
                );
                header(
                    ui,
                    &mut sort,
                    "Agreement",
                    "Share of units on which every coder gave the same answer",
                    Column::Agreement,
                );
                header(ui, &mut sort, "κ", "Cohen's kappa (two coders); – where undefined", Column::Kappa);
                header(ui, &mut sort, "α", "Krippendorff's alpha, nominal; – where undefined", Column::Alpha);
                ui.label(RichText::new("Linked by").strong()).on_hover_text(format!(
                    "Units on which each coder linked the item: {}",
                    analysis.coders.join(", ")
                ));
                ui.end_row();
                for row in order.iter().take(ROWS_SHOWN).filter_map(|i| analysis.rows.get(*i)) {
                    if row_ui(ui, row, self.item == Some(row.item), two) {
                        clicked = Some(row.item);
                    }
                }
            });
        });
        (self.sort, self.ascending) = sort;
        if order.len() > ROWS_SHOWN {
            ui.label(
                RichText::new(format!(
                    "The first {ROWS_SHOWN} of {} items; `qualmap agreement` lists them all.",
                    order.len()
                ))
                .weak(),
            );
        }
        if let Some(item) = clicked {
            self.item = Some(item);
            actions.push(Action::Focus(item));
        }
    }

    fn disagreements_ui(
        &mut self,
        ui: &mut Ui,
        cx: &MapContext<'_>,
        key: &Key,
        analysis: &Analysis,
        actions: &mut Vec<Action>,
    ) {
        let Some(item) = self.item.filter(|i| analysis.row(*i).is_some()) else {
            ui.label(
                RichText::new("Click an item in the table (or on the map) to list where the coders differ about it.")
                    .weak(),
            );
            return;
        };
        let disagreements = match &self.listed {
            Some((k, i, list)) if k == key && *i == item => Arc::clone(list),
            _ => {
                let list = Arc::new(analysis.disagreements(cx.doc, item));
                self.listed = Some((key.clone(), item, Arc::clone(&list)));
                list
            }
        };
        ui.label(
            RichText::new(format!(
                "Where the coders differ on {}: {} {}",
                cx.doc.item_label(item),
                disagreements.len(),
                match (analysis.unit, disagreements.len()) {
                    (Unit::Source, 1) => "source",
                    (Unit::Source, _) => "sources",
                    (Unit::Segment, 1) => "segment",
                    (Unit::Segment, _) => "segments",
                }
            ))
            .strong(),
        );
        if disagreements.is_empty() {
            ui.label(RichText::new("None: on every unit where one coder linked it, every coder did.").weak());
            return;
        }
        let screen = ui.ctx().content_rect().height();
        egui::ScrollArea::vertical()
            .id_salt("agreement-disagreements")
            .min_scrolled_height((screen * 0.3).clamp(120.0, 320.0))
            .show(ui, |ui| {
                for (n, disagreement) in disagreements.iter().enumerate() {
                    let source = cx.doc.source(disagreement.source).map_or("(missing source)", |s| s.name.as_str());
                    ui.label(RichText::new(format!("{}. {}", n + 1, super::bidi_text::visual_line(source))).strong());
                    ui.columns(analysis.coders.len(), |columns| {
                        for ((column, coder), side) in columns.iter_mut().zip(&analysis.coders).zip(&disagreement.sides)
                        {
                            // Left-aligned: columns justify their contents, which spaced the cards' words out.
                            column.with_layout(egui::Layout::top_down(egui::Align::Min), |column| {
                                side_ui(column, cx.doc, coder, side, analysis.unit, actions);
                            });
                        }
                    });
                    ui.add_space(8.0);
                }
            });
    }
}

/// What one coder did in a unit on which the coders differ: the excerpts linked to the item, or
/// else the excerpts there linked to other items (a few), or that the coder coded nothing there.
fn side_ui(
    ui: &mut Ui,
    doc: &crate::model::Document,
    coder: &str,
    side: &crate::agreement::Side,
    unit: Unit,
    actions: &mut Vec<Action>,
) {
    let verdict = if side.linked.is_empty() { "did not link it here" } else { "linked it" };
    ui.label(RichText::new(format!("{}: {verdict}", super::bidi_text::visual_line(coder))).strong());
    for evidence in side.linked.iter().filter_map(|id| doc.evidence_item(*id)) {
        super::inspector::evidence_card_ui(ui, doc, evidence, None, true, actions);
    }
    if side.other.is_empty() {
        if side.linked.is_empty() && unit == Unit::Segment {
            ui.label(RichText::new("(did not code this passage)").small().weak());
        }
        return;
    }
    let here = match unit {
        Unit::Source => "Coded in this source, linked elsewhere:",
        Unit::Segment => "Coded this passage, linked elsewhere:",
    };
    ui.label(RichText::new(here).small().weak());
    for evidence in side.other.iter().take(OTHERS_SHOWN).filter_map(|id| doc.evidence_item(*id)) {
        super::inspector::evidence_card_ui(ui, doc, evidence, None, true, actions);
        let elsewhere: Vec<String> = evidence.links.iter().map(|l| doc.item_label(*l)).collect();
        if !elsewhere.is_empty() {
            ui.label(RichText::new(format!("→ {}", elsewhere.join("; "))).small());
        }
    }
    if side.other.len() > OTHERS_SHOWN {
        ui.label(RichText::new(format!("and {} more", side.other.len() - OTHERS_SHOWN)).small().weak());
    }
}

/// One row of the table; whether its item was clicked.
fn row_ui(ui: &mut Ui, row: &Row, selected: bool, two: bool) -> bool {
    let f = &row.figures;
    let name = super::bidi_text::visual_line(&row.label);
    let clicked = ui
        .selectable_label(selected, short_name(&name))
        .on_hover_text(format!(
            "{}: {}. Click to select it on the map and list where the coders differ.",
            kind_label(row.item),
            name
        ))
        .clicked();
    ui.label(format!("{} / {}", f.disagreements(), f.units));
    ui.label(figure_text(f.agreement));
    ui.label(if two { figure_text(f.kappa) } else { "n/a".to_owned() });
    ui.label(figure_text(f.alpha));
    ui.label(f.linked_by.iter().map(ToString::to_string).collect::<Vec<_>>().join(" · "));
    ui.end_row();
    clicked
}

/// A long name (a relationship's) cut to [`LABEL_CHARS`], so the figures stay in view; the whole
/// name is in the row's tooltip.
fn short_name(name: &str) -> String {
    if name.chars().count() > LABEL_CHARS {
        format!("{}…", name.chars().take(LABEL_CHARS - 1).collect::<String>().trim_end())
    } else {
        name.to_owned()
    }
}

fn kind_label(item: ItemRef) -> &'static str {
    match item {
        ItemRef::Concept(_) => "Concept",
        ItemRef::Relationship(_) => "Relationship",
        ItemRef::Area(_) => "Area",
    }
}

/// A figure to two places, or a dash where it is undefined.
fn figure_text(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |v| format!("{v:.2}"))
}

/// What was compared and the pooled figures.
fn summary_ui(ui: &mut Ui, analysis: &Analysis, figure: Figure) {
    let unit = match analysis.unit {
        Unit::Source => "sources".to_owned(),
        Unit::Segment => format!("segments (overlap ≥ {:.2})", analysis.overlap),
    };
    ui.label(format!(
        "{} sources coded by all {} coders, {} excerpts: {} {unit} compared for each item.",
        analysis.sources,
        analysis.coders.len(),
        analysis.excerpts,
        analysis.units
    ));
    let o = &analysis.overall;
    ui.label(
        RichText::new(format!(
            "All {} items some coder linked, pooled: agreement {}, κ {}, α {}.",
            analysis.overall_items,
            figure_text(o.agreement),
            if analysis.coders.len() == 2 { figure_text(o.kappa) } else { "n/a".to_owned() },
            figure_text(o.alpha)
        ))
        .strong(),
    )
    .on_hover_text(format!(
        "Every item × unit pair of those items as one table; the map is coloured by {}",
        figure.label()
    ));
    if analysis.compared_by_text > 0 {
        ui.label(
            RichText::new(format!(
                "{} {} no position range shared with the other coders' and {} matched by their text.",
                analysis.compared_by_text,
                if analysis.compared_by_text == 1 { "excerpt has" } else { "excerpts have" },
                if analysis.compared_by_text == 1 { "was" } else { "were" }
            ))
            .small()
            .weak(),
        );
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable as _;

    use super::super::ui_command::UiCommand;
    use super::super::{Action, QualmapApp, Startup};
    use super::*;

    /// The Agreement window on a map coded by Ana and Ben: the table shows an item with its
    /// figures, a click lists where the coders differ with their excerpts and selects the item,
    /// and the map is coloured by agreement until the window closes.
    #[test]
    fn the_agreement_window_shows_each_item_s_figures_and_where_coders_differ() {
        let path = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/two-coders.qualmap"));
        let mut harness = Harness::builder()
            .with_size(egui::Vec2::new(1280.0, 800.0))
            .build_eframe(move |cc| QualmapApp::with_recovery_dir(cc, Startup::File(path.clone()), None));
        let mut frames = 0;
        while harness.state().is_opening() || harness.state().document().evidence.len() != 60 {
            harness.step();
            frames += 1;
            assert!(frames < 5_000, "the map never opened");
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        harness.run();
        let doc = harness.state().document().clone();
        let expected = analyse(&doc, &Options::new(["Ana", "Ben"])).unwrap();
        // The relationship with the most disagreements (a concept's name is also its card's on
        // the canvas), and its figures as the table writes them.
        let row = expected
            .rows
            .iter()
            .filter(|r| matches!(r.item, ItemRef::Relationship(_)))
            .max_by_key(|r| (r.figures.disagreements(), r.figures.linked))
            .unwrap();
        assert!(row.figures.disagreements() > 0 && row.figures.kappa.is_some(), "{row:?}");

        harness.state_mut().queue.push(Action::Run(UiCommand::ToggleAgreement));
        harness.run();
        harness.get_by_label_contains("8 sources coded by all 2 coders");
        harness.get_by_label_contains("Ana (32)");
        let label = short_name(&super::super::bidi_text::visual_line(&row.label));
        harness.get_by_label(&label);
        let differ = format!("{} / {}", row.figures.disagreements(), row.figures.units);
        assert!(harness.query_all_by_label(&differ).count() > 0, "{differ}");
        assert!(harness.query_all_by_label(&figure_text(row.figures.kappa)).count() > 0);
        assert!(harness.query_all_by_label(&figure_text(row.figures.alpha)).count() > 0);

        harness.get_by_label(&label).click();
        harness.run();
        assert!(harness.state().view().selection.contains(&row.item), "the click selects the item on the map");
        harness.get_by_label_contains(&format!(
            "Where the coders differ on {}: {}",
            doc.item_label(row.item),
            row.figures.disagreements()
        ));
        let first = &expected.disagreements(&doc, row.item)[0];
        let linked = first.sides.iter().flat_map(|s| &s.linked).next().unwrap();
        let text = &doc.evidence_item(*linked).unwrap().excerpt;
        assert!(harness.query_all_by_label_contains(&text[..30]).count() > 0, "the excerpt is listed: {text}");

        harness.get_by_label("Colour the map by").click();
        harness.run();
        let tint = harness.state().view().tint.clone().expect("the map is coloured");
        let value = tint.values[&row.item];
        assert!((f64::from(value) - row.figures.kappa.unwrap().clamp(0.0, 1.0)).abs() < 1e-6);
        // The relationship is drawn in the colour of its κ.
        harness.run();
        let theme = harness.state().scene_options().theme;
        let scene = harness.state().drawn_scene().expect("a scene");
        let ItemRef::Relationship(id) = row.item else { unreachable!() };
        let edge = scene.edges.iter().find(|e| e.id == id).unwrap();
        assert_eq!(edge.color, theme.ink(crate::scene::Tint::color(value)));
        harness.state_mut().queue.push(Action::Run(UiCommand::ToggleAgreement));
        harness.run();
        assert!(harness.state().view().tint.is_none(), "the colours go with the window");
    }
}
