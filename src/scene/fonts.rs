//! The fonts Qualmap draws with, bundled in the binary (the browser build fetches the script fonts
//! from beside its wasm instead) so that every machine shows every script and every export comes
//! out the same: egui's Ubuntu Light for Latin, Greek and Cyrillic; Noto
//! Sans for Arabic, Hebrew, Devanagari and Thai; a subset of Noto Sans CJK SC for Chinese,
//! Japanese and Korean (the characters of GB 2312, JIS X 0208, Big5's frequent set and KS X
//! 1001's Hangul; `assets/fonts/make-subsets.py` makes it); Noto Emoji (monochrome, egui draws
//! no colour glyphs) last, before egui's own icons. The window also asks the operating system's fonts for characters none
//! of these has (eframe's `system_fonts`); exports use only the bundled fonts, and say which
//! characters no bundled font has.

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

/// A bundled font: its key in egui's font definitions, its family name (as written into SVG),
/// and its bytes.
#[derive(Clone, Copy, Debug)]
pub struct BundledFont {
    /// Key in [`egui::FontDefinitions::font_data`].
    pub key: &'static str,
    /// Family name inside the font file.
    pub family: &'static str,
    /// The font file.
    pub bytes: &'static [u8],
}

/// A script font's key, family name and file name under `assets/fonts` (and `fonts/` of the
/// browser build, which fetches them instead of carrying them in its wasm).
pub const SCRIPT_FONT_FILES: [(&str, &str, &str); 6] = [
    ("NotoSansArabic", "Noto Sans Arabic", "NotoSansArabic-Regular.ttf"),
    ("NotoSansHebrew", "Noto Sans Hebrew", "NotoSansHebrew-Regular.ttf"),
    ("NotoSansDevanagari", "Noto Sans Devanagari", "NotoSansDevanagari-Regular.ttf"),
    ("NotoSansThai", "Noto Sans Thai", "NotoSansThai-Regular.ttf"),
    ("NotoSansCJKsc", "Noto Sans CJK SC", "NotoSansCJKsc-Subset.otf"),
    ("NotoEmoji", "Noto Emoji", "NotoEmoji-Regular.ttf"),
];

/// The script fonts and emoji, in fallback order, after Ubuntu Light (and before egui's icons):
/// [`SCRIPT_FONT_FILES`] with their bytes, carried in the binary.
#[cfg(not(target_arch = "wasm32"))]
pub fn script_fonts() -> &'static [BundledFont] {
    macro_rules! font {
        ($i:expr, $file:literal) => {
            BundledFont {
                key: SCRIPT_FONT_FILES[$i].0,
                family: SCRIPT_FONT_FILES[$i].1,
                bytes: include_bytes!(concat!("../../assets/fonts/", $file)),
            }
        };
    }
    static FONTS: [BundledFont; 6] = [
        font!(0, "NotoSansArabic-Regular.ttf"),
        font!(1, "NotoSansHebrew-Regular.ttf"),
        font!(2, "NotoSansDevanagari-Regular.ttf"),
        font!(3, "NotoSansThai-Regular.ttf"),
        font!(4, "NotoSansCJKsc-Subset.otf"),
        font!(5, "NotoEmoji-Regular.ttf"),
    ];
    &FONTS
}

/// The script fonts the page fetched (see [`provide_script_fonts`]); none before that.
#[cfg(target_arch = "wasm32")]
pub fn script_fonts() -> &'static [BundledFont] {
    FETCHED.get().map_or(&[], Vec::as_slice)
}

#[cfg(target_arch = "wasm32")]
static FETCHED: OnceLock<Vec<BundledFont>> = OnceLock::new();

/// Gives the browser build the script fonts' files, fetched by the page before the app starts
/// (they are 7 MiB that the wasm would otherwise carry): `(index in SCRIPT_FONT_FILES, bytes)`,
/// in any order; a font that could not be fetched is left out, and its scripts show as boxes.
/// Only the first call counts; it must come before anything draws text.
#[cfg(target_arch = "wasm32")]
pub fn provide_script_fonts(mut files: Vec<(usize, Vec<u8>)>) {
    files.sort_by_key(|(i, _)| *i);
    let fonts = files
        .into_iter()
        .filter_map(|(i, bytes)| {
            let (key, family, _) = SCRIPT_FONT_FILES.get(i)?;
            // Leaked once per page: the fonts live as long as the app, as the desktop's do.
            Some(BundledFont { key, family, bytes: Box::leak(bytes.into_boxed_slice()) })
        })
        .collect();
    let _ = FETCHED.set(fonts);
}

