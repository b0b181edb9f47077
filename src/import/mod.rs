//! Bringing coded data in: REFI-QDA projects (`.qdpx`) and codebooks (`.qdc`) from NVivo,
//! ATLAS.ti, MAXQDA, QDA Miner or QualCoder, and coded-segment tables (CSV/TSV).
//!
//! Every importer reads into the tool-neutral [`ImportData`] and an [`ImportReport`] that says what
//! was read, what was skipped and why, and what was adjusted. [`plan`] turns that data into one
//! [`Command::Batch`] against the open map, so an import is a single undoable step and the
//! command layer's checks guarantee that it cannot leave a dangling reference.

pub mod cfb;
pub mod cooccur;
pub mod docx;
pub mod graph;
pub mod positions;
pub mod refi;
pub mod sandbox;
pub mod spreadsheet;
pub mod table;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::command::{Command, Element};
use crate::model::{
    Area, AreaId, Code, CodeId, Concept, ConceptId, Direction, Document, Endpoint, Evidence, ExcerptStatus, ItemRef,
    LineStyle, Point, Provenance, ProvenanceKind, Relationship, RelationshipType, RelationshipTypeId, Rgb, Source,
    SourceId, SourceKind,
};

/// A code as read from the other tool. `key` is its GUID, or its path when there is none.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ImportCode {
    /// GUID (without braces, lower case) or path.
    pub key: String,
    /// Name.
    pub name: String,
    /// Parent's key.
    pub parent: Option<String>,
    /// Colour, if given.
    pub color: Option<Rgb>,
    /// Definition or description.
    pub description: String,
}

/// A set (group) of codes.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ImportSet {
    /// Name of the set.
    pub name: String,
    /// Keys of its member codes.
    pub members: Vec<String>,
}

/// A source document with its case's variables as attributes.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ImportSource {
    /// GUID or name.
    pub key: String,
    /// Name.
    pub name: String,
    /// Participant or case attributes.
    pub attributes: BTreeMap<String, String>,
    /// Notes about the source (its description in the project).
    pub description: String,
}

/// One coded segment.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ImportSegment {
    /// Key of the source it is cut from.
    pub source: String,
    /// The excerpt.
    pub text: String,
    /// Where in the source.
    pub location: String,
    /// Keys of its codes (or of relationships, for codings of a link).
    pub codes: Vec<String>,
    /// Memo text.
    pub memo: String,
    /// Who coded it.
    pub coder: String,
    /// When.
    pub coded_at: String,
    /// How exactly the text is known (positions uncertain, text missing).
    pub status: crate::model::ExcerptStatus,
}

/// A link between two codes.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ImportLink {
    /// The link's own GUID (codings may point at it).
    pub key: String,
    /// Name, e.g. "is cause of".
    pub name: String,
    /// Direction.
    pub direction: Direction,
    /// Origin code key.
    pub origin: String,
    /// Target code key.
    pub target: String,
}

/// What an importer read and how it went.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ImportReport {
    /// The file, as named to the user.
    pub origin: String,
    /// What was read, e.g. "12 codes".
    pub read: Vec<String>,
    /// What was skipped and why.
    pub skipped: Vec<String>,
    /// What was corrected or assumed.
    pub adjusted: Vec<String>,
}

impl ImportReport {
    /// The report as plain text, for the command line and the import window.
    pub fn text(&self) -> String {
        let mut out = format!("Import of {}\n", self.origin);
        for (title, lines) in [("Read", &self.read), ("Adjusted", &self.adjusted), ("Skipped", &self.skipped)] {
            if !lines.is_empty() {
                out.push_str(&format!("{title}:\n"));
                for line in lines {
                    out.push_str(&format!("  - {line}\n"));
                }
            }
        }
        out
    }
}

