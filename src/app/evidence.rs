//! Evidence: the editor window for one excerpt, and the evidence browser table.

use egui::{RichText, Ui};

use super::Action;
use super::inspector::{chip, color32};
use crate::command::{Command, Element};
use crate::model::support::EvidenceFilter;
use crate::model::{Document, Evidence, EvidenceId, ItemRef, Provenance, ProvenanceKind, Source, SourceKind};

/// An evidence item being written or edited.
pub(super) struct EvidenceDraft {
    pub evidence: Evidence,
    pub is_new: bool,
    /// A source to create with the evidence, when the user types a new name.
    pub new_source: String,
}

/// Column the browser is sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum SortBy {
    #[default]
    Id,
    Excerpt,
    Source,
    Codes,
    Coder,
    Links,
}

/// State of the evidence browser.
#[derive(Default)]
pub(super) struct Browser {
    pub query: String,
    pub sort: SortBy,
    pub descending: bool,
    pub selected: Option<EvidenceId>,
    /// The listed rows (positions in the document's evidence) and what they were worked out from.
    rows: Option<(RowsKey, Vec<usize>)>,
}

/// What the browser's row list depends on; it is recomputed only when one of these changes.
#[derive(PartialEq)]
struct RowsKey {
    revision: u64,
    match_accents: bool,
    query: String,
    sort: SortBy,
    descending: bool,
    filter: EvidenceFilter,
}

impl Browser {
    /// Positions in `doc.evidence` of the rows to list: those the filter and the search let
    /// through, in the chosen order. Cached, since searching and sorting allocate per item and
    /// the table is drawn every frame.
    fn rows(&mut self, doc: &Document, revision: u64, filter: &EvidenceFilter, match_accents: bool) -> &[usize] {
        let current = self.rows.as_ref().is_some_and(|(k, _)| {
            k.revision == revision
                && k.match_accents == match_accents
                && k.query == self.query
                && k.sort == self.sort
                && k.descending == self.descending
                && k.filter == *filter
        });
        if !current {
            let mut rows: Vec<usize> = doc
                .evidence
                .iter()
                .enumerate()
                .filter(|(_, e)| !filter.is_active() || filter.matches(doc, e))
                .filter(|(_, e)| evidence_matches(doc, e, &self.query, match_accents))
                .map(|(i, _)| i)
                .collect();
            let item = |i: &usize| &doc.evidence[*i];
            match self.sort {
                SortBy::Id => {}
                // Long excerpts are told apart by their beginnings; a key of the whole text
                // would cost time and memory for nothing.
                SortBy::Excerpt => rows.sort_by_cached_key(|i| {
                    let start: String = item(i).excerpt.chars().take(120).collect();
                    (collation_key(&start), item(i).id)
                }),
                SortBy::Source => rows
                    .sort_by_cached_key(|i| (doc.source(item(i).source).map(|s| collation_key(&s.name)), item(i).id)),
                SortBy::Codes => rows.sort_by_cached_key(|i| {
                    let paths: Vec<Vec<u8>> = item(i).codes.iter().map(|c| collation_key(&doc.code_path(*c))).collect();
                    (paths, item(i).id)
                }),
                SortBy::Coder => rows.sort_by_cached_key(|i| (collation_key(&item(i).coder), item(i).id)),
                SortBy::Links => rows.sort_by_key(|i| std::cmp::Reverse(item(i).links.len())),
            }
            if self.descending {
                rows.reverse();
            }
            let key = RowsKey {
                revision,
                match_accents,
                query: self.query.clone(),
                sort: self.sort,
                descending: self.descending,
                filter: filter.clone(),
            };
            self.rows = Some((key, rows));
        }
        self.rows.as_ref().map_or(&[], |(_, rows)| rows)
    }
}

/// Today's date as `YYYY-MM-DD` (UTC), for new evidence.
pub(super) fn today() -> String {
    crate::model::clock::today()
}

