//! Comparing and merging copies of one map, by element and field.
//!
//! A map is taken apart into its parts ([`ElementKey`]: every element by kind and id, the title
//! block, the story), each part into its fields as the file writes them. Then:
//! - [`diff`] lists what was added, removed and changed between two copies, field by field;
//! - [`merge`] merges two copies with their common original (a three-way merge, as git does for
//!   text): a change made on one side only is kept; the same field changed two ways, or an
//!   element deleted on one side and changed on the other, is a [`Conflict`], kept in the result
//!   with both sides and never settled silently;
//! - [`merge_without_base`] merges two copies that have no known original (a shared drive's
//!   "conflicted copy"): nothing is deleted and every difference is a conflict;
//! - [`resolve`] settles one conflict as the user chooses, as one undoable command.
//!
//! The lists an element holds as sets (a concept's areas, an excerpt's codes and links) are
//! merged as sets, and a source's attributes key by key, so that two coders who link the same
//! excerpt to different concepts both keep their link.
//!
//! A merge whose two sides are each whole can still come out broken: one side deletes a concept
//! the other links new evidence to (or writes a memo on), or each side moves a code under the
//! other. Such a result is repaired (the concept is kept, the code keeps our parent) and the
//! repair is a conflict too. The result always validates; that is checked before it is returned.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::command::{Command, Element};
use crate::model::validate::validate;
use crate::model::{CodeId, Concept, Conflict, ConflictKind, Document, ElementKey, Endpoint, Evidence, ItemRef};

/// One part's fields, as the file writes them (without its id).
pub type Fields = Map<String, Value>;

/// Fields whose arrays are sets: merged item by item.
const SET_FIELDS: [&str; 3] = ["areas", "codes", "links"];
/// Fields whose objects are merged key by key.
const KEYED_FIELDS: [&str; 1] = ["attributes"];

/// A map taken apart: each part's fields by key.
pub fn parts(doc: &Document) -> BTreeMap<ElementKey, Fields> {
    let mut out = BTreeMap::new();
    for key in [ElementKey::Info, ElementKey::Story] {
        if let Some(fields) = part_fields(doc, key) {
            out.insert(key, fields);
        }
    }
    out.extend(doc.areas.iter().map(|e| (ElementKey::Area(e.id), fields_of(e))));
    out.extend(doc.concepts.iter().map(|e| (ElementKey::Concept(e.id), fields_of(e))));
    out.extend(doc.relationship_types.iter().map(|e| (ElementKey::RelationshipType(e.id), fields_of(e))));
    out.extend(doc.relationships.iter().map(|e| (ElementKey::Relationship(e.id), fields_of(e))));
    out.extend(doc.codes.iter().map(|e| (ElementKey::Code(e.id), fields_of(e))));
    out.extend(doc.sources.iter().map(|e| (ElementKey::Source(e.id), fields_of(e))));
    out.extend(doc.evidence.iter().map(|e| (ElementKey::Evidence(e.id), fields_of(e))));
    out.extend(doc.memos.iter().map(|e| (ElementKey::Memo(e.id), fields_of(e))));
    out
}

/// Why parts could not be put back together into a map.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// A part's fields do not make an element (a bug, or damaged input).
    #[error("{what}: {message}")]
    BadPart {
        /// The part.
        what: String,
        /// Why.
        message: String,
    },
    /// The result does not hold together and could not be repaired.
    #[error("the merged map would not hold together: {0}")]
    Invalid(String),
}

fn element<T: serde::de::DeserializeOwned>(key: ElementKey, fields: Fields) -> Result<T, MergeError> {
    let mut fields = fields;
    if !matches!(key, ElementKey::Info | ElementKey::Story) {
        fields.insert("id".to_owned(), Value::from(key.number()));
    }
    serde_json::from_value(Value::Object(fields)).map_err(|err| MergeError::BadPart {
        what: format!("{} {}", key.kind(), key.number()),
        message: err.to_string(),
    })
}

/// The fields of one element, as the file writes them (without its id).
fn fields_of<T: serde::Serialize>(value: &T) -> Fields {
    match serde_json::to_value(value) {
        Ok(Value::Object(mut map)) => {
            map.remove("id");
            map
        }
        _ => Fields::new(),
    }
}

/// One part of `doc` as its fields, if `doc` holds it.
pub fn part_fields(doc: &Document, key: ElementKey) -> Option<Fields> {
    match key {
        ElementKey::Info => Some(fields_of(&doc.info)),
        ElementKey::Story => (!doc.story.is_empty()).then(|| {
            let mut story = Fields::new();
            story.insert("story".to_owned(), serde_json::to_value(&doc.story).unwrap_or(Value::Null));
            story
        }),
        ElementKey::Area(id) => doc.area(id).map(fields_of),
        ElementKey::Concept(id) => doc.concept(id).map(fields_of),
        ElementKey::RelationshipType(id) => doc.relationship_type(id).map(fields_of),
        ElementKey::Relationship(id) => doc.relationship(id).map(fields_of),
        ElementKey::Code(id) => doc.code(id).map(fields_of),
        ElementKey::Source(id) => doc.source(id).map(fields_of),
        ElementKey::Evidence(id) => doc.evidence_item(id).map(fields_of),
        ElementKey::Memo(id) => doc.memo(id).map(fields_of),
    }
}

