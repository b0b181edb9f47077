//! JSON Canvas 1.0 (Obsidian, <https://jsoncanvas.org/spec/1.0/>).
//!
//! Nodes are `text`, `file`, `link` or `group`, each with `x`, `y` (top-left corner, y down),
//! `width`, `height` and an optional `color`: `#rrggbb` or a preset `"1"`–`"6"` (red, orange,
//! yellow, green, cyan, purple; the values used here are Obsidian's defaults). Groups have an
//! optional `label`. The spec has no membership: a node belongs to the groups whose rectangle
//! holds its centre, and a group to the groups around it. Edges join `fromNode` to `toNode`, with
//! `fromEnd` (default `none`) and `toEnd` (default `arrow`) deciding arrowheads, and an optional
//! `label`. A text node's first line is the concept's label, its whole text the description
//! when it has more than one line.

use std::collections::HashMap;

use serde_json::Value;

use super::{Graph, GraphEdge, GraphNode};
use crate::import::{ImportError, ImportReport};
use crate::model::{Direction, Rgb};

fn preset(color: &str) -> Option<Rgb> {
    let hex = match color {
        "1" => "#fb464c",
        "2" => "#e9973f",
        "3" => "#e0de71",
        "4" => "#44cf6e",
        "5" => "#53dfdd",
        "6" => "#a882ff",
        other => other,
    };
    super::parse_color(hex, false)
}

fn string<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

fn float(value: &Value, key: &str) -> Option<f32> {
    value.get(key).and_then(Value::as_f64).map(|v| v as f32).filter(|v| v.is_finite() && v.abs() < 1e7)
}

/// Reads a JSON Canvas file.
pub fn read(bytes: &[u8], origin: &str, report: &mut ImportReport) -> Result<Graph, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        super::refused(origin, format!("line {}, column {}: not valid JSON: {e}", e.line(), e.column()))
    })?;
    let Some(object) = value.as_object() else {
        return Err(super::refused(origin, "a canvas is a JSON object with \"nodes\" and \"edges\""));
    };
    let empty = Vec::new();
    let nodes = object.get("nodes").and_then(Value::as_array).unwrap_or(&empty);
    let edges = object.get("edges").and_then(Value::as_array).unwrap_or(&empty);
    let mut graph = Graph { format: "JSON Canvas".to_owned(), ..Graph::default() };
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut rects: Vec<[f32; 4]> = Vec::new();
    let mut kinds: HashMap<String, usize> = HashMap::new();
    for (k, node) in nodes.iter().enumerate() {
        let Some(id) = string(node, "id") else {
            return Err(super::refused(origin, format!("node {} has no \"id\"", k + 1)));
        };
        let kind = string(node, "type").unwrap_or("text");
        let rect = [
            float(node, "x").unwrap_or(0.0),
            float(node, "y").unwrap_or(0.0),
            float(node, "width").unwrap_or(0.0).max(0.0),
            float(node, "height").unwrap_or(0.0).max(0.0),
        ];
        let (label, description) = match kind {
            "group" => (string(node, "label").unwrap_or_default().to_owned(), String::new()),
            "file" => {
                let file = string(node, "file").unwrap_or_default();
                (file.rsplit('/').next().unwrap_or(file).to_owned(), file.to_owned())
            }
            "link" => (string(node, "url").unwrap_or_default().to_owned(), String::new()),
            _ => {
                let text = string(node, "text").unwrap_or_default().trim();
                let first = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default();
                let first = first.trim_start_matches('#').trim().to_owned();
                let description = if text.lines().count() > 1 { text.to_owned() } else { String::new() };
                (first, description)
            }
        };
        *kinds.entry(kind.to_owned()).or_default() += 1;
        let group = kind == "group";
        let i = graph.push_node(
            GraphNode {
                id: id.to_owned(),
                label: if label.is_empty() && !group { id.to_owned() } else { label },
                description,
                pos: (!group).then_some([rect[0] + rect[2] / 2.0, rect[1] + rect[3] / 2.0]),
                color: string(node, "color").and_then(preset),
                group,
                parents: Vec::new(),
            },
            origin,
        )?;
        if index.insert(id, i).is_some() {
            return Err(super::refused(origin, format!("node {} repeats the id “{id}”", k + 1)));
        }
        rects.push(rect);
    }
    // Membership by geometry: the groups whose rectangle holds a node's centre (for a group,
    // the groups that hold all of it).
    let groups: Vec<usize> = (0..graph.nodes.len()).filter(|&i| graph.nodes[i].group).collect();
    if !groups.is_empty() {
        for i in 0..graph.nodes.len() {
            let r = rects[i];
            let (cx, cy) = (r[0] + r[2] / 2.0, r[1] + r[3] / 2.0);
            let inside = |g: &[f32; 4]| {
                if graph.nodes[i].group {
                    r[0] >= g[0] && r[1] >= g[1] && r[0] + r[2] <= g[0] + g[2] && r[1] + r[3] <= g[1] + g[3] && r != *g
                } else {
                    cx >= g[0] && cy >= g[1] && cx <= g[0] + g[2] && cy <= g[1] + g[3]
                }
            };
            let parents: Vec<usize> = groups.iter().copied().filter(|&g| g != i && inside(&rects[g])).collect();
            graph.nodes[i].parents = parents;
        }
        report
            .adjusted
            .push("group membership taken from geometry: a card belongs to the groups drawn around it".to_owned());
    }
    for (k, edge) in edges.iter().enumerate() {
        let end = |key: &str| -> Result<usize, ImportError> {
            let id =
                string(edge, key).ok_or_else(|| super::refused(origin, format!("edge {} has no \"{key}\"", k + 1)))?;
            index
                .get(id)
                .copied()
                .ok_or_else(|| super::refused(origin, format!("edge {}: its {key} “{id}” is not a node", k + 1)))
        };
        let (source, target) = (end("fromNode")?, end("toNode")?);
        let arrow = |key: &str, default: &str| string(edge, key).unwrap_or(default) == "arrow";
        let direction = match (arrow("fromEnd", "none"), arrow("toEnd", "arrow")) {
            (true, true) => Direction::Bidirectional,
            (false, true) => Direction::OneWay,
            (true, false) => Direction::OneWay,
            (false, false) => Direction::Associative,
        };
        let (source, target) =
            if arrow("fromEnd", "none") && !arrow("toEnd", "arrow") { (target, source) } else { (source, target) };
        graph.push_edge(
            GraphEdge {
                source,
                target,
                label: string(edge, "label").unwrap_or_default().to_owned(),
                kind: String::new(),
                direction,
                color: string(edge, "color").and_then(preset),
            },
            origin,
        )?;
    }
    for kind in ["file", "link"] {
        if let Some(n) = kinds.get(kind) {
            report.adjusted.push(format!(
                "{n} {kind} cards became concepts named by their {}",
                if kind == "file" { "file names" } else { "addresses" }
            ));
        }
    }
    Ok(graph)
}
