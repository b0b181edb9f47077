//! Reader benchmark: generates inputs of a few MB and prints how fast each reader reads them
//! (MB/s, best of three), so that reading stays linear. Run on an idle machine:
//!
//! ```sh
//! cargo run --release --example bench_readers
//! ```
//!
//! GraphML is read twice, once pretty-printed and once on a single line (TinkerPop writes it so;
//! the line-counting reader this replaces took 2.5 s on 1 MB written that way). Beside each XML
//! reader it prints two references measured in the same run: the bare XML parse (roxmltree
//! building its tree, which every XML reader here starts with: the floor), and networkx's
//! `read_graphml` / `read_gexf` on the same file where Python has networkx
//! (`pip install networkx`), the reader most researchers' scripts use. Spreadsheets are
//! generated here by hand (SpreadsheetML and OpenDocument, as the fuzz seeds are) and read as
//! the import reads them: container checks, calamine, the CSV table reader.

#![allow(clippy::expect_used, reason = "a benchmark stops loudly when it cannot write its own input")]

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

/// A stored zip archive of `entries` (name, content), written with the zip crate.
fn zipped(entries: &[(&str, String)]) -> Vec<u8> {
    use std::io::Write as _;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in entries {
        zip.start_file(*name, options).expect("a zip entry");
        zip.write_all(content.as_bytes()).expect("zip content");
    }
    zip.finish().expect("a zip archive").into_inner()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('"', "&quot;")
}

/// The rows of [`segments_csv`] as cells.
fn segment_rows(rows: usize) -> Vec<[String; 4]> {
    std::iter::once(["Document name", "Code", "Segment", "Comment"].map(str::to_owned))
        .chain((0..rows).map(|r| {
            [
                format!("Interview {}", r % 40),
                format!("Benefits\\{}", label(r % 60)),
                format!(
                    "I think the mentor helped me see {} differently, and we talked about it for a while.",
                    label(r)
                ),
                format!("memo {r}"),
            ]
        }))
        .collect()
}

/// An `.xlsx` of coded segments with inline strings (ECMA-376 Part 1).
fn xlsx(rows: usize) -> Vec<u8> {
    let mut sheet = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>",
    );
    for (r, row) in segment_rows(rows).iter().enumerate() {
        let _ = write!(sheet, "<row r=\"{}\">", r + 1);
        for (c, cell) in row.iter().enumerate() {
            let column = char::from(b'A' + c as u8);
            let _ = write!(sheet, "<c r=\"{column}{}\" t=\"inlineStr\"><is><t>{}</t></is></c>", r + 1, escape(cell));
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    let rels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    zipped(&[
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
             <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
             <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
             <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
             <Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>"
                .to_owned(),
        ),
        (
            "_rels/.rels",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
                 <Relationship Id=\"rId1\" Type=\"{rels}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
            ),
        ),
        (
            "xl/workbook.xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
                 xmlns:r=\"{rels}\"><sheets><sheet name=\"Coded segments\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
                 <Relationship Id=\"rId1\" Type=\"{rels}/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>"
            ),
        ),
        ("xl/worksheets/sheet1.xml", sheet),
    ])
}

/// An `.ods` of coded segments (OpenDocument 1.2).
fn ods(rows: usize) -> Vec<u8> {
    let mut content = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content \
         xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
         xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">\
         <office:body><office:spreadsheet><table:table table:name=\"Coded segments\">",
    );
    for row in segment_rows(rows) {
        content.push_str("<table:table-row>");
        for cell in &row {
            let _ = write!(
                content,
                "<table:table-cell office:value-type=\"string\"><text:p>{}</text:p></table:table-cell>",
                escape(cell)
            );
        }
        content.push_str("</table:table-row>");
    }
    content.push_str("</table:table></office:spreadsheet></office:body></office:document-content>");
    let manifest = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><manifest:manifest \
        xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\">\
        <manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
        <manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/></manifest:manifest>";
    zipped(&[
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet".to_owned()),
        ("META-INF/manifest.xml", manifest.to_owned()),
        ("content.xml", content),
    ])
}

fn read_spreadsheet(bytes: &[u8], kind: qualmap::import::spreadsheet::Kind) -> String {
    match qualmap::import::spreadsheet::csv_from_bytes(bytes, kind, "bench")
        .and_then(|csv| table::read_table(&csv, "bench", false, None))
    {
        Ok(data) => format!("{} codes, {} segments", data.codes.len(), data.segments.len()),
        Err(e) => format!("error: {e}"),
    }
}

/// The bare XML parse of `text`: the floor under every XML reader here.
fn xml_floor(text: &str) -> String {
    match roxmltree::Document::parse_with_options(
        text,
        roxmltree::ParsingOptions { allow_dtd: false, nodes_limit: u32::MAX },
    ) {
        Ok(doc) => format!("{} nodes", doc.descendants().count()),
        Err(e) => format!("error: {e}"),
    }
}

