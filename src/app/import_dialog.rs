//! File ▸ Import…: reads a REFI-QDA project or codebook or a coded-segment table on a worker
//! thread, shows the import report (and, for tables, a column mapping with a preview), and adds
//! the result to the open map as one undoable step — or opens it as a new map. Also the
//! suggested-relationships window.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use web_time::Instant;

use egui::{RichText, Ui};

use super::QualmapApp;
use crate::import::cooccur::{self, Suggestion};
use crate::import::table::{self, ColumnMapping, Field};
use crate::import::{AreasFrom, ImportData, ImportOptions, plan};
use crate::model::{ConceptId, Document};

/// A table waiting for its column mapping.
struct TableDraft {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    mapping: ColumnMapping,
}

/// The import window's state.
#[derive(Default)]
pub(super) struct ImportDialog {
    path: Option<PathBuf>,
    /// A spreadsheet's first sheet being converted to CSV in the child process, so that its
    /// columns can be mapped as a table's are.
    converting: Option<super::tasks::Task<Result<Vec<u8>, String>>>,
    /// That sheet as CSV, read (in this process: the CSV reader is ours) with the mapping.
    csv: Option<Arc<Vec<u8>>>,
    /// When the file's reading started, and its size, for the progress line.
    started: Option<(Instant, u64)>,
    reading: Option<super::tasks::Task<Result<ImportData, String>>>,
    data: Option<ImportData>,
    error: Option<String>,
    table: Option<TableDraft>,
    options: ImportOptions,
    /// Suggested relationships window.
    pub suggestions_open: bool,
    dismissed: BTreeSet<(ConceptId, ConceptId)>,
    /// Suggestions computed for a map revision (co-occurrence is quadratic in concepts).
    suggestions: Option<(u64, Vec<Suggestion>)>,
}

fn is_table(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "csv" | "tsv" | "txt"))
}

// Not in the browser build: nothing there opens this window (`QualmapApp::command_enabled`).
#[cfg(not(target_arch = "wasm32"))]
impl QualmapApp {
    /// Starts importing `path`: tables show their column mapping first, other files are read on
    /// a worker thread.
    pub fn import_path(&mut self, ctx: &egui::Context, path: PathBuf) {
        self.import.data = None;
        self.import.error = None;
        self.import.table = None;
        self.import.csv = None;
        self.import.converting = None;
        self.import.reading = None;
        let size = std::fs::metadata(&path).map_or(0, |m| m.len());
        self.import.started = Some((Instant::now(), size));
        if crate::import::spreadsheet::Kind::of_path(&path).is_some() {
            // The sheet is converted in the child process first (a damaged spreadsheet can take
            // a library anywhere), then mapped and read as a table.
            let file = path.clone();
            let task = super::tasks::Task::spawn("spreadsheet", ctx, move |_| {
                crate::import::catch_panic(|| {
                    crate::import::sandbox::spreadsheet_csv_bounded(&file).map_err(|e| e.to_string())
                })
                .unwrap_or_else(|panic| Err(format!("{}: the import stopped unexpectedly ({panic})", file.display())))
            });
            match task {
                Ok(task) => self.import.converting = Some(task),
                Err(err) => self.import.error = Some(err.to_string()),
            }
            self.import.path = Some(path);
            return;
        }
        if is_table(&path) {
            let tsv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
            match crate::import::read_limited(&path, table::MAX_TABLE_BYTES) {
                Ok(bytes) => self.draft_table(&bytes, tsv, &path),
                Err(err) => self.import.error = Some(err.to_string()),
            }
        }
        self.import.path = Some(path);
        self.read_import(ctx);
    }

    /// The column mapping of a table (remembered for its headers, else guessed from its headers
    /// and contents) with a preview of its first rows.
    fn draft_table(&mut self, bytes: &[u8], tsv: bool, path: &std::path::Path) {
        match table::sample(bytes, tsv, table::GUESS_ROWS) {
            Ok((headers, sample)) => {
                let mapping =
                    self.prefs.table_mapping_for(&headers).unwrap_or_else(|| table::guess_from(&headers, &sample));
                let rows = sample
                    .into_iter()
                    .take(5)
                    .map(|r| r.into_iter().map(|c| c.chars().take(80).collect()).collect())
                    .collect();
                self.import.table = Some(TableDraft { headers, rows, mapping });
            }
            Err(err) => self.import.error = Some(format!("{}: {err}", path.display())),
        }
    }

