//! The checks that the fuzz targets run on each input, one function per target.
//!
//! A check returns quietly when the loader refuses the input with an error (whose message is
//! formatted, so the error path runs too), and panics when the input finds a bug: a loader that
//! panics, a loaded map that does not save and load back to itself, an import whose planned
//! command does not apply, does not undo or leaves a map that does not save and load back, or a
//! graph whose layout is not finite.
//!
//! `tests/fuzz_regressions.rs` includes this file by path and runs the same checks on every
//! seed and every stored crash input, so it uses nothing but `qualmap` and `std`.

use std::io::Cursor;
use std::sync::OnceLock;

use qualmap::import::graph::{self as graph_files, Kind};
use qualmap::import::table::{self, ColumnMapping, Field};
use qualmap::import::{AreasFrom, ImportData, ImportOptions, plan, refi};
use qualmap::layout::{LayoutGraph, LayoutParams, layout};
use qualmap::model::validate::validate;
use qualmap::model::{Document, example, io};

/// Graphs larger than this are read but not laid out, so that each input stays fast.
pub const MAX_LAYOUT_NODES: usize = 200;
/// See [`MAX_LAYOUT_NODES`].
pub const MAX_LAYOUT_EDGES: usize = 1000;

/// A `.qualmap` file: loading either fails with an error or gives a valid map that saves to
/// text that loads back to the same map, and saves to the same text again.
pub fn qualmap_json(data: &[u8]) {
    let doc = match io::load_bytes(data, "fuzz.qualmap") {
        Ok(doc) => doc,
        Err(error) => {
            let _ = error.to_string();
            return;
        }
    };
    let problems = validate(&doc);
    assert!(problems.is_empty(), "a loaded map has problems: {problems:?}");
    round_trip(&doc, "a loaded map");
}

/// A REFI-QDA project archive (`.qdpx`), then its import into a map.
pub fn qdpx(data: &[u8]) {
    match refi::read_qdpx_from(Cursor::new(data), "fuzz.qdpx") {
        Ok(imported) => import(&imported),
        Err(error) => {
            let _ = error.to_string();
        }
    }
}

/// REFI-QDA XML read both as a codebook (`.qdc`) and as a project file (`.qde`), then imported.
/// Qualmap refuses XML that is not UTF-8 before parsing it, so such input is skipped.
pub fn qdc(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for read in [refi::read_qdc(text, "fuzz.qdc"), refi::read_qde(text, "fuzz.qde", None)] {
        match read {
            Ok(imported) => import(&imported),
            Err(error) => {
                let _ = error.to_string();
            }
        }
    }
}

/// A coded-segment table. The first byte chooses: bit 0, TSV rather than CSV (whose delimiter
/// is guessed); bit 1, a column mapping set by hand (derived from the other bits) rather than
/// guessed from the headers. The rest is the table, previewed, read and imported.
pub fn table(data: &[u8]) {
    let Some((&choice, bytes)) = data.split_first() else { return };
    let tsv = choice & 1 == 1;
    let headers = match table::preview(bytes, tsv, 5) {
        Ok((headers, _)) => headers,
        Err(_) => Vec::new(),
    };
    let mapping = (choice & 2 == 2).then(|| {
        let shift = usize::from(choice >> 2);
        // Usually one field per column, sometimes one too many, to test a mismatched mapping.
        let columns = headers.len() + usize::from(shift % 8 == 7);
        ColumnMapping {
            fields: (0..columns).map(|i| Field::ALL[(shift + i * 5) % Field::ALL.len()]).collect(),
            guessed: Vec::new(),
        }
    });
    match table::read_table(bytes, "fuzz.csv", tsv, mapping.as_ref()) {
        Ok(imported) => import(&imported),
        Err(error) => {
            let _ = error.to_string();
        }
    }
}

/// A graph for `qualmap layout`: read by content, whatever it is (edge list, edge table, DOT,
/// GraphML, GEXF, JSON Canvas, CXL); small graphs are then laid out.
pub fn graph(data: &[u8]) {
    match graph_files::read_plain(data, "fuzz.graph") {
        Ok((names, edges)) => lay_out(&names, edges),
        Err(error) => assert!(!error.to_string().is_empty(), "an empty graph error"),
    }
}

