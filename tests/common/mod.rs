//! Random edits for the property tests: a random command on a document (some deliberately
//! invalid) and a random starting document. Shared by the command and merge property tests.

#![allow(dead_code, reason = "each test crate uses its own part of this module")]

use qualmap::command::{
    Command, Element, ElementId, delete_code, delete_items, delete_relationship_type, delete_source, merge_codes,
};
use qualmap::model::{
    Area, Code, Concept, Document, Endpoint, Evidence, ItemRef, Memo, MemoId, Point, Provenance, Relationship, Rgb,
    Source, Stance, example,
};
use qualmap::rng::Rng;

pub fn item_refs(doc: &Document) -> Vec<ItemRef> {
    let mut items: Vec<ItemRef> = doc.concepts.iter().map(|c| ItemRef::Concept(c.id)).collect();
    items.extend(doc.areas.iter().map(|a| ItemRef::Area(a.id)));
    items.extend(doc.relationships.iter().map(|r| ItemRef::Relationship(r.id)));
    items
}

fn endpoint(rng: &mut Rng, doc: &Document) -> Option<Endpoint> {
    if rng.chance(25) {
        rng.pick(&doc.areas).map(|a| Endpoint::Area(a.id))
    } else {
        rng.pick(&doc.concepts).map(|c| Endpoint::Concept(c.id))
    }
}

/// A random command; some are deliberately invalid (missing ids, non-finite numbers).
pub fn random_command(rng: &mut Rng, doc: &Document) -> Command {
    match rng.below(23) {
        21 => {
            // A memo on a random item; some say nothing, or are about an item that is gone, and
            // must be refused.
            let items = item_refs(doc);
            let item = match rng.pick(&items) {
                Some(item) if !rng.chance(5) => *item,
                _ => ItemRef::Concept(qualmap::model::ConceptId(999_999)),
            };
            let stance = if rng.chance(60) { rng.pick(&Stance::ALL).copied() } else { None };
            let text =
                if stance.is_none() && rng.chance(10) { String::new() } else { format!("memo {}", rng.below(100)) };
            Command::AddMemo(Memo {
                id: doc.next_memo_id(),
                item,
                author: format!("participant {}", rng.below(5)),
                stance,
                text,
                written_at: "2026-03-05T14:02:11Z".to_owned(),
            })
        }
        22 => match rng.pick(&doc.memos) {
            Some(memo) => Command::DeleteMemo(memo.id),
            None => Command::DeleteMemo(MemoId(999_999)),
        },
        18 => {
            let mut info = doc.info.clone();
            info.title = format!("title {}", rng.below(100));
            Command::SetInfo(info)
        }
        19 => match rng.pick(&doc.sources) {
            Some(s) => {
                let mut s = s.clone();
                s.attributes.insert(format!("attribute {}", rng.below(4)), format!("value {}", rng.below(4)));
                Command::Update(Element::Source(s))
            }
            None => Command::MoveConcepts(Vec::new()),
        },
        20 => {
            // A story step, sometimes focused on a random item.
            let mut story = doc.story.clone();
            let focus = endpoint(rng, doc).filter(|_| rng.chance(50)).map(|from| qualmap::model::Focus {
                from: vec![from],
                steps: 1 + rng.index(3),
                follow: qualmap::model::Follow::Both,
                only: None,
            });
            let step = qualmap::model::Step { title: format!("step {}", rng.below(100)), focus, ..Default::default() };
            if story.is_empty() || rng.chance(50) {
                story.push(step);
            } else {
                let at = rng.index(story.len());
                story[at] = step;
            }
            Command::SetStory(story)
        }
        0 | 1 => {
            let mut moves = Vec::new();
            for _ in 0..1 + rng.below(3) {
                if let Some(c) = rng.pick(&doc.concepts) {
                    let id = c.id;
                    moves.push((id, Point::new(rng.below(2000) as f32 - 1000.0, rng.below(2000) as f32 - 1000.0)));
                }
            }
            Command::MoveConcepts(moves)
        }
        2 => {
            let areas = doc.areas.iter().filter(|_| rng.chance(30)).map(|a| a.id).collect();
            Command::Insert(Element::Concept(Concept {
                id: doc.next_concept_id(),
                label: format!("concept {}", rng.below(1000)),
                description: String::new(),
                color: None,
                areas,
                pos: Point::new(rng.below(500) as f32, rng.below(500) as f32),
                pinned: rng.chance(20),
                provenance: Provenance::default(),
            }))
        }
        3 => match rng.pick(&doc.concepts) {
            Some(c) => {
                let mut c = c.clone();
                c.label.push('x');
                if rng.chance(50) {
                    c.areas = doc.areas.iter().filter(|_| rng.chance(40)).map(|a| a.id).collect();
                }
                if rng.chance(5) {
                    c.pos.x = f32::NAN; // must be refused
                }
                Command::Update(Element::Concept(c))
            }
            None => Command::Remove(ElementId::Concept(qualmap::model::ConceptId(999_999))),
        },
        4 => {
            let (Some(from), Some(to), Some(t)) =
                (endpoint(rng, doc), endpoint(rng, doc), rng.pick(&doc.relationship_types))
            else {
                return Command::MoveConcepts(Vec::new());
            };
            Command::Insert(Element::Relationship(Relationship {
                id: doc.next_relationship_id(),
                from,
                to,
                type_id: t.id,
                label: String::new(),
                direction: None,
                bend: if rng.chance(30) { 0.3 } else { 0.0 },
                description: String::new(),
                provenance: Provenance::default(),
            }))
        }
        5 | 6 => {
            let items = item_refs(doc);
            let chosen: Vec<ItemRef> = (0..1 + rng.below(3)).filter_map(|_| rng.pick(&items).copied()).collect();
            delete_items(doc, &chosen)
        }
        7 => Command::Insert(Element::Area(Area {
            id: doc.next_area_id(),
            label: "area".to_owned(),
            description: String::new(),
            color: Rgb::new(1, 2, 3),
            provenance: Provenance::default(),
        })),
        8 => match rng.pick(&doc.sources) {
            Some(source) => {
                let items = item_refs(doc);
                let links: Vec<ItemRef> = (0..rng.below(3)).filter_map(|_| rng.pick(&items).copied()).collect();
                let codes = doc.codes.iter().filter(|_| rng.chance(10)).map(|c| c.id).collect();
                Command::Insert(Element::Evidence(Evidence {
                    id: doc.next_evidence_id(),
                    excerpt: "said something".to_owned(),
                    source: source.id,
                    location: String::new(),
                    codes,
                    memo: String::new(),
                    coder: "tester".to_owned(),
                    coded_at: String::new(),
                    links,
                    provenance: Provenance::default(),
                    status: Default::default(),
                }))
            }
            None => Command::Insert(Element::Source(Source {
                id: doc.next_source_id(),
                name: "source".to_owned(),
                kind: Default::default(),
                attributes: Default::default(),
                description: String::new(),
                provenance: Provenance::default(),
            })),
        },
        9 => match rng.pick(&doc.evidence) {
            Some(e) => {
                let mut e = e.clone();
                let items = item_refs(doc);
                if rng.chance(50) {
                    e.links.clear();
                }
                if let Some(item) = rng.pick(&items) {
                    e.links.push(*item);
                }
                Command::Update(Element::Evidence(e))
            }
            None => Command::MoveConcepts(Vec::new()),
        },
        10 => match rng.pick(&doc.codes) {
            Some(c) => delete_code(doc, c.id),
            None => Command::Insert(Element::Code(Code {
                id: doc.next_code_id(),
                name: "code".to_owned(),
                parent: None,
                color: Rgb::new(9, 9, 9),
                description: String::new(),
            })),
        },
        11 => match (rng.pick(&doc.codes), rng.pick(&doc.codes)) {
            (Some(a), Some(b)) if a.id != b.id => merge_codes(doc, a.id, b.id),
            _ => Command::MoveConcepts(Vec::new()),
        },
        12 => match (rng.pick(&doc.codes), rng.pick(&doc.codes)) {
            (Some(a), Some(b)) => Command::Update(Element::Code(Code { parent: Some(b.id), ..a.clone() })),
            _ => Command::MoveConcepts(Vec::new()),
        },
        13 => match rng.pick(&doc.sources) {
            Some(s) => delete_source(doc, s.id),
            None => Command::MoveConcepts(Vec::new()),
        },
        14 => match rng.pick(&doc.relationship_types) {
            Some(t) if rng.chance(30) => delete_relationship_type(doc, t.id),
            _ => Command::MoveConcepts(Vec::new()),
        },
        15 => {
            // A raw removal that may well be refused because something still refers to it.
            match rng.pick(&item_refs(doc)) {
                Some(item) => Command::Remove(ElementId::from(*item)),
                None => Command::MoveConcepts(Vec::new()),
            }
        }
        16 => match rng.pick(&doc.relationships) {
            Some(r) => {
                let mut r = r.clone();
                std::mem::swap(&mut r.from, &mut r.to);
                r.bend = if rng.chance(10) { f32::INFINITY } else { -r.bend };
                Command::Update(Element::Relationship(r))
            }
            None => Command::MoveConcepts(Vec::new()),
        },
        _ => {
            let mut commands = Vec::new();
            let mut scratch = doc.clone();
            for _ in 0..1 + rng.below(3) {
                let command = random_command(rng, &scratch);
                if command.clone().apply(&mut scratch).is_ok() {
                    commands.push(command);
                }
            }
            Command::Batch { label: "batch".to_owned(), commands }
        }
    }
}

