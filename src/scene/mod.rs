//! One drawing, many outputs: a pure function turns a document and a theme into world-space
//! primitives (area outlines, edges with arrowheads and labels, concept cards with evidence
//! badges). The screen draws this list; exports will draw the same list, so what is exported is
//! what is seen, and the scene can be tested without pixels.

pub mod caption;
pub mod fonts;
pub mod geometry;
pub mod index;
pub mod legend;
pub mod text;
pub mod theme;

use std::collections::HashMap;

use egui::{Color32, Pos2, Rect, Vec2, pos2, vec2};

use crate::model::support::{EvidenceFilter, SupportMode, support_counts};
use crate::model::{
    AreaId, ConceptId, Direction, Document, Endpoint, ItemRef, LineStyle, ProvenanceKind, RelationshipId, Rgb,
};
use geometry::{
    centroid, convex_contains, convex_hull, enter_polygon, exit_polygon, exit_rect, point_along, quadratic,
    rounded_outline, trim_end,
};
pub use theme::{MapTheme, ThemeKind};

/// Measures text so that line breaks are decided once, here, and every output draws the same
/// lines. Sizes are in world units (points at zoom 1).
pub trait TextMeasure {
    /// Width of one line of `text` at `font_size`.
    fn line_width(&self, text: &str, font_size: f32) -> f32;
    /// Distance between baselines at `font_size`.
    fn line_height(&self, font_size: f32) -> f32 {
        font_size * 1.25
    }
}

/// Measures text with egui's own fonts, so labels are wrapped exactly as they are drawn on screen.
pub struct EguiMeasure<'a>(pub &'a egui::Context);

impl TextMeasure for EguiMeasure<'_> {
    fn line_width(&self, text: &str, font_size: f32) -> f32 {
        self.0.fonts_mut(|f| {
            f.layout_no_wrap(text.to_owned(), egui::FontId::proportional(font_size), Color32::WHITE).size().x
        })
    }
}

/// An egui context with its fonts loaded and no window, for measuring text in headless work
/// (exports from the command line) exactly as the screen does.
pub fn headless_context() -> egui::Context {
    let ctx = egui::Context::default();
    fonts::install(&ctx);
    // One empty pass loads the fonts.
    let mut output = ctx.run_ui(egui::RawInput::default(), |_| {});
    // No renderer will upload the font atlas; say so, as egui asks.
    output.textures_delta.clear();
    ctx
}

/// A measurer that assumes an average character width; for tests and headless checks where the
/// real font is not loaded.
pub struct ApproxMeasure;

impl TextMeasure for ApproxMeasure {
    fn line_width(&self, text: &str, font_size: f32) -> f32 {
        text.chars().count() as f32 * font_size * 0.52
    }
}

/// Sizes of the drawing, in world units.
pub mod metrics {
    /// Concept label size.
    pub const NODE_FONT: f32 = 14.0;
    /// Widest a concept label line may be before it wraps.
    pub const NODE_TEXT_WIDTH: f32 = 136.0;
    /// Padding inside a concept card.
    pub const NODE_PAD: egui::Vec2 = egui::vec2(12.0, 8.0);
    /// Narrowest concept card.
    pub const NODE_MIN_WIDTH: f32 = 80.0;
    /// Corner radius of concept cards.
    pub const NODE_ROUNDING: f32 = 7.0;
    /// Area name size.
    pub const AREA_FONT: f32 = 19.0;
    /// Widest an area name line may be.
    pub const AREA_TEXT_WIDTH: f32 = 260.0;
    /// Gap between a concept card and its area's outline.
    pub const AREA_PAD: f32 = 16.0;
    /// Corner radius of area outlines.
    pub const AREA_ROUNDING: f32 = 26.0;
    /// Edge label size.
    pub const EDGE_FONT: f32 = 13.0;
    /// Radius of the evidence badge.
    pub const BADGE_RADIUS: f32 = 10.0;
    /// Size of the badge's number relative to the badge's radius.
    pub const BADGE_FONT_PER_RADIUS: f32 = 1.1;
    /// Width of the ring in the background colour round a support badge (it keeps the badge
    /// apart from the card edge and lines under it), outside the badge's radius.
    pub const BADGE_RING: f32 = 1.5;
    /// How far the glow of a highlighted card reaches beyond it.
    pub const HIGHLIGHT_CARD_GROW: f32 = 5.0;
    /// How much wider than its line the glow of a highlighted relationship is.
    pub const HIGHLIGHT_EDGE_GROW: f32 = 6.0;
    /// Opacity of a highlight's glow.
    pub const HIGHLIGHT_ALPHA: f32 = 0.6;
    /// The width of the glow around a highlighted area's outline (a path that ends at an area).
    pub const HIGHLIGHT_AREA_WIDTH: f32 = 7.0;
}

/// Lines of text placed in a box; each line is centred horizontally.
#[derive(Clone, Debug, PartialEq)]
pub struct TextBlock {
    /// The lines, already wrapped, in logical (typed) order.
    pub lines: Vec<String>,
    /// For each line, whether its paragraph runs right to left (Arabic, Hebrew…); empty when
    /// none does. Outputs reorder such lines with [`text::visual_pieces`].
    pub rtl: Vec<bool>,
    /// Font size in world units.
    pub font_size: f32,
    /// Distance between baselines.
    pub line_height: f32,
    /// Colour.
    pub color: Color32,
    /// Box holding the text.
    pub rect: Rect,
}

impl TextBlock {
    /// Whether line `index` belongs to a right-to-left paragraph.
    pub fn line_is_rtl(&self, index: usize) -> bool {
        self.rtl.get(index).copied().unwrap_or(false)
    }

    /// Centre of line `index`.
    pub fn line_center(&self, index: usize) -> Pos2 {
        let top = self.rect.center().y - self.line_height * self.lines.len() as f32 / 2.0;
        pos2(self.rect.center().x, top + self.line_height * (index as f32 + 0.5))
    }
}

/// An area's region: a rounded convex outline around its member concepts.
#[derive(Clone, Debug, PartialEq)]
pub struct AreaShape {
    /// Which area.
    pub id: AreaId,
    /// Closed outline (convex).
    pub outline: Vec<Pos2>,
    /// Translucent fill.
    pub fill: Color32,
    /// Outline colour.
    pub stroke: Color32,
    /// The area's name, placed outside the outline.
    pub label: TextBlock,
    /// Whether it comes from the paper.
    pub from_paper: bool,
    /// Where edges from concepts aim: the middle of the members that belong to this area only
    /// (so an arrow into an area does not land in its overlap with another), or the centroid.
    pub own_center: Pos2,
}

