//! Memos on map items (format version 4): a short comment, a stance (agree, disagree, unsure) or
//! both, written by someone about one concept, area or relationship. Workshop participants'
//! comments arrive as memos, under the pseudonym each chose.
//!
//! A memo is not evidence. It is not cut from a source, carries no codes, and never counts toward
//! an item's support: it is what someone said *about* the map, kept beside the evidence and
//! exported apart from it (why it is an element of its own is in `docs/DECISIONS.md`). A memo is
//! added and deleted whole and never edited in place: it is its author's words.

use serde::{Deserialize, Serialize};

use super::{ItemRef, MemoId};

/// Where a memo's author stands on the item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    /// The author agrees with the item as the map shows it.
    Agree,
    /// The author disagrees.
    Disagree,
    /// The author is not sure.
    Unsure,
}

impl Stance {
    /// Every stance, in the order lists show them.
    pub const ALL: [Self; 3] = [Self::Agree, Self::Disagree, Self::Unsure];

    /// A short human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Agree => "Agree",
            Self::Disagree => "Disagree",
            Self::Unsure => "Unsure",
        }
    }
}

/// A comment or a stance on one item of the map, with who wrote it and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Memo {
    /// Stable id.
    pub id: MemoId,
    /// The concept, area or relationship it is about.
    pub item: ItemRef,
    /// Who wrote it: a workshop participant's chosen pseudonym, or the analyst's name.
    #[serde(default)]
    pub author: String,
    /// Agree, disagree or unsure, if the author said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stance: Option<Stance>,
    /// The comment; may be empty when a stance is given.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// When it was written: ISO 8601 in UTC (e.g. `2026-03-05T14:02:11Z`), kept as written.
    #[serde(default)]
    pub written_at: String,
}

impl Memo {
    /// Whether it says anything: a stance, or text that is not only white space. A memo that
    /// says nothing is refused (by the command that adds it and when a file is read).
    pub fn has_content(&self) -> bool {
        self.stance.is_some() || !self.text.trim().is_empty()
    }

    /// Who wrote it, for lists: the author, or "(no name)".
    pub fn author_label(&self) -> &str {
        if self.author.trim().is_empty() { "(no name)" } else { &self.author }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ConceptId;

    #[test]
    fn a_memo_reads_and_writes_with_snake_case_stances_and_without_empty_text() {
        let memo = Memo {
            id: MemoId(7),
            item: ItemRef::Concept(ConceptId(3)),
            author: "Kestrel".to_owned(),
            stance: Some(Stance::Disagree),
            text: String::new(),
            written_at: "2026-03-05T14:02:11Z".to_owned(),
        };
        let text = serde_json::to_string(&memo).unwrap();
        assert_eq!(
            text,
            r#"{"id":7,"item":{"concept":3},"author":"Kestrel","stance":"disagree","written_at":"2026-03-05T14:02:11Z"}"#
        );
        let back: Memo = serde_json::from_str(&text).unwrap();
        assert_eq!(back, memo);
        assert!(memo.has_content());
        let silent = Memo { stance: None, text: "  \n".to_owned(), ..memo };
        assert!(!silent.has_content());
        assert_eq!(Memo { author: " ".to_owned(), ..silent }.author_label(), "(no name)");
    }

    #[test]
    fn stances_have_labels_and_file_names() {
        let names: Vec<String> = Stance::ALL.iter().map(|s| serde_json::to_string(s).unwrap()).collect();
        assert_eq!(names, ["\"agree\"", "\"disagree\"", "\"unsure\""]);
        assert_eq!(Stance::Unsure.label(), "Unsure");
    }
}
