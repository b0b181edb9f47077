//! Imports of files shaped the way the real tools write them: REFI-QDA projects from NVivo, qc,
//! ATLAS.ti and MAXQDA with their quirks, and coded-segment tables in the tools' own header
//! words and languages. The fixtures are written by `tests/fixtures/real-exports/make.py`; its
//! README says where each quirk was learnt.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::io::Write as _;
use std::path::{Path, PathBuf};

use qualmap::import::table::{self, Field};
use qualmap::import::{ImportData, ImportOptions, plan, read_path, refi};
use qualmap::model::validate::validate;
use qualmap::model::{Document, ExcerptStatus};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real-exports").join(name)
}

fn read(name: &str) -> ImportData {
    read_path(&fixture(name), None).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn import_into(doc: &Document, data: &ImportData) -> Document {
    let mut doc = doc.clone();
    plan(&doc, data, &ImportOptions::default()).command.apply(&mut doc).unwrap();
    assert!(validate(&doc).is_empty(), "{:?}", validate(&doc));
    doc
}

fn texts(data: &ImportData) -> Vec<&str> {
    data.segments.iter().map(|s| s.text.as_str()).collect()
}

fn report(data: &ImportData) -> String {
    data.report.text()
}

#[test]
fn nvivo_positions_in_utf16_units_over_crlf_text_without_its_bom_give_the_exact_quotes() {
    let data = read("nvivo-utf16-emoji.qdpx");
    let expected = std::fs::read_to_string(fixture("nvivo-utf16-emoji.expected.txt")).unwrap();
    let expected: Vec<&str> = expected.lines().collect();
    assert_eq!(texts(&data), expected, "{}", report(&data));
    assert!(data.segments.iter().all(|s| s.status == ExcerptStatus::Exact));
    let text = report(&data);
    assert!(text.contains("UTF-16 code units"), "{text}");
    assert!(text.contains("byte-order mark not counted"), "{text}");
    assert!(text.contains("12 of 12 selections start and end on word boundaries"), "{text}");
    assert!(!text.contains("uncertain"), "{text}");
}

/// A project whose one source holds `text` with selections at `positions`.
fn one_source_project(dir: &Path, text: &str, positions: &[(usize, usize)]) -> PathBuf {
    let selections: String = positions
        .iter()
        .enumerate()
        .map(|(i, (s, e))| {
            format!(
                "<PlainTextSelection guid=\"s{i}\" name=\"\" startPosition=\"{s}\" endPosition=\"{e}\"><Coding guid=\"k{i}\"><CodeRef targetGUID=\"c\"/></Coding></PlainTextSelection>"
            )
        })
        .collect();
    let qde = format!(
        "<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"p\"><CodeBook><Codes><Code guid=\"c\" name=\"Code\" isCodable=\"true\"/></Codes></CodeBook>\
         <Sources><TextSource guid=\"t\" name=\"Interview\" plainTextPath=\"internal://t.txt\">{selections}</TextSource></Sources></Project>"
    );
    let path = dir.join("p.qdpx");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("project.qde", options).unwrap();
    zip.write_all(qde.as_bytes()).unwrap();
    zip.start_file("sources/t.txt", options).unwrap();
    zip.write_all(text.as_bytes()).unwrap();
    zip.finish().unwrap();
    path
}

#[test]
fn positions_that_no_counting_places_cleanly_are_flagged_not_silently_sliced() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Mentoring gave me confidence. I sleep better now. The rota is fairer 😊 since spring.";
    // Every selection starts and ends inside a word, whatever the counting.
    let path = one_source_project(dir.path(), text, &[(2, 12), (33, 43), (55, 61)]);
    let data = read_path(&path, None).unwrap();
    assert_eq!(data.segments.len(), 3);
    assert!(data.segments.iter().all(|s| s.status == ExcerptStatus::PositionsUncertain), "{}", report(&data));
    assert!(report(&data).contains("uncertain"), "{}", report(&data));
    let doc = import_into(&Document::new_blank(), &data);
    assert!(doc.evidence.iter().all(|e| e.status == ExcerptStatus::PositionsUncertain));
    // The flag survives saving and opening.
    let saved = qualmap::model::io::to_json(&doc);
    assert!(saved.contains("\"status\": \"positions_uncertain\""), "{saved}");
    let back = qualmap::model::io::load_bytes(saved.as_bytes(), "m.qualmap").unwrap();
    assert_eq!(back, doc);
}

