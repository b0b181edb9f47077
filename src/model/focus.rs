//! What a view is focused on: the items within a few relationships of a selection. View state
//! on screen and in exports; saved in a story step (format version 3). Working it out needs the
//! relationship graph, so it is in [`crate::explore`].

use serde::{Deserialize, Serialize};

use super::{Endpoint, RelationshipTypeId};

/// Which way relationships are followed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Follow {
    /// Forward and backward (what is connected at all).
    #[default]
    Both,
    /// Forward only: what follows from the items (downstream).
    Forward,
    /// Backward only: what leads to the items (upstream).
    Backward,
}

impl Follow {
    /// Every way, in menu order.
    pub const ALL: [Self; 3] = [Self::Both, Self::Forward, Self::Backward];

    /// Its name in menus.
    pub fn label(self) -> &'static str {
        match self {
            Follow::Both => "both ways",
            Follow::Forward => "downstream (what follows)",
            Follow::Backward => "upstream (what leads to it)",
        }
    }
}

/// What the map is focused on: the items within `steps` relationships of `from`, followed as
/// `follow` says, along relationships of type `only` if given. View state, like the filter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Focus {
    /// The items focused on.
    pub from: Vec<Endpoint>,
    /// How many relationships away (`usize::MAX`: everything upstream or downstream, written
    /// `null` in files).
    #[serde(with = "steps_in_file")]
    pub steps: usize,
    /// Which way relationships are followed.
    #[serde(default)]
    pub follow: Follow,
    /// Only relationships of this type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only: Option<RelationshipTypeId>,
}

/// `steps` in a file: a count, or `null` for no limit (never `usize::MAX`, which JSON readers
/// such as JavaScript's cannot hold exactly).
mod steps_in_file {
    use serde::{Deserialize as _, Deserializer, Serializer};

    #[expect(clippy::trivially_copy_pass_by_ref, reason = "serde's serialize_with passes a reference")]
    pub fn serialize<S: Serializer>(steps: &usize, out: S) -> Result<S::Ok, S::Error> {
        if *steps == usize::MAX { out.serialize_none() } else { out.serialize_u64(*steps as u64) }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(input: D) -> Result<usize, D::Error> {
        Ok(Option::<u64>::deserialize(input)?.map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX)))
    }
}