fn lay_out(names: &[String], edges: Vec<(usize, usize, f32)>) {
    let n = names.len();
    let mut unique: Vec<&String> = names.iter().collect();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), n, "a node name is read twice: {names:?}");
    for &(a, b, w) in &edges {
        assert!(a < n && b < n && w.is_finite(), "edge ({a}, {b}, {w}) in a graph of {n} nodes");
    }
    if n > MAX_LAYOUT_NODES || edges.len() > MAX_LAYOUT_EDGES {
        return;
    }
    // As `qualmap layout` runs it, with fewer iterations so that each input stays fast.
    let graph =
        LayoutGraph { half_sizes: vec![[0.0, 0.0]; n], edges, pinned: vec![false; n], ..LayoutGraph::default() };
    let params = LayoutParams {
        edge_length: 1.0,
        label_gap: 0.0,
        iterations: 5,
        stress_iterations: 5,
        polish: 5,
        ..LayoutParams::default()
    };
    let (pos, _) = layout(&graph, &vec![[0.0, 0.0]; n], &params);
    assert_eq!(pos.len(), n, "one position per node");
    assert!(pos.iter().all(|p| p[0].is_finite() && p[1].is_finite()), "a position is not finite: {pos:?}");
}

fn example_map() -> &'static Document {
    static EXAMPLE: OnceLock<Document> = OnceLock::new();
    EXAMPLE.get_or_init(example::document)
}

/// Plans the import into a blank map (areas from sets) and into the example (areas from parent
/// codes); the planned command must apply, leave a valid map, and undo to the map it started
/// from. The import into the blank map must also save and load back.
fn import(imported: &ImportData) {
    let _ = imported.report.text();
    let blank = Document::new_blank();
    let parent_codes = ImportOptions { areas_from: AreasFrom::ParentCodes, ..ImportOptions::default() };
    for (base, options) in [(&blank, ImportOptions::default()), (example_map(), parent_codes)] {
        let planned = plan(base, imported, &options);
        let mut doc = base.clone();
        let undo = match planned.command.apply(&mut doc) {
            Ok(undo) => undo,
            Err(error) => panic!("a planned import does not apply: {error}"),
        };
        let problems = validate(&doc);
        assert!(problems.is_empty(), "an import leaves a map with problems: {problems:?}");
        if std::ptr::eq(base, &blank) {
            round_trip(&doc, "an imported map");
        }
        if let Err(error) = undo.apply(&mut doc) {
            panic!("an import does not undo: {error}");
        }
        assert!(doc == *base, "undoing an import does not give back the map it started from");
    }
}

/// Saving gives text that loads back to the same map and saves to the same text.
fn round_trip(doc: &Document, what: &str) {
    let text = io::to_json(doc);
    let again = match io::load_str(&text, "saved again") {
        Ok(again) => again,
        Err(error) => panic!("{what} does not load back after saving: {error}\n{text}"),
    };
    assert!(again == *doc, "{what} loads back different after saving:\n{text}");
    assert!(io::to_json(&again) == text, "{what} saves to different text the second time");
}

/// A graph file of one kind, read as that kind whatever its content: the graph must hold
/// together (edges, groups and parents name existing nodes, groups only contain, ids are
/// unique, positions are finite), small graphs without positions are laid out, and the graph is
/// imported as a map (see [`import`]).
fn graph_file(data: &[u8], kind: Kind) {
    let (mut graph, mut report) = match graph_files::read(data, "fuzz.graph", kind) {
        Ok(read) => read,
        Err(error) => {
            assert!(!error.to_string().is_empty(), "an empty graph error");
            return;
        }
    };
    let n = graph.nodes.len();
    let mut ids: Vec<&str> = graph.nodes.iter().map(|node| node.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "node ids are read twice");
    for node in &graph.nodes {
        for &p in &node.parents {
            assert!(p < n && graph.nodes[p].group, "node {:?} has parent {p}, not a group", node.id);
        }
        if let Some(p) = node.pos {
            assert!(p[0].is_finite() && p[1].is_finite(), "a position is not finite: {p:?}");
        }
    }
    for edge in &graph.edges {
        assert!(edge.source < n && edge.target < n, "an edge names a node that is not there");
    }
    if graph.nodes.len() <= 30 && graph.edges.len() <= 100 {
        graph_files::complete_positions(&mut graph, &mut report);
        assert!(
            graph.nodes.iter().filter(|node| !node.group).all(|node| node.pos.is_some()),
            "a node left without a place"
        );
    }
    let imported = ImportData { graph: Some(graph), report, ..ImportData::default() };
    import(&imported);
}

