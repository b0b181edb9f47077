//! The desktop application: menus, the canvas, the inspector, files and dialogs.
//!
//! State is kept in three places: the [`Document`] (saved in the map file, changed only through
//! [`Command`]s), the [`Prefs`] (theme and recent files, saved by eframe's storage) and the
//! [`ViewState`] (camera, selection, drag), which is never saved in the map.

mod canvas;
mod files;
mod inspector;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use egui::{Key, KeyboardShortcut, Modifiers};

use crate::command::{Command, History};
use crate::model::{Document, ItemRef, example, io};
use crate::scene::{MapTheme, Scene, TextMeasure, ThemeKind, build_scene};
pub use canvas::Camera;
use files::{DialogOutcome, DialogPurpose, FileDialogs};

/// What the app opens on.
#[derive(Clone, Debug, Default)]
pub enum Startup {
    /// The built-in example map.
    #[default]
    Example,
    /// A blank map.
    Blank,
    /// A map file.
    File(PathBuf),
}

/// User preferences, kept between runs by eframe's storage (never in the map file).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// Light or dark.
    pub theme: ThemeKind,
    /// Most recently opened or saved maps, newest first.
    pub recent: Vec<PathBuf>,
    /// Whether the inspector panel is shown.
    pub show_inspector: bool,
}

impl Default for Prefs {
    fn default() -> Self {
        Self {
            theme: ThemeKind::Light,
            recent: Vec::new(),
            show_inspector: true,
        }
    }
}

/// How many recent files are remembered.
const RECENT_LIMIT: usize = 10;
const PREFS_KEY: &str = "qualmap-prefs";

/// Transient view state: never written into the document.
pub struct ViewState {
    /// Where the canvas looks and how close.
    pub camera: Camera,
    /// Selected items, sorted.
    pub selection: BTreeSet<ItemRef>,
    /// Fit the map to the canvas on the next frame.
    pub fit_requested: bool,
    /// The last canvas rectangle, in screen points.
    pub canvas_rect: egui::Rect,
    drag: Option<canvas::DragState>,
}

impl Default for ViewState {
    fn default() -> Self {
        Self {
            camera: Camera::default(),
            selection: BTreeSet::new(),
            fit_requested: true,
            canvas_rect: egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1280.0, 800.0)),
            drag: None,
        }
    }
}

/// Something that replaces the open map, and so must first ask about unsaved changes.
#[derive(Clone, Debug, PartialEq)]
enum Replace {
    New,
    Example,
    OpenDialog,
    Open(PathBuf),
    Quit,
}

/// A message shown in a modal window until dismissed.
struct Alert {
    title: String,
    body: String,
}

/// The Qualmap application.
pub struct QualmapApp {
    doc: Document,
    history: History,
    /// The file the map was opened from or saved to; `None` for the example or a new map.
    path: Option<PathBuf>,
    /// The name shown for a map that has no file yet.
    unsaved_name: String,
    prefs: Prefs,
    view: ViewState,
    /// Changes whenever the document does, so the scene is rebuilt only then.
    revision: u64,
    scene_cache: Option<((u64, ThemeKind), Scene)>,
    dialogs: FileDialogs,
    confirm: Option<Replace>,
    alert: Option<Alert>,
    status: String,
    allow_close: bool,
    title_sent: String,
}

impl QualmapApp {
    /// Creates the app, restoring preferences from eframe's storage when there is one.
    pub fn new(cc: &eframe::CreationContext<'_>, startup: Startup) -> Self {
        let prefs: Prefs = cc
            .storage
            .and_then(|s| eframe::get_value(s, PREFS_KEY))
            .unwrap_or_default();
        let mut app = Self::with_prefs(prefs, &cc.egui_ctx);
        match startup {
            Startup::Example => {}
            Startup::Blank => app.replace_document(Document::new_blank(), None, "Untitled.qualmap"),
            Startup::File(path) => app.open_path(&path),
        }
        app
    }

