//! The presenter's side of a workshop room in the real app (egui_kittest): "Share with the
//! room" while presenting serves the map, participants (plain HTTP clients here; the browser's
//! side is web/check/room.mjs) follow each step, a comment becomes a memo on its item as one
//! undoable step, a changed map is announced, and the room ends with the presentation.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

mod room_client;

use std::time::{Duration, Instant};

use egui::Vec2;
use egui_kittest::Harness;
use qualmap::app::{QualmapApp, Startup};
use qualmap::model::{ItemRef, Stance};
use room_client::{Events, bundle, path_of, send};

fn harness() -> Harness<'static, QualmapApp> {
    let mut harness = Harness::builder()
        .with_size(Vec2::new(1280.0, 800.0))
        .build_eframe(|cc| QualmapApp::with_recovery_dir(cc, Startup::Example, None));
    harness.run();
    harness
}

/// Runs frames until `done` holds (the room's comments arrive on another thread).
fn run_until(harness: &mut Harness<'static, QualmapApp>, what: &str, done: impl Fn(&QualmapApp) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(harness.state()) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        harness.step();
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_room_follows_the_presentation_and_comments_become_memos() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness();
    let ctx = harness.ctx.clone();
    harness.state_mut().share_with_room_using(&ctx, bundle(dir.path()), "127.0.0.1:0".parse().unwrap());
    harness.run_steps(2);
    // Sharing starts presenting (the map has a story) at its first step.
    assert_eq!(harness.state().presenting().map(|p| p.step), Some(0));
    let url = harness.state().room_local_url().expect("the room is open");
    let addr = url.trim_start_matches("http://").split('/').next().unwrap().parse().unwrap();

    // A participant's stream starts at the step on screen and follows the next one.
    let mut events = Events::open(addr, &path_of(&url, "events")).unwrap();
    assert_eq!(events.status, 200);
    assert_eq!(events.expect("step"), r#"{"step":0}"#);
    harness.state_mut().go_to_step(1);
    harness.run_steps(2);
    assert_eq!(events.expect("step"), r#"{"step":1}"#);

    // A comment on a concept arrives as a memo on it, one undo step.
    let concept = harness.state().document().concepts.iter().find(|c| c.label == "Coping").unwrap().id;
    let body = serde_json::json!({
        "pseudonym": "Ana",
        "item": ItemRef::Concept(concept),
        "stance": "agree",
        "text": "Yes: coping came first.",
    })
    .to_string();
    let reply = send(addr, "POST", &path_of(&url, "comment"), body.as_bytes());
    assert_eq!(reply.status, 204, "{}", reply.text());
    run_until(&mut harness, "the memo", |app| !app.document().memos.is_empty());
    let memo = harness.state().document().memos[0].clone();
    assert_eq!(memo.item, ItemRef::Concept(concept));
    assert_eq!(
        (memo.author.as_str(), memo.stance, memo.text.as_str()),
        ("Ana", Some(Stance::Agree), "Yes: coping came first.")
    );
    assert!(memo.written_at.ends_with('Z') && memo.written_at.len() == 20, "{}", memo.written_at);
    // The memo changed the map: participants are told to fetch it again.
    harness.run_steps(2);
    assert_eq!(events.expect("map"), r#"{"revision":1}"#);

    // A comment on something not in the map is not taken in.
    let reply = send(
        addr,
        "POST",
        &path_of(&url, "comment"),
        br#"{"pseudonym":"Ben","item":{"concept":999999999},"stance":"unsure","text":""}"#,
    );
    assert_eq!(reply.status, 204);
    run_until(&mut harness, "the status about Ben's comment", |app| app.status().contains("Ben"));
    assert_eq!(harness.state().document().memos.len(), 1);

    // Undo takes the memo out.
    harness.state_mut().undo();
    assert!(harness.state().document().memos.is_empty());

    // Leaving the presentation closes the room: the stream gets its end.
    harness.state_mut().stop_presenting(&ctx);
    assert!(!harness.state().room_open());
    loop {
        match events.next().unwrap() {
            Some(event) if event.name == "end" => break,
            Some(_) => continue,
            None => panic!("the stream ended without event: end"),
        }
    }
}