/// A relationship drawn as a line or curve.
#[derive(Clone, Debug, PartialEq)]
pub struct EdgeShape {
    /// Which relationship.
    pub id: RelationshipId,
    /// The path, trimmed for arrowheads.
    pub points: Vec<Pos2>,
    /// Line width.
    pub width: f32,
    /// Line colour.
    pub color: Color32,
    /// Stroke pattern (unsupported relationships are dashed whatever their type says).
    pub line: LineStyle,
    /// Filled triangles at the arrow ends.
    pub arrowheads: Vec<[Pos2; 3]>,
    /// Label on the edge.
    pub label: Option<TextBlock>,
    /// Number of evidence items supporting it.
    pub support: usize,
    /// Whether it comes from the paper.
    pub from_paper: bool,
    /// Whether it has no support under the filter in force (drawn faded).
    pub faded: bool,
}

impl EdgeShape {
    /// Corner radius of a relationship label's box, in world units.
    pub const LABEL_BOX_RADIUS: f32 = 6.0;
    /// Half-diagonal of the "from the paper" diamond beside a relationship label.
    pub const PAPER_MARK: f32 = 3.5;

    /// The box behind the label (its text with a little room), if it has one.
    pub fn label_box(&self) -> Option<Rect> {
        self.label.as_ref().map(|label| label.rect.expand2(vec2(4.0, 1.5)))
    }

    /// Where the "from the paper" diamond goes beside a label box of `rect` (wherever the
    /// painter has drawn the box), `scale` times its usual size.
    pub fn paper_mark_at(rect: Rect, scale: f32) -> (Pos2, f32) {
        (rect.left_center() + vec2(-5.0 * scale, 0.0), Self::PAPER_MARK * scale)
    }
}

/// A concept drawn as a card.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeShape {
    /// Which concept.
    pub id: ConceptId,
    /// The card.
    pub rect: Rect,
    /// Card fill.
    pub fill: Color32,
    /// Card outline.
    pub stroke: Color32,
    /// Outline width.
    pub stroke_width: f32,
    /// The label.
    pub label: TextBlock,
    /// Colours of the areas it belongs to, for the membership bar on its left edge.
    pub area_colors: Vec<Color32>,
    /// Evidence count badge: centre and count.
    pub badge: Option<(Pos2, usize)>,
    /// The badge's radius: [`metrics::BADGE_RADIUS`] grown with the map's text, so its number
    /// fits at every text size.
    pub badge_radius: f32,
    /// Whether it comes from the paper (drawn with a marker).
    pub from_paper: bool,
    /// Whether automatic layout leaves it where it is (drawn with a pin in the window).
    pub pinned: bool,
    /// Whether it has no support under the filter in force (drawn faded).
    pub faded: bool,
}

/// Everything drawn for a map, in world coordinates, in drawing order.
#[derive(Clone, Debug)]
pub struct Scene {
    /// Area regions (drawn first).
    pub areas: Vec<AreaShape>,
    /// Relationships.
    pub edges: Vec<EdgeShape>,
    /// Concepts (drawn last).
    pub nodes: Vec<NodeShape>,
    /// Box holding every shape and label.
    pub bounds: Rect,
    /// Where the nodes and edges are, for drawing only what is in view and for hit-testing.
    /// Built with the scene; [`Scene::reindex`] rebuilds it after the shapes were changed.
    index: SceneIndex,
}

/// The spatial indexes of a scene: item `i` of each is `nodes[i]` / `edges[i]`.
#[derive(Clone, Debug)]
struct SceneIndex {
    nodes: index::RectIndex,
    edges: index::LineIndex,
}

impl SceneIndex {
    fn build(nodes: &[NodeShape], edges: &[EdgeShape], bounds: Rect) -> Self {
        let node_index = index::RectIndex::from_rects(bounds, nodes.iter().map(NodeShape::extent));
        let mut edge_index = index::LineIndex::new(bounds, edges.len());
        for (i, edge) in edges.iter().enumerate() {
            // Wide enough to take in the arrowheads and the line's own width.
            edge_index.insert(i, &edge.points, edge.width + 12.0);
            if let Some(label) = &edge.label {
                let rect = label.rect.expand(4.0);
                edge_index.insert(i, &[rect.center()], rect.width().max(rect.height()) / 2.0);
            }
        }
        Self { nodes: node_index, edges: edge_index }
    }
}

impl PartialEq for Scene {
    /// Scenes are equal when they draw the same; the indexes follow from the shapes.
    fn eq(&self, other: &Self) -> bool {
        self.areas == other.areas
            && self.edges == other.edges
            && self.nodes == other.nodes
            && self.bounds == other.bounds
    }
}

impl AreaShape {
    /// The box around the outline.
    pub fn bounds(&self) -> Rect {
        self.outline.iter().fold(Rect::NOTHING, |r, p| r.union(Rect::from_pos(*p)))
    }
}

/// The drawing pin stuck in a pinned card's corner (a pinned concept stays put in automatic
/// layout). Only the canvas draws it, while editing; it is defined here with the other marks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PinMark {
    /// The head's centre, on the card's corner.
    pub head: Pos2,
    /// The head's radius.
    pub radius: f32,
    /// The needle's point, in towards the card's middle.
    pub point: Pos2,
    /// The needle's width.
    pub needle_width: f32,
    /// The width of the light ring round the head.
    pub ring_width: f32,
}

impl PinMark {
    /// The head's colour (the needle takes the theme's text colour, the ring white).
    pub const HEAD: Color32 = Color32::from_rgb(0xc6, 0x28, 0x28);

    /// The pin in the bottom right `corner` of a card, `scale` times its size (at least 0.8).
    pub fn at(corner: Pos2, scale: f32) -> Self {
        let scale = scale.max(0.8);
        let head = corner + vec2(-1.0, -1.0) * scale;
        Self {
            head,
            radius: 4.6 * scale,
            point: head + vec2(-7.0, -7.0) * scale,
            needle_width: 1.6 * scale,
            ring_width: 1.2 * scale,
        }
    }
}