    fn read_import(&mut self, ctx: &egui::Context) {
        let Some(path) = self.import.path.clone() else { return };
        let mapping = self.import.table.as_ref().map(|t| t.mapping.clone());
        let csv = self.import.csv.clone();
        let task = super::tasks::Task::spawn("import", ctx, move |_| {
            // In a child process with limits where the binary can be re-run; a panic that still
            // reaches this thread is a refusal, not a dead worker.
            crate::import::catch_panic(|| match &csv {
                Some(csv) => crate::import::read_csv_table(csv, &path.display().to_string(), mapping.as_ref()),
                None => crate::import::sandbox::read_path_bounded(&path, mapping.as_ref()),
            })
            .unwrap_or_else(|panic| {
                Err(crate::import::ImportError::Refused {
                    origin: path.display().to_string(),
                    message: format!("the import stopped unexpectedly ({panic})"),
                })
            })
            .map_err(|e| e.to_string())
        });
        match task {
            Ok(task) => self.import.reading = Some(task),
            Err(err) => self.import.error = Some(err.to_string()),
        }
    }

    fn poll_converting(&mut self, ctx: &egui::Context) {
        let Some(task) = &mut self.import.converting else { return };
        let converted = match task.poll() {
            super::tasks::Poll::Done(converted) => converted,
            super::tasks::Poll::Running => {
                ctx.request_repaint_after(std::time::Duration::from_millis(100));
                return;
            }
            super::tasks::Poll::Lost => {
                let file = self.import.path.as_ref().map_or_else(String::new, |p| format!("{}: ", p.display()));
                Err(format!("{file}the import stopped unexpectedly; nothing was read"))
            }
        };
        self.import.converting = None;
        let Some(path) = self.import.path.clone() else { return };
        match converted {
            Ok(csv) => {
                self.draft_table(&csv, false, &path);
                self.import.csv = Some(Arc::new(csv));
                self.read_import(ctx);
            }
            Err(err) => self.import.error = Some(err),
        }
    }

    fn poll_import(&mut self, ctx: &egui::Context) {
        self.poll_converting(ctx);
        let Some(task) = &mut self.import.reading else { return };
        match task.poll() {
            super::tasks::Poll::Done(Ok(data)) => {
                self.import.data = Some(data);
                self.import.error = None;
                self.import.reading = None;
            }
            super::tasks::Poll::Done(Err(err)) => {
                self.import.error = Some(err);
                self.import.data = None;
                self.import.reading = None;
            }
            super::tasks::Poll::Running => ctx.request_repaint_after(std::time::Duration::from_millis(100)),
            super::tasks::Poll::Lost => {
                self.import.reading = None;
                let file = self.import.path.as_ref().map_or_else(String::new, |p| format!("{}: ", p.display()));
                self.import.error = Some(format!("{file}the import stopped unexpectedly; nothing was read"));
            }
        }
    }

    /// Whether an import file is being read.
    pub fn import_reading(&self) -> bool {
        self.import.reading.is_some() || self.import.converting.is_some()
    }

    /// The import window's error, if reading the file failed.
    pub fn import_error(&self) -> Option<&str> {
        self.import.error.as_deref()
    }

    /// The headers and column mapping shown for a table or spreadsheet being imported.
    pub fn import_mapping(&self) -> Option<(&[String], &ColumnMapping)> {
        self.import.table.as_ref().map(|t| (t.headers.as_slice(), &t.mapping))
    }

    /// Adds what was read to the open map as one undoable step; returns whether it did.
    pub fn apply_import(&mut self) -> bool {
        let Some(data) = self.import.data.take() else { return false };
        let planned = plan(self.map.doc(), &data, &self.import.options);
        let summary = planned.summary.join("; ");
        if self.apply_edit(planned.command, None).is_some() {
            return false;
        }
        if let Some(table) = &self.import.table {
            self.prefs.remember_table_mapping(&table.headers, &table.mapping);
        }
        self.import.path = None;
        self.import.table = None;
        self.status = format!("Imported: {summary}");
        self.view.fit_requested = true;
        true
    }

