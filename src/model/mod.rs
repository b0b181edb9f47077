//! The research data of one map: concepts, areas, relationships, codebook, sources, evidence and
//! memos on items.
//!
//! This module has no dependency on egui, eframe or rfd, so it is tested with plain unit tests and
//! used unchanged by the command line, the screen and every export.

pub mod clock;
mod color;
mod conflict;
pub mod example;
mod focus;
pub mod generate;
mod ids;
pub mod io;
mod json_locate;
mod memo;
mod renumber;
mod shared;
pub mod support;
pub mod validate;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use shared::Shared;

pub use color::Rgb;
pub use conflict::{Conflict, ConflictKind, ElementKey};
pub use focus::{Focus, Follow};
pub use ids::{AreaId, CodeId, ConceptId, EvidenceId, MemoId, RelationshipId, RelationshipTypeId, SourceId};
pub use ids::{ID_LIMIT, fresh as fresh_id};
pub use memo::{Memo, Stance};

/// The value of the `format` field that every `.qualmap` file starts with.
pub const FORMAT_NAME: &str = "qualmap";
/// The newest file format version this build reads.
///
/// - 1: the first format.
/// - 2: concepts may have their own colour (`concepts[].color`, `#rrggbb`).
/// - 3: the story is saved as `story` (before: `presentation`); a step may hold a focus
///   (`story[].focus`); a merged map may hold the conflicts it could not settle (`conflicts`).
///   New elements get time-ordered ids with a random tail (see `ids`); ids already in a file
///   are kept, so version 1 and 2 files open unchanged.
/// - 4: memos on items (`memos`: a comment or a stance by a named author, e.g. a workshop
///   participant's), and conflicts about them.
///
/// A map is written with the oldest version that holds everything in it
/// ([`io::version_needed`]), so a map that uses nothing newer still opens in an older Qualmap,
/// and one that does is refused there by name instead of losing what it cannot read.
pub const FORMAT_VERSION: u32 = 4;

/// A point in map (world) coordinates. The y axis points down, as on screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Horizontal position.
    pub x: f32,
    /// Vertical position, growing downwards.
    pub y: f32,
}

impl Point {
    /// A point at `(x, y)`.
    pub const fn new(x: f32, y: f32) -> Self {
        Self { x, y }
    }
}

/// Where an element of the map comes from, shown to the user so that they can tell what a study
/// found from what was added for illustration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProvenanceKind {
    /// Stated in the published study the map is drawn from.
    Paper,
    /// Plausible content written for demonstration; not a finding and not a participant's words.
    Illustrative,
    /// Added by the user of this map.
    #[default]
    User,
    /// Brought in from another tool (a QDA project, a table, a graph file).
    Imported,
}

impl ProvenanceKind {
    /// Every kind, in the order menus list them.
    pub const ALL: [Self; 4] = [Self::Paper, Self::Illustrative, Self::User, Self::Imported];

    /// A short human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Paper => "From the paper",
            Self::Illustrative => "Illustrative",
            Self::User => "Added by the user",
            Self::Imported => "Imported",
        }
    }
}

/// Provenance of one element: its kind and an optional note (e.g. the section of the paper, or
/// the file it was imported from).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// Where it comes from.
    pub kind: ProvenanceKind,
    /// Free text: a citation detail, an import file name, a reason.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl Provenance {
    /// Provenance of the given kind with a note.
    pub fn new(kind: ProvenanceKind, note: impl Into<String>) -> Self {
        Self { kind, note: note.into() }
    }
}

/// Title and citation of the whole map.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MapInfo {
    /// The map's title, shown in the window and in captions.
    pub title: String,
    /// What the map shows and how it was made.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The study the map is drawn from, if any.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub citation: String,
}

/// A region of the map grouping concepts. Areas may overlap: a concept can belong to several.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Area {
    /// Stable id.
    pub id: AreaId,
    /// Name shown on the map.
    pub label: String,
    /// Longer explanation shown in the inspector.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Colour of the region.
    pub color: Rgb,
    /// Where the area comes from.
    #[serde(default)]
    pub provenance: Provenance,
}

