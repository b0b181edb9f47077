//! File ▸ Export…: format, theme, size (the map's own, a journal's column, a custom width or a
//! page), the smallest text allowed at that size, background, legend, caption and scope, with a
//! preview that can be shown at its printed size and says how large the smallest text comes
//! out. The choices are remembered between uses; the export itself runs on a worker thread so a
//! large image never freezes the window.

use std::path::{Path, PathBuf};

use egui::{RichText, Ui};

use super::QualmapApp;
use crate::export::figure::{self, Length, Orientation, PRESETS, Page, Paper, Unit};
use crate::export::{ExportOptions, Format, export_bytes, svg_to_rgba};
use crate::scene::{EguiMeasure, ThemeKind};

/// Export choices remembered in the preferences.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ExportPrefs {
    /// The format last exported.
    pub format: Format,
    /// Theme, scale, background, legend, caption.
    pub options: ExportOptions,
    /// Export only what the canvas shows.
    pub current_view: bool,
    /// For PDF: the whole story, one page per step (a handout).
    #[serde(alias = "presentation")]
    pub story: bool,
    /// The width last typed for "Custom width", kept while another size is chosen.
    pub custom_width: Length,
    /// The page last set up, for "On a page" and for handouts.
    pub page: Page,
    /// Show the preview at its printed size.
    pub as_printed: bool,
}

impl Default for ExportPrefs {
    fn default() -> Self {
        Self {
            format: Format::Png,
            options: ExportOptions::default(),
            current_view: false,
            story: false,
            custom_width: Length::mm(120.0),
            page: Page::default(),
            as_printed: false,
        }
    }
}

/// The sizes offered, as the Size menu lists them.
#[derive(Clone, Copy, Debug, PartialEq)]
enum SizeChoice {
    Own,
    Preset(usize),
    Custom,
    Page,
}

impl SizeChoice {
    fn of(options: &ExportOptions) -> Self {
        match (options.width, options.page) {
            (_, Some(_)) => Self::Page,
            (Some(width), None) => PRESETS.iter().position(|p| p.width == width).map_or(Self::Custom, Self::Preset),
            (None, None) => Self::Own,
        }
    }

    fn label(self) -> String {
        match self {
            Self::Own => "The map's own size".to_owned(),
            Self::Preset(i) => PRESETS[i].label.to_owned(),
            Self::Custom => "Custom width".to_owned(),
            Self::Page => "On a page (A4, Letter)".to_owned(),
        }
    }
}

/// The dialog's transient state.
#[derive(Default)]
pub(super) struct ExportDialog {
    pub open: bool,
    preview: Option<(String, egui::TextureHandle)>,
    /// Size of the PNG the current options give.
    pixels: (f32, f32),
    /// How the previewed figure came out: size, smallest text, what was enlarged.
    fit: Option<(figure::Fit, ExportOptions)>,
    job: Option<(PathBuf, super::tasks::Task<Result<(), String>>)>,
    /// The map revision checked for characters no bundled font has, and what was found.
    missing_glyphs: Option<(u64, String)>,
}

impl ExportDialog {
    /// Whether an export is running.
    pub fn is_busy(&self) -> bool {
        self.job.is_some()
    }
}

/// Width of the preview image, in points.
const PREVIEW_WIDTH: f32 = 360.0;

// Not in the browser build: nothing there opens this window (`QualmapApp::command_enabled`).
#[cfg(not(target_arch = "wasm32"))]
impl QualmapApp {
    /// The options an export uses now: the remembered ones, with the support mode and filter in
    /// force and (if asked) the part of the map the canvas shows.
    fn export_options_now(&self) -> ExportOptions {
        let prefs = &self.prefs.export;
        let view = prefs.current_view.then(|| {
            // What shows above the key (the camera draws on the whole canvas).
            let canvas = self.view.canvas_rect;
            let area = super::canvas::map_area(canvas, self.view.legend_height);
            let camera = self.view.camera;
            egui::Rect::from_two_pos(
                camera.world_from_screen(canvas, area.min),
                camera.world_from_screen(canvas, area.max),
            )
            .shrink(crate::export::svg::MARGIN)
        });
        // A focused map exports as the window shows it: the rest faded.
        let focus = self.view.focus.as_ref().map(|f| f.items.clone());
        ExportOptions {
            support: self.view.support,
            filter: self.view.filter.clone(),
            view,
            focus,
            focus_text: self.view.focus.as_ref().map(|f| f.focus.describe(self.map.doc())),
            emphasis: self.view.emphasis.clone(),
            tint: self.view.tint.clone(),
            // What the map picks out now (a path from the Explore window, evidence rows' items)
            // is picked out in the figure too.
            highlight: self.view.highlight.clone(),
            text_scale: self.prefs.map_text.map_scale(),
            ..prefs.options.clone()
        }
    }

