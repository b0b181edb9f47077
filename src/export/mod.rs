//! Exports: images for papers and slides (SVG, PNG, PDF) drawn from the same scene as the screen,
//! graph formats for other tools (GraphML, GEXF, DOT, JSON Canvas) and an evidence appendix
//! (HTML, Markdown, CSV). Every format is deterministic: the same map and options give the same
//! bytes, so a figure can be rebuilt by a paper's build script.

pub mod appendix;
pub mod figure;
pub mod font_subset;
pub mod graph;
pub mod outlined;
pub mod pdf_text;
pub mod refi;
pub mod svg;

use std::path::Path;
use std::sync::Arc;

use egui::Rect;

use crate::model::Document;
use crate::model::support::{EvidenceFilter, SupportMode};
use crate::scene::{MapTheme, Scene, SceneOptions, TextMeasure, ThemeKind, build_scene};

/// What a file is exported as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Format {
    /// Scalable vector graphics with real text.
    Svg,
    /// A raster image.
    Png,
    /// A vector PDF with the font embedded.
    Pdf,
    /// GraphML (yEd, Cytoscape, Gephi, networkx).
    GraphMl,
    /// GEXF with positions, colours and sizes (Gephi).
    Gexf,
    /// Graphviz DOT.
    Dot,
    /// JSON Canvas (Obsidian).
    Canvas,
    /// REFI-QDA project, for ATLAS.ti, NVivo, MAXQDA, QualCoder.
    Qdpx,
    /// Evidence appendix as a web page.
    Html,
    /// Evidence appendix as Markdown.
    Markdown,
    /// Evidence appendix as a table, one row per supporting excerpt.
    Csv,
}

impl Format {
    /// Every format, in menu order.
    pub const ALL: [Self; 11] = [
        Self::Svg,
        Self::Png,
        Self::Pdf,
        Self::GraphMl,
        Self::Gexf,
        Self::Dot,
        Self::Canvas,
        Self::Qdpx,
        Self::Html,
        Self::Markdown,
        Self::Csv,
    ];

    /// The file extension (without dot).
    pub fn extension(self) -> &'static str {
        match self {
            Self::Svg => "svg",
            Self::Png => "png",
            Self::Pdf => "pdf",
            Self::GraphMl => "graphml",
            Self::Gexf => "gexf",
            Self::Dot => "dot",
            Self::Canvas => "canvas",
            Self::Qdpx => "qdpx",
            Self::Html => "html",
            Self::Markdown => "md",
            Self::Csv => "csv",
        }
    }

    /// A human label for menus.
    pub fn label(self) -> &'static str {
        match self {
            Self::Svg => "SVG image",
            Self::Png => "PNG image",
            Self::Pdf => "PDF",
            Self::GraphMl => "GraphML graph",
            Self::Gexf => "GEXF graph (Gephi)",
            Self::Dot => "DOT graph (Graphviz)",
            Self::Canvas => "JSON Canvas (Obsidian)",
            Self::Qdpx => "REFI-QDA project (ATLAS.ti, NVivo, MAXQDA)",
            Self::Html => "Evidence appendix (HTML)",
            Self::Markdown => "Evidence appendix (Markdown)",
            Self::Csv => "Evidence table (CSV)",
        }
    }

    /// The format a file name asks for, from its extension.
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        let ext = match ext.as_str() {
            "markdown" => "md",
            "htm" => "html",
            "gv" => "dot",
            other => other,
        }
        .to_owned();
        Self::ALL.into_iter().find(|f| f.extension() == ext)
    }

    /// Whether the format is a picture of the map (uses theme, scale, legend…).
    pub fn is_image(self) -> bool {
        matches!(self, Self::Svg | Self::Png | Self::Pdf)
    }
}