/// Copies the element `key` of `from` into `to` (kept sorted by the caller); whether `from`
/// held it.
fn copy_part(from: &Document, to: &mut Document, key: ElementKey) -> bool {
    match key {
        ElementKey::Info => {
            to.info = from.info.clone();
            true
        }
        ElementKey::Story => {
            to.story = from.story.clone();
            !from.story.is_empty()
        }
        ElementKey::Area(id) => from.area(id).map(|e| to.areas.push(e.clone())).is_some(),
        ElementKey::Concept(id) => from.concept(id).map(|e| to.concepts.push(e.clone())).is_some(),
        ElementKey::RelationshipType(id) => {
            from.relationship_type(id).map(|e| to.relationship_types.push(e.clone())).is_some()
        }
        ElementKey::Relationship(id) => from.relationship(id).map(|e| to.relationships.push(e.clone())).is_some(),
        ElementKey::Code(id) => from.code(id).map(|e| to.codes.push(e.clone())).is_some(),
        ElementKey::Source(id) => from.source(id).map(|e| to.sources.push(e.clone())).is_some(),
        ElementKey::Evidence(id) => from.evidence_item(id).map(|e| to.evidence.push(e.clone())).is_some(),
        ElementKey::Memo(id) => from.memo(id).map(|e| to.memos.push(e.clone())).is_some(),
    }
}

/// A short human name for a part, from the map that holds it.
pub fn part_label(doc: &Document, key: ElementKey) -> String {
    fn clip(text: &str) -> String {
        let line = text.lines().next().unwrap_or_default();
        if line.chars().count() > 60 || text.contains('\n') {
            format!("{}…", line.chars().take(60).collect::<String>())
        } else {
            line.to_owned()
        }
    }
    match key {
        ElementKey::Info => "title, description and citation".to_owned(),
        ElementKey::Story => format!("the story ({} steps)", doc.story.len()),
        ElementKey::Area(id) => doc.area(id).map(|a| a.label.clone()).unwrap_or_default(),
        ElementKey::Concept(id) => doc.concept(id).map(|c| c.label.clone()).unwrap_or_default(),
        ElementKey::Relationship(id) => {
            if doc.relationship(id).is_some() {
                doc.item_label(ItemRef::Relationship(id))
            } else {
                String::new()
            }
        }
        ElementKey::RelationshipType(id) => doc.relationship_type(id).map(|t| t.name.clone()).unwrap_or_default(),
        ElementKey::Code(id) => {
            if doc.code(id).is_some() {
                doc.code_path(id)
            } else {
                String::new()
            }
        }
        ElementKey::Source(id) => doc.source(id).map(|s| s.name.clone()).unwrap_or_default(),
        ElementKey::Evidence(id) => doc.evidence_item(id).map(|e| clip(&e.excerpt)).unwrap_or_default(),
        ElementKey::Memo(id) => doc
            .memo(id)
            .map(|m| {
                let said = match (m.stance, m.text.trim().is_empty()) {
                    (Some(stance), true) => stance.label().to_owned(),
                    (Some(stance), false) => format!("{}, {}", stance.label(), clip(&m.text)),
                    (None, _) => clip(&m.text),
                };
                format!("{} on {}: {said}", m.author_label(), doc.item_label(m.item))
            })
            .unwrap_or_default(),
    }
}

/// A value in one line: a text quoted, a position as `(x, y)`, anything else as compact JSON;
/// at most about 60 characters.
pub fn short_value(value: &Value) -> String {
    let text = match value {
        Value::Null => "(none)".to_owned(),
        Value::Object(map) if map.len() == 2 && map.contains_key("x") && map.contains_key("y") => {
            format!("({}, {})", map["x"], map["y"])
        }
        other => other.to_string(),
    };
    if text.chars().count() > 60 { format!("{}…", text.chars().take(59).collect::<String>()) } else { text }
}

// ----- Diff -------------------------------------------------------------------------------------

/// One field that differs.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FieldChange {
    /// The field's key in the file, e.g. `label`.
    pub field: String,
    /// Its value in the first map (`null`: absent).
    pub before: Value,
    /// Its value in the second map (`null`: absent).
    pub after: Value,
}

/// How a part differs between two maps.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "change")]
pub enum ChangeKind {
    /// Only in the second map.
    Added,
    /// Only in the first map.
    Removed,
    /// In both, with these fields different.
    Changed {
        /// The fields, in key order.
        fields: Vec<FieldChange>,
    },
}

