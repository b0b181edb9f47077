//! Subsets of the bundled fonts for an SVG to carry as `@font-face` rules, so that a figure
//! renders in a reader's browser or drawing program as it does on screen, on a machine without
//! any of our fonts.
//!
//! The subsetter is `skera` (the Fontations port of HarfBuzz's hb-subset): unlike `subsetter`,
//! which serves PDF writers and drops the `cmap` table, it keeps `cmap` and the layout tables
//! (`GSUB`, `GPOS`, `GDEF`) closed over the characters asked for, so a browser still joins
//! Arabic letters and forms Devanagari conjuncts from the subset. Hinting is dropped (figures are
//! scaled, and it is most of a small subset's size).

use std::collections::BTreeSet;

use read_fonts::FontRef;
use read_fonts::collections::IntSet;
use read_fonts::types::{GlyphId, NameId, Tag};

use crate::scene::fonts::BundledFont;

/// A font subset for one `@font-face` rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FontSubset {
    /// The family name, as the SVG's `font-family` names it.
    pub family: &'static str,
    /// `truetype` (glyf outlines) or `opentype` (CFF outlines), for the rule's `format()`.
    pub format: &'static str,
    /// The subset font file.
    pub bytes: Vec<u8>,
}

/// Tables no figure needs (bitmaps, old justification and device tables, signatures).
const DROPPED_TABLES: [&[u8; 4]; 10] =
    [b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"JSTF", b"LTSH", b"PCLT", b"SVG ", b"hdmx", b"VDMX"];

/// The subset of `font` that draws `chars`, with what shaping them needs. The subset is checked
/// before it is used: every character must still reach a glyph with an outline.
pub fn subset(font: &BundledFont, chars: &BTreeSet<char>) -> Result<FontSubset, String> {
    let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", font.family);
    let whole = ttf_parser::Face::parse(font.bytes, 0).map_err(|e| fail(&e))?;
    let chars: BTreeSet<char> =
        shaping_closure(chars).into_iter().filter(|c| chars.contains(c) || whole.glyph_index(*c).is_some()).collect();
    let chars = &chars;
    let cff = FontRef::new(font.bytes).map_err(|e| fail(&e))?.table_data(Tag::new(b"CFF ")).is_some();
    let bytes = if cff { subset_cff(font, chars)? } else { subset_glyf(font, chars)? };
    let face = ttf_parser::Face::parse(&bytes, 0).map_err(|e| fail(&e))?;
    let original = &whole;
    for c in chars {
        let Some(before) = original.glyph_index(*c) else { continue };
        let has_outline = |face: &ttf_parser::Face<'_>, glyph| face.outline_glyph(glyph, &mut NoOutline).is_some();
        let kept = face.glyph_index(*c).is_some_and(|glyph| has_outline(&face, glyph) == has_outline(original, before));
        if !kept {
            return Err(fail(&format!("the subset lost {c} (U+{:04X})", *c as u32)));
        }
    }
    let format = if bytes.starts_with(b"OTTO") { "opentype" } else { "truetype" };
    Ok(FontSubset { family: font.family, format, bytes })
}

/// `chars` with the characters a shaper may ask the font for in their place, beyond what the
/// font's own layout tables say (those skera follows): their canonical decompositions and
/// compositions (shapers normalise text to what the font has), Thai and Lao SARA AM split into
/// NIKHAHIT and SARA AA (HarfBuzz's Thai shaper does that through `cmap`: without U+0E4D in the
/// subset, ำ lost its ring in Chromium), and the mirrored forms of brackets, which a
/// right-to-left run draws.
fn shaping_closure(chars: &BTreeSet<char>) -> BTreeSet<char> {
    use unicode_normalization::UnicodeNormalization as _;
    const MIRRORED: &str = "()[]{}<>«»‹›⁅⁆⁽⁾₍₎⟨⟩⟪⟫⦅⦆〈〉《》「」『』【】〔〕〖〗〘〙〚〛∈∋≤≥≪≫⊂⊃";
    let pairs: Vec<char> = MIRRORED.chars().collect();
    let mut all = chars.clone();
    for c in chars {
        all.extend(c.to_string().nfd());
        all.extend(c.to_string().nfc());
        match c {
            '\u{0E33}' => all.extend(['\u{0E4D}', '\u{0E32}']),
            '\u{0EB3}' => all.extend(['\u{0ECD}', '\u{0EB2}']),
            _ => {}
        }
        if let Some(at) = pairs.iter().position(|p| p == c) {
            all.insert(pairs[at ^ 1]);
        }
    }
    all
}

/// An outline sink that keeps nothing: only whether a glyph has an outline matters.
struct NoOutline;

impl ttf_parser::OutlineBuilder for NoOutline {
    fn move_to(&mut self, _: f32, _: f32) {}
    fn line_to(&mut self, _: f32, _: f32) {}
    fn quad_to(&mut self, _: f32, _: f32, _: f32, _: f32) {}
    fn curve_to(&mut self, _: f32, _: f32, _: f32, _: f32, _: f32, _: f32) {}
    fn close(&mut self) {}
}