    pub(super) fn import_dialog_ui(&mut self, ctx: &egui::Context) {
        self.poll_import(ctx);
        self.suggestions_ui(ctx);
        let Some(path) = self.import.path.clone() else { return };
        let mut open = true;
        let mut into_this = false;
        let mut as_new = false;
        let mut reread = false;
        // Wide enough for a segment table's columns, centred under the toolbar.
        let screen = ctx.content_rect();
        let width = (screen.width() - 80.0).clamp(360.0, 980.0);
        let window = egui::Window::new("Import")
            .open(&mut open)
            .default_width(width)
            .pivot(egui::Align2::CENTER_TOP)
            .default_pos(egui::pos2(screen.center().x, screen.top() + 64.0));
        window.show(ctx, |ui| {
            ui.label(RichText::new(path.display().to_string()).strong());
            if let Some(table) = &mut self.import.table {
                reread |= mapping_ui(ui, table);
            }
            if self.import.reading.is_some() || self.import.converting.is_some() {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(reading_line(self.import.started, self.import.converting.is_some()));
                });
                // The elapsed time ticks while the file is read.
                ctx.request_repaint_after(std::time::Duration::from_millis(250));
            }
            if let Some(err) = &self.import.error {
                ui.colored_label(ui.visuals().error_fg_color, err);
            }
            if let Some(data) = &self.import.data {
                egui::ScrollArea::vertical().max_height(220.0).show(ui, |ui| {
                    ui.add(egui::Label::new(RichText::new(data.report.text()).monospace()).selectable(true));
                });
                ui.separator();
                ui.checkbox(
                    &mut self.import.options.concepts_from_codes,
                    "Create a concept for each code with codings",
                );
                ui.horizontal(|ui| {
                    ui.label("Areas from");
                    ui.radio_value(&mut self.import.options.areas_from, AreasFrom::Sets, "code sets");
                    ui.radio_value(&mut self.import.options.areas_from, AreasFrom::ParentCodes, "parent codes");
                    ui.radio_value(&mut self.import.options.areas_from, AreasFrom::Nothing, "none");
                });
                ui.horizontal(|ui| {
                    if ui.button("Import into this map").clicked() {
                        into_this = true;
                    }
                    if ui.button("Import as a new map").clicked() {
                        as_new = true;
                    }
                });
                ui.label(RichText::new("An import is one step: Undo takes it back.").small().weak());
            }
        });
        if reread {
            self.read_import(ctx);
        }
        if into_this {
            self.apply_import();
        } else if as_new {
            if self.is_dirty() {
                self.status = "Save or discard the open map's changes first (File > New), then import".to_owned();
            } else {
                self.replace_document(Document::new_blank(), None, "Imported map.qualmap");
                self.apply_import();
            }
        }
        if !open {
            self.import.path = None;
            self.import.data = None;
            self.import.table = None;
        }
    }

    fn suggestions_ui(&mut self, ctx: &egui::Context) {
        if !self.import.suggestions_open {
            return;
        }
        let mut open = true;
        let mut accept: Option<Suggestion> = None;
        let mut dismiss: Option<(ConceptId, ConceptId)> = None;
        egui::Window::new("Suggested relationships").open(&mut open).default_width(520.0).show(ctx, |ui| {
            ui.label(
                RichText::new(
                    "Pairs of concepts whose codes co-occur: in the same excerpt, or from the same participants. \
                     Accepting draws an associative relationship with the shared excerpts as its evidence.",
                )
                .weak(),
            );
            if self.import.suggestions.as_ref().is_none_or(|(revision, _)| *revision != self.map.revision()) {
                self.import.suggestions = Some((self.map.revision(), cooccur::suggest(self.map.doc(), 1)));
            }
            let all = self.import.suggestions.as_ref().map(|(_, s)| s.clone()).unwrap_or_default();
            let suggestions: Vec<Suggestion> =
                all.into_iter().filter(|s| !self.import.dismissed.contains(&(s.a, s.b))).take(40).collect();
            if suggestions.is_empty() {
                ui.label("No suggestions: no two unrelated concepts share evidence.");
            }
            let name = |id| self.map.doc().concept(id).map_or_else(|| "?".to_owned(), |c| c.label.clone());
            egui::ScrollArea::vertical().max_height(380.0).show(ui, |ui| {
                egui::Grid::new("suggestions").striped(true).num_columns(5).show(ui, |ui| {
                    for header in ["Concepts", "Shared excerpts", "Participants", "Jaccard", ""] {
                        ui.label(RichText::new(header).strong());
                    }
                    ui.end_row();
                    for s in suggestions {
                        ui.label(format!("{} — {}", name(s.a), name(s.b)));
                        ui.label(s.shared.len().to_string());
                        ui.label(s.participants.to_string());
                        ui.label(format!("{:.2}", s.jaccard));
                        ui.horizontal(|ui| {
                            if ui.small_button("Accept").clicked() {
                                accept = Some(s.clone());
                            }
                            if ui.small_button("Dismiss").clicked() {
                                dismiss = Some((s.a, s.b));
                            }
                        });
                        ui.end_row();
                    }
                });
            });
        });
        self.import.suggestions_open = open;
        if let Some(s) = accept {
            let command = cooccur::accept(self.map.doc(), &s);
            self.apply_edit(command, None);
        }
        if let Some(pair) = dismiss {
            self.import.dismissed.insert(pair);
        }
    }

    /// Opens File ▸ Import…'s file dialog.
    pub(super) fn open_import_dialog(&mut self, ctx: &egui::Context) {
        let folder = self.map.path().and_then(|p| p.parent()).map(std::path::Path::to_owned);
        self.dialogs.pick_import(ctx, folder);
    }
}

