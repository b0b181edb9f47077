//! The desktop application: menus, the canvas, the inspector, files and dialogs.
//!
//! State is kept in three places: the [`Document`] (saved in the map file, changed only through
//! [`Command`]s), the [`Prefs`] (theme and recent files, saved by eframe's storage) and the
//! [`ViewState`] (camera, selection, drag), which is never saved in the map.

mod agreement_panel;
mod bidi_text;
pub mod canvas;
mod catalogs;
mod context_menu;
mod evidence;
mod explore_panel;
#[cfg_attr(target_arch = "wasm32", allow(dead_code, unused_imports))]
mod export_dialog;
mod files;
#[cfg_attr(target_arch = "wasm32", allow(dead_code, unused_imports))]
mod import_dialog;
mod inspector;
mod layout_job;
mod open_map;
mod palette;
mod panel;
mod present;
pub mod recovery;
#[cfg(not(target_arch = "wasm32"))]
mod room_host;
#[cfg(target_arch = "wasm32")]
mod room_link;
mod tasks;
pub mod team;
pub use team::Then;
mod toolbar;
mod ui_command;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use egui::Key;

use crate::command::{Command, CommandError, Element, MergeKey};
use crate::model::support::{EvidenceFilter, SupportMode};
use crate::model::{Document, EvidenceId, ItemRef, RelationshipId, example, io};
use crate::scene::{EguiMeasure, Scene, SceneOptions, TextMeasure, ThemeKind, build_scene};
pub use canvas::Camera;
use files::{DialogOutcome, DialogPurpose, FileDialogs};
use ui_command::UiCommand;

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
    /// A map already read (the web build fetches the one its page names), with its file name.
    Document(Box<Document>, String),
}

/// What the page the browser build runs on asks of it (`qualmap::web`); the desktop app has the
/// default.
#[derive(Clone, Debug, Default)]
pub struct PageOptions {
    /// The map can be read, not changed (a published figure).
    pub read_only: bool,
    /// The address of the workshop room to follow (ends in `/`).
    pub room: Option<String>,
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
    /// Name recorded as the coder of new evidence.
    pub coder: String,
    /// The name this browser gives its comments in a workshop room.
    pub pseudonym: String,
    /// Export choices, remembered between uses.
    pub export: export_dialog::ExportPrefs,
    /// Column mappings chosen for coded-segment tables, by their header row.
    pub table_mappings: std::collections::BTreeMap<String, crate::import::table::ColumnMapping>,
    /// Whether search tells accented letters from plain ones (é from e); case never counts.
    pub match_accents: bool,
    /// Size of the window's text (menus, panels, the inspector).
    pub ui_text: TextSize,
    /// Size of the map's own text (on the canvas and in exports).
    pub map_text: TextSize,
    /// Whether presenting opens the presenter view (notes, next step, timer) at once.
    pub presenter_view: bool,
}

/// A text size the user can choose, for the window and for the map.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TextSize {
    /// Smaller than usual.
    Small,
    /// The usual size.
    #[default]
    Normal,
    /// Larger.
    Large,
    /// Larger still, for a projector or for tired eyes.
    Larger,
}

impl TextSize {
    /// Every size, smallest first.
    pub const ALL: [TextSize; 4] = [TextSize::Small, TextSize::Normal, TextSize::Large, TextSize::Larger];

    /// The size's name in menus.
    pub fn label(self) -> &'static str {
        match self {
            TextSize::Small => "Small",
            TextSize::Normal => "Normal",
            TextSize::Large => "Large",
            TextSize::Larger => "Larger",
        }
    }

    /// Body text size of the window, in points.
    pub fn body_points(self) -> f32 {
        match self {
            TextSize::Small => 12.0,
            TextSize::Normal => 13.0,
            TextSize::Large => 15.5,
            TextSize::Larger => 18.0,
        }
    }

    /// The map's text size relative to the usual ([`crate::scene::SceneOptions::text_scale`]).
    pub fn map_scale(self) -> f32 {
        match self {
            TextSize::Small => 0.85,
            TextSize::Normal => 1.0,
            TextSize::Large => 1.2,
            TextSize::Larger => 1.45,
        }
    }
}

/// How much larger the map's text is while presenting, for the back of a room.
const PRESENT_TEXT_SCALE: f32 = 1.2;

/// Sets the window's text styles for `size`: egui's own styles scaled to its body size, with small
/// text (notes, sources, hints) kept at least 85 % of the body so it stays readable.
fn apply_text_size(ctx: &egui::Context, size: TextSize) {
    let defaults = egui::Style::default().text_styles;
    let body = size.body_points();
    let factor = body / defaults.get(&egui::TextStyle::Body).map_or(12.5, |f| f.size);
    ctx.all_styles_mut(|style| {
        for (text_style, font) in &mut style.text_styles {
            let base = defaults.get(text_style).map_or(font.size / factor, |f| f.size);
            font.size = match text_style {
                egui::TextStyle::Small => (base * factor).max(body * 0.85),
                _ => base * factor,
            };
        }
    });
}

impl Default for Prefs {
    fn default() -> Self {
        Self {
            theme: ThemeKind::Light,
            recent: Vec::new(),
            show_inspector: true,
            coder: String::new(),
            pseudonym: String::new(),
            export: Default::default(),
            table_mappings: Default::default(),
            match_accents: false,
            ui_text: TextSize::Normal,
            map_text: TextSize::Normal,
            presenter_view: false,
        }
    }
}

/// A map with more concepts and relationships than this (plus one per 20 evidence items) has
/// its first scene built on a worker thread.
const LARGE_MAP_ITEMS: usize = 3_000;

/// Scene builds slower than this move to a worker thread (see `QualmapApp::scene`).
const SCENE_IN_BACKGROUND: std::time::Duration = std::time::Duration::from_millis(40);

/// With `QUALMAP_LOG_SLOW` set, says on standard error how long slow work took.
fn log_slow(what: &str, took: std::time::Duration) {
    if took > std::time::Duration::from_millis(16) && std::env::var_os("QUALMAP_LOG_SLOW").is_some() {
        eprintln!("qualmap: {what} took {:.1} ms", took.as_secs_f64() * 1000.0);
    }
}

/// This thread's time on a CPU and waiting for one, in ns (Linux's schedstat): tells a slow
/// frame's own work from time the system gave to other threads. `None` elsewhere.
fn schedstat() -> Option<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let mut fields = text.split_whitespace().map(|f| f.parse::<u64>().ok());
    Some((fields.next()??, fields.next()??))
}

/// Starts background work (a scene build, an autosave, a layout, an export, an import…) on a
/// thread of its own at a lower scheduling priority than the window's, so that on a busy
/// machine the window's frames come first. Lowering a thread's own priority needs no
/// privileges; where it fails the work runs at normal priority.
pub(crate) fn spawn_background<T: Send + 'static>(
    name: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> std::io::Result<std::thread::JoinHandle<T>> {
    std::thread::Builder::new().name(name.to_owned()).spawn(move || {
        lower_this_threads_priority();
        work()
    })
}

/// Linux and the BSDs: nice 5 (the window's threads get about three times a worker's share of
/// a busy CPU). Windows: below normal. macOS keeps the default: this crate's scale maps onto its
/// Mach priorities differently.
fn lower_this_threads_priority() {
    #[cfg(windows)]
    let priority = thread_priority::ThreadPriority::Os(thread_priority::WinAPIThreadPriority::BelowNormal.into());
    // On the crate's 0–99 scale, mapped onto nice −20…19, 35 is nice +5.
    #[cfg(all(unix, not(target_os = "macos")))]
    let Ok(value) = thread_priority::ThreadPriorityValue::try_from(35u8) else { return };
    #[cfg(all(unix, not(target_os = "macos")))]
    let priority = thread_priority::ThreadPriority::Crossplatform(value);
    #[cfg(any(windows, all(unix, not(target_os = "macos"))))]
    let _ = thread_priority::set_current_thread_priority(priority);
}

/// How much one Zoom In step magnifies.
const ZOOM_STEP: f32 = 1.25;

/// How many recent files are remembered.
const RECENT_LIMIT: usize = 10;
const PREFS_KEY: &str = "qualmap-prefs";

/// Transient view state: never written into the document.
pub struct ViewState {
    /// Where the canvas looks and how close.
    pub camera: Camera,
    /// The map is shown to read, not to change (a read-only page): panels show no fields.
    pub read_only: bool,
    /// Selected items, sorted.
    pub selection: BTreeSet<ItemRef>,
    /// Fit the map to the canvas on the next frame.
    pub fit_requested: bool,
    /// The last fit: while the camera is still that one, the view is fitted again when the
    /// window changes size or the inspector is shown or hidden.
    pub fitted: Option<Fitted>,
    /// The last canvas rectangle, in screen points.
    pub canvas_rect: egui::Rect,
    /// The height of the canvas's legend strip as last laid out (more than one row when the
    /// canvas is narrow).
    pub legend_height: f32,
    /// What support counts (line widths, badges).
    pub support: SupportMode,
    /// Which evidence counts; shown on the canvas while active.
    pub filter: EvidenceFilter,
    /// Items picked out on the map (by the evidence browser or search), besides the selection.
    pub highlight: BTreeSet<ItemRef>,
    /// What panels asked to pick out this frame: the next frame's highlight. (A window drawn
    /// after the canvas, like Explore's picked path, reaches the map one frame later.)
    highlight_next: BTreeSet<ItemRef>,
    /// Put the keyboard in the selected item's name field on the next frame.
    pub focus_label: bool,
    /// Whether the inspector lists the excerpts the filter leaves out (dimmed and marked).
    pub show_filtered_out: bool,
    /// What the map is focused on (the rest is faded), set from the Explore window.
    pub focus: Option<FocusView>,
    /// A measure drawn on the cards' outlines (the Explore window's bridging concepts).
    pub emphasis: Option<std::sync::Arc<crate::scene::Emphasis>>,
    /// What differs from another copy of the map (File ▸ Compare with…), drawn on the canvas.
    pub compare: Option<std::sync::Arc<team::Comparison>>,
    /// A figure that colours the items (intercoder agreement, betweenness).
    pub tint: Option<std::sync::Arc<crate::scene::Tint>>,
    /// The window whose figure the colours show (they go when it closes).
    pub tint_from: Option<ui_command::UiCommand>,
    drag: Option<canvas::DragState>,
    /// What the canvas's open context menu is for.
    context: Option<context_menu::ContextTarget>,
}