/// One part that differs between two maps.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Change {
    /// The part.
    pub element: ElementKey,
    /// Its name (from the second map where it is there, else the first).
    pub label: String,
    /// How it differs.
    #[serde(flatten)]
    pub kind: ChangeKind,
}

/// What differs between maps `a` and `b`, part by part in key order (the title block, the
/// story, then areas, concepts, relationship types, relationships, codes, sources, evidence,
/// memos).
/// Unsettled conflicts a map holds are not compared.
pub fn diff(a: &Document, b: &Document) -> Vec<Change> {
    // The keys whose elements differ, found by comparing the elements themselves (quick); only
    // those are written out field by field.
    let mut keys: Vec<ElementKey> = Vec::new();
    if a.info != b.info {
        keys.push(ElementKey::Info);
    }
    if a.story != b.story {
        keys.push(ElementKey::Story);
    }
    fn differing<T: PartialEq>(a: &[T], b: &[T], key_of: fn(&T) -> ElementKey, out: &mut Vec<ElementKey>) {
        let index = |items: &[T]| -> BTreeMap<ElementKey, usize> {
            items.iter().enumerate().map(|(i, e)| (key_of(e), i)).collect()
        };
        let (ia, ib) = (index(a), index(b));
        let keys: BTreeSet<&ElementKey> = ia.keys().chain(ib.keys()).collect();
        for key in keys {
            let (x, y) = (ia.get(key).and_then(|i| a.get(*i)), ib.get(key).and_then(|i| b.get(*i)));
            if x != y {
                out.push(*key);
            }
        }
    }
    differing(&a.areas, &b.areas, |e| ElementKey::Area(e.id), &mut keys);
    differing(&a.concepts, &b.concepts, |e| ElementKey::Concept(e.id), &mut keys);
    differing(&a.relationship_types, &b.relationship_types, |e| ElementKey::RelationshipType(e.id), &mut keys);
    differing(&a.relationships, &b.relationships, |e| ElementKey::Relationship(e.id), &mut keys);
    differing(&a.codes, &b.codes, |e| ElementKey::Code(e.id), &mut keys);
    differing(&a.sources, &b.sources, |e| ElementKey::Source(e.id), &mut keys);
    differing(&a.evidence, &b.evidence, |e| ElementKey::Evidence(e.id), &mut keys);
    differing(&a.memos, &b.memos, |e| ElementKey::Memo(e.id), &mut keys);
    let mut changes = Vec::new();
    for key in keys {
        let kind = match (part_fields(a, key), part_fields(b, key)) {
            (None, Some(_)) => ChangeKind::Added,
            (Some(_), None) => ChangeKind::Removed,
            (Some(x), Some(y)) if x != y => {
                let fields: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
                ChangeKind::Changed {
                    fields: fields
                        .into_iter()
                        .filter(|f| x.get(*f) != y.get(*f))
                        .map(|f| FieldChange {
                            field: f.clone(),
                            before: x.get(f).cloned().unwrap_or(Value::Null),
                            after: y.get(f).cloned().unwrap_or(Value::Null),
                        })
                        .collect(),
                }
            }
            _ => continue,
        };
        let label = if part_fields(b, key).is_some() { part_label(b, key) } else { part_label(a, key) };
        changes.push(Change { element: key, label, kind });
    }
    changes
}

// ----- Merge ------------------------------------------------------------------------------------

/// What a merge gives: the merged map (holding every conflict, old and new) and how many of
/// its conflicts this merge found.
#[derive(Debug)]
pub struct Merged {
    /// The merged map; it validates.
    pub document: Document,
    /// Conflicts found by this merge (they are also in `document.conflicts`).
    pub new_conflicts: usize,
    /// Elements the other side added with an id this side also used for something else, and
    /// the new id each was given.
    pub renumbered: Vec<(ElementKey, ElementKey)>,
}

/// Merges `ours` and `theirs`, two copies of `base` changed apart: see the module documentation.
pub fn merge(base: &Document, ours: &Document, theirs: &Document) -> Result<Merged, MergeError> {
    let (theirs, renumbered) = renumber_collisions(base, ours, theirs);
    merge_docs(Some(base), ours, &theirs, renumbered)
}

/// Merges two copies of one map that have no known common original: what only one holds is
/// kept (nothing is deleted), and every field that differs is a conflict.
pub fn merge_without_base(ours: &Document, theirs: &Document) -> Result<Merged, MergeError> {
    merge_docs(None, ours, theirs, Vec::new())
}

/// One element three ways (`base` is `None` without an original), settled by comparing the
/// elements themselves where both sides agree or one left it as it was: most of a map, quickly,
/// without writing out fields. `None` when it needs merging field by field.
fn settled<'a, T: PartialEq>(
    base: Option<Option<&'a T>>,
    ours: Option<&'a T>,
    theirs: Option<&'a T>,
) -> Option<Option<&'a T>> {
    if ours == theirs {
        Some(ours)
    } else if base == Some(ours) {
        Some(theirs)
    } else if base == Some(theirs) {
        Some(ours)
    } else {
        None
    }
}