/// How to export.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ExportOptions {
    /// Colours: light, dark or print.
    pub theme: ThemeKind,
    /// Pixels per map unit for PNG (and the SVG's nominal size).
    pub scale: f32,
    /// For PNG: a target width in pixels, overriding `scale`.
    pub width_px: Option<u32>,
    /// Leave the background transparent.
    pub transparent: bool,
    /// Draw a legend below the map.
    pub legend: bool,
    /// Draw a caption: title, citation, the filter in force.
    pub caption: bool,
    /// What support counts.
    pub support: SupportMode,
    /// Which evidence counts.
    pub filter: EvidenceFilter,
    /// Only this part of the map (world rectangle); `None` is the whole map.
    #[serde(skip)]
    pub view: Option<Rect>,
    /// Only these items (a story step); `None` is everything.
    #[serde(skip)]
    pub visible: Option<std::collections::BTreeSet<crate::model::ItemRef>>,
    /// A title and text for the caption instead of the map's title and citation (handouts).
    #[serde(skip)]
    pub heading: Option<(String, String)>,
    /// SVG and PDF: draw text as outlines (paths) and carry no fonts, for journals that ask for
    /// that. Otherwise an SVG keeps real `<text>` and carries subsets of its fonts, and a PDF
    /// embeds them with a text layer.
    pub text_as_outlines: bool,
    /// The map's text size ([`SceneOptions::text_scale`]); the window sets it from its Map Text
    /// Size preference, so an export has the text the screen has.
    #[serde(skip)]
    pub text_scale: f32,
    /// The badges', relationship labels', legend's and caption's size on top of `text_scale`
    /// ([`SceneOptions::detail_scale`]); set by [`figure`] to keep them legible at a width.
    #[serde(skip)]
    pub detail_scale: f32,
    /// SVG, PDF and PNG: the figure's final width (a journal's column, a slide), in mm, cm, in,
    /// pt or px. `None` keeps the map's own size (a world unit is a point in a PDF and `scale`
    /// pixels in a PNG).
    pub width: Option<figure::Length>,
    /// The smallest text allowed at the final size of a figure of a given width or on a page, in
    /// points: the map's text and cards are enlarged until it is met (see [`figure`]); 0 leaves
    /// the text as it is.
    pub min_text_pt: f32,
    /// A PNG of a physical width or on a page: its resolution, in dots per inch.
    pub dpi: f32,
    /// Put the figure (each step of a handout) on a page: the map fitted between the margins,
    /// the caption below.
    pub page: Option<figure::Page>,
    /// Items drawn highlighted, as a story step highlights them on screen.
    #[serde(skip)]
    pub highlight: std::collections::BTreeSet<crate::model::ItemRef>,
    /// A measure drawn on the cards' outlines (the Explore window's bridging concepts).
    #[serde(skip)]
    pub emphasis: Option<std::sync::Arc<crate::scene::Emphasis>>,
    /// A focus: items not in it are drawn faded, as the window fades them.
    #[serde(skip)]
    pub focus: Option<std::collections::BTreeSet<crate::model::ItemRef>>,
    /// The focus in words, for the caption ("within 2 steps of Problem solving").
    #[serde(skip)]
    pub focus_text: Option<String>,
    /// A figure that colours the items (the Agreement window's intercoder agreement).
    #[serde(skip)]
    pub tint: Option<std::sync::Arc<crate::scene::Tint>>,
}

impl Default for ExportOptions {
    fn default() -> Self {
        Self {
            theme: ThemeKind::Light,
            scale: 2.0,
            width_px: None,
            transparent: false,
            legend: true,
            caption: false,
            support: SupportMode::Excerpts,
            filter: EvidenceFilter::default(),
            view: None,
            visible: None,
            heading: None,
            text_as_outlines: false,
            text_scale: 1.0,
            detail_scale: 1.0,
            width: None,
            min_text_pt: DEFAULT_MIN_TEXT_PT,
            dpi: DEFAULT_DPI,
            page: None,
            highlight: std::collections::BTreeSet::new(),
            emphasis: None,
            focus: None,
            focus_text: None,
            tint: None,
        }
    }
}

/// The smallest text of a figure at its final size, in points, unless asked otherwise: the
/// lower end of the 6–8 pt journals ask for.
pub const DEFAULT_MIN_TEXT_PT: f32 = 6.0;

/// The resolution of a PNG of a physical size unless asked otherwise (journals ask 300 dpi for
/// colour images and more for line art).
pub const DEFAULT_DPI: f32 = 300.0;

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The image would be too large to hold in memory.
    #[error("the image would be {width}×{height} pixels; lower the scale or width (at most {max} pixels a side)")]
    TooLarge {
        /// Width asked for.
        width: u32,
        /// Height asked for.
        height: u32,
        /// Largest side allowed.
        max: u32,
    },
    /// The SVG could not be turned into an image or PDF (an internal error).
    #[error("could not render the drawing: {0}")]
    Render(String),
    /// The file could not be written.
    #[error(transparent)]
    Save(#[from] crate::model::io::SaveError),
}

/// Largest side of a PNG export, in pixels (16k × 16k RGBA is 1 GiB).
pub const MAX_PNG_SIDE: u32 = 16_384;

/// The scene an export draws.
pub fn export_scene(doc: &Document, options: &ExportOptions, measure: &dyn TextMeasure) -> Scene {
    let scene_options = SceneOptions {
        theme: MapTheme::new(options.theme),
        support: options.support,
        filter: options.filter.clone(),
        visible: options.visible.clone(),
        text_scale: options.text_scale,
        detail_scale: options.detail_scale,
        emphasis: options.emphasis.clone(),
        focus: options.focus.clone(),
        tint: options.tint.clone(),
    };
    build_scene(doc, &scene_options, measure)
}

/// `text` with each range replaced by its text (ranges in order, not overlapping): how the
/// SVG passes before usvg (outlined lines, PDF span markers) rewrite the elements they change
/// and keep the rest byte for byte.
fn splice(text: &str, edits: Vec<(std::ops::Range<usize>, String)>) -> String {
    let mut out = String::with_capacity(text.len() + edits.iter().map(|(_, r)| r.len()).sum::<usize>());
    let mut at = 0;
    for (range, replacement) in edits {
        out.push_str(text.get(at..range.start).unwrap_or_default());
        out.push_str(&replacement);
        at = range.end.max(at);
    }
    out.push_str(text.get(at..).unwrap_or_default());
    out
}