/// One idea on the map, drawn as a labelled card.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Concept {
    /// Stable id.
    pub id: ConceptId,
    /// Name shown on the map.
    pub label: String,
    /// Longer explanation shown in the inspector.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The concept's own colour (a card tint), e.g. brought from a mapping tool; without one a
    /// card is plain and shows its areas' colours only. Format version 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<Rgb>,
    /// Areas the concept belongs to, sorted; more than one puts it in their overlap.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub areas: Vec<AreaId>,
    /// Centre of the concept on the map.
    pub pos: Point,
    /// Automatic layout leaves a pinned concept where it is.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pinned: bool,
    /// Where the concept comes from.
    #[serde(default)]
    pub provenance: Provenance,
}

/// How a relationship reads: the NVivo and REFI-QDA conventions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From → to, one arrowhead.
    #[default]
    OneWay,
    /// No arrowheads: the two ends are associated.
    Associative,
    /// Arrowheads at both ends.
    Bidirectional,
}

impl Direction {
    /// Every direction, in menu order.
    pub const ALL: [Self; 3] = [Self::OneWay, Self::Associative, Self::Bidirectional];

    /// A short human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::OneWay => "One-way",
            Self::Associative => "Associative",
            Self::Bidirectional => "Bidirectional",
        }
    }
}

/// Stroke pattern of a relationship line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineStyle {
    /// A continuous line.
    #[default]
    Solid,
    /// Long dashes.
    Dashed,
    /// Short dots.
    Dotted,
}

/// A reusable kind of relationship (ATLAS.ti's named relations), e.g. "underpins".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RelationshipType {
    /// Stable id.
    pub id: RelationshipTypeId,
    /// Full name, e.g. "consequential benefit".
    pub name: String,
    /// Short text drawn on each edge of this type; empty means the name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub short_label: String,
    /// Default direction of relationships of this type.
    #[serde(default)]
    pub direction: Direction,
    /// Stroke pattern.
    #[serde(default)]
    pub line: LineStyle,
    /// Line colour.
    pub color: Rgb,
}

impl RelationshipType {
    /// The text drawn on an edge of this type.
    pub fn edge_label(&self) -> &str {
        if self.short_label.is_empty() { &self.name } else { &self.short_label }
    }
}

/// One end of a relationship: a concept, or a whole area.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// A concept.
    Concept(ConceptId),
    /// An area as a whole (e.g. a consequential benefit from one area to another).
    Area(AreaId),
}

impl From<Endpoint> for ItemRef {
    fn from(end: Endpoint) -> Self {
        match end {
            Endpoint::Concept(id) => Self::Concept(id),
            Endpoint::Area(id) => Self::Area(id),
        }
    }
}

/// A typed link between two concepts or areas.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Relationship {
    /// Stable id.
    pub id: RelationshipId,
    /// Where it starts.
    pub from: Endpoint,
    /// Where it ends.
    pub to: Endpoint,
    /// Its type.
    #[serde(rename = "type")]
    pub type_id: RelationshipTypeId,
    /// Own text on the edge, replacing the type's label.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// Own direction, replacing the type's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// Curvature of the drawn edge: 0 is straight; ±1 bows the middle sideways by the edge's
    /// length (positive to the left of the direction of travel).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub bend: f32,
    /// Longer explanation shown in the inspector.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Where the relationship comes from.
    #[serde(default)]
    pub provenance: Provenance,
}

#[expect(clippy::trivially_copy_pass_by_ref, reason = "serde's skip_serializing_if passes a reference")]
fn is_zero(value: &f32) -> bool {
    *value == 0.0
}

/// A code in the hierarchical codebook.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Code {
    /// Stable id.
    pub id: CodeId,
    /// Name of the code.
    pub name: String,
    /// Parent code, for a hierarchy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<CodeId>,
    /// Colour used for the code's chips.
    pub color: Rgb,
    /// Definition of the code.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// What kind of material a source is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// An interview transcript.
    #[default]
    Interview,
    /// A focus group transcript.
    FocusGroup,
    /// A document (policy, report, diary).
    Document,
    /// Field notes or observation.
    FieldNotes,
    /// Anything else.
    Other,
}

