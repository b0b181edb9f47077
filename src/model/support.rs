//! How strongly the evidence supports each item, counted the way the researcher chooses and
//! under the filter in force.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::{CodeId, Document, Evidence, ItemRef, SourceId};

/// The source attribute that names a participant; sources without it count as their own
/// participant.
pub const PARTICIPANT_ATTRIBUTE: &str = "participant";

/// What "support" counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SupportMode {
    /// Every linked excerpt counts.
    #[default]
    Excerpts,
    /// Distinct sources (interviews, documents) among the linked excerpts.
    Sources,
    /// Distinct participants among the linked excerpts.
    Participants,
}

impl SupportMode {
    /// Every mode, in menu order.
    pub const ALL: [Self; 3] = [Self::Excerpts, Self::Sources, Self::Participants];

    /// A short human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Excerpts => "excerpts",
            Self::Sources => "distinct sources",
            Self::Participants => "distinct participants",
        }
    }
}

/// Which evidence counts: by source attribute, by code, by coder. Within one attribute any of
/// the chosen values matches; across attributes, codes and coders every condition must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EvidenceFilter {
    /// Attribute name → accepted values.
    pub attributes: BTreeMap<String, BTreeSet<String>>,
    /// Accepted codes (a code also accepts its sub-codes).
    pub codes: BTreeSet<CodeId>,
    /// Accepted coders.
    pub coders: BTreeSet<String>,
}

impl EvidenceFilter {
    /// Whether the filter excludes anything at all.
    pub fn is_active(&self) -> bool {
        self.attributes.values().any(|v| !v.is_empty()) || !self.codes.is_empty() || !self.coders.is_empty()
    }

    /// Whether an evidence item passes the filter.
    pub fn matches(&self, doc: &Document, evidence: &Evidence) -> bool {
        let source = doc.source(evidence.source);
        for (name, values) in &self.attributes {
            if values.is_empty() {
                continue;
            }
            let value = source.and_then(|s| s.attributes.get(name));
            if !value.is_some_and(|v| values.contains(v)) {
                return false;
            }
        }
        if !self.codes.is_empty() && !evidence.codes.iter().any(|c| self.accepts_code(doc, *c)) {
            return false;
        }
        self.coders.is_empty() || self.coders.contains(&evidence.coder)
    }

    fn accepts_code(&self, doc: &Document, code: CodeId) -> bool {
        let mut current = Some(code);
        for _ in 0..=doc.codes.len() {
            match current {
                Some(id) if self.codes.contains(&id) => return true,
                Some(id) => current = doc.code(id).and_then(|c| c.parent),
                None => return false,
            }
        }
        false
    }

    /// The filter in words, e.g. "role = mentor; scheme = C or E; code: Confidence".
    pub fn describe(&self, doc: &Document) -> String {
        let mut parts: Vec<String> = self
            .attributes
            .iter()
            .filter(|(_, values)| !values.is_empty())
            .map(|(name, values)| format!("{name} = {}", values.iter().cloned().collect::<Vec<_>>().join(" or ")))
            .collect();
        if !self.codes.is_empty() {
            let names: Vec<String> = self.codes.iter().map(|c| doc.code_path(*c)).collect();
            parts.push(format!("code: {}", names.join(" or ")));
        }
        if !self.coders.is_empty() {
            parts.push(format!("coder: {}", self.coders.iter().cloned().collect::<Vec<_>>().join(" or ")));
        }
        parts.join("; ")
    }
}

/// The participant an evidence item speaks for.
fn participant_of(doc: &Document, source: SourceId) -> String {
    doc.source(source)
        .and_then(|s| s.attributes.get(PARTICIPANT_ATTRIBUTE).cloned())
        .unwrap_or_else(|| format!("source {}", source.0))
}

