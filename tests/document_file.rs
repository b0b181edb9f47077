//! The `.qualmap` file: round trips, determinism, atomic saving, and every bad-file error.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use qualmap::model::io::{LoadError, load_path, load_str, save_path, to_json};
use qualmap::model::{AreaId, Document, ItemRef, Memo, MemoId, Stance, example};

fn example_doc() -> Document {
    example::try_document().expect("the shipped example must load")
}

#[test]
fn example_holds_the_papers_three_areas_and_two_processes() {
    let doc = example_doc();
    let areas: Vec<&str> = doc.areas.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(areas, ["Professional practice", "Personal well-being", "Personal and professional development"]);
    for process in ["Problem solving", "Change management"] {
        let concept = doc.concepts.iter().find(|c| c.label == process).expect(process);
        assert!(concept.areas.is_empty(), "{process} underpins the areas rather than sitting in one");
        let underpins = doc
            .relationships_at(qualmap::model::Endpoint::Concept(concept.id))
            .filter(|r| doc.relationship_label(r) == "underpins")
            .count();
        assert_eq!(underpins, 3, "{process} underpins each of the three areas");
    }
    // Areas overlap: some concepts sit in two areas.
    assert!(doc.concepts.iter().filter(|c| c.areas.len() == 2).count() >= 3);
    // Consequential benefits join every pair of areas.
    let between_areas = doc
        .relationships
        .iter()
        .filter(|r| matches!((r.from, r.to), (qualmap::model::Endpoint::Area(_), qualmap::model::Endpoint::Area(_))))
        .count();
    assert_eq!(between_areas, 3);
}

#[test]
fn example_is_honest_about_provenance() {
    use qualmap::model::ProvenanceKind::{Illustrative, Paper};
    let doc = example_doc();
    assert!(doc.areas.iter().all(|a| a.provenance.kind == Paper));
    assert!(doc.evidence.iter().all(|e| e.provenance.kind == Illustrative && !e.provenance.note.is_empty()));
    assert!(doc.sources.iter().all(|s| s.provenance.kind == Illustrative));
    assert!(doc.concepts.iter().any(|c| c.provenance.kind == Illustrative));
    for concept in &doc.concepts {
        assert!(!concept.provenance.note.is_empty(), "{} says where it comes from", concept.label);
    }
}

#[test]
fn example_evidence_makes_filters_and_weights_matter() {
    let doc = example_doc();
    // Evidence on concepts and on relationships.
    assert!(doc.evidence.iter().any(|e| { e.links.iter().any(|l| matches!(l, ItemRef::Relationship(_))) }));
    assert!(doc.evidence.iter().any(|e| e.links.iter().any(|l| matches!(l, ItemRef::Concept(_)))));
    // Both roles and several schemes, and one participant with two sources.
    let roles: std::collections::BTreeSet<_> = doc.sources.iter().filter_map(|s| s.attributes.get("role")).collect();
    assert_eq!(roles.len(), 2);
    let schemes: std::collections::BTreeSet<_> =
        doc.sources.iter().filter_map(|s| s.attributes.get("scheme")).collect();
    assert!(schemes.len() >= 4);
    let participants: std::collections::BTreeSet<_> =
        doc.sources.iter().filter_map(|s| s.attributes.get("participant")).collect();
    assert!(participants.len() < doc.sources.len());
    // At least one relationship is asserted without evidence.
    let supported: std::collections::BTreeSet<_> = doc.evidence.iter().flat_map(|e| e.links.iter()).collect();
    assert!(doc.relationships.iter().any(|r| !supported.contains(&ItemRef::Relationship(r.id))));
}

#[test]
fn shipped_example_is_in_canonical_form() {
    // Saving the example reproduces the shipped bytes: the asset is what the app writes.
    assert_eq!(to_json(&example_doc()), example::EXAMPLE_JSON);
}

#[test]
fn load_save_load_is_identity_and_saving_twice_gives_identical_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("map.qualmap");
    let doc = example_doc();
    save_path(&doc, &path).unwrap();
    let first = std::fs::read(&path).unwrap();
    let loaded = load_path(&path).unwrap();
    assert_eq!(loaded, doc);
    save_path(&loaded, &path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), first);
    // Nothing but the map is left in the folder.
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["map.qualmap"]);
}

#[test]
fn saving_sorts_out_of_order_collections() {
    let mut doc = example_doc();
    doc.concepts.reverse();
    doc.evidence.reverse();
    assert_eq!(to_json(&doc), example::EXAMPLE_JSON);
}

#[test]
fn save_replaces_an_existing_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("map.qualmap");
    std::fs::write(&path, "old contents that are much longer than nothing at all ".repeat(10_000)).unwrap();
    save_path(&example_doc(), &path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), example::EXAMPLE_JSON);
}