impl NodeShape {
    /// Width of the membership bar on a card's left edge, in world units.
    pub const MEMBERSHIP_BAR: f32 = 5.0;

    /// The membership bar: one band per area the concept belongs to, top to bottom, inside the
    /// card's left edge (clear of its rounded corners), each with its area's colour. The canvas
    /// and the SVG both draw these bands.
    pub fn membership_bands(&self) -> Vec<(Rect, Color32)> {
        let count = self.area_colors.len();
        if count == 0 {
            return Vec::new();
        }
        let (top, bottom) = (self.rect.top() + 2.0, self.rect.bottom() - 2.0);
        let (left, right) = (self.rect.left() + 0.5, self.rect.left() + 0.5 + Self::MEMBERSHIP_BAR);
        let band = (bottom - top) / count as f32;
        self.area_colors
            .iter()
            .enumerate()
            .map(|(i, color)| {
                let y = top + band * i as f32;
                (Rect::from_min_max(pos2(left, y), pos2(right, y + band)), *color)
            })
            .collect()
    }
    /// The card with its badge: everything drawn for the concept.
    pub fn extent(&self) -> Rect {
        match self.badge {
            Some((center, _)) => {
                self.rect.union(Rect::from_center_size(center, Vec2::splat(2.0 * self.badge_radius + 2.0)))
            }
            None => self.rect,
        }
    }
}

impl Scene {
    /// Rebuilds the spatial index after shapes were added, moved or removed by hand.
    pub fn reindex(&mut self) {
        self.index = SceneIndex::build(&self.nodes, &self.edges, self.bounds);
    }

    /// Indexes (into [`Scene::nodes`]) of the concepts whose card or badge intersects `rect`,
    /// in drawing order.
    pub fn node_indices_in(&self, rect: Rect, out: &mut Vec<usize>) {
        out.clear();
        let count = self.nodes.len();
        // Guarded like the edges: `nodes` is public and could have shrunk since indexing.
        self.index.nodes.for_each_intersecting(rect, |i, _| {
            if i < count {
                out.push(i);
            }
        });
        out.sort_unstable();
    }

    /// Indexes (into [`Scene::edges`]) of the relationships that may be drawn inside `rect`
    /// (a few more, never fewer), in drawing order.
    pub fn edge_indices_near(&self, rect: Rect, out: &mut Vec<usize>) {
        self.index.edges.near(rect, out);
        out.retain(|&i| i < self.edges.len());
    }

    /// The topmost item at `pos`, if any: a concept card, then an edge label or line (within
    /// `tolerance`), then an area name, then the smallest area region containing it.
    pub fn hit(&self, pos: Pos2, tolerance: f32) -> Option<ItemRef> {
        let probe = Rect::from_center_size(pos, Vec2::splat(2.0 * tolerance.max(2.0) + 2.0));
        let mut near = Vec::new();
        self.node_indices_in(probe, &mut near);
        if let Some(node) = near.iter().rev().map(|&i| &self.nodes[i]).find(|n| n.rect.expand(2.0).contains(pos)) {
            return Some(ItemRef::Concept(node.id));
        }
        self.edge_indices_near(probe, &mut near);
        let edges = || near.iter().map(|&i| &self.edges[i]);
        if let Some(edge) = edges().rev().find(|e| e.label.as_ref().is_some_and(|l| l.rect.contains(pos))) {
            return Some(ItemRef::Relationship(edge.id));
        }
        let nearest_edge = edges()
            .map(|e| (geometry::distance_to_polyline(&e.points, pos) - e.width / 2.0, e.id))
            .filter(|(d, _)| *d <= tolerance)
            .min_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((_, id)) = nearest_edge {
            return Some(ItemRef::Relationship(id));
        }
        if let Some(area) = self.areas.iter().find(|a| a.label.rect.contains(pos)) {
            return Some(ItemRef::Area(area.id));
        }
        self.areas
            .iter()
            .filter(|a| convex_contains(&a.outline, pos))
            .min_by(|a, b| polygon_area(&a.outline).total_cmp(&polygon_area(&b.outline)))
            .map(|a| ItemRef::Area(a.id))
    }

    /// Concepts whose card intersects `rect`.
    pub fn nodes_in(&self, rect: Rect) -> impl Iterator<Item = ConceptId> + '_ {
        let mut found = Vec::new();
        self.node_indices_in(rect, &mut found);
        found.into_iter().map(|i| &self.nodes[i]).filter(move |n| n.rect.intersects(rect)).map(|n| n.id)
    }

    /// The card of a concept.
    pub fn node(&self, id: ConceptId) -> Option<&NodeShape> {
        // Cards follow the document's order, which is by id.
        match self.nodes.binary_search_by_key(&id, |n| n.id) {
            Ok(i) => Some(&self.nodes[i]),
            Err(_) => self.nodes.iter().find(|n| n.id == id),
        }
    }

    /// The drawn relationship `id`, if it is drawn. Edges follow the document's order, which is
    /// by id.
    pub fn edge(&self, id: crate::model::RelationshipId) -> Option<&EdgeShape> {
        self.edges.binary_search_by_key(&id, |e| e.id).ok().map(|i| &self.edges[i])
    }
}

impl Default for Scene {
    fn default() -> Self {
        let bounds = Rect::from_center_size(Pos2::ZERO, vec2(400.0, 300.0));
        Self {
            areas: Vec::new(),
            edges: Vec::new(),
            nodes: Vec::new(),
            bounds,
            index: SceneIndex::build(&[], &[], bounds),
        }
    }
}

fn polygon_area(points: &[Pos2]) -> f32 {
    let n = points.len();
    (0..n)
        .map(|i| {
            let (p, q) = (points[i], points[(i + 1) % n]);
            p.x * q.y - q.x * p.y
        })
        .sum::<f32>()
        .abs()
        / 2.0
}

/// Greedy wrap at `max_width` where the Unicode line-breaking rules allow ([`text::wrap`]); a
/// word wider than the line stays whole on its own line.
pub fn wrap_text(text: &str, font_size: f32, max_width: f32, measure: &dyn TextMeasure) -> Vec<String> {
    text::wrap(text, font_size, max_width, measure).into_iter().map(|l| l.text).collect()
}