/// The elements of one kind merged (see [`merge`]); `base` is `None` without an original.
fn merge_kind<T>(
    key_of: fn(&T) -> ElementKey,
    base: Option<&[T]>,
    ours: &[T],
    theirs: &[T],
    conflicts: &mut Vec<Conflict>,
) -> Result<Vec<T>, MergeError>
where
    T: Clone + PartialEq + serde::Serialize + serde::de::DeserializeOwned,
{
    fn index<T>(items: &[T], key_of: fn(&T) -> ElementKey) -> BTreeMap<ElementKey, &T> {
        items.iter().map(|e| (key_of(e), e)).collect()
    }
    let (b, o, t) = (base.map(|b| index(b, key_of)), index(ours, key_of), index(theirs, key_of));
    let keys: BTreeSet<ElementKey> =
        o.keys().chain(t.keys()).chain(b.iter().flat_map(BTreeMap::keys)).copied().collect();
    let mut out = Vec::with_capacity(ours.len().max(theirs.len()));
    for key in keys {
        let (bo, oo, to) = (b.as_ref().map(|b| b.get(&key).copied()), o.get(&key).copied(), t.get(&key).copied());
        if let Some(kept) = settled(bo, oo, to) {
            out.extend(kept.cloned());
            continue;
        }
        let bf = bo.map(|b| b.map(fields_of));
        let (of, tf) = (oo.map(fields_of), to.map(fields_of));
        if let Some(fields) = merge_part(key, bf.as_ref().map(Option::as_ref), of.as_ref(), tf.as_ref(), conflicts) {
            out.push(element(key, fields)?);
        }
    }
    Ok(out)
}

fn merge_docs(
    base: Option<&Document>,
    ours: &Document,
    theirs: &Document,
    renumbered: Vec<(ElementKey, ElementKey)>,
) -> Result<Merged, MergeError> {
    let mut conflicts = Vec::new();
    let mut doc = Document::default();
    // The title block and the story: one part each.
    for key in [ElementKey::Info, ElementKey::Story] {
        let b = base.map(|b| part_fields(b, key));
        let (o, t) = (part_fields(ours, key), part_fields(theirs, key));
        let merged = match settled(b.as_ref().map(Option::as_ref), o.as_ref(), t.as_ref()) {
            Some(kept) => kept.cloned(),
            None => merge_part(key, b.as_ref().map(Option::as_ref), o.as_ref(), t.as_ref(), &mut conflicts),
        };
        match (key, merged) {
            (ElementKey::Info, Some(fields)) => doc.info = element(key, fields)?,
            (ElementKey::Story, Some(fields)) => {
                doc.story = serde_json::from_value(fields.get("story").cloned().unwrap_or(Value::Null))
                    .map_err(|err| MergeError::BadPart { what: "the story".to_owned(), message: err.to_string() })?;
            }
            _ => {}
        }
    }
    macro_rules! kind {
        ($field:ident, $variant:ident) => {
            doc.$field = merge_kind(
                |e| ElementKey::$variant(e.id),
                base.map(|b| &b.$field[..]),
                &ours.$field,
                &theirs.$field,
                &mut conflicts,
            )?
            .into();
        };
    }
    kind!(areas, Area);
    kind!(concepts, Concept);
    kind!(relationship_types, RelationshipType);
    kind!(relationships, Relationship);
    kind!(codes, Code);
    kind!(sources, Source);
    kind!(evidence, Evidence);
    kind!(memos, Memo);
    doc.normalize();
    repair(base, ours, theirs, &mut doc, &mut conflicts)?;
    let new_conflicts = conflicts.len();
    let none = Vec::new();
    let mut all = merge_lists(base.map_or(&none, |b| &b.conflicts), &ours.conflicts, &theirs.conflicts);
    all.extend(conflicts);
    doc.conflicts = all;
    let problems = validate(&doc);
    if let Some(problem) = problems.first() {
        return Err(MergeError::Invalid(problem.to_string()));
    }
    Ok(Merged { document: doc, new_conflicts, renumbered })
}

/// A three-way merge of two lists kept as sets: what both keep, plus what either added.
fn merge_lists<T: PartialEq + Clone>(base: &[T], ours: &[T], theirs: &[T]) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for item in ours.iter().chain(theirs) {
        let in_ours = ours.contains(item);
        let in_theirs = theirs.contains(item);
        let in_base = base.contains(item);
        let keep = (in_ours && in_theirs) || !in_base;
        if keep && !out.contains(item) {
            out.push(item.clone());
        }
    }
    out
}

