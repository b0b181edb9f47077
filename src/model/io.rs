//! Reading and writing `.qualmap` files.
//!
//! A file is JSON: a `format`/`version` header, then the document's collections, each sorted by
//! id, pretty-printed with a trailing newline, so saving twice gives identical bytes and diffs of
//! a map under version control stay small. Saving is atomic: a complete temporary file is written
//! and flushed next to the target and then renamed over it.

use std::fmt;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::json_locate::{self, Segment, TextPos};
use super::validate::{Problem, validate};
use super::{Document, FORMAT_NAME, FORMAT_VERSION};

/// Why a map could not be read. Every variant names the file and, where there is one, the line
/// and column, and its message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read at all.
    #[error("{origin}: cannot read the file: {source}")]
    Io {
        /// The file.
        origin: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The file is not text.
    #[error("{origin}:{}:{}: the file is not UTF-8 text, so it is not a Qualmap map", .at.line, .at.column)]
    NotText {
        /// The file.
        origin: String,
        /// Where the first invalid byte is.
        at: TextPos,
    },
    /// The file is empty.
    #[error("{origin}: the file is empty; a Qualmap map is a JSON object starting with {{\"format\": \"qualmap\"")]
    Empty {
        /// The file.
        origin: String,
    },
    /// The text is not valid JSON (including a file cut short).
    #[error("{origin}:{}:{}: not valid JSON: {message}", .at.line, .at.column)]
    NotJson {
        /// The file.
        origin: String,
        /// Where the parser stopped.
        at: TextPos,
        /// What the parser expected.
        message: String,
    },
    /// Valid JSON, but not a Qualmap map.
    #[error("{origin}:{}:{}: not a Qualmap map: {message}", .at.line, .at.column)]
    NotQualmap {
        /// The file.
        origin: String,
        /// Where the header problem is.
        at: TextPos,
        /// What was found instead.
        message: String,
    },
    /// Written by a newer Qualmap than this one.
    #[error(
        "{origin}: this map was written by a newer Qualmap (file format version {version}); this is \
         qualmap {app_version}, which reads format versions up to {supported}. Update Qualmap to open it."
    )]
    NewerVersion {
        /// The file.
        origin: String,
        /// The version in the file.
        version: u64,
        /// The newest version this build reads.
        supported: u32,
        /// This program's version.
        app_version: &'static str,
    },
    /// A Qualmap map whose contents do not have the expected shape (missing field, wrong type).
    #[error("{origin}:{}:{}: {message}", .at.line, .at.column)]
    BadContent {
        /// The file.
        origin: String,
        /// Where the problem is.
        at: TextPos,
        /// What is wrong.
        message: String,
    },
    /// Larger than Qualmap opens (a bound on time and memory, far above real projects).
    #[error("{origin}: {what}; Qualmap opens maps of up to {limit}. Split the project, or import only part of it.")]
    TooLarge {
        /// The file.
        origin: String,
        /// What is too large, e.g. "it holds 1000000 concepts".
        what: String,
        /// The limit, in words.
        limit: String,
    },
    /// A well-formed map whose references do not hold together.
    #[error("{}", integrity_text(.origin, .problems))]
    Integrity {
        /// The file.
        origin: String,
        /// Each problem with its position, in file order.
        problems: Vec<(Option<TextPos>, Problem)>,
    },
}

/// At most this many integrity problems are spelled out; the rest are counted.
const PROBLEMS_SHOWN: usize = 8;

