//! Coded-segment tables (CSV or TSV), as MAXQDA ("Retrieved segments"), NVivo coding reports,
//! ATLAS.ti quotation lists and QualCoder reports export them. Each row is a segment; a column
//! mapping says which column holds the text, the code(s), the document, the participant, the memo,
//! the position and the coder, and which are participant attributes. The mapping is guessed from
//! the headers and can be set by hand.

use std::collections::{BTreeMap, HashMap};

use super::{ImportCode, ImportData, ImportError, ImportReport, ImportSegment, ImportSource};

/// Largest table read, in bytes.
pub const MAX_TABLE_BYTES: u64 = 200_000_000;

/// Deepest code path read, in levels. QDA tools nest codes a handful of levels deep; every level
/// of a path adds a code whose key is the path so far, so a cell nesting thousands deep would take
/// memory in the square of its length. Rows with deeper paths are skipped and reported.
pub const MAX_CODE_DEPTH: usize = 100;

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Field {
    /// The coded text.
    Text,
    /// Code or codes (`;` or a line break between codes; `\\`, `>`, ` / ` or `::` between parent
    /// and child).
    Code,
    /// A parent of the row's code (QualCoder writes one `Category` column per level, nearest
    /// first; Taguette's codebook a `parent` column).
    CodeParent,
    /// Whether the code named in the header applies (Dedoose's `Code: NAME Applied` columns).
    CodeApplied,
    /// Document or source name.
    Source,
    /// Case or participant.
    Participant,
    /// Memo or comment (a code's description, in a codebook).
    Memo,
    /// Position: lines, paragraph, page, time.
    Location,
    /// Who coded it.
    Coder,
    /// When it was coded.
    CodedAt,
    /// A participant attribute named by the header.
    Attribute,
    /// Not imported.
    Ignore,
}

impl Field {
    /// Every field, in menu order.
    pub const ALL: [Self; 12] = [
        Self::Text,
        Self::Code,
        Self::CodeParent,
        Self::CodeApplied,
        Self::Source,
        Self::Participant,
        Self::Memo,
        Self::Location,
        Self::Coder,
        Self::CodedAt,
        Self::Attribute,
        Self::Ignore,
    ];

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Text => "excerpt text",
            Self::Code => "code",
            Self::CodeParent => "parent code",
            Self::CodeApplied => "code applied (yes/no)",
            Self::Source => "document / source",
            Self::Participant => "participant / case",
            Self::Memo => "memo",
            Self::Location => "position",
            Self::Coder => "coder",
            Self::CodedAt => "date coded",
            Self::Attribute => "attribute",
            Self::Ignore => "ignore",
        }
    }

    fn keyword(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Code => "code",
            Self::CodeParent => "parent",
            Self::CodeApplied => "applied",
            Self::Source => "source",
            Self::Participant => "participant",
            Self::Memo => "memo",
            Self::Location => "location",
            Self::Coder => "coder",
            Self::CodedAt => "date",
            Self::Attribute => "attribute",
            Self::Ignore => "ignore",
        }
    }
}

/// One field per column, in column order.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ColumnMapping {
    /// The field of each column.
    pub fields: Vec<Field>,
    /// For each column whose field was guessed from its contents rather than its header, why
    /// (shown beside the column so the user can check the guess). Not remembered.
    #[serde(skip)]
    pub guessed: Vec<Option<String>>,
}

impl ColumnMapping {
    /// Why column `index` got its field, if it was guessed from the contents.
    pub fn guessed_why(&self, index: usize) -> Option<&str> {
        self.guessed.get(index).and_then(|g| g.as_deref())
    }
}

