//! Every change to a document is a [`Command`]: a value applied in one place that returns its
//! inverse. Undo/redo, the unsaved-changes marker and (later) autosave share this one path; UI code
//! queues commands and never changes the document directly.

use crate::model::{ConceptId, Document, Point};

/// Why a command could not be applied. The document is unchanged when this is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// The command names an element that is not in the document.
    #[error("{0} is not in the map")]
    Missing(String),
    /// A coordinate was NaN or infinite.
    #[error("a position must be a finite number")]
    NotFinite,
}

/// One change to a document.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Put concepts at new positions.
    MoveConcepts(Vec<(ConceptId, Point)>),
}

impl Command {
    /// What the command does, for menu items such as "Undo Move 3 concepts".
    pub fn describe(&self) -> String {
        match self {
            Self::MoveConcepts(moves) if moves.len() == 1 => "Move concept".to_owned(),
            Self::MoveConcepts(moves) => format!("Move {} concepts", moves.len()),
        }
    }

    /// Applies the command and returns the command that undoes it. On error nothing changes.
    pub fn apply(self, doc: &mut Document) -> Result<Self, CommandError> {
        match self {
            Self::MoveConcepts(moves) => {
                for (id, pos) in &moves {
                    if !(pos.x.is_finite() && pos.y.is_finite()) {
                        return Err(CommandError::NotFinite);
                    }
                    if doc.concept(*id).is_none() {
                        return Err(CommandError::Missing(id.to_string()));
                    }
                }
                let mut inverse = Vec::with_capacity(moves.len());
                for (id, pos) in moves {
                    if let Some(concept) = doc.concept_mut(id) {
                        inverse.push((id, concept.pos));
                        concept.pos = pos;
                    }
                }
                // Undo must restore in reverse order in case an id appears twice.
                inverse.reverse();
                Ok(Self::MoveConcepts(inverse))
            }
        }
    }
}

struct Entry {
    label: String,
    undo: Command,
    redo: Command,
    serial: u64,
}

/// The undo and redo stacks, and which state was last saved.
#[derive(Default)]
pub struct History {
    undo: Vec<Entry>,
    redo: Vec<Entry>,
    next_serial: u64,
    saved_state: u64,
}

impl History {
    /// Applies `command` to `doc` and records it as one undo step.
    pub fn apply(&mut self, doc: &mut Document, command: Command) -> Result<(), CommandError> {
        let label = command.describe();
        let redo = command.clone();
        let undo = command.apply(doc)?;
        self.push(label, undo, redo);
        Ok(())
    }

    /// Records a change that was already made to the document (e.g. a drag shown live), given
    /// the commands that undo and redo it.
    pub fn record(&mut self, undo: Command, redo: Command) {
        self.push(redo.describe(), undo, redo);
    }

    fn push(&mut self, label: String, undo: Command, redo: Command) {
        self.next_serial += 1;
        self.undo.push(Entry {
            label,
            undo,
            redo,
            serial: self.next_serial,
        });
        self.redo.clear();
    }

    /// Undoes the last step; returns what was undone.
    pub fn undo(&mut self, doc: &mut Document) -> Option<String> {
        let mut entry = self.undo.pop()?;
        match entry.undo.clone().apply(doc) {
            Ok(redo) => {
                entry.redo = redo;
                let label = entry.label.clone();
                self.redo.push(entry);
                Some(label)
            }
            Err(_) => None,
        }
    }

    /// Redoes the last undone step; returns what was redone.
    pub fn redo(&mut self, doc: &mut Document) -> Option<String> {
        let mut entry = self.redo.pop()?;
        match entry.redo.clone().apply(doc) {
            Ok(undo) => {
                entry.undo = undo;
                let label = entry.label.clone();
                self.undo.push(entry);
                Some(label)
            }
            Err(_) => None,
        }
    }

    /// What Undo would undo.
    pub fn undo_label(&self) -> Option<&str> {
        self.undo.last().map(|e| e.label.as_str())
    }

    /// What Redo would redo.
    pub fn redo_label(&self) -> Option<&str> {
        self.redo.last().map(|e| e.label.as_str())
    }

    fn state(&self) -> u64 {
        self.undo.last().map_or(0, |e| e.serial)
    }

    /// Marks the current state as the saved one.
    pub fn mark_saved(&mut self) {
        self.saved_state = self.state();
    }

    /// Whether the document differs from what was last saved (or loaded).
    pub fn is_dirty(&self) -> bool {
        self.state() != self.saved_state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::example;

    #[test]
    fn move_undo_redo_and_dirty_flag() {
        let original = example::document();
        let mut doc = original.clone();
        let mut history = History::default();
        assert!(!history.is_dirty());
        let id = doc.concepts[0].id;
        history
            .apply(
                &mut doc,
                Command::MoveConcepts(vec![(id, Point::new(1.0, 2.0))]),
            )
            .unwrap();
        assert!(history.is_dirty());
        assert_eq!(doc.concept(id).unwrap().pos, Point::new(1.0, 2.0));
        assert_eq!(history.undo_label(), Some("Move concept"));
        history.undo(&mut doc);
        assert_eq!(doc, original);
        assert!(!history.is_dirty());
        history.redo(&mut doc);
        assert_eq!(doc.concept(id).unwrap().pos, Point::new(1.0, 2.0));
        history.mark_saved();
        assert!(!history.is_dirty());
        history.undo(&mut doc);
        assert!(history.is_dirty());
    }

    #[test]
    fn bad_moves_change_nothing() {
        let original = example::document();
        let mut doc = original.clone();
        let mut history = History::default();
        let id = doc.concepts[0].id;
        let nan = Command::MoveConcepts(vec![(id, Point::new(f32::NAN, 0.0))]);
        assert_eq!(history.apply(&mut doc, nan), Err(CommandError::NotFinite));
        let missing = Command::MoveConcepts(vec![
            (id, Point::new(0.0, 0.0)),
            (ConceptId(9999), Point::new(0.0, 0.0)),
        ]);
        assert!(matches!(
            history.apply(&mut doc, missing),
            Err(CommandError::Missing(_))
        ));
        assert_eq!(doc, original);
        assert!(!history.is_dirty());
    }
}