/// Merges one part. `base` is `None` when no original is known (a merge without base), and
/// `Some(None)` when the original lacks the part.
fn merge_part(
    key: ElementKey,
    base: Option<Option<&Fields>>,
    ours: Option<&Fields>,
    theirs: Option<&Fields>,
    conflicts: &mut Vec<Conflict>,
) -> Option<Fields> {
    let whole = |kind, base: Option<&Fields>, ours: Option<&Fields>, theirs: Option<&Fields>| Conflict {
        element: key,
        field: None,
        kind,
        base: base.map_or(Value::Null, |b| Value::Object(b.clone())),
        ours: ours.map_or(Value::Null, |o| Value::Object(o.clone())),
        theirs: theirs.map_or(Value::Null, |t| Value::Object(t.clone())),
    };
    match (base.flatten(), ours, theirs) {
        (_, None, None) => None,
        (None, Some(one), None) | (None, None, Some(one)) => Some(one.clone()),
        (Some(b), Some(o), None) => {
            if o == b {
                None
            } else {
                conflicts.push(whole(ConflictKind::DeletedAndChanged, Some(b), Some(o), None));
                Some(o.clone())
            }
        }
        (Some(b), None, Some(t)) => {
            if t == b {
                None
            } else {
                conflicts.push(whole(ConflictKind::DeletedAndChanged, Some(b), None, Some(t)));
                Some(t.clone())
            }
        }
        (b, Some(o), Some(t)) => {
            if o == t {
                return Some(o.clone());
            }
            // Without an original (or when both added the same id, which renumbering rules out
            // in a three-way merge) every difference is a conflict.
            Some(merge_fields(key, b, o, t, conflicts))
        }
    }
}

fn merge_fields(
    key: ElementKey,
    base: Option<&Fields>,
    ours: &Fields,
    theirs: &Fields,
    conflicts: &mut Vec<Conflict>,
) -> Fields {
    let names: BTreeSet<&String> =
        ours.keys().chain(theirs.keys()).chain(base.into_iter().flat_map(|b| b.keys())).collect();
    let mut out = Fields::new();
    for name in names {
        let (o, t) = (ours.get(name), theirs.get(name));
        let b = base.map(|b| b.get(name));
        let value = if o == t {
            o.cloned()
        } else if b == Some(o) {
            t.cloned()
        } else if b == Some(t) {
            o.cloned()
        } else if let (Some(b), true) = (b, SET_FIELDS.contains(&name.as_str())) {
            Some(merge_set(b, o, t))
        } else if let Some(merged) =
            b.and_then(|b| KEYED_FIELDS.contains(&name.as_str()).then(|| merge_keyed(b, o, t)).flatten())
        {
            Some(merged)
        } else {
            conflicts.push(Conflict {
                element: key,
                field: Some(name.clone()),
                kind: if base.is_some() { ConflictKind::BothChanged } else { ConflictKind::Differs },
                base: b.flatten().cloned().unwrap_or(Value::Null),
                ours: o.cloned().unwrap_or(Value::Null),
                theirs: t.cloned().unwrap_or(Value::Null),
            });
            o.cloned()
        };
        if let Some(value) = value {
            out.insert(name.clone(), value);
        }
    }
    out
}

fn array(value: Option<&Value>) -> &[Value] {
    match value {
        Some(Value::Array(items)) => items,
        _ => &[],
    }
}

/// A set field merged item by item: what both keep, plus what either added.
fn merge_set(base: Option<&Value>, ours: Option<&Value>, theirs: Option<&Value>) -> Value {
    Value::Array(merge_lists(array(base), array(ours), array(theirs)))
}

/// An object merged key by key; `None` when some key was changed two ways.
fn merge_keyed(base: Option<&Value>, ours: Option<&Value>, theirs: Option<&Value>) -> Option<Value> {
    let empty = Map::new();
    fn object<'a>(value: Option<&'a Value>, empty: &'a Map<String, Value>) -> Option<&'a Map<String, Value>> {
        match value {
            Some(Value::Object(map)) => Some(map),
            None => Some(empty),
            _ => None,
        }
    }
    let (b, o, t) = (object(base, &empty)?, object(ours, &empty)?, object(theirs, &empty)?);
    let keys: BTreeSet<&String> = b.keys().chain(o.keys()).chain(t.keys()).collect();
    let mut out = Map::new();
    for key in keys {
        let (bv, ov, tv) = (b.get(key), o.get(key), t.get(key));
        let value = if ov == tv {
            ov
        } else if bv == ov {
            tv
        } else if bv == tv {
            ov
        } else {
            return None;
        };
        if let Some(value) = value {
            out.insert(key.clone(), value.clone());
        }
    }
    Some(Value::Object(out))
}

