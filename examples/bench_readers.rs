//! Reader benchmark: generates inputs of a few MB and prints how fast each reader reads them
//! (MB/s, best of three), so that reading stays linear. Run on an idle machine:
//!
//! ```sh
//! cargo run --release --example bench_readers
//! ```
//!
//! GraphML is read twice, once pretty-printed and once on a single line (TinkerPop writes it so;
//! the line-counting reader this replaces took 2.5 s on 1 MB written that way). XLSX is not
//! measured: nothing in the project writes a spreadsheet to generate one from.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use qualmap::export::{ExportOptions, Format, export_bytes};
use qualmap::import::graph::{self, Kind};
use qualmap::import::{refi, table};
use qualmap::model::generate::{Spec, generated};
use qualmap::scene::{EguiMeasure, headless_context};

fn best_of(runs: usize, mut work: impl FnMut() -> String) -> (Duration, String) {
    let mut best = Duration::MAX;
    let mut what = String::new();
    for _ in 0..runs {
        let start = Instant::now();
        what = work();
        best = best.min(start.elapsed());
    }
    (best, what)
}

fn report(name: &str, bytes: usize, (time, what): (Duration, String)) {
    let mb = bytes as f64 / 1e6;
    println!(
        "{name:<22} {mb:>7.2} MB {:>9.1} ms {:>8.1} MB/s   {what}",
        time.as_secs_f64() * 1e3,
        mb / time.as_secs_f64()
    );
}

/// A label of a few words, different for each node.
fn label(i: usize) -> String {
    const WORDS: [&str; 8] = ["trust", "feedback", "career", "stress", "support", "role", "time", "growth"];
    format!("{} {} {i}", WORDS[i % 8], WORDS[(i / 8) % 8])
}

fn graphml(nodes: usize, edges: usize, newline: &str) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>{newline}<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">{newline}"
    );
    let _ = write!(out, "<key id=\"d0\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>{newline}");
    let _ = write!(
        out,
        "<key id=\"d1\" for=\"node\" attr.name=\"x\" attr.type=\"double\"/><key id=\"d2\" for=\"node\" attr.name=\"y\" attr.type=\"double\"/>{newline}"
    );
    let _ = write!(
        out,
        "<key id=\"d3\" for=\"edge\" attr.name=\"label\" attr.type=\"string\"/>{newline}<graph edgedefault=\"directed\">{newline}"
    );
    for i in 0..nodes {
        let _ = write!(
            out,
            "  <node id=\"n{i}\"><data key=\"d0\">{}</data><data key=\"d1\">{}</data><data key=\"d2\">{}</data></node>{newline}",
            label(i),
            (i % 100) * 200,
            (i / 100) * 120
        );
    }
    for e in 0..edges {
        let _ = write!(
            out,
            "  <edge source=\"n{}\" target=\"n{}\"><data key=\"d3\">supports</data></edge>{newline}",
            e % nodes,
            (e * 7 + 1) % nodes
        );
    }
    let _ = write!(out, "</graph>{newline}</graphml>{newline}");
    out
}

fn gexf(nodes: usize, edges: usize) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gexf xmlns=\"http://gexf.net/1.3\" xmlns:viz=\"http://gexf.net/1.3/viz\" version=\"1.3\">\n<graph defaultedgetype=\"undirected\">\n<nodes>\n",
    );
    for i in 0..nodes {
        let _ = writeln!(
            out,
            "  <node id=\"{i}\" label=\"{}\"><viz:size value=\"8.0\"/><viz:position x=\"{}.5\" y=\"{}.25\" z=\"0.0\"/><viz:color r=\"235\" g=\"81\" b=\"72\"/></node>",
            label(i),
            (i % 100) * 20,
            (i / 100) * 12
        );
    }
    out.push_str("</nodes>\n<edges>\n");
    for e in 0..edges {
        let _ = writeln!(
            out,
            "  <edge id=\"{e}\" source=\"{}\" target=\"{}\" weight=\"1.0\"/>",
            e % nodes,
            (e * 7 + 1) % nodes
        );
    }
    out.push_str("</edges>\n</graph>\n</gexf>\n");
    out
}

