//! The map's key, defined once: which marks it explains and in what words. The canvas's strip
//! and an exported figure's footer only lay the entries out and draw each mark in their own
//! medium, so the two cannot drift apart (they used to word the dashed line differently).

use egui::Color32;

use crate::model::support::SupportMode;

/// A mark the key explains.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LegendMark {
    /// An area's swatch: its fill and outline, and its place among the areas (for the print
    /// theme's outline patterns).
    Area {
        /// Fill colour.
        fill: Color32,
        /// Outline colour.
        stroke: Color32,
        /// Which area (0 for the first).
        index: usize,
    },
    /// The diamond that marks what comes from the paper.
    Paper,
    /// The support badge.
    Badge,
    /// The dashed line of a relationship no evidence supports.
    Unsupported,
    /// A card's outline widened by a measure (the scene's `Emphasis`).
    Emphasis {
        /// The outline's colour.
        stroke: Color32,
    },
    /// Items coloured by a figure (the scene's `Tint`): a bar of its low, middle and high colours.
    Tint {
        /// The colours at 0, ½ and 1.
        stops: [Color32; 3],
    },
}

/// One entry of the key.
#[derive(Clone, Debug, PartialEq)]
pub struct LegendEntry {
    /// What it explains.
    pub mark: LegendMark,
    /// What it says, in typed order (right-to-left names are ordered where drawn).
    pub text: String,
}

/// The key: one entry per area (name, fill, outline), then the paper's marker, what badges and
/// line widths count, the dashed line, and the measure or figure drawn on the items if any.
pub fn legend(
    areas: impl IntoIterator<Item = (String, Color32, Color32)>,
    support: SupportMode,
    emphasis: Option<(&str, Color32)>,
    // The key's words for the colours (`Tint::key_text`) and the colours at 0, ½ and 1.
    tint: Option<(&str, [Color32; 3])>,
) -> Vec<LegendEntry> {
    let mut entries: Vec<LegendEntry> = areas
        .into_iter()
        .enumerate()
        .map(|(index, (text, fill, stroke))| LegendEntry { mark: LegendMark::Area { fill, stroke, index }, text })
        .collect();
    entries.push(LegendEntry { mark: LegendMark::Paper, text: "from the paper".to_owned() });
    entries.push(LegendEntry {
        mark: LegendMark::Badge,
        text: format!("support: {}; line width follows support", support.label()),
    });
    entries.push(LegendEntry { mark: LegendMark::Unsupported, text: "no supporting evidence".to_owned() });
    if let Some((name, stroke)) = emphasis {
        entries.push(LegendEntry { mark: LegendMark::Emphasis { stroke }, text: format!("outline width: {name}") });
    }
    if let Some((text, stops)) = tint {
        entries.push(LegendEntry { mark: LegendMark::Tint { stops }, text: text.to_owned() });
    }
    entries
}

/// Sizes of a laid-out key at unit 1 (figures scale them with their text; the canvas uses 1).
pub mod metrics {
    /// Text size of an entry.
    pub const FONT: f32 = 12.0;
    /// From an entry's left edge to its mark's centre.
    pub const MARK_CENTER: f32 = 7.0;
    /// From an entry's left edge to its text.
    pub const TEXT_OFFSET: f32 = 20.0;
    /// Between one entry's text and the next entry.
    pub const GAP: f32 = 18.0;
    /// From the block's top to the first row's middle.
    pub const FIRST_ROW: f32 = 15.0;
    /// Between the middles of two rows.
    pub const ROW: f32 = 20.0;
    /// Below the last row's middle.
    pub const BELOW: f32 = 15.0;
}

/// An entry of the key with its place in a laid-out block.
#[derive(Clone, Debug, PartialEq)]
pub struct PlacedEntry {
    /// The entry.
    pub entry: LegendEntry,
    /// Its left edge and its row's middle, from the block's top left.
    pub at: egui::Pos2,
}

impl PlacedEntry {
    /// The centre of its mark, `unit` being the block's.
    pub fn mark_center(&self, unit: f32) -> egui::Pos2 {
        self.at + egui::vec2(metrics::MARK_CENTER * unit, 0.0)
    }
    /// The left end of its text, vertically at the row's middle.
    pub fn text_start(&self, unit: f32) -> egui::Pos2 {
        self.at + egui::vec2(metrics::TEXT_OFFSET * unit, 0.0)
    }
}

/// The key laid out in rows, the one layout the canvas's strip and a figure's footer both draw.
#[derive(Clone, Debug, PartialEq)]
pub struct LegendBlock {
    /// The entries in order, each placed.
    pub entries: Vec<PlacedEntry>,
    /// How many rows they take.
    pub rows: usize,
    /// The block's height.
    pub height: f32,
    /// Its size unit (every size of [`metrics`] times this).
    pub unit: f32,
}

/// Lays `entries` out in rows `width` wide, every size `unit` times its own: an entry goes on the
/// current row if it fits, otherwise it starts the next (an entry wider than the whole row gets
/// a row to itself). Text is measured with `measure`, in the fonts it is drawn with.
pub fn layout(entries: Vec<LegendEntry>, width: f32, unit: f32, measure: &dyn super::TextMeasure) -> LegendBlock {
    let (mut x, mut row) = (0.0_f32, 0usize);
    let mut placed = Vec::with_capacity(entries.len());
    for entry in entries {
        let advance =
            (metrics::TEXT_OFFSET + metrics::GAP) * unit + measure.line_width(&entry.text, metrics::FONT * unit);
        if x > 0.0 && x + advance - metrics::GAP * unit > width {
            (x, row) = (0.0, row + 1);
        }
        let y = (metrics::FIRST_ROW + row as f32 * metrics::ROW) * unit;
        placed.push(PlacedEntry { entry, at: egui::pos2(x, y) });
        x += advance;
    }
    let rows = if placed.is_empty() { 0 } else { row + 1 };
    let height = (metrics::FIRST_ROW + row as f32 * metrics::ROW + metrics::BELOW) * unit;
    LegendBlock { entries: placed, rows, height, unit }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::TextMeasure;

    /// Every character 10 wide at size 12.
    struct Fixed;
    impl TextMeasure for Fixed {
        fn line_width(&self, text: &str, size: f32) -> f32 {
            text.chars().count() as f32 * size * 10.0 / 12.0
        }
    }

    #[test]
    fn entries_flow_onto_further_rows_and_never_past_the_width() {
        let areas = (0..4).map(|i| (format!("Area number {i}"), Color32::WHITE, Color32::BLACK));
        let entries = legend(areas, SupportMode::Excerpts, None, None);
        let wide = layout(entries.clone(), 10_000.0, 1.0, &Fixed);
        assert_eq!(wide.rows, 1);
        assert_eq!(wide.height, metrics::FIRST_ROW + metrics::BELOW);
        let narrow = layout(entries.clone(), 400.0, 1.0, &Fixed);
        assert!(narrow.rows > 2, "{narrow:?}");
        for placed in &narrow.entries {
            let end = placed.text_start(1.0).x + Fixed.line_width(&placed.entry.text, metrics::FONT);
            let alone = narrow.entries.iter().filter(|p| p.at.y == placed.at.y).count() == 1;
            assert!(end <= 400.0 || alone, "{placed:?} runs past the width");
        }
        assert_eq!(narrow.entries.iter().map(|p| &p.entry).collect::<Vec<_>>(), entries.iter().collect::<Vec<_>>());
        // Twice the unit: twice every size.
        let double = layout(entries, 800.0, 2.0, &Fixed);
        assert_eq!(double.rows, narrow.rows);
        assert_eq!(double.height, narrow.height * 2.0);
    }
}
