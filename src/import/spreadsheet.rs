//! Spreadsheets (`.xlsx`, `.xlsm`, `.xls`, `.ods`): the first sheet is read as CSV bytes, so that
//! it goes through the same column mapping as a table.
//!
//! The parsing is calamine's, a library we do not control, so nothing reaches it unchecked:
//!
//! - zipped formats (`.xlsx`, `.ods`) are checked against the archive limits first (sizes,
//!   compression ratio), since a spreadsheet can be a zip bomb too;
//! - a legacy `.xls` has its compound-file container walked first ([`super::cfb`]: sector
//!   chains in range and without loops, stream sizes the file can hold), then its BIFF records
//!   (every sheet's cells and declared dimensions, which calamine turns into one grid per sheet
//!   when it opens the file: a damaged position can ask for billions of cells);
//! - `.xlsx` cells are read one by one, and the grid they span is checked before it is built;
//! - the library runs inside `catch_unwind`, so a panic in it is a refusal naming the file.
//!
//! What no check here can bound (a loop or an allocation inside the library that the checks do
//! not foresee) is bounded by reading in a child process with operating-system limits
//! ([`super::sandbox`]).

use std::io::Cursor;

use super::ImportError;

/// Largest spreadsheet read, in bytes (as for tables).
pub const MAX_SPREADSHEET_BYTES: u64 = super::table::MAX_TABLE_BYTES;

/// Most cells a sheet's grid may span (rows × columns between its first and last filled cell),
/// summed over an `.xls` file's sheets, which calamine builds all at once. A coded-segment
/// export of 10,000 segments in 20 columns spans 200,000; a whole legacy sheet (65,536 × 256)
/// 16.8 million, which calamine holds at 32 bytes a cell.
pub const MAX_GRID_CELLS: u64 = 4_000_000;

/// The kinds of spreadsheet read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Office Open XML (`.xlsx`, `.xlsm`).
    Xlsx,
    /// Excel 97–2003 (`.xls`, BIFF in a compound file).
    Xls,
    /// OpenDocument (`.ods`).
    Ods,
}

impl Kind {
    /// The kind a file extension (any case) names, if it is a spreadsheet.
    pub fn from_extension(ext: &str) -> Option<Self> {
        match ext.to_ascii_lowercase().as_str() {
            "xlsx" | "xlsm" => Some(Self::Xlsx),
            "xls" => Some(Self::Xls),
            "ods" => Some(Self::Ods),
            _ => None,
        }
    }

    /// The kind of a file, by its extension.
    pub fn of_path(path: &std::path::Path) -> Option<Self> {
        path.extension().and_then(|e| e.to_str()).and_then(Self::from_extension)
    }
}

/// Reads the first sheet of a spreadsheet file as CSV bytes. The kind comes from the extension.
pub fn spreadsheet_to_csv(path: &std::path::Path) -> Result<Vec<u8>, ImportError> {
    let origin = path.display().to_string();
    let Some(kind) = Kind::of_path(path) else {
        return Err(ImportError::Refused { origin, message: "not a spreadsheet (.xlsx, .xls or .ods)".to_owned() });
    };
    let bytes = super::read_limited(path, MAX_SPREADSHEET_BYTES)?;
    csv_from_bytes(&bytes, kind, &origin)
}

/// Reads the first sheet of a spreadsheet held in memory as CSV bytes; `origin` names it in
/// messages. This is what the import runs (and what the fuzz targets run).
pub fn csv_from_bytes(bytes: &[u8], kind: Kind, origin: &str) -> Result<Vec<u8>, ImportError> {
    let refused = |message: String| ImportError::Refused { origin: origin.to_owned(), message };
    if bytes.len() as u64 > MAX_SPREADSHEET_BYTES {
        return Err(refused(format!("larger than {} MB; refused", MAX_SPREADSHEET_BYTES / 1_000_000)));
    }
    match kind {
        Kind::Xls => {
            let stream = super::cfb::workbook_stream(bytes).map_err(|m| refused(format!("{m}; refused")))?;
            check_biff(&stream).map_err(|m| refused(format!("{m}; refused")))?;
        }
        Kind::Xlsx => {
            super::refi::check_zip_limits_from(Cursor::new(bytes), origin)?;
            check_entry_names_distinct(bytes).map_err(|m| refused(format!("{m}; refused")))?;
            check_xlsx_references(bytes).map_err(|m| refused(format!("{m}; refused")))?;
        }
        Kind::Ods => {
            super::refi::check_zip_limits_from(Cursor::new(bytes), origin)?;
            check_entry_names_distinct(bytes).map_err(|m| refused(format!("{m}; refused")))?;
            check_ods_content(bytes).map_err(|m| refused(format!("{m}; refused")))?;
        }
    }
    match super::catch_panic(|| read_first_sheet(bytes, kind)) {
        Ok(Ok(csv)) => Ok(csv),
        Ok(Err(message)) => Err(refused(message)),
        Err(panic) => Err(refused(format!(
            "the spreadsheet reader failed on this file ({panic}); it is probably damaged. \
             Open it in Excel or LibreOffice and save a fresh copy, or export the segments as CSV"
        ))),
    }
}

