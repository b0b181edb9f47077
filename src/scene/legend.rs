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
/// line widths count, and the dashed line.
pub fn legend(areas: impl IntoIterator<Item = (String, Color32, Color32)>, support: SupportMode) -> Vec<LegendEntry> {
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
    entries
}
