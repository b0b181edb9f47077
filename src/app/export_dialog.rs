//! File ▸ Export…: format, theme, scale, background, legend, caption and scope, with a preview.
//! The choices are remembered between uses; the export itself runs on a worker thread so a
//! large image never freezes the window.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};

use egui::{RichText, Ui};

use super::QualmapApp;
use crate::export::{ExportOptions, Format, export_bytes, export_scene, svg, svg_to_pdf, svg_to_png, svg_to_rgba};
use crate::scene::{EguiMeasure, MapTheme, ThemeKind};

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
    /// For PDF: the whole presentation, one page per step (a handout).
    pub presentation: bool,
}

impl Default for ExportPrefs {
    fn default() -> Self {
        Self { format: Format::Png, options: ExportOptions::default(), current_view: false, presentation: false }
    }
}

/// The dialog's transient state.
#[derive(Default)]
pub(super) struct ExportDialog {
    pub open: bool,
    preview: Option<(String, egui::TextureHandle)>,
    /// Size of the PNG the current options give.
    pixels: (f32, f32),
    job: Option<(PathBuf, Receiver<Result<(), String>>)>,
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

impl QualmapApp {
    /// The options an export uses now: the remembered ones, with the support mode and filter in
    /// force and (if asked) the part of the map the canvas shows.
    fn export_options_now(&self) -> ExportOptions {
        let prefs = &self.prefs.export;
        let view = prefs.current_view.then(|| {
            let canvas = super::canvas::map_area(self.view.canvas_rect, self.view.legend_height);
            let camera = self.view.camera;
            egui::Rect::from_two_pos(
                camera.world_from_screen(canvas, canvas.min),
                camera.world_from_screen(canvas, canvas.max),
            )
            .shrink(crate::export::svg::MARGIN)
        });
        ExportOptions {
            support: self.view.support,
            filter: self.view.filter.clone(),
            view,
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
                if prefs.format == Format::Png {
                    ui.add(egui::Slider::new(&mut prefs.options.scale, 1.0..=4.0).step_by(0.5).text("scale"))
                        .accessible_name("Scale");
                }
                ui.checkbox(&mut prefs.options.transparent, "Transparent background");
                ui.checkbox(&mut prefs.options.legend, "Legend");
                ui.checkbox(&mut prefs.options.caption, "Caption (title, source, filter in force)");
                ui.horizontal(|ui| {
                    ui.radio_value(&mut prefs.current_view, false, "Whole map");
                    ui.radio_value(&mut prefs.current_view, true, "Current view");
                });
                if prefs.format == Format::Pdf {
                    ui.checkbox(&mut prefs.presentation, "The presentation as a handout (one page per step)");
                }
            }
            let filter = if self.view.filter.is_active() {
                format!("filter: {}", self.view.filter.describe(&self.doc))
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
                let revision = self.revision;
                if self.export_dialog.missing_glyphs.as_ref().is_none_or(|(r, _)| *r != revision) {
                    let missing = crate::export::missing_glyphs(&self.doc);
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
            let folder = self.path.as_ref().and_then(|p| p.parent()).map(Path::to_owned);
            self.dialogs.save_export(ctx, &format!("{stem}.{}", format.extension()), folder, format);
        }
    }

    fn export_preview_ui(&mut self, ui: &mut Ui) {
        let options = self.export_options_now();
        // Rebuilt only when the map or the options change, not every frame.
        let key = format!("{}|{:?}|{:?}", self.revision, options, self.prefs.export.format);
        let stale = self.export_dialog.preview.as_ref().is_none_or(|(k, _)| *k != key);
        let measure = EguiMeasure(ui.ctx());
        if stale {
            let scene = export_scene(&self.doc, &options, &measure);
            let svg_text = svg::scene_to_svg(
                &self.doc,
                &scene,
                &MapTheme::new(options.theme),
                &ExportOptions { scale: 1.0, ..options.clone() },
            );
            let frame = options.view.unwrap_or(scene.bounds).expand(crate::export::svg::MARGIN);
            self.export_dialog.pixels = (frame.width() * options.scale, frame.height() * options.scale);
            let zoom = PREVIEW_WIDTH / scene.bounds.width().max(1.0);
            match svg_to_rgba(&svg_text, zoom.min(1.0)) {
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
        if self.prefs.export.format == Format::Png {
            let (w, h) = self.export_dialog.pixels;
            ui.label(
                RichText::new(format!("About {w:.0} × {h:.0} pixels (the legend and caption add height)")).small(),
            );
        }
        if let Some((_, texture)) = &self.export_dialog.preview {
            let size = texture.size_vec2();
            let scale = PREVIEW_WIDTH / size.x.max(1.0);
            ui.add(egui::Image::new((texture.id(), size * scale)).alt_text("Preview of the export"));
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
        let options = self.export_options_now();
        let handout = format == Format::Pdf && self.prefs.export.presentation && !self.doc.presentation.is_empty();
        // All of the work — the scene, the SVG, rasterising or PDF conversion, writing — runs
        // on the worker, which shares the map, so a large map never holds up the window. Text
        // is measured with the screen's fonts through the (thread-safe) egui context.
        let doc = self.doc.clone();
        let fonts = self.worker_fonts(ctx);
        let work = move || -> Result<Vec<u8>, String> {
            let measure = EguiMeasure(&fonts);
            if handout {
                let svgs = crate::export::presentation_svgs(&doc, &options, &measure);
                return crate::export::svgs_to_pdf(&svgs).map_err(|e| e.to_string());
            }
            if !format.is_image() {
                return export_bytes(&doc, format, &options, &measure).map_err(|e| e.to_string());
            }
            let scene = export_scene(&doc, &options, &measure);
            let svg_options =
                ExportOptions { scale: if format == Format::Png { options.scale } else { 1.0 }, ..options.clone() };
            let svg_text = svg::scene_to_svg(&doc, &scene, &MapTheme::new(options.theme), &svg_options);
            match format {
                Format::Svg => Ok(svg_text.into_bytes()),
                Format::Png => svg_to_png(&svg_text, &svg_options).map_err(|e| e.to_string()),
                _ => svg_to_pdf(&svg_text).map_err(|e| e.to_string()),
            }
        };
        let (sender, receiver) = channel();
        let target = path.clone();
        let ctx_for_worker = ctx.clone();
        let spawned = super::spawn_background("export", move || {
            let result =
                work().and_then(|bytes| crate::model::io::write_atomic(&target, &bytes).map_err(|e| e.to_string()));
            let _ = sender.send(result);
            ctx_for_worker.request_repaint();
        });
        match spawned {
            Ok(_) => {
                self.export_dialog.job = Some((path, receiver));
                self.status = "Exporting…".to_owned();
            }
            Err(err) => self.alert("Could not export", err.to_string()),
        }
    }

    fn poll_export(&mut self, ctx: &egui::Context) {
        let Some((path, receiver)) = &self.export_dialog.job else { return };
        match receiver.try_recv() {
            Ok(Ok(())) => {
                self.status = format!("Exported {}", path.display());
                self.export_dialog.job = None;
            }
            Ok(Err(err)) => {
                let body = format!("{}: {err}", path.display());
                self.export_dialog.job = None;
                self.alert("Could not export", body);
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => {
                ctx.request_repaint_after(std::time::Duration::from_millis(100))
            }
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                self.export_dialog.job = None;
                self.alert("Could not export", "the export stopped unexpectedly".to_owned());
            }
        }
    }
}
