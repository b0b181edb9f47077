//! Damaged copies of every import fixture, as a broken download or a full USB stick makes them:
//! flipped bytes, truncation, a repeated block, a zeroed tail, a sector-sized block copied over
//! another, a small number written over an aligned word (which is how a sector chain comes to
//! loop), and, inside zip archives, one entry changed and the archive packed again with correct
//! checksums. Each copy is imported through the real binary's child-process reader, as the app
//! does; every result must be a map that validates after the import, or a refusal that names the
//! file. The worst time and peak memory are printed (`--nocapture`), not asserted: the machines
//! are shared.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use qualmap::import::sandbox::{self, Limits, Request};
use qualmap::import::{ImportOptions, plan};
use qualmap::model::Document;
use qualmap::model::validate::validate;
use qualmap::rng::Rng;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const PROGRAM: &str = env!("CARGO_BIN_EXE_qualmap");
/// Copies per fixture and kind of damage.
const COPIES: usize = 6;

/// Every import fixture: the files under tests/fixtures (not the fuzz inputs or map versions)
/// that the import reads when intact, and a `.qdpx` packed from the REFI-QDA fixtures.
fn fixtures(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![Path::new(ROOT).join("tests/fixtures")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if name != "fuzz" && name != "versions" {
                    folders.push(path);
                }
            } else if qualmap::import::read_path(&path, None).is_ok() {
                found.push(path);
            }
        }
    }
    let refi = Path::new(ROOT).join("tests/fixtures/refi");
    let qdpx = dir.join("project.qdpx");
    let entries: Vec<(String, Vec<u8>)> = ["project.qde", "int1.txt", "int2.txt"]
        .iter()
        .map(|n| {
            let inside = if n.ends_with(".qde") { (*n).to_owned() } else { format!("Sources/{n}") };
            (inside, std::fs::read(refi.join(n)).unwrap())
        })
        .collect();
    std::fs::write(&qdpx, repack(&entries)).unwrap();
    assert!(qualmap::import::read_path(&qdpx, None).is_ok());
    found.push(qdpx);
    found.sort();
    found
}

fn repack(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn unpack(bytes: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut entries = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).ok()?;
        let mut content = Vec::new();
        entry.read_to_end(&mut content).ok()?;
        entries.push((entry.name().ok()?.into_owned(), content));
    }
    Some(entries)
}

const KINDS: [&str; 8] = [
    "flipped bytes",
    "truncated",
    "repeated block",
    "zeroed tail",
    "block copied over another",
    "small number over a word",
    "entry inside the zip changed",
    "entry inside the zip cut short",
];

/// One damaged copy of `bytes`, of the given kind.
fn damage(bytes: &[u8], kind: usize, rng: &mut Rng) -> Vec<u8> {
    let mut d = bytes.to_vec();
    let len = d.len().max(1);
    match kind {
        0 => {
            for _ in 0..[1, 4, 16][rng.index(3)] {
                let at = rng.index(len);
                if let Some(b) = d.get_mut(at) {
                    *b ^= 1 + rng.below(255) as u8;
                }
            }
        }
        1 => d.truncate(rng.index(len)),
        2 => {
            let (from, size, to) = (rng.index(len), [64, 512, 4096][rng.index(3)], rng.index(len));
            let block: Vec<u8> = d[from..(from + size).min(d.len())].to_vec();
            d.splice(to..to, block);
        }
        3 => {
            let at = rng.index(len);
            d[at..].fill(0);
        }
        4 => {
            let sectors = d.len() / 512;
            if sectors > 1 {
                let (from, to) = (rng.index(sectors) * 512, rng.index(sectors) * 512);
                let block = d[from..from + 512].to_vec();
                d[to..to + 512].copy_from_slice(&block);
            }
        }
        5 => {
            for _ in 0..[1, 2, 4][rng.index(3)] {
                let at = rng.index(d.len() / 4) * 4;
                if at + 4 <= d.len() {
                    d[at..at + 4].copy_from_slice(&(rng.below(260) as u32).to_le_bytes());
                }
            }
        }
        _ => {
            let Some(mut entries) = unpack(bytes) else { return damage(bytes, rng.index(6), rng) };
            let which = rng.index(entries.len());
            let content = &mut entries[which].1;
            if kind == 6 {
                let inner = damage(content, rng.index(3), rng);
                *content = inner;
            } else {
                let cut = rng.index(content.len().max(1));
                content.truncate(cut);
            }
            d = repack(&entries);
        }
    }
    d
}

