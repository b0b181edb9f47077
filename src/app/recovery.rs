//! Autosave to a recovery file (never into the user's own file), and the offer to restore it
//! after a crash.
//!
//! Each running Qualmap is a *session* with its own id. It holds an exclusive lock on
//! `session-ID.lock` for as long as it runs and autosaves to `recovery-ID.qualmap` (an ordinary
//! map file, read back with the same validation as any map) plus `recovery-ID.json` naming the
//! map's own file. At start, a recovery file whose session lock can be taken belongs to a session
//! that ended without cleaning up — a crash or a kill — and is offered for restoring; one whose lock
//! is held belongs to another window that is still open and is left alone. The operating system
//! releases the lock of a process that dies, so this needs no clean-up of its own.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::Document;
use crate::model::io::{self, LoadError};

/// What a recovery file belongs to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecoveryInfo {
    /// The map's own file, if it had one.
    pub path: Option<PathBuf>,
    /// The name shown for it.
    pub name: String,
}

/// Work left behind by a session that did not close normally.
pub struct Orphan {
    id: String,
    /// The recovered map, or why it could not be read.
    pub map: Result<(Document, RecoveryInfo), LoadError>,
}

/// This process's autosave slot.
pub struct Session {
    dir: PathBuf,
    id: String,
    /// Held (locked) for the life of the session.
    _lock: fs::File,
}

fn map_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("recovery-{id}.qualmap"))
}

fn info_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("recovery-{id}.json"))
}

fn lock_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("session-{id}.lock"))
}

impl Session {
    /// Starts a session in `dir`; `None` if the folder cannot be used (autosave is then off).
    pub fn start(dir: &Path) -> Option<Self> {
        fs::create_dir_all(dir).ok()?;
        let nanos = web_time::SystemTime::now().duration_since(web_time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let id = format!("{nanos:x}-{}", std::process::id());
        let lock = fs::File::create(lock_path(dir, &id)).ok()?;
        lock.try_lock().ok()?;
        Some(Self { dir: dir.to_owned(), id, _lock: lock })
    }

    /// Writes the recovery copy of `doc`, atomically.
    pub fn write(&self, doc: &Document, info: &RecoveryInfo) -> Result<(), io::SaveError> {
        let info_text = serde_json::to_string_pretty(info).unwrap_or_else(|_| "{}".to_owned());
        io::write_atomic(&info_path(&self.dir, &self.id), info_text.as_bytes())?;
        io::save_path(doc, &map_path(&self.dir, &self.id))
    }

    /// Removes this session's recovery copy (after a save, or when nothing is unsaved).
    pub fn clear(&self) {
        let _ = fs::remove_file(map_path(&self.dir, &self.id));
        let _ = fs::remove_file(info_path(&self.dir, &self.id));
    }

    /// Ends the session normally: removes its recovery copy and its lock file.
    pub fn end(self) {
        self.clear();
        let _ = fs::remove_file(lock_path(&self.dir, &self.id));
    }

    /// Recovery copies left by sessions that are no longer running, newest first. Lock files of
    /// ended sessions that left no copy are tidied away.
    pub fn orphans(&self) -> Vec<Orphan> {
        let Ok(entries) = fs::read_dir(&self.dir) else { return Vec::new() };
        let entries: Vec<fs::DirEntry> = entries.filter_map(Result::ok).collect();
        for entry in &entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(id) = name.strip_prefix("session-").and_then(|n| n.strip_suffix(".lock"))
                && id != self.id
                && !map_path(&self.dir, id).exists()
                && fs::File::open(entry.path()).is_ok_and(|f| f.try_lock().is_ok())
            {
                let _ = fs::remove_file(entry.path());
            }
        }
        let mut ids: Vec<String> = entries
            .iter()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.strip_prefix("recovery-")?.strip_suffix(".qualmap").map(str::to_owned)
            })
            .filter(|id| *id != self.id)
            .filter(|id| match fs::File::open(lock_path(&self.dir, id)) {
                // A lock we can take belongs to a session that is gone.
                Ok(file) => file.try_lock().is_ok(),
                Err(_) => true,
            })
            .collect();
        ids.sort();
        ids.reverse();
        ids.into_iter()
            .map(|id| {
                let info = fs::read_to_string(info_path(&self.dir, &id))
                    .ok()
                    .and_then(|text| serde_json::from_str(&text).ok())
                    .unwrap_or(RecoveryInfo { path: None, name: "Recovered map.qualmap".to_owned() });
                let map = io::load_path(&map_path(&self.dir, &id)).map(|doc| (doc, info));
                Orphan { id, map }
            })
            .collect()
    }

    /// Deletes an orphan's files (after it was restored or discarded).
    pub fn forget(&self, orphan: &Orphan) {
        let _ = fs::remove_file(map_path(&self.dir, &orphan.id));
        let _ = fs::remove_file(info_path(&self.dir, &orphan.id));
        let _ = fs::remove_file(lock_path(&self.dir, &orphan.id));
    }

    /// Moves an unreadable orphan aside so that it is neither offered again nor lost; returns
    /// where it went.
    pub fn set_aside(&self, orphan: &Orphan) -> PathBuf {
        let aside = self.dir.join(format!("unreadable-{}.qualmap", orphan.id));
        let _ = fs::rename(map_path(&self.dir, &orphan.id), &aside);
        self.forget(orphan);
        aside
    }
}

/// Where recovery files live: `QUALMAP_RECOVERY_DIR` if set, else the app's data folder.
pub fn default_dir() -> Option<PathBuf> {
    // A browser has no folders: no recovery files on the web.
    #[cfg(target_arch = "wasm32")]
    return None;
    #[cfg(not(target_arch = "wasm32"))]
    std::env::var_os("QUALMAP_RECOVERY_DIR")
        .map(PathBuf::from)
        .or_else(|| eframe::storage_dir("Qualmap").map(|d| d.join("recovery")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::example;

    fn info() -> RecoveryInfo {
        RecoveryInfo { path: Some(PathBuf::from("maps/study.qualmap")), name: "study.qualmap".to_owned() }
    }

    #[test]
    fn a_crashed_sessions_work_is_found_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let doc = example::document();
        let crashed = Session::start(dir.path()).unwrap();
        crashed.write(&doc, &info()).unwrap();
        // While it runs, another window does not take its work.
        let other = Session::start(dir.path()).unwrap();
        assert!(other.orphans().is_empty());
        drop(crashed); // the process dies: its lock is released, its files stay
        let orphans = other.orphans();
        assert_eq!(orphans.len(), 1);
        let (back, back_info) = orphans[0].map.as_ref().unwrap();
        assert_eq!(back, &doc);
        assert_eq!(back_info, &info());
        other.forget(&orphans[0]);
        assert!(other.orphans().is_empty());
    }

    #[test]
    fn a_normal_end_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let session = Session::start(dir.path()).unwrap();
        session.write(&example::document(), &info()).unwrap();
        session.end();
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_damaged_recovery_file_is_reported_and_kept_aside() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(map_path(dir.path(), "dead"), "{\"format\": \"qualmap\", \"version\": 1, \"concepts\": [").unwrap();
        let session = Session::start(dir.path()).unwrap();
        let orphans = session.orphans();
        assert!(orphans[0].map.is_err());
        let aside = session.set_aside(&orphans[0]);
        assert!(aside.exists());
        assert!(session.orphans().is_empty());
    }
}
