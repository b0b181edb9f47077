//! Reading an import file in a child process of our own binary, with limits no file can break.
//!
//! The readers check what they can before parsing (archive limits, the `.xls` container, XML
//! depth, grid sizes), but the parsing of spreadsheets is a library's, and a check can only
//! foresee what it knows. So the app and `qualmap import` re-run the `qualmap` binary with a
//! hidden subcommand ([`CHILD_COMMAND`]) that reads the file and writes the result to its
//! standard output as JSON. The child first limits itself: on Unix its address space
//! (`RLIMIT_AS`), its processor time (`RLIMIT_CPU`), the files it may write (none:
//! `RLIMIT_FSIZE` 0) and core dumps (none). The parent waits with a wall-clock deadline, kills
//! the child past it, reads at most a bounded amount of its output, and turns every way the
//! child can end (an answer, a refusal, out of memory, out of time, a crash) into a result or a
//! refusal naming the file. A file that would take all the memory of the machine kills only the
//! child; the window, which waits on a worker thread, never notices.
//!
//! On Windows a process cannot limit itself without unsafe code, so the parent puts the child in
//! a job object whose committed memory is capped (`process_control`); the wall-clock deadline
//! stands for a processor-time limit there. Where the binary cannot be re-run (the
//! library used by tests or the fuzzers, a binary that was moved while running) the file is read
//! in this process, still with the checks and with panics caught ([`super::read_path`]).

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;
use web_time::Instant;

use super::table::ColumnMapping;
use super::{ImportData, ImportError};

/// The hidden subcommand the child runs.
pub const CHILD_COMMAND: &str = "__read-import";

static PROGRAM: OnceLock<PathBuf> = OnceLock::new();

/// Says which program reads files in a child process: the `qualmap` binary calls this with its
/// own path at start. Without it, files are read in this process.
pub fn use_program(program: PathBuf) {
    let _ = PROGRAM.set(program);
}

/// The program set by [`use_program`], if any.
pub fn program() -> Option<&'static Path> {
    PROGRAM.get().map(PathBuf::as_path)
}

/// What the child is asked to read.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Request {
    /// The whole import ([`super::read_path`]), with a column mapping for tables.
    Import {
        /// For tables and spreadsheets: which column holds what.
        mapping: Option<ColumnMapping>,
    },
    /// A spreadsheet's first sheet as CSV text ([`super::spreadsheet::spreadsheet_to_csv`]),
    /// to show its headers before the mapping is chosen.
    SpreadsheetCsv,
}

/// What the child read, as it sends it back.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub enum Answer {
    /// The imported data.
    Data(Box<ImportData>),
    /// CSV text of a spreadsheet's first sheet.
    Csv(String),
    /// The reader refused the file (the origin and message of an [`ImportError`]).
    Refused {
        /// The file.
        origin: String,
        /// Why.
        message: String,
    },
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Reply {
    answer: Answer,
    /// The child's peak resident memory, where the system tells it (Linux).
    peak_memory_bytes: Option<u64>,
}

/// The limits of one read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Address space of the child (Unix).
    pub memory_bytes: u64,
    /// Processor time of the child (Unix).
    pub cpu_seconds: u64,
    /// How long the parent waits before killing the child.
    pub wall: Duration,
    /// How much of the child's output the parent reads.
    pub output_bytes: u64,
}

impl Limits {
    /// Limits for a file of `size` bytes: 512 MiB of address space plus 24 bytes per byte of
    /// file (a 10 MB file: 752 MiB), 5 s of processor time plus 2 s per MB, and twice that (plus
    /// 5 s) of wall-clock time for a busy machine. The output may be 64 MiB plus 16 bytes per
    /// byte of file (JSON of the imported text).
    pub fn for_size(size: u64) -> Self {
        let megabytes = size / 1_000_000;
        let cpu_seconds = (5 + 2 * megabytes).min(900);
        Self {
            memory_bytes: (512u64 << 20).saturating_add(size.saturating_mul(24)).min(8 << 30),
            cpu_seconds,
            wall: Duration::from_secs(2 * cpu_seconds + 5),
            output_bytes: (64u64 << 20).saturating_add(size.saturating_mul(16)),
        }
    }
}

