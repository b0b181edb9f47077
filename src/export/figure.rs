//! Figures at their final size: a physical width (a journal's column, a slide), a page for
//! handouts, and the smallest text allowed at that size.
//!
//! A map is drawn in world units; a PDF of the map's own size makes one unit one point, so the
//! example map is 1322 points wide and its smallest text (the evidence badges, 11 units) would be
//! 2 pt in a one-column (84 mm) figure. Journals ask for 6–8 pt at final size. Scaling the whole
//! drawing cannot give that, so text is enlarged *relative to the geometry*: first the badges
//! and relationship labels (and legend and caption), which grow without moving any card, then
//! the names with their cards; the figure is fitted to the width again after each round. Cards
//! that then touch are pushed apart just enough, on a copy of the map. A map too dense for the
//! width keeps the most legible attempt (never worse than the map as it is) and says so.

use egui::Vec2;

use super::{ExportOptions, svg};
use crate::model::Document;
use crate::scene::{MAX_TEXT_SCALE, MapTheme, TextMeasure, clamp_text_scale};

/// A unit of length on paper or screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Unit {
    /// Millimetres.
    Mm,
    /// Centimetres.
    Cm,
    /// Inches.
    In,
    /// PostScript points (1/72 inch).
    Pt,
    /// CSS pixels (1/96 inch).
    Px,
}

impl Unit {
    /// The units offered in the Export dialog (pixels are for images, set by their scale).
    pub const PAPER: [Self; 4] = [Self::Mm, Self::Cm, Self::In, Self::Pt];

    /// Points in one of this unit.
    pub fn points(self) -> f32 {
        match self {
            Self::Mm => 72.0 / 25.4,
            Self::Cm => 720.0 / 25.4,
            Self::In => 72.0,
            Self::Pt => 1.0,
            Self::Px => 0.75,
        }
    }

    /// The unit's symbol, as SVG and CSS write it.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Mm => "mm",
            Self::Cm => "cm",
            Self::In => "in",
            Self::Pt => "pt",
            Self::Px => "px",
        }
    }
}

/// A length: a number and its unit, kept as given so the dialog and messages show it so.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Length {
    /// How many units.
    pub value: f32,
    /// Of what.
    pub unit: Unit,
}

impl Length {
    /// `value` millimetres.
    pub const fn mm(value: f32) -> Self {
        Self { value, unit: Unit::Mm }
    }

    /// The length in points.
    pub fn points(self) -> f32 {
        self.value * self.unit.points()
    }

    /// The length in `unit`.
    pub fn in_unit(self, unit: Unit) -> f32 {
        self.points() / unit.points()
    }

    /// Reads "84mm", "8.4 cm", "3.5in", "240pt", "1200px", a bare number (pixels) or a preset
    /// name (see [`PRESETS`]).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if let Some(preset) = PRESETS.iter().find(|p| p.name.eq_ignore_ascii_case(text)) {
            return Ok(preset.width);
        }
        let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
        let (number, unit) = (&text[..split], text[split..].trim());
        let value: f32 = number
            .parse()
            .map_err(|_| format!("{text:?} is not a length: write a number and a unit, e.g. 84mm, 3.5in, 240pt"))?;
        let unit = match unit.to_ascii_lowercase().as_str() {
            "mm" => Unit::Mm,
            "cm" => Unit::Cm,
            "in" | "inch" | "inches" | "\"" => Unit::In,
            "pt" => Unit::Pt,
            "px" | "" => Unit::Px,
            other => return Err(format!("{text:?}: unknown unit {other:?}; use mm, cm, in, pt or px")),
        };
        let length = Self { value, unit };
        if !(value.is_finite() && value > 0.0) || length.points() > MAX_SIDE_PT {
            return Err(format!("{text:?} is out of range (more than 0, at most 5 m)"));
        }
        Ok(length)
    }
}

impl std::fmt::Display for Length {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let value = (self.value * 100.0).round() / 100.0;
        write!(f, "{value} {}", self.unit.symbol())
    }
}

/// Longest side of a figure or page, in points (5 m; PDF viewers stop at 200 inches).
const MAX_SIDE_PT: f32 = 5000.0 / 25.4 * 72.0;

/// A common figure width.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Preset {
    /// Its name on the command line.
    pub name: &'static str,
    /// Its name in the Export dialog.
    pub label: &'static str,
    /// The width.
    pub width: Length,
}