fn dot(nodes: usize, edges: usize) -> String {
    let mut out = String::from("digraph G {\n  node [shape=box];\n  subgraph cluster_a {\n    label=\"Area\";\n");
    for i in 0..nodes {
        let _ = writeln!(out, "    n{i} [label=\"{}\", pos=\"{},{}\"];", label(i), (i % 100) * 20, (i / 100) * 12);
        if i == nodes / 10 {
            out.push_str("  }\n");
        }
    }
    for e in 0..edges {
        let _ = writeln!(out, "  n{} -> n{} [label=\"supports\"];", e % nodes, (e * 7 + 1) % nodes);
    }
    out.push_str("}\n");
    out
}

fn edge_list(nodes: usize, edges: usize) -> String {
    let mut out = String::from("# FromNodeId\tToNodeId\n");
    for e in 0..edges {
        let _ = writeln!(out, "{}\t{}", e % nodes, (e * 7 + 1) % nodes);
    }
    out
}

fn segments_csv(rows: usize) -> String {
    let mut out = String::from("Document name,Code,Segment,Comment\n");
    for r in 0..rows {
        let _ = writeln!(
            out,
            "Interview {},Benefits\\{},\"I think the mentor helped me see {} differently, and we talked about it for a while.\",memo {r}",
            r % 40,
            label(r % 60),
            label(r)
        );
    }
    out
}

fn read_graph(bytes: &[u8], kind: Kind) -> String {
    match graph::read(bytes, "bench", kind) {
        Ok((g, _)) => g.counts(),
        Err(e) => format!("error: {e}"),
    }
}

fn main() {
    let (nodes, edges) = (20_000, 60_000);
    println!("reader                   size        time      speed   read");
    let pretty = graphml(nodes, edges, "\n");
    report("GraphML", pretty.len(), best_of(3, || read_graph(pretty.as_bytes(), Kind::GraphMl)));
    let one_line = graphml(nodes, edges, "");
    report("GraphML (one line)", one_line.len(), best_of(3, || read_graph(one_line.as_bytes(), Kind::GraphMl)));
    let small = graphml(nodes / 5, edges / 5, "");
    report("GraphML (one line, 1/5)", small.len(), best_of(3, || read_graph(small.as_bytes(), Kind::GraphMl)));
    let gexf = gexf(nodes, edges);
    report("GEXF", gexf.len(), best_of(3, || read_graph(gexf.as_bytes(), Kind::Gexf)));
    let dot = dot(nodes, edges);
    report("DOT", dot.len(), best_of(3, || read_graph(dot.as_bytes(), Kind::Dot)));
    let list = edge_list(nodes, edges * 3);
    report("edge list", list.len(), best_of(3, || read_graph(list.as_bytes(), Kind::EdgeList)));

    let ctx = headless_context();
    let map = generated(Spec { concepts: 2_000, relationships: 6_000, evidence: 20_000, seed: 1 });
    match export_bytes(&map, Format::Qdpx, &ExportOptions::default(), &EguiMeasure(&ctx)) {
        Ok(qdpx) => report(
            "REFI-QDA (.qdpx)",
            qdpx.len(),
            best_of(3, || match refi::read_qdpx_from(std::io::Cursor::new(&qdpx), "bench.qdpx") {
                Ok(data) => format!("{} codes, {} segments", data.codes.len(), data.segments.len()),
                Err(e) => format!("error: {e}"),
            }),
        ),
        Err(e) => println!("REFI-QDA (.qdpx): could not be written: {e}"),
    }
    let csv = segments_csv(40_000);
    report(
        "CSV coded segments",
        csv.len(),
        best_of(3, || match table::read_table(csv.as_bytes(), "bench.csv", false, None) {
            Ok(data) => format!("{} codes, {} segments", data.codes.len(), data.segments.len()),
            Err(e) => format!("error: {e}"),
        }),
    );
    println!("XLSX: not measured (no writer in the project to generate a large workbook)");
}