/// Tool-neutral imported data.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ImportData {
    /// The codebook, parents before children.
    pub codes: Vec<ImportCode>,
    /// Code sets.
    pub sets: Vec<ImportSet>,
    /// Sources.
    pub sources: Vec<ImportSource>,
    /// Coded segments.
    pub segments: Vec<ImportSegment>,
    /// Links between codes.
    pub links: Vec<ImportLink>,
    /// Positions of codes on a network view, by code key.
    pub positions: HashMap<String, (f32, f32)>,
    /// The project's name, if the file gives one.
    pub title: String,
    /// How the reading went.
    pub report: ImportReport,
    /// A graph file (GraphML, GEXF, DOT, JSON Canvas, CXL, edge list): planned by
    /// [`graph::plan`] instead of the fields above.
    pub graph: Option<graph::Graph>,
}

/// Why an import failed. Each names the file and, where there is one, the element.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("{origin}: cannot read the file: {source}")]
    Io {
        /// The file.
        origin: String,
        /// The reason.
        source: std::io::Error,
    },
    /// The file is refused for what it is or contains.
    #[error("{origin}: {message}")]
    Refused {
        /// The file (and entry, inside an archive).
        origin: String,
        /// What is wrong and what to do.
        message: String,
    },
}

/// Where imported areas come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AreasFrom {
    /// Code sets (a code in two sets gives a concept in two areas).
    #[default]
    Sets,
    /// Top-level parent codes.
    ParentCodes,
    /// No areas.
    Nothing,
}

/// Choices for turning imported data into map elements.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ImportOptions {
    /// Create a concept for every code that has codings.
    pub concepts_from_codes: bool,
    /// Where areas come from.
    pub areas_from: AreasFrom,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self { concepts_from_codes: true, areas_from: AreasFrom::Sets }
    }
}

/// The outcome of planning an import.
pub struct ImportPlan {
    /// One undoable step that adds everything.
    pub command: Command,
    /// What it adds or reuses, in words.
    pub summary: Vec<String>,
}

fn code_path(by_key: &HashMap<&str, &ImportCode>, key: &str) -> String {
    let mut names = Vec::new();
    let mut current = Some(key);
    for _ in 0..=by_key.len() {
        let Some(code) = current.and_then(|k| by_key.get(k)) else { break };
        names.push(code.name.as_str());
        current = code.parent.as_deref();
    }
    names.reverse();
    names.join(" / ")
}