/// Column widths journals ask figures to be drawn at: one and two columns of 84 and 174 mm
/// (Springer's artwork guidelines; the Geological Society's journals use 84 mm too), and IEEE's
/// 3.5 and 7.16 inches ("Size requirements for graphics", IEEE Author Center).
pub const PRESETS: [Preset; 4] = [
    Preset { name: "single", label: "One column (84 mm)", width: Length::mm(84.0) },
    Preset { name: "double", label: "Two columns (174 mm)", width: Length::mm(174.0) },
    Preset { name: "ieee-single", label: "IEEE one column (3.5 in)", width: Length { value: 3.5, unit: Unit::In } },
    Preset { name: "ieee-double", label: "IEEE two columns (7.16 in)", width: Length { value: 7.16, unit: Unit::In } },
];

/// A paper size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Paper {
    /// ISO A4, 210 × 297 mm.
    #[default]
    A4,
    /// US Letter, 8.5 × 11 in.
    Letter,
}

impl Paper {
    /// Both, in menu order.
    pub const ALL: [Self; 2] = [Self::A4, Self::Letter];

    /// Portrait width and height in points.
    pub fn size_pt(self) -> (f32, f32) {
        match self {
            Self::A4 => (210.0 / 25.4 * 72.0, 297.0 / 25.4 * 72.0),
            Self::Letter => (612.0, 792.0),
        }
    }

    /// Its name.
    pub fn label(self) -> &'static str {
        match self {
            Self::A4 => "A4",
            Self::Letter => "Letter",
        }
    }
}

/// Which way up a page is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Orientation {
    /// Landscape for a map wider than tall, else portrait.
    #[default]
    Auto,
    /// Taller than wide.
    Portrait,
    /// Wider than tall.
    Landscape,
}

impl Orientation {
    /// All three, in menu order.
    pub const ALL: [Self; 3] = [Self::Auto, Self::Portrait, Self::Landscape];

    /// Its name.
    pub fn label(self) -> &'static str {
        match self {
            Self::Auto => "Fit the map",
            Self::Portrait => "Portrait",
            Self::Landscape => "Landscape",
        }
    }
}

/// A page to put a figure (or each step of a handout) on.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Page {
    /// The paper.
    pub paper: Paper,
    /// Which way up.
    pub orientation: Orientation,
    /// Blank space on every side.
    pub margin: Length,
}

impl Default for Page {
    fn default() -> Self {
        Self { paper: Paper::A4, orientation: Orientation::Auto, margin: Length::mm(15.0) }
    }
}

impl Page {
    /// Width and height in points; `wide` says whether the drawing is wider than tall (for
    /// [`Orientation::Auto`]).
    pub fn size_pt(&self, wide: bool) -> (f32, f32) {
        let (short, long) = self.paper.size_pt();
        let landscape = match self.orientation {
            Orientation::Auto => wide,
            Orientation::Portrait => false,
            Orientation::Landscape => true,
        };
        if landscape { (long, short) } else { (short, long) }
    }

    /// Reads "a4", "letter", "a4-landscape", "letter-portrait".
    pub fn parse(text: &str) -> Result<Self, String> {
        let lower = text.trim().to_ascii_lowercase();
        let (paper, orientation) = lower.split_once('-').unwrap_or((lower.as_str(), ""));
        let paper = match paper {
            "a4" => Paper::A4,
            "letter" => Paper::Letter,
            _ => return Err(format!("{text:?}: unknown paper; use a4 or letter")),
        };
        let orientation = match orientation {
            "" | "auto" => Orientation::Auto,
            "portrait" => Orientation::Portrait,
            "landscape" => Orientation::Landscape,
            other => return Err(format!("{text:?}: unknown orientation {other:?}; use portrait or landscape")),
        };
        Ok(Self { paper, orientation, ..Self::default() })
    }
}

/// The smallest nominal text size of the legend and caption (the source and filter lines).
const SMALLEST_CAPTION_FONT: f32 = 11.0;

/// The size unit of a page's legend and caption, in points: their usual sizes ×0.8 (captions of
/// 14, 10 and 9 pt), or larger to keep their smallest line at `min_text_pt`.
pub fn page_text_unit(min_text_pt: f32) -> f32 {
    let min = if min_text_pt.is_finite() { min_text_pt.max(0.0) } else { 0.0 };
    (min / SMALLEST_CAPTION_FONT).max(0.8)
}

