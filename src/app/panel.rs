//! The panels that can be shown and hidden (the evidence browser, the codebook, the sources, the
//! relationship types, the story…): what each is, and how the app shows them.
//!
//! A panel is a type of its own in its own file. It implements [`Panel`]: it draws its contents
//! from a read-only [`MapContext`] and returns what it wants done as [`Action`]s; the app puts it
//! in a window (or docks it at the bottom), keeps it open or closed, and lists its toggle in the
//! Window menu, the toolbar, the palette and the shortcut help. The list of panels is the action
//! table's ([`UiCommand::panel`]): **adding a panel is its file, its `mod` line, and its action in
//! the table** (variant, row, and `panel`), nothing else. The test below checks every registered
//! panel opens and closes from its action.

use std::any::Any;

use egui::Ui;

use super::ui_command::UiCommand;
use super::{Action, MapContext, QualmapApp};

/// Where a panel is shown.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Dock {
    /// In a window of its own, this wide to begin with.
    Window { width: f32 },
    /// Across the bottom of the main window, under the canvas, this tall to begin with.
    Bottom { height: f32 },
}

/// A panel that can be shown and hidden. See the module's documentation.
pub(super) trait Panel: Any {
    /// Its title (the window's title bar; docked panels show their own heading).
    fn title(&self) -> &str;
    /// Where it is shown.
    fn dock(&self) -> Dock {
        Dock::Window { width: 420.0 }
    }
    /// Draws its contents and says what to do. Called only while the panel is open.
    fn ui(&mut self, ui: &mut Ui, cx: &MapContext<'_>) -> Vec<Action>;
}

/// A registered panel and whether it is showing.
pub(super) struct Slot {
    /// The action that shows and hides it.
    pub command: UiCommand,
    /// Whether it is showing.
    pub open: bool,
    /// The panel.
    pub panel: Box<dyn Panel>,
}

/// Every panel of the action table, closed.
pub(super) fn registered() -> Vec<Slot> {
    UiCommand::ALL
        .iter()
        .filter_map(|command| command.panel().map(|make| Slot { command: *command, open: false, panel: make() }))
        .collect()
}

impl QualmapApp {
    /// The registered panel of type `T`.
    pub(super) fn panel_mut<T: Panel>(&mut self) -> Option<&mut T> {
        self.panels.iter_mut().find_map(|slot| (slot.panel.as_mut() as &mut dyn Any).downcast_mut::<T>())
    }

    /// The slot of the panel `command` shows and hides.
    pub(super) fn panel_slot(&mut self, command: UiCommand) -> Option<&mut Slot> {
        self.panels.iter_mut().find(|slot| slot.command == command)
    }

    /// Whether the panel `command` shows and hides is showing (`None`: it names no panel).
    pub(super) fn panel_open(&self, command: UiCommand) -> Option<bool> {
        self.panels.iter().find(|slot| slot.command == command).map(|slot| slot.open)
    }

    /// Shows or hides the panel `command` names.
    pub(super) fn set_panel_open(&mut self, command: UiCommand, open: bool) {
        if let Some(slot) = self.panel_slot(command) {
            slot.open = open;
        }
    }

    /// The open docked panels: drawn before the canvas, which takes the room left.
    pub(super) fn docked_panels_ui(&mut self, ui: &mut Ui) {
        let cx = MapContext::of(&self.map, &self.view, &self.prefs);
        let mut actions = Vec::new();
        for slot in self.panels.iter_mut().filter(|slot| slot.open) {
            if let Dock::Bottom { height } = slot.panel.dock() {
                egui::Panel::bottom(("panel", slot.command))
                    .resizable(true)
                    .default_size(height)
                    .min_size(height * 0.5)
                    .show(ui, |ui| {
                        actions.extend(slot.panel.ui(ui, &cx));
                    });
            }
        }
        self.panel_actions(actions);
    }

    /// The open panels in windows of their own (drawn after the canvas, over it).
    pub(super) fn window_panels_ui(&mut self, ctx: &egui::Context) {
        let cx = MapContext::of(&self.map, &self.view, &self.prefs);
        let mut actions = Vec::new();
        for slot in self.panels.iter_mut().filter(|slot| slot.open) {
            if let Dock::Window { width } = slot.panel.dock() {
                let title = slot.panel.title().to_owned();
                let panel = &mut slot.panel;
                // The title is the window's id (unique among panels).
                egui::Window::new(title)
                    .open(&mut slot.open)
                    .default_width(width)
                    .show(ctx, |ui| actions.extend(panel.ui(ui, &cx)));
            }
        }
        self.panel_actions(actions);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable as _;

    use super::super::{Action, QualmapApp, Startup};
    use super::*;

    /// Every panel of the table opens from its action, draws its title (or heading), shows as
    /// checked in the Window menu, and closes from the same action. A new panel is tested here
    /// without a line added.
    #[test]
    fn every_registered_panel_opens_and_closes_from_its_action() {
        let mut harness = Harness::builder()
            .with_size(egui::Vec2::new(1280.0, 800.0))
            .build_eframe(|cc| QualmapApp::with_recovery_dir(cc, Startup::Example, None));
        harness.run();
        let commands: Vec<(UiCommand, String)> =
            harness.state().panels.iter().map(|slot| (slot.command, slot.panel.title().to_owned())).collect();
        assert!(commands.len() >= 5, "the browser, codebook, sources, types and story are registered");
        for (command, title) in commands {
            assert_eq!(harness.state().command_checked(command), Some(false), "{title} starts closed");
            // The toolbar's toggle may carry the same name: count, do not look for none.
            let closed = harness.query_all_by_label(&title).count();
            harness.state_mut().queue.push(Action::Run(command));
            harness.run();
            assert_eq!(harness.state().command_checked(command), Some(true), "{title} opened");
            assert!(harness.query_all_by_label(&title).count() > closed, "{title} is drawn when open");
            harness.state_mut().queue.push(Action::Run(command));
            harness.run();
            assert_eq!(harness.state().command_checked(command), Some(false), "{title} closed again");
        }
    }
}
