//! The PDF's text layer gives back every line as it was typed, in every script.
//!
//! svg2pdf writes each glyph with a `ToUnicode` entry for the characters it was shaped from. For
//! text whose glyphs stand in another order than its characters, or for several of them at
//! once, that loses the text: `pdftotext` gave back Devanagari "आत्मविश्वास" as
//! "आत्म वि श्वा", Thai with its vowels cut off, Arabic لى as ىل, and a Hebrew line with a
//! number in it in another order. PDF's answer is a marked-content span with `/ActualText`
//! (ISO 32000-1, 14.9.4): readers take its string for the glyphs inside it.
//!
//! svg2pdf cannot be told to write one, so each such line goes into the PDF between two markers
//! it draws faithfully: an invisible square far outside the page, whose corner says which line
//! and whether it opens or closes it. Each marker's `q … Q` block in the content stream then
//! becomes `/Span <</ActualText …>> BDC` or `EMC`, properly nested with the text's own blocks.
//! Lines that need nothing of this (Latin, Greek, Cyrillic, CJK) are left as they are.

use std::fmt::Write as _;

/// Where the markers stand: far outside any page (maps are at most tens of thousands of units
/// across), and below 2^24, so that their coordinates are written as exact whole numbers.
const MARKER_BASE: u32 = 8_000_000;

/// Whether `line` needs an `/ActualText` span to come back out of the PDF as typed: Indic and
/// South-East Asian scripts (reordered vowels, conjuncts) and anything with combining marks
/// (several characters in one glyph). Not a line with right-to-left text: poppler lays a span's
/// text out left to right over its glyphs and then reverses it as right-to-left text, so the
/// span would come back backwards; without one, its glyphs (drawn in visual order) come back in
/// logical order, except the letters of a lam-alef ligature, which poppler swaps.
pub fn needs_actual_text(line: &str) -> bool {
    !crate::scene::text::has_rtl(line)
        && line.chars().any(|c| {
            matches!(c as u32, 0x0900..=0x109F | 0x1780..=0x18AF | 0x1A00..=0x1AAF | 0xA8E0..=0xA9FF | 0xAA00..=0xAADF)
                || unicode_normalization::char::is_combining_mark(c)
        })
}

fn marker(out: &mut String, id: u32) {
    let _ = write!(out, "<rect x=\"{id}\" y=\"0\" width=\"1\" height=\"1\" fill=\"#000\" fill-opacity=\"0\"/>");
}

/// `svg` (as [`super::svg::scene_to_svg`] writes it) with every line that needs a span (see
/// [`needs_actual_text`]) in a `<text>` of its own between two markers, and those lines in marker
/// order. Markers are numbered from line `first` on (several drawings go into one PDF).
/// SVG that cannot be read, or needs nothing, comes back as it is.
pub fn mark_lines(svg: &str, first: usize) -> (String, Vec<String>) {
    let Ok(xml) = roxmltree::Document::parse(svg) else { return (svg.to_owned(), Vec::new()) };
    let mut lines = Vec::new();
    // (range in `svg`, replacement), in document order.
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for text in xml.descendants().filter(|n| n.has_tag_name("text")) {
        let spans: Vec<_> = text.children().filter(|n| n.has_tag_name("tspan")).collect();
        let line_of = |n: roxmltree::Node<'_, '_>| n.text().unwrap_or_default().to_owned();
        let needs: Vec<bool> = if spans.is_empty() {
            vec![needs_actual_text(&line_of(text))]
        } else {
            spans.iter().map(|s| needs_actual_text(&line_of(*s))).collect()
        };
        if !needs.iter().any(|n| *n) {
            continue;
        }
        let range = text.range();
        let mut out = String::new();
        let mut wrap = |out: &mut String, element: &str, line: String| {
            let id = MARKER_BASE + 10 * (first + lines.len()) as u32;
            marker(out, id);
            out.push_str(element);
            marker(out, id + 5);
            lines.push(line);
        };
        if spans.is_empty() {
            wrap(&mut out, &svg[range.clone()], line_of(text));
        } else {
            // The element's start tag, each line in an element of its own with that tag.
            let head = &svg[range.start..spans[0].range().start];
            for (span, needs) in spans.iter().zip(&needs) {
                let element = format!("{head}{}</text>", &svg[span.range()]);
                if *needs {
                    wrap(&mut out, &element, line_of(*span));
                } else {
                    out.push_str(&element);
                }
            }
        }
        edits.push((range, out));
    }
    if edits.is_empty() {
        return (svg.to_owned(), lines);
    }
    (super::splice(svg, edits), lines)
}

/// The marker with corner `id` as svg2pdf writes its path in an uncompressed content stream.
fn marker_path(id: u32) -> String {
    format!("\n{id} 0 m\n{} 0 l\n{} 1 l\n{id} 1 l\nh\nf\n", id + 1, id + 1)
}

