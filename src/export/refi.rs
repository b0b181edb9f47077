//! The map as a REFI-QDA project (`.qdpx`), so a researcher can carry it into ATLAS.ti, NVivo,
//! MAXQDA or QualCoder: the codebook; every concept as a code under a parent code named
//! [`CONCEPTS_PARENT`] (concepts are not codes in Qualmap, so they get their own codes); areas as
//! code sets; relationships between concepts as links; a network view (graph) with the concepts'
//! positions; and the evidence as coded selections of its sources' texts. A source's text is its
//! excerpts one after another, since the map keeps excerpts, not whole transcripts.
//! Qualmap's own importer reads such a file back to the same map.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;

use super::svg::xml_escape;
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

fn write_codes(out: &mut String, doc: &Document, parent: Option<crate::model::CodeId>, depth: usize) {
    for code in doc.codes.iter().filter(|c| c.parent == parent) {
        let indent = "  ".repeat(depth + 3);
        let _ = write!(
            out,
            "{indent}<Code guid=\"{}\" name=\"{}\" isCodable=\"true\" color=\"{}\"",
            guid(CODE, code.id.0),
            xml_escape(&code.name),
            code.color.to_hex().to_uppercase()
        );
        let has_children = doc.codes.iter().any(|c| c.parent == Some(code.id));
        if code.description.is_empty() && !has_children {
            let _ = writeln!(out, "/>");
            continue;
        }
        let _ = writeln!(out, ">");
        if !code.description.is_empty() {
            let _ = writeln!(out, "{indent}  <Description>{}</Description>", xml_escape(&code.description));
        }
        write_codes(out, doc, Some(code.id), depth + 1);
        let _ = writeln!(out, "{indent}</Code>");
    }
}