/// How a read in a child went.
#[derive(Debug)]
pub struct Outcome<T> {
    /// The result, or a refusal naming the file.
    pub result: Result<T, ImportError>,
    /// The child's peak resident memory, when the child reported it.
    pub peak_memory_bytes: Option<u64>,
    /// Wall-clock time from start to the child's end.
    pub elapsed: Duration,
}

/// Reads an import file as [`super::read_path`] does, in a child process with [`Limits`] where
/// the binary can be re-run, and in this process otherwise.
pub fn read_path_bounded(path: &Path, mapping: Option<&ColumnMapping>) -> Result<ImportData, ImportError> {
    let Some(program) = program() else { return super::read_path(path, mapping) };
    let request = Request::Import { mapping: mapping.cloned() };
    match read_in_child(program, path, &request, limits_for(path)) {
        Some(outcome) => outcome.result.and_then(|answer| expect_data(answer, path)),
        None => super::read_path(path, mapping),
    }
}

/// A spreadsheet's first sheet as CSV bytes, read like [`read_path_bounded`].
pub fn spreadsheet_csv_bounded(path: &Path) -> Result<Vec<u8>, ImportError> {
    let Some(program) = program() else { return super::spreadsheet::spreadsheet_to_csv(path) };
    match read_in_child(program, path, &Request::SpreadsheetCsv, limits_for(path)) {
        Some(outcome) => match outcome.result? {
            Answer::Csv(text) => Ok(text.into_bytes()),
            other => Err(unexpected(path, &other)),
        },
        None => super::spreadsheet::spreadsheet_to_csv(path),
    }
}

fn limits_for(path: &Path) -> Limits {
    Limits::for_size(std::fs::metadata(path).map_or(0, |m| m.len()))
}

/// The data of an import answer.
pub fn expect_data(answer: Answer, path: &Path) -> Result<ImportData, ImportError> {
    match answer {
        Answer::Data(data) => Ok(*data),
        other => Err(unexpected(path, &other)),
    }
}

fn unexpected(path: &Path, answer: &Answer) -> ImportError {
    match answer {
        Answer::Refused { origin, message } => {
            ImportError::Refused { origin: origin.clone(), message: message.clone() }
        }
        _ => refused(path, "the reader gave an answer of the wrong kind".to_owned()),
    }
}

fn refused(path: &Path, message: String) -> ImportError {
    ImportError::Refused { origin: path.display().to_string(), message }
}

