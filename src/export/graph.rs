//! Graph formats for other tools. Concepts and areas are nodes (areas too, since relationships
//! may join whole areas); membership, provenance and support travel as attributes.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::{ExportOptions, XmlOut};
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

/// The XML declaration of the GraphML and GEXF files.
const DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

/// A `<data key="…">value</data>` of a GraphML node or edge.
fn data(out: &mut XmlOut, key: &str, value: &str) {
    out.start("data").attr("key", key).end_with_text(value);
}

/// GraphML with typed attribute keys.
pub fn graphml(doc: &Document, options: &ExportOptions) -> String {
    let support = counts(doc, options);
    let mut out = XmlOut::new(DECLARATION);
    out.start("graphml").attr("xmlns", "http://graphml.graphdrawing.org/xmlns");
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
        out.start("key")
            .attr("id", format_args!("{domain}_{name}"))
            .attr("for", domain)
            .attr("attr.name", name)
            .attr("attr.type", kind)
            .end();
    }
    out.start("graph").attr("id", "map").attr("edgedefault", "directed");
    for area in &doc.areas {
        out.start("node").attr("id", node_id(Endpoint::Area(area.id)));
        data(&mut out, "node_label", &area.label);
        data(&mut out, "node_kind", "area");
        data(&mut out, "node_color", &area.color.to_hex());
        data(&mut out, "node_provenance", provenance(area.provenance.kind));
        data(&mut out, "node_support", &support.get(&ItemRef::Area(area.id)).copied().unwrap_or(0).to_string());
        data(&mut out, "node_description", &area.description);
        out.end();
    }
    for concept in &doc.concepts {
        out.start("node").attr("id", node_id(Endpoint::Concept(concept.id)));
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
        out.end();
    }
    for rel in &doc.relationships {
        let direction = doc.direction_of(rel);
        out.start("edge")
            .attr("id", format_args!("r{}", rel.id.0))
            .attr("source", node_id(rel.from))
            .attr("target", node_id(rel.to));
        data(&mut out, "edge_type", doc.relationship_type(rel.type_id).map_or("", |t| t.name.as_str()));
        data(&mut out, "edge_label", doc.relationship_label(rel));
        data(&mut out, "edge_direction", direction_name(direction));
        data(&mut out, "edge_provenance", provenance(rel.provenance.kind));
        data(&mut out, "edge_support", &support.get(&ItemRef::Relationship(rel.id)).copied().unwrap_or(0).to_string());
        out.end();
    }
    out.end(); // graph
    out.end(); // graphml
    out.finish()
}

/// The `<attvalues>` of a GEXF node or edge: the values of its class's attributes 0, 1, 2 …
fn attvalues(out: &mut XmlOut, values: &[&dyn std::fmt::Display]) {
    out.start("attvalues");
    for (i, value) in values.iter().enumerate() {
        out.start("attvalue").attr("for", i).attr("value", value).end();
    }
    out.end();
}

/// The `<attributes>` declaration of a GEXF class (`node` or `edge`): names and types, by index.
fn gexf_attributes(out: &mut XmlOut, class: &str, attributes: &[(&str, &str)]) {
    out.start("attributes").attr("class", class);
    for (i, (name, kind)) in attributes.iter().enumerate() {
        out.start("attribute").attr("id", i).attr("title", name).attr("type", kind).end();
    }
    out.end();
}