#[test]
fn a_plain_text_path_without_internal_is_read_and_label_names_are_never_quotes() {
    let data = read("qc-bare-path.qdpx");
    assert_eq!(
        texts(&data),
        ["I feel more confident since then.", "Reflection changed how I lead my team.", "Ça m'a aidé à dire non."]
    );
    assert!(!texts(&data).iter().any(|t| t.starts_with("line:")));
}

#[test]
fn document_groups_are_source_attributes_and_only_code_sets_are_areas() {
    let data = read("atlas-document-groups.qdpx");
    let doc = import_into(&Document::new_blank(), &data);
    let areas: Vec<&str> = doc.areas.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(areas, ["Well-being"], "{}", report(&data));
    let ana = doc.sources.iter().find(|s| s.name == "Interview Ana").unwrap();
    assert_eq!(ana.attributes.get("gender").map(String::as_str), Some("female"));
    assert_eq!(ana.attributes.get("group: Interviews").map(String::as_str), Some("yes"));
    let pdf = doc.sources.iter().find(|s| s.name == "Policy.pdf").unwrap();
    assert_eq!(pdf.attributes.get("group: PDFs").map(String::as_str), Some("yes"));
    assert!(!pdf.attributes.contains_key("gender"));
    // Two users coded the first quotation: one evidence item each, each with its coder.
    let sleep: Vec<&str> = doc
        .evidence
        .iter()
        .filter(|e| e.excerpt == "The mentor helped me sleep better.")
        .map(|e| e.coder.as_str())
        .collect();
    assert_eq!(sleep, ["Ana Coder", "Ben Coder"]);
    let handover: Vec<(&str, usize)> = doc
        .evidence
        .iter()
        .filter(|e| e.excerpt.starts_with("We fixed the handover"))
        .map(|e| (e.coder.as_str(), e.codes.len()))
        .collect();
    assert_eq!(handover, [("Ana Coder", 1), ("Ben Coder", 1)]);
    let calm = doc.evidence.iter().find(|e| e.excerpt.starts_with("I lead the team")).unwrap();
    assert_eq!((calm.coder.as_str(), calm.codes.len()), ("Ben Coder", 2), "one coder's two codes stay one item");
}

#[test]
fn an_empty_plain_text_is_read_from_the_docx_beside_it() {
    let data = read("docx-only.qdpx");
    assert_eq!(texts(&data), ["room to think", "Nein zu sagen", "calmer now"], "{}", report(&data));
    assert!(report(&data).contains("read from internal://t1.docx"), "{}", report(&data));
}

#[test]
fn a_missing_text_keeps_its_selections_until_an_import_brings_the_text() {
    let missing = read("text-missing.qdpx");
    assert!(report(&missing).contains("not in the archive"), "{}", report(&missing));
    let doc = import_into(&Document::new_blank(), &missing);
    assert_eq!(doc.evidence.len(), 3);
    assert!(doc.evidence.iter().all(|e| e.status == ExcerptStatus::TextMissing && e.excerpt.is_empty()));
    assert!(doc.evidence.iter().any(|e| e.location == "characters 18–31"));
    // Importing the same project without its text again adds nothing twice.
    let again = import_into(&doc, &missing);
    assert_eq!(again.evidence.len(), 3);
    // The project with its text fills the same items in, keeping their ids and links.
    let later = read("text-brought-later.qdpx");
    let filled = import_into(&doc, &later);
    assert_eq!(filled.evidence.len(), 3, "filled in, not added");
    let excerpts: Vec<&str> = filled.evidence.iter().map(|e| e.excerpt.as_str()).collect();
    assert_eq!(excerpts, ["room to think", "Nein zu sagen", "calmer now"]);
    assert!(filled.evidence.iter().all(|e| e.status == ExcerptStatus::Exact));
    let ids = |d: &Document| d.evidence.iter().map(|e| (e.id, e.links.clone())).collect::<Vec<_>>();
    assert_eq!(ids(&filled), ids(&doc));
}

