//! Drawing a scene through a camera, with less detail as the map gets smaller on screen.

use std::collections::BTreeSet;

use egui::{Align2, Color32, CornerRadius, FontId, Pos2, Rect, Shape, Stroke, StrokeKind, Vec2, pos2, vec2};

use super::{Camera, DragPreview};
use crate::model::{ConceptId, ItemRef, LineStyle, RelationshipId};
use crate::scene::{MapTheme, Scene, TextBlock, geometry, metrics};

/// What stands out when a scene is drawn, and which items are drawn at all.
#[derive(Clone, Copy)]
pub struct Marks<'a> {
    /// Selected items.
    pub selection: &'a BTreeSet<ItemRef>,
    /// Highlighted items (search hits, evidence rows, story steps).
    pub highlight: &'a BTreeSet<ItemRef>,
    /// Draw only the items this accepts (`None`: all).
    pub only: Option<&'a dyn Fn(ItemRef) -> bool>,
    /// Concepts drawn moved although the scene has them where they were.
    pub drag: Option<&'a DragPreview>,
    /// Whether to mark pinned concepts (editing, not presenting).
    pub pins: bool,
}

/// Below this on-screen font size, text is not drawn (it could not be read anyway).
pub(crate) const MIN_LEGIBLE_FONT: f32 = 3.5;

/// Below this height on screen (points), concept cards are drawn as plain blocks in one mesh:
/// no text, outline or badge would be legible anyway.
pub(in crate::app) const BLOCK_CARD_HEIGHT: f32 = 9.0;

/// Below this width on screen (points), relationship lines are drawn in one batched mesh of thin
/// quads instead of one anti-aliased path each.
pub(in crate::app) const THIN_EDGE_WIDTH: f32 = 1.2;
/// ... unless its arrowhead would still be at least this long on screen: arrowheads and labels
/// stay while they can be seen (at 1024 × 640 the example's thin edges lost both).
pub(in crate::app) const MIN_ARROW_LENGTH: f32 = 4.0;
/// Smallest radius of a support badge on a card drawn in full, in points.
pub(in crate::app) const MIN_BADGE_RADIUS: f32 = 5.0;
/// Smallest on-screen size of an edge label that is drawn at all.
pub(in crate::app) const MIN_EDGE_LABEL: f32 = 7.0;

/// The part of the world a canvas shows, with a margin for strokes and badges.
pub fn visible_world(camera: &Camera, canvas: Rect) -> Rect {
    Rect::from_two_pos(camera.world_from_screen(canvas, canvas.min), camera.world_from_screen(canvas, canvas.max))
        .expand(40.0 / camera.zoom.max(1e-6))
}

/// Draws a scene through a camera: only what is in view (found with the scene's spatial index),
/// and with less detail when zoomed out — cards as blocks, hairline edges batched in one mesh,
/// labels only when legible.
pub fn paint_scene(
    painter: &egui::Painter,
    scene: &Scene,
    theme: &MapTheme,
    camera: &Camera,
    canvas: Rect,
    marks: &Marks<'_>,
) {
    let pass = Pass { painter, scene, theme, camera, canvas, marks, world: visible_world(camera, canvas) };
    pass.areas();
    let mut in_view = Vec::new();
    scene.edge_indices_near(pass.world, &mut in_view);
    pass.edge_lines(&in_view);
    pass.edge_heads_and_labels(&in_view);
    scene.node_indices_in(pass.world, &mut in_view);
    pass.cards(&in_view);
}

/// One drawing of a scene: what every layer of it needs.
struct Pass<'a> {
    painter: &'a egui::Painter,
    scene: &'a Scene,
    theme: &'a MapTheme,
    camera: &'a Camera,
    canvas: Rect,
    marks: &'a Marks<'a>,
    /// The part of the world in view.
    world: Rect,
}