impl Default for ViewState {
    fn default() -> Self {
        Self {
            camera: Camera::default(),
            read_only: false,
            selection: BTreeSet::new(),
            fit_requested: true,
            fitted: None,
            canvas_rect: egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1280.0, 800.0)),
            legend_height: canvas::LEGEND_ROW_HEIGHT,
            support: SupportMode::default(),
            filter: EvidenceFilter::default(),
            highlight: BTreeSet::new(),
            highlight_next: BTreeSet::new(),
            focus_label: false,
            show_filtered_out: false,
            focus: None,
            emphasis: None,
            compare: None,
            tint: None,
            tint_from: None,
            drag: None,
            context: None,
        }
    }
}

/// The focus in force, with the items it keeps, worked out for one revision of the map.
pub struct FocusView {
    /// What is focused on.
    pub focus: crate::explore::Focus,
    /// The items it keeps (concepts, areas, relationships).
    pub items: BTreeSet<ItemRef>,
    /// The map's revision they were worked out for.
    revision: u64,
}

/// What the view was last fitted to, and the camera that fit gave.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fitted {
    /// The window's size, in points.
    pub window: egui::Vec2,
    /// Whether the inspector was shown.
    pub inspector: bool,
    /// The camera the fit gave.
    pub camera: Camera,
    /// The part of the canvas the map was fitted into.
    pub area: egui::Rect,
}

/// Something that replaces the open map, and so must first ask about unsaved changes.
#[derive(Clone, Debug, PartialEq)]
enum Replace {
    New,
    Example,
    OpenDialog,
    Open(PathBuf),
    /// A map picked or dropped in a browser (or dropped on the desktop).
    OpenPicked(files::Picked),
    Quit,
}

/// What a panel asks the app to do after it has drawn.
enum Action {
    /// Select just this item.
    Select(ItemRef),
    /// Select this item and bring it into view.
    Focus(ItemRef),
    /// Apply an edit; edits with the same key in a row are one undo step.
    Edit(Command, Option<MergeKey>),
    /// End a run of typing.
    Seal,
    /// Ask before applying a destructive edit.
    Confirm(catalogs::Confirm),
    /// Open the evidence editor on a new excerpt linked to this item.
    NewEvidence(ItemRef),
    /// Open the evidence editor on an existing excerpt.
    EditEvidence(EvidenceId),
    /// Create a relationship type (and give it to this relationship).
    NewRelationshipType(Option<RelationshipId>),
    /// Run an action of the action table (from a menu, the palette or a context menu).
    Run(UiCommand),
    /// Add a concept at this point of the map.
    AddConceptAt(egui::Pos2),
    /// Select these items.
    SelectAll(BTreeSet<ItemRef>),
    /// Select this item and put the keyboard in its name.
    Rename(ItemRef),
    /// Pick out these items on the map this frame (the canvas is drawn after the panels).
    Highlight(Vec<ItemRef>),
    /// Whether search tells accented letters from plain ones.
    SetMatchAccents(bool),
    /// Whether the inspector lists the excerpts the filter leaves out.
    ShowFilteredOut(bool),
    /// Whether presenting opens the presenter view at once.
    SetPresenterView(bool),
    /// The name field has taken the keyboard (as asked by `ViewState::focus_label`).
    LabelFocused,
    /// Focus the map (fade all but these items' neighbourhood), or end the focus.
    SetFocus(Option<crate::explore::Focus>),
    /// Draw a measure on the cards' outlines, or stop.
    SetEmphasis(Option<std::sync::Arc<crate::scene::Emphasis>>),
    /// Stop showing the comparison with another copy.
    EndComparison,
    /// Say this on the status line.
    Status(String),
    /// Colour the items by a figure, or stop.
    SetTint(Option<std::sync::Arc<crate::scene::Tint>>, UiCommand),
}

/// What a panel may read while it draws: the map, its revision, the view state and the
/// preferences, all shared; it changes nothing, and says what it wants done as [`Action`]s.
pub(super) struct MapContext<'a> {
    /// The open map.
    pub doc: &'a Document,
    /// Its revision (listings and searches are found again when it changes).
    pub revision: u64,
    /// Camera, selection, filter, highlight.
    pub view: &'a ViewState,
    /// The preferences.
    pub prefs: &'a Prefs,
    map: &'a open_map::OpenMap,
}

impl<'a> MapContext<'a> {
    /// The context of the open map (a free function of the fields, so that a panel held in
    /// another field of the app can be borrowed beside it).
    fn of(map: &'a open_map::OpenMap, view: &'a ViewState, prefs: &'a Prefs) -> Self {
        Self { doc: map.doc(), revision: map.revision(), view, prefs, map }
    }

    /// The map's relationship graph, made once per revision and shared.
    pub fn relation_graph(&self) -> std::sync::Arc<crate::explore::RelationGraph> {
        self.map.relation_graph()
    }
}

/// A message shown in a modal window until dismissed.
struct Alert {
    title: String,
    body: String,
}

/// What a cached scene was built from.
struct SceneKey {
    revision: u64,
    theme: ThemeKind,
    support: SupportMode,
    /// The story step shown, if presenting.
    step: Option<usize>,
    /// The evidence filter the scene was built with.
    filter: EvidenceFilter,
    /// The map's text size it was built with.
    text_scale: f32,
    /// The measure drawn on the cards it was built with.
    emphasis: Option<std::sync::Arc<crate::scene::Emphasis>>,
    /// The figure that coloured the items it was built with.
    tint: Option<std::sync::Arc<crate::scene::Tint>>,
}

/// Whether two emphases (or tints) are the same one (the Explore and Agreement windows make a
/// new one for each change).
fn same_emphasis<T>(a: &Option<std::sync::Arc<T>>, b: &Option<std::sync::Arc<T>>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => std::sync::Arc::ptr_eq(a, b),
        (None, None) => true,
        _ => false,
    }
}

/// The Qualmap application.
pub struct QualmapApp {
    /// The open map, its history, file and autosave.
    map: open_map::OpenMap,
    prefs: Prefs,
    view: ViewState,
    scene_cache: Option<(SceneKey, Scene)>,
    /// The inspector panel.
    inspector: inspector::Inspector,
    /// A scene being built on a worker thread (large maps), with what it is built from.
    scene_job: Option<tasks::Task<(SceneKey, Scene, std::time::Duration)>>,
    /// How long the last scene build took; above [`SCENE_IN_BACKGROUND`] the next is built on a
    /// worker while the window keeps drawing the previous one.
    last_scene_build: std::time::Duration,
    /// A map file being read on a worker thread.
    opening: Option<(PathBuf, tasks::Task<Result<Document, io::LoadError>>)>,
    /// Another copy being read to compare with or merge in.
    team: team::TeamWork,
    /// The evidence editor window.
    evidence_editor: evidence::EvidenceEditor,
    /// The panels that can be shown and hidden (the action table's list, `panel.rs`).
    panels: Vec<panel::Slot>,
    confirm_edit: Option<catalogs::Confirm>,
    /// Work left by sessions that crashed, waiting for the user's decision (first shown first).
    orphans: Vec<recovery::Orphan>,
    search: String,
    search_hits: Option<toolbar::SearchHits>,
    search_focus: bool,
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    export_dialog: export_dialog::ExportDialog,
    import: import_dialog::ImportDialog,
    present: Option<present::Presenting>,
    layout_job: Option<layout_job::LayoutJob>,
    /// Concepts being dragged on a map whose scene is built in the background, drawn moved
    /// until a scene with the move arrives.
    drag_preview: Option<canvas::DragPreview>,
    /// The type given to the next relationship drawn on the canvas.
    last_relationship_type: Option<crate::model::RelationshipTypeId>,
    dialogs: FileDialogs,
    confirm: Option<Replace>,
    alert: Option<Alert>,
    status: String,
    allow_close: bool,
    title_sent: String,
    /// The egui context, once the first frame has run (for work on worker threads that
    /// measures text).
    egui_ctx: Option<egui::Context>,
    /// Fonts for worker threads, and the screen scale they were made for.
    worker_fonts: Option<(f32, egui::Context)>,
    /// What menus, panels, the palette and context menus asked for this frame, done once at its
    /// end.
    queue: Vec<Action>,
    /// The command palette, while open.
    palette: Option<palette::Palette>,
    /// Whether Help ▸ Keyboard Shortcuts is showing.
    shortcuts_open: bool,
    /// What the page asked for (browser build).
    page: PageOptions,
    /// The workshop room served while presenting (desktop).
    #[cfg(not(target_arch = "wasm32"))]
    room_host: Option<room_host::RoomHost>,
    /// The workshop room this page follows (browser build).
    #[cfg(target_arch = "wasm32")]
    room_link: Option<room_link::RoomLink>,
}