/// Plans adding `data` to `doc`: codes (reusing codes with the same path), sources (reusing by
/// name), concepts for coded codes (reusing concepts with the same label), areas, relationships
/// for links, and evidence for segments (skipping excerpts already in the map).
pub fn plan(doc: &Document, data: &ImportData, options: &ImportOptions) -> ImportPlan {
    if let Some(graph) = &data.graph {
        return graph::plan(doc, graph, &data.report, options);
    }
    let mut commands = Vec::new();
    let mut summary = Vec::new();
    let provenance = || Provenance::new(ProvenanceKind::Imported, data.report.origin.clone());

    // Codes under "Qualmap concepts" (Qualmap's own REFI export) stand for concepts, not codes.
    let concepts_parent: Option<&str> = data
        .codes
        .iter()
        .find(|c| c.parent.is_none() && c.name == crate::export::refi::CONCEPTS_PARENT)
        .map(|c| c.key.as_str());
    let concept_codes: BTreeSet<&str> = data
        .codes
        .iter()
        .filter(|c| concepts_parent.is_some() && c.parent.as_deref() == concepts_parent)
        .map(|c| c.key.as_str())
        .collect();

    // Codes: reuse by path, else add.
    let mut code_ids: HashMap<String, CodeId> = HashMap::new();
    let existing_codes: HashMap<String, CodeId> = doc.codes.iter().map(|c| (doc.code_path(c.id), c.id)).collect();
    let (mut codes_added, mut codes_reused) = (0, 0);
    let codes_by_key: HashMap<&str, &ImportCode> = data.codes.iter().map(|c| (c.key.as_str(), c)).collect();
    for code in &data.codes {
        if Some(code.key.as_str()) == concepts_parent || concept_codes.contains(code.key.as_str()) {
            continue;
        }
        let path = code_path(&codes_by_key, &code.key);
        if let Some(id) = existing_codes.get(&path) {
            code_ids.insert(code.key.clone(), *id);
            codes_reused += 1;
            continue;
        }
        let id = doc.next_code_id();
        let parent = code.parent.as_ref().and_then(|p| code_ids.get(p)).copied();
        commands.push(Command::Insert(Element::Code(Code {
            id,
            name: code.name.clone(),
            parent,
            color: code.color.unwrap_or(Rgb::new(0x88, 0x88, 0x88)),
            description: code.description.clone(),
        })));
        code_ids.insert(code.key.clone(), id);
        codes_added += 1;
    }
    summary.push(format!("{codes_added} codes added, {codes_reused} already in the codebook"));

    // Sources: reuse by name, else add.
    let mut source_ids: HashMap<String, SourceId> = HashMap::new();
    let existing_sources: HashMap<&str, SourceId> = doc.sources.iter().map(|s| (s.name.as_str(), s.id)).collect();
    let mut sources_added = 0;
    for source in &data.sources {
        if let Some(id) = existing_sources.get(source.name.as_str()) {
            source_ids.insert(source.key.clone(), *id);
            continue;
        }
        let id = doc.next_source_id();
        commands.push(Command::Insert(Element::Source(Source {
            id,
            name: source.name.clone(),
            kind: SourceKind::Interview,
            attributes: source.attributes.clone(),
            description: source.description.clone(),
            provenance: provenance(),
        })));
        source_ids.insert(source.key.clone(), id);
        sources_added += 1;
    }
    summary.push(format!("{sources_added} sources added"));

    // Which codes have codings; a codebook without codings gives a concept for every leaf code.
    let mut coded: BTreeSet<&str> = data.segments.iter().flat_map(|s| s.codes.iter().map(String::as_str)).collect();
    if !concept_codes.is_empty() {
        coded = concept_codes.clone();
    } else if data.segments.is_empty() {
        let parents: BTreeSet<&str> = data.codes.iter().filter_map(|c| c.parent.as_deref()).collect();
        coded = data.codes.iter().map(|c| c.key.as_str()).filter(|k| !parents.contains(k)).collect();
    }

    // Areas.
    let mut area_of_code: HashMap<String, Vec<AreaId>> = HashMap::new();
    let existing_areas: HashMap<&str, AreaId> = doc.areas.iter().map(|a| (a.label.as_str(), a.id)).collect();
    let mut created_areas: HashMap<String, AreaId> = HashMap::new();
    let mut area_for = |name: &str, commands: &mut Vec<Command>| -> AreaId {
        if let Some(id) = existing_areas.get(name).or_else(|| created_areas.get(name)) {
            return *id;
        }
        let id = doc.next_area_id();
        // Colours in turn, after the areas already there.
        let color = crate::model::AREA_PALETTE
            .get((doc.areas.len() + created_areas.len()) % crate::model::AREA_PALETTE.len())
            .copied()
            .unwrap_or(Rgb::new(0x44, 0x77, 0xaa));
        created_areas.insert(name.to_owned(), id);
        commands.push(Command::Insert(Element::Area(Area {
            id,
            label: name.to_owned(),
            description: String::new(),
            color,
            provenance: provenance(),
        })));
        id
    };
    let mut areas_added = BTreeSet::new();
    let areas_from = if options.areas_from == AreasFrom::Sets && data.sets.is_empty() {
        // Tables and many codebooks have no sets; their parent codes are the natural areas.
        AreasFrom::ParentCodes
    } else {
        options.areas_from
    };
    if areas_from != options.areas_from {
        summary.push("no code sets in the file: areas come from parent codes".to_owned());
    }
    match areas_from {
        AreasFrom::Sets => {
            for set in &data.sets {
                let id = area_for(&set.name, &mut commands);
                areas_added.insert(id);
                for member in &set.members {
                    area_of_code.entry(member.clone()).or_default().push(id);
                }
            }
        }
        AreasFrom::ParentCodes => {
            for key in &coded {
                // The top-level ancestor names the area.
                let mut top = *key;
                for _ in 0..=data.codes.len() {
                    match codes_by_key.get(top).and_then(|c| c.parent.as_deref()) {
                        Some(parent) => top = parent,
                        None => break,
                    }
                }
                if top != *key
                    && let Some(parent) = codes_by_key.get(top)
                {
                    let id = area_for(&parent.name, &mut commands);
                    areas_added.insert(id);
                    area_of_code.entry((*key).to_owned()).or_default().push(id);
                }
            }
        }
        AreasFrom::Nothing => {}
    }
    summary.push(format!("{} areas", areas_added.len()));

    // Concepts for coded codes (and linked codes), laid out in a grid to the right of the map
    // unless the project had positions.
    let mut concept_of: HashMap<String, ConceptId> = HashMap::new();
    let existing_concepts: HashMap<&str, ConceptId> = doc.concepts.iter().map(|c| (c.label.as_str(), c.id)).collect();
    let right = doc.concepts.iter().map(|c| c.pos.x).fold(f32::NEG_INFINITY, f32::max);
    let origin_x = if right.is_finite() { right + 400.0 } else { 0.0 };
    let top = doc.concepts.iter().map(|c| c.pos.y).fold(f32::INFINITY, f32::min);
    let origin_y = if top.is_finite() { top } else { 0.0 };
    let linked: BTreeSet<&str> = data.links.iter().flat_map(|l| [l.origin.as_str(), l.target.as_str()]).collect();
    let mut concepts_added = 0;
    if options.concepts_from_codes {
        // New concepts, with their areas.
        let mut fresh: Vec<(&ImportCode, Vec<AreaId>)> = Vec::new();
        for code in &data.codes {
            if !(coded.contains(code.key.as_str()) || linked.contains(code.key.as_str())) {
                continue;
            }
            if let Some(id) = existing_concepts.get(code.name.as_str()) {
                concept_of.insert(code.key.clone(), *id);
                continue;
            }
            let mut areas = area_of_code.get(&code.key).cloned().unwrap_or_default();
            areas.sort();
            areas.dedup();
            fresh.push((code, areas));
        }
        // The project's own network positions are used when it has one for every new concept;
        // otherwise concepts are laid out in blocks by area, overlaps between their areas, so
        // that regions drawn around members do not swallow others.
        let all_positioned = !fresh.is_empty() && fresh.iter().all(|(c, _)| data.positions.contains_key(&c.key));
        if !all_positioned && !data.positions.is_empty() {
            summary
                .push("the project's network view does not place every concept; laid out by area instead".to_owned());
        }
        let mut groups: BTreeMap<Vec<AreaId>, Vec<usize>> = BTreeMap::new();
        for (index, (_, areas)) in fresh.iter().enumerate() {
            groups.entry(areas.clone()).or_default().push(index);
        }
        let mut positions = vec![Point::new(origin_x, origin_y); fresh.len()];
        let mut block_x = origin_x;
        for members in groups.values() {
            let columns = ((members.len() as f32).sqrt().ceil() as usize).clamp(1, 4);
            for (i, index) in members.iter().enumerate() {
                positions[*index] =
                    Point::new(block_x + (i % columns) as f32 * 190.0, origin_y + (i / columns) as f32 * 100.0);
            }
            block_x += columns as f32 * 190.0 + 90.0;
        }
        for (index, (code, areas)) in fresh.into_iter().enumerate() {
            let id = doc.next_concept_id();
            let pos = match data.positions.get(&code.key) {
                Some((x, y)) if all_positioned => Point::new(*x, *y),
                _ => positions[index],
            };
            commands.push(Command::Insert(Element::Concept(Concept {
                id,
                label: code.name.clone(),
                description: code.description.clone(),
                color: None,
                areas,
                pos,
                pinned: false,
                provenance: provenance(),
            })));
            concept_of.insert(code.key.clone(), id);
            concepts_added += 1;
        }
    }
    summary.push(format!("{concepts_added} concepts added"));

    // Relationships for links between codes that became concepts.
    let mut relationship_of: HashMap<String, crate::model::RelationshipId> = HashMap::new();
    let mut type_ids: HashMap<String, RelationshipTypeId> =
        doc.relationship_types.iter().map(|t| (t.name.to_lowercase(), t.id)).collect();
    let mut relationships_added = 0;
    for link in &data.links {
        let (Some(from), Some(to)) = (concept_of.get(&link.origin), concept_of.get(&link.target)) else { continue };
        let name =
            if link.name.trim().is_empty() { "is associated with".to_owned() } else { link.name.trim().to_owned() };
        let known_type = type_ids.contains_key(&name.to_lowercase());
        let type_id = *type_ids.entry(name.to_lowercase()).or_insert_with(|| {
            let id = doc.next_relationship_type_id();
            commands.push(Command::Insert(Element::RelationshipType(RelationshipType {
                id,
                name: name.clone(),
                short_label: String::new(),
                direction: link.direction,
                line: LineStyle::Solid,
                color: Rgb::new(0x55, 0x5b, 0x66),
            })));
            id
        });
        let id = doc.next_relationship_id();
        commands.push(Command::Insert(Element::Relationship(Relationship {
            id,
            from: Endpoint::Concept(*from),
            to: Endpoint::Concept(*to),
            type_id,
            label: String::new(),
            // Only a direction that differs from the type's is kept on the relationship.
            direction: {
                let type_direction = if known_type {
                    doc.relationship_type(type_id).map_or(link.direction, |t| t.direction)
                } else {
                    link.direction
                };
                (type_direction != link.direction).then_some(link.direction)
            },
            bend: 0.0,
            description: String::new(),
            provenance: provenance(),
        })));
        relationship_of.insert(link.key.clone(), id);
        relationships_added += 1;
    }
    summary.push(format!("{relationships_added} relationships from links"));

    // Evidence, skipping excerpts the map already has: the same text from the same source by
    // the same coder. The coder is part of what an excerpt is, so a second coder's coding of a
    // passage the map holds from the first comes in as that coder's (intercoder agreement
    // compares the two); an excerpt without a coder is the same as one by any coder. An item the
    // map holds without its text (its source's text was missing from an earlier import) is
    // filled in when this import brings the text for the same source and positions.
    let mut existing_excerpts: HashMap<(SourceId, &str), Vec<&str>> = HashMap::new();
    for e in doc.evidence.iter() {
        existing_excerpts.entry((e.source, e.excerpt.as_str())).or_default().push(e.coder.as_str());
    }
    let already_in_map = |source: SourceId, text: &str, coder: &str| {
        existing_excerpts
            .get(&(source, text))
            .is_some_and(|coders| coder.is_empty() || coders.iter().any(|c| c.is_empty() || *c == coder))
    };
    let mut waiting_for_text: HashMap<(SourceId, &str, &str), Vec<&Evidence>> = HashMap::new();
    for e in doc.evidence.iter().filter(|e| e.status == ExcerptStatus::TextMissing) {
        waiting_for_text.entry((e.source, e.location.as_str(), e.coder.as_str())).or_default().push(e);
    }
    let (mut evidence_added, mut evidence_known, mut evidence_skipped, mut filled_in) = (0, 0, 0, 0);
    let (mut without_text, mut uncertain) = (0, 0);
    for segment in &data.segments {
        let Some(source) = source_ids.get(&segment.source) else {
            evidence_skipped += 1;
            continue;
        };
        let missing = segment.status == ExcerptStatus::TextMissing;
        if segment.text.trim().is_empty() && !missing {
            evidence_skipped += 1;
            continue;
        }
        if !missing
            && let Some(waiting) =
                waiting_for_text.get_mut(&(*source, segment.location.as_str(), segment.coder.as_str()))
            && let Some(old) = waiting.pop()
        {
            let mut filled = old.clone();
            filled.excerpt = segment.text.clone();
            filled.status = segment.status;
            commands.push(Command::Update(Element::Evidence(filled)));
            filled_in += 1;
            continue;
        }
        if missing {
            // Kept once: the same positions, coder and source already waiting are not added again.
            let key = (*source, segment.location.as_str(), segment.coder.as_str());
            if waiting_for_text.get(&key).is_some_and(|w| !w.is_empty()) {
                evidence_known += 1;
                continue;
            }
        } else if already_in_map(*source, &segment.text, &segment.coder) {
            evidence_known += 1;
            continue;
        }
        let codes: Vec<CodeId> = segment.codes.iter().filter_map(|k| code_ids.get(k)).copied().collect();
        let mut links: Vec<ItemRef> =
            segment.codes.iter().filter_map(|k| concept_of.get(k).map(|c| ItemRef::Concept(*c))).collect();
        links.extend(segment.codes.iter().filter_map(|k| relationship_of.get(k).map(|r| ItemRef::Relationship(*r))));
        links.sort();
        links.dedup();
        let mut seen = BTreeSet::new();
        let codes_unique: Vec<CodeId> = codes.into_iter().filter(|code| seen.insert(*code)).collect();
        match segment.status {
            ExcerptStatus::TextMissing => without_text += 1,
            ExcerptStatus::PositionsUncertain => uncertain += 1,
            ExcerptStatus::Exact => {}
        }
        commands.push(Command::Insert(Element::Evidence(Evidence {
            id: doc.next_evidence_id(),
            excerpt: segment.text.clone(),
            source: *source,
            location: segment.location.clone(),
            codes: codes_unique,
            memo: segment.memo.clone(),
            coder: segment.coder.clone(),
            coded_at: segment.coded_at.clone(),
            links,
            provenance: provenance(),
            status: segment.status,
        })));
        evidence_added += 1;
    }
    summary.push(format!(
        "{evidence_added} evidence items added, {evidence_known} already in the map, {evidence_skipped} without a source or text"
    ));
    if filled_in > 0 {
        summary.push(format!("{filled_in} evidence items that were waiting for their source's text filled in"));
    }
    if uncertain > 0 {
        summary.push(format!("{uncertain} evidence items marked “positions uncertain”: check them against the source"));
    }
    if without_text > 0 {
        summary.push(format!(
            "{without_text} evidence items marked “text missing”: import the project with its texts to fill them in"
        ));
    }
    ImportPlan { command: Command::Batch { label: format!("Import {}", data.report.origin), commands }, summary }
}

