//! Where coded positions fall in a source text, as each tool counts them.
//!
//! A REFI-QDA selection gives `startPosition` and `endPosition` in "characters", but tools count
//! differently, and nothing in the file says how:
//! - NVivo on Windows counts UTF-16 code units (an emoji counts as two), as .NET strings do; a
//!   public REFI-QDA library simulates NVivo's positions by counting every character above
//!   U+FFFF twice, and QualCoder's issues #37 and #106 report NVivo projects whose codings start
//!   and end mid-word after import;
//! - some count the text with its line ends as CRLF (two) while the archive's text has LF, or the
//!   other way round;
//! - some count a byte-order mark at the start of the text, some do not;
//! - tools written in languages whose strings are bytes count UTF-8 bytes.
//!
//! So for each source, every counting is tried and the evidence in the file decides: whether
//! each position lands on a character at all, whether selections start and end on word
//! boundaries, and whether any text the project stores for a selection (its name) agrees with
//! the excerpt. The tool named in the project's `origin` only breaks ties, since re-writers keep
//! it. The result says how sure it is; when no counting gives clean boundaries the excerpts are
//! flagged rather than silently sliced.

use std::collections::HashMap;
use std::fmt;

use unicode_segmentation::{GraphemeCursor, UnicodeSegmentation as _};

/// The unit positions are counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    /// Unicode code points (Python, Rust `char`s).
    CodePoints,
    /// UTF-16 code units (.NET, Java, JavaScript): a character above U+FFFF counts as two.
    Utf16,
    /// UTF-8 bytes.
    Utf8Bytes,
}

impl Unit {
    fn of(self, c: char) -> usize {
        match self {
            Self::CodePoints => 1,
            Self::Utf16 => c.len_utf16(),
            Self::Utf8Bytes => c.len_utf8(),
        }
    }
}

/// How line ends were counted, relative to the text as it is in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LineEnds {
    /// As they are in the text.
    AsGiven,
    /// Each CRLF counted as one character (the tool had LF line ends).
    CrlfAsOne,
    /// Each lone LF counted as two characters (the tool had CRLF line ends).
    LfAsTwo,
}

/// One way of counting positions in a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Counting {
    /// The unit.
    pub unit: Unit,
    /// Line ends.
    pub line_ends: LineEnds,
    /// Whether the tool's count includes a byte-order mark at the start that differs from the
    /// text as read: `-1`, the text has one the tool did not count; `1`, the tool counted one the
    /// text lacks; `0`, as the text is.
    pub bom: i8,
}

impl Counting {
    /// Code points over the text as given: what the REFI-QDA standard describes.
    pub const STANDARD: Self = Self { unit: Unit::CodePoints, line_ends: LineEnds::AsGiven, bom: 0 };

    /// How NVivo (Windows, .NET) counts: UTF-16 code units over CRLF text.
    pub const NVIVO: Self = Self { unit: Unit::Utf16, line_ends: LineEnds::LfAsTwo, bom: 0 };

    fn all() -> Vec<Self> {
        let mut all = Vec::with_capacity(18);
        for unit in [Unit::CodePoints, Unit::Utf16, Unit::Utf8Bytes] {
            for line_ends in [LineEnds::AsGiven, LineEnds::CrlfAsOne, LineEnds::LfAsTwo] {
                for bom in [0, -1, 1] {
                    all.push(Self { unit, line_ends, bom });
                }
            }
        }
        all
    }

    /// The counting a tool is known to use, from the project's `origin` attribute.
    pub fn hint_from_origin(origin: &str) -> Option<Self> {
        let origin = origin.to_ascii_lowercase();
        if origin.contains("nvivo") {
            Some(Self::NVIVO)
        } else if origin.contains("atlas") || origin.contains("maxqda") || origin.contains("qualcoder") {
            Some(Self::STANDARD)
        } else {
            None
        }
    }
}

impl fmt::Display for Counting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.unit {
            Unit::CodePoints => "characters (code points)",
            Unit::Utf16 => "UTF-16 code units (an emoji counts as two)",
            Unit::Utf8Bytes => "UTF-8 bytes",
        })?;
        match self.line_ends {
            LineEnds::AsGiven => {}
            LineEnds::CrlfAsOne => f.write_str(", CRLF line ends counted as one")?,
            LineEnds::LfAsTwo => f.write_str(", line ends counted as two (CRLF)")?,
        }
        match self.bom {
            -1 => f.write_str(", the text's byte-order mark not counted"),
            1 => f.write_str(", a byte-order mark counted before the text"),
            _ => Ok(()),
        }
    }
}

