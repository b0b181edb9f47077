//! SVG from the scene: real `<text>` (editable in Inkscape, Word, Illustrator), one named group
//! per area, relationship and concept carrying its id, provenance and evidence count, and an
//! optional legend and caption. Numbers are written with fixed precision and everything is in
//! document order, so the same map always gives the same bytes.

use std::fmt::Write as _;

use egui::{Color32, Pos2, Rect, vec2};

use super::ExportOptions;
use crate::model::{Document, ItemRef, LineStyle, ProvenanceKind};
use crate::scene::{MapTheme, Scene, TextBlock, TextMeasure as _, metrics};

/// Blank space around the map, in SVG units.
pub const MARGIN: f32 = 24.0;
/// The font family written into the SVG before the script fonts its text needs; exports embed
/// Ubuntu Light, the screen's font, and the bundled fonts of [`crate::scene::fonts`].
pub const FONT_FAMILY: &str = "Ubuntu, 'Ubuntu Light'";

/// The `font-family` of an SVG whose text is `body`: Ubuntu, then the bundled fonts that draw
/// its other characters (so a reader's machine with those fonts draws the same), then
/// sans-serif.
fn font_family_for(body: &str) -> String {
    let mut families = vec![FONT_FAMILY.to_owned()];
    families.extend(crate::scene::fonts::families_for([body]).into_iter().skip(1).map(|f| format!("'{f}'")));
    families.push("sans-serif".to_owned());
    families.join(", ")
}

/// Text content for one line, escaped, in logical (typed) order, so a PDF's text layer and a
/// reader's copy and paste give back the typed string.
pub fn line_content(line: &str) -> String {
    xml_escape(line)
}

/// Attributes for a line of a right-to-left paragraph: browsers and rsvg-convert then run the
/// bidirectional algorithm with a right-to-left paragraph, as the screen does. (A right-to-left
/// embedding, U+202B … U+202C, would reach usvg too, but its shaper draws those marks with the
/// space glyph, and the PDF's text layer then gives back every space as U+202C.)
fn direction_attributes(rtl: bool) -> &'static str {
    if rtl { " direction=\"rtl\" unicode-bidi=\"embed\"" } else { "" }
}

/// Escapes text for XML content and attribute values.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// A number with at most two decimals and no trailing zeros ("-0" written as "0").
fn num(value: f32) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    let text = format!("{rounded:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn hex(color: Color32) -> String {
    let [r, g, b, _] = color.to_srgba_unmultiplied();
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// `fill="…"` (or `stroke`) with an opacity attribute when the colour is translucent.
fn paint(attribute: &str, color: Color32) -> String {
    let [_, _, _, a] = color.to_srgba_unmultiplied();
    if a == 255 {
        format!("{attribute}=\"{}\"", hex(color))
    } else if a == 0 {
        format!("{attribute}=\"none\"")
    } else {
        format!("{attribute}=\"{}\" {attribute}-opacity=\"{}\"", hex(color), num(f32::from(a) / 255.0))
    }
}

fn path_data(points: &[Pos2], closed: bool) -> String {
    let mut d = String::new();
    for (i, p) in points.iter().enumerate() {
        let _ = write!(d, "{}{} {}", if i == 0 { "M" } else { " L" }, num(p.x), num(p.y));
    }
    if closed {
        d.push_str(" Z");
    }
    d
}

fn dash_array(line: LineStyle, width: f32) -> String {
    match line {
        LineStyle::Solid => String::new(),
        LineStyle::Dashed => format!(" stroke-dasharray=\"{} {}\"", num(8.0), num(5.0)),
        LineStyle::Dotted => {
            format!(" stroke-dasharray=\"{} {}\" stroke-linecap=\"round\"", num(0.1), num(width * 2.5))
        }
    }
}

/// Outline patterns that tell areas apart without colour (print theme).
const AREA_PATTERNS: [&str; 5] = ["", "8 4", "2 3", "10 3 2 3", "14 5"];

fn text_element(out: &mut String, block: &TextBlock, color: Color32, extra: &str) {
    let _ = write!(
        out,
        "<text font-size=\"{}\" text-anchor=\"middle\" {}{extra}>",
        num(block.font_size),
        paint("fill", color)
    );
    for (i, line) in block.lines.iter().enumerate() {
        let center = block.line_center(i);
        // Baseline from the line's middle: about a third of the size below it.
        let _ = write!(
            out,
            "<tspan x=\"{}\" y=\"{}\"{}>{}</tspan>",
            num(center.x),
            num(center.y + block.font_size * 0.35),
            direction_attributes(block.line_is_rtl(i)),
            line_content(line)
        );
    }
    out.push_str("</text>\n");
}

fn provenance_name(kind: ProvenanceKind) -> &'static str {
    match kind {
        ProvenanceKind::Paper => "paper",
        ProvenanceKind::Illustrative => "illustrative",
        ProvenanceKind::User => "user",
        ProvenanceKind::Imported => "imported",
    }
}