/// The project XML and the source texts (file name → text).
pub fn project(doc: &Document) -> (String, BTreeMap<String, String>) {
    let mut out = String::new();
    let _ = writeln!(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    let _ = writeln!(
        out,
        "<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"{}\" origin=\"Qualmap {}\">",
        xml_escape(&doc.info.title),
        env!("CARGO_PKG_VERSION")
    );
    let coders: Vec<&str> = {
        let mut c: Vec<&str> = doc.evidence.iter().map(|e| e.coder.as_str()).filter(|c| !c.is_empty()).collect();
        c.sort_unstable();
        c.dedup();
        c
    };
    let user_guid = |name: &str| guid(USER, coders.iter().position(|c| *c == name).unwrap_or(0) as u64 + 1);
    if !coders.is_empty() {
        let _ = writeln!(out, "  <Users>");
        for coder in &coders {
            let _ = writeln!(out, "    <User guid=\"{}\" name=\"{}\"/>", user_guid(coder), xml_escape(coder));
        }
        let _ = writeln!(out, "  </Users>");
    }
    let _ = writeln!(out, "  <CodeBook>\n    <Codes>");
    write_codes(&mut out, doc, None, 0);
    let _ = writeln!(out, "      <Code guid=\"{}\" name=\"{CONCEPTS_PARENT}\" isCodable=\"false\">", guid(OTHER, 1));
    for concept in &doc.concepts {
        let _ = write!(
            out,
            "        <Code guid=\"{}\" name=\"{}\" isCodable=\"true\"",
            guid(CONCEPT, concept.id.0),
            xml_escape(&concept.label)
        );
        if concept.description.is_empty() {
            let _ = writeln!(out, "/>");
        } else {
            let _ = writeln!(out, "><Description>{}</Description></Code>", xml_escape(&concept.description));
        }
    }
    let _ = writeln!(out, "      </Code>\n    </Codes>\n  </CodeBook>");

    // Variables and cases from the sources' attributes.
    let mut variables: Vec<&str> = doc.sources.iter().flat_map(|s| s.attributes.keys().map(String::as_str)).collect();
    variables.sort_unstable();
    variables.dedup();
    let variable_guid = |name: &str| guid(VARIABLE, variables.iter().position(|v| *v == name).unwrap_or(0) as u64 + 1);
    if !variables.is_empty() {
        let _ = writeln!(out, "  <Variables>");
        for v in &variables {
            let _ = writeln!(
                out,
                "    <Variable guid=\"{}\" name=\"{}\" typeOfVariable=\"Text\"/>",
                variable_guid(v),
                xml_escape(v)
            );
        }
        let _ = writeln!(out, "  </Variables>\n  <Cases>");
        for source in doc.sources.iter().filter(|s| !s.attributes.is_empty()) {
            let name = source.attributes.get("participant").cloned().unwrap_or_else(|| source.name.clone());
            let _ = writeln!(out, "    <Case guid=\"{}\" name=\"{}\">", guid(CASE, source.id.0), xml_escape(&name));
            for (k, v) in &source.attributes {
                let _ = writeln!(
                    out,
                    "      <VariableValue><VariableRef targetGUID=\"{}\"/><TextValue>{}</TextValue></VariableValue>",
                    variable_guid(k),
                    xml_escape(v)
                );
            }
            let _ = writeln!(out, "      <SourceRef targetGUID=\"{}\"/>\n    </Case>", guid(SOURCE, source.id.0));
        }
        let _ = writeln!(out, "  </Cases>");
    }

    // Sources: the excerpts one after another, each a coded selection.
    let mut texts = BTreeMap::new();
    let _ = writeln!(out, "  <Sources>");
    for source in &doc.sources {
        let file = format!("{}.txt", guid(SOURCE, source.id.0));
        let _ = writeln!(
            out,
            "    <TextSource guid=\"{}\" name=\"{}\" plainTextPath=\"internal://{file}\">",
            guid(SOURCE, source.id.0),
            xml_escape(&source.name)
        );
        let mut text = String::new();
        for e in doc.evidence.iter().filter(|e| e.source == source.id) {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            let start = text.chars().count();
            text.push_str(&e.excerpt);
            let end = text.chars().count();
            let name: String = e.excerpt.chars().take(40).collect();
            let _ = write!(
                out,
                "      <PlainTextSelection guid=\"{}\" name=\"{}\" startPosition=\"{start}\" endPosition=\"{end}\"",
                guid(SELECTION, e.id.0),
                xml_escape(&name)
            );
            if !e.coder.is_empty() {
                let _ = write!(out, " creatingUser=\"{}\"", user_guid(&e.coder));
            }
            if !e.coded_at.is_empty() {
                let _ = write!(out, " creationDateTime=\"{}\"", xml_escape(&e.coded_at));
            }
            let _ = writeln!(out, ">");
            if !e.memo.is_empty() {
                let _ = writeln!(out, "        <Description>{}</Description>", xml_escape(&e.memo));
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
                let _ = write!(out, "        <Coding guid=\"{}-{i}\"", guid(SELECTION, e.id.0));
                if !e.coder.is_empty() {
                    let _ = write!(out, " creatingUser=\"{}\"", user_guid(&e.coder));
                }
                let _ = writeln!(out, "><CodeRef targetGUID=\"{target}\"/></Coding>");
            }
            let _ = writeln!(out, "      </PlainTextSelection>");
        }
        let _ = writeln!(out, "    </TextSource>");
        texts.insert(file, text);
    }
    let _ = writeln!(out, "  </Sources>");

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
        let _ = writeln!(out, "  <Links>");
        for (rel, a, b) in &concept_links {
            let direction = match doc.direction_of(rel) {
                Direction::OneWay => "OneWay",
                Direction::Associative => "Associative",
                Direction::Bidirectional => "Bidirectional",
            };
            let name = doc.relationship_type(rel.type_id).map_or("", |t| t.name.as_str());
            let _ = writeln!(
                out,
                "    <Link guid=\"{}\" name=\"{}\" direction=\"{direction}\" originGUID=\"{}\" targetGUID=\"{}\"/>",
                guid(LINK, rel.id.0),
                xml_escape(name),
                guid(CONCEPT, a.0),
                guid(CONCEPT, b.0)
            );
        }
        let _ = writeln!(out, "  </Links>");
    }
    if !doc.areas.is_empty() {
        let _ = writeln!(out, "  <Sets>");
        for area in &doc.areas {
            let _ = writeln!(out, "    <Set guid=\"{}\" name=\"{}\">", guid(SET, area.id.0), xml_escape(&area.label));
            for member in doc.members_of(area.id) {
                let _ = writeln!(out, "      <MemberCode targetGUID=\"{}\"/>", guid(CONCEPT, member.id.0));
            }
            let _ = writeln!(out, "    </Set>");
        }
        let _ = writeln!(out, "  </Sets>");
    }
    let _ =
        writeln!(out, "  <Graphs>\n    <Graph guid=\"{}\" name=\"{}\">", guid(OTHER, 2), xml_escape(&doc.info.title));
    for concept in &doc.concepts {
        let _ = writeln!(
            out,
            "      <Vertex guid=\"{}\" representedGUID=\"{}\" firstX=\"{}\" firstY=\"{}\"/>",
            guid(OTHER, 1000 + concept.id.0),
            guid(CONCEPT, concept.id.0),
            concept.pos.x,
            concept.pos.y
        );
    }
    for (rel, a, b) in &concept_links {
        let _ = writeln!(
            out,
            "      <Edge guid=\"{}\" representedGUID=\"{}\" sourceVertex=\"{}\" targetVertex=\"{}\"/>",
            guid(OTHER, 1_000_000 + rel.id.0),
            guid(LINK, rel.id.0),
            guid(OTHER, 1000 + a.0),
            guid(OTHER, 1000 + b.0)
        );
    }
    let _ = writeln!(out, "    </Graph>\n  </Graphs>\n</Project>");
    (out, texts)
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