/// `content` (an uncompressed content stream) with each marker's `q … Q` block replaced by the
/// start (`/Span <</ActualText …>> BDC`) or end (`EMC`) of its line's span. A line whose two
/// markers are not both found is left without a span (its glyphs' own text stays).
pub fn spans_in_content(content: &[u8], lines: &[String]) -> Vec<u8> {
    // (start, end, replacement) of each marker block found.
    let mut edits: Vec<(usize, usize, Vec<u8>)> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let id = MARKER_BASE + 10 * i as u32;
        let (Some(open), Some(close)) = (block_of(content, id), block_of(content, id + 5)) else { continue };
        if open.1 > close.0 {
            continue;
        }
        let mut start = b"/Span <</ActualText <FEFF".to_vec();
        for unit in line.encode_utf16() {
            start.extend_from_slice(format!("{unit:04X}").as_bytes());
        }
        start.extend_from_slice(b">>> BDC\n");
        // poppler places a span's text with the font and text matrix in force at its EMC; after
        // the glyphs' own `Q` neither is, and the text came back as a word of no size, out of
        // order. An empty text object repeats the last glyph's font and matrix (font and render
        // mode outlive it; svg2pdf sets both again before any later text).
        let inside = &content[open.1..close.0];
        let last_line =
            |suffix: &[u8]| inside.split(|b| *b == b'\n').rfind(|l| l.ends_with(suffix)).map(<[u8]>::to_vec);
        let mut end = Vec::new();
        if let (Some(matrix), Some(font)) = (last_line(b" Tm"), last_line(b" Tf")) {
            end.extend_from_slice(b"BT\n");
            end.extend_from_slice(&matrix);
            end.push(b'\n');
            end.extend_from_slice(&font);
            end.extend_from_slice(b"\nET\n");
        }
        end.extend_from_slice(b"EMC\n");
        edits.push((open.0, open.1, start));
        edits.push((close.0, close.1, end));
    }
    edits.sort_by_key(|e| e.0);
    let mut out = Vec::with_capacity(content.len() + edits.len() * 64);
    let mut at = 0;
    for (start, end, replacement) in edits {
        if start < at {
            continue;
        }
        out.extend_from_slice(&content[at..start]);
        out.extend_from_slice(&replacement);
        at = end;
    }
    out.extend_from_slice(&content[at..]);
    out
}

/// The byte range of the `q … Q` block that draws marker `id`: from the `q` line before its path
/// to the `Q` line after it.
fn block_of(content: &[u8], id: u32) -> Option<(usize, usize)> {
    let path = marker_path(id);
    let at = content.windows(path.len()).position(|w| w == path.as_bytes())?;
    let start = content[..at]
        .windows(3)
        .rposition(|w| w == b"\nq\n")
        .map(|q| q + 1)
        .or_else(|| content.starts_with(b"q\n").then_some(0))?;
    let after = at + path.len();
    let end = after + content[after..].windows(2).position(|w| w == b"Q\n")? + 2;
    // The block holds the marker's path and its paint settings, nothing else.
    let between = std::str::from_utf8(&content[start..at]).ok()?;
    if between.lines().count() > 5 || between.contains("BT") {
        return None;
    }
    Some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_lines_need_a_span() {
        for line in ["आत्मविश्वास और संतुलन", "ความมั่นใจ", "e\u{301}te\u{301}"]
        {
            assert!(needs_actual_text(line), "{line}");
        }
        for line in
            ["Peer support", "Ψυχική", "Работа", "导师制度", "멘토링", "été", "🙂", "يؤدي إلى", "תומך ב־2 תחומים"]
        {
            assert!(!needs_actual_text(line), "{line}");
        }
    }

    #[test]
    fn lines_that_need_a_span_get_an_element_of_their_own_between_markers() {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><g>\
            <text font-size=\"14\"><tspan x=\"1\" y=\"2\">Peer</tspan><tspan x=\"1\" y=\"9\">संतुलन</tspan></text>\
            <text x=\"0\" y=\"0\">Legend</text><text x=\"0\" y=\"5\">ความ</text></g></svg>";
        let (marked, lines) = mark_lines(svg, 0);
        assert_eq!(lines, ["संतुलन", "ความ"]);
        let expected = "<text font-size=\"14\"><tspan x=\"1\" y=\"2\">Peer</tspan></text>\
            <rect x=\"8000000\" y=\"0\" width=\"1\" height=\"1\" fill=\"#000\" fill-opacity=\"0\"/>\
            <text font-size=\"14\"><tspan x=\"1\" y=\"9\">संतुलन</tspan></text>\
            <rect x=\"8000005\" y=\"0\" width=\"1\" height=\"1\" fill=\"#000\" fill-opacity=\"0\"/>\
            <text x=\"0\" y=\"0\">Legend</text>\
            <rect x=\"8000010\"";
        assert!(marked.contains(expected), "{marked}");
        assert!(roxmltree::Document::parse(&marked).is_ok());
        // Nothing to do: the same text.
        let plain = "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>Peer</text></svg>";
        assert_eq!(mark_lines(plain, 0), (plain.to_owned(), Vec::new()));
        // A second drawing's markers go on from where the first's ended.
        assert!(mark_lines(svg, 7).0.contains("<rect x=\"8000070\""));
    }

    #[test]
    fn marker_blocks_become_spans() {
        let content = b"q\n/gs0 gs\n/cs0 cs\n0 0 0 scn\n8000000 0 m\n8000001 0 l\n8000001 1 l\n8000000 1 l\nh\nf\nQ\n\
            q\nBT\n1 0 0 -1 20 30 Tm\n/fo0 14 Tf\n(\\000\\001) Tj\nET\nQ\n\
            q\n/gs1 gs\n/cs0 cs\n0 0 0 scn\n8000005 0 m\n8000006 0 l\n8000006 1 l\n8000005 1 l\nh\nf\nQ\n";
        let out = spans_in_content(content, &["ab".to_owned()]);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "/Span <</ActualText <FEFF00610062>>> BDC\nq\nBT\n1 0 0 -1 20 30 Tm\n/fo0 14 Tf\n(\\000\\001) Tj\nET\nQ\n\
             BT\n1 0 0 -1 20 30 Tm\n/fo0 14 Tf\nET\nEMC\n"
        );
        // A line whose markers are missing is left alone.
        assert_eq!(spans_in_content(content, &[]), content.to_vec());
    }
}
