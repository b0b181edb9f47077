//! Intercoder agreement on the map: do two or more coders link the same evidence to the same
//! concepts, relationships and areas?
//!
//! Every item of the map is judged on the same set of **units**, and each coder gives each unit
//! one of two values: 1 if the coder linked evidence in that unit to the item, 0 if not. Two
//! kinds of unit can be chosen ([`Unit`]):
//!
//! - **Source**: each source (interview, document) that *every* chosen coder coded, i.e. has at
//!   least one excerpt by that coder somewhere in the map. Coder X's value is whether X linked any
//!   excerpt from that source to the item. This is the map's version of MAXQDA's "code existence
//!   in the document" and of NVivo's per-source comparison.
//! - **Segment**: the coded segments of those same sources. Excerpts by different coders of one
//!   source that overlap by at least a chosen share ([`Options::overlap`]) are one unit (and so
//!   are chains of such overlaps); an excerpt that overlaps no other coder's excerpt is a unit of
//!   its own, on which the other coders count 0. The share is the overlap's length over the length
//!   of the two excerpts together (intersection over union): an excerpt that lies inside one twice
//!   its length shares 0.5. QDA Miner's coding agreement by "code overlap" asks for 90 % by
//!   default (QDA Miner User's Manual, "Code Overlap"); MAXQDA's third variant of intercoder
//!   agreement likewise asks segments to overlap by a percentage set in its dialog (MAXQDA help,
//!   "The Agreement Testing Concept"). Qualmap's default is [`DEFAULT_OVERLAP`], one half: on a
//!   map the question is whether two coders saw the same passage as evidence for an item, not
//!   whether they cut it at the same word, and hand-cut excerpts of the same passage seldom agree
//!   to 90 %. `--overlap 0.9` asks what QDA Miner asks.
//!
//! Where an excerpt is comes from its location when that reads as a range ([`parse_range`]):
//! REFI-QDA imports write `characters 120–245` (half-open, as REFI counts), tables `paragraphs
//! 3–5`, the example `lines 41-47` (counted items, both ends included). Two excerpts are compared
//! by position when both have a range in the same unit; otherwise by their text (white space
//! folded): the overlap is the longer of one text lying inside the other or the end of one text
//! being the start of the other, which is what two cuts of the same passage have in common. (A
//! longest common substring would also match a phrase that merely recurs elsewhere in the
//! interview, which is not an overlap of the passages.)
//!
//! Per item this gives an N × m table of 0s and 1s (N units, m coders) with no missing values,
//! from which come:
//!
//! - **Percent agreement**: the share of units on which every coder gave the same value.
//! - **Cohen's κ** (exactly two coders): (p_o − p_e) / (1 − p_e) with p_e from each coder's own
//!   share of 1s. Undefined (`None`) when p_e = 1, i.e. both coders gave one and the same value
//!   on every unit (typically: neither linked the item anywhere).
//! - **Krippendorff's α**, nominal, any number of coders: 1 − (n − 1)·Σ o_ck / Σ n_c·n_k over
//!   c ≠ k, from the coincidence matrix. Undefined when only one value occurs at all.
//!
//! The overall figures pool every (item, unit) pair of the items some chosen coder linked as one
//! table (an item no coder linked adds only agreement on 0s, as many as there are units). Counting
//! stays sparse: only the units on which some coder linked an item are visited, so a map of 10,000
//! concepts and 100,000 excerpts takes milliseconds (`cargo bench --bench agreement`).

use std::collections::{BTreeSet, HashMap};

use crate::model::{Document, EvidenceId, ItemRef, SourceId};

/// The share of overlap that makes two excerpts one segment unless asked otherwise. See the
/// module's documentation for why it is lower than QDA Miner's 90 %.
pub const DEFAULT_OVERLAP: f64 = 0.5;

/// The most coders compared at once (each unit's values are kept as bits).
pub const MAX_CODERS: usize = 32;

/// What one unit of comparison is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A source every chosen coder coded: did the coder link evidence from it to the item?
    #[default]
    Source,
    /// A coded segment: excerpts of one source by different coders that overlap enough.
    Segment,
}

impl Unit {
    /// Both, in menu order.
    pub const ALL: [Self; 2] = [Self::Source, Self::Segment];

    /// The name on the command line and in files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Source => "source",
            Self::Segment => "segment",
        }
    }

    /// A short human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Source => "source (did the coder link evidence from it?)",
            Self::Segment => "segment (overlapping excerpts of one source)",
        }
    }
}

/// Which coders are compared, on which units.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// The coders' names as the evidence gives them (two or more, each once).
    pub coders: Vec<String>,
    /// What a unit is.
    pub unit: Unit,
    /// For segments: the least share of overlap (intersection over union, above 0, at most 1)
    /// that makes two excerpts one unit.
    pub overlap: f64,
}

impl Options {
    /// These coders, compared by source.
    pub fn new(coders: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self { coders: coders.into_iter().map(Into::into).collect(), unit: Unit::Source, overlap: DEFAULT_OVERLAP }
    }
}

/// Why agreement could not be worked out.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum AgreementError {
    /// Fewer than two coders were named.
    #[error("agreement needs two or more coders (for example --coders A,B); {}", known_coders(.known))]
    TooFewCoders {
        /// The coders the map has.
        known: Vec<String>,
    },
    /// A coder the map's evidence never names.
    #[error("no excerpt in the map is coded by \"{name}\"; {}", known_coders(.known))]
    UnknownCoder {
        /// The name asked for.
        name: String,
        /// The coders the map has.
        known: Vec<String>,
    },
    /// A coder named twice.
    #[error("the coder \"{0}\" is named twice")]
    RepeatedCoder(String),
    /// More coders than can be compared at once.
    #[error("at most {MAX_CODERS} coders can be compared at once, not {0}")]
    TooManyCoders(usize),
    /// An overlap share outside (0, 1].
    #[error("the overlap is a share above 0 and at most 1 (0.5 is half), not {0}")]
    Overlap(f64),
}

fn known_coders(known: &[String]) -> String {
    if known.is_empty() {
        "the map names no coder on any excerpt".to_owned()
    } else {
        format!("the map's coders are: {}", known.join(", "))
    }
}

/// The coders named on the map's evidence, with how many excerpts each coded, by name.
pub fn coders(doc: &Document) -> Vec<(String, usize)> {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for evidence in doc.evidence.iter().filter(|e| !e.coder.trim().is_empty()) {
        *counts.entry(evidence.coder.as_str()).or_default() += 1;
    }
    counts.into_iter().map(|(name, n)| (name.to_owned(), n)).collect()
}