/// Headers as the QDA tools write them, lower case. Sources (each confirmed in the tool's
/// own documentation or in public code that reads its real exports; see
/// `tests/fixtures/tables/README.md`): MAXQDA English, German (old and new column sets) and
/// Polish; ATLAS.ti's quotation export; QualCoder's coding report (headers are never
/// translated); Taguette's highlights and codebook (never translated); Dedoose's excerpts.
const KNOWN_HEADERS: &[(&str, Field)] = &[
    // MAXQDA, English: Retrieved segments / List of coded segments.
    ("color", Field::Ignore),
    ("comment", Field::Memo),
    ("document group", Field::Attribute),
    ("document name", Field::Source),
    ("code", Field::Code),
    ("begin", Field::Location),
    ("end", Field::Location),
    ("weight score", Field::Ignore),
    ("weight", Field::Ignore),
    ("segment", Field::Text),
    ("modified by", Field::Ignore),
    ("modified", Field::Ignore),
    ("created by", Field::Coder),
    ("created", Field::CodedAt),
    ("author", Field::Coder),
    ("area", Field::Ignore),
    ("coverage %", Field::Ignore),
    // MAXQDA, German.
    ("farbe", Field::Ignore),
    ("kommentar", Field::Memo),
    ("dokumentgruppe", Field::Attribute),
    ("dokumentname", Field::Source),
    ("anfang", Field::Location),
    ("ende", Field::Location),
    ("gewicht", Field::Ignore),
    ("bearbeitet von", Field::Ignore),
    ("bearbeitet am", Field::Ignore),
    ("erstellt von", Field::Coder),
    ("erstellt am", Field::CodedAt),
    ("autor", Field::Coder),
    ("fläche", Field::Ignore),
    ("abdeckungsgrad %", Field::Ignore),
    // MAXQDA, Polish.
    ("nazwa dokumentu", Field::Source),
    ("kod", Field::Code),
    ("fragment", Field::Text),
    ("początek", Field::Location),
    ("koniec", Field::Location),
    ("grupa dokumentów", Field::Attribute),
    ("waga", Field::Ignore),
    // MAXQDA's code import table.
    ("memo", Field::Memo),
    // ATLAS.ti quotation manager export.
    ("id", Field::Ignore),
    ("document", Field::Source),
    ("document groups", Field::Attribute),
    ("reference", Field::Location),
    ("codes", Field::Code),
    ("quotation", Field::Text),
    ("quotation content", Field::Text),
    ("quotation name", Field::Ignore),
    ("density", Field::Ignore),
    ("start", Field::Location),
    // QualCoder coding report.
    ("file", Field::Source),
    ("file/case", Field::Source),
    ("filename", Field::Source),
    ("case", Field::Participant),
    ("coder", Field::Coder),
    ("coded", Field::Text),
    ("codename", Field::Code),
    ("coded_memo", Field::Memo),
    ("category", Field::CodeParent),
    // Taguette highlights and codebook.
    ("tag", Field::Code),
    ("content", Field::Text),
    ("parent", Field::CodeParent),
    ("description", Field::Memo),
    ("number of highlights", Field::Ignore),
    // Dedoose excerpts.
    ("media title", Field::Source),
    ("excerpt range", Field::Location),
    ("excerpt date", Field::CodedAt),
    ("excerpt creator", Field::Coder),
    ("excerpt copy", Field::Text),
    ("resource creator", Field::Ignore),
    ("resource date", Field::Ignore),
    ("codes applied combined", Field::Code),
    ("index number", Field::Ignore),
    // Common words.
    ("excerpt", Field::Text),
    ("text", Field::Text),
    ("coded text", Field::Text),
    ("quote", Field::Text),
    ("source", Field::Source),
    ("transcript", Field::Source),
    ("participant", Field::Participant),
    ("speaker", Field::Participant),
    ("respondent", Field::Participant),
    ("note", Field::Memo),
    ("position", Field::Location),
    ("paragraph", Field::Location),
    ("page", Field::Location),
    ("line", Field::Location),
    ("lines", Field::Location),
    ("user", Field::Coder),
    ("date", Field::CodedAt),
];