/// Runs `program`'s [`CHILD_COMMAND`] on `path` with `limits`. `None` when the program cannot be
/// started at all (the caller then reads in this process); otherwise the outcome, whose result
/// is a refusal naming the file when the child ran out of memory or time, crashed, or answered
/// with something unreadable.
pub fn read_in_child(program: &Path, path: &Path, request: &Request, limits: Limits) -> Option<Outcome<Answer>> {
    let request_json = serde_json::to_string(request).ok()?;
    let mut command = Command::new(program);
    command
        .arg(CHILD_COMMAND)
        .arg("--memory")
        .arg(limits.memory_bytes.to_string())
        .arg("--cpu")
        .arg(limits.cpu_seconds.to_string())
        .arg("--request")
        .arg(request_json)
        .arg("--")
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(windows)]
    {
        use std::os::windows::process::CommandExt as _;
        // CREATE_NO_WINDOW: no console window flashes up for the child.
        command.creation_flags(0x0800_0000);
    }
    let started = Instant::now();
    let mut child = command.spawn().ok()?;
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return None;
    };
    let output_limit = limits.output_bytes;
    let out_reader = std::thread::Builder::new().name("import-stdout".to_owned()).spawn(move || {
        let mut stdout = stdout;
        let mut bytes = Vec::new();
        let _ = (&mut stdout).take(output_limit + 1).read_to_end(&mut bytes);
        // Past the limit the rest is drained unread, so that the child is not left blocked on
        // a full pipe until the deadline.
        let _ = std::io::copy(&mut stdout, &mut std::io::sink());
        bytes
    });
    let err_reader = std::thread::Builder::new().name("import-stderr".to_owned()).spawn(move || {
        let mut bytes = Vec::new();
        let _ = stderr.take(64 * 1024).read_to_end(&mut bytes);
        bytes
    });
    // No threads to read the child with (the system is out of them): read in this process.
    let (Ok(out_reader), Ok(err_reader)) = (out_reader, err_reader) else {
        let _ = child.kill();
        let _ = child.wait();
        return None;
    };
    let (status, timed_out) = wait_for(&mut child, started + limits.wall, limits);
    let elapsed = started.elapsed();
    let out = out_reader.join().unwrap_or_default();
    let err = err_reader.join().unwrap_or_default();
    let err = String::from_utf8_lossy(&err);
    let fail = |message: String| Outcome { result: Err(refused(path, message)), peak_memory_bytes: None, elapsed };
    if timed_out {
        return Some(fail(format!(
            "reading it took longer than {} s and was stopped; the file is probably damaged",
            limits.wall.as_secs()
        )));
    }
    if out.len() as u64 > output_limit {
        return Some(fail(format!("what was read is larger than {} MB; refused", output_limit >> 20)));
    }
    let success = status.is_some_and(|s| s.success());
    if success && let Ok(reply) = serde_json::from_slice::<Reply>(&out) {
        let result = match reply.answer {
            Answer::Refused { origin, message } => Err(ImportError::Refused { origin, message }),
            answer => Ok(answer),
        };
        return Some(Outcome { result, peak_memory_bytes: reply.peak_memory_bytes, elapsed });
    }
    Some(fail(why_the_child_failed(status, &err, limits)))
}

/// Waits for the child until `deadline` and kills it past that: its exit status (if it could be
/// waited for) and whether it was stopped for time.
#[cfg(not(windows))]
fn wait_for(child: &mut std::process::Child, deadline: Instant, _: Limits) -> (Option<std::process::ExitStatus>, bool) {
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return (Some(status), false),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                return (child.wait().ok(), true);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => {
                let _ = child.kill();
                return (child.wait().ok(), false);
            }
        }
    }
}

/// Windows: as on Unix, and the child is put in a job object whose committed memory is capped
/// at the limit (the child cannot limit itself there). The cap applies from the moment the
/// child is put in the job, a few milliseconds after it starts, before it has read anything
/// large. There is no processor-time limit; the wall-clock deadline stands for it.
#[cfg(windows)]
fn wait_for(
    child: &mut std::process::Child,
    deadline: Instant,
    limits: Limits,
) -> (Option<std::process::ExitStatus>, bool) {
    use process_control::{ChildExt as _, Control as _};
    let memory = usize::try_from(limits.memory_bytes).unwrap_or(usize::MAX);
    let waited = child
        .controlled()
        .memory_limit(memory)
        .time_limit(deadline.saturating_duration_since(Instant::now()))
        .terminate_for_timeout()
        .wait();
    match waited {
        Ok(Some(status)) => (Some(status.into_std_lossy()), false),
        Ok(None) => (child.wait().ok(), true),
        Err(_) => {
            let _ = child.kill();
            (child.wait().ok(), false)
        }
    }
}