/// How a figure came out at its final size.
#[derive(Clone, Debug, PartialEq)]
pub struct Fit {
    /// The text scale it was drawn with: the map's own, or larger to meet the minimum.
    pub text_scale: f32,
    /// How much larger still its badges, relationship labels, legend and caption are.
    pub detail_scale: f32,
    /// Its size in points (a PNG: at 72 dpi; a figure of the map's own size: one point a unit).
    pub size_pt: Vec2,
    /// Its smallest text at that size, in points.
    pub smallest_pt: f32,
    /// How many concepts were moved apart to make room for their enlarged cards (in the
    /// figure only; the map is not changed).
    pub moved: usize,
    /// When the smallest text is below the minimum asked for: why, in a sentence.
    pub shortfall: Option<String>,
}

impl Fit {
    /// How much the map's text was enlarged over the map's own text size.
    pub fn enlarged(&self, options: &ExportOptions) -> f32 {
        self.text_scale / clamp_text_scale(options.text_scale)
    }

    /// One line for the command line and the dialog: size, smallest text, enlargement.
    pub fn describe(&self, options: &ExportOptions) -> String {
        let unit = options.width.map_or(Unit::Mm, |w| if w.unit == Unit::Px { Unit::Mm } else { w.unit });
        let (w, h) = (self.size_pt.x / unit.points(), self.size_pt.y / unit.points());
        let round = |v: f32| if unit == Unit::Pt { format!("{v:.0}") } else { format!("{v:.1}") };
        let mut text =
            format!("{} × {} {}, smallest text {:.1} pt", round(w), round(h), unit.symbol(), self.smallest_pt);
        let enlarged = self.enlarged(options);
        let mut grown = Vec::new();
        if enlarged > 1.005 {
            grown.push(format!("map text ×{enlarged:.2}"));
        }
        if self.detail_scale > 1.005 {
            grown.push(format!("badges, relationship labels and legend ×{:.2} more", self.detail_scale));
        }
        if self.moved > 0 {
            let cards = if self.moved == 1 { "card" } else { "cards" };
            grown.push(format!("{} {cards} moved apart to make room", self.moved));
        }
        if !grown.is_empty() {
            text.push_str(&format!(" (enlarged to stay legible: {})", grown.join("; ")));
        }
        text
    }
}

/// A figure's SVG at its final size and how it came out.
pub struct Figure {
    /// The SVG, sized in points when a width or page is given (else as [`svg::scene_to_svg`]
    /// sizes it).
    pub svg: String,
    /// Its size and text.
    pub fit: Fit,
}

/// One attempt at a text scale.
struct Attempt {
    svg: String,
    size_pt: Vec2,
    /// Points per world unit.
    per_unit: f32,
    map_smallest_pt: f32,
    smallest_pt: f32,
    /// Concepts moved to make room for their enlarged cards.
    moved: usize,
}

/// Pairs of concept cards that overlap.
type Pairs = std::collections::BTreeSet<(crate::model::ConceptId, crate::model::ConceptId)>;

/// What the map looks like at its own text size: the cards that overlap already and the
/// concepts that already look inside an area they are not in. An enlarged figure may not add
/// to either.
struct Base {
    overlaps: Pairs,
    misplaced: std::collections::BTreeSet<(crate::model::ConceptId, crate::model::AreaId)>,
}

/// The concepts whose card's centre lies inside the drawn outline of an area they do not
/// belong to.
fn misplaced(
    doc: &Document,
    scene: &crate::scene::Scene,
) -> std::collections::BTreeSet<(crate::model::ConceptId, crate::model::AreaId)> {
    let mut found = std::collections::BTreeSet::new();
    for node in &scene.nodes {
        let Some(concept) = doc.concept(node.id) else { continue };
        for area in &scene.areas {
            if !concept.areas.contains(&area.id)
                && crate::scene::geometry::convex_contains(&area.outline, node.rect.center())
            {
                found.insert((node.id, area.id));
            }
        }
    }
    found
}

