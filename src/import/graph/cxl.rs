//! CmapTools CXL (IHMC concept maps, namespace `http://cmap.ihmc.us/xml/cmap/`).
//!
//! `<map>` holds a `<concept-list>` of `<concept id label>`, a `<linking-phrase-list>` of
//! `<linking-phrase id label>`, a `<connection-list>` of `<connection from-id to-id>` that joins
//! concepts to linking phrases and linking phrases to concepts, and appearance lists where
//! `<concept-appearance id x y width height background-color="r,g,b,a">` places a concept
//! (x and y taken as its centre). A proposition "concept — phrase — concept" becomes one
//! relationship labelled with the phrase; a phrase with several concepts on either side gives one
//! relationship per pair; a connection straight from concept to concept an unlabelled one. The
//! title is `<res-meta><dc:title>`.

use std::collections::HashMap;

use roxmltree::Node;

use super::{Graph, GraphEdge, GraphNode, line_at, number, parse_color};
use crate::import::{ImportError, ImportReport};
use crate::model::Direction;

fn local<'i>(node: Node<'_, 'i>) -> &'i str {
    node.tag_name().name()
}

/// Reads CXL text.
pub fn read(text: &str, origin: &str, report: &mut ImportReport) -> Result<Graph, ImportError> {
    let xml = crate::import::refi::parse(text, origin)?;
    let root = xml.root_element();
    if local(root) != "cmap" {
        return Err(super::refused(origin, format!("expected a <cmap> element, found <{}>", local(root))));
    }
    let mut graph = Graph { format: "CmapTools CXL".to_owned(), ..Graph::default() };
    graph.title = root
        .descendants()
        .find(|n| n.is_element() && local(*n) == "title")
        .and_then(|t| t.text())
        .unwrap_or_default()
        .trim()
        .to_owned();
    let Some(map) = root.children().find(|c| c.is_element() && local(*c) == "map") else {
        return Err(super::refused(origin, "the file has no <map> element"));
    };
    let list = |name: &str| -> Vec<Node<'_, '_>> {
        map.children()
            .filter(|c| c.is_element() && local(*c) == format!("{name}-list"))
            .flat_map(|l| l.children().filter(|c| c.is_element() && local(*c) == name).collect::<Vec<_>>())
            .collect()
    };
    let at = |node: Node<'_, '_>| line_at(text.as_bytes(), node.range().start);
    let mut concepts: HashMap<&str, usize> = HashMap::new();
    for concept in list("concept") {
        let Some(id) = concept.attribute("id") else {
            return Err(super::refused(origin, format!("line {}: a <concept> without an id", at(concept))));
        };
        let label = concept.attribute("label").unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ");
        let i = graph.push_node(
            GraphNode {
                id: id.to_owned(),
                label: if label.is_empty() { id.to_owned() } else { label },
                description: concept.attribute("short-comment").unwrap_or_default().to_owned(),
                ..GraphNode::default()
            },
            origin,
        )?;
        if concepts.insert(id, i).is_some() {
            return Err(super::refused(origin, format!("line {}: concept “{id}” is declared twice", at(concept))));
        }
    }
    for look in list("concept-appearance") {
        let Some(&i) = look.attribute("id").and_then(|id| concepts.get(id)) else { continue };
        if let (Some(x), Some(y)) = (look.attribute("x").and_then(number), look.attribute("y").and_then(number)) {
            graph.nodes[i].pos = Some([x, y]);
        }
        graph.nodes[i].color = look.attribute("background-color").and_then(|c| parse_color(c, false));
    }
    let phrases: HashMap<&str, String> = list("linking-phrase")
        .into_iter()
        .filter_map(|p| {
            Some((
                p.attribute("id")?,
                p.attribute("label").unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" "),
            ))
        })
        .collect();
    let mut into: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut out_of: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut dangling = 0;
    for connection in list("connection") {
        let (Some(from), Some(to)) = (connection.attribute("from-id"), connection.attribute("to-id")) else {
            dangling += 1;
            continue;
        };
        match (concepts.get(from), concepts.get(to), phrases.contains_key(from), phrases.contains_key(to)) {
            (Some(&a), _, _, true) => into.entry(to).or_default().push(a),
            (_, Some(&b), true, _) => out_of.entry(from).or_default().push(b),
            (Some(&a), Some(&b), _, _) => graph.push_edge(
                GraphEdge {
                    source: a,
                    target: b,
                    label: String::new(),
                    kind: String::new(),
                    direction: Direction::OneWay,
                    color: None,
                },
                origin,
            )?,
            _ => dangling += 1,
        }
    }
    let mut unfinished = 0;
    let mut ids: Vec<&str> = phrases.keys().copied().collect();
    ids.sort_unstable();
    for id in ids {
        let (Some(from), Some(to)) = (into.get(id), out_of.get(id)) else {
            unfinished += 1;
            continue;
        };
        for &a in from {
            for &b in to {
                graph.push_edge(
                    GraphEdge {
                        source: a,
                        target: b,
                        label: phrases[id].clone(),
                        kind: String::new(),
                        direction: Direction::OneWay,
                        color: None,
                    },
                    origin,
                )?;
            }
        }
    }
    if dangling > 0 {
        report.skipped.push(format!("{dangling} connections to something that is not a concept or linking phrase"));
    }
    if unfinished > 0 {
        report.skipped.push(format!("{unfinished} linking phrases that do not join two concepts"));
    }
    Ok(graph)
}
