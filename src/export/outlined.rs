//! Devanagari drawn right in PNG and PDF: lines that usvg would shape wrongly are drawn as
//! outlines shaped by harfrust, the shaper the window uses.
//!
//! usvg 0.45 shapes text with rustybuzz 0.20, which draws Devanagari conjuncts and reordered
//! vowel signs with the bundled Noto Sans Devanagari wrongly: "आत्मविश्वास" came out with
//! क्ष where श्व belongs and its vowel sign in the wrong place, in every PNG and PDF (usvg 0.46
//! and 0.47 draw it the same; 0.49, which shapes with harfrust, draws it right, but svg2pdf
//! 0.13 and krilla-svg 0.8 both need an older usvg). The SVG export keeps its real text:
//! browsers and librsvg shape it with HarfBuzz, right.
//!
//! So before usvg sees a drawing, each such line becomes a path of its glyphs' outlines, shaped
//! by harfrust with the bundled font that draws each character (the same fallback order as the
//! window and usvg). For a PDF the line's text stays too, invisible, over the outlines: readers
//! select and search it, and its `/ActualText` span (see [`super::pdf_text`]) gives back the line
//! as typed.
//!
//! A line that mixes right-to-left text with these scripts is left to usvg (it needs bidi
//! reordering across fonts as well; none of our texts does that yet).

use std::fmt::Write as _;
use std::sync::OnceLock;

use unicode_segmentation::UnicodeSegmentation;

use crate::scene::fonts;

/// Whether usvg's shaper would draw `line` wrongly: it holds an Indic script (Devanagari and
/// the scripts after it up to Malayalam, Vedic extensions) and no right-to-left text.
pub fn needs_outlines(line: &str) -> bool {
    !crate::scene::text::has_rtl(line) && has_indic(line)
}

/// Whether `text` holds a character of an Indic script (see [`needs_outlines`]).
fn has_indic(text: &str) -> bool {
    text.chars().any(|c| matches!(c as u32, 0x0900..=0x0D7F | 0xA8E0..=0xA8FF | 0x1CD0..=0x1CFF))
}

/// A bundled font prepared for shaping (its outlines and character map come from
/// [`crate::scene::fonts::face`], parsed once for the whole program).
struct Shaper {
    font: harfrust::FontRef<'static>,
    data: harfrust::ShaperData,
}

/// The bundled fonts prepared for shaping, at their places in [`fonts::bundled`] (`None` for a
/// font that does not parse: never a panic).
fn shapers() -> &'static [Option<Shaper>] {
    static SHAPERS: OnceLock<Vec<Option<Shaper>>> = OnceLock::new();
    SHAPERS.get_or_init(|| {
        fonts::bundled()
            .iter()
            .map(|b| {
                let font = harfrust::FontRef::new(b.bytes).ok()?;
                Some(Shaper { data: harfrust::ShaperData::new(&font), font })
            })
            .collect()
    })
}

/// The font that draws `cluster` (a grapheme cluster): the first bundled font that has all the
/// characters that need a glyph; spaces and punctuation stay in `previous` when it has them, so
/// that a line is shaped in as few runs as it can be.
fn font_for(cluster: &str, previous: Option<usize>) -> usize {
    let has_all = |index: usize| {
        fonts::face(index).is_some_and(|face| {
            cluster.chars().filter(|c| fonts::needs_glyph(*c)).all(|c| face.glyph_index(c).is_some())
        })
    };
    let neutral = cluster.chars().all(|c| !c.is_alphanumeric());
    if let Some(p) = previous.filter(|p| neutral && has_all(*p)) {
        return p;
    }
    (0..fonts::bundled().len()).find(|i| has_all(*i)).or_else(|| fonts::index_for(cluster.chars().next()?)).unwrap_or(0)
}

/// Writes outline commands into an SVG path, scaled from font units and placed at an origin.
struct Pen<'a> {
    out: &'a mut String,
    x: f32,
    y: f32,
    scale: f32,
}

impl Pen<'_> {
    fn point(&mut self, x: f32, y: f32) {
        let _ = write!(self.out, "{} {} ", fine(self.x + x * self.scale), fine(self.y - y * self.scale));
    }
}