#[derive(Default)]
struct Tally {
    imported: usize,
    refused: usize,
    limit: usize,
    worst_time: Duration,
    worst_time_copy: String,
    peak_memory: u64,
    peak_memory_copy: String,
}

#[test]
fn every_damaged_copy_imports_to_a_valid_map_or_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let program = Path::new(PROGRAM);
    let mut failures = Vec::new();
    let mut overall = Tally::default();
    let mut copies = 0;
    for fixture in fixtures(dir.path()) {
        let bytes = std::fs::read(&fixture).unwrap();
        let is_zip = bytes.starts_with(b"PK");
        let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
        let mut tally = Tally::default();
        // Seeded by the fixture, so that a failing copy can be made again.
        let mut rng = Rng::new(bytes.len() as u64);
        for (kind, kind_name) in KINDS.iter().enumerate() {
            if kind >= 6 && !is_zip {
                continue;
            }
            for copy in 0..COPIES {
                let damaged = damage(&bytes, kind, &mut rng);
                let label = format!("{name}, {kind_name} #{copy}");
                let path = dir.path().join(format!("damaged-{kind}-{copy}-{name}"));
                std::fs::write(&path, &damaged).unwrap();
                let limits = Limits::for_size(damaged.len() as u64);
                let request = Request::Import { mapping: None };
                let outcome = sandbox::read_in_child(program, &path, &request, limits).expect("the binary runs");
                copies += 1;
                if outcome.elapsed > tally.worst_time {
                    tally.worst_time = outcome.elapsed;
                    tally.worst_time_copy = label.clone();
                }
                if let Some(peak) = outcome.peak_memory_bytes
                    && peak > tally.peak_memory
                {
                    tally.peak_memory = peak;
                    tally.peak_memory_copy = label.clone();
                }
                match outcome.result.and_then(|answer| sandbox::expect_data(answer, &path)) {
                    Ok(data) => {
                        tally.imported += 1;
                        let planned = plan(&Document::new_blank(), &data, &ImportOptions::default());
                        let mut doc = Document::new_blank();
                        if let Err(error) = planned.command.apply(&mut doc) {
                            failures.push(format!("{label}: the import does not apply: {error}"));
                        } else if !validate(&doc).is_empty() {
                            failures.push(format!("{label}: the imported map has problems: {:?}", validate(&doc)));
                        }
                    }
                    Err(error) => {
                        let message = error.to_string();
                        let named = message.starts_with(&path.display().to_string());
                        let unclear = message.contains("stopped unexpectedly") || message.contains("wrong kind");
                        if !named || unclear {
                            failures.push(format!("{label}: unclear refusal: {message}"));
                        }
                        if message.contains("memory allowed")
                            || message.contains("time allowed")
                            || message.contains("longer than")
                        {
                            tally.limit += 1;
                            println!("  {label}: stopped by a limit: {message}");
                        } else {
                            tally.refused += 1;
                        }
                    }
                }
            }
        }
        println!(
            "{name}: {} imported, {} refused by the readers, {} stopped by the child's limits; worst time {:.0} ms ({}), \
             peak memory {} MB ({})",
            tally.imported,
            tally.refused,
            tally.limit,
            tally.worst_time.as_secs_f64() * 1000.0,
            tally.worst_time_copy,
            tally.peak_memory >> 20,
            tally.peak_memory_copy
        );
        overall.imported += tally.imported;
        overall.refused += tally.refused;
        overall.limit += tally.limit;
        if tally.worst_time > overall.worst_time {
            overall.worst_time = tally.worst_time;
            overall.worst_time_copy = tally.worst_time_copy;
        }
        if tally.peak_memory > overall.peak_memory {
            overall.peak_memory = tally.peak_memory;
            overall.peak_memory_copy = tally.peak_memory_copy;
        }
    }
    println!(
        "all {copies} damaged copies: {} imported, {} refused, {} stopped by limits; worst time {:.0} ms ({}), \
         peak memory {} MB ({})",
        overall.imported,
        overall.refused,
        overall.limit,
        overall.worst_time.as_secs_f64() * 1000.0,
        overall.worst_time_copy,
        overall.peak_memory >> 20,
        overall.peak_memory_copy
    );
    assert!(failures.is_empty(), "{} of {copies} damaged copies failed:\n{}", failures.len(), failures.join("\n"));
}
