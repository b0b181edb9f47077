//! The workshop room's server (`qualmap::room`) and `qualmap serve`, driven over loopback by
//! plain HTTP clients: what it serves and refuses, its event stream, comments, its limits and
//! stopping.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

mod room_client;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use qualmap::model::{ItemRef, example};
use qualmap::room::{Room, RoomConfig, RoomStance};
use room_client::{Events, bundle, get, path_of, raw, send};

const MAP: &[u8] = b"{\"not\": \"parsed by the room\", \"bytes\": \"\xc3\xa9\"}\n";

struct Fixture {
    room: Room,
    addr: SocketAddr,
    url: String,
    _dir: tempfile::TempDir,
}

impl Fixture {
    fn path(&self, route: &str) -> String {
        path_of(&self.url, route)
    }

    fn events(&self) -> Events {
        let events = Events::open(self.addr, &self.path("events")).unwrap();
        assert_eq!(events.status, 200);
        events
    }
}

fn room_with(configure: impl FnOnce(&mut RoomConfig)) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let bundle = bundle(&dir.path().join("web"));
    let mut config = RoomConfig::new("127.0.0.1:0".parse().unwrap(), bundle, MAP.to_vec(), "Study map.qualmap");
    configure(&mut config);
    let room = Room::start(config).unwrap();
    let addr = room.local_addr();
    let url = room.url();
    Fixture { room, addr, url, _dir: dir }
}

fn room() -> Fixture {
    room_with(|_| {})
}

/// Waits (at most 10 s) for `condition`.
fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn comment_json(pseudonym: &str, text: &str) -> Vec<u8> {
    serde_json::json!({"pseudonym": pseudonym, "item": {"concept": 12}, "stance": "agree", "text": text})
        .to_string()
        .into_bytes()
}

#[test]
fn the_url_names_the_room_by_a_random_token() {
    let a = room();
    let b = room();
    let token = |url: &str| url.trim_end_matches('/').rsplit('/').next().unwrap().to_owned();
    assert!(a.url.starts_with(&format!("http://127.0.0.1:{}/r/", a.addr.port())), "{}", a.url);
    assert!(a.url.ends_with('/'));
    assert_eq!(a.room.local_url(), a.url);
    assert_eq!(token(&a.url).len(), 32);
    assert!(token(&a.url).bytes().all(|c| c.is_ascii_hexdigit()));
    assert_ne!(token(&a.url), token(&b.url));
}

#[test]
fn only_the_viewer_and_the_map_are_served_and_only_under_the_token() {
    let f = room();
    let token = f.url.trim_end_matches('/').rsplit('/').next().unwrap().to_owned();
    let mut wrong = token.clone().into_bytes();
    wrong[0] = if wrong[0] == b'0' { b'1' } else { b'0' };
    let wrong = String::from_utf8(wrong).unwrap();
    let refused = [
        "/".to_owned(),
        "/index.html".to_owned(),
        "/qualmap_bg.wasm".to_owned(),
        format!("/r/{wrong}/"),
        format!("/r/{wrong}/map.qualmap"),
        format!("/r/{}/", &token[..31]),
        format!("/r/{token}"),
        format!("/r/{token}/index.html"),
        format!("/r/{token}/secret.txt"),
        format!("/r/{token}/../secret.txt"),
        format!("/r/{token}/..%2fsecret.txt"),
        format!("/r/{token}/%2e%2e/secret.txt"),
        format!("/r/{token}/fonts/../secret.txt"),
        format!("/r/{token}/fonts/../../secret.txt"),
        format!("/r/{token}/fonts/secret.txt"),
        format!("/r/{token}/fonts/"),
        format!("/r/{token}/fonts/Test-Regular.ttf/"),
        format!("/r/{token}//qualmap.js"),
        format!("/r/{token}/./qualmap.js"),
        format!("/r/{token}/events/x"),
        format!("/r/{token}/comment"),
        format!("/r/../r/{token}/secret.txt"),
    ];
    for path in &refused {
        let reply = get(f.addr, path);
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(reply.text(), "not found\n", "{path}");
    }
    for method in ["POST", "PUT", "DELETE", "HEAD", "OPTIONS"] {
        for route in ["", "map.qualmap", "qualmap.js"] {
            let reply = send(f.addr, method, &f.path(route), b"");
            assert_eq!(reply.status, 404, "{method} {route}");
        }
    }
    // Only GET and POST to comment are answered there.
    assert_eq!(send(f.addr, "GET", &f.path("comment"), b"").status, 404);
    assert_eq!(send(f.addr, "POST", &f.path("events"), b"").status, 404);
}