/// A TrueType-outline font through skera, with layout closure (Arabic joining forms,
/// Devanagari conjuncts and Thai marks are reached through GSUB).
fn subset_glyf(font: &BundledFont, chars: &BTreeSet<char>) -> Result<Vec<u8>, String> {
    let face = FontRef::new(font.bytes).map_err(|e| format!("{}: {e}", font.family))?;
    let mut unicodes = IntSet::<u32>::empty();
    unicodes.extend(chars.iter().map(|c| *c as u32));
    let dropped: IntSet<Tag> = DROPPED_TABLES.iter().map(|tag| Tag::new(tag)).collect();
    let mut scripts = IntSet::<Tag>::empty();
    scripts.invert();
    let features: IntSet<Tag> = skera::DEFAULT_LAYOUT_FEATURES.iter().copied().collect();
    // The family and style names (ids 0–6: copyright, family, subfamily, unique id, full name,
    // version, PostScript name), in English, as hb-subset keeps by default; the licence's
    // copyright notice stays with the font.
    let mut names = IntSet::<NameId>::empty();
    names.insert_range(NameId::from(0)..=NameId::from(6));
    let mut languages = IntSet::<u16>::empty();
    languages.insert(0x0409);
    let plan = skera::Plan::new(
        &IntSet::<GlyphId>::empty(),
        &unicodes,
        &face,
        skera::SubsetFlags::SUBSET_FLAGS_NO_HINTING,
        &dropped,
        &scripts,
        &features,
        &names,
        &languages,
    );
    skera::subset_font(&face, &plan).map_err(|e| format!("{}: {e}", font.family))
}

/// A CFF-outline font (the CJK subset): subsetter cuts the outlines and metrics (keeping glyph
/// order, .notdef first), and the subset gets the `cmap` subsetter leaves out (it writes fonts
/// for PDF, which map characters themselves) and the original `OS/2`, both of which browsers'
/// font checks require. CJK text needs no layout closure to be drawn horizontally.
fn subset_cff(font: &BundledFont, chars: &BTreeSet<char>) -> Result<Vec<u8>, String> {
    use write_fonts::read::FontRef as WriteFontRef;
    let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", font.family);
    let original = ttf_parser::Face::parse(font.bytes, 0).map_err(|e| fail(&e))?;
    let mapped: Vec<(char, u16)> =
        chars.iter().filter_map(|c| original.glyph_index(*c).map(|glyph| (*c, glyph.0))).collect();
    let mut old: Vec<u16> = mapped.iter().map(|(_, glyph)| *glyph).chain([0]).collect();
    old.sort_unstable();
    old.dedup();
    let mut remapper = subsetter::GlyphRemapper::new();
    for glyph in &old {
        remapper.remap(*glyph);
    }
    let cut = subsetter::subset(font.bytes, 0, &remapper).map_err(|e| fail(&e))?;
    let cut_font = WriteFontRef::new(&cut).map_err(|e| fail(&e))?;
    let whole = WriteFontRef::new(font.bytes).map_err(|e| fail(&e))?;
    let cmap = cmap_table(mapped.iter().filter_map(|(c, glyph)| remapper.get(*glyph).map(|new| (*c, new))));
    let mut builder = write_fonts::FontBuilder::new();
    builder.add_raw(write_fonts::types::Tag::new(b"cmap"), cmap);
    for record in cut_font.table_directory.table_records() {
        if let Some(data) = cut_font.table_data(record.tag()) {
            builder.add_raw(record.tag(), data.as_bytes().to_vec());
        }
    }
    let os2 = write_fonts::types::Tag::new(b"OS/2");
    if let Some(data) = whole.table_data(os2) {
        builder.add_raw(os2, data.as_bytes().to_vec());
    }
    Ok(builder.build())
}

/// The subsets of the bundled fonts that draw `text` (see
/// [`crate::scene::fonts::chars_by_font`]), in fallback order.
pub fn subsets_for(text: &str) -> Result<Vec<FontSubset>, String> {
    crate::scene::fonts::chars_by_font([text]).into_iter().map(|(font, chars)| subset(font, &chars)).collect()
}