impl SourceKind {
    /// A short human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Interview => "Interview",
            Self::FocusGroup => "Focus group",
            Self::Document => "Document",
            Self::FieldNotes => "Field notes",
            Self::Other => "Other",
        }
    }
}

/// An interview, focus group or document that evidence is cut from, with free participant
/// attributes (e.g. `role = mentee`, `scheme = C`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// Stable id.
    pub id: SourceId,
    /// Name, e.g. "Interview M03".
    pub name: String,
    /// What kind of material it is.
    #[serde(default)]
    pub kind: SourceKind,
    /// Participant or case attributes, sorted by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    /// Notes about the source.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Where the source comes from.
    #[serde(default)]
    pub provenance: Provenance,
}

/// Anything evidence can be linked to, and anything that can be selected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemRef {
    /// A concept.
    Concept(ConceptId),
    /// An area.
    Area(AreaId),
    /// A relationship.
    Relationship(RelationshipId),
}

/// A coded excerpt from a source, linked to the concepts and relationships it supports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Stable id.
    pub id: EvidenceId,
    /// The excerpt text.
    pub excerpt: String,
    /// The source it is cut from.
    pub source: SourceId,
    /// Where in the source: lines, characters, page, timestamp.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub location: String,
    /// Codes applied to the excerpt.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<CodeId>,
    /// The analyst's memo on it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub memo: String,
    /// Who coded it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub coder: String,
    /// When it was coded (ISO 8601 text, kept as written).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub coded_at: String,
    /// What the excerpt supports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<ItemRef>,
    /// Where the excerpt comes from (an illustrative excerpt is never a participant's words).
    #[serde(default)]
    pub provenance: Provenance,
    /// How exactly the excerpt is known: exact unless an import could not be sure where the
    /// coded positions fall in the source text, or did not have the text at all.
    #[serde(default, skip_serializing_if = "ExcerptStatus::is_exact")]
    pub status: ExcerptStatus,
}

/// How exactly an excerpt's text is known.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExcerptStatus {
    /// The excerpt is the text as coded.
    #[default]
    Exact,
    /// Imported from positions that no way of counting placed cleanly in the source text: the
    /// excerpt may start or end in the wrong place. Check it against the source.
    PositionsUncertain,
    /// The source text was not in the import: the excerpt is empty and `location` holds the
    /// coded positions, so that a later import bringing the text can fill it in.
    TextMissing,
}

impl ExcerptStatus {
    /// Whether this is [`ExcerptStatus::Exact`] (the default, not written to files).
    pub fn is_exact(&self) -> bool {
        *self == Self::Exact
    }

    /// A short warning for the inspector and the evidence browser, or `None` when exact.
    pub fn warning(self) -> Option<&'static str> {
        match self {
            Self::Exact => None,
            Self::PositionsUncertain => Some("positions uncertain: the excerpt may be cut in the wrong place"),
            Self::TextMissing => Some("text missing: the source's text was not in the import"),
        }
    }
}

/// A whole map: everything saved in a `.qualmap` file.
///
/// Every collection is kept sorted by id, so that saving is deterministic and look-ups can use a
/// binary search.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Title and citation.
    pub info: MapInfo,
    /// Regions grouping concepts.
    #[serde(default)]
    pub areas: Vec<Area>,
    /// Concepts.
    #[serde(default)]
    pub concepts: Vec<Concept>,
    /// Reusable relationship types.
    #[serde(default)]
    pub relationship_types: Vec<RelationshipType>,
    /// Relationships between concepts and areas.
    #[serde(default)]
    pub relationships: Shared<Relationship>,
    /// The codebook.
    #[serde(default)]
    pub codes: Vec<Code>,
    /// Interviews and documents.
    #[serde(default)]
    pub sources: Shared<Source>,
    /// Coded excerpts.
    #[serde(default)]
    pub evidence: Shared<Evidence>,
    /// Comments and stances on items, apart from the evidence: they never count as support
    /// (format version 4).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub memos: Vec<Memo>,
    /// A story told with the map, step by step, for presenting. Saved as `story` from format
    /// version 3, as `presentation` before (see `io::to_json`); both names are read.
    #[serde(alias = "presentation", default, skip_serializing_if = "Vec::is_empty")]
    pub story: Vec<Step>,
    /// What a merge could not settle, kept with both sides until the user chooses (format
    /// version 3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
}