#[test]
fn an_old_codebook_namespace_and_guids_in_any_case_and_braces_read() {
    let text = std::fs::read_to_string(fixture("codebook-0.4-namespace.qdc")).unwrap();
    let data = refi::read_qdc(&text, "old.qdc").unwrap();
    assert_eq!(data.codes.len(), 3);
    let parent = data.codes.iter().find(|c| c.name == "Benefits").unwrap();
    assert!(data.codes.iter().filter(|c| c.name != "Benefits").all(|c| c.parent.as_deref() == Some(&parent.key)));
    assert_eq!(parent.key, "6f9619ff-8b86-d011-b42d-00c04fc964ff");
    assert!(data.codes.iter().any(|c| c.description.contains("surer of one's judgement")));
    assert!(report(&data).contains("codebook:0:4"), "{}", report(&data));
}

fn column_of<'a>(data: &'a ImportData, header: &str) -> Option<&'a str> {
    data.report.read.iter().find_map(|line| {
        let marker = format!("“{header}” as ");
        let at = line.find(&marker)?;
        let rest = &line[at + marker.len()..];
        Some(rest.split(", “").next().unwrap_or(rest))
    })
}

#[test]
fn maxqda_tables_in_polish_and_german_are_read_from_their_own_headers() {
    for name in ["maxqda-polish.csv", "maxqda-polish-cp1250.csv", "maxqda-polish.xls"] {
        let data = read(name);
        let doc = import_into(&Document::new_blank(), &data);
        assert_eq!(doc.evidence.len(), 4, "{name}: {}", report(&data));
        assert!(
            doc.evidence.iter().any(|e| e.excerpt == "Po rozmowach lepiej śpię i mniej się martwię."
                && e.location == "paragraphs 7–8"),
            "{name}: {:?}",
            doc.evidence
        );
        assert!(doc.codes.iter().any(|c| c.name == "Pewność siebie" && c.parent.is_some()), "{name}");
        let areas: Vec<&str> = doc.areas.iter().map(|a| a.label.as_str()).collect();
        assert_eq!(areas, ["Korzyści", "Procesy"], "{name}");
        let source = doc.sources.iter().find(|s| s.name == "Wywiad 02").unwrap();
        assert_eq!(source.attributes.get("Grupa dokumentów").map(String::as_str), Some("Mentorzy"), "{name}");
        assert_eq!(column_of(&data, "Waga"), None, "{name}: the weight is ignored");
    }
    let legacy = read("maxqda-polish-cp1250.csv");
    assert!(report(&legacy).contains("windows-1250"), "{}", report(&legacy));

    let german = read("maxqda-german.csv");
    let doc = import_into(&Document::new_blank(), &german);
    assert_eq!(doc.evidence.len(), 3, "{}", report(&german));
    let first = doc.evidence.iter().find(|e| e.excerpt.starts_with("Ich vertraue")).unwrap();
    assert_eq!(first.coder, "Max", "Erstellt von is the coder; Bearbeitet von is not");
    assert_eq!(first.coded_at, "04.03.2024 09:15");
    assert_eq!(first.memo, "Erste Erwähnung");
    assert_eq!(first.location, "paragraph 2");
    assert!(doc.evidence.iter().any(|e| e.codes.len() == 2));
}