/// Reads any supported file, by extension: `.qdpx`, `.qdc`, `.qde`, `.csv`, `.tsv`, and
/// spreadsheets (`.xlsx`, `.xls`, `.ods`: the first sheet, as a table).
///
/// Runs in this process: a panic in a reader (ours or a library's) becomes a refusal naming the
/// file. [`sandbox::read_path_bounded`] runs the same in a child process with limits on its
/// memory and time, which is what the app and the command line use.
pub fn read_path(path: &std::path::Path, mapping: Option<&table::ColumnMapping>) -> Result<ImportData, ImportError> {
    let data = match catch_panic(|| read_any(path, mapping)) {
        Ok(read) => read?,
        Err(panic) => {
            return Err(ImportError::Refused {
                origin: path.display().to_string(),
                message: format!(
                    "the reader failed on this file ({panic}); it is probably damaged. Please report this \
                     to Qualmap's developers with the file if you can"
                ),
            });
        }
    };
    within_map_limits(data, &path.display().to_string())
}

/// A coded-segment table held as CSV bytes (a spreadsheet's first sheet, converted in the child
/// process), read with `mapping` as [`read_path`] reads a table: in this process, since the CSV
/// reader is ours and bounded, with panics caught.
pub fn read_csv_table(
    bytes: &[u8],
    origin: &str,
    mapping: Option<&table::ColumnMapping>,
) -> Result<ImportData, ImportError> {
    let data = match catch_panic(|| table::read_table(bytes, origin, false, mapping)) {
        Ok(read) => read?,
        Err(panic) => {
            return Err(ImportError::Refused {
                origin: origin.to_owned(),
                message: format!(
                    "the table reader failed on this file ({panic}); please report this to Qualmap's developers"
                ),
            });
        }
    };
    within_map_limits(data, origin)
}

