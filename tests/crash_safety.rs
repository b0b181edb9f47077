//! Crash safety: a process killed (SIGKILL) at random moments while it saves, autosaves or
//! edits never leaves a damaged map behind.
//!
//! The test binary runs itself as the child: the `child` test (ignored in normal runs) loops
//! forever doing what the `QUALMAP_KILL_CHILD` environment variable says, and the parent kills it
//! after a random delay, then checks what is on disk. Iterations per test default to a number
//! that keeps the suite quick; the long run is
//! `QUALMAP_KILL_ITERATIONS=1000 cargo test --test crash_safety -- --nocapture`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Child, Command as Process, Stdio};
use std::time::Duration;

use qualmap::app::recovery::{RecoveryInfo, Session};
use qualmap::command::{Command, Element};
use qualmap::model::generate::{Spec, generated};
use qualmap::model::{Concept, Document, Point, Provenance, example, io};
use qualmap::rng::Rng;

/// Two versions of a map: small, and large enough (≈2 MB) that a save takes a while.
fn versions() -> (Document, Document) {
    let old = example::document();
    let new = generated(Spec { concepts: 600, relationships: 900, evidence: 3_000, seed: 3 });
    (old, new)
}

/// What a child prints once it is working.
const READY: &str = "qualmap-child-ready";

