//! Graph files from other tools, read by what they contain rather than by their names: GEXF
//! (Gephi), GraphML (yEd, yEd Live / yFiles for HTML, networkx, igraph, graph-tool, TinkerPop,
//! Cytoscape, Qualmap), Graphviz DOT, JSON Canvas (Obsidian), CmapTools CXL, plain edge lists
//! and CSV edge tables.
//!
//! Every reader gives the tool-neutral [`Graph`]: nodes (concepts, or groups that become areas),
//! edges with labels and directions, positions in map coordinates (y down, card centres).
//! [`plan`] turns one into a single undoable [`Command::Batch`] against the open map; graph nodes
//! never enter the codebook. [`sniff`] tells what a file is from its first bytes, so a file whose
//! extension lies is read for what it is, and the report says so.

pub mod canvas;
pub mod cxl;
pub mod dot;
pub mod edgelist;
pub mod gexf;
pub mod graphml;

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::{ImportError, ImportOptions, ImportPlan, ImportReport};
use crate::command::{Command, Element};
use crate::model::{
    Area, AreaId, Concept, ConceptId, Direction, Document, Endpoint, LineStyle, Point, Provenance, ProvenanceKind,
    Relationship, RelationshipType, RelationshipTypeId, Rgb,
};

/// Most nodes a graph file may hold: each becomes a concept, and a map holds at most this many.
pub const MAX_NODES: usize = crate::model::io::MAX_CONCEPTS;
/// Most edges a graph file may give (after `a -> {b c}` and the like are expanded).
pub const MAX_EDGES: usize = crate::model::io::MAX_RELATIONSHIPS;
/// Largest graph file read, in bytes.
pub const MAX_GRAPH_BYTES: u64 = 200_000_000;
/// Deepest nesting of groups, DOT subgraphs or HTML labels read (the parsers recurse per level).
pub const MAX_DEPTH: usize = 200;

/// A graph as read from a file, in map coordinates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Graph {
    /// What the file was, e.g. "GEXF 1.3 (Gephi)".
    pub format: String,
    /// The graph's name or title, if the file gives one.
    pub title: String,
    /// Nodes, in file order.
    pub nodes: Vec<GraphNode>,
    /// Edges between nodes, by index, in file order.
    pub edges: Vec<GraphEdge>,
}

/// One node: a concept, or (when `group`) an area around its members.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GraphNode {
    /// The node's id in the file.
    pub id: String,
    /// The text shown (the id when the file gives no label).
    pub label: String,
    /// A longer text (a tooltip, a description attribute).
    pub description: String,
    /// Centre in map coordinates (y down), if the file places it.
    pub pos: Option<[f32; 2]>,
    /// Fill colour, if the file gives one.
    pub color: Option<Rgb>,
    /// A group (yEd group, DOT cluster, GEXF parent, canvas group): becomes an area.
    pub group: bool,
    /// The groups it sits in directly, by node index (more than one puts it in an overlap).
    pub parents: Vec<usize>,
}

/// One edge.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GraphEdge {
    /// Index of the source node.
    pub source: usize,
    /// Index of the target node.
    pub target: usize,
    /// Text on the edge.
    pub label: String,
    /// The relationship type the file names (GraphML `type`, TinkerPop `labelE`, Cytoscape
    /// `interaction`…), empty when it names none.
    pub kind: String,
    /// Arrowheads.
    pub direction: Direction,
    /// Line colour, if the file gives one.
    pub color: Option<Rgb>,
}

impl Graph {
    /// Adds a node and returns its index.
    pub(crate) fn push_node(&mut self, node: GraphNode, origin: &str) -> Result<usize, ImportError> {
        if self.nodes.len() >= MAX_NODES {
            return Err(refused(
                origin,
                format!(
                    "more than {MAX_NODES} nodes; a map holds at most that many concepts. Import part of the graph."
                ),
            ));
        }
        self.nodes.push(node);
        Ok(self.nodes.len() - 1)
    }

    /// Adds an edge.
    pub(crate) fn push_edge(&mut self, edge: GraphEdge, origin: &str) -> Result<(), ImportError> {
        if self.edges.len() >= MAX_EDGES {
            return Err(refused(
                origin,
                format!(
                    "more than {MAX_EDGES} edges; a map holds at most that many relationships. Import part of the graph."
                ),
            ));
        }
        self.edges.push(edge);
        Ok(())
    }

