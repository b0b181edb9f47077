//! Every action of the window in one table: its name, what it does (the tooltip), its keyboard
//! shortcuts, where it lives in the menus, and whether its keys act only on the canvas. The
//! menus, the keyboard, Help ▸ Keyboard Shortcuts, the command palette and the context menus
//! all read this table; what an action does and when it is enabled are in
//! `QualmapApp::run_command` and `QualmapApp::command_enabled` (`app/mod.rs`). Adding a
//! shortcut is one line here. (rerun's `UICommand` and helix's command list work the same way.)
//!
//! The keys of presenting have a table of their own beside it ([`PresentKey`]): while
//! presenting, every key means something else.

use egui::{Key, KeyboardShortcut, Modifiers};

use super::panel::Panel;

/// An action the user can take from a menu, the keyboard, the palette or a context menu.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UiCommand {
    New,
    Open,
    OpenExample,
    Save,
    SaveAs,
    Import,
    Export,
    CompareWith,
    MergeWith,
    Quit,
    Undo,
    Redo,
    AddConcept,
    AddArea,
    AddEvidence,
    Delete,
    TogglePins,
    SelectAllConcepts,
    ClearSelection,
    Search,
    CommandPalette,
    Fit,
    ZoomIn,
    ZoomOut,
    ActualSize,
    AutomaticLayout,
    TidyLayout,
    ToggleInspector,
    ToggleTheme,
    ToggleEvidence,
    ToggleCodebook,
    ToggleSources,
    ToggleSuggestions,
    ToggleStory,
    ToggleRelationshipTypes,
    ToggleExplore,
    ToggleCompare,
    ToggleConflicts,
    ToggleAgreement,
    Present,
    ShareWithRoom,
    KeyboardShortcuts,
    About,
}

/// Where an action is listed in the menu bar (and under which heading in the shortcut help).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Menu {
    File,
    Edit,
    View,
    Windows,
    Help,
}

impl Menu {
    /// The menu's name.
    pub fn label(self) -> &'static str {
        match self {
            Menu::File => "File",
            Menu::Edit => "Edit",
            Menu::View => "View",
            Menu::Windows => "Window",
            Menu::Help => "Help",
        }
    }
}

/// One row of the table.
pub struct CommandInfo {
    /// The name in menus and the palette.
    pub text: &'static str,
    /// What it does, in a sentence (tooltips, the palette).
    pub tooltip: &'static str,
    /// Keyboard shortcuts, the first shown in menus.
    pub shortcuts: &'static [KeyboardShortcut],
    /// The menu it is listed in.
    pub menu: Menu,
    /// Its keys act only when no text field has the keyboard (plain letters, Delete, Ctrl+A).
    pub canvas_keys: bool,
}

const CMD: Modifiers = Modifiers::COMMAND;
const CMD_SHIFT: Modifiers = Modifiers::COMMAND.plus(Modifiers::SHIFT);
const NONE: Modifiers = Modifiers::NONE;

const fn key(modifiers: Modifiers, key: Key) -> KeyboardShortcut {
    KeyboardShortcut::new(modifiers, key)
}

impl UiCommand {
    /// Every action, in menu order.
    pub const ALL: [UiCommand; 43] = [
        UiCommand::New,
        UiCommand::Open,
        UiCommand::OpenExample,
        UiCommand::Save,
        UiCommand::SaveAs,
        UiCommand::Import,
        UiCommand::Export,
        UiCommand::CompareWith,
        UiCommand::MergeWith,
        UiCommand::Quit,
        UiCommand::Undo,
        UiCommand::Redo,
        UiCommand::AddConcept,
        UiCommand::AddArea,
        UiCommand::AddEvidence,
        UiCommand::Delete,
        UiCommand::TogglePins,
        UiCommand::SelectAllConcepts,
        UiCommand::ClearSelection,
        UiCommand::Search,
        UiCommand::CommandPalette,
        UiCommand::Fit,
        UiCommand::ZoomIn,
        UiCommand::ZoomOut,
        UiCommand::ActualSize,
        UiCommand::AutomaticLayout,
        UiCommand::TidyLayout,
        UiCommand::ToggleInspector,
        UiCommand::ToggleTheme,
        UiCommand::ToggleEvidence,
        UiCommand::ToggleCodebook,
        UiCommand::ToggleSources,
        UiCommand::ToggleSuggestions,
        UiCommand::ToggleStory,
        UiCommand::ToggleRelationshipTypes,
        UiCommand::ToggleExplore,
        UiCommand::ToggleCompare,
        UiCommand::ToggleConflicts,
        UiCommand::ToggleAgreement,
        UiCommand::Present,
        UiCommand::ShareWithRoom,
        UiCommand::KeyboardShortcuts,
        UiCommand::About,
    ];

