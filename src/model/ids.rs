//! Stable identifiers for everything in a map.
//!
//! Ids are plain numbers in the file, unique within their kind, and never reused while a document
//! is open. They are newtypes so that a concept id can never be passed where an area id is meant.
//!
//! # New ids never collide between copies
//!
//! Two people who each add a concept to their copy of a map must not give it the same id, or no
//! merge could tell the two apart. A new id ([`fresh`]) is therefore not "the largest plus one"
//! (as before format version 3) but **time-ordered with a random tail**: the seconds since
//! 2025-01-01 in the high bits and 22 bits that start at a random value per running program and
//! count up from there. Why this and not a random id or per-author id spaces is in
//! `docs/DECISIONS.md`; in short:
//! - two copies collide only if both add elements in the same second *and* their two random
//!   starts fall within the number of elements added (about one in 400,000 for a handful);
//! - within one program ids only grow, so they never collide there, and the file still lists
//!   elements in the order they were made (new ones at the end: small, readable diffs);
//! - every id stays below 2⁵³, so it is exact in every JSON reader, JavaScript's included.
//!
//! Ids already in a file are never changed: they are the shared history two copies are compared
//! by. A merge that still meets the same new id on both sides gives one of them a fresh id.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

/// Every id is below this (2⁵³), exact as a JSON number in every reader.
pub const ID_LIMIT: u64 = 1 << 53;
/// The low bits of a fresh id that count up from a random start.
const TAIL_BITS: u32 = 22;
/// 2025-01-01T00:00:00Z, in seconds since the Unix epoch: the zero of the time part.
const EPOCH_SECS: u64 = 1_735_689_600;

/// The last id handed out by this program.
static LAST: AtomicU64 = AtomicU64::new(0);

/// This program's random start for the tail, drawn once from the operating system's randomness
/// (std's hash keys; no extra crate).
fn tail_start() -> u64 {
    use std::hash::{BuildHasher as _, Hasher as _};
    static START: OnceLock<u64> = OnceLock::new();
    *START.get_or_init(|| {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        // On the web std's hash keys are fixed and there is no process id: the browser's
        // randomness instead.
        #[cfg(target_arch = "wasm32")]
        {
            let mut bytes = [0_u8; 8];
            let _ = getrandom::fill(&mut bytes);
            hasher.write(&bytes);
        }
        #[cfg(not(target_arch = "wasm32"))]
        hasher.write_u32(std::process::id());
        if let Ok(now) = web_time::SystemTime::now().duration_since(web_time::UNIX_EPOCH) {
            hasher.write_u128(now.as_nanos());
        }
        // Leave room below the next second's ids for a large import to count up into.
        hasher.finish() % ((1 << TAIL_BITS) / 2)
    })
}

/// A new id, above `at_least - 1` (the largest id of its kind already in the document, plus one)
/// and above every id this program has handed out. See the module documentation.
pub fn fresh(at_least: u64) -> u64 {
    let seconds = web_time::SystemTime::now()
        .duration_since(web_time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        .saturating_sub(EPOCH_SECS);
    let stamp = (seconds << TAIL_BITS | tail_start()).min(ID_LIMIT - 1);
    let mut last = LAST.load(Ordering::Relaxed);
    loop {
        let next = stamp.max(last.saturating_add(1)).max(at_least).max(1);
        match LAST.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return next,
            Err(seen) => last = seen,
        }
    }
}

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
id_type!(
    /// Identifies a [`crate::model::Memo`] on an item.
    MemoId,
    "memo "
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_ids_grow_stay_exact_in_json_and_respect_the_floor() {
        let mut previous = 0;
        for _ in 0..10_000 {
            let id = fresh(0);
            assert!(id > previous, "{id} after {previous}");
            assert!(id < ID_LIMIT);
            previous = id;
        }
        // A document whose ids are already higher (another clock, an import) is respected.
        let high = previous + 1_000_000;
        assert_eq!(fresh(high), high);
        assert!(fresh(0) > high);
    }

    #[test]
    fn fresh_ids_are_time_ordered_above_the_old_small_ids() {
        // Made after 2025: far above "largest plus one" ids of older files.
        assert!(fresh(0) > 1 << 40);
    }
}