/// What the import window says while a file is read: the step, the file's size and the time so
/// far (a file is read in a child process, which says nothing until it is done; the time says
/// that it is still at work, and the limit it is read within says how long it may take).
fn reading_line(started: Option<(Instant, u64)>, converting: bool) -> String {
    let step = if converting { "Reading the spreadsheet’s first sheet" } else { "Reading" };
    let Some((at, bytes)) = started else { return format!("{step}…") };
    let seconds = at.elapsed().as_secs();
    let size = if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else {
        format!("{} KB", bytes.div_ceil(1000))
    };
    if seconds < 2 {
        return format!("{step} ({size})…");
    }
    let limit = crate::import::sandbox::Limits::for_size(bytes).wall.as_secs();
    format!("{step} ({size})… {seconds} s (a file that takes more than {limit} s is stopped)")
}

/// The column-mapping grid with a preview; returns whether the mapping changed.
fn mapping_ui(ui: &mut Ui, table: &mut TableDraft) -> bool {
    let mut changed = false;
    let from_contents = table.mapping.guessed.iter().any(Option::is_some);
    ui.label(if from_contents {
        "Which column holds what (guessed from the headers and, where they say nothing, from the contents — check the marked columns):"
    } else {
        "Which column holds what (guessed from the headers):"
    });
    egui::ScrollArea::horizontal().id_salt("mapping-preview").show(ui, |ui| {
        egui::Grid::new("mapping").striped(true).show(ui, |ui| {
            for (i, header) in table.headers.iter().enumerate() {
                ui.vertical(|ui| {
                    ui.label(RichText::new(header).strong());
                    if let Some(field) = table.mapping.fields.get_mut(i) {
                        let before = *field;
                        egui::ComboBox::from_id_salt(("mapping", i))
                            .selected_text(field.label())
                            .width(110.0)
                            .show_ui(ui, |ui| {
                                for option in Field::ALL {
                                    ui.selectable_value(field, option, option.label());
                                }
                            })
                            .response
                            .accessible_name(format!("Column {header}"));
                        changed |= *field != before;
                        if *field != before
                            && let Some(why) = table.mapping.guessed.get_mut(i)
                        {
                            *why = None;
                        }
                    }
                    if let Some(why) = table.mapping.guessed_why(i) {
                        ui.label(RichText::new(format!("guessed: {why}")).small().color(ui.visuals().warn_fg_color))
                            .on_hover_text("Guessed from what the column holds, since its header says nothing we know");
                    }
                });
            }
            ui.end_row();
            for row in &table.rows {
                for cell in row {
                    ui.label(RichText::new(cell).small());
                }
                ui.end_row();
            }
        });
    });
    changed
}

impl super::Prefs {
    /// A remembered mapping for tables with exactly these headers.
    fn table_mapping_for(&self, headers: &[String]) -> Option<ColumnMapping> {
        self.table_mappings.get(&headers.join("\u{1f}")).cloned()
    }

    fn remember_table_mapping(&mut self, headers: &[String], mapping: &ColumnMapping) {
        self.table_mappings.insert(headers.join("\u{1f}"), mapping.clone());
    }
}