/// The collator for sorting names and excerpts: the Unicode Collation Algorithm with the CLDR
/// rules of the user's language (from the operating system; the root order, which already puts
/// accented letters beside plain ones and every script in its own order, when the language is
/// unknown or has no rules of its own).
fn collator() -> Option<&'static icu_collator::CollatorBorrowed<'static>> {
    static COLLATOR: std::sync::OnceLock<Option<icu_collator::CollatorBorrowed<'static>>> = std::sync::OnceLock::new();
    COLLATOR
        .get_or_init(|| {
            let locale = sys_locale::get_locale()
                .and_then(|name| icu_locale_core::Locale::try_from_str(&name.replace('_', "-")).ok())
                .unwrap_or(icu_locale_core::Locale::UNKNOWN);
            let options = icu_collator::options::CollatorOptions::default();
            icu_collator::Collator::try_new((&locale).into(), options)
                .or_else(|_| icu_collator::Collator::try_new((&icu_locale_core::Locale::UNKNOWN).into(), options))
                .ok()
        })
        .as_ref()
}

/// A sort key for `text` by [`collator`] (its bytes, case-folded, if there is no collator).
pub(super) fn collation_key(text: &str) -> Vec<u8> {
    let mut key = Vec::new();
    match collator() {
        Some(collator) => {
            let _ = collator.write_sort_key_to(text, &mut key);
        }
        None => key.extend_from_slice(caseless::default_case_fold_str(text).as_bytes()),
    }
    key
}

/// Text of an evidence item that search looks through, keyed by
/// [`crate::scene::text::search_key`].
fn haystack(doc: &Document, e: &Evidence, match_accents: bool) -> String {
    let source = doc.source(e.source);
    let mut text = format!("{} {} {} {}", e.excerpt, e.memo, e.coder, e.location);
    if let Some(source) = source {
        text.push(' ');
        text.push_str(&source.name);
        for (k, v) in &source.attributes {
            text.push_str(&format!(" {k} {v} {k}={v}"));
        }
    }
    for code in &e.codes {
        text.push(' ');
        text.push_str(&doc.code_path(*code));
    }
    crate::scene::text::search_key(&text, match_accents)
}

/// Whether an evidence item matches a search query: every word must occur, letter case
/// compared by Unicode case folding, accents by `match_accents`.
pub fn evidence_matches(doc: &Document, e: &Evidence, query: &str, match_accents: bool) -> bool {
    if query.trim().is_empty() {
        return true;
    }
    let hay = haystack(doc, e, match_accents);
    crate::scene::text::matches_all_words(&hay, query, match_accents)
}

/// The evidence editor: a window over a draft excerpt, new or existing, saved as one edit.
#[derive(Default)]
pub(super) struct EvidenceEditor {
    draft: Option<EvidenceDraft>,
}

impl EvidenceEditor {
    /// Opens the editor on a new excerpt supporting `item`, coded by `coder`.
    pub(super) fn open_new(&mut self, doc: &Document, item: ItemRef, coder: &str) {
        self.draft = Some(EvidenceDraft {
            evidence: Evidence {
                id: doc.next_evidence_id(),
                excerpt: String::new(),
                source: doc.sources.first().map_or(crate::model::SourceId(0), |s| s.id),
                location: String::new(),
                codes: Vec::new(),
                memo: String::new(),
                coder: coder.to_owned(),
                coded_at: today(),
                links: vec![item],
                provenance: Provenance::new(ProvenanceKind::User, ""),
                status: crate::model::ExcerptStatus::Exact,
            },
            is_new: true,
            new_source: String::new(),
        });
    }

    /// Opens the editor on an existing excerpt.
    pub(super) fn open_existing(&mut self, evidence: &Evidence) {
        self.draft = Some(EvidenceDraft { evidence: evidence.clone(), is_new: false, new_source: String::new() });
    }