impl Pass<'_> {
    /// Whether `item` is drawn (a step or a fade may draw only some items).
    fn wanted(&self, item: ItemRef) -> bool {
        self.marks.only.is_none_or(|f| f(item))
    }

    fn to_screen(&self, p: Pos2) -> Pos2 {
        self.camera.screen_from_world(self.canvas, p)
    }

    /// Whether this relationship is being moved with a dragged card (drawn straight, apart).
    fn dragged_edge(&self, id: RelationshipId) -> bool {
        self.marks.drag.is_some_and(|d| d.edges.contains_key(&id))
    }

    /// Far out: a hairline of the edge's colour, in one mesh, without arrowheads or label.
    fn far_out(&self, edge: &crate::scene::EdgeShape) -> bool {
        let zoom = self.camera.zoom;
        (edge.width * zoom).max(0.8) < THIN_EDGE_WIDTH && zoom * (9.0 + 2.0 * edge.width) < MIN_ARROW_LENGTH
    }

    /// Area outlines, then their names.
    fn areas(&self) {
        let Pass { painter, scene, theme, camera, canvas, world, .. } = *self;
        let selection = self.marks.selection;
        let zoom = camera.zoom;
        let wanted = |item| self.wanted(item);
        let to_screen = |p| self.to_screen(p);
        for area in &scene.areas {
            if !wanted(ItemRef::Area(area.id)) || !area.bounds().intersects(world) {
                continue;
            }
            let outline: Vec<Pos2> = area.outline.iter().map(|p| to_screen(*p)).collect();
            let selected = selection.contains(&ItemRef::Area(area.id));
            if !selected && self.marks.highlight.contains(&ItemRef::Area(area.id)) {
                // A highlighted area (a path that ends at it) glows as cards and lines do.
                let mut ring = outline.clone();
                ring.extend(outline.first().copied());
                painter.add(Shape::line(
                    ring,
                    Stroke::new(
                        metrics::HIGHLIGHT_AREA_WIDTH,
                        theme.highlight.gamma_multiply(metrics::HIGHLIGHT_ALPHA),
                    ),
                ));
            }
            let stroke = if selected {
                Stroke::new(3.0, theme.selection)
            } else {
                Stroke::new((1.6 * zoom).clamp(0.8, 3.0), area.stroke)
            };
            painter.add(Shape::convex_polygon(outline, area.fill, stroke));
        }
        for area in &scene.areas {
            if !wanted(ItemRef::Area(area.id)) || !area.label.rect.intersects(world) {
                continue;
            }
            let selected = selection.contains(&ItemRef::Area(area.id));
            paint_text(painter, &area.label, camera, canvas, if selected { Some(theme.selection) } else { None });
        }
    }

    /// Relationship lines (those far out as hairlines), under everything else, and a dragged
    /// card's relationships.
    fn edge_lines(&self, in_view: &[usize]) {
        let Pass { painter, scene, theme, camera, canvas, .. } = *self;
        let Marks { selection, highlight, drag, .. } = *self.marks;
        let (glow, zoom) = (theme.highlight, camera.zoom);
        let wanted = |item| self.wanted(item);
        let to_screen = |p| self.to_screen(p);
        let visible = canvas.expand(40.0);
        let mut hairlines = egui::Mesh::default();
        let patterns = line_patterns(painter.ctx());
        let mut dashes = egui::Mesh::with_texture(patterns.dash.id());
        let mut dots = egui::Mesh::with_texture(patterns.dot.id());
        for edge in in_view.iter().map(|&i| &scene.edges[i]) {
            if !wanted(ItemRef::Relationship(edge.id)) || self.dragged_edge(edge.id) {
                continue;
            }
            let selected = selection.contains(&ItemRef::Relationship(edge.id));
            let highlighted = highlight.contains(&ItemRef::Relationship(edge.id));
            let width = (edge.width * zoom).max(0.8);
            if self.far_out(edge) && !selected && !highlighted {
                // Far out: a hairline of the edge's colour, dashes and arrowheads too small to see.
                let alpha = if edge.line == LineStyle::Solid { 1.0 } else { 0.55 };
                let color = edge.color.gamma_multiply(alpha);
                for pair in edge.points.windows(2) {
                    add_hairline(&mut hairlines, to_screen(pair[0]), to_screen(pair[1]), color);
                }
                continue;
            }
            let points: Vec<Pos2> = edge.points.iter().map(|p| to_screen(*p)).collect();
            // Only the parts in view are stroked: a line across a map zoomed in would otherwise be
            // cut into thousands of dashes off screen.
            for (along, piece) in geometry::clip_polyline(&points, visible) {
                if selected {
                    painter.add(Shape::line(
                        piece.clone(),
                        Stroke::new(width + 5.0, theme.selection.gamma_multiply(0.45)),
                    ));
                } else if highlighted {
                    painter.add(Shape::line(
                        piece.clone(),
                        Stroke::new(
                            width + metrics::HIGHLIGHT_EDGE_GROW,
                            glow.gamma_multiply(metrics::HIGHLIGHT_ALPHA),
                        ),
                    ));
                }
                let stroke = Stroke::new(width, edge.color);
                match edge.line {
                    LineStyle::Solid => {
                        painter.add(Shape::line(piece, stroke));
                    }
                    // Dashes and dots are one textured quad per segment, in one mesh for all
                    // edges: a long dashed line in view would otherwise be hundreds of pieces.
                    LineStyle::Dashed => {
                        // Never finer than a few points, so a zoomed-out dashed line stays a
                        // readable pattern.
                        let period = (8.0 * zoom).max(5.0) + (5.0 * zoom).max(3.5);
                        add_patterned(&mut dashes, &piece, along, period, (2.0 * width).max(2.0), edge.color);
                    }
                    LineStyle::Dotted => {
                        // Round dots 1.4 line widths across, [`DOT_PERIOD`] diameters apart.
                        let diameter = (1.4 * width).max(1.5);
                        let across = diameter * DOT_TEXELS_ACROSS / DOT_TEXELS_DISC;
                        add_patterned(&mut dots, &piece, along, diameter * DOT_PERIOD, across, edge.color);
                    }
                }
            }
        }
        // Drawn under the cards, like the full-detail edges.
        for mesh in [hairlines, dashes, dots] {
            if !mesh.is_empty() {
                painter.add(Shape::mesh(mesh));
            }
        }
        // A dragged card's relationships: straight lines from where their ends are now.
        if let Some(drag) = drag {
            for (&id, &(from_moves, to_moves)) in &drag.edges {
                let Some(edge) = scene.edge(id).filter(|_| wanted(ItemRef::Relationship(id))) else { continue };
                let (Some(first), Some(last)) = (edge.points.first(), edge.points.last()) else { continue };
                let moved = |p: Pos2, moves: bool| to_screen(if moves { p + drag.offset } else { p });
                let stroke = Stroke::new((edge.width * zoom).max(0.8), edge.color.gamma_multiply(0.7));
                painter.line_segment([moved(*first, from_moves), moved(*last, to_moves)], stroke);
            }
        }
    }

    /// Arrowheads and labels over every line, so no line crosses a label.
    fn edge_heads_and_labels(&self, in_view: &[usize]) {
        let Pass { painter, scene, theme, camera, canvas, .. } = *self;
        let Marks { selection, highlight, .. } = *self.marks;
        let zoom = camera.zoom;
        let wanted = |item| self.wanted(item);
        let visible = canvas.expand(40.0);
        for edge in in_view.iter().map(|&i| &scene.edges[i]) {
            if !wanted(ItemRef::Relationship(edge.id)) || self.dragged_edge(edge.id) {
                continue;
            }
            let selected = selection.contains(&ItemRef::Relationship(edge.id));
            let highlighted = highlight.contains(&ItemRef::Relationship(edge.id));
            if self.far_out(edge) && !selected && !highlighted {
                continue;
            }
            for head in &edge.arrowheads {
                painter.add(Shape::convex_polygon(
                    head.iter().map(|p| self.to_screen(*p)).collect(),
                    edge.color,
                    Stroke::NONE,
                ));
            }
            if let Some(label) = &edge.label {
                // A label is never drawn smaller than MIN_EDGE_LABEL while it is drawn at all: it
                // grows around its own centre (a zoomed-out small window made them unreadable).
                let grow = (MIN_EDGE_LABEL / (label.font_size * zoom)).max(1.0);
                let Some(world) = edge.label_box() else { continue };
                let rect = Rect::from_center_size(
                    camera.screen_from_world(canvas, world.center()),
                    world.size() * zoom * grow,
                );
                if label.font_size * zoom >= MIN_LEGIBLE_FONT && rect.intersects(visible) {
                    let corners = CornerRadius::from(crate::scene::EdgeShape::LABEL_BOX_RADIUS);
                    painter.rect_filled(rect, corners, theme.label_fill);
                    if selected {
                        painter.rect_stroke(rect, corners, Stroke::new(1.5, theme.selection), StrokeKind::Outside);
                    }
                    paint_text_grown(painter, label, camera, canvas, grow);
                    if edge.from_paper {
                        let (center, radius) = crate::scene::EdgeShape::paper_mark_at(rect, zoom.clamp(0.6, 2.0));
                        let mark = if edge.faded {
                            theme.paper_stroke.gamma_multiply(crate::scene::FADE)
                        } else {
                            theme.paper_stroke
                        };
                        paper_marker(painter, center, radius, mark);
                    }
                }
            }
        }
    }

    /// The cards (far out as blocks), with their bars, names, marks and badges; dragged cards
    /// last, on top.
    fn cards(&self, in_view: &[usize]) {
        let Pass { painter, scene, theme, canvas, .. } = *self;
        let Marks { selection, highlight, drag, pins, .. } = *self.marks;
        let (glow, zoom, camera) = (theme.highlight, self.camera.zoom, self.camera);
        let wanted = |item| self.wanted(item);
        let dragged_node = |id: ConceptId| drag.is_some_and(|d| d.concepts.contains(&id));
        let (dot_circle, badge_circle) = (unit_circle::<8>(), unit_circle::<16>());
        let mut blocks = egui::Mesh::default();
        let mut badges = egui::Mesh::default();
        let mut badge_texts: Vec<(Pos2, String, FontId)> = Vec::new();
        // Each card with the camera to draw it through: dragged cards last (on top), through a
        // camera shifted by the drag.
        let shifted = drag.map(|d| (d, Camera { center: camera.center - d.offset, ..*camera }));
        let cards = in_view
            .iter()
            .map(|&i| &scene.nodes[i])
            .filter(|node| !dragged_node(node.id))
            .map(|node| (node, *camera))
            .chain(shifted.into_iter().flat_map(|(d, shifted)| {
                d.concepts.iter().filter_map(|id| scene.node(*id)).map(move |node| (node, shifted))
            }));
        for (node, camera) in cards {
            let camera = &camera;
            if !wanted(ItemRef::Concept(node.id)) {
                continue;
            }
            let rect = camera.screen_rect(canvas, node.rect);
            let selected = selection.contains(&ItemRef::Concept(node.id));
            let highlighted = highlight.contains(&ItemRef::Concept(node.id));
            if rect.height() < BLOCK_CARD_HEIGHT {
                // Far out: the card as a block in its first area's colour, marked if selected.
                let color = if selected {
                    theme.selection
                } else if highlighted {
                    glow
                } else {
                    node.area_colors.first().copied().unwrap_or(node.stroke)
                };
                let rect = if selected || highlighted { rect.expand(2.0) } else { rect };
                blocks.add_colored_rect(rect, color);
                continue;
            }
            let rounding = CornerRadius::same((metrics::NODE_ROUNDING * zoom).clamp(0.0, 40.0) as u8);
            if selected {
                painter.rect_filled(rect.expand(4.0), rounding, theme.selection.gamma_multiply(0.35));
            } else if highlighted {
                painter.rect_filled(
                    rect.expand(metrics::HIGHLIGHT_CARD_GROW),
                    rounding,
                    glow.gamma_multiply(metrics::HIGHLIGHT_ALPHA),
                );
            }
            let stroke = if selected {
                Stroke::new(2.0, theme.selection)
            } else {
                Stroke::new((node.stroke_width * zoom).clamp(0.6, 3.0), node.stroke)
            };
            // Fill and outline as one shape; the membership bar is drawn over the fill, inside the
            // outline's width.
            painter.add(egui::epaint::RectShape::new(rect, rounding, node.fill, stroke, StrokeKind::Inside));
            // Membership bar: the scene's bands, at least 2 points wide however far out.
            for (band, color) in node.membership_bands() {
                let mut piece = camera.screen_rect(canvas, band);
                piece.max.x = piece.max.x.max(piece.min.x + 2.0);
                painter.rect_filled(piece, 0.0, color);
            }
            paint_text(painter, &node.label, camera, canvas, None);
            if node.from_paper {
                let mark =
                    if node.faded { theme.paper_stroke.gamma_multiply(crate::scene::FADE) } else { theme.paper_stroke };
                paper_marker(painter, rect.left_top(), 4.5 * zoom.clamp(0.6, 2.0), mark);
            }
            if pins && node.pinned {
                pin_marker(painter, rect.right_bottom(), zoom.clamp(0.6, 2.0), theme.text);
            }
            if let Some((center, count)) = node.badge {
                // A card drawn in full keeps its support count readable however far out: the badge
                // is never under MIN_BADGE_RADIUS (at 800 × 600 with large map text they vanished).
                let radius = (node.badge_radius * zoom).max(MIN_BADGE_RADIUS);
                let center = camera.screen_from_world(canvas, center);
                // Small badges look as round with 8 sides as with 16.
                let circle: &[Vec2] = if radius < 8.0 { &dot_circle } else { &badge_circle };
                add_disc(&mut badges, circle, center, radius + metrics::BADGE_RING, theme.background);
                add_disc(&mut badges, circle, center, radius, theme.badge_fill);
                badge_texts.push((
                    center,
                    count.to_string(),
                    FontId::proportional(radius * metrics::BADGE_FONT_PER_RADIUS),
                ));
            }
        }
        if !blocks.is_empty() {
            painter.add(Shape::mesh(blocks));
        }
        if !badges.is_empty() {
            // Badge discs in one mesh, under their numbers (texts are drawn after meshes of the
            // same layer only if added later, so the numbers go last).
            painter.add(Shape::mesh(badges));
            for (at, text, font) in badge_texts {
                painter.text(at, Align2::CENTER_CENTER, text, font, theme.badge_text);
            }
        }
    }
}

