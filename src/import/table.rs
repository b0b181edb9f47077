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
    /// Code or codes (`;`-separated; `\`, `/` or ` > ` between parent and child).
    Code,
    /// Document or source name.
    Source,
    /// Case or participant.
    Participant,
    /// Memo or comment.
    Memo,
    /// Position: lines, paragraph, page, time.
    Location,
    /// Who coded it.
    Coder,
    /// A participant attribute named by the header.
    Attribute,
    /// Not imported.
    Ignore,
}

impl Field {
    /// Every field, in menu order.
    pub const ALL: [Self; 9] = [
        Self::Text,
        Self::Code,
        Self::Source,
        Self::Participant,
        Self::Memo,
        Self::Location,
        Self::Coder,
        Self::Attribute,
        Self::Ignore,
    ];

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Text => "excerpt text",
            Self::Code => "code",
            Self::Source => "document / source",
            Self::Participant => "participant / case",
            Self::Memo => "memo",
            Self::Location => "position",
            Self::Coder => "coder",
            Self::Attribute => "attribute",
            Self::Ignore => "ignore",
        }
    }

    fn keyword(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Code => "code",
            Self::Source => "source",
            Self::Participant => "participant",
            Self::Memo => "memo",
            Self::Location => "location",
            Self::Coder => "coder",
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
}

/// Guesses the mapping from the headers.
pub fn guess(headers: &[String]) -> ColumnMapping {
    let mut fields: Vec<Field> = headers
        .iter()
        .map(|h| {
            let h = h.trim().to_lowercase();
            let has = |words: &[&str]| words.iter().any(|w| h == *w || h.contains(w));
            if has(&["group", "set", "folder"]) {
                Field::Attribute
            } else if has(&["segment", "quotation", "excerpt", "coded text", "text", "content", "quote"])
                && !has(&["preview"])
            {
                Field::Text
            } else if has(&["code", "node", "category", "theme"]) {
                Field::Code
            } else if has(&["document", "source", "file", "interview", "transcript"]) {
                Field::Source
            } else if has(&["participant", "case", "speaker", "respondent", "person"]) {
                Field::Participant
            } else if has(&["memo", "comment", "note"]) {
                Field::Memo
            } else if has(&["begin", "start", "end", "position", "paragraph", "line", "page", "time", "location"]) {
                Field::Location
            } else if has(&["coder", "author", "user", "created by", "modified by"]) {
                Field::Coder
            } else if has(&["id", "weight", "area", "coverage", "color", "colour", "date", "created", "modified"]) {
                Field::Ignore
            } else {
                Field::Attribute
            }
        })
        .collect();
    // Only the first text and code columns count as such; later ones become attributes.
    for unique in [Field::Text, Field::Code, Field::Source, Field::Participant, Field::Coder] {
        let mut seen = false;
        for field in &mut fields {
            if *field == unique {
                if seen {
                    *field = Field::Attribute;
                }
                seen = true;
            }
        }
    }
    ColumnMapping { fields }
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
    }
    Ok(())
}

/// Spreadsheets are read in [`super::spreadsheet`]; kept here for callers of the old path.
pub use super::spreadsheet::spreadsheet_to_csv;

/// Picks the delimiter: tab for TSV, else whichever of `,` `;` `\t` the header line has most of.
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

fn decode(bytes: &[u8], report: &mut ImportReport) -> String {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(e) => {
            report.adjusted.push(format!(
                "the file is not UTF-8 (first bad byte at offset {}); unreadable characters were replaced — export the table as UTF-8 to keep them",
                e.valid_up_to()
            ));
            String::from_utf8_lossy(bytes).into_owned()
        }
    }
}

/// The headers and the first `rows` rows, for the column-mapping preview.
pub fn preview(bytes: &[u8], tsv: bool, rows: usize) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    let text = decode(bytes, &mut ImportReport::default());
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter(&text, tsv)).flexible(true).from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().map_err(|e| e.to_string())?.iter().map(str::to_owned).collect();
    let body = reader
        .records()
        .take(rows)
        .filter_map(Result::ok)
        .map(|r| r.iter().map(|c| c.chars().take(80).collect()).collect())
        .collect();
    Ok((headers, body))
}