impl QualmapApp {
    /// Creates the app, restoring preferences from eframe's storage when there is one.
    pub fn new(cc: &eframe::CreationContext<'_>, startup: Startup) -> Self {
        Self::with_recovery_dir(cc, startup, recovery::default_dir())
    }

    /// Creates the app for a web page: no recovery files, and what the page asks for.
    pub fn for_page(cc: &eframe::CreationContext<'_>, startup: Startup, page: PageOptions) -> Self {
        let mut app = Self::with_recovery_dir(cc, startup, None);
        #[cfg(target_arch = "wasm32")]
        if let Some(room) = &page.room {
            app.room_link = room_link::RoomLink::connect(&cc.egui_ctx, room)
                .map_err(|err| app.status = format!("Could not join the room: {err}"))
                .ok();
        }
        if page.read_only {
            app.prefs.show_inspector = true;
            app.view.read_only = true;
        }
        app.page = page;
        app
    }

    /// What the status line says.
    pub fn status(&self) -> &str {
        &self.status
    }

    /// Puts `message` on the status line.
    pub fn set_status(&mut self, message: impl Into<String>) {
        self.status = message.into();
    }

    /// The step the Story window has selected (presenting starts there).
    fn story_step(&mut self) -> usize {
        self.panel_mut::<present::Story>().map_or(0, |story| story.step)
    }

    /// Whether a room is open (never in the browser build, which joins rooms).
    #[cfg(target_arch = "wasm32")]
    pub fn room_open(&self) -> bool {
        false
    }

    /// Whether the map can be changed here (a published read-only page cannot).
    pub fn read_only(&self) -> bool {
        self.page.read_only
    }

    /// Creates the app with autosave in `recovery_dir` (`None`: no autosave), offering to
    /// restore what a crashed session left there.
    pub fn with_recovery_dir(
        cc: &eframe::CreationContext<'_>,
        startup: Startup,
        recovery_dir: Option<PathBuf>,
    ) -> Self {
        let prefs: Prefs = cc.storage.and_then(|s| eframe::get_value(s, PREFS_KEY)).unwrap_or_default();
        let mut app = Self::with_prefs(prefs, &cc.egui_ctx);
        app.map.set_recovery(recovery_dir.as_deref().and_then(recovery::Session::start).map(std::sync::Arc::new));
        app.check_for_recovery();
        match startup {
            Startup::Example => {}
            Startup::Blank => app.replace_document(Document::new_blank(), None, "Untitled.qualmap"),
            // A file to import (given on the command line, or opened with Qualmap from the file
            // manager) comes into a blank map through the Import window.
            #[cfg(not(target_arch = "wasm32"))]
            Startup::File(path) if crate::import::is_import_path(&path) => {
                app.replace_document(Document::new_blank(), None, "Imported map.qualmap");
                app.import_path(&cc.egui_ctx, path);
            }
            Startup::File(path) => app.open_in_background(&cc.egui_ctx, &path),
            Startup::Document(doc, name) => app.replace_document(*doc, None, &name),
        }
        app
    }