/// A header as compared: lower case, white space folded, a byte-order mark and quotes gone.
fn normal(header: &str) -> String {
    let h = header.trim_start_matches('\u{feff}').trim().trim_matches('"').trim();
    h.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The field a header names: a tool's own header word, a Dedoose code column, or a word in it.
/// `None` for a header that says nothing, whose column is then judged by its contents.
fn field_of_header(header: &str) -> Option<Field> {
    let h = normal(header);
    if let Some((_, field)) = KNOWN_HEADERS.iter().find(|(known, _)| *known == h) {
        return Some(*field);
    }
    if let Some(code) = h.strip_prefix("code: ") {
        return Some(if code.ends_with(" applied") { Field::CodeApplied } else { Field::Ignore });
    }
    if h.starts_with("filevar_") || h.starts_with("casevar_") {
        return Some(Field::Attribute);
    }
    let words: Vec<&str> = h.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
    let phrase = |list: &[&str]| list.iter().any(|p| h.contains(p));
    if phrase(&["modified by", "edited by", "last modified"]) {
        Some(Field::Ignore)
    } else if has(&["coder", "author", "user", "annotator"]) || phrase(&["created by", "coded by"]) {
        Some(Field::Coder)
    } else if has(&["group", "groups", "set", "folder"]) {
        Some(Field::Attribute)
    } else if has(&["preview"]) {
        // A preview is a shortened excerpt: the text only if nothing better is found.
        None
    } else if has(&["segment", "quotation", "excerpt", "text", "content", "quote", "snippet", "highlight"]) {
        Some(Field::Text)
    } else if has(&["code", "codes", "node", "nodes", "category", "theme", "tag", "tags"]) {
        Some(Field::Code)
    } else if has(&["document", "source", "file", "interview", "transcript"]) || phrase(&["file_name", "filename"]) {
        Some(Field::Source)
    } else if has(&["participant", "case", "speaker", "respondent", "person", "interviewee"]) {
        Some(Field::Participant)
    } else if has(&["memo", "comment", "note", "notes", "annotation"]) {
        Some(Field::Memo)
    } else if has(&["begin", "start", "end", "position", "paragraph", "line", "page", "time", "location", "offset"]) {
        Some(Field::Location)
    } else if has(&["date", "created", "coded"]) {
        Some(Field::CodedAt)
    } else if has(&["id", "weight", "area", "coverage", "color", "colour", "modified", "score"]) {
        Some(Field::Ignore)
    } else {
        None
    }
}

/// Guesses the mapping from the headers alone; columns whose headers say nothing become
/// attributes. [`guess_from`] also reads the contents, which is what imports use.
pub fn guess(headers: &[String]) -> ColumnMapping {
    let fields = headers.iter().map(|h| field_of_header(h).unwrap_or(Field::Attribute)).collect();
    let mut mapping = ColumnMapping { fields, guessed: vec![None; headers.len()] };
    keep_one_of_each(&mut mapping);
    mapping
}

/// Only the first text, code, source, participant, coder and date columns count as such;
/// later ones become attributes (or, for a second coder or date, are ignored).
fn keep_one_of_each(mapping: &mut ColumnMapping) {
    for unique in [Field::Text, Field::Code, Field::Source, Field::Participant, Field::Coder, Field::CodedAt] {
        let mut seen = false;
        for field in &mut mapping.fields {
            if *field == unique {
                if seen {
                    *field =
                        if matches!(unique, Field::Coder | Field::CodedAt) { Field::Ignore } else { Field::Attribute };
                }
                seen = true;
            }
        }
    }
}

/// What one column's values look like, from a sample of rows.
#[derive(Clone, Debug, Default)]
struct Profile {
    filled: usize,
    mean_chars: f32,
    numeric: f32,
    distinct: f32,
    multiword: f32,
    file_names: f32,
    /// How often the value changes from one row to the next (documents come in runs).
    changes: f32,
    truncated: f32,
}

fn profile(rows: &[Vec<String>], column: usize) -> Profile {
    let values: Vec<&str> =
        rows.iter().filter_map(|r| r.get(column)).map(|v| v.trim()).filter(|v| !v.is_empty()).collect();
    let n = values.len();
    if n == 0 {
        return Profile::default();
    }
    let share = |count: usize| count as f32 / n as f32;
    let distinct: std::collections::HashSet<&str> = values.iter().copied().collect();
    let numeric = values
        .iter()
        .filter(|v| v.replace([',', '.', ':', '-', ' ', '–'], "").chars().all(|c| c.is_ascii_digit()))
        .count();
    let file_like = |v: &str| {
        let lower = v.to_lowercase();
        [".docx", ".doc", ".txt", ".pdf", ".rtf", ".odt", ".mp3", ".mp4", ".wav", ".html"]
            .iter()
            .any(|e| lower.ends_with(e))
    };
    let changes = values.windows(2).filter(|w| w[0] != w[1]).count();
    Profile {
        filled: n,
        mean_chars: values.iter().map(|v| v.chars().count()).sum::<usize>() as f32 / n as f32,
        numeric: share(numeric),
        distinct: share(distinct.len()),
        multiword: share(values.iter().filter(|v| v.split_whitespace().count() >= 4).count()),
        file_names: share(values.iter().filter(|v| file_like(v)).count()),
        changes: if n > 1 { changes as f32 / (n - 1) as f32 } else { 1.0 },
        truncated: share(values.iter().filter(|v| v.ends_with('…') || v.ends_with("...")).count()),
    }
}

/// Guesses the mapping from the headers and, where they say nothing, from what the columns
/// hold (`rows`, a sample of the table): the long free-text column is the excerpt, short
/// values that repeat are codes, short names that come in runs (or look like file names) are
/// documents, numbers are positions next to each other or ignored. Each guess from contents is
/// said in [`ColumnMapping::guessed`].
pub fn guess_from(headers: &[String], rows: &[Vec<String>]) -> ColumnMapping {
    let known: Vec<Option<Field>> = headers.iter().map(|h| field_of_header(h)).collect();
    let profiles: Vec<Profile> = (0..headers.len()).map(|c| profile(rows, c)).collect();
    let mut fields: Vec<Field> = known.iter().map(|f| f.unwrap_or(Field::Attribute)).collect();
    let mut guessed: Vec<Option<String>> = vec![None; headers.len()];
    let unknown = |i: usize, fields: &[Field]| known[i].is_none() && fields[i] == Field::Attribute;
    let is_text = |p: &Profile| {
        p.filled > 0 && p.numeric < 0.5 && (p.mean_chars >= 25.0 || (p.multiword >= 0.5 && p.mean_chars >= 12.0))
    };

    // A header-named text column whose values are numbers (an ATLAS.ti "Text ID") is no text.
    for i in 0..headers.len() {
        if fields[i] == Field::Text && profiles[i].filled > 0 && profiles[i].numeric > 0.9 {
            fields[i] = Field::Ignore;
            guessed[i] = Some("its header says text, but it holds numbers".to_owned());
        }
    }
    if !fields.contains(&Field::Text) {
        let best = (0..headers.len())
            .filter(|i| (unknown(*i, &fields) || fields[*i] == Field::Attribute) && is_text(&profiles[*i]))
            .max_by(|a, b| profiles[*a].mean_chars.total_cmp(&profiles[*b].mean_chars));
        if let Some(i) = best {
            fields[i] = Field::Text;
            let p = &profiles[i];
            let mut why = format!("the longest free text (about {} characters a row)", p.mean_chars.round());
            if p.truncated > 0.5 {
                why.push_str("; most values end in “…”, so the excerpts may be shortened");
            }
            guessed[i] = Some(why);
        }
    }
    let short_repeating = |p: &Profile| p.filled > 0 && p.numeric < 0.5 && p.mean_chars < 60.0 && p.multiword < 0.5;
    // Documents: file names, or short names that come in runs of rows.
    if !fields.contains(&Field::Source) {
        let best = (0..headers.len())
            .filter(|i| unknown(*i, &fields) && short_repeating(&profiles[*i]))
            .filter(|i| profiles[*i].file_names > 0.5 || (profiles[*i].changes < 0.35 && profiles[*i].distinct < 0.8))
            .min_by(|a, b| profiles[*a].changes.total_cmp(&profiles[*b].changes));
        if let Some(i) = best {
            fields[i] = Field::Source;
            guessed[i] = Some(if profiles[i].file_names > 0.5 {
                "its values look like file names".to_owned()
            } else {
                "short names that come in runs of rows, like documents".to_owned()
            });
        }
    }
    if !fields.contains(&Field::Code) {
        let best = (0..headers.len())
            .filter(|i| unknown(*i, &fields) && short_repeating(&profiles[*i]) && profiles[*i].distinct < 0.9)
            .min_by(|a, b| profiles[*a].distinct.total_cmp(&profiles[*b].distinct));
        if let Some(i) = best {
            fields[i] = Field::Code;
            guessed[i] = Some("short values that repeat, like codes".to_owned());
        }
    }
    // What is left: numbers are positions when two stand side by side (start, end), otherwise
    // ids to ignore; other columns are attributes of the document.
    for i in 0..headers.len() {
        if !unknown(i, &fields) {
            continue;
        }
        let p = &profiles[i];
        if p.filled > 0 && p.numeric > 0.9 {
            fields[i] = Field::Ignore;
            guessed[i] = Some("numbers, like an id".to_owned());
        } else if p.filled > 0 && p.distinct > 0.9 && p.filled >= 5 {
            fields[i] = Field::Ignore;
            guessed[i] = Some("a different value in almost every row, so no attribute of a document".to_owned());
        }
    }
    let mut mapping = ColumnMapping { fields, guessed };
    keep_one_of_each(&mut mapping);
    mapping
}

/// What kind of table a sheet is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TableKind {
    /// Coded segments, one a row.
    Segments,
    /// A codebook: codes with descriptions (Taguette's codebook, MAXQDA's code import table,
    /// an NVivo code list).
    Codebook,
    /// Code frequencies or other counts: no coded text, said with what to export instead.
    Counts(String),
    /// Something else, described for the user with what to export instead.
    Other(String),
}

