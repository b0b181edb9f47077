//! Intercoder agreement compared with established implementations: scikit-learn's
//! `cohen_kappa_score` and the `krippendorff` package's nominal alpha, on unit tables that
//! `tests/agreement_reference.py` builds on its own from the same evidence (sources every coder
//! coded; segments by position or by text), on generated maps with random coders and links.
//! Also the command line's output and its refusals.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::io::Write as _;
use std::process::{Command, Stdio};

use qualmap::agreement::{Options, Unit, analyse};
use qualmap::model::{
    Document, Evidence, EvidenceId, ExcerptStatus, ItemRef, Source, SourceId, generate, io as map_io,
};
use qualmap::rng::Rng;

/// The reference's answers for `input`, or `None` where Python or its packages are missing
/// outside CI.
fn reference(input: &serde_json::Value) -> Option<serde_json::Value> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/agreement_reference.py");
    let child =
        Command::new("python3").arg(script).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(err) => {
            assert!(std::env::var_os("CI").is_none(), "CI must have python3 with scikit-learn and krippendorff: {err}");
            eprintln!("python3 is not installed ({err}); skipping the comparison with scikit-learn and krippendorff");
            return None;
        }
    };
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() && stderr.contains("No module named") && std::env::var_os("CI").is_none() {
        eprintln!("scikit-learn or krippendorff is not installed; skipping the comparison: {stderr}");
        return None;
    }
    assert!(out.status.success(), "the reference failed: {stderr}");
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

const WORDS: [&str; 16] = [
    "we", "talked", "about", "the", "ward", "round", "and", "my", "mentor", "listened", "so", "I", "felt", "surer",
    "then", "slept",
];

/// A map whose sources several coders coded: passages of each source that each coder codes (or
/// not) with boundaries a word or two apart, linked to the passage's items with noise. Some
/// excerpts carry no range (`text_only` percent), so segments are matched by their text. Item 0
/// is linked by every excerpt (a figure with one value only), item 1 by everyone's excerpts of
/// the first source and nothing else (full agreement); the last items are never linked.
fn coded_map(seed: u64, coders: &[&str], text_only: u64) -> (Document, Vec<ItemRef>) {
    let mut rng = Rng::new(seed);
    let mut doc = generate::generated(generate::Spec { concepts: 14, relationships: 12, evidence: 0, seed });
    let items: Vec<ItemRef> = doc
        .concepts
        .iter()
        .map(|c| ItemRef::Concept(c.id))
        .chain(doc.relationships.iter().map(|r| ItemRef::Relationship(r.id)))
        .chain(doc.areas.iter().map(|a| ItemRef::Area(a.id)))
        .collect();
    let linkable = &items[2..items.len() - 3];
    doc.sources = (1..=5)
        .map(|i| Source {
            id: SourceId(i),
            name: format!("Interview {i}"),
            kind: Default::default(),
            attributes: Default::default(),
            description: String::new(),
            provenance: Default::default(),
        })
        .collect();
    let mut evidence = Vec::new();
    for source in 1..=5u64 {
        let words: Vec<&str> = (0..80).map(|_| *rng.pick(&WORDS).unwrap()).collect();
        // Where each word starts and ends, in characters of the text the words make.
        let mut bounds = Vec::new();
        let mut at = 0;
        for word in &words {
            bounds.push((at, at + word.chars().count()));
            at += word.chars().count() + 1;
        }
        let text = words.join(" ");
        // A coder who did not code this source at all (so it is no unit).
        let absent = (source == 5 && seed.is_multiple_of(2)).then(|| rng.index(coders.len()));
        for _ in 0..7 {
            let first = rng.index(60);
            let last = first + 5 + rng.index(15);
            let mut truth: Vec<ItemRef> = (0..1 + rng.index(2)).map(|_| *rng.pick(linkable).unwrap()).collect();
            truth.sort();
            truth.dedup();
            for (c, coder) in coders.iter().enumerate() {
                if absent == Some(c) || rng.chance(25) {
                    continue;
                }
                let from = if rng.chance(50) { first.saturating_sub(rng.index(3)) } else { first + rng.index(3) };
                let to = (last + rng.index(3)).saturating_sub(rng.index(3)).clamp(from, words.len() - 1);
                let (start, end) = (bounds[from].0, bounds[to].1);
                let excerpt: String = text.chars().skip(start).take(end - start).collect();
                let mut links: Vec<ItemRef> = truth.iter().copied().filter(|_| rng.chance(80)).collect();
                if rng.chance(20) {
                    links.push(*rng.pick(linkable).unwrap());
                }
                links.push(items[0]);
                if source == 1 {
                    links.push(items[1]);
                }
                links.sort();
                links.dedup();
                let location = if rng.chance(text_only) {
                    if rng.chance(50) { String::new() } else { format!("page {source}: {start}") }
                } else {
                    format!("characters {start}–{end}")
                };
                evidence.push(Evidence {
                    id: EvidenceId(evidence.len() as u64 + 1),
                    excerpt,
                    source: SourceId(source),
                    location,
                    codes: Vec::new(),
                    memo: String::new(),
                    coder: (*coder).to_owned(),
                    coded_at: String::new(),
                    links,
                    provenance: Default::default(),
                    status: ExcerptStatus::Exact,
                });
            }
        }
    }
    doc.evidence = evidence.into();
    doc.normalize();
    (doc, items)
}