/// GEXF (Gephi).
pub fn gexf(data: &[u8]) {
    graph_file(data, Kind::Gexf);
}

/// GraphML (yEd, yFiles for HTML, networkx, igraph, graph-tool, TinkerPop, Cytoscape).
pub fn graphml(data: &[u8]) {
    graph_file(data, Kind::GraphMl);
}

/// Graphviz DOT.
pub fn dot(data: &[u8]) {
    graph_file(data, Kind::Dot);
}

/// JSON Canvas (Obsidian).
pub fn canvas(data: &[u8]) {
    graph_file(data, Kind::Canvas);
}

/// CmapTools CXL.
pub fn cxl(data: &[u8]) {
    graph_file(data, Kind::Cxl);
}

/// A legacy `.xls` workbook through the spreadsheet reader the import runs (the compound-file
/// and BIFF checks, then calamine), then the table reading and the import of its first sheet.
pub fn xls(data: &[u8]) {
    spreadsheet(data, qualmap::import::spreadsheet::Kind::Xls, "fuzz.xls");
}

/// An `.xlsx` workbook: the input is the archive itself when it starts with `PK`, and otherwise
/// entries (`name`, a line break, the content; entries separated by byte 0x1E) that are packed
/// into a stored archive with correct checksums, so that the fuzzer reaches the XML inside.
pub fn xlsx(data: &[u8]) {
    spreadsheet(&archive_of(data), qualmap::import::spreadsheet::Kind::Xlsx, "fuzz.xlsx");
}

/// An `.ods` spreadsheet, given as for [`xlsx`].
pub fn ods(data: &[u8]) {
    spreadsheet(&archive_of(data), qualmap::import::spreadsheet::Kind::Ods, "fuzz.ods");
}

/// The text of a Word document (`.docx`), as a REFI project's rich-text source is read when its
/// plain text is empty: the input is packed as for [`xlsx`]. The text is refused with a message
/// naming the file, or read; either way it is never longer than the document part it came from
/// allows (the XML is at least as long as its text).
pub fn docx(data: &[u8]) {
    let archive = archive_of(data);
    match qualmap::import::docx::docx_text(&archive, "fuzz.docx") {
        Ok(text) => {
            let part = archive.len().max(data.len());
            assert!(text.len() <= part * 4, "{} bytes of text from a {part}-byte document", text.len());
        }
        Err(error) => {
            let message = error.to_string();
            assert!(message.starts_with("fuzz.docx"), "a refusal that does not name the file: {message}");
        }
    }
}

/// The message part of a refusal that stands for a panic caught inside the spreadsheet library.
pub const READER_FAILED: &str = "the spreadsheet reader failed on this file";

/// Set to a folder, this environment variable makes a panic *inside calamine* that the import
/// catches and refuses with the file named (what a user gets) no finding: the input is kept in
/// that folder instead, and the run goes on. `fuzz/run.sh` sets it for its short runs (CI's 15 s
/// smoke run must not fail on a calamine bug that users are already safe from), never for the long
/// runs, where such a panic is a finding like any other: our checks before the library should
/// refuse the input first. Panics in our own code, hangs and blow-ups are findings either way.
pub const CAUGHT_LIBRARY_PANICS: &str = "QUALMAP_FUZZ_KEEP_CAUGHT_LIBRARY_PANICS_IN";

