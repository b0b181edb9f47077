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
pub fn suggest(doc: &Document, min_shared: usize) -> Vec<Suggestion> {
    let mut excerpts: BTreeMap<ConceptId, BTreeSet<EvidenceId>> = BTreeMap::new();
    let mut people: BTreeMap<ConceptId, BTreeSet<String>> = BTreeMap::new();
    for e in &doc.evidence {
        let person = doc
            .source(e.source)
            .and_then(|s| s.attributes.get(PARTICIPANT_ATTRIBUTE).cloned())
            .unwrap_or_else(|| format!("source {}", e.source.0));
        for link in &e.links {
            if let ItemRef::Concept(c) = link {
                excerpts.entry(*c).or_default().insert(e.id);
                people.entry(*c).or_default().insert(person.clone());
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
    let concepts: Vec<ConceptId> = excerpts.keys().copied().collect();
    let mut out = Vec::new();
    for (i, a) in concepts.iter().enumerate() {
        for b in &concepts[i + 1..] {
            if related.contains(&(*a.min(b), *a.max(b))) {
                continue;
            }
            let (ea, eb) = (&excerpts[a], &excerpts[b]);
            let shared: Vec<EvidenceId> = ea.intersection(eb).copied().collect();
            let participants = people[a].intersection(&people[b]).count();
            if shared.len() < min_shared.max(1) && participants < 2 {
                continue;
            }
            let union = ea.union(eb).count().max(1);
            out.push(Suggestion { a: *a, b: *b, jaccard: shared.len() as f32 / union as f32, shared, participants });
        }
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