/// An XML document being written (GraphML, GEXF, a REFI-QDA project): [`xmlwriter`] nests and
/// closes the elements and indents them by two spaces a level, and every attribute value and
/// text passes through [`svg::xml_escape`] on its way in, so escaping happens here and nowhere
/// else.
///
/// `xml_escape` does all of it: xmlwriter 0.1 escapes only `<` in text and the quote character
/// in attribute values (neither `&` nor `>`, and it keeps the control characters XML 1.0
/// forbids), and once `xml_escape` has run neither `<` nor `"` is left for it to change, so
/// nothing is escaped twice.
pub(crate) struct XmlOut {
    writer: xmlwriter::XmlWriter,
    declaration: &'static str,
}

impl XmlOut {
    /// A document that will start with `declaration`, its `<?xml …?>` line as the format has
    /// always been written (xmlwriter's own declaration adds `standalone="no"`).
    pub(crate) fn new(declaration: &'static str) -> Self {
        let options = xmlwriter::Options { indent: xmlwriter::Indent::Spaces(2), ..xmlwriter::Options::default() };
        Self { writer: xmlwriter::XmlWriter::new(options), declaration }
    }

    /// Opens element `name` inside the open one (or as the root).
    pub(crate) fn start(&mut self, name: &str) -> &mut Self {
        self.writer.start_element(name);
        self
    }

    /// Gives the element just opened an attribute, its value escaped. Attributes come before
    /// any content: xmlwriter panics on one written after a child or text.
    pub(crate) fn attr(&mut self, name: &str, value: impl std::fmt::Display) -> &mut Self {
        self.writer.write_attribute(name, &svg::xml_escape(&value.to_string()));
        self
    }

    /// Closes the open element (as `<name …/>` when nothing was written inside it).
    pub(crate) fn end(&mut self) {
        self.writer.end_element();
    }

    /// Writes `text`, escaped, as all that the open element holds, and closes it. The text stays
    /// exactly as given: no line break or indentation is written around it, as it is around
    /// child elements.
    pub(crate) fn end_with_text(&mut self, text: &str) {
        self.writer.set_preserve_whitespaces(true);
        self.writer.write_text(&svg::xml_escape(text));
        self.writer.end_element();
        self.writer.set_preserve_whitespaces(false);
    }

    /// The document: the declaration, then the elements with every one still open closed, and a
    /// final line break.
    pub(crate) fn finish(self) -> String {
        format!("{}\n{}", self.declaration, self.writer.end_document())
    }
}

/// A font database holding the bundled fonts in fallback order (the screen's Ubuntu Light
/// first), parsed once, so every machine renders exports identically.
fn font_database() -> Arc<usvg::fontdb::Database> {
    static DATABASE: std::sync::OnceLock<Arc<usvg::fontdb::Database>> = std::sync::OnceLock::new();
    DATABASE
        .get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            for font in crate::scene::fonts::bundled() {
                db.load_font_source(usvg::fontdb::Source::Binary(Arc::new(font.bytes)));
            }
            let family = db.faces().next().and_then(|f| f.families.first()).map(|(name, _)| name.clone());
            if let Some(family) = family {
                db.set_sans_serif_family(family.clone());
                db.set_serif_family(family);
            }
            Arc::new(db)
        })
        .clone()
}

/// The characters of the map's drawn texts (names, labels, title, citation, story
/// steps) that no bundled font has: exports draw them as boxes, so the export dialog and the
/// command line say which.
pub fn missing_glyphs(doc: &Document) -> std::collections::BTreeSet<char> {
    let texts = doc
        .concepts
        .iter()
        .map(|c| c.label.as_str())
        .chain(doc.areas.iter().map(|a| a.label.as_str()))
        .chain(doc.relationships.iter().map(|r| doc.relationship_label(r)))
        .chain([doc.info.title.as_str(), doc.info.citation.as_str()])
        .chain(doc.story.iter().flat_map(|s| [s.title.as_str(), s.caption.as_str()]));
    crate::scene::fonts::missing_chars(texts)
}

fn parse_svg(svg: &str) -> Result<usvg::Tree, ExportError> {
    let options = usvg::Options { fontdb: font_database(), ..usvg::Options::default() };
    usvg::Tree::from_str(svg, &options).map_err(|e| ExportError::Render(e.to_string()))
}

/// Renders SVG text to straight-alpha RGBA pixels at `zoom`: width, height, pixels.
pub fn svg_to_rgba(svg: &str, zoom: f32) -> Result<(u32, u32, Vec<u8>), ExportError> {
    let tree = parse_svg(&outlined::outline_lines(svg, false))?;
    let size = tree.size();
    let (width, height) = ((size.width() * zoom).ceil().max(1.0), (size.height() * zoom).ceil().max(1.0));
    let (w, h) = (width as u32, height as u32);
    if w > MAX_PNG_SIDE || h > MAX_PNG_SIDE || !width.is_finite() || !height.is_finite() {
        return Err(ExportError::TooLarge { width: w, height: h, max: MAX_PNG_SIDE });
    }
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h).ok_or_else(|| ExportError::Render("empty image".into()))?;
    resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(zoom, zoom), &mut pixmap.as_mut());
    // tiny-skia stores premultiplied colour; PNG and egui textures want straight alpha.
    let mut data = Vec::with_capacity(pixmap.data().len());
    for pixel in pixmap.pixels() {
        let c = pixel.demultiply();
        data.extend_from_slice(&[c.red(), c.green(), c.blue(), c.alpha()]);
    }
    Ok((w, h, data))
}

