//! The inspector: what is selected, where it comes from, how it connects, the evidence that
//! supports it, the comments and memos on it (apart from the evidence), and the fields to edit it. Edits are returned as [`Action`]s and applied by the
//! app through the command path.

use super::bidi_text::visual_line;
use egui::{Color32, RichText, Ui};

use super::Action;
use crate::command::{Command, Element, Field, MergeKey, delete_items};
use crate::model::support::{EvidenceFilter, PARTICIPANT_ATTRIBUTE};
use crate::model::{
    Direction, Document, Endpoint, Evidence, ItemRef, Memo, Provenance, ProvenanceKind, RelationshipType, Rgb,
};

pub(super) fn color32(color: Rgb) -> Color32 {
    Color32::from_rgb(color.r, color.g, color.b)
}

pub(super) fn rgb(color: Color32) -> Rgb {
    Rgb::new(color.r(), color.g(), color.b())
}

/// What the inspector lists for the one selected item: its evidence, relationships and (for an
/// area) members. Found once per map revision rather than every frame: scanning a large map's
/// 100,000 excerpts took 1–3 ms a frame, and 40+ ms when workers had pushed the map out of the
/// CPU's caches.
/// The evidence filter is part of what it is found for: the inspector counts and lists what the
/// canvas's badges count, and keeps the rest apart.
#[derive(Default)]
pub(super) struct Listing {
    key: Option<(u64, ItemRef, EvidenceFilter)>,
    /// Indices into the map's evidence: the excerpts linked to the item that the filter lets
    /// through (all of them with no filter active).
    evidence: Vec<usize>,
    /// The excerpts linked to the item that the filter leaves out.
    filtered_out: Vec<usize>,
    /// How many participants the counted excerpts come from.
    participants: usize,
    /// Indices into the map's relationships, for a concept or an area.
    relationships: Vec<usize>,
    /// Indices into the map's concepts, for an area.
    members: Vec<usize>,
    /// Excerpts linked to any member that the filter lets through, for an area.
    member_excerpts: usize,
    /// Indices into the map's memos: those on the item.
    memos: Vec<usize>,
}

impl Listing {
    fn refresh(&mut self, doc: &Document, revision: u64, item: ItemRef, filter: &EvidenceFilter) {
        if self.key.as_ref().is_some_and(|(r, i, f)| *r == revision && *i == item && f == filter) {
            return;
        }
        self.key = Some((revision, item, filter.clone()));
        let active = filter.is_active();
        let counts = |e: &Evidence| !active || filter.matches(doc, e);
        let linked = (0..doc.evidence.len()).filter(|i| doc.evidence[*i].links.contains(&item));
        (self.evidence, self.filtered_out) = linked.partition(|i| counts(&doc.evidence[*i]));
        let participants: std::collections::BTreeSet<&str> = self
            .evidence
            .iter()
            .filter_map(|i| doc.source(doc.evidence[*i].source))
            .map(|s| s.attributes.get(PARTICIPANT_ATTRIBUTE).map_or(s.name.as_str(), String::as_str))
            .collect();
        self.participants = participants.len();
        let end = match item {
            ItemRef::Concept(id) => Some(Endpoint::Concept(id)),
            ItemRef::Area(id) => Some(Endpoint::Area(id)),
            ItemRef::Relationship(_) => None,
        };
        self.relationships = match end {
            Some(end) => (0..doc.relationships.len())
                .filter(|i| doc.relationships[*i].from == end || doc.relationships[*i].to == end)
                .collect(),
            None => Vec::new(),
        };
        self.memos = (0..doc.memos.len()).filter(|i| doc.memos[*i].item == item).collect();
        self.members.clear();
        self.member_excerpts = 0;
        if let ItemRef::Area(id) = item {
            self.members = (0..doc.concepts.len()).filter(|i| doc.concepts[*i].areas.contains(&id)).collect();
            let members: std::collections::HashSet<ItemRef> =
                self.members.iter().map(|i| ItemRef::Concept(doc.concepts[*i].id)).collect();
            self.member_excerpts =
                doc.evidence.iter().filter(|e| counts(e) && e.links.iter().any(|l| members.contains(l))).count();
        }
    }
}

/// The inspector panel: what is selected, to read and edit.
#[derive(Default)]
pub(super) struct Inspector {
    /// What it lists for the selected item, found once per revision.
    listing: Listing,
}