/// The scene's drawing pin (`PinMark`) in a card's corner.
pub(in crate::app) fn pin_marker(painter: &egui::Painter, corner: Pos2, scale: f32, color: Color32) {
    let pin = crate::scene::PinMark::at(corner, scale);
    painter.line_segment([pin.head, pin.point], Stroke::new(pin.needle_width, color));
    painter.circle(pin.head, pin.radius, crate::scene::PinMark::HEAD, Stroke::new(pin.ring_width, Color32::WHITE));
}

/// Texels of the dot pattern across the line, and of the disc inside them.
pub(in crate::app) const DOT_TEXELS_ACROSS: f32 = 16.0;
pub(in crate::app) const DOT_TEXELS_DISC: f32 = 12.0;
/// Length of one dot's repeat, in dot diameters (the dot texture is 32 texels long).
pub(in crate::app) const DOT_PERIOD: f32 = 32.0 / DOT_TEXELS_DISC;

/// Repeating textures for dashed and dotted lines: white with alpha, tinted by vertex colour.
#[derive(Clone)]
pub(in crate::app) struct LinePatterns {
    dash: egui::TextureHandle,
    dot: egui::TextureHandle,
}

/// The line patterns of `ctx`, made on first use.
pub(in crate::app) fn line_patterns(ctx: &egui::Context) -> LinePatterns {
    let id = egui::Id::unique("qualmap-line-patterns");
    if let Some(patterns) = ctx.data(|d| d.get_temp::<LinePatterns>(id)) {
        return patterns;
    }
    let options = egui::TextureOptions {
        magnification: egui::TextureFilter::Linear,
        minification: egui::TextureFilter::Linear,
        wrap_mode: egui::TextureWrapMode::Repeat,
        mipmap_mode: None,
    };
    // Dash: 8 on, 5 off along (20 of 32 texels); across, a solid core between clear rows, so
    // linear filtering feathers both sides and the ends.
    let dash_pixels: Vec<Color32> = (0..4)
        .flat_map(|y| {
            (0..32).map(move |x| if x < 20 && (y == 1 || y == 2) { Color32::WHITE } else { Color32::TRANSPARENT })
        })
        .collect();
    let dash = ctx.load_texture("qualmap-dash", egui::ColorImage::new([32, 4], dash_pixels), options);
    // Dot: a disc of 12 texels in a 32 × 16 cell, coverage-sampled for a soft rim.
    let (width, height) = (32usize, DOT_TEXELS_ACROSS as usize);
    let radius = DOT_TEXELS_DISC / 2.0;
    let centre = (radius + 1.0, height as f32 / 2.0);
    let dot_pixels: Vec<Color32> = (0..height)
        .flat_map(|y| {
            (0..width).map(move |x| {
                let mut covered = 0;
                for sy in 0..4 {
                    for sx in 0..4 {
                        let px = x as f32 + (sx as f32 + 0.5) / 4.0 - centre.0;
                        let py = y as f32 + (sy as f32 + 0.5) / 4.0 - centre.1;
                        covered += u8::from(px * px + py * py <= radius * radius);
                    }
                }
                let alpha = (u32::from(covered) * 255 / 16) as u8;
                Color32::from_rgba_premultiplied(alpha, alpha, alpha, alpha)
            })
        })
        .collect();
    let dot = ctx.load_texture("qualmap-dot", egui::ColorImage::new([width, height], dot_pixels), options);
    let patterns = LinePatterns { dash, dot };
    ctx.data_mut(|d| d.insert_temp(id, patterns.clone()));
    patterns
}