/// What to export instead of a table that holds no coded text.
const EXPORT_ADVICE: &str = "export the coded segments instead — MAXQDA: the list of coded segments (Retrieved Segments) exported to Excel; \
NVivo: a coding report, or the project as REFI-QDA (.qdpx); ATLAS.ti: the Quotation Manager exported to Excel; \
QualCoder: a coding report as CSV; Taguette: the highlights as CSV — or the whole project as REFI-QDA (.qdpx)";

/// Says what a table is, from its mapping and contents.
pub fn table_kind(headers: &[String], rows: &[Vec<String>], mapping: &ColumnMapping) -> TableKind {
    let has = |field: Field| mapping.fields.contains(&field);
    if has(Field::Text) {
        return TableKind::Segments;
    }
    let named = |words: &[&str]| headers.iter().any(|h| words.contains(&normal(h).as_str()));
    let code_column = has(Field::Code) || named(&["name", "code name", "node", "nodes"]);
    if code_column && (has(Field::Memo) || has(Field::CodeParent)) {
        return TableKind::Codebook;
    }
    let numbers = (0..headers.len()).filter(|i| {
        let p = profile(rows, *i);
        p.filled > 0 && p.numeric > 0.9
    });
    let numeric_columns = numbers.count();
    if rows.is_empty() {
        return TableKind::Other("the table has a header row but no rows".to_owned());
    }
    if mapping.fields.iter().all(|f| *f == Field::Ignore) {
        return TableKind::Other("every column is set to “ignore”".to_owned());
    }
    if numeric_columns >= 1 && numeric_columns + 2 >= headers.len() {
        return TableKind::Counts(format!(
            "it looks like a table of code frequencies or counts (a name and {numeric_columns} column(s) of numbers in each row), which holds no coded text; {EXPORT_ADVICE}"
        ));
    }
    TableKind::Other(format!("no header names one, and no column holds free text; {EXPORT_ADVICE}"))
}

