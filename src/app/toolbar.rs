//! The toolbar: add and delete, what support counts, the evidence filter, search, and the
//! windows for evidence, codebook, sources and relationship types.

use egui::{RichText, Ui};

use super::ui_command::UiCommand;
use super::{Action, QualmapApp};
use crate::command::{Command, Element};
use crate::model::support::{SupportMode, attribute_values, coders};
use crate::model::{AREA_PALETTE, Area, Concept, Document, ItemRef, Point, Provenance};

/// The toolbar's groups, which wrap onto another row whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Group {
    /// Add concept, Add area, Delete.
    Edit,
    /// What support counts, and the evidence filter.
    Evidence,
    /// The search box.
    Search,
    /// Start presenting.
    Present,
    /// The window toggles in a row.
    Windows,
    /// The window toggles behind one "Windows" menu.
    WindowsMenu,
}

impl Group {
    /// Where the group's width is remembered between frames.
    fn id(self) -> egui::Id {
        egui::Id::unique(("toolbar-group", self))
    }
}

/// At most this many search results are listed.
const SEARCH_RESULTS: usize = 12;

impl QualmapApp {
    /// Adds a concept at `pos` (world), inside whichever areas' regions hold that point, selects
    /// it and puts the keyboard in its name.
    pub fn add_concept_at(&mut self, pos: egui::Pos2) {
        let areas = self
            .scene_cache
            .as_ref()
            .map(|(_, scene)| {
                scene
                    .areas
                    .iter()
                    .filter(|a| crate::scene::geometry::convex_contains(&a.outline, pos))
                    .map(|a| a.id)
                    .collect()
            })
            .unwrap_or_default();
        let id = self.map.doc().next_concept_id();
        let concept = Concept {
            id,
            label: "New concept".to_owned(),
            description: String::new(),
            color: None,
            areas,
            pos: Point::new(pos.x, pos.y),
            pinned: false,
            provenance: Provenance::default(),
        };
        if self.apply_edit(Command::Insert(Element::Concept(concept)), None).is_none() {
            self.view.selection = [ItemRef::Concept(id)].into();
            self.view.focus_label = true;
        }
    }

    /// Adds an area holding the selected concepts.
    pub(super) fn add_area(&mut self) {
        let id = self.map.doc().next_area_id();
        let color =
            AREA_PALETTE.get(self.map.doc().areas.len() % AREA_PALETTE.len()).copied().unwrap_or(AREA_PALETTE[0]);
        let mut commands = vec![Command::Insert(Element::Area(Area {
            id,
            label: "New area".to_owned(),
            description: String::new(),
            color,
            provenance: Provenance::default(),
        }))];
        for item in &self.view.selection {
            if let ItemRef::Concept(c) = item
                && let Some(concept) = self.map.doc().concept(*c)
            {
                let mut concept = concept.clone();
                concept.areas.push(id);
                commands.push(Command::Update(Element::Concept(concept)));
            }
        }
        let members = commands.len() - 1;
        if self.apply_edit(Command::Batch { label: "Add area".to_owned(), commands }, None).is_none() {
            self.view.selection = [ItemRef::Area(id)].into();
            self.view.focus_label = true;
            if members == 0 {
                self.status = "New area: tick it in a concept's Areas to put the concept in it".to_owned();
            }
        }
    }

    /// The toolbar: its groups in one row where the window is wide enough, otherwise with the
    /// window toggles folded into a "Windows" menu, and where even that does not fit, the groups
    /// wrapped onto more rows, whole. No group is ever drawn over another, and the search box is
    /// always on screen. Each group's width is measured when it is drawn and used on the next
    /// frame to decide.
    pub(super) fn toolbar_ui(&mut self, ui: &mut Ui) {
        let mut actions = Vec::new();
        let room = ui.available_width();
        let gap = ui.spacing().item_spacing.x * 2.0 + 6.0;
        let width_of = |ui: &Ui, group: Group| -> f32 { ui.data(|d| d.get_temp(group.id())).unwrap_or(0.0) };
        let all = [Group::Edit, Group::Evidence, Group::Search, Group::Present, Group::Windows];
        let full: f32 = all.iter().map(|g| width_of(ui, *g) + gap).sum();
        let groups: Vec<Group> = if full <= room {
            all.to_vec()
        } else {
            vec![Group::Edit, Group::Evidence, Group::Search, Group::Present, Group::WindowsMenu]
        };
        // Greedy rows: a group goes on the current row if it fits, else starts the next.
        let mut rows: Vec<Vec<Group>> = vec![Vec::new()];
        let mut used = 0.0;
        for group in groups {
            let width = width_of(ui, group) + gap;
            if used + width > room
                && let Some(last) = rows.last()
                && !last.is_empty()
            {
                rows.push(Vec::new());
                used = 0.0;
            }
            used += width;
            if let Some(row) = rows.last_mut() {
                row.push(group);
            }
        }
        for row in rows {
            ui.horizontal(|ui| {
                for (i, group) in row.iter().enumerate() {
                    if i > 0 {
                        ui.separator();
                    }
                    let rect = ui.horizontal(|ui| self.toolbar_group_ui(ui, *group, room, &mut actions)).response.rect;
                    let before = width_of(ui, *group);
                    if (before - rect.width()).abs() > 0.5 {
                        ui.data_mut(|d| d.insert_temp(group.id(), rect.width()));
                        // Laid out with an old width (the first frame, a new text size): again.
                        ui.ctx().request_repaint();
                    }
                }
            });
        }
        self.queue.extend(actions);
    }

