//! A list the map shares copy-on-write with the snapshots that workers read.
//!
//! The window keeps the map in an `Arc` and hands clones of it to workers (scene builds,
//! autosave, export). An edit made while a worker still reads the map copies it; with plain
//! vectors that copied all 100,000 evidence items of a large map (≈ 15–45 ms) even when the edit
//! only moved concepts. A `Shared` list is copied only when it is itself changed, so a move
//! during an autosave copies the concepts and leaves the evidence and relationships shared.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A `Vec` behind an `Arc`: cloning shares it; changing it copies it first if it is shared.
#[derive(PartialEq)]
pub struct Shared<T>(Arc<Vec<T>>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T> Default for Shared<T> {
    fn default() -> Self {
        Self(Arc::new(Vec::new()))
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.as_slice().fmt(f)
    }
}

impl<T> Deref for Shared<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.0
    }
}

impl<T: Clone> DerefMut for Shared<T> {
    fn deref_mut(&mut self) -> &mut Vec<T> {
        Arc::make_mut(&mut self.0)
    }
}

impl<T> From<Vec<T>> for Shared<T> {
    fn from(items: Vec<T>) -> Self {
        Self(Arc::new(items))
    }
}

impl<T> FromIterator<T> for Shared<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Self::from(iter.into_iter().collect::<Vec<T>>())
    }
}

impl<'a, T> IntoIterator for &'a Shared<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<'a, T: Clone> IntoIterator for &'a mut Shared<T> {
    type Item = &'a mut T;
    type IntoIter = std::slice::IterMut<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        Arc::make_mut(&mut self.0).iter_mut()
    }
}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.as_slice().serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Shared<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<T>::deserialize(deserializer).map(Self::from)
    }
}

impl<T> Shared<T> {
    /// Whether both lists are the same allocation (nothing was copied between them).
    pub fn shares_with(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Shared;

    #[test]
    fn a_clone_shares_until_one_side_changes() {
        let original: Shared<String> = vec!["a".to_owned(), "b".to_owned()].into();
        let mut copy = original.clone();
        assert!(copy.shares_with(&original));
        assert_eq!(copy.len(), 2);
        copy.push("c".to_owned());
        assert!(!copy.shares_with(&original));
        assert_eq!(original.as_slice(), ["a", "b"]);
        assert_eq!(copy.as_slice(), ["a", "b", "c"]);
        for item in &mut copy {
            item.make_ascii_uppercase();
        }
        assert_eq!(copy.as_slice(), ["A", "B", "C"]);
        assert_eq!(original.as_slice(), ["a", "b"]);
    }

    #[test]
    fn it_reads_and_writes_as_a_plain_list() {
        let list: Shared<u32> = vec![3, 1, 2].into();
        let text = serde_json::to_string(&list).unwrap_or_default();
        assert_eq!(text, "[3,1,2]");
        let back: Shared<u32> = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(back, list);
    }
}
