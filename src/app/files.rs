//! Native file dialogs, run off the UI thread so that the window keeps drawing while a dialog is
//! open. A dialog's answer comes back through a channel that the app polls each frame.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};

use super::Replace;

/// What a dialog was opened for.
#[derive(Debug)]
pub(super) enum DialogPurpose {
    /// Pick a map to open.
    Open,
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

/// A dialog's answer: `None` when the user cancelled (or no dialog could be shown).
pub(super) struct DialogOutcome {
    pub purpose: DialogPurpose,
    pub path: Option<PathBuf>,
}

/// What a dialog's future gives: the picked file's path. On the web rfd's futures are not
/// `Send` (they hold the page's objects) and run on the page's thread.
#[cfg(not(target_arch = "wasm32"))]
pub(super) trait Pick: Future<Output = Option<PathBuf>> + Send + 'static {}
#[cfg(not(target_arch = "wasm32"))]
impl<F: Future<Output = Option<PathBuf>> + Send + 'static> Pick for F {}
/// What a dialog's future gives (see the native definition).
#[cfg(target_arch = "wasm32")]
pub(super) trait Pick: Future<Output = Option<PathBuf>> + 'static {}
#[cfg(target_arch = "wasm32")]
impl<F: Future<Output = Option<PathBuf>> + 'static> Pick for F {}

/// The path of a picked file.
#[cfg(not(target_arch = "wasm32"))]
fn picked(file: rfd::FileHandle) -> Option<PathBuf> {
    Some(file.path().to_owned())
}

/// A browser gives no paths, only a file's name and contents; the commands that open dialogs
/// are off in the browser build (`QualmapApp::command_enabled`), so no dialog gets here.
#[cfg(target_arch = "wasm32")]
fn picked(_: rfd::FileHandle) -> Option<PathBuf> {
    None
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
        self.spawn(ctx, DialogPurpose::Open, async move { dialog.pick_file().await.and_then(picked) });
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
        self.spawn(ctx, purpose, async move { dialog.pick_file().await.and_then(picked) });
    }

    /// Shows a "Save map as" dialog.
    pub fn save_as(&mut self, ctx: &egui::Context, name: &str, folder: Option<PathBuf>, purpose: DialogPurpose) {
        let mut dialog = rfd::AsyncFileDialog::new()
            .set_title("Save map as")
            .set_file_name(name)
            .add_filter("Qualmap map", &["qualmap"]);
        if let Some(folder) = folder {
            dialog = dialog.set_directory(folder);
        }
        self.spawn(ctx, purpose, async move { dialog.save_file().await.and_then(picked) });
    }

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
        self.spawn(ctx, DialogPurpose::Import, async move { dialog.pick_file().await.and_then(picked) });
    }

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
        self.spawn(ctx, DialogPurpose::Export(format), async move { dialog.save_file().await.and_then(picked) });
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
            let path = pick.await;
            let _ = sender.send(DialogOutcome { purpose, path });
            ctx.request_repaint();
        });
        #[cfg(not(target_arch = "wasm32"))]
        let spawned = std::thread::Builder::new().name("file-dialog".to_owned()).spawn(move || {
            let path = pollster::block_on(pick);
            // The app may have closed meanwhile; then nobody is listening, which is fine.
            let _ = sender.send(DialogOutcome { purpose, path });
            ctx.request_repaint();
        });
        #[cfg(not(target_arch = "wasm32"))]
        if spawned.is_err() {
            self.busy = false;
        }
    }

    /// The next answer, if a dialog has closed.
    pub fn poll(&mut self) -> Option<DialogOutcome> {
        let outcome = self.receiver.try_recv().ok()?;
        self.busy = false;
        Some(outcome)
    }
}