/// Renders SVG text to PNG bytes on the CPU.
pub fn svg_to_png(svg: &str, options: &ExportOptions) -> Result<Vec<u8>, ExportError> {
    let physical = options.width.is_some() || options.page.is_some();
    let dpi = if options.dpi.is_finite() && options.dpi > 0.0 { options.dpi.min(2400.0) } else { DEFAULT_DPI };
    let zoom = match options.width_px {
        // A figure of a physical size is drawn in points: dpi / 72 pixels a point.
        _ if physical => dpi / 72.0,
        // The SVG's nominal size already includes `scale`; a target width overrides it.
        Some(target) => {
            let width = parse_svg(svg)?.size().width();
            target as f32 / width.max(1.0)
        }
        None => 1.0,
    };
    let (w, h, data) = svg_to_rgba(svg, zoom)?;
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, w, h);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Fast);
        // Pixels per metre, so word processors place the image at its size: the dpi asked for
        // a physical size, else 96 dpi × scale.
        let per_inch = if physical { dpi } else { options.scale.max(0.01) * 96.0 };
        let ppm = (per_inch / 0.0254).round() as u32;
        encoder.set_pixel_dims(Some(png::PixelDimensions { xppu: ppm, yppu: ppm, unit: png::Unit::Meter }));
        let mut writer = encoder.write_header().map_err(|e| ExportError::Render(e.to_string()))?;
        writer.write_image_data(&data).map_err(|e| ExportError::Render(e.to_string()))?;
    }
    Ok(bytes)
}

/// Converts SVG text to a one-page vector PDF sized to the map, with the fonts embedded and a
/// text layer that gives back every line as typed.
pub fn svg_to_pdf(svg: &str) -> Result<Vec<u8>, ExportError> {
    svgs_to_pdf(&[svg.to_owned()])
}

/// svg2pdf writes its fonts in hash-map order, and numbers the objects of each font as it
/// writes them, so a drawing with several fonts came out with other numbers on every run.
/// Renumbering every object in the order it is first reached from the trailer (each object's
/// references in the order they are written), and writing the objects in that order with a
/// cross-reference table to match, makes the file byte-stable. A PDF this cannot read (no
/// classic cross-reference table) is returned as it is.
fn objects_in_number_order(pdf: Vec<u8>) -> Vec<u8> {
    reorder_objects(&pdf).unwrap_or(pdf)
}

/// The object numbers referenced (`N 0 R`) in `text`, in order.
fn references(text: &str) -> Vec<usize> {
    let words: Vec<&str> =
        text.split(|c: char| c.is_whitespace() || "[]<>/".contains(c)).filter(|w| !w.is_empty()).collect();
    words.windows(3).filter(|w| w[1] == "0" && w[2] == "R").filter_map(|w| w[0].parse().ok()).collect()
}

/// `text` with every reference `N 0 R` renumbered by `map`.
fn renumber_references(text: &str, map: &std::collections::HashMap<usize, usize>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(" 0 R") {
        let before = &rest[..at];
        let digits = before.len() - before.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (head, number) = before.split_at(before.len() - digits);
        out.push_str(head);
        match number.parse::<usize>().ok().and_then(|n| map.get(&n)) {
            Some(new) => out.push_str(&new.to_string()),
            None => out.push_str(number),
        }
        out.push_str(" 0 R");
        rest = &rest[at + 4..];
    }
    out.push_str(rest);
    out
}

/// A PDF with a classic cross-reference table, taken apart: what comes before the first object,
/// each object (its number, its text up to `stream` where its references are, and the rest), and
/// the trailer.
struct PdfObjects<'a> {
    prefix: &'a [u8],
    objects: Vec<(usize, String, std::borrow::Cow<'a, [u8]>)>,
    trailer: String,
}