fn diamond(center: Pos2, r: f32) -> [Pos2; 4] {
    [center + vec2(0.0, -r), center + vec2(r, 0.0), center + vec2(0.0, r), center + vec2(-r, 0.0)]
}

/// Lines of the legend and caption, laid out below the map.
struct Footer {
    height: f32,
    body: String,
}

fn footer(
    doc: &Document,
    scene: &Scene,
    theme: &MapTheme,
    options: &ExportOptions,
    left: f32,
    top: f32,
    width: f32,
) -> Footer {
    let mut body = String::new();
    let mut y = top;
    let measure_line = |text: &str, size: f32| crate::scene::fonts::FontMetrics.line_width(text, size);
    if options.legend {
        y += 18.0;
        let mut x = left;
        let row = |body: &mut String, x: &mut f32, y: &mut f32, icon: &dyn Fn(&mut String, Pos2), text: &str| {
            let w = 22.0 + measure_line(text, 12.0) + 18.0;
            if *x + w > left + width && *x > left {
                *x = left;
                *y += 20.0;
            }
            icon(body, Pos2::new(*x + 7.0, *y));
            let _ = writeln!(
                body,
                "<text x=\"{}\" y=\"{}\" font-size=\"12\" {}>{}</text>",
                num(*x + 20.0),
                num(*y + 4.2),
                paint("fill", theme.text),
                line_content(text)
            );
            *x += w;
        };
        let _ = writeln!(body, "<g id=\"legend\">");
        for (i, area) in scene.areas.iter().enumerate() {
            let name = area.label.lines.join(" ");
            let pattern =
                if theme.kind == crate::scene::ThemeKind::Print { AREA_PATTERNS[i % AREA_PATTERNS.len()] } else { "" };
            let (fill, stroke) = (area.fill, area.stroke);
            row(
                &mut body,
                &mut x,
                &mut y,
                &|b: &mut String, c: Pos2| {
                    let dash =
                        if pattern.is_empty() { String::new() } else { format!(" stroke-dasharray=\"{pattern}\"") };
                    let _ = writeln!(
                        b,
                        "<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"10\" rx=\"2\" {} {} stroke-width=\"1.4\"{dash}/>",
                        num(c.x - 7.0),
                        num(c.y - 5.0),
                        paint("fill", fill),
                        paint("stroke", stroke)
                    );
                },
                &name,
            );
        }
        let marker = theme.paper_stroke;
        row(
            &mut body,
            &mut x,
            &mut y,
            &|b: &mut String, c: Pos2| {
                let _ = writeln!(b, "<path d=\"{}\" {}/>", path_data(&diamond(c, 4.5), true), paint("fill", marker));
            },
            "from the paper",
        );
        let badge = theme.badge_fill;
        let support = format!("support: {}; line width follows support", options.support.label());
        row(
            &mut body,
            &mut x,
            &mut y,
            &|b: &mut String, c: Pos2| {
                let _ =
                    writeln!(b, "<circle cx=\"{}\" cy=\"{}\" r=\"6\" {}/>", num(c.x), num(c.y), paint("fill", badge));
            },
            &support,
        );
        let muted = theme.muted_text;
        row(
            &mut body,
            &mut x,
            &mut y,
            &|b: &mut String, c: Pos2| {
                let _ = writeln!(
                    b,
                    "<path d=\"M{} {} L{} {}\" fill=\"none\" {} stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>",
                    num(c.x - 7.0),
                    num(c.y),
                    num(c.x + 7.0),
                    num(c.y),
                    paint("stroke", muted)
                );
            },
            "no supporting evidence",
        );
        let _ = writeln!(body, "</g>");
        y += 14.0;
    }
    if options.caption {
        let _ = writeln!(body, "<g id=\"caption\">");
        let line = |body: &mut String, y: &mut f32, text: &str, size: f32, color: Color32| {
            // Wrap long lines at the figure's width, where the line-breaking rules allow (so a
            // Chinese or Thai caption wraps too), measured with the fonts it is drawn with.
            let lines = crate::scene::text::wrap(text, size, width, &crate::scene::fonts::FontMetrics);
            for crate::scene::text::WrappedLine { text, rtl } in lines {
                *y += size * 1.35;
                let _ = writeln!(
                    body,
                    "<text x=\"{}\" y=\"{}\" font-size=\"{}\" {}{}>{}</text>",
                    num(left),
                    num(*y),
                    num(size),
                    paint("fill", color),
                    direction_attributes(rtl),
                    line_content(&text)
                );
            }
        };
        y += 6.0;
        if let Some((title, text)) = &options.heading {
            line(&mut body, &mut y, title, 18.0, theme.text);
            if !text.is_empty() {
                line(&mut body, &mut y, text, 13.0, theme.text);
            }
        } else {
            line(&mut body, &mut y, &doc.info.title, 16.0, theme.text);
        }
        if !doc.info.citation.is_empty() {
            line(&mut body, &mut y, &format!("Source: {}", doc.info.citation), 11.0, theme.muted_text);
        }
        let filter = if options.filter.is_active() {
            format!("Filter in force: {}.", options.filter.describe(doc))
        } else {
            "No filter: all evidence counts.".to_owned()
        };
        line(
            &mut body,
            &mut y,
            &format!("{filter} Support counted as {}.", options.support.label()),
            11.0,
            theme.muted_text,
        );
        let _ = writeln!(body, "</g>");
        y += 6.0;
    }
    Footer { height: y - top, body }
}