/// Applies `field=Header` pairs (e.g. from the command line) to a guessed mapping.
pub fn apply_overrides(mapping: &mut ColumnMapping, headers: &[String], overrides: &str) -> Result<(), String> {
    for pair in overrides.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((field, header)) = pair.split_once('=') else {
            return Err(format!("--map {pair}: expected FIELD=HEADER, e.g. text=Segment"));
        };
        let field = Field::ALL
            .into_iter()
            .find(|f| f.keyword() == field.trim().to_lowercase())
            .ok_or_else(|| format!("--map {pair}: unknown field; use text, code, source, participant, memo, location, coder, attribute or ignore"))?;
        let column = headers.iter().position(|h| h.trim().eq_ignore_ascii_case(header.trim())).ok_or_else(|| {
            format!("--map {pair}: no column called “{}”; the columns are: {}", header.trim(), list_columns(headers))
        })?;
        // A column chosen for a one-column field takes it from any other column.
        if !matches!(field, Field::Attribute | Field::Ignore | Field::Location) {
            for other in &mut mapping.fields {
                if *other == field {
                    *other = Field::Ignore;
                }
            }
        }
        if let Some(slot) = mapping.fields.get_mut(column) {
            *slot = field;
        }
        if let Some(why) = mapping.guessed.get_mut(column) {
            *why = None;
        }
    }
    Ok(())
}

/// Spreadsheets are read in [`super::spreadsheet`]; kept here for callers of the old path.
pub use super::spreadsheet::spreadsheet_to_csv;

/// Picks the delimiter: tab for TSV, else whichever of `,` `;` `\t` the header line has most of
/// (MAXQDA writes `;` in some languages and `,` in others).
fn delimiter(text: &str, tsv: bool) -> u8 {
    if tsv {
        return b'\t';
    }
    let first = text.lines().next().unwrap_or_default();
    let count = |c: char| first.matches(c).count();
    [(b',', count(',')), (b';', count(';')), (b'\t', count('\t'))]
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map_or(b',', |(d, _)| d)
}

/// Decodes a table: UTF-8 (with or without a byte-order mark), UTF-16 where a byte-order mark
/// says so (Excel's "Unicode text"), and otherwise the legacy encoding the bytes look like
/// (Excel's CSV on Windows writes the system's code page: Windows-1250 for Polish, 1252 for
/// Western European languages, Shift-JIS…), said in the report.
fn decode(bytes: &[u8], report: &mut ImportReport) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf")
        && let Ok(text) = std::str::from_utf8(rest)
    {
        return text.to_owned();
    }
    for (bom, encoding) in [(&b"\xff\xfe"[..], encoding_rs::UTF_16LE), (&b"\xfe\xff"[..], encoding_rs::UTF_16BE)] {
        if bytes.starts_with(bom) {
            let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[2..]);
            if had_errors {
                report
                    .adjusted
                    .push(format!("the file is {} with bytes that are not text; they were replaced", encoding.name()));
            }
            return text.into_owned();
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(e) => {
            let mut detector = chardetng::EncodingDetector::new();
            detector.feed(bytes, true);
            let encoding = detector.guess(None, true);
            let (text, _, had_errors) = encoding.decode(bytes);
            report.adjusted.push(format!(
                "the file is not UTF-8 (first non-UTF-8 byte at offset {}); read as {}, the encoding it looks like{} — export the table as UTF-8 to be sure",
                e.valid_up_to(),
                encoding.name(),
                if had_errors { ", with some bytes that are not text replaced" } else { "" }
            ));
            text.into_owned()
        }
    }
}

/// Reads the header row and the records of a table.
fn records(text: &str, tsv: bool) -> Result<(Vec<String>, csv::StringRecordsIntoIter<&[u8]>), String> {
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter(text, tsv)).flexible(true).from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().map_err(|e| e.to_string())?.iter().map(normal_keep_case).collect();
    Ok((headers, reader.into_records()))
}

/// A header as shown: a byte-order mark and surrounding white space removed.
fn normal_keep_case(header: &str) -> String {
    header.trim_start_matches('\u{feff}').trim().to_owned()
}

/// The headers and the first `rows` rows, for the column-mapping preview (cells cut to 80
/// characters).
pub fn preview(bytes: &[u8], tsv: bool, rows: usize) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    let (headers, body) = sample(bytes, tsv, rows)?;
    let body = body.into_iter().map(|r| r.into_iter().map(|c| c.chars().take(80).collect()).collect()).collect();
    Ok((headers, body))
}

/// The headers and the first `rows` rows, whole, for guessing the mapping from the contents.
pub fn sample(bytes: &[u8], tsv: bool, rows: usize) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    let text = decode(bytes, &mut ImportReport::default());
    let (headers, body) = records(&text, tsv)?;
    let body = body.take(rows).filter_map(Result::ok).map(|r| r.iter().map(str::to_owned).collect()).collect();
    Ok((headers, body))
}

/// How many rows [`guess_from`] reads when a table is imported without a mapping.
pub const GUESS_ROWS: usize = 500;

