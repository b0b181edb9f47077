//! Text in every script, decided once for every output: where lines may break (the Unicode
//! line-breaking algorithm, UAX #14, so Chinese and Japanese break between characters and no
//! line starts with a closing mark), which way a paragraph runs (its first strong character,
//! UAX #9 rules P2–P3), and the order in which the pieces of a line are drawn (the Unicode
//! bidirectional algorithm, applied per line after wrapping).
//!
//! egui shapes text with harfrust, one run per font, and guesses each run's direction from its
//! script: an Arabic word given in logical order comes out joined and right to left, but runs
//! are placed left to right in the order of the string, so a line of several Arabic words, or
//! English inside Arabic, comes out in the wrong order. [`visual_pieces`] splits such a line
//! into the pieces to draw from left to right, each in logical order, so each is shaped on its
//! own and the line reads right.

use std::ops::Range;

use unicode_bidi::{BidiClass, BidiInfo, Level, bidi_class};
use unicode_linebreak::{BreakClass, break_property, linebreaks};
use unicode_segmentation::UnicodeSegmentation as _;

use super::TextMeasure;

/// A line of wrapped text and the direction of the paragraph it comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrappedLine {
    /// The line in logical (typed) order, without the spaces it was broken at.
    pub text: String,
    /// Whether its paragraph runs right to left.
    pub rtl: bool,
}

/// Whether `c` is a right-to-left letter or an explicit right-to-left mark or embedding.
fn is_rtl_char(c: char) -> bool {
    matches!(bidi_class(c), BidiClass::R | BidiClass::AL | BidiClass::RLE | BidiClass::RLO | BidiClass::RLI)
}

/// Whether `text` holds anything that runs right to left (a cheap test that lets Latin, CJK
/// and other left-to-right text skip the bidirectional algorithm).
pub fn has_rtl(text: &str) -> bool {
    // Everything below U+0590 (Latin, Greek, Cyrillic, Armenian…) is left to right or neutral.
    text.chars().any(|c| c >= '\u{0590}' && is_rtl_char(c))
}

/// Whether a paragraph runs right to left: its first strong character is Hebrew, Arabic or
/// another right-to-left script (rules P2–P3). A paragraph with none runs left to right.
pub fn paragraph_is_rtl(paragraph: &str) -> bool {
    has_rtl(paragraph) && unicode_bidi::get_base_direction(paragraph) == unicode_bidi::Direction::Rtl
}

/// Greedy line wrapping at `max_width`, breaking only where UAX #14 allows (spaces, between
/// CJK characters, after hyphens…). Runs of white space become one space. A piece that cannot
/// be broken and is wider than the line stays whole, except text in scripts written without
/// spaces whose words need a dictionary (Thai, Lao, Khmer, Myanmar), which is broken between
/// grapheme clusters rather than run past the line.
pub fn wrap(text: &str, font_size: f32, max_width: f32, measure: &dyn TextMeasure) -> Vec<WrappedLine> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let rtl = paragraph_is_rtl(paragraph);
        let normalized = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
        let fits = |line: &str| measure.line_width(line.trim_end(), font_size) <= max_width;
        let push = |line: &str, lines: &mut Vec<WrappedLine>| {
            lines.push(WrappedLine { text: line.trim_end().to_owned(), rtl });
        };
        let mut line = String::new();
        let mut start = 0;
        for end in break_positions(&normalized) {
            let Some(segment) = normalized.get(start..end) else {
                continue;
            };
            start = end;
            if line.is_empty() || fits(&format!("{line}{segment}")) {
                line.push_str(segment);
            } else {
                push(&line, &mut lines);
                line = segment.to_owned();
            }
            if !fits(&line) && needs_dictionary(&line) {
                // Break between grapheme clusters; the last part carries on.
                let mut part = String::new();
                for grapheme in std::mem::take(&mut line).graphemes(true) {
                    if !part.is_empty() && !fits(&format!("{part}{grapheme}")) {
                        push(&part, &mut lines);
                        part.clear();
                    }
                    part.push_str(grapheme);
                }
                line = part;
            }
        }
        push(&line, &mut lines);
    }
    lines
}