/// Appends a patterned line to a textured mesh: one quad `across` points wide per segment of
/// `piece`, with the texture repeating every `period` points along it, starting `along` points
/// into the pattern (so a line clipped to the view keeps its phase).
pub(in crate::app) fn add_patterned(
    mesh: &mut egui::Mesh,
    piece: &[Pos2],
    along: f32,
    period: f32,
    across: f32,
    color: Color32,
) {
    if !(period.is_finite() && period > 0.1 && across.is_finite() && across > 0.0) {
        return;
    }
    let mut at = along;
    for pair in piece.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let length = a.distance(b);
        if !(length.is_finite() && length > 0.0) {
            continue;
        }
        let side = vec2(-(b.y - a.y), b.x - a.x) / length * (across / 2.0);
        let (u0, u1) = (at / period, (at + length) / period);
        let base = mesh.vertices.len() as u32;
        for (p, uv) in
            [(a + side, pos2(u0, 0.0)), (a - side, pos2(u0, 1.0)), (b + side, pos2(u1, 0.0)), (b - side, pos2(u1, 1.0))]
        {
            mesh.vertices.push(egui::epaint::Vertex { pos: p, uv, color });
        }
        mesh.add_triangle(base, base + 1, base + 3);
        mesh.add_triangle(base, base + 3, base + 2);
        at += length;
    }
}