fn iterations(default: usize) -> usize {
    std::env::var("QUALMAP_KILL_ITERATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Starts this test binary as a child running `mode` in `dir`; returns once the child says it
/// is working (its first line on standard output).
fn spawn_child(mode: &str, dir: &Path) -> (Child, BufReader<std::process::ChildStdout>) {
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut child = Process::new(exe)
        .args(["--exact", "child", "--ignored", "--nocapture", "--test-threads=1"])
        .env("QUALMAP_KILL_CHILD", mode)
        .env("QUALMAP_KILL_DIR", dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the child");
    let mut out = BufReader::new(child.stdout.take().expect("the child's output"));
    let mut line = String::new();
    loop {
        line.clear();
        if out.read_line(&mut line).unwrap_or(0) == 0 {
            panic!("the child stopped before it started working");
        }
        // libtest may print "test child ... " on the same line first.
        if line.contains(READY) {
            break;
        }
    }
    (child, out)
}

fn kill(mut child: Child) {
    // `Child::kill` sends SIGKILL on Unix: no destructor, no flush, no clean-up runs.
    child.kill().expect("kill the child");
    child.wait().expect("reap the child");
}

/// Leftover temporary files of interrupted saves in `dir`: evidence that a kill landed mid-save.
fn temporaries(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries.filter_map(Result::ok).filter(|e| e.file_name().to_string_lossy().ends_with(".tmp")).count()
        })
        .unwrap_or(0)
}

#[test]
fn a_save_killed_at_any_moment_leaves_the_old_or_the_new_file() {
    let (old, new) = versions();
    let (old_bytes, new_bytes) = (io::to_json(&old), io::to_json(&new));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("study.qualmap");
    let mut rng = Rng::new(0x5eed);
    let (mut mid_save, runs) = (0, iterations(40));
    for _ in 0..runs {
        io::save_path(&old, &path).unwrap();
        let (child, _out) = spawn_child("save", dir.path());
        std::thread::sleep(Duration::from_micros(rng.below(60_000)));
        kill(child);
        let on_disk = std::fs::read_to_string(&path).expect("the map file is still there");
        assert!(on_disk == old_bytes || on_disk == new_bytes, "the file on disk is neither version");
        io::load_str(&on_disk, "after the kill").expect("and it opens");
        let leftovers = temporaries(dir.path());
        mid_save += usize::from(leftovers > 0);
        for entry in std::fs::read_dir(dir.path()).unwrap().filter_map(Result::ok) {
            if entry.file_name().to_string_lossy().ends_with(".tmp") {
                std::fs::remove_file(entry.path()).unwrap();
            }
        }
    }
    eprintln!("save kill test: {runs} kills, {mid_save} of them in the middle of writing a file");
    assert!(mid_save > 0, "no kill landed while a file was being written; the test proves nothing");
}

#[test]
fn an_autosave_killed_at_any_moment_leaves_a_readable_recovery_copy() {
    let (old, new) = versions();
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(0xa570);
    let runs = iterations(40);
    for _ in 0..runs {
        let (child, _out) = spawn_child("autosave", dir.path());
        std::thread::sleep(Duration::from_micros(rng.below(60_000)));
        kill(child);
        // The next start finds the killed session's work and can read it.
        let next = Session::start(dir.path()).unwrap();
        let orphans = next.orphans();
        assert_eq!(orphans.len(), 1, "the killed session's copy is offered");
        let (doc, info) = orphans[0].map.as_ref().expect("the recovery copy is readable");
        assert!(*doc == old || *doc == new, "the recovery copy is one of the versions written");
        assert_eq!(info.name, "study.qualmap");
        next.forget(&orphans[0]);
        next.end();
        for entry in std::fs::read_dir(dir.path()).unwrap().filter_map(Result::ok) {
            std::fs::remove_file(entry.path()).unwrap();
        }
    }
    eprintln!("autosave kill test: {runs} kills");
}

#[test]
fn work_killed_mid_edit_is_offered_and_restored() {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable as _;
    use qualmap::app::{QualmapApp, Startup};
    let runs = iterations(6).min(50);
    let mut rng = Rng::new(0xed17);
    for _ in 0..runs {
        let dir = tempfile::tempdir().unwrap();
        let (child, mut out) = spawn_child("edit", dir.path());
        // Wait until at least one edit has been autosaved, then kill at a random moment.
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        std::thread::sleep(Duration::from_micros(rng.below(200_000)));
        kill(child);
        let mut lines = vec![line.trim().to_owned()];
        lines.extend(out.lines().map_while(Result::ok));
        let confirmed: usize = lines
            .iter()
            .filter_map(|l| l.split("autosaved ").nth(1))
            .filter_map(|n| n.trim().parse().ok())
            .max()
            .unwrap();
        let recovery_dir = dir.path().to_owned();
        let mut harness = Harness::builder()
            .with_size(egui::Vec2::new(1280.0, 800.0))
            .build_eframe(move |cc| QualmapApp::with_recovery_dir(cc, Startup::Example, Some(recovery_dir.clone())));
        harness.run();
        assert!(harness.state().recovery_offered(), "the killed session's work is offered");
        harness.get_by_label("Restore").click();
        harness.run();
        let doc = harness.state().document();
        let added: Vec<&str> = doc.concepts.iter().filter_map(|c| c.label.strip_prefix("Edit ")).collect();
        // Every edit confirmed as autosaved is there; at most one more (a save under way).
        assert!(
            added.len() == confirmed || added.len() == confirmed + 1,
            "{} edits restored, {confirmed} autosaved",
            added.len()
        );
        for (i, n) in added.iter().enumerate() {
            assert_eq!(n.parse::<usize>().ok(), Some(i + 1), "edits restored in order");
        }
    }
}

/// The child side: loops until killed. Not a test of its own.
#[test]
#[ignore = "run by the crash-safety tests as a child process"]
fn child() {
    let Ok(mode) = std::env::var("QUALMAP_KILL_CHILD") else { return };
    let dir = std::path::PathBuf::from(std::env::var_os("QUALMAP_KILL_DIR").expect("a folder"));
    let (old, new) = versions();
    let mut stdout = std::io::stdout();
    match mode.as_str() {
        "save" => {
            let path = dir.join("study.qualmap");
            writeln!(stdout, "{READY}").unwrap();
            stdout.flush().unwrap();
            loop {
                io::save_path(&new, &path).unwrap();
                io::save_path(&old, &path).unwrap();
            }
        }
        "autosave" => {
            let session = Session::start(&dir).unwrap();
            let info = RecoveryInfo { path: None, name: "study.qualmap".to_owned() };
            session.write(&old, &info).unwrap();
            writeln!(stdout, "{READY}").unwrap();
            stdout.flush().unwrap();
            loop {
                session.write(&new, &info).unwrap();
                session.write(&old, &info).unwrap();
            }
        }
        "edit" => {
            use egui_kittest::Harness;
            use qualmap::app::{QualmapApp, Startup};
            let recovery_dir = dir.clone();
            let mut harness = Harness::builder().with_size(egui::Vec2::new(1280.0, 800.0)).build_eframe(move |cc| {
                QualmapApp::with_recovery_dir(cc, Startup::Example, Some(recovery_dir.clone()))
            });
            harness.run();
            writeln!(stdout, "{READY}").unwrap();
            stdout.flush().unwrap();
            for n in 1.. {
                // An edit as the app makes it (one undoable step), then the autosave it triggers.
                let id = harness.state().document().next_concept_id();
                let concept = Concept {
                    id,
                    label: format!("Edit {n}"),
                    description: String::new(),
                    color: None,
                    areas: Vec::new(),
                    pos: Point::new(40.0 * n as f32, 600.0),
                    pinned: false,
                    provenance: Provenance::default(),
                };
                harness.state_mut().apply(Command::Insert(Element::Concept(concept)));
                harness.run();
                harness.state_mut().autosave_now();
                writeln!(stdout, "autosaved {n}").unwrap();
                stdout.flush().unwrap();
            }
        }
        other => panic!("unknown child mode {other}"),
    }
}