/// A random starting document: the example with parts removed and memos on some items, or a
/// blank one.
pub fn random_document(rng: &mut Rng) -> Document {
    let mut doc = if rng.chance(15) { Document::new_blank() } else { example::document() };
    for _ in 0..rng.below(4) {
        let items = item_refs(&doc);
        if let Some(item) = rng.pick(&items).copied() {
            let memo = Memo {
                id: doc.next_memo_id(),
                item,
                author: format!("participant {}", rng.below(5)),
                stance: rng.pick(&Stance::ALL).copied(),
                text: String::new(),
                written_at: "2026-03-05T14:00:00Z".to_owned(),
            };
            let _ = Command::AddMemo(memo).apply(&mut doc);
        }
    }
    for _ in 0..rng.below(4) {
        let items = item_refs(&doc);
        if let Some(item) = rng.pick(&items) {
            let _ = delete_items(&doc, &[*item]).apply(&mut doc);
        }
    }
    doc
}

/// Adds a memo on `item` to `doc` (as a workshop participant's comment arrives) and returns its id.
pub fn add_memo(doc: &mut Document, item: ItemRef, author: &str, stance: Option<Stance>, text: &str) -> MemoId {
    let memo = Memo {
        id: doc.next_memo_id(),
        item,
        author: author.to_owned(),
        stance,
        text: text.to_owned(),
        written_at: "2026-03-05T14:02:11Z".to_owned(),
    };
    let id = memo.id;
    Command::AddMemo(memo).apply(doc).unwrap();
    id
}