/// Makes a merged map whole again: an element one side deleted but the other side's change
/// still refers to is kept (from the side that has it), and a code hierarchy that the two sides'
/// moves made circular keeps our parents. Each repair is recorded as a conflict.
fn repair(
    base: Option<&Document>,
    ours: &Document,
    theirs: &Document,
    doc: &mut Document,
    conflicts: &mut Vec<Conflict>,
) -> Result<(), MergeError> {
    let value =
        |from: Option<&Document>, key| from.and_then(|d| part_fields(d, key)).map_or(Value::Null, Value::Object);
    // Each round restores at least one element (or fails), and restoring an element can only
    // need elements of the kinds it refers to: areas, concepts, relationships, types, codes,
    // sources. A handful of rounds settles any map; the bound only keeps a bug from looping.
    for _ in 0..64 {
        let missing = missing_references(doc);
        if missing.is_empty() {
            break;
        }
        for key in missing {
            let restored = [Some(ours), Some(theirs), base].into_iter().flatten().any(|from| copy_part(from, doc, key));
            if !restored {
                return Err(MergeError::Invalid(format!(
                    "{} {} is referred to but neither copy holds it",
                    key.kind(),
                    key.number()
                )));
            }
            // A part that was in a conflict already (deleted on one side, changed on the other)
            // is kept anyway; only a silent deletion needs a conflict of its own.
            if !conflicts.iter().any(|c| c.element == key && c.field.is_none()) {
                conflicts.push(Conflict {
                    element: key,
                    field: None,
                    kind: ConflictKind::DeletedButUsed,
                    base: value(base, key),
                    ours: value(Some(ours), key),
                    theirs: value(Some(theirs), key),
                });
            }
        }
        doc.normalize();
    }
    // Codes moved under each other: on each cycle, a code whose parent came from the other side
    // gets our parent back (our side alone has no cycle, so one always does).
    for _ in 0..=doc.codes.len() {
        let Some(start) = code_in_cycle(doc) else { break };
        let ours_parent = |id: CodeId| ours.code(id).and_then(|c| c.parent);
        let mut member = start;
        let mut reverted = false;
        for _ in 0..doc.codes.len() {
            let Some(parent) = doc.code(member).map(|c| c.parent) else { break };
            if parent != ours_parent(member) {
                let field = |p: Option<CodeId>| p.map_or(Value::Null, |p| Value::from(p.0));
                conflicts.push(Conflict {
                    element: ElementKey::Code(member),
                    field: Some("parent".to_owned()),
                    kind: ConflictKind::WouldCycle,
                    base: field(base.and_then(|b| b.code(member)).and_then(|c| c.parent)),
                    ours: field(ours_parent(member)),
                    theirs: field(theirs.code(member).and_then(|c| c.parent)),
                });
                if let Some(code) = doc.code_mut(member) {
                    code.parent = ours_parent(member);
                }
                reverted = true;
                break;
            }
            match parent {
                Some(next) if next != start => member = next,
                _ => break,
            }
        }
        if !reverted {
            return Err(MergeError::Invalid("the code hierarchy has a cycle".to_owned()));
        }
    }
    Ok(())
}

/// A code that is its own ancestor, if any.
fn code_in_cycle(doc: &Document) -> Option<CodeId> {
    doc.codes.iter().map(|c| c.id).find(|&start| {
        let mut current = doc.code(start).and_then(|c| c.parent);
        for _ in 0..doc.codes.len() {
            match current {
                Some(id) if id == start => return true,
                Some(id) => current = doc.code(id).and_then(|c| c.parent),
                None => return false,
            }
        }
        false
    })
}

/// Parts that something in `doc` refers to but `doc` does not hold.
pub fn missing_references(doc: &Document) -> BTreeSet<ElementKey> {
    let mut missing = BTreeSet::new();
    let mut need = |key: ElementKey, present: bool| {
        if !present {
            missing.insert(key);
        }
    };
    let endpoint = |end: Endpoint| match end {
        Endpoint::Concept(id) => (ElementKey::Concept(id), doc.concept(id).is_some()),
        Endpoint::Area(id) => (ElementKey::Area(id), doc.area(id).is_some()),
    };
    let item = |item: ItemRef| match item {
        ItemRef::Concept(id) => (ElementKey::Concept(id), doc.concept(id).is_some()),
        ItemRef::Area(id) => (ElementKey::Area(id), doc.area(id).is_some()),
        ItemRef::Relationship(id) => (ElementKey::Relationship(id), doc.relationship(id).is_some()),
    };
    for concept in &doc.concepts {
        for area in &concept.areas {
            need(ElementKey::Area(*area), doc.area(*area).is_some());
        }
    }
    for rel in &doc.relationships {
        let (k, p) = endpoint(rel.from);
        need(k, p);
        let (k, p) = endpoint(rel.to);
        need(k, p);
        need(ElementKey::RelationshipType(rel.type_id), doc.relationship_type(rel.type_id).is_some());
    }
    for code in &doc.codes {
        if let Some(parent) = code.parent {
            need(ElementKey::Code(parent), doc.code(parent).is_some());
        }
    }
    for e in &doc.evidence {
        need(ElementKey::Source(e.source), doc.source(e.source).is_some());
        for code in &e.codes {
            need(ElementKey::Code(*code), doc.code(*code).is_some());
        }
        for link in &e.links {
            let (k, p) = item(*link);
            need(k, p);
        }
    }
    for memo in &doc.memos {
        let (k, p) = item(memo.item);
        need(k, p);
    }
    for step in &doc.story {
        for link in step.visible.iter().chain(&step.highlight) {
            let (k, p) = item(*link);
            need(k, p);
        }
        if let Some(focus) = &step.focus {
            for end in &focus.from {
                let (k, p) = endpoint(*end);
                need(k, p);
            }
            if let Some(only) = focus.only {
                need(ElementKey::RelationshipType(only), doc.relationship_type(only).is_some());
            }
        }
    }
    missing
}

