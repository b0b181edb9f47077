//! GEXF 1.1, 1.2 and 1.3, as Gephi writes it.
//!
//! Namespaces differ by version (`http://www.gexf.net/1.1draft`, `…/1.2draft`,
//! `http://gexf.net/1.3`, each with a `/viz` namespace for `<viz:position x y z>`,
//! `<viz:color r g b [a]>` and `<viz:size>`); elements are matched by local name. Gephi's y axis
//! points up, so y is negated into the map. Edges are `directed`, `undirected` or `mutual`
//! (`type` on the edge, else the graph's `defaultedgetype`); 1.2 adds an edge `kind`. Hierarchy
//! comes as `<nodes>` nested in a `<node>`, a `pid` attribute, or `<parents><parent for>`
//! (1.1/1.2): parent nodes become areas. Attribute values (`<attvalue for value>`) are looked up
//! by their declared title; Qualmap's own export marks areas with `kind` = `area` and names a
//! concept's areas in `areas`.

use std::collections::HashMap;

use roxmltree::Node;

use super::{Graph, GraphEdge, GraphNode, MAX_DEPTH, line_at, number};
use crate::import::{ImportError, ImportReport};
use crate::model::{Direction, Rgb};

fn local<'i>(node: Node<'_, 'i>) -> &'i str {
    node.tag_name().name()
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| c.is_element() && local(*c) == name)
}

fn direction(kind: &str) -> Option<Direction> {
    match kind {
        "directed" => Some(Direction::OneWay),
        "undirected" => Some(Direction::Associative),
        "mutual" => Some(Direction::Bidirectional),
        _ => None,
    }
}

/// Attribute values of an element, by the attribute's title (lower case).
fn attvalues(element: Node<'_, '_>, titles: &HashMap<String, String>) -> HashMap<String, String> {
    let mut values = HashMap::new();
    if let Some(list) = child(element, "attvalues") {
        for v in list.children().filter(|c| c.is_element() && local(*c) == "attvalue") {
            let Some(key) = v.attribute("for").or_else(|| v.attribute("id")) else { continue };
            let title = titles.get(key).cloned().unwrap_or_else(|| key.to_lowercase());
            values.insert(title, v.attribute("value").unwrap_or_default().to_owned());
        }
    }
    values
}