impl<'a> PdfObjects<'a> {
    /// Takes `pdf` apart; `None` when it has no classic cross-reference table to read.
    fn read(pdf: &'a [u8]) -> Option<Self> {
        let text_at = |from: usize, to: usize| std::str::from_utf8(pdf.get(from..to)?).ok();
        let tail_start = pdf.len().saturating_sub(64);
        let tail = String::from_utf8_lossy(pdf.get(tail_start..)?);
        let xref_at: usize = tail.rsplit("startxref").next()?.split_whitespace().next()?.parse().ok()?;
        let trailer_at = xref_at + pdf.get(xref_at..)?.windows(7).position(|w| w == b"trailer")?;
        let startxref_at = trailer_at + pdf.get(trailer_at..)?.windows(9).position(|w| w == b"startxref")?;
        let mut tokens = text_at(xref_at, trailer_at)?.split_whitespace();
        if tokens.next()? != "xref" || tokens.next()? != "0" {
            return None;
        }
        let count: usize = tokens.next()?.parse().ok()?;
        let mut by_offset = Vec::with_capacity(count);
        for number in 0..count {
            let (offset, _generation, kind) = (tokens.next()?, tokens.next()?, tokens.next()?);
            if kind == "n" {
                by_offset.push((number, offset.parse::<usize>().ok()?));
            }
        }
        by_offset.sort_by_key(|&(_, offset)| offset);
        let first = by_offset.first()?.1;
        let mut objects = Vec::with_capacity(by_offset.len());
        for (i, &(number, offset)) in by_offset.iter().enumerate() {
            let end = by_offset.get(i + 1).map_or(xref_at, |&(_, next)| next);
            let bytes = pdf.get(offset..end)?;
            let head_end = bytes.windows(7).position(|w| w == b"stream\n" || w == b"stream\r").unwrap_or(bytes.len());
            let head = std::str::from_utf8(bytes.get(..head_end)?).ok()?;
            let body = head.split_once(" obj")?.1.to_owned();
            objects.push((number, body, std::borrow::Cow::Borrowed(bytes.get(head_end..)?)));
        }
        Some(Self { prefix: pdf.get(..first)?, objects, trailer: text_at(trailer_at, startxref_at)?.to_owned() })
    }

    /// The PDF again, objects numbered 1, 2, … in the order given, references renumbered by
    /// `map` (old number to new), with a cross-reference table to match.
    fn write(&self, map: &std::collections::HashMap<usize, usize>) -> Vec<u8> {
        let mut ordered: Vec<&(usize, String, std::borrow::Cow<'a, [u8]>)> = self.objects.iter().collect();
        ordered.sort_by_key(|(old, _, _)| map.get(old).copied().unwrap_or(usize::MAX));
        let mut out = self.prefix.to_vec();
        let mut offsets = Vec::with_capacity(ordered.len());
        for (i, (_, body, stream)) in ordered.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj{}", i + 1, renumber_references(body, map)).as_bytes());
            out.extend_from_slice(stream);
        }
        let new_xref = out.len();
        out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f\r\n", ordered.len() + 1).as_bytes());
        for offset in offsets {
            out.extend_from_slice(format!("{offset:010} 00000 n\r\n").as_bytes());
        }
        let trailer = renumber_references(&self.trailer, map);
        let trailer = match trailer.split_once("/Size ") {
            Some((before, after)) => {
                let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                format!("{before}/Size {}{}", ordered.len() + 1, &after[digits..])
            }
            None => trailer,
        };
        out.extend_from_slice(trailer.as_bytes());
        out.extend_from_slice(format!("startxref\n{new_xref}\n%%EOF").as_bytes());
        out
    }
}

fn reorder_objects(pdf: &[u8]) -> Option<Vec<u8>> {
    use std::collections::HashMap;
    let parts = PdfObjects::read(pdf)?;
    let bodies: HashMap<usize, &str> = parts.objects.iter().map(|(n, body, _)| (*n, body.as_str())).collect();
    // New numbers, breadth first from the trailer.
    let mut map: HashMap<usize, usize> = HashMap::new();
    let mut queue: std::collections::VecDeque<usize> = references(&parts.trailer).into();
    while let Some(old) = queue.pop_front() {
        let Some(body) = bodies.get(&old) else { continue };
        if map.contains_key(&old) {
            continue;
        }
        map.insert(old, map.len() + 1);
        queue.extend(references(body));
    }
    let mut rest: Vec<usize> = bodies.keys().filter(|n| !map.contains_key(n)).copied().collect();
    rest.sort_unstable();
    for old in rest {
        map.insert(old, map.len() + 1);
    }
    Some(parts.write(&map))
}

/// `pdf` (written with uncompressed streams) with the `/ActualText` spans of `lines` in its
/// content streams (see [`pdf_text`]), and every stream that has no filter compressed.
fn with_actual_text(pdf: &[u8], lines: &[String]) -> Option<Vec<u8>> {
    use std::io::Write as _;
    let mut parts = PdfObjects::read(pdf)?;
    for (_, body, stream) in &mut parts.objects {
        if body.contains("/Filter") || !stream.starts_with(b"stream") {
            continue;
        }
        let data_start = if stream.starts_with(b"stream\r\n") { 8 } else { 7 };
        let length: usize = body.split("/Length ").nth(1)?.split_whitespace().next()?.parse().ok()?;
        let data = stream.get(data_start..data_start + length)?;
        let rest = stream.get(data_start + length..)?;
        let data = if lines.is_empty() { data.to_vec() } else { pdf_text::spans_in_content(data, lines) };
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&data).ok()?;
        let packed = encoder.finish().ok()?;
        *body = body.replacen(
            &format!("/Length {length}"),
            &format!("/Filter /FlateDecode\n  /Length {}", packed.len()),
            1,
        );
        let mut new_stream = stream.get(..data_start)?.to_vec();
        new_stream.extend_from_slice(&packed);
        new_stream.extend_from_slice(rest);
        *stream = std::borrow::Cow::Owned(new_stream);
    }
    let map = parts.objects.iter().enumerate().map(|(i, (n, _, _))| (*n, i + 1)).collect();
    Some(parts.write(&map))
}