/// The SVG text of a scene; `view` limits it to a part of the map (world rectangle).
pub fn scene_to_svg(doc: &Document, scene: &Scene, theme: &MapTheme, options: &ExportOptions) -> String {
    let map_rect = options.view.unwrap_or(scene.bounds).expand(MARGIN);
    let footer = footer(doc, scene, theme, options, map_rect.left() + 12.0, map_rect.bottom(), map_rect.width() - 24.0);
    let scale = options.scale.max(0.01);
    // Whole pixels at `scale`, so the image has no partly covered last row or column.
    let size = vec2(map_rect.width(), map_rect.height() + footer.height);
    let size = vec2((size.x * scale).ceil() / scale, (size.y * scale).ceil() / scale);
    let frame = Rect::from_min_size(map_rect.min, size);
    let mut out = String::new();
    let _ = writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{}\" height=\"{}\" viewBox=\"{} {} {} {}\" font-family=\"{{FAMILIES}}\">",
        num(frame.width() * scale),
        num(frame.height() * scale),
        num(frame.left()),
        num(frame.top()),
        num(frame.width()),
        num(frame.height()),
    );
    let _ = writeln!(out, "<title>{}</title>", xml_escape(&doc.info.title));
    let mut desc = doc.info.description.clone();
    if !doc.info.citation.is_empty() {
        desc.push_str(&format!(" Source: {}.", doc.info.citation));
    }
    if options.filter.is_active() {
        desc.push_str(&format!(" Filter in force: {}.", options.filter.describe(doc)));
    }
    desc.push_str(&format!(" Support counted as {}.", options.support.label()));
    let _ = writeln!(out, "<desc>{}</desc>", xml_escape(desc.trim()));
    if options.view.is_some() {
        let _ = writeln!(
            out,
            "<clipPath id=\"view\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath>",
            num(map_rect.left()),
            num(map_rect.top()),
            num(map_rect.width()),
            num(map_rect.height())
        );
    }
    if !options.transparent {
        let _ = writeln!(
            out,
            "<rect id=\"background\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" {}/>",
            // The same numbers as the viewBox, which is whole pixels wide and high: the
            // background covers every pixel of the picture.
            num(frame.left()),
            num(frame.top()),
            num(frame.width()),
            num(frame.height()),
            paint("fill", theme.background)
        );
    }
    let clip = if options.view.is_some() { " clip-path=\"url(#view)\"" } else { "" };
    let _ = writeln!(out, "<g id=\"map\"{clip}>");

    let _ = writeln!(out, "<g id=\"areas\">");
    for (i, area) in scene.areas.iter().enumerate() {
        let item = ItemRef::Area(area.id);
        let provenance = doc.provenance_of(item).map_or("user", |p| provenance_name(p.kind));
        let evidence = doc.evidence_for(item).count();
        let pattern =
            if theme.kind == crate::scene::ThemeKind::Print { AREA_PATTERNS[i % AREA_PATTERNS.len()] } else { "" };
        let dash = if pattern.is_empty() { String::new() } else { format!(" stroke-dasharray=\"{pattern}\"") };
        let _ = writeln!(
            out,
            "<g id=\"area-{}\" class=\"area\" data-provenance=\"{provenance}\" data-evidence=\"{evidence}\"><title>{}</title>",
            area.id.0,
            xml_escape(&doc.item_label(item))
        );
        let _ = writeln!(
            out,
            "<path d=\"{}\" {} {} stroke-width=\"1.6\"{dash}/>",
            path_data(&area.outline, true),
            paint("fill", area.fill),
            paint("stroke", area.stroke)
        );
        text_element(&mut out, &area.label, area.label.color, " class=\"area-name\"");
        let _ = writeln!(out, "</g>");
    }
    let _ = writeln!(out, "</g>");

    let _ = writeln!(out, "<g id=\"relationships\">");
    for edge in &scene.edges {
        let item = ItemRef::Relationship(edge.id);
        let rel = doc.relationship(edge.id);
        let type_name = rel.and_then(|r| doc.relationship_type(r.type_id)).map_or("", |t| t.name.as_str());
        let provenance = doc.provenance_of(item).map_or("user", |p| provenance_name(p.kind));
        let _ = writeln!(
            out,
            "<g id=\"relationship-{}\" class=\"relationship\" data-type=\"{}\" data-provenance=\"{provenance}\" data-support=\"{}\"><title>{}</title>",
            edge.id.0,
            xml_escape(type_name),
            edge.support,
            xml_escape(&doc.item_label(item))
        );
        let _ = writeln!(
            out,
            "<path d=\"{}\" fill=\"none\" {} stroke-width=\"{}\" stroke-linejoin=\"round\"{}/>",
            path_data(&edge.points, false),
            paint("stroke", edge.color),
            num(edge.width),
            dash_array(edge.line, edge.width)
        );
        for head in &edge.arrowheads {
            let _ = writeln!(out, "<path d=\"{}\" {}/>", path_data(head, true), paint("fill", edge.color));
        }
        if let Some(label) = &edge.label {
            let rect = label.rect.expand2(vec2(4.0, 1.5));
            let _ = writeln!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\" {}/>",
                num(rect.left()),
                num(rect.top()),
                num(rect.width()),
                num(rect.height()),
                paint("fill", theme.label_fill)
            );
            text_element(&mut out, label, label.color, "");
            if edge.from_paper {
                let marker = diamond(rect.left_center() + vec2(-5.0, 0.0), 3.5);
                let _ =
                    writeln!(out, "<path d=\"{}\" {}/>", path_data(&marker, true), paint("fill", theme.paper_stroke));
            }
        }
        let _ = writeln!(out, "</g>");
    }
    let _ = writeln!(out, "</g>");

    let _ = writeln!(out, "<g id=\"concepts\">");
    for node in &scene.nodes {
        let item = ItemRef::Concept(node.id);
        let provenance = doc.provenance_of(item).map_or("user", |p| provenance_name(p.kind));
        let count = node.badge.map_or(0, |(_, c)| c);
        let _ = writeln!(
            out,
            "<g id=\"concept-{}\" class=\"concept\" data-provenance=\"{provenance}\" data-support=\"{count}\"><title>{}</title>",
            node.id.0,
            xml_escape(&doc.item_label(item))
        );
        let r = node.rect;
        let _ = writeln!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\" {} {} stroke-width=\"{}\"/>",
            num(r.left()),
            num(r.top()),
            num(r.width()),
            num(r.height()),
            num(metrics::NODE_ROUNDING),
            paint("fill", node.fill),
            paint("stroke", node.stroke),
            num(node.stroke_width)
        );
        if !node.area_colors.is_empty() {
            let band = r.height() / node.area_colors.len() as f32;
            for (i, color) in node.area_colors.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "<rect x=\"{}\" y=\"{}\" width=\"5\" height=\"{}\" {}/>",
                    num(r.left() + 0.5),
                    num(r.top() + band * i as f32 + if i == 0 { 2.0 } else { 0.0 }),
                    num(band - if node.area_colors.len() == 1 { 4.0 } else { 2.0 }),
                    paint("fill", *color)
                );
            }
        }
        text_element(&mut out, &node.label, node.label.color, "");
        if node.from_paper {
            let _ = writeln!(
                out,
                "<path d=\"{}\" {}/>",
                path_data(&diamond(r.left_top(), 4.5), true),
                paint("fill", theme.paper_stroke)
            );
        }
        if let Some((center, count)) = node.badge {
            let _ = writeln!(
                out,
                "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" {} {} stroke-width=\"1.5\"/>",
                num(center.x),
                num(center.y),
                num(metrics::BADGE_RADIUS),
                paint("fill", theme.badge_fill),
                paint("stroke", theme.background)
            );
            let _ = writeln!(
                out,
                "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" {}>{count}</text>",
                num(center.x),
                num(center.y + 3.9),
                paint("fill", theme.badge_text)
            );
        }
        let _ = writeln!(out, "</g>");
    }
    let _ = writeln!(out, "</g>");
    let _ = writeln!(out, "</g>");
    out.push_str(&footer.body);
    let _ = writeln!(out, "</svg>");
    let families = font_family_for(&out);
    let mut out = out.replacen("{FAMILIES}", &families, 1);
    // Said in the file too, so a figure drawn with boxes is never a silent surprise.
    let missing = crate::scene::fonts::missing_chars([out.as_str()]);
    if !missing.is_empty() {
        let note = format!(
            "</desc>\n<!-- No bundled font has {}; they are drawn as boxes. -->\n",
            crate::scene::fonts::describe_missing(&missing).replace("--", "- -")
        );
        out = out.replacen("</desc>\n", &note, 1);
    }
    out
}

