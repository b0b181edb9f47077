//! The codebook, the sources and the relationship types: each in its own window.

use std::collections::BTreeMap;

use egui::{RichText, Ui};

use super::inspector::{color32, rgb};
use super::panel::{Dock, Panel};
use super::{Action, MapContext, QualmapApp};
use crate::command::{
    Command, Element, ElementId, MergeKey, delete_code, delete_relationship_type, delete_source, merge_codes,
    references_to,
};
use crate::model::{
    Code, CodeId, Direction, Document, LineStyle, Provenance, RelationshipType, Rgb, Source, SourceKind,
};

/// A destructive edit waiting for the user's yes.
pub(super) struct Confirm {
    pub title: String,
    pub body: String,
    pub command: Command,
}

/// The Codebook window: codes and sub-codes, to rename, recolour, nest and merge.
#[derive(Default)]
pub(super) struct Codebook;

/// The Sources window: interviews and documents with their participant attributes.
#[derive(Default)]
pub(super) struct Sources;

/// The Relationship types window: the kinds of relationship and how each is drawn.
#[derive(Default)]
pub(super) struct RelationshipTypes;

const SOURCE_KINDS: [SourceKind; 5] =
    [SourceKind::Interview, SourceKind::FocusGroup, SourceKind::Document, SourceKind::FieldNotes, SourceKind::Other];

/// Codes in tree order with their depth.
fn code_tree(doc: &Document) -> Vec<(usize, &Code)> {
    let mut children: BTreeMap<Option<CodeId>, Vec<&Code>> = BTreeMap::new();
    for code in &doc.codes {
        let parent = code.parent.filter(|p| doc.code(*p).is_some());
        children.entry(parent).or_default().push(code);
    }
    let mut out = Vec::with_capacity(doc.codes.len());
    let mut stack: Vec<(usize, &Code)> =
        children.get(&None).map_or_else(Vec::new, |roots| roots.iter().rev().map(|c| (0, *c)).collect());
    while let Some((depth, code)) = stack.pop() {
        if out.len() > doc.codes.len() {
            break; // a cycle; validation prevents it, this only bounds the loop
        }
        out.push((depth, code));
        if let Some(kids) = children.get(&Some(code.id)) {
            stack.extend(kids.iter().rev().map(|c| (depth + 1, *c)));
        }
    }
    out
}

fn is_descendant(doc: &Document, code: CodeId, ancestor: CodeId) -> bool {
    let mut current = Some(code);
    for _ in 0..=doc.codes.len() {
        match current {
            Some(id) if id == ancestor => return true,
            Some(id) => current = doc.code(id).and_then(|c| c.parent),
            None => return false,
        }
    }
    false
}

impl Panel for Codebook {
    fn title(&self) -> &str {
        "Codebook"
    }
    fn dock(&self) -> Dock {
        Dock::Window { width: 460.0 }
    }
    fn ui(&mut self, ui: &mut Ui, cx: &MapContext<'_>) -> Vec<Action> {
        let mut actions = Vec::new();
        codebook_ui(ui, cx.doc, &mut actions);
        actions
    }
}

impl Panel for Sources {
    fn title(&self) -> &str {
        "Sources"
    }
    fn ui(&mut self, ui: &mut Ui, cx: &MapContext<'_>) -> Vec<Action> {
        let mut actions = Vec::new();
        sources_ui(ui, cx.doc, &mut actions);
        actions
    }
}

impl Panel for RelationshipTypes {
    fn title(&self) -> &str {
        "Relationship types"
    }
    fn dock(&self) -> Dock {
        Dock::Window { width: 520.0 }
    }
    fn ui(&mut self, ui: &mut Ui, cx: &MapContext<'_>) -> Vec<Action> {
        let mut actions = Vec::new();
        types_ui(ui, cx.doc, &mut actions);
        actions
    }
}

impl QualmapApp {
    pub(super) fn confirm_edit_ui(&mut self, ctx: &egui::Context) {
        let Some(confirm) = &self.confirm_edit else { return };
        let lines = [confirm.body.as_str().into(), RichText::new("You can undo this.").weak()];
        let choice =
            super::choice_modal(ctx, "confirm-edit", 420.0, &confirm.title, &lines, &["Delete", "Cancel"], None)
                .map(|i| i == 0);
        match choice {
            Some(true) => {
                if let Some(confirm) = self.confirm_edit.take() {
                    self.apply_edit(confirm.command, None);
                }
            }
            Some(false) => self.confirm_edit = None,
            None => {}
        }
    }
}

