//! The command palette (Ctrl+Shift+P or Ctrl+K): type part of any action's name, or of a
//! concept's or area's, and press Enter to do it or go there. It reads the action table
//! ([`super::ui_command`]), so a new action is in the palette by being in the table. Also Help ▸
//! Keyboard Shortcuts, generated from the same table.

use egui::{Key, RichText};

use super::ui_command::{GESTURES, Menu, PresentKey, UiCommand, fuzzy_score};
use super::{Action, QualmapApp};
use crate::model::ItemRef;

/// How many matches the palette lists.
const SHOWN: usize = 12;

/// Something the palette can do.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    /// An action of the table.
    Command(UiCommand),
    /// Go to a concept or area (select it and bring it into view).
    GoTo(ItemRef, String),
}

/// The palette's state while it is open.
#[derive(Default)]
pub struct Palette {
    query: String,
    selected: usize,
    /// The matches for `for_query` at map revision `revision` (found again only when either
    /// changes: a large map has thousands of names).
    matches: Vec<Entry>,
    for_query: Option<(String, u64)>,
    focused: bool,
}

impl QualmapApp {
    /// The palette's matches for `query`: enabled actions and the map's concepts and areas, best
    /// first.
    fn palette_matches(&self, query: &str) -> Vec<Entry> {
        let mut scored: Vec<(i32, usize, Entry)> = Vec::new();
        for (order, command) in UiCommand::ALL.iter().enumerate() {
            if *command == UiCommand::CommandPalette || !self.command_enabled(*command) {
                continue;
            }
            if let Some(score) = fuzzy_score(query, command.text()) {
                // Actions before names when both match as well.
                scored.push((score + 2, order, Entry::Command(*command)));
            }
        }
        if !query.trim().is_empty() {
            let doc = self.map.doc();
            let names = doc
                .concepts
                .iter()
                .map(|c| (ItemRef::Concept(c.id), c.label.as_str()))
                .chain(doc.areas.iter().map(|a| (ItemRef::Area(a.id), a.label.as_str())));
            for (order, (item, label)) in names.enumerate() {
                if let Some(score) = fuzzy_score(query, label) {
                    scored.push((score, UiCommand::ALL.len() + order, Entry::GoTo(item, label.to_owned())));
                }
            }
        }
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.into_iter().take(SHOWN).map(|(_, _, entry)| entry).collect()
    }