fn text_block(
    text: &str,
    font_size: f32,
    max_width: f32,
    color: Color32,
    center: Pos2,
    measure: &dyn TextMeasure,
) -> TextBlock {
    let wrapped = text::wrap(text, font_size, max_width, measure);
    let rtl = if wrapped.iter().any(|l| l.rtl) { wrapped.iter().map(|l| l.rtl).collect() } else { Vec::new() };
    let lines: Vec<String> = wrapped.into_iter().map(|l| l.text).collect();
    let width = lines.iter().map(|l| measure.line_width(l, font_size)).fold(0.0, f32::max);
    let line_height = measure.line_height(font_size);
    let size = vec2(width, line_height * lines.len() as f32);
    TextBlock { lines, rtl, font_size, line_height, color, rect: Rect::from_center_size(center, size) }
}

/// Line width for a relationship with `support` evidence items.
pub fn edge_width(support: usize) -> f32 {
    1.3 + 1.5 * (support as f32).ln_1p()
}

/// What, besides the document, decides the drawing.
#[derive(Clone, Debug, PartialEq)]
pub struct SceneOptions {
    /// Colours.
    pub theme: MapTheme,
    /// What support counts.
    pub support: SupportMode,
    /// Which evidence counts; items with no support under an active filter fade.
    pub filter: EvidenceFilter,
    /// Only these items are drawn (a story step); `None` draws everything.
    pub visible: Option<std::collections::BTreeSet<ItemRef>>,
    /// Size of the map's text (concept, area and relationship labels) relative to the usual
    /// sizes in [`metrics`]; cards and wrap widths grow with it. 1 is the usual size.
    pub text_scale: f32,
    /// How much larger than `text_scale` makes them the small texts are drawn: evidence badges
    /// and relationship labels. A figure at a journal's column width enlarges them (they are
    /// the smallest text, and grow without moving any card) before it enlarges the cards. 1 on
    /// screen.
    pub detail_scale: f32,
    /// A measure drawn on the cards (bridging concepts in the Explore window), if one is shown.
    pub emphasis: Option<std::sync::Arc<Emphasis>>,
    /// A focus (the Explore window's): items not in it are drawn faded, as on screen.
    pub focus: Option<std::collections::BTreeSet<ItemRef>>,
    /// A figure that colours items (the Agreement window's intercoder agreement), if shown.
    pub tint: Option<std::sync::Arc<Tint>>,
}

/// A measure of each concept drawn on the map: the concept's outline in the theme's highlight
/// colour, as wide as its share of the largest value. Screen and exports draw it alike, and the
/// key explains it.
#[derive(Clone, Debug, PartialEq)]
pub struct Emphasis {
    /// What the width shows, for the key ("betweenness (bridging)").
    pub name: String,
    /// Each concept's value, 0 to 1 (concepts left out are drawn as usual).
    pub values: HashMap<ConceptId, f32>,
}

impl Emphasis {
    /// The outline width of a concept with `value` (0–1): from 1.5 to 6.
    pub fn width(value: f32) -> f32 {
        1.5 + 4.5 * value.clamp(0.0, 1.0)
    }
}

/// A figure of each item between 0 (low) and 1 (high) drawn as colour: a concept's card is
/// tinted and outlined, a relationship's line and an area's outline drawn, in a colour from red
/// through yellow to green. Items left out are drawn as usual. Screen and exports draw it alike,
/// and the key explains it.
#[derive(Clone, Debug, PartialEq)]
pub struct Tint {
    /// What the colour shows, for the key ("agreement (Cohen's κ)").
    pub name: String,
    /// Each item's value, 0 to 1.
    pub values: HashMap<ItemRef, f32>,
    /// Which colours: good to bad (agreement), or little to much (a structure measure).
    pub scale: TintScale,
}

/// The colours of a [`Tint`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TintScale {
    /// Low is a warning, high is good: red through yellow to green (intercoder agreement).
    #[default]
    LowIsBad,
    /// Only more or less: pale to deep blue (how much a concept bridges), so that no value
    /// reads as good or bad.
    Amount,
}

impl TintScale {
    /// The colours at 0, ½ and 1.
    /// - `LowIsBad`: ColorBrewer's red–yellow–green (RdYlGn) ends and middle, whose lightness
    ///   also rises from red to yellow, so the low end stands out in grey too.
    /// - `Amount`: ColorBrewer's sequential PuBu at its third, sixth and ninth classes; lightness
    ///   falls with the value, so it reads in grey and for every kind of colour blindness.
    pub const fn stops(self) -> [Rgb; 3] {
        match self {
            Self::LowIsBad => [Rgb::new(0xd7, 0x30, 0x27), Rgb::new(0xfe, 0xe0, 0x8b), Rgb::new(0x1a, 0x98, 0x50)],
            Self::Amount => [Rgb::new(0xd0, 0xd1, 0xe6), Rgb::new(0x36, 0x90, 0xc0), Rgb::new(0x02, 0x38, 0x58)],
        }
    }
}

impl Tint {
    /// The red–yellow–green stops of [`TintScale::LowIsBad`].
    pub const STOPS: [Rgb; 3] = TintScale::LowIsBad.stops();

    /// The colour of `value` (0–1) on the red–yellow–green scale.
    pub fn color(value: f32) -> Rgb {
        Self::color_on(TintScale::LowIsBad, value)
    }

    /// The colour of `value` (0–1) on `scale`, between its stops.
    pub fn color_on(scale: TintScale, value: f32) -> Rgb {
        let stops = scale.stops();
        let v = if value.is_finite() { value.clamp(0.0, 1.0) } else { 0.0 };
        let (a, b, t) = if v < 0.5 { (stops[0], stops[1], v * 2.0) } else { (stops[1], stops[2], v * 2.0 - 1.0) };
        let mix = |x: u8, y: u8| (f32::from(x) + (f32::from(y) - f32::from(x)) * t).round() as u8;
        Rgb::new(mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b))
    }

    /// What the key says about the colours.
    pub fn key_text(&self) -> String {
        match self.scale {
            TintScale::LowIsBad => {
                format!("colour: {}, red 0 or below, yellow 0.5, green 1; uncoloured: no figure", self.name)
            }
            TintScale::Amount => format!("colour: {}, pale none to deep blue the most", self.name),
        }
    }

    /// This tint's colour for `value`.
    pub fn color_of(&self, value: f32) -> Rgb {
        Self::color_on(self.scale, value)
    }
}