fn text_cell(ui: &mut Ui, value: &mut String, width: f32, name: &str, actions: &mut Vec<Action>) -> bool {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let id = ui.next_auto_id();
    let response =
        super::bidi_text::text_edit(ui, value, false, id, font, |edit| edit.desired_width(width)).accessible_name(name);
    if response.lost_focus() {
        actions.push(Action::Seal);
    }
    response.changed()
}

fn codebook_ui(ui: &mut Ui, doc: &Document, actions: &mut Vec<Action>) {
    ui.label(RichText::new("Codes and sub-codes. Deleting a code moves its sub-codes up a level.").weak());
    egui::ScrollArea::vertical().max_height(420.0).show(ui, |ui| {
        for (depth, code) in code_tree(doc) {
            let mut edited = code.clone();
            ui.horizontal(|ui| {
                ui.add_space(depth as f32 * 18.0);
                let mut color = color32(edited.color);
                if ui.color_edit_button_srgba(&mut color).changed() {
                    edited.color = rgb(color);
                }
                let typed = text_cell(ui, &mut edited.name, 150.0, "Code name", actions);
                let parent_name = edited
                    .parent
                    .map_or_else(|| "(top level)".to_owned(), |p| super::bidi_text::visual_line(&doc.code_path(p)).into_owned());
                egui::ComboBox::from_id_salt(("code-parent", code.id)).selected_text(parent_name).width(120.0).show_ui(
                    ui,
                    |ui| {
                        ui.selectable_value(&mut edited.parent, None, "(top level)");
                        for other in doc.codes.iter().filter(|o| !is_descendant(doc, o.id, code.id)) {
                            ui.selectable_value(
                                &mut edited.parent,
                                Some(other.id),
                                super::bidi_text::visual_line(&doc.code_path(other.id)),
                            );
                        }
                    },
                )
            .response
            .accessible_name("Parent code");
                ui.menu_button("Merge into", |ui| {
                    for other in doc.codes.iter().filter(|o| o.id != code.id) {
                        if ui.button(doc.code_path(other.id)).clicked() {
                            actions.push(Action::Edit(merge_codes(doc, code.id, other.id), None));
                        }
                    }
                });
                if ui.small_button("Delete").clicked() {
                    let codings = doc.evidence.iter().filter(|e| e.codes.contains(&code.id)).count();
                    let children = doc.codes.iter().filter(|c| c.parent == Some(code.id)).count();
                    actions.push(Action::Confirm(Confirm {
                        title: format!("Delete the code “{}”?", code.name),
                        body: format!(
                            "It is applied to {codings} evidence item(s), which lose it, and has {children} sub-code(s), \
                             which move up a level. The excerpts themselves are kept."
                        ),
                        command: delete_code(doc, code.id),
                    }));
                }
                if edited != *code {
                    let key = typed.then_some(MergeKey::Code(code.id));
                    actions.push(Action::Edit(Command::Update(Element::Code(edited)), key));
                }
            });
        }
    });
    if ui.button("Add code").clicked() {
        actions.push(Action::Edit(
            Command::Insert(Element::Code(Code {
                id: doc.next_code_id(),
                name: "New code".to_owned(),
                parent: None,
                color: Rgb::new(0x88, 0x88, 0x88),
                description: String::new(),
            })),
            None,
        ));
    }
}