/// Where lines may end in `text` (byte offsets, the end of the text last): UAX #14, and inside
/// Thai, Lao, Khmer and Myanmar text between its words as ICU4X's dictionaries find them
/// (UAX #14 alone leaves those breaks to a dictionary, and without one a Thai line broke in the
/// middle of a word). Text without such characters skips the dictionary.
fn break_positions(text: &str) -> Vec<usize> {
    if needs_dictionary(text) {
        static SEGMENTER: std::sync::LazyLock<icu_segmenter::LineSegmenterBorrowed<'static>> =
            std::sync::LazyLock::new(|| icu_segmenter::LineSegmenter::new_dictionary(Default::default()));
        SEGMENTER.segment_str(text).filter(|&at| at > 0).collect()
    } else {
        linebreaks(text).map(|(at, _)| at).collect()
    }
}

/// Whether `text` holds characters whose line breaks UAX #14 leaves to a dictionary (class SA).
fn needs_dictionary(text: &str) -> bool {
    text.chars().any(|c| c > '\u{0E00}' && break_property(c as u32) == BreakClass::ComplexContext)
}

/// The pieces of one line in the order they are drawn from left to right, for a line in a
/// paragraph running right to left (`rtl`) or left to right. Each piece is in logical order and
/// is to be shaped on its own: right-to-left letters (with their marks) are reversed by the
/// shaper itself; neutral characters between them (spaces, punctuation) come as pieces of their
/// own, brackets mirrored. `None` when the line has nothing right to left (draw it whole).
pub fn visual_pieces(line: &str, rtl: bool) -> Option<Vec<String>> {
    if !rtl && !has_rtl(line) {
        return None;
    }
    let base = if rtl { Level::rtl() } else { Level::ltr() };
    let info = BidiInfo::new(line, Some(base));
    let mut pieces = Vec::new();
    for paragraph in &info.paragraphs {
        let (levels, runs) = info.visual_runs(paragraph, paragraph.range.clone());
        for run in runs {
            let Some(level) = levels.get(run.start) else {
                continue;
            };
            if level.is_ltr() {
                if let Some(text) = line.get(run.clone()) {
                    pieces.push(text.to_owned());
                }
            } else {
                let mut segments = rtl_segments(line, run);
                segments.reverse();
                pieces.extend(segments);
            }
        }
    }
    Some(pieces)
}

/// A right-to-left run split into what the shaper may take whole: maximal sequences of
/// right-to-left letters and their marks, and every other character on its own (mirrored where
/// it is a bracket), in logical order.
fn rtl_segments(line: &str, run: Range<usize>) -> Vec<String> {
    let Some(text) = line.get(run) else {
        return Vec::new();
    };
    let mut segments: Vec<String> = Vec::new();
    let mut letters = String::new();
    for c in text.chars() {
        let joins = matches!(bidi_class(c), BidiClass::R | BidiClass::AL | BidiClass::NSM | BidiClass::BN);
        if joins {
            letters.push(c);
        } else {
            if !letters.is_empty() {
                segments.push(std::mem::take(&mut letters));
            }
            segments.push(mirrored(c).to_string());
        }
    }
    if !letters.is_empty() {
        segments.push(letters);
    }
    segments
}

/// The mirror image of a bracket or similar paired character drawn right to left (the common
/// pairs of Unicode's BidiMirroring list).
fn mirrored(c: char) -> char {
    match c {
        '(' => ')',
        ')' => '(',
        '[' => ']',
        ']' => '[',
        '{' => '}',
        '}' => '{',
        '<' => '>',
        '>' => '<',
        '«' => '»',
        '»' => '«',
        '‹' => '›',
        '›' => '‹',
        '⁅' => '⁆',
        '⁆' => '⁅',
        '〈' => '〉',
        '〉' => '〈',
        other => other,
    }
}