    pub(super) fn palette_ui(&mut self, ctx: &egui::Context) {
        let Some(mut palette) = self.palette.take() else { return };
        let key = (palette.query.clone(), self.map.revision());
        if palette.for_query.as_ref() != Some(&key) {
            palette.matches = self.palette_matches(&palette.query);
            palette.selected = 0;
            palette.for_query = Some(key);
        }
        let mut chosen = None;
        let mut close = false;
        let (down, up, enter, escape) = ctx.input_mut(|i| {
            (
                i.consume_key(egui::Modifiers::NONE, Key::ArrowDown),
                i.consume_key(egui::Modifiers::NONE, Key::ArrowUp),
                i.consume_key(egui::Modifiers::NONE, Key::Enter),
                i.consume_key(egui::Modifiers::NONE, Key::Escape),
            )
        });
        let count = palette.matches.len();
        if down && count > 0 {
            palette.selected = (palette.selected + 1) % count;
        }
        if up && count > 0 {
            palette.selected = (palette.selected + count - 1) % count;
        }
        if enter {
            chosen = palette.matches.get(palette.selected).cloned();
        }
        close |= escape;
        let modal = egui::Modal::new(egui::Id::unique("command-palette")).show(ctx, |ui| {
            ui.set_width(460.0);
            let field = ui.add(
                egui::TextEdit::singleline(&mut palette.query)
                    .hint_text("Type an action, or a concept or area to go to…")
                    .desired_width(f32::INFINITY),
            );
            field.widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Command palette"));
            if !palette.focused {
                field.request_focus();
                palette.focused = true;
            }
            ui.separator();
            if palette.matches.is_empty() {
                ui.label(RichText::new("Nothing matches.").weak());
            }
            for (i, entry) in palette.matches.iter().enumerate() {
                let (text, detail) = match entry {
                    Entry::Command(command) => {
                        let shortcut =
                            command.info().shortcuts.first().map(|s| ui.ctx().format_shortcut(s)).unwrap_or_default();
                        (command.text().to_owned(), shortcut)
                    }
                    Entry::GoTo(ItemRef::Area(_), label) => {
                        (format!("Go to area: {}", super::bidi_text::visual_line(label)), String::new())
                    }
                    Entry::GoTo(_, label) => {
                        (format!("Go to: {}", super::bidi_text::visual_line(label)), String::new())
                    }
                };
                let button = egui::Button::selectable(i == palette.selected, text);
                let button = if detail.is_empty() { button } else { button.right_text(detail) };
                // The whole width, so that shortcuts line up on the right.
                let row = ui.add(button.min_size(egui::vec2(ui.available_width(), 0.0)));
                let row = match entry {
                    Entry::Command(command) => row.on_hover_text(command.info().tooltip),
                    Entry::GoTo(..) => row,
                };
                if row.clicked() {
                    chosen = Some(entry.clone());
                }
                if i == palette.selected && (down || up) {
                    row.scroll_to_me(None);
                }
            }
        });
        close |= modal.should_close();
        match chosen {
            Some(Entry::Command(command)) => self.queue.push(Action::Run(command)),
            Some(Entry::GoTo(item, _)) => self.queue.push(Action::Focus(item)),
            None if !close => self.palette = Some(palette),
            None => {}
        }
    }

    /// Help ▸ Keyboard Shortcuts: every action with a shortcut (from the action table), the mouse
    /// gestures and the keys of presenting.
    pub(super) fn shortcuts_ui(&mut self, ctx: &egui::Context) {
        if !self.shortcuts_open {
            return;
        }
        let mut open = true;
        egui::Window::new("Keyboard shortcuts")
            .open(&mut open)
            .default_width(620.0)
            .default_height(560.0)
            .collapsible(false)
            .show(ctx, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    // One grid, so that every section's columns line up.
                    egui::Grid::new("shortcuts").num_columns(2).spacing([24.0, 4.0]).show(ui, |ui| {
                        let mut first = true;
                        let mut heading = |ui: &mut egui::Ui, text: &str| {
                            if !std::mem::take(&mut first) {
                                // A blank row between sections.
                                ui.label("");
                                ui.end_row();
                            }
                            ui.label(RichText::new(text).strong().heading());
                            ui.end_row();
                        };
                        for menu in [Menu::File, Menu::Edit, Menu::View, Menu::Windows, Menu::Help] {
                            let rows: Vec<(String, &str)> = UiCommand::ALL
                                .iter()
                                .map(|c| c.info())
                                .filter(|info| info.menu == menu && !info.shortcuts.is_empty())
                                .map(|info| {
                                    let keys: Vec<String> =
                                        info.shortcuts.iter().map(|s| ctx.format_shortcut(s)).collect();
                                    (keys.join(", "), info.text)
                                })
                                .collect();
                            if rows.is_empty() {
                                continue;
                            }
                            heading(ui, menu.label());
                            for (keys, text) in rows {
                                ui.label(RichText::new(keys).strong());
                                ui.label(text);
                                ui.end_row();
                            }
                        }
                        heading(ui, "Mouse");
                        for (gesture, what) in GESTURES {
                            ui.label(RichText::new(gesture).strong());
                            ui.label(what);
                            ui.end_row();
                        }
                        heading(ui, "While presenting");
                        for key in PresentKey::ALL {
                            ui.label(RichText::new(key.key_text()).strong());
                            ui.label(key.text());
                            ui.end_row();
                        }
                    });
                });
            });
        self.shortcuts_open = open;
    }
}