#[test]
fn unknown_headers_are_guessed_from_the_contents_and_the_guess_is_said() {
    let data = read("unknown-headers.csv");
    assert_eq!(column_of(&data, "Preview"), Some("excerpt text"), "{}", report(&data));
    assert_eq!(column_of(&data, "tag"), Some("code"));
    assert_eq!(column_of(&data, "file_name"), Some("document / source"));
    assert_eq!(column_of(&data, "TextID"), None, "a number is no excerpt: {}", report(&data));
    assert!(report(&data).contains("“Preview” taken as excerpt text from its contents"), "{}", report(&data));
    assert_eq!(data.segments[0].text, "I trust my judgement more since the sessions began.");
    assert_eq!(data.segments[0].location, "120–171");

    let bytes = std::fs::read(fixture("unknown-language.csv")).unwrap();
    let (headers, rows) = table::sample(&bytes, false, table::GUESS_ROWS).unwrap();
    let mapping = table::guess_from(&headers, &rows);
    assert_eq!(mapping.fields, [Field::Ignore, Field::Source, Field::Code, Field::Text], "{:?}", mapping.guessed);
    assert!(mapping.guessed_why(3).is_some_and(|w| w.contains("longest free text")));
    let doc = import_into(&Document::new_blank(), &read("unknown-language.csv"));
    assert_eq!(doc.sources.len(), 2);
    assert_eq!(doc.codes.len(), 3);
}

#[test]
fn a_coder_column_is_the_coder() {
    let data = read("coder-column.csv");
    assert_eq!(column_of(&data, "Coder"), Some("coder"), "{}", report(&data));
    let coders: Vec<&str> = data.segments.iter().map(|s| s.coder.as_str()).collect();
    assert_eq!(coders, ["Ana", "Ben"]);
    // And it reaches the map: one excerpt each, though the text is the same.
    let doc = import_into(&Document::new_blank(), &data);
    let mut coders: Vec<&str> = doc.evidence.iter().map(|e| e.coder.as_str()).collect();
    coders.sort();
    assert_eq!(coders, ["Ana", "Ben"]);
}

/// Each coder's table imported into one map, as a team does for intercoder agreement: the
/// second coder's coding of a passage the map already holds from the first comes in as the
/// second coder's (it was skipped as "already in the map" and the passage stayed the first
/// coder's alone). The coder column is read under each tool's own header word, through the
/// command line's import.
#[test]
fn each_coder_s_table_brings_that_coder_s_excerpts() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("team.qualmap");
    let qualmap = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_qualmap")).args(args).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // MAXQDA (English, German), ATLAS.ti, QualCoder, Dedoose and a plain "Coder" column.
    let tables = [
        ("maxqda.csv", "Document name,Code,Segment,Created by", "Ana"),
        ("maxqda-de.csv", "Dokumentname;Code;Segment;Erstellt von", "Ben"),
        ("atlas.csv", "Document,Codes,Quotation Content,Created by", "Cleo"),
        ("qualcoder.csv", "File,Coder,Coded,Codename", "Dev"),
        ("dedoose.csv", "Media Title,Excerpt Creator,Excerpt Copy,Codes Applied Combined", "Eli"),
        ("plain.csv", "Source,Code,Excerpt,Coder", "Fay"),
    ];
    let passage = "I can finally speak up in the ward round, and the consultant listens.";
    for (i, (name, header, coder)) in tables.iter().enumerate() {
        let separator = if header.contains(';') { ";" } else { "," };
        let columns: Vec<&str> = header.split(separator).collect();
        let cell = |column: &str| -> String {
            let lower = column.to_lowercase();
            if ["document name", "dokumentname", "document", "file", "media title", "source"].contains(&lower.as_str())
            {
                "Interview 5".to_owned()
            } else if lower.contains("code") && !lower.contains("coder") && lower != "coded" {
                "Confidence".to_owned()
            } else if ["created by", "erstellt von", "coder", "excerpt creator"].contains(&lower.as_str()) {
                (*coder).to_owned()
            } else {
                format!("\"{passage}\"")
            }
        };
        let row: Vec<String> = columns.iter().map(|c| cell(c)).collect();
        let path = dir.path().join(name);
        std::fs::write(&path, format!("{header}\n{}\n", row.join(separator))).unwrap();
        let mut args = vec!["import", path.to_str().unwrap(), "-o", map.to_str().unwrap()];
        if i > 0 {
            args.extend(["--into", map.to_str().unwrap()]);
        }
        let report = qualmap(&args);
        assert!(report.contains("as coder"), "{name}: {report}");
        assert!(report.contains("1 evidence items added"), "{name}: {report}");
    }
    let doc = qualmap::model::io::load_path(&map).unwrap();
    let mut coders: Vec<&str> = doc.evidence.iter().map(|e| e.coder.as_str()).collect();
    coders.sort();
    assert_eq!(coders, ["Ana", "Ben", "Cleo", "Dev", "Eli", "Fay"]);
    assert!(doc.evidence.iter().all(|e| e.excerpt == passage));
    // Importing a coder's table again adds nothing.
    let report = qualmap(&[
        "import",
        dir.path().join("plain.csv").to_str().unwrap(),
        "--into",
        map.to_str().unwrap(),
        "-o",
        map.to_str().unwrap(),
    ]);
    assert!(report.contains("0 evidence items added, 1 already in the map"), "{report}");
}