/// How sure the detection is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// No counting gives clean boundaries, or two give different excerpts equally well: the
    /// excerpts are flagged "positions uncertain".
    Uncertain,
    /// One counting fits clearly better than any that gives other excerpts.
    Sure,
    /// Every counting that places the selections gives the same excerpts (e.g. ASCII text
    /// without line-end differences), or the project's own excerpt texts agree.
    Certain,
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Uncertain => "uncertain",
            Self::Sure => "sure",
            Self::Certain => "certain",
        })
    }
}

/// The outcome for one source.
#[derive(Clone, Debug)]
pub struct Detection {
    /// The counting chosen.
    pub counting: Counting,
    /// For each selection, its byte range in the text, if its positions land in it.
    pub spans: Vec<Option<(usize, usize)>>,
    /// How sure.
    pub confidence: Confidence,
    /// Selections whose two ends both fall on word boundaries.
    pub clean: usize,
    /// Selections whose stored text (name) agrees with the excerpt, of those that have one.
    pub named: (usize, usize),
    /// Whether the chosen counting gives other excerpts than the standard one.
    pub differs_from_standard: bool,
}

impl Detection {
    /// One line for the import report.
    pub fn describe(&self, total: usize) -> String {
        let landed = self.spans.iter().filter(|s| s.is_some()).count();
        let mut line = format!("positions counted in {}", self.counting);
        if let Some(tool) = match self.counting {
            Counting::NVIVO => Some("NVivo"),
            _ => None,
        } {
            line.push_str(&format!(" (as {tool} counts)"));
        }
        line.push_str(&format!("; {} of {total} selections start and end on word boundaries", self.clean));
        if self.named.1 > 0 {
            line.push_str(&format!(", {} of {} agree with the text stored for them", self.named.0, self.named.1));
        }
        if landed < total {
            line.push_str(&format!(", {} lie outside the text", total - landed));
        }
        line.push_str(&format!(" — {}", self.confidence));
        line
    }
}

/// One selection: its positions as the file gives them, and any text the file stores for it
/// (a selection's name is often the start of its text).
#[derive(Clone, Copy, Debug)]
pub struct Selection<'a> {
    /// Start position, as counted by the tool.
    pub start: usize,
    /// End position.
    pub end: usize,
    /// Stored text, or "".
    pub stored: &'a str,
}

/// Skips the wanted counts below `count` (they fell inside a character) and takes `count`
/// itself if it is wanted next.
fn reached(wanted: &mut std::iter::Peekable<impl Iterator<Item = usize>>, count: usize) -> bool {
    while wanted.next_if(|w| *w < count).is_some() {}
    wanted.next_if_eq(&count).is_some()
}

/// Maps each wanted count to a byte offset in `text`, for one unit and way of counting line
/// ends. A count that falls inside a character (between the two halves of a surrogate pair, or
/// inside a UTF-8 sequence) maps to nothing. A count between a virtual CR and its LF maps to the
/// LF; a count that a CR counted as nothing shares with the character before maps to the first.
fn offsets(text: &str, unit: Unit, line_ends: LineEnds, wanted: &[usize]) -> HashMap<usize, usize> {
    let mut map = HashMap::with_capacity(wanted.len());
    let mut wanted = wanted.iter().copied().peekable();
    let mut count = 0usize;
    let mut previous = '\0';
    let mut chars = text.char_indices().peekable();
    while let Some((byte, c)) = chars.next() {
        if reached(&mut wanted, count) {
            map.entry(count).or_insert(byte);
        }
        let next_is_lf = chars.peek().is_some_and(|(_, n)| *n == '\n');
        let units = match line_ends {
            LineEnds::CrlfAsOne if c == '\r' && next_is_lf => 0,
            LineEnds::LfAsTwo if c == '\n' && previous != '\r' => {
                // The virtual CR: the count after it is the LF's own start.
                if wanted.peek() == Some(&(count + 1)) {
                    map.entry(count + 1).or_insert(byte);
                    wanted.next();
                }
                count += 1;
                unit.of('\n')
            }
            _ => unit.of(c),
        };
        count += units;
        previous = c;
        if wanted.peek().is_none() {
            return map;
        }
    }
    if reached(&mut wanted, count) {
        map.insert(count, text.len());
    }
    map
}