/// networkx reading `file` with `function` (best of three, in Python's own timer), if Python
/// has networkx.
fn networkx(function: &str, file: &std::path::Path) -> Option<(Duration, String)> {
    let script = format!(
        "import time, networkx as nx\nbest = 1e9\nfor _ in range(3):\n    t = time.perf_counter(); g = nx.{function}(r'{}'); best = min(best, time.perf_counter() - t)\nprint(best, g.number_of_nodes(), g.number_of_edges())",
        file.display()
    );
    let out = std::process::Command::new("python3").arg("-c").arg(script).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut parts = text.split_whitespace();
    let seconds: f64 = parts.next()?.parse().ok()?;
    let (nodes, edges) = (parts.next()?, parts.next()?);
    Some((Duration::from_secs_f64(seconds), format!("{nodes} nodes, {edges} edges")))
}

/// Reports a reader with its references (see the module's documentation), as ratios.
fn report_xml(name: &str, text: &str, ours: (Duration, String), networkx_function: Option<&str>) {
    let time = ours.0;
    report(name, text.len(), ours);
    let floor = best_of(3, || xml_floor(text));
    println!(
        "  {:<20} {:>9.1} ms   ours is {:.2}× its time",
        "bare XML parse",
        floor.0.as_secs_f64() * 1e3,
        time.as_secs_f64() / floor.0.as_secs_f64()
    );
    let Some(function) = networkx_function else { return };
    let file = std::env::temp_dir().join(format!("qualmap-bench-{}.{function}", std::process::id()));
    if std::fs::write(&file, text).is_err() {
        return;
    }
    match networkx(function, &file) {
        Some((peer, what)) => println!(
            "  {:<20} {:>9.1} ms   ours is {:.2}× its time ({what})",
            format!("networkx {function}"),
            peer.as_secs_f64() * 1e3,
            time.as_secs_f64() / peer.as_secs_f64()
        ),
        None => println!("  networkx {function}: not measured (python3 -c 'import networkx' fails)"),
    }
    let _ = std::fs::remove_file(file);
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
    let ours = best_of(3, || read_graph(pretty.as_bytes(), Kind::GraphMl));
    report_xml("GraphML", &pretty, ours, Some("read_graphml"));
    let one_line = graphml(nodes, edges, "");
    let ours = best_of(3, || read_graph(one_line.as_bytes(), Kind::GraphMl));
    report_xml("GraphML (one line)", &one_line, ours, None);
    let small = graphml(nodes / 5, edges / 5, "");
    report("GraphML (one line, 1/5)", small.len(), best_of(3, || read_graph(small.as_bytes(), Kind::GraphMl)));
    let gexf = gexf(nodes, edges);
    let ours = best_of(3, || read_graph(gexf.as_bytes(), Kind::Gexf));
    report_xml("GEXF", &gexf, ours, Some("read_gexf"));
    let dot = dot(nodes, edges);
    report("DOT", dot.len(), best_of(3, || read_graph(dot.as_bytes(), Kind::Dot)));
    let list = edge_list(nodes, edges * 3);
    report("edge list", list.len(), best_of(3, || read_graph(list.as_bytes(), Kind::EdgeList)));

    let ctx = headless_context();
    let map = generated(Spec { concepts: 2_000, relationships: 6_000, evidence: 20_000, seed: 1 });
    match export_bytes(&map, Format::Qdpx, &ExportOptions::default(), &EguiMeasure(&ctx)) {
        Ok(qdpx) => {
            let unpacked: u64 = zip::ZipArchive::new(std::io::Cursor::new(&qdpx))
                .map_or(0, |mut zip| (0..zip.len()).filter_map(|i| zip.by_index_raw(i).ok().map(|e| e.size())).sum());
            println!("(the .qdpx below unpacks to {:.2} MB of XML and source texts)", unpacked as f64 / 1e6);
            report(
                "REFI-QDA (.qdpx)",
                qdpx.len(),
                best_of(3, || match refi::read_qdpx_from(std::io::Cursor::new(&qdpx), "bench.qdpx") {
                    Ok(data) => format!("{} codes, {} segments", data.codes.len(), data.segments.len()),
                    Err(e) => format!("error: {e}"),
                }),
            )
        }
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
    use qualmap::import::spreadsheet::Kind as Sheet;
    let book = xlsx(20_000);
    report("XLSX coded segments", book.len(), best_of(3, || read_spreadsheet(&book, Sheet::Xlsx)));
    let sheet = ods(20_000);
    report("ODS coded segments", sheet.len(), best_of(3, || read_spreadsheet(&sheet, Sheet::Ods)));
    let legacy =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/segments-400.xls")).unwrap_or_default();
    report("XLS (400 segments)", legacy.len(), best_of(3, || read_spreadsheet(&legacy, Sheet::Xls)));
    println!("(spreadsheet sizes are of the zipped file; their XML inside is 5–10 times larger)");
}