    fn with_prefs(prefs: Prefs, ctx: &egui::Context) -> Self {
        apply_theme(ctx, prefs.theme);
        let mut app = Self {
            doc: Document::default(),
            history: History::default(),
            path: None,
            unsaved_name: String::new(),
            prefs,
            view: ViewState::default(),
            revision: 0,
            scene_cache: None,
            dialogs: FileDialogs::default(),
            confirm: None,
            alert: None,
            status: String::new(),
            allow_close: false,
            title_sent: String::new(),
        };
        match example::try_document() {
            Ok(doc) => app.replace_document(doc, None, example::EXAMPLE_NAME),
            Err(err) => {
                app.replace_document(Document::new_blank(), None, "Untitled.qualmap");
                app.alert("The built-in example could not be read", err.to_string());
            }
        }
        app
    }

    /// The open document.
    pub fn document(&self) -> &Document {
        &self.doc
    }

    /// The view state (camera, selection).
    pub fn view(&self) -> &ViewState {
        &self.view
    }

    /// The view state, for changing it (tests move the camera).
    pub fn view_mut(&mut self) -> &mut ViewState {
        &mut self.view
    }

    /// Whether the map has changes that are not saved.
    pub fn is_dirty(&self) -> bool {
        self.history.is_dirty()
    }

    /// The file the map belongs to, if it has been saved or opened from one.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The text of the message window, if one is showing.
    pub fn alert_text(&self) -> Option<String> {
        self.alert
            .as_ref()
            .map(|a| format!("{}\n{}", a.title, a.body))
    }

    /// The camera that shows the whole map in the last known canvas rectangle.
    pub fn fitted_camera(&mut self, measure: &dyn TextMeasure) -> Camera {
        let bounds = self.scene(measure).bounds;
        Camera::fit(bounds, canvas::map_area(self.view.canvas_rect))
    }

    fn scene(&mut self, measure: &dyn TextMeasure) -> &Scene {
        let key = (self.revision, self.prefs.theme);
        let stale = self.scene_cache.as_ref().is_none_or(|(k, _)| *k != key);
        if stale {
            let scene = build_scene(&self.doc, &MapTheme::new(self.prefs.theme), measure);
            self.scene_cache = Some((key, scene));
        }
        match &self.scene_cache {
            Some((_, scene)) => scene,
            None => unreachable_scene(),
        }
    }

    fn replace_document(&mut self, doc: Document, path: Option<PathBuf>, unsaved_name: &str) {
        self.doc = doc;
        self.history = History::default();
        self.path = path;
        self.unsaved_name = unsaved_name.to_owned();
        self.view.selection.clear();
        self.view.drag = None;
        self.view.fit_requested = true;
        self.revision += 1;
    }

    fn touch(&mut self) {
        self.revision += 1;
    }

    /// Applies a command as one undo step.
    pub fn apply(&mut self, command: Command) {
        match self.history.apply(&mut self.doc, command) {
            Ok(()) => self.touch(),
            Err(err) => self.status = format!("Could not change the map: {err}"),
        }
    }

    fn undo(&mut self) {
        if let Some(label) = self.history.undo(&mut self.doc) {
            self.status = format!("Undid {label}");
            self.prune_selection();
            self.touch();
        }
    }

    fn redo(&mut self) {
        if let Some(label) = self.history.redo(&mut self.doc) {
            self.status = format!("Redid {label}");
            self.prune_selection();
            self.touch();
        }
    }

    fn prune_selection(&mut self) {
        let doc = &self.doc;
        self.view
            .selection
            .retain(|item| doc.provenance_of(*item).is_some());
    }

    fn alert(&mut self, title: &str, body: String) {
        self.alert = Some(Alert {
            title: title.to_owned(),
            body,
        });
    }

    fn display_name(&self) -> String {
        self.path.as_ref().and_then(|p| p.file_name()).map_or_else(
            || self.unsaved_name.clone(),
            |n| n.to_string_lossy().into_owned(),
        )
    }