/// Draws the figure with the map's text at `text_scale` and its badges and relationship labels
/// `detail` times larger still. Cards that the larger text makes run into each other (and did
/// not before, `crowded`) are first moved apart just enough, on a copy of the map, by the
/// layout's own finishing step ([`crate::layout::make_room`]).
fn attempt(
    doc: &Document,
    options: &ExportOptions,
    (text_scale, detail): (f32, f32),
    base: &Base,
    measure: &dyn TextMeasure,
) -> Attempt {
    let options = ExportOptions { text_scale, detail_scale: detail, ..options.clone() };
    let mut scene = super::export_scene(doc, &options, measure);
    let mut moved = 0;
    let mut roomy: Option<(Document, crate::scene::Scene)> = None;
    let mut drawn = doc;
    if overlapping_pairs(&scene).difference(&base.overlaps).next().is_some() {
        // First only pushing the cards apart, which keeps the picture closest to the map; if
        // that leaves a concept looking inside an area it is not in, the layout's full finish,
        // which also moves concepts out of such areas.
        let cards = crate::layout::card_half_sizes(doc, &scene);
        for keep_out in [false, true] {
            let places =
                crate::layout::make_room(doc, &cards, CARD_GAP * text_scale, RELATED_GAP * text_scale, keep_out);
            let mut copy = doc.clone();
            moved = 0;
            for (concept, (id, place)) in copy.concepts.iter_mut().zip(places) {
                debug_assert_eq!(concept.id, id);
                if (concept.pos.x - place.x).abs() > 0.5 || (concept.pos.y - place.y).abs() > 0.5 {
                    moved += 1;
                    concept.pos = place;
                }
            }
            let roomy_scene = super::export_scene(&copy, &options, measure);
            let honest = misplaced(&copy, &roomy_scene).is_subset(&base.misplaced);
            roomy = Some((copy, roomy_scene));
            if honest {
                break;
            }
        }
        if let Some((copy, roomy_scene)) = &roomy {
            drawn = copy;
            scene = roomy_scene.clone();
        }
    }
    let svg = svg::scene_to_svg(drawn, &scene, &MapTheme::new(options.theme), &options);
    let (size, view_width) = svg_size(&svg).unwrap_or((Vec2::splat(1.0), 1.0));
    // Points per world unit. Pictures of the map's own size count a unit (at scale 1) as a
    // point, as their PDF does.
    let physical = options.width.is_some() || options.page.is_some();
    let per_unit = if physical { size.x / view_width.max(1e-6) } else { 1.0 };
    let size_pt = if physical { size } else { size / options.scale.max(0.01) };
    let (map_smallest, smallest) = smallest_font_sizes(&svg);
    Attempt {
        svg,
        size_pt,
        per_unit,
        map_smallest_pt: map_smallest * per_unit,
        smallest_pt: smallest * per_unit,
        moved,
    }
}

/// Space kept between cards moved apart, at the usual text size (world units).
const CARD_GAP: f32 = 6.0;

/// Space kept between the cards of two related concepts moved apart: room for the arrow and
/// its label between them.
const RELATED_GAP: f32 = 30.0;

/// The smallest text on a card or area at text scale 1: concept names.
const CARD_FONT: f32 = crate::scene::metrics::NODE_FONT;

/// The smallest of the small texts at scale 1: badge numbers (relationship labels are 13).
const DETAIL_FONT: f32 = crate::scene::metrics::BADGE_RADIUS * crate::scene::metrics::BADGE_FONT_PER_RADIUS;

