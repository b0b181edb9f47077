//! Conflicts a merge could not settle (format version 3): kept in the merged map with both
//! sides, so that nothing is lost and nothing is decided silently; the app lists them for a
//! choice per item (see `crate::merge`).

use serde::{Deserialize, Serialize};

use super::{AreaId, CodeId, ConceptId, EvidenceId, ItemRef, MemoId, RelationshipId, RelationshipTypeId, SourceId};

/// Any one part of a map that can be added, removed or changed: an element, the map's title
/// block, or the story as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ElementKey {
    /// The title, description and citation.
    Info,
    /// The story (its steps have no ids, so it is one part).
    Story,
    /// An area.
    Area(AreaId),
    /// A concept.
    Concept(ConceptId),
    /// A relationship type.
    RelationshipType(RelationshipTypeId),
    /// A relationship.
    Relationship(RelationshipId),
    /// A code.
    Code(CodeId),
    /// A source.
    Source(SourceId),
    /// An evidence item.
    Evidence(EvidenceId),
    /// A memo on an item (format version 4).
    Memo(MemoId),
}

impl ElementKey {
    /// The kind in words, as the command line prints it: "concept", "relationship type".
    pub fn kind(self) -> &'static str {
        match self {
            Self::Info => "map",
            Self::Story => "story",
            Self::Area(_) => "area",
            Self::Concept(_) => "concept",
            Self::RelationshipType(_) => "relationship type",
            Self::Relationship(_) => "relationship",
            Self::Code(_) => "code",
            Self::Source(_) => "source",
            Self::Evidence(_) => "evidence",
            Self::Memo(_) => "memo",
        }
    }

    /// The id as a number (0 for the title block and the story).
    pub fn number(self) -> u64 {
        match self {
            Self::Info | Self::Story => 0,
            Self::Area(id) => id.0,
            Self::Concept(id) => id.0,
            Self::RelationshipType(id) => id.0,
            Self::Relationship(id) => id.0,
            Self::Code(id) => id.0,
            Self::Source(id) => id.0,
            Self::Evidence(id) => id.0,
            Self::Memo(id) => id.0,
        }
    }

    /// The map item it is, where it is one that can be drawn and selected.
    pub fn item(self) -> Option<ItemRef> {
        match self {
            Self::Concept(id) => Some(ItemRef::Concept(id)),
            Self::Area(id) => Some(ItemRef::Area(id)),
            Self::Relationship(id) => Some(ItemRef::Relationship(id)),
            _ => None,
        }
    }
}

impl From<ItemRef> for ElementKey {
    fn from(item: ItemRef) -> Self {
        match item {
            ItemRef::Concept(id) => Self::Concept(id),
            ItemRef::Area(id) => Self::Area(id),
            ItemRef::Relationship(id) => Self::Relationship(id),
        }
    }
}

/// What a conflict is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    /// Both sides changed the same field, to different values.
    BothChanged,
    /// One side deleted the element, the other changed it (a `null` side is the deletion).
    DeletedAndChanged,
    /// One side deleted the element and the other added something that refers to it; the
    /// element is kept so that the other side's addition holds.
    DeletedButUsed,
    /// Two copies without a common original hold different values.
    Differs,
    /// Each side moved a code under the other's; the merged map keeps our parent.
    WouldCycle,
}

impl ConflictKind {
    /// In words, for the review list and the command line.
    pub fn describe(self) -> &'static str {
        match self {
            Self::BothChanged => "changed on both sides",
            Self::DeletedAndChanged => "deleted on one side, changed on the other",
            Self::DeletedButUsed => "deleted on one side, still used by the other side's changes",
            Self::Differs => "different in the two copies",
            Self::WouldCycle => "each side moved a code under the other",
        }
    }
}

/// One unsettled difference, kept in the merged map. The map holds `ours` (or, where one side
/// deleted the element, the side that kept it) until the conflict is settled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    /// The part of the map.
    pub element: ElementKey,
    /// The field both sides changed (a key of the element in the file, e.g. `label`); none
    /// when the conflict is about the whole element.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What happened.
    pub kind: ConflictKind,
    /// The value in the common original (`null`: absent or unknown).
    #[serde(default)]
    pub base: serde_json::Value,
    /// This side's value (`null`: deleted or absent).
    pub ours: serde_json::Value,
    /// The other side's value (`null`: deleted or absent).
    pub theirs: serde_json::Value,
}
