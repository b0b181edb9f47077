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

use std::time::Instant;

use qualmap::agreement::{Options, Unit, analyse};
use qualmap::model::generate::{Spec, generated};

/// The median of `runs` timings of `work`, in milliseconds.
fn time<T>(runs: usize, mut work: impl FnMut() -> T) -> (f64, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let started = Instant::now();
        last = Some(work());
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], last.unwrap())
}

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