    /// Number of nodes that are not groups.
    pub fn concept_count(&self) -> usize {
        self.nodes.iter().filter(|n| !n.group).count()
    }

    /// What was read, for the report: "77 nodes, 254 edges, 3 groups".
    pub fn counts(&self) -> String {
        let groups = self.nodes.len() - self.concept_count();
        let mut text = format!("{} nodes, {} edges", self.concept_count(), self.edges.len());
        if groups > 0 {
            text.push_str(&format!(", {groups} {}", if groups == 1 { "group" } else { "groups" }));
        }
        text
    }

    /// Every group a node is in, directly or through groups inside groups, sorted.
    pub fn ancestors(&self, node: usize) -> Vec<usize> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<usize> = self.nodes.get(node).map(|n| n.parents.clone()).unwrap_or_default();
        while let Some(group) = stack.pop() {
            if group != node && seen.insert(group) {
                stack.extend(self.nodes.get(group).map(|n| n.parents.iter().copied()).into_iter().flatten());
            }
        }
        seen.into_iter().collect()
    }
}

/// What a file looks like from its content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    /// GEXF (Gephi).
    Gexf,
    /// GraphML.
    GraphMl,
    /// Graphviz DOT.
    Dot,
    /// JSON Canvas.
    Canvas,
    /// CmapTools CXL.
    Cxl,
    /// A REFI-QDA project file (`.qde`).
    RefiProject,
    /// A REFI-QDA codebook (`.qdc`).
    RefiCodebook,
    /// Some other XML.
    OtherXml,
    /// A `.qualmap` map.
    QualmapMap,
    /// Some other JSON.
    OtherJson,
    /// A zip archive (a `.qdpx` project, or an `.xlsx`/`.ods` spreadsheet).
    Zip,
    /// An old binary Excel workbook.
    Xls,
    /// A table with `source` and `target` columns.
    EdgeTable,
    /// A table (comma, semicolon or tab separated) without them.
    Table,
    /// Lines of `a b`: an edge list.
    EdgeList,
    /// A PDF, image or other binary file.
    Binary,
    /// Empty or only white space.
    Empty,
}

impl Kind {
    /// How the kind is named to the user: "a GEXF file".
    pub fn describe(self) -> &'static str {
        match self {
            Self::Gexf => "a GEXF file (Gephi)",
            Self::GraphMl => "a GraphML file",
            Self::Dot => "a Graphviz DOT file",
            Self::Canvas => "a JSON Canvas file",
            Self::Cxl => "a CmapTools CXL file",
            Self::RefiProject => "a REFI-QDA project file (.qde)",
            Self::RefiCodebook => "a REFI-QDA codebook (.qdc)",
            Self::OtherXml => "an XML file of an unknown kind",
            Self::QualmapMap => "a Qualmap map (open it with File ▸ Open)",
            Self::OtherJson => "a JSON file of an unknown kind",
            Self::Zip => "a zip archive (a .qdpx project or a spreadsheet)",
            Self::Xls => "an Excel workbook (.xls)",
            Self::EdgeTable => "a CSV edge table (source and target columns)",
            Self::Table => "a table",
            Self::EdgeList => "an edge list",
            Self::Binary => "a binary file",
            Self::Empty => "an empty file",
        }
    }

    /// Whether this is a graph that [`read`] reads.
    pub fn is_graph(self) -> bool {
        matches!(
            self,
            Self::Gexf | Self::GraphMl | Self::Dot | Self::Canvas | Self::Cxl | Self::EdgeTable | Self::EdgeList
        )
    }

    /// The graph kind a file name's extension promises, if it is a graph extension.
    pub fn from_extension(ext: &str) -> Option<Self> {
        Some(match ext.to_ascii_lowercase().as_str() {
            "gexf" => Self::Gexf,
            "graphml" => Self::GraphMl,
            "dot" | "gv" => Self::Dot,
            "canvas" => Self::Canvas,
            "cxl" => Self::Cxl,
            "edges" | "edgelist" | "el" => Self::EdgeList,
            _ => return None,
        })
    }
}

fn refused(origin: &str, message: impl Into<String>) -> ImportError {
    ImportError::Refused { origin: origin.to_owned(), message: message.into() }
}

/// The first `n` bytes after a byte-order mark and white space, as lossy text, lower case.
fn head(bytes: &[u8], n: usize) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (text, _) = decode_utf16(bytes).map_or_else(
        || (String::from_utf8_lossy(&bytes[..bytes.len().min(n)]).into_owned(), ()),
        |t| (t.chars().take(n).collect(), ()),
    );
    text.trim_start().to_lowercase()
}