/// The library's part: the first sheet's cells, written as CSV.
fn read_first_sheet(bytes: &[u8], kind: Kind) -> Result<Vec<u8>, String> {
    use calamine::Reader as _;
    let mut writer = csv_writer();
    let cannot = |e: &dyn std::fmt::Display| format!("cannot read the spreadsheet: {e}");
    if kind == Kind::Xlsx {
        let mut book = calamine::Xlsx::new(Cursor::new(bytes)).map_err(|e| cannot(&e))?;
        let sheet = book.sheet_names().first().cloned().ok_or_else(|| "the spreadsheet has no sheets".to_owned())?;
        let in_sheet = |e: &dyn std::fmt::Display| format!("sheet “{sheet}”: {e}");
        let mut cells = Vec::new();
        {
            let mut reader = book.worksheet_cells_reader(&sheet).map_err(|e| in_sheet(&e))?;
            while let Some(cell) = reader.next_cell().map_err(|e| in_sheet(&e))? {
                let value = calamine::Data::from(cell.get_value().clone());
                if value != calamine::Data::Empty {
                    cells.push((cell.get_position(), value.to_string()));
                }
                if cells.len() as u64 > MAX_GRID_CELLS {
                    return Err(in_sheet(&format!("more than {MAX_GRID_CELLS} filled cells; refused")));
                }
            }
        }
        write_grid(&mut writer, cells).map_err(|e| in_sheet(&e))?;
    } else {
        let mut book = if kind == Kind::Xls {
            calamine::Sheets::Xls(calamine::Xls::new(Cursor::new(bytes)).map_err(|e| cannot(&e))?)
        } else {
            calamine::Sheets::Ods(calamine::Ods::new(Cursor::new(bytes)).map_err(|e| cannot(&e))?)
        };
        let sheet = book.sheet_names().first().cloned().ok_or_else(|| "the spreadsheet has no sheets".to_owned())?;
        let range = book.worksheet_range(&sheet).map_err(|e| format!("sheet “{sheet}”: {e}"))?;
        for (i, row) in range.rows().enumerate() {
            let row = if i == 0 { row } else { without_trailing_empty(row, |c| *c == calamine::Data::Empty) };
            write_row(&mut writer, row.iter().map(ToString::to_string)).map_err(|e| format!("sheet “{sheet}”: {e}"))?;
        }
    }
    writer.into_inner().map_err(|e| e.to_string())
}

/// The writer of a sheet's CSV: rows may have fewer fields than the header ([`write_row`]).
fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().flexible(true).from_writer(Vec::new())
}

/// A row without its empty cells at the end. The header row is written whole; the rows below
/// it lose their empty ends (the table reader takes a missing cell as an empty one), so that a
/// sheet with one far-off cell is not written as millions of empty fields (a grid of 15,601 ×
/// 256 with seven filled cells was 3.9 MB of commas).
fn without_trailing_empty<T>(row: &[T], empty: impl Fn(&T) -> bool) -> &[T] {
    &row[..row.iter().rposition(|c| !empty(c)).map_or(0, |last| last + 1)]
}

/// Writes one row; an empty one as a single empty field (the CSV writer writes `""`), so that
/// the line stays and the rows below keep their numbers.
fn write_row<T: AsRef<[u8]>>(writer: &mut csv::Writer<Vec<u8>>, fields: impl Iterator<Item = T>) -> csv::Result<()> {
    let mut fields = fields.peekable();
    if fields.peek().is_none() {
        return writer.write_record([""]);
    }
    writer.write_record(fields)
}