impl Inspector {
    /// Draws the selected item (or the map, or a list of several) and returns what to do.
    pub(super) fn ui(&mut self, ui: &mut Ui, cx: &super::MapContext<'_>) -> Vec<Action> {
        let mut actions = Vec::new();
        let doc = cx.doc;
        let selection: Vec<ItemRef> = cx.view.selection.iter().copied().collect();
        if let [item] = selection.as_slice() {
            self.listing.refresh(doc, cx.revision, *item, &cx.view.filter);
        }
        let listing = &self.listing;
        let evidence_view = EvidenceView {
            filter: &cx.view.filter,
            editable: !cx.view.read_only,
            show_filtered_out: cx.view.show_filtered_out,
        };
        let mut show_filtered_out = cx.view.show_filtered_out;
        let focus_label = cx.view.focus_label;
        if focus_label {
            actions.push(Action::LabelFocused);
        }
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            ui.add_space(6.0);
            match selection.as_slice() {
                [] => map_summary_ui(ui, doc, &mut actions),
                [item] if cx.view.read_only => {
                    let view = ItemView { listing, evidence: evidence_view, focus_label };
                    show_filtered_out = item_read_ui(ui, doc, &view, *item, &mut actions);
                }
                [item] => {
                    let view = ItemView { listing, evidence: evidence_view, focus_label };
                    show_filtered_out = item_ui(ui, doc, &view, *item, &mut actions);
                }
                items => {
                    ui.heading(format!("{} items selected", items.len()));
                    ui.add_space(4.0);
                    for item in items {
                        if ui.link(visual_line(&doc.item_label(*item))).clicked() {
                            actions.push(Action::Select(*item));
                        }
                    }
                    ui.add_space(8.0);
                    if ui.button("Delete selected").clicked() {
                        actions.push(Action::Edit(delete_items(doc, items), None));
                    }
                }
            }
        });
        if show_filtered_out != cx.view.show_filtered_out {
            actions.push(Action::ShowFilteredOut(show_filtered_out));
        }
        actions
    }
}

/// How the evidence list treats the canvas's evidence filter.
#[derive(Clone, Copy)]
struct EvidenceView<'a> {
    filter: &'a EvidenceFilter,
    /// Whether its cards offer Edit and Unlink (not on a read-only page).
    editable: bool,
    /// Whether excerpts the filter leaves out are listed too (dimmed, marked).
    show_filtered_out: bool,
}

/// What the inspector shows one item with, besides the map.
struct ItemView<'a> {
    listing: &'a Listing,
    evidence: EvidenceView<'a>,
    /// Put the keyboard in the item's name, its text selected.
    focus_label: bool,
}

fn map_summary_ui(ui: &mut Ui, doc: &Document, actions: &mut Vec<Action>) {
    let mut info = doc.info.clone();
    let heading = egui::TextStyle::Heading.resolve(ui.style());
    let id = ui.make_persistent_id("map-title");
    let title = super::bidi_text::text_edit(ui, &mut info.title, true, id, heading, |edit| {
        edit.font(egui::TextStyle::Heading).desired_rows(1).hint_text("Map title")
    })
    .accessible_name("Map title");
    ui.add_space(2.0);
    let description = ui
        .add(
            egui::TextEdit::multiline(&mut info.description)
                .desired_rows(2)
                .hint_text("What the map shows and how it was made"),
        )
        .accessible_name("Map description");
    ui.label(RichText::new("Source study").strong());
    let citation = ui
        .add(egui::TextEdit::multiline(&mut info.citation).desired_rows(2).hint_text("Citation of the study"))
        .accessible_name("Citation");
    // Only typing makes an edit: a field drawn with the map's text must never write it back.
    let typed = title.changed() || description.changed() || citation.changed();
    if typed && info != doc.info {
        actions.push(Action::Edit(Command::SetInfo(info), Some(MergeKey::Info)));
    }
    if title.lost_focus() || description.lost_focus() || citation.lost_focus() {
        actions.push(Action::Seal);
    }
    ui.add_space(6.0);
    ui.label(doc.counts().to_string());
    ui.add_space(10.0);
    ui.label(
        RichText::new(
            "Click a concept, a relationship or an area to see its evidence. Double-click the canvas to add a \
             concept; drag from a concept's handle to link it.",
        )
        .weak(),
    );
}