#[test]
fn save_into_a_missing_folder_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-folder").join("map.qualmap");
    let err = save_path(&example_doc(), &path).unwrap_err();
    assert!(err.to_string().contains("map.qualmap"), "{err}");
}

/// Loads `text` and returns the error message, which must name the origin.
fn error_of(text: &str) -> (LoadError, String) {
    let err = load_str(text, "bad.qualmap").unwrap_err();
    let message = err.to_string();
    assert!(message.starts_with("bad.qualmap"), "{message}");
    (err, message)
}

#[test]
fn a_truncated_file_says_it_was_cut_short_with_line_and_column() {
    let text = example::EXAMPLE_JSON;
    let cut = &text[..text.len() / 2];
    let (err, message) = error_of(cut);
    assert!(matches!(err, LoadError::NotJson { .. }), "{message}");
    assert!(message.contains("ends too early"), "{message}");
    let line = cut.lines().count();
    assert!(message.contains(&format!("bad.qualmap:{line}:")), "{message}");
}

#[test]
fn not_json_gives_position() {
    let (err, message) = error_of("{\n  \"format\": \"qualmap\",\n  oops\n}");
    assert!(matches!(err, LoadError::NotJson { .. }));
    assert!(message.starts_with("bad.qualmap:3:3:"), "{message}");
}

#[test]
fn empty_and_non_text_files() {
    let (err, _) = error_of("  \n");
    assert!(matches!(err, LoadError::Empty { .. }));
    let err = qualmap::model::io::load_bytes(b"{\"format\": \"qual\xffmap\"}", "bad.qualmap").unwrap_err();
    assert!(matches!(err, LoadError::NotText { .. }), "{err}");
    assert!(err.to_string().contains("bad.qualmap:1:"), "{err}");
}

#[test]
fn other_json_is_not_a_map() {
    let (err, message) = error_of("[1, 2, 3]");
    assert!(matches!(err, LoadError::NotQualmap { .. }), "{message}");
    let (_, message) = error_of("{\"nodes\": []}");
    assert!(message.contains("no \"format\""), "{message}");
    let (_, message) = error_of("{\n\"format\": \"gexf\", \"version\": 1}");
    assert!(message.contains("bad.qualmap:2:11") && message.contains("\"gexf\""), "{message}");
    let (_, message) = error_of("{\"format\": \"qualmap\", \"version\": \"one\"}");
    assert!(message.contains("\"version\""), "{message}");
}

#[test]
fn a_newer_version_is_refused_naming_both_versions() {
    let text = example::EXAMPLE_JSON.replacen("\"version\": 1", "\"version\": 7", 1);
    let (err, message) = error_of(&text);
    assert!(matches!(err, LoadError::NewerVersion { version: 7, .. }), "{message}");
    assert!(message.contains("version 7"), "{message}");
    assert!(message.contains(env!("CARGO_PKG_VERSION")), "{message}");
    assert!(message.contains("Update Qualmap"), "{message}");
}

#[test]
fn a_dangling_relationship_names_the_missing_concept_and_its_position() {
    let text = example::EXAMPLE_JSON.replacen("\"concept\": 15", "\"concept\": 999", 1);
    let (err, message) = error_of(&text);
    assert!(matches!(err, LoadError::Integrity { .. }), "{message}");
    assert!(message.contains("concept 999, which does not exist"), "{message}");
    let line = text.lines().position(|l| l.contains("\"concept\": 999")).unwrap() + 1;
    assert!(message.contains(&format!("bad.qualmap:{line}:")), "{message}");
}

#[test]
fn missing_fields_and_wrong_types_name_their_position() {
    let text = example::EXAMPLE_JSON.replacen("\"label\": \"Problem solving\",", "", 1);
    let (err, message) = error_of(&text);
    assert!(matches!(err, LoadError::BadContent { .. }), "{message}");
    assert!(message.contains("missing field `label`"), "{message}");
    let text = example::EXAMPLE_JSON.replacen("\"color\": \"#4477aa\"", "\"color\": \"blue\"", 1);
    let (_, message) = error_of(&text);
    assert!(message.contains("invalid colour \"blue\""), "{message}");
}

#[test]
fn other_dangling_references_are_all_reported() {
    let mut doc = example_doc();
    doc.concepts[0].areas.push(AreaId(77));
    doc.evidence[0].source = qualmap::model::SourceId(55);
    doc.evidence[1].codes.push(qualmap::model::CodeId(66));
    let text = to_json(&doc);
    let (_, message) = error_of(&text);
    for expected in ["area 77", "source 55", "code 66", "3 problems"] {
        assert!(message.contains(expected), "{expected} in {message}");
    }
}