    /// The window toggles the toolbar shows (where the window is wide enough, else folded into
    /// its "Windows" menu): the evidence work's. Every other window is in the Window menu, the
    /// palette and the shortcut help.
    pub const TOOLBAR_WINDOWS: [UiCommand; 6] = [
        UiCommand::ToggleEvidence,
        UiCommand::ToggleCodebook,
        UiCommand::ToggleSources,
        UiCommand::ToggleSuggestions,
        UiCommand::ToggleStory,
        UiCommand::ToggleRelationshipTypes,
    ];

    /// The action's row of the table.
    pub fn info(self) -> CommandInfo {
        use Menu::*;
        let row =
            |text, tooltip, shortcuts, menu, canvas_keys| CommandInfo { text, tooltip, shortcuts, menu, canvas_keys };
        match self {
            UiCommand::New => row("New", "Start a new, empty map", const { &[key(CMD, Key::N)] }, File, false),
            UiCommand::Open => row("Open…", "Open a map file", const { &[key(CMD, Key::O)] }, File, false),
            UiCommand::OpenExample => {
                row("Open Example Map", "Open the built-in example (Steven, Oxley & Fleming 2008)", &[], File, false)
            }
            UiCommand::Save => row("Save", "Save the map to its file", const { &[key(CMD, Key::S)] }, File, false),
            UiCommand::SaveAs => {
                row("Save As…", "Save the map to a new file", const { &[key(CMD_SHIFT, Key::S)] }, File, false)
            }
            UiCommand::Import => row(
                "Import…",
                "Coded data from NVivo, ATLAS.ti, MAXQDA, QualCoder (REFI-QDA .qdpx, .qdc, coded-segment tables) or a graph",
                const { &[key(CMD, Key::I)] },
                File,
                false,
            ),
            UiCommand::Export => row(
                "Export…",
                "A figure (SVG, PNG, PDF), a graph or an evidence appendix",
                const { &[key(CMD, Key::E)] },
                File,
                false,
            ),
            UiCommand::CompareWith => row(
                "Compare With…",
                "What differs from another copy of this map: outlined on the map and listed to step through",
                &[],
                File,
                false,
            ),
            UiCommand::MergeWith => row(
                "Merge Map…",
                "Merge another copy of this map (e.g. a shared drive's conflicted copy) into it, as one undoable step",
                &[],
                File,
                false,
            ),
            UiCommand::Quit => {
                row("Quit", "Close Qualmap (it asks about unsaved changes)", const { &[key(CMD, Key::Q)] }, File, false)
            }
            UiCommand::Undo => row("Undo", "Undo the last change", const { &[key(CMD, Key::Z)] }, Edit, false),
            UiCommand::Redo => {
                row("Redo", "Redo what was undone", const { &[key(CMD_SHIFT, Key::Z), key(CMD, Key::Y)] }, Edit, false)
            }
            UiCommand::AddConcept => row(
                "Add Concept",
                "A new concept in the middle of the view (or double-click the canvas where it should go)",
                const { &[key(NONE, Key::C)] },
                Edit,
                true,
            ),
            UiCommand::AddArea => {
                row("Add Area", "A new area holding the selected concepts", const { &[key(NONE, Key::A)] }, Edit, true)
            }
            UiCommand::AddEvidence => row(
                "Add Evidence…",
                "A new excerpt supporting the selected concept, relationship or area",
                const { &[key(NONE, Key::E)] },
                Edit,
                true,
            ),
            UiCommand::Delete => row(
                "Delete",
                "Delete the selection (its evidence is kept)",
                const { &[key(NONE, Key::Delete), key(NONE, Key::Backspace)] },
                Edit,
                true,
            ),
            UiCommand::TogglePins => row(
                "Pin or Unpin Selected Concepts",
                "Pinned concepts stay where they are in automatic layout",
                const { &[key(NONE, Key::P)] },
                Edit,
                true,
            ),
            UiCommand::SelectAllConcepts => {
                row("Select All Concepts", "Select every concept", const { &[key(CMD, Key::A)] }, Edit, true)
            }
            UiCommand::ClearSelection => row(
                "Clear Selection",
                "Clear the selection, or stop a running layout",
                const { &[key(NONE, Key::Escape)] },
                Edit,
                true,
            ),
            UiCommand::Search => {
                row("Search", "Find concepts and areas by name", const { &[key(CMD, Key::F)] }, Edit, false)
            }
            UiCommand::CommandPalette => row(
                "Command Palette…",
                "Find any action, or a concept or area to go to, by typing part of its name",
                const { &[key(CMD_SHIFT, Key::P), key(CMD, Key::K)] },
                Edit,
                false,
            ),
            UiCommand::Fit => {
                row("Fit Map to Window", "Show the whole map", const { &[key(NONE, Key::F)] }, View, true)
            }
            UiCommand::ZoomIn => {
                row("Zoom In", "Closer", const { &[key(CMD, Key::Plus), key(CMD, Key::Equals)] }, View, false)
            }
            UiCommand::ZoomOut => row("Zoom Out", "Further away", const { &[key(CMD, Key::Minus)] }, View, false),
            UiCommand::ActualSize => {
                row("Actual Size", "The map at 100 %", const { &[key(CMD, Key::Num0)] }, View, false)
            }
            UiCommand::AutomaticLayout => row(
                "Automatic Layout",
                "Lay out the whole map; pinned concepts stay (undoable, Esc stops)",
                &[],
                View,
                false,
            ),
            UiCommand::TidyLayout => {
                row("Tidy Layout", "Nudge concepts apart without moving the map much (undoable)", &[], View, false)
            }
            UiCommand::ToggleInspector => row(
                "Inspector",
                "Show or hide the inspector (it can also be resized by its edge)",
                const { &[key(CMD_SHIFT, Key::I)] },
                View,
                false,
            ),
            UiCommand::ToggleTheme => {
                row("Light or Dark Theme", "Switch between the light and dark theme", &[], View, false)
            }
            UiCommand::ToggleEvidence => row(
                "Evidence",
                "The evidence browser: every excerpt, searchable and sortable",
                const { &[key(CMD_SHIFT, Key::E)] },
                Windows,
                false,
            ),
            UiCommand::ToggleCodebook => row("Codebook", "Codes and sub-codes", &[], Windows, false),
            UiCommand::ToggleSources => {
                row("Sources", "Interviews and documents, with participant attributes", &[], Windows, false)
            }
            UiCommand::ToggleSuggestions => row(
                "Suggestions",
                "Relationships suggested by codes that co-occur in the evidence",
                &[],
                Windows,
                false,
            ),
            UiCommand::ToggleStory => row("Story", "The steps you present", &[], Windows, false),
            UiCommand::ToggleRelationshipTypes => {
                row("Relationship Types", "The kinds of relationship and how each is drawn", &[], Windows, false)
            }
            UiCommand::ToggleExplore => row(
                "Explore",
                "Follow the relationships: focus, paths between two items, loops, bridging concepts",
                const { &[key(CMD_SHIFT, Key::X)] },
                Windows,
                false,
            ),
            UiCommand::ToggleCompare => {
                row("Comparison", "What differs from another copy of this map", &[], Windows, false)
            }
            UiCommand::ToggleConflicts => {
                row("Conflicts", "What a merge could not settle, to choose mine, theirs or both", &[], Windows, false)
            }
            UiCommand::ToggleAgreement => row(
                "Agreement",
                "Intercoder agreement on each item (percent, Cohen's κ, Krippendorff's α), where coders differ, the map coloured by it",
                &[],
                Windows,
                false,
            ),
            UiCommand::Present => {
                row("Present", "Present the story full screen", const { &[key(NONE, Key::F5)] }, Windows, false)
            }
            UiCommand::ShareWithRoom => row(
                "Present to a Room",
                "Present the story and share it with the room: participants follow on their own devices and comment",
                &[],
                Windows,
                false,
            ),
            UiCommand::KeyboardShortcuts => {
                row("Keyboard Shortcuts", "Every key and mouse gesture", const { &[key(NONE, Key::F1)] }, Help, false)
            }
            UiCommand::About => row("About Qualmap", "Version and where the example comes from", &[], Help, false),
        }
    }