#[test]
fn the_page_joins_the_room_and_the_files_have_their_types() {
    let f = room();
    let index = get(f.addr, &f.path(""));
    assert_eq!(index.status, 200);
    assert_eq!(index.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(
        index.text().contains("<canvas id=\"qualmap_canvas\" data-map=\"map.qualmap\" data-room=\".\"></canvas>"),
        "{}",
        index.text()
    );
    assert!(index.text().contains("import init from \"./qualmap.js\""));
    let script = get(f.addr, &f.path("qualmap.js"));
    assert_eq!((script.status, script.header("content-type")), (200, Some("text/javascript; charset=utf-8")));
    assert_eq!(script.text(), "export default async function init() {}\n");
    let wasm = get(f.addr, &f.path("qualmap_bg.wasm"));
    assert_eq!((wasm.status, wasm.header("content-type")), (200, Some("application/wasm")));
    assert_eq!(wasm.body, room_client::WASM);
    let font = get(f.addr, &f.path("fonts/Test-Regular.ttf"));
    assert_eq!((font.status, font.header("content-type")), (200, Some("font/ttf")));
    assert_eq!(font.body, room_client::FONT);
    let licence = get(f.addr, &f.path("fonts/OFL.txt"));
    assert_eq!((licence.status, licence.text().as_str()), (200, "SIL Open Font License"));
    for reply in [&index, &script, &wasm, &font] {
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
    }
}

#[test]
fn a_bundle_whose_page_has_no_canvas_does_not_start() {
    let dir = tempfile::tempdir().unwrap();
    bundle(dir.path());
    std::fs::write(dir.path().join("index.html"), "<html><canvas id=\"other\"></canvas></html>").unwrap();
    let bundle = qualmap::web_bundle::WebBundle::load(dir.path()).unwrap();
    let config = RoomConfig::new("127.0.0.1:0".parse().unwrap(), bundle, MAP.to_vec(), "m.qualmap");
    let err = Room::start(config).unwrap_err().to_string();
    assert!(err.contains("no <canvas id=\"qualmap_canvas\">"), "{err}");
}

#[test]
fn the_map_is_served_byte_for_byte_never_cached_and_replaced_with_a_revision_event() {
    let f = room();
    let map = get(f.addr, &f.path("map.qualmap"));
    assert_eq!(map.status, 200);
    assert_eq!(map.body, MAP);
    assert_eq!(map.header("cache-control"), Some("no-store"));
    assert_eq!(map.header("content-disposition"), Some("inline; filename*=UTF-8''Study%20map.qualmap"));
    let mut events = f.events();
    assert_eq!(events.expect("step"), r#"{"step":null}"#);
    let second = b"{\"second\": true}".to_vec();
    f.room.set_map(second.clone());
    assert_eq!(events.expect("map"), r#"{"revision":1}"#);
    assert_eq!(get(f.addr, &f.path("map.qualmap")).body, second);
    // The same bytes again change nothing; new ones are revision 2.
    f.room.set_map(second);
    f.room.set_map(MAP.to_vec());
    assert_eq!(events.expect("map"), r#"{"revision":2}"#);
    assert_eq!(f.room.revision(), 2);
    assert_eq!(get(f.addr, &f.path("map.qualmap")).body, MAP);
}

#[test]
fn a_participant_sees_the_step_at_once_and_every_change_after() {
    let f = room_with(|c| c.step = Some(2));
    let mut events = f.events();
    assert_eq!(events.header("content-type"), Some("text/event-stream"));
    assert_eq!(events.header("cache-control"), Some("no-store"));
    assert_eq!(events.expect("step"), r#"{"step":2}"#);
    eventually("one participant", || f.room.participants() == 1);
    f.room.set_step(Some(3));
    assert_eq!(events.expect("step"), r#"{"step":3}"#);
    // Setting the step shown sends nothing.
    f.room.set_step(Some(3));
    f.room.set_step(None);
    assert_eq!(events.expect("step"), r#"{"step":null}"#);
    f.room.set_step(Some(0));
    assert_eq!(events.expect("step"), r#"{"step":0}"#);
    assert_eq!(f.room.step(), Some(0));
    // A participant who joins now starts at the current step.
    let mut late = f.events();
    assert_eq!(late.expect("step"), r#"{"step":0}"#);
    eventually("two participants", || f.room.participants() == 2);
    drop(events);
    drop(late);
    eventually("participants who left to be gone", || f.room.participants() == 0);
}

#[test]
fn an_idle_stream_gets_a_keep_alive_comment_every_fifteen_seconds() {
    let f = room();
    let mut events = f.events();
    events.expect("step");
    let started = Instant::now();
    f.room.set_step(Some(1));
    assert_eq!(events.expect("step"), r#"{"step":1}"#);
    // The next event comes after a ping.
    let waiter = room_client::spawn("waiter", move || {
        let event = events.next().unwrap().unwrap();
        (event, events.pings, started.elapsed())
    });
    std::thread::sleep(Duration::from_secs(16));
    f.room.set_step(Some(2));
    let (event, pings, took) = waiter.join().unwrap();
    assert_eq!(event.data, r#"{"step":2}"#);
    assert_eq!(pings, 1, "after {took:?}");
}

#[test]
fn a_comment_arrives_through_the_api_and_wakes_the_app() {
    let woken = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&woken);
    let f = room_with(|c| {
        c.notify = Some(Box::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        }))
    });
    assert_eq!(f.room.comments().count(), 0);
    let body = br#"{"pseudonym":" Ana ","item":{"relationship":4},"stance":"disagree","text":"Not in\r\nmy data."}"#;
    let reply = send(f.addr, "POST", &f.path("comment"), body);
    assert_eq!(reply.status, 204, "{}", reply.text());
    assert!(reply.body.is_empty());
    let text_only = br#"{"pseudonym":"Bo","item":{"area":1},"text":"Why here?"}"#;
    assert_eq!(send(f.addr, "POST", &f.path("comment"), text_only).status, 204);
    let comments: Vec<_> = f.room.comments().collect();
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[0].pseudonym, "Ana");
    assert_eq!(comments[0].item, ItemRef::Relationship(qualmap::model::RelationshipId(4)));
    assert_eq!(comments[0].stance, Some(RoomStance::Disagree));
    assert_eq!(comments[0].text, "Not in\nmy data.");
    assert_eq!(comments[0].from, "127.0.0.1".parse::<std::net::IpAddr>().unwrap());
    assert_eq!((comments[1].stance, comments[1].text.as_str()), (None, "Why here?"));
    assert_eq!(woken.load(Ordering::SeqCst), 2);
    assert_eq!(f.room.comments().count(), 0, "each comment is handed over once");
}

#[test]
fn bad_comments_are_refused_with_the_reason() {
    let f = room();
    let path = f.path("comment");
    let bad = send(f.addr, "POST", &path, br#"{"pseudonym":"Ana","item":{"concept":1},"stance":"maybe"}"#);
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("unknown variant `maybe`"), "{}", bad.text());
    let empty = send(f.addr, "POST", &path, br#"{"pseudonym":"   ","item":{"concept":1},"stance":"agree"}"#);
    assert_eq!((empty.status, empty.text().as_str()), (400, "a pseudonym is needed\n"));
    let long = comment_json("Ana", &"x".repeat(1001));
    let long = send(f.addr, "POST", &path, &long);
    assert_eq!(long.status, 400);
    assert!(long.text().contains("at most 1000 characters"), "{}", long.text());
    let big = send(f.addr, "POST", &path, &comment_json("Ana", &"x".repeat(5000)));
    assert_eq!(big.status, 413);
    assert_eq!(f.room.comments().count(), 0);
}

#[test]
fn oversized_bodies_are_refused_without_reading_them() {
    let f = room();
    let path = f.path("comment");
    // Declared far larger than the room would ever hold (a server that sized a buffer by it
    // would die here), with a few bytes sent.
    let declared = raw(
        f.addr,
        format!("POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000000\r\n\r\n{{\"pseu").as_bytes(),
    )
    .unwrap();
    assert_eq!(declared.status, 413);
    // Chunked, with no length declared: refused once past 4 KiB.
    let chunk = "x".repeat(3000);
    let chunked = raw(
        f.addr,
        format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{chunk}\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n",
            chunk.len(),
            chunk.len()
        )
        .as_bytes(),
    )
    .unwrap();
    assert_eq!(chunked.status, 413);
    // The room still serves.
    assert_eq!(get(f.addr, &f.path("map.qualmap")).body, MAP);
}

#[test]
fn an_address_sending_too_many_comments_is_told_to_wait() {
    let f = room();
    let path = f.path("comment");
    for i in 0..5 {
        let reply = send(f.addr, "POST", &path, &comment_json("Ana", &format!("comment {i}")));
        assert_eq!(reply.status, 204, "comment {i}: {}", reply.text());
    }
    let refused = send(f.addr, "POST", &path, &comment_json("Ana", "one too many"));
    assert_eq!(refused.status, 429);
    let wait: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    assert_eq!(f.room.comments().count(), 5);
    std::thread::sleep(Duration::from_millis(2100));
    assert_eq!(send(f.addr, "POST", &path, &comment_json("Ana", "later")).status, 204);
}

#[test]
fn headers_past_the_limit_are_refused_and_the_room_goes_on() {
    let f = room();
    let long = format!("GET {} HTTP/1.1\r\nHost: x\r\nX-Long: {}\r\n\r\n", f.path(""), "a".repeat(100_000));
    let mut stream = TcpStream::connect(f.addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    // The server may close before taking it all.
    let _ = stream.write_all(long.as_bytes());
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 431"), "{answer}");
    let many: String = (0..100).map(|i| format!("X-{i}: y\r\n")).collect();
    let reply = raw(f.addr, format!("GET {} HTTP/1.1\r\nHost: x\r\n{many}\r\n", f.path("")).as_bytes()).unwrap();
    assert_eq!(reply.status, 431);
    assert_eq!(get(f.addr, &f.path("qualmap.js")).status, 200);
}

#[test]
fn connections_that_send_nothing_are_closed_after_twenty_seconds() {
    let f = room();
    // One that never sends a request, and one kept alive after its request.
    let mut silent = TcpStream::connect(f.addr).unwrap();
    let mut kept = TcpStream::connect(f.addr).unwrap();
    kept.write_all(format!("GET {} HTTP/1.1\r\nHost: x\r\n\r\n", f.path("qualmap.js")).as_bytes()).unwrap();
    let started = Instant::now();
    for stream in [&mut silent, &mut kept] {
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    }
    let mut answer = Vec::new();
    kept.read_to_end(&mut answer).unwrap();
    assert!(answer.starts_with(b"HTTP/1.1 200 OK"), "{}", String::from_utf8_lossy(&answer));
    let kept_for = started.elapsed();
    let mut nothing = Vec::new();
    silent.read_to_end(&mut nothing).unwrap();
    let silent_for = started.elapsed();
    for took in [kept_for, silent_for] {
        assert!(took >= Duration::from_secs(19) && took < Duration::from_secs(25), "{took:?}");
    }
}

#[test]
fn a_participant_who_does_not_read_holds_up_no_one() {
    let f = room();
    // Opens a stream and reads nothing, ever.
    let mut stuck = TcpStream::connect(f.addr).unwrap();
    stuck.write_all(format!("GET {} HTTP/1.1\r\nHost: x\r\n\r\n", f.path("events")).as_bytes()).unwrap();
    let mut reader = f.events();
    reader.expect("step");
    eventually("two participants", || f.room.participants() == 2);
    let started = Instant::now();
    for step in 0..2000 {
        f.room.set_step(Some(step));
        if step % 50 == 49 {
            // The reader keeps up, whatever the other does.
            for expected in step - 49..=step {
                assert_eq!(reader.expect("step"), format!("{{\"step\":{expected}}}"));
            }
        }
    }
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    drop(stuck);
}

#[test]
fn a_download_nobody_reads_is_given_up() {
    const WASM_BYTES: usize = 48 * 1024 * 1024;
    let dir = tempfile::tempdir().unwrap();
    bundle(dir.path());
    std::fs::write(dir.path().join("qualmap_bg.wasm"), vec![7u8; WASM_BYTES]).unwrap();
    let bundle = qualmap::web_bundle::WebBundle::load(dir.path()).unwrap();
    let room = Room::start(RoomConfig::new("127.0.0.1:0".parse().unwrap(), bundle, MAP.to_vec(), "m")).unwrap();
    let path = path_of(&room.url(), "qualmap_bg.wasm");
    let mut stuck = TcpStream::connect(room.local_addr()).unwrap();
    stuck.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes()).unwrap();
    // Reads nothing for longer than the room waits (20 s) …
    std::thread::sleep(Duration::from_secs(25));
    // … then finds the response cut short: what the system had buffered, then the end.
    stuck.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut got = Vec::new();
    let ended = stuck.read_to_end(&mut got);
    assert!(
        !matches!(&ended, Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)),
        "the connection was left open: {ended:?}"
    );
    assert!(got.starts_with(b"HTTP/1.1 200 OK"));
    assert!(got.len() < WASM_BYTES, "{} bytes: the whole file was sent", got.len());
    // Others were served all along.
    assert_eq!(get(room.local_addr(), &path_of(&room.url(), "qualmap.js")).status, 200);
}

#[test]
fn a_room_holds_at_most_its_participants() {
    let f = room_with(|c| c.max_participants = 3);
    let mut open: Vec<Events> = (0..3).map(|_| f.events()).collect();
    for events in &mut open {
        events.expect("step");
    }
    let full = Events::open(f.addr, &f.path("events")).unwrap();
    assert_eq!(full.status, 503);
    // The page and the map are still served.
    assert_eq!(get(f.addr, &f.path("map.qualmap")).status, 200);
    drop(open.pop());
    eventually("a place to free up", || f.room.participants() == 2);
    let mut again = f.events();
    assert_eq!(again.expect("step"), r#"{"step":null}"#);
}

#[test]
fn stopping_ends_every_stream_and_closes_the_port() {
    let f = room_with(|c| c.step = Some(1));
    let mut open: Vec<Events> = (0..3).map(|_| f.events()).collect();
    for events in &mut open {
        events.expect("step");
    }
    let addr = f.addr;
    let started = Instant::now();
    f.room.stop();
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    for events in &mut open {
        assert_eq!(events.expect("end"), "{}");
        assert_eq!(events.next().unwrap(), None, "the stream closes after end");
    }
    assert!(TcpStream::connect(addr).is_err(), "nothing listens any more");
}

#[test]
fn fifty_participants_receive_every_step_in_order() {
    const PARTICIPANTS: usize = 50;
    const STEPS: usize = 20;
    let f = room_with(|c| c.step = Some(0));
    let ready = Arc::new(Barrier::new(PARTICIPANTS + 1));
    let clients: Vec<_> = (0..PARTICIPANTS)
        .map(|_| {
            let mut events = f.events();
            let ready = Arc::clone(&ready);
            room_client::spawn("participant", move || {
                let mut seen = vec![events.expect("step")];
                ready.wait();
                while seen.len() <= STEPS {
                    seen.push(events.expect("step"));
                }
                seen
            })
        })
        .collect();
    ready.wait();
    assert_eq!(f.room.participants(), PARTICIPANTS);
    for step in 1..=STEPS {
        f.room.set_step(Some(step));
    }
    let expected: Vec<String> = (0..=STEPS).map(|s| format!("{{\"step\":{s}}}")).collect();
    for client in clients {
        assert_eq!(client.join().unwrap(), expected);
    }
}

fn qualmap() -> Command {
    Command::new(env!("CARGO_BIN_EXE_qualmap"))
}

#[test]
fn serve_presents_a_map_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let web = dir.path().join("web");
    bundle(&web);
    let map = dir.path().join("example.qualmap");
    std::fs::write(&map, example::EXAMPLE_JSON).unwrap();
    let doc = example::document();
    let concept = &doc.concepts[0];
    let kept = dir.path().join("with comments.qualmap");
    let mut child = qualmap()
        .args(["serve", map.to_str().unwrap(), "--addr", "127.0.0.1:0", "--web", web.to_str().unwrap()])
        .arg("-o")
        .arg(&kept)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    let mut line = String::new();
    let url = loop {
        line.clear();
        assert_ne!(stdout.read_line(&mut line).unwrap(), 0, "no address printed: {printed}");
        printed.push_str(&line);
        if let Some(url) = line.trim().strip_prefix("http://") {
            break format!("http://{url}");
        }
    };
    let until = |stdout: &mut BufReader<_>, printed: &mut String, what: &str| loop {
        let mut line = String::new();
        assert_ne!(stdout.read_line(&mut line).unwrap(), 0, "no {what:?} in: {printed}");
        printed.push_str(&line);
        if line.contains(what) {
            return line;
        }
    };
    until(&mut stdout, &mut printed, "Step 1 of 5");
    assert!(printed.contains("a story of 5 steps"), "{printed}");
    assert!(printed.contains('▀') || printed.contains('▄'), "a QR code: {printed}");
    let addr: SocketAddr = url["http://".len()..].split('/').next().unwrap().parse().unwrap();
    let mut events = Events::open(addr, &path_of(&url, "events")).unwrap();
    assert_eq!(events.expect("step"), r#"{"step":0}"#);
    writeln!(stdin, "n").unwrap();
    assert_eq!(events.expect("step"), r#"{"step":1}"#);
    until(&mut stdout, &mut printed, "Step 2 of 5");
    writeln!(stdin, "5").unwrap();
    assert_eq!(events.expect("step"), r#"{"step":4}"#);
    assert!(until(&mut stdout, &mut printed, "Step 5 of 5").contains("1 participant following"));
    writeln!(stdin).unwrap();
    until(&mut stdout, &mut printed, "That was the last step");
    writeln!(stdin, "p").unwrap();
    assert_eq!(events.expect("step"), r#"{"step":3}"#);
    writeln!(stdin, "9").unwrap();
    until(&mut stdout, &mut printed, "The story has steps 1 to 5");
    let body = serde_json::json!({
        "pseudonym": "Ana", "item": {"concept": concept.id.0}, "stance": "agree", "text": "Seen it too"
    });
    let reply = send(addr, "POST", &path_of(&url, "comment"), body.to_string().as_bytes());
    assert_eq!(reply.status, 204, "{}", reply.text());
    let comment = until(&mut stdout, &mut printed, "[Ana · agree]");
    let label = serde_json::to_string(&concept.label).unwrap();
    assert_eq!(comment.trim_end(), format!("[Ana · agree] concept {label}: Seen it too"));
    // With -o the comment is a memo on the concept in the saved map, which the room offers anew.
    assert_eq!(events.expect("map"), r#"{"revision":1}"#);
    let saved = qualmap::model::io::load_path(&kept).unwrap();
    let memo = &saved.memos[0];
    assert_eq!(
        (memo.item, memo.author.as_str(), memo.text.as_str()),
        (ItemRef::Concept(concept.id), "Ana", "Seen it too")
    );
    assert_eq!(memo.stance, Some(qualmap::model::Stance::Agree));
    let missing = br#"{"pseudonym":"Bo","item":{"area":999},"stance":"unsure"}"#;
    assert_eq!(send(addr, "POST", &path_of(&url, "comment"), missing).status, 204);
    let comment = until(&mut stdout, &mut printed, "[Bo · unsure]");
    assert_eq!(comment.trim_end(), "[Bo · unsure] area 999 (not in the map)");
    // Nothing is kept of a comment on something not in the map.
    assert_eq!(qualmap::model::io::load_path(&kept).unwrap().memos.len(), 1);
    writeln!(stdin, "q").unwrap();
    assert_eq!(events.expect("end"), "{}");
    let status = child.wait().unwrap();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert_eq!(status.code(), Some(0), "{printed}{rest}");
    assert!(rest.contains("The room is closed."), "{rest}");
}

#[test]
fn serve_without_a_browser_build_says_how_to_make_one() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("example.qualmap");
    std::fs::write(&map, example::EXAMPLE_JSON).unwrap();
    let out = qualmap()
        .args(["serve", map.to_str().unwrap(), "--addr", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env_remove("QUALMAP_WEB")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no browser build of Qualmap found") && stderr.contains("web/build.sh"), "{stderr}");
    let bad = qualmap().args(["serve", map.to_str().unwrap(), "--addr", "nowhere"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--addr nowhere"));
}
