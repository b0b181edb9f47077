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
        Kind::Xlsx | Kind::Ods => super::refi::check_zip_limits_from(Cursor::new(bytes), origin)?,
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
    let mut writer = csv::Writer::from_writer(Vec::new());
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
        for row in range.rows() {
            writer.write_record(row.iter().map(ToString::to_string)).map_err(|e| format!("sheet “{sheet}”: {e}"))?;
        }
    }
    writer.into_inner().map_err(|e| e.to_string())
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
        writer.write_record(&record).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// BIFF records as calamine's iterator gives them: type and data (Continue records belong to
/// the record before them and are skipped); stops where a record is cut short.
fn records(mut rest: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let typ = u16_at(rest, 0)?;
        let len = usize::from(u16_at(rest, 2)?);
        let data = rest.get(4..4 + len)?;
        rest = &rest[4 + len..];
        while u16_at(rest, 0) == Some(0x003C) {
            let len = usize::from(u16_at(rest, 2)?);
            rest = rest.get(4 + len..)?;
        }
        Some((typ, data))
    })
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

/// Walks the BIFF records of an `.xls` workbook stream as calamine will, and refuses it when
/// the grids calamine would build for its sheets (from each sheet's Dimensions record and from
/// its cells' positions) would exceed [`MAX_GRID_CELLS`], or when a sheet starts outside the
/// stream.
fn check_biff(stream: &[u8]) -> Result<(), String> {
    // The globals: where each sheet starts.
    let mut starts = Vec::new();
    for (typ, data) in records(stream) {
        match typ {
            0x0085 => starts.push(u32_at(data, 0).unwrap_or(0) as usize),
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
        for (typ, data) in records(records_of_sheet) {
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
                    let height = u64::from(end_row.wrapping_sub(first_row).wrapping_add(1));
                    let width = u64::from(end_col.wrapping_sub(first_col).wrapping_add(1));
                    reserved = reserved.max(height.saturating_mul(width));
                }
                0x00BD => {
                    // MulRk: one row, a run of columns.
                    if let (Some(row), Some(first), Some(last)) =
                        (u16_at(data, 0), u16_at(data, 2), data.len().checked_sub(2).and_then(|at| u16_at(data, at)))
                    {
                        place(u32::from(row), u32::from(first));
                        place(u32::from(row), u32::from(last.max(first)));
                    }
                }
                typ if CELL_RECORDS.contains(&typ) => {
                    if let (Some(row), Some(col)) = (u16_at(data, 0), u16_at(data, 2)) {
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

    #[test]
    fn cells_far_apart_are_refused_before_calamine_builds_their_grid() {
        assert!(check_biff(&workbook(&[cell(0, 0), cell(200, 12)])).is_ok());
        let error = check_biff(&workbook(&[cell(0, 0), cell(65_535, 255)])).unwrap_err();
        assert!(error.contains("rows 1–65536 and columns 1–256"), "{error}");
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
    fn a_sheet_that_starts_past_the_stream_is_refused() {
        let mut stream = workbook(&[cell(0, 0)]);
        let at = 4 + 16 + 4;
        stream[at..at + 4].copy_from_slice(&9_999u32.to_le_bytes());
        assert!(check_biff(&stream).unwrap_err().contains("starts at byte 9999"));
    }

    #[test]
    fn an_xlsx_grid_is_written_as_rows_from_the_first_filled_cell() {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let cells = vec![((3, 2), "b".to_owned()), ((1, 1), "a".to_owned()), ((3, 1), "c".to_owned())];
        write_grid(&mut writer, cells).unwrap();
        assert_eq!(String::from_utf8(writer.into_inner().unwrap()).unwrap(), "a,\n,\nc,b\n");
        let mut writer = csv::Writer::from_writer(Vec::new());
        let far = vec![((0, 0), "a".to_owned()), ((1_048_575, 16_383), "z".to_owned())];
        assert!(write_grid(&mut writer, far).unwrap_err().contains("1048576 rows by 16384 columns"));
    }
}