/// Splits a code cell into code paths: `;` or a line break between codes (ATLAS.ti puts each
/// code on its own line); `\\` (MAXQDA 12, NVivo), `>` (MAXQDA 2020 and later: `A > B`),
/// ` / ` or `::` between parent and child. A leading NVivo root (`Nodes\\`, `Codes\\`) goes.
fn code_paths(cell: &str) -> Vec<Vec<String>> {
    cell.split([';', '\n'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|code| {
            let mut parts: Vec<&str> = if code.contains('\\') {
                code.split('\\').collect()
            } else if code.contains('>') {
                code.split('>').collect()
            } else if code.contains("::") {
                code.split("::").collect()
            } else if code.contains(" / ") {
                code.split(" / ").collect()
            } else {
                vec![code]
            };
            if parts.len() > 1
                && matches!(parts[0].trim().to_lowercase().as_str(), "nodes" | "codes" | "free nodes" | "tree nodes")
            {
                parts.remove(0);
            }
            parts.into_iter().map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect::<Vec<_>>()
        })
        .filter(|p: &Vec<String>| !p.is_empty())
        .collect()
}

/// Column names for a message: at most a dozen, each cut to 40 characters, and how many more
/// there are (a file that is one enormous line would otherwise make a message of megabytes).
fn list_columns(headers: &[String]) -> String {
    const SHOWN: usize = 12;
    let mut names: Vec<String> = headers
        .iter()
        .take(SHOWN)
        .map(|h| {
            let short: String = h.chars().take(40).collect();
            if short.len() < h.len() { format!("{short}…") } else { short }
        })
        .collect();
    if headers.len() > SHOWN {
        names.push(format!("… and {} more", headers.len() - SHOWN));
    }
    names.join(", ")
}

/// An attribute's name from its header: QualCoder's `FileVar_`/`CaseVar_` prefixes go.
fn attribute_name(header: &str) -> String {
    for prefix in ["FileVar_", "CaseVar_", "filevar_", "casevar_"] {
        if let Some(rest) = header.strip_prefix(prefix) {
            return rest.to_owned();
        }
    }
    header.to_owned()
}

/// The code a Dedoose `Code: NAME Applied` header names.
fn applied_code(header: &str) -> String {
    let h = header.trim();
    let h = h.get(6..).filter(|_| h.to_lowercase().starts_with("code: ")).unwrap_or(h);
    let h = if h.to_lowercase().ends_with(" applied") { &h[..h.len() - 8] } else { h };
    h.trim().to_owned()
}

/// Whether a cell says yes (`True`, `1`, `yes`, `x`).
fn says_yes(value: &str) -> bool {
    matches!(value.trim().to_lowercase().as_str(), "true" | "1" | "yes" | "x" | "wahr" | "tak" | "ja")
}

/// MAXQDA's and ATLAS.ti's begin and end are paragraph numbers in text documents (MAXQDA
/// writes `page: offset` for PDFs); a location names them as such.
fn location_text(headers: &[String], columns: &[usize], record: &csv::StringRecord) -> String {
    let mut parts: Vec<&str> =
        columns.iter().filter_map(|c| record.get(*c)).map(str::trim).filter(|p| !p.is_empty()).collect();
    parts.dedup();
    let paragraphs = columns.iter().any(|c| matches!(normal(&headers[*c]).as_str(), "begin" | "anfang" | "początek")); // MAXQDA's begin words; "start" elsewhere counts characters
    let all_numbers = !parts.is_empty() && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()));
    if paragraphs && all_numbers {
        match parts.as_slice() {
            [one] => format!("paragraph {one}"),
            many => format!("paragraphs {}", many.join("–")),
        }
    } else {
        parts.join("–")
    }
}

/// Adds a code path to the codebook being read, parents first; returns the leaf's key.
fn add_path(
    path: &[String],
    description: &str,
    codes: &mut Vec<ImportCode>,
    keys: &mut HashMap<String, usize>,
) -> Option<String> {
    let mut parent: Option<String> = None;
    for depth in 0..path.len() {
        let key = path[..=depth].join(" / ");
        match keys.get(&key) {
            Some(&index) => {
                if depth + 1 == path.len() && codes[index].description.is_empty() {
                    codes[index].description = description.to_owned();
                }
            }
            None => {
                keys.insert(key.clone(), codes.len());
                codes.push(ImportCode {
                    key: key.clone(),
                    name: path[depth].clone(),
                    parent: parent.clone(),
                    color: None,
                    description: if depth + 1 == path.len() { description.to_owned() } else { String::new() },
                });
            }
        }
        parent = Some(key);
    }
    parent
}

/// The code paths of a row: its code cell, completed by parent-code columns (QualCoder's
/// `Category` columns, nearest first; Taguette's `parent`), and Dedoose's applied-code columns.
fn row_code_paths(headers: &[String], mapping: &ColumnMapping, record: &csv::StringRecord) -> Vec<Vec<String>> {
    let column = |field: Field| mapping.fields.iter().position(|f| *f == field);
    let mut paths = column(Field::Code).map(|c| code_paths(record.get(c).unwrap_or_default())).unwrap_or_default();
    let parents: Vec<String> = mapping
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| **f == Field::CodeParent)
        .filter_map(|(i, _)| record.get(i).map(str::trim).filter(|v| !v.is_empty()))
        .flat_map(|v| code_paths(v).into_iter().next().unwrap_or_default().into_iter().rev())
        .collect();
    if !parents.is_empty() {
        let mut prefix: Vec<String> = parents.into_iter().rev().collect();
        for path in &mut paths {
            // A parent already named in the code's own path is not repeated.
            if !path.starts_with(&prefix) {
                let mut full = std::mem::take(&mut prefix);
                full.extend(path.iter().cloned());
                prefix = full[..full.len() - path.len()].to_vec();
                *path = full;
            }
        }
    }
    for (index, field) in mapping.fields.iter().enumerate() {
        if *field == Field::CodeApplied && record.get(index).is_some_and(says_yes) {
            paths.extend(code_paths(&applied_code(&headers[index])));
        }
    }
    paths.dedup();
    paths
}