    fn with_prefs(prefs: Prefs, ctx: &egui::Context) -> Self {
        // The bundled fonts for every script; eframe adds the system's for what they lack.
        crate::scene::fonts::install(ctx);
        apply_theme(ctx, prefs.theme);
        apply_text_size(ctx, prefs.ui_text);
        let mut app = Self {
            map: open_map::OpenMap::default(),
            prefs,
            view: ViewState::default(),
            scene_cache: None,
            inspector: inspector::Inspector::default(),
            scene_job: None,
            last_scene_build: std::time::Duration::ZERO,
            opening: None,
            team: team::TeamWork::default(),
            evidence_editor: evidence::EvidenceEditor::default(),
            panels: panel::registered(),
            confirm_edit: None,
            orphans: Vec::new(),
            search: String::new(),
            search_hits: None,
            search_focus: false,
            export_dialog: Default::default(),
            import: Default::default(),
            present: None,
            layout_job: None,
            drag_preview: None,
            last_relationship_type: None,
            dialogs: FileDialogs::default(),
            confirm: None,
            alert: None,
            status: String::new(),
            allow_close: false,
            title_sent: String::new(),
            egui_ctx: Some(ctx.clone()),
            worker_fonts: None,
            queue: Vec::new(),
            palette: None,
            shortcuts_open: false,
            page: PageOptions::default(),
            #[cfg(not(target_arch = "wasm32"))]
            room_host: None,
            #[cfg(target_arch = "wasm32")]
            room_link: None,
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
        self.map.doc()
    }

    /// The view state (camera, selection).
    pub fn view(&self) -> &ViewState {
        &self.view
    }
    /// The scene the canvas last drew, if it has drawn one.
    pub fn drawn_scene(&self) -> Option<&Scene> {
        self.scene_cache.as_ref().map(|(_, scene)| scene)
    }

    /// The view state, for changing it (tests move the camera).
    pub fn view_mut(&mut self) -> &mut ViewState {
        &mut self.view
    }

    /// Whether the map has changes that are not saved.
    pub fn is_dirty(&self) -> bool {
        self.map.is_dirty()
    }

    /// Sets the window's text size (View ▸ Text Size) and remembers it.
    pub fn set_ui_text_size(&mut self, ctx: &egui::Context, size: TextSize) {
        self.prefs.ui_text = size;
        apply_text_size(ctx, size);
    }

    /// The preferences (kept between runs).
    pub fn prefs(&self) -> &Prefs {
        &self.prefs
    }

    /// What Undo would undo, if anything (the Edit menu's label).
    pub fn undo_label(&self) -> Option<&str> {
        self.map.undo_label()
    }

    /// The file the map belongs to, if it has been saved or opened from one.
    pub fn path(&self) -> Option<&Path> {
        self.map.path()
    }

    /// The text of the message window, if one is showing.
    pub fn alert_text(&self) -> Option<String> {
        self.alert.as_ref().map(|a| format!("{}\n{}", a.title, a.body))
    }

    /// The camera that shows the whole map in the last known canvas rectangle.
    pub fn fitted_camera(&mut self, measure: &dyn TextMeasure) -> Camera {
        let bounds = self.scene(measure).bounds;
        let canvas = self.view.canvas_rect;
        Camera::fit_in(bounds, canvas::map_area(canvas, self.view.legend_height), canvas)
    }
    /// The theme the map is drawn in: the presenter's high-contrast switch overrides the preference.
    pub(super) fn effective_theme(&self) -> ThemeKind {
        if self.present.as_ref().is_some_and(|p| p.contrast) { ThemeKind::Contrast } else { self.prefs.theme }
    }

    /// What, besides the document, the map is drawn with.
    pub fn scene_options(&self) -> SceneOptions {
        let text_scale = self.prefs.map_text.map_scale();
        if let Some(step) = self.current_step() {
            return SceneOptions {
                support: self.view.support,
                filter: step.filter.clone().unwrap_or_default(),
                visible: self.map.doc().visible_in(step),
                // The step's focus fades the rest in the scene itself, as exports draw it.
                focus: self.present.as_ref().and_then(|p| p.focus.clone()),
                text_scale: text_scale * PRESENT_TEXT_SCALE,
                ..SceneOptions::new(self.effective_theme())
            };
        }
        SceneOptions {
            support: self.view.support,
            filter: self.view.filter.clone(),
            text_scale,
            emphasis: self.view.emphasis.clone(),
            tint: self.view.tint.clone(),
            ..SceneOptions::new(self.prefs.theme)
        }
    }

    /// Whether the cached scene was built from what the map would be drawn with now. Compared
    /// field by field so that a frame with nothing changed allocates nothing and makes no pass
    /// over the graph; a story step's filter and items live in the document, so the
    /// revision covers them.
    fn scene_is_current(&self, key: &SceneKey) -> bool {
        let step = self.present.as_ref().map(|p| p.step);
        key.revision == self.map.revision()
            && key.theme == self.effective_theme()
            && key.support == self.view.support
            && key.step == step
            && (step.is_some() || key.filter == self.view.filter)
            && key.text_scale == self.scene_text_scale()
            && (step.is_some() || same_emphasis(&key.emphasis, &self.view.emphasis))
            && (step.is_some() || same_emphasis(&key.tint, &self.view.tint))
    }

    /// The scene to draw: rebuilt when the map or the way it is drawn changed. Small maps are
    /// rebuilt at once; when a build has taken longer than [`SCENE_IN_BACKGROUND`] (a map of
    /// thousands of concepts) the next one runs on a worker thread (which shares the map), and
    /// the window keeps drawing the previous scene until it arrives, so no frame waits for it.
    fn scene(&mut self, measure: &dyn TextMeasure) -> &Scene {
        if let Some(job) = &mut self.scene_job {
            match job.poll() {
                tasks::Poll::Done((key, scene, took)) => {
                    self.scene_job = None;
                    // A map that has become quick to draw is drawn at once again.
                    self.last_scene_build = took;
                    // A scene of a map that has since been replaced is never shown.
                    if key.revision >= self.map.floor()
                        && let Some((_, old)) = self.scene_cache.replace((key, scene))
                    {
                        // Freeing a large scene takes milliseconds; not on the UI thread.
                        let _ = spawn_background("drop-scene", move || drop(old));
                    }
                }
                tasks::Poll::Lost => self.scene_job = None,
                tasks::Poll::Running => {}
            }
        }
        let stale = self.scene_cache.as_ref().is_none_or(|(k, _)| !self.scene_is_current(k));
        // On the web (one thread) the scene is always built in the frame.
        let in_background = cfg!(not(target_arch = "wasm32"))
            && (self.last_scene_build > SCENE_IN_BACKGROUND || self.scene_job.is_some());
        if stale
            && in_background
            && self.scene_job.is_none()
            && let Some(ctx) = self.egui_ctx.clone()
        {
            self.start_scene_job(ctx);
        }
        if stale && (!in_background || self.egui_ctx.is_none()) {
            let started = web_time::Instant::now();
            let options = self.scene_options();
            let scene = build_scene(self.map.doc(), &options, measure);
            self.scene_cache = Some((self.scene_key(&options), scene));
            self.last_scene_build = started.elapsed();
        }
        match &self.scene_cache {
            Some((_, scene)) => scene,
            None => unreachable_scene(),
        }
    }

    fn scene_key(&self, options: &SceneOptions) -> SceneKey {
        SceneKey {
            revision: self.map.revision(),
            theme: options.theme.kind,
            support: options.support,
            step: self.present.as_ref().map(|p| p.step),
            filter: options.filter.clone(),
            text_scale: options.text_scale,
            emphasis: options.emphasis.clone(),
            tint: options.tint.clone(),
        }
    }

    /// The map text scale scenes are built with now (larger while presenting).
    fn scene_text_scale(&self) -> f32 {
        let scale = self.prefs.map_text.map_scale();
        if self.current_step().is_some() { scale * PRESENT_TEXT_SCALE } else { scale }
    }

    /// Builds the scene on a worker thread, which shares the map until the next edit.
    fn start_scene_job(&mut self, ctx: egui::Context) {
        let options = self.scene_options();
        let key = self.scene_key(&options);
        let doc = self.map.shared();
        let fonts = self.worker_fonts(&ctx);
        let task = tasks::Task::spawn("scene", &ctx, move |_| {
            let started = web_time::Instant::now();
            let scene = build_scene(&doc, &options, &EguiMeasure(&fonts));
            // Let go of the map before handing over, so the next edit need not copy it.
            drop(doc);
            (key, scene, started.elapsed())
        });
        if let Ok(task) = task {
            self.scene_job = Some(task);
        }
    }

    /// An egui context of its own for measuring text on worker threads: the same fonts at the
    /// screen's scale as the window's, without contending for the window's font lock (which
    /// made frames wait while a 10,000-concept scene was measured).
    fn worker_fonts(&mut self, ctx: &egui::Context) -> egui::Context {
        let scale = ctx.pixels_per_point();
        if let Some((fonts_scale, fonts)) = &self.worker_fonts
            && *fonts_scale == scale
        {
            return fonts.clone();
        }
        let fonts = crate::scene::headless_context();
        if scale != 1.0 {
            fonts.set_pixels_per_point(scale);
            let mut output = fonts.run_ui(egui::RawInput::default(), |_| {});
            output.textures_delta.clear();
        }
        self.worker_fonts = Some((scale, fonts.clone()));
        fonts
    }

    /// Treats this map as one whose scenes take long to build (as a 10,000-concept map's do):
    /// scenes are built on a worker and drags draw the moved cards until one arrives. For tests.
    #[doc(hidden)]
    pub fn assume_slow_scenes(&mut self) {
        self.last_scene_build = SCENE_IN_BACKGROUND * 2;
    }

    /// Whether dragged cards are being drawn moved ahead of the map (a drag on a large map).
    pub fn drag_previewing(&self) -> bool {
        self.drag_preview.is_some()
    }

    /// Whether the scene drawn is behind the map (a large map's scene is being rebuilt).
    pub fn scene_pending(&self) -> bool {
        self.scene_job.is_some()
    }

    fn replace_document(&mut self, doc: Document, path: Option<PathBuf>, unsaved_name: &str) {
        self.map.replace(doc, path, unsaved_name);
        self.view.selection.clear();
        self.view.compare = None;
        // A map that a merge left with conflicts (git's merge driver, `qualmap merge`) opens
        // with them listed.
        if !self.map.doc().conflicts.is_empty() {
            self.set_panel_open(UiCommand::ToggleConflicts, true);
        }
        // Colours by agreement belong to the previous map's items.
        self.view.tint = None;
        self.view.drag = None;
        self.drag_preview = None;
        self.view.fit_requested = true;
        // The previous map's scene must not be drawn (or hit-tested) for this one (the map's
        // floor keeps older scenes out). A large map gets its first scene on a worker thread.
        self.scene_cache = None;
        let doc = self.map.doc();
        let size = doc.concepts.len() + doc.relationships.len() + doc.evidence.len() / 20;
        self.last_scene_build =
            if size > LARGE_MAP_ITEMS { SCENE_IN_BACKGROUND * 2 } else { std::time::Duration::ZERO };
    }

    /// Applies a command as one undo step.
    pub fn apply(&mut self, command: Command) {
        self.apply_edit(command, None);
    }

    fn apply_edit(&mut self, command: Command, merge_key: Option<MergeKey>) -> Option<CommandError> {
        self.settle_layout();
        let label = command.describe();
        if self.page.read_only {
            self.status = format!("Could not {}: this map is read-only here", label.to_lowercase());
            return Some(CommandError::ReadOnly);
        }
        match self.map.apply(command, merge_key) {
            Ok(()) => {
                self.prune_selection();
                None
            }
            Err(err) => {
                self.status = format!("Could not {}: {err}", label.to_lowercase());
                Some(err)
            }
        }
    }

    /// Takes what a panel returned: highlights at once (the canvas, drawn after the panels,
    /// shows them this frame), the rest into the frame's queue.
    /// Picks `items` out on the map: at once (panels drawn before the canvas) and on the next
    /// frame (windows drawn after it).
    pub(super) fn highlight(&mut self, items: Vec<ItemRef>) {
        self.view.highlight.extend(items.iter().copied());
        self.view.highlight_next.extend(items);
    }

    fn panel_actions(&mut self, actions: Vec<Action>) {
        for action in actions {
            match action {
                Action::Highlight(items) => self.highlight(items),
                other => self.queue.push(other),
            }
        }
    }

    /// Does what this frame's menus, panels, palette and context menus asked, in order.
    fn drain_queue(&mut self, ctx: &egui::Context) {
        let actions = std::mem::take(&mut self.queue);
        self.run_actions(ctx, actions);
    }

    fn run_actions(&mut self, ctx: &egui::Context, actions: Vec<Action>) {
        if actions.is_empty() {
            return;
        }
        for action in actions {
            match action {
                Action::Select(item) => {
                    self.map.seal();
                    self.view.selection = BTreeSet::from([item]);
                }
                Action::Focus(item) => {
                    self.view.selection = BTreeSet::from([item]);
                    self.center_on(item);
                }
                Action::Edit(command, key) => {
                    self.apply_edit(command, key);
                }
                Action::Seal => self.map.seal(),
                Action::Confirm(confirm) => self.confirm_edit = Some(confirm),
                Action::NewEvidence(item) => self.evidence_editor.open_new(self.map.doc(), item, &self.prefs.coder),
                Action::EditEvidence(id) => {
                    if let Some(evidence) = self.map.doc().evidence_item(id) {
                        self.evidence_editor.open_existing(evidence);
                    }
                }
                Action::NewRelationshipType(relationship) => {
                    let new_type = catalogs::new_relationship_type(self.map.doc());
                    let type_id = new_type.id;
                    let mut commands = vec![Command::Insert(Element::RelationshipType(new_type))];
                    if let Some(rel) = relationship.and_then(|id| self.map.doc().relationship(id)) {
                        commands.push(Command::Update(Element::Relationship(crate::model::Relationship {
                            type_id,
                            ..rel.clone()
                        })));
                    }
                    self.apply_edit(Command::Batch { label: "Add relationship type".to_owned(), commands }, None);
                    self.set_panel_open(UiCommand::ToggleRelationshipTypes, true);
                }
                Action::Run(command) => self.run_command(ctx, command),
                Action::AddConceptAt(pos) => self.add_concept_at(pos),
                Action::SelectAll(items) => self.view.selection = items,
                Action::Highlight(items) => self.highlight(items),
                Action::SetMatchAccents(on) => self.prefs.match_accents = on,
                Action::ShowFilteredOut(on) => self.view.show_filtered_out = on,
                Action::SetPresenterView(on) => self.prefs.presenter_view = on,
                Action::LabelFocused => self.view.focus_label = false,
                Action::SetEmphasis(emphasis) => self.view.emphasis = emphasis,
                Action::EndComparison => {
                    self.view.compare = None;
                    self.set_panel_open(UiCommand::ToggleCompare, false);
                }
                Action::Status(message) => self.status = message,
                Action::SetTint(tint, from) => {
                    self.view.tint_from = tint.as_ref().map(|_| from);
                    self.view.tint = tint;
                }
                Action::SetFocus(focus) => {
                    self.view.focus =
                        focus.map(|focus| FocusView { focus, items: BTreeSet::new(), revision: u64::MAX });
                    self.refresh_focus();
                }
                Action::Rename(item) => {
                    self.view.selection = BTreeSet::from([item]);
                    self.view.focus_label = true;
                    self.prefs.show_inspector = true;
                }
            }
        }
        ctx.request_repaint();
    }

    /// Works the focus's items out again if the map changed since (an edit can join or cut a
    /// path).
    fn refresh_focus(&mut self) {
        let revision = self.map.revision();
        if let Some(view) = &mut self.view.focus
            && view.revision != revision
        {
            let graph = self.map.relation_graph();
            view.items = view.focus.items(&graph);
            view.revision = revision;
        }
    }

    /// Whether `command` can be done now (menus grey it out, the palette leaves it out).
    pub(super) fn command_enabled(&self, command: UiCommand) -> bool {
        let selection = &self.view.selection;
        match command {
            // The browser build reads and writes no files yet (its pickers give contents and
            // names, not paths): what needs a file is off there, not silently ignored.
            // The browser build opens, compares and merges what is picked or dropped, and saves
            // by downloading; importing and exporting figures are the desktop's (they would
            // double the size of what a page loads), and a page is not quit.
            UiCommand::Import | UiCommand::Export | UiCommand::Quit | UiCommand::ShareWithRoom
                if cfg!(target_arch = "wasm32") =>
            {
                false
            }
            UiCommand::ShareWithRoom => !self.map.doc().story.is_empty() && !self.room_open(),
            // A read-only page reads: nothing that changes the map.
            UiCommand::New
            | UiCommand::Open
            | UiCommand::Save
            | UiCommand::SaveAs
            | UiCommand::Import
            | UiCommand::MergeWith
            | UiCommand::Undo
            | UiCommand::Redo
            | UiCommand::AddConcept
            | UiCommand::AddArea
            | UiCommand::AddEvidence
            | UiCommand::Delete
            | UiCommand::TogglePins
            | UiCommand::AutomaticLayout
            | UiCommand::TidyLayout
                if self.page.read_only =>
            {
                false
            }
            UiCommand::Undo => self.map.undo_label().is_some(),
            UiCommand::Redo => self.map.redo_label().is_some(),
            UiCommand::Delete => !selection.is_empty(),
            UiCommand::ClearSelection => !selection.is_empty() || self.layout_running(),
            UiCommand::TogglePins => selection.iter().any(|i| matches!(i, ItemRef::Concept(_))),
            UiCommand::AddEvidence => selection.len() == 1,
            UiCommand::AutomaticLayout | UiCommand::TidyLayout => !self.layout_running(),
            _ => true,
        }
    }

    /// Whether a toggle is on (`None`: not a toggle).
    pub(super) fn command_checked(&self, command: UiCommand) -> Option<bool> {
        Some(match command {
            UiCommand::ToggleInspector => self.prefs.show_inspector,
            UiCommand::ToggleSuggestions => self.import.suggestions_open,
            _ => return self.panel_open(command),
        })
    }

    /// Does `command` (see [`ui_command`] for the table of actions).
    pub(super) fn run_command(&mut self, ctx: &egui::Context, command: UiCommand) {
        if !self.command_enabled(command) {
            return;
        }
        match command {
            UiCommand::New => self.request(ctx, Replace::New),
            UiCommand::Open => self.request(ctx, Replace::OpenDialog),
            UiCommand::OpenExample => self.request(ctx, Replace::Example),
            UiCommand::Save => {
                self.save(ctx, None);
            }
            UiCommand::SaveAs => self.save_as(ctx, None),
            #[cfg(not(target_arch = "wasm32"))]
            UiCommand::Import => self.open_import_dialog(ctx),
            UiCommand::CompareWith => {
                let folder = self.map.path().and_then(|p| p.parent()).map(Path::to_owned);
                self.dialogs.pick_copy(ctx, folder, DialogPurpose::Compare);
            }
            UiCommand::MergeWith => {
                let folder = self.map.path().and_then(|p| p.parent()).map(Path::to_owned);
                self.dialogs.pick_copy(ctx, folder, DialogPurpose::Merge);
            }
            #[cfg(not(target_arch = "wasm32"))]
            UiCommand::Export => self.export_dialog.open = true,
            #[cfg(target_arch = "wasm32")]
            UiCommand::Import | UiCommand::Export => {}
            UiCommand::Quit => self.request(ctx, Replace::Quit),
            UiCommand::Undo => self.undo(),
            UiCommand::Redo => self.redo(),
            UiCommand::AddConcept => {
                let center = self.view.camera.center;
                self.add_concept_at(center);
            }
            UiCommand::AddArea => self.add_area(),
            UiCommand::AddEvidence => {
                if let Some(item) = self.view.selection.iter().next().copied() {
                    self.evidence_editor.open_new(self.map.doc(), item, &self.prefs.coder);
                }
            }
            UiCommand::Delete => {
                let items: Vec<ItemRef> = self.view.selection.iter().copied().collect();
                if !items.is_empty() {
                    self.apply(crate::command::delete_items(self.map.doc(), &items));
                }
            }
            UiCommand::TogglePins => self.toggle_pins(),
            UiCommand::SelectAllConcepts => {
                self.view.selection = self.map.doc().concepts.iter().map(|c| ItemRef::Concept(c.id)).collect();
            }
            UiCommand::ClearSelection => {
                if self.layout_running() {
                    self.stop_layout();
                } else {
                    self.view.selection.clear();
                }
            }
            UiCommand::Search => self.search_focus = true,
            UiCommand::CommandPalette => self.palette = Some(palette::Palette::default()),
            UiCommand::Fit => self.view.fit_requested = true,
            UiCommand::ZoomIn => self.zoom_view(ZOOM_STEP),
            UiCommand::ZoomOut => self.zoom_view(1.0 / ZOOM_STEP),
            UiCommand::ActualSize => {
                let zoom = self.view.camera.zoom;
                self.zoom_view(1.0 / zoom);
            }
            UiCommand::AutomaticLayout => self.start_layout(ctx, false),
            UiCommand::TidyLayout => self.start_layout(ctx, true),
            UiCommand::ToggleInspector => self.prefs.show_inspector = !self.prefs.show_inspector,
            UiCommand::ToggleTheme => {
                self.prefs.theme = match self.prefs.theme {
                    ThemeKind::Light | ThemeKind::Print => ThemeKind::Dark,
                    ThemeKind::Dark | ThemeKind::Contrast => ThemeKind::Light,
                };
                apply_theme(ctx, self.prefs.theme);
            }
            UiCommand::ToggleSuggestions => self.import.suggestions_open = !self.import.suggestions_open,
            UiCommand::Present => {
                if self.present.is_none() {
                    let step = self.story_step();
                    self.start_presenting(ctx, step);
                }
            }
            #[cfg(not(target_arch = "wasm32"))]
            UiCommand::ShareWithRoom => self.share_with_room(ctx),
            #[cfg(target_arch = "wasm32")]
            UiCommand::ShareWithRoom => {}
            UiCommand::KeyboardShortcuts => self.shortcuts_open = true,
            UiCommand::About => self.alert(
                "About Qualmap",
                format!(
                    "Qualmap {}\nConceptual maps grounded in coded qualitative evidence.\n\nThe built-in example is drawn from:\n{}",
                    env!("CARGO_PKG_VERSION"),
                    example::document().info.citation
                ),
            ),
            // The rest show and hide panels (the table's `UiCommand::panel`): a new panel needs
            // no line here.
            toggle => {
                debug_assert!(toggle.panel().is_some(), "{toggle:?} is neither handled here nor a panel");
                if let Some(slot) = self.panel_slot(toggle) {
                    slot.open = !slot.open;
                }
            }
        }
    }

    /// A menu entry for `command`: its name, first shortcut, tooltip and enabled state from the
    /// table; a click queues it. Toggles show a check mark.
    fn command_button(&mut self, ui: &mut egui::Ui, command: UiCommand) {
        let info = command.info();
        let enabled = self.command_enabled(command);
        let clicked = if let Some(mut on) = self.command_checked(command) {
            ui.add_enabled(enabled, egui::Checkbox::new(&mut on, info.text)).on_hover_text(info.tooltip).clicked()
        } else {
            let mut button = egui::Button::new(info.text);
            if let Some(shortcut) = info.shortcuts.first() {
                button = button.shortcut_text(ui.ctx().format_shortcut(shortcut));
            }
            ui.add_enabled(enabled, button).on_hover_text(info.tooltip).clicked()
        };
        if clicked {
            self.queue.push(Action::Run(command));
            ui.close();
        }
    }

    /// Moves the camera so that `item` is in the middle of the canvas.
    fn center_on(&mut self, item: ItemRef) {
        let Some((_, scene)) = &self.scene_cache else { return };
        let center = match item {
            ItemRef::Concept(id) => scene.node(id).map(|n| n.rect.center()),
            ItemRef::Area(id) => scene.areas.iter().find(|a| a.id == id).map(|a| a.label.rect.center()),
            ItemRef::Relationship(id) => {
                scene.edges.iter().find(|e| e.id == id).map(|e| crate::scene::geometry::point_along(&e.points, 0.5).0)
            }
        };
        if let Some(center) = center {
            self.view.camera.center = center;
        }
    }

    // ----- Autosave and recovery ---------------------------------------------------------------

    fn check_for_recovery(&mut self) {
        let Some(session) = self.map.recovery() else { return };
        let mut orphans = session.orphans();
        // Unreadable copies are kept aside (never overwritten) and reported.
        let mut unreadable = Vec::new();
        orphans.retain(|orphan| match &orphan.map {
            Ok(_) => true,
            Err(err) => {
                unreadable.push(format!("{err}\nIt was kept as {}.", session.set_aside(orphan).display()));
                false
            }
        });
        self.orphans = orphans;
        if !unreadable.is_empty() {
            self.alert("A recovery file could not be read", unreadable.join("\n\n"));
        }
    }

    /// Writes (or clears) the recovery file now, on this thread (after any autosave still being
    /// written on a worker).
    pub fn autosave_now(&mut self) {
        if let Some(failure) = self.map.autosave_now() {
            self.status = failure;
        }
    }

    /// Whether a change is waiting to be written to the recovery file.
    pub fn autosave_pending(&self) -> bool {
        self.map.autosave_pending()
    }

    /// Whether the recovery file is being written on a worker (which reads the map meanwhile).
    pub fn autosave_writing(&self) -> bool {
        self.map.autosave_writing()
    }

    /// Whether work from a crashed session is waiting to be restored or discarded.
    pub fn recovery_offered(&self) -> bool {
        !self.orphans.is_empty()
    }

    /// Restores the work a crashed session left (the newest first). The restored map replaces
    /// the open one, which is the untouched map this window started on.
    pub fn restore_recovery(&mut self) {
        if self.orphans.is_empty() {
            return;
        }
        let orphan = self.orphans.remove(0);
        if let Ok((doc, info)) = &orphan.map {
            self.replace_document(doc.clone(), info.path.clone(), &info.name);
            self.map.mark_unsaved();
            self.status = "Restored unsaved work".to_owned();
            // Now this session holds the work: save it as ours before dropping the orphan's copy.
            self.autosave_now();
        }
        if let Some(session) = self.map.recovery() {
            session.forget(&orphan);
        }
    }

    /// Throws away the offered recovery copy.
    pub fn discard_recovery(&mut self) {
        if self.orphans.is_empty() {
            return;
        }
        let orphan = self.orphans.remove(0);
        if let Some(session) = self.map.recovery() {
            session.forget(&orphan);
        }
    }

    fn recovery_ui(&mut self, ctx: &egui::Context) {
        let Some(Ok((doc, info))) = self.orphans.first().map(|o| &o.map) else { return };
        let body = format!(
            "Qualmap did not close normally last time. Unsaved changes to “{}” were kept ({}).",
            info.name,
            doc.counts()
        );
        let choice = choice_modal(
            ctx,
            "offer-recovery",
            420.0,
            "Restore unsaved work?",
            &[body.into()],
            &["Restore", "Discard"],
            None,
        )
        .map(|i| i == 0);
        match choice {
            Some(true) => self.restore_recovery(),
            Some(false) => self.discard_recovery(),
            None => {}
        }
    }

    /// Pins the selected concepts, or unpins them when all are pinned already (one step).
    fn toggle_pins(&mut self) {
        let selected: Vec<&crate::model::Concept> = self
            .view
            .selection
            .iter()
            .filter_map(|item| match item {
                ItemRef::Concept(id) => self.map.doc().concept(*id),
                _ => None,
            })
            .collect();
        if selected.is_empty() {
            return;
        }
        let pin = !selected.iter().all(|c| c.pinned);
        let commands: Vec<Command> = selected
            .iter()
            .filter(|c| c.pinned != pin)
            .map(|c| {
                Command::Update(crate::command::Element::Concept(crate::model::Concept { pinned: pin, ..(*c).clone() }))
            })
            .collect();
        let count = commands.len();
        let label =
            format!("{} {count} concept{}", if pin { "Pin" } else { "Unpin" }, if count == 1 { "" } else { "s" });
        if self.apply_edit(Command::Batch { label: label.clone(), commands }, None).is_none() {
            self.status = label;
        }
    }

    /// Undoes the last change (Edit ▸ Undo).
    pub fn undo(&mut self) {
        self.settle_layout();
        let step = self.map.undo();
        self.after_step(step, "Undid");
    }

    fn redo(&mut self) {
        self.settle_layout();
        let step = self.map.redo();
        self.after_step(step, "Redid");
    }

    /// Says what undo or redo did, or why it could not (the step stays to try again).
    fn after_step(&mut self, step: open_map::Step, verb: &str) {
        match step {
            open_map::Step::Nothing => {}
            open_map::Step::Done(label) => {
                self.status = format!("{verb} {label}");
                self.prune_selection();
            }
            open_map::Step::Failed(failed) => {
                let failed = failed.to_string();
                let mut chars = failed.chars();
                self.status = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
            }
        }
    }

    fn prune_selection(&mut self) {
        let doc = self.map.doc();
        self.view.selection.retain(|item| doc.provenance_of(*item).is_some());
    }

    fn alert(&mut self, title: &str, body: String) {
        self.alert = Some(Alert { title: title.to_owned(), body });
    }

    fn display_name(&self) -> String {
        self.map.display_name()
    }

    /// The window title: file name, an unsaved-changes marker, the app name.
    pub fn window_title(&self) -> String {
        let marker = if self.is_dirty() { "● " } else { "" };
        // A page names its map by its title (a published site's file is map.qualmap).
        let name = match self.map.doc().info.title.trim() {
            title if cfg!(target_arch = "wasm32") && !title.is_empty() => title.to_owned(),
            _ => self.display_name(),
        };
        // While presenting, the step too: a participant's tab says where the room is.
        let step = match &self.present {
            Some(present) => format!(" · step {} of {}", present.step + 1, self.map.doc().story.len()),
            None => String::new(),
        };
        format!("{marker}{name}{step} — Qualmap")
    }

    // ----- Files -------------------------------------------------------------------------------

    /// Opens a map file, replacing the open map; on failure the open map is kept and the error
    /// shown.
    pub fn open_path(&mut self, path: &Path) {
        let result = io::load_path(path);
        self.finish_open(path, result);
    }

    /// Opens a map file on a worker thread (reading and checking a large map takes a while);
    /// the open map stays until the new one is ready, and the status bar says what is happening.
    pub fn open_in_background(&mut self, ctx: &egui::Context, path: &Path) {
        let target = path.to_owned();
        match tasks::Task::spawn("open", ctx, move |_| io::load_path(&target)) {
            Ok(task) => {
                self.status = format!("Opening {}…", path.display());
                self.opening = Some((path.to_owned(), task));
            }
            Err(_) => self.open_path(path),
        }
    }

    /// Whether a map is being opened.
    pub fn is_opening(&self) -> bool {
        self.opening.is_some()
    }

    fn poll_opening(&mut self) {
        let Some((path, task)) = &mut self.opening else { return };
        let path = path.clone();
        let result = match task.poll() {
            tasks::Poll::Done(result) => result,
            tasks::Poll::Running => return,
            tasks::Poll::Lost => Err(io::LoadError::Io {
                origin: path.display().to_string(),
                source: std::io::Error::other("the reader stopped unexpectedly"),
            }),
        };
        self.opening = None;
        self.finish_open(&path, result);
    }

    fn finish_open(&mut self, path: &Path, result: Result<Document, io::LoadError>) {
        match result {
            Ok(doc) => {
                self.replace_document(doc, Some(path.to_owned()), "");
                self.remember_recent(path);
                self.status = format!("Opened {}", path.display());
            }
            Err(err) => {
                // What was to be done with the map (compare, merge) is not done to another.
                self.team.cancel_after_open();
                self.alert("Could not open the map", err.to_string());
                self.prefs.recent.retain(|p| p != path || p.exists());
            }
        }
    }

    fn save_to(&mut self, path: &Path) -> bool {
        match self.map.save_to(path) {
            Ok(()) => {
                self.autosave_now();
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
    #[cfg(not(target_arch = "wasm32"))]
    fn save(&mut self, ctx: &egui::Context, then: Option<Replace>) -> bool {
        match self.map.path().map(Path::to_path_buf) {
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

    #[cfg(not(target_arch = "wasm32"))]
    fn save_as(&mut self, ctx: &egui::Context, then: Option<Replace>) {
        let name = self.save_name();
        let folder = self.map.path().and_then(|p| p.parent()).map(Path::to_owned);
        self.dialogs.save_as(ctx, &name, folder, DialogPurpose::SaveAs(then.map(Box::new)));
    }

    /// The file name a save suggests: the map's, with `.qualmap`.
    fn save_name(&self) -> String {
        let name = self.display_name();
        if Path::new(&name).extension().is_some() { name } else { format!("{name}.qualmap") }
    }

    /// A browser saves by downloading: the map goes to the browser's downloads as a file, and
    /// is then saved (what is open is what the file holds). Returns whether it was handed over.
    #[cfg(target_arch = "wasm32")]
    fn save(&mut self, ctx: &egui::Context, then: Option<Replace>) -> bool {
        let name = self.save_name();
        let bytes = io::to_json(self.map.doc());
        match crate::web::download(&name, "application/json", bytes.as_bytes()) {
            Ok(()) => {
                self.map.mark_saved();
                self.status = format!("Downloaded {name}");
                if let Some(next) = then {
                    self.perform(ctx, next);
                }
                true
            }
            Err(err) => {
                self.alert("Could not download the map", err);
                false
            }
        }
    }

    /// In a browser Save As is a download too (the browser asks where, if it is set to).
    #[cfg(target_arch = "wasm32")]
    fn save_as(&mut self, ctx: &egui::Context, then: Option<Replace>) {
        self.save(ctx, then);
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
                let folder = self.map.path().and_then(|p| p.parent()).map(Path::to_owned);
                self.dialogs.open(ctx, folder);
            }
            Replace::Open(path) => self.open_in_background(ctx, &path),
            Replace::OpenPicked(file) => self.open_picked(ctx, file),
            Replace::Quit => {
                self.allow_close = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
    }

    fn handle_dialog_outcomes(&mut self, ctx: &egui::Context) {
        while let Some(DialogOutcome { purpose, file }) = self.dialogs.poll() {
            let Some(file) = file else { continue };
            match purpose {
                DialogPurpose::Open => self.open_picked(ctx, file),
                // A dropped map replaces the open one only once unsaved changes are settled.
                DialogPurpose::Dropped => self.request(ctx, Replace::OpenPicked(file)),
                DialogPurpose::Compare => self.compare_with(ctx, file),
                DialogPurpose::Merge => self.merge_with(ctx, file),
                // Saving, exporting and importing are given paths (desktop dialogs only).
                #[cfg(not(target_arch = "wasm32"))]
                DialogPurpose::Export(format) => {
                    if let Some(path) = file.path() {
                        self.start_export(ctx, path.to_owned(), format);
                    }
                }
                #[cfg(not(target_arch = "wasm32"))]
                DialogPurpose::Import => {
                    if let Some(path) = file.path() {
                        self.import_path(ctx, path.to_owned());
                    }
                }
                DialogPurpose::SaveAs(then) => {
                    let Some(path) = file.path() else { continue };
                    let path = with_qualmap_extension(path.to_owned());
                    if self.save_to(&path)
                        && let Some(next) = then
                    {
                        self.perform(ctx, *next);
                    }
                }
                #[cfg(target_arch = "wasm32")]
                DialogPurpose::Export(_) | DialogPurpose::Import => {}
            }
        }
    }

    /// Opens a picked (or dropped) map: a desktop file on a worker thread, a browser's file at
    /// once.
    fn open_picked(&mut self, ctx: &egui::Context, file: files::Picked) {
        match file {
            files::Picked::Path(path) => self.open_in_background(ctx, &path),
            files::Picked::Contents { name, bytes } => match io::load_bytes(&bytes, &name) {
                Ok(doc) => {
                    self.replace_document(doc, None, &name);
                    self.status = format!("Opened {name}");
                }
                Err(err) => self.alert("Could not open the map", err.to_string()),
            },
        }
    }

    // ----- Input -------------------------------------------------------------------------------

    /// Zooms the canvas by `factor` around its centre (keyboard and menu zoom).
    fn zoom_view(&mut self, factor: f32) {
        // Around the middle of what shows above the key (the camera draws on the whole canvas).
        let area = canvas::map_area(self.view.canvas_rect, self.view.legend_height);
        self.view.camera.zoom_around(self.view.canvas_rect, area.center(), factor);
    }

    /// The keyboard: every shortcut of the action table. Keys that act on the canvas (plain
    /// letters, Delete, Ctrl+A) wait while a text field has the keyboard.
    fn handle_shortcuts(&mut self, ctx: &egui::Context) {
        let typing = ctx.egui_wants_keyboard_input();
        for &(shortcut, command) in UiCommand::key_table() {
            if typing && command.info().canvas_keys {
                continue;
            }
            if ctx.input_mut(|i| i.consume_shortcut(&shortcut)) {
                self.run_command(ctx, command);
            }
        }
    }

    fn handle_dropped_files(&mut self, ctx: &egui::Context) {
        let Some(file) = ctx.input(|i| i.raw.dropped_files.first().cloned()) else { return };
        #[cfg(not(target_arch = "wasm32"))]
        {
            let path = file.path().to_owned();
            if path.as_os_str().is_empty() {
                return;
            }
            if crate::import::is_import_path(&path) {
                // Coded data and graphs are imported into the open map (one undoable step), not opened.
                self.import_path(ctx, path);
            } else {
                self.request(ctx, Replace::Open(path));
            }
        }
        // A browser hands over a dropped file's name and (later) its contents, not a path.
        #[cfg(target_arch = "wasm32")]
        {
            let name = file.path().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if self.page.read_only {
                self.status = "This page shows its own map: it opens no other".to_owned();
            } else if !name.to_lowercase().ends_with(".qualmap") {
                self.status = format!("{name} is not a Qualmap map: coded data is imported in the desktop app");
            } else {
                self.dialogs.read_dropped(ctx, file);
            }
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
            // A browser's tab shows the page's title (eframe's web runner has no title command).
            #[cfg(target_arch = "wasm32")]
            {
                let _ = ctx;
                if let Some(document) = eframe::web_sys::window().and_then(|w| w.document()) {
                    document.set_title(&title);
                }
            }
            #[cfg(not(target_arch = "wasm32"))]
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title_sent = title;
        }
    }

    // ----- Panels -------------------------------------------------------------------------------

    fn menu_bar_ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                self.command_button(ui, UiCommand::New);
                self.command_button(ui, UiCommand::Open);
                ui.menu_button("Open Recent", |ui| {
                    if self.prefs.recent.is_empty() {
                        ui.label("No recent maps");
                    }
                    for path in self.prefs.recent.clone() {
                        let name = path
                            .file_name()
                            .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
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
                self.command_button(ui, UiCommand::OpenExample);
                ui.separator();
                self.command_button(ui, UiCommand::Save);
                self.command_button(ui, UiCommand::SaveAs);
                ui.separator();
                self.command_button(ui, UiCommand::Import);
                self.command_button(ui, UiCommand::Export);
                ui.separator();
                self.command_button(ui, UiCommand::Quit);
            });
            ui.menu_button("Edit", |ui| {
                // Undo and Redo name the step.
                for (command, label) in
                    [(UiCommand::Undo, self.map.undo_label()), (UiCommand::Redo, self.map.redo_label())]
                {
                    let text = label.map_or_else(|| command.text().to_owned(), |l| format!("{} {l}", command.text()));
                    let shortcut = command.info().shortcuts.first().map(|s| ctx.format_shortcut(s)).unwrap_or_default();
                    if ui.add_enabled(label.is_some(), egui::Button::new(text).shortcut_text(shortcut)).clicked() {
                        self.queue.push(Action::Run(command));
                    }
                }
                ui.separator();
                for command in [UiCommand::AddConcept, UiCommand::AddArea, UiCommand::AddEvidence, UiCommand::Delete] {
                    self.command_button(ui, command);
                }
                ui.separator();
                for command in [UiCommand::TogglePins, UiCommand::SelectAllConcepts, UiCommand::ClearSelection] {
                    self.command_button(ui, command);
                }
                ui.separator();
                self.command_button(ui, UiCommand::Search);
                self.command_button(ui, UiCommand::CommandPalette);
            });
            ui.menu_button("View", |ui| {
                self.command_button(ui, UiCommand::Fit);
                ui.checkbox(&mut self.prefs.match_accents, "Match Accents in Search")
                    .on_hover_text("When on, \"resume\" does not find \"résumé\" (case never matters)");
                for command in [UiCommand::ZoomIn, UiCommand::ZoomOut, UiCommand::ActualSize] {
                    self.command_button(ui, command);
                }
                self.command_button(ui, UiCommand::AutomaticLayout);
                self.command_button(ui, UiCommand::TidyLayout);
                self.command_button(ui, UiCommand::ToggleInspector);
                ui.menu_button("Text Size", |ui| {
                    for size in TextSize::ALL {
                        if ui.radio(self.prefs.ui_text == size, size.label()).clicked() && self.prefs.ui_text != size {
                            self.set_ui_text_size(&ctx, size);
                        }
                    }
                });
                ui.menu_button("Map Text Size", |ui| {
                    for size in TextSize::ALL {
                        if ui.radio(self.prefs.map_text == size, size.label()).clicked() && self.prefs.map_text != size
                        {
                            self.prefs.map_text = size;
                            // Cards grow or shrink with their text: a fitted view fits again.
                            if self.view.fitted.is_some_and(|f| f.camera == self.view.camera) {
                                self.view.fit_requested = true;
                            }
                        }
                    }
                });
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
            // "Window", as on macOS: the toolbar folds its toggles into a "Windows" menu of its own
            // when the window is narrow.
            ui.menu_button("Window", |ui| {
                for command in UiCommand::ALL.into_iter().filter(|c| c.info().menu == ui_command::Menu::Windows) {
                    self.command_button(ui, command);
                }
            });
            ui.menu_button("Help", |ui| {
                self.command_button(ui, UiCommand::KeyboardShortcuts);
                self.command_button(ui, UiCommand::About);
            });
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("Fit").on_hover_text("Fit the map to the window (F)").clicked() {
                    self.queue.push(Action::Run(UiCommand::Fit));
                }
                ui.toggle_value(&mut self.prefs.show_inspector, "Inspector")
                    .on_hover_text(UiCommand::ToggleInspector.info().tooltip);
                let theme_label = match self.prefs.theme {
                    ThemeKind::Light | ThemeKind::Print => "Dark theme",
                    ThemeKind::Dark | ThemeKind::Contrast => "Light theme",
                };
                if ui.button(theme_label).clicked() {
                    self.queue.push(Action::Run(UiCommand::ToggleTheme));
                }
            });
        });
    }

    fn status_bar_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            let counts = self.map.doc().counts();
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
            self.layout_status_ui(ui);
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
            let lines = [
                format!("Save the changes to “{}” before {verb}?", self.display_name()).into(),
                egui::RichText::new("If you don't save, your changes will be lost.").weak(),
            ];
            let buttons = ["Save", "Don't Save", "Cancel"];
            let choice = choice_modal(ctx, "confirm-unsaved", 380.0, "Unsaved changes", &lines, &buttons, Some(2));
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
                egui::ScrollArea::vertical().max_height(320.0).show(ui, |ui| {
                    ui.add(egui::Label::new(egui::RichText::new(&alert.body).monospace()).selectable(true));
                });
                ui.add_space(8.0);
                if ui.button("OK").clicked() || ui.input(|i| i.key_pressed(Key::Escape) || i.key_pressed(Key::Enter)) {
                    close = true;
                }
            });
            if close {
                self.alert = None;
            }
        }
    }
}