/// The story as a handout: one PDF page per step, each on the paper of `base.page` (A4,
/// turned to suit the map, when none is given), drawn as the step looks when presenting.
pub fn handout_pdf(doc: &Document, base: &ExportOptions, measure: &dyn TextMeasure) -> Result<Vec<u8>, ExportError> {
    handout_pdf_with_fits(doc, base, measure).map(|(pdf, _)| pdf)
}

/// [`handout_pdf`], with how each page came out (its smallest text).
pub fn handout_pdf_with_fits(
    doc: &Document,
    base: &ExportOptions,
    measure: &dyn TextMeasure,
) -> Result<(Vec<u8>, Vec<figure::Fit>), ExportError> {
    let options = ExportOptions { page: Some(handout_page(doc, base, measure)), ..base.clone() };
    let (svgs, fits): (Vec<String>, Vec<figure::Fit>) =
        story_figures(doc, &options, measure).into_iter().map(|f| (f.svg, f.fit)).unzip();
    let svgs = if base.text_as_outlines {
        svgs.iter().map(|svg| svg::text_as_outlines(svg)).collect::<Result<Vec<_>, _>>()?
    } else {
        svgs
    };
    Ok((svgs_to_pdf(&svgs)?, fits))
}

/// The page of a handout: the one asked for, with an automatic orientation settled once for
/// the whole story (from the whole map's shape) so that every page is the same way up.
pub fn handout_page(doc: &Document, base: &ExportOptions, measure: &dyn TextMeasure) -> figure::Page {
    let mut page = base.page.unwrap_or_default();
    if page.orientation == figure::Orientation::Auto {
        let bounds = export_scene(doc, &ExportOptions { visible: None, ..base.clone() }, measure).bounds;
        page.orientation = if bounds.width() >= bounds.height() {
            figure::Orientation::Landscape
        } else {
            figure::Orientation::Portrait
        };
    }
    page
}

/// The story as PNG images, one per step: `(file name, bytes)`. With a page (or a
/// width) each is that size at `dpi`; otherwise the step's own size at `scale`.
pub fn handout_pngs(
    doc: &Document,
    base: &ExportOptions,
    measure: &dyn TextMeasure,
) -> Result<Vec<(String, Vec<u8>)>, ExportError> {
    let physical = base.width.is_some() || base.page.is_some();
    let options = if base.page.is_some() {
        ExportOptions { page: Some(handout_page(doc, base, measure)), ..base.clone() }
    } else {
        base.clone()
    };
    story_figures(doc, &options, measure)
        .iter()
        .enumerate()
        .map(|(i, figure)| {
            let png_options = if physical {
                options.clone()
            } else {
                // The SVG is drawn at scale 1; rasterise at the asked scale via a target width.
                let width = figure::svg_size(&figure.svg).map(|(size, _)| (size.x * base.scale).round() as u32);
                ExportOptions { width_px: base.width_px.or(width), ..options.clone() }
            };
            svg_to_png(&figure.svg, &png_options).map(|bytes| (format!("step-{:02}.png", i + 1), bytes))
        })
        .collect()
}

/// svg2pdf writes the page's resource dictionaries in hash-map order, which changes from run to
/// run. Sorting the entry lines of each dictionary makes the file byte-stable; every entry line
/// keeps its length and the block its size, so the cross-reference offsets stay right.
fn sort_resource_entries(mut pdf: Vec<u8>) -> Vec<u8> {
    let mut from = 0;
    while let Some(found) = pdf.get(from..).and_then(|rest| rest.windows(13).position(|w| w == b"/Resources <<")) {
        let start = from + found;
        from = sort_block(&mut pdf, start);
    }
    pdf
}