/// GEXF 1.3 with viz positions, colours and sizes, for Gephi.
pub fn gexf(doc: &Document, options: &ExportOptions, scene: &Scene) -> String {
    let support = counts(doc, options);
    let mut out = XmlOut::new(DECLARATION);
    out.start("gexf")
        .attr("xmlns", "http://gexf.net/1.3")
        .attr("xmlns:viz", "http://gexf.net/1.3/viz")
        .attr("version", "1.3");
    out.start("meta");
    out.start("creator").end_with_text("Qualmap");
    out.start("description").end_with_text(&doc.info.title);
    out.end(); // meta
    out.start("graph").attr("defaultedgetype", "directed").attr("mode", "static");
    gexf_attributes(
        &mut out,
        "node",
        &[("kind", "string"), ("areas", "string"), ("provenance", "string"), ("support", "integer")],
    );
    gexf_attributes(
        &mut out,
        "edge",
        &[("type", "string"), ("direction", "string"), ("provenance", "string"), ("support", "integer")],
    );
    out.start("nodes");
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
    out.end(); // nodes
    out.start("edges");
    for rel in &doc.relationships {
        let n = support.get(&ItemRef::Relationship(rel.id)).copied().unwrap_or(0);
        out.start("edge")
            .attr("id", format_args!("r{}", rel.id.0))
            .attr("source", node_id(rel.from))
            .attr("target", node_id(rel.to))
            .attr("label", doc.relationship_label(rel))
            .attr("weight", n.max(1));
        let type_name = doc.relationship_type(rel.type_id).map_or("", |t| t.name.as_str());
        attvalues(
            &mut out,
            &[&type_name, &direction_name(doc.direction_of(rel)), &provenance(rel.provenance.kind), &n],
        );
        out.end();
    }
    out.end(); // edges
    out.end(); // graph
    out.end(); // gexf
    out.finish()
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
    fn write(&self, out: &mut XmlOut) {
        out.start("node").attr("id", node_id(self.id)).attr("label", self.label);
        attvalues(out, &[&self.kind, &self.areas, &self.provenance, &self.support]);
        // GEXF's y axis points up.
        if let Some((x, y)) = self.position {
            out.start("viz:position").attr("x", x).attr("y", -y).attr("z", 0).end();
        }
        if let Some(c) = self.color {
            out.start("viz:color").attr("r", c.r).attr("g", c.g).attr("b", c.b).end();
        }
        out.start("viz:size").attr("value", self.size).end();
        out.end();
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{AWKWARD, awkward_in_attribute, awkward_in_text};
    use super::*;

    /// The example map with [`AWKWARD`] in its title, first area's label, first concept's label
    /// and description, and first relationship's label and type name.
    fn awkward_map() -> Document {
        let mut doc = crate::model::example::document();
        doc.info.title = AWKWARD.to_owned();
        doc.areas[0].label = AWKWARD.to_owned();
        doc.concepts[0].label = AWKWARD.to_owned();
        doc.concepts[0].description = AWKWARD.to_owned();
        doc.relationships[0].label = AWKWARD.to_owned();
        doc.relationship_types[0].name = AWKWARD.to_owned();
        doc
    }

    /// The element with attribute `id` = `id`.
    fn by_id<'a, 'i>(xml: &'a roxmltree::Document<'i>, id: &str) -> roxmltree::Node<'a, 'i> {
        xml.descendants().find(|n| n.attribute("id") == Some(id)).unwrap()
    }

    #[test]
    fn graphml_reads_back_awkward_text() {
        let doc = awkward_map();
        let text = graphml(&doc, &ExportOptions::default());
        let xml = roxmltree::Document::parse(&text).unwrap();
        let data = |id: &str, key: &str| {
            by_id(&xml, id)
                .children()
                .find(|d| d.attribute("key") == Some(key))
                .and_then(|d| d.text())
                .map(str::to_owned)
        };
        let want = Some(awkward_in_text());
        let concept = node_id(Endpoint::Concept(doc.concepts[0].id));
        assert_eq!(data(&concept, "node_label"), want);
        assert_eq!(data(&concept, "node_description"), want);
        assert_eq!(data(&node_id(Endpoint::Area(doc.areas[0].id)), "node_label"), want);
        let edge = format!("r{}", doc.relationships[0].id.0);
        assert_eq!(data(&edge, "edge_label"), want);
        let typed = doc.relationships.iter().find(|r| r.type_id == doc.relationship_types[0].id).unwrap();
        assert_eq!(data(&format!("r{}", typed.id.0), "edge_type"), want);
        // A member of the first area lists it by name.
        let member = doc.members_of(doc.areas[0].id).next().unwrap();
        let areas = data(&node_id(Endpoint::Concept(member.id)), "node_areas").unwrap();
        assert!(areas.contains(&awkward_in_text()), "{areas}");
        assert_eq!(text, graphml(&doc, &ExportOptions::default()), "byte-stable");
    }

    #[test]
    fn gexf_reads_back_awkward_text() {
        let doc = awkward_map();
        let scene = super::super::export_scene(&doc, &ExportOptions::default(), &crate::scene::ApproxMeasure);
        let text = gexf(&doc, &ExportOptions::default(), &scene);
        let xml = roxmltree::Document::parse(&text).unwrap();
        let description = xml.descendants().find(|n| n.has_tag_name("description")).and_then(|n| n.text());
        assert_eq!(description, Some(awkward_in_text().as_str()));
        let want = Some(awkward_in_attribute());
        let label = |id: &str| by_id(&xml, id).attribute("label").map(str::to_owned);
        assert_eq!(label(&node_id(Endpoint::Concept(doc.concepts[0].id))), want);
        assert_eq!(label(&node_id(Endpoint::Area(doc.areas[0].id))), want);
        assert_eq!(label(&format!("r{}", doc.relationships[0].id.0)), want);
        // Attribute values: the type of a relationship, the areas of a member.
        let attvalue = |id: &str, index: &str| {
            by_id(&xml, id)
                .descendants()
                .find(|a| a.has_tag_name("attvalue") && a.attribute("for") == Some(index))
                .and_then(|a| a.attribute("value"))
                .map(str::to_owned)
        };
        let typed = doc.relationships.iter().find(|r| r.type_id == doc.relationship_types[0].id).unwrap();
        assert_eq!(attvalue(&format!("r{}", typed.id.0), "0"), want);
        let member = doc.members_of(doc.areas[0].id).next().unwrap();
        let areas = attvalue(&node_id(Endpoint::Concept(member.id)), "1").unwrap();
        assert!(areas.contains(&awkward_in_attribute()), "{areas}");
        assert_eq!(text, gexf(&doc, &ExportOptions::default(), &scene), "byte-stable");
    }
}