    /// Draws the window while a draft is open and returns what to do (the edit, on Save).
    pub(super) fn ui(&mut self, ctx: &egui::Context, cx: &super::MapContext<'_>) -> Vec<Action> {
        let Some(mut draft) = self.draft.take() else { return Vec::new() };
        let mut open = true;
        let mut close = false;
        let mut actions = Vec::new();
        let title = if draft.is_new { "Add evidence" } else { "Edit evidence" };
        egui::Window::new(title)
            .id(egui::Id::unique("evidence-editor"))
            .open(&mut open)
            .collapsible(false)
            .default_width(420.0)
            .show(ctx, |ui| {
                let doc = cx.doc;
                let e = &mut draft.evidence;
                ui.label("Excerpt");
                let body = egui::TextStyle::Body.resolve(ui.style());
                let id = ui.make_persistent_id("evidence-excerpt");
                super::bidi_text::text_edit(ui, &mut e.excerpt, true, id, body.clone(), |edit| {
                    edit.desired_rows(4)
                        .desired_width(f32::INFINITY)
                        .hint_text("The coded passage, as it appears in the source")
                })
                .accessible_name("Excerpt text");
                egui::Grid::new("evidence-fields").num_columns(2).spacing([8.0, 4.0]).show(ui, |ui| {
                    ui.label("Source");
                    ui.horizontal(|ui| {
                        let current =
                            super::bidi_text::visual_line(doc.source(e.source).map_or("(choose)", |s| s.name.as_str()));
                        egui::ComboBox::from_id_salt("evidence-source")
                            .selected_text(current)
                            .show_ui(ui, |ui| {
                                for source in &doc.sources {
                                    let name = super::bidi_text::visual_line(&source.name);
                                    if ui.selectable_value(&mut e.source, source.id, name).clicked() {
                                        draft.new_source.clear();
                                    }
                                }
                            })
                            .response
                            .accessible_name("Source");
                        let id = ui.make_persistent_id("evidence-new-source");
                        super::bidi_text::text_edit(ui, &mut draft.new_source, false, id, body.clone(), |edit| {
                            edit.hint_text("or a new source").desired_width(130.0)
                        })
                        .accessible_name("New source");
                    });
                    ui.end_row();
                    ui.label("Location");
                    ui.add(egui::TextEdit::singleline(&mut e.location).hint_text("lines, page, time"))
                        .accessible_name("Location");
                    ui.end_row();
                    ui.label("Coder");
                    let id = ui.make_persistent_id("evidence-coder");
                    super::bidi_text::text_edit(ui, &mut e.coder, false, id, body.clone(), |edit| edit)
                        .accessible_name("Coder");
                    ui.end_row();
                    ui.label("Date");
                    ui.add(egui::TextEdit::singleline(&mut e.coded_at)).accessible_name("Date coded");
                    ui.end_row();
                });
                ui.label("Codes");
                egui::ScrollArea::vertical().id_salt("evidence-codes").max_height(150.0).show(ui, |ui| {
                    if doc.codes.is_empty() {
                        ui.label(RichText::new("The codebook is empty (Windows > Codebook).").weak());
                    }
                    for code in &doc.codes {
                        let mut on = e.codes.contains(&code.id);
                        if ui.checkbox(&mut on, super::bidi_text::visual_line(&doc.code_path(code.id))).changed() {
                            if on {
                                e.codes.push(code.id);
                            } else {
                                e.codes.retain(|c| *c != code.id);
                            }
                        }
                    }
                });
                ui.label("Memo");
                let id = ui.make_persistent_id("evidence-memo");
                super::bidi_text::text_edit(ui, &mut e.memo, true, id, body, |edit| {
                    edit.desired_rows(2).desired_width(f32::INFINITY)
                })
                .accessible_name("Memo text");
                ui.label("Supports");
                let mut remove = None;
                for link in &e.links {
                    ui.horizontal(|ui| {
                        ui.label(super::bidi_text::visual_line(&doc.item_label(*link)));
                        if ui.small_button("Remove").clicked() {
                            remove = Some(*link);
                        }
                    });
                }
                if let Some(link) = remove {
                    e.links.retain(|l| *l != link);
                }
                let missing: Vec<ItemRef> =
                    cx.view.selection.iter().filter(|s| !e.links.contains(s)).copied().collect();
                if !missing.is_empty() && ui.button("Also link to the selection").clicked() {
                    e.links.extend(missing);
                }
                ui.separator();
                let has_source = doc.source(e.source).is_some() || !draft.new_source.trim().is_empty();
                let ready = !e.excerpt.trim().is_empty() && has_source;
                ui.horizontal(|ui| {
                    if ui.add_enabled(ready, egui::Button::new("Save")).clicked() {
                        let mut commands = Vec::new();
                        let mut evidence = e.clone();
                        let name = draft.new_source.trim();
                        if !name.is_empty() {
                            let id = doc.next_source_id();
                            commands.push(Command::Insert(Element::Source(Source {
                                id,
                                name: name.to_owned(),
                                kind: SourceKind::Interview,
                                attributes: Default::default(),
                                description: String::new(),
                                provenance: Provenance::default(),
                            })));
                            evidence.source = id;
                        }
                        commands.push(if draft.is_new {
                            Command::Insert(Element::Evidence(evidence))
                        } else {
                            Command::Update(Element::Evidence(evidence))
                        });
                        let label = if draft.is_new { "Add evidence" } else { "Edit evidence" };
                        actions.push(Action::Edit(Command::Batch { label: label.to_owned(), commands }, None));
                        close = true;
                    }
                    if ui.button("Cancel").clicked() {
                        close = true;
                    }
                    if !draft.is_new && ui.button("Delete evidence").clicked() {
                        actions.push(Action::Edit(crate::command::delete_evidence(doc, e.id), None));
                        close = true;
                    }
                });
                if !ready {
                    ui.label(RichText::new("An excerpt and a source are needed.").weak());
                }
            });
        if open && !close {
            self.draft = Some(draft);
        }
        actions
    }
}

