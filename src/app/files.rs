//! File dialogs (the browser's picker in the web build), run off the UI thread so that the window keeps drawing while a dialog is
//! open. A dialog's answer comes back through a channel that the app polls each frame.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};

use super::Replace;

/// What a dialog was opened for (the browser build saves, exports and imports without one).
#[derive(Debug)]
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
pub(super) enum DialogPurpose {
    /// Pick a map to open.
    Open,
    /// A map dropped on the page, read (browser build).
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    Dropped,
    /// Pick where to save, then optionally carry on with a pending action.
    SaveAs(Option<Box<Replace>>),
    /// Pick where to export, in this format.
    Export(crate::export::Format),
    /// Pick a file to import.
    Import,
    /// Pick another copy of the map to compare with.
    Compare,
    /// Pick another copy of the map to merge in.
    Merge,
}

/// A picked file: a path on the desktop; in a browser, which gives no paths, its name and
/// contents.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Picked {
    /// A file on this machine.
    Path(PathBuf),
    /// A file the browser handed over.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    Contents {
        /// Its name.
        name: String,
        /// Its bytes.
        bytes: Vec<u8>,
    },
}

impl Picked {
    /// The file's name, as shown to the user.
    pub fn name(&self) -> String {
        match self {
            Self::Path(path) => {
                path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
            }
            Self::Contents { name, .. } => name.clone(),
        }
    }

    /// Reads the map in it.
    pub fn load(&self) -> Result<crate::model::Document, crate::model::io::LoadError> {
        match self {
            Self::Path(path) => crate::model::io::load_path(path),
            Self::Contents { name, bytes } => crate::model::io::load_bytes(bytes, name),
        }
    }

    /// The path, for what only a desktop file can be used for (saving, exporting, importing).
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            Self::Path(path) => Some(path),
            Self::Contents { .. } => None,
        }
    }
}

/// A dialog's answer: `None` when the user cancelled (or no dialog could be shown).
pub(super) struct DialogOutcome {
    pub purpose: DialogPurpose,
    pub file: Option<Picked>,
}

/// What a dialog's future gives: the picked file. On the web rfd's futures are not `Send` (they
/// hold the page's objects) and run on the page's thread.
#[cfg(not(target_arch = "wasm32"))]
pub(super) trait Pick: Future<Output = Option<Picked>> + Send + 'static {}
#[cfg(not(target_arch = "wasm32"))]
impl<F: Future<Output = Option<Picked>> + Send + 'static> Pick for F {}
/// What a dialog's future gives (see the native definition).
#[cfg(target_arch = "wasm32")]
pub(super) trait Pick: Future<Output = Option<Picked>> + 'static {}
#[cfg(target_arch = "wasm32")]
impl<F: Future<Output = Option<Picked>> + 'static> Pick for F {}

/// The picked file, by its path.
#[cfg(not(target_arch = "wasm32"))]
async fn picked(file: Option<rfd::FileHandle>) -> Option<Picked> {
    Some(Picked::Path(file?.path().to_owned()))
}

/// A browser gives no paths, only a file's name and contents: they are read here.
#[cfg(target_arch = "wasm32")]
async fn picked(file: Option<rfd::FileHandle>) -> Option<Picked> {
    let file = file?;
    Some(Picked::Contents { name: file.file_name(), bytes: file.read().await })
}

/// Runs at most one file dialog at a time.
pub(super) struct FileDialogs {
    sender: Sender<DialogOutcome>,
    receiver: Receiver<DialogOutcome>,
    busy: bool,
}

impl Default for FileDialogs {
    fn default() -> Self {
        let (sender, receiver) = channel();
        Self { sender, receiver, busy: false }
    }
}

impl FileDialogs {
    /// Whether a dialog is open.
    pub fn is_busy(&self) -> bool {
        self.busy
    }

    /// Shows an "Open map" dialog.
    pub fn open(&mut self, ctx: &egui::Context, folder: Option<PathBuf>) {
        let mut dialog = rfd::AsyncFileDialog::new()
            .set_title("Open map")
            .add_filter("Qualmap map", &["qualmap"])
            .add_filter("All files", &["*"]);
        if let Some(folder) = folder {
            dialog = dialog.set_directory(folder);
        }
        self.spawn(ctx, DialogPurpose::Open, async move { picked(dialog.pick_file().await).await });
    }