/// The root element's local name of XML text (skipping the declaration, comments, DOCTYPE).
fn xml_root(head: &str) -> Option<String> {
    let mut rest = head;
    loop {
        let at = rest.find('<')?;
        rest = &rest[at..];
        if rest.starts_with("<?") {
            rest = &rest[rest.find("?>")? + 2..];
        } else if rest.starts_with("<!--") {
            rest = &rest[rest.find("-->")? + 3..];
        } else if rest.starts_with("<!") {
            rest = &rest[rest.find('>')? + 1..];
        } else {
            let name: String = rest[1..].chars().take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/').collect();
            return Some(name.rsplit(':').next().unwrap_or_default().to_owned());
        }
    }
}

/// Tells what a file is from its content.
pub fn sniff(bytes: &[u8]) -> Kind {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Kind::Zip;
    }
    if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return Kind::Xls;
    }
    let text = head(bytes, 8192);
    if text.is_empty() {
        return Kind::Empty;
    }
    if text.starts_with('<') {
        return match xml_root(&text).as_deref() {
            Some("gexf") => Kind::Gexf,
            Some("graphml") => Kind::GraphMl,
            Some("cmap") => Kind::Cxl,
            Some("project") => Kind::RefiProject,
            Some("codebook") => Kind::RefiCodebook,
            _ => Kind::OtherXml,
        };
    }
    if text.starts_with('{') || text.starts_with('[') {
        if text.contains("\"format\"") && text.contains("\"qualmap\"") {
            return Kind::QualmapMap;
        }
        if text.starts_with('{') && (text.contains("\"nodes\"") || text.contains("\"edges\"")) {
            return Kind::Canvas;
        }
        return Kind::OtherJson;
    }
    let binary = bytes.iter().take(4096).filter(|&&b| b == 0 || (b < 0x09)).count();
    if binary > 0 && decode_utf16(bytes).is_none() {
        return Kind::Binary;
    }
    if dot::looks_like_dot(&text) {
        return Kind::Dot;
    }
    edgelist::sniff_text(&text)
}

/// Text of a UTF-16 file with a byte-order mark.
fn decode_utf16(bytes: &[u8]) -> Option<String> {
    let le = if bytes.starts_with(b"\xFF\xFE") {
        true
    } else if bytes.starts_with(b"\xFE\xFF") {
        false
    } else {
        return None;
    };
    let units = bytes[2..]
        .chunks_exact(2)
        .map(|p| if le { u16::from_le_bytes([p[0], p[1]]) } else { u16::from_be_bytes([p[0], p[1]]) });
    Some(char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect())
}