fn with_qualmap_extension(path: PathBuf) -> PathBuf {
    if path.extension().is_some() { path } else { path.with_extension("qualmap") }
}

fn apply_theme(ctx: &egui::Context, theme: ThemeKind) {
    ctx.set_theme(match theme {
        ThemeKind::Light | ThemeKind::Print => egui::Theme::Light,
        ThemeKind::Dark | ThemeKind::Contrast => egui::Theme::Dark,
    });
}

/// A screen other than the one the window is on, in desktop points, if there is one (where the
/// presenter view goes while presenting). `None` with one screen, or with no native window
/// (tests).
#[cfg(target_arch = "wasm32")]
fn other_screen(_: &eframe::Frame) -> Option<egui::Rect> {
    // A browser page has one screen: the presenter view is docked.
    None
}

#[cfg(not(target_arch = "wasm32"))]
fn other_screen(frame: &eframe::Frame) -> Option<egui::Rect> {
    let window = frame.winit_window()?;
    let current = window.current_monitor().map(|m| m.position());
    window.available_monitors().find(|m| Some(m.position()) != current).map(|m| {
        let scale = m.scale_factor() as f32;
        let (position, size) = (m.position(), m.size());
        egui::Rect::from_min_size(
            egui::pos2(position.x as f32 / scale, position.y as f32 / scale),
            egui::vec2(size.width as f32 / scale, size.height as f32 / scale),
        )
    })
}