/// Checks `options` against the map: two or more coders the map names, each once, and a
/// sensible overlap.
pub fn check(doc: &Document, options: &Options) -> Result<(), AgreementError> {
    let known: Vec<String> = coders(doc).into_iter().map(|(name, _)| name).collect();
    let mut seen = BTreeSet::new();
    for name in &options.coders {
        if !seen.insert(name.as_str()) {
            return Err(AgreementError::RepeatedCoder(name.clone()));
        }
        if !known.contains(name) {
            return Err(AgreementError::UnknownCoder { name: name.clone(), known });
        }
    }
    if options.coders.len() < 2 {
        return Err(AgreementError::TooFewCoders { known });
    }
    if options.coders.len() > MAX_CODERS {
        return Err(AgreementError::TooManyCoders(options.coders.len()));
    }
    if options.unit == Unit::Segment && !(options.overlap > 0.0 && options.overlap <= 1.0) {
        return Err(AgreementError::Overlap(options.overlap));
    }
    Ok(())
}

/// The figures of one item (or of all pooled).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Figures {
    /// Units compared.
    pub units: usize,
    /// Units on which at least one coder linked the item.
    pub linked: usize,
    /// Units on which every coder linked it.
    pub all_linked: usize,
    /// For each coder (in [`Analysis::coders`] order), the units on which that coder linked it.
    pub linked_by: Vec<usize>,
    /// The share of units on which every coder gave the same value; `None` without units.
    pub agreement: Option<f64>,
    /// Cohen's κ (two coders only); `None` when undefined.
    pub kappa: Option<f64>,
    /// Krippendorff's α, nominal; `None` when undefined.
    pub alpha: Option<f64>,
}

impl Figures {
    /// Units on which the coders differ.
    pub fn disagreements(&self) -> usize {
        self.linked - self.all_linked
    }
}

/// One item's row.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The item.
    pub item: ItemRef,
    /// Its name (a relationship's is "from label to").
    pub label: String,
    /// Its figures.
    pub figures: Figures,
}

/// Which figure colours the map.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Figure {
    /// Percent agreement.
    Agreement,
    /// Cohen's κ (two coders).
    #[default]
    Kappa,
    /// Krippendorff's α.
    Alpha,
}

impl Figure {
    /// All three, in menu order.
    pub const ALL: [Self; 3] = [Self::Agreement, Self::Kappa, Self::Alpha];

    /// Its name in menus and the key.
    pub fn label(self) -> &'static str {
        match self {
            Self::Agreement => "percent agreement",
            Self::Kappa => "Cohen's κ",
            Self::Alpha => "Krippendorff's α",
        }
    }

    /// The figure of `figures`.
    pub fn of(self, figures: &Figures) -> Option<f64> {
        match self {
            Self::Agreement => figures.agreement,
            Self::Kappa => figures.kappa,
            Self::Alpha => figures.alpha,
        }
    }
}

/// One excerpt counted, and the unit it belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Member {
    unit: u32,
    coder: u8,
    evidence: EvidenceId,
}

/// The agreement of the chosen coders on every item of a map.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    /// The coders compared, in the order asked.
    pub coders: Vec<String>,
    /// What a unit is.
    pub unit: Unit,
    /// The overlap share segments were matched with.
    pub overlap: f64,
    /// How many units each item is judged on.
    pub units: usize,
    /// Sources every coder coded (the only sources counted).
    pub sources: usize,
    /// Excerpts by the chosen coders in those sources.
    pub excerpts: usize,
    /// Segments: excerpts placed by their text: no range in their location, or none in a unit of
    /// position (characters, lines…) that another coder's excerpts of the source have.
    pub compared_by_text: usize,
    /// Every concept, relationship and area, in that order, each by id.
    pub rows: Vec<Row>,
    /// The items some coder linked, pooled (every item × unit a unit).
    pub overall: Figures,
    /// How many items the pooled figures cover.
    pub overall_items: usize,
    /// Each counted excerpt with its unit, sorted by unit.
    members: Vec<Member>,
    /// Each counted excerpt's unit, sorted by excerpt.
    unit_of: Vec<(EvidenceId, u32)>,
    /// The source of each unit.
    unit_sources: Vec<SourceId>,
}

/// Works out the agreement of `options.coders` on every item of `doc`.
pub fn analyse(doc: &Document, options: &Options) -> Result<Analysis, AgreementError> {
    check(doc, options)?;
    let m = options.coders.len();
    let coder_of: HashMap<&str, u8> =
        options.coders.iter().enumerate().map(|(i, name)| (name.as_str(), i as u8)).collect();

    // Sources every coder coded.
    let mut coded: HashMap<SourceId, u64> = HashMap::new();
    for evidence in doc.evidence.iter() {
        if let Some(&c) = coder_of.get(evidence.coder.as_str()) {
            *coded.entry(evidence.source).or_default() |= 1u64 << c;
        }
    }
    let everyone = (1u64 << m) - 1;
    let mut shared: Vec<SourceId> = coded.iter().filter(|(_, mask)| **mask == everyone).map(|(s, _)| *s).collect();
    shared.sort();
    let source_index: HashMap<SourceId, u32> = shared.iter().enumerate().map(|(i, s)| (*s, i as u32)).collect();

    // The excerpts counted, by source.
    let mut by_source: Vec<Vec<(usize, u8)>> = vec![Vec::new(); shared.len()];
    for (index, evidence) in doc.evidence.iter().enumerate() {
        if let (Some(&c), Some(&s)) = (coder_of.get(evidence.coder.as_str()), source_index.get(&evidence.source)) {
            by_source[s as usize].push((index, c));
        }
    }
    let excerpts = by_source.iter().map(Vec::len).sum();

    let mut members = Vec::with_capacity(excerpts);
    let mut unit_sources = Vec::new();
    let mut compared_by_text = 0;
    match options.unit {
        Unit::Source => {
            for (s, list) in by_source.iter().enumerate() {
                for (index, coder) in list {
                    members.push(Member { unit: s as u32, coder: *coder, evidence: doc.evidence[*index].id });
                }
            }
            unit_sources.clone_from(&shared);
        }
        Unit::Segment => {
            for (s, list) in by_source.iter().enumerate() {
                let (groups, by_text) = segments(doc, list, options.overlap);
                compared_by_text += by_text;
                for group in groups {
                    let unit = unit_sources.len() as u32;
                    unit_sources.push(shared[s]);
                    for k in group {
                        let (index, coder) = list[k];
                        members.push(Member { unit, coder, evidence: doc.evidence[index].id });
                    }
                }
            }
        }
    }
    members.sort_unstable();
    let mut unit_of: Vec<(EvidenceId, u32)> = members.iter().map(|m| (m.evidence, m.unit)).collect();
    unit_of.sort_unstable();
    let units = unit_sources.len();

    // (item, unit, coder) for every link of a counted excerpt, then one coder mask per (item, unit).
    let mut links: Vec<(ItemRef, u32, u8)> = Vec::with_capacity(members.len() * 2);
    for member in &members {
        if let Some(evidence) = doc.evidence_item(member.evidence) {
            links.extend(evidence.links.iter().map(|item| (*item, member.unit, member.coder)));
        }
    }
    links.sort_unstable();
    links.dedup();
    let mut tallies: HashMap<ItemRef, Tally> = HashMap::new();
    let mut i = 0;
    while i < links.len() {
        let (item, unit, _) = links[i];
        let mut mask = 0u64;
        while i < links.len() && links[i].0 == item && links[i].1 == unit {
            mask |= 1u64 << links[i].2;
            i += 1;
        }
        tallies.entry(item).or_insert_with(|| Tally::new(m)).add(mask, m);
    }

    let items = doc
        .concepts
        .iter()
        .map(|c| ItemRef::Concept(c.id))
        .chain(doc.relationships.iter().map(|r| ItemRef::Relationship(r.id)))
        .chain(doc.areas.iter().map(|a| ItemRef::Area(a.id)));
    let mut pooled = Tally::new(m);
    let mut pooled_units = 0;
    let mut overall_items = 0;
    let empty = Tally::new(m);
    let rows = items
        .map(|item| {
            let tally = tallies.get(&item).unwrap_or(&empty);
            if tally.linked > 0 {
                pooled.merge(tally);
                pooled_units += units;
                overall_items += 1;
            }
            Row { item, label: doc.item_label(item), figures: tally.figures(units, m) }
        })
        .collect();
    Ok(Analysis {
        coders: options.coders.clone(),
        unit: options.unit,
        overlap: options.overlap,
        units,
        sources: shared.len(),
        excerpts,
        compared_by_text,
        rows,
        overall: pooled.figures(pooled_units, m),
        overall_items,
        members,
        unit_of,
        unit_sources,
    })
}

