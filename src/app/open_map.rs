//! The open map and everything that must change with it: the document, its undo history, its
//! revision, its file, whether it is saved, and its autosave to the recovery folder.
//!
//! Every change goes through [`OpenMap::apply`], [`OpenMap::preview_moves`] /
//! [`OpenMap::commit_moves`], [`OpenMap::undo`] / [`OpenMap::redo`] or [`OpenMap::replace`], and
//! each of them bumps the revision (so scenes, listings and searches are redone) and, where the
//! map differs from what is on disk, schedules the autosave. No caller can forget a step: the
//! document is only handed out read-only. (helix's `Document` owns its history and version the
//! same way.)

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use web_time::Instant;

use crate::command::{Command, CommandError, History, MergeKey, StepFailed};
use crate::model::{ConceptId, Document, Point, io};

use super::recovery;

/// How long after the last change the recovery file is written.
const AUTOSAVE_DELAY: Duration = Duration::from_millis(1500);

/// What undo or redo did.
#[derive(Debug)]
pub enum Step {
    /// Nothing to undo (or redo).
    Nothing,
    /// Undid (or redid) the step with this label.
    Done(String),
    /// The step could not be applied to the map as it is; it stays in the history and the map
    /// is unchanged.
    Failed(StepFailed),
}

/// The open map: document, history, revision, file, saved state and autosave.
#[derive(Default)]
pub struct OpenMap {
    /// Shared (not copied) with work on worker threads — scene builds, autosave, export,
    /// layout; a change while such work still reads it copies it first.
    doc: Arc<Document>,
    history: History,
    /// Changes whenever the document does.
    revision: u64,
    /// The revision at which this map replaced the previous one: nothing built from an older
    /// revision belongs to it.
    floor: u64,
    /// The file the map was opened from or saved to; `None` for the example or a new map.
    path: Option<PathBuf>,
    /// The name shown for a map that has no file yet.
    unsaved_name: String,
    /// Where autosave writes; `None` disables it.
    recovery: Option<Arc<recovery::Session>>,
    autosave_due: Option<Instant>,
    /// An autosave being written on a worker thread.
    autosave_job: Option<std::thread::JoinHandle<Result<(), io::SaveError>>>,
    /// The relationship graph of one revision, made when first asked for and shared by the
    /// focus, the Explore window and presenting.
    graph: std::sync::Mutex<Option<(u64, Arc<crate::explore::RelationGraph>)>>,
}

impl OpenMap {
    /// The map.
    pub fn doc(&self) -> &Document {
        &self.doc
    }

    /// The map's relationship graph (see `crate::explore`), made once per revision.
    pub fn relation_graph(&self) -> Arc<crate::explore::RelationGraph> {
        let mut cached = self.graph.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match &*cached {
            Some((revision, graph)) if *revision == self.revision => Arc::clone(graph),
            _ => {
                let graph = Arc::new(crate::explore::RelationGraph::new(&self.doc));
                *cached = Some((self.revision, Arc::clone(&graph)));
                graph
            }
        }
    }

    /// The map, shared with a worker thread (no copy).
    pub fn shared(&self) -> Arc<Document> {
        Arc::clone(&self.doc)
    }

    /// Changes whenever the map does.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// The revision at which this map was opened (see the field).
    pub fn floor(&self) -> u64 {
        self.floor
    }

    /// The file the map belongs to, if it has been saved or opened from one.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The file name shown for the map (its file's, or the name of a map without one).
    pub fn display_name(&self) -> String {
        self.path
            .as_ref()
            .and_then(|p| p.file_name())
            .map_or_else(|| self.unsaved_name.clone(), |n| n.to_string_lossy().into_owned())
    }

    /// Whether the map has changes that are not saved.
    pub fn is_dirty(&self) -> bool {
        self.history.is_dirty()
    }

    /// What Undo would undo.
    pub fn undo_label(&self) -> Option<&str> {
        self.history.undo_label()
    }

    /// What Redo would redo.
    pub fn redo_label(&self) -> Option<&str> {
        self.history.redo_label()
    }

    /// Ends a run of typing: the next edit is an undo step of its own.
    pub fn seal(&mut self) {
        self.history.seal();
    }

    /// Sets where autosave writes (`None`: no autosave).
    pub fn set_recovery(&mut self, recovery: Option<Arc<recovery::Session>>) {
        self.recovery = recovery;
    }

    /// The recovery folder's session, if autosave is on.
    pub fn recovery(&self) -> Option<&Arc<recovery::Session>> {
        self.recovery.as_ref()
    }

    /// The map, for changing it. If a worker still reads it (a scene build, an autosave, an
    /// export), it is copied first; its large lists are shared copy-on-write
    /// (`model::Shared`), so the copy takes only the lists the change touches.
    fn writable(&mut self) -> &mut Document {
        self.unshare();
        Arc::make_mut(&mut self.doc)
    }