    /// The panel this action shows and hides: the list of panels (see `app/panel.rs`).
    pub(super) fn panel(self) -> Option<fn() -> Box<dyn Panel>> {
        fn make<T: Panel + Default>() -> Box<dyn Panel> {
            Box::new(T::default())
        }
        Some(match self {
            UiCommand::ToggleEvidence => make::<super::evidence::Browser>,
            UiCommand::ToggleCodebook => make::<super::catalogs::Codebook>,
            UiCommand::ToggleSources => make::<super::catalogs::Sources>,
            UiCommand::ToggleStory => make::<super::present::Story>,
            UiCommand::ToggleRelationshipTypes => make::<super::catalogs::RelationshipTypes>,
            UiCommand::ToggleExplore => make::<super::explore_panel::Explore>,
            UiCommand::ToggleCompare => make::<super::team::ComparePanel>,
            UiCommand::ToggleConflicts => make::<super::team::ConflictsPanel>,
            UiCommand::ToggleAgreement => make::<super::agreement_panel::Agreement>,
            _ => return None,
        })
    }

    /// The name in menus and the palette.
    pub fn text(self) -> &'static str {
        self.info().text
    }

    /// Every (shortcut, action) pair, those with more modifiers first: egui's shortcut matching
    /// lets Ctrl+S match a press of Ctrl+Shift+S, so the longer one must be asked first.
    /// Made once (the keyboard asks for it every frame).
    pub fn key_table() -> &'static [(KeyboardShortcut, UiCommand)] {
        static TABLE: std::sync::OnceLock<Vec<(KeyboardShortcut, UiCommand)>> = std::sync::OnceLock::new();
        TABLE.get_or_init(|| {
            let mut pairs: Vec<(KeyboardShortcut, UiCommand)> =
                UiCommand::ALL.iter().flat_map(|c| c.info().shortcuts.iter().map(move |s| (*s, *c))).collect();
            let count = |m: Modifiers| {
                usize::from(m.alt) + usize::from(m.shift) + usize::from(m.command || m.ctrl || m.mac_cmd)
            };
            pairs.sort_by_key(|(s, _)| std::cmp::Reverse(count(s.modifiers)));
            pairs
        })
    }
}