/// A rectangle of the map (world coordinates) that a step shows.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ViewRect {
    /// Top-left corner.
    pub min: Point,
    /// Bottom-right corner.
    pub max: Point,
}

/// One step of the story: what is shown, what stands out, where the camera looks, which
/// evidence counts, and what the presenter says.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Short name of the step.
    pub title: String,
    /// Text shown under the map while the step is on screen.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub caption: String,
    /// Speaker notes (not shown to the audience).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// What is shown; empty shows everything. An area shows its concepts too; a relationship
    /// shows when it is listed and both its ends are shown.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub visible: Vec<ItemRef>,
    /// What is highlighted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub highlight: Vec<ItemRef>,
    /// Where the camera looks; `None` fits the visible items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<ViewRect>,
    /// Which evidence counts during the step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<support::EvidenceFilter>,
    /// What the step focuses on: the rest of the map is faded (format version 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub focus: Option<Focus>,
}

impl Document {
    /// The items a step shows, expanded: listed areas bring their concepts; relationships need
    /// both ends shown. `None` when the step shows everything.
    pub fn visible_in(&self, step: &Step) -> Option<std::collections::BTreeSet<ItemRef>> {
        if step.visible.is_empty() {
            return None;
        }
        let listed: std::collections::BTreeSet<ItemRef> = step.visible.iter().copied().collect();
        let mut shown: std::collections::BTreeSet<ItemRef> =
            listed.iter().copied().filter(|i| !matches!(i, ItemRef::Relationship(_))).collect();
        for concept in &self.concepts {
            if concept.areas.iter().any(|a| listed.contains(&ItemRef::Area(*a))) {
                shown.insert(ItemRef::Concept(concept.id));
            }
        }
        for rel in &self.relationships {
            let item = ItemRef::Relationship(rel.id);
            if listed.contains(&item) && shown.contains(&rel.from.into()) && shown.contains(&rel.to.into()) {
                shown.insert(item);
            }
        }
        Some(shown)
    }
}

macro_rules! lookup {
    ($fn_name:ident, $fn_mut:ident, $field:ident, $id:ty, $ty:ty) => {
        /// Finds an element by id.
        pub fn $fn_name(&self, id: $id) -> Option<&$ty> {
            self.$field.binary_search_by_key(&id, |item| item.id).ok().and_then(|index| self.$field.get(index))
        }

        /// Finds an element by id, for changing it.
        pub fn $fn_mut(&mut self, id: $id) -> Option<&mut $ty> {
            match self.$field.binary_search_by_key(&id, |item| item.id) {
                Ok(index) => self.$field.get_mut(index),
                Err(_) => None,
            }
        }
    };
}

impl Document {
    /// An empty map with the standard relationship types, ready for a user to fill.
    pub fn new_blank() -> Self {
        Self {
            info: MapInfo { title: "Untitled map".to_owned(), ..MapInfo::default() },
            relationship_types: preset_relationship_types(),
            ..Self::default()
        }
    }

    lookup!(area, area_mut, areas, AreaId, Area);
    lookup!(concept, concept_mut, concepts, ConceptId, Concept);
    lookup!(relationship, relationship_mut, relationships, RelationshipId, Relationship);
    lookup!(relationship_type, relationship_type_mut, relationship_types, RelationshipTypeId, RelationshipType);
    lookup!(code, code_mut, codes, CodeId, Code);
    lookup!(source, source_mut, sources, SourceId, Source);
    lookup!(evidence_item, evidence_item_mut, evidence, EvidenceId, Evidence);
    lookup!(memo, memo_mut, memos, MemoId, Memo);