/// Splits a code cell into code paths: `;` or newline between codes; `\`, ` > ` or `/` between
/// parent and child.
fn code_paths(cell: &str) -> Vec<Vec<String>> {
    cell.split([';', '\n'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|code| {
            let parts: Vec<&str> = if code.contains('\\') {
                code.split('\\').collect()
            } else if code.contains(" > ") {
                code.split(" > ").collect()
            } else if code.contains(" / ") {
                code.split(" / ").collect()
            } else {
                vec![code]
            };
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

/// Reads a coded-segment table; without a mapping, it is guessed from the headers.
pub fn read_table(
    bytes: &[u8],
    origin: &str,
    tsv: bool,
    mapping: Option<&ColumnMapping>,
) -> Result<ImportData, ImportError> {
    let mut report = ImportReport { origin: origin.to_owned(), ..ImportReport::default() };
    let text = decode(bytes, &mut report);
    let refused = |message: String| ImportError::Refused { origin: origin.to_owned(), message };
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter(&text, tsv)).flexible(true).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| refused(format!("cannot read the header row: {e}")))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let mapping = mapping.cloned().unwrap_or_else(|| guess(&headers));
    if mapping.fields.len() != headers.len() {
        return Err(refused(format!(
            "the column mapping has {} columns but the table has {}",
            mapping.fields.len(),
            headers.len()
        )));
    }
    let column = |field: Field| mapping.fields.iter().position(|f| *f == field);
    let Some(text_column) = column(Field::Text) else {
        return Err(refused(format!(
            "no column holds the excerpt text; the columns are: {}. Choose the text column (e.g. --map text=\"{}\")",
            list_columns(&headers),
            headers.first().cloned().unwrap_or_default()
        )));
    };
    let code_column = column(Field::Code);
    if code_column.is_none() {
        report.adjusted.push("no code column: segments come in uncoded".to_owned());
    }
    let mut data = ImportData::default();
    let mut code_keys: HashMap<String, ()> = HashMap::new();
    let mut sources: BTreeMap<String, ImportSource> = BTreeMap::new();
    let get = |record: &csv::StringRecord, field: Field| {
        column(field).and_then(|c| record.get(c)).unwrap_or_default().trim().to_owned()
    };
    // Begin and end columns read as one position, e.g. "3–8".
    let location_columns: Vec<usize> =
        mapping.fields.iter().enumerate().filter(|(_, f)| **f == Field::Location).map(|(i, _)| i).collect();
    for (row, record) in reader.records().enumerate() {
        let line = row + 2;
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                report.skipped.push(format!("row {line}: {e}"));
                continue;
            }
        };
        let excerpt = record.get(text_column).unwrap_or_default().trim().to_owned();
        if excerpt.is_empty() {
            report.skipped.push(format!("row {line}: the “{}” cell is empty", headers[text_column]));
            continue;
        }
        let code_paths = code_column.map(|c| code_paths(record.get(c).unwrap_or_default())).unwrap_or_default();
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
            attributes: BTreeMap::new(),
        });
        if !participant.is_empty() {
            source.attributes.insert("participant".to_owned(), participant);
        }
        for (index, field) in mapping.fields.iter().enumerate() {
            if *field == Field::Attribute
                && let Some(value) = record.get(index).map(str::trim).filter(|v| !v.is_empty())
            {
                source.attributes.insert(headers[index].clone(), value.to_owned());
            }
        }
        let mut codes = Vec::new();
        for path in code_paths {
            let mut parent: Option<String> = None;
            for depth in 0..path.len() {
                let key = path[..=depth].join(" / ");
                if code_keys.insert(key.clone(), ()).is_none() {
                    data.codes.push(ImportCode {
                        key: key.clone(),
                        name: path[depth].clone(),
                        parent: parent.clone(),
                        color: None,
                        description: String::new(),
                    });
                }
                parent = Some(key);
            }
            codes.extend(parent);
        }
        data.segments.push(ImportSegment {
            source: source_name,
            text: excerpt,
            location: {
                let mut parts: Vec<&str> = location_columns
                    .iter()
                    .filter_map(|c| record.get(*c))
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .collect();
                parts.dedup();
                parts.join("–")
            },
            codes,
            memo: get(&record, Field::Memo),
            coder: get(&record, Field::Coder),
            coded_at: String::new(),
        });
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