/// Mouse and touch gestures on the canvas (not actions: they act where the pointer is).
pub const GESTURES: [(&str, &str); 11] = [
    ("Drag the background, or scroll", "pan"),
    ("Ctrl + scroll, or pinch", "zoom around the pointer"),
    ("Click", "select a concept, relationship or area"),
    ("Shift or Ctrl + click", "add to or remove from the selection"),
    ("Shift + drag the background", "select with a rubber band"),
    ("Drag a concept", "move it (and the other selected concepts)"),
    ("Double-click the background", "add a concept there"),
    ("Double-click a concept", "rename it"),
    ("Drag from a concept's + handle", "draw a relationship to another concept or area"),
    ("Right-click", "what can be done with the item (or the map) there"),
    ("Drop a file on the window", "open a map, or import coded data or a graph"),
];

/// What a key does while presenting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PresentKey {
    Next,
    Previous,
    First,
    Last,
    GoToDigit,
    GoTo,
    Black,
    White,
    Laser,
    Dim,
    Contrast,
    PresenterView,
    Room,
    RoomCode,
    Stop,
}

impl PresentKey {
    /// Every key of presenting, in the order the help lists them.
    pub const ALL: [PresentKey; 15] = [
        PresentKey::Next,
        PresentKey::Previous,
        PresentKey::First,
        PresentKey::Last,
        PresentKey::GoToDigit,
        PresentKey::GoTo,
        PresentKey::Black,
        PresentKey::White,
        PresentKey::Laser,
        PresentKey::Dim,
        PresentKey::Contrast,
        PresentKey::PresenterView,
        PresentKey::Room,
        PresentKey::RoomCode,
        PresentKey::Stop,
    ];