/// The SVG `svg` (as [`scene_to_svg`] writes it) carrying, as `@font-face` rules, subsets of
/// the bundled fonts its text is drawn with, so that browsers and drawing programs that read
/// web fonts draw it as the screen does on a machine without them. Its `font-family` then
/// names the carried Ubuntu Light before a local Ubuntu (whose regular weight is wider).
pub fn with_fonts(svg: &str) -> Result<String, String> {
    let subsets = super::font_subset::subsets_for(svg)?;
    let mut style = String::from("<defs><style>\n");
    for subset in &subsets {
        let _ = writeln!(
            style,
            "@font-face{{font-family:'{}';src:url(data:font/{};base64,{}) format('{}')}}",
            subset.family,
            if subset.format == "opentype" { "otf" } else { "ttf" },
            super::font_subset::base64(&subset.bytes),
            subset.format
        );
    }
    style.push_str("</style></defs>\n");
    let Some(root) = svg.find("<svg ") else { return Err("not an SVG written by Qualmap".into()) };
    let Some(end) = svg[root..].find(">\n").map(|at| root + at + 2) else {
        return Err("not an SVG written by Qualmap".into());
    };
    let head = svg[..end].replacen(&format!("font-family=\"{FONT_FAMILY}"), "font-family=\"'Ubuntu Light', Ubuntu", 1);
    Ok(format!("{head}{style}{}", &svg[end..]))
}

/// The SVG `svg` with every text drawn as outlines (paths), for journals that take no fonts in
/// figures: usvg lays the text out with the bundled fonts, as the PNG and PDF exports do, and
/// writes the drawing back out. The text can then no longer be edited or searched.
pub fn text_as_outlines(svg: &str) -> Result<String, super::ExportError> {
    let tree = super::parse_svg(svg)?;
    let options = usvg::WriteOptions { preserve_text: false, ..usvg::WriteOptions::default() };
    Ok(tree.to_string(&options))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_stable() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(12.345), "12.35");
        assert_eq!(num(-3.5), "-3.5");
    }

    #[test]
    fn escaping() {
        assert_eq!(xml_escape("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }
}
