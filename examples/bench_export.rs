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
use qualmap::model::{
    Area, AreaId, Concept, ConceptId, Document, Endpoint, Evidence, EvidenceId, ItemRef, Point, Provenance,
    Relationship, RelationshipId, Rgb, Source, SourceId, example,
};
use qualmap::scene::{EguiMeasure, headless_context};

/// A deterministic concept-map-like document: clusters of concepts in ten areas (some in two),
/// chains and cross links, and evidence on most items.
fn generated_map(concepts: usize) -> Document {
    let mut doc = Document::new_blank();
    doc.info.title = format!("Generated map with {concepts} concepts");
    let mut seed: u64 = 0x5eed;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let areas = 10u64;
    for a in 0..areas {
        doc.areas.push(Area {
            id: AreaId(a + 1),
            label: format!("Area {}", a + 1),
            description: String::new(),
            color: Rgb::new((40 + a * 20) as u8, 120, (200 - a * 15) as u8),
            provenance: Provenance::default(),
        });
    }
    let per_area = concepts as u64 / areas;
    for i in 0..concepts as u64 {
        let area = i / per_area.max(1) % areas;
        let (cx, cy) = ((area % 5) as f32 * 1400.0, (area / 5) as f32 * 1400.0);
        let k = i % per_area.max(1);
        let (gx, gy) = ((k % 10) as f32 * 120.0, (k / 10) as f32 * 90.0);
        let mut in_areas = vec![AreaId(area + 1)];
        if next() % 20 == 0 {
            in_areas.push(AreaId((area + 1) % areas + 1));
        }
        doc.concepts.push(Concept {
            id: ConceptId(i + 1),
            label: format!("Concept {} of a generated study", i + 1),
            description: String::new(),
            areas: in_areas,
            pos: Point::new(cx + gx, cy + gy),
            provenance: Provenance::default(),
        });
    }
    doc.sources.push(Source {
        id: SourceId(1),
        name: "Interview".to_owned(),
        kind: Default::default(),
        attributes: [("role".to_owned(), "mentee".to_owned())].into(),
        description: String::new(),
        provenance: Provenance::default(),
    });
    let n = concepts as u64;
    for r in 0..(n * 5 / 4) {
        let from = r % n + 1;
        let to = if r < n { (r + 1) % n + 1 } else { next() % n + 1 };
        doc.relationships.push(Relationship {
            id: RelationshipId(r + 1),
            from: Endpoint::Concept(ConceptId(from)),
            to: Endpoint::Concept(ConceptId(to)),
            type_id: doc.relationship_types[1].id,
            label: String::new(),
            direction: None,
            bend: 0.0,
            description: String::new(),
            provenance: Provenance::default(),
        });
    }
    for e in 0..n * 2 {
        doc.evidence.push(Evidence {
            id: EvidenceId(e + 1),
            excerpt: "An excerpt".to_owned(),
            source: SourceId(1),
            location: String::new(),
            codes: Vec::new(),
            memo: String::new(),
            coder: String::new(),
            coded_at: String::new(),
            links: vec![ItemRef::Concept(ConceptId(e % n + 1)), ItemRef::Relationship(RelationshipId(e % n + 1))],
            provenance: Provenance::default(),
        });
    }
    doc.normalize();
    doc
}

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
    let maps = [("example (19 concepts)", example::document()), ("generated (1,000 concepts)", generated_map(1000))];
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
