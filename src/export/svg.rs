//! SVG from the scene: real `<text>` (editable in Inkscape, Word, Illustrator), one named group
//! per area, relationship and concept carrying its id, provenance and evidence count, and an
//! optional legend and caption. Numbers are written with fixed precision and everything is in
//! document order, so the same map always gives the same bytes.

use std::fmt::Write as _;

use egui::{Color32, Pos2, Rect, vec2};

use super::ExportOptions;
use crate::model::{Document, ItemRef, LineStyle, ProvenanceKind};
use crate::scene::geometry::diamond;
use crate::scene::{MapTheme, Scene, TextBlock, metrics};

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

/// Escapes text for XML content and attribute values. Tabs and line breaks are written as
/// character references, which an XML reader keeps as they are in an attribute value too (a
/// literal one there comes back as a space); what XML 1.0 does not allow at all is left out.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            // Other control characters, and the two non-characters, are not allowed in XML 1.0.
            c if (c as u32) < 0x20 || matches!(c, '\u{fffe}' | '\u{ffff}') => {}
            c => out.push(c),
        }
    }
    out
}

/// A number with at most two decimals and no trailing zeros ("-0" written as "0").
fn num(value: f32) -> String {
    decimals(value, 2)
}

/// A number with at most four decimals, for the picture's size and view box: a figure 84 mm
/// wide is 238.1102 points, and two decimals would make it 84.0003 mm.
fn num_fine(value: f32) -> String {
    decimals(value, 4)
}

