//! Suggested relationships from code co-occurrence — the "secondary analysis" that found the
//! mentoring study's consequential benefits. Two concepts co-occur where one excerpt supports
//! both (a segment coded with both codes) and, more loosely, where one participant speaks to both.

use std::collections::{BTreeMap, BTreeSet};

use crate::command::{Command, Element};
use crate::model::support::PARTICIPANT_ATTRIBUTE;
use crate::model::{ConceptId, Direction, Document, Endpoint, EvidenceId, ItemRef, Provenance, Relationship};

/// A suggested relationship between two concepts.
#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    /// One concept.
    pub a: ConceptId,
    /// The other.
    pub b: ConceptId,
    /// Excerpts that support both.
    pub shared: Vec<EvidenceId>,
    /// Participants who speak to both.
    pub participants: usize,
    /// Jaccard index of the two concepts' excerpt sets.
    pub jaccard: f32,
}

/// Pairs of concepts with at least `min_shared` shared excerpts (or, with none shared, at least
/// two shared participants) and no relationship yet, strongest first.
///
/// Candidate pairs come from the evidence itself — concepts linked from one excerpt, and concepts
/// one participant speaks to — so the work grows with the coding, not with the square of the
/// number of concepts.
pub fn suggest(doc: &Document, min_shared: usize) -> Vec<Suggestion> {
    use std::collections::HashMap;
    let mut excerpts: BTreeMap<ConceptId, BTreeSet<EvidenceId>> = BTreeMap::new();
    let mut people: BTreeMap<String, BTreeSet<ConceptId>> = BTreeMap::new();
    let mut shared: HashMap<(ConceptId, ConceptId), Vec<EvidenceId>> = HashMap::new();
    for e in &doc.evidence {
        let person = doc
            .source(e.source)
            .and_then(|s| s.attributes.get(PARTICIPANT_ATTRIBUTE).cloned())
            .unwrap_or_else(|| format!("source {}", e.source.0));
        let concepts: Vec<ConceptId> =
            e.links.iter().filter_map(|l| if let ItemRef::Concept(c) = l { Some(*c) } else { None }).collect();
        for (i, a) in concepts.iter().enumerate() {
            excerpts.entry(*a).or_default().insert(e.id);
            people.entry(person.clone()).or_default().insert(*a);
            for b in &concepts[i + 1..] {
                if a != b {
                    shared.entry((*a.min(b), *a.max(b))).or_default().push(e.id);
                }
            }
        }
    }
    let mut together: HashMap<(ConceptId, ConceptId), usize> = HashMap::new();
    for concepts in people.values() {
        let concepts: Vec<ConceptId> = concepts.iter().copied().collect();
        for (i, a) in concepts.iter().enumerate() {
            for b in &concepts[i + 1..] {
                *together.entry((*a, *b)).or_insert(0) += 1;
            }
        }
    }
    let related: BTreeSet<(ConceptId, ConceptId)> = doc
        .relationships
        .iter()
        .filter_map(|r| match (r.from, r.to) {
            (Endpoint::Concept(a), Endpoint::Concept(b)) => Some((a.min(b), a.max(b))),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for (&(a, b), &participants) in &together {
        if related.contains(&(a, b)) {
            continue;
        }
        let mut both = shared.get(&(a, b)).cloned().unwrap_or_default();
        both.sort();
        both.dedup();
        if both.len() < min_shared.max(1) && participants < 2 {
            continue;
        }
        let union = match (excerpts.get(&a), excerpts.get(&b)) {
            (Some(x), Some(y)) => x.union(y).count().max(1),
            _ => 1,
        };
        out.push(Suggestion { a, b, jaccard: both.len() as f32 / union as f32, shared: both, participants });
    }
    out.sort_by(|x, y| {
        y.jaccard
            .total_cmp(&x.jaccard)
            .then(y.shared.len().cmp(&x.shared.len()))
            .then(y.participants.cmp(&x.participants))
            .then((x.a, x.b).cmp(&(y.a, y.b)))
    });
    out
}

/// The command that accepts a suggestion: an associative relationship with the co-occurring
/// excerpts as its evidence.
pub fn accept(doc: &Document, suggestion: &Suggestion) -> Command {
    let type_id = doc
        .relationship_types
        .iter()
        .find(|t| t.name == "is associated with")
        .or_else(|| doc.relationship_types.first())
        .map(|t| t.id);
    let mut commands = Vec::new();
    let type_id = match type_id {
        Some(id) => id,
        None => {
            let t = crate::model::preset_relationship_types().remove(2);
            let id = t.id;
            commands.push(Command::Insert(Element::RelationshipType(t)));
            id
        }
    };
    let id = doc.next_relationship_id();
    commands.push(Command::Insert(Element::Relationship(Relationship {
        id,
        from: Endpoint::Concept(suggestion.a),
        to: Endpoint::Concept(suggestion.b),
        type_id,
        label: String::new(),
        direction: Some(Direction::Associative),
        bend: 0.0,
        description: format!(
            "Suggested by co-occurrence: {} shared excerpts, {} shared participants, Jaccard {:.2}.",
            suggestion.shared.len(),
            suggestion.participants,
            suggestion.jaccard
        ),
        provenance: Provenance::default(),
    })));
    for evidence in suggestion.shared.iter().filter_map(|e| doc.evidence_item(*e)) {
        let mut linked = evidence.clone();
        linked.links.push(ItemRef::Relationship(id));
        commands.push(Command::Update(Element::Evidence(linked)));
    }
    Command::Batch { label: "Accept suggested relationship".to_owned(), commands }
}
