//! Graph formats for other tools. Concepts and areas are nodes (areas too, since relationships
//! may join whole areas); membership, provenance and support travel as attributes.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::ExportOptions;
use super::svg::xml_escape;
use crate::model::support::support_counts;
use crate::model::{Direction, Document, Endpoint, ItemRef, ProvenanceKind, Rgb};
use crate::scene::Scene;

fn node_id(end: Endpoint) -> String {
    match end {
        Endpoint::Concept(id) => format!("c{}", id.0),
        Endpoint::Area(id) => format!("a{}", id.0),
    }
}

fn provenance(kind: ProvenanceKind) -> &'static str {
    match kind {
        ProvenanceKind::Paper => "paper",
        ProvenanceKind::Illustrative => "illustrative",
        ProvenanceKind::User => "user",
        ProvenanceKind::Imported => "imported",
    }
}

fn direction_name(direction: Direction) -> &'static str {
    match direction {
        Direction::OneWay => "one-way",
        Direction::Associative => "associative",
        Direction::Bidirectional => "bidirectional",
    }
}

fn area_names(doc: &Document, areas: &[crate::model::AreaId]) -> String {
    areas.iter().filter_map(|a| doc.area(*a)).map(|a| a.label.as_str()).collect::<Vec<_>>().join("; ")
}

fn counts(doc: &Document, options: &ExportOptions) -> HashMap<ItemRef, usize> {
    support_counts(doc, &options.filter, options.support)
}

