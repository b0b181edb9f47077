//! Autosave to a recovery file (never into the user's own file), and the offer to restore it
//! after a crash. The recovery map is an ordinary `.qualmap` file, so it is read back with the
//! same validation as any map; a small JSON file beside it remembers which file it belongs to.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::Document;
use crate::model::io::{self, LoadError};

/// What the recovery file belongs to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecoveryInfo {
    /// The map's own file, if it had one.
    pub path: Option<PathBuf>,
    /// The name shown for it.
    pub name: String,
}

const MAP_FILE: &str = "recovery.qualmap";
const INFO_FILE: &str = "recovery.json";

/// Writes the recovery copy of `doc` into `dir`, atomically.
pub fn write(dir: &Path, doc: &Document, info: &RecoveryInfo) -> Result<(), io::SaveError> {
    fs::create_dir_all(dir).map_err(|source| io::SaveError {
        path: dir.to_owned(),
        what: "cannot create the recovery folder",
        source,
    })?;
    let info_text = serde_json::to_string_pretty(info).unwrap_or_else(|_| "{}".to_owned());
    io::write_atomic(&dir.join(INFO_FILE), info_text.as_bytes())?;
    io::save_path(doc, &dir.join(MAP_FILE))
}

/// The recovery copy in `dir`, if there is one.
pub fn read(dir: &Path) -> Option<Result<(Document, RecoveryInfo), LoadError>> {
    let map_path = dir.join(MAP_FILE);
    if !map_path.exists() {
        return None;
    }
    let info = fs::read_to_string(dir.join(INFO_FILE))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or(RecoveryInfo { path: None, name: "Recovered map.qualmap".to_owned() });
    Some(io::load_path(&map_path).map(|doc| (doc, info)))
}

/// Removes the recovery copy (after a save, a normal close, or when the user discards it).
pub fn clear(dir: &Path) {
    let _ = fs::remove_file(dir.join(MAP_FILE));
    let _ = fs::remove_file(dir.join(INFO_FILE));
}

/// Where recovery files live: `QUALMAP_RECOVERY_DIR` if set, else the app's data folder.
pub fn default_dir() -> Option<PathBuf> {
    std::env::var_os("QUALMAP_RECOVERY_DIR")
        .map(PathBuf::from)
        .or_else(|| eframe::storage_dir("Qualmap").map(|d| d.join("recovery")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::example;

    #[test]
    fn write_read_clear() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read(dir.path()).is_none());
        let doc = example::document();
        let info = RecoveryInfo { path: Some(PathBuf::from("maps/study.qualmap")), name: "study.qualmap".to_owned() };
        write(dir.path(), &doc, &info).unwrap();
        let (back, back_info) = read(dir.path()).unwrap().unwrap();
        assert_eq!(back, doc);
        assert_eq!(back_info, info);
        clear(dir.path());
        assert!(read(dir.path()).is_none());
    }

    #[test]
    fn a_damaged_recovery_file_is_reported_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(MAP_FILE), "{\"format\": \"qualmap\", \"version\": 1, \"concepts\": [").unwrap();
        assert!(matches!(read(dir.path()), Some(Err(_))));
    }
}