#[test]
fn a_code_frequency_sheet_is_refused_with_what_it_looks_like_and_what_to_export() {
    let error = read_path(&fixture("code-frequencies.csv"), None).unwrap_err().to_string();
    assert!(error.contains("code frequencies"), "{error}");
    assert!(error.contains("Retrieved Segments") && error.contains("REFI-QDA"), "{error}");
    assert!(!error.contains("--map text=\"Code\""), "no hint to take the code name as the excerpt: {error}");
}

#[test]
fn codebook_tables_import_as_codebooks() {
    let data = read("taguette-codebook.csv");
    assert!(data.segments.is_empty());
    let names: Vec<(&str, &str)> = data.codes.iter().map(|c| (c.name.as_str(), c.description.as_str())).collect();
    assert_eq!(names, [("confidence", "Feeling surer of one's judgement"), ("wellbeing", "Sleep, stress, worry")]);
    let doc = import_into(&Document::new_blank(), &data);
    assert_eq!(doc.concepts.len(), 2, "a codebook gives a concept per leaf code");

    let nested = read("taguette-codebook-parent.csv");
    let benefits = nested.codes.iter().find(|c| c.name == "benefits").unwrap();
    assert!(nested.codes.iter().filter(|c| c.name != "benefits").all(|c| c.parent.as_deref() == Some(&benefits.key)));
}

#[test]
fn taguette_qualcoder_dedoose_and_atlas_tables_read_as_their_tools_write_them() {
    // Taguette: one row per highlight and tag.
    let taguette = read("taguette-highlights.csv");
    assert_eq!(taguette.segments.len(), 2, "{}", report(&taguette));
    assert_eq!(taguette.segments[0].codes.len(), 2);

    // QualCoder: Category columns are the code's ancestors, nearest first; FileVar_ attributes.
    let qualcoder = read("qualcoder-report.csv");
    let doc = import_into(&Document::new_blank(), &qualcoder);
    let confidence = doc.codes.iter().find(|c| c.name == "Confidence").unwrap();
    assert_eq!(doc.code_path(confidence.id), "Outcomes / Benefits / Confidence");
    let int1 = doc.sources.iter().find(|s| s.name == "int1.txt").unwrap();
    assert_eq!(int1.attributes.get("role").map(String::as_str), Some("mentee"));
    assert_eq!(doc.evidence.iter().find(|e| e.memo == "a memo").map(|e| e.coder.as_str()), Some("colin"));

    // Dedoose: one column per code says whether it applies.
    let dedoose = read("dedoose-excerpts.csv");
    let codes: Vec<Vec<&str>> = dedoose
        .segments
        .iter()
        .map(|s| s.codes.iter().map(|k| dedoose.codes.iter().find(|c| &c.key == k).unwrap().name.as_str()).collect())
        .collect();
    assert_eq!(codes, [vec!["Confidence"], vec!["Well-being"]], "{}", report(&dedoose));
    assert_eq!(dedoose.segments[0].coder, "dana");

    // ATLAS.ti: codes one a line, `::` between parent and child.
    let atlas = read("atlas-quotations.csv");
    assert_eq!(atlas.segments[0].text, "I stopped dreading Mondays and I sleep.");
    assert_eq!(atlas.segments[0].codes.len(), 2, "{}", report(&atlas));
    assert!(atlas.codes.iter().any(|c| c.name == "Sleep" && c.parent.as_deref() == Some("Well-being")));
    assert_eq!(atlas.segments[0].coder, "Ana Coder");
}
