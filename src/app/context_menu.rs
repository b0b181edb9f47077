//! Right-click menus on concepts, relationships, areas, the empty canvas and evidence rows.
//! Entries that are actions of the table ([`super::ui_command`]) are drawn from it (name,
//! shortcut, tooltip, enabled state); the rest ask for an [`Action`] on the item clicked. Every
//! entry goes into the frame's action queue.

use std::collections::BTreeSet;

use egui::Ui;

use super::ui_command::UiCommand;
use super::{Action, QualmapApp};
use crate::command::{Command, Element};
use crate::model::{EvidenceId, ItemRef};

/// What was right-clicked on the canvas.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ContextTarget {
    /// An item of the map.
    Item(ItemRef),
    /// The empty canvas, at this point of the map.
    Map(egui::Pos2),
}

impl QualmapApp {
    /// Selects `item` for its context menu unless it is already part of the selection (so a menu
    /// on one of several selected concepts acts on all of them, as in file managers).
    pub(super) fn select_for_menu(&mut self, item: ItemRef) {
        if !self.view.selection.contains(&item) {
            self.view.selection = BTreeSet::from([item]);
        }
    }

    /// The context menu of an item's widget on the canvas (selecting it first).
    pub(super) fn item_context_menu(&mut self, response: &egui::Response, item: ItemRef) {
        if response.secondary_clicked() {
            self.select_for_menu(item);
        }
        response.context_menu(|ui| self.item_menu_ui(ui, item));
    }

    /// An entry asking for `action`.
    fn menu_entry(&mut self, ui: &mut Ui, text: &str, hover: &str, action: Action) {
        if ui.button(text).on_hover_text(hover).clicked() {
            self.queue.push(action);
            ui.close();
        }
    }

    /// The menu of a concept, relationship or area.
    pub(super) fn item_menu_ui(&mut self, ui: &mut Ui, item: ItemRef) {
        let doc = self.map.doc();
        let name = doc.item_label(item);
        ui.label(egui::RichText::new(super::bidi_text::visual_line(&name)).strong());
        ui.separator();
        self.menu_entry(ui, "Add Evidence…", "A new excerpt supporting it", Action::NewEvidence(item));
        // Concepts and areas: focus on what lies around them (all selected ones, as for the
        // other entries).
        let ends: Vec<crate::model::Endpoint> =
            self.view.selection.iter().filter_map(|i| crate::explore::endpoint_of(*i)).collect();
        if !ends.is_empty() && crate::explore::endpoint_of(item).is_some() {
            use crate::explore::{Focus, Follow};
            let focus = |steps, follow| Focus { from: ends.clone(), steps, follow, only: None };
            ui.menu_button("Focus", |ui| {
                self.menu_entry(
                    ui,
                    "Within One Step",
                    "Fade everything else",
                    Action::SetFocus(Some(focus(1, Follow::Both))),
                );
                self.menu_entry(
                    ui,
                    "Within Two Steps",
                    "Fade everything else",
                    Action::SetFocus(Some(focus(2, Follow::Both))),
                );
                self.menu_entry(
                    ui,
                    "Upstream",
                    "What leads to it, following relationships backward",
                    Action::SetFocus(Some(focus(usize::MAX, Follow::Backward))),
                );
                self.menu_entry(
                    ui,
                    "Downstream",
                    "What follows from it, following relationships forward",
                    Action::SetFocus(Some(focus(usize::MAX, Follow::Forward))),
                );
            });
        }
        if self.view.focus.is_some() {
            self.menu_entry(ui, "Clear Focus", "Show the whole map again", Action::SetFocus(None));
        }
        match item {
            ItemRef::Concept(_) => {
                self.menu_entry(ui, "Rename", "Type a new name in the inspector", Action::Rename(item));
                self.command_button(ui, UiCommand::TogglePins);
                self.command_button(ui, UiCommand::AddArea);
            }
            ItemRef::Relationship(id) => {
                if let Some(rel) = self.map.doc().relationship(id) {
                    let mut flipped = rel.clone();
                    std::mem::swap(&mut flipped.from, &mut flipped.to);
                    flipped.bend = -flipped.bend;
                    self.menu_entry(
                        ui,
                        "Flip Direction",
                        "Swap the two ends",
                        Action::Edit(Command::Update(Element::Relationship(flipped)), None),
                    );
                }
            }
            ItemRef::Area(id) => {
                let members: BTreeSet<ItemRef> = self
                    .map
                    .doc()
                    .concepts
                    .iter()
                    .filter(|c| c.areas.contains(&id))
                    .map(|c| ItemRef::Concept(c.id))
                    .collect();
                self.menu_entry(
                    ui,
                    "Select Its Concepts",
                    "Select every concept in this area",
                    Action::SelectAll(members),
                );
                self.menu_entry(ui, "Rename", "Type a new name in the inspector", Action::Rename(item));
            }
        }
        ui.separator();
        self.command_button(ui, UiCommand::Delete);
    }

    /// The menu of the empty canvas at `world`.
    pub(super) fn map_menu_ui(&mut self, ui: &mut Ui, world: egui::Pos2) {
        self.menu_entry(ui, "Add Concept Here", UiCommand::AddConcept.info().tooltip, Action::AddConceptAt(world));
        self.command_button(ui, UiCommand::AddArea);
        ui.separator();
        for command in [UiCommand::Fit, UiCommand::SelectAllConcepts, UiCommand::AutomaticLayout, UiCommand::TidyLayout]
        {
            self.command_button(ui, command);
        }
        ui.separator();
        if self.view.focus.is_some() {
            self.menu_entry(ui, "Clear Focus", "Show the whole map again", Action::SetFocus(None));
        }
        self.command_button(ui, UiCommand::ToggleExplore);
        self.command_button(ui, UiCommand::CommandPalette);
    }
}

/// The menu of an evidence row: edit, link to the selected item, delete. (A free function: the
/// evidence browser draws its rows while it holds the map.)
pub(super) fn evidence_menu_ui(
    ui: &mut Ui,
    doc: &crate::model::Document,
    selection: &BTreeSet<ItemRef>,
    evidence: EvidenceId,
    actions: &mut Vec<Action>,
) {
    let mut entry = |ui: &mut Ui, text: &str, hover: &str, action: Action| {
        if ui.button(text).on_hover_text(hover).clicked() {
            actions.push(action);
            ui.close();
        }
    };
    entry(ui, "Edit…", "Change the excerpt, its source, codes or memo", Action::EditEvidence(evidence));
    let target = (selection.len() == 1).then(|| selection.iter().next().copied()).flatten();
    if let (Some(item), Some(e)) = (target, doc.evidence_item(evidence))
        && !e.links.contains(&item)
    {
        let mut linked = e.clone();
        linked.links.push(item);
        let text = format!("Link to {}", super::bidi_text::visual_line(&doc.item_label(item)));
        entry(
            ui,
            &text,
            "It then supports the selected item too",
            Action::Edit(Command::Update(Element::Evidence(linked)), None),
        );
    }
    ui.separator();
    let delete = crate::command::delete_evidence(doc, evidence);
    entry(ui, "Delete Evidence", "Delete the excerpt (undoable)", Action::Edit(delete, None));
}