/// Never reached: the cache is filled just before. Returning an empty scene keeps the draw
/// path free of panics all the same.
fn unreachable_scene() -> &'static Scene {
    static EMPTY: std::sync::OnceLock<Scene> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Scene::default)
}

impl eframe::App for QualmapApp {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        let frame_started = web_time::Instant::now();
        let sched_started = if std::env::var_os("QUALMAP_LOG_SLOW").is_some() { schedstat() } else { None };
        self.poll_opening();
        self.poll_team_work();
        self.handle_dialog_outcomes(&ctx);
        self.handle_close_request(&ctx);
        self.handle_dropped_files(&ctx);
        // The palette is modal: its keys (Enter, Escape, the arrows) are its own.
        if self.confirm.is_none() && self.alert.is_none() && self.present.is_none() && self.palette.is_none() {
            self.handle_shortcuts(&ctx);
        }
        // The workshop room, while presenting and not: the presenter's side (desktop) sends
        // steps and takes in comments; a participant's page (browser) follows and comments.
        #[cfg(not(target_arch = "wasm32"))]
        self.poll_room_host(&ctx);
        #[cfg(target_arch = "wasm32")]
        {
            self.poll_room_link(&ctx);
            self.room_link_ui(&ctx);
        }
        self.update_title(&ctx);
        self.view.highlight = std::mem::take(&mut self.view.highlight_next);
        self.refresh_focus();
        if self.present.is_some() {
            let place = match other_screen(frame) {
                Some(screen) => present::PresenterPlace::Window(screen),
                None => present::PresenterPlace::Docked,
            };
            egui::CentralPanel::no_frame().show(ui, |ui| self.present_ui(ui, place));
            self.drain_queue(&ctx);
            return;
        }
        egui::Panel::top("menu-bar").show(ui, |ui| self.menu_bar_ui(ui));
        egui::Panel::top("toolbar").show(ui, |ui| self.toolbar_ui(ui));
        egui::Panel::bottom("status-bar").show(ui, |ui| self.status_bar_ui(ui));
        self.docked_panels_ui(ui);
        if self.prefs.show_inspector {
            // A share of the window, not a fixed width: 360 points took 35 % of a 1024-point
            // window. The user can drag its edge (up to half the window) or hide it (toolbar,
            // View menu).
            let width = ui.available_width();
            egui::Panel::right("inspector")
                .resizable(true)
                .default_size((width * 0.27).clamp(220.0, 380.0))
                .size_range(200.0..=(width * 0.5).max(220.0))
                .show(ui, |ui| {
                    let cx = MapContext::of(&self.map, &self.view, &self.prefs);
                    let actions = self.inspector.ui(ui, &cx);
                    self.panel_actions(actions);
                });
        }
        egui::CentralPanel::no_frame().show(ui, |ui| self.canvas_ui(ui));
        let cx = MapContext::of(&self.map, &self.view, &self.prefs);
        let actions = self.evidence_editor.ui(&ctx, &cx);
        self.panel_actions(actions);
        // The browser build leaves out importing and exporting figures (see `command_enabled`):
        // not calling them lets the linker drop their code.
        #[cfg(not(target_arch = "wasm32"))]
        self.export_dialog_ui(&ctx);
        #[cfg(not(target_arch = "wasm32"))]
        self.import_dialog_ui(&ctx);
        self.poll_layout(&ctx);
        self.window_panels_ui(&ctx);
        self.confirm_edit_ui(&ctx);
        self.recovery_ui(&ctx);
        self.palette_ui(&ctx);
        self.shortcuts_ui(&ctx);
        self.dialogs_ui(&ctx);
        self.drain_queue(&ctx);
        // Colours by a figure are explained by the window that set them (agreement, structure):
        // they go when it closes.
        if self.view.tint.is_some() && self.view.tint_from.and_then(|from| self.panel_open(from)) != Some(true) {
            self.view.tint = None;
            ctx.request_repaint();
        }
        // What was picked out after the canvas was drawn: show it (a change only, so that a
        // steady highlight asks for no frames).
        if self.view.highlight_next != self.view.highlight {
            ctx.request_repaint();
        }
        if let Some(failure) = self.map.autosave_tick(&ctx) {
            self.status = failure;
        }
        if self.dialogs.is_busy() || self.opening.is_some() || self.scene_job.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(200));
        }
        let took = frame_started.elapsed();
        match (sched_started, schedstat()) {
            (Some(start), Some(end)) => {
                let ms = |ns: u64| ns as f64 / 1e6;
                let what = format!(
                    "frame (on a CPU {:.1} ms, waiting for one {:.1} ms)",
                    ms(end.0.saturating_sub(start.0)),
                    ms(end.1.saturating_sub(start.1))
                );
                log_slow(&what, took);
            }
            _ => log_slow("frame", took),
        }
    }
    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, PREFS_KEY, &self.prefs);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        // A normal close: the user saved or chose not to; nothing is left to recover. Orphans
        // not yet decided about stay for the next start.
        self.map.end_session();
    }
}