impl ttf_parser::OutlineBuilder for Pen<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        self.out.push('M');
        self.point(x, y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.out.push('L');
        self.point(x, y);
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        self.out.push('Q');
        self.point(x1, y1);
        self.point(x, y);
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        self.out.push('C');
        self.point(x1, y1);
        self.point(x2, y2);
        self.point(x, y);
    }
    fn close(&mut self) {
        self.out.push('Z');
    }
}

/// Coordinates to a hundredth of a unit, without trailing zeros (exports stay byte-stable).
fn fine(v: f32) -> String {
    let v = if v.is_finite() { (v * 100.0).round() / 100.0 } else { 0.0 };
    let v = if v == 0.0 { 0.0 } else { v };
    format!("{v}")
}

/// One shaped glyph as HarfBuzz gives it: which bundled font (index in
/// [`crate::scene::fonts::bundled`]), its glyph id, and its advance and offsets in that font's
/// units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShapedGlyph {
    /// Index of the font in [`crate::scene::fonts::bundled`].
    pub font: usize,
    /// Glyph id in that font.
    pub glyph: u16,
    /// How far the pen moves after it, in font units.
    pub x_advance: i32,
    /// Horizontal shift from the pen position, in font units.
    pub x_offset: i32,
    /// Vertical shift from the baseline (up), in font units.
    pub y_offset: i32,
}

/// `line` shaped with the bundled fonts, each run of grapheme clusters with the first font that
/// draws it, in logical (here also visual) order.
pub fn shape(line: &str) -> Vec<ShapedGlyph> {
    let mut runs: Vec<(usize, String)> = Vec::new();
    for cluster in line.graphemes(true) {
        let previous = runs.last().map(|(f, _)| *f);
        let font = font_for(cluster, previous);
        match runs.last_mut() {
            Some((f, text)) if *f == font => text.push_str(cluster),
            _ => runs.push((font, cluster.to_owned())),
        }
    }
    let mut shaped = Vec::new();
    let runs_count = runs.len();
    for (i, (font_index, text)) in runs.into_iter().enumerate() {
        let Some(shaper) = shapers().get(font_index).and_then(Option::as_ref) else { continue };
        let mut buffer = harfrust::UnicodeBuffer::new();
        buffer.push_str(&text);
        buffer.guess_segment_properties();
        let mut flags = harfrust::BufferFlags::empty();
        if i == 0 {
            flags |= harfrust::BufferFlags::BEGINNING_OF_TEXT;
        }
        if i + 1 == runs_count {
            flags |= harfrust::BufferFlags::END_OF_TEXT;
        }
        buffer.set_flags(flags);
        let shaper = shaper.data.shaper(&shaper.font).build();
        let glyphs = shaper.shape(buffer, harfrust::ShapeOptions::new());
        for (info, position) in glyphs.glyph_infos().iter().zip(glyphs.glyph_positions()) {
            shaped.push(ShapedGlyph {
                font: font_index,
                glyph: u16::try_from(info.glyph_id).unwrap_or(0),
                x_advance: position.x_advance,
                x_offset: position.x_offset,
                y_offset: position.y_offset,
            });
        }
    }
    shaped
}

/// A glyph placed on a line: its font, glyph id, and where its origin stands from the line's
/// start and baseline (up) in user units, with the scale from font units.
struct Placed {
    font: usize,
    glyph: u16,
    x: f32,
    y: f32,
    scale: f32,
}

/// `line` shaped at `font_size`: its glyphs and its width in user units.
fn shape_line(line: &str, font_size: f32) -> (Vec<Placed>, f32) {
    let mut placed = Vec::new();
    let mut pen = 0.0f32;
    for g in shape(line) {
        let Some(face) = fonts::face(g.font) else { continue };
        let scale = font_size / f32::from(face.units_per_em().max(1));
        placed.push(Placed {
            font: g.font,
            glyph: g.glyph,
            x: pen + g.x_offset as f32 * scale,
            y: g.y_offset as f32 * scale,
            scale,
        });
        pen += g.x_advance as f32 * scale;
    }
    (placed, pen)
}