/// Every bundled font in fallback order: the first that has a character draws it, on screen and
/// in exports alike.
pub fn bundled() -> &'static [BundledFont] {
    static ALL: OnceLock<Vec<BundledFont>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut all = vec![BundledFont {
            key: "Ubuntu-Light",
            family: "Ubuntu Light",
            bytes: epaint_default_fonts::UBUNTU_LIGHT,
        }];
        all.extend_from_slice(script_fonts());
        all
    })
}

/// egui's default fonts with the script fonts added after Ubuntu Light, in both families.
pub fn font_definitions() -> egui::FontDefinitions {
    let mut fonts = egui::FontDefinitions::default();
    for font in script_fonts() {
        fonts.font_data.insert(font.key.to_owned(), Arc::new(egui::FontData::from_static(font.bytes)));
    }
    for (family, after) in [(egui::FontFamily::Proportional, "Ubuntu-Light"), (egui::FontFamily::Monospace, "Hack")] {
        let list = fonts.families.entry(family).or_default();
        let at = list.iter().position(|k| k == after).map_or(list.len(), |i| i + 1);
        for (i, font) in script_fonts().iter().enumerate() {
            list.insert(at + i, font.key.to_owned());
        }
    }
    fonts
}

/// Gives `ctx` the bundled fonts.
pub fn install(ctx: &egui::Context) {
    ctx.set_fonts(font_definitions());
}

/// The bundled fonts, parsed once, for asking which characters they have.
fn faces() -> &'static [(BundledFont, Option<ttf_parser::Face<'static>>)] {
    static FACES: OnceLock<Vec<(BundledFont, Option<ttf_parser::Face<'static>>)>> = OnceLock::new();
    FACES.get_or_init(|| bundled().iter().map(|f| (*f, ttf_parser::Face::parse(f.bytes, 0).ok())).collect())
}

/// The parsed face of the bundled font at `index` (as in [`bundled`]), if it parses.
pub(crate) fn face(index: usize) -> Option<&'static ttf_parser::Face<'static>> {
    faces().get(index)?.1.as_ref()
}

/// Characters that need no glyph: white space, controls, joiners, direction marks, variation
/// selectors (drawn as nothing or as a change to their neighbour).
pub(crate) fn needs_glyph(c: char) -> bool {
    !(c.is_whitespace()
        || c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{E0100}'..='\u{E01EF}'))
}

/// The bundled font that draws `c`, if any (the first in fallback order that has it).
pub fn font_for(c: char) -> Option<&'static BundledFont> {
    index_for(c).map(|i| &faces()[i].0)
}

/// Where in [`bundled`] the font that draws `c` is: the first in fallback order that has it.
pub(crate) fn index_for(c: char) -> Option<usize> {
    faces().iter().position(|(_, face)| face.as_ref().is_some_and(|f| f.glyph_index(c).is_some()))
}

/// The characters of `texts` that no bundled font has, in code point order.
pub fn missing_chars<'a>(texts: impl IntoIterator<Item = &'a str>) -> BTreeSet<char> {
    let mut seen = BTreeSet::new();
    let mut missing = BTreeSet::new();
    for text in texts {
        for c in text.chars() {
            if (c as u32) < 0x80 || !needs_glyph(c) || !seen.insert(c) {
                continue;
            }
            if font_for(c).is_none() {
                missing.insert(c);
            }
        }
    }
    missing
}

/// The family names of the bundled fonts that draw `texts`, in fallback order (Ubuntu Light
/// always first), for an SVG's `font-family`.
pub fn families_for<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<&'static str> {
    let mut used = BTreeSet::new();
    let mut seen = BTreeSet::new();
    for text in texts {
        for c in text.chars() {
            if (c as u32) < 0x80 || !needs_glyph(c) || !seen.insert(c) {
                continue;
            }
            if let Some(i) = index_for(c) {
                used.insert(i);
            }
        }
    }
    used.insert(0);
    used.into_iter().filter_map(|i| bundled().get(i)).map(|f| f.family).collect()
}