    fn toolbar_group_ui(&mut self, ui: &mut Ui, group: Group, room: f32, actions: &mut Vec<Action>) {
        match group {
            Group::Edit => {
                // The toolbar's own short names; what each does is the action table's.
                for (text, command) in [
                    ("Add concept", UiCommand::AddConcept),
                    ("Add area", UiCommand::AddArea),
                    ("Delete", UiCommand::Delete),
                ] {
                    let hover = tooltip_with_key(ui.ctx(), command);
                    if ui
                        .add_enabled(self.command_enabled(command), egui::Button::new(text))
                        .on_hover_text(hover)
                        .clicked()
                    {
                        actions.push(Action::Run(command));
                    }
                }
            }
            Group::Evidence => {
                ui.label("Support:");
                egui::ComboBox::from_id_salt("support-mode")
                    .selected_text(self.view.support.label())
                    .show_ui(ui, |ui| {
                        for mode in SupportMode::ALL {
                            ui.selectable_value(&mut self.view.support, mode, mode.label());
                        }
                    })
                    .response
                    .accessible_name("Support counts");
                let filter_label = if self.view.filter.is_active() { "Filter (on)" } else { "Filter" };
                ui.menu_button(filter_label, |ui| self.filter_menu_ui(ui));
            }
            Group::Search => {
                // Narrower in a narrow window, so that it keeps a row of its own on screen.
                let width = (ui.text_style_height(&egui::TextStyle::Body) * 10.0).min(room - 24.0).max(80.0);
                let search = ui
                    .add(egui::TextEdit::singleline(&mut self.search).hint_text("Search (Ctrl+F)").desired_width(width))
                    .accessible_name("Search");
                if std::mem::take(&mut self.search_focus) {
                    search.request_focus();
                }
                // Whether accents count is in View ▸ Match Accents in Search and the evidence
                // browser.
                self.search_results_ui(ui, &search, actions);
            }
            Group::Present => {
                if ui.button("Present").on_hover_text(tooltip_with_key(ui.ctx(), UiCommand::Present)).clicked() {
                    actions.push(Action::Run(UiCommand::Present));
                }
            }
            Group::Windows => self.window_toggles_ui(ui, actions),
            Group::WindowsMenu => {
                ui.menu_button("Windows", |ui| self.window_toggles_ui(ui, actions));
            }
        }
    }

    /// The toggles of the evidence work's windows (`UiCommand::TOOLBAR_WINDOWS`): in the
    /// toolbar's row, or in the "Windows" menu. (The inspector's is in the menu bar; every window
    /// is in the Window menu.)
    fn window_toggles_ui(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        for command in UiCommand::TOOLBAR_WINDOWS {
            let info = command.info();
            let Some(mut on) = self.command_checked(command) else { continue };
            // A panel's toggle carries its window's title (sentence case, like the toolbar's other
            // buttons); the menus keep the table's title-case name.
            let name = self.panels.iter().find(|slot| slot.command == command).map_or(info.text, |s| s.panel.title());
            if ui.toggle_value(&mut on, name).on_hover_text(tooltip_with_key(ui.ctx(), command)).clicked() {
                actions.push(Action::Run(command));
            }
        }
    }

    fn filter_menu_ui(&mut self, ui: &mut Ui) {
        ui.set_min_width(240.0);
        let doc = self.map.doc();
        let filter = &mut self.view.filter;
        ui.label(RichText::new("Count only evidence from…").weak());
        for (name, values) in attribute_values(doc) {
            ui.label(RichText::new(super::bidi_text::visual_line(&name)).strong());
            ui.horizontal_wrapped(|ui| {
                for value in values {
                    let chosen = filter.attributes.get(&name).is_some_and(|v| v.contains(&value));
                    let mut on = chosen;
                    if ui.checkbox(&mut on, super::bidi_text::visual_line(&format!("{name} = {value}"))).changed() {
                        let set = filter.attributes.entry(name.clone()).or_default();
                        if on {
                            set.insert(value);
                        } else {
                            set.remove(&value);
                        }
                    }
                }
            });
        }
        filter.attributes.retain(|_, values| !values.is_empty());
        ui.menu_button("Codes", |ui| {
            egui::ScrollArea::vertical().max_height(360.0).show(ui, |ui| {
                for code in &doc.codes {
                    let mut on = filter.codes.contains(&code.id);
                    if ui.checkbox(&mut on, doc.code_path(code.id)).changed() {
                        if on {
                            filter.codes.insert(code.id);
                        } else {
                            filter.codes.remove(&code.id);
                        }
                    }
                }
            });
        });
        let all_coders = coders(doc);
        if !all_coders.is_empty() {
            ui.label(RichText::new("coder").strong());
            for coder in all_coders {
                let mut on = filter.coders.contains(&coder);
                if ui.checkbox(&mut on, format!("coder = {coder}")).changed() {
                    if on {
                        filter.coders.insert(coder);
                    } else {
                        filter.coders.remove(&coder);
                    }
                }
            }
        }
        ui.separator();
        if ui.add_enabled(filter.is_active(), egui::Button::new("Clear filter")).clicked() {
            *filter = Default::default();
        }
    }

