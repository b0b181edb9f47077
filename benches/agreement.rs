//! Agreement benchmark (issue 18): on the generated map of 10,000 concepts, 30,000
//! relationships and 100,000 excerpts (two coders, "AB" and "CD", each excerpt with a line
//! range), how long the agreement of every item takes by source, by segment (positions), and by
//! segment with every location removed (so that segments are matched by their text), and the
//! disagreement list of one item.
//!
//! ```sh
//! cargo bench --bench agreement
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a benchmark stops loudly when its setup fails")]

mod common;

use common::time;
use qualmap::agreement::{Options, Unit, analyse};
use qualmap::model::generate::{Spec, generated};

fn main() {
    let doc = generated(Spec::LARGE);
    println!("map: {}", doc.counts());
    let source = Options::new(["AB", "CD"]);
    let segment = Options { unit: Unit::Segment, ..source.clone() };
    let (ms, analysis) = time(5, || analyse(&doc, &source).unwrap());
    println!(
        "by source:            {ms:>9.1} ms  ({} units, {} rows, overall κ {:?})",
        analysis.units,
        analysis.rows.len(),
        analysis.overall.kappa
    );
    let item = analysis.rows.iter().max_by_key(|r| r.figures.linked).unwrap().item;
    let (ms, list) = time(5, || analysis.disagreements(&doc, item));
    println!("disagreements of one item (source): {ms:>9.1} ms  ({} units)", list.len());
    let (ms, analysis) = time(5, || analyse(&doc, &segment).unwrap());
    println!("by segment, positions: {ms:>8.1} ms  ({} units, overall κ {:?})", analysis.units, analysis.overall.kappa);
    let (ms, list) = time(5, || analysis.disagreements(&doc, item));
    println!("disagreements of one item (segment): {ms:>8.1} ms  ({} units)", list.len());
    let mut by_text = doc.clone();
    for evidence in by_text.evidence.iter_mut() {
        evidence.location.clear();
    }
    let (ms, analysis) = time(3, || analyse(&by_text, &segment).unwrap());
    println!(
        "by segment, text only: {ms:>8.1} ms  ({} units, {} excerpts compared by text)",
        analysis.units, analysis.compared_by_text
    );
}
