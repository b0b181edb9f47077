//! The key along the bottom of the canvas: the scene's legend entries laid out in rows and drawn.

use egui::{FontId, Rect, Shape, Stroke, StrokeKind, pos2, vec2};

use super::paint::paper_marker;
use crate::scene::MapTheme;
use crate::scene::legend::{self, LegendMark};

/// Height of the legend strip with one row, kept free when fitting.
pub const LEGEND_ROW_HEIGHT: f32 = legend::metrics::FIRST_ROW + legend::metrics::BELOW;

/// The key, laid out by the scene ([`legend::layout`]), with each entry's text shaped for the
/// screen. Entries flow on to further rows where the canvas is too narrow for one (at 1024
/// points wide the example's key did not fit and its last entries were dropped).
pub(in crate::app) struct LegendLayout {
    block: legend::LegendBlock,
    galleys: Vec<std::sync::Arc<egui::Galley>>,
    pub(in crate::app) height: f32,
}

/// From the canvas's left edge to the key's.
const INSET_LEFT: f32 = 12.0;
/// From the key's right end to the canvas's right edge.
const INSET_RIGHT: f32 = 8.0;

pub(in crate::app) fn legend_layout(
    painter: &egui::Painter,
    doc: &crate::model::Document,
    theme: &MapTheme,
    canvas: Rect,
    support: crate::model::support::SupportMode,
    emphasis: Option<&str>,
    tint: Option<&crate::scene::Tint>,
) -> LegendLayout {
    let areas = doc.areas.iter().map(|a| (a.label.clone(), theme.area_fill(a.color), theme.ink(a.color)));
    let width = canvas.width() - INSET_LEFT - INSET_RIGHT;
    let tint_text = tint.map(crate::scene::Tint::key_text);
    let block = legend::layout(
        legend::legend(
            areas,
            support,
            emphasis.map(|name| (name, theme.highlight)),
            tint.zip(tint_text.as_deref()).map(|(t, text)| (text, t.scale.stops().map(|c| theme.ink(c)))),
        ),
        width,
        1.0,
        &crate::scene::fonts::FontMetrics,
    );
    let font = FontId::proportional(legend::metrics::FONT);
    let galleys = block
        .entries
        .iter()
        .map(|p| {
            let text = crate::app::bidi_text::visual_line(&p.entry.text).into_owned();
            painter.layout_no_wrap(text, font.clone(), theme.text)
        })
        .collect();
    LegendLayout { height: block.height, block, galleys }
}

/// The key along the bottom of the canvas: the areas, the paper marker, what badges and line
/// widths mean.
pub(in crate::app) fn paint_legend(painter: &egui::Painter, legend: LegendLayout, theme: &MapTheme, canvas: Rect) {
    let strip = Rect::from_min_max(pos2(canvas.left(), canvas.bottom() - legend.height), canvas.max);
    painter.rect_filled(strip, 0.0, theme.label_fill);
    painter.line_segment([strip.left_top(), strip.right_top()], Stroke::new(1.0, theme.node_stroke));
    let origin = strip.left_top() + vec2(INSET_LEFT, 0.0);
    for (placed, galley) in legend.block.entries.iter().zip(legend.galleys) {
        let center = origin + placed.mark_center(1.0).to_vec2();
        match placed.entry.mark {
            LegendMark::Area { fill, stroke, .. } => {
                let swatch = Rect::from_center_size(center, vec2(14.0, 10.0));
                painter.rect_filled(swatch, 2.0, fill);
                painter.rect_stroke(swatch, 2.0, Stroke::new(1.2, stroke), StrokeKind::Inside);
            }
            LegendMark::Paper => paper_marker(painter, center, 4.5, theme.paper_stroke),
            LegendMark::Badge => {
                painter.circle_filled(center, 6.0, theme.badge_fill);
            }
            LegendMark::Emphasis { stroke } => {
                let card = Rect::from_center_size(center, vec2(14.0, 10.0));
                painter.rect_stroke(card, 2.0, Stroke::new(2.5, stroke), StrokeKind::Inside);
            }
            LegendMark::Tint { stops } => {
                // Three bands of the bar, low to high.
                let band = 14.0 / 3.0;
                for (k, stop) in stops.iter().enumerate() {
                    let left = center.x - 7.0 + band * k as f32;
                    let rect = Rect::from_min_size(pos2(left, center.y - 5.0), vec2(band, 10.0));
                    painter.rect_filled(rect, 0.0, *stop);
                }
            }
            LegendMark::Unsupported => {
                painter.extend(Shape::dashed_line(
                    &[center - vec2(7.0, 0.0), center + vec2(7.0, 0.0)],
                    Stroke::new(1.5, theme.muted_text),
                    4.0,
                    3.0,
                ));
            }
        }
        let text = origin + placed.text_start(1.0).to_vec2();
        painter.galley(text - vec2(0.0, galley.size().y / 2.0), galley, theme.text);
    }
}
