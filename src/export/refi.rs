//! The map as a REFI-QDA project (`.qdpx`), so a researcher can carry it into ATLAS.ti, NVivo,
//! MAXQDA or QualCoder: the codebook; every concept as a code under a parent code named
//! [`CONCEPTS_PARENT`] (concepts are not codes in Qualmap, so they get their own codes); areas as
//! code sets; relationships between concepts as links; a network view (graph) with the concepts'
//! positions; and the evidence as coded selections of its sources' texts. A source's text is its
//! excerpts one after another, since the map keeps excerpts, not whole transcripts.
//! Qualmap's own importer reads such a file back to the same map.

use std::collections::BTreeMap;
use std::io::Write as _;

use super::XmlOut;
use crate::model::{ConceptId, Direction, Document, Endpoint, ItemRef};

/// Name of the parent code that holds one code per concept.
pub const CONCEPTS_PARENT: &str = "Qualmap concepts";

/// A stable GUID for an element: kind number and id, so exports are byte-identical.
fn guid(kind: u32, id: u64) -> String {
    format!("{kind:08x}-0000-4000-8000-{id:012x}")
}

const CODE: u32 = 1;
const CONCEPT: u32 = 2;
const SOURCE: u32 = 3;
const SELECTION: u32 = 4;
const LINK: u32 = 5;
const SET: u32 = 6;
const USER: u32 = 7;
const CASE: u32 = 8;
const VARIABLE: u32 = 9;
const OTHER: u32 = 10;

/// The XML declaration of the project file, as it has always been written.
const DECLARATION: &str = r#"<?xml version="1.0" encoding="utf-8"?>"#;

/// The codes under `parent` (the top-level codes for `None`), each with its description and
/// its own children.
fn write_codes(out: &mut XmlOut, doc: &Document, parent: Option<crate::model::CodeId>) {
    for code in doc.codes.iter().filter(|c| c.parent == parent) {
        out.start("Code")
            .attr("guid", guid(CODE, code.id.0))
            .attr("name", &code.name)
            .attr("isCodable", "true")
            .attr("color", code.color.to_hex().to_uppercase());
        if !code.description.is_empty() {
            out.start("Description").end_with_text(&code.description);
        }
        write_codes(out, doc, Some(code.id));
        out.end();
    }
}

