//! `qualmap diff` and `qualmap merge`: comparing and merging copies of a map from the command
//! line and as git's merge driver (see `crate::merge`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::merge::{self, Change, ChangeKind};
use crate::model::{Document, io};

/// The output of `qualmap diff`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum DiffFormat {
    /// One line per part: `+` added, `-` removed, `~` changed with its fields.
    Text,
    /// A JSON array of changes, each with its element, label, change and fields.
    Json,
}

/// Exit status when the maps differ or conflicts remain.
const DIFFERENT: i32 = 1;
/// Exit status when a file cannot be read or written.
const ERROR: i32 = 2;

fn load(path: &Path) -> Result<Document, String> {
    io::load_path(path).map_err(|e| e.to_string())
}

/// `qualmap diff A B`: 0 when the maps are the same, 1 when they differ, 2 on error.
pub fn diff(a: &Path, b: &Path, format: DiffFormat) -> i32 {
    let (a, b) = match (load(a), load(b)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return ERROR;
        }
    };
    let changes = merge::diff(&a, &b);
    match format {
        DiffFormat::Text => print!("{}", diff_text(&changes)),
        DiffFormat::Json => match serde_json::to_string_pretty(&changes) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ERROR;
            }
        },
    }
    if changes.is_empty() { 0 } else { DIFFERENT }
}

/// The changes as text, one line per part.
pub fn diff_text(changes: &[Change]) -> String {
    let mut out = String::new();
    for change in changes {
        let key = change.element;
        let name = if key.number() == 0 { key.kind().to_owned() } else { format!("{} {}", key.kind(), key.number()) };
        let label = if change.label.is_empty() { String::new() } else { format!(" {}", quoted(&change.label)) };
        match &change.kind {
            ChangeKind::Added => {
                let _ = writeln!(out, "+ {name}{label}");
            }
            ChangeKind::Removed => {
                let _ = writeln!(out, "- {name}{label}");
            }
            ChangeKind::Changed { fields } => {
                let fields: Vec<String> = fields
                    .iter()
                    .map(|f| {
                        format!("{} {} -> {}", f.field, merge::short_value(&f.before), merge::short_value(&f.after))
                    })
                    .collect();
                let _ = writeln!(out, "~ {name}{label}: {}", fields.join("; "));
            }
        }
    }
    out
}

fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

/// `qualmap merge [BASE] OURS THEIRS -o OUT`: 0 when merged cleanly, 1 when conflicts remain
/// (they are in the output, with both sides), 2 on error (nothing is written).
pub fn merge(files: &[PathBuf], output: &Path) -> i32 {
    let docs: Result<Vec<Document>, String> = files.iter().map(|f| load(f)).collect();
    let docs = match docs {
        Ok(docs) => docs,
        Err(e) => {
            eprintln!("error: {e}");
            return ERROR;
        }
    };
    let merged = match docs.as_slice() {
        [base, ours, theirs] => merge::merge(base, ours, theirs),
        [ours, theirs] => merge::merge_without_base(ours, theirs),
        _ => {
            eprintln!("error: give the original, your copy and theirs (or, without an original, the two copies)");
            return ERROR;
        }
    };
    let merged = match merged {
        Ok(merged) => merged,
        Err(e) => {
            eprintln!("error: cannot merge: {e}");
            return ERROR;
        }
    };
    if let Err(e) = io::save_path(&merged.document, output) {
        eprintln!("error: {e}");
        return ERROR;
    }
    for (old, new) in &merged.renumbered {
        eprintln!(
            "note: the other copy's {} {} has the id of another {} here; it is {} {} in the merge",
            old.kind(),
            old.number(),
            old.kind(),
            new.kind(),
            new.number()
        );
    }
    let doc = &merged.document;
    let remaining = doc.conflicts.len();
    if remaining == 0 {
        println!("merged into {}: {}", output.display(), doc.counts());
        return 0;
    }
    println!(
        "merged into {} with {remaining} conflict{} to settle ({} new); open it in Qualmap to choose, \
         or see them below:",
        output.display(),
        if remaining == 1 { "" } else { "s" },
        merged.new_conflicts
    );
    for conflict in &doc.conflicts {
        let key = conflict.element;
        let field = conflict.field.as_deref().map(|f| format!(" {f}")).unwrap_or_default();
        println!(
            "  {} {} {}{field}: {} (ours {}, theirs {})",
            key.kind(),
            key.number(),
            quoted(&merge::part_label(doc, key)),
            conflict.kind.describe(),
            merge::short_value(&conflict.ours),
            merge::short_value(&conflict.theirs)
        );
    }
    DIFFERENT
}