/// A single-line text field bound to one string of an element; typing merges into one undo step.
fn text_field(
    ui: &mut Ui,
    value: &mut String,
    hint: &str,
    multiline: bool,
    actions: &mut Vec<Action>,
) -> egui::Response {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let id = ui.make_persistent_id(("text-field", hint));
    let response = super::bidi_text::text_edit(ui, value, multiline, id, font, |edit| {
        let edit = if multiline { edit.desired_rows(2) } else { edit };
        edit.hint_text(hint).desired_width(f32::INFINITY)
    })
    .accessible_name(hint);
    if response.lost_focus() {
        actions.push(Action::Seal);
    }
    response
}

/// Shows one selected item; returns whether filtered-out evidence is to be shown (a toggle in
/// its evidence list).
fn item_ui(ui: &mut Ui, doc: &Document, view: &ItemView<'_>, item: ItemRef, actions: &mut Vec<Action>) -> bool {
    let listing = view.listing;
    let focus_label = view.focus_label;
    match item {
        ItemRef::Concept(id) => {
            let Some(concept) = doc.concept(id) else { return view.evidence.show_filtered_out };
            let mut edited = concept.clone();
            // Whether the user changed a field this frame: only then may the form make an edit,
            // so selecting or inspecting never does (a widget that writes back a normalised value
            // while it is only drawn would otherwise count as one).
            let mut touched = false;
            kind_line(ui, "Concept");
            let label = text_field(ui, &mut edited.label, "Concept name", false, actions);
            if focus_label {
                select_all_and_focus(ui, &label, &edited.label);
            }
            touched |= label.changed();
            touched |= provenance_ui(ui, &mut edited.provenance);
            touched |= text_field(ui, &mut edited.description, "Description", true, actions).changed();
            section(ui, "Areas");
            if doc.areas.is_empty() {
                ui.label(RichText::new("This map has no areas yet.").weak());
            }
            ui.horizontal_wrapped(|ui| {
                for area in &doc.areas {
                    let mut member = edited.areas.contains(&area.id);
                    let text = RichText::new(visual_line(&area.label)).color(color32(area.color));
                    if ui.checkbox(&mut member, text).changed() {
                        touched = true;
                        if member {
                            edited.areas.push(area.id);
                        } else {
                            edited.areas.retain(|a| *a != area.id);
                        }
                    }
                }
            });
            ui.horizontal(|ui| {
                touched |= ui
                    .checkbox(&mut edited.pinned, "Pinned")
                    .on_hover_text(
                        "Automatic layout leaves a pinned concept where it is (P pins or unpins the selection)",
                    )
                    .changed();
                ui.separator();
                match edited.color {
                    Some(own) => {
                        let mut color = color32(own);
                        if ui.color_edit_button_srgba(&mut color).on_hover_text("The card's own colour").changed() {
                            touched = true;
                            edited.color = Some(rgb(color));
                        }
                        if ui
                            .small_button("No colour")
                            .on_hover_text("A plain card, showing its areas' colours only")
                            .clicked()
                        {
                            touched = true;
                            edited.color = None;
                        }
                    }
                    None => {
                        if ui
                            .small_button("Colour…")
                            .on_hover_text("Give the card a colour of its own (a tint behind its name)")
                            .clicked()
                        {
                            // A colour none of its areas has (one they had would read back from
                            // a graph file as no colour of its own).
                            let taken: Vec<Rgb> =
                                edited.areas.iter().filter_map(|a| doc.area(*a)).map(|a| a.color).collect();
                            let palette = crate::model::AREA_PALETTE;
                            touched = true;
                            edited.color =
                                palette.iter().copied().find(|c| !taken.contains(c)).or(palette.first().copied());
                        }
                    }
                }
            });
            if touched && edited != *concept {
                let field = if edited.label != concept.label {
                    Field::Name
                } else if edited.color.is_some() && concept.color.is_some() && edited.color != concept.color {
                    // Dragging in the colour picker changes the colour every frame: one undo step.
                    Field::Color
                } else {
                    Field::Text
                };
                let key = (edited.areas == concept.areas
                    && edited.provenance == concept.provenance
                    && edited.pinned == concept.pinned
                    && (field == Field::Color || edited.color == concept.color))
                    .then_some(MergeKey::Concept(id, field));
                actions.push(Action::Edit(Command::Update(Element::Concept(edited)), key));
            }
            relationships_ui(ui, doc, listing, Endpoint::Concept(id), actions);
        }
        ItemRef::Area(id) => {
            let Some(area) = doc.area(id) else { return view.evidence.show_filtered_out };
            let mut edited = area.clone();
            let mut touched = false;
            kind_line(ui, "Area");
            ui.horizontal(|ui| {
                let mut color = color32(edited.color);
                if ui.color_edit_button_srgba(&mut color).changed() {
                    touched = true;
                    edited.color = rgb(color);
                }
                let heading = egui::TextStyle::Heading.resolve(ui.style());
                let id = ui.make_persistent_id("area-name");
                let label = super::bidi_text::text_edit(ui, &mut edited.label, false, id, heading, |edit| {
                    edit.font(egui::TextStyle::Heading)
                })
                .accessible_name("Area name");
                if focus_label {
                    select_all_and_focus(ui, &label, &edited.label);
                }
                touched |= label.changed();
                if label.lost_focus() {
                    actions.push(Action::Seal);
                }
            });
            touched |= provenance_ui(ui, &mut edited.provenance);
            touched |= text_field(ui, &mut edited.description, "Description", true, actions).changed();
            if touched && edited != *area {
                // Text edits coalesce per field; so does a drag in the colour picker (a change
                // every frame), as one undo step.
                let key = if edited.provenance != area.provenance {
                    None
                } else if edited.color != area.color {
                    (edited.label == area.label && edited.description == area.description)
                        .then_some(MergeKey::Area(id, Field::Color))
                } else {
                    Some(MergeKey::Area(id, Field::Text))
                };
                actions.push(Action::Edit(Command::Update(Element::Area(edited)), key));
            }
            section(ui, "Concepts in this area");
            for member in listing.members.iter().filter_map(|i| doc.concepts.get(*i)) {
                let others: Vec<&str> = member
                    .areas
                    .iter()
                    .filter(|a| **a != id)
                    .filter_map(|a| doc.area(*a).map(|a| a.label.as_str()))
                    .collect();
                ui.horizontal_wrapped(|ui| {
                    if ui.link(visual_line(&member.label)).clicked() {
                        actions.push(Action::Select(ItemRef::Concept(member.id)));
                    }
                    if !others.is_empty() {
                        ui.label(RichText::new(visual_line(&format!("also in {}", others.join(", ")))).weak());
                    }
                });
            }
            relationships_ui(ui, doc, listing, Endpoint::Area(id), actions);
        }
        ItemRef::Relationship(id) => {
            let Some(rel) = doc.relationship(id) else { return view.evidence.show_filtered_out };
            let mut edited = rel.clone();
            let mut touched = false;
            kind_line(ui, "Relationship");
            ui.horizontal_wrapped(|ui| {
                if ui.link(RichText::new(visual_line(doc.endpoint_label(rel.from))).heading()).clicked() {
                    actions.push(Action::Select(rel.from.into()));
                }
                ui.label(RichText::new(visual_line(doc.relationship_label(rel))).heading().italics());
                if ui.link(RichText::new(visual_line(doc.endpoint_label(rel.to))).heading()).clicked() {
                    actions.push(Action::Select(rel.to.into()));
                }
            });
            touched |= provenance_ui(ui, &mut edited.provenance);
            egui::Grid::new("relationship-fields").num_columns(2).spacing([8.0, 4.0]).show(ui, |ui| {
                ui.label("Type");
                let type_name = doc.relationship_type(rel.type_id).map_or("(missing type)", |t| t.name.as_str());
                egui::ComboBox::from_id_salt("relationship-type")
                    .selected_text(type_name)
                    .show_ui(ui, |ui| {
                        for t in &doc.relationship_types {
                            touched |= ui.selectable_value(&mut edited.type_id, t.id, &t.name).changed();
                        }
                        if ui.button("New type…").clicked() {
                            actions.push(Action::NewRelationshipType(Some(id)));
                        }
                    })
                    .response
                    .accessible_name("Relationship type");
                ui.end_row();
                ui.label("Label");
                let label = ui
                    .add(
                        egui::TextEdit::singleline(&mut edited.label)
                            .hint_text(doc.relationship_type(rel.type_id).map_or("", RelationshipType::edge_label)),
                    )
                    .accessible_name("Relationship label");
                touched |= label.changed();
                if label.lost_focus() {
                    actions.push(Action::Seal);
                }
                ui.end_row();
                ui.label("Direction");
                let shown = edited.direction.map_or_else(
                    || format!("As its type ({})", doc.direction_of(rel).label()),
                    |d| d.label().to_owned(),
                );
                egui::ComboBox::from_id_salt("relationship-direction")
                    .selected_text(shown)
                    .show_ui(ui, |ui| {
                        touched |= ui.selectable_value(&mut edited.direction, None, "As its type").changed();
                        for direction in Direction::ALL {
                            touched |= ui
                                .selectable_value(&mut edited.direction, Some(direction), direction.label())
                                .changed();
                        }
                    })
                    .response
                    .accessible_name("Direction");
                ui.end_row();
                ui.label("Curve");
                touched |= bend_slider(ui, &mut edited.bend);
                ui.end_row();
            });
            if ui.button("Flip direction").on_hover_text("Swap the two ends").clicked() {
                touched = true;
                std::mem::swap(&mut edited.from, &mut edited.to);
                edited.bend = -edited.bend;
            }
            touched |= text_field(ui, &mut edited.description, "Description", true, actions).changed();
            if touched && edited != *rel {
                let key =
                    (edited.label != rel.label || edited.description != rel.description || edited.bend != rel.bend)
                        .then_some(MergeKey::Relationship(id));
                actions.push(Action::Edit(Command::Update(Element::Relationship(edited)), key));
            }
        }
    }
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        if ui.button("Add evidence…").clicked() {
            actions.push(Action::NewEvidence(item));
        }
        if ui.button("Delete").on_hover_text("Delete this (its evidence is kept, only unlinked)").clicked() {
            actions.push(Action::Edit(delete_items(doc, &[item]), None));
        }
    });
    let show_filtered_out = evidence_list_ui(ui, doc, listing, view.evidence, item, actions);
    if let ItemRef::Area(_) = item {
        let counted = if view.evidence.filter.is_active() { " counted under the filter" } else { "" };
        ui.label(
            RichText::new(format!(
                "Its {} concepts are supported by {} excerpts{counted}; select one to read them.",
                listing.members.len(),
                listing.member_excerpts
            ))
            .weak(),
        );
    }
    memos_ui(ui, doc, listing, true, actions);
    show_filtered_out
}