fn integrity_text(origin: &str, problems: &[(Option<TextPos>, Problem)]) -> String {
    let mut text = format!(
        "{origin}: the map's references do not hold together ({} problem{}):",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    for (at, problem) in problems.iter().take(PROBLEMS_SHOWN) {
        match at {
            Some(at) => text.push_str(&format!(
                "\n  {origin}:{}:{}: {} (at {})",
                at.line,
                at.column,
                problem.message,
                problem.path_text()
            )),
            None => text.push_str(&format!("\n  {} (at {})", problem.message, problem.path_text())),
        }
    }
    if problems.len() > PROBLEMS_SHOWN {
        text.push_str(&format!("\n  … and {} more", problems.len() - PROBLEMS_SHOWN));
    }
    text
}

/// The header every file starts with; read first so that a file from a newer version is refused
/// before its contents are interpreted.
#[derive(Deserialize)]
struct Header {
    format: Option<serde_json::Value>,
    version: Option<serde_json::Value>,
}

/// A document as written: the header, then its collections in file order. The story's key is
/// `presentation` in versions 1 and 2 and `story` from 3, so that a map that needs nothing newer
/// still opens in an older Qualmap; `memos` (version 4) is written only when there are some.
#[derive(Serialize)]
struct FileOut<'a> {
    format: &'static str,
    version: u32,
    info: &'a super::MapInfo,
    areas: &'a [super::Area],
    concepts: &'a [super::Concept],
    relationship_types: &'a [super::RelationshipType],
    relationships: &'a [super::Relationship],
    codes: &'a [super::Code],
    sources: &'a [super::Source],
    evidence: &'a [super::Evidence],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    memos: &'a [super::Memo],
    #[serde(skip_serializing_if = "Option::is_none")]
    presentation: Option<&'a [super::Step]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    story: Option<&'a [super::Step]>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    conflicts: &'a [super::Conflict],
}

/// The largest map file read (1 GB): a map of 100,000 concepts with a million excerpts is well
/// under it.
pub const MAX_FILE_BYTES: u64 = 1_000_000_000;

/// The most concepts a map may hold.
pub const MAX_CONCEPTS: usize = 100_000;

/// The most relationships a map may hold.
pub const MAX_RELATIONSHIPS: usize = 1_000_000;

/// The most evidence items a map may hold.
pub const MAX_EVIDENCE: usize = 2_000_000;

/// Reads a map from a file; `origin` in errors is the path as given.
pub fn load_path(path: &Path) -> Result<Document, LoadError> {
    use std::io::Read as _;
    let origin = path.display().to_string();
    let io_error = |source| LoadError::Io { origin: origin.clone(), source };
    let file = fs::File::open(path).map_err(io_error)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(io_error)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge {
            origin,
            what: "the file is larger than 1 GB".to_owned(),
            limit: "1 GB".to_owned(),
        });
    }
    load_bytes(&bytes, &origin)
}

/// Reads a map from bytes; `origin` names them in errors (a path, or "the built-in example").
pub fn load_bytes(bytes: &[u8], origin: &str) -> Result<Document, LoadError> {
    let text = std::str::from_utf8(bytes).map_err(|err| {
        let valid = bytes.get(..err.valid_up_to()).unwrap_or_default();
        LoadError::NotText {
            origin: origin.to_owned(),
            at: json_locate::pos_of_offset(&String::from_utf8_lossy(valid), err.valid_up_to()),
        }
    })?;
    load_str(text, origin)
}