/// Sorts the runs of `/Name N 0 R` lines in the dictionary starting at `start`; returns where
/// the dictionary ends.
fn sort_block(pdf: &mut [u8], start: usize) -> usize {
    let is_entry = |line: &[u8]| {
        let text = String::from_utf8_lossy(line);
        let mut words = text.split_whitespace();
        matches!(
            (words.next(), words.next(), words.next(), words.next(), words.next()),
            (Some(name), Some(number), Some("0"), Some("R"), None)
                if name.starts_with('/') && number.bytes().all(|b| b.is_ascii_digit())
        )
    };
    let mut depth = 0i32;
    let mut at = start;
    let mut run: Option<usize> = None;
    while at < pdf.len() {
        let end = pdf[at..].iter().position(|&b| b == b'\n').map_or(pdf.len(), |i| at + i + 1);
        if is_entry(&pdf[at..end]) {
            run.get_or_insert(at);
        } else if let Some(run_start) = run.take() {
            let mut lines: Vec<Vec<u8>> =
                pdf[run_start..at].split_inclusive(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
            lines.sort();
            pdf[run_start..at].copy_from_slice(&lines.concat());
        }
        let text = String::from_utf8_lossy(&pdf[at..end]);
        depth += text.matches("<<").count() as i32 - text.matches(">>").count() as i32;
        at = end;
        if depth <= 0 && at > start + 13 {
            break;
        }
    }
    at
}

/// One PDF holding several SVG drawings, a page each, pages sized to their drawings.
pub fn svgs_to_pdf(svgs: &[String]) -> Result<Vec<u8>, ExportError> {
    use pdf_writer::{Content, Finish, Name, Pdf, Rect as PdfRect, Ref};
    let mut alloc = Ref::new(1);
    let catalog = alloc.bump();
    let page_tree = alloc.bump();
    let mut pdf = Pdf::new();
    let mut pages = Vec::new();
    let mut chunks = Vec::new();
    // Lines that need an /ActualText span (see `pdf_text`), over all pages.
    let mut lines = Vec::new();
    for svg in svgs {
        let outlined = outlined::outline_lines(svg, true);
        let (marked, page_lines) = pdf_text::mark_lines(&outlined, lines.len());
        lines.extend(page_lines);
        let tree = parse_svg(&marked)?;
        // Streams stay uncompressed until the spans are written into them.
        let options = svg2pdf::ConversionOptions { compress: lines.is_empty(), ..Default::default() };
        let (chunk, svg_id) = svg2pdf::to_chunk(&tree, options).map_err(|e| ExportError::Render(e.to_string()))?;
        // New numbers in the order of the old ones (which svg2pdf gives in a fixed order),
        // not in the order the objects were written (its fonts come in hash-map order).
        let mut old_refs: Vec<Ref> = chunk.refs().collect();
        old_refs.sort_unstable();
        let mut renumbered: std::collections::HashMap<Ref, Ref> =
            old_refs.into_iter().map(|old| (old, alloc.bump())).collect();
        let chunk = chunk.renumber(|old| *renumbered.entry(old).or_insert_with(|| alloc.bump()));
        let svg_id = renumbered.get(&svg_id).copied().ok_or_else(|| ExportError::Render("lost the drawing".into()))?;
        let (width, height) = (tree.size().width(), tree.size().height());
        let page_id = alloc.bump();
        let content_id = alloc.bump();
        let mut page = pdf.page(page_id);
        page.media_box(PdfRect::new(0.0, 0.0, width, height));
        page.parent(page_tree);
        page.contents(content_id);
        let mut resources = page.resources();
        resources.x_objects().pair(Name(b"S1"), svg_id);
        resources.finish();
        page.finish();
        let mut content = Content::new();
        content.save_state();
        content.transform([width, 0.0, 0.0, height, 0.0, 0.0]);
        content.x_object(Name(b"S1"));
        content.restore_state();
        pdf.stream(content_id, &content.finish());
        pages.push(page_id);
        chunks.push(chunk);
    }
    pdf.catalog(catalog).pages(page_tree);
    pdf.pages(page_tree).kids(pages.iter().copied()).count(pages.len() as i32);
    for chunk in &chunks {
        pdf.extend(chunk);
    }
    let pdf = pdf.finish();
    let pdf = if lines.is_empty() {
        pdf
    } else {
        with_actual_text(&pdf, &lines).ok_or_else(|| ExportError::Render("could not write the text layer".into()))?
    };
    Ok(objects_in_number_order(sort_resource_entries(pdf)))
}

/// Each step of the story drawn as it looks when presenting: what it shows, its view,
/// filter and highlights, its title and caption below (at scale 1, or at the width or on the
/// page of `base`).
pub fn story_figures(doc: &Document, base: &ExportOptions, measure: &dyn TextMeasure) -> Vec<figure::Figure> {
    // The relationship graph, once, if a step holds a focus.
    let graph = doc.story.iter().any(|s| s.focus.is_some()).then(|| crate::explore::RelationGraph::new(doc));
    doc.story
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let focus = step.focus.as_ref().zip(graph.as_ref()).map(|(focus, graph)| focus.items(graph));
            let options = ExportOptions {
                focus_text: step.focus.as_ref().map(|f| f.describe(doc)).or_else(|| base.focus_text.clone()),
                focus: focus.or_else(|| base.focus.clone()),
                filter: step.filter.clone().unwrap_or_else(|| base.filter.clone()),
                visible: doc.visible_in(step),
                view: step.view.map(|v| Rect::from_min_max(egui::pos2(v.min.x, v.min.y), egui::pos2(v.max.x, v.max.y))),
                highlight: step.highlight.iter().copied().collect(),
                caption: true,
                heading: Some((format!("{}. {}", i + 1, step.title), step.caption.clone())),
                scale: 1.0,
                ..base.clone()
            };
            figure::figure(doc, &options, measure)
        })
        .collect()
}