/// Shows one selected item to read (a read-only page): what it is, what it says, how it
/// connects and its evidence, with nothing to edit. Returns the filtered-out toggle's state.
fn item_read_ui(ui: &mut Ui, doc: &Document, view: &ItemView<'_>, item: ItemRef, actions: &mut Vec<Action>) -> bool {
    let listing = view.listing;
    let (kind, description, endpoint) = match item {
        ItemRef::Concept(id) => {
            let Some(concept) = doc.concept(id) else { return view.evidence.show_filtered_out };
            ("Concept", concept.description.as_str(), Some(Endpoint::Concept(id)))
        }
        ItemRef::Area(id) => {
            let Some(area) = doc.area(id) else { return view.evidence.show_filtered_out };
            ("Area", area.description.as_str(), Some(Endpoint::Area(id)))
        }
        ItemRef::Relationship(id) => {
            let Some(relationship) = doc.relationship(id) else { return view.evidence.show_filtered_out };
            ("Relationship", relationship.description.as_str(), None)
        }
    };
    kind_line(ui, kind);
    ui.heading(visual_line(&doc.item_label(item)));
    if let ItemRef::Concept(id) = item
        && let Some(concept) = doc.concept(id)
        && !concept.areas.is_empty()
    {
        let areas: Vec<&str> = concept.areas.iter().filter_map(|a| doc.area(*a).map(|a| a.label.as_str())).collect();
        ui.label(RichText::new(visual_line(&format!("In {}", areas.join(", ")))).weak());
    }
    if !description.is_empty() {
        ui.add_space(4.0);
        ui.label(visual_line(description));
    }
    if let ItemRef::Area(_) = item {
        section(ui, "Concepts in this area");
        for member in listing.members.iter().filter_map(|i| doc.concepts.get(*i)) {
            if ui.link(visual_line(&member.label)).clicked() {
                actions.push(Action::Select(ItemRef::Concept(member.id)));
            }
        }
    }
    if let Some(endpoint) = endpoint {
        relationships_ui(ui, doc, listing, endpoint, actions);
    }
    let show_filtered_out = evidence_list_ui(ui, doc, listing, view.evidence, item, actions);
    memos_ui(ui, doc, listing, false, actions);
    show_filtered_out
}

