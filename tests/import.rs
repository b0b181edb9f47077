//! Imports: REFI-QDA projects and codebooks written to the standard (and its real-world
//! deviations), coded-segment tables, suggested relationships, and hostile files.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::io::Write as _;
use std::path::{Path, PathBuf};

use qualmap::import::{AreasFrom, ImportError, ImportOptions, cooccur, plan, read_path, refi, table};
use qualmap::model::validate::validate;
use qualmap::model::{Document, ItemRef, example};
use qualmap::rng::Rng;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn fixture(name: &str) -> PathBuf {
    Path::new(FIXTURES).join(name)
}

/// Builds a .qdpx from entries (name, bytes) with the given compression.
fn zip_with(dir: &Path, name: &str, entries: &[(&str, Vec<u8>)]) -> PathBuf {
    let path = dir.join(name);
    let file = std::fs::File::create(&path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (entry, bytes) in entries {
        zip.start_file(*entry, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    path
}

fn project_qdpx(dir: &Path, qde_name: &str, sources_folder: &str) -> PathBuf {
    let read = |n: &str| std::fs::read(fixture(&format!("refi/{n}"))).unwrap();
    zip_with(
        dir,
        "project.qdpx",
        &[
            (qde_name, read("project.qde")),
            (&format!("{sources_folder}/int1.txt"), read("int1.txt")),
            (&format!("{sources_folder}/int2.txt"), read("int2.txt")),
        ],
    )
}

fn import_into(doc: &Document, path: &Path, options: &ImportOptions) -> Document {
    let data = read_path(path, None).unwrap();
    let mut doc = doc.clone();
    plan(&doc, &data, options).command.apply(&mut doc).unwrap();
    assert!(validate(&doc).is_empty());
    doc
}

#[test]
fn a_refi_project_becomes_concepts_areas_relationships_and_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let qdpx = project_qdpx(dir.path(), "project.qde", "sources");
    let data = read_path(&qdpx, None).unwrap();
    assert_eq!(data.codes.len(), 8);
    assert_eq!(data.segments.len(), 6);
    assert!(data.report.skipped.iter().any(|s| s.contains("AudioSource")), "{:?}", data.report);
    let doc = import_into(&Document::new_blank(), &qdpx, &ImportOptions::default());
    let label = |c: &str| doc.concepts.iter().find(|x| x.label == c).unwrap_or_else(|| panic!("{c}"));
    // A code in two sets is a concept in two areas.
    assert_eq!(label("Confidence").areas.len(), 2);
    assert_eq!(label("Isolation").areas.len(), 1);
    // The graph places only two of the six concepts, so all are laid out by area instead, and
    // no region swallows a concept that is not its member.
    let planned = plan(&Document::new_blank(), &data, &ImportOptions::default());
    assert!(planned.summary.iter().any(|l| l.contains("laid out by area")), "{:?}", planned.summary);
    let scene = qualmap::scene::build_scene(
        &doc,
        &qualmap::scene::SceneOptions::new(qualmap::scene::ThemeKind::Light),
        &qualmap::scene::ApproxMeasure,
    );
    for node in &scene.nodes {
        let concept = doc.concept(node.id).unwrap();
        for area in &scene.areas {
            let inside = qualmap::scene::geometry::convex_contains(&area.outline, node.rect.center());
            assert_eq!(inside, concept.areas.contains(&area.id), "{} and area {}", concept.label, area.id);
        }
    }
    assert_eq!(data.title, "Mentoring pilot");
    // The link between codes is a one-way "leads to" relationship…
    assert_eq!(doc.relationships.len(), 1);
    let rel = &doc.relationships[0];
    assert_eq!(doc.item_label(ItemRef::Relationship(rel.id)), "Reflection leads to Confidence");
    // …and the coding that points at the link is evidence on it.
    assert!(doc.evidence.iter().any(|e| e.links.contains(&ItemRef::Relationship(rel.id))));
    // Case variables became participant attributes; the user is the coder; notes are memos.
    let p01 = doc.sources.iter().find(|s| s.name == "Interview P01").unwrap();
    assert_eq!(p01.attributes.get("role").map(String::as_str), Some("mentee"));
    assert_eq!(p01.attributes.get("participant").map(String::as_str), Some("P01"));
    assert!(doc.evidence.iter().all(|e| e.coder == "Ana"));
    assert!(doc.evidence.iter().any(|e| e.memo.contains("Coping and isolation come up together")));
}

#[test]
fn offsets_counted_without_crlf_are_corrected_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let data = read_path(&project_qdpx(dir.path(), "project.qde", "sources"), None).unwrap();
    let texts: Vec<&str> = data.segments.iter().map(|s| s.text.as_str()).collect();
    assert!(texts.contains(&"I feel more confident since then."), "{texts:?}");
    assert!(texts.contains(&"Reflection changed how I lead my team."), "{texts:?}");
    assert!(data.report.adjusted.iter().any(|a| a.contains("CRLF")), "{:?}", data.report.adjusted);
}

#[test]
fn offsets_count_characters_not_bytes_in_every_line_end_convention() {
    // XML reads a literal CRLF as LF, so the CR is a character reference.
    let qde = "<Project><Sources><TextSource guid=\"1\" name=\"s\"><PlainTextContent>Ça va&#13;\nmieux: très bien</PlainTextContent>\
               <PlainTextSelection guid=\"a\" startPosition=\"13\" endPosition=\"22\" name=\"très bien\"/>\
               <PlainTextSelection guid=\"b\" startPosition=\"0\" endPosition=\"2\"/>\
               <PlainTextSelection guid=\"c\" startPosition=\"20\" endPosition=\"99\" name=\"\"/></TextSource></Sources></Project>";
    let data = refi::read_qde(qde, "accents.qde", None).unwrap();
    let texts: Vec<&str> = data.segments.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(texts, ["très bien", "Ça"]);
    assert!(data.report.adjusted.iter().any(|a| a.contains("CRLF line ends counted as one")), "{:?}", data.report);
    assert!(data.report.skipped.iter().any(|s| s.contains("positions 20–99 lie outside")), "{:?}", data.report);
}

#[test]
fn real_world_deviations_are_accepted_and_said() {
    let dir = tempfile::tempdir().unwrap();
    // ATLAS.ti names the project file after the project; some tools write Sources/.
    let data = read_path(&project_qdpx(dir.path(), "Mentoring pilot.qde", "Sources"), None).unwrap();
    assert_eq!(data.segments.len(), 6);
    assert!(data.report.adjusted.iter().any(|a| a.contains("rather than project.qde")));
}

#[test]
fn a_codebook_gives_codes_concepts_and_areas() {
    let doc = import_into(&Document::new_blank(), &fixture("refi/codebook.qdc"), &ImportOptions::default());
    assert_eq!(doc.codes.len(), 4);
    assert!(doc.codes.iter().any(|c| c.name == "Isolation" && c.parent.is_some()));
    assert_eq!(doc.concepts.len(), 3, "one concept per leaf code");
    assert_eq!(doc.areas.len(), 1);
}

#[test]
fn a_coded_segment_table_is_mapped_from_its_headers() {
    let doc = import_into(&Document::new_blank(), &fixture("segments.csv"), &ImportOptions::default());
    assert_eq!(doc.evidence.len(), 4, "the empty segment is skipped");
    let r02 = doc.sources.iter().find(|s| s.name == "Interview R02").unwrap();
    assert_eq!(r02.attributes.get("role").map(String::as_str), Some("mentor"));
    assert!(doc.evidence.iter().any(|e| e.excerpt == "\"Why was that hard?\" is the question I ask."));
    // MAXQDA's Begin and End are paragraph numbers.
    assert!(doc.evidence.iter().any(|e| e.location == "paragraphs 7–8"));
    // Parent codes become areas when there are no sets.
    let areas: Vec<&str> = doc.areas.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(areas, ["Benefits", "Processes"]);
    // A segment coded twice supports two concepts.
    assert!(doc.evidence.iter().any(|e| e.links.len() == 2));
}

#[test]
fn a_table_mapping_can_be_set_by_hand() {
    let bytes = std::fs::read(fixture("segments.csv")).unwrap();
    let (headers, rows) = table::preview(&bytes, false, 3).unwrap();
    assert_eq!(rows.len(), 3);
    let mut mapping = table::guess(&headers);
    table::apply_overrides(&mut mapping, &headers, "text=Comment, source=Author").unwrap();
    let data = table::read_table(&bytes, "segments.csv", false, Some(&mapping)).unwrap();
    assert!(data.segments.iter().any(|s| s.text == "First mention"));
    let err = table::apply_overrides(&mut mapping, &headers, "text=Nope").unwrap_err();
    assert!(err.contains("no column called “Nope”") && err.contains("Segment"), "{err}");
    let no_text = table::read_table(b"a,b\n1,2\n", "t.csv", false, None).unwrap_err();
    assert!(no_text.to_string().contains("no column holds the excerpt text"), "{no_text}");
}

#[test]
fn reimporting_adds_nothing_twice_and_keeps_the_users_work() {
    let dir = tempfile::tempdir().unwrap();
    let qdpx = project_qdpx(dir.path(), "project.qde", "sources");
    let mut doc = import_into(&Document::new_blank(), &qdpx, &ImportOptions::default());
    // The user moves a concept and draws a relationship of their own.
    let moved = doc.concepts[0].id;
    doc.concept_mut(moved).unwrap().pos = qualmap::model::Point::new(-500.0, -500.0);
    let before = doc.clone();
    let again = import_into(&doc, &qdpx, &ImportOptions::default());
    assert_eq!(again.evidence.len(), before.evidence.len());
    assert_eq!(again.concepts.len(), before.concepts.len());
    assert_eq!(again.concept(moved).unwrap().pos, qualmap::model::Point::new(-500.0, -500.0));
    assert_eq!(again.codes.len(), before.codes.len());
}

#[test]
fn an_import_is_one_undoable_step() {
    let original = example::document();
    let mut doc = original.clone();
    let mut history = qualmap::command::History::default();
    let data = read_path(&fixture("segments.csv"), None).unwrap();
    let planned = plan(&doc, &data, &ImportOptions::default());
    history.apply(&mut doc, planned.command).unwrap();
    assert!(doc.evidence.len() > original.evidence.len());
    history.undo(&mut doc).unwrap();
    assert_eq!(doc, original);
}

#[test]
fn suggestions_come_from_co_occurring_codes() {
    let dir = tempfile::tempdir().unwrap();
    let qdpx = project_qdpx(dir.path(), "project.qde", "sources");
    let options = ImportOptions { areas_from: AreasFrom::Nothing, ..ImportOptions::default() };
    let doc = import_into(&Document::new_blank(), &qdpx, &options);
    let suggestions = cooccur::suggest(&doc, 1);
    let name = |id| doc.concept(id).unwrap().label.clone();
    let pairs: Vec<(String, String)> = suggestions.iter().map(|s| (name(s.a), name(s.b))).collect();
    // "Now I cope…" is coded Coping and Isolation.
    assert!(
        pairs.iter().any(|(a, b)| (a == "Isolation" && b == "Coping") || (a == "Coping" && b == "Isolation")),
        "{pairs:?}"
    );
    // Reflection and Confidence are already related by the link: not suggested again.
    assert!(!pairs.iter().any(|(a, b)| [a.as_str(), b.as_str()] == ["Reflection", "Confidence"]
        || [a.as_str(), b.as_str()] == ["Confidence", "Reflection"]));
    let first = &suggestions[0];
    let mut accepted = doc.clone();
    cooccur::accept(&doc, first).apply(&mut accepted).unwrap();
    assert_eq!(accepted.relationships.len(), doc.relationships.len() + 1);
    let rel = accepted.relationships.last().unwrap();
    assert_eq!(accepted.evidence_for(ItemRef::Relationship(rel.id)).count(), first.shared.len());
    assert!(validate(&accepted).is_empty());
}

fn refused(result: Result<qualmap::import::ImportData, ImportError>) -> String {
    match result {
        Err(ImportError::Refused { origin, message }) => format!("{origin}: {message}"),
        Err(other) => panic!("expected a refusal, got {other}"),
        Ok(_) => panic!("expected a refusal"),
    }
}

#[test]
fn hostile_xml_is_refused_before_parsing() {
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><CodeBook><Codes><Code name="&lol2;"/></Codes></CodeBook>"#;
    let message = refused(refi::read_qdc(laughs, "laughs.qdc"));
    assert!(message.contains("laughs.qdc") && message.contains("DOCTYPE"), "{message}");
    let external =
        r#"<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><Project>&x;</Project>"#;
    assert!(refused(refi::read_qde(external, "x.qde", None)).contains("refused for safety"));
    let broken = "<CodeBook><Codes><Code name=\"a\"></Codes></CodeBook>";
    let message = refused(refi::read_qdc(broken, "broken.qdc"));
    assert!(message.contains("line 1, column"), "{message}");
    let wrong = refused(refi::read_qdc("<Project/>", "p.qdc"));
    assert!(wrong.contains("expected a <CodeBook>"), "{wrong}");
}

#[test]
fn hostile_archives_are_refused_with_the_entry_named() {
    let dir = tempfile::tempdir().unwrap();
    let qde = std::fs::read(fixture("refi/project.qde")).unwrap();
    let slip = zip_with(dir.path(), "slip.qdpx", &[("project.qde", qde.clone()), ("../../evil.txt", b"x".to_vec())]);
    assert!(refused(read_path(&slip, None)).contains("“../../evil.txt” points outside the archive"));
    let absolute = zip_with(dir.path(), "abs.qdpx", &[("/etc/project.qde", qde.clone())]);
    assert!(refused(read_path(&absolute, None)).contains("points outside the archive"));
    // 50 MB of zeros compresses to about 50 KB: a ratio no real project has.
    let bomb = zip_with(dir.path(), "bomb.qdpx", &[("project.qde", vec![b' '; 50_000_000])]);
    let message = refused(read_path(&bomb, None));
    assert!(message.contains("decompression bomb"), "{message}");
    let none = zip_with(dir.path(), "none.qdpx", &[("readme.txt", b"hello".to_vec())]);
    assert!(refused(read_path(&none, None)).contains("no .qde project file"));
    let not_zip = dir.path().join("fake.qdpx");
    std::fs::write(&not_zip, b"not a zip at all").unwrap();
    assert!(refused(read_path(&not_zip, None)).contains("not a zip archive"));
    let xlsx = dir.path().join("sheet.xlsx");
    std::fs::write(&xlsx, b"PK").unwrap();
    let message = refused(read_path(&xlsx, None));
    assert!(message.contains("sheet.xlsx") && message.contains("zip"), "{message}");
}

#[test]
fn random_bytes_and_odd_xml_never_panic() {
    let mut rng = Rng::new(0x1234_5678);
    let pieces = [
        "<Project>",
        "</Project>",
        "<CodeBook>",
        "<Codes>",
        "<Code name=\"x\" guid=\"{1}\">",
        "</Code>",
        "<Sources>",
        "<TextSource guid=\"s\" name=\"n\">",
        "<PlainTextSelection startPosition=\"5\" endPosition=\"2\">",
        "<Coding><CodeRef targetGUID=\"1\"/></Coding>",
        "</PlainTextSelection>",
        "</TextSource>",
        "<PlainTextContent>ab\r\ncd</PlainTextContent>",
        "<Link direction=\"OneWay\" originGUID=\"1\" targetGUID=\"9\"/>",
        "<Vertex firstX=\"NaN\" firstY=\"1e40\" representedGUID=\"1\"/>",
        "&amp;",
        "\u{0}",
        "é",
        "<",
        ">",
        "\"",
        "=",
        " ",
        "18446744073709551616",
    ];
    for _ in 0..3000 {
        let mut text = String::new();
        for _ in 0..rng.below(24) {
            text.push_str(pieces[rng.index(pieces.len())]);
        }
        let _ = refi::read_qde(&text, "random.qde", None);
        let _ = refi::read_qdc(&text, "random.qdc");
        let bytes: Vec<u8> = (0..rng.below(200)).map(|_| rng.next_u64() as u8).collect();
        let _ = table::read_table(&bytes, "random.csv", rng.chance(50), None);
        if let Ok(data) = refi::read_qde(&text, "random.qde", None) {
            let mut doc = Document::new_blank();
            #[allow(clippy::redundant_clone, reason = "plan borrows the map the command then changes")]
            let snapshot = doc.clone();
            let planned = plan(&snapshot, &data, &ImportOptions::default());
            if let Err(e) = planned.command.apply(&mut doc) {
                panic!("a planned import failed to apply: {e}\n{text}");
            }
        }
    }
}

#[test]
fn a_map_exported_as_a_refi_project_reads_back_to_the_same_map() {
    let original = example::document();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("map.qdpx");
    std::fs::write(&path, qualmap::export::refi::qdpx(&original).unwrap()).unwrap();
    // Byte-stable.
    assert_eq!(std::fs::read(&path).unwrap(), qualmap::export::refi::qdpx(&original).unwrap());
    let data = read_path(&path, None).unwrap();
    assert!(data.report.skipped.is_empty(), "{:?}", data.report.skipped);
    let back = import_into(&Document::new_blank(), &path, &ImportOptions::default());
    // Concepts: labels, positions, areas (by name).
    let area_names = |doc: &Document, c: &qualmap::model::Concept| -> Vec<String> {
        let mut names: Vec<String> = c.areas.iter().map(|a| doc.area(*a).unwrap().label.clone()).collect();
        names.sort();
        names
    };
    assert_eq!(back.concepts.len(), original.concepts.len());
    for (a, b) in original.concepts.iter().zip(&back.concepts) {
        assert_eq!(a.label, b.label);
        assert_eq!(a.pos, b.pos);
        assert_eq!(area_names(&original, a), area_names(&back, b), "{}", a.label);
    }
    // The codebook, by path.
    let paths = |doc: &Document| -> Vec<String> {
        let mut p: Vec<String> = doc.codes.iter().map(|c| doc.code_path(c.id)).collect();
        p.sort();
        p
    };
    assert_eq!(paths(&back), paths(&original));
    // Relationships between concepts, with their types and directions.
    let rels = |doc: &Document| -> Vec<String> {
        let mut r: Vec<String> = doc
            .relationships
            .iter()
            .filter(|r| {
                matches!((r.from, r.to), (qualmap::model::Endpoint::Concept(_), qualmap::model::Endpoint::Concept(_)))
            })
            .map(|r| format!("{} / {:?}", doc.item_label(ItemRef::Relationship(r.id)), doc.direction_of(r)))
            .collect();
        r.sort();
        r
    };
    assert_eq!(rels(&back), rels(&original));
    // Evidence: the same excerpts, codes and supported items.
    let evidence = |doc: &Document| -> Vec<String> {
        let mut e: Vec<String> = doc
            .evidence
            .iter()
            .map(|e| {
                let mut codes: Vec<String> = e.codes.iter().map(|c| doc.code_path(*c)).collect();
                codes.sort();
                let mut links: Vec<String> = e
                    .links
                    .iter()
                    .filter(|l| !matches!(l, ItemRef::Area(_)))
                    .filter(|l| match l {
                        ItemRef::Relationship(r) => {
                            let r = doc.relationship(*r).unwrap();
                            matches!(
                                (r.from, r.to),
                                (qualmap::model::Endpoint::Concept(_), qualmap::model::Endpoint::Concept(_))
                            )
                        }
                        _ => true,
                    })
                    .map(|l| doc.item_label(*l))
                    .collect();
                links.sort();
                format!(
                    "{} | {} | {:?} | {:?} | {} | {}",
                    e.excerpt,
                    doc.source(e.source).unwrap().name,
                    codes,
                    links,
                    e.coder,
                    e.memo
                )
            })
            .collect();
        e.sort();
        e
    };
    assert_eq!(evidence(&back), evidence(&original));
}

#[test]
fn a_spreadsheet_imports_like_its_csv() {
    let from_csv = import_into(&Document::new_blank(), &fixture("segments.csv"), &ImportOptions::default());
    let from_xlsx = import_into(&Document::new_blank(), &fixture("segments.xlsx"), &ImportOptions::default());
    let excerpts = |d: &Document| d.evidence.iter().map(|e| e.excerpt.clone()).collect::<Vec<_>>();
    assert_eq!(excerpts(&from_xlsx), excerpts(&from_csv));
    assert_eq!(from_xlsx.codes.len(), from_csv.codes.len());
    let dir = tempfile::tempdir().unwrap();
    let bomb = zip_with(dir.path(), "bomb.xlsx", &[("xl/worksheets/sheet1.xml", vec![b' '; 50_000_000])]);
    assert!(refused(read_path(&bomb, None)).contains("decompression bomb"));
}