    /// The keys (no modifiers) that do it.
    pub fn keys(self) -> &'static [Key] {
        match self {
            PresentKey::Next => &[Key::ArrowRight, Key::Space, Key::PageDown, Key::ArrowDown],
            PresentKey::Previous => &[Key::ArrowLeft, Key::PageUp, Key::ArrowUp],
            PresentKey::First => &[Key::Home],
            PresentKey::Last => &[Key::End],
            PresentKey::GoToDigit => &[
                Key::Num0,
                Key::Num1,
                Key::Num2,
                Key::Num3,
                Key::Num4,
                Key::Num5,
                Key::Num6,
                Key::Num7,
                Key::Num8,
                Key::Num9,
            ],
            PresentKey::GoTo => &[Key::Enter],
            PresentKey::Black => &[Key::B],
            PresentKey::White => &[Key::W],
            PresentKey::Laser => &[Key::L],
            PresentKey::Dim => &[Key::D],
            PresentKey::Contrast => &[Key::H],
            PresentKey::PresenterView => &[Key::P],
            PresentKey::Room => &[Key::R],
            PresentKey::RoomCode => &[Key::Q],
            PresentKey::Stop => &[Key::Escape],
        }
    }

    /// What it does.
    pub fn text(self) -> &'static str {
        match self {
            PresentKey::Next => "next step (or the spotlight's next excerpt)",
            PresentKey::Previous => "previous step (or excerpt)",
            PresentKey::First => "first step",
            PresentKey::Last => "last step",
            PresentKey::GoToDigit => "type a step's number…",
            PresentKey::GoTo => "…and go to it",
            PresentKey::Black => "black screen (again: back)",
            PresentKey::White => "white screen (again: back)",
            PresentKey::Laser => "laser pointer on or off",
            PresentKey::Dim => "dim what the step does not show",
            PresentKey::Contrast => "high contrast for a washed-out projector",
            PresentKey::PresenterView => "presenter view: notes, next step, timer",
            PresentKey::Room => "share with the room, or close it (desktop)",
            PresentKey::RoomCode => "show or hide the room's address and QR code",
            PresentKey::Stop => "close the spotlight or blank screen, or stop presenting",
        }
    }

    /// Its keys as the help writes them.
    pub fn key_text(self) -> String {
        match self {
            PresentKey::GoToDigit => "0 … 9".to_owned(),
            _ => self.keys().iter().map(|k| key_name(*k)).collect::<Vec<_>>().join(", "),
        }
    }
}

/// A key's name as the help writes it: words for the arrows (egui's arrow symbols are in none
/// of our fonts).
fn key_name(key: Key) -> &'static str {
    match key {
        Key::ArrowRight => "Right",
        Key::ArrowLeft => "Left",
        Key::ArrowUp => "Up",
        Key::ArrowDown => "Down",
        Key::PageDown => "Page Down",
        Key::PageUp => "Page Up",
        Key::Escape => "Esc",
        other => other.name(),
    }
}

/// How well `query` matches `text` for the palette: every character of the query in order
/// (case and accents ignored), scored higher for matches at word starts and in runs; `None`
/// when it does not match.
pub fn fuzzy_score(query: &str, text: &str) -> Option<i32> {
    let fold = |s: &str| -> Vec<char> { crate::scene::text::search_key(s, false).chars().collect() };
    let query: Vec<char> = fold(query).into_iter().filter(|c| !c.is_whitespace()).collect();
    if query.is_empty() {
        return Some(0);
    }
    let text = fold(text);
    let mut score = 0;
    let mut at = 0;
    let mut previous: Option<usize> = None;
    for q in &query {
        let found = (at..text.len()).find(|&i| text[i] == *q)?;
        let word_start = found == 0 || !text[found - 1].is_alphanumeric();
        score += 1;
        if word_start {
            score += 8;
        }
        if previous.is_some_and(|p| p + 1 == found) {
            score += 5;
        }
        previous = Some(found);
        at = found + 1;
    }
    // Shorter texts with the same matches first.
    Some(score * 4 - text.len() as i32 / 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_is_in_the_table_once_and_no_shortcut_is_taken_twice() {
        let mut seen = std::collections::HashSet::new();
        for command in UiCommand::ALL {
            assert!(seen.insert(command), "{command:?} twice");
            assert!(!command.text().is_empty());
            assert!(!command.info().tooltip.is_empty());
        }
        let mut keys = std::collections::HashSet::new();
        for &(shortcut, command) in UiCommand::key_table() {
            assert!(keys.insert((shortcut.modifiers, shortcut.logical_key)), "{command:?}: {shortcut:?} is taken");
        }
    }

    #[test]
    fn longer_shortcuts_are_asked_first() {
        let table = UiCommand::key_table();
        let save_as = table.iter().position(|(_, c)| *c == UiCommand::SaveAs).unwrap();
        let save = table.iter().position(|(_, c)| *c == UiCommand::Save).unwrap();
        assert!(save_as < save);
    }

    #[test]
    fn fuzzy_matching() {
        assert!(fuzzy_score("fit", "Fit Map to Window").is_some());
        assert!(fuzzy_score("fmw", "Fit Map to Window").is_some());
        assert!(fuzzy_score("xyz", "Fit Map to Window").is_none());
        assert!(fuzzy_score("PROBLEM", "Problem solving").is_some());
        assert!(fuzzy_score("reflexion", "Réflexion").is_some(), "accents ignored");
        // A word start beats a letter inside a word.
        assert!(fuzzy_score("s", "Save").unwrap() > fuzzy_score("s", "Most").unwrap());
        assert!(fuzzy_score("导师", "导师制度与反思性实践的关系").is_some());
    }
}