    fn search_results_ui(&mut self, ui: &mut Ui, field: &egui::Response, actions: &mut Vec<Action>) {
        let accents = self.prefs.match_accents;
        let query = crate::scene::text::search_key(self.search.trim(), accents);
        if query.is_empty() {
            return;
        }
        let current = self
            .search_hits
            .as_ref()
            .is_some_and(|h| h.revision == self.map.revision() && h.query == query && h.match_accents == accents);
        if !current {
            self.search_hits = Some(SearchHits::find(self.map.doc(), self.map.revision(), query, accents));
        }
        let items = self.search_hits.as_ref().map(|h| h.hits.iter().map(|(item, _)| *item).collect());
        self.highlight(items.unwrap_or_default());
        let Some(SearchHits { hits, label_hits, evidence_hits, .. }) = &self.search_hits else { return };
        if !(field.has_focus() || field.lost_focus())
            && self.view.selection.iter().any(|s| hits.iter().any(|h| h.0 == *s))
        {
            return;
        }
        if field.lost_focus()
            && ui.input(|i| i.key_pressed(egui::Key::Enter))
            && let Some((item, _)) = hits.first()
        {
            actions.push(Action::Focus(*item));
            return;
        }
        let area = egui::Area::new(ui.scope_id().with("search-results"))
            .order(egui::Order::Foreground)
            .fixed_pos(field.rect.left_bottom() + egui::vec2(0.0, 4.0));
        area.show(ui.ctx(), |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.set_max_width(420.0);
                ui.label(
                    RichText::new(format!("{label_hits} matching concepts or areas, {evidence_hits} excerpts"))
                        .small()
                        .weak(),
                );
                for (item, text) in hits.iter().take(SEARCH_RESULTS) {
                    if ui.selectable_label(false, text).clicked() {
                        actions.push(Action::Focus(*item));
                    }
                }
                if hits.len() > SEARCH_RESULTS {
                    ui.label(RichText::new(format!("… and {} more", hits.len() - SEARCH_RESULTS)).weak());
                }
                if ui.small_button("Clear search").clicked() {
                    self.search.clear();
                }
            });
        });
    }
}

/// What the map search found, for one query on one revision of the document.
pub(super) struct SearchHits {
    revision: u64,
    /// The query, as [`crate::scene::text::search_key`] gave it.
    query: String,
    match_accents: bool,
    /// Concepts, areas, and the first item each matching excerpt supports, with the text to list.
    hits: Vec<(ItemRef, String)>,
    /// How many concepts and areas matched (they come first in `hits`).
    label_hits: usize,
    /// How many excerpts matched.
    evidence_hits: usize,
}

impl SearchHits {
    /// Searches labels, descriptions and evidence for `query` (already trimmed and keyed by
    /// [`crate::scene::text::search_key`]): case-insensitive by Unicode case folding, accents
    /// counted or not by `match_accents`.
    fn find(doc: &Document, revision: u64, query: String, match_accents: bool) -> Self {
        let key = |text: &str| crate::scene::text::search_key(text, match_accents);
        let mut hits: Vec<(ItemRef, String)> = Vec::new();
        for concept in &doc.concepts {
            if key(&concept.label).contains(&query) || key(&concept.description).contains(&query) {
                hits.push((ItemRef::Concept(concept.id), concept.label.clone()));
            }
        }
        for area in &doc.areas {
            if key(&area.label).contains(&query) {
                hits.push((ItemRef::Area(area.id), format!("Area: {}", area.label)));
            }
        }
        let label_hits = hits.len();
        let mut evidence_hits = 0;
        for evidence in doc.evidence.iter().filter(|e| super::evidence::evidence_matches(doc, e, &query, match_accents))
        {
            evidence_hits += 1;
            if let Some(first) = evidence.links.first() {
                let short: String = evidence.excerpt.chars().take(60).collect();
                hits.push((*first, format!("“{short}…” — {}", doc.item_label(*first))));
            }
        }
        Self { revision, query, match_accents, hits, label_hits, evidence_hits }
    }
}

/// An action's tooltip with its first shortcut, e.g. "Delete the selection (Del)".
fn tooltip_with_key(ctx: &egui::Context, command: UiCommand) -> String {
    let info = command.info();
    match info.shortcuts.first() {
        Some(shortcut) => format!("{} ({})", info.tooltip, ctx.format_shortcut(shortcut)),
        None => info.tooltip.to_owned(),
    }
}
