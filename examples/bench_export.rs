//! Export benchmark: times SVG, 4K PNG and PDF export of the built-in example and of a
//! generated 1,000-concept map. Run on an idle machine:
//!
//! ```sh
//! cargo run --release --example bench_export
//! ```
//!
//! Prints one line per map and format with the best of several runs.

use std::time::{Duration, Instant};

use qualmap::export::{ExportOptions, Format, export_bytes};
use qualmap::model::example;
use qualmap::model::generate::{Spec, generated};
use qualmap::scene::{EguiMeasure, headless_context};

fn best_of(runs: usize, mut work: impl FnMut() -> usize) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut size = 0;
    for _ in 0..runs {
        let start = Instant::now();
        size = work();
        best = best.min(start.elapsed());
    }
    (best, size)
}

fn main() {
    let ctx = headless_context();
    let measure = EguiMeasure(&ctx);
    let maps = [
        ("example (19 concepts)", example::document()),
        (
            "generated (1,000 concepts)",
            generated(Spec { concepts: 1_000, relationships: 1_250, evidence: 2_000, seed: 1 }),
        ),
    ];
    println!("{:<28} {:<16} {:>10} {:>12}", "map", "export", "best ms", "bytes");
    for (name, doc) in &maps {
        let four_k = ExportOptions { width_px: Some(3840), ..ExportOptions::default() };
        let plain = ExportOptions::default();
        let jobs: [(&str, Format, &ExportOptions); 4] = [
            ("SVG", Format::Svg, &plain),
            ("PNG 3840 px wide", Format::Png, &four_k),
            ("PDF", Format::Pdf, &plain),
            ("GraphML", Format::GraphMl, &plain),
        ];
        for (label, format, options) in jobs {
            let (time, bytes) = best_of(3, || export_bytes(doc, format, options, &measure).map_or(0, |b| b.len()));
            println!("{name:<28} {label:<16} {:>10.1} {bytes:>12}", time.as_secs_f64() * 1000.0);
        }
    }
}