/// The item's comments and memos (a workshop participant's comment or stance), after its
/// evidence and apart from it: each with its author, stance, time and text, and (`can_delete`) a
/// button that deletes it (one undo step). Nothing is shown for an item without memos.
fn memos_ui(ui: &mut Ui, doc: &Document, listing: &Listing, can_delete: bool, actions: &mut Vec<Action>) {
    let memos: Vec<&Memo> = listing.memos.iter().filter_map(|i| doc.memos.get(*i)).collect();
    if memos.is_empty() {
        return;
    }
    section(ui, &format!("Comments and memos ({})", memos.len()));
    ui.label(RichText::new("Not evidence: they do not count as support.").small().weak());
    for memo in memos {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            super::bidi_text::label_ui(ui, memo.author_label(), true);
            let mut said: Vec<&str> = Vec::new();
            if let Some(stance) = memo.stance {
                said.push(stance.label());
            }
            if !memo.written_at.is_empty() {
                said.push(&memo.written_at);
            }
            if !said.is_empty() {
                ui.label(RichText::new(said.join(" · ")).small().weak());
            }
            if !memo.text.trim().is_empty() {
                super::bidi_text::label_ui(ui, &memo.text, false);
            }
            if !can_delete {
                return;
            }
            let delete = ui
                .small_button("Delete")
                .on_hover_text("Delete this memo (Undo brings it back)")
                .accessible_name(format!("Delete memo by {}", memo.author_label()));
            if delete.clicked() {
                actions.push(Action::Edit(Command::DeleteMemo(memo.id), None));
            }
        });
        ui.add_space(6.0);
    }
}