    /// The window title: file name, an unsaved-changes marker, the app name.
    pub fn window_title(&self) -> String {
        let marker = if self.is_dirty() { "● " } else { "" };
        format!("{marker}{} — Qualmap", self.display_name())
    }

    // ----- Files -------------------------------------------------------------------------------

    /// Opens a map file, replacing the open map; on failure the open map is kept and the error
    /// shown.
    pub fn open_path(&mut self, path: &Path) {
        match io::load_path(path) {
            Ok(doc) => {
                self.replace_document(doc, Some(path.to_owned()), "");
                self.remember_recent(path);
                self.status = format!("Opened {}", path.display());
            }
            Err(err) => {
                self.alert("Could not open the map", err.to_string());
                self.prefs.recent.retain(|p| p != path || p.exists());
            }
        }
    }

    fn save_to(&mut self, path: &Path) -> bool {
        match io::save_path(&self.doc, path) {
            Ok(()) => {
                self.path = Some(path.to_owned());
                self.history.mark_saved();
                self.remember_recent(path);
                self.status = format!("Saved {}", path.display());
                true
            }
            Err(err) => {
                self.alert("Could not save the map", err.to_string());
                false
            }
        }
    }

    /// Saves to the map's file, or asks where when it has none. Returns whether it saved now.
    fn save(&mut self, ctx: &egui::Context, then: Option<Replace>) -> bool {
        match self.path.clone() {
            Some(path) => {
                let saved = self.save_to(&path);
                if saved && let Some(next) = then {
                    self.perform(ctx, next);
                }
                saved
            }
            None => {
                self.save_as(ctx, then);
                false
            }
        }
    }

    fn save_as(&mut self, ctx: &egui::Context, then: Option<Replace>) {
        let name = self.display_name();
        let name = if Path::new(&name).extension().is_some() {
            name
        } else {
            format!("{name}.qualmap")
        };
        let folder = self
            .path
            .as_ref()
            .and_then(|p| p.parent())
            .map(Path::to_owned);
        self.dialogs.save_as(
            ctx,
            &name,
            folder,
            DialogPurpose::SaveAs(then.map(Box::new)),
        );
    }

    fn remember_recent(&mut self, path: &Path) {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        self.prefs.recent.retain(|p| *p != path);
        self.prefs.recent.insert(0, path);
        self.prefs.recent.truncate(RECENT_LIMIT);
    }

    /// Asks to replace the open map; if there are unsaved changes the user is asked first.
    fn request(&mut self, ctx: &egui::Context, action: Replace) {
        if self.is_dirty() {
            self.confirm = Some(action);
        } else {
            self.perform(ctx, action);
        }
    }

