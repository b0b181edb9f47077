//! GraphML as the tools write it.
//!
//! - **yEd** (classic): labels, geometry and fill in `<y:ShapeNode>` / `<y:GenericNode>` under a
//!   `<data>` whose key has `yfiles.type="nodegraphics"`; a group is a node with
//!   `yfiles.foldertype="group"` (or `"folder"`) holding a nested `<graph>`, its label and
//!   geometry in `<y:ProxyAutoBoundsNode><y:Realizers><y:GroupNode>`; nested node ids are
//!   `n0::n1`; arrows in `<y:Arrows source target>` decide the direction.
//! - **yEd Live / yFiles for HTML**: labels as `<y:Label Text>` (or `<y:Label.Text>`) in a list
//!   under the `NodeLabels` key, geometry as `<y:RectD X Y Width Height>` under `NodeLayout`,
//!   fills as a `fill` attribute or `<yjs:SolidColorFill color>`; groups are nested graphs.
//! - **networkx** writes multigraph edges with their keys as ids, so ids repeat (`id="0"` on
//!   every edge); edges are never told apart by id here.
//! - **igraph** (`v_name`), **graph-tool** (`_graphml_vertex_id`, `pos` as "x, y"),
//!   **TinkerPop** (one line; `labelV` / `labelE`), **Cytoscape** (`name`, `interaction`, nested
//!   graphs for groups), prefixed elements (`<g:graphml>`): attributes are found by their
//!   `attr.name`, elements by local name in any namespace.
//! - **Qualmap**'s own export: `kind` = `area` nodes are areas, `areas` names a concept's.

use std::collections::HashMap;

use roxmltree::Node;

use super::{Graph, GraphEdge, GraphNode, MAX_DEPTH, line_at, number, parse_color};
use crate::import::{ImportError, ImportReport};
use crate::model::Direction;

#[derive(Default)]
struct Key {
    /// `attr.name`, lower case (or the id when it has none).
    name: String,
    /// `yfiles.type` (nodegraphics, edgegraphics, …), or the last part of `y:attr.uri`.
    yfiles: String,
}

/// What a node's or edge's `<data>` elements say.
#[derive(Default)]
struct Data {
    values: HashMap<String, String>,
    label: Option<String>,
    rect: Option<[f32; 4]>,
    fill: Option<crate::model::Rgb>,
    line: Option<crate::model::Rgb>,
    arrows: Option<(bool, bool)>,
}

fn local<'i>(node: Node<'_, 'i>) -> &'i str {
    node.tag_name().name()
}

fn rect(node: Node<'_, '_>, names: [&str; 4]) -> Option<[f32; 4]> {
    let get = |n: &str| node.attribute(n).and_then(number);
    Some([get(names[0])?, get(names[1])?, get(names[2]).unwrap_or(0.0), get(names[3]).unwrap_or(0.0)])
}

fn read_data(element: Node<'_, '_>, keys: &HashMap<&str, Key>, domain_defaults: &HashMap<String, String>) -> Data {
    let mut data = Data { values: domain_defaults.clone(), ..Data::default() };
    for d in element.children().filter(|c| c.is_element() && local(*c) == "data") {
        let key = d.attribute("key").and_then(|k| keys.get(k));
        if d.children().any(|c| c.is_element()) {
            // yEd and yFiles for HTML graphics: the first label, geometry and colours found.
            for n in d.descendants().filter(Node::is_element) {
                match local(n) {
                    "NodeLabel" | "EdgeLabel" if data.label.is_none() => {
                        let text: String = n.children().filter(|c| c.is_text()).filter_map(|c| c.text()).collect();
                        if !text.trim().is_empty() {
                            data.label = Some(text.trim().to_owned());
                        }
                    }
                    "Label" if data.label.is_none() => {
                        let text = n.attribute("Text").map(str::to_owned).or_else(|| {
                            n.children()
                                .find(|c| c.is_element() && local(*c) == "Label.Text")
                                .map(|t| t.text().unwrap_or_default().to_owned())
                        });
                        if let Some(text) = text.filter(|t| !t.trim().is_empty()) {
                            data.label = Some(text.trim().to_owned());
                        }
                    }
                    "Geometry" if data.rect.is_none() => data.rect = rect(n, ["x", "y", "width", "height"]),
                    "RectD" | "Rect" if data.rect.is_none() => data.rect = rect(n, ["X", "Y", "Width", "Height"]),
                    "Fill" if data.fill.is_none() => {
                        data.fill = n.attribute("color").and_then(|c| parse_color(c, false));
                    }
                    "SolidColorFill" if data.fill.is_none() => {
                        data.fill = n.attribute("color").and_then(|c| parse_color(c, true));
                    }
                    "LineStyle" if data.line.is_none() => {
                        data.line = n.attribute("color").and_then(|c| parse_color(c, false));
                    }
                    "Arrows" if data.arrows.is_none() => {
                        let arrow = |side: &str| n.attribute(side).is_some_and(|a| a != "none");
                        data.arrows = Some((arrow("source"), arrow("target")));
                    }
                    name if name.ends_with("NodeStyle") && data.fill.is_none() => {
                        data.fill = n.attribute("fill").and_then(|c| parse_color(c, true));
                    }
                    _ => {}
                }
            }
            continue;
        }
        let name = key.map_or_else(|| d.attribute("key").unwrap_or_default().to_lowercase(), |k| k.name.clone());
        let text = d.text().unwrap_or_default().to_owned();
        data.values.insert(name, text);
    }
    data
}