/// The figure for `options`. With a width or page, its smallest text is made at least
/// `min_text_pt` at the final size: the badges and relationship labels are enlarged first
/// (that moves nothing), then the map's text and cards as far as needed, cards that would then
/// run into each other moved apart just enough. A map too dense for that size (moving cards
/// apart widening it as fast as the text grows) stops at the largest text it allows, and says
/// so.
pub fn figure(doc: &Document, options: &ExportOptions, measure: &dyn TextMeasure) -> Figure {
    let user = clamp_text_scale(options.text_scale);
    let min = options.min_text_pt;
    let physical = options.width.is_some() || options.page.is_some();
    let base_scene = super::export_scene(doc, &ExportOptions { text_scale: user, ..options.clone() }, measure);
    let base = Base { overlaps: overlapping_pairs(&base_scene), misplaced: misplaced(doc, &base_scene) };
    let first = attempt(doc, options, (user, 1.0), &base, measure);
    let done = |a: Attempt, scales: (f32, f32), shortfall: Option<String>| Figure {
        fit: Fit {
            text_scale: scales.0,
            detail_scale: scales.1,
            size_pt: a.size_pt,
            smallest_pt: a.smallest_pt,
            moved: a.moved,
            shortfall,
        },
        svg: a.svg,
    };
    if !(physical && min.is_finite() && min > 0.0) || first.map_smallest_pt >= min - TOLERANCE_PT {
        return done(first, (user, 1.0), None);
    }
    // Each round works out from the last figure's points per unit the scales that bring both
    // kinds of text to the minimum (aiming a little above it); the figure widens as they grow,
    // so a few rounds settle it.
    let mut scales = (user, 1.0);
    let mut current = first;
    // The most legible figure so far and its scales: when the minimum cannot be met, enlarging
    // may make things worse (cards moved apart widen the figure), and then the map as it is
    // wins.
    let mut best: Option<(Attempt, (f32, f32))> = None;
    let mut stalled = 0;
    for _ in 0..MAX_ROUNDS {
        if current.map_smallest_pt >= min - TOLERANCE_PT {
            best = None;
            break;
        }
        let k = current.per_unit.max(1e-6);
        let text = (min / (CARD_FONT * k) * 1.002).clamp(scales.0, MAX_TEXT_SCALE);
        let detail = (min / (DETAIL_FONT * text * k) * 1.002).clamp(1.0, MAX_TEXT_SCALE);
        let next = (text, detail.max(scales.1 * scales.0 / text).min(MAX_TEXT_SCALE));
        let better = best.as_ref().is_none_or(|(b, _)| current.map_smallest_pt > b.map_smallest_pt * 1.01);
        stalled = if better { 0 } else { stalled + 1 };
        if better {
            best = Some((current, scales));
        }
        if stalled >= 2 || ((next.0 - scales.0).abs() < 1e-4 && (next.1 - scales.1).abs() < 1e-4) {
            current = attempt(doc, options, scales, &base, measure);
            break;
        }
        scales = next;
        current = attempt(doc, options, scales, &base, measure);
    }
    if let Some((b, b_scales)) = best
        && b.map_smallest_pt >= current.map_smallest_pt
    {
        current = b;
        scales = b_scales;
    }
    let shortfall = (current.map_smallest_pt < min - TOLERANCE_PT).then(|| {
        let how = if scales.0 / user > 1.005 || scales.1 > 1.005 {
            format!(
                "even with its text enlarged (×{:.2}){}",
                scales.0 / user,
                if current.moved > 0 { " and its cards moved apart" } else { "" }
            )
        } else {
            "enlarging its text only spreads it wider, so it is drawn as it is".to_owned()
        };
        format!(
            "the map is too dense for {min} pt text at this size: {how}, its smallest text is {:.1} pt. Use a wider \
             figure, export a part of the map (the current view), or accept smaller text",
            current.map_smallest_pt
        )
    });
    done(current, scales, shortfall)
}

/// Most rounds of enlarging.
const MAX_ROUNDS: usize = 12;

/// Text within this much of the minimum counts as meeting it (sizes are written with two
/// decimals).
const TOLERANCE_PT: f32 = 0.02;

/// The pairs of concept cards that overlap, found by sweeping the cards from left to right.
fn overlapping_pairs(scene: &crate::scene::Scene) -> Pairs {
    let mut order: Vec<(egui::Rect, crate::model::ConceptId)> = scene.nodes.iter().map(|n| (n.rect, n.id)).collect();
    order.sort_by(|a, b| a.0.left().total_cmp(&b.0.left()));
    let mut pairs = Pairs::new();
    for (i, (a, a_id)) in order.iter().enumerate() {
        for (b, b_id) in &order[i + 1..] {
            if b.left() >= a.right() {
                break;
            }
            if a.intersect(*b).is_positive() && a.intersect(*b).area() > 1.0 {
                pairs.insert(((*a_id).min(*b_id), (*a_id).max(*b_id)));
            }
        }
    }
    pairs
}

/// The size of an SVG written by [`svg::scene_to_svg`] (its `width` and `height`) and the width of
/// its view box.
pub fn svg_size(svg: &str) -> Option<(Vec2, f32)> {
    let head = &svg[svg.find("<svg ")?..];
    let head = &head[..head.find('>')?];
    let attribute = |name: &str| -> Option<&str> {
        let start = head.find(&format!(" {name}=\""))? + name.len() + 3;
        let end = head[start..].find('"')? + start;
        Some(&head[start..end])
    };
    let width: f32 = attribute("width")?.parse().ok()?;
    let height: f32 = attribute("height")?.parse().ok()?;
    let view_width: f32 = attribute("viewBox")?.split_whitespace().nth(2)?.parse().ok()?;
    Some((egui::vec2(width, height), view_width))
}