fn kind_line(ui: &mut Ui, kind: &str) {
    ui.label(RichText::new(kind.to_uppercase()).small().weak());
}

fn section(ui: &mut Ui, title: &str) {
    ui.add_space(10.0);
    ui.label(RichText::new(title).strong());
    ui.add_space(2.0);
}

/// Paints the provenance marker: a filled diamond (paper), an outlined diamond (illustrative),
/// a dot (user), a ring (imported).
pub(super) fn provenance_marker(ui: &mut Ui, kind: ProvenanceKind) {
    let color = provenance_color(ui, kind);
    let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
    let c = rect.center();
    let r = 5.0;
    let diamond =
        vec![c + egui::vec2(0.0, -r), c + egui::vec2(r, 0.0), c + egui::vec2(0.0, r), c + egui::vec2(-r, 0.0)];
    let painter = ui.painter();
    match kind {
        ProvenanceKind::Paper => {
            painter.add(egui::Shape::convex_polygon(diamond, color, egui::Stroke::NONE));
        }
        ProvenanceKind::Illustrative => {
            painter.add(egui::Shape::closed_line(diamond, egui::Stroke::new(1.5, color)));
        }
        ProvenanceKind::User => {
            painter.circle_filled(c, 4.0, color);
        }
        ProvenanceKind::Imported => {
            painter.circle_stroke(c, 4.0, egui::Stroke::new(1.5, color));
        }
    }
}

fn provenance_color(ui: &Ui, kind: ProvenanceKind) -> Color32 {
    match kind {
        ProvenanceKind::Paper => ui.visuals().strong_text_color(),
        ProvenanceKind::Illustrative => ui.visuals().warn_fg_color,
        ProvenanceKind::User | ProvenanceKind::Imported => ui.visuals().text_color(),
    }
}

/// Shows an item's provenance with a menu to change its kind; returns whether the user changed it.
fn provenance_ui(ui: &mut Ui, provenance: &mut Provenance) -> bool {
    let mut changed = false;
    ui.horizontal(|ui| {
        provenance_marker(ui, provenance.kind);
        let color = provenance_color(ui, provenance.kind);
        ui.label(RichText::new(provenance.kind.label()).color(color).strong());
        egui::ComboBox::from_id_salt("provenance")
            .selected_text(RichText::new("change").small())
            .width(60.0)
            .show_ui(ui, |ui| {
                for kind in ProvenanceKind::ALL {
                    changed |= ui.selectable_value(&mut provenance.kind, kind, kind.label()).changed();
                }
            })
            .response
            .accessible_name("Change provenance");
    });
    if !provenance.note.is_empty() {
        ui.label(RichText::new(&provenance.note).small().weak());
    }
    ui.add_space(4.0);
    changed
}