/// Reads GEXF text.
pub fn read(text: &str, origin: &str, report: &mut ImportReport) -> Result<Graph, ImportError> {
    let xml = crate::import::refi::parse(text, origin)?;
    let root = xml.root_element();
    let at = |node: Node<'_, '_>| line_at(text.as_bytes(), node.range().start);
    if local(root) != "gexf" {
        return Err(super::refused(origin, format!("expected a <gexf> element, found <{}>", local(root))));
    }
    let version = root
        .attribute("version")
        .map(str::to_owned)
        .or_else(|| {
            root.tag_name()
                .namespace()
                .and_then(|ns| ns.trim_end_matches("draft").rsplit('/').next().map(str::to_owned))
        })
        .unwrap_or_default();
    let creator = child(root, "meta").and_then(|m| child(m, "creator")).and_then(|c| c.text()).unwrap_or_default();
    let Some(g) = child(root, "graph") else {
        return Err(super::refused(origin, "the file has no <graph> element"));
    };
    let mut graph = Graph {
        format: format!(
            "GEXF {version}{}",
            if creator.is_empty() { String::new() } else { format!(" ({})", creator.trim()) }
        )
        .trim_end()
        .to_owned(),
        title: child(root, "meta")
            .and_then(|m| child(m, "description"))
            .and_then(|d| d.text())
            .unwrap_or_default()
            .trim()
            .to_owned(),
        ..Graph::default()
    };
    let qualmap = creator.trim() == "Qualmap";
    let default_direction = g.attribute("defaultedgetype").and_then(direction).unwrap_or(Direction::Associative);
    if g.attribute("mode").is_some_and(|m| m == "dynamic") {
        report.adjusted.push("a dynamic graph: read as it stands, without its time spells".to_owned());
    }
    let mut node_titles: HashMap<String, String> = HashMap::new();
    let mut edge_titles: HashMap<String, String> = HashMap::new();
    for attributes in g.children().filter(|c| c.is_element() && local(*c) == "attributes") {
        let titles = if attributes.attribute("class") == Some("edge") { &mut edge_titles } else { &mut node_titles };
        for a in attributes.children().filter(|c| c.is_element() && local(*c) == "attribute") {
            if let Some(id) = a.attribute("id") {
                titles.insert(id.to_owned(), a.attribute("title").unwrap_or(id).to_lowercase());
            }
        }
    }

    // Nodes, with nested <nodes> read without recursion.
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut pending_parents: Vec<(usize, String, usize)> = Vec::new();
    let mut area_names: Vec<(usize, String)> = Vec::new();
    let Some(nodes) = child(g, "nodes") else {
        return Err(super::refused(origin, "the graph has no <nodes>"));
    };
    let mut stack: Vec<(Node<'_, '_>, Option<usize>, usize)> = vec![(nodes, None, 0)];
    while let Some((list, parent, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            return Err(super::refused(origin, format!("line {}: nodes nested more than {MAX_DEPTH} deep", at(list))));
        }
        let mut nested = Vec::new();
        for node in list.children().filter(|c| c.is_element() && local(*c) == "node") {
            let Some(id) = node.attribute("id") else {
                return Err(super::refused(origin, format!("line {}: a <node> without an id", at(node))));
            };
            let values = attvalues(node, &node_titles);
            let pos =
                child(node, "position").and_then(|p| Some([number(p.attribute("x")?)?, -number(p.attribute("y")?)?]));
            let color = child(node, "color").and_then(|c| {
                if let Some(hex) = c.attribute("hex") {
                    return super::parse_color(hex, false);
                }
                let channel = |n: &str| c.attribute(n).and_then(|v| v.trim().parse::<u8>().ok());
                Some(Rgb::new(channel("r")?, channel("g")?, channel("b")?))
            });
            let inner = child(node, "nodes");
            let label = node.attribute("label").filter(|l| !l.trim().is_empty()).unwrap_or(id).to_owned();
            let group = inner.is_some() || (qualmap && values.get("kind").is_some_and(|k| k == "area"));
            let i = graph.push_node(
                GraphNode {
                    id: id.to_owned(),
                    label,
                    description: values.get("description").cloned().unwrap_or_default(),
                    pos: if group { None } else { pos },
                    color,
                    group,
                    parents: parent.into_iter().collect(),
                },
                origin,
            )?;
            if index.insert(id.to_owned(), i).is_some() {
                return Err(super::refused(origin, format!("line {}: node “{id}” is declared twice", at(node))));
            }
            if let Some(pid) = node.attribute("pid") {
                pending_parents.push((i, pid.to_owned(), at(node)));
            }
            if let Some(parents) = child(node, "parents") {
                for p in parents.children().filter(|c| c.is_element() && local(*c) == "parent") {
                    if let Some(pid) = p.attribute("for") {
                        pending_parents.push((i, pid.to_owned(), at(p)));
                    }
                }
            }
            if qualmap && let Some(names) = values.get("areas").filter(|a| !a.is_empty()) {
                area_names.push((i, names.clone()));
            }
            if let Some(inner) = inner {
                nested.push((inner, Some(i), depth + 1));
            }
        }
        stack.extend(nested.into_iter().rev());
    }
    for (i, pid, line) in pending_parents {
        let Some(&p) = index.get(&pid) else {
            return Err(super::refused(origin, format!("line {line}: the parent “{pid}” is not a node")));
        };
        graph.nodes[p].group = true;
        graph.nodes[p].pos = None;
        if p != i && !graph.nodes[i].parents.contains(&p) {
            graph.nodes[i].parents.push(p);
        }
    }
    if !area_names.is_empty() {
        let by_label: HashMap<String, usize> =
            graph.nodes.iter().enumerate().filter(|(_, n)| n.group).map(|(i, n)| (n.label.clone(), i)).collect();
        for (i, names) in area_names {
            graph.nodes[i].parents = names.split("; ").filter_map(|n| by_label.get(n)).copied().collect();
        }
    }

    // Edges.
    if let Some(edges) = child(g, "edges") {
        for edge in edges.children().filter(|c| c.is_element() && local(*c) == "edge") {
            let end = |attribute: &str| -> Result<usize, ImportError> {
                let id = edge.attribute(attribute).ok_or_else(|| {
                    super::refused(origin, format!("line {}: an <edge> without a {attribute}", at(edge)))
                })?;
                index.get(id).copied().ok_or_else(|| {
                    super::refused(origin, format!("line {}: the edge's {attribute} “{id}” is not a node", at(edge)))
                })
            };
            let (source, target) = (end("source")?, end("target")?);
            let values = attvalues(edge, &edge_titles);
            let mut direction = edge.attribute("type").and_then(direction).unwrap_or(default_direction);
            if let Some(d) = values.get("direction") {
                direction = match d.as_str() {
                    "one-way" => Direction::OneWay,
                    "associative" => Direction::Associative,
                    "bidirectional" => Direction::Bidirectional,
                    _ => direction,
                };
            }
            let kind = values
                .get("type")
                .or_else(|| values.get("kind"))
                .cloned()
                .or_else(|| edge.attribute("kind").map(str::to_owned))
                .unwrap_or_default();
            let color = child(edge, "color").and_then(|c| {
                let channel = |n: &str| c.attribute(n).and_then(|v| v.trim().parse::<u8>().ok());
                Some(Rgb::new(channel("r")?, channel("g")?, channel("b")?))
            });
            graph.push_edge(
                GraphEdge {
                    source,
                    target,
                    label: edge.attribute("label").unwrap_or_default().to_owned(),
                    kind,
                    direction,
                    color,
                },
                origin,
            )?;
        }
    }
    Ok(graph)
}
