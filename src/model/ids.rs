//! Stable identifiers for everything in a map.
//!
//! Ids are plain numbers in the file, unique within their kind, and never reused while a document
//! is open. They are newtypes so that a concept id can never be passed where an area id is meant.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

id_type!(
    /// Identifies a [`crate::model::Concept`].
    ConceptId,
    "concept "
);
id_type!(
    /// Identifies an [`crate::model::Area`].
    AreaId,
    "area "
);
id_type!(
    /// Identifies a [`crate::model::Relationship`].
    RelationshipId,
    "relationship "
);
id_type!(
    /// Identifies a [`crate::model::RelationshipType`].
    RelationshipTypeId,
    "relationship type "
);
id_type!(
    /// Identifies a [`crate::model::Code`] in the codebook.
    CodeId,
    "code "
);
id_type!(
    /// Identifies a [`crate::model::Source`] (an interview, a document).
    SourceId,
    "source "
);
id_type!(
    /// Identifies an [`crate::model::Evidence`] item.
    EvidenceId,
    "evidence "
);