impl super::panel::Panel for Browser {
    fn title(&self) -> &str {
        "Evidence"
    }

    fn dock(&self) -> super::panel::Dock {
        super::panel::Dock::Bottom { height: 230.0 }
    }

    /// Every excerpt: searchable, sortable, each row opening its editor.
    fn ui(&mut self, ui: &mut Ui, cx: &super::MapContext<'_>) -> Vec<Action> {
        let mut actions = Vec::new();
        let accents = cx.prefs.match_accents;
        let doc = cx.doc;
        let browser = self;
        ui.horizontal(|ui| {
            ui.heading("Evidence");
            ui.add(egui::TextEdit::singleline(&mut browser.query).hint_text("Search excerpts, sources, codes…"))
                .accessible_name("Search evidence");
            let mut match_accents = accents;
            if ui
                .toggle_value(&mut match_accents, "Accents")
                .on_hover_text("Match accents: when on, \"resume\" does not find \"résumé\" (case never matters)")
                .changed()
            {
                actions.push(Action::SetMatchAccents(match_accents));
            }
            if let Some(id) = browser.selected
                && let Some(e) = doc.evidence_item(id)
            {
                let targets: Vec<ItemRef> =
                    cx.view.selection.iter().filter(|s| !e.links.contains(s)).copied().collect();
                let button = egui::Button::new("Link to selection");
                if ui.add_enabled(!targets.is_empty(), button).clicked() {
                    let mut linked = e.clone();
                    linked.links.extend(targets);
                    actions.push(Action::Edit(Command::Update(Element::Evidence(linked)), None));
                }
                if ui.button("Edit").clicked() {
                    actions.push(Action::EditEvidence(id));
                }
            }
        });
        // Under an active filter the table lists the evidence that counts, like the map.
        let filter = &cx.view.filter;
        let total = browser.rows(doc, cx.revision, filter, accents).len();
        let source_name = |e: &Evidence| doc.source(e.source).map_or(String::new(), |s| s.name.clone());
        let filtered = if filter.is_active() { format!(" (filter: {})", filter.describe(doc)) } else { String::new() };
        ui.label(RichText::new(format!("{total} of {} items{filtered}", doc.evidence.len())).small().weak());
        // Fixed column widths, so that rows scrolled into view line up with the header.
        const WIDTHS: [f32; 4] = [340.0, 150.0, 220.0, 70.0];
        let header = |ui: &mut Ui, browser: &mut Browser, text: &str, sort: SortBy, width: f32| {
            let marker = if browser.sort == sort { if browser.descending { " v" } else { " ^" } } else { "" };
            let button = egui::Button::new(RichText::new(format!("{text}{marker}")).strong());
            if ui.add_sized([width, 20.0], button).clicked() {
                if browser.sort == sort {
                    browser.descending = !browser.descending;
                } else {
                    browser.sort = sort;
                    browser.descending = false;
                }
            }
        };
        ui.horizontal(|ui| {
            header(ui, browser, "Excerpt", SortBy::Excerpt, WIDTHS[0]);
            header(ui, browser, "Source", SortBy::Source, WIDTHS[1]);
            header(ui, browser, "Codes", SortBy::Codes, WIDTHS[2]);
            header(ui, browser, "Coder", SortBy::Coder, WIDTHS[3]);
            header(ui, browser, "Supports", SortBy::Links, 160.0);
        });
        let row_height = 22.0;
        // Only the rows in view are laid out: a project's 100,000 excerpts scroll as smoothly
        // as thirty.
        egui::ScrollArea::vertical().id_salt("evidence-table").auto_shrink([false, false]).show_rows(
            ui,
            row_height,
            total,
            |ui, range| {
                let shown: Vec<usize> = browser.rows(doc, cx.revision, filter, accents)[range.clone()].to_vec();
                for (n, e) in shown.iter().filter_map(|i| doc.evidence.get(*i)).enumerate() {
                    // Reserved under the row, filled once its size is known.
                    let stripe_slot = ui.painter().add(egui::Shape::Noop);
                    let row_rect = ui.horizontal(|ui| {
                        ui.set_min_height(row_height - ui.spacing().item_spacing.y);
                        let selected = browser.selected == Some(e.id);
                        // The excerpt's start, as much as the column shows, painted in visual order.
                        let shown = match e.status {
                            crate::model::ExcerptStatus::Exact => e.excerpt.clone(),
                            crate::model::ExcerptStatus::PositionsUncertain => {
                                format!("[positions uncertain] {}", e.excerpt)
                            }
                            crate::model::ExcerptStatus::TextMissing => format!("[text missing: {}]", e.location),
                        };
                        let hover = e.status.warning().map_or_else(
                            || "Click to show what it supports; drag onto a concept or relationship to link it".to_owned(),
                            |w| format!("{w}. Click to show what it supports; drag onto a concept or relationship to link it"),
                        );
                        let row = ui
                            .add_sized(
                                [WIDTHS[0], 18.0],
                                egui::Button::selectable(selected, "").sense(egui::Sense::click_and_drag()),
                            )
                            .on_hover_text(hover);
                        let inner = row.rect.shrink2(egui::vec2(ui.spacing().button_padding.x, 0.0));
                        let color = ui.style().interact_selectable(&row, selected).text_color();
                        let font = egui::TextStyle::Button.resolve(ui.style());
                        super::bidi_text::paint_first_line(ui, inner, &shown, &font, color);
                        row.widget_info(|| {
                            egui::WidgetInfo::selected(egui::Role::Button, true, selected, &shown)
                        });
                        if row.secondary_clicked() {
                            browser.selected = Some(e.id);
                        }
                        row.context_menu(|ui| {
                            super::context_menu::evidence_menu_ui(ui, doc, &cx.view.selection, e.id, &mut actions);
                        });
                        if row.dragged() {
                            row.dnd_set_drag_payload(e.id);
                        }
                        if row.clicked() {
                            browser.selected = if selected { None } else { Some(e.id) };
                        }
                        super::bidi_text::cell_ui(ui, &source_name(e), WIDTHS[1]).on_hover_text(
                            doc.source(e.source)
                                .map(|s| {
                                    s.attributes.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("\n")
                                })
                                .unwrap_or_default(),
                        );
                        ui.allocate_ui(egui::vec2(WIDTHS[2], 18.0), |ui| {
                            ui.set_width(WIDTHS[2]);
                            ui.horizontal(|ui| {
                                for code in e.codes.iter().filter_map(|c| doc.code(*c)) {
                                    chip(ui, &code.name, color32(code.color));
                                }
                            });
                        });
                        super::bidi_text::cell_ui(ui, &e.coder, WIDTHS[3]);
                        let links: Vec<String> = e.links.iter().map(|l| doc.item_label(*l)).collect();
                        let rest = ui.available_width().max(80.0);
                        super::bidi_text::cell_ui(ui, &links.join("; "), rest);
                    });
                    if (range.start + n) % 2 == 1 {
                        let stripe = row_rect.response.rect.expand2(egui::vec2(0.0, 1.0));
                        let color = ui.visuals().faint_bg_color;
                        ui.painter().set(stripe_slot, egui::Shape::rect_filled(stripe, 0.0, color));
                    }
                }
            },
        );
        // Highlight on the map what the chosen row supports.
        if let Some(e) = browser.selected.and_then(|id| doc.evidence_item(id)) {
            actions.push(Action::Highlight(e.links.clone()));
        }
        actions
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::example;

    fn excerpts<'a>(doc: &'a Document, rows: &[usize]) -> Vec<&'a str> {
        rows.iter().map(|i| doc.evidence[*i].excerpt.as_str()).collect()
    }

    #[test]
    fn rows_follow_search_sort_and_document_changes() {
        let mut doc = example::document();
        let none = EvidenceFilter::default();
        let mut browser = Browser { sort: SortBy::Excerpt, ..Browser::default() };
        let sorted = excerpts(&doc, browser.rows(&doc, 1, &none, false));
        assert_eq!(sorted.len(), doc.evidence.len());
        assert!(sorted.is_sorted_by_key(|t| collation_key(t)), "sorted by excerpt");
        browser.descending = true;
        let reversed = excerpts(&doc, browser.rows(&doc, 1, &none, false));
        assert!(reversed.iter().rev().eq(sorted.iter()), "descending reverses the order");
        browser.query = "exhausted".to_owned();
        assert_eq!(browser.rows(&doc, 1, &none, false).len(), 1);
        // A changed document (new revision) is searched again.
        doc.evidence[0].memo = "exhausted too".to_owned();
        assert_eq!(browser.rows(&doc, 2, &none, false).len(), 2);
    }

    #[test]
    fn names_sort_by_collation_not_by_code_point() {
        let mut names = vec!["Zoë", "émile", "Eliza", "Emma", "ångström", "apple", "Äpfel", "Beta"];
        names.sort_by_cached_key(|t| collation_key(t));
        // Accented and capital letters sit beside their plain ones, not after "Z".
        let position = |name: &str| names.iter().position(|n| *n == name).unwrap_or(usize::MAX);
        assert!(position("Eliza") < position("émile") && position("émile") < position("Emma"), "{names:?}");
        assert!(position("Äpfel") < position("Beta") && position("apple") < position("Beta"), "{names:?}");
        assert_eq!(names.last(), Some(&"Zoë"), "{names:?}");
    }

    #[test]
    fn search_ignores_case_by_unicode_folding_and_accents_by_choice() {
        let mut doc = example::document();
        doc.evidence[0].excerpt = "Die STRASSE zur Mentoría".to_owned();
        let e = &doc.evidence[0];
        assert!(evidence_matches(&doc, e, "straße", false));
        assert!(evidence_matches(&doc, e, "mentoria", false));
        assert!(!evidence_matches(&doc, e, "mentoria", true));
        assert!(evidence_matches(&doc, e, "MENTORÍA", true));
    }
}