    fn perform(&mut self, ctx: &egui::Context, action: Replace) {
        match action {
            Replace::New => {
                self.replace_document(Document::new_blank(), None, "Untitled.qualmap");
                self.status = "New map".to_owned();
            }
            Replace::Example => {
                self.replace_document(example::document(), None, example::EXAMPLE_NAME);
                self.status = "Opened the built-in example".to_owned();
            }
            Replace::OpenDialog => {
                let folder = self
                    .path
                    .as_ref()
                    .and_then(|p| p.parent())
                    .map(Path::to_owned);
                self.dialogs.open(ctx, folder);
            }
            Replace::Open(path) => self.open_path(&path),
            Replace::Quit => {
                self.allow_close = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
    }

    fn handle_dialog_outcomes(&mut self, ctx: &egui::Context) {
        while let Some(DialogOutcome { purpose, path }) = self.dialogs.poll() {
            let Some(path) = path else { continue };
            match purpose {
                DialogPurpose::Open => self.open_path(&path),
                DialogPurpose::SaveAs(then) => {
                    let path = with_qualmap_extension(path);
                    if self.save_to(&path)
                        && let Some(next) = then
                    {
                        self.perform(ctx, *next);
                    }
                }
            }
        }
    }

    // ----- Input -------------------------------------------------------------------------------

    fn handle_shortcuts(&mut self, ctx: &egui::Context) {
        let command = Modifiers::COMMAND;
        let shortcut = |modifiers, key| KeyboardShortcut::new(modifiers, key);
        let pressed = |s: KeyboardShortcut| ctx.input_mut(|i| i.consume_shortcut(&s));
        if pressed(shortcut(command | Modifiers::SHIFT, Key::S)) {
            self.save_as(ctx, None);
        }
        if pressed(shortcut(command, Key::S)) {
            self.save(ctx, None);
        }
        if pressed(shortcut(command, Key::O)) {
            self.request(ctx, Replace::OpenDialog);
        }
        if pressed(shortcut(command, Key::N)) {
            self.request(ctx, Replace::New);
        }
        if pressed(shortcut(command, Key::Q)) {
            self.request(ctx, Replace::Quit);
        }
        if pressed(shortcut(command | Modifiers::SHIFT, Key::Z))
            || pressed(shortcut(command, Key::Y))
        {
            self.redo();
        }
        if pressed(shortcut(command, Key::Z)) {
            self.undo();
        }
        // Plain keys act on the canvas only when no text field has the keyboard.
        if !ctx.egui_wants_keyboard_input() {
            if pressed(shortcut(Modifiers::NONE, Key::F)) {
                self.view.fit_requested = true;
            }
            if pressed(shortcut(Modifiers::NONE, Key::Escape)) {
                self.view.selection.clear();
            }
            if pressed(shortcut(command, Key::A)) {
                self.view.selection = self
                    .doc
                    .concepts
                    .iter()
                    .map(|c| ItemRef::Concept(c.id))
                    .collect();
            }
        }
    }

    fn handle_dropped_files(&mut self, ctx: &egui::Context) {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_owned())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if let Some(path) = dropped.into_iter().next() {
            self.request(ctx, Replace::Open(path));
        }
    }

    fn handle_close_request(&mut self, ctx: &egui::Context) {
        if ctx.input(|i| i.viewport().close_requested()) && self.is_dirty() && !self.allow_close {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.confirm = Some(Replace::Quit);
        }
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let title = self.window_title();
        if title != self.title_sent {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title_sent = title;
        }
    }

    // ----- Panels -------------------------------------------------------------------------------

    fn menu_bar_ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        let shortcut_text = |s: KeyboardShortcut| ctx.format_shortcut(&s);
        let cmd = Modifiers::COMMAND;
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if ui.add(egui::Button::new("New").shortcut_text(shortcut_text(KeyboardShortcut::new(cmd, Key::N)))).clicked() {
                    self.request(&ctx, Replace::New);
                }
                if ui.add(egui::Button::new("Open…").shortcut_text(shortcut_text(KeyboardShortcut::new(cmd, Key::O)))).clicked() {
                    self.request(&ctx, Replace::OpenDialog);
                }
                ui.menu_button("Open Recent", |ui| {
                    if self.prefs.recent.is_empty() {
                        ui.label("No recent maps");
                    }
                    for path in self.prefs.recent.clone() {
                        let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
                        if ui.button(name).on_hover_text(path.display().to_string()).clicked() {
                            self.request(&ctx, Replace::Open(path));
                        }
                    }
                    if !self.prefs.recent.is_empty() {
                        ui.separator();
                        if ui.button("Clear Recent").clicked() {
                            self.prefs.recent.clear();
                        }
                    }
                });
                if ui.button("Open Example Map").clicked() {
                    self.request(&ctx, Replace::Example);
                }
                ui.separator();
                if ui.add(egui::Button::new("Save").shortcut_text(shortcut_text(KeyboardShortcut::new(cmd, Key::S)))).clicked() {
                    self.save(&ctx, None);
                }
                if ui
                    .add(egui::Button::new("Save As…").shortcut_text(shortcut_text(KeyboardShortcut::new(cmd | Modifiers::SHIFT, Key::S))))
                    .clicked()
                {
                    self.save_as(&ctx, None);
                }
                ui.separator();
                if ui.add(egui::Button::new("Quit").shortcut_text(shortcut_text(KeyboardShortcut::new(cmd, Key::Q)))).clicked() {
                    self.request(&ctx, Replace::Quit);
                }
            });
            ui.menu_button("Edit", |ui| {
                let undo = self.history.undo_label().map_or_else(|| "Undo".to_owned(), |l| format!("Undo {l}"));
                let redo = self.history.redo_label().map_or_else(|| "Redo".to_owned(), |l| format!("Redo {l}"));
                let can_undo = self.history.undo_label().is_some();
                let can_redo = self.history.redo_label().is_some();
                if ui
                    .add_enabled(can_undo, egui::Button::new(undo).shortcut_text(shortcut_text(KeyboardShortcut::new(cmd, Key::Z))))
                    .clicked()
                {
                    self.undo();
                }
                if ui
                    .add_enabled(
                        can_redo,
                        egui::Button::new(redo).shortcut_text(shortcut_text(KeyboardShortcut::new(cmd | Modifiers::SHIFT, Key::Z))),
                    )
                    .clicked()
                {
                    self.redo();
                }
                ui.separator();
                if ui.add(egui::Button::new("Select All Concepts").shortcut_text(shortcut_text(KeyboardShortcut::new(cmd, Key::A)))).clicked() {
                    self.view.selection = self.doc.concepts.iter().map(|c| ItemRef::Concept(c.id)).collect();
                }
            });
            ui.menu_button("View", |ui| {
                if ui.add(egui::Button::new("Fit Map to Window").shortcut_text("F")).clicked() {
                    self.view.fit_requested = true;
                }
                ui.checkbox(&mut self.prefs.show_inspector, "Inspector");
                ui.separator();
                ui.label("Theme");
                let mut theme = self.prefs.theme;
                ui.radio_value(&mut theme, ThemeKind::Light, "Light");
                ui.radio_value(&mut theme, ThemeKind::Dark, "Dark");
                if theme != self.prefs.theme {
                    self.prefs.theme = theme;
                    apply_theme(&ctx, theme);
                }
            });
            ui.menu_button("Help", |ui| {
                if ui.button("About Qualmap").clicked() {
                    self.alert(
                        "About Qualmap",
                        format!(
                            "Qualmap {}\nConceptual maps grounded in coded qualitative evidence.\n\nThe built-in example is drawn from:\n{}",
                            env!("CARGO_PKG_VERSION"),
                            example::document().info.citation
                        ),
                    );
                }
                if ui.button("Mouse and Keys").clicked() {
                    self.alert("Mouse and keys", HELP_TEXT.to_owned());
                }
            });
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("Fit").on_hover_text("Fit the map to the window (F)").clicked() {
                    self.view.fit_requested = true;
                }
                let theme_label = match self.prefs.theme {
                    ThemeKind::Light => "Dark theme",
                    ThemeKind::Dark => "Light theme",
                };
                if ui.button(theme_label).clicked() {
                    self.prefs.theme = match self.prefs.theme {
                        ThemeKind::Light => ThemeKind::Dark,
                        ThemeKind::Dark => ThemeKind::Light,
                    };
                    apply_theme(&ctx, self.prefs.theme);
                }
            });
        });
    }

    fn status_bar_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            let counts = self.doc.counts();
            ui.label(format!(
                "{} concepts · {} areas · {} relationships · {} evidence items",
                counts.concepts, counts.areas, counts.relationships, counts.evidence
            ));
            ui.separator();
            ui.label(format!("Zoom {:.0}%", self.view.camera.zoom * 100.0));
            if !self.status.is_empty() {
                ui.separator();
                ui.label(&self.status);
            }
            if self.dialogs.is_busy() {
                ui.separator();
                ui.spinner();
                ui.label("Waiting for the file dialog…");
            }
        });
    }

    fn dialogs_ui(&mut self, ctx: &egui::Context) {
        if let Some(action) = self.confirm.clone() {
            let verb = match &action {
                Replace::Quit => "closing",
                Replace::New => "starting a new map",
                _ => "opening another map",
            };
            let mut choice = None;
            egui::Modal::new(egui::Id::unique("confirm-unsaved")).show(ctx, |ui| {
                ui.set_max_width(380.0);
                ui.heading("Unsaved changes");
                ui.label(format!(
                    "Save the changes to “{}” before {verb}?",
                    self.display_name()
                ));
                ui.label(
                    egui::RichText::new("If you don't save, your changes will be lost.").weak(),
                );
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.button("Save").clicked() {
                        choice = Some(0);
                    }
                    if ui.button("Don't Save").clicked() {
                        choice = Some(1);
                    }
                    if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape)) {
                        choice = Some(2);
                    }
                });
            });
            match choice {
                Some(0) => {
                    self.confirm = None;
                    self.save(ctx, Some(action));
                }
                Some(1) => {
                    self.confirm = None;
                    self.perform(ctx, action);
                }
                Some(_) => self.confirm = None,
                None => {}
            }
        }
        if let Some(alert) = &self.alert {
            let mut close = false;
            egui::Modal::new(egui::Id::unique("alert")).show(ctx, |ui| {
                ui.set_max_width(560.0);
                ui.heading(&alert.title);
                ui.add_space(4.0);
                egui::ScrollArea::vertical()
                    .max_height(320.0)
                    .show(ui, |ui| {
                        ui.add(
                            egui::Label::new(egui::RichText::new(&alert.body).monospace())
                                .selectable(true),
                        );
                    });
                ui.add_space(8.0);
                if ui.button("OK").clicked()
                    || ui.input(|i| i.key_pressed(Key::Escape) || i.key_pressed(Key::Enter))
                {
                    close = true;
                }
            });
            if close {
                self.alert = None;
            }
        }
    }
}