/// The project XML and the source texts (file name → text).
pub fn project(doc: &Document) -> (String, BTreeMap<String, String>) {
    let mut out = XmlOut::new(DECLARATION);
    out.start("Project")
        .attr("xmlns", "urn:QDA-XML:project:1.0")
        .attr("name", &doc.info.title)
        .attr("origin", format_args!("Qualmap {}", env!("CARGO_PKG_VERSION")));
    let coders: Vec<&str> = {
        let mut c: Vec<&str> = doc.evidence.iter().map(|e| e.coder.as_str()).filter(|c| !c.is_empty()).collect();
        c.sort_unstable();
        c.dedup();
        c
    };
    let user_guid = |name: &str| guid(USER, coders.iter().position(|c| *c == name).unwrap_or(0) as u64 + 1);
    if !coders.is_empty() {
        out.start("Users");
        for coder in &coders {
            out.start("User").attr("guid", user_guid(coder)).attr("name", coder).end();
        }
        out.end();
    }
    out.start("CodeBook");
    out.start("Codes");
    write_codes(&mut out, doc, None);
    out.start("Code").attr("guid", guid(OTHER, 1)).attr("name", CONCEPTS_PARENT).attr("isCodable", "false");
    for concept in &doc.concepts {
        out.start("Code")
            .attr("guid", guid(CONCEPT, concept.id.0))
            .attr("name", &concept.label)
            .attr("isCodable", "true");
        if !concept.description.is_empty() {
            out.start("Description").end_with_text(&concept.description);
        }
        out.end();
    }
    out.end(); // Code (the concepts' parent)
    out.end(); // Codes
    out.end(); // CodeBook

    // Variables and cases from the sources' attributes.
    let mut variables: Vec<&str> = doc.sources.iter().flat_map(|s| s.attributes.keys().map(String::as_str)).collect();
    variables.sort_unstable();
    variables.dedup();
    let variable_guid = |name: &str| guid(VARIABLE, variables.iter().position(|v| *v == name).unwrap_or(0) as u64 + 1);
    if !variables.is_empty() {
        out.start("Variables");
        for v in &variables {
            out.start("Variable").attr("guid", variable_guid(v)).attr("name", v).attr("typeOfVariable", "Text").end();
        }
        out.end();
        out.start("Cases");
        for source in doc.sources.iter().filter(|s| !s.attributes.is_empty()) {
            let name = source.attributes.get("participant").unwrap_or(&source.name);
            out.start("Case").attr("guid", guid(CASE, source.id.0)).attr("name", name);
            for (k, v) in &source.attributes {
                out.start("VariableValue");
                out.start("VariableRef").attr("targetGUID", variable_guid(k)).end();
                out.start("TextValue").end_with_text(v);
                out.end();
            }
            out.start("SourceRef").attr("targetGUID", guid(SOURCE, source.id.0)).end();
            out.end();
        }
        out.end(); // Cases
    }

    // Sources: the excerpts one after another, each a coded selection.
    let mut texts = BTreeMap::new();
    out.start("Sources");
    for source in &doc.sources {
        let file = format!("{}.txt", guid(SOURCE, source.id.0));
        out.start("TextSource")
            .attr("guid", guid(SOURCE, source.id.0))
            .attr("name", &source.name)
            .attr("plainTextPath", format_args!("internal://{file}"));
        let mut text = String::new();
        for e in doc.evidence.iter().filter(|e| e.source == source.id) {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            let start = text.chars().count();
            text.push_str(&e.excerpt);
            let end = text.chars().count();
            let name: String = e.excerpt.chars().take(40).collect();
            out.start("PlainTextSelection")
                .attr("guid", guid(SELECTION, e.id.0))
                .attr("name", name)
                .attr("startPosition", start)
                .attr("endPosition", end);
            if !e.coder.is_empty() {
                out.attr("creatingUser", user_guid(&e.coder));
            }
            if !e.coded_at.is_empty() {
                out.attr("creationDateTime", &e.coded_at);
            }
            if !e.memo.is_empty() {
                out.start("Description").end_with_text(&e.memo);
            }
            let mut targets: Vec<String> = e.codes.iter().map(|c| guid(CODE, c.0)).collect();
            for link in &e.links {
                match link {
                    ItemRef::Concept(c) => targets.push(guid(CONCEPT, c.0)),
                    ItemRef::Relationship(r) => targets.push(guid(LINK, r.0)),
                    ItemRef::Area(_) => {}
                }
            }
            for (i, target) in targets.iter().enumerate() {
                out.start("Coding").attr("guid", format_args!("{}-{i}", guid(SELECTION, e.id.0)));
                if !e.coder.is_empty() {
                    out.attr("creatingUser", user_guid(&e.coder));
                }
                out.start("CodeRef").attr("targetGUID", target).end();
                out.end();
            }
            out.end(); // PlainTextSelection
        }
        out.end(); // TextSource
        texts.insert(file, text);
    }
    out.end(); // Sources

    // Links between concepts; relationships with an area end have no REFI equivalent.
    let concept_links: Vec<(&crate::model::Relationship, ConceptId, ConceptId)> = doc
        .relationships
        .iter()
        .filter_map(|r| match (r.from, r.to) {
            (Endpoint::Concept(a), Endpoint::Concept(b)) => Some((r, a, b)),
            _ => None,
        })
        .collect();
    if !concept_links.is_empty() {
        out.start("Links");
        for (rel, a, b) in &concept_links {
            let direction = match doc.direction_of(rel) {
                Direction::OneWay => "OneWay",
                Direction::Associative => "Associative",
                Direction::Bidirectional => "Bidirectional",
            };
            let name = doc.relationship_type(rel.type_id).map_or("", |t| t.name.as_str());
            out.start("Link")
                .attr("guid", guid(LINK, rel.id.0))
                .attr("name", name)
                .attr("direction", direction)
                .attr("originGUID", guid(CONCEPT, a.0))
                .attr("targetGUID", guid(CONCEPT, b.0))
                .end();
        }
        out.end();
    }
    if !doc.areas.is_empty() {
        out.start("Sets");
        for area in &doc.areas {
            out.start("Set").attr("guid", guid(SET, area.id.0)).attr("name", &area.label);
            for member in doc.members_of(area.id) {
                out.start("MemberCode").attr("targetGUID", guid(CONCEPT, member.id.0)).end();
            }
            out.end();
        }
        out.end();
    }
    out.start("Graphs");
    out.start("Graph").attr("guid", guid(OTHER, 2)).attr("name", &doc.info.title);
    for concept in &doc.concepts {
        out.start("Vertex")
            .attr("guid", guid(OTHER, 1000 + concept.id.0))
            .attr("representedGUID", guid(CONCEPT, concept.id.0))
            .attr("firstX", concept.pos.x)
            .attr("firstY", concept.pos.y)
            .end();
    }
    for (rel, a, b) in &concept_links {
        out.start("Edge")
            .attr("guid", guid(OTHER, 1_000_000 + rel.id.0))
            .attr("representedGUID", guid(LINK, rel.id.0))
            .attr("sourceVertex", guid(OTHER, 1000 + a.0))
            .attr("targetVertex", guid(OTHER, 1000 + b.0))
            .end();
    }
    out.end(); // Graph
    out.end(); // Graphs
    out.end(); // Project
    (out.finish(), texts)
}