/// Appends a one-point line from `a` to `b` to a mesh as a single quad (no feathering: at this
/// width the line is a faint trace that shows the map's structure).
pub(in crate::app) fn add_hairline(mesh: &mut egui::Mesh, a: Pos2, b: Pos2, color: Color32) {
    let along = b - a;
    let length = along.length();
    if length.is_nan() || length <= 0.0 || !length.is_finite() {
        return;
    }
    let normal = vec2(-along.y, along.x) / length * 0.5;
    let base = mesh.vertices.len() as u32;
    for p in [a + normal, b + normal, b - normal, a - normal] {
        mesh.colored_vertex(p, color);
    }
    mesh.add_triangle(base, base + 1, base + 2);
    mesh.add_triangle(base, base + 2, base + 3);
}

/// `N` unit vectors around the circle, starting at +x.
pub(in crate::app) fn unit_circle<const N: usize>() -> [Vec2; N] {
    std::array::from_fn(|k| {
        let angle = k as f32 * std::f32::consts::TAU / N as f32;
        vec2(angle.cos(), angle.sin())
    })
}

/// Appends a filled circle with a feathered rim to a mesh, as a polygon with one side per
/// direction in `circle` (from [`unit_circle`], computed once per frame): 16 for badges, 8 for
/// the dots of dotted lines.
pub(in crate::app) fn add_disc(mesh: &mut egui::Mesh, circle: &[Vec2], center: Pos2, radius: f32, color: Color32) {
    let base = mesh.vertices.len() as u32;
    mesh.colored_vertex(center, color);
    let (inner, outer) = ((radius - 0.5).max(0.0), radius + 0.5);
    for dir in circle {
        mesh.colored_vertex(center + *dir * inner, color);
        mesh.colored_vertex(center + *dir * outer, Color32::TRANSPARENT);
    }
    let sides = circle.len() as u32;
    for k in 0..sides {
        let (i, j) = (base + 1 + 2 * k, base + 1 + 2 * ((k + 1) % sides));
        mesh.add_triangle(base, i, j);
        mesh.add_triangle(i, i + 1, j + 1);
        mesh.add_triangle(i, j + 1, j);
    }
}

