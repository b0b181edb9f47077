//! The key along the bottom of the canvas: the scene's legend entries laid out in rows and drawn.

use egui::{FontId, Pos2, Rect, Shape, Stroke, StrokeKind, pos2, vec2};

use super::paint::paper_marker;
use crate::scene::MapTheme;

/// Height of one row of the legend strip at the bottom of the canvas, kept free when fitting.
pub const LEGEND_ROW_HEIGHT: f32 = 30.0;
/// Extra height of each further row, when the key does not fit on one.
pub(in crate::app) const LEGEND_MORE_ROWS: f32 = 20.0;

/// The key, laid out: each entry with its place (left edge, row) and text, and the strip's
/// height. Entries flow on to further rows where the canvas is too narrow for one (at 1024
/// points wide the example's key did not fit and its last entries were dropped).
pub(in crate::app) struct LegendLayout {
    pub(in crate::app) entries: Vec<(crate::scene::legend::LegendMark, Pos2, std::sync::Arc<egui::Galley>)>,
    pub(in crate::app) height: f32,
}

pub(in crate::app) fn legend_layout(
    painter: &egui::Painter,
    doc: &crate::model::Document,
    theme: &MapTheme,
    canvas: Rect,
    support: crate::model::support::SupportMode,
) -> LegendLayout {
    let font = FontId::proportional(12.5);
    let areas = doc.areas.iter().map(|a| (a.label.clone(), theme.area_fill(a.color), theme.ink(a.color)));
    let keys = crate::scene::legend::legend(areas, support);
    let (left, right) = (canvas.left() + 12.0, canvas.right() - 8.0);
    let (mut x, mut row) = (left, 0usize);
    let mut entries = Vec::with_capacity(keys.len());
    for crate::scene::legend::LegendEntry { mark: key, text } in keys {
        let galley =
            painter.layout_no_wrap(crate::app::bidi_text::visual_line(&text).into_owned(), font.clone(), theme.text);
        let width = 20.0 + galley.size().x;
        if x > left && x + width > right {
            (x, row) = (left, row + 1);
        }
        entries.push((key, pos2(x, row as f32), galley));
        x += width + 18.0;
    }
    LegendLayout { entries, height: LEGEND_ROW_HEIGHT + row as f32 * LEGEND_MORE_ROWS }
}

/// The key along the bottom of the canvas: the areas, the paper marker, what badges and line
/// widths mean.
pub(in crate::app) fn paint_legend(painter: &egui::Painter, legend: LegendLayout, theme: &MapTheme, canvas: Rect) {
    let strip = Rect::from_min_max(pos2(canvas.left(), canvas.bottom() - legend.height), canvas.max);
    painter.rect_filled(strip, 0.0, theme.label_fill);
    painter.line_segment([strip.left_top(), strip.right_top()], Stroke::new(1.0, theme.node_stroke));
    for (key, place, galley) in legend.entries {
        let (x, y) = (place.x, strip.top() + LEGEND_ROW_HEIGHT / 2.0 + place.y * LEGEND_MORE_ROWS);
        use crate::scene::legend::LegendMark;
        match key {
            LegendMark::Area { fill, stroke, .. } => {
                let swatch = Rect::from_center_size(pos2(x + 7.0, y), vec2(14.0, 10.0));
                painter.rect_filled(swatch, 2.0, fill);
                painter.rect_stroke(swatch, 2.0, Stroke::new(1.2, stroke), StrokeKind::Inside);
            }
            LegendMark::Paper => paper_marker(painter, pos2(x + 7.0, y), 4.5, theme.paper_stroke),
            LegendMark::Badge => {
                painter.circle_filled(pos2(x + 7.0, y), 6.0, theme.badge_fill);
            }
            LegendMark::Unsupported => {
                painter.extend(Shape::dashed_line(
                    &[pos2(x, y), pos2(x + 14.0, y)],
                    Stroke::new(1.5, theme.muted_text),
                    4.0,
                    3.0,
                ));
            }
        }
        painter.galley(pos2(x + 20.0, y - galley.size().y / 2.0), galley, theme.text);
    }
}
