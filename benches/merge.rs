//! Merge benchmark (issue 18): two copies of a generated map of 10,000 concepts, 30,000
//! relationships and 100,000 excerpts, each edited apart by two coders, merged with their
//! original; against `git merge-file` merging the same three files line by line in the same run
//! (the text merge git would do without Qualmap's merge driver, which can neither keep both
//! coders' links to one excerpt nor promise a whole map).
//!
//! ```sh
//! cargo bench --bench merge
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a benchmark stops loudly when its setup fails")]

mod common;

use std::process::Command as Process;

use common::time;
use qualmap::command::{Command, Element, delete_items};
use qualmap::merge::{diff, merge};
use qualmap::model::generate::{Spec, generated};
use qualmap::model::io::{load_path, save_path};
use qualmap::model::{Document, ItemRef};
use qualmap::rng::Rng;

/// A coder's session: relabel `n` concepts, move `n`, link `n` excerpts to another concept,
/// delete a few relationships.
fn session(base: &Document, seed: u64, n: usize) -> Document {
    let mut rng = Rng::new(seed);
    let mut doc = base.clone();
    for i in 0..n {
        let mut concept = rng.pick(&doc.concepts).unwrap().clone();
        concept.label = format!("{} (coder {seed}, {i})", concept.label);
        concept.pos.x += 10.0;
        Command::Update(Element::Concept(concept)).apply(&mut doc).unwrap();
        let mut evidence = rng.pick(&doc.evidence).unwrap().clone();
        evidence.links.push(ItemRef::Concept(rng.pick(&doc.concepts).unwrap().id));
        Command::Update(Element::Evidence(evidence)).apply(&mut doc).unwrap();
    }
    for _ in 0..n / 10 {
        let id = rng.pick(&doc.relationships).unwrap().id;
        delete_items(&doc, &[ItemRef::Relationship(id)]).apply(&mut doc).unwrap();
    }
    doc
}

fn main() {
    let spec = Spec { concepts: 10_000, relationships: 30_000, evidence: 100_000, seed: 7 };
    let base = generated(spec);
    let ours = session(&base, 1, 500);
    let theirs = session(&base, 2, 500);
    println!(
        "map: {} per copy; each coder relabelled and moved 500 concepts, linked 500 excerpts, deleted 50 relationships",
        base.counts()
    );

    let (merge_ms, merged) = time(5, || merge(&base, &ours, &theirs).unwrap());
    println!(
        "qualmap merge (in memory): {merge_ms:.0} ms, {} conflicts (concepts both coders relabelled), {} renumbered",
        merged.new_conflicts,
        merged.renumbered.len()
    );
    let (diff_ms, changes) = time(5, || diff(&base, &ours));
    println!("qualmap diff base -> ours (in memory): {diff_ms:.0} ms, {} parts differ", changes.len());

    // Whole runs from files, as git's merge driver runs it, against git merge-file.
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(format!("{name}.qualmap"));
    save_path(&base, &path("base")).unwrap();
    save_path(&ours, &path("ours")).unwrap();
    save_path(&theirs, &path("theirs")).unwrap();
    let bytes = std::fs::metadata(path("base")).unwrap().len();
    println!("file: {:.1} MB", bytes as f64 / 1e6);
    let (load_ms, _) = time(3, || load_path(&path("base")).unwrap());
    let (whole_ms, _) = time(3, || {
        let (b, o, t) =
            (load_path(&path("base")).unwrap(), load_path(&path("ours")).unwrap(), load_path(&path("theirs")).unwrap());
        let merged = merge(&b, &o, &t).unwrap();
        save_path(&merged.document, &path("out")).unwrap();
    });
    println!("qualmap merge from files (3 loads, merge, save): {whole_ms:.0} ms (one load: {load_ms:.0} ms)");
    let git = Process::new("git").arg("--version").output();
    if git.is_err() {
        println!("git merge-file: git is not installed; no comparison");
        return;
    }
    let (git_ms, output) = time(3, || {
        Process::new("git")
            .args(["merge-file", "-p"])
            .arg(path("ours"))
            .arg(path("base"))
            .arg(path("theirs"))
            .output()
            .unwrap()
    });
    let text = String::from_utf8_lossy(&output.stdout);
    let markers = text.matches("<<<<<<<").count();
    let opens = qualmap::model::io::load_str(&text, "git's merge").is_ok();
    println!(
        "git merge-file (line by line): {git_ms:.0} ms, {markers} conflict hunks, result opens as a map: {opens}; \
         qualmap from files / git = {:.2}x",
        whole_ms / git_ms
    );
}