/// Draws `block` `grow` times its size on screen, around its centre.
pub(in crate::app) fn paint_text_grown(
    painter: &egui::Painter,
    block: &TextBlock,
    camera: &Camera,
    canvas: Rect,
    grow: f32,
) {
    let size = block.font_size * camera.zoom;
    if size < MIN_LEGIBLE_FONT {
        return;
    }
    let font = FontId::proportional(size * grow);
    let center = camera.screen_from_world(canvas, block.rect.center());
    for (i, line) in block.lines.iter().enumerate() {
        let at = center + (camera.screen_from_world(canvas, block.line_center(i)) - center) * grow;
        paint_line(painter, line, block.line_is_rtl(i), at, Align2::CENTER_CENTER, &font, block.color);
    }
}

pub(in crate::app) fn paint_text(
    painter: &egui::Painter,
    block: &TextBlock,
    camera: &Camera,
    canvas: Rect,
    color: Option<Color32>,
) {
    let size = block.font_size * camera.zoom;
    if size < MIN_LEGIBLE_FONT {
        return;
    }
    let font = FontId::proportional(size);
    let color = color.unwrap_or(block.color);
    for (i, line) in block.lines.iter().enumerate() {
        let at = camera.screen_from_world(canvas, block.line_center(i));
        paint_line(painter, line, block.line_is_rtl(i), at, Align2::CENTER_CENTER, &font, color);
    }
}