/// Reads a map from JSON text; `origin` names it in errors.
pub fn load_str(text: &str, origin: &str) -> Result<Document, LoadError> {
    let origin_owned = || origin.to_owned();
    if text.trim().is_empty() {
        return Err(LoadError::Empty { origin: origin_owned() });
    }
    let start = || json_locate::locate(text, &[]).unwrap_or(TextPos { line: 1, column: 1 });
    if !text.trim_start().starts_with('{') {
        return Err(LoadError::NotQualmap {
            origin: origin_owned(),
            at: start(),
            message: "expected a JSON object starting with {\"format\": \"qualmap\", \"version\": …}".to_owned(),
        });
    }
    let header: Header = serde_json::from_str(text).map_err(|err| match err.classify() {
        serde_json::error::Category::Data => LoadError::NotQualmap {
            origin: origin_owned(),
            at: start(),
            message: "expected a JSON object starting with {\"format\": \"qualmap\", \"version\": …}".to_owned(),
        },
        _ => json_error(&err, origin),
    })?;
    let at_key = |key| json_locate::locate(text, &[Segment::Key(key)]).unwrap_or_else(start);
    match &header.format {
        Some(serde_json::Value::String(name)) if name == FORMAT_NAME => {}
        Some(other) => {
            return Err(LoadError::NotQualmap {
                origin: origin_owned(),
                at: at_key("format"),
                message: format!("its \"format\" is {other}, expected \"{FORMAT_NAME}\""),
            });
        }
        None => {
            return Err(LoadError::NotQualmap {
                origin: origin_owned(),
                at: start(),
                message: format!("it has no \"format\": \"{FORMAT_NAME}\" field"),
            });
        }
    }
    let version = match &header.version {
        Some(serde_json::Value::Number(number)) => number.as_u64().filter(|&v| v >= 1),
        _ => None,
    };
    let Some(version) = version else {
        return Err(LoadError::NotQualmap {
            origin: origin_owned(),
            at: if header.version.is_some() { at_key("version") } else { start() },
            message: "it needs a \"version\" field holding a whole number from 1".to_owned(),
        });
    };
    if version > u64::from(FORMAT_VERSION) {
        return Err(LoadError::NewerVersion {
            origin: origin_owned(),
            version,
            supported: FORMAT_VERSION,
            app_version: env!("CARGO_PKG_VERSION"),
        });
    }
    // Version 1 is the first format; later versions migrate older files here.
    let mut document: Document = serde_json::from_str(text).map_err(|err| match err.classify() {
        serde_json::error::Category::Data => LoadError::BadContent {
            origin: origin_owned(),
            at: TextPos { line: err.line(), column: err.column() },
            message: err.to_string().split(" at line ").next().unwrap_or_default().to_owned(),
        },
        _ => json_error(&err, origin),
    })?;
    for (count, limit, what) in [
        (document.concepts.len(), MAX_CONCEPTS, "concepts"),
        (document.relationships.len(), MAX_RELATIONSHIPS, "relationships"),
        (document.evidence.len(), MAX_EVIDENCE, "evidence items"),
    ] {
        if count > limit {
            return Err(LoadError::TooLarge {
                origin: origin_owned(),
                what: format!("it holds {count} {what}"),
                limit: format!("{limit} {what}"),
            });
        }
    }
    let problems = validate(&document);
    if !problems.is_empty() {
        return Err(LoadError::Integrity {
            origin: origin_owned(),
            problems: problems.into_iter().map(|p| (locate_problem(text, &p.path), p)).collect(),
        });
    }
    document.normalize();
    Ok(document)
}

/// Where a problem's value is in the file. The story's problems are named by its version 1 and 2
/// key, `presentation`; a version 3 file calls it `story`.
fn locate_problem(text: &str, path: &[Segment]) -> Option<TextPos> {
    json_locate::locate(text, path).or_else(|| match path.split_first() {
        Some((Segment::Key("presentation"), rest)) => {
            let mut renamed = vec![Segment::Key("story")];
            renamed.extend_from_slice(rest);
            json_locate::locate(text, &renamed)
        }
        _ => None,
    })
}

fn json_error(err: &serde_json::Error, origin: &str) -> LoadError {
    let message = err.to_string();
    let message = message.split(" at line ").next().unwrap_or_default();
    let message = if err.is_eof() {
        format!("{message} — the file ends too early; it may have been cut short while copying or saving")
    } else {
        message.to_owned()
    };
    LoadError::NotJson { origin: origin.to_owned(), at: TextPos { line: err.line(), column: err.column() }, message }
}