/// Latin-1 bytes as text (each byte is the code point of the same number).
pub(crate) fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// XML bytes as text: UTF-8 (with or without a byte-order mark), UTF-16 with a mark, or
/// Latin-1 / Windows-1252 when the declaration says so. Anything else that is not UTF-8 is
/// refused with the offset of the first bad byte.
pub(crate) fn xml_text(bytes: &[u8], origin: &str, report: &mut ImportReport) -> Result<String, ImportError> {
    if let Some(text) = decode_utf16(bytes) {
        report.adjusted.push("the file is UTF-16; read as such".to_owned());
        return Ok(text);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let declaration = {
        let end = bytes.iter().take(200).position(|&b| b == b'>').unwrap_or(0);
        String::from_utf8_lossy(&bytes[..end]).to_ascii_lowercase()
    };
    let encoding = declaration
        .split("encoding")
        .nth(1)
        .and_then(|rest| rest.split(['"', '\'']).nth(1))
        .unwrap_or("utf-8")
        .to_owned();
    if declaration.starts_with("<?xml")
        && matches!(encoding.as_str(), "iso-8859-1" | "latin1" | "latin-1" | "windows-1252" | "cp1252" | "us-ascii")
    {
        if encoding != "us-ascii" {
            report.adjusted.push(format!("the file declares encoding {encoding}; read as Latin-1"));
        }
        return Ok(latin1(bytes));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(e) => Err(refused(
            origin,
            format!(
                "line {}: not UTF-8 text (first bad byte at offset {}), and the XML declaration names no other encoding",
                line_at(bytes, e.valid_up_to()),
                e.valid_up_to()
            ),
        )),
    }
}

/// The line (from 1) of a byte offset. Counts once, for an error message; readers never call
/// it per element, so reading stays linear.
pub(crate) fn line_at(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset.min(bytes.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// A colour from `#rgb`, `#rrggbb`, `#rrggbbaa`, `#aarrggbb` (when `alpha_first`), or
/// `r,g,b[,a]` text.
pub(crate) fn parse_color(text: &str, alpha_first: bool) -> Option<Rgb> {
    let text = text.trim();
    if let Some(hex) = text.strip_prefix('#') {
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
        return match hex.len() {
            3 => {
                let nibble = |i: usize| u8::from_str_radix(hex.get(i..=i)?, 16).ok().map(|v| v * 17);
                Some(Rgb::new(nibble(0)?, nibble(1)?, nibble(2)?))
            }
            6 => Some(Rgb::new(byte(0)?, byte(2)?, byte(4)?)),
            8 if alpha_first => Some(Rgb::new(byte(2)?, byte(4)?, byte(6)?)),
            8 => Some(Rgb::new(byte(0)?, byte(2)?, byte(4)?)),
            _ => None,
        };
    }
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    if parts.len() == 3 || parts.len() == 4 {
        let channel = |s: &str| s.parse::<u8>().ok();
        return Some(Rgb::new(channel(parts[0])?, channel(parts[1])?, channel(parts[2])?));
    }
    None
}

/// A finite number, or `None`. Hexadecimal floats (`0x1.8p+3`, as graph-tool writes them) are
/// read too.
pub(crate) fn number(text: &str) -> Option<f32> {
    let text = text.trim();
    let value = match text.parse::<f64>() {
        Ok(v) => v,
        Err(_) => hex_float(text)?,
    };
    let value = value as f32;
    (value.is_finite() && value.abs() < 1e7).then_some(value)
}

/// `[-]0xH.HHHp[+-]D`.
fn hex_float(text: &str) -> Option<f64> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let rest = rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X"))?;
    let (mantissa, exponent) = rest.split_once(['p', 'P']).unwrap_or((rest, "0"));
    let exponent: i32 = exponent.parse().ok().filter(|e: &i32| e.abs() < 2000)?;
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if whole.len() + fraction.len() > 30 || (whole.is_empty() && fraction.is_empty()) {
        return None;
    }
    let mut value = 0f64;
    for c in whole.chars() {
        value = value * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1.0 / 16.0;
    for c in fraction.chars() {
        value += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    let value = value * 2f64.powi(exponent);
    Some(if negative { -value } else { value })
}

/// Reads a graph of the given kind.
pub fn read(bytes: &[u8], origin: &str, kind: Kind) -> Result<(Graph, ImportReport), ImportError> {
    let mut report = ImportReport { origin: origin.to_owned(), ..ImportReport::default() };
    let graph = match kind {
        Kind::Gexf => gexf::read(&xml_text(bytes, origin, &mut report)?, origin, &mut report)?,
        Kind::GraphMl => graphml::read(&xml_text(bytes, origin, &mut report)?, origin, &mut report)?,
        Kind::Cxl => cxl::read(&xml_text(bytes, origin, &mut report)?, origin, &mut report)?,
        Kind::Dot => dot::read(bytes, origin, &mut report)?,
        Kind::Canvas => canvas::read(bytes, origin, &mut report)?,
        Kind::EdgeTable => edgelist::read_table(bytes, origin, &mut report)?,
        Kind::EdgeList => edgelist::read(bytes, origin, &mut report)?,
        other => return Err(refused(origin, format!("this looks like {}, not a graph", other.describe()))),
    };
    report.read.insert(0, format!("{}: {}", graph.format, graph.counts()));
    Ok((graph, report))
}

/// The first bytes of a file, for [`sniff`].
fn file_head(path: &std::path::Path) -> Result<Vec<u8>, ImportError> {
    use std::io::Read as _;
    let origin = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| ImportError::Io { origin: origin.clone(), source })?;
    let mut bytes = Vec::new();
    file.take(65_536).read_to_end(&mut bytes).map_err(|source| ImportError::Io { origin, source })?;
    Ok(bytes)
}

/// For `import::read_path`: reads the file as a graph if it is one (GEXF, GraphML, DOT, JSON
/// Canvas and CXL whatever its name; edge tables and edge lists when named as tables or edge
/// lists, and tables only when no column mapping with a text column is given), refuses a file
/// named as a graph that is not one, and otherwise leaves it to the other readers (`None`).
pub fn read_import(
    path: &std::path::Path,
    mapping: Option<&super::table::ColumnMapping>,
) -> Result<Option<super::ImportData>, ImportError> {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    let head = file_head(path)?;
    let kind = sniff(&head);
    let tabular = matches!(ext.as_str(), "csv" | "tsv" | "txt");
    let maps_text = mapping.is_some_and(|m| m.fields.contains(&super::table::Field::Text));
    let take = match kind {
        Kind::Gexf | Kind::GraphMl | Kind::Dot | Kind::Canvas | Kind::Cxl => true,
        Kind::EdgeTable | Kind::EdgeList => Kind::from_extension(&ext).is_some() || (tabular && !maps_text),
        _ => false,
    };
    if !take {
        if Kind::from_extension(&ext).is_some() {
            let name =
                path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
            return Err(refused(
                &path.display().to_string(),
                format!("{name} looks like {}, not a graph file", kind.describe()),
            ));
        }
        return Ok(None);
    }
    let (graph, report) = read_path(path)?;
    Ok(Some(super::ImportData {
        title: graph.title.clone(),
        report,
        graph: Some(graph),
        ..super::ImportData::default()
    }))
}

/// Reads a graph file by its content; when the extension promises another kind, the file is
/// still read for what it is and the report says so. Nodes without positions are laid out.
pub fn read_path(path: &std::path::Path) -> Result<(Graph, ImportReport), ImportError> {
    let origin = path.display().to_string();
    let bytes = super::read_limited(path, MAX_GRAPH_BYTES)?;
    let kind = sniff(&bytes);
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
    let promised = Kind::from_extension(ext);
    if !kind.is_graph() {
        let name = path.file_name().map_or_else(|| origin.clone(), |n| n.to_string_lossy().into_owned());
        return Err(refused(&origin, format!("{name} looks like {}, not a graph file", kind.describe())));
    }
    let (mut graph, mut report) = read(&bytes, &origin, kind)?;
    if let Some(promised) = promised
        && promised != kind
    {
        report.adjusted.push(format!("the name says .{ext} but the content is {}; read as that", kind.describe()));
    }
    complete_positions(&mut graph, &mut report);
    Ok((graph, report))
}

/// Gives every node without a position one, by the automatic layout (areas gather, labels do
/// not overlap); a graph whose positions are all given is left as it is.
pub fn complete_positions(graph: &mut Graph, report: &mut ImportReport) {
    let concepts: Vec<usize> = (0..graph.nodes.len()).filter(|&i| !graph.nodes[i].group).collect();
    let missing = concepts.iter().filter(|&&i| graph.nodes[i].pos.is_none()).count();
    if missing == 0 {
        return;
    }
    let index: HashMap<usize, usize> = concepts.iter().enumerate().map(|(k, &i)| (i, k)).collect();
    let n = concepts.len();
    let groups: Vec<usize> = (0..graph.nodes.len()).filter(|&i| graph.nodes[i].group).collect();
    let hub: HashMap<usize, usize> = groups.iter().enumerate().map(|(k, &g)| (g, n + k)).collect();
    let at = |i: usize| index.get(&i).or_else(|| hub.get(&i)).copied();
    let mut edges: Vec<(usize, usize, f32)> = graph
        .edges
        .iter()
        .filter_map(|e| Some((at(e.source)?, at(e.target)?, 1.0)))
        .filter(|(a, b, _)| a != b)
        .collect();
    let mut lengths = vec![1.0; edges.len()];
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); groups.len()];
    for (k, &node) in concepts.iter().enumerate() {
        for group in graph.ancestors(node) {
            if let Some(&h) = hub.get(&group) {
                edges.push((k, h, 1.5));
                lengths.push(0.5);
                members[h - n].push(k);
            }
        }
    }
    let mut half_sizes: Vec<[f32; 2]> = concepts
        .iter()
        .map(|&i| {
            let chars = graph.nodes[i].label.chars().count().min(24) as f32;
            [(chars * 3.6 + 14.0).max(30.0), 16.0]
        })
        .collect();
    half_sizes.extend(groups.iter().map(|_| [1.0, 1.0]));
    let total = n + groups.len();
    let mut initial = vec![[0.0, 0.0]; total];
    let mut pinned = vec![false; total];
    for (k, &i) in concepts.iter().enumerate() {
        if let Some(p) = graph.nodes[i].pos {
            initial[k] = p;
            pinned[k] = true;
        }
    }
    let layout_graph = crate::layout::LayoutGraph {
        half_sizes,
        edges,
        lengths,
        groups: members,
        pinned,
        hidden: (0..total).map(|v| v >= n).collect(),
        foundations: Vec::new(),
    };
    let params = crate::layout::LayoutParams::default();
    let (pos, _) = crate::layout::layout(&layout_graph, &initial, &params);
    for (k, &i) in concepts.iter().enumerate() {
        if graph.nodes[i].pos.is_none() {
            graph.nodes[i].pos = pos.get(k).copied().filter(|p| p[0].is_finite() && p[1].is_finite());
        }
    }
    report.adjusted.push(if missing == n {
        "the file gives no positions: laid out automatically".to_owned()
    } else {
        format!("{missing} of {n} nodes had no position: placed by the automatic layout around the others")
    });
}

/// Node names and edges (from, to, weight) for `qualmap layout`: every graph kind read here;
/// groups are left out (their edges with them).
pub fn plain_graph(graph: &Graph) -> crate::layout::PlainGraph {
    let mut index = vec![usize::MAX; graph.nodes.len()];
    let mut names = Vec::new();
    for (i, node) in graph.nodes.iter().enumerate() {
        if !node.group {
            index[i] = names.len();
            names.push(node.id.clone());
        }
    }
    let edges = graph
        .edges
        .iter()
        .filter_map(|e| {
            let (a, b) = (*index.get(e.source)?, *index.get(e.target)?);
            (a != usize::MAX && b != usize::MAX).then_some((a, b, 1.0))
        })
        .collect();
    (names, edges)
}

/// Reads any graph file's text for `qualmap layout` and the fuzzers: by content, as [`read`].
pub fn read_plain(bytes: &[u8], origin: &str) -> Result<crate::layout::PlainGraph, ImportError> {
    let kind = sniff(bytes);
    if !kind.is_graph() {
        return Err(refused(origin, format!("this looks like {}, not a graph", kind.describe())));
    }
    let (graph, _) = read(bytes, origin, kind)?;
    Ok(plain_graph(&graph))
}

/// The name of the relationship type an edge gets: what the file names it, else its label,
/// else the type every unlabelled link gets on import.
fn type_name(edge: &GraphEdge) -> String {
    let name = if edge.kind.trim().is_empty() { edge.label.trim() } else { edge.kind.trim() };
    if name.is_empty() { "is associated with".to_owned() } else { name.to_owned() }
}

/// Plans adding `graph` to `doc` as one undoable step: groups become areas (reusing areas with
/// the same name), nodes concepts (reusing a concept whose label is unique in both the map and
/// the graph) in the areas of their groups, edges relationships (an edge already in the map is
/// not added twice). Into a map that has concepts, the graph is placed to its right.
pub fn plan(doc: &Document, graph: &Graph, report: &ImportReport, options: &ImportOptions) -> ImportPlan {
    let mut commands = Vec::new();
    let mut summary = Vec::new();
    let provenance = || Provenance::new(ProvenanceKind::Imported, report.origin.clone());

    // Areas from groups.
    let mut area_of: HashMap<usize, AreaId> = HashMap::new();
    let existing_areas: HashMap<&str, AreaId> = doc.areas.iter().map(|a| (a.label.as_str(), a.id)).collect();
    let mut created: HashMap<String, AreaId> = HashMap::new();
    let mut area_colors: HashMap<AreaId, Rgb> = doc.areas.iter().map(|a| (a.id, a.color)).collect();
    let (mut areas_added, mut areas_reused) = (0, 0);
    let use_areas = options.areas_from != super::AreasFrom::Nothing;
    for (i, node) in graph.nodes.iter().enumerate().filter(|(_, n)| n.group && use_areas) {
        let label = if node.label.trim().is_empty() { node.id.clone() } else { node.label.clone() };
        if let Some(id) = existing_areas.get(label.as_str()) {
            area_of.insert(i, *id);
            areas_reused += 1;
            continue;
        }
        if let Some(id) = created.get(&label) {
            area_of.insert(i, *id);
            continue;
        }
        let id = doc.next_area_id();
        let color = node.color.unwrap_or_else(|| {
            crate::model::AREA_PALETTE
                .get((doc.areas.len() + created.len()) % crate::model::AREA_PALETTE.len())
                .copied()
                .unwrap_or(Rgb::new(0x44, 0x77, 0xaa))
        });
        commands.push(Command::Insert(Element::Area(Area {
            id,
            label: label.clone(),
            description: node.description.clone(),
            color,
            provenance: provenance(),
        })));
        created.insert(label, id);
        area_colors.insert(id, color);
        area_of.insert(i, id);
        areas_added += 1;
    }
    let groups = graph.nodes.iter().filter(|n| n.group).count();
    if !use_areas && groups > 0 {
        summary.push(format!("{groups} groups not made into areas (areas: none)"));
    }
    summary.push(format!("{areas_added} areas added, {areas_reused} already in the map"));

    // Where the graph goes: as the file places it into an empty map, else to the right.
    let placed: Vec<[f32; 2]> = graph.nodes.iter().filter(|n| !n.group).filter_map(|n| n.pos).collect();
    let (min_x, min_y) = placed.iter().fold((f32::INFINITY, f32::INFINITY), |(x, y), p| (x.min(p[0]), y.min(p[1])));
    let shift = if doc.concepts.is_empty() || placed.is_empty() {
        [0.0, 0.0]
    } else {
        let right = doc.concepts.iter().map(|c| c.pos.x).fold(f32::NEG_INFINITY, f32::max);
        let top = doc.concepts.iter().map(|c| c.pos.y).fold(f32::INFINITY, f32::min);
        [right + 400.0 - min_x, top - min_y]
    };

    // Concepts.
    let mut label_count: HashMap<&str, usize> = HashMap::new();
    for node in graph.nodes.iter().filter(|n| !n.group) {
        *label_count.entry(node.label.as_str()).or_default() += 1;
    }
    let mut doc_labels: HashMap<&str, Vec<ConceptId>> = HashMap::new();
    for concept in &doc.concepts {
        doc_labels.entry(concept.label.as_str()).or_default().push(concept.id);
    }
    let mut concept_of: HashMap<usize, ConceptId> = HashMap::new();
    let (mut concepts_added, mut concepts_reused, mut unplaced, mut coloured) = (0, 0, 0usize, 0usize);
    for (i, node) in graph.nodes.iter().enumerate().filter(|(_, n)| !n.group) {
        if label_count.get(node.label.as_str()) == Some(&1)
            && let Some([id]) = doc_labels.get(node.label.as_str()).map(Vec::as_slice)
        {
            concept_of.insert(i, *id);
            concepts_reused += 1;
            continue;
        }
        let mut areas: Vec<AreaId> = graph.ancestors(i).iter().filter_map(|g| area_of.get(g)).copied().collect();
        areas.sort();
        areas.dedup();
        let pos = match node.pos {
            Some(p) => Point::new(p[0] + shift[0], p[1] + shift[1]),
            None => {
                // Only a graph planned without `read_path` (which lays out) gets here.
                let k = unplaced;
                unplaced += 1;
                let origin_x = if placed.is_empty() { 0.0 } else { min_x + shift[0] };
                Point::new(origin_x + (k % 8) as f32 * 190.0, (k / 8) as f32 * 100.0 - 200.0)
            }
        };
        // A node filled white, or in the colour of an area it goes into, is a plain card: its
        // colour says nothing its area does not (Graphviz's `fillcolor=white`, Gephi nodes
        // coloured by their group, our own GEXF and DOT exports).
        let color = node
            .color
            .filter(|c| *c != Rgb::new(0xff, 0xff, 0xff) && !areas.iter().any(|a| area_colors.get(a) == Some(c)));
        coloured += usize::from(color.is_some());
        let id = doc.next_concept_id();
        commands.push(Command::Insert(Element::Concept(Concept {
            id,
            label: node.label.clone(),
            description: node.description.clone(),
            color,
            areas,
            pos,
            pinned: false,
            provenance: provenance(),
        })));
        concept_of.insert(i, id);
        concepts_added += 1;
    }
    summary.push(format!("{concepts_added} concepts added, {concepts_reused} already in the map"));
    if coloured > 0 {
        summary.push(format!("{coloured} concepts keep their own colour from the file"));
    }

    // Relationship types and relationships.
    let mut type_ids: HashMap<String, RelationshipTypeId> =
        doc.relationship_types.iter().map(|t| (t.name.to_lowercase(), t.id)).collect();
    let mut type_direction: HashMap<RelationshipTypeId, Direction> =
        doc.relationship_types.iter().map(|t| (t.id, t.direction)).collect();
    let mut existing: BTreeSet<(Endpoint, Endpoint, RelationshipTypeId, String)> =
        doc.relationships.iter().map(|r| (r.from, r.to, r.type_id, r.label.clone())).collect();
    let (mut added, mut known, mut dropped) = (0, 0, 0);
    let end = |i: usize| -> Option<Endpoint> {
        concept_of.get(&i).map(|c| Endpoint::Concept(*c)).or_else(|| area_of.get(&i).map(|a| Endpoint::Area(*a)))
    };
    for edge in &graph.edges {
        let (Some(from), Some(to)) = (end(edge.source), end(edge.target)) else {
            dropped += 1;
            continue;
        };
        let name = type_name(edge);
        let type_id = *type_ids.entry(name.to_lowercase()).or_insert_with(|| {
            let id = doc.next_relationship_type_id();
            commands.push(Command::Insert(Element::RelationshipType(RelationshipType {
                id,
                name: name.clone(),
                short_label: String::new(),
                direction: edge.direction,
                line: LineStyle::Solid,
                color: edge.color.unwrap_or(Rgb::new(0x55, 0x5b, 0x66)),
            })));
            type_direction.insert(id, edge.direction);
            id
        });
        // The label is kept on the relationship only where it is not the type's own name.
        let label = if edge.label.trim() == name || edge.label.trim().is_empty() {
            String::new()
        } else {
            edge.label.trim().to_owned()
        };
        if !existing.insert((from, to, type_id, label.clone())) {
            known += 1;
            continue;
        }
        let direction = (type_direction.get(&type_id) != Some(&edge.direction)).then_some(edge.direction);
        commands.push(Command::Insert(Element::Relationship(Relationship {
            id: doc.next_relationship_id(),
            from,
            to,
            type_id,
            label,
            direction,
            bend: 0.0,
            description: String::new(),
            provenance: provenance(),
        })));
        added += 1;
    }
    summary.push(format!("{added} relationships added, {known} already in the map"));
    if dropped > 0 {
        summary.push(format!("{dropped} edges to groups left out (areas: none)"));
    }
    ImportPlan { command: Command::Batch { label: format!("Import {}", report.origin), commands }, summary }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        assert_eq!(sniff(b"<?xml version=\"1.0\"?>\n<gexf xmlns=\"http://gexf.net/1.3\">"), Kind::Gexf);
        assert_eq!(sniff(b"\xEF\xBB\xBF<?xml version='1.0'?><!-- x --><g:graphml xmlns:g=\"u\">"), Kind::GraphMl);
        assert_eq!(sniff(b"<cmap xmlns=\"http://cmap.ihmc.us/xml/cmap/\">"), Kind::Cxl);
        assert_eq!(sniff(b"<Project xmlns=\"urn:QDA-XML:project:1.0\">"), Kind::RefiProject);
        assert_eq!(sniff(b"/* c */\nstrict digraph G { a -> b }"), Kind::Dot);
        assert_eq!(sniff(b"{\"nodes\":[{\"id\":\"a\"}],\"edges\":[]}"), Kind::Canvas);
        assert_eq!(sniff(b"{\"format\": \"qualmap\", \"version\": 1}"), Kind::QualmapMap);
        assert_eq!(sniff(b"Source,Target,Type,Id,Label,Weight\r\n1,2,Undirected,0,,1.0\r\n"), Kind::EdgeTable);
        assert_eq!(sniff(b"Document,Code,Segment\nA,B,C\n"), Kind::Table);
        assert_eq!(sniff(b"# comment\r\n1 2\r\n2 2\r\n"), Kind::EdgeList);
        assert_eq!(sniff(b"PK\x03\x04...."), Kind::Zip);
        assert_eq!(sniff(b"  \n"), Kind::Empty);
    }

    #[test]
    fn colours() {
        assert_eq!(parse_color("#FFCC00", false), Some(Rgb::new(255, 204, 0)));
        assert_eq!(parse_color("#80FF0000", true), Some(Rgb::new(255, 0, 0)));
        assert_eq!(parse_color("255,0,10,255", false), Some(Rgb::new(255, 0, 10)));
        assert_eq!(parse_color("#abc", false), Some(Rgb::new(0xaa, 0xbb, 0xcc)));
        assert_eq!(parse_color("nope", false), None);
        assert_eq!(number("0x1.4p+2"), Some(5.0));
        assert_eq!(number("-0x1p-1"), Some(-0.5));
        assert_eq!(number("12.5"), Some(12.5));
        assert_eq!(number("inf"), None);
    }
}