fn why_the_child_failed(status: Option<std::process::ExitStatus>, stderr: &str, limits: Limits) -> String {
    let memory = || {
        format!(
            "reading it needed more than the {} MB of memory allowed; the file is probably damaged",
            limits.memory_bytes >> 20
        )
    };
    if stderr.contains("memory allocation of") || stderr.contains("capacity overflow") {
        return memory();
    }
    if stderr.contains("has overflowed its stack") {
        return "its contents are nested too deeply to read; the file is probably damaged".to_owned();
    }
    #[cfg(unix)]
    if let Some(signal) = status.and_then(|s| std::os::unix::process::ExitStatusExt::signal(&s)) {
        // SIGXCPU: the processor-time limit; SIGKILL: the out-of-memory killer, or a kill.
        return match signal {
            24 => format!(
                "reading it took more than the {} s of processor time allowed and was stopped; the file is probably damaged",
                limits.cpu_seconds
            ),
            6 | 9 | 11 => memory(),
            other => format!("the reader stopped with signal {other}; the file is probably damaged"),
        };
    }
    let last_line = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
    match status {
        Some(status) if last_line.is_empty() => format!("the reader stopped unexpectedly ({status})"),
        Some(status) => format!("the reader stopped unexpectedly ({status}: {last_line})"),
        None => "the reader could not be waited for".to_owned(),
    }
}

/// The child's side: limits itself, reads `path` as `request` asks, and writes the reply as
/// JSON to standard output. Returns the exit code.
pub fn run_child(path: &Path, request: &str, memory_bytes: u64, cpu_seconds: u64) -> i32 {
    limit_this_process(memory_bytes, cpu_seconds);
    let answer = match serde_json::from_str::<Request>(request) {
        Err(e) => Answer::Refused { origin: path.display().to_string(), message: format!("bad request: {e}") },
        Ok(Request::Import { mapping }) => match super::read_path(path, mapping.as_ref()) {
            Ok(data) => Answer::Data(Box::new(data)),
            Err(error) => refusal(error),
        },
        Ok(Request::SpreadsheetCsv) => match super::spreadsheet::spreadsheet_to_csv(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => Answer::Csv(text),
                Err(_) => Answer::Refused {
                    origin: path.display().to_string(),
                    message: "the sheet did not convert to UTF-8 text".to_owned(),
                },
            },
            Err(error) => refusal(error),
        },
    };
    let reply = Reply { answer, peak_memory_bytes: peak_memory_bytes() };
    let mut out = std::io::stdout().lock();
    match serde_json::to_writer(&mut out, &reply) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: cannot write the reply: {e}");
            1
        }
    }
}

fn refusal(error: ImportError) -> Answer {
    match error {
        ImportError::Refused { origin, message } => Answer::Refused { origin, message },
        ImportError::Io { origin, source } => {
            Answer::Refused { origin, message: format!("cannot read the file: {source}") }
        }
    }
}

/// Applies the limits to this process (Unix; elsewhere the parent's deadline is the limit).
fn limit_this_process(memory_bytes: u64, cpu_seconds: u64) {
    #[cfg(unix)]
    {
        use rlimit::Resource;
        let _ = Resource::AS.set(memory_bytes, memory_bytes);
        // SIGXCPU at the soft limit, SIGKILL a second later should the signal be caught.
        let _ = Resource::CPU.set(cpu_seconds, cpu_seconds + 1);
        let _ = Resource::FSIZE.set(0, 0);
        let _ = Resource::CORE.set(0, 0);
    }
    #[cfg(not(unix))]
    let _ = (memory_bytes, cpu_seconds);
}

/// This process's peak resident memory (Linux: `VmHWM`).
fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.trim_start_matches("VmHWM:").trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_grow_with_the_file_and_stay_bounded() {
        let small = Limits::for_size(96_000);
        assert_eq!(small.cpu_seconds, 5);
        assert!(small.memory_bytes < 520 << 20);
        let ten = Limits::for_size(10_000_000);
        assert_eq!(ten.cpu_seconds, 25);
        assert!(ten.memory_bytes < 800 << 20);
        let huge = Limits::for_size(u64::MAX);
        assert!(huge.memory_bytes <= 8 << 30 && huge.cpu_seconds <= 900);
    }

    #[test]
    fn without_a_program_files_are_read_in_this_process() {
        let missing = Path::new("no-such-file.csv");
        let error = read_path_bounded(missing, None).unwrap_err().to_string();
        assert!(error.starts_with("no-such-file.csv: cannot read the file"), "{error}");
    }
}