/// Units on which some coder linked an item: how many coders did (a histogram) and which.
#[derive(Clone, Debug)]
struct Tally {
    /// `ones[k]`: units on which exactly k coders linked the item (k ≥ 1).
    ones: Vec<u64>,
    /// Units on which each coder linked it.
    by: Vec<u64>,
    /// Units on which any coder linked it.
    linked: u64,
}

impl Tally {
    fn new(m: usize) -> Self {
        Self { ones: vec![0; m + 1], by: vec![0; m], linked: 0 }
    }

    fn add(&mut self, mask: u64, m: usize) {
        self.ones[mask.count_ones() as usize] += 1;
        for c in 0..m {
            if mask & (1u64 << c) != 0 {
                self.by[c] += 1;
            }
        }
        self.linked += 1;
    }

    fn merge(&mut self, other: &Tally) {
        for (a, b) in self.ones.iter_mut().zip(&other.ones) {
            *a += b;
        }
        for (a, b) in self.by.iter_mut().zip(&other.by) {
            *a += b;
        }
        self.linked += other.linked;
    }

    fn figures(&self, units: usize, m: usize) -> Figures {
        let n = units as u64;
        let all = self.ones[m];
        let zeros = n.saturating_sub(self.linked);
        Figures {
            units,
            linked: self.linked as usize,
            all_linked: all as usize,
            linked_by: self.by.iter().map(|b| *b as usize).collect(),
            agreement: (n > 0).then(|| (zeros + all) as f64 / n as f64),
            kappa: if m == 2 {
                let both = all;
                let (only_a, only_b) = (self.by[0] - both, self.by[1] - both);
                kappa_2x2(both, only_a, only_b, zeros)
            } else {
                None
            },
            alpha: binary_alpha(n, m as u64, &self.ones),
        }
    }
}

/// Cohen's κ of a two-by-two table: both coders 1 (`a`), only the first (`b`), only the second
/// (`c`), both 0 (`d`). `None` when chance agreement is 1 (or there are no units).
pub fn kappa_2x2(a: u64, b: u64, c: u64, d: u64) -> Option<f64> {
    let n = u128::from(a + b + c + d);
    let agree = u128::from(a + d);
    // p_e·n²: each coder's 1s times the other's, plus each coder's 0s times the other's.
    let chance = u128::from(a + b) * u128::from(a + c) + u128::from(c + d) * u128::from(b + d);
    let denominator = n * n - chance;
    if n == 0 || denominator == 0 {
        return None;
    }
    Some((n as f64 * agree as f64 - chance as f64) / denominator as f64)
}

/// Nominal α of `n` units coded 0 or 1 by all of `m` coders, `ones[k]` of them with k 1s.
fn binary_alpha(n: u64, m: u64, ones: &[u64]) -> Option<f64> {
    if m < 2 || n == 0 {
        return None;
    }
    let values = n * m;
    let n1: u64 = ones.iter().enumerate().map(|(k, count)| k as u64 * count).sum();
    let n0 = values - n1;
    if n0 == 0 || n1 == 0 {
        return None;
    }
    // Σ over c ≠ k of the coincidences: 2·k·(m − k)/(m − 1) per unit with k 1s.
    let observed: f64 =
        ones.iter().enumerate().map(|(k, count)| (2 * k as u64 * (m - k as u64) * count) as f64).sum::<f64>()
            / (m - 1) as f64;
    let expected = 2.0 * n0 as f64 * n1 as f64;
    Some(1.0 - (values - 1) as f64 * observed / expected)
}

/// Cohen's κ of two coders' values on the same units (any number of categories). `None` when
/// chance agreement is 1 (both gave one and the same value throughout) or there are no units.
pub fn cohen_kappa(pairs: &[(u32, u32)]) -> Option<f64> {
    let n = pairs.len() as u128;
    let mut first: HashMap<u32, u128> = HashMap::new();
    let mut second: HashMap<u32, u128> = HashMap::new();
    let mut agree = 0u128;
    for (a, b) in pairs {
        *first.entry(*a).or_default() += 1;
        *second.entry(*b).or_default() += 1;
        agree += u128::from(a == b);
    }
    let chance: u128 = first.iter().map(|(value, count)| count * second.get(value).copied().unwrap_or(0)).sum();
    let denominator = n * n - chance;
    if n == 0 || denominator == 0 {
        return None;
    }
    Some((n as f64 * agree as f64 - chance as f64) / denominator as f64)
}

/// Krippendorff's α for nominal values: `units[u][c]` is coder c's value on unit u, `None` where
/// the coder gave none. Units with fewer than two values are not pairable and count for nothing.
/// `None` when fewer than two values are pairable or only one value occurs.
pub fn krippendorff_alpha_nominal(units: &[Vec<Option<u32>>]) -> Option<f64> {
    let mut totals: HashMap<u32, f64> = HashMap::new();
    let mut observed = 0.0;
    for unit in units {
        let mut counts: HashMap<u32, u64> = HashMap::new();
        for value in unit.iter().flatten() {
            *counts.entry(*value).or_default() += 1;
        }
        let m_u: u64 = counts.values().sum();
        if m_u < 2 {
            continue;
        }
        let same: u64 = counts.values().map(|c| c * c).sum();
        observed += (m_u * m_u - same) as f64 / (m_u - 1) as f64;
        for (value, count) in counts {
            *totals.entry(value).or_default() += count as f64;
        }
    }
    let n: f64 = totals.values().sum();
    let expected = n * n - totals.values().map(|t| t * t).sum::<f64>();
    if n < 2.0 || expected <= 0.0 {
        return None;
    }
    Some(1.0 - (n - 1.0) * observed / expected)
}