const HELP_TEXT: &str = "\
Drag the background      pan
Scroll                   pan
Ctrl + scroll, pinch     zoom around the pointer
F                        fit the map to the window
Click                    select a concept, relationship or area
Shift/Ctrl + click       add to or remove from the selection
Shift + drag background  select with a rubber band
Drag a concept           move it (and the other selected concepts)
Esc                      clear the selection
Ctrl+Z / Ctrl+Shift+Z    undo / redo
Drop a .qualmap file     open it";

fn with_qualmap_extension(path: PathBuf) -> PathBuf {
    if path.extension().is_some() {
        path
    } else {
        path.with_extension("qualmap")
    }
}

fn apply_theme(ctx: &egui::Context, theme: ThemeKind) {
    ctx.set_theme(match theme {
        ThemeKind::Light => egui::Theme::Light,
        ThemeKind::Dark => egui::Theme::Dark,
    });
}

/// Never reached: the cache is filled just before. Returning an empty scene keeps the draw
/// path free of panics all the same.
fn unreachable_scene() -> &'static Scene {
    static EMPTY: std::sync::OnceLock<Scene> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Scene::default)
}

impl eframe::App for QualmapApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.handle_dialog_outcomes(&ctx);
        self.handle_close_request(&ctx);
        self.handle_dropped_files(&ctx);
        if self.confirm.is_none() && self.alert.is_none() {
            self.handle_shortcuts(&ctx);
        }
        self.update_title(&ctx);

        egui::Panel::top("menu-bar").show(ui, |ui| self.menu_bar_ui(ui));
        egui::Panel::bottom("status-bar").show(ui, |ui| self.status_bar_ui(ui));
        if self.prefs.show_inspector {
            egui::Panel::right("inspector")
                .default_size(360.0)
                .min_size(260.0)
                .show(ui, |ui| self.inspector_ui(ui));
        }
        egui::CentralPanel::no_frame().show(ui, |ui| self.canvas_ui(ui));
        self.dialogs_ui(&ctx);
        if self.dialogs.is_busy() {
            ctx.request_repaint_after(std::time::Duration::from_millis(200));
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, PREFS_KEY, &self.prefs);
    }
}