/// The characters of `texts` that each bundled font draws (the first in fallback order that has
/// the character, as on screen), in fallback order; fonts that draw none are left out, except
/// Ubuntu Light, which always comes first with printable ASCII (so that a figure's text can be
/// edited in a drawing program with the font it carries). For carrying fonts in an SVG.
pub fn chars_by_font<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<(&'static BundledFont, BTreeSet<char>)> {
    let mut by_font: Vec<BTreeSet<char>> = vec![BTreeSet::new(); faces().len()];
    by_font[0].extend((0x20u8..0x7F).map(char::from));
    for text in texts {
        for c in text.chars() {
            if (c as u32) < 0x80 || !needs_glyph(c) {
                continue;
            }
            if let Some(i) = index_for(c) {
                by_font[i].insert(c);
            }
        }
    }
    faces().iter().zip(by_font).filter(|(_, chars)| !chars.is_empty()).map(|((font, _), chars)| (font, chars)).collect()
}

/// Measures text with the bundled fonts' advance widths (each character in the font that draws
/// it, without shaping), for text an export lays out itself (the legend and the caption), so a
/// CJK or Arabic legend entry is as wide as it is drawn rather than a guess per character.
#[derive(Clone, Copy, Debug, Default)]
pub struct FontMetrics;

impl super::TextMeasure for FontMetrics {
    fn line_width(&self, text: &str, font_size: f32) -> f32 {
        text.chars()
            .filter(|c| needs_glyph(*c) || *c == ' ')
            .map(|c| {
                let face = index_for(c).and_then(|i| faces()[i].1.as_ref());
                face.and_then(|f| {
                    let advance = f.glyph_hor_advance(f.glyph_index(c)?)?;
                    Some(f32::from(advance) / f32::from(f.units_per_em()))
                })
                // A character no font has is drawn as a box about half an em wide.
                .unwrap_or(0.5)
            })
            .sum::<f32>()
            * font_size
    }
}

/// A short description of missing characters for messages: each with its code point.
pub fn describe_missing(missing: &BTreeSet<char>) -> String {
    let shown: Vec<String> = missing.iter().take(12).map(|c| format!("{c} (U+{:04X})", *c as u32)).collect();
    let more = missing.len().saturating_sub(shown.len());
    let mut text = shown.join(", ");
    if more > 0 {
        text.push_str(&format!(" and {more} more"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_has_a_font() {
        for (text, family) in [
            ("مرحبا", "Noto Sans Arabic"),
            ("שלום", "Noto Sans Hebrew"),
            ("नमस्ते", "Noto Sans Devanagari"),
            ("สวัสดี", "Noto Sans Thai"),
            ("导师", "Noto Sans CJK SC"),
            ("導師", "Noto Sans CJK SC"),
            ("ありがとう", "Noto Sans CJK SC"),
            ("멘토링", "Noto Sans CJK SC"),
            ("Наставник", "Ubuntu Light"),
        ] {
            for c in text.chars() {
                assert_eq!(font_for(c).map(|f| f.family), Some(family), "{c}");
            }
        }
        assert!(font_for('🙂').is_some());
        assert!(missing_chars(["Peer support 导师 مرحبا 🙂\u{200D}"]).is_empty());
        // Linear B is in none of them.
        assert_eq!(missing_chars(["\u{10000}"]).into_iter().collect::<Vec<_>>(), ['\u{10000}']);
    }

    #[test]
    fn font_metrics_measure_wide_scripts_wider() {
        use crate::scene::TextMeasure as _;
        let latin = FontMetrics.line_width("Peer", 12.0);
        let cjk = FontMetrics.line_width("职业发展", 12.0);
        // Four ideographs are four ems; four Latin letters about two.
        assert!((cjk - 48.0).abs() < 1.0, "{cjk}");
        assert!(latin > 15.0 && latin < 30.0, "{latin}");
        assert_eq!(FontMetrics.line_width("", 12.0), 0.0);
    }

    #[test]
    fn svg_families_name_what_the_text_needs() {
        assert_eq!(families_for(["Peer support"]), ["Ubuntu Light"]);
        assert_eq!(families_for(["导师 שלום"]), ["Ubuntu Light", "Noto Sans Hebrew", "Noto Sans CJK SC"]);
    }
}