/// The share of units on which every value given is the same (units with one value or none
/// count as agreed). `None` without units.
pub fn percent_agreement(units: &[Vec<Option<u32>>]) -> Option<f64> {
    if units.is_empty() {
        return None;
    }
    let agreed = units
        .iter()
        .filter(|unit| {
            let mut values = unit.iter().flatten();
            let first = values.next();
            values.all(|v| Some(v) == first)
        })
        .count();
    Some(agreed as f64 / units.len() as f64)
}

/// Where an excerpt lies, read from its location: the unit of position (`characters`, `lines`,
/// `paragraphs`, `pages`, any other word, or empty for bare numbers) and a half-open range.
///
/// `characters 120–245` (REFI-QDA imports) and bare `120–245` are read as half-open, as REFI
/// counts characters; counted items (`lines 41-47`, `paragraphs 3–5`, `paragraph 3`) include
/// both ends. The dash may be an en dash, a hyphen or an em dash. `None` for anything else
/// (`page 3: 120`, a timestamp, free text).
pub fn parse_range(location: &str) -> Option<(String, u64, u64)> {
    let text = location.trim();
    let split = text.find(|c: char| c.is_ascii_digit())?;
    let (word, numbers) = text.split_at(split);
    let word = word.trim().trim_end_matches([':', '.']).trim().to_lowercase();
    if word.chars().any(|c| !c.is_alphabetic()) {
        return None;
    }
    let kind = match word.as_str() {
        "characters" | "character" | "chars" | "char" => "characters".to_owned(),
        "" => String::new(),
        other => other.strip_suffix('s').unwrap_or(other).to_owned() + "s",
    };
    let counted = !(kind.is_empty() || kind == "characters");
    let parts: Vec<&str> = numbers.split(['–', '-', '—']).map(str::trim).collect();
    let number = |s: &str| s.parse::<u64>().ok().filter(|_| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()));
    let (start, end) = match parts.as_slice() {
        [one] if counted => {
            let at = number(one)?;
            (at, at)
        }
        [a, b] => (number(a)?, number(b)?),
        _ => return None,
    };
    let end = if counted { end.checked_add(1)? } else { end };
    (end > start).then_some((kind, start, end))
}

/// A excerpt of one source, as segments are matched.
struct Place {
    coder: u8,
    range: Option<(String, u64, u64)>,
}

/// The segments of one source: groups of positions in `list` (excerpts by coder) joined by
/// overlaps of at least `overlap` between different coders, and how many excerpts were compared
/// by their text.
fn segments(doc: &Document, list: &[(usize, u8)], overlap: f64) -> (Vec<Vec<usize>>, usize) {
    let places: Vec<Place> = list
        .iter()
        .map(|(index, coder)| Place { coder: *coder, range: parse_range(&doc.evidence[*index].location) })
        .collect();
    let mut sets = DisjointSets::new(list.len());

    // By position: a sweep over each unit of position, sorted by start.
    let mut kinds: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, place) in places.iter().enumerate() {
        if let Some((kind, _, _)) = &place.range {
            kinds.entry(kind.as_str()).or_default().push(i);
        }
    }
    for group in kinds.values_mut() {
        let range = |i: usize| places[i].range.as_ref().map_or((0, 0), |(_, s, e)| (*s, *e));
        group.sort_by_key(|i| range(*i));
        for (a, &i) in group.iter().enumerate() {
            let (start_i, end_i) = range(i);
            for &j in &group[a + 1..] {
                let (start_j, end_j) = range(j);
                if start_j >= end_i {
                    break;
                }
                if places[i].coder == places[j].coder {
                    continue;
                }
                let common = end_i.min(end_j) - start_j.max(start_i);
                let union = end_i.max(end_j) - start_i.min(start_j);
                if common as f64 >= overlap * union as f64 {
                    sets.join(i, j);
                }
            }
        }
    }

    // By text: every pair of different coders not both placed in the same unit of position.
    let by_position = |i: usize, j: usize| match (&places[i].range, &places[j].range) {
        (Some((a, _, _)), Some((b, _, _))) => a == b,
        _ => false,
    };
    let needs_text = kinds.len() > 1 || places.iter().any(|p| p.range.is_none());
    // Excerpts placed by text: those without a range, or whose unit of position no other
    // coder's excerpt of the source has.
    let mut coders_of: HashMap<&str, u64> = HashMap::new();
    for place in &places {
        if let Some((kind, _, _)) = &place.range {
            *coders_of.entry(kind.as_str()).or_default() |= 1u64 << place.coder;
        }
    }
    let by_text = places
        .iter()
        .filter(|p| match &p.range {
            None => true,
            Some((kind, _, _)) => coders_of.get(kind.as_str()).is_none_or(|mask| mask & !(1u64 << p.coder) == 0),
        })
        .count();
    if needs_text {
        let texts: Vec<Vec<char>> = list.iter().map(|(index, _)| folded(&doc.evidence[*index].excerpt)).collect();
        for (i, j) in text_candidates(&texts, overlap) {
            if places[i].coder == places[j].coder || by_position(i, j) {
                continue;
            }
            if text_overlap_at_least(&texts[i], &texts[j], overlap) {
                sets.join(i, j);
            }
        }
    }
    (sets.groups(), by_text)
}

/// The text with runs of white space as one space, trimmed, as characters.
fn folded(text: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars());
    }
    out
}

/// Whether two excerpts' texts overlap by at least `share` of their union: one inside the other,
/// or the end of one being the start of the other.
fn text_overlap_at_least(a: &[char], b: &[char], share: f64) -> bool {
    let (la, lb) = (a.len(), b.len());
    // The overlap is at most the shorter text, so the union is at least the longer.
    if la == 0 || lb == 0 || (la.min(lb) as f64) < share * la.max(lb) as f64 {
        return false;
    }
    let common = text_overlap(a, b);
    common > 0 && common as f64 >= share * (la + lb - common) as f64
}

/// Characters at the start of a text that are looked for in the others.
const GRAM: usize = 32;

