//! Plain edge lists and CSV edge tables.
//!
//! An edge list has one edge per line, `a b` (spaces or tabs), optionally a weight (SNAP,
//! networkx `write_edgelist`), a networkx data dictionary `{...}` (ignored) or a label; a line
//! with one name is a node on its own; lines starting with `#` or `%` are comments (SNAP and
//! KONECT headers); CRLF line ends and self-loops (`a a`) are read as they are; `a -- b` and
//! `a -> b` lines are read too.
//!
//! An edge table is a CSV (comma, semicolon or tab) whose header names a source and a target
//! column: Gephi's `Source,Target,Type,Id,Label,Weight` (Type `Directed`/`Undirected`), or
//! `from,to`. Other columns: a Type that is not a direction, or a relation / interaction column,
//! names the relationship type; Label the edge's text. Nodes are named by their ids (a node
//! table, if there is one, is a separate file).

use std::collections::HashMap;

use super::{Graph, GraphEdge, GraphNode, Kind, latin1};
use crate::import::{ImportError, ImportReport};
use crate::model::Direction;

const SOURCE: [&str; 8] = ["source", "from", "src", "tail", "node1", "source node", "source_id", "sourceid"];
const TARGET: [&str; 8] = ["target", "to", "dst", "head", "node2", "target node", "target_id", "targetid"];

fn is_comment(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with('#') || line.starts_with('%')
}

fn column(headers: &[String], names: &[&str]) -> Option<usize> {
    headers.iter().position(|h| names.contains(&h.trim().trim_matches('"').to_lowercase().as_str()))
}

/// The delimiter of a table's header line, if it has one.
fn delimiter(line: &str) -> Option<u8> {
    [b'\t', b';', b',']
        .into_iter()
        .max_by_key(|&d| line.bytes().filter(|&b| b == d).count())
        .filter(|&d| line.as_bytes().contains(&d))
}

fn fields(line: &str, delimiter: u8) -> Vec<String> {
    line.split(char::from(delimiter)).map(|f| f.trim().trim_matches('"').to_lowercase()).collect()
}

/// What a text file that is neither XML, JSON nor DOT is: an edge table, an edge list or some
/// other table. `text` is the file's start, lower case.
pub(crate) fn sniff_text(text: &str) -> Kind {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let mut commented = false;
    let first = loop {
        match lines.next() {
            Some(line) if is_comment(line) => commented = true,
            Some(line) => break line,
            None => return if commented { Kind::EdgeList } else { Kind::Empty },
        }
    };
    if let Some(d) = delimiter(first) {
        let headers = fields(first, d);
        if column(&headers, &SOURCE).is_some() && column(&headers, &TARGET).is_some() {
            return Kind::EdgeTable;
        }
        if d != b'\t' {
            return Kind::Table;
        }
    }
    // Lines of one to three fields (the last line of the sample may be cut short).
    let sample: Vec<&str> = std::iter::once(first).chain(lines).filter(|l| !is_comment(l)).collect();
    let short = sample.iter().take(sample.len().saturating_sub(1).max(1)).all(|l| {
        let n = l.split_whitespace().count();
        (1..=3).contains(&n) || l.contains(" {") || l.contains("--") || l.contains("->")
    });
    // A header that names a text column is a coded-segment table, however few its columns.
    let header: Vec<String> = first.split(['\t', ' ']).map(str::to_owned).collect();
    let has_text = crate::import::table::guess(&header).fields.contains(&crate::import::table::Field::Text);
    if commented || (short && !has_text) { Kind::EdgeList } else { Kind::Table }
}

fn text(bytes: &[u8], report: &mut ImportReport) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => {
            report.adjusted.push("the file is not UTF-8: read as Latin-1".to_owned());
            latin1(bytes)
        }
    }
}

struct Nodes {
    index: HashMap<String, usize>,
}

impl Nodes {
    fn get(&mut self, graph: &mut Graph, name: &str, origin: &str) -> Result<usize, ImportError> {
        if let Some(&i) = self.index.get(name) {
            return Ok(i);
        }
        let i = graph
            .push_node(GraphNode { id: name.to_owned(), label: name.to_owned(), ..GraphNode::default() }, origin)?;
        self.index.insert(name.to_owned(), i);
        Ok(i)
    }
}