    /// Copies the map if a worker still reads it, so that changing it copies nothing more.
    fn unshare(&mut self) {
        if Arc::strong_count(&self.doc) > 1 {
            let started = Instant::now();
            Arc::make_mut(&mut self.doc);
            super::log_slow("copy of a map a worker reads", started.elapsed());
        }
    }

    /// The map changed: a new revision, and the recovery file is due shortly.
    fn changed(&mut self) {
        self.revision += 1;
        self.autosave_due = Some(Instant::now() + AUTOSAVE_DELAY);
    }

    /// Replaces the map with another (opened, new, restored), with a fresh history.
    pub fn replace(&mut self, doc: Document, path: Option<PathBuf>, unsaved_name: &str) {
        self.doc = Arc::new(doc);
        self.history = History::default();
        self.path = path;
        self.unsaved_name = unsaved_name.to_owned();
        self.revision += 1;
        self.floor = self.revision;
    }

    /// Applies `command` as one undo step (merged with the last when both have `merge_key`).
    pub fn apply(&mut self, command: Command, merge_key: Option<MergeKey>) -> Result<(), CommandError> {
        self.unshare();
        let doc = Arc::make_mut(&mut self.doc);
        self.history.apply_merging(doc, command, merge_key)?;
        self.changed();
        Ok(())
    }

    /// Moves concepts without an undo step, as a drag or a running layout shows them (the
    /// step is recorded by [`Self::commit_moves`] when the move ends). Returns whether the
    /// moves applied.
    pub fn preview_moves(&mut self, moves: Vec<(ConceptId, Point)>) -> bool {
        let moved = Command::MoveConcepts(moves).apply(self.writable()).is_ok();
        if moved {
            self.revision += 1;
        }
        moved
    }

    /// Records moves already shown with [`Self::preview_moves`] as one undo step called `label`
    /// (`None`: "Move …" as the command describes it): `from` puts the concepts back, `to`
    /// where they are now.
    pub fn commit_moves(&mut self, from: Vec<(ConceptId, Point)>, to: Vec<(ConceptId, Point)>, label: Option<String>) {
        let (undo, redo) = (Command::MoveConcepts(from), Command::MoveConcepts(to));
        let (undo, redo) = match label {
            Some(label) => (
                Command::Batch { label: label.clone(), commands: vec![undo] },
                Command::Batch { label, commands: vec![redo] },
            ),
            None => (undo, redo),
        };
        self.history.record(undo, redo);
        self.changed();
    }

    /// Undoes the last step.
    pub fn undo(&mut self) -> Step {
        self.unshare();
        let doc = Arc::make_mut(&mut self.doc);
        let step = self.history.undo(doc);
        self.after(step)
    }

    /// Redoes the last undone step.
    pub fn redo(&mut self) -> Step {
        self.unshare();
        let doc = Arc::make_mut(&mut self.doc);
        let step = self.history.redo(doc);
        self.after(step)
    }

    fn after(&mut self, step: Result<Option<String>, StepFailed>) -> Step {
        match step {
            Ok(None) => Step::Nothing,
            Ok(Some(label)) => {
                self.changed();
                Step::Done(label)
            }
            Err(failed) => Step::Failed(failed),
        }
    }

    /// Saves the map to `path`; from then on it belongs to that file and is clean.
    pub fn save_to(&mut self, path: &Path) -> Result<(), io::SaveError> {
        io::save_path(&self.doc, path)?;
        self.path = Some(path.to_owned());
        self.history.mark_saved();
        Ok(())
    }

    /// Marks the map as saved (a browser's download holds it now).
    #[cfg(target_arch = "wasm32")]
    pub fn mark_saved(&mut self) {
        self.history.mark_saved();
    }

    /// Marks the map as changed from what is on disk (restored from a recovery file).
    pub fn mark_unsaved(&mut self) {
        self.history.mark_unsaved();
    }

    // ----- Autosave ----------------------------------------------------------------------------

    /// Writes (or clears) the recovery file now, on this thread (after any autosave still being
    /// written on a worker). Returns a failure to report.
    pub fn autosave_now(&mut self) -> Option<String> {
        self.autosave_due = None;
        let mut failure = self.finish_autosave_job();
        let Some(session) = &self.recovery else { return failure };
        if self.is_dirty() {
            let info = recovery::RecoveryInfo { path: self.path.clone(), name: self.display_name() };
            if let Err(err) = session.write(&self.doc, &info) {
                failure = Some(format!("Autosave failed: {err}"));
            }
        } else {
            session.clear();
        }
        failure
    }

    /// Waits for an autosave running on a worker thread; returns its failure, if it failed.
    fn finish_autosave_job(&mut self) -> Option<String> {
        match self.autosave_job.take()?.join() {
            Ok(Ok(())) => None,
            Ok(Err(err)) => Some(format!("Autosave failed: {err}")),
            Err(_) => Some("Autosave failed: the writer stopped unexpectedly".to_owned()),
        }
    }