/// The pairs of texts (`i < j`) that may overlap by `share`, found without comparing every pair:
/// an overlap of at least [`GRAM`] characters begins one of the two texts (the later cut, or the
/// one inside the other), so that text's first [`GRAM`] characters occur in the other; each
/// text's windows are looked up among the others' beginnings (a rolling hash, a bit filter, a
/// sorted list). An overlap shorter than that can reach `share` only when both texts are shorter
/// than [`GRAM`] / `share`: those are paired directly. Hash collisions only add candidates; the
/// caller checks each exactly. Linear in the text but for short texts at small shares.
fn text_candidates(texts: &[Vec<char>], share: f64) -> Vec<(usize, usize)> {
    const BASE: u64 = 0x100_0000_01b3;
    const FILTER_BITS: usize = 1 << 16;
    let mut pairs = Vec::new();
    let short_limit = (GRAM as f64 / share).ceil() as usize;
    let short: Vec<usize> = (0..texts.len()).filter(|i| texts[*i].len() < short_limit).collect();
    for (a, &i) in short.iter().enumerate() {
        pairs.extend(short[a + 1..].iter().map(|&j| (i, j)));
    }
    let hash = |chars: &[char]| chars.iter().fold(0u64, |h, c| h.wrapping_mul(BASE).wrapping_add(u64::from(*c)));
    let mut starts: Vec<(u64, usize)> =
        texts.iter().enumerate().filter(|(_, t)| t.len() >= GRAM).map(|(i, t)| (hash(&t[..GRAM]), i)).collect();
    starts.sort_unstable();
    let mut filter = vec![0u64; FILTER_BITS / 64];
    let bit = |h: u64| (h as usize) % FILTER_BITS;
    for (h, _) in &starts {
        filter[bit(*h) / 64] |= 1 << (bit(*h) % 64);
    }
    // BASE^(GRAM − 1): what the character leaving the window weighs.
    let leaving = (1..GRAM).fold(1u64, |p, _| p.wrapping_mul(BASE));
    for (j, text) in texts.iter().enumerate() {
        if text.len() < GRAM {
            continue;
        }
        let mut h = hash(&text[..GRAM]);
        for end in GRAM..=text.len() {
            if end > GRAM {
                let (out, new) = (u64::from(text[end - GRAM - 1]), u64::from(text[end - 1]));
                h = h.wrapping_sub(out.wrapping_mul(leaving)).wrapping_mul(BASE).wrapping_add(new);
            }
            if filter[bit(h) / 64] & (1 << (bit(h) % 64)) == 0 {
                continue;
            }
            let from = starts.partition_point(|(s, _)| *s < h);
            for &(s, i) in &starts[from..] {
                if s != h {
                    break;
                }
                if i != j {
                    pairs.push((i.min(j), i.max(j)));
                }
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// The length of the overlap of two cuts of one text: the whole of one when it lies inside the
/// other, else the longest end of one that is a beginning of the other.
pub fn text_overlap(a: &[char], b: &[char]) -> usize {
    let (inside_b, end_of_b) = scan(a, b);
    let (inside_a, end_of_a) = scan(b, a);
    let mut best = end_of_b.max(end_of_a);
    if inside_b {
        best = best.max(a.len());
    }
    if inside_a {
        best = best.max(b.len());
    }
    best
}

/// Knuth–Morris–Pratt: whether `pattern` occurs in `text`, and the longest end of `text` that is
/// a beginning of `pattern`.
fn scan(pattern: &[char], text: &[char]) -> (bool, usize) {
    if pattern.is_empty() {
        return (true, 0);
    }
    let mut fail = vec![0usize; pattern.len()];
    let mut k = 0;
    for i in 1..pattern.len() {
        while k > 0 && pattern[i] != pattern[k] {
            k = fail[k - 1];
        }
        if pattern[i] == pattern[k] {
            k += 1;
        }
        fail[i] = k;
    }
    let (mut matched, mut found) = (0, false);
    for c in text {
        while matched > 0 && (matched == pattern.len() || *c != pattern[matched]) {
            matched = fail[matched - 1];
        }
        if *c == pattern[matched] {
            matched += 1;
        }
        if matched == pattern.len() {
            found = true;
        }
    }
    (found, matched)
}

/// Union–find over positions `0..n`.
struct DisjointSets(Vec<usize>);

impl DisjointSets {
    fn new(n: usize) -> Self {
        Self((0..n).collect())
    }

    fn root(&mut self, mut i: usize) -> usize {
        while self.0[i] != i {
            self.0[i] = self.0[self.0[i]];
            i = self.0[i];
        }
        i
    }

    fn join(&mut self, a: usize, b: usize) {
        let (a, b) = (self.root(a), self.root(b));
        if a != b {
            self.0[a.max(b)] = a.min(b);
        }
    }

    /// The groups, each in order, in order of their first member.
    fn groups(mut self) -> Vec<Vec<usize>> {
        let mut index: HashMap<usize, usize> = HashMap::new();
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for i in 0..self.0.len() {
            let root = self.root(i);
            let g = *index.entry(root).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            });
            groups[g].push(i);
        }
        groups
    }
}

/// A unit on which the coders differ about an item, with what each coder did there.
#[derive(Clone, Debug, PartialEq)]
pub struct Disagreement {
    /// The source the unit is in.
    pub source: SourceId,
    /// For each coder (in [`Analysis::coders`] order), what the coder did in the unit.
    pub sides: Vec<Side>,
}

/// What one coder did in a unit.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Side {
    /// The coder's excerpts in the unit linked to the item.
    pub linked: Vec<EvidenceId>,
    /// The coder's excerpts in the unit (the passage, or the source) not linked to the item:
    /// coded, but for something else.
    pub other: Vec<EvidenceId>,
}

impl Analysis {
    /// Each unit's excerpts, by coder: the unit's slice of the members.
    fn unit_members(&self, unit: u32) -> &[Member] {
        let start = self.members.partition_point(|m| m.unit < unit);
        let end = self.members.partition_point(|m| m.unit <= unit);
        &self.members[start..end]
    }

    /// The units on which the coders differ about `item`, in order of source and position,
    /// with each coder's excerpts there: what a team settles in a meeting.
    pub fn disagreements(&self, doc: &Document, item: ItemRef) -> Vec<Disagreement> {
        let links = |id: EvidenceId| doc.evidence_item(id).is_some_and(|e| e.links.contains(&item));
        let units: BTreeSet<u32> = doc
            .evidence
            .iter()
            .filter(|e| e.links.contains(&item))
            .filter_map(|e| self.unit_of.binary_search_by_key(&e.id, |(id, _)| *id).ok())
            .map(|k| self.unit_of[k].1)
            .collect();
        let mut out = Vec::new();
        for unit in units {
            let mut sides = vec![Side::default(); self.coders.len()];
            for member in self.unit_members(unit) {
                let side = &mut sides[member.coder as usize];
                if links(member.evidence) {
                    side.linked.push(member.evidence);
                } else {
                    side.other.push(member.evidence);
                }
            }
            if sides.iter().any(|s| s.linked.is_empty()) {
                out.push(Disagreement { source: self.unit_sources[unit as usize], sides });
            }
        }
        out
    }

    /// The row of `item`.
    pub fn row(&self, item: ItemRef) -> Option<&Row> {
        self.rows.iter().find(|r| r.item == item)
    }

    /// Every item's value of `figure` for the map's colours, kept between 0 and 1 (κ and α
    /// below 0 count as 0), items without the figure left out.
    pub fn tint(&self, figure: Figure) -> crate::scene::Tint {
        let values = self
            .rows
            .iter()
            .filter(|r| r.figures.linked > 0)
            .filter_map(|r| figure.of(&r.figures).map(|v| (r.item, v.clamp(0.0, 1.0) as f32)))
            .collect();
        crate::scene::Tint {
            name: format!("agreement ({})", figure.label()),
            values,
            scale: crate::scene::TintScale::LowIsBad,
        }
    }
}

/// An item's kind as the command line names it.
pub fn kind_name(item: ItemRef) -> &'static str {
    match item {
        ItemRef::Concept(_) => "concept",
        ItemRef::Relationship(_) => "relationship",
        ItemRef::Area(_) => "area",
    }
}