fn same(ours: Option<f64>, theirs: &serde_json::Value) -> bool {
    match (ours, theirs.as_f64()) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        (None, None) => true,
        _ => false,
    }
}

#[test]
fn figures_agree_with_scikit_learn_and_krippendorff() {
    // Every case first, then one run of the reference (Python's imports take a second).
    let mut cases = Vec::new();
    for seed in 1..=5 {
        for coders in [&["A", "B"][..], &["A", "B", "C"][..]] {
            let (doc, items) = coded_map(seed, coders, if seed.is_multiple_of(2) { 40 } else { 0 });
            for (unit, overlap) in [(Unit::Source, 0.5), (Unit::Segment, 0.5), (Unit::Segment, 0.2)] {
                let options = Options { unit, overlap, ..Options::new(coders.iter().copied()) };
                let analysis = analyse(&doc, &options).unwrap();
                let input = serde_json::json!({
                    "coders": coders,
                    "unit": unit.name(),
                    "overlap": overlap,
                    "items": analysis.rows.iter().map(|r| format!("{:?}", r.item)).collect::<Vec<_>>(),
                    "evidence": doc.evidence.iter().map(|e| serde_json::json!({
                        "coder": e.coder,
                        "source": e.source.0,
                        "location": e.location,
                        "text": e.excerpt,
                        "links": e.links.iter().map(|l| format!("{l:?}")).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                });
                let what = format!("seed {seed}, {} coders, {unit:?} at {overlap}", coders.len());
                cases.push((what, doc.clone(), items.len(), analysis, input));
            }
        }
    }
    let input = serde_json::json!({ "cases": cases.iter().map(|c| &c.4).collect::<Vec<_>>() });
    let Some(theirs) = reference(&input) else { return };
    // What was compared, so that the comparison cannot pass on empty answers.
    let (mut kappas, mut alphas, mut undefined, mut text_matched) = (0, 0, 0, 0);
    for ((what, doc, items, analysis, _), theirs) in cases.iter().zip(theirs["cases"].as_array().unwrap()) {
        assert_eq!(analysis.units as u64, theirs["unit_count"].as_u64().unwrap(), "{what}: units");
        assert_eq!(analysis.rows.len(), *items);
        for (row, reference) in analysis.rows.iter().zip(theirs["items"].as_array().unwrap()) {
            let f = &row.figures;
            let at = format!("{what}: {}", row.label);
            assert_eq!(f.units as u64, reference["units"].as_u64().unwrap(), "{at}");
            assert!(
                same(f.agreement, &reference["agreement"]),
                "{at}: agreement {:?} vs {}",
                f.agreement,
                reference["agreement"]
            );
            assert!(same(f.kappa, &reference["kappa"]), "{at}: κ {:?} vs {}", f.kappa, reference["kappa"]);
            assert!(same(f.alpha, &reference["alpha"]), "{at}: α {:?} vs {}", f.alpha, reference["alpha"]);
            kappas += usize::from(f.kappa.is_some());
            alphas += usize::from(f.alpha.is_some());
            undefined += usize::from(f.alpha.is_none());
            // The disagreement list has one entry per unit on which the coders differ.
            assert_eq!(analysis.disagreements(doc, row.item).len(), f.disagreements(), "{at}");
        }
        let overall = &theirs["overall"];
        assert!(same(analysis.overall.agreement, &overall["agreement"]), "{what}: overall agreement");
        assert!(same(analysis.overall.kappa, &overall["kappa"]), "{what}: overall κ");
        assert!(same(analysis.overall.alpha, &overall["alpha"]), "{what}: overall α");
        text_matched += analysis.compared_by_text;
        // The degenerate items: one value only (undefined), full agreement (1), never linked.
        if analysis.unit == Unit::Source {
            let everywhere = &analysis.rows[0].figures;
            assert_eq!((everywhere.kappa, everywhere.alpha), (None, None), "{what}: all 1s");
            let first = &analysis.rows[1].figures;
            assert!(first.alpha.is_some_and(|a| (a - 1.0).abs() < 1e-12), "{what}: {first:?}");
        }
        let never = &analysis.rows[items - 1].figures;
        assert_eq!((never.agreement, never.kappa, never.alpha), (Some(1.0), None, None), "{what}");
    }
    eprintln!("compared: {kappas} kappas, {alphas} alphas, {undefined} undefined, {text_matched} placed by text");
    assert!(
        kappas > 100 && alphas > 200 && undefined > 30 && text_matched > 30,
        "{kappas} {alphas} {undefined} {text_matched}"
    );
}

fn qualmap(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_qualmap")).args(args).output().expect("run qualmap");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_command_line_prints_csv_and_json_and_refuses_what_does_not_fit() {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/two-coders.qualmap");
    let (code, csv, stderr) = qualmap(&["agreement", fixture, "--coders", "Ana,Ben"]);
    assert_eq!(code, 0, "{stderr}");
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("kind,id,label,units,linked,all_linked,agreement,kappa,alpha"), "{header}");
    let doc = map_io::load_path(std::path::Path::new(fixture)).unwrap();
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), doc.concepts.len() + doc.relationships.len() + doc.areas.len() + 1);
    assert!(rows.last().unwrap().starts_with("overall,"), "{csv}");
    // Undefined figures are empty cells: some concept nobody linked has an empty kappa.
    assert!(rows.iter().any(|r| r.contains(",1.000000,,,")), "{csv}");

    let (code, json, stderr) =
        qualmap(&["agreement", fixture, "--coders", "Ana,Ben", "--unit", "segment", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["unit"], "segment");
    assert_eq!(value["overlap"], 0.5);
    assert!(value["items"].as_array().unwrap().iter().any(|i| i["kappa"].is_null()));
    assert!(value["items"].as_array().unwrap().iter().any(|i| i["kappa"].is_f64()));

    let (code, _, stderr) = qualmap(&["agreement", fixture, "--coders", "Ana,Cy"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("\"Cy\"") && stderr.contains("Ana, Ben"), "{stderr}");
    let (code, _, stderr) = qualmap(&["agreement", fixture, "--coders", "Ana"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("two or more"), "{stderr}");
    let (code, _, stderr) =
        qualmap(&["agreement", fixture, "--coders", "Ana,Ben", "--unit", "segment", "--overlap", "1.5"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, _) = qualmap(&["agreement", "no-such-map.qualmap", "--coders", "Ana,Ben"]);
    assert_eq!(code, 1);
}

/// A figure exported while the map is coloured by agreement is coloured the same, with the key
/// saying what the colours mean; without the colouring, neither.
#[test]
fn an_export_is_coloured_by_agreement_with_its_key() {
    use qualmap::export::{ExportOptions, Format, export_figure};
    use qualmap::scene::{EguiMeasure, Tint, headless_context};
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/two-coders.qualmap");
    let doc = map_io::load_path(std::path::Path::new(fixture)).unwrap();
    let analysis = analyse(&doc, &Options::new(["Ana", "Ben"])).unwrap();
    let tint = std::sync::Arc::new(analysis.tint(qualmap::agreement::Figure::Kappa));
    // The least agreement on the map is a relationship's κ of 0: drawn in the red end.
    let least = tint.values.values().copied().fold(f32::INFINITY, f32::min);
    assert_eq!(least, 0.0);
    let ctx = headless_context();
    let export = |tint: Option<std::sync::Arc<Tint>>| {
        let options = ExportOptions { tint, ..ExportOptions::default() };
        String::from_utf8(export_figure(&doc, Format::Svg, &options, &EguiMeasure(&ctx)).unwrap().0).unwrap()
    };
    let red = format!("#{:02x}{:02x}{:02x}", Tint::STOPS[0].r, Tint::STOPS[0].g, Tint::STOPS[0].b);
    let coloured = export(Some(tint));
    assert!(coloured.contains("colour: agreement (Cohen"), "the key explains the colours");
    assert!(coloured.matches(&red).count() >= 2, "the red relationship and the key's red band");
    let plain = export(None);
    assert!(!plain.contains("colour: agreement") && !plain.contains(&red));
}