/// GraphML with typed attribute keys.
pub fn graphml(doc: &Document, options: &ExportOptions) -> String {
    let support = counts(doc, options);
    let mut out = String::new();
    let _ = writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let _ = writeln!(out, "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">");
    let keys = [
        ("label", "node", "string"),
        ("kind", "node", "string"),
        ("x", "node", "double"),
        ("y", "node", "double"),
        ("areas", "node", "string"),
        ("color", "node", "string"),
        ("provenance", "node", "string"),
        ("support", "node", "int"),
        ("description", "node", "string"),
        ("type", "edge", "string"),
        ("label", "edge", "string"),
        ("direction", "edge", "string"),
        ("provenance", "edge", "string"),
        ("support", "edge", "int"),
    ];
    for (name, domain, kind) in keys {
        let id = format!("{domain}_{name}");
        let _ = writeln!(out, "  <key id=\"{id}\" for=\"{domain}\" attr.name=\"{name}\" attr.type=\"{kind}\"/>");
    }
    let _ = writeln!(out, "  <graph id=\"map\" edgedefault=\"directed\">");
    let data = |out: &mut String, key: &str, value: &str| {
        let _ = writeln!(out, "      <data key=\"{key}\">{}</data>", xml_escape(value));
    };
    for area in &doc.areas {
        let _ = writeln!(out, "    <node id=\"{}\">", node_id(Endpoint::Area(area.id)));
        data(&mut out, "node_label", &area.label);
        data(&mut out, "node_kind", "area");
        data(&mut out, "node_color", &area.color.to_hex());
        data(&mut out, "node_provenance", provenance(area.provenance.kind));
        data(&mut out, "node_support", &support.get(&ItemRef::Area(area.id)).copied().unwrap_or(0).to_string());
        data(&mut out, "node_description", &area.description);
        let _ = writeln!(out, "    </node>");
    }
    for concept in &doc.concepts {
        let _ = writeln!(out, "    <node id=\"{}\">", node_id(Endpoint::Concept(concept.id)));
        data(&mut out, "node_label", &concept.label);
        data(&mut out, "node_kind", "concept");
        data(&mut out, "node_x", &concept.pos.x.to_string());
        data(&mut out, "node_y", &concept.pos.y.to_string());
        data(&mut out, "node_areas", &area_names(doc, &concept.areas));
        if let Some(color) = concept.color {
            data(&mut out, "node_color", &color.to_hex());
        }
        data(&mut out, "node_provenance", provenance(concept.provenance.kind));
        data(&mut out, "node_support", &support.get(&ItemRef::Concept(concept.id)).copied().unwrap_or(0).to_string());
        data(&mut out, "node_description", &concept.description);
        let _ = writeln!(out, "    </node>");
    }
    for rel in &doc.relationships {
        let direction = doc.direction_of(rel);
        let _ = writeln!(
            out,
            "    <edge id=\"r{}\" source=\"{}\" target=\"{}\">",
            rel.id.0,
            node_id(rel.from),
            node_id(rel.to)
        );
        data(&mut out, "edge_type", doc.relationship_type(rel.type_id).map_or("", |t| t.name.as_str()));
        data(&mut out, "edge_label", doc.relationship_label(rel));
        data(&mut out, "edge_direction", direction_name(direction));
        data(&mut out, "edge_provenance", provenance(rel.provenance.kind));
        data(&mut out, "edge_support", &support.get(&ItemRef::Relationship(rel.id)).copied().unwrap_or(0).to_string());
        let _ = writeln!(out, "    </edge>");
    }
    let _ = writeln!(out, "  </graph>");
    let _ = writeln!(out, "</graphml>");
    out
}

/// GEXF 1.3 with viz positions, colours and sizes, for Gephi.
pub fn gexf(doc: &Document, options: &ExportOptions, scene: &Scene) -> String {
    let support = counts(doc, options);
    let mut out = String::new();
    let _ = writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let _ = writeln!(out, "<gexf xmlns=\"http://gexf.net/1.3\" xmlns:viz=\"http://gexf.net/1.3/viz\" version=\"1.3\">");
    let _ = writeln!(
        out,
        "  <meta><creator>Qualmap</creator><description>{}</description></meta>",
        xml_escape(&doc.info.title)
    );
    let _ = writeln!(out, "  <graph defaultedgetype=\"directed\" mode=\"static\">");
    let _ = writeln!(out, "    <attributes class=\"node\">");
    for (i, (name, kind)) in
        [("kind", "string"), ("areas", "string"), ("provenance", "string"), ("support", "integer")].iter().enumerate()
    {
        let _ = writeln!(out, "      <attribute id=\"{i}\" title=\"{name}\" type=\"{kind}\"/>");
    }
    let _ = writeln!(out, "    </attributes>");
    let _ = writeln!(out, "    <attributes class=\"edge\">");
    for (i, (name, kind)) in
        [("type", "string"), ("direction", "string"), ("provenance", "string"), ("support", "integer")]
            .iter()
            .enumerate()
    {
        let _ = writeln!(out, "      <attribute id=\"{i}\" title=\"{name}\" type=\"{kind}\"/>");
    }
    let _ = writeln!(out, "    </attributes>");
    let _ = writeln!(out, "    <nodes>");
    for area in &doc.areas {
        let center = scene.areas.iter().find(|a| a.id == area.id).map(|a| a.label.rect.center());
        let node = GexfNode {
            id: Endpoint::Area(area.id),
            label: &area.label,
            kind: "area",
            areas: String::new(),
            provenance: provenance(area.provenance.kind),
            support: support.get(&ItemRef::Area(area.id)).copied().unwrap_or(0),
            position: center.map(|c| (c.x, c.y)),
            color: Some(area.color),
            size: 20,
        };
        node.write(&mut out);
    }
    for concept in &doc.concepts {
        let n = support.get(&ItemRef::Concept(concept.id)).copied().unwrap_or(0);
        let node = GexfNode {
            id: Endpoint::Concept(concept.id),
            label: &concept.label,
            kind: "concept",
            areas: area_names(doc, &concept.areas),
            provenance: provenance(concept.provenance.kind),
            support: n,
            position: Some((concept.pos.x, concept.pos.y)),
            // Its own colour, else its first area's (which reads back as no colour of its own).
            color: concept.color.or_else(|| concept.areas.first().and_then(|a| doc.area(*a)).map(|a| a.color)),
            size: 6 + 2 * n.min(10),
        };
        node.write(&mut out);
    }
    let _ = writeln!(out, "    </nodes>");
    let _ = writeln!(out, "    <edges>");
    for rel in &doc.relationships {
        let n = support.get(&ItemRef::Relationship(rel.id)).copied().unwrap_or(0);
        let direction = doc.direction_of(rel);
        let _ = writeln!(
            out,
            "      <edge id=\"r{}\" source=\"{}\" target=\"{}\" label=\"{}\" weight=\"{}\">",
            rel.id.0,
            node_id(rel.from),
            node_id(rel.to),
            xml_escape(doc.relationship_label(rel)),
            n.max(1)
        );
        let _ = writeln!(
            out,
            "        <attvalues><attvalue for=\"0\" value=\"{}\"/><attvalue for=\"1\" value=\"{}\"/><attvalue for=\"2\" value=\"{}\"/><attvalue for=\"3\" value=\"{n}\"/></attvalues>",
            xml_escape(doc.relationship_type(rel.type_id).map_or("", |t| t.name.as_str())),
            direction_name(direction),
            provenance(rel.provenance.kind)
        );
        let _ = writeln!(out, "      </edge>");
    }
    let _ = writeln!(out, "    </edges>");
    let _ = writeln!(out, "  </graph>");
    let _ = writeln!(out, "</gexf>");
    out
}

fn dot_quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Map units per Graphviz point in DOT positions: Graphviz draws labels wider than the map does.
const DOT_SPREAD: f32 = 1.6;

/// Graphviz DOT; positions are given in points (`neato -n` keeps them).
pub fn dot(doc: &Document, options: &ExportOptions) -> String {
    let support = counts(doc, options);
    let mut out = String::new();
    let _ = writeln!(out, "digraph map {{");
    let _ = writeln!(out, "  graph [label={}, labelloc=t, fontname=\"Helvetica\"];", dot_quote(&doc.info.title));
    let _ = writeln!(out, "  node [shape=box, style=\"rounded,filled\", fillcolor=white, fontname=\"Helvetica\"];");
    let _ = writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=10];");
    for area in &doc.areas {
        // An area sits at the middle of its members (neato -n needs a position for every node).
        let members: Vec<&crate::model::Concept> = doc.members_of(area.id).collect();
        let count = members.len().max(1) as f32;
        let x = members.iter().map(|c| c.pos.x).sum::<f32>() / count;
        let y = members.iter().map(|c| c.pos.y).sum::<f32>() / count;
        let _ = writeln!(
            out,
            "  {} [label={}, shape=ellipse, style=filled, fillcolor=\"{}40\", color=\"{}\", pos=\"{},{}\"];",
            node_id(Endpoint::Area(area.id)),
            dot_quote(&area.label),
            area.color.to_hex(),
            area.color.to_hex(),
            x * DOT_SPREAD,
            -y * DOT_SPREAD
        );
    }
    for concept in &doc.concepts {
        // The outline in its first area's colour; a colour of its own fills the card with a
        // tint of it (`#rrggbb` and an alpha, which reads back as the colour).
        let outline =
            concept.areas.first().and_then(|a| doc.area(*a)).map(|a| format!(", color=\"{}\"", a.color.to_hex()));
        let fill = concept.color.map(|c| format!(", fillcolor=\"{}59\"", c.to_hex()));
        let _ = writeln!(
            out,
            "  {} [label={}{}{}, pos=\"{},{}\", tooltip={}];",
            node_id(Endpoint::Concept(concept.id)),
            dot_quote(&concept.label),
            outline.unwrap_or_default(),
            fill.unwrap_or_default(),
            concept.pos.x * DOT_SPREAD,
            -concept.pos.y * DOT_SPREAD,
            dot_quote(&area_names(doc, &concept.areas))
        );
    }
    for rel in &doc.relationships {
        let n = support.get(&ItemRef::Relationship(rel.id)).copied().unwrap_or(0);
        let dir = match doc.direction_of(rel) {
            Direction::OneWay => "forward",
            Direction::Associative => "none",
            Direction::Bidirectional => "both",
        };
        let style = if n == 0 { ", style=dashed" } else { "" };
        let color = doc.relationship_type(rel.type_id).map_or_else(|| "#555555".to_owned(), |t| t.color.to_hex());
        let _ = writeln!(
            out,
            "  {} -> {} [label={}, dir={dir}, color=\"{color}\", penwidth={}{style}];",
            node_id(rel.from),
            node_id(rel.to),
            dot_quote(doc.relationship_label(rel)),
            1 + n.min(6)
        );
    }
    let _ = writeln!(out, "}}");
    out
}