/// The smallest `font-size` in the map's part of an SVG written by [`svg::scene_to_svg`] and in
/// the whole of it, in its view box's units.
pub fn smallest_font_sizes(svg: &str) -> (f32, f32) {
    let footer = ["<g id=\"legend\">", "<g id=\"caption\">"].iter().filter_map(|m| svg.find(m)).min();
    let mut map = f32::INFINITY;
    let mut all = f32::INFINITY;
    let mut from = 0;
    while let Some(found) = svg[from..].find("font-size=\"") {
        let start = from + found + 11;
        let Some(end) = svg[start..].find('"').map(|e| start + e) else { break };
        if let Ok(size) = svg[start..end].parse::<f32>() {
            all = all.min(size);
            if footer.is_none_or(|f| start < f) {
                map = map.min(size);
            }
        }
        from = end;
    }
    let finite = |v: f32| if v.is_finite() { v } else { 0.0 };
    (finite(map), finite(all))
}

/// `svg` (sized in points, as a figure of a width or on a page is) with its `width` and
/// `height` written in `unit`, so drawing programs and browsers open it at its physical size.
pub fn with_physical_size(svg: &str, unit: Unit) -> String {
    let Some((size, _)) = svg_size(svg) else { return svg.to_owned() };
    let Some(root) = svg.find("<svg ") else { return svg.to_owned() };
    let round = |v: f32| {
        let text = format!("{:.4}", v / unit.points());
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    };
    let head_end = svg[root..].find('>').map_or(svg.len(), |e| root + e);
    let head = &svg[root..head_end];
    let head = replace_attribute(head, "width", &format!("{}{}", round(size.x), unit.symbol()));
    let head = replace_attribute(&head, "height", &format!("{}{}", round(size.y), unit.symbol()));
    format!("{}{head}{}", &svg[..root], &svg[head_end..])
}

fn replace_attribute(head: &str, name: &str, value: &str) -> String {
    let key = format!(" {name}=\"");
    let Some(start) = head.find(&key).map(|s| s + key.len()) else { return head.to_owned() };
    let Some(end) = head[start..].find('"').map(|e| start + e) else { return head.to_owned() };
    format!("{}{value}{}", &head[..start], &head[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_read_in_every_unit() {
        let pt = |text: &str| Length::parse(text).unwrap().points();
        assert!((pt("84mm") - 238.11).abs() < 0.01);
        assert!((pt("8.4 cm") - 238.11).abs() < 0.01);
        assert!((pt("3.5in") - 252.0).abs() < 0.01);
        assert!((pt("240pt") - 240.0).abs() < 0.01);
        assert!((pt("1200px") - 900.0).abs() < 0.01);
        assert!((pt("1200") - 900.0).abs() < 0.01);
        assert!((pt("single") - 238.11).abs() < 0.01);
        assert!((pt("Double") - 493.23).abs() < 0.01);
        for bad in ["", "mm", "84 furlongs", "-3mm", "0mm", "1e9mm", "84mm mm"] {
            assert!(Length::parse(bad).is_err(), "{bad} should be refused");
        }
        assert_eq!(Length::mm(84.0).to_string(), "84 mm");
    }

    #[test]
    fn pages_read_and_turn() {
        let page = Page::parse("a4-landscape").unwrap();
        let (w, h) = page.size_pt(false);
        assert!(w > h && (w - 841.89).abs() < 0.01);
        let auto = Page::parse("letter").unwrap();
        assert_eq!(auto.size_pt(true), (792.0, 612.0));
        assert_eq!(auto.size_pt(false), (612.0, 792.0));
        assert!(Page::parse("a3").is_err());
        assert!(Page::parse("a4-sideways").is_err());
    }

    #[test]
    fn physical_size_rewrites_only_the_root() {
        let svg = "<?xml version=\"1.0\"?>\n<svg width=\"238.1102\" height=\"100\" viewBox=\"0 0 500 210\">\n<rect width=\"5\"/></svg>";
        let out = with_physical_size(svg, Unit::Mm);
        assert!(out.contains("<svg width=\"84mm\" height=\"35.2778mm\" viewBox=\"0 0 500 210\">"), "{out}");
        assert!(out.contains("<rect width=\"5\"/>"));
    }

    #[test]
    fn smallest_sizes_split_map_and_footer() {
        let svg = "<svg><g id=\"map\"><text font-size=\"14\"/><text font-size=\"11\"/></g><g id=\"caption\"><text font-size=\"9\"/></g></svg>";
        assert_eq!(smallest_font_sizes(svg), (11.0, 9.0));
    }
}