/// Whether a selection may start or end at byte `at`: a grapheme boundary that is not inside a
/// word (a word boundary by the Unicode rules, so a position between two ideographs is clean
/// but one inside a Latin word is not).
fn clean_boundary(text: &str, at: usize) -> bool {
    if at == 0 || at >= text.len() {
        return true;
    }
    if !text.is_char_boundary(at) {
        return false;
    }
    let mut cursor = GraphemeCursor::new(at, text.len(), true);
    if !cursor.is_boundary(text, 0).unwrap_or(false) {
        return false;
    }
    let before = text[..at].chars().next_back();
    let after = text[at..].chars().next();
    let wordy = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    if !wordy(before) || !wordy(after) {
        return true;
    }
    // Both sides are letters or digits: ask the word-boundary rules on a window around `at`.
    let mut from = at.saturating_sub(48);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = (at + 48).min(text.len());
    while !text.is_char_boundary(to) {
        to += 1;
    }
    text[from..to].split_word_bound_indices().any(|(i, _)| from + i == at)
}

/// Folds text for comparing an excerpt with the text a project stores for it: white space runs
/// become one space, a trailing ellipsis (a shortened name) goes.
fn fold(text: &str) -> String {
    let text = text.trim().trim_end_matches('…').trim_end_matches("...");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `stored` (a selection's name) is the start of `excerpt`. Names shorter than four
/// characters, or that look like labels ("line:6", "Quotation 3"), say nothing.
fn agrees(excerpt: &str, stored: &str) -> Option<bool> {
    let stored = fold(stored);
    if stored.chars().count() < 4 {
        return None;
    }
    let excerpt = fold(excerpt);
    let head: String = stored.chars().take(40).collect();
    Some(excerpt.starts_with(&head) || (!excerpt.is_empty() && excerpt.len() >= 4 && head.starts_with(&excerpt)))
}

struct Candidate {
    counting: Counting,
    spans: Vec<Option<(usize, usize)>>,
    landed: usize,
    clean: usize,
    /// Clean, and neither starting nor ending with white space (tools select from the first
    /// letter to the last; a counting one character off often still lands beside a space).
    tight: usize,
    named: usize,
}

/// Decides how `selections` count positions in `text`. `hint` (from the tool named in the
/// file) only breaks ties.
pub fn detect(text: &str, selections: &[Selection<'_>], hint: Option<Counting>) -> Detection {
    let bom_in_text = text.starts_with('\u{feff}');
    // Every count wanted by any counting: the positions, shifted by a byte-order mark's units.
    let mut wanted: Vec<usize> = Vec::with_capacity(selections.len() * 4);
    for s in selections {
        for p in [s.start, s.end] {
            wanted.push(p);
            for units in [1, 3] {
                wanted.push(p.saturating_add(units));
                if let Some(q) = p.checked_sub(units) {
                    wanted.push(q);
                }
            }
        }
    }
    wanted.sort_unstable();
    wanted.dedup();

    let mut maps: HashMap<(Unit, LineEnds), HashMap<usize, usize>> = HashMap::new();
    // A stored text counts as evidence only where it agrees with the excerpt under some
    // counting: names that are labels ("line:6", "Quotation 3") agree under none.
    let mut agrees_somewhere = vec![false; selections.len()];
    let mut candidates: Vec<Candidate> = Vec::new();
    for counting in Counting::all() {
        // A byte-order mark can only be uncounted where the text has one, and only counted
        // where it has none.
        match counting.bom {
            -1 if !bom_in_text => continue,
            1 if bom_in_text => continue,
            _ => {}
        }
        let map = maps
            .entry((counting.unit, counting.line_ends))
            .or_insert_with(|| offsets(text, counting.unit, counting.line_ends, &wanted));
        let bom_units = counting.unit.of('\u{feff}');
        let shift = |p: usize| match counting.bom {
            -1 => p.checked_add(bom_units),
            1 => p.checked_sub(bom_units),
            _ => Some(p),
        };
        let mut candidate = Candidate {
            counting,
            spans: Vec::with_capacity(selections.len()),
            landed: 0,
            clean: 0,
            tight: 0,
            named: 0,
        };
        for (index, s) in selections.iter().enumerate() {
            let span = match (shift(s.start).and_then(|p| map.get(&p)), shift(s.end).and_then(|p| map.get(&p))) {
                (Some(&from), Some(&to)) if from <= to => Some((from, to)),
                _ => None,
            };
            if let Some((from, to)) = span {
                candidate.landed += 1;
                if clean_boundary(text, from) && clean_boundary(text, to) {
                    candidate.clean += 1;
                    let first = text[from..].chars().next();
                    let last = text[..to].chars().next_back();
                    if from < to && !first.is_some_and(char::is_whitespace) && !last.is_some_and(char::is_whitespace) {
                        candidate.tight += 1;
                    }
                }
                if agrees(&text[from..to], s.stored) == Some(true) {
                    candidate.named += 1;
                    agrees_somewhere[index] = true;
                }
            }
            candidate.spans.push(span);
        }
        candidates.push(candidate);
    }

    let with_stored = agrees_somewhere.iter().filter(|a| **a).count();
    let key = |c: &Candidate| {
        (c.named, c.clean, c.tight, c.landed, hint == Some(c.counting), c.counting == Counting::STANDARD)
    };
    let best = candidates.iter().enumerate().max_by_key(|(i, c)| (key(c), std::cmp::Reverse(*i))).map_or(0, |(i, _)| i);
    let winner = &candidates[best];
    // The best counting that gives other excerpts than the winner.
    let rival = candidates
        .iter()
        .filter(|c| c.spans != winner.spans && c.landed > 0)
        .max_by_key(|c| (c.named, c.clean, c.tight, c.landed));
    let total = selections.len().max(1);
    let confidence = if with_stored > 0 && winner.named * 10 >= with_stored * 9 {
        Confidence::Certain
    } else {
        let (rival_named, rival_clean, rival_tight) = rival.map_or((0, 0, 0), |r| (r.named, r.clean, r.tight));
        let margin = (total / 10).max(1);
        let ahead = rival.is_none()
            || winner.named > rival_named
            || winner.clean >= rival_clean + margin
            || (winner.clean >= rival_clean && winner.tight >= rival_tight + margin);
        if !ahead || winner.clean * 2 < total {
            Confidence::Uncertain
        } else if winner.tight == winner.landed && rival_clean * 2 <= winner.clean {
            // Every selection clean, and no other counting comes close.
            Confidence::Certain
        } else {
            Confidence::Sure
        }
    };
    let standard = candidates.iter().find(|c| c.counting == Counting::STANDARD);
    Detection {
        counting: winner.counting,
        differs_from_standard: standard.is_some_and(|s| s.spans != winner.spans),
        spans: winner.spans.clone(),
        confidence,
        clean: winner.clean,
        named: (winner.named, with_stored),
    }
}

/// Encodes positions for tests and fixtures: the count of `text[..byte]` under `counting`.
pub fn count_to(text: &str, byte: usize, counting: Counting) -> usize {
    let head = &text[..byte];
    let mut count = 0usize;
    let mut previous = '\0';
    let mut chars = head.chars().peekable();
    while let Some(c) = chars.next() {
        let next_is_lf = chars.peek() == Some(&'\n') || (chars.peek().is_none() && text[byte..].starts_with('\n'));
        count += match counting.line_ends {
            LineEnds::CrlfAsOne if c == '\r' && next_is_lf => 0,
            LineEnds::LfAsTwo if c == '\n' && previous != '\r' => 1 + counting.unit.of('\n'),
            _ => counting.unit.of(c),
        };
        previous = c;
    }
    match counting.bom {
        -1 => count.saturating_sub(counting.unit.of('\u{feff}')),
        1 => count + counting.unit.of('\u{feff}'),
        _ => count,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A text with emoji, accents, CJK and CRLF line ends, and selections of whole phrases.
    fn sample() -> (String, Vec<&'static str>) {
        let text = "Interviewer: How did mentoring feel? 😊\r\n\
                    P1: Honestly 👍 it gave me confidence — I felt listened to.\r\n\
                    P1: Später sagte ich: Übung macht den Meister 🙂 und 信心 grew.\r\n\
                    P1: My mentor 👩‍⚕️ helped me with the rota and the stress.\r\n"
            .to_owned();
        (
            text,
            vec![
                "it gave me confidence",
                "I felt listened to",
                "Übung macht den Meister",
                "信心",
                "helped me with the rota",
                "the stress",
            ],
        )
    }

    fn selections_for(text: &str, phrases: &[&str], counting: Counting) -> Vec<(usize, usize)> {
        phrases
            .iter()
            .map(|p| {
                let from = text.find(p).unwrap_or(0);
                (count_to(text, from, counting), count_to(text, from + p.len(), counting))
            })
            .collect()
    }

    fn check(text: &str, phrases: &[&str], counting: Counting, hint: Option<Counting>) -> Detection {
        let positions = selections_for(text, phrases, counting);
        let selections: Vec<Selection<'_>> =
            positions.iter().map(|(start, end)| Selection { start: *start, end: *end, stored: "" }).collect();
        let detection = detect(text, &selections, hint);
        for (span, phrase) in detection.spans.iter().zip(phrases) {
            let (from, to) = span.unwrap_or((0, 0));
            assert_eq!(&text[from..to], *phrase, "counted as {counting}, detected {}", detection.counting);
        }
        detection
    }

    #[test]
    fn every_counting_is_recognised_from_word_boundaries() {
        let (text, phrases) = sample();
        let lf = text.replace("\r\n", "\n");
        for counting in Counting::all() {
            for base in [&text, &lf] {
                if counting.bom == -1 {
                    continue;
                }
                let detection = check(base, &phrases, counting, None);
                assert!(detection.confidence >= Confidence::Sure, "{counting}: {}", detection.describe(phrases.len()));
            }
        }
        let with_bom = format!("\u{feff}{lf}");
        let detection = check(&with_bom, &phrases, Counting { bom: -1, ..Counting::NVIVO }, None);
        assert!(detection.confidence >= Confidence::Sure);
    }

    #[test]
    fn nvivo_positions_in_crlf_free_text_are_read_as_utf16() {
        let (text, phrases) = sample();
        let lf = text.replace("\r\n", "\n");
        let detection = check(&lf, &phrases, Counting::NVIVO, Some(Counting::NVIVO));
        assert_eq!(detection.counting.unit, Unit::Utf16);
        assert!(detection.differs_from_standard);
        assert!(detection.describe(phrases.len()).contains("UTF-16"), "{}", detection.describe(phrases.len()));
    }

    #[test]
    fn ascii_text_is_certain_whatever_the_unit() {
        let text = "We talked about the rota. Then about confidence and stress.";
        let detection = check(text, &["the rota", "confidence and stress"], Counting::STANDARD, None);
        assert_eq!(detection.confidence, Confidence::Certain);
        assert!(!detection.differs_from_standard);
    }

    #[test]
    fn positions_that_fit_no_counting_are_uncertain() {
        let text = "abcdefghij klmnopqrst uvwxyzabcd efghijklmn 😀 opqrstuvwx";
        // Mid-word in every counting.
        let selections = [Selection { start: 3, end: 7, stored: "" }, Selection { start: 13, end: 18, stored: "" }];
        let detection = detect(text, &selections, None);
        assert_eq!(detection.confidence, Confidence::Uncertain);
    }

    #[test]
    fn stored_names_decide_and_labels_say_nothing() {
        let (text, phrases) = sample();
        let positions = selections_for(&text, &phrases, Counting::NVIVO);
        let selections: Vec<Selection<'_>> = positions
            .iter()
            .zip(&phrases)
            .map(|((start, end), phrase)| Selection { start: *start, end: *end, stored: phrase })
            .collect();
        let detection = detect(&text, &selections, None);
        assert_eq!(detection.confidence, Confidence::Certain);
        let long = phrases.iter().filter(|p| p.chars().count() >= 4).count();
        assert_eq!(detection.named, (long, long), "names shorter than four characters say nothing");
        // Labels agree with no counting's excerpt, so they are no evidence either way.
        let labels: Vec<Selection<'_>> = positions
            .iter()
            .enumerate()
            .map(|(i, (start, end))| Selection { start: *start, end: *end, stored: ["line:6", "Quotation 3"][i % 2] })
            .collect();
        assert_eq!(detect(&text, &labels, None).named, (0, 0));
        assert_eq!(agrees("the rota and more", "the rota a…"), Some(true));
    }

    #[test]
    fn positions_inside_a_surrogate_pair_or_past_the_end_land_nowhere() {
        let text = "a😀b";
        let map = offsets(text, Unit::Utf16, LineEnds::AsGiven, &[0, 1, 2, 3, 4, 9]);
        assert_eq!(map.get(&1), Some(&1));
        assert_eq!(map.get(&2), None, "inside the pair");
        assert_eq!(map.get(&3), Some(&5));
        assert_eq!(map.get(&4), Some(&6));
        assert_eq!(map.get(&9), None);
    }
}