// ----- Ids the two sides both used --------------------------------------------------------------

/// The other side with a fresh id for every element it added under an id that our side also
/// added, for something else. New ids are unique between copies (see `model::ids`), but copies
/// edited by a Qualmap before format version 3, which numbered "largest plus one", do collide.
fn renumber_collisions(
    base: &Document,
    ours: &Document,
    theirs: &Document,
) -> (Document, Vec<(ElementKey, ElementKey)>) {
    let mut clashes: Vec<ElementKey> = Vec::new();
    macro_rules! clashes {
        ($field:ident, $lookup:ident, $variant:ident) => {
            clashes.extend(
                theirs
                    .$field
                    .iter()
                    .filter(|e| base.$lookup(e.id).is_none() && ours.$lookup(e.id).is_some_and(|mine| mine != *e))
                    .map(|e| ElementKey::$variant(e.id)),
            );
        };
    }
    clashes!(areas, area, Area);
    clashes!(concepts, concept, Concept);
    clashes!(relationship_types, relationship_type, RelationshipType);
    clashes!(relationships, relationship, Relationship);
    clashes!(codes, code, Code);
    clashes!(sources, source, Source);
    clashes!(evidence, evidence_item, Evidence);
    clashes!(memos, memo, Memo);
    let mut theirs = theirs.clone();
    let mut renumbered = Vec::new();
    for key in clashes {
        // A new id above both sides' (each side's `next_*_id` is above its own ids, and every
        // call gives a new one).
        macro_rules! fresh {
            ($next:ident, $variant:ident) => {
                ElementKey::$variant(ours.$next().max(theirs.$next()))
            };
        }
        let new_key = match key {
            ElementKey::Area(_) => fresh!(next_area_id, Area),
            ElementKey::Concept(_) => fresh!(next_concept_id, Concept),
            ElementKey::RelationshipType(_) => fresh!(next_relationship_type_id, RelationshipType),
            ElementKey::Relationship(_) => fresh!(next_relationship_id, Relationship),
            ElementKey::Code(_) => fresh!(next_code_id, Code),
            ElementKey::Source(_) => fresh!(next_source_id, Source),
            ElementKey::Evidence(_) => fresh!(next_evidence_id, Evidence),
            ElementKey::Memo(_) => fresh!(next_memo_id, Memo),
            ElementKey::Info | ElementKey::Story => continue,
        };
        theirs.renumber(key, new_key);
        renumbered.push((key, new_key));
    }
    (theirs, renumbered)
}

// ----- Settling a conflict ----------------------------------------------------------------------

/// How the user settles a conflict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    /// Keep this side's version (for a deletion: delete).
    Mine,
    /// Keep the other side's version (for a deletion: delete).
    Theirs,
    /// Keep both: for a text field both texts, for a list both lists; for a deleted element,
    /// keep it.
    Both,
}

/// Whether `choice` can settle `conflict` (keeping both is only possible for texts, lists and
/// a deletion).
pub fn can_choose(conflict: &Conflict, choice: Choice) -> bool {
    match choice {
        Choice::Mine | Choice::Theirs => true,
        Choice::Both => match conflict.field {
            None => true,
            Some(_) => matches!(
                (&conflict.ours, &conflict.theirs),
                (Value::String(_), Value::String(_)) | (Value::Array(_), Value::Array(_))
            ),
        },
    }
}