fn sources_ui(ui: &mut Ui, doc: &Document, actions: &mut Vec<Action>) {
    ui.label(RichText::new("Interviews and documents, with participant attributes used by filters.").weak());
    egui::ScrollArea::vertical().max_height(460.0).show(ui, |ui| {
        for source in &doc.sources {
            let mut edited = source.clone();
            let mut typed = false;
            egui::CollapsingHeader::new(&source.name).id_salt(("source", source.id)).show(ui, |ui| {
                ui.horizontal(|ui| {
                    typed |= text_cell(ui, &mut edited.name, 180.0, "Source name", actions);
                    egui::ComboBox::from_id_salt(("source-kind", source.id))
                        .selected_text(edited.kind.label())
                        .show_ui(ui, |ui| {
                            for kind in SOURCE_KINDS {
                                ui.selectable_value(&mut edited.kind, kind, kind.label());
                            }
                        })
                        .response
                        .accessible_name("Kind of source");
                });
                let mut renamed: Option<(String, String)> = None;
                let mut removed: Option<String> = None;
                egui::Grid::new(("attributes", source.id)).num_columns(3).show(ui, |ui| {
                    for (name, value) in &source.attributes {
                        let mut new_name = name.clone();
                        if text_cell(ui, &mut new_name, 90.0, "Attribute name", actions) {
                            renamed = Some((name.clone(), new_name));
                        }
                        let mut new_value = value.clone();
                        if text_cell(ui, &mut new_value, 150.0, "Attribute value", actions) {
                            typed = true;
                            edited.attributes.insert(name.clone(), new_value);
                        }
                        if ui.small_button("Remove").clicked() {
                            removed = Some(name.clone());
                        }
                        ui.end_row();
                    }
                });
                if let Some((old, new)) = renamed
                    && !new.is_empty()
                    && !edited.attributes.contains_key(&new)
                    && let Some(value) = edited.attributes.remove(&old)
                {
                    edited.attributes.insert(new, value);
                    typed = true;
                }
                if let Some(name) = removed {
                    edited.attributes.remove(&name);
                }
                ui.horizontal(|ui| {
                    if ui.small_button("Add attribute").clicked() {
                        let mut n = 1;
                        while edited.attributes.contains_key(&format!("attribute {n}")) {
                            n += 1;
                        }
                        edited.attributes.insert(format!("attribute {n}"), String::new());
                    }
                    if ui.small_button("Delete source").clicked() {
                        let count = references_to(doc, ElementId::Source(source.id));
                        actions.push(Action::Confirm(Confirm {
                            title: format!("Delete the source “{}”?", source.name),
                            body: format!("Its {count} evidence item(s) are deleted with it."),
                            command: delete_source(doc, source.id),
                        }));
                    }
                });
            });
            if edited != *source {
                let key = typed.then_some(MergeKey::Source(source.id));
                actions.push(Action::Edit(Command::Update(Element::Source(edited)), key));
            }
        }
    });
    if ui.button("Add source").clicked() {
        actions.push(Action::Edit(
            Command::Insert(Element::Source(Source {
                id: doc.next_source_id(),
                name: format!("Source {}", doc.sources.len() + 1),
                kind: SourceKind::Interview,
                attributes: BTreeMap::new(),
                description: String::new(),
                provenance: Provenance::default(),
            })),
            None,
        ));
    }
}

fn types_ui(ui: &mut Ui, doc: &Document, actions: &mut Vec<Action>) {
    ui.label(RichText::new("Changing a type restyles every relationship of that type.").weak());
    egui::Grid::new("types").num_columns(6).spacing([8.0, 4.0]).show(ui, |ui| {
        for text in ["Name", "Label on edges", "Direction", "Line", "Colour", ""] {
            ui.label(RichText::new(text).strong());
        }
        ui.end_row();
        for t in &doc.relationship_types {
            let mut edited = t.clone();
            let mut typed = text_cell(ui, &mut edited.name, 140.0, "Type name", actions);
            typed |= text_cell(ui, &mut edited.short_label, 110.0, "Label on edges", actions);
            egui::ComboBox::from_id_salt(("type-direction", t.id))
                .selected_text(edited.direction.label())
                .show_ui(ui, |ui| {
                    for d in Direction::ALL {
                        ui.selectable_value(&mut edited.direction, d, d.label());
                    }
                })
                .response
                .accessible_name("Direction");
            egui::ComboBox::from_id_salt(("type-line", t.id))
                .selected_text(format!("{:?}", edited.line))
                .show_ui(ui, |ui| {
                    for line in [LineStyle::Solid, LineStyle::Dashed, LineStyle::Dotted] {
                        ui.selectable_value(&mut edited.line, line, format!("{line:?}"));
                    }
                })
                .response
                .accessible_name("Line style");
            let mut color = color32(edited.color);
            if ui.color_edit_button_srgba(&mut color).changed() {
                edited.color = rgb(color);
            }
            if ui.small_button("Delete").clicked() {
                let count = references_to(doc, ElementId::RelationshipType(t.id));
                actions.push(Action::Confirm(Confirm {
                    title: format!("Delete the relationship type “{}”?", t.name),
                    body: format!("{count} relationship(s) of this type are deleted with it; their evidence is kept."),
                    command: delete_relationship_type(doc, t.id),
                }));
            }
            ui.end_row();
            if edited != *t {
                let key = typed.then_some(MergeKey::RelationshipType(t.id));
                actions.push(Action::Edit(Command::Update(Element::RelationshipType(edited)), key));
            }
        }
    });
    if ui.button("Add type").clicked() {
        actions.push(Action::NewRelationshipType(None));
    }
}

/// A fresh relationship type for the user to name.
pub(super) fn new_relationship_type(doc: &Document) -> RelationshipType {
    RelationshipType {
        id: doc.next_relationship_type_id(),
        name: "new relationship".to_owned(),
        short_label: String::new(),
        direction: Direction::OneWay,
        line: LineStyle::Solid,
        color: Rgb::new(0x55, 0x5b, 0x66),
    }
}