/// The relationship's Curve slider; returns whether the user moved it. egui's slider, left to
/// clamp always, writes the value back snapped to its steps every time it is drawn (0 came back
/// as −1.19e−8, counted from −0.8 in `f32`), so it clamps only what the user enters, and a moved
/// value is rounded to the step here so the middle is exactly 0.
fn bend_slider(ui: &mut Ui, bend: &mut f32) -> bool {
    const STEP: f32 = 0.05;
    let mut value = *bend;
    let response = ui
        .add(egui::Slider::new(&mut value, -0.8..=0.8).step_by(f64::from(STEP)).clamping(egui::SliderClamping::Edits))
        .accessible_name("Curve");
    if !response.changed() {
        return false;
    }
    let snapped = ((value / STEP).round() * STEP).clamp(-0.8, 0.8);
    // -0.0 and 0.0 are the same curve; keep the file's 0.
    let snapped = if snapped == 0.0 { 0.0 } else { snapped };
    if snapped == *bend {
        return false;
    }
    *bend = snapped;
    true
}

/// Puts the keyboard in a name field with its whole text selected, so that typing replaces the
/// placeholder name ("New concept") instead of adding to it.
fn select_all_and_focus(ui: &Ui, field: &egui::Response, text: &str) {
    field.request_focus();
    let mut state = egui::TextEdit::load_state(ui.ctx(), field.id).unwrap_or_default();
    state.cursor.set_char_range(Some(egui::text::CCursorRange::select_all_str(text)));
    state.store(ui.ctx(), field.id);
}

fn relationships_ui(ui: &mut Ui, doc: &Document, listing: &Listing, end: Endpoint, actions: &mut Vec<Action>) {
    let relationships: Vec<_> = listing.relationships.iter().filter_map(|i| doc.relationships.get(*i)).collect();
    section(ui, &format!("Relationships ({})", relationships.len()));
    for rel in relationships {
        // Read from the selected item's side: "underpins Professional practice",
        // "Problem solving underpins this", "consequential benefit with Personal well-being".
        let label = doc.relationship_label(rel);
        let outgoing = rel.from == end;
        let other = doc.endpoint_label(if outgoing { rel.to } else { rel.from });
        let text = match (doc.direction_of(rel), outgoing) {
            (Direction::Bidirectional, _) => format!("{label} with {other} (both ways)"),
            (Direction::Associative, _) | (Direction::OneWay, true) => format!("{label} {other}"),
            (Direction::OneWay, false) => format!("{other} {label} this"),
        };
        if ui.link(visual_line(&text)).clicked() {
            actions.push(Action::Select(ItemRef::Relationship(rel.id)));
        }
    }
}

/// The item's evidence: what the filter counts, with how many it leaves out and (on request)
/// those too, dimmed and marked. Returns the "Show filtered-out evidence" toggle's state.
fn evidence_list_ui(
    ui: &mut Ui,
    doc: &Document,
    listing: &Listing,
    view: EvidenceView<'_>,
    item: ItemRef,
    actions: &mut Vec<Action>,
) -> bool {
    let evidence: Vec<&Evidence> = listing.evidence.iter().filter_map(|i| doc.evidence.get(*i)).collect();
    let participants = listing.participants;
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    section(
        ui,
        &format!(
            "Evidence ({} excerpt{}, {} participant{})",
            evidence.len(),
            plural(evidence.len()),
            participants,
            plural(participants)
        ),
    );
    let mut show_filtered_out = view.show_filtered_out;
    let left_out = listing.filtered_out.len();
    if view.filter.is_active() {
        ui.label(
            RichText::new(format!(
                "Counted under the filter {}; {left_out} more excerpt{} filtered out.",
                view.filter.describe(doc),
                plural(left_out)
            ))
            .small()
            .weak(),
        );
        if left_out > 0 {
            ui.checkbox(&mut show_filtered_out, "Show filtered-out evidence");
        }
    }
    if evidence.is_empty() {
        let text = match item {
            _ if left_out > 0 => "No evidence linked to this passes the filter.",
            ItemRef::Area(_) => "No evidence is linked to the area as a whole.",
            _ => "No evidence is linked to this yet: it is asserted, not supported.",
        };
        ui.label(RichText::new(text).weak());
    }
    for evidence in evidence {
        evidence_card_ui(ui, doc, evidence, Some(item).filter(|_| view.editable), view.editable, actions);
        ui.add_space(6.0);
    }
    if view.filter.is_active() && show_filtered_out {
        for evidence in listing.filtered_out.iter().filter_map(|i| doc.evidence.get(*i)) {
            ui.scope(|ui| {
                ui.multiply_opacity(0.5);
                ui.label(RichText::new("Filtered out: not counted under the filter").small().italics().strong());
                evidence_card_ui(ui, doc, evidence, Some(item).filter(|_| view.editable), view.editable, actions);
            });
            ui.add_space(6.0);
        }
    }
    show_filtered_out
}