    /// Writes the recovery file on a worker thread from a copy of the map, so that a large
    /// map's autosave never holds up the window. One write at a time, in order.
    fn autosave_in_background(&mut self, ctx: &egui::Context) -> Option<String> {
        if self.autosave_job.as_ref().is_some_and(|job| !job.is_finished()) {
            // Still writing the previous copy: try again shortly.
            self.autosave_due = Some(Instant::now() + Duration::from_millis(250));
            ctx.request_repaint_after(Duration::from_millis(250));
            return None;
        }
        let failure = self.finish_autosave_job();
        self.autosave_due = None;
        let Some(session) = self.recovery.clone() else { return failure };
        if !self.is_dirty() {
            session.clear();
            return failure;
        }
        let doc = self.shared();
        let info = recovery::RecoveryInfo { path: self.path.clone(), name: self.display_name() };
        match super::spawn_background("autosave", move || session.write(&doc, &info)) {
            Ok(job) => {
                self.autosave_job = Some(job);
                failure
            }
            Err(err) => Some(format!("Autosave failed: {err}")),
        }
    }

    /// Once a frame: starts the autosave when it is due, collects one that finished. Returns a
    /// failure to report.
    pub fn autosave_tick(&mut self, ctx: &egui::Context) -> Option<String> {
        let mut failure = None;
        if let Some(due) = self.autosave_due {
            let now = Instant::now();
            if now >= due {
                failure = self.autosave_in_background(ctx);
            } else {
                ctx.request_repaint_after(due - now);
            }
        }
        if self.autosave_job.as_ref().is_some_and(|job| job.is_finished()) {
            failure = self.finish_autosave_job().or(failure);
        }
        failure
    }

    /// Whether a change is waiting to be written to the recovery file.
    pub fn autosave_pending(&self) -> bool {
        self.autosave_due.is_some()
    }

    /// A normal close: waits for an autosave being written and removes this session's recovery
    /// folder (the user saved or chose not to; nothing is left to recover).
    pub fn end_session(&mut self) {
        let _ = self.finish_autosave_job();
        if let Some(session) = self.recovery.take().and_then(|s| Arc::try_unwrap(s).ok()) {
            session.end();
        }
    }

    /// Whether the recovery file is being written on a worker (which reads the map meanwhile).
    pub fn autosave_writing(&self) -> bool {
        self.autosave_job.as_ref().is_some_and(|job| !job.is_finished())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::Element;

    fn renamed(doc: &Document, label: &str) -> Command {
        let concept = doc.concepts.first().unwrap().clone();
        Command::Update(Element::Concept(crate::model::Concept { label: label.to_owned(), ..concept }))
    }

    #[test]
    fn every_change_bumps_the_revision_and_schedules_autosave() {
        let mut map = OpenMap::default();
        map.replace(crate::model::example::document(), None, "example");
        let opened = map.revision();
        assert_eq!(map.floor(), opened);
        assert!(!map.autosave_pending());
        map.apply(renamed(map.doc(), "A"), None).unwrap();
        assert!(map.revision() > opened);
        assert!(map.autosave_pending());
        assert!(map.is_dirty());
        let before = map.revision();
        assert!(matches!(map.undo(), Step::Done(_)));
        assert!(map.revision() > before);
        assert!(!map.is_dirty());
        let before = map.revision();
        assert!(matches!(map.redo(), Step::Done(_)));
        assert!(map.revision() > before);
        // A failed command changes nothing.
        let before = map.revision();
        assert!(map.apply(Command::MoveConcepts(vec![(ConceptId(999_999), Point::new(0.0, 0.0))]), None).is_err());
        assert_eq!(map.revision(), before);
    }

    #[test]
    fn previewed_moves_become_one_step_when_committed() {
        let mut map = OpenMap::default();
        map.replace(crate::model::example::document(), None, "example");
        let concept = map.doc().concepts[0].clone();
        let start = vec![(concept.id, concept.pos)];
        let end = vec![(concept.id, Point::new(concept.pos.x + 40.0, concept.pos.y))];
        let before = map.revision();
        assert!(map.preview_moves(end.clone()));
        assert!(map.revision() > before);
        assert!(!map.is_dirty(), "a preview is not a step yet");
        map.commit_moves(start, end, None);
        assert!(map.is_dirty());
        assert!(matches!(map.undo(), Step::Done(_)));
        assert_eq!(map.doc().concept(concept.id).unwrap().pos, concept.pos);
    }

    #[test]
    fn a_step_that_cannot_be_undone_stays_in_the_history() {
        let mut map = OpenMap::default();
        map.replace(crate::model::example::document(), None, "example");
        // A recorded step whose undo names a concept the map does not have.
        map.commit_moves(vec![(ConceptId(999_999), Point::new(0.0, 0.0))], vec![], Some("Move a ghost".to_owned()));
        let before = map.revision();
        match map.undo() {
            Step::Failed(failed) => assert_eq!(failed.label, "Move a ghost"),
            other => panic!("{other:?}"),
        }
        assert_eq!(map.revision(), before, "the map did not change");
        assert_eq!(map.undo_label(), Some("Move a ghost"), "the step is still there");
    }
}