/// The outline path data of `line` at `font_size`, its baseline starting at (`x`, `y`).
fn line_path(line: &str, font_size: f32, x: f32, y: f32, anchor: &str) -> String {
    let (glyphs, width) = shape_line(line, font_size);
    let start = match anchor {
        "middle" => x - width / 2.0,
        "end" => x - width,
        _ => x,
    };
    let mut d = String::new();
    for g in glyphs {
        let Some(face) = fonts::face(g.font) else { continue };
        let mut pen = Pen { out: &mut d, x: start + g.x, y: y - g.y, scale: g.scale };
        face.outline_glyph(ttf_parser::GlyphId(g.glyph), &mut pen);
    }
    d.truncate(d.trim_end().len());
    d
}

/// Attributes of a `<text>` that say where and how its glyphs go; everything else (fill,
/// opacity, transform, class) goes onto the group that holds the outlines.
const TEXT_ONLY: [&str; 10] = [
    "x",
    "y",
    "font-size",
    "text-anchor",
    "direction",
    "unicode-bidi",
    "font-family",
    "font-weight",
    "font-style",
    "dx",
];

fn attributes(out: &mut String, node: roxmltree::Node<'_, '_>, keep: impl Fn(&str) -> bool) {
    for a in node.attributes() {
        if a.namespace().is_none() && keep(a.name()) {
            let _ = write!(out, " {}=\"{}\"", a.name(), super::svg::xml_escape(a.value()));
        }
    }
}