impl SceneOptions {
    /// Options for a theme, counting all excerpts, with no filter.
    pub fn new(theme: ThemeKind) -> Self {
        Self {
            theme: MapTheme::new(theme),
            support: SupportMode::Excerpts,
            filter: EvidenceFilter::default(),
            visible: None,
            text_scale: 1.0,
            detail_scale: 1.0,
            emphasis: None,
            focus: None,
            tint: None,
        }
    }

    /// The text scale to build with: [`SceneOptions::text_scale`] kept between half and
    /// [`MAX_TEXT_SCALE`] times the usual size (1 for a value that is not a number).
    pub fn text_scale(&self) -> f32 {
        clamp_text_scale(self.text_scale)
    }

    /// The scale of badges and relationship labels: the text scale times
    /// [`SceneOptions::detail_scale`] (kept between 1 and [`MAX_TEXT_SCALE`]).
    pub fn detail_text_scale(&self) -> f32 {
        let detail = if self.detail_scale.is_finite() { self.detail_scale.clamp(1.0, MAX_TEXT_SCALE) } else { 1.0 };
        self.text_scale() * detail
    }
}

/// The largest text scale a scene is built with: a figure at one journal column enlarges the
/// map's text up to this much to keep it legible at its final size.
pub const MAX_TEXT_SCALE: f32 = 6.0;

/// `scale` kept between half and [`MAX_TEXT_SCALE`] (1 for a value that is not a number).
pub fn clamp_text_scale(scale: f32) -> f32 {
    if scale.is_finite() { scale.clamp(0.5, MAX_TEXT_SCALE) } else { 1.0 }
}

/// How much of its colour a faded item keeps (its marks too: the paper's diamond).
pub const FADE: f32 = 0.28;

