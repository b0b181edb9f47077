//! A check of a compound file (MS-CFB, the container of legacy `.xls` workbooks) before the
//! spreadsheet library reads it.
//!
//! calamine's own reader (0.38, the newest release) trusts the container: it follows sector
//! chains without noticing a cycle (the directory chain is read with no length limit, so a
//! damaged copy whose chain loops grows without end: 19.7 GB before it was stopped), indexes the
//! sector allocation table with ids it has not checked (a panic), and slices past the end of a
//! truncated file ("slice index starts at 94208 but ends at 93741"). Its issue tracker has the
//! same reports (tafia/calamine#550: over-allocation in `Sectors::get_chain`, and files whose
//! zeroed tail never reaches an end-of-chain mark). So this module walks exactly the structures
//! calamine will walk, with calamine's rules, and refuses the file when one of them is out of
//! range, loops, or ends early:
//!
//! - the header: signature, byte order, version 3 or 4, sector size 512 or 4096, mini sectors of
//!   64 bytes, the 4096-byte mini-stream cutoff (MS-CFB 2.2);
//! - the DIFAT chain and the FAT sectors it lists (MS-CFB 2.5), each inside the file;
//! - the directory chain (read to its end) and its entries (MS-CFB 2.6);
//! - when there is a mini FAT, the root entry's mini stream and the mini FAT chain (MS-CFB 2.4);
//! - the `Workbook` (or BIFF5 `Book`) stream: its chain, in the FAT or the mini FAT by its size,
//!   must hold the size its directory entry declares, without a cycle.
//!
//! Other streams (summary information, VBA) are not read by the import, so damage there does not
//! refuse a workbook whose data is intact. The walk takes time and memory in proportion to the
//! file, and gives back the workbook stream so that its records can be checked too.

/// Marks the end of a chain.
const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
/// Ids from here up are special values (MS-CFB 2.1), never sectors; calamine follows the DIFAT
/// chain while the id is below this.
const MAX_REGULAR_SECTOR: u32 = 0xFFFF_FFFA;
/// calamine lists DIFAT entries below this as FAT sectors.
const DIFAT_SECTOR: u32 = 0xFFFF_FFFC;
/// The compound-file signature.
const SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    bytes.get(at..at + 2).map_or(0, |b| u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    bytes.get(at..at + 4).map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn u32s(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
    bytes.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Sectors of one size laid end to end: the file's sectors after the header, or the mini
/// stream's 64-byte sectors.
struct Sectors<'a> {
    data: &'a [u8],
    size: usize,
}

impl<'a> Sectors<'a> {
    /// How many sectors there are, the last one possibly cut short.
    fn count(&self) -> usize {
        self.data.len().div_ceil(self.size)
    }

    fn get(&self, id: u32) -> Option<&'a [u8]> {
        let start = (id as usize).checked_mul(self.size)?;
        (start < self.data.len()).then(|| &self.data[start..(start + self.size).min(self.data.len())])
    }

    /// Follows a chain from `start` through `table` as calamine does, until the end-of-chain
    /// mark or until `len` bytes are gathered, and returns those bytes. A sector outside the
    /// file or the table, or one seen twice, refuses the file.
    fn chain(&self, start: u32, table: &[u32], len: usize, what: &str) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        let mut seen = vec![false; self.count()];
        let mut id = start;
        while id != END_OF_CHAIN {
            let Some(sector) = self.get(id) else {
                return Err(format!("the {what} continues at sector {id}, past the end of the file"));
            };
            let seen_before = seen.get_mut(id as usize).map(|s| std::mem::replace(s, true));
            if seen_before != Some(false) {
                return Err(format!("the {what} runs in a loop (sector {id} comes twice)"));
            }
            let take = sector.len().min(len - out.len());
            out.extend_from_slice(&sector[..take]);
            if out.len() >= len {
                return Ok(out);
            }
            id = match table.get(id as usize) {
                Some(next) => *next,
                None => {
                    return Err(format!("the {what} reaches sector {id}, which the allocation table does not cover"));
                }
            };
        }
        Ok(out)
    }
}