/// A modal window with a heading, some lines of text and a row of buttons; returns the index of
/// the button clicked this frame. `escape` names the button the Escape key stands for.
pub(super) fn choice_modal(
    ctx: &egui::Context,
    id: &'static str,
    width: f32,
    title: &str,
    lines: &[egui::RichText],
    buttons: &[&str],
    escape: Option<usize>,
) -> Option<usize> {
    let mut choice = None;
    egui::Modal::new(egui::Id::unique(id)).show(ctx, |ui| {
        ui.set_max_width(width);
        ui.heading(title);
        for line in lines {
            ui.label(line.clone());
        }
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            for (i, text) in buttons.iter().enumerate() {
                if ui.button(*text).clicked() {
                    choice = Some(i);
                }
            }
        });
        if choice.is_none() && ui.input(|i| i.key_pressed(Key::Escape)) {
            choice = escape;
        }
    });
    choice
}

#[cfg(all(test, target_os = "linux"))]
mod background_tests {
    /// This thread's nice value, from /proc (field 19 of its stat line).
    fn nice() -> Option<i64> {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
        stat.rsplit(')').next()?.split_whitespace().nth(16)?.parse().ok()
    }

    #[test]
    fn background_work_runs_below_the_window_s_priority() {
        let window = nice().unwrap_or_default();
        let worker = super::spawn_background("test", nice).map(|job| job.join());
        match worker {
            // Workers are set to nice 5; a window already started at nice 5 or more stays as it is.
            Ok(Ok(Some(worker))) => {
                assert!(worker > window || window >= 5, "worker nice {worker}, window nice {window}")
            }
            other => panic!("the background thread did not report its priority: {other:?}"),
        }
    }
}