/// Builds the scene for a document.
pub fn build_scene(doc: &Document, options: &SceneOptions, measure: &dyn TextMeasure) -> Scene {
    use metrics::*;
    let theme = &options.theme;
    let text_scale = options.text_scale();
    let detail_scale = options.detail_text_scale();
    let support = support_counts(doc, &options.filter, options.support);
    let filtering = options.filter.is_active();

    // Concept cards.
    let area_colors: HashMap<AreaId, Color32> = doc.areas.iter().map(|a| (a.id, theme.ink(a.color))).collect();
    let shown = |item: ItemRef| options.visible.as_ref().is_none_or(|v| v.contains(&item));
    let tint_of = |item: ItemRef| options.tint.as_ref().and_then(|t| t.values.get(&item).map(|v| t.color_of(*v)));
    let in_focus = |item: ItemRef| options.focus.as_ref().is_none_or(|f| f.contains(&item));
    let nodes: Vec<NodeShape> = doc
        .concepts
        .iter()
        .filter(|concept| shown(ItemRef::Concept(concept.id)))
        .map(|concept| {
            let center = pos2(concept.pos.x, concept.pos.y);
            let label = text_block(
                &concept.label,
                NODE_FONT * text_scale,
                NODE_TEXT_WIDTH * text_scale,
                theme.text,
                center,
                measure,
            );
            let size = vec2(
                (label.rect.width() + 2.0 * NODE_PAD.x * text_scale).max(NODE_MIN_WIDTH * text_scale),
                label.rect.height() + 2.0 * NODE_PAD.y * text_scale,
            );
            let rect = Rect::from_center_size(center, size);
            let count = support.get(&ItemRef::Concept(concept.id)).copied().unwrap_or(0);
            let from_paper = concept.provenance.kind == ProvenanceKind::Paper;
            let out_of_focus = !in_focus(ItemRef::Concept(concept.id));
            let faded = (filtering && count == 0) || out_of_focus;
            let fade = |c: Color32| if faded { c.gamma_multiply(FADE) } else { c };
            let emphasis =
                options.emphasis.as_ref().and_then(|e| e.values.get(&concept.id).copied()).filter(|v| *v > 0.0);
            let tinted = tint_of(ItemRef::Concept(concept.id));
            let mut label = label;
            label.color = fade(label.color);
            NodeShape {
                id: concept.id,
                rect,
                fill: fade(match tinted {
                    // The figure's colour replaces the concept's own (the key says what it means).
                    Some(c) => theme.node_tint(c),
                    None => concept.color.map_or(theme.node_fill, |c| theme.node_tint(c)),
                }),
                stroke: fade(match concept.color {
                    _ if emphasis.is_some() => theme.highlight,
                    _ if tinted.is_some() => tinted.map_or(theme.node_stroke, |c| theme.ink(c)),
                    _ if from_paper => theme.paper_stroke,
                    Some(c) if theme.kind == ThemeKind::Contrast => theme.ink(c),
                    _ => theme.node_stroke,
                }),
                stroke_width: match emphasis {
                    Some(value) => Emphasis::width(value),
                    None if tinted.is_some() => 2.0,
                    None if from_paper => 1.6,
                    None => 1.0,
                },
                label,
                area_colors: concept.areas.iter().filter_map(|a| area_colors.get(a).copied()).map(fade).collect(),
                badge: (count > 0 && !out_of_focus).then(|| (rect.right_top() + vec2(-2.0, 2.0), count)),
                badge_radius: BADGE_RADIUS * detail_scale,
                from_paper,
                pinned: concept.pinned,
                faded,
            }
        })
        .collect();
    let node_rects: HashMap<ConceptId, Rect> = nodes.iter().map(|n| (n.id, n.rect)).collect();

    // Area regions around their members (found in one pass over the concepts).
    let mut members: HashMap<AreaId, Vec<&crate::model::Concept>> = HashMap::new();
    for concept in &doc.concepts {
        for area in &concept.areas {
            members.entry(*area).or_default().push(concept);
        }
    }
    let members_of = |area: AreaId| members.get(&area).into_iter().flatten().copied();
    let mut areas: Vec<AreaShape> = doc
        .areas
        .iter()
        .filter(|area| shown(ItemRef::Area(area.id)))
        .filter_map(|area| {
            let corners: Vec<Pos2> = members_of(area.id)
                .filter_map(|c| node_rects.get(&c.id))
                .flat_map(|r| {
                    let r = r.expand(AREA_PAD);
                    [r.left_top(), r.right_top(), r.right_bottom(), r.left_bottom()]
                })
                .collect();
            if corners.is_empty() {
                return None;
            }
            let outline = rounded_outline(&convex_hull(&corners), AREA_ROUNDING, 0.2);
            let own: Vec<Pos2> = members_of(area.id)
                .filter(|c| c.areas.len() == 1)
                .filter_map(|c| node_rects.get(&c.id).map(|r| r.center()))
                .collect();
            let own_center = if own.is_empty() {
                centroid(&outline)
            } else {
                (own.iter().fold(Vec2::ZERO, |acc, p| acc + p.to_vec2()) / own.len() as f32).to_pos2()
            };
            let focus_fade = |c: Color32| if in_focus(ItemRef::Area(area.id)) { c } else { c.gamma_multiply(FADE) };
            Some(AreaShape {
                own_center,
                id: area.id,
                fill: focus_fade(theme.area_fill(area.color)),
                // A figure's colour takes the outline; the fill keeps the area's own colour.
                stroke: focus_fade(theme.ink(tint_of(ItemRef::Area(area.id)).unwrap_or(area.color))),
                label: text_block(
                    &area.label,
                    AREA_FONT * text_scale,
                    AREA_TEXT_WIDTH * text_scale,
                    focus_fade(theme.area_text(area.color)),
                    Pos2::ZERO,
                    measure,
                ),
                outline,
                from_paper: area.provenance.kind == ProvenanceKind::Paper,
            })
        })
        .collect();
    let card_bounds = nodes.iter().fold(Rect::NOTHING, |b, n| b.union(n.rect)).expand(400.0);
    let mut obstacles = index::RectIndex::new(card_bounds, nodes.len() * 2 + doc.relationships.len());
    for node in &nodes {
        obstacles.insert(node.rect.expand(3.0));
    }
    place_area_labels(&mut areas, &nodes, card_bounds);

    // Relationships.
    let area_shapes: HashMap<AreaId, &AreaShape> = areas.iter().map(|a| (a.id, a)).collect();
    for node in &nodes {
        if let Some((center, _)) = node.badge {
            obstacles.insert(Rect::from_center_size(center, Vec2::splat(2.0 * node.badge_radius + 2.0)));
        }
    }
    for area in &areas {
        obstacles.insert(area.label.rect.expand(3.0));
    }
    let mut edges = Vec::with_capacity(doc.relationships.len());
    let mut edge_texts: HashMap<&str, TextBlock> = HashMap::new();
    for rel in doc.relationships.iter().filter(|r| shown(ItemRef::Relationship(r.id))) {
        let ends = (end_geometry(rel.from, &node_rects, &area_shapes), end_geometry(rel.to, &node_rects, &area_shapes));
        let (Some(from), Some(to)) = ends else {
            continue;
        };
        let Some(mut points) = edge_path(&from, &to, rel.bend) else {
            continue;
        };
        let count = support.get(&ItemRef::Relationship(rel.id)).copied().unwrap_or(0);
        let width = edge_width(count);
        let direction = doc.direction_of(rel);
        let rel_type = doc.relationship_type(rel.type_id);
        let faded = (filtering && count == 0) || !in_focus(ItemRef::Relationship(rel.id));
        let color = match tint_of(ItemRef::Relationship(rel.id)) {
            Some(c) => theme.ink(c),
            None => rel_type.map_or(theme.muted_text, |t| theme.ink(t.color)),
        };
        let color = if faded { color.gamma_multiply(FADE) } else { color };
        let type_line = rel_type.map_or(LineStyle::Solid, |t| t.line);
        let arrow_len = 9.0 + 2.0 * width;
        let arrow_half = 4.5 + 1.2 * width;
        let mut arrowheads = Vec::new();
        if matches!(direction, Direction::OneWay | Direction::Bidirectional) {
            arrowheads.push(arrowhead(&points, arrow_len, arrow_half));
            trim_end(&mut points, arrow_len * 0.8);
        }
        if direction == Direction::Bidirectional {
            points.reverse();
            arrowheads.push(arrowhead(&points, arrow_len, arrow_half));
            trim_end(&mut points, arrow_len * 0.8);
            points.reverse();
        }
        let text = doc.relationship_label(rel);
        let label = (!text.is_empty()).then(|| {
            let text_color = if faded { theme.muted_text.gamma_multiply(FADE) } else { theme.muted_text };
            // Many relationships share a type's label: measure each text once.
            let mut block = edge_texts
                .entry(text)
                .or_insert_with(|| {
                    text_block(text, EDGE_FONT * detail_scale, 160.0 * detail_scale, text_color, Pos2::ZERO, measure)
                })
                .clone();
            block.color = text_color;
            place_edge_label(block, &points, &mut obstacles)
        });
        edges.push(EdgeShape {
            id: rel.id,
            points,
            width,
            color,
            line: if count == 0 { LineStyle::Dashed } else { type_line },
            arrowheads,
            label,
            support: count,
            from_paper: rel.provenance.kind == ProvenanceKind::Paper,
            faded,
        });
    }

    let mut bounds = Rect::NOTHING;
    for area in &areas {
        for p in &area.outline {
            bounds.extend_with(*p);
        }
        bounds = bounds.union(area.label.rect);
    }
    for edge in &edges {
        for p in edge.points.iter().chain(edge.arrowheads.iter().flatten()) {
            bounds.extend_with(*p);
        }
        if let Some(label) = &edge.label {
            bounds = bounds.union(label.rect.expand(4.0));
        }
    }
    for node in &nodes {
        bounds = bounds.union(node.rect);
        if let Some((center, _)) = node.badge {
            bounds = bounds.union(Rect::from_center_size(center, Vec2::splat(2.0 * node.badge_radius)));
        }
    }
    if !bounds.is_positive() {
        bounds = Rect::from_center_size(Pos2::ZERO, vec2(400.0, 300.0));
    }
    let index = SceneIndex::build(&nodes, &edges, bounds);
    Scene { areas, edges, nodes, bounds, index }
}