/// The drawing of each story step (see [`story_figures`]).
pub fn story_svgs(doc: &Document, base: &ExportOptions, measure: &dyn TextMeasure) -> Vec<String> {
    story_figures(doc, base, measure).into_iter().map(|f| f.svg).collect()
}

/// Exports a document to bytes in `format`.
pub fn export_bytes(
    doc: &Document,
    format: Format,
    options: &ExportOptions,
    measure: &dyn TextMeasure,
) -> Result<Vec<u8>, ExportError> {
    export_figure(doc, format, options, measure).map(|(bytes, _)| bytes)
}

/// Exports a document to bytes in `format`; for a picture, also how it came out (its size and
/// smallest text, see [`figure::Fit`]).
pub fn export_figure(
    doc: &Document,
    format: Format,
    options: &ExportOptions,
    measure: &dyn TextMeasure,
) -> Result<(Vec<u8>, Option<figure::Fit>), ExportError> {
    if !format.is_image() {
        let bytes = match format {
            Format::GraphMl => graph::graphml(doc, options).into_bytes(),
            Format::Gexf => graph::gexf(doc, options, &export_scene(doc, options, measure)).into_bytes(),
            Format::Dot => graph::dot(doc, options).into_bytes(),
            Format::Canvas => graph::json_canvas(doc, &export_scene(doc, options, measure)).into_bytes(),
            Format::Qdpx => refi::qdpx(doc).map_err(ExportError::Render)?,
            Format::Html => appendix::html(doc, options).into_bytes(),
            Format::Markdown => appendix::markdown(doc, options).into_bytes(),
            _ => appendix::csv(doc, options).into_bytes(),
        };
        return Ok((bytes, None));
    }
    let svg_options =
        ExportOptions { scale: if format == Format::Png { options.scale } else { 1.0 }, ..options.clone() };
    let figure::Figure { svg, fit } = figure::figure(doc, &svg_options, measure);
    // A figure of a physical size says so in its SVG (the width's unit; millimetres for a page).
    let physical = options.width.map(|w| w.unit).or(options.page.map(|_| figure::Unit::Mm));
    let bytes = match format {
        Format::Png => svg_to_png(&svg, &svg_options)?,
        Format::Svg => {
            let svg = match physical {
                Some(unit) => figure::with_physical_size(&svg, unit),
                None => svg,
            };
            if options.text_as_outlines {
                svg::text_as_outlines(&svg)?.into_bytes()
            } else {
                svg::with_fonts(&svg).map_err(ExportError::Render)?.into_bytes()
            }
        }
        _ if options.text_as_outlines => svg_to_pdf(&svg::text_as_outlines(&svg)?)?,
        _ => svg_to_pdf(&svg)?,
    };
    Ok((bytes, Some(fit)))
}

/// Exports a document to a file, atomically; the format comes from the file's extension.
pub fn export_path(
    doc: &Document,
    path: &Path,
    format: Format,
    options: &ExportOptions,
    measure: &dyn TextMeasure,
) -> Result<(), ExportError> {
    let bytes = export_bytes(doc, format, options, measure)?;
    crate::model::io::write_atomic(path, &bytes)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::XmlOut;

    /// What XML treats specially in a label: quotes, markup, a CDATA end, a tab, a line break
    /// and a control character (U+0001, which XML 1.0 forbids).
    pub(super) const AWKWARD: &str = "say \"yes\" & 'no' <b> ]]> \t tab\nline \u{1}bell\u{ffff}";

    /// [`AWKWARD`] as it reads back from an XML text: the control character and the
    /// non-character dropped.
    pub(super) fn awkward_in_text() -> String {
        AWKWARD.replace(['\u{1}', '\u{ffff}'], "")
    }

    /// [`AWKWARD`] as it reads back from an XML attribute value: the same as from a text. The tab
    /// and line break are written as character references, so XML's attribute-value
    /// normalisation does not turn them into spaces (it did while they were written as
    /// themselves).
    pub(super) fn awkward_in_attribute() -> String {
        awkward_in_text()
    }

    #[test]
    fn xml_out_escapes_once_leaves_out_what_xml_forbids_and_reads_back() {
        let mut out = XmlOut::new(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
        out.start("root").attr("label", AWKWARD).attr("n", -1.5);
        out.start("text").end_with_text(AWKWARD);
        out.start("blank").end_with_text("");
        out.start("empty").end();
        let xml = out.finish();
        let escaped = "say &quot;yes&quot; &amp; &apos;no&apos; &lt;b&gt; ]]&gt; &#9; tab&#10;line bell";
        assert_eq!(
            xml,
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<root label=\"{escaped}\" n=\"-1.5\">\n  \
                 <text>{escaped}</text>\n  <blank></blank>\n  <empty/>\n</root>\n"
            )
        );
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let root = doc.root_element();
        assert_eq!(root.attribute("label"), Some(awkward_in_attribute().as_str()));
        let children: Vec<_> = root.children().filter(roxmltree::Node::is_element).collect();
        assert_eq!(children[0].text(), Some(awkward_in_text().as_str()));
        assert_eq!(children[1].text(), None);
        assert!(children[2].children().next().is_none());
    }
}