/// The `.qdpx` archive bytes.
pub fn qdpx(doc: &Document) -> Result<Vec<u8>, String> {
    let (project, texts) = project(doc);
    let mut buffer = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buffer);
        // A fixed timestamp keeps the archive byte-identical between exports.
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default());
        zip.start_file("project.qde", options).map_err(|e| e.to_string())?;
        zip.write_all(project.as_bytes()).map_err(|e| e.to_string())?;
        for (name, text) in texts {
            zip.start_file(format!("sources/{name}"), options).map_err(|e| e.to_string())?;
            zip.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
        }
        zip.finish().map_err(|e| e.to_string())?;
    }
    Ok(buffer.into_inner())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{AWKWARD, awkward_in_attribute, awkward_in_text};
    use super::*;

    #[test]
    fn the_project_reads_back_awkward_text() {
        let mut doc = crate::model::example::document();
        let awkward = AWKWARD.to_owned();
        doc.info.title.clone_from(&awkward);
        doc.codes[0].name.clone_from(&awkward);
        doc.codes[0].description.clone_from(&awkward);
        doc.concepts[0].label.clone_from(&awkward);
        doc.concepts[0].description.clone_from(&awkward);
        doc.areas[0].label.clone_from(&awkward);
        doc.sources[0].name.clone_from(&awkward);
        doc.sources[0].attributes.insert(awkward.clone(), awkward.clone());
        let linked = doc
            .relationships
            .iter()
            .find(|r| matches!(r.from, Endpoint::Concept(_)) && matches!(r.to, Endpoint::Concept(_)))
            .unwrap()
            .type_id;
        doc.relationship_types.iter_mut().find(|t| t.id == linked).unwrap().name.clone_from(&awkward);
        let evidence = &mut doc.evidence[0];
        evidence.memo.clone_from(&awkward);
        evidence.coder.clone_from(&awkward);
        evidence.coded_at.clone_from(&awkward);
        let (text, _) = project(&doc);
        assert_eq!(text, project(&doc).0, "byte-stable");
        let xml = roxmltree::Document::parse(&text).unwrap();
        let (in_attribute, in_text) = (awkward_in_attribute(), awkward_in_text());
        let named = |tag: &str| {
            xml.descendants()
                .filter(|n| n.has_tag_name(tag) && n.attribute("name") == Some(in_attribute.as_str()))
                .count()
        };
        // The title (project and graph), the code and the concept, the coder, the variable, the source, the
        // relationship type (on each link of that type) and the area.
        assert_eq!(named("Project"), 1);
        assert_eq!(named("Graph"), 1);
        assert_eq!(named("Code"), 2);
        assert_eq!(named("User"), 1);
        assert_eq!(named("Variable"), 1);
        assert_eq!(named("TextSource"), 1);
        assert!(named("Link") >= 1);
        assert_eq!(named("Set"), 1);
        let texts =
            |tag: &str| xml.descendants().filter(|n| n.has_tag_name(tag) && n.text() == Some(in_text.as_str())).count();
        // The code's, the concept's and the selection's (its memo).
        assert_eq!(texts("Description"), 3);
        assert_eq!(texts("TextValue"), 1);
        let dated =
            xml.descendants().filter(|n| n.attribute("creationDateTime") == Some(in_attribute.as_str())).count();
        assert_eq!(dated, 1);
    }
}