/// Reads a codebook table: one code a row, with its description and parent.
fn read_codebook_table(
    headers: &[String],
    mapping: &ColumnMapping,
    rows: Vec<csv::StringRecord>,
    mut report: ImportReport,
) -> ImportData {
    let mut mapping = mapping.clone();
    if !mapping.fields.contains(&Field::Code) {
        // An NVivo code list calls its code column "Name".
        if let Some(i) =
            headers.iter().position(|h| matches!(normal(h).as_str(), "name" | "code name" | "node" | "nodes"))
        {
            mapping.fields[i] = Field::Code;
        }
    }
    let memo = mapping.fields.iter().position(|f| *f == Field::Memo);
    let mut data = ImportData::default();
    let mut keys = HashMap::new();
    for (row, record) in rows.iter().enumerate() {
        let description = memo.and_then(|c| record.get(c)).unwrap_or_default().trim();
        let paths = row_code_paths(headers, &mapping, record);
        if paths.is_empty() {
            report.skipped.push(format!("row {}: no code name", row + 2));
        }
        for path in paths.iter().filter(|p| p.len() <= MAX_CODE_DEPTH) {
            add_path(path, description, &mut data.codes, &mut keys);
        }
    }
    report
        .read
        .push(format!("a codebook table: {} codes (with their descriptions), no coded segments", data.codes.len()));
    data.report = report;
    data
}