/// The file text for a document: header first, collections sorted by id, two-space indentation
/// and a final newline. Deterministic: the same document always gives the same bytes.
pub fn to_json(document: &Document) -> String {
    let mut sorted;
    let document = if is_normalized(document) {
        document
    } else {
        sorted = document.clone();
        sorted.normalize();
        &sorted
    };
    let version = version_needed(document);
    let story = (!document.story.is_empty()).then_some(document.story.as_slice());
    let file = FileOut {
        format: FORMAT_NAME,
        version,
        info: &document.info,
        areas: &document.areas,
        concepts: &document.concepts,
        relationship_types: &document.relationship_types,
        relationships: &document.relationships,
        codes: &document.codes,
        sources: &document.sources,
        evidence: &document.evidence,
        memos: &document.memos,
        presentation: story.filter(|_| version < 3),
        story: story.filter(|_| version >= 3),
        conflicts: &document.conflicts,
    };
    // Serialising plain data with string keys cannot fail; fall back to an empty object
    // rather than panic if it ever does.
    let mut text = serde_json::to_string_pretty(&file).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

/// The oldest file format version that holds everything in `document` (see
/// [`FORMAT_VERSION`](super::FORMAT_VERSION) for what each version added).
pub fn version_needed(document: &Document) -> u32 {
    // A conflict left about a memo names it by a key older versions do not know.
    let memo_conflict = document.conflicts.iter().any(|c| matches!(c.element, super::ElementKey::Memo(_)));
    if !document.memos.is_empty() || memo_conflict {
        4
    } else if !document.conflicts.is_empty() || document.story.iter().any(|step| step.focus.is_some()) {
        3
    } else if document.concepts.iter().any(|c| c.color.is_some()) {
        2
    } else {
        1
    }
}

fn is_normalized(document: &Document) -> bool {
    fn sorted<T, K: Ord>(items: &[T], key: impl Fn(&T) -> K) -> bool {
        items.windows(2).all(|w| key(&w[0]) < key(&w[1]))
    }
    sorted(&document.areas, |a| a.id)
        && sorted(&document.concepts, |c| c.id)
        && document.concepts.iter().all(|c| sorted(&c.areas, |a| *a))
        && sorted(&document.relationship_types, |t| t.id)
        && sorted(&document.relationships, |r| r.id)
        && sorted(&document.codes, |c| c.id)
        && sorted(&document.sources, |s| s.id)
        && sorted(&document.evidence, |e| e.id)
        && document.evidence.iter().all(|e| sorted(&e.links, |l| *l))
        && sorted(&document.memos, |m| m.id)
}

/// Why a map could not be saved.
#[derive(Debug, thiserror::Error)]
#[error("cannot save {}: {what}: {source}", .path.display())]
pub struct SaveError {
    /// The file being written.
    pub path: PathBuf,
    /// The step that failed.
    pub what: &'static str,
    /// The operating system's reason.
    pub source: std::io::Error,
}

/// Saves a document to `path` atomically.
pub fn save_path(document: &Document, path: &Path) -> Result<(), SaveError> {
    write_atomic(path, to_json(document).as_bytes())
}

/// Writes `bytes` to `path` so that the file on disk is always either the old or the new
/// complete version: a temporary file in the same folder is written, flushed to disk and then
/// renamed over the target.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), SaveError> {
    let fail = |what| move |source| SaveError { path: path.to_owned(), what, source };
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map_or_else(|| "map".into(), |n| n.to_string_lossy());
    let temp_path = folder.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&temp_path).map_err(fail("cannot create a temporary file beside it"))?;
        file.write_all(bytes).map_err(fail("cannot write the temporary file"))?;
        file.sync_all().map_err(fail("cannot flush the temporary file to disk"))?;
        drop(file);
        fs::rename(&temp_path, path).map_err(fail("cannot replace the file with the new version"))?;
        // Make the rename itself durable; not every platform or file system supports this.
        #[cfg(unix)]
        if let Ok(dir) = fs::File::open(&folder) {
            let _ = dir.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp_path);
    }
    result
}

impl fmt::Display for super::validate::Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at {})", self.message, self.path_text())
    }
}