    /// Shows a dialog to pick another copy of the map, to compare with or merge in.
    pub fn pick_copy(&mut self, ctx: &egui::Context, folder: Option<PathBuf>, purpose: DialogPurpose) {
        let title = match purpose {
            DialogPurpose::Merge => "Merge another copy of this map",
            _ => "Compare with another copy of this map",
        };
        let mut dialog = rfd::AsyncFileDialog::new()
            .set_title(title)
            .add_filter("Qualmap map", &["qualmap"])
            .add_filter("All files", &["*"]);
        if let Some(folder) = folder {
            dialog = dialog.set_directory(folder);
        }
        self.spawn(ctx, purpose, async move { picked(dialog.pick_file().await).await });
    }

    #[cfg(not(target_arch = "wasm32"))]
    /// Shows a "Save map as" dialog.
    pub fn save_as(&mut self, ctx: &egui::Context, name: &str, folder: Option<PathBuf>, purpose: DialogPurpose) {
        let mut dialog = rfd::AsyncFileDialog::new()
            .set_title("Save map as")
            .set_file_name(name)
            .add_filter("Qualmap map", &["qualmap"]);
        if let Some(folder) = folder {
            dialog = dialog.set_directory(folder);
        }
        self.spawn(ctx, purpose, async move { picked(dialog.save_file().await).await });
    }

    #[cfg(not(target_arch = "wasm32"))]
    /// Shows an "Import" dialog for REFI-QDA projects and codebooks and coded-segment tables.
    pub fn pick_import(&mut self, ctx: &egui::Context, folder: Option<PathBuf>) {
        let mut dialog = rfd::AsyncFileDialog::new()
            .set_title("Import coded data")
            .add_filter("REFI-QDA project, codebook or coded segments", &crate::import::CODED_DATA_EXTENSIONS)
            .add_filter("Graph or concept map", &[&crate::import::GRAPH_EXTENSIONS[..], &["csv", "txt"]].concat())
            .add_filter("All files", &["*"]);
        if let Some(folder) = folder {
            dialog = dialog.set_directory(folder);
        }
        self.spawn(ctx, DialogPurpose::Import, async move { picked(dialog.pick_file().await).await });
    }

    #[cfg(not(target_arch = "wasm32"))]
    /// Shows a "Export as" dialog for `format`.
    pub fn save_export(
        &mut self,
        ctx: &egui::Context,
        name: &str,
        folder: Option<PathBuf>,
        format: crate::export::Format,
    ) {
        let mut dialog = rfd::AsyncFileDialog::new()
            .set_title("Export map")
            .set_file_name(name)
            .add_filter(format.label(), &[format.extension()]);
        if let Some(folder) = folder {
            dialog = dialog.set_directory(folder);
        }
        self.spawn(ctx, DialogPurpose::Export(format), async move { picked(dialog.save_file().await).await });
    }

    fn spawn(&mut self, ctx: &egui::Context, purpose: DialogPurpose, pick: impl Pick) {
        if self.busy {
            return;
        }
        self.busy = true;
        let sender = self.sender.clone();
        let ctx = ctx.clone();
        // The browser's picker answers through a promise on the page's one thread.
        #[cfg(target_arch = "wasm32")]
        wasm_bindgen_futures::spawn_local(async move {
            let file = pick.await;
            let _ = sender.send(DialogOutcome { purpose, file });
            ctx.request_repaint();
        });
        #[cfg(not(target_arch = "wasm32"))]
        let spawned = std::thread::Builder::new().name("file-dialog".to_owned()).spawn(move || {
            let file = pollster::block_on(pick);
            // The app may have closed meanwhile; then nobody is listening, which is fine.
            let _ = sender.send(DialogOutcome { purpose, file });
            ctx.request_repaint();
        });
        #[cfg(not(target_arch = "wasm32"))]
        if spawned.is_err() {
            self.busy = false;
        }
    }

    /// Reads a file dropped on the page (a browser reads it asynchronously); it comes back as
    /// a [`DialogPurpose::Dropped`] answer, or as a message on failure.
    #[cfg(target_arch = "wasm32")]
    pub fn read_dropped(&mut self, ctx: &egui::Context, file: std::sync::Arc<dyn egui::DroppedFile + Send + Sync>) {
        let name = file.path().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        self.spawn(ctx, DialogPurpose::Dropped, async move {
            match file.bytes_async().await {
                Ok(bytes) => Some(Picked::Contents { name, bytes }),
                Err(err) => {
                    log::warn!("{name} could not be read: {err}");
                    None
                }
            }
        });
    }

    /// The next answer, if a dialog has closed.
    pub fn poll(&mut self) -> Option<DialogOutcome> {
        let outcome = self.receiver.try_recv().ok()?;
        self.busy = false;
        Some(outcome)
    }
}