/// Draws one line of text anchored at `at`, in visual order: a line with right-to-left text is
/// drawn piece by piece from left to right ([`crate::scene::text::visual_pieces`]), each piece
/// shaped on its own, since egui places its shaped runs in the string's order.
pub fn paint_line(
    painter: &egui::Painter,
    line: &str,
    rtl: bool,
    at: Pos2,
    align: Align2,
    font: &FontId,
    color: Color32,
) -> Rect {
    let Some(pieces) = crate::scene::text::visual_pieces(line, rtl) else {
        return painter.text(at, align, line, font.clone(), color);
    };
    let galleys: Vec<_> = pieces.into_iter().map(|p| painter.layout_no_wrap(p, font.clone(), color)).collect();
    let width: f32 = galleys.iter().map(|g| g.size().x).sum();
    let height = galleys.iter().map(|g| g.size().y).fold(0.0, f32::max);
    let rect = align.anchor_size(at, vec2(width, height));
    let mut x = rect.left();
    for galley in galleys {
        let size = galley.size();
        painter.galley(pos2(x, rect.center().y - size.y / 2.0), galley, color);
        x += size.x;
    }
    rect
}

/// The "from the paper" marker: the scene's diamond, filled.
pub(in crate::app) fn paper_marker(painter: &egui::Painter, center: Pos2, radius: f32, color: Color32) {
    let points = crate::scene::geometry::diamond(center, radius).to_vec();
    painter.add(Shape::convex_polygon(points, color, Stroke::NONE));
}