/// The command that settles conflict `index` of `doc` as chosen, and takes it off the list: one
/// undoable step. Deleting an element deletes what refers to it with it (as the Delete key does).
pub fn resolve(doc: &Document, index: usize, choice: Choice) -> Result<Command, String> {
    let conflict = doc.conflicts.get(index).ok_or_else(|| "that conflict is already settled".to_owned())?;
    if !can_choose(conflict, choice) {
        return Err("both cannot be kept for this field; choose one".to_owned());
    }
    let mut rest = doc.conflicts.clone();
    rest.remove(index);
    let key = conflict.element;
    let current = part_fields(doc, key);
    let chosen: Option<Value> = match (choice, &conflict.field) {
        (Choice::Mine, _) => Some(conflict.ours.clone()),
        (Choice::Theirs, _) => Some(conflict.theirs.clone()),
        (Choice::Both, None) => None,
        (Choice::Both, Some(_)) => Some(match (&conflict.ours, &conflict.theirs) {
            (Value::String(a), Value::String(b)) => Value::String(format!("{a}\n\n{b}")),
            (Value::Array(a), Value::Array(b)) => Value::Array(merge_lists(&[], a, b)),
            (other, _) => other.clone(),
        }),
    };
    let mut commands = Vec::new();
    match (&conflict.field, chosen) {
        // The whole element: keep both means keep it as it is.
        (None, None) => {}
        // Already gone (settling another conflict deleted it with what it belonged to).
        (None, Some(Value::Null)) if current.is_none() => {}
        (None, Some(Value::Null)) => {
            if let Some(item) = key.item() {
                commands.push(crate::command::delete_items(doc, &[item]));
            } else {
                commands.push(delete_part(doc, key)?);
            }
        }
        (None, Some(Value::Object(fields))) => {
            commands.push(update_part(doc, key, fields, current.is_some())?);
        }
        (Some(field), Some(value)) => {
            let mut fields =
                current.ok_or_else(|| format!("{} {} is no longer in the map", key.kind(), key.number()))?;
            if value.is_null() {
                fields.remove(field);
            } else {
                fields.insert(field.clone(), value);
            }
            commands.push(update_part(doc, key, fields, true)?);
        }
        (None, Some(_)) | (Some(_), None) => return Err("the conflict's value is not an element".to_owned()),
    }
    commands.push(Command::SetConflicts(rest));
    Ok(Command::Batch { label: "Settle conflict".to_owned(), commands })
}

/// The command that puts `fields` in as `key`. What the chosen side listed but this map no
/// longer holds (a link, a code, an area, a story step's item) is left out; a single reference
/// that is gone (a relationship's end, an excerpt's source) makes the command fail with a
/// message saying so, and the conflict stays to be settled another way.
fn update_part(doc: &Document, key: ElementKey, fields: Fields, exists: bool) -> Result<Command, String> {
    let err = |e: MergeError| e.to_string();
    let make = |e: Element| if exists { Command::Update(e) } else { Command::Insert(e) };
    Ok(match key {
        ElementKey::Info => Command::SetInfo(element(key, fields).map_err(err)?),
        ElementKey::Story => {
            let mut story: Vec<crate::model::Step> =
                serde_json::from_value(fields.get("story").cloned().unwrap_or(Value::Null))
                    .map_err(|e| format!("the story: {e}"))?;
            for step in &mut story {
                step.visible.retain(|item| doc.contains(*item));
                step.highlight.retain(|item| doc.contains(*item));
                if let Some(focus) = &mut step.focus {
                    focus.from.retain(|end| doc.contains(ItemRef::from(*end)));
                    focus.only = focus.only.filter(|t| doc.relationship_type(*t).is_some());
                    if focus.from.is_empty() {
                        step.focus = None;
                    }
                }
            }
            Command::SetStory(story)
        }
        ElementKey::Area(_) => make(Element::Area(element(key, fields).map_err(err)?)),
        ElementKey::Concept(_) => {
            let mut concept: Concept = element(key, fields).map_err(err)?;
            concept.areas.retain(|a| doc.area(*a).is_some());
            make(Element::Concept(concept))
        }
        ElementKey::RelationshipType(_) => make(Element::RelationshipType(element(key, fields).map_err(err)?)),
        ElementKey::Relationship(_) => make(Element::Relationship(element(key, fields).map_err(err)?)),
        ElementKey::Code(_) => make(Element::Code(element(key, fields).map_err(err)?)),
        ElementKey::Source(_) => make(Element::Source(element(key, fields).map_err(err)?)),
        ElementKey::Evidence(_) => {
            let mut evidence: Evidence = element(key, fields).map_err(err)?;
            evidence.links.retain(|item| doc.contains(*item));
            evidence.codes.retain(|c| doc.code(*c).is_some());
            make(Element::Evidence(evidence))
        }
        // A memo is never edited in place: the chosen version replaces it whole.
        ElementKey::Memo(id) => {
            let memo: crate::model::Memo = element(key, fields).map_err(err)?;
            let mut commands = Vec::new();
            if exists {
                commands.push(Command::DeleteMemo(id));
            }
            commands.push(Command::AddMemo(memo));
            Command::Batch { label: "Settle memo".to_owned(), commands }
        }
    })
}

fn delete_part(doc: &Document, key: ElementKey) -> Result<Command, String> {
    use crate::command::{ElementId, delete_code, delete_relationship_type, delete_source};
    Ok(match key {
        ElementKey::Info => return Err("the title block cannot be deleted".to_owned()),
        ElementKey::Story => Command::SetStory(Vec::new()),
        ElementKey::Code(id) => delete_code(doc, id),
        ElementKey::Source(id) => delete_source(doc, id),
        ElementKey::RelationshipType(id) => delete_relationship_type(doc, id),
        ElementKey::Evidence(id) => Command::Remove(ElementId::Evidence(id)),
        ElementKey::Memo(id) => Command::DeleteMemo(id),
        ElementKey::Area(_) | ElementKey::Concept(_) | ElementKey::Relationship(_) => {
            return Err("an item is deleted with what refers to it".to_owned());
        }
    })
}