#[test]
fn deeply_nested_json_is_refused_without_crashing() {
    let text = format!(
        "{{\"format\": \"qualmap\", \"version\": 1, \"info\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let (err, _) = error_of(&text);
    assert!(matches!(err, LoadError::NotJson { .. } | LoadError::BadContent { .. }));
}

#[test]
fn unreadable_paths_name_the_file() {
    let err = load_path(std::path::Path::new("no/such/map.qualmap")).unwrap_err();
    assert!(matches!(err, LoadError::Io { .. }));
    assert!(err.to_string().contains("no/such/map.qualmap"));
}

#[test]
fn a_map_is_written_in_the_oldest_version_that_holds_it() {
    // Nothing newer than version 1: still version 1, so an older Qualmap opens it.
    let mut doc = example_doc();
    assert!(to_json(&doc).contains("\"version\": 1,"));
    // A concept colour needs version 2; it is kept through a save and a load.
    doc.concepts[3].color = Some(qualmap::model::Rgb::new(0x12, 0xab, 0x9f));
    let text = to_json(&doc);
    assert!(text.contains("\"version\": 2,") && text.contains("\"color\": \"#12ab9f\""), "{text}");
    assert_eq!(load_str(&text, "coloured").unwrap(), doc);
    // Taking the colour away again gives a version 1 file.
    doc.concepts[3].color = None;
    assert!(to_json(&doc).contains("\"version\": 1,"));
}

fn memo(id: u64, item: ItemRef, author: &str, stance: Option<Stance>, text: &str) -> Memo {
    Memo {
        id: MemoId(id),
        item,
        author: author.to_owned(),
        stance,
        text: text.to_owned(),
        written_at: "2026-03-05T14:02:11Z".to_owned(),
    }
}

#[test]
fn memos_need_version_4_round_trip_in_id_order_and_leave_a_map_without_them_as_it_was() {
    let mut doc = example_doc();
    let plain = to_json(&doc);
    let concept = ItemRef::Concept(doc.concepts[2].id);
    let relationship = ItemRef::Relationship(doc.relationships[0].id);
    // Out of id order, as a careless writer might hold them: the file has them sorted.
    doc.memos = vec![
        memo(20, relationship, "Wren", Some(Stance::Disagree), ""),
        memo(10, concept, "سارا", None, "الدعم من الزملاء كان أهم"),
    ];
    let text = to_json(&doc);
    assert!(text.contains("\"version\": 4,"), "{text}");
    let at = |key: &str| text.find(key).unwrap_or_else(|| panic!("{key} in the file"));
    assert!(at("\"evidence\": [") < at("\"memos\": [") && at("\"memos\": [") < at("\"story\": ["));
    assert!(text.contains("\"stance\": \"disagree\""), "{text}");
    let mut loaded = load_str(&text, "with memos").unwrap();
    let ids: Vec<u64> = loaded.memos.iter().map(|m| m.id.0).collect();
    assert_eq!(ids, [10, 20]);
    assert_eq!(loaded.memos[0].text, "الدعم من الزملاء كان أهم");
    assert_eq!(to_json(&loaded), text, "saving again gives the same bytes");
    // Without memos the map is written exactly as before, in the version it needed before.
    loaded.memos.clear();
    assert_eq!(to_json(&loaded), plain);
    assert!(plain.contains("\"version\": 1,") && !plain.contains("\"memos\""));
    // A merge's conflict about a memo names it by a key version 3 does not know.
    loaded.conflicts.push(qualmap::model::Conflict {
        element: qualmap::model::ElementKey::Memo(MemoId(20)),
        field: None,
        kind: qualmap::model::ConflictKind::DeletedAndChanged,
        base: serde_json::Value::Null,
        ours: serde_json::Value::Null,
        theirs: serde_json::json!({"item": {"concept": 3}, "author": "Wren", "text": "x", "written_at": ""}),
    });
    assert!(to_json(&loaded).contains("\"version\": 4,"));
}

#[test]
fn a_memo_on_a_missing_item_is_refused_with_its_position() {
    let mut doc = example_doc();
    doc.memos.push(memo(5, ItemRef::Concept(qualmap::model::ConceptId(999)), "Wren", Some(Stance::Agree), ""));
    let text = to_json(&doc);
    let (err, message) = error_of(&text);
    assert!(matches!(err, LoadError::Integrity { .. }), "{message}");
    assert!(message.contains("memo 5 is about concept 999, which does not exist"), "{message}");
    assert!(message.contains("memos[0].item"), "{message}");
    let line = text.lines().position(|l| l.contains("\"item\": {")).unwrap() + 1;
    assert!(message.contains(&format!("bad.qualmap:{line}:")), "{message}");
}