    pub(super) fn export_dialog_ui(&mut self, ctx: &egui::Context) {
        self.poll_export(ctx);
        if !self.export_dialog.open {
            return;
        }
        let mut open = true;
        let mut start = false;
        egui::Window::new("Export").open(&mut open).collapsible(false).default_width(380.0).show(ctx, |ui| {
            // The settings scroll on a small screen; the Export button stays in view.
            let room = (ctx.content_rect().height() - 140.0).max(160.0);
            egui::ScrollArea::vertical().max_height(room).auto_shrink([false, true]).show(ui, |ui| {
                let prefs = &mut self.prefs.export;
                egui::ComboBox::from_id_salt("export-format")
                    .selected_text(prefs.format.label())
                    .show_ui(ui, |ui| {
                        for format in Format::ALL {
                            ui.selectable_value(&mut prefs.format, format, format.label());
                        }
                    })
                    .response
                    .accessible_name("Format");
                if prefs.format.is_image() {
                    ui.horizontal(|ui| {
                        ui.label("Theme");
                        for theme in ThemeKind::ALL {
                            ui.radio_value(&mut prefs.options.theme, theme, theme.label());
                        }
                    });
                    size_ui(ui, prefs);
                    let physical = prefs.options.width.is_some() || prefs.options.page.is_some();
                    if prefs.format == Format::Png && !physical {
                        ui.add(egui::Slider::new(&mut prefs.options.scale, 1.0..=4.0).step_by(0.5).text("scale"))
                            .accessible_name("Scale");
                    }
                    if prefs.format == Format::Png && physical {
                        ui.add(
                            egui::Slider::new(&mut prefs.options.dpi, 72.0..=1200.0).step_by(1.0).text("dots per inch"),
                        )
                        .accessible_name("Dots per inch");
                    }
                    ui.checkbox(&mut prefs.options.transparent, "Transparent background");
                    ui.checkbox(&mut prefs.options.legend, "Legend");
                    ui.checkbox(&mut prefs.options.caption, "Caption (title, source, filter in force)");
                    ui.horizontal(|ui| {
                        ui.radio_value(&mut prefs.current_view, false, "Whole map");
                        ui.radio_value(&mut prefs.current_view, true, "Current view");
                    });
                    if prefs.format == Format::Pdf {
                        ui.checkbox(&mut prefs.story, "The story as a handout (one page per step)");
                        if prefs.story && prefs.options.page.is_none() {
                            ui.horizontal(|ui| {
                                ui.label("Handout pages:");
                                page_ui(ui, &mut prefs.page);
                            });
                        }
                    }
                }
                let filter = if self.view.filter.is_active() {
                    format!("filter: {}", self.view.filter.describe(self.map.doc()))
                } else {
                    "no filter".to_owned()
                };
                ui.label(
                    RichText::new(format!(
                        "Support counted as {}; {filter} (set in the toolbar).",
                        self.view.support.label()
                    ))
                    .small()
                    .weak(),
                );
                if self.prefs.export.format.is_image() {
                    let revision = self.map.revision();
                    if self.export_dialog.missing_glyphs.as_ref().is_none_or(|(r, _)| *r != revision) {
                        let missing = crate::export::missing_glyphs(self.map.doc());
                        let text = if missing.is_empty() {
                            String::new()
                        } else {
                            format!(
                                "No bundled font has {}: the image will show a box for each. Exports use only the \
                                 bundled fonts, so that they are the same on every machine.",
                                crate::scene::fonts::describe_missing(&missing)
                            )
                        };
                        self.export_dialog.missing_glyphs = Some((revision, text));
                    }
                    if let Some((_, text)) = &self.export_dialog.missing_glyphs
                        && !text.is_empty()
                    {
                        ui.label(RichText::new(text).color(ui.visuals().warn_fg_color));
                    }
                    self.export_preview_ui(ui);
                }
            });
            ui.separator();
            ui.horizontal(|ui| {
                let busy = self.export_dialog.is_busy();
                if ui.add_enabled(!busy, egui::Button::new("Export…")).clicked() {
                    start = true;
                }
                if busy {
                    ui.spinner();
                    ui.label("Exporting…");
                }
            });
        });
        self.export_dialog.open = open;
        if start {
            let format = self.prefs.export.format;
            let stem = self.display_name();
            let stem =
                Path::new(&stem).file_stem().map_or_else(|| "map".to_owned(), |s| s.to_string_lossy().into_owned());
            let folder = self.map.path().and_then(|p| p.parent()).map(Path::to_owned);
            self.dialogs.save_export(ctx, &format!("{stem}.{}", format.extension()), folder, format);
        }
    }