    /// Sorts every collection by id (and each concept's areas), the order the file keeps.
    pub fn normalize(&mut self) {
        self.areas.sort_by_key(|a| a.id);
        self.concepts.sort_by_key(|c| c.id);
        for concept in &mut self.concepts {
            concept.areas.sort();
            concept.areas.dedup();
        }
        self.relationship_types.sort_by_key(|t| t.id);
        self.relationships.sort_by_key(|r| r.id);
        self.codes.sort_by_key(|c| c.id);
        self.sources.sort_by_key(|s| s.id);
        self.evidence.sort_by_key(|e| e.id);
        for item in &mut self.evidence {
            item.links.sort();
            item.links.dedup();
        }
        self.memos.sort_by_key(|m| m.id);
    }

    /// A human name for an endpoint: the concept's or area's label.
    pub fn endpoint_label(&self, end: Endpoint) -> &str {
        match end {
            Endpoint::Concept(id) => self.concept(id).map_or("(missing concept)", |c| &c.label),
            Endpoint::Area(id) => self.area(id).map_or("(missing area)", |a| &a.label),
        }
    }

    /// The direction a relationship is drawn with: its own, or its type's.
    pub fn direction_of(&self, relationship: &Relationship) -> Direction {
        relationship
            .direction
            .unwrap_or_else(|| self.relationship_type(relationship.type_id).map(|t| t.direction).unwrap_or_default())
    }

    /// The text drawn on a relationship's edge: its own label, or its type's.
    pub fn relationship_label<'a>(&'a self, relationship: &'a Relationship) -> &'a str {
        if relationship.label.is_empty() {
            self.relationship_type(relationship.type_id).map_or("", RelationshipType::edge_label)
        } else {
            &relationship.label
        }
    }

    /// A one-line human name for any item, e.g. "Problem solving underpins Professional practice".
    pub fn item_label(&self, item: ItemRef) -> String {
        match item {
            ItemRef::Concept(id) => self.concept(id).map_or_else(|| format!("(missing {id})"), |c| c.label.clone()),
            ItemRef::Area(id) => self.area(id).map_or_else(|| format!("(missing {id})"), |a| a.label.clone()),
            ItemRef::Relationship(id) => self.relationship(id).map_or_else(
                || format!("(missing {id})"),
                |r| {
                    format!(
                        "{} {} {}",
                        self.endpoint_label(r.from),
                        self.relationship_label(r),
                        self.endpoint_label(r.to)
                    )
                },
            ),
        }
    }

    /// Whether the map holds `item`.
    pub fn contains(&self, item: ItemRef) -> bool {
        match item {
            ItemRef::Concept(id) => self.concept(id).is_some(),
            ItemRef::Area(id) => self.area(id).is_some(),
            ItemRef::Relationship(id) => self.relationship(id).is_some(),
        }
    }

    /// The provenance of any item.
    pub fn provenance_of(&self, item: ItemRef) -> Option<&Provenance> {
        match item {
            ItemRef::Concept(id) => self.concept(id).map(|c| &c.provenance),
            ItemRef::Area(id) => self.area(id).map(|a| &a.provenance),
            ItemRef::Relationship(id) => self.relationship(id).map(|r| &r.provenance),
        }
    }

    /// Evidence items linked directly to `item`, in id order.
    pub fn evidence_for(&self, item: ItemRef) -> impl Iterator<Item = &Evidence> + '_ {
        self.evidence.iter().filter(move |e| e.links.contains(&item))
    }

    /// Memos on `item`, in id order (the order they were written in).
    pub fn memos_on(&self, item: ItemRef) -> impl Iterator<Item = &Memo> + '_ {
        self.memos.iter().filter(move |m| m.item == item)
    }

    /// Relationships that start or end at `end`.
    pub fn relationships_at(&self, end: Endpoint) -> impl Iterator<Item = &Relationship> + '_ {
        self.relationships.iter().filter(move |r| r.from == end || r.to == end)
    }

    /// Concepts that belong to `area`.
    pub fn members_of(&self, area: AreaId) -> impl Iterator<Item = &Concept> + '_ {
        self.concepts.iter().filter(move |c| c.areas.contains(&area))
    }

    /// Counts of the main collections, for summaries.
    pub fn counts(&self) -> Counts {
        Counts {
            concepts: self.concepts.len(),
            areas: self.areas.len(),
            relationships: self.relationships.len(),
            evidence: self.evidence.len(),
            sources: self.sources.len(),
            codes: self.codes.len(),
        }
    }
}