/// Reads a coded-segment table; without a mapping, it is guessed from the headers and the
/// first rows' contents. A codebook table (codes with descriptions, no text) is read as a
/// codebook; a table that holds no coded text is refused with what it looks like.
pub fn read_table(
    bytes: &[u8],
    origin: &str,
    tsv: bool,
    mapping: Option<&ColumnMapping>,
) -> Result<ImportData, ImportError> {
    let mut report = ImportReport { origin: origin.to_owned(), ..ImportReport::default() };
    let text = decode(bytes, &mut report);
    let refused = |message: String| ImportError::Refused { origin: origin.to_owned(), message };
    let (headers, body) = records(&text, tsv).map_err(|e| refused(format!("cannot read the header row: {e}")))?;
    let mut rows = Vec::new();
    for (row, record) in body.enumerate() {
        match record {
            Ok(record) => rows.push((row + 2, record)),
            Err(e) => report.skipped.push(format!("row {}: {e}", row + 2)),
        }
    }
    let mapping = match mapping {
        Some(mapping) => mapping.clone(),
        None => {
            let sample: Vec<Vec<String>> =
                rows.iter().take(GUESS_ROWS).map(|(_, r)| r.iter().map(str::to_owned).collect()).collect();
            guess_from(&headers, &sample)
        }
    };
    if mapping.fields.len() != headers.len() {
        return Err(refused(format!(
            "the column mapping has {} columns but the table has {}",
            mapping.fields.len(),
            headers.len()
        )));
    }
    let column = |field: Field| mapping.fields.iter().position(|f| *f == field);
    let Some(text_column) = column(Field::Text) else {
        let sample: Vec<Vec<String>> =
            rows.iter().take(GUESS_ROWS).map(|(_, r)| r.iter().map(str::to_owned).collect()).collect();
        return match table_kind(&headers, &sample, &mapping) {
            TableKind::Codebook => {
                Ok(read_codebook_table(&headers, &mapping, rows.into_iter().map(|(_, r)| r).collect(), report))
            }
            TableKind::Counts(what) => Err(refused(format!(
                "no column holds the excerpt text: {what}. The columns are: {}",
                list_columns(&headers)
            ))),
            TableKind::Other(what) => Err(refused(format!(
                "no column holds the excerpt text: {what}. The columns are: {}. If one of them does hold the coded text, choose it (e.g. --map text=\"{}\")",
                list_columns(&headers),
                headers.first().cloned().unwrap_or_default()
            ))),
            TableKind::Segments => {
                Err(refused(format!("no column holds the excerpt text; the columns are: {}", list_columns(&headers))))
            }
        };
    };
    let has_codes = column(Field::Code).is_some() || mapping.fields.contains(&Field::CodeApplied);
    if !has_codes {
        report.adjusted.push("no code column: segments come in uncoded".to_owned());
    }
    for (index, why) in mapping.guessed.iter().enumerate() {
        if let Some(why) = why {
            report.adjusted.push(format!(
                "column “{}” taken as {} from its contents: {why}",
                headers.get(index).map_or("", String::as_str),
                mapping.fields.get(index).map_or("", |f| f.label())
            ));
        }
    }
    let mut data = ImportData::default();
    let mut code_keys: HashMap<String, usize> = HashMap::new();
    let mut sources: BTreeMap<String, ImportSource> = BTreeMap::new();
    let get = |record: &csv::StringRecord, field: Field| {
        column(field).and_then(|c| record.get(c)).unwrap_or_default().trim().to_owned()
    };
    // Begin and end columns read as one position, e.g. "paragraphs 3–8".
    let location_columns: Vec<usize> =
        mapping.fields.iter().enumerate().filter(|(_, f)| **f == Field::Location).map(|(i, _)| i).collect();
    let mut merged: HashMap<(String, String, String, String), usize> = HashMap::new();
    let mut rows_merged = 0usize;
    for (line, record) in rows {
        let excerpt = record.get(text_column).unwrap_or_default().trim().to_owned();
        if excerpt.is_empty() {
            report.skipped.push(format!("row {line}: the “{}” cell is empty", headers[text_column]));
            continue;
        }
        let code_paths = row_code_paths(&headers, &mapping, &record);
        if let Some(deep) = code_paths.iter().find(|path| path.len() > MAX_CODE_DEPTH) {
            report.skipped.push(format!(
                "row {line}: the code path “{} / …” is {} levels deep, more than the {MAX_CODE_DEPTH} levels read",
                deep[0],
                deep.len()
            ));
            continue;
        }
        let participant = get(&record, Field::Participant);
        let mut source_name = get(&record, Field::Source);
        if source_name.is_empty() {
            source_name = if participant.is_empty() { "Imported table".to_owned() } else { participant.clone() };
        }
        let source = sources.entry(source_name.clone()).or_insert_with(|| ImportSource {
            key: source_name.clone(),
            name: source_name.clone(),
            ..ImportSource::default()
        });
        if !participant.is_empty() {
            source.attributes.insert("participant".to_owned(), participant);
        }
        for (index, field) in mapping.fields.iter().enumerate() {
            if *field == Field::Attribute
                && let Some(value) = record.get(index).map(str::trim).filter(|v| !v.is_empty())
            {
                source.attributes.insert(attribute_name(&headers[index]), value.to_owned());
            }
        }
        let codes: Vec<String> =
            code_paths.iter().filter_map(|path| add_path(path, "", &mut data.codes, &mut code_keys)).collect();
        // Tools write a segment coded twice as two rows (Taguette: one row per highlight and
        // tag; MAXQDA: one per coding): the same text at the same place by the same coder is
        // one excerpt with both codes.
        let location = location_text(&headers, &location_columns, &record);
        let coder = get(&record, Field::Coder);
        let same = (source_name.clone(), excerpt.clone(), location.clone(), coder.clone());
        if let Some(&index) = merged.get(&same) {
            let segment: &mut ImportSegment = &mut data.segments[index];
            for code in codes {
                if !segment.codes.contains(&code) {
                    segment.codes.push(code);
                }
            }
            rows_merged += 1;
            continue;
        }
        merged.insert(same, data.segments.len());
        data.segments.push(ImportSegment {
            source: source_name,
            text: excerpt,
            location,
            codes,
            memo: get(&record, Field::Memo),
            coder,
            coded_at: get(&record, Field::CodedAt),
            status: crate::model::ExcerptStatus::Exact,
        });
    }
    if rows_merged > 0 {
        report.adjusted.push(format!(
            "{rows_merged} rows repeat a segment (same text, place and coder) with another code; read as one segment with several codes"
        ));
    }
    data.sources = sources.into_values().collect();
    let described: Vec<String> = headers
        .iter()
        .zip(&mapping.fields)
        .filter(|(_, f)| **f != Field::Ignore)
        .map(|(h, f)| format!("“{h}” as {}", f.label()))
        .collect();
    report.read.push(format!("columns: {}", described.join(", ")));
    report.read.push(format!(
        "{} segments, {} codes, {} sources",
        data.segments.len(),
        data.codes.len(),
        data.sources.len()
    ));
    data.report = report;
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses_maxqda_headers() {
        let headers: Vec<String> = [
            "Color",
            "Document group",
            "Document name",
            "Code",
            "Begin",
            "End",
            "Weight score",
            "Segment",
            "Comment",
            "Author",
            "role",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let mapping = guess(&headers);
        assert_eq!(mapping.fields[2], Field::Source);
        assert_eq!(mapping.fields[3], Field::Code);
        assert_eq!(mapping.fields[4], Field::Location);
        assert_eq!(mapping.fields[7], Field::Text);
        assert_eq!(mapping.fields[8], Field::Memo);
        assert_eq!(mapping.fields[9], Field::Coder);
        assert_eq!(mapping.fields[10], Field::Attribute);
    }

    #[test]
    fn code_cells_split_into_paths() {
        assert_eq!(
            code_paths("Benefits\\Confidence; Stress"),
            vec![vec!["Benefits".to_owned(), "Confidence".to_owned()], vec!["Stress".to_owned()]]
        );
        assert_eq!(code_paths("A > B"), vec![vec!["A".to_owned(), "B".to_owned()]]);
    }
}