/// Puts each area's name just outside its outline, on the side facing away from the middle of
/// the map, so names never sit on top of concepts.
fn place_area_labels(areas: &mut [AreaShape], nodes: &[NodeShape], bounds: Rect) {
    let centroids: Vec<Pos2> = areas.iter().map(|a| centroid(&a.outline)).collect();
    let middle = if centroids.is_empty() {
        Pos2::ZERO
    } else {
        (centroids.iter().fold(Vec2::ZERO, |acc, c| acc + c.to_vec2()) / centroids.len() as f32).to_pos2()
    };
    let mut taken = index::RectIndex::from_rects(bounds, nodes.iter().map(|n| n.rect.expand(4.0)));
    for (area, own) in areas.iter_mut().zip(&centroids) {
        // Away from the middle of the map, leaning upwards so that names sit above the regions
        // like a figure's headings, and the space below stays free.
        let away = *own - middle;
        let mut preferred = vec2(away.x, away.y.min(0.0) - 0.8 * away.x.abs());
        if preferred.length() < 1.0 {
            preferred = vec2(0.0, -1.0);
        }
        // If that spot is covered by a card or another name, try other sides.
        let candidates = [
            preferred.normalized(),
            vec2(0.0, -1.0),
            vec2(-0.7, -0.7),
            vec2(0.7, -0.7),
            vec2(-1.0, 0.0),
            vec2(1.0, 0.0),
            vec2(0.0, 1.0),
        ];
        let size = area.label.rect.size();
        let place = |dir: Vec2| {
            let support = area
                .outline
                .iter()
                .copied()
                .max_by(|a, b| a.to_vec2().dot(dir).total_cmp(&b.to_vec2().dot(dir)))
                .unwrap_or(*own);
            let reach = dir.x.abs() * size.x / 2.0 + dir.y.abs() * size.y / 2.0;
            // Step out from the outline's extreme point along `dir`, on the line through the
            // area's centre.
            let along = (support - *own).dot(dir) + reach + 10.0;
            Rect::from_center_size(*own + dir * along, size)
        };
        let rect = candidates
            .iter()
            .map(|dir| place(*dir))
            .find(|rect| {
                let mut free = true;
                taken.for_each_intersecting(*rect, |_, _| free = false);
                free
            })
            .unwrap_or_else(|| place(candidates[0]));
        taken.insert(rect.expand(4.0));
        area.label.rect = rect;
    }
}

/// What an edge attaches to.
enum EndShape {
    /// A concept card.
    Card(Rect),
    /// An area: its outline and its name's box.
    Region { outline: Vec<Pos2>, label: Rect, own_center: Pos2 },
}

fn end_geometry(
    end: Endpoint,
    nodes: &HashMap<ConceptId, Rect>,
    areas: &HashMap<AreaId, &AreaShape>,
) -> Option<EndShape> {
    match end {
        Endpoint::Concept(id) => nodes.get(&id).map(|r| EndShape::Card(r.expand(2.0))),
        Endpoint::Area(id) => areas.get(&id).map(|a| EndShape::Region {
            outline: a.outline.clone(),
            label: a.label.rect.expand(4.0),
            own_center: a.own_center,
        }),
    }
}

/// The path of an edge. Between two areas it joins their names (the areas as wholes); between a
/// concept and an area it heads for the area's centre and stops where it meets the outline;
/// between concepts it joins the cards' borders. A non-zero `bend` makes it a curve.
fn edge_path(from: &EndShape, to: &EndShape, bend: f32) -> Option<Vec<Pos2>> {
    use EndShape::{Card, Region};
    // Anchors: a card's centre; an area's name when both ends are areas, else its centroid.
    let anchor = |end: &EndShape, other: &EndShape| -> Pos2 {
        match (end, other) {
            (Card(r), _) => r.center(),
            (Region { label, .. }, Region { .. }) => label.center(),
            (Region { own_center, .. }, Card(_)) => *own_center,
        }
    };
    let a = anchor(from, to);
    let b = anchor(to, from);
    let length = a.distance(b);
    if length < 1.0 {
        return None;
    }
    let dir = (b - a) / length;
    let control = a + (b - a) / 2.0 + vec2(dir.y, -dir.x) * bend * length;
    // Where the path meets an end, coming from `approach` (the other end, or the control point).
    let clip = |end: &EndShape, anchor: Pos2, approach: Pos2| -> Pos2 {
        match end {
            Card(r) => exit_rect(*r, approach),
            Region { label, .. } if label.contains(anchor) => exit_rect(*label, approach),
            Region { outline, .. } => {
                if convex_contains(outline, approach) {
                    exit_polygon(outline, anchor, approach)
                } else {
                    enter_polygon(outline, approach, anchor).unwrap_or(anchor)
                }
            }
        }
    };
    let (start, end) =
        if bend == 0.0 { (clip(from, a, b), clip(to, b, a)) } else { (clip(from, a, control), clip(to, b, control)) };
    if bend == 0.0 { Some(vec![start, end]) } else { Some(quadratic(start, control, end, 32)) }
}

fn arrowhead(points: &[Pos2], length: f32, half_width: f32) -> [Pos2; 3] {
    let tip = points.last().copied().unwrap_or(Pos2::ZERO);
    // Direction from a point one arrow length back, so curves get a head that follows them.
    let mut back = tip;
    for p in points.iter().rev() {
        back = *p;
        if p.distance(tip) >= length {
            break;
        }
    }
    let dir = (tip - back).normalized();
    let dir = if dir.x.is_finite() && dir.length() > 0.5 { dir } else { Vec2::X };
    let base = tip - dir * length;
    let side = vec2(-dir.y, dir.x) * half_width;
    [tip, base + side, base - side]
}