/// How many of each kind of element a document holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counts {
    /// Concepts.
    pub concepts: usize,
    /// Areas.
    pub areas: usize,
    /// Relationships.
    pub relationships: usize,
    /// Evidence items.
    pub evidence: usize,
    /// Sources.
    pub sources: usize,
    /// Codes.
    pub codes: usize,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} concepts, {} areas, {} relationships, {} evidence items ({} sources, {} codes)",
            self.concepts, self.areas, self.relationships, self.evidence, self.sources, self.codes
        )
    }
}

/// Colours for new areas, in turn: Paul Tol's muted palette, told apart with colour-blindness.
pub const AREA_PALETTE: [Rgb; 8] = [
    Rgb::new(0x44, 0x77, 0xaa),
    Rgb::new(0xcc, 0x66, 0x77),
    Rgb::new(0xcc, 0xaa, 0x33),
    Rgb::new(0x44, 0xaa, 0x99),
    Rgb::new(0x88, 0x22, 0x55),
    Rgb::new(0x33, 0x22, 0x88),
    Rgb::new(0x11, 0x77, 0x33),
    Rgb::new(0x99, 0x99, 0x33),
];

/// The relationship types every new map starts with, after ATLAS.ti's and NVivo's presets.
pub fn preset_relationship_types() -> Vec<RelationshipType> {
    let preset = |id, name: &str, direction, line, color| RelationshipType {
        id: RelationshipTypeId(id),
        name: name.to_owned(),
        short_label: String::new(),
        direction,
        line,
        color,
    };
    vec![
        preset(1, "underpins", Direction::OneWay, LineStyle::Solid, Rgb::new(0x55, 0x5b, 0x66)),
        preset(2, "leads to", Direction::OneWay, LineStyle::Solid, Rgb::new(0x33, 0x6e, 0x8a)),
        preset(3, "is associated with", Direction::Associative, LineStyle::Solid, Rgb::new(0x77, 0x77, 0x77)),
        preset(4, "is part of", Direction::OneWay, LineStyle::Dotted, Rgb::new(0x66, 0x66, 0x88)),
        preset(5, "contradicts", Direction::Bidirectional, LineStyle::Dashed, Rgb::new(0xaa, 0x44, 0x44)),
    ]
}

macro_rules! next_id {
    ($fn_name:ident, $field:ident, $id:ident) => {
        /// A new id for an element of this kind, unique in this document and (with near
        /// certainty) in every other copy of it: see [`ids::fresh`]. Each call gives another.
        pub fn $fn_name(&self) -> $id {
            $id(ids::fresh(self.$field.last().map_or(1, |item| item.id.0.saturating_add(1))))
        }
    };
}

impl Document {
    next_id!(next_area_id, areas, AreaId);
    next_id!(next_concept_id, concepts, ConceptId);
    next_id!(next_relationship_id, relationships, RelationshipId);
    next_id!(next_relationship_type_id, relationship_types, RelationshipTypeId);
    next_id!(next_code_id, codes, CodeId);
    next_id!(next_source_id, sources, SourceId);
    next_id!(next_evidence_id, evidence, EvidenceId);
    next_id!(next_memo_id, memos, MemoId);

    /// The code's name with its ancestors, e.g. "Personal well-being / Confidence".
    pub fn code_path(&self, id: CodeId) -> String {
        let mut names = Vec::new();
        let mut current = Some(id);
        // Bounded walk: a hierarchy deeper than the number of codes would be a cycle.
        for _ in 0..=self.codes.len() {
            let Some(code) = current.and_then(|c| self.code(c)) else { break };
            names.push(code.name.as_str());
            current = code.parent;
        }
        names.reverse();
        names.join(" / ")
    }
}