/// The form of `text` that search compares: Unicode full case folding (so "STRASSE" finds
/// "Straße", "ΣΟΦΟΣ" finds "σοφός" with its final sigma, and "İstanbul" finds "istanbul"),
/// composed or decomposed accents alike (NFC). With `match_accents` off, accents and other
/// diacritics are dropped too (é = e, ﬁ = fi, full-width Ａ = a, Arabic short vowels and Hebrew
/// points ignored), but the vowel signs of Indic and Thai scripts, which are letters' parts,
/// are kept.
pub fn search_key(text: &str, match_accents: bool) -> String {
    use unicode_normalization::UnicodeNormalization as _;
    // Without Turkish rules İ folds to "i" and a combining dot; the dot would stop "istanbul".
    let dotted: String = text.chars().map(|c| if c == 'İ' { 'i' } else { c }).collect();
    let folded = caseless::default_case_fold_str(&dotted);
    if match_accents {
        return folded.nfc().collect();
    }
    folded
        .nfkd()
        .filter(|c| !is_diacritic(*c))
        .map(|c| if c == 'ı' { 'i' } else { c })
        .collect::<String>()
        .nfc()
        .collect()
}

/// Combining marks that are accents rather than parts of letters.
fn is_diacritic(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'   // combining diacritical marks (Latin, Greek, Cyrillic)
        | '\u{0483}'..='\u{0489}' // Cyrillic
        | '\u{0591}'..='\u{05C7}' // Hebrew points and cantillation
        | '\u{064B}'..='\u{065F}' // Arabic harakat
        | '\u{0670}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// Whether every word of `query` occurs in `haystack`, both compared by [`search_key`]
/// (`haystack` already keyed).
pub fn matches_all_words(keyed_haystack: &str, query: &str, match_accents: bool) -> bool {
    search_key(query, match_accents).split_whitespace().all(|word| keyed_haystack.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::ApproxMeasure;

    fn texts(lines: &[WrappedLine]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn chinese_and_japanese_wrap_between_characters() {
        let text = "导师帮助我在工作与生活之间找到平衡";
        let lines = wrap(text, 14.0, 14.0 * 0.52 * 6.0, &ApproxMeasure);
        assert!(lines.len() >= 3, "{lines:?}");
        assert_eq!(texts(&lines).concat(), text);
        // No line may start with a closing mark such as 。 or 」.
        let japanese = "「先生のおかげで、自信が持てるようになりました。」";
        let lines = wrap(japanese, 14.0, 14.0 * 0.52 * 5.0, &ApproxMeasure);
        assert_eq!(texts(&lines).concat(), japanese);
        for line in &lines {
            let first = line.text.chars().next().unwrap_or(' ');
            assert!(!"、。」".contains(first), "{lines:?}");
        }
    }

    #[test]
    fn latin_wraps_at_spaces_as_before() {
        let lines = wrap("Relationships with colleagues and networking", 14.0, 150.0, &ApproxMeasure);
        assert_eq!(texts(&lines), ["Relationships with", "colleagues and", "networking"]);
    }

    #[test]
    fn thai_without_spaces_does_not_run_past_the_line() {
        let text = "การให้คำปรึกษาช่วยให้แพทย์มีความมั่นใจมากขึ้น";
        let width = 14.0 * 0.52 * 10.0;
        let lines = wrap(text, 14.0, width, &ApproxMeasure);
        assert!(lines.len() > 1);
        assert_eq!(texts(&lines).concat(), text);
        assert!(lines.iter().all(|l| ApproxMeasure.line_width(&l.text, 14.0) <= width));
    }

    #[test]
    fn thai_breaks_between_words_not_inside_them() {
        // "Mentoring helps doctors feel more confident": no spaces between the words. UAX #14
        // alone broke it anywhere (a line once ended in the middle of กับ, "with").
        let text = "การให้คำปรึกษาช่วยให้แพทย์มีความมั่นใจมากขึ้น";
        let words = ["การ", "ให้", "คำ", "ปรึกษา", "ช่วย", "ให้", "แพทย์", "มี", "ความ", "มั่นใจ", "มาก", "ขึ้น"];
        let mut boundaries = vec![0];
        for word in words {
            boundaries.push(boundaries.last().copied().unwrap_or(0) + word.len());
        }
        assert_eq!(boundaries.last(), Some(&text.len()));
        for chars in [8.0, 10.0, 14.0, 20.0] {
            let lines = wrap(text, 14.0, 14.0 * 0.52 * chars, &ApproxMeasure);
            assert!(lines.len() > 1, "{lines:?}");
            assert_eq!(texts(&lines).concat(), text);
            let mut end = 0;
            for line in &lines {
                end += line.text.len();
                assert!(boundaries.contains(&end), "a line ends inside a word at {chars} characters: {lines:?}");
            }
        }
    }

    #[test]
    fn paragraph_direction_comes_from_the_first_strong_character() {
        assert!(paragraph_is_rtl("שלום world"));
        assert!(paragraph_is_rtl("123 مرحبا"));
        assert!(!paragraph_is_rtl("NHS مرحبا"));
        assert!(!paragraph_is_rtl("导师"));
    }

    #[test]
    fn right_to_left_words_are_drawn_in_reverse_order_each_word_whole() {
        // Two Arabic words: the second is drawn at the left, each shaped in logical order.
        let pieces = visual_pieces("مرحبا بالعالم", true).unwrap_or_default();
        assert_eq!(pieces, ["بالعالم", " ", "مرحبا"]);
        // An English name and a number inside Hebrew keep their own order.
        let pieces = visual_pieces("הקוד Peer support מופיע 12 פעמים", true).unwrap_or_default();
        assert_eq!(pieces, ["פעמים", " ", "12", " ", "מופיע", " ", "Peer support", " ", "הקוד"]);
        // Punctuation after a word goes to its left; brackets are mirrored.
        let pieces = visual_pieces("كلمة، (نص)", true).unwrap_or_default();
        assert_eq!(pieces, ["(", "نص", ")", " ", "،", "كلمة"]);
        // Left-to-right text needs nothing.
        assert!(visual_pieces("Peer support 导师", false).is_none());
    }

    #[test]
    fn search_folds_case_by_unicode_rules() {
        let key = |t: &str| search_key(t, true);
        assert!(key("Straße").contains(&key("STRASSE")));
        assert_eq!(key("ΣΟΦΟΣ"), key("σοφός").replace('ό', "ο"));
        assert!(key("İstanbul'da").contains(&key("istanbul")));
        assert!(key("Mentoría").contains(&key("MENTORÍA")));
        // Composed and decomposed accents are the same text.
        assert_eq!(key("e\u{301}"), key("é"));
        // With accents matched, é is not e; with accents ignored it is.
        assert!(!key("Mentoría").contains(&key("mentoria")));
        assert!(search_key("Mentoría", false).contains(&search_key("MENTORIA", false)));
        assert!(search_key("ＡＢＣ ﬁne", false).contains("abc fine"));
        // Arabic short vowels are ignored with accents; Devanagari vowel signs never are.
        assert_eq!(search_key("مُرْشِد", false), "مرشد");
        assert_eq!(search_key("नमस्ते", false), "नमस्ते");
        assert!(matches_all_words(&search_key("Наставник помог мне", true), "НАСТАВНИК мне", true));
    }

    #[test]
    fn arabic_inside_an_english_line_is_reversed_in_place() {
        let pieces = visual_pieces("Code: مرحبا بالعالم here", false).unwrap_or_default();
        assert_eq!(pieces, ["Code: ", "بالعالم", " ", "مرحبا", " here"]);
    }
}