/// `svg` with every line that [`needs_outlines`] drawn as a path of outlines. With
/// `keep_text`, the line's text stays over it, invisible (`fill-opacity="0"`), in an element of
/// its own (for a PDF's text layer). SVG that cannot be read, or needs nothing, comes back as it
/// is.
pub fn outline_lines(svg: &str, keep_text: bool) -> String {
    // Most drawings have no such line: a scan of the text is cheaper than parsing it.
    if !has_indic(svg) {
        return svg.to_owned();
    }
    let Ok(xml) = roxmltree::Document::parse(svg) else { return svg.to_owned() };
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for text in xml.descendants().filter(|n| n.has_tag_name("text")) {
        let spans: Vec<_> = text.children().filter(|n| n.has_tag_name("tspan")).collect();
        let lines: Vec<roxmltree::Node<'_, '_>> = if spans.is_empty() { vec![text] } else { spans.clone() };
        let content = |n: roxmltree::Node<'_, '_>| -> String {
            if n.has_children() {
                n.descendants().filter_map(|d| d.is_text().then(|| d.text()).flatten()).collect()
            } else {
                String::new()
            }
        };
        if !lines.iter().any(|l| needs_outlines(&content(*l))) {
            continue;
        }
        let font_size: f32 = text.attribute("font-size").and_then(|s| s.parse().ok()).unwrap_or(16.0);
        let anchor = text.attribute("text-anchor").unwrap_or("start");
        let number = |n: roxmltree::Node<'_, '_>, name: &str| -> f32 {
            n.attribute(name).or_else(|| text.attribute(name)).and_then(|s| s.parse().ok()).unwrap_or(0.0)
        };
        // The start tag of the text, as written, and as an invisible copy.
        let head =
            if spans.is_empty() { String::new() } else { svg[text.range().start..spans[0].range().start].to_owned() };
        let mut invisible_head = String::from("<text");
        attributes(&mut invisible_head, text, |name| name != "fill-opacity" && name != "opacity");
        invisible_head.push_str(" fill-opacity=\"0\">");
        let mut out = String::new();
        for line in &lines {
            let line_text = content(*line);
            let element = if spans.is_empty() {
                svg[text.range()].to_owned()
            } else {
                format!("{head}{}</text>", &svg[line.range()])
            };
            if !needs_outlines(&line_text) {
                out.push_str(&element);
                continue;
            }
            let d = line_path(&line_text, font_size, number(*line, "x"), number(*line, "y"), anchor);
            out.push_str("<g");
            attributes(&mut out, text, |name| !TEXT_ONLY.contains(&name));
            let _ = write!(out, "><path d=\"{d}\"/></g>");
            if keep_text {
                if spans.is_empty() {
                    out.push_str(&invisible_head);
                    out.push_str(&super::svg::line_content(&line_text));
                    out.push_str("</text>");
                } else {
                    let _ = write!(out, "{invisible_head}{}</text>", &svg[line.range()]);
                }
            }
        }
        edits.push((text.range(), out));
    }
    if edits.is_empty() {
        return svg.to_owned();
    }
    super::splice(svg, edits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_lines_are_outlined() {
        assert!(needs_outlines("आत्मविश्वास और संतुलन"));
        assert!(needs_outlines("Peer support आत्मविश्वास"));
        assert!(!needs_outlines("Peer support"));
        assert!(!needs_outlines("ความมั่นใจ"));
        assert!(!needs_outlines("自信が持てる"));
        // Right-to-left text with Devanagari is left to usvg.
        assert!(!needs_outlines("الدعم आत्म"));
    }

    /// The conjunct श्व is one glyph sequence that harfrust forms from श + ् + व; rustybuzz 0.20
    /// gave a क्ष-like ligature. The shaped line must not be one glyph per character, and the
    /// vowel sign ि (after its consonant in the text) must come before it in the glyphs.
    #[test]
    fn devanagari_is_shaped_with_conjuncts_and_reordered_vowels() {
        let (glyphs, width) = shape_line("विश्वास", 20.0);
        assert!(width > 20.0, "{width}");
        assert!(glyphs.len() < "विश्वास".chars().count(), "{} glyphs", glyphs.len());
        assert!(glyphs.iter().all(|g| g.glyph != 0), "a character had no glyph");
        let devanagari = fonts::index_for('व').unwrap();
        assert!(glyphs.iter().all(|g| g.font == devanagari));
        // The vowel sign ि is drawn before व: the first glyph is not व's.
        let va = fonts::face(devanagari).unwrap().glyph_index('व').unwrap().0;
        assert_ne!(glyphs[0].glyph, va);
        // Pen positions grow from left to right.
        assert!(glyphs.windows(2).all(|w| w[0].x <= w[1].x + 0.01));
    }

    #[test]
    fn mixed_lines_are_shaped_in_runs_of_one_font_each() {
        let (glyphs, _) = shape_line("Peer विश्वास 2", 14.0);
        let fonts_used: Vec<usize> = glyphs.iter().map(|g| g.font).collect();
        assert_eq!(fonts_used.first(), Some(&0), "Latin in Ubuntu");
        assert!(fonts_used.iter().any(|f| *f != 0));
        assert!(glyphs.iter().all(|g| g.glyph != 0));
    }

    #[test]
    fn lines_are_replaced_by_outlines_and_others_kept() {
        let svg = concat!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\">",
            "<text font-size=\"14\" text-anchor=\"middle\" fill=\"#22252b\">",
            "<tspan x=\"160\" y=\"-15\">आत्मविश्वास</tspan><tspan x=\"160\" y=\"3\">Peer</tspan></text>",
            "<text x=\"1\" y=\"2\" font-size=\"11\" fill=\"#fff\">1</text></svg>"
        );
        let png = outline_lines(svg, false);
        assert!(roxmltree::Document::parse(&png).is_ok(), "{png}");
        assert!(!png.contains("आत्म"), "{png}");
        assert!(png.contains("<g fill=\"#22252b\"><path d=\"M"), "{png}");
        assert!(png.contains(">Peer</tspan></text>"), "{png}");
        assert!(png.contains(">1</text>"));
        let pdf = outline_lines(svg, true);
        assert!(roxmltree::Document::parse(&pdf).is_ok(), "{pdf}");
        assert!(pdf.contains("fill-opacity=\"0\"><tspan x=\"160\" y=\"-15\">आत्मविश्वास</tspan></text>"), "{pdf}");
        // Same input, same output.
        assert_eq!(outline_lines(svg, true), pdf);
        // Nothing to do: unchanged.
        let plain = "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>Peer</text></svg>";
        assert_eq!(outline_lines(plain, true), plain);
    }
}