/// A sector of a table (DIFAT, FAT) must be whole: calamine reads a table sector that the end
/// of the file cuts short as it is, and asserts that its length is a whole number of 4-byte
/// entries (a panic, `utils.rs:29`, found by the xls fuzz target in 56 inputs).
fn whole(sector: &[u8], size: usize, what: &str, id: u32) -> Result<(), String> {
    if sector.len() == size {
        return Ok(());
    }
    Err(format!(
        "the file ends inside the {what}'s sector {id} ({} of its {size} bytes); it is cut short",
        sector.len()
    ))
}

/// One directory entry, as calamine reads it.
struct Entry {
    name: String,
    start: u32,
    len: usize,
}

/// Checks the container and returns the workbook stream (the bytes calamine will parse).
pub fn workbook_stream(bytes: &[u8]) -> Result<Vec<u8>, String> {
    if bytes.len() < 512 || bytes[..8] != SIGNATURE {
        return Err("not an Excel 97–2003 workbook (.xls): no compound-file signature at the start".to_owned());
    }
    let version = u16_at(bytes, 26);
    if !matches!(version, 3 | 4) {
        return Err(format!("the compound-file header gives version {version}; only 3 and 4 exist"));
    }
    if u16_at(bytes, 28) != 0xFFFE {
        return Err("the compound-file header's byte-order mark is damaged".to_owned());
    }
    let sector_size: usize = match u16_at(bytes, 30) {
        9 => 512,
        12 => 4096,
        shift => return Err(format!("the compound-file header gives sector shift {shift}; only 9 and 12 exist")),
    };
    if u16_at(bytes, 32) != 6 {
        return Err("the compound-file header's mini-sector size is not 64 bytes".to_owned());
    }
    if u32_at(bytes, 56) != 4096 {
        return Err("the compound-file header's mini-stream cutoff is not 4096 bytes".to_owned());
    }
    if bytes.len() < sector_size {
        return Err(format!("the file ends inside its {sector_size}-byte header"));
    }
    let sectors = Sectors { data: &bytes[sector_size..], size: sector_size };
    let count = sectors.count();

    // DIFAT: 109 entries in the header, then a chain of sectors whose last entry links on.
    let mut difat: Vec<u32> = u32s(&bytes[76..512]).collect();
    let mut next = u32_at(bytes, 68);
    let mut difat_sectors = 0usize;
    while next < MAX_REGULAR_SECTOR {
        difat_sectors += 1;
        if difat_sectors > count {
            return Err("the DIFAT chain runs in a loop".to_owned());
        }
        let Some(sector) = sectors.get(next) else {
            return Err(format!("the DIFAT chain continues at sector {next}, past the end of the file"));
        };
        whole(sector, sector_size, "DIFAT", next)?;
        difat.extend(u32s(sector));
        next = difat.pop().unwrap_or(END_OF_CHAIN);
    }
    // The FAT: the sectors the DIFAT lists, in order.
    let mut fat = Vec::new();
    for id in difat.into_iter().filter(|id| *id < DIFAT_SECTOR) {
        let Some(sector) = sectors.get(id) else {
            return Err(format!("the allocation table lists sector {id}, past the end of the file"));
        };
        whole(sector, sector_size, "allocation table", id)?;
        fat.extend(u32s(sector));
        if fat.len() > count.saturating_mul(sector_size / 4) {
            return Err("the allocation table lists more sectors than the file has".to_owned());
        }
    }

    // The directory, read to the end of its chain.
    let directory = sectors.chain(u32_at(bytes, 48), &fat, usize::MAX, "directory")?;
    let entries: Vec<Entry> = directory
        .chunks_exact(128)
        .map(|entry| {
            let units: Vec<u16> = entry[..64].chunks_exact(2).map(|u| u16::from_le_bytes([u[0], u[1]])).collect();
            let mut name = String::from_utf16_lossy(&units);
            if let Some(end) = name.find('\0') {
                name.truncate(end);
            }
            let len = if sector_size == 512 {
                u32_at(entry, 120) as usize
            } else {
                usize::try_from(u64::from(u32_at(entry, 120)) | (u64::from(u32_at(entry, 124)) << 32))
                    .unwrap_or(usize::MAX)
            };
            Entry { name, start: u32_at(entry, 116), len }
        })
        .collect();
    let Some(root) = entries.first() else {
        return Err("the compound file's directory is empty".to_owned());
    };

    // The mini stream and its table, which calamine loads whenever the header counts mini FAT
    // sectors.
    let mini_fat_sectors = u32_at(bytes, 64) as usize;
    let (ministream, mini_fat) = if mini_fat_sectors > 0 {
        let ministream = sectors.chain(root.start, &fat, root.len, "mini stream")?;
        let table =
            sectors.chain(u32_at(bytes, 60), &fat, mini_fat_sectors.saturating_mul(sector_size), "mini FAT chain")?;
        if table.len() % 4 != 0 {
            return Err(format!(
                "the mini FAT chain holds {} bytes, which is not a whole number of entries: the file ends inside it",
                table.len()
            ));
        }
        (ministream, u32s(&table).collect())
    } else {
        (Vec::new(), Vec::new())
    };

    let find = |wanted: &str| entries.iter().find(|e| e.name.eq_ignore_ascii_case(wanted));
    let Some(workbook) = find("Workbook").or_else(|| find("Book")) else {
        return Err("the file holds no Workbook stream: it is a compound file, but not an Excel workbook".to_owned());
    };
    if workbook.len > bytes.len() {
        return Err(format!(
            "the Workbook stream declares {} bytes, more than the whole file ({} bytes)",
            workbook.len,
            bytes.len()
        ));
    }
    let stream = if workbook.len < 4096 {
        let mini = Sectors { data: &ministream, size: 64 };
        mini.chain(workbook.start, &mini_fat, workbook.len, "Workbook stream (in the mini stream)")?
    } else {
        sectors.chain(workbook.start, &fat, workbook.len, "Workbook stream")?
    };
    if stream.len() < workbook.len {
        return Err(format!(
            "the Workbook stream declares {} bytes but its sectors hold only {}; the file is damaged or cut short",
            workbook.len,
            stream.len()
        ));
    }
    Ok(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_short_files_are_not_compound_files() {
        assert!(workbook_stream(b"Document,Code\n").unwrap_err().contains("no compound-file signature"));
        let mut short = SIGNATURE.to_vec();
        short.resize(300, 0);
        assert!(workbook_stream(&short).is_err());
    }

    #[test]
    fn a_chain_that_loops_or_leaves_the_file_is_refused() {
        let sectors = Sectors { data: &[7u8; 512 * 3], size: 512 };
        // 0 → 1 → 0: a loop.
        let looped = sectors.chain(0, &[1, 0, END_OF_CHAIN], usize::MAX, "directory").unwrap_err();
        assert!(looped.contains("loop"), "{looped}");
        // 0 → 5: outside the three sectors.
        let outside = sectors.chain(0, &[5, END_OF_CHAIN, END_OF_CHAIN], usize::MAX, "directory").unwrap_err();
        assert!(outside.contains("past the end"), "{outside}");
        // 0 → 2 with a table of two entries: sector 2 has none.
        let uncovered = sectors.chain(0, &[2, END_OF_CHAIN], usize::MAX, "directory").unwrap_err();
        assert!(uncovered.contains("does not cover"), "{uncovered}");
        // 0 → 2 → end, 1000 bytes wanted: two sectors' worth, stopping at the length.
        assert_eq!(sectors.chain(0, &[2, END_OF_CHAIN, END_OF_CHAIN], 1000, "s").unwrap().len(), 1000);
    }
}