    fn export_preview_ui(&mut self, ui: &mut Ui) {
        let options = self.export_options_now();
        // Rebuilt only when the map or the options change, not every frame.
        let as_printed = self.prefs.export.as_printed;
        let key = format!("{}|{:?}|{:?}|{as_printed}", self.map.revision(), options, self.prefs.export.format);
        let stale = self.export_dialog.preview.as_ref().is_none_or(|(k, _)| *k != key);
        let measure = EguiMeasure(ui.ctx());
        let ppp = ui.ctx().pixels_per_point();
        if stale {
            let fitted = figure::figure(self.map.doc(), &ExportOptions { scale: 1.0, ..options.clone() }, &measure);
            let (size, _) = figure::svg_size(&fitted.svg).unwrap_or((egui::vec2(1.0, 1.0), 1.0));
            self.export_dialog.pixels = if options.width.is_some() || options.page.is_some() {
                let dpi = options.dpi;
                (size.x / 72.0 * dpi, size.y / 72.0 * dpi)
            } else {
                (size.x * options.scale, size.y * options.scale)
            };
            // As printed: a point of paper is 96/72 of the window's points (CSS pixels), drawn
            // with the screen's own pixels so the text is as sharp as it will print.
            let zoom = if as_printed {
                fitted.fit.size_pt.x * 96.0 / 72.0 * ppp / size.x.max(1.0)
            } else {
                (PREVIEW_WIDTH * ppp / size.x.max(1.0)).min(2.0)
            };
            self.export_dialog.fit = Some((fitted.fit, options.clone()));
            match svg_to_rgba(&fitted.svg, zoom) {
                Ok((w, h, pixels)) => {
                    let image = egui::ColorImage::from_rgba_unmultiplied([w as usize, h as usize], &pixels);
                    let texture = ui.ctx().load_texture("export-preview", image, egui::TextureOptions::LINEAR);
                    self.export_dialog.preview = Some((key, texture));
                }
                Err(err) => {
                    ui.label(format!("No preview: {err}"));
                    return;
                }
            }
        }
        if let Some((fit, fit_options)) = &self.export_dialog.fit {
            let physical = fit_options.width.is_some() || fit_options.page.is_some();
            if physical {
                ui.label(RichText::new(fit.describe(fit_options)).small());
                if let Some(shortfall) = &fit.shortfall {
                    let mut text = shortfall.clone();
                    if let Some(first) = text.get(..1) {
                        text = format!("{}{}.", first.to_uppercase(), &text[1..]);
                    }
                    ui.label(RichText::new(text).small().color(ui.visuals().warn_fg_color));
                }
            } else {
                ui.label(
                    RichText::new(format!(
                        "Smallest text {:.1} pt in a PDF of the map's own size; choose a column width to see it at \
                         its printed size.",
                        fit.smallest_pt
                    ))
                    .small(),
                );
            }
        }
        if self.prefs.export.format == Format::Png {
            let (w, h) = self.export_dialog.pixels;
            ui.label(RichText::new(format!("{w:.0} × {h:.0} pixels")).small());
        }
        ui.checkbox(&mut self.prefs.export.as_printed, "Preview as printed (its real size on a 96 dpi screen)")
            .on_hover_text("At 100 % display scaling a ruler held to the screen measures the printed size.");
        if let Some((_, texture)) = &self.export_dialog.preview {
            let size = texture.size_vec2() / ppp;
            if as_printed {
                // A window of its own, as large as the figure up to most of the main window.
                let screen = ui.ctx().content_rect().size();
                let mut open = true;
                egui::Window::new("As printed")
                    .open(&mut open)
                    .default_size((size + egui::vec2(24.0, 24.0)).min(screen * 0.85))
                    .default_pos(egui::pos2(screen.x * 0.1, 40.0))
                    .show(ui.ctx(), |ui| {
                        egui::ScrollArea::both().show(ui, |ui| {
                            ui.add(egui::Image::new((texture.id(), size)).alt_text("The export at its printed size"));
                        });
                    });
                if !open {
                    self.prefs.export.as_printed = false;
                }
            } else {
                let scale = PREVIEW_WIDTH / size.x.max(1.0);
                ui.add(egui::Image::new((texture.id(), size * scale)).alt_text("Preview of the export"));
            }
        }
    }