/// JSON Canvas 1.0: concept cards as text nodes, areas as groups around their members.
pub fn json_canvas(doc: &Document, scene: &Scene) -> String {
    let colour = |c: Rgb| c.to_hex();
    let mut nodes = Vec::new();
    for area in &scene.areas {
        let Some(info) = doc.area(area.id) else { continue };
        let mut bounds = egui::Rect::NOTHING;
        for p in &area.outline {
            bounds.extend_with(*p);
        }
        nodes.push(serde_json::json!({
            "id": node_id(Endpoint::Area(area.id)),
            "type": "group",
            "label": info.label,
            "x": bounds.left().round() as i64,
            "y": bounds.top().round() as i64,
            "width": bounds.width().round() as i64,
            "height": bounds.height().round() as i64,
            "color": colour(info.color),
        }));
    }
    for node in &scene.nodes {
        let Some(concept) = doc.concept(node.id) else { continue };
        let mut card = serde_json::json!({
            "id": node_id(Endpoint::Concept(node.id)),
            "type": "text",
            "text": concept.label,
            "x": node.rect.left().round() as i64,
            "y": node.rect.top().round() as i64,
            "width": node.rect.width().round() as i64,
            "height": node.rect.height().round() as i64,
        });
        if let (Some(color), Some(card)) = (concept.color, card.as_object_mut()) {
            card.insert("color".to_owned(), colour(color).into());
        }
        nodes.push(card);
    }
    let edges: Vec<serde_json::Value> = doc
        .relationships
        .iter()
        .map(|rel| {
            let (from_end, to_end) = match doc.direction_of(rel) {
                Direction::OneWay => ("none", "arrow"),
                Direction::Associative => ("none", "none"),
                Direction::Bidirectional => ("arrow", "arrow"),
            };
            serde_json::json!({
                "id": format!("r{}", rel.id.0),
                "fromNode": node_id(rel.from),
                "toNode": node_id(rel.to),
                "fromEnd": from_end,
                "toEnd": to_end,
                "label": doc.relationship_label(rel),
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&serde_json::json!({ "nodes": nodes, "edges": edges }))
        .unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

/// One `<node>` of a GEXF file, with its attribute values and `viz` position, colour and size.
struct GexfNode<'a> {
    id: Endpoint,
    label: &'a str,
    kind: &'static str,
    areas: String,
    provenance: &'static str,
    support: usize,
    /// Map coordinates (y down); `None` leaves the position out.
    position: Option<(f32, f32)>,
    /// None: Gephi's default grey (a concept in no area and without a colour of its own).
    color: Option<Rgb>,
    size: usize,
}

impl GexfNode<'_> {
    fn write(&self, out: &mut String) {
        let _ = writeln!(out, "      <node id=\"{}\" label=\"{}\">", node_id(self.id), xml_escape(self.label));
        let _ = writeln!(
            out,
            "        <attvalues><attvalue for=\"0\" value=\"{}\"/><attvalue for=\"1\" value=\"{}\"/><attvalue for=\"2\" value=\"{}\"/><attvalue for=\"3\" value=\"{}\"/></attvalues>",
            self.kind,
            xml_escape(&self.areas),
            self.provenance,
            self.support
        );
        // GEXF's y axis points up.
        if let Some((x, y)) = self.position {
            let _ = writeln!(out, "        <viz:position x=\"{x}\" y=\"{}\" z=\"0\"/>", -y);
        }
        if let Some(c) = self.color {
            let _ = write!(out, "        <viz:color r=\"{}\" g=\"{}\" b=\"{}\"/>", c.r, c.g, c.b);
        } else {
            out.push_str("        ");
        }
        let _ = writeln!(out, "<viz:size value=\"{}\"/>", self.size);
        let _ = writeln!(out, "      </node>");
    }
}