/// An item's id as written in the map file (a JSON value).
pub fn id_value(item: ItemRef) -> serde_json::Value {
    let value = match item {
        ItemRef::Concept(id) => serde_json::to_value(id),
        ItemRef::Relationship(id) => serde_json::to_value(id),
        ItemRef::Area(id) => serde_json::to_value(id),
    };
    value.unwrap_or(serde_json::Value::Null)
}

/// An item's id as text (a CSV cell).
pub fn id_text(item: ItemRef) -> String {
    match id_value(item) {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}

/// The analysis as CSV: a header row, one row per item, then the pooled row (kind `overall`).
/// Undefined figures are empty cells.
pub fn to_csv(analysis: &Analysis) -> Result<String, String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> =
        ["kind", "id", "label", "units", "linked", "all_linked", "agreement", "kappa", "alpha"]
            .map(str::to_owned)
            .into();
    header.extend(analysis.coders.iter().map(|c| format!("linked_by:{c}")));
    writer.write_record(&header).map_err(|e| e.to_string())?;
    let figure = |v: Option<f64>| v.map(|v| format!("{v:.6}")).unwrap_or_default();
    let mut record = |kind: &str, id: String, label: &str, f: &Figures| {
        let mut cells = vec![
            kind.to_owned(),
            id,
            label.to_owned(),
            f.units.to_string(),
            f.linked.to_string(),
            f.all_linked.to_string(),
            figure(f.agreement),
            figure(f.kappa),
            figure(f.alpha),
        ];
        cells.extend(f.linked_by.iter().map(ToString::to_string));
        writer.write_record(&cells).map_err(|e| e.to_string())
    };
    for row in &analysis.rows {
        record(kind_name(row.item), id_text(row.item), &row.label, &row.figures)?;
    }
    record(
        "overall",
        String::new(),
        &format!("{} items some coder linked", analysis.overall_items),
        &analysis.overall,
    )?;
    let bytes = writer.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// The analysis as JSON: the settings, each item's figures and the pooled figures; undefined
/// figures are `null`.
pub fn to_json(analysis: &Analysis) -> serde_json::Value {
    let figures = |f: &Figures| {
        serde_json::json!({
            "units": f.units,
            "linked": f.linked,
            "all_linked": f.all_linked,
            "agreement": f.agreement,
            "kappa": f.kappa,
            "alpha": f.alpha,
            "linked_by": analysis.coders.iter().zip(&f.linked_by).map(|(c, n)| (c.clone(), serde_json::json!(n))).collect::<serde_json::Map<_, _>>(),
        })
    };
    let rows: Vec<serde_json::Value> = analysis
        .rows
        .iter()
        .map(|row| {
            let mut value = figures(&row.figures);
            if let Some(object) = value.as_object_mut() {
                object.insert("kind".to_owned(), kind_name(row.item).into());
                object.insert("id".to_owned(), id_value(row.item));
                object.insert("label".to_owned(), row.label.clone().into());
            }
            value
        })
        .collect();
    let mut overall = figures(&analysis.overall);
    if let Some(object) = overall.as_object_mut() {
        object.insert("items".to_owned(), analysis.overall_items.into());
    }
    serde_json::json!({
        "coders": analysis.coders,
        "unit": analysis.unit.name(),
        "overlap": (analysis.unit == Unit::Segment).then_some(analysis.overlap),
        "units": analysis.units,
        "sources": analysis.sources,
        "excerpts": analysis.excerpts,
        "compared_by_text": analysis.compared_by_text,
        "items": rows,
        "overall": overall,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

    use super::*;
    use crate::model::{ConceptId, Evidence, ExcerptStatus, Source};

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 5e-7)
    }

    /// The grant-proposal example of Wikipedia's "Cohen's kappa" article: two readers, 50
    /// proposals, 20 both yes, 5 only A, 10 only B, 15 both no: p_o = 0.7, p_e = 0.5, κ = 0.4.
    #[test]
    fn kappa_of_the_textbook_example() {
        assert!(close(kappa_2x2(20, 5, 10, 15), 0.4));
        let mut pairs = Vec::new();
        pairs.extend(std::iter::repeat_n((1, 1), 20));
        pairs.extend(std::iter::repeat_n((1, 0), 5));
        pairs.extend(std::iter::repeat_n((0, 1), 10));
        pairs.extend(std::iter::repeat_n((0, 0), 15));
        assert!(close(cohen_kappa(&pairs), 0.4));
        // Undefined where chance agreement is 1; 0 where the coders are each constant but differ.
        assert_eq!(kappa_2x2(0, 0, 0, 9), None);
        assert_eq!(kappa_2x2(9, 0, 0, 0), None);
        assert_eq!(kappa_2x2(0, 0, 0, 0), None);
        assert!(close(kappa_2x2(0, 9, 0, 0), 0.0));
    }

    /// Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), the nominal example:
    /// four observers, twelve units, missing values; α = 0.743.
    #[test]
    fn alpha_of_krippendorffs_own_example() {
        let n = None;
        let rows = [
            [Some(1), Some(2), Some(3), Some(3), Some(2), Some(1), Some(4), Some(1), Some(2), n, n, n],
            [Some(1), Some(2), Some(3), Some(3), Some(2), Some(2), Some(4), Some(1), Some(2), Some(5), n, Some(3)],
            [n, Some(3), Some(3), Some(3), Some(2), Some(3), Some(4), Some(2), Some(2), Some(5), Some(1), n],
            [Some(1), Some(2), Some(3), Some(3), Some(2), Some(4), Some(4), Some(1), Some(2), Some(5), Some(1), n],
        ];
        let units: Vec<Vec<Option<u32>>> = (0..12).map(|u| rows.iter().map(|r| r[u]).collect()).collect();
        let alpha = krippendorff_alpha_nominal(&units).unwrap();
        assert!((alpha - 0.743).abs() < 5e-4, "{alpha}");
    }

    /// quica's README: coder 1 = 0 1 0 1 0 1, coder 3 = 0 1 0 1 0 0 gives Cohen's κ 0.666667
    /// and Krippendorff's α 0.685714; the sparse counting gives the same as the general code.
    #[test]
    fn binary_figures_match_the_general_ones() {
        let first = [0, 1, 0, 1, 0, 1];
        let third = [0, 1, 0, 1, 0, 0];
        let pairs: Vec<(u32, u32)> = first.iter().copied().zip(third.iter().copied()).collect();
        assert!(close(cohen_kappa(&pairs), 0.666_667));
        let units: Vec<Vec<Option<u32>>> = pairs.iter().map(|(a, b)| vec![Some(*a), Some(*b)]).collect();
        assert!(close(krippendorff_alpha_nominal(&units), 0.685_714));
        // The same table counted sparsely: two units both 1, one unit only the first.
        let mut tally = Tally::new(2);
        tally.add(0b11, 2);
        tally.add(0b11, 2);
        tally.add(0b01, 2);
        let figures = tally.figures(6, 2);
        assert!(close(figures.kappa, 0.666_667) && close(figures.alpha, 0.685_714));
        assert!(close(figures.agreement, 5.0 / 6.0));

        // Random tables of two and three coders: sparse and general agree.
        let mut rng = crate::rng::Rng::new(5);
        for round in 0..200 {
            let m = 2 + round % 3;
            let n = 1 + rng.index(30);
            let mut tally = Tally::new(m);
            let mut units = Vec::new();
            for _ in 0..n {
                let mask = rng.below(1 << m) & if rng.chance(40) { 0 } else { u64::MAX };
                if mask != 0 {
                    tally.add(mask, m);
                }
                units.push((0..m).map(|c| Some(u32::from(mask & (1 << c) != 0))).collect::<Vec<_>>());
            }
            let figures = tally.figures(n, m);
            let same = |a: Option<f64>, b: Option<f64>| match (a, b) {
                (Some(a), Some(b)) => (a - b).abs() < 1e-9,
                (None, None) => true,
                _ => false,
            };
            assert!(same(figures.alpha, krippendorff_alpha_nominal(&units)), "{units:?}");
            assert!(same(figures.agreement, percent_agreement(&units)), "{units:?}");
            if m == 2 {
                let pairs: Vec<(u32, u32)> = units.iter().map(|u| (u[0].unwrap_or(0), u[1].unwrap_or(0))).collect();
                assert!(same(figures.kappa, cohen_kappa(&pairs)), "{units:?}");
            } else {
                assert_eq!(figures.kappa, None);
            }
        }
    }

    #[test]
    fn locations_read_as_ranges() {
        let r = |s: &str| parse_range(s);
        assert_eq!(r("characters 120–245"), Some(("characters".to_owned(), 120, 245)));
        assert_eq!(r("characters 120-245"), Some(("characters".to_owned(), 120, 245)));
        assert_eq!(r("Characters 120 — 245"), Some(("characters".to_owned(), 120, 245)));
        assert_eq!(r("lines 41-47"), Some(("lines".to_owned(), 41, 48)));
        assert_eq!(r("line 7"), Some(("lines".to_owned(), 7, 8)));
        assert_eq!(r("paragraphs 3–5"), Some(("paragraphs".to_owned(), 3, 6)));
        assert_eq!(r("paragraph 3"), Some(("paragraphs".to_owned(), 3, 4)));
        assert_eq!(r("120–171"), Some((String::new(), 120, 171)));
        for nothing in ["", "page 3: 120", "characters 5–5", "characters 9–5", "00:12:30–00:13:02", "120", "lines 4–x"]
        {
            assert_eq!(r(nothing), None, "{nothing}");
        }
    }

    #[test]
    fn text_overlap_is_containment_or_an_end_that_begins_the_other() {
        let c = |s: &str| s.chars().collect::<Vec<char>>();
        assert_eq!(text_overlap(&c("the ward round"), &c("I can speak up in the ward round now")), 14);
        assert_eq!(text_overlap(&c("I can speak up in the"), &c("in the ward round")), 6);
        assert_eq!(text_overlap(&c("in the ward round"), &c("I can speak up in the")), 6);
        assert_eq!(text_overlap(&c("abc"), &c("xyz")), 0);
        assert_eq!(folded("  two\n words\t here "), c("two words here"));
        let (a, b) = (c("I can finally speak up in the ward round."), c("finally speak up in the ward round."));
        assert!(text_overlap_at_least(&a, &b, 0.8));
        assert!(!text_overlap_at_least(&a, &b, 0.9));
        // Candidates: every pair that overlaps enough is among them (here checked against all
        // pairs of cuts of one text), and far from every pair is.
        let text: Vec<char> = "we talked it through and I slept better; then the ward round felt easier and my mentor listened to every word I said about it".chars().collect();
        let mut rng = crate::rng::Rng::new(3);
        let cuts: Vec<Vec<char>> = (0..40)
            .map(|_| {
                let start = rng.index(text.len() - 10);
                text[start..(start + 3 + rng.index(60)).min(text.len())].to_vec()
            })
            .collect();
        for share in [0.05, 0.2, 0.5, 0.9] {
            let found = text_candidates(&cuts, share);
            for i in 0..cuts.len() {
                for j in i + 1..cuts.len() {
                    if text_overlap_at_least(&cuts[i], &cuts[j], share) {
                        assert!(found.binary_search(&(i, j)).is_ok(), "{share}: {i} {j} missed");
                    }
                }
            }
        }
        assert!(text_candidates(&cuts, 0.9).len() < 40 * 39 / 2);
    }

    fn excerpt(id: u64, coder: &str, source: u64, location: &str, text: &str, links: &[u64]) -> Evidence {
        Evidence {
            id: EvidenceId(id),
            excerpt: text.to_owned(),
            source: SourceId(source),
            location: location.to_owned(),
            codes: Vec::new(),
            memo: String::new(),
            coder: coder.to_owned(),
            coded_at: String::new(),
            links: links.iter().map(|c| ItemRef::Concept(ConceptId(*c))).collect(),
            provenance: Default::default(),
            status: ExcerptStatus::Exact,
        }
    }

    fn two_coder_map(evidence: Vec<Evidence>) -> Document {
        let mut doc = crate::model::generate::generated(crate::model::generate::Spec {
            concepts: 3,
            relationships: 0,
            evidence: 0,
            seed: 1,
        });
        doc.sources = (1..=3)
            .map(|i| Source {
                id: SourceId(i),
                name: format!("Interview {i}"),
                kind: Default::default(),
                attributes: Default::default(),
                description: String::new(),
                provenance: Default::default(),
            })
            .collect();
        doc.evidence = evidence.into();
        doc.normalize();
        doc
    }

    #[test]
    fn sources_every_coder_coded_are_the_units() {
        let doc = two_coder_map(vec![
            excerpt(1, "A", 1, "", "one", &[1]),
            excerpt(2, "A", 2, "", "two", &[1]),
            excerpt(3, "A", 3, "", "three", &[1, 2]),
            excerpt(4, "B", 1, "", "one", &[1]),
            excerpt(5, "B", 2, "", "other", &[2]),
        ]);
        let analysis = analyse(&doc, &Options::new(["A", "B"])).unwrap();
        // Source 3 was coded by A only: not a unit.
        assert_eq!((analysis.units, analysis.sources, analysis.excerpts), (2, 2, 4));
        let one = &analysis.row(ItemRef::Concept(ConceptId(1))).unwrap().figures;
        assert_eq!((one.linked, one.all_linked, one.linked_by.clone()), (2, 1, vec![2, 1]));
        assert!(close(one.agreement, 0.5) && close(one.kappa, 0.0));
        let three = &analysis.row(ItemRef::Concept(ConceptId(3))).unwrap().figures;
        assert_eq!((three.agreement, three.kappa, three.alpha), (Some(1.0), None, None), "nobody linked it");
        let differ = analysis.disagreements(&doc, ItemRef::Concept(ConceptId(1)));
        assert_eq!(differ.len(), 1);
        assert_eq!(differ[0].source, SourceId(2));
        assert_eq!(differ[0].sides[0].linked, vec![EvidenceId(2)]);
        assert!(differ[0].sides[1].linked.is_empty());
        assert_eq!(differ[0].sides[1].other, vec![EvidenceId(5)], "B coded the source for something else");
        // Overall: concepts 1 and 2 (linked by someone), two units each.
        assert_eq!((analysis.overall_items, analysis.overall.units), (2, 4));
    }

    #[test]
    fn segments_are_overlapping_excerpts_by_position() {
        let doc = two_coder_map(vec![
            excerpt(1, "A", 1, "characters 0–100", "a", &[1]),
            excerpt(2, "B", 1, "characters 10–100", "b", &[1]),
            excerpt(3, "B", 1, "characters 200–260", "c", &[1]),
            excerpt(4, "A", 1, "characters 300–400", "d", &[2]),
            excerpt(5, "B", 1, "characters 350–450", "e", &[2]),
        ]);
        let options = Options { unit: Unit::Segment, ..Options::new(["A", "B"]) };
        let analysis = analyse(&doc, &options).unwrap();
        // 0–100 and 10–100 overlap by 0.9: one unit; 300–400 and 350–450 by a third: two.
        assert_eq!(analysis.units, 4);
        let one = &analysis.row(ItemRef::Concept(ConceptId(1))).unwrap().figures;
        assert_eq!((one.linked, one.all_linked), (2, 1));
        let two = &analysis.row(ItemRef::Concept(ConceptId(2))).unwrap().figures;
        assert_eq!((two.linked, two.all_linked), (2, 0));
        let strict = analyse(&doc, &Options { overlap: 0.95, ..options.clone() }).unwrap();
        assert_eq!(strict.units, 5, "0.9 is not 0.95");
        let loose = analyse(&doc, &Options { overlap: 0.3, ..options }).unwrap();
        assert_eq!(loose.units, 3);
        let differ = loose.disagreements(&doc, ItemRef::Concept(ConceptId(1)));
        assert_eq!(differ.len(), 1, "only 200–260, which A did not code");
        assert_eq!(differ[0].sides[1].linked, vec![EvidenceId(3)]);
        assert!(differ[0].sides[0].linked.is_empty() && differ[0].sides[0].other.is_empty());
        assert_eq!(loose.compared_by_text, 0);
    }

    #[test]
    fn segments_without_ranges_are_matched_by_their_text() {
        let passage = "I can finally speak up in the ward round, and the consultant listens now.";
        let doc = two_coder_map(vec![
            excerpt(1, "A", 1, "", passage, &[1]),
            // The same passage cut a little later, with other line breaks.
            excerpt(
                2,
                "B",
                1,
                "page 2: 14",
                "finally speak up in the ward\nround, and the consultant listens now.",
                &[1],
            ),
            // An end of A's text that begins B's: overlap, but under half.
            excerpt(3, "B", 1, "", "listens now. Then we went home.", &[2]),
            excerpt(4, "A", 1, "", "Something else entirely, said later on.", &[2]),
        ]);
        let options = Options { unit: Unit::Segment, ..Options::new(["A", "B"]) };
        let analysis = analyse(&doc, &options).unwrap();
        assert_eq!(analysis.units, 3);
        assert_eq!(analysis.compared_by_text, 4);
        let one = &analysis.row(ItemRef::Concept(ConceptId(1))).unwrap().figures;
        assert_eq!((one.linked, one.all_linked), (1, 1), "both linked the same passage");
        let loose = analyse(&doc, &Options { overlap: 0.1, ..options }).unwrap();
        assert_eq!(loose.units, 2, "the ends overlap by more than a tenth");
        assert!(loose.disagreements(&doc, ItemRef::Concept(ConceptId(1))).is_empty());
        let differ = loose.disagreements(&doc, ItemRef::Concept(ConceptId(2)));
        assert_eq!(differ.len(), 2);
        // The long passage: A coded it but linked it elsewhere; B linked its end here.
        assert_eq!(differ[0].sides[0].other, vec![EvidenceId(1)]);
        assert!(differ[0].sides[0].linked.is_empty());
        assert_eq!(
            (differ[0].sides[1].linked.clone(), differ[0].sides[1].other.clone()),
            (vec![EvidenceId(3)], vec![EvidenceId(2)])
        );
        assert_eq!(differ[1].sides[0].linked, vec![EvidenceId(4)]);
    }

    #[test]
    fn coders_that_do_not_fit_the_map_are_named() {
        let doc = two_coder_map(vec![excerpt(1, "Ana", 1, "", "x", &[1]), excerpt(2, "Ben", 1, "", "x", &[1])]);
        let message = analyse(&doc, &Options::new(["Ana", "Cy"])).unwrap_err().to_string();
        assert!(message.contains("\"Cy\"") && message.contains("Ana, Ben"), "{message}");
        let message = analyse(&doc, &Options::new(["Ana"])).unwrap_err().to_string();
        assert!(message.contains("two or more") && message.contains("Ana, Ben"), "{message}");
        assert!(matches!(analyse(&doc, &Options::new(["Ana", "Ana"])), Err(AgreementError::RepeatedCoder(_))));
        let options = Options { unit: Unit::Segment, overlap: 0.0, ..Options::new(["Ana", "Ben"]) };
        assert!(matches!(analyse(&doc, &options), Err(AgreementError::Overlap(_))));
    }
}