/// A `cmap` table for `mappings` (character, glyph): a Windows Unicode BMP subtable (format 4)
/// for the characters below U+10000 and a full-repertoire one (format 12) for all, one segment
/// or group per character (a subset maps a few hundred at most).
fn cmap_table(mappings: impl IntoIterator<Item = (char, u16)>) -> Vec<u8> {
    let mut mappings: Vec<(u32, u16)> = mappings.into_iter().map(|(c, glyph)| (c as u32, glyph)).collect();
    mappings.sort_unstable();
    mappings.dedup_by_key(|(c, _)| *c);
    let be16 = |out: &mut Vec<u8>, v: u16| out.extend_from_slice(&v.to_be_bytes());
    let be32 = |out: &mut Vec<u8>, v: u32| out.extend_from_slice(&v.to_be_bytes());
    // Format 4: segments of one character each, then the closing 0xFFFF segment.
    let bmp: Vec<(u16, u16)> = mappings
        .iter()
        .filter_map(|(c, glyph)| u16::try_from(*c).ok().filter(|c| *c != 0xFFFF).map(|c| (c, *glyph)))
        .collect();
    let segments = bmp.len() + 1;
    let mut format4 = Vec::new();
    let search = 2 * (1u16 << (usize::BITS - 1 - segments.leading_zeros()));
    let length = 16 + 8 * segments;
    for v in [
        4,
        length as u16,
        0,
        (2 * segments) as u16,
        search,
        search.trailing_zeros() as u16 - 1,
        (2 * segments) as u16 - search,
    ] {
        be16(&mut format4, v);
    }
    bmp.iter().map(|(c, _)| *c).chain([0xFFFF]).for_each(|c| be16(&mut format4, c));
    be16(&mut format4, 0);
    bmp.iter().map(|(c, _)| *c).chain([0xFFFF]).for_each(|c| be16(&mut format4, c));
    bmp.iter().map(|(c, glyph)| glyph.wrapping_sub(*c)).chain([1]).for_each(|delta| be16(&mut format4, delta));
    (0..segments).for_each(|_| be16(&mut format4, 0));
    // Format 12: one group per character.
    let mut format12 = Vec::new();
    be16(&mut format12, 12);
    be16(&mut format12, 0);
    be32(&mut format12, (16 + 12 * mappings.len()) as u32);
    be32(&mut format12, 0);
    be32(&mut format12, mappings.len() as u32);
    for (c, glyph) in &mappings {
        be32(&mut format12, *c);
        be32(&mut format12, *c);
        be32(&mut format12, u32::from(*glyph));
    }
    let mut table = Vec::new();
    be16(&mut table, 0);
    be16(&mut table, 2);
    let first = 4 + 2 * 8;
    for (encoding, offset) in [(1u16, first), (10, first + format4.len())] {
        be16(&mut table, 3);
        be16(&mut table, encoding);
        be32(&mut table, offset as u32);
    }
    table.extend(format4);
    table.extend(format12);
    table
}

/// Standard base64 (RFC 4648, with padding), for `data:` URLs.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_examples() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn a_subset_keeps_the_characters_asked_for_and_is_small() {
        let text = "Peer support 导师 مرحبا नमस्ते";
        let subsets = subsets_for(text).unwrap();
        let families: Vec<&str> = subsets.iter().map(|s| s.family).collect();
        assert_eq!(families, ["Ubuntu Light", "Noto Sans Arabic", "Noto Sans Devanagari", "Noto Sans CJK SC"]);
        for subset in &subsets {
            let face = ttf_parser::Face::parse(&subset.bytes, 0).unwrap();
            for c in
                text.chars().filter(|c| crate::scene::fonts::font_for(*c).is_some_and(|f| f.family == subset.family))
            {
                assert!(face.glyph_index(c).is_some(), "{} lost {c}", subset.family);
            }
            let whole = crate::scene::fonts::bundled().iter().find(|f| f.family == subset.family).unwrap().bytes.len();
            assert!(subset.bytes.len() * 4 < whole, "{}: {} of {whole} bytes", subset.family, subset.bytes.len());
        }
        // The CJK subset is CFF-flavoured OpenType; the others are TrueType.
        assert_eq!(subsets[3].format, "opentype");
        assert_eq!(subsets[1].format, "truetype");
        // The same text gives the same bytes.
        assert_eq!(subsets, subsets_for(text).unwrap());
    }

    #[test]
    fn thai_sara_am_brings_the_characters_a_shaper_splits_it_into() {
        let subset = subsets_for("การทำงาน").unwrap().remove(1);
        assert_eq!(subset.family, "Noto Sans Thai");
        let face = ttf_parser::Face::parse(&subset.bytes, 0).unwrap();
        for c in ['\u{0E4D}', '\u{0E32}'] {
            assert!(face.glyph_index(c).is_some(), "U+{:04X}", c as u32);
        }
        // A bracket in a right-to-left run is drawn with its mirror.
        let subset = subsets_for("«שלום»").unwrap().remove(0);
        let face = ttf_parser::Face::parse(&subset.bytes, 0).unwrap();
        assert!(face.glyph_index('«').is_some() && face.glyph_index('»').is_some());
    }

    #[test]
    fn arabic_keeps_its_joining_forms() {
        // The isolated letters map through cmap; the initial, medial and final forms are reached
        // only through GSUB, so a subset without layout closure draws unjoined letters.
        let whole = ttf_parser::Face::parse(crate::scene::fonts::script_fonts()[0].bytes, 0).unwrap();
        let subset = subsets_for("مرحبا").unwrap().remove(1);
        let face = ttf_parser::Face::parse(&subset.bytes, 0).unwrap();
        let cmapped = "مرحبا".chars().collect::<BTreeSet<_>>().len();
        assert!(
            usize::from(face.number_of_glyphs()) > cmapped + 1,
            "{} glyphs for {cmapped} letters (the whole font has {})",
            face.number_of_glyphs(),
            whole.number_of_glyphs()
        );
        assert!(face.tables().gsub.is_some());
    }
}