    /// Exports to `path` (format from its extension) with the remembered choices, on a worker
    /// thread; the status bar says when it is done.
    pub fn export_to(&mut self, ctx: &egui::Context, path: PathBuf) {
        let format = Format::from_path(&path).unwrap_or(self.prefs.export.format);
        self.start_export(ctx, path, format);
    }

    /// Whether an export is still running.
    pub fn export_running(&self) -> bool {
        self.export_dialog.is_busy()
    }

    /// Runs an export to `path` on a worker thread.
    pub(super) fn start_export(&mut self, ctx: &egui::Context, path: PathBuf, format: Format) {
        let path = if path.extension().is_some() { path } else { path.with_extension(format.extension()) };
        let format = Format::from_path(&path).unwrap_or(format);
        let handout = format == Format::Pdf && self.prefs.export.story && !self.map.doc().story.is_empty();
        let mut options = self.export_options_now();
        if handout && options.page.is_none() {
            options.page = Some(self.prefs.export.page);
        }
        // All of the work — the scene, the SVG, rasterising or PDF conversion, writing — runs
        // on the worker, which shares the map, so a large map never holds up the window. Text
        // is measured with the screen's fonts through the (thread-safe) egui context.
        let doc = self.map.shared();
        let fonts = self.worker_fonts(ctx);
        let work = move || -> Result<Vec<u8>, String> {
            let measure = EguiMeasure(&fonts);
            if handout {
                return crate::export::handout_pdf(&doc, &options, &measure).map_err(|e| e.to_string());
            }
            export_bytes(&doc, format, &options, &measure).map_err(|e| e.to_string())
        };
        let target = path.clone();
        let task = super::tasks::Task::spawn("export", ctx, move |_| {
            work().and_then(|bytes| crate::model::io::write_atomic(&target, &bytes).map_err(|e| e.to_string()))
        });
        match task {
            Ok(task) => {
                self.export_dialog.job = Some((path, task));
                self.status = "Exporting…".to_owned();
            }
            Err(err) => self.alert("Could not export", err.to_string()),
        }
    }

    fn poll_export(&mut self, ctx: &egui::Context) {
        let Some((path, task)) = &mut self.export_dialog.job else { return };
        match task.poll() {
            super::tasks::Poll::Done(Ok(())) => {
                self.status = format!("Exported {}", path.display());
                self.export_dialog.job = None;
            }
            super::tasks::Poll::Done(Err(err)) => {
                let body = format!("{}: {err}", path.display());
                self.export_dialog.job = None;
                self.alert("Could not export", body);
            }
            super::tasks::Poll::Running => ctx.request_repaint_after(std::time::Duration::from_millis(100)),
            super::tasks::Poll::Lost => {
                self.export_dialog.job = None;
                self.alert("Could not export", "the export stopped unexpectedly".to_owned());
            }
        }
    }
}