/// Codes may become concepts and segments evidence: a project beyond what a map may hold would
/// make a map that could not be opened again.
fn within_map_limits(data: ImportData, origin: &str) -> Result<ImportData, ImportError> {
    let (limit_codes, limit_segments) = (crate::model::io::MAX_CONCEPTS, crate::model::io::MAX_EVIDENCE);
    if data.codes.len() > limit_codes || data.segments.len() > limit_segments {
        return Err(ImportError::Refused {
            origin: origin.to_owned(),
            message: format!(
                "it holds {} codes and {} coded segments; a map holds up to {limit_codes} concepts and \
                 {limit_segments} evidence items. Export part of the project (some codes or documents) and import that.",
                data.codes.len(),
                data.segments.len()
            ),
        });
    }
    Ok(data)
}

fn read_any(path: &std::path::Path, mapping: Option<&table::ColumnMapping>) -> Result<ImportData, ImportError> {
    // Graph files are read by content, whatever their name says.
    if let Some(data) = graph::read_import(path, mapping)? {
        return Ok(data);
    }
    let origin = path.display().to_string();
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    match ext.as_str() {
        "qdpx" => refi::read_qdpx(path),
        "qdc" | "qde" | "xml" => {
            let bytes = read_limited(path, refi::MAX_XML_BYTES)?;
            let text = String::from_utf8(bytes).map_err(|e| ImportError::Refused {
                origin: origin.clone(),
                message: format!("not UTF-8 text (first bad byte at offset {})", e.utf8_error().valid_up_to()),
            })?;
            if ext == "qdc" { refi::read_qdc(&text, &origin) } else { refi::read_qde(&text, &origin, None) }
        }
        "csv" | "tsv" | "txt" => {
            let bytes = read_limited(path, table::MAX_TABLE_BYTES)?;
            table::read_table(&bytes, &origin, ext == "tsv", mapping)
        }
        "xlsx" | "xlsm" | "xls" | "ods" => {
            let bytes = spreadsheet::spreadsheet_to_csv(path)?;
            table::read_table(&bytes, &origin, false, mapping)
        }
        _ => Err(ImportError::Refused {
            origin,
            message: "unknown kind of file: Qualmap imports .qdpx and .qdc (REFI-QDA), .csv or .tsv tables, \
                      and spreadsheets (.xlsx, .xls, .ods)"
                .to_owned(),
        }),
    }
}

