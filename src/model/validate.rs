//! Integrity checks: every reference points at something that exists, ids are unique, coordinates
//! are finite, the code hierarchy has no cycles.

use std::collections::{BTreeMap, BTreeSet};

use super::json_locate::Segment;
use super::{Document, Endpoint, ItemRef};

/// One integrity problem, with the path of the offending value in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Path to the value, e.g. `relationships[3].to`.
    pub path: Vec<Segment>,
    /// What is wrong, in words a user can act on.
    pub message: String,
}

impl Problem {
    /// The path written the way a user reads it: `relationships[3].to`.
    pub fn path_text(&self) -> String {
        let mut text = String::new();
        for segment in &self.path {
            match segment {
                Segment::Key(key) => {
                    if !text.is_empty() {
                        text.push('.');
                    }
                    text.push_str(key);
                }
                Segment::Index(index) => text.push_str(&format!("[{index}]")),
            }
        }
        text
    }
}

/// Checks a document's integrity and lists every problem found, in file order.
///
/// Works on the collections in the order they are stored, so the paths match the file the
/// document was read from.
pub fn validate(doc: &Document) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut problem = |path: Vec<Segment>, message: String| problems.push(Problem { path, message });
    use Segment::{Index, Key};

    macro_rules! unique_ids {
        ($field:ident, $what:literal) => {{
            let mut seen = BTreeSet::new();
            for (index, item) in doc.$field.iter().enumerate() {
                if !seen.insert(item.id) {
                    problem(
                        vec![Key(stringify!($field)), Index(index), Key("id")],
                        format!("{} id {} is used twice; each {} needs its own id", $what, item.id.0, $what),
                    );
                }
            }
            seen
        }};
    }
    let areas = unique_ids!(areas, "area");
    let concepts = unique_ids!(concepts, "concept");
    let types = unique_ids!(relationship_types, "relationship type");
    let relationships = unique_ids!(relationships, "relationship");
    let codes = unique_ids!(codes, "code");
    let sources = unique_ids!(sources, "source");
    unique_ids!(evidence, "evidence");
    unique_ids!(memos, "memo");

    let endpoint_exists = |end: Endpoint| match end {
        Endpoint::Concept(id) => concepts.contains(&id),
        Endpoint::Area(id) => areas.contains(&id),
    };
    let endpoint_text = |end: Endpoint| match end {
        Endpoint::Concept(id) => format!("concept {}", id.0),
        Endpoint::Area(id) => format!("area {}", id.0),
    };

    for (index, concept) in doc.concepts.iter().enumerate() {
        if !(concept.pos.x.is_finite() && concept.pos.y.is_finite()) {
            problem(
                vec![Key("concepts"), Index(index), Key("pos")],
                format!("concept {} (\"{}\") has a position that is not a finite number", concept.id.0, concept.label),
            );
        }
        for (slot, area) in concept.areas.iter().enumerate() {
            if !areas.contains(area) {
                problem(
                    vec![Key("concepts"), Index(index), Key("areas"), Index(slot)],
                    format!(
                        "concept {} (\"{}\") belongs to area {}, which does not exist",
                        concept.id.0, concept.label, area.0
                    ),
                );
            }
        }
    }

    for (index, rel) in doc.relationships.iter().enumerate() {
        for (key, end) in [("from", rel.from), ("to", rel.to)] {
            if !endpoint_exists(end) {
                let kind = match end {
                    Endpoint::Concept(_) => "concept",
                    Endpoint::Area(_) => "area",
                };
                problem(
                    vec![Key("relationships"), Index(index), Key(key), Key(kind)],
                    format!(
                        "relationship {} points at {}, which does not exist (its '{key}' end)",
                        rel.id.0,
                        endpoint_text(end)
                    ),
                );
            }
        }
        if !types.contains(&rel.type_id) {
            problem(
                vec![Key("relationships"), Index(index), Key("type")],
                format!(
                    "relationship {} has type {}, which is not among the relationship types",
                    rel.id.0, rel.type_id.0
                ),
            );
        }
        if !rel.bend.is_finite() {
            problem(
                vec![Key("relationships"), Index(index), Key("bend")],
                format!("relationship {} has a bend that is not a finite number", rel.id.0),
            );
        }
    }

    let parents: BTreeMap<_, _> = doc.codes.iter().map(|c| (c.id, c.parent)).collect();
    for (index, code) in doc.codes.iter().enumerate() {
        let Some(parent) = code.parent else { continue };
        if !codes.contains(&parent) {
            problem(
                vec![Key("codes"), Index(index), Key("parent")],
                format!("code {} (\"{}\") has parent code {}, which does not exist", code.id.0, code.name, parent.0),
            );
            continue;
        }
        // Walk up at most as many steps as there are codes; coming back to the start is a cycle.
        let mut current = Some(parent);
        for _ in 0..=doc.codes.len() {
            match current {
                Some(id) if id == code.id => {
                    problem(
                        vec![Key("codes"), Index(index), Key("parent")],
                        format!(
                            "code {} (\"{}\") is its own ancestor: the code hierarchy has a cycle",
                            code.id.0, code.name
                        ),
                    );
                    break;
                }
                Some(id) => current = parents.get(&id).copied().flatten(),
                None => break,
            }
        }
    }

    for (index, item) in doc.evidence.iter().enumerate() {
        if !sources.contains(&item.source) {
            problem(
                vec![Key("evidence"), Index(index), Key("source")],
                format!("evidence {} comes from source {}, which does not exist", item.id.0, item.source.0),
            );
        }
        for (slot, code) in item.codes.iter().enumerate() {
            if !codes.contains(code) {
                problem(
                    vec![Key("evidence"), Index(index), Key("codes"), Index(slot)],
                    format!("evidence {} is coded with code {}, which is not in the codebook", item.id.0, code.0),
                );
            }
        }
        for (slot, link) in item.links.iter().enumerate() {
            let (exists, what) = match *link {
                ItemRef::Concept(id) => (concepts.contains(&id), format!("concept {}", id.0)),
                ItemRef::Area(id) => (areas.contains(&id), format!("area {}", id.0)),
                ItemRef::Relationship(id) => (relationships.contains(&id), format!("relationship {}", id.0)),
            };
            if !exists {
                problem(
                    vec![Key("evidence"), Index(index), Key("links"), Index(slot)],
                    format!("evidence {} is linked to {what}, which does not exist", item.id.0),
                );
            }
        }
    }
    for (index, memo) in doc.memos.iter().enumerate() {
        let (exists, what) = match memo.item {
            ItemRef::Concept(id) => (concepts.contains(&id), format!("concept {}", id.0)),
            ItemRef::Area(id) => (areas.contains(&id), format!("area {}", id.0)),
            ItemRef::Relationship(id) => (relationships.contains(&id), format!("relationship {}", id.0)),
        };
        if !exists {
            problem(
                vec![Key("memos"), Index(index), Key("item")],
                format!("memo {} is about {what}, which does not exist", memo.id.0),
            );
        }
        if !memo.has_content() {
            problem(
                vec![Key("memos"), Index(index)],
                format!("memo {} has neither a stance nor any text; a memo must say something", memo.id.0),
            );
        }
    }
    for (index, step) in doc.story.iter().enumerate() {
        for (key, items) in [("visible", &step.visible), ("highlight", &step.highlight)] {
            for (slot, item) in items.iter().enumerate() {
                let exists = match *item {
                    ItemRef::Concept(id) => concepts.contains(&id),
                    ItemRef::Area(id) => areas.contains(&id),
                    ItemRef::Relationship(id) => relationships.contains(&id),
                };
                if !exists {
                    problem(
                        vec![Key("presentation"), Index(index), Key(key), Index(slot)],
                        format!("story step {} (\"{}\") refers to an item that does not exist", index + 1, step.title),
                    );
                }
            }
        }
        if let Some(focus) = &step.focus {
            for (slot, end) in focus.from.iter().enumerate() {
                if !endpoint_exists(*end) {
                    problem(
                        vec![Key("presentation"), Index(index), Key("focus"), Key("from"), Index(slot)],
                        format!(
                            "story step {} (\"{}\") focuses on {}, which does not exist",
                            index + 1,
                            step.title,
                            endpoint_text(*end)
                        ),
                    );
                }
            }
            if let Some(only) = focus.only
                && !types.contains(&only)
            {
                problem(
                    vec![Key("presentation"), Index(index), Key("focus"), Key("only")],
                    format!(
                        "story step {} focuses along relationship type {}, which does not exist",
                        index + 1,
                        only.0
                    ),
                );
            }
        }
        if let Some(view) = step.view
            && ![view.min.x, view.min.y, view.max.x, view.max.y].iter().all(|v| v.is_finite())
        {
            problem(
                vec![Key("presentation"), Index(index), Key("view")],
                format!("story step {} has a view that is not finite", index + 1),
            );
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::example;

    #[test]
    fn example_has_no_problems() {
        assert_eq!(validate(&example::document()), Vec::new());
    }

    #[test]
    fn code_cycle_is_found() {
        let mut doc = example::document();
        let first = doc.codes[0].id;
        let second = doc.codes[1].id;
        doc.codes[0].parent = Some(second);
        doc.codes[1].parent = Some(first);
        let problems = validate(&doc);
        assert!(problems.iter().any(|p| p.message.contains("cycle")), "{problems:?}");
    }

    fn memo_on(item: ItemRef) -> crate::model::Memo {
        crate::model::Memo {
            id: crate::model::MemoId(1),
            item,
            author: "Wren".to_owned(),
            stance: Some(crate::model::Stance::Agree),
            text: String::new(),
            written_at: "2026-03-05T14:02:11Z".to_owned(),
        }
    }

    #[test]
    fn a_memo_on_an_item_that_does_not_exist_is_found() {
        let mut doc = example::document();
        doc.memos.push(memo_on(ItemRef::Concept(doc.concepts[0].id)));
        assert_eq!(validate(&doc), Vec::new());
        doc.memos.push(crate::model::Memo {
            id: crate::model::MemoId(2),
            ..memo_on(ItemRef::Relationship(crate::model::RelationshipId(9_999)))
        });
        let problems = validate(&doc);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].path_text(), "memos[1].item");
        assert!(problems[0].message.contains("relationship 9999, which does not exist"), "{problems:?}");
    }

    #[test]
    fn a_memo_that_says_nothing_is_found() {
        let mut doc = example::document();
        let item = ItemRef::Area(doc.areas[0].id);
        doc.memos.push(crate::model::Memo { stance: None, text: " ".to_owned(), ..memo_on(item) });
        let problems = validate(&doc);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].path_text(), "memos[0]");
        // Text alone is enough.
        doc.memos[0].text = "Too broad".to_owned();
        assert_eq!(validate(&doc), Vec::new());
    }

    #[test]
    fn duplicate_ids_are_found() {
        let mut doc = example::document();
        let copy = doc.concepts[0].clone();
        doc.concepts.push(copy);
        let problems = validate(&doc);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("used twice"));
        assert_eq!(problems[0].path_text(), format!("concepts[{}].id", doc.concepts.len() - 1));
    }
}
