//! A figure's caption, defined once as wrapped lines: what it says (the map's title or a step's
//! heading, the citation, the filter in force and what support counts), at which sizes, in which
//! colour, and where each line breaks. An export only writes the lines out.

use crate::model::Document;
use crate::model::support::{EvidenceFilter, SupportMode};

use super::TextMeasure;
use super::text::{WrappedLine, wrap};

/// Which colour a caption line takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// The theme's text colour (titles, a step's text).
    Text,
    /// The theme's muted colour (source, filter).
    Muted,
}

/// One drawn line of the caption.
#[derive(Clone, Debug, PartialEq)]
pub struct CaptionLine {
    /// The line, in typed order, and its paragraph's direction.
    pub line: WrappedLine,
    /// Its text size.
    pub size: f32,
    /// Its colour.
    pub tone: Tone,
    /// Its baseline, from the block's top.
    pub baseline: f32,
}

/// The caption laid out.
#[derive(Clone, Debug, PartialEq)]
pub struct CaptionBlock {
    /// Its lines, top to bottom.
    pub lines: Vec<CaptionLine>,
    /// Its height, with the space above and below it.
    pub height: f32,
}

/// What a caption says besides the map's title and source.
#[derive(Clone, Copy, Debug)]
pub struct Says<'a> {
    /// A story step's title and text, in place of the map's title.
    pub heading: Option<&'a (String, String)>,
    /// The evidence filter in force.
    pub filter: &'a EvidenceFilter,
    /// What support counts.
    pub support: SupportMode,
    /// The focus in words, if the figure is focused.
    pub focus: Option<&'a str>,
}

/// The caption's paragraphs with their sizes at unit 1: a heading (a step's title and text)
/// replaces the map's title.
pub fn paragraphs(doc: &Document, says: Says<'_>) -> Vec<(String, f32, Tone)> {
    let Says { heading, filter, support, focus } = says;
    let mut out = Vec::new();
    match heading {
        Some((title, text)) => {
            out.push((title.clone(), 18.0, Tone::Text));
            if !text.is_empty() {
                out.push((text.clone(), 13.0, Tone::Text));
            }
        }
        None => out.push((doc.info.title.clone(), 16.0, Tone::Text)),
    }
    if !doc.info.citation.is_empty() {
        out.push((format!("Source: {}", doc.info.citation), 11.0, Tone::Muted));
    }
    let filter = if filter.is_active() {
        format!("Filter in force: {}.", filter.describe(doc))
    } else {
        "No filter: all evidence counts.".to_owned()
    };
    let focus = focus.map(|f| format!(" Focus: {f}; the rest is faded.")).unwrap_or_default();
    out.push((format!("{filter} Support counted as {}.{focus}", support.label()), 11.0, Tone::Muted));
    out
}

/// Space above and below the caption, at unit 1.
const MARGIN: f32 = 6.0;
/// Baseline to baseline, in text sizes.
const LEADING: f32 = 1.35;

/// The caption `width` wide, every size `unit` times its own, each paragraph wrapped where the
/// line-breaking rules allow (so a Chinese or Thai caption wraps too), measured with `measure`.
pub fn layout(doc: &Document, says: Says<'_>, width: f32, unit: f32, measure: &dyn TextMeasure) -> CaptionBlock {
    let mut y = MARGIN * unit;
    let mut lines = Vec::new();
    for (text, size, tone) in paragraphs(doc, says) {
        let size = size * unit;
        for line in wrap(&text, size, width, measure) {
            y += size * LEADING;
            lines.push(CaptionLine { line, size, tone, baseline: y });
        }
    }
    CaptionBlock { lines, height: y + MARGIN * unit }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(filter: &EvidenceFilter) -> Says<'_> {
        Says { heading: None, filter, support: SupportMode::Excerpts, focus: None }
    }

    struct Fixed;
    impl TextMeasure for Fixed {
        fn line_width(&self, text: &str, size: f32) -> f32 {
            text.chars().count() as f32 * size * 0.5
        }
    }

    #[test]
    fn the_caption_says_title_source_and_filter_and_wraps_at_its_width() {
        let doc = crate::model::example::document();
        let filter = EvidenceFilter::default();
        let block = layout(&doc, plain(&filter), 10_000.0, 1.0, &Fixed);
        let texts: Vec<&str> = block.lines.iter().map(|l| l.line.text.as_str()).collect();
        assert_eq!(texts[0], doc.info.title);
        assert!(texts[1].starts_with("Source: "), "{texts:?}");
        assert!(texts[2].starts_with("No filter: all evidence counts."), "{texts:?}");
        assert!(block.lines.windows(2).all(|w| w[0].baseline < w[1].baseline));
        let narrow = layout(&doc, plain(&filter), 200.0, 1.0, &Fixed);
        assert!(narrow.lines.len() > block.lines.len());
        assert!(narrow.lines.iter().all(|l| Fixed.line_width(&l.line.text, l.size) <= 200.0 + 1e-3));
        assert!(narrow.height > block.height);
        let step = ("1. A step".to_owned(), String::new());
        let headed = layout(&doc, Says { heading: Some(&step), ..plain(&filter) }, 10_000.0, 2.0, &Fixed);
        assert_eq!(headed.lines[0].line.text, "1. A step");
        assert_eq!(headed.lines[0].size, 36.0);
        let says = Says { focus: Some("within 2 steps of Problem solving"), ..plain(&filter) };
        let focused = layout(&doc, says, 10_000.0, 1.0, &Fixed);
        let last = &focused.lines.last().unwrap().line.text;
        assert!(last.ends_with("Focus: within 2 steps of Problem solving; the rest is faded."), "{last}");
    }
}