/// Reads a plain edge list.
pub fn read(bytes: &[u8], origin: &str, report: &mut ImportReport) -> Result<Graph, ImportError> {
    let text = text(bytes, report);
    let mut graph = Graph { format: "edge list".to_owned(), ..Graph::default() };
    let mut nodes = Nodes { index: HashMap::new() };
    let (mut comments, mut loops) = (0, 0);
    for line in text.lines() {
        if is_comment(line) {
            comments += 1;
            continue;
        }
        let line = line.trim().trim_end_matches(';');
        if line.is_empty() {
            continue;
        }
        let (tokens, direction): (Vec<&str>, Direction) = if let Some((a, b)) = line.split_once("->") {
            (vec![a.trim().trim_matches('"'), b.trim().trim_matches('"')], Direction::OneWay)
        } else if let Some((a, b)) = line.split_once("--") {
            (vec![a.trim().trim_matches('"'), b.trim().trim_matches('"')], Direction::Associative)
        } else {
            (line.split_whitespace().collect(), Direction::Associative)
        };
        match tokens.as_slice() {
            [] => {}
            [a] => {
                nodes.get(&mut graph, a, origin)?;
            }
            [a, b, rest @ ..] => {
                let (a, b) = (nodes.get(&mut graph, a, origin)?, nodes.get(&mut graph, b, origin)?);
                loops += usize::from(a == b);
                let rest = rest.join(" ");
                let label = if rest.starts_with('{') || super::number(&rest).is_some() { String::new() } else { rest };
                graph.push_edge(
                    GraphEdge { source: a, target: b, label, kind: String::new(), direction, color: None },
                    origin,
                )?;
            }
        }
    }
    if comments > 0 {
        report.adjusted.push(format!("{comments} comment lines (# or %) skipped"));
    }
    if loops > 0 {
        report.read.push(format!("{loops} self-loops (an edge from a node to itself), kept"));
    }
    Ok(graph)
}

/// Reads a CSV edge table (a header with source and target columns).
pub fn read_table(bytes: &[u8], origin: &str, report: &mut ImportReport) -> Result<Graph, ImportError> {
    let text = text(bytes, report);
    let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or_default();
    let delimiter = delimiter(header).unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| super::refused(origin, format!("line 1: the header cannot be read: {e}")))?
        .iter()
        .map(str::to_owned)
        .collect();
    let (Some(source), Some(target)) = (column(&headers, &SOURCE), column(&headers, &TARGET)) else {
        return Err(super::refused(origin, "the header names no source and target columns"));
    };
    let kind_column = column(&headers, &["type", "kind"]);
    let relation = column(&headers, &["relation", "relationship", "interaction", "relationship type"]);
    let label_column = column(&headers, &["label"]);
    let mut graph = Graph { format: "CSV edge table".to_owned(), ..Graph::default() };
    let mut nodes = Nodes { index: HashMap::new() };
    let mut skipped = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let line = row + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(line as u64, csv::Position::line);
                return Err(super::refused(origin, format!("line {line}: {e}")));
            }
        };
        let cell = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or_default().trim().to_owned();
        let (a, b) = (cell(Some(source)), cell(Some(target)));
        if a.is_empty() || b.is_empty() {
            if record.iter().any(|c| !c.trim().is_empty()) {
                skipped.push(line);
            }
            continue;
        }
        let (a, b) = (nodes.get(&mut graph, &a, origin)?, nodes.get(&mut graph, &b, origin)?);
        let type_cell = cell(kind_column);
        let (direction, type_kind) = match type_cell.to_lowercase().as_str() {
            "directed" | "" => (Direction::OneWay, String::new()),
            "undirected" => (Direction::Associative, String::new()),
            "mutual" => (Direction::Bidirectional, String::new()),
            _ => (Direction::OneWay, type_cell.clone()),
        };
        let kind = if relation.is_some() { cell(relation) } else { type_kind };
        graph.push_edge(
            GraphEdge { source: a, target: b, label: cell(label_column), kind, direction, color: None },
            origin,
        )?;
    }
    if !skipped.is_empty() {
        let shown: Vec<String> = skipped.iter().take(10).map(ToString::to_string).collect();
        report.skipped.push(format!(
            "{} rows without a source or target (lines {}{})",
            skipped.len(),
            shown.join(", "),
            if skipped.len() > 10 { ", …" } else { "" }
        ));
    }
    report.adjusted.push("nodes are named by their ids (an edge table carries no node labels)".to_owned());
    Ok(graph)
}
