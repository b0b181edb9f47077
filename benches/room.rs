//! Workshop room benchmark: how long a step change takes to reach every participant. A room on
//! 127.0.0.1 with 50 (then 200) participants, each a thread reading its event stream over its
//! own TCP connection; 100 step changes, one after another, each timed from `set_step` until the
//! last participant has read it. Then what the room costs while idle with 50 participants
//! connected: its threads, its processor time over 5 seconds and its memory.
//!
//! The participants run on this machine, so they share its processors with the room: on a real
//! network each has its own device, and the network adds its own delay.
//!
//! ```sh
//! cargo bench --bench room
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a benchmark stops loudly when its setup fails")]

mod common;
#[path = "../tests/room_client/mod.rs"]
mod room_client;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::spread;
use qualmap::room::{Room, RoomConfig};
use room_client::{Events, bundle, path_of, spawn};

const CHANGES: usize = 100;
const WARM_UP: usize = 5;

fn start(dir: &std::path::Path, participants: usize) -> Room {
    let map = qualmap::model::example::EXAMPLE_JSON.as_bytes().to_vec();
    let mut config = RoomConfig::new("127.0.0.1:0".parse().unwrap(), bundle(dir), map, "example.qualmap");
    config.step = Some(0);
    config.max_participants = participants;
    Room::start(config).unwrap()
}

/// Milliseconds from each `set_step` until the last of `participants` has read it.
fn step_latency(participants: usize) -> Vec<f64> {
    let dir = tempfile::tempdir().unwrap();
    let room = start(dir.path(), participants);
    let (arrived, arrivals) = mpsc::channel::<(usize, Instant)>();
    let mut readers = Vec::new();
    for _ in 0..participants {
        let mut events = Events::open(room.local_addr(), &path_of(&room.url(), "events")).unwrap();
        assert_eq!(events.status, 200);
        assert_eq!(events.expect("step"), r#"{"step":0}"#);
        let arrived = arrived.clone();
        readers.push(spawn("participant", move || {
            while let Ok(Some(event)) = events.next() {
                if event.name != "step" {
                    continue;
                }
                let step = event.data.trim_start_matches(r#"{"step":"#).trim_end_matches('}').parse().unwrap();
                if arrived.send((step, Instant::now())).is_err() {
                    return;
                }
            }
        }));
    }
    drop(arrived);
    assert_eq!(room.participants(), participants);
    let mut times = Vec::with_capacity(CHANGES);
    for change in 1..=WARM_UP + CHANGES {
        let sent = Instant::now();
        room.set_step(Some(change));
        let mut last = sent;
        for _ in 0..participants {
            let (step, at) = arrivals.recv_timeout(Duration::from_secs(30)).expect("every participant reads the step");
            assert_eq!(step, change);
            last = last.max(at);
        }
        if change > WARM_UP {
            times.push((last - sent).as_secs_f64() * 1e3);
        }
    }
    room.stop();
    for reader in readers {
        reader.join().unwrap();
    }
    times
}

/// A line of /proc/self/status, e.g. `Threads` or `VmRSS`.
fn status(field: &str) -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field).and_then(|v| v.strip_prefix(':')))
        .map_or_else(|| "?".to_owned(), |v| v.trim().to_owned())
}

/// The room thread's processor time so far, in clock ticks (Linux).
fn room_thread_ticks() -> Option<u64> {
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let task = task.ok()?.path();
        if std::fs::read_to_string(task.join("comm")).ok()?.trim() == "qualmap-room" {
            let stat = std::fs::read_to_string(task.join("stat")).ok()?;
            let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
            return Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?);
        }
    }
    None
}

fn idle_cost(participants: usize) {
    let dir = tempfile::tempdir().unwrap();
    let threads_before = status("Threads");
    let rss_before = status("VmRSS");
    let room = start(dir.path(), participants);
    let threads_started = status("Threads");
    // Participants as sockets held by this thread: every thread counted now is the room's or ours.
    let mut open: Vec<Events> =
        (0..participants).map(|_| Events::open(room.local_addr(), &path_of(&room.url(), "events")).unwrap()).collect();
    for events in &mut open {
        events.expect("step");
    }
    assert_eq!(room.participants(), participants);
    let threads_connected = status("Threads");
    let ticks_before = room_thread_ticks();
    std::thread::sleep(Duration::from_secs(5));
    let ticks_after = room_thread_ticks();
    let rss_connected = status("VmRSS");
    println!(
        "idle, {participants} participants connected: threads in this process {threads_before} before the room, \
         {threads_started} with it, {threads_connected} with every participant connected"
    );
    match (ticks_before, ticks_after) {
        (Some(before), Some(after)) => {
            println!("  the room's thread used {} clock ticks (1/100 s) of processor in 5 s idle", after - before)
        }
        _ => println!("  (the room thread's processor time is only read on Linux)"),
    }
    println!("  resident memory {rss_before} before the room, {rss_connected} with it and the participants");
    room.stop();
}

fn main() {
    for participants in [50, 200] {
        let times = step_latency(participants);
        let (median, p95, max) = spread(&times);
        println!(
            "{participants} participants, {CHANGES} step changes: until the last has it: median {median:.2} ms, \
             p95 {p95:.2} ms, max {max:.2} ms"
        );
    }
    idle_cost(50);
}