/// Support of every item that has any, under `filter`, counted by `mode`.
///
/// Sorts (item, group) pairs instead of hashing strings per excerpt, so that counting a map with
/// 100,000 excerpts takes milliseconds.
pub fn support_counts(doc: &Document, filter: &EvidenceFilter, mode: SupportMode) -> HashMap<ItemRef, usize> {
    let active = filter.is_active();
    // What makes two excerpts "the same" for distinct counting, as a number per source.
    let group_of: HashMap<SourceId, u32> = match mode {
        SupportMode::Excerpts => HashMap::new(),
        SupportMode::Sources => doc.sources.iter().enumerate().map(|(i, s)| (s.id, i as u32)).collect(),
        SupportMode::Participants => {
            let mut names: HashMap<String, u32> = HashMap::new();
            doc.sources
                .iter()
                .map(|s| {
                    let next = names.len() as u32;
                    (s.id, *names.entry(participant_of(doc, s.id)).or_insert(next))
                })
                .collect()
        }
    };
    let mut pairs: Vec<(ItemRef, u32)> = Vec::with_capacity(doc.evidence.len() + doc.evidence.len() / 2);
    for evidence in &doc.evidence {
        if active && !filter.matches(doc, evidence) {
            continue;
        }
        let group = match mode {
            SupportMode::Excerpts => 0,
            // A source missing from the map (never in a valid one) counts as a group of its own.
            _ => group_of.get(&evidence.source).copied().unwrap_or(u32::MAX),
        };
        pairs.extend(evidence.links.iter().map(|link| (*link, group)));
    }
    pairs.sort_unstable();
    if mode != SupportMode::Excerpts {
        pairs.dedup();
    }
    let mut counts = HashMap::with_capacity(doc.concepts.len() + doc.relationships.len() + doc.areas.len());
    for run in pairs.chunk_by(|a, b| a.0 == b.0) {
        counts.insert(run[0].0, run.len());
    }
    counts
}

/// Every attribute name used by the sources, with the values seen, sorted.
pub fn attribute_values(doc: &Document) -> BTreeMap<String, BTreeSet<String>> {
    let mut values: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for source in &doc.sources {
        for (name, value) in &source.attributes {
            values.entry(name.clone()).or_default().insert(value.clone());
        }
    }
    values
}

/// Every coder named in the evidence, sorted.
pub fn coders(doc: &Document) -> BTreeSet<String> {
    doc.evidence.iter().filter(|e| !e.coder.is_empty()).map(|e| e.coder.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ConceptId, RelationshipId, example};

    #[test]
    fn modes_count_differently_on_the_example() {
        let doc = example::document();
        let none = EvidenceFilter::default();
        // "Confidence in the professional role": 4 excerpts, from 4 sources? M03 twice (88-93, 140-147).
        let item = ItemRef::Concept(ConceptId(3));
        assert_eq!(support_counts(&doc, &none, SupportMode::Excerpts)[&item], 4);
        assert_eq!(support_counts(&doc, &none, SupportMode::Sources)[&item], 3);
        assert_eq!(support_counts(&doc, &none, SupportMode::Participants)[&item], 3);
        // "Satisfaction in the professional role": M03 follow-up and R02: 2 sources, 2 participants.
        // Coping: only M03's follow-up.
        let coping = ItemRef::Concept(ConceptId(13));
        assert_eq!(support_counts(&doc, &none, SupportMode::Participants)[&coping], 1);
    }

    #[test]
    fn filters_by_attribute_code_and_coder() {
        let doc = example::document();
        let mut mentors = EvidenceFilter::default();
        mentors.attributes.entry("role".to_owned()).or_default().insert("mentor".to_owned());
        assert!(mentors.is_active());
        assert_eq!(mentors.describe(&doc), "role = mentor");
        let counts = support_counts(&doc, &mentors, SupportMode::Excerpts);
        // "Feeling supported, less isolated" is supported by mentees only.
        assert!(!counts.contains_key(&ItemRef::Concept(ConceptId(14))));
        // "Satisfaction from developing others" comes from a mentor.
        assert_eq!(counts.get(&ItemRef::Concept(ConceptId(19))), Some(&1));
        // A parent code accepts its sub-codes.
        let mut wellbeing = EvidenceFilter::default();
        wellbeing.codes.insert(CodeId(7));
        let counts = support_counts(&doc, &wellbeing, SupportMode::Excerpts);
        assert!(counts.contains_key(&ItemRef::Concept(ConceptId(12))));
        assert!(!counts.contains_key(&ItemRef::Concept(ConceptId(17))));
        let mut nobody = EvidenceFilter::default();
        nobody.coders.insert("someone else".to_owned());
        assert!(support_counts(&doc, &nobody, SupportMode::Excerpts).is_empty());
        assert!(
            !support_counts(&doc, &EvidenceFilter::default(), SupportMode::Excerpts)
                .contains_key(&ItemRef::Relationship(RelationshipId(12)))
        );
    }
}