/// Places an edge label on the edge where it covers no card, area name or other label, trying
/// the middle first; marks the chosen box as taken.
fn place_edge_label(mut block: TextBlock, points: &[Pos2], taken: &mut index::RectIndex) -> TextBlock {
    let size = block.rect.size() + vec2(8.0, 4.0);
    let candidates = [0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82];
    let overlap = |rect: Rect| -> f32 {
        let mut covered = 0.0;
        taken.for_each_intersecting(rect, |_, t| {
            let i = t.intersect(rect);
            if i.is_positive() {
                covered += i.area();
            }
        });
        covered
    };
    let mut best = (f32::INFINITY, Rect::from_center_size(point_along(points, 0.5).0, size));
    for t in candidates {
        let rect = Rect::from_center_size(point_along(points, t).0, size);
        let cost = overlap(rect);
        if cost < best.0 {
            best = (cost, rect);
        }
        if cost == 0.0 {
            break;
        }
    }
    taken.insert(best.1);
    block.rect = Rect::from_center_size(best.1.center(), block.rect.size());
    block
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::example;

    fn example_scene() -> Scene {
        build_scene(&example::document(), &SceneOptions::new(ThemeKind::Light), &ApproxMeasure)
    }

    #[test]
    fn an_emphasis_widens_and_colours_the_outlines_it_names() {
        let doc = example::document();
        let (strong, weak, plain) = (doc.concepts[0].id, doc.concepts[1].id, doc.concepts[2].id);
        let values = HashMap::from([(strong, 1.0), (weak, 0.25)]);
        let emphasis = std::sync::Arc::new(Emphasis { name: "betweenness".to_owned(), values });
        let options = SceneOptions { emphasis: Some(emphasis), ..SceneOptions::new(ThemeKind::Light) };
        let scene = build_scene(&doc, &options, &ApproxMeasure);
        let usual = example_scene();
        let node = |scene: &Scene, id| scene.node(id).cloned().unwrap();
        assert_eq!(node(&scene, strong).stroke_width, 6.0);
        assert!(node(&scene, weak).stroke_width > node(&usual, weak).stroke_width);
        assert!(node(&scene, weak).stroke_width < 6.0);
        assert_eq!(node(&scene, strong).stroke, options.theme.highlight);
        assert_eq!(node(&scene, plain).stroke_width, node(&usual, plain).stroke_width);
        assert_eq!(node(&scene, plain).stroke, node(&usual, plain).stroke);
    }

    #[test]
    fn every_item_of_the_example_is_drawn() {
        let doc = example::document();
        let scene = example_scene();
        assert_eq!(scene.nodes.len(), doc.concepts.len());
        assert_eq!(scene.areas.len(), doc.areas.len());
        assert_eq!(scene.edges.len(), doc.relationships.len());
    }

    #[test]
    fn concept_labels_do_not_overlap_each_other_or_area_names() {
        let scene = example_scene();
        let mut boxes: Vec<(String, Rect)> = scene.nodes.iter().map(|n| (n.label.lines.join(" "), n.rect)).collect();
        boxes.extend(scene.areas.iter().map(|a| (a.label.lines.join(" "), a.label.rect)));
        for (i, (a, ra)) in boxes.iter().enumerate() {
            for (b, rb) in boxes.iter().skip(i + 1) {
                assert!(!ra.intersects(*rb), "{a:?} overlaps {b:?}");
            }
        }
    }

    #[test]
    fn overlap_concepts_sit_inside_each_of_their_areas_and_no_other() {
        let doc = example::document();
        let scene = example_scene();
        for node in &scene.nodes {
            let concept = doc.concept(node.id).unwrap();
            for area in &scene.areas {
                let inside = convex_contains(&area.outline, node.rect.center());
                assert_eq!(inside, concept.areas.contains(&area.id), "{} vs area {}", concept.label, area.id);
            }
        }
    }

    #[test]
    fn bounds_hold_every_label() {
        let scene = example_scene();
        for node in &scene.nodes {
            assert!(scene.bounds.contains_rect(node.rect));
        }
        for area in &scene.areas {
            assert!(scene.bounds.contains_rect(area.label.rect));
        }
        for edge in &scene.edges {
            if let Some(label) = &edge.label {
                assert!(scene.bounds.contains_rect(label.rect));
            }
        }
    }

    #[test]
    fn hit_testing_finds_cards_edges_and_areas() {
        let doc = example::document();
        let scene = example_scene();
        let node = &scene.nodes[3];
        assert_eq!(scene.hit(node.rect.center(), 4.0), Some(ItemRef::Concept(node.id)));
        let edge = &scene.edges[0];
        let (mid, _) = point_along(&edge.points, 0.1);
        assert_eq!(scene.hit(mid, 4.0), Some(ItemRef::Relationship(edge.id)));
        let area = &scene.areas[0];
        assert_eq!(scene.hit(area.label.rect.center(), 4.0), Some(ItemRef::Area(area.id)));
        assert!(scene.hit(scene.bounds.left_top() - vec2(50.0, 50.0), 4.0).is_none());
        assert_eq!(doc.areas[0].id, area.id);
        // Every relationship and concept is found by id.
        assert!(doc.relationships.iter().all(|r| scene.edge(r.id).is_some_and(|e| e.id == r.id)));
        assert!(doc.concepts.iter().all(|c| scene.node(c.id).is_some_and(|n| n.id == c.id)));
    }

    #[test]
    fn unsupported_relationships_are_dashed() {
        let doc = example::document();
        let scene = example_scene();
        let supports = support_counts(&doc, &EvidenceFilter::default(), SupportMode::Excerpts);
        for edge in &scene.edges {
            let count = supports.get(&ItemRef::Relationship(edge.id)).copied().unwrap_or(0);
            assert_eq!(edge.support, count);
            assert_eq!(edge.line == LineStyle::Dashed, count == 0);
        }
        assert!(scene.edges.iter().any(|e| e.support == 0), "the example shows one unsupported link");
    }

    #[test]
    fn a_filter_fades_unsupported_items_and_support_mode_changes_widths() {
        let doc = example::document();
        let mut options = SceneOptions::new(ThemeKind::Light);
        let plain = build_scene(&doc, &options, &ApproxMeasure);
        assert!(plain.nodes.iter().all(|n| !n.faded));
        options.filter.attributes.entry("role".to_owned()).or_default().insert("mentor".to_owned());
        let mentors = build_scene(&doc, &options, &ApproxMeasure);
        let faded: Vec<_> = mentors.nodes.iter().filter(|n| n.faded).collect();
        assert!(!faded.is_empty() && faded.len() < mentors.nodes.len());
        assert!(faded.iter().all(|n| n.badge.is_none()));
        options.filter = EvidenceFilter::default();
        options.support = SupportMode::Participants;
        let participants = build_scene(&doc, &options, &ApproxMeasure);
        let widths = |s: &Scene| s.edges.iter().map(|e| e.width).sum::<f32>();
        assert!(widths(&participants) < widths(&plain));
    }

    #[test]
    fn wrapping_keeps_every_word() {
        let lines = wrap_text("Relationships with colleagues and networking", 14.0, 150.0, &ApproxMeasure);
        assert!(lines.len() > 1);
        assert_eq!(lines.join(" "), "Relationships with colleagues and networking");
    }
}