/// The folder named by [`CAUGHT_LIBRARY_PANICS`], read once.
fn caught_panics_folder() -> Option<&'static std::path::Path> {
    static FOLDER: OnceLock<Option<std::path::PathBuf>> = OnceLock::new();
    FOLDER
        .get_or_init(|| {
            let folder = std::env::var_os(CAUGHT_LIBRARY_PANICS).map(std::path::PathBuf::from)?;
            // libFuzzer's panic hook aborts the process, so a panic would never reach the
            // import's `catch_unwind`; in front of it goes one that lets calamine's unwind.
            let aborting = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                let in_library = info.location().is_some_and(|at| at.file().contains("calamine-"));
                if !in_library {
                    aborting(info);
                }
            }));
            Some(folder)
        })
        .as_deref()
}

fn spreadsheet(bytes: &[u8], kind: qualmap::import::spreadsheet::Kind, origin: &str) {
    let keep_caught = caught_panics_folder();
    match qualmap::import::spreadsheet::csv_from_bytes(bytes, kind, origin) {
        Ok(csv) => match table::read_table(&csv, origin, false, None) {
            Ok(imported) => import(&imported),
            Err(error) => {
                let _ = error.to_string();
            }
        },
        Err(error) => {
            let message = error.to_string();
            assert!(message.starts_with(origin), "a refusal that does not name the file: {message}");
            // A panic caught in the library is refused cleanly, but it is still a finding: the
            // checks before the library should have refused the input first.
            if message.contains(READER_FAILED)
                && let Some(folder) = keep_caught
            {
                let _ = std::fs::create_dir_all(folder);
                let _ = std::fs::write(folder.join(format!("{:016x}", fingerprint(bytes))), bytes);
                return;
            }
            assert!(!message.contains(READER_FAILED), "{message}");
        }
    }
}

/// The input as a zip archive: as it is when it starts with `PK`, else packed (see [`xlsx`]).
pub fn archive_of(data: &[u8]) -> Vec<u8> {
    if data.starts_with(b"PK") {
        return data.to_vec();
    }
    let entries: Vec<(&[u8], &[u8])> = data
        .split(|b| *b == 0x1E)
        .map(|entry| match entry.iter().position(|b| *b == b'\n') {
            Some(at) => (&entry[..at], &entry[at + 1..]),
            None => (entry, &[][..]),
        })
        .collect();
    stored_zip(&entries)
}

/// A zip archive of `entries`, stored without compression, with correct checksums.
pub fn stored_zip(entries: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    let u16le = |v: usize| (v as u16).to_le_bytes();
    let u32le = |v: usize| (v as u32).to_le_bytes();
    for (name, content) in entries {
        let crc = crc32(content);
        let offset = out.len();
        // Local header: signature, version 2.0, no flags, stored, 1980-01-01 00:00.
        out.extend(0x0403_4b50u32.to_le_bytes());
        out.extend([20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]);
        out.extend(crc.to_le_bytes());
        out.extend(u32le(content.len()));
        out.extend(u32le(content.len()));
        out.extend(u16le(name.len()));
        out.extend([0, 0]);
        out.extend(*name);
        out.extend(*content);
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend([20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]);
        central.extend(crc.to_le_bytes());
        central.extend(u32le(content.len()));
        central.extend(u32le(content.len()));
        central.extend(u16le(name.len()));
        central.extend([0; 12]);
        central.extend(u32le(offset));
        central.extend(*name);
    }
    let central_at = out.len();
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0, 0, 0, 0]);
    out.extend(u16le(entries.len()));
    out.extend(u16le(entries.len()));
    out.extend(u32le(central.len()));
    out.extend(u32le(central_at));
    out.extend([0, 0]);
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    static TABLE: OnceLock<[u32; 256]> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut table = [0u32; 256];
        for (n, slot) in table.iter_mut().enumerate() {
            let mut c = n as u32;
            for _ in 0..8 {
                c = if c & 1 == 1 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            }
            *slot = c;
        }
        table
    });
    !bytes.iter().fold(!0u32, |c, b| table[((c ^ u32::from(*b)) & 0xFF) as usize] ^ (c >> 8))
}

/// A name for an input kept by [`CAUGHT_LIBRARY_PANICS`] (FNV-1a: stable across runs).
fn fingerprint(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3))
}