/// The Size menu, and under it what the chosen size needs: the custom width, the page, the
/// smallest text allowed.
fn size_ui(ui: &mut Ui, prefs: &mut ExportPrefs) {
    let current = SizeChoice::of(&prefs.options);
    let mut chosen = current;
    ui.horizontal(|ui| {
        ui.label("Size");
        egui::ComboBox::from_id_salt("export-size")
            .selected_text(current.label())
            .show_ui(ui, |ui| {
                let choices = std::iter::once(SizeChoice::Own)
                    .chain((0..PRESETS.len()).map(SizeChoice::Preset))
                    .chain([SizeChoice::Custom, SizeChoice::Page]);
                for choice in choices {
                    ui.selectable_value(&mut chosen, choice, choice.label());
                }
            })
            .response
            .accessible_name("Size");
    });
    if chosen != current {
        let options = &mut prefs.options;
        match chosen {
            SizeChoice::Own => (options.width, options.page) = (None, None),
            SizeChoice::Preset(i) => (options.width, options.page) = (Some(PRESETS[i].width), None),
            SizeChoice::Custom => (options.width, options.page) = (Some(prefs.custom_width), None),
            SizeChoice::Page => (options.width, options.page) = (None, Some(prefs.page)),
        }
    }
    match chosen {
        SizeChoice::Custom => {
            ui.horizontal(|ui| {
                ui.label("Width");
                let mut width = prefs.custom_width;
                ui.add(egui::DragValue::new(&mut width.value).range(1.0..=5000.0).speed(0.5)).accessible_name("Width");
                egui::ComboBox::from_id_salt("export-width-unit")
                    .selected_text(width.unit.symbol())
                    .width(48.0)
                    .show_ui(ui, |ui| {
                        for unit in Unit::PAPER {
                            if ui.selectable_label(width.unit == unit, unit.symbol()).clicked() && width.unit != unit {
                                // The same width in the new unit.
                                width = Length { value: (width.in_unit(unit) * 100.0).round() / 100.0, unit };
                            }
                        }
                    });
                if width != prefs.custom_width {
                    prefs.custom_width = width;
                    prefs.options.width = Some(width);
                }
            });
        }
        SizeChoice::Page => {
            ui.horizontal(|ui| {
                page_ui(ui, &mut prefs.page);
            });
            prefs.options.page = Some(prefs.page);
        }
        SizeChoice::Own | SizeChoice::Preset(_) => {}
    }
    if chosen != SizeChoice::Own {
        ui.horizontal(|ui| {
            ui.label("Smallest text");
            ui.add(egui::DragValue::new(&mut prefs.options.min_text_pt).range(0.0..=24.0).speed(0.1).suffix(" pt"))
                .accessible_name("Smallest text")
                .on_hover_text(
                    "Journals ask for 6–8 pt at the printed size. The map's text and cards are enlarged (and \
                     cards moved apart where they would touch) until its smallest text is this large; 0 leaves \
                     the text as it is.",
                );
        });
    }
}

/// Paper, orientation and margin of a page.
fn page_ui(ui: &mut Ui, page: &mut Page) {
    egui::ComboBox::from_id_salt("export-paper")
        .selected_text(page.paper.label())
        .width(70.0)
        .show_ui(ui, |ui| {
            for paper in Paper::ALL {
                ui.selectable_value(&mut page.paper, paper, paper.label());
            }
        })
        .response
        .accessible_name("Paper");
    egui::ComboBox::from_id_salt("export-orientation")
        .selected_text(page.orientation.label())
        .width(100.0)
        .show_ui(ui, |ui| {
            for orientation in Orientation::ALL {
                ui.selectable_value(&mut page.orientation, orientation, orientation.label());
            }
        })
        .response
        .accessible_name("Orientation");
    ui.label("margin");
    let mut margin_mm = page.margin.in_unit(Unit::Mm);
    if ui
        .add(egui::DragValue::new(&mut margin_mm).range(0.0..=60.0).speed(0.5).suffix(" mm"))
        .accessible_name("Margin")
        .changed()
    {
        page.margin = Length::mm(margin_mm);
    }
}