/// One evidence item as a card; with `context`, offers to unlink it from that item.
pub(super) fn evidence_card_ui(
    ui: &mut Ui,
    doc: &Document,
    evidence: &Evidence,
    context: Option<ItemRef>,
    editable: bool,
    actions: &mut Vec<Action>,
) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        if evidence.status == crate::model::ExcerptStatus::TextMissing {
            ui.label(RichText::new(format!("(no text: {})", evidence.location)).italics().weak());
        } else {
            super::bidi_text::excerpt_ui(ui, &evidence.excerpt);
        }
        if let Some(warning) = evidence.status.warning() {
            ui.label(RichText::new(format!("Imported with {warning}.")).small().color(ui.visuals().warn_fg_color));
        }
        if evidence.provenance.kind == ProvenanceKind::Illustrative {
            ui.label(
                RichText::new("Illustrative excerpt, written for the example: not a participant's words.")
                    .small()
                    .color(ui.visuals().warn_fg_color),
            );
        }
        ui.add_space(3.0);
        let source = doc.source(evidence.source);
        let source_name = source.map_or("(missing source)", |s| s.name.as_str());
        let mut where_text = source_name.to_owned();
        if !evidence.location.is_empty() {
            where_text.push_str(&format!(" · {}", evidence.location));
        }
        super::bidi_text::label_ui(ui, &where_text, true);
        if let Some(source) = source
            && !source.attributes.is_empty()
        {
            let attributes: Vec<String> = source.attributes.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            ui.label(RichText::new(attributes.join(" · ")).small());
        }
        if !evidence.codes.is_empty() {
            ui.horizontal_wrapped(|ui| {
                for code_id in &evidence.codes {
                    if let Some(code) = doc.code(*code_id) {
                        chip(ui, &code.name, color32(code.color)).on_hover_text(doc.code_path(*code_id));
                    }
                }
            });
        }
        if !evidence.memo.is_empty() {
            ui.label(RichText::new(format!("Memo: {}", evidence.memo)).small());
        }
        let mut coded = String::new();
        if !evidence.coder.is_empty() {
            coded.push_str(&format!("Coded by {}", evidence.coder));
        }
        if !evidence.coded_at.is_empty() {
            coded.push_str(&format!("{}{}", if coded.is_empty() { "Coded " } else { ", " }, evidence.coded_at));
        }
        if !coded.is_empty() {
            ui.label(RichText::new(coded).small().weak());
        }
        ui.horizontal(|ui| {
            if editable && ui.small_button("Edit").clicked() {
                actions.push(Action::EditEvidence(evidence.id));
            }
            if let Some(item) = context
                && ui.small_button("Unlink").on_hover_text("Keep the excerpt, stop it supporting this").clicked()
            {
                let mut unlinked = evidence.clone();
                unlinked.links.retain(|l| *l != item);
                actions.push(Action::Edit(Command::Update(Element::Evidence(unlinked)), None));
            }
        });
    });
}

/// A small coloured tag; returns its response so it can be clicked.
pub(super) fn chip(ui: &mut Ui, text: &str, color: Color32) -> egui::Response {
    let fill = color.gamma_multiply(0.22);
    egui::Frame::new()
        .fill(fill)
        .stroke(egui::Stroke::new(1.0, color))
        .corner_radius(8.0)
        .inner_margin(egui::Margin::symmetric(6, 1))
        .show(ui, |ui| ui.label(RichText::new(visual_line(text)).small()))
        .response
        .interact(egui::Sense::click())
}