/// Extensions (lower case) of the coded data File ▸ Import… and `qualmap import` read: REFI-QDA
/// projects and codebooks, tables and spreadsheets.
pub const CODED_DATA_EXTENSIONS: [&str; 9] = ["qdpx", "qdc", "qde", "csv", "tsv", "xlsx", "xlsm", "xls", "ods"];

/// Extensions (lower case) of the graphs and maps from other tools that are imported (read by
/// their content, whatever the extension says; these are the names they usually have).
pub const GRAPH_EXTENSIONS: [&str; 7] = ["graphml", "gexf", "dot", "gv", "canvas", "cxl", "edges"];

/// Whether `path` names a file to import (coded data or a graph) rather than a map to open.
pub fn is_import_path(path: &std::path::Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        let e = e.to_ascii_lowercase();
        CODED_DATA_EXTENSIONS.contains(&e.as_str()) || GRAPH_EXTENSIONS.contains(&e.as_str())
    })
}

/// Reads a file, refusing one larger than `limit` bytes.
pub fn read_limited(path: &std::path::Path, limit: u64) -> Result<Vec<u8>, ImportError> {
    use std::io::Read as _;
    let origin = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| ImportError::Io { origin: origin.clone(), source })?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| ImportError::Io { origin: origin.clone(), source })?;
    if bytes.len() as u64 > limit {
        return Err(ImportError::Refused { origin, message: format!("larger than {} MB; refused", limit / 1_000_000) });
    }
    Ok(bytes)
}

/// Runs `work`, turning a panic into its message, so that a bug in a reader (ours or a library's)
/// on a damaged file becomes a refusal rather than a crash or a dead worker.
pub(crate) fn catch_panic<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "an unexpected error".to_owned())
    })
}