fn decimals(value: f32, places: i32) -> String {
    let factor = 10f64.powi(places);
    let rounded = (f64::from(value) * factor).round() / factor;
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    let text = format!("{rounded:.*}", places as usize);
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

/// `fill="…"` (or `stroke`) of an opaque colour at `opacity`, written exactly (a colour made
/// translucent first would come back with its channels rounded).
fn translucent(attribute: &str, color: Color32, opacity: f32) -> String {
    format!("{attribute}=\"{}\" {attribute}-opacity=\"{}\"", hex(color), num(opacity))
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

/// Lines of the legend and caption, laid out below the map.
struct Footer {
    height: f32,
    body: String,
}

/// The legend and caption, `width` wide from (`left`, `top`), every size and gap in them `unit`
/// times its usual size (the map's text scale, so they grow with the map's text; on a page, the
/// size that makes them the page's own point sizes).
#[allow(clippy::too_many_arguments, reason = "one layout with its frame and its size")]
fn footer(
    doc: &Document,
    scene: &Scene,
    theme: &MapTheme,
    options: &ExportOptions,
    left: f32,
    top: f32,
    width: f32,
    unit: f32,
) -> Footer {
    let mut body = String::new();
    let mut y = top;
    let u = |value: f32| value * unit;
    if options.legend {
        use crate::scene::legend::{self, LegendMark};
        let _ = writeln!(body, "<g id=\"legend\">");
        let areas = scene.areas.iter().map(|a| (a.label.lines.join(" "), a.fill, a.stroke));
        let emphasis = options.emphasis.as_ref().map(|e| (e.name.as_str(), theme.highlight));
        let tint_text = options.tint.as_ref().map(|t| t.key_text());
        let tint = options
            .tint
            .as_ref()
            .zip(tint_text.as_deref())
            .map(|(t, text)| (text, t.scale.stops().map(|c| theme.ink(c))));
        let block = legend::layout(
            legend::legend(areas, options.support, emphasis, tint),
            width,
            unit,
            &crate::scene::fonts::FontMetrics,
        );
        let origin = egui::vec2(left, y);
        for placed in &block.entries {
            let c = placed.mark_center(unit) + origin;
            match placed.entry.mark {
                LegendMark::Area { fill, stroke, index } => {
                    let pattern = if theme.kind == crate::scene::ThemeKind::Print {
                        AREA_PATTERNS[index % AREA_PATTERNS.len()]
                    } else {
                        ""
                    };
                    let dash =
                        if pattern.is_empty() { String::new() } else { format!(" stroke-dasharray=\"{pattern}\"") };
                    let _ = writeln!(
                        body,
                        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\" {} {} stroke-width=\"{}\"{dash}/>",
                        num(c.x - u(7.0)),
                        num(c.y - u(5.0)),
                        num(u(14.0)),
                        num(u(10.0)),
                        num(u(2.0)),
                        paint("fill", fill),
                        paint("stroke", stroke),
                        num(u(1.4))
                    );
                }
                LegendMark::Paper => {
                    let _ = writeln!(
                        body,
                        "<path d=\"{}\" {}/>",
                        path_data(&diamond(c, u(4.5)), true),
                        paint("fill", theme.paper_stroke)
                    );
                }
                LegendMark::Badge => {
                    let _ = writeln!(
                        body,
                        "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" {}/>",
                        num(c.x),
                        num(c.y),
                        num(u(6.0)),
                        paint("fill", theme.badge_fill)
                    );
                }
                LegendMark::Emphasis { stroke } => {
                    let _ = writeln!(
                        body,
                        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\" fill=\"none\" {} stroke-width=\"{}\"/>",
                        num(c.x - u(7.0) + u(1.25)),
                        num(c.y - u(5.0) + u(1.25)),
                        num(u(14.0) - u(2.5)),
                        num(u(10.0) - u(2.5)),
                        num(u(2.0)),
                        paint("stroke", stroke),
                        num(u(2.5))
                    );
                }
                LegendMark::Tint { stops } => {
                    // Three bands of the bar, low to high.
                    for (k, stop) in stops.iter().enumerate() {
                        let _ = writeln!(
                            body,
                            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" {}/>",
                            num(c.x - u(7.0) + u(14.0 / 3.0) * k as f32),
                            num(c.y - u(5.0)),
                            num(u(14.0 / 3.0)),
                            num(u(10.0)),
                            paint("fill", *stop)
                        );
                    }
                }
                LegendMark::Unsupported => {
                    let _ = writeln!(
                        body,
                        "<path d=\"M{} {} L{} {}\" fill=\"none\" {} stroke-width=\"{}\" stroke-dasharray=\"{} {}\"/>",
                        num(c.x - u(7.0)),
                        num(c.y),
                        num(c.x + u(7.0)),
                        num(c.y),
                        paint("stroke", theme.muted_text),
                        num(u(1.5)),
                        num(u(4.0)),
                        num(u(3.0))
                    );
                }
            }
            // The row's middle, moved down to the baseline of text of that size.
            let text = placed.text_start(unit) + origin;
            let size = legend::metrics::FONT * unit;
            let _ = writeln!(
                body,
                "<text x=\"{}\" y=\"{}\" font-size=\"{}\" {}>{}</text>",
                num(text.x),
                num(text.y + size * 0.35),
                num(size),
                paint("fill", theme.text),
                line_content(&placed.entry.text)
            );
        }
        let _ = writeln!(body, "</g>");
        y += block.height;
    }
    if options.caption {
        use crate::scene::caption::{self, Tone};
        let _ = writeln!(body, "<g id=\"caption\">");
        let says = caption::Says {
            heading: options.heading.as_ref(),
            filter: &options.filter,
            support: options.support,
            focus: options.focus_text.as_deref(),
        };
        let block = caption::layout(doc, says, width, unit, &crate::scene::fonts::FontMetrics);
        for line in &block.lines {
            let color = match line.tone {
                Tone::Text => theme.text,
                Tone::Muted => theme.muted_text,
            };
            let _ = writeln!(
                body,
                "<text x=\"{}\" y=\"{}\" font-size=\"{}\" {}{}>{}</text>",
                num(left),
                num(y + line.baseline),
                num(line.size),
                paint("fill", color),
                direction_attributes(line.line.rtl),
                line_content(&line.line.text)
            );
        }
        let _ = writeln!(body, "</g>");
        y += block.height;
    }
    Footer { height: y - top, body }
}

/// Where a drawing stands.
struct Frame {
    /// The world rectangle the picture shows (its `viewBox`).
    view_box: Rect,
    /// The picture's size in its own units (`width` and `height`): pixels at the export's
    /// scale, or points for a figure of a physical width or on a page.
    size: egui::Vec2,
    /// The map's part of the picture; what lies outside it is clipped when `clip` is set.
    map: Rect,
    clip: bool,
    footer: Footer,
}

/// Works out the frame of a picture of `scene`: the map's own size at the export's scale; a
/// given physical width (points per world unit chosen so the picture is that wide); or a page,
/// the map fitted between its margins above the caption.
fn frame(doc: &Document, scene: &Scene, theme: &MapTheme, options: &ExportOptions) -> Frame {
    let map_rect = options.view.unwrap_or(scene.bounds).expand(MARGIN);
    // The legend and caption are as large as the map's badges and relationship labels.
    let text_scale = crate::scene::clamp_text_scale(options.text_scale)
        * if options.detail_scale.is_finite() {
            options.detail_scale.clamp(1.0, crate::scene::MAX_TEXT_SCALE)
        } else {
            1.0
        };
    if let Some(page) = &options.page {
        let (page_width, page_height) = page.size_pt(map_rect.width() >= map_rect.height());
        // A margin from a hand-edited preferences file may be anything: none if not a number.
        let margin = page.margin.points();
        let margin = if margin.is_finite() { margin.clamp(0.0, page_width.min(page_height) / 3.0) } else { 0.0 };
        let content =
            Rect::from_min_max(egui::pos2(margin, margin), egui::pos2(page_width - margin, page_height - margin));
        // The legend and caption at the page's own sizes: at least the smallest text allowed.
        let unit = super::figure::page_text_unit(options.min_text_pt);
        let caption_height = footer(doc, scene, theme, options, 0.0, 0.0, content.width(), unit).height;
        // The map keeps at least half the page whatever the caption's length.
        let map_height = (content.height() - caption_height).max(content.height() / 2.0);
        let k = (content.width() / map_rect.width()).min(map_height / map_rect.height()).max(1e-6);
        let map_origin = egui::pos2(content.center().x - map_rect.width() * k / 2.0, content.top());
        let origin = map_rect.min - map_origin.to_vec2() / k;
        let footer = footer(
            doc,
            scene,
            theme,
            options,
            origin.x + content.left() / k,
            map_rect.bottom(),
            content.width() / k,
            unit / k,
        );
        return Frame {
            view_box: Rect::from_min_size(origin, vec2(page_width, page_height) / k),
            size: vec2(page_width, page_height),
            map: map_rect,
            clip: true,
            footer,
        };
    }
    let footer = footer(
        doc,
        scene,
        theme,
        options,
        map_rect.left() + 12.0,
        map_rect.bottom(),
        map_rect.width() - 24.0,
        text_scale,
    );
    let size = vec2(map_rect.width(), map_rect.height() + footer.height);
    // A width that is not a positive number (a hand-edited preferences file) is no width.
    let width = options.width.map(super::figure::Length::points).filter(|w| w.is_finite() && *w > 0.0);
    let (view_size, picture) = match width {
        // Points per world unit that make the picture the width asked for.
        Some(width) => (size, size * (width / size.x.max(1e-6))),
        None => {
            // Whole pixels at `scale`, so the image has no partly covered last row or column.
            let scale = options.scale.max(0.01);
            let whole = vec2((size.x * scale).ceil() / scale, (size.y * scale).ceil() / scale);
            (whole, whole * scale)
        }
    };
    Frame {
        view_box: Rect::from_min_size(map_rect.min, view_size),
        size: picture,
        map: map_rect,
        clip: options.view.is_some(),
        footer,
    }
}

/// The SVG text of a scene; `view` limits it to a part of the map (world rectangle), `width`
/// gives it a physical width and `page` puts it on a page (see [`ExportOptions`]).
pub fn scene_to_svg(doc: &Document, scene: &Scene, theme: &MapTheme, options: &ExportOptions) -> String {
    let Frame { view_box, size, map: map_rect, clip, footer } = frame(doc, scene, theme, options);
    let mut out = String::new();
    let _ = writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{}\" height=\"{}\" viewBox=\"{} {} {} {}\" font-family=\"{{FAMILIES}}\">",
        num_fine(size.x),
        num_fine(size.y),
        num_fine(view_box.left()),
        num_fine(view_box.top()),
        num_fine(view_box.width()),
        num_fine(view_box.height()),
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
    if clip {
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
            // The same numbers as the viewBox (whole pixels wide and high for a PNG): the
            // background covers every pixel of the picture.
            num_fine(view_box.left()),
            num_fine(view_box.top()),
            num_fine(view_box.width()),
            num_fine(view_box.height()),
            paint("fill", theme.background)
        );
    }
    let clip = if clip { " clip-path=\"url(#view)\"" } else { "" };
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
        if options.highlight.contains(&item) {
            // The glow the screen draws around a highlighted area.
            let _ = writeln!(
                out,
                "<path d=\"{}\" fill=\"none\" {} stroke-width=\"{}\" stroke-linejoin=\"round\"/>",
                path_data(&area.outline, true),
                translucent("stroke", theme.highlight, metrics::HIGHLIGHT_ALPHA),
                num(metrics::HIGHLIGHT_AREA_WIDTH)
            );
        }
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
        if options.highlight.contains(&item) {
            // The glow the screen draws under a highlighted relationship.
            let _ = writeln!(
                out,
                "<path d=\"{}\" fill=\"none\" {} stroke-width=\"{}\" stroke-linejoin=\"round\" stroke-linecap=\"round\"/>",
                path_data(&edge.points, false),
                translucent("stroke", theme.highlight, metrics::HIGHLIGHT_ALPHA),
                num(edge.width + metrics::HIGHLIGHT_EDGE_GROW)
            );
        }
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
        if let (Some(label), Some(rect)) = (&edge.label, edge.label_box()) {
            let _ = writeln!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\" {}/>",
                num(rect.left()),
                num(rect.top()),
                num(rect.width()),
                num(rect.height()),
                num(crate::scene::EdgeShape::LABEL_BOX_RADIUS),
                paint("fill", theme.label_fill)
            );
            text_element(&mut out, label, label.color, "");
            if edge.from_paper {
                let (center, radius) = crate::scene::EdgeShape::paper_mark_at(rect, 1.0);
                let marker = diamond(center, radius);
                let mark =
                    if edge.faded { theme.paper_stroke.gamma_multiply(crate::scene::FADE) } else { theme.paper_stroke };
                let _ = writeln!(out, "<path d=\"{}\" {}/>", path_data(&marker, true), paint("fill", mark));
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
        if options.highlight.contains(&item) {
            // The glow the screen draws around a highlighted card.
            let glow = r.expand(metrics::HIGHLIGHT_CARD_GROW);
            let _ = writeln!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\" {}/>",
                num(glow.left()),
                num(glow.top()),
                num(glow.width()),
                num(glow.height()),
                num(metrics::NODE_ROUNDING + metrics::HIGHLIGHT_CARD_GROW),
                translucent("fill", theme.highlight, metrics::HIGHLIGHT_ALPHA)
            );
        }
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
        for (band, color) in node.membership_bands() {
            let _ = writeln!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" {}/>",
                num(band.left()),
                num(band.top()),
                num(band.width()),
                num(band.height()),
                paint("fill", color)
            );
        }
        text_element(&mut out, &node.label, node.label.color, "");
        if node.from_paper {
            let _ = writeln!(
                out,
                "<path d=\"{}\" {}/>",
                path_data(&diamond(r.left_top(), 4.5), true),
                paint(
                    "fill",
                    if node.faded { theme.paper_stroke.gamma_multiply(crate::scene::FADE) } else { theme.paper_stroke }
                )
            );
        }
        if let Some((center, count)) = node.badge {
            // The ring lies outside the badge's radius, as on screen: a stroke centred half a
            // ring's width further out.
            let _ = writeln!(
                out,
                "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" {} {} stroke-width=\"{}\"/>",
                num(center.x),
                num(center.y),
                num(node.badge_radius + metrics::BADGE_RING / 2.0),
                paint("fill", theme.badge_fill),
                paint("stroke", theme.background),
                num(metrics::BADGE_RING)
            );
            let _ = writeln!(
                out,
                "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"middle\" {}>{count}</text>",
                num(center.x),
                num(center.y + 0.39 * node.badge_radius),
                num(metrics::BADGE_FONT_PER_RADIUS * node.badge_radius),
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
    let tree = super::parse_svg(&super::outlined::outline_lines(svg, false))?;
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