fn value<'d>(data: &'d Data, names: &[&str]) -> Option<&'d str> {
    names.iter().find_map(|n| data.values.get(*n)).map(String::as_str).map(str::trim).filter(|v| !v.is_empty())
}

/// Reads GraphML text.
pub fn read(text: &str, origin: &str, report: &mut ImportReport) -> Result<Graph, ImportError> {
    let xml = crate::import::refi::parse(text, origin)?;
    let root = xml.root_element();
    let at = |node: Node<'_, '_>| line_at(text.as_bytes(), node.range().start);
    if local(root) != "graphml" {
        return Err(super::refused(origin, format!("expected a <graphml> element, found <{}>", local(root))));
    }
    let mut keys: HashMap<&str, Key> = HashMap::new();
    let mut node_defaults: HashMap<String, String> = HashMap::new();
    let mut edge_defaults: HashMap<String, String> = HashMap::new();
    for key in root.children().filter(|c| c.is_element() && local(*c) == "key") {
        let Some(id) = key.attribute("id") else { continue };
        let name = key.attribute("attr.name").unwrap_or(id).to_lowercase();
        let yfiles = key
            .attribute("yfiles.type")
            .map(str::to_owned)
            .or_else(|| {
                key.attributes()
                    .find(|a| a.name() == "attr.uri")
                    .map(|a| a.value().rsplit('/').next().unwrap_or_default().to_owned())
            })
            .unwrap_or_default();
        let default =
            key.children().find(|c| c.is_element() && local(*c) == "default").and_then(|d| d.text()).map(str::to_owned);
        if let Some(value) = &default {
            match key.attribute("for") {
                Some("node") => {
                    node_defaults.insert(name.clone(), value.clone());
                }
                Some("edge") => {
                    edge_defaults.insert(name.clone(), value.clone());
                }
                _ => {}
            }
        }
        keys.insert(id, Key { name, yfiles });
    }
    let qualmap = keys.contains_key("node_kind") && keys.contains_key("node_areas");
    let yfiles_html = keys.values().any(|k| k.yfiles == "NodeLabels" || k.yfiles == "NodeLayout");
    let yed = keys.values().any(|k| k.yfiles == "nodegraphics");
    let tinkerpop = keys.values().any(|k| k.name == "labelv");
    let mut graph = Graph {
        format: match (qualmap, yed, yfiles_html, tinkerpop) {
            (true, ..) => "GraphML (Qualmap)",
            (_, true, ..) => "GraphML (yEd)",
            (_, _, true, _) => "GraphML (yEd Live / yFiles for HTML)",
            (.., true) => "GraphML (TinkerPop)",
            _ => "GraphML",
        }
        .to_owned(),
        ..Graph::default()
    };
    let Some(top) = root.children().find(|c| c.is_element() && local(*c) == "graph") else {
        return Err(super::refused(origin, "the file has no <graph> element"));
    };
    graph.title = top.attribute("id").unwrap_or_default().to_owned();

    // Nodes, walking nested graphs (groups) without recursion.
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut area_names: Vec<(usize, String)> = Vec::new();
    let mut stack: Vec<(Node<'_, '_>, Option<usize>, usize)> = vec![(top, None, 0)];
    while let Some((g, parent, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            return Err(super::refused(origin, format!("line {}: groups nested more than {MAX_DEPTH} deep", at(g))));
        }
        // Children in file order: push nested graphs after reading this level's nodes.
        let mut nested = Vec::new();
        for node in g.children().filter(|c| c.is_element() && local(*c) == "node") {
            let Some(id) = node.attribute("id") else {
                return Err(super::refused(origin, format!("line {}: a <node> without an id", at(node))));
            };
            let data = read_data(node, &keys, &node_defaults);
            let inner = node.children().find(|c| c.is_element() && local(*c) == "graph");
            let group = inner.is_some()
                || node.attribute("yfiles.foldertype").is_some_and(|t| t == "group" || t == "folder")
                || (qualmap && value(&data, &["kind"]) == Some("area"));
            let label = data
                .label
                .clone()
                .or_else(|| value(&data, &["label", "name", "title", "_graphml_vertex_id"]).map(str::to_owned))
                .unwrap_or_else(|| id.to_owned());
            let pos = match data.rect {
                Some([x, y, w, h]) => Some([x + w / 2.0, y + h / 2.0]),
                None => match (value(&data, &["x"]).and_then(number), value(&data, &["y"]).and_then(number)) {
                    (Some(x), Some(y)) => Some([x, y]),
                    _ => value(&data, &["pos", "_pos", "position"]).and_then(|p| {
                        let mut parts = p.split([',', ' ']).filter(|s| !s.is_empty()).map(number);
                        Some([parts.next()??, parts.next()??])
                    }),
                },
            };
            let color = data
                .fill
                .or_else(|| value(&data, &["color", "colour", "fill"]).and_then(|c| parse_color(c, false)))
                .or_else(|| {
                    let channel = |n: &str| value(&data, &[n]).and_then(|v| v.parse::<u8>().ok());
                    Some(crate::model::Rgb::new(channel("r")?, channel("g")?, channel("b")?))
                });
            let description = value(&data, &["description", "tooltip", "note", "notes"]).unwrap_or_default().to_owned();
            let i = graph.push_node(
                GraphNode {
                    id: id.to_owned(),
                    label,
                    description,
                    pos,
                    color,
                    group,
                    parents: parent.into_iter().collect(),
                },
                origin,
            )?;
            if index.insert(id, i).is_some() {
                return Err(super::refused(origin, format!("line {}: node “{id}” is declared twice", at(node))));
            }
            if qualmap && let Some(names) = value(&data, &["areas"]) {
                area_names.push((i, names.to_owned()));
            }
            if let Some(inner) = inner {
                nested.push((inner, Some(i), depth + 1));
            }
        }
        stack.extend(nested.into_iter().rev());
    }
    // Qualmap's export names each concept's areas (which may overlap) by label.
    if !area_names.is_empty() {
        let by_label: HashMap<String, usize> =
            graph.nodes.iter().enumerate().filter(|(_, n)| n.group).map(|(i, n)| (n.label.clone(), i)).collect();
        for (i, names) in area_names {
            let parents: Vec<usize> = names.split("; ").filter_map(|n| by_label.get(n)).copied().collect();
            if let Some(node) = graph.nodes.get_mut(i) {
                node.parents = parents;
            }
        }
    }

    // Edges, wherever they are.
    let mut hyperedges = 0;
    let mut ports = 0;
    for edge in root.descendants().filter(Node::is_element) {
        match local(edge) {
            "hyperedge" => {
                hyperedges += 1;
                continue;
            }
            "edge" => {}
            _ => continue,
        }
        let end = |attribute: &str| -> Result<usize, ImportError> {
            let id = edge
                .attribute(attribute)
                .ok_or_else(|| super::refused(origin, format!("line {}: an <edge> without a {attribute}", at(edge))))?;
            index.get(id).copied().ok_or_else(|| {
                super::refused(origin, format!("line {}: the edge's {attribute} “{id}” is not a node", at(edge)))
            })
        };
        let (mut source, mut target) = (end("source")?, end("target")?);
        if edge.attribute("sourceport").is_some() || edge.attribute("targetport").is_some() {
            ports += 1;
        }
        let data = read_data(edge, &keys, &edge_defaults);
        let graph_directed = edge
            .ancestors()
            .find(|a| a.is_element() && local(*a) == "graph")
            .and_then(|g| g.attribute("edgedefault"))
            .is_none_or(|d| d != "undirected");
        let directed = edge.attribute("directed").map_or(graph_directed, |d| d == "true");
        let mut direction = if directed { Direction::OneWay } else { Direction::Associative };
        if let Some((from_arrow, to_arrow)) = data.arrows {
            direction = match (from_arrow, to_arrow) {
                (true, true) => Direction::Bidirectional,
                (false, true) => Direction::OneWay,
                (true, false) => {
                    std::mem::swap(&mut source, &mut target);
                    Direction::OneWay
                }
                (false, false) => Direction::Associative,
            };
        }
        if let Some(d) = value(&data, &["direction"]) {
            direction = match d {
                "one-way" => Direction::OneWay,
                "associative" => Direction::Associative,
                "bidirectional" => Direction::Bidirectional,
                _ => direction,
            };
        }
        let kind = value(&data, &["type", "labele", "interaction", "relation", "relationship"]).unwrap_or_default();
        let label = data
            .label
            .clone()
            .or_else(|| value(&data, &["label"]).map(str::to_owned))
            .or_else(|| (kind.is_empty()).then(|| value(&data, &["name"]).map(str::to_owned)).flatten())
            .unwrap_or_default();
        graph.push_edge(
            GraphEdge {
                source,
                target,
                label,
                kind: kind.to_owned(),
                direction,
                color: data.line.or_else(|| value(&data, &["color"]).and_then(|c| parse_color(c, false))),
            },
            origin,
        )?;
    }
    if hyperedges > 0 {
        report.skipped.push(format!("{hyperedges} hyperedges (a map's relationships join two ends)"));
    }
    if ports > 0 {
        report.adjusted.push(format!("{ports} edges attach to ports; joined to their nodes"));
    }
    Ok(graph)
}