/// Writes filled cells as the rows of the grid from the first filled row and column to the last,
/// as calamine's own `Range` would give them, after checking that the grid is not too large.
fn write_grid(writer: &mut csv::Writer<Vec<u8>>, mut cells: Vec<((u32, u32), String)>) -> Result<(), String> {
    let Some(rows) = cells.iter().map(|c| c.0.0).min().zip(cells.iter().map(|c| c.0.0).max()) else { return Ok(()) };
    let (first_col, last_col) = cells.iter().fold((u32::MAX, 0), |(lo, hi), c| (lo.min(c.0.1), hi.max(c.0.1)));
    let (height, width) = (u64::from(rows.1 - rows.0) + 1, u64::from(last_col - first_col) + 1);
    if height * width > MAX_GRID_CELLS {
        return Err(format!(
            "its cells span {height} rows by {width} columns ({} cells), more than the {MAX_GRID_CELLS} read; \
             delete the unused rows and columns, or export the segments as CSV",
            height * width
        ));
    }
    cells.sort_by_key(|c| c.0);
    let mut cells = cells.into_iter().peekable();
    for row in rows.0..=rows.1 {
        let mut record = vec![String::new(); width as usize];
        while let Some(((_, col), value)) = cells.next_if(|c| c.0.0 == row) {
            record[(col - first_col) as usize] = value;
        }
        let record = if row == rows.0 { &record[..] } else { without_trailing_empty(&record, String::is_empty) };
        write_row(writer, record.iter()).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Refuses an archive that lists more entries in its central directory than it has distinct
/// names: our zip reader keeps one entry of each name, calamine's (another version of the
/// crate) may take another, and then what was checked is not what is read.
fn check_entry_names_distinct(bytes: &[u8]) -> Result<(), String> {
    let Ok(zip) = zip::ZipArchive::new(Cursor::new(bytes)) else { return Ok(()) };
    // The end-of-central-directory record: signature, then the entry count at offset 10. It
    // is within the last 64 KiB + 22 bytes (its comment is at most 64 KiB).
    let tail = bytes.len().saturating_sub(65_536 + 22);
    let listed = bytes[tail..]
        .windows(4)
        .rposition(|w| w == [0x50, 0x4b, 0x05, 0x06])
        .and_then(|at| u16_at(bytes, tail + at + 10))
        .map(usize::from);
    match listed {
        // 0xFFFF: the count is in a Zip64 record, which spreadsheets of our size never need.
        Some(listed) if listed != 0xFFFF && listed > zip.len() => Err(format!(
            "the archive lists {listed} entries but only {} distinct names: two entries share a name; the file is damaged",
            zip.len()
        )),
        _ => Ok(()),
    }
}

/// Most letters and digits a cell reference's column and row may have before calamine's
/// arithmetic (base 26 and base 10 in 32 bits, unchecked) overflows: `ZZZZZZ` and `999999999`
/// still fit. Excel's own limits (`XFD`, `1048576`) are far lower; a reference between the two
/// reads, and the grid check then bounds what it costs.
const MAX_REFERENCE_LETTERS: usize = 6;
/// See [`MAX_REFERENCE_LETTERS`].
const MAX_REFERENCE_DIGITS: usize = 9;

/// Refuses an `.xlsx` whose XML parts hold a cell reference (`r`, `ref` or `sqref` attribute:
/// cells, rows, dimensions, merged ranges, tables) too long for calamine to read without
/// overflowing. The parts are already known to unpack within the archive limits; each is
/// scanned once, byte by byte.
fn check_xlsx_references(bytes: &[u8]) -> Result<(), String> {
    use std::io::Read as _;
    // Every part, whatever its name (relationships may point anywhere), and every part must
    // unpack: calamine's own zip reader (another version of the crate) may read an entry that
    // ours cannot, and it would then reach calamine unchecked.
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| format!("damaged archive: {e}"))?;
    let mut part = Vec::new();
    for index in 0..zip.len() {
        let entry = zip.by_index(index).map_err(|e| format!("damaged archive entry {}: {e}", index + 1))?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        part.clear();
        entry
            .take(super::refi::MAX_ENTRY_BYTES + 1)
            .read_to_end(&mut part)
            .map_err(|e| format!("the archive entry “{name}” cannot be unpacked ({e})"))?;
        if let Some(reference) = overlong_reference(&part) {
            return Err(format!(
                "the value “{}” in {name} is not one a spreadsheet can hold (a cell reference too long to count, a range that ends before it starts, or more shared strings than the part holds); the file is damaged",
                String::from_utf8_lossy(reference).chars().take(40).collect::<String>()
            ));
        }
    }
    Ok(())
}

/// The first value of an `r`, `ref` or `sqref` attribute in `xml` with a reference (letters
/// then digits, the parts split by `:` or spaces) longer than calamine can count, or a range
/// (`A1:B2`) that ends before it starts; or of a `uniqueCount` larger than `xml` could hold.
fn overlong_reference(xml: &[u8]) -> Option<&[u8]> {
    let mut at = 0;
    while let Some(found) = xml[at..].iter().position(|b| *b == b'=') {
        let equals = at + found;
        at = equals + 1;
        // XML allows white space around the `=`.
        let name_end = xml[..equals].iter().rposition(|b| !b.is_ascii_whitespace()).map_or(0, |p| p + 1);
        let before = &xml[..name_end];
        let name_start = before.iter().rposition(|b| !b.is_ascii_alphanumeric() && *b != b':').map_or(0, |p| p + 1);
        let name = &before[name_start..];
        let spaced = name_start > 0 && before[name_start - 1].is_ascii_whitespace();
        if !spaced || !matches!(name, b"r" | b"ref" | b"sqref" | b"uniqueCount") {
            continue;
        }
        let Some(quote_at) = xml[equals + 1..].iter().position(|b| !b.is_ascii_whitespace()).map(|p| equals + 1 + p)
        else {
            continue;
        };
        let quote = xml[quote_at];
        if !matches!(quote, b'"' | b'\'') {
            continue;
        }
        let value_start = quote_at + 1;
        let Some(len) = xml[value_start..].iter().position(|b| *b == quote) else { continue };
        let value = &xml[value_start..value_start + len];
        if name == b"uniqueCount" {
            // The shared strings' count, for which calamine reserves room before reading them:
            // more strings than the part could hold (each takes at least `<si></si>`) would ask
            // for more memory than there is, which aborts rather than panics.
            let count = std::str::from_utf8(value).ok().and_then(|v| v.trim().parse::<u64>().ok());
            if count.is_some_and(|n| n > xml.len() as u64 / 9) {
                return Some(value);
            }
            at = value_start + len;
            continue;
        }
        for range in value.split(|b| b.is_ascii_whitespace()) {
            let mut corners = Vec::with_capacity(2);
            for reference in range.split(|b| *b == b':') {
                let letters = reference.iter().take_while(|b| b.is_ascii_alphabetic()).count();
                let digits = reference[letters..].iter().take_while(|b| b.is_ascii_digit()).count();
                if letters > MAX_REFERENCE_LETTERS || digits > MAX_REFERENCE_DIGITS {
                    return Some(value);
                }
                let column = reference[..letters]
                    .iter()
                    .fold(0u64, |n, b| n * 26 + u64::from(b.to_ascii_uppercase() - b'A') + 1);
                let row = reference[letters..letters + digits].iter().fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
                corners.push((row, column));
            }
            // A range that ends before it starts: calamine subtracts its corners unchecked.
            if let [(first_row, first_column), (last_row, last_column)] = corners[..]
                && (last_row < first_row || last_column < first_column)
            {
                return Some(value);
            }
        }
        at = value_start + len;
    }
    None
}

/// Refuses an `.ods` whose `content.xml` is not balanced: an end tag that does not close the
/// element open at that point, or an element never closed. calamine reads a table, a cell's text
/// and an annotation each with a loop that stops only at its own end tag (not at the end of the
/// file), and a cell's loop swallows any end tag inside the cell: an unbalanced file (a file cut
/// short, a damaged end tag, `</table:table>` inside a cell's text) keeps it reading for ever.
/// LibreOffice, Excel and every other writer write balanced XML.
fn check_ods_content(bytes: &[u8]) -> Result<(), String> {
    use std::io::Read as _;
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else { return Ok(()) };
    let Ok(entry) = zip.by_name("content.xml") else { return Ok(()) };
    let mut xml = Vec::new();
    entry
        .take(super::refi::MAX_ENTRY_BYTES + 1)
        .read_to_end(&mut xml)
        .map_err(|e| format!("content.xml cannot be unpacked ({e})"))?;
    unbalanced(&xml).map_or(Ok(()), |problem| Err(format!("content.xml {problem}; the file is damaged")))
}

/// What is unbalanced in `xml`, tag by tag as calamine's XML reader (quick-xml) splits it:
/// comments, CDATA and processing instructions skipped, quoted attribute values may hold `>`,
/// an end tag's name is all of it but trailing white space (`</a/x>` does not close `a`), a
/// start tag's runs to the first white space after a final `/` (an empty element) is taken off.
fn unbalanced(xml: &[u8]) -> Option<String> {
    let lossy = |name: &[u8]| String::from_utf8_lossy(&name[..name.len().min(60)]).into_owned();
    let find =
        |from: usize, needle: &[u8]| xml[from..].windows(needle.len()).position(|w| w == needle).map(|p| from + p);
    let mut open: Vec<(&[u8], usize)> = Vec::new();
    let mut at = 0;
    while let Some(found) = xml[at..].iter().position(|b| *b == b'<') {
        let start = at + found;
        let rest = &xml[start..];
        // Comments, CDATA, processing instructions and a document type declaration (the last
        // `<!`, to its `>`): skipped to their end.
        const SKIPPED: [(&[u8], &[u8]); 4] = [(b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"), (b"<!", b">")];
        if let Some((_, close)) = SKIPPED.iter().find(|(open, _)| rest.starts_with(open)) {
            at = find(start, close).map_or(xml.len(), |p| p + close.len());
            continue;
        }
        // A tag: to its '>', outside quoted values.
        let mut quote = None;
        let mut end = xml.len();
        for (i, &b) in rest.iter().enumerate().skip(1) {
            match (quote, b) {
                (Some(q), b) if b == q => quote = None,
                (Some(_), _) => {}
                (None, b'"' | b'\'') => quote = Some(b),
                (None, b'>') => {
                    end = start + i;
                    break;
                }
                _ => {}
            }
        }
        let closing = rest.get(1) == Some(&b'/');
        let name_from = (start + 1 + usize::from(closing)).min(end);
        let tag = &xml[name_from..end];
        if end == xml.len() {
            return Some(format!("is cut off inside the tag at byte {start}"));
        }
        if closing {
            let name = tag.trim_ascii_end();
            match open.pop() {
                Some((innermost, _)) if innermost == name => {}
                Some((innermost, opened)) => {
                    return Some(format!(
                        "has </{}> at byte {start} where <{}> (opened at byte {opened}) is to be closed",
                        lossy(name),
                        lossy(innermost)
                    ));
                }
                None => return Some(format!("has </{}> at byte {start} with no element open", lossy(name))),
            }
        } else if tag.last() != Some(&b'/') {
            let name = &tag[..tag.iter().position(u8::is_ascii_whitespace).unwrap_or(tag.len())];
            open.push((name, start));
        }
        at = end + 1;
    }
    open.pop().map(|(name, opened)| {
        format!("opens <{}> at byte {opened} and never closes it (the file may be cut short)", lossy(name))
    })
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// A shared-string table followed by more Continue records than this is refused: calamine takes
/// them off the front of a list one by one (each a shift of the whole list), so a long run of
/// empty ones (4 bytes each, 2.6 million in 10 MB) costs time in the square of their number.
/// Writers start a Continue record only when a record's 8,224 bytes are full, so a real 10 MB
/// workbook holds about 1,300 at most.
const MAX_CONTINUES: usize = 4096;

/// BIFF records exactly as calamine 0.38's iterator groups them: type, data, and the Continue
/// records (0x003C) that follow and belong to it. Like calamine, Continue records are gathered
/// only while more than four bytes are left; the iteration stops where a record is cut short
/// (calamine stops there with an error of its own).
fn records(mut rest: &[u8]) -> impl Iterator<Item = (u16, &[u8], Vec<&[u8]>)> {
    std::iter::from_fn(move || {
        let typ = u16_at(rest, 0)?;
        let len = usize::from(u16_at(rest, 2)?);
        let data = rest.get(4..4 + len)?;
        rest = &rest[4 + len..];
        let mut continues = Vec::new();
        while rest.len() > 4 && u16_at(rest, 0) == Some(0x003C) {
            let len = usize::from(u16_at(rest, 2)?);
            continues.push(rest.get(4..4 + len)?);
            rest = &rest[4 + len..];
        }
        Some((typ, data, continues))
    })
}

/// Walks the strings of a shared-string table (SST) as calamine 0.38's `parse_sst` does, across
/// its Continue records, and finds the places where calamine would read past a slice (a panic):
/// a rich or extended string whose run count or extension length is cut off, or a string whose
/// characters go on into an empty Continue record. `Err(n)`: string `n` (from 1) is such a
/// place. `Ok(n)`: the walk read `n` strings and ended where calamine ends, either at the end of
/// the table or where calamine refuses the table cleanly itself (a table too short for its
/// header, a string whose characters or formatting run out).
fn walk_sst(data: &[u8], continues: &[&[u8]]) -> Result<usize, usize> {
    let Some(mut part) = data.get(8..) else { return Ok(0) };
    let mut next = continues.iter().copied();
    let mut string = 0usize;
    loop {
        if part.is_empty() {
            let Some(continued) = next.next() else { return Ok(string) };
            part = continued;
        }
        string += 1;
        if part.is_empty() {
            continue; // an empty Continue record: calamine reads an empty string
        }
        let (Some(chars), Some(&flags)) = (u16_at(part, 0), part.get(2)) else { return Ok(string - 1) };
        part = &part[3..];
        let mut skip = 0usize;
        if flags & 0x8 != 0 {
            let Some(runs) = u16_at(part, 0) else { return Err(string) };
            skip = 4 * usize::from(runs);
            part = &part[2..];
        }
        if flags & 0x4 != 0 {
            let Some(extension) = u32_at(part, 0) else { return Err(string) };
            // calamine takes the length as a signed number: a negative one skips to the end.
            skip = skip.saturating_add(i32::from_le_bytes(extension.to_le_bytes()) as usize);
            part = &part[4..];
        }
        let (mut left, mut wide) = (usize::from(chars), flags & 0x1 != 0);
        loop {
            let taken = if wide { left.min(part.len() / 2) } else { left.min(part.len()) };
            part = &part[if wide { 2 * taken } else { taken }..];
            left -= taken;
            if left == 0 {
                break;
            }
            let Some(continued) = next.next() else { return Ok(string - 1) };
            // Each Continue record inside a string starts with the string's flags again.
            let Some((&first, rest)) = continued.split_first() else { return Err(string) };
            wide = first & 0x1 != 0;
            part = rest;
        }
        while skip > 0 {
            if part.is_empty() {
                let Some(continued) = next.next() else { return Ok(string - 1) };
                part = continued;
            }
            let taken = skip.min(part.len());
            part = &part[taken..];
            skip -= taken;
        }
    }
}

/// BIFF record types that place a cell at the row and column in their first four bytes.
const CELL_RECORDS: [u16; 8] = [
    0x0203, // Number
    0x0204, // Label
    0x00D6, // RString
    0x0205, // BoolErr
    0x027E, // RK
    0x00FD, // LabelSst
    0x0006, // Formula
    0x0201, // Blank (calamine skips it today; counted so that a later version cannot surprise)
];

/// An `.xls` sheet has 256 columns (Excel 97-2003, and every writer of the format: LibreOffice,
/// xlwt, Apache POI); a cell past them is damage, and calamine would build a grid out to it (one
/// at column 65,287 made a 36-row sheet of 2.35 million cells, found by the xls fuzz target).
fn within_columns(sheet: usize, row: u16, col: u16) -> Result<(), String> {
    if col > 0xFF {
        return Err(format!(
            "sheet {}: a cell in row {} is in column {}, past the 256 columns an .xls sheet holds; the file is damaged",
            sheet + 1,
            u32::from(row) + 1,
            u32::from(col) + 1
        ));
    }
    Ok(())
}

/// Walks the BIFF records of an `.xls` workbook stream as calamine will, and refuses it when
/// the grids calamine would build for its sheets (from each sheet's Dimensions record and from
/// its cells' positions) would exceed [`MAX_GRID_CELLS`], or when a sheet starts outside the
/// stream.
fn check_biff(stream: &[u8]) -> Result<(), String> {
    // The globals: where each sheet starts.
    let mut starts = Vec::new();
    let damaged = |what: &str, len: usize| {
        format!("the workbook's {what} record is {len} bytes, too short for it; the file is damaged")
    };
    for (typ, data, continues) in records(stream) {
        // Records calamine reads at fixed places without checking their length first.
        match typ {
            0x0809 if data.len() < 2 => return Err(damaged("beginning-of-file (BOF)", data.len())),
            0x002F if data.len() < 2 => return Err(damaged("encryption (FilePass)", data.len())),
            0x0042 if data.len() < 2 => return Err(damaged("code page (CodePage)", data.len())),
            0x0022 if data.len() < 2 => return Err(damaged("date system (DateMode)", data.len())),
            0x00FC if continues.len() > MAX_CONTINUES => {
                return Err(format!(
                    "the workbook's shared-string table goes on over {} Continue records, more than \
                     the {MAX_CONTINUES} a workbook of this size can hold; the file is damaged",
                    continues.len()
                ));
            }
            0x00FC => {
                if let Err(string) = walk_sst(data, &continues) {
                    return Err(format!(
                        "shared string {string} of the workbook is cut short inside its own header or \
                         characters; the file is damaged"
                    ));
                }
            }
            0x0085 if data.len() < 6 => return Err(damaged("sheet (BoundSheet8)", data.len())),
            0x0085 => starts.push(u32_at(data, 0).unwrap_or(0) as usize),
            0x0017 if data.len() < 2 => return Err(damaged("sheet reference (ExternSheet)", data.len())),
            0x0018 => {
                // Lbl: a defined name, its formula (cce bytes) at the end.
                let formula = u16_at(data, 4).map_or(usize::MAX, usize::from);
                if data.len() < 14 || formula > data.len() - 14 {
                    return Err(damaged("defined name (Lbl)", data.len()));
                }
            }
            0x000A => break,
            _ => {}
        }
    }
    let mut total = 0u64;
    for (sheet, start) in starts.into_iter().enumerate() {
        let Some(records_of_sheet) = stream.get(start..) else {
            return Err(format!(
                "sheet {} starts at byte {start} of the workbook stream, which has only {}",
                sheet + 1,
                stream.len()
            ));
        };
        let (mut rows, mut cols) = ((u32::MAX, 0u32), (u32::MAX, 0u32));
        let mut reserved = 0u64;
        let (mut seen_bof, mut depth) = (false, 0usize);
        for (typ, data, _) in records(records_of_sheet) {
            if depth > 0 {
                match typ {
                    0x0809 => depth += 1,
                    0x000A => depth -= 1,
                    _ => {}
                }
                continue;
            }
            let mut place = |row: u32, col: u32| {
                rows = (rows.0.min(row), rows.1.max(row));
                cols = (cols.0.min(col), cols.1.max(col));
            };
            match typ {
                0x0809 if data.len() < 2 => {
                    return Err(format!(
                        "sheet {}: a beginning-of-file (BOF) record of {} bytes, too short for it; the file is damaged",
                        sheet + 1,
                        data.len()
                    ));
                }
                0x0809 if seen_bof => depth += 1,
                0x0809 => seen_bof = true,
                0x000A => break,
                // Dimensions: calamine reserves room for the grid it declares.
                0x0200 => {
                    let (first_row, last_row, mut first_col, last_col) = match data.len() {
                        10 => (
                            u32::from(u16_at(data, 0).unwrap_or(0)),
                            u32::from(u16_at(data, 2).unwrap_or(0)),
                            u32::from(u16_at(data, 4).unwrap_or(0)),
                            u32::from(u16_at(data, 6).unwrap_or(0)),
                        ),
                        14 | 16 => (
                            u32_at(data, 0).unwrap_or(0),
                            u32_at(data, 4).unwrap_or(0),
                            u32::from(u16_at(data, 8).unwrap_or(0)),
                            u32::from(u16_at(data, 10).unwrap_or(0)),
                        ),
                        _ => continue,
                    };
                    if first_col > 0xFF || last_col < first_col {
                        first_col = 0;
                    }
                    let (end_row, end_col) = if last_row >= 1 && last_col >= 1 {
                        (last_row - 1, last_col - 1)
                    } else {
                        (first_row, first_col)
                    };
                    // calamine counts the grid as end − start + 1 in 32 bits: rows that end
                    // before they start, or a count that does not fit, overflow (a panic in a
                    // debug build, a wrapped count in a release build).
                    let count = |start: u32, end: u32| end.checked_sub(start).and_then(|n| n.checked_add(1));
                    let (Some(height), Some(width)) = (count(first_row, end_row), count(first_col, end_col)) else {
                        return Err(format!(
                            "sheet {} declares a grid from row {} to row {}, which cannot be counted; the file is damaged",
                            sheet + 1,
                            u64::from(first_row) + 1,
                            u64::from(end_row) + 1
                        ));
                    };
                    reserved = reserved.max(u64::from(height).saturating_mul(u64::from(width)));
                }
                0x00BD => {
                    // MulRk: one row, a run of columns. calamine works out the record's length
                    // from the run (last − first + 1, in 16 bits), which a run that ends before
                    // it starts makes overflow.
                    if let (Some(row), Some(first), Some(last)) =
                        (u16_at(data, 0), u16_at(data, 2), data.len().checked_sub(2).and_then(|at| u16_at(data, at)))
                    {
                        if data.len() >= 6 && last < first {
                            return Err(format!(
                                "sheet {}: a run of numbers in row {} ends in column {} before it starts in column {}; \
                                 the file is damaged",
                                sheet + 1,
                                u32::from(row) + 1,
                                u32::from(last) + 1,
                                u32::from(first) + 1
                            ));
                        }
                        within_columns(sheet, row, last.max(first))?;
                        place(u32::from(row), u32::from(first));
                        place(u32::from(row), u32::from(last.max(first)));
                    }
                }
                0x00E5 => {
                    // MergeCells: a count, then 8 bytes a range, which calamine reads without
                    // checking that the record holds them.
                    let count = u16_at(data, 0).map_or(0, usize::from);
                    if 2 + 8 * count > data.len() {
                        return Err(format!(
                            "sheet {}: a list of {count} merged ranges is held in {} bytes, too few for it; the file is damaged",
                            sheet + 1,
                            data.len()
                        ));
                    }
                }
                0x0006 if data.len() < 22 || usize::from(u16_at(data, 20).unwrap_or(0)) > data.len() - 22 => {
                    // Formula: calamine slices the parsed formula (its length at byte 20) out of
                    // the record without checking that the record holds it (found by CI's xls
                    // fuzz run, xls.rs:1531).
                    return Err(format!(
                        "sheet {}: a formula's record is {} bytes, too short for the formula it says it holds; \
                         the file is damaged",
                        sheet + 1,
                        data.len()
                    ));
                }
                typ if CELL_RECORDS.contains(&typ) => {
                    if let (Some(row), Some(col)) = (u16_at(data, 0), u16_at(data, 2)) {
                        within_columns(sheet, row, col)?;
                        place(u32::from(row), u32::from(col));
                    }
                }
                _ => {}
            }
        }
        let grid =
            if rows.0 <= rows.1 { (u64::from(rows.1 - rows.0) + 1) * (u64::from(cols.1 - cols.0) + 1) } else { 0 };
        if reserved > MAX_GRID_CELLS {
            return Err(format!(
                "sheet {} declares a grid of {reserved} cells, more than the {MAX_GRID_CELLS} read; the file is damaged",
                sheet + 1
            ));
        }
        total = total.saturating_add(grid);
        if grid > MAX_GRID_CELLS || total > MAX_GRID_CELLS {
            return Err(format!(
                "sheet {}'s cells span rows {}–{} and columns {}–{} ({grid} cells; {total} in the sheets so far), \
                 more than the {MAX_GRID_CELLS} read; delete the unused rows and columns, or export the segments as CSV",
                sheet + 1,
                rows.0 + 1,
                rows.1 + 1,
                cols.0 + 1,
                cols.1 + 1
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]
    use super::*;

    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut out = typ.to_le_bytes().to_vec();
        out.extend((data.len() as u16).to_le_bytes());
        out.extend(data);
        out
    }

    fn workbook(sheet: &[Vec<u8>]) -> Vec<u8> {
        // Globals: BOF, one BoundSheet8 pointing just past the globals, EOF.
        let bof = record(0x0809, &[0; 16]);
        let globals_len = bof.len() + 4 + 8 + 4;
        let mut bound = (globals_len as u32).to_le_bytes().to_vec();
        bound.extend([0, 0, 0, 0]);
        let mut out = bof.clone();
        out.extend(record(0x0085, &bound));
        out.extend(record(0x000A, &[]));
        out.extend(bof);
        for r in sheet {
            out.extend(r);
        }
        out.extend(record(0x000A, &[]));
        out
    }

    fn cell(row: u16, col: u16) -> Vec<u8> {
        let mut data = row.to_le_bytes().to_vec();
        data.extend(col.to_le_bytes());
        data.extend([0; 10]);
        record(0x0203, &data)
    }

    /// The shared-string table of a workbook stream, and its Continue records.
    fn sst_of(stream: &[u8]) -> (&[u8], Vec<&[u8]>) {
        records(stream).find(|(typ, ..)| *typ == 0x00FC).map(|(_, data, continues)| (data, continues)).unwrap()
    }

    #[test]
    fn the_shared_strings_of_real_workbooks_are_walked_to_their_count_across_continue_records() {
        // xlwt 1.3 (the writer of these fixtures) splits a long table over Continue records as
        // Excel does, starting each with the flags of the string it cuts.
        for (fixture, spans_records) in
            [("tests/fixtures/segments-400.xls", true), ("tests/fixtures/real-exports/maxqda-polish.xls", false)]
        {
            let bytes = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture)).unwrap();
            let stream = super::super::cfb::workbook_stream(&bytes).unwrap();
            let (data, continues) = sst_of(&stream);
            assert_eq!(!continues.is_empty(), spans_records, "{fixture}");
            let unique = u32_at(data, 4).unwrap() as usize;
            assert_eq!(walk_sst(data, &continues), Ok(unique), "{fixture}");
        }
    }

    #[test]
    fn shared_strings_cut_short_where_calamine_would_read_past_them_are_found() {
        let header = |data: &[u8]| [&[2, 0, 0, 0, 2, 0, 0, 0][..], data].concat();
        // "ab" compressed, then "cd" begun compressed and continued wide: read to the end.
        let fine = header(&[2, 0, 0, b'a', b'b', 2, 0, 0, b'c']);
        assert_eq!(walk_sst(&fine, &[&[1, b'd', 0]]), Ok(2));
        // A rich string (flag 0x8) whose run count is cut off by the end of the record.
        assert_eq!(walk_sst(&header(&[2, 0, 0, b'a', b'b', 1, 0, 0x8, 7]), &[]), Err(2));
        // An extended string (flag 0x4) whose extension length is cut off.
        assert_eq!(walk_sst(&header(&[1, 0, 0x4, 0, 0]), &[]), Err(1));
        // Characters that go on into an empty Continue record.
        assert_eq!(walk_sst(&header(&[3, 0, 0, b'a']), &[&[]]), Err(1));
        // Characters that run out with no Continue record: calamine refuses that itself.
        assert_eq!(walk_sst(&header(&[3, 0, 0, b'a']), &[]), Ok(0));
        // Formatting runs skipped across a Continue record, then one more string.
        let rich = header(&[1, 0, 0x8, 2, 0, b'x', 0, 0, 0, 0]);
        assert_eq!(walk_sst(&rich, &[&[0, 0, 0, 0, 1, 0, 0, b'y']]), Ok(2));
    }

    #[test]
    fn cells_far_apart_are_refused_before_calamine_builds_their_grid() {
        assert!(check_biff(&workbook(&[cell(0, 0), cell(200, 12)])).is_ok());
        let error = check_biff(&workbook(&[cell(0, 0), cell(65_535, 255)])).unwrap_err();
        assert!(error.contains("rows 1–65536 and columns 1–256"), "{error}");
    }

    #[test]
    fn a_cell_past_the_256_columns_of_an_xls_sheet_is_refused() {
        let error = check_biff(&workbook(&[cell(0, 0), cell(35, 65_286)])).unwrap_err();
        assert!(error.contains("a cell in row 36 is in column 65287, past the 256 columns"), "{error}");
        assert!(check_biff(&workbook(&[cell(0, 0), cell(35, 255)])).is_ok());
    }

    #[test]
    fn a_dimensions_record_claiming_billions_of_cells_is_refused() {
        let mut data = 0u32.to_le_bytes().to_vec();
        data.extend(u32::MAX.to_le_bytes());
        data.extend([0, 0, 0xFF, 0, 0, 0]);
        let error = check_biff(&workbook(&[record(0x0200, &data), cell(0, 0)])).unwrap_err();
        assert!(error.contains("declares a grid of"), "{error}");
        // A first row after the last (damage): calamine's subtraction wraps to four billion rows.
        let mut data = 100u32.to_le_bytes().to_vec();
        data.extend(10u32.to_le_bytes());
        data.extend([0, 0, 4, 0, 0, 0]);
        assert!(check_biff(&workbook(&[record(0x0200, &data)])).unwrap_err().contains("declares a grid"));
    }

    #[test]
    fn a_run_of_numbers_that_ends_before_it_starts_is_refused() {
        // MulRk: row 2, first column 5, one RK value (6 bytes), last column 3.
        let mut data = 1u16.to_le_bytes().to_vec();
        data.extend(5u16.to_le_bytes());
        data.extend([0; 6]);
        data.extend(3u16.to_le_bytes());
        let error = check_biff(&workbook(&[record(0x00BD, &data)])).unwrap_err();
        assert!(error.contains("row 2 ends in column 4 before it starts in column 6"), "{error}");
        let mut fine = 1u16.to_le_bytes().to_vec();
        fine.extend(3u16.to_le_bytes());
        fine.extend([0; 12]);
        fine.extend(4u16.to_le_bytes());
        assert!(check_biff(&workbook(&[record(0x00BD, &fine)])).is_ok());
    }

    #[test]
    fn merged_ranges_the_record_cannot_hold_are_refused() {
        let mut data = 3u16.to_le_bytes().to_vec();
        data.extend([0; 16]);
        let error = check_biff(&workbook(&[record(0x00E5, &data)])).unwrap_err();
        assert!(error.contains("3 merged ranges is held in 18 bytes"), "{error}");
        data.extend([0; 8]);
        assert!(check_biff(&workbook(&[record(0x00E5, &data)])).is_ok());
        assert!(check_biff(&workbook(&[record(0x00E5, &[7])])).is_err());
    }

    #[test]
    fn cell_references_too_long_to_count_are_found_in_any_attribute_that_holds_them() {
        let sheet = br#"<worksheet><dimension ref="A1:C3"/><sheetData><row r="1"><c r="B1" t="s"><v>0</v></c></row></sheetData><selection sqref="A1 B2:C3"/></worksheet>"#;
        assert_eq!(overlong_reference(sheet), None);
        let long_column = br#"<row r="1"><c r="AAAAAAAAAAAAA1"/></row>"#;
        assert_eq!(overlong_reference(long_column), Some(&b"AAAAAAAAAAAAA1"[..]));
        assert_eq!(overlong_reference(br#"<c r = "AAAAAAAAAAAA1"/>"#), Some(&b"AAAAAAAAAAAA1"[..]));
        // A shared-string count larger than the part could hold (calamine reserves room for it).
        let sst = br#"<sst count="2" uniqueCount="99999999999999"><si><t>a</t></si></sst>"#;
        assert_eq!(overlong_reference(sst), Some(&b"99999999999999"[..]));
        assert_eq!(
            overlong_reference(br#"<sst count="2" uniqueCount="2"><si><t>a</t></si><si><t>b</t></si></sst>"#),
            None
        );
        // A range whose end comes before its start cannot be counted either.
        assert_eq!(overlong_reference(br#"<dimension ref="C5:B9"/>"#), Some(&b"C5:B9"[..]));
        assert_eq!(overlong_reference(br#"<mergeCell ref="A9:B2"/>"#), Some(&b"A9:B2"[..]));
        assert_eq!(overlong_reference(br#"<dimension ref="a1:d40"/>"#), None);
        let long_row = br#"<dimension ref='A1:B99999999999'/>"#;
        assert_eq!(overlong_reference(long_row), Some(&b"A1:B99999999999"[..]));
        // Other attributes that end in the same letters, and text, are not references.
        assert_eq!(overlong_reference(br#"<a xr="AAAAAAAAAAAA1" r:id="rId1">r="AAAAAAAAAA1"</a>"#), None);
        // The limits are calamine's arithmetic, not Excel's: ZZZZZZ999999999 still counts.
        assert_eq!(overlong_reference(br#"<c r="ZZZZZZ999999999"/>"#), None);
    }

    #[test]
    fn an_ods_content_that_is_not_balanced_is_found() {
        let whole = br#"<?xml version="1.0"?><!-- c --><office:body><table:table table:name="S"><table:table-row><table:table-cell/></table:table-row></table:table><table:table table:name="E"/></office:body>"#;
        assert_eq!(unbalanced(whole), None);
        // The fuzzers' inputs: the end tag of the table damaged, garbled, or swallowed by a cell.
        let damaged = br#"<table:table table:name="S"><table:table-row></table:table-row></tabelbtl:ae>"#;
        assert!(
            unbalanced(damaged)
                .unwrap()
                .starts_with("has </tabelbtl:ae> at byte 63 where <table:table> (opened at byte 0)")
        );
        let garbled = br#"<table:table><table:table-row/></table:table/<f>"#;
        assert!(unbalanced(garbled).unwrap().contains("</table:table/<f>"));
        let in_a_cell = br#"<table:table><table:table-cell><text:p>a</table:table> b</text:p></table:table-cell></<x>"#;
        assert!(unbalanced(in_a_cell).unwrap().contains("where <text:p>"));
        // An end tag inside a comment, CDATA or a quoted value does not close anything.
        let hidden = br#"<x a="</table:table>"/><table:table><!-- </table:table> --><![CDATA[</table:table>]]>"#;
        assert_eq!(
            unbalanced(hidden).unwrap(),
            "opens <table:table> at byte 23 and never closes it (the file may be cut short)"
        );
        // An end tag with trailing white space closes; a start tag cut off is reported.
        assert_eq!(unbalanced(b"<table:table></table:table  >"), None);
        assert!(unbalanced(b"<table:table table:name=\"S").unwrap().contains("cut off inside the tag at byte 0"));
    }

    #[test]
    fn a_sheet_that_starts_past_the_stream_is_refused() {
        let mut stream = workbook(&[cell(0, 0)]);
        let at = 4 + 16 + 4;
        stream[at..at + 4].copy_from_slice(&9_999u32.to_le_bytes());
        assert!(check_biff(&stream).unwrap_err().contains("starts at byte 9999"));
    }

    #[test]
    fn an_xlsx_grid_is_written_as_rows_from_the_first_filled_cell() {
        let mut writer = csv_writer();
        let cells = vec![((3, 2), "b".to_owned()), ((1, 1), "a".to_owned()), ((3, 1), "c".to_owned())];
        write_grid(&mut writer, cells).unwrap();
        assert_eq!(String::from_utf8(writer.into_inner().unwrap()).unwrap(), "a,\n\"\"\nc,b\n");
        let mut writer = csv_writer();
        let far = vec![((0, 0), "a".to_owned()), ((1_048_575, 16_383), "z".to_owned())];
        assert!(write_grid(&mut writer, far).unwrap_err().contains("1048576 rows by 16384 columns"));
    }
}
