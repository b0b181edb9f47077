//! Interaction tests of the real app UI with `egui_kittest`: no GPU and no display needed.
//! Items are found by their accessibility labels, as a screen reader would find them.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use egui::{Key, Modifiers, Pos2, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use qualmap::app::{Camera, QualmapApp, Startup};
use qualmap::model::ItemRef;

fn harness(startup: Startup) -> Harness<'static, QualmapApp> {
    let mut harness = Harness::builder()
        .with_size(Vec2::new(1280.0, 800.0))
        .build_eframe(move |cc| QualmapApp::with_recovery_dir(cc, startup, None));
    harness.run();
    harness
}

fn concept_id(harness: &Harness<'_, QualmapApp>, label: &str) -> qualmap::model::ConceptId {
    harness.state().document().concepts.iter().find(|c| c.label == label).map(|c| c.id).expect(label)
}

#[test]
fn opens_on_the_example_with_a_clean_title() {
    let harness = harness(Startup::Example);
    let app = harness.state();
    assert_eq!(app.document().areas.len(), 3);
    assert_eq!(app.window_title(), "mentoring-benefits.qualmap — Qualmap");
    for label in ["Problem solving", "Change management", "Area: Professional practice", "Area: Personal well-being"] {
        harness.get_by_label(label);
    }
}

#[test]
fn clicking_a_concept_shows_its_provenance_and_evidence() {
    let mut harness = harness(Startup::Example);
    assert!(harness.query_by_label_contains("I'm more sure of myself").is_none());
    harness.get_by_label("Confidence in the professional role").click();
    harness.run();
    let id = concept_id(&harness, "Confidence in the professional role");
    assert!(harness.state().view().selection.contains(&ItemRef::Concept(id)));
    harness.get_by_label_contains("I'm more sure of myself in clinic now");
    harness.get_by_label("From the paper");
    harness.get_by_label_contains("Evidence (4 excerpts, 3 participants)");
    harness.get_by_label("Interview M03 · lines 140-147");
    assert!(harness.get_all_by_label_contains("role: mentee").count() >= 2);
    harness.get_by_label_contains("participant: R08 · role: mentor · scheme: E");
    harness.get_by_label_contains("Memo: Confidence anchored in the professional role.");
    harness.get_all_by_label_contains("Illustrative excerpt").next().expect("excerpts are marked illustrative");
}

#[test]
fn clicking_a_relationship_shows_its_evidence() {
    let mut harness = harness(Startup::Example);
    harness.get_by_label("Relationship: Problem solving underpins Professional practice").click();
    harness.run();
    harness.get_by_label_contains("We took the complaint apart together");
    harness.get_by_label_contains("I don't give answers");
    harness.get_by_label("Relationship type");
    harness.get_by_label("Flip direction");
}

#[test]
fn the_inspector_lists_follow_edits_and_undo() {
    // The inspector's evidence and relationship lists are found once per change of the map,
    // not every frame; they must still follow every change.
    let mut harness = harness(Startup::Example);
    harness.get_by_label("Problem solving").click();
    harness.run();
    harness.get_by_label("Relationships (3)");
    let id = concept_id(&harness, "Problem solving");
    let linked = harness.state().document().evidence_for(ItemRef::Concept(id)).count();
    let other = harness
        .state()
        .document()
        .evidence
        .iter()
        .find(|e| !e.links.contains(&ItemRef::Concept(id)))
        .cloned()
        .expect("an excerpt not yet linked to Problem solving");
    let mut edited = other.clone();
    edited.links.push(ItemRef::Concept(id));
    harness.state_mut().apply(qualmap::command::Command::Update(qualmap::command::Element::Evidence(edited)));
    harness.run();
    harness.get_by_label_contains(&format!("Evidence ({} excerpt", linked + 1));
    harness.get_by_label_contains(&other.excerpt);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    harness.get_by_label_contains(&format!("Evidence ({} excerpt", linked));
    assert!(harness.query_by_label_contains(&other.excerpt).is_none());
}

#[test]
fn a_process_lists_what_it_underpins() {
    let mut harness = harness(Startup::Example);
    harness.get_by_label("Problem solving").click();
    harness.run();
    harness.get_by_label("Relationships (3)");
    for area in ["Professional practice", "Personal well-being", "Personal and professional development"] {
        harness.get_by_label(&format!("underpins {area}"));
    }
}

#[test]
fn clicking_an_area_lists_its_concepts() {
    let mut harness = harness(Startup::Example);
    harness.get_by_label("Area: Personal well-being").click();
    harness.run();
    harness.get_by_label("Concepts in this area");
    harness.get_by_label("Problem solving underpins this");
    harness.get_by_label("consequential benefit with Professional practice (both ways)");
    assert_eq!(harness.get_all_by_label_contains("also in Professional practice").count(), 2);
}

#[test]
fn pressing_f_fits_the_map_after_panning_away() {
    let mut harness = harness(Startup::Example);
    let fitted = harness.state().view().camera;
    assert!(fitted.zoom > 0.3 && fitted.zoom < 2.0, "{fitted:?}");
    harness.state_mut().view_mut().camera = Camera { center: Pos2::new(5000.0, -3000.0), zoom: 3.0 };
    harness.run();
    assert!(harness.query_by_label("Problem solving").is_none(), "panned away, the concept is off screen");
    harness.key_press(Key::F);
    harness.run();
    let camera = harness.state().view().camera;
    assert!((camera.zoom - fitted.zoom).abs() < 1e-4, "{camera:?} vs {fitted:?}");
    assert!(camera.center.distance(fitted.center) < 1e-3);
    harness.get_by_label("Problem solving");
}

#[test]
fn dragging_a_concept_moves_it_as_one_undo_step() {
    let mut harness = harness(Startup::Example);
    let id = concept_id(&harness, "Coping");
    let before = harness.state().document().concept(id).unwrap().pos;
    let start = harness.get_by_label("Coping").rect().center();
    harness.drag_at(start);
    harness.run();
    for step in 1..=5 {
        harness.hover_at(start + Vec2::new(10.0 * step as f32, 6.0 * step as f32));
        harness.run();
    }
    harness.drop_at(start + Vec2::new(50.0, 30.0));
    harness.run();
    let zoom = harness.state().view().camera.zoom;
    let after = harness.state().document().concept(id).unwrap().pos;
    assert!((after.x - before.x - 50.0 / zoom).abs() < 1.0, "{before:?} → {after:?}");
    assert!((after.y - before.y - 30.0 / zoom).abs() < 1.0, "{before:?} → {after:?}");
    assert!(harness.state().is_dirty());
    assert!(harness.state().autosave_pending(), "a drag is autosaved like any edit");
    assert!(harness.state().window_title().starts_with("● "));

    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(harness.state().document().concept(id).unwrap().pos, before);
    assert!(!harness.state().is_dirty());
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    harness.run();
    assert_eq!(harness.state().document().concept(id).unwrap().pos, after);
}

#[test]
fn dragging_on_a_large_map_draws_the_card_moved_and_changes_the_map_on_release() {
    let mut harness = harness(Startup::Example);
    harness.state_mut().assume_slow_scenes();
    let id = concept_id(&harness, "Coping");
    let before = harness.state().document().concept(id).unwrap().pos;
    let start = harness.get_by_label("Coping").rect().center();
    harness.drag_at(start);
    harness.run();
    for step in 1..=5 {
        harness.hover_at(start + Vec2::new(10.0 * step as f32, 6.0 * step as f32));
        harness.step();
        assert!(harness.state().drag_previewing(), "the card is drawn moved during the drag");
        assert_eq!(harness.state().document().concept(id).unwrap().pos, before, "the map waits for the drop");
    }
    harness.drop_at(start + Vec2::new(50.0, 30.0));
    harness.step();
    let zoom = harness.state().view().camera.zoom;
    let after = harness.state().document().concept(id).unwrap().pos;
    assert!((after.x - before.x - 50.0 / zoom).abs() < 1.0, "{before:?} → {after:?}");
    assert!((after.y - before.y - 30.0 / zoom).abs() < 1.0, "{before:?} → {after:?}");
    // The moved drawing stays until the scene with the move arrives from its worker.
    for _ in 0..200 {
        harness.step();
        if !harness.state().drag_previewing() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(!harness.state().drag_previewing());
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(harness.state().document().concept(id).unwrap().pos, before, "one undo step");
}

#[test]
fn shift_click_adds_to_the_selection() {
    let mut harness = harness(Startup::Example);
    harness.get_by_label("Coping").click();
    harness.run();
    harness.get_by_label("Reduced stress").click_modifiers(Modifiers::SHIFT);
    harness.run();
    assert_eq!(harness.state().view().selection.len(), 2);
    harness.get_by_label("2 items selected");
    harness.key_press(Key::Escape);
    harness.run();
    assert!(harness.state().view().selection.is_empty());
}

#[test]
fn replacing_an_edited_map_asks_first() {
    let mut harness = harness(Startup::Example);
    let id = concept_id(&harness, "Coping");
    harness
        .state_mut()
        .apply(qualmap::command::Command::MoveConcepts(vec![(id, qualmap::model::Point::new(0.0, 0.0))]));
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run();
    harness.get_by_label("Unsaved changes");
    harness.get_by_label("Cancel").click();
    harness.run();
    assert_eq!(harness.state().document().concepts.len(), 19, "cancel keeps the map");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run();
    harness.get_by_label("Don't Save").click();
    harness.run();
    assert!(harness.state().document().concepts.is_empty(), "a new blank map");
    assert_eq!(harness.state().window_title(), "Untitled.qualmap — Qualmap");
}

#[test]
fn opening_a_bad_file_shows_the_error_and_keeps_the_open_map() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.qualmap");
    std::fs::write(&path, "{\"format\": \"qualmap\", \"version\": 1, \"concepts\": [").unwrap();
    let mut harness = harness(Startup::Example);
    harness.state_mut().open_path(&path);
    harness.run();
    let alert = harness.state().alert_text().expect("an error is shown");
    assert!(alert.contains("broken.qualmap:1:"), "{alert}");
    assert_eq!(harness.state().document().concepts.len(), 19);
    harness.get_by_label("OK").click();
    harness.run();
    assert!(harness.state().alert_text().is_none());
}

#[test]
fn a_map_file_given_at_startup_opens_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("study.qualmap");
    std::fs::write(&path, qualmap::model::example::EXAMPLE_JSON).unwrap();
    let harness = harness(Startup::File(path.clone()));
    assert_eq!(harness.state().path(), Some(path.as_path()));
    assert_eq!(harness.state().window_title(), "study.qualmap — Qualmap");
}

#[test]
fn zooming_keeps_the_point_under_the_cursor_still() {
    let canvas = egui::Rect::from_min_size(Pos2::ZERO, Vec2::new(900.0, 700.0));
    let mut camera = Camera { center: Pos2::new(10.0, -20.0), zoom: 0.7 };
    let cursor = Pos2::new(200.0, 600.0);
    let under = camera.world_from_screen(canvas, cursor);
    camera.zoom_around(canvas, cursor, 1.8);
    assert!((camera.zoom - 1.26).abs() < 1e-5);
    assert!(camera.screen_from_world(canvas, under).distance(cursor) < 1e-3);
    // Zoom is bounded both ways.
    camera.zoom_around(canvas, cursor, 1e6);
    assert!(camera.zoom <= 8.0);
    camera.zoom_around(canvas, cursor, 1e-9);
    assert!(camera.zoom >= 0.005, "a 10,000-concept map can still be fitted");
    assert!(camera.zoom <= 0.006);
}

#[test]
fn clicking_empty_canvas_clears_the_selection_and_the_inspector_returns_to_the_map() {
    let mut harness = harness(Startup::Example);
    harness.get_by_label("Coping").click();
    harness.run();
    assert_eq!(harness.state().view().selection.len(), 1);
    // The top-left corner of the canvas holds no map item.
    harness.hover_at(Pos2::new(8.0, 80.0));
    harness.run();
    harness.event(egui::Event::PointerButton {
        pos: Pos2::new(8.0, 80.0),
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: Modifiers::NONE,
    });
    harness.event(egui::Event::PointerButton {
        pos: Pos2::new(8.0, 80.0),
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    harness.run();
    assert!(harness.state().view().selection.is_empty());
    harness.get_by_label_contains("Click a concept, a relationship or an area");
}

#[test]
fn shift_dragging_the_background_selects_with_a_rubber_band() {
    let mut harness = harness(Startup::Example);
    let start = Pos2::new(8.0, 80.0);
    let end = Pos2::new(915.0, 740.0);
    harness.hover_at(start);
    harness.run();
    harness.event_modifiers(
        egui::Event::PointerButton {
            pos: start,
            button: egui::PointerButton::Primary,
            pressed: true,
            modifiers: Modifiers::SHIFT,
        },
        Modifiers::SHIFT,
    );
    harness.run();
    for step in 1..=10 {
        let t = step as f32 / 10.0;
        harness.event_modifiers(egui::Event::PointerMoved(start + (end - start) * t), Modifiers::SHIFT);
        harness.run();
    }
    harness.event_modifiers(
        egui::Event::PointerButton {
            pos: end,
            button: egui::PointerButton::Primary,
            pressed: false,
            modifiers: Modifiers::SHIFT,
        },
        Modifiers::SHIFT,
    );
    harness.run();
    let camera = harness.state().view().camera;
    assert_eq!(harness.state().view().selection.len(), 19, "every concept is inside the band; camera {camera:?}");
    assert!(harness.state().view().selection.iter().all(|i| matches!(i, ItemRef::Concept(_))));
}

fn harness_with_recovery(dir: &std::path::Path) -> Harness<'static, QualmapApp> {
    let dir = dir.to_owned();
    let mut harness = Harness::builder()
        .with_size(Vec2::new(1280.0, 800.0))
        .build_eframe(move |cc| QualmapApp::with_recovery_dir(cc, Startup::Example, Some(dir)));
    harness.run();
    harness
}

#[test]
fn create_a_concept_name_it_and_undo_back_to_nothing() {
    let mut harness = harness(Startup::Example);
    harness.get_by_label("Add concept").click();
    harness.run();
    assert_eq!(harness.state().document().concepts.len(), 20);
    let field = harness.get_by_label("Concept name");
    assert!(field.is_focused(), "the new concept's name is ready for typing");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.run();
    harness.get_by_label("Concept name").type_text("Peer support");
    harness.run();
    let newest = harness.state().document().concepts.last().unwrap().clone();
    assert_eq!(newest.label, "Peer support");
    // The double-click spot was in no area, so neither is the concept.
    harness.key_press(Key::Escape);
    harness.run();
    // Typing is one undo step; adding is another.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(harness.state().document().concept(newest.id).unwrap().label, "New concept");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(harness.state().document().concepts.len(), 19);
    assert!(!harness.state().is_dirty());
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    harness.run();
    assert_eq!(harness.state().document().concept(newest.id).unwrap().label, "Peer support");
}

#[test]
fn link_new_evidence_to_a_relationship_then_undo_it() {
    let mut harness = harness(Startup::Example);
    let before = harness.state().document().evidence.len();
    harness.get_by_label("Relationship: Problem solving underpins Personal well-being").click();
    harness.run();
    harness.get_by_label("Add evidence…").click();
    harness.run();
    harness.get_by_label("Excerpt text").click();
    harness.run();
    harness.get_by_label("Excerpt text").type_text("Working it through step by step took the dread out of Mondays.");
    harness.run();
    harness.get_by_label("Save").click();
    harness.run();
    let doc = harness.state().document();
    assert_eq!(doc.evidence.len(), before + 1);
    let added = doc.evidence.last().unwrap();
    let rel = doc
        .relationships
        .iter()
        .find(|r| {
            doc.item_label(ItemRef::Relationship(r.id)).ends_with("underpins Personal well-being")
                && doc.endpoint_label(r.from) == "Problem solving"
        })
        .unwrap();
    assert_eq!(added.links, vec![ItemRef::Relationship(rel.id)]);
    harness.get_by_label_contains("took the dread out of Mondays");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(harness.state().document().evidence.len(), before);
    assert!(harness.query_by_label_contains("took the dread out of Mondays").is_none());
}

#[test]
fn filtering_by_an_attribute_fades_unsupported_items() {
    let mut harness = harness(Startup::Example);
    harness.get_by_label("Filter").click();
    harness.run();
    harness.get_by_label("role = mentor").click();
    harness.run();
    let app = harness.state();
    assert_eq!(app.view().filter.describe(app.document()), "role = mentor");
    let scene = qualmap::scene::build_scene(app.document(), &app.scene_options(), &qualmap::scene::ApproxMeasure);
    let faded = scene.nodes.iter().filter(|n| n.faded).count();
    assert!(faded > 0 && faded < scene.nodes.len(), "{faded} of {} concepts fade", scene.nodes.len());
    assert!(scene.edges.iter().any(|e| e.faded));
    // The canvas redrew with the filter, though the document did not change.
    let drawn = app.drawn_scene().map(|s| s.nodes.iter().filter(|n| n.faded).count());
    assert_eq!(drawn, Some(faded));
    // The filter is not an edit: nothing to save.
    assert!(!app.is_dirty());
}

#[test]
fn support_can_count_distinct_participants() {
    let mut harness = harness(Startup::Example);
    harness.get_by_label("Support counts").click();
    harness.run();
    harness.get_by_label("distinct participants").click();
    harness.run();
    assert_eq!(harness.state().view().support, qualmap::model::support::SupportMode::Participants);
}

#[test]
fn delete_key_removes_a_concept_with_its_relationships_but_keeps_evidence() {
    let mut harness = harness(Startup::Example);
    let evidence = harness.state().document().evidence.len();
    harness.get_by_label("Problem solving").click();
    harness.run();
    harness.key_press(Key::Delete);
    harness.run();
    let doc = harness.state().document();
    assert!(doc.concepts.iter().all(|c| c.label != "Problem solving"));
    assert_eq!(doc.relationships.len(), 9);
    assert_eq!(doc.evidence.len(), evidence);
    assert!(qualmap::model::validate::validate(doc).is_empty());
}

#[test]
fn dragging_from_a_link_handle_draws_a_relationship() {
    let mut harness = harness(Startup::Example);
    harness.get_by_label("Coping").click();
    harness.run();
    let start = harness.get_by_label("Link from Coping").rect().center();
    let end = harness.get_by_label("Reduced stress").rect().center();
    harness.drag_at(start);
    harness.run();
    for step in 1..=8 {
        harness.hover_at(start + (end - start) * (step as f32 / 8.0));
        harness.run();
    }
    harness.drop_at(end);
    harness.run();
    let doc = harness.state().document();
    assert_eq!(doc.relationships.len(), 13);
    let added = doc.relationships.last().unwrap();
    assert_eq!(doc.endpoint_label(added.from), "Coping");
    assert_eq!(doc.endpoint_label(added.to), "Reduced stress");
    assert!(harness.state().view().selection.contains(&ItemRef::Relationship(added.id)));
}

#[test]
fn work_is_recovered_after_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let edited = {
        let mut harness = harness_with_recovery(dir.path());
        assert!(!harness.state().recovery_offered());
        harness.get_by_label("Add concept").click();
        harness.run();
        harness.get_by_label("Concept name").type_text(" (kept)");
        harness.run();
        harness.state_mut().autosave_now();
        harness.state().document().clone()
        // The harness is dropped without a normal exit, as a crash or kill would leave it.
    };
    let mut harness = harness_with_recovery(dir.path());
    assert!(harness.state().recovery_offered());
    harness.get_by_label("Restore unsaved work?");
    harness.get_by_label("Restore").click();
    harness.run();
    assert_eq!(harness.state().document(), &edited);
    assert!(harness.state().is_dirty(), "restored work still needs saving");
    assert!(harness.state().window_title().starts_with("● "));
}

#[test]
fn a_second_window_does_not_take_the_first_windows_work() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = harness_with_recovery(dir.path());
    first.get_by_label("Add concept").click();
    first.run();
    first.state_mut().autosave_now();
    let second = harness_with_recovery(dir.path());
    assert!(!second.state().recovery_offered(), "the first window is still open");
    drop(first);
}

#[test]
fn discarding_recovery_removes_it() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut harness = harness_with_recovery(dir.path());
        harness.get_by_label("Add concept").click();
        harness.run();
        harness.state_mut().autosave_now();
    }
    let mut harness = harness_with_recovery(dir.path());
    harness.get_by_label("Discard").click();
    harness.run();
    assert_eq!(harness.state().document().concepts.len(), 19);
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".qualmap"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn evidence_browser_rows_highlight_and_link_to_the_selection() {
    let mut harness = harness(Startup::Example);
    harness.get_by_label("Coping").click();
    harness.run();
    harness.get_by_label("Evidence").click();
    harness.run();
    let row = harness.get_by_label_contains("We took the complaint apart");
    row.click();
    harness.run();
    let first = harness.state().document().evidence[0].clone();
    for link in &first.links {
        assert!(harness.state().view().highlight.contains(link), "{link:?} is highlighted");
    }
    harness.get_by_label("Link to selection").click();
    harness.run();
    let coping = concept_id(&harness, "Coping");
    assert!(harness.state().document().evidence[0].links.contains(&ItemRef::Concept(coping)));
    // Searching narrows the table.
    harness.get_by_label("Search evidence").click();
    harness.run();
    harness.get_by_label("Search evidence").type_text("exhausted");
    harness.run();
    harness.get_by_label_contains("1 of 32 items");
}

#[test]
fn export_dialog_previews_and_exports_in_the_background() {
    let mut harness = harness(Startup::Example);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::E);
    harness.run();
    harness.get_by_label("Preview of the export");
    harness.get_by_label("Format");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("figure.png");
    let ctx = harness.ctx.clone();
    harness.state_mut().export_to(&ctx, path.clone());
    for _ in 0..200 {
        harness.step();
        if !harness.state().export_running() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    harness.run();
    assert!(!harness.state().export_running());
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"\x89PNG"));
    assert!(harness.state().alert_text().is_none());
}

#[test]
fn importing_a_table_adds_evidence_as_one_undoable_step() {
    let mut harness = harness(Startup::Example);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/segments.csv");
    import_and_wait(&mut harness, path);
    // The column mapping and the report are shown.
    harness.get_by_label("Column Segment");
    harness.get_by_label("Import into this map").click();
    harness.run();
    let doc = harness.state().document();
    assert_eq!(doc.evidence.len(), 32 + 4);
    assert!(doc.concepts.iter().any(|c| c.label == "Coping"));
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(harness.state().document().evidence.len(), 32);
}

fn import_and_wait(harness: &mut egui_kittest::Harness<'_, QualmapApp>, path: std::path::PathBuf) {
    let ctx = harness.ctx.clone();
    harness.state_mut().import_path(&ctx, path);
    wait_while_reading(harness);
}

/// Steps the app until the import window has read its file (at most about four seconds).
fn wait_while_reading(harness: &mut egui_kittest::Harness<'_, QualmapApp>) {
    // Up to 30 s: the file is read in a child process, slow on a loaded two-core machine.
    for _ in 0..3000 {
        harness.step();
        if !harness.state().import_reading() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    harness.run();
}

#[test]
fn a_spreadsheet_shows_its_column_mapping_before_it_is_imported() {
    // A MAXQDA export from a Polish interface, as a legacy .xls, given on the command line
    // (or opened with Qualmap from a file manager): a blank map, and its columns mapped.
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let startup = Startup::File(fixtures.join("real-exports/maxqda-polish.xls"));
    let mut harness = Harness::builder()
        .with_size(Vec2::new(1280.0, 800.0))
        .build_eframe(move |cc| QualmapApp::with_recovery_dir(cc, startup, None));
    wait_while_reading(&mut harness);
    assert!(harness.state().document().concepts.is_empty(), "the import comes into a blank map");
    assert_eq!(harness.state().import_error(), None);
    let (headers, mapping) = harness.state().import_mapping().expect("a spreadsheet has a column mapping");
    let excerpt = headers.iter().position(|h| h == "Fragment").expect("the Polish segment column");
    assert_eq!(mapping.fields[excerpt], qualmap::import::table::Field::Text);
    harness.get_by_label("Column Fragment");
    harness.get_by_label("Import into this map").click();
    // A loaded machine builds the new map's scene on a worker: wait for it, not a fixed count.
    settle(&mut harness);
    assert!(!harness.state().document().evidence.is_empty());
}

#[test]
fn a_damaged_spreadsheet_is_refused_in_the_import_window_with_the_file_named() {
    let mut harness = harness(Startup::Example);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("damaged.xls");
    let found = "tests/fixtures/fuzz/xls/mulrk-run-ending-before-it-starts.xls";
    std::fs::copy(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(found), &path).unwrap();
    import_and_wait(&mut harness, path);
    let error = harness.state().import_error().expect("a refusal").to_owned();
    assert!(error.contains("damaged.xls") && error.contains("damaged"), "{error}");
    assert!(harness.state().import_mapping().is_none());
    harness.get_by_label(&error);
}

#[test]
fn suggested_relationships_can_be_accepted() {
    let mut harness = harness(Startup::Example);
    harness.get_by_label("Suggestions").click();
    harness.run();
    let before = harness.state().document().relationships.len();
    harness.get_all_by_label("Accept").next().expect("the example has co-occurring concepts").click();
    harness.run();
    assert_eq!(harness.state().document().relationships.len(), before + 1);
}

/// A few frames, then more while a scene is being built on a worker (on a loaded machine the
/// example's scene can take longer than the window waits for, and moves to a worker).
fn settle(harness: &mut Harness<'_, QualmapApp>) {
    harness.run_steps(3);
    for _ in 0..3000 {
        if !harness.state().scene_pending() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
        harness.step();
    }
    harness.run_steps(2);
}

#[test]
fn presenting_steps_through_the_story_and_spotlights_evidence() {
    let mut harness = harness(Startup::Example);
    harness.key_press(Key::F5);
    settle(&mut harness);
    assert_eq!(harness.state().presenting().map(|p| p.step), Some(0));
    // Step 1 shows the three areas but not the processes.
    harness.get_by_label("Coping");
    assert!(harness.query_by_label("Problem solving").is_none());
    harness.key_press(Key::ArrowRight);
    settle(&mut harness);
    harness.key_press(Key::Space);
    settle(&mut harness);
    assert_eq!(harness.state().presenting().map(|p| p.step), Some(2));
    harness.get_by_label("Problem solving");
    // Number and Enter jump; End goes to the last step; Home back to the first.
    harness.key_press(Key::Num4);
    harness.key_press(Key::Enter);
    settle(&mut harness);
    assert_eq!(harness.state().presenting().map(|p| p.step), Some(3));
    harness.key_press(Key::End);
    settle(&mut harness);
    assert_eq!(harness.state().presenting().map(|p| p.step), Some(4));
    harness.key_press(Key::Home);
    settle(&mut harness);
    assert_eq!(harness.state().presenting().map(|p| p.step), Some(0));
    // Clicking a concept spotlights its evidence; arrows step through it; Esc closes.
    harness.get_by_label("Confidence in the professional role").click();
    settle(&mut harness);
    assert!(harness.state().presenting().unwrap().spotlight.is_some());
    harness.key_press(Key::ArrowRight);
    settle(&mut harness);
    assert_eq!(harness.state().presenting().unwrap().spotlight.map(|s| s.1), Some(1));
    assert_eq!(harness.state().presenting().unwrap().step, 0, "arrows move through excerpts, not steps");
    harness.key_press(Key::Escape);
    settle(&mut harness);
    assert!(harness.state().presenting().unwrap().spotlight.is_none());
    // B blanks the screen; Esc stops presenting.
    harness.key_press(Key::B);
    settle(&mut harness);
    assert_eq!(harness.state().presenting().unwrap().blank, Some(egui::Color32::BLACK));
    harness.key_press(Key::Escape);
    harness.key_press(Key::Escape);
    settle(&mut harness);
    assert!(harness.state().presenting().is_none());
    harness.get_by_label("Add concept");
}

#[test]
fn story_steps_are_added_and_undone_like_any_edit() {
    let mut harness = harness(Startup::Example);
    harness.get_by_label("Story").click();
    harness.run();
    harness.get_by_label("Coping").click();
    harness.run();
    harness.get_by_label("Add current view as a step").click();
    harness.run();
    let steps = &harness.state().document().story;
    assert_eq!(steps.len(), 6);
    assert_eq!(steps[5].visible, vec![ItemRef::Concept(concept_id(&harness, "Coping"))]);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(harness.state().document().story.len(), 5);
    // Drag the last step's grip onto the first step: it moves to the front.
    let grip = harness.get_all_by_label("::").last().unwrap().rect().center();
    let first = harness.get_by_label("1. Three areas of benefit").rect().center();
    harness.drag_at(grip);
    harness.run();
    for step in 1..=6 {
        harness.hover_at(grip + (first - grip) * (step as f32 / 6.0));
        harness.run();
    }
    harness.drop_at(first);
    harness.run();
    assert_eq!(harness.state().document().story[0].title, "Does it hold for mentors?");
}

/// Starts an automatic layout and runs one frame of it.
fn begin_layout(harness: &mut Harness<'_, QualmapApp>) {
    let ctx = harness.ctx.clone();
    harness.state_mut().start_layout(&ctx, false);
    harness.step();
}

fn wait_for_layout(harness: &mut Harness<'_, QualmapApp>) {
    for _ in 0..500 {
        harness.step();
        if !harness.state().layout_running() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(!harness.state().layout_running(), "the layout ends");
    // Settles: `run` fails if the app keeps asking for frames.
    harness.run();
}

#[test]
fn pinned_concepts_stay_put_in_automatic_layout() {
    let mut harness = harness(Startup::Example);
    let coping = concept_id(&harness, "Coping");
    let before = harness.state().document().concept(coping).unwrap().pos;
    harness.state_mut().view_mut().selection = [ItemRef::Concept(coping)].into();
    harness.key_press(Key::P);
    harness.run();
    assert!(harness.state().document().concept(coping).unwrap().pinned, "P pins the selection");
    begin_layout(&mut harness);
    wait_for_layout(&mut harness);
    let doc = harness.state().document();
    assert_eq!(doc.concept(coping).unwrap().pos, before, "the pinned concept stayed");
    let problem_solving = doc.concepts.iter().find(|c| c.label == "Problem solving").unwrap();
    assert_ne!(
        problem_solving.pos,
        qualmap::model::example::document().concepts.iter().find(|c| c.label == "Problem solving").unwrap().pos
    );
    // Undo the layout, then the pin.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(harness.state().document(), &qualmap::model::example::document());
}

#[test]
fn an_edit_during_a_layout_ends_it_and_undo_still_returns_to_the_start() {
    let mut harness = harness(Startup::Example);
    let before = harness.state().document().clone();
    let coping = concept_id(&harness, "Coping");
    begin_layout(&mut harness);
    // Delete a concept while the layout runs or glides.
    harness.state_mut().view_mut().selection = [ItemRef::Concept(coping)].into();
    harness.key_press(Key::Delete);
    harness.run();
    assert!(!harness.state().layout_running());
    assert!(harness.state().document().concept(coping).is_none());
    for _ in 0..3 {
        harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
        harness.run();
    }
    assert_eq!(harness.state().document(), &before, "undo goes back through the delete and the layout");
}

#[test]
fn escape_stops_a_layout_and_keeps_what_it_did() {
    let mut harness = harness(Startup::Example);
    let before = harness.state().document().clone();
    begin_layout(&mut harness);
    harness.key_press(Key::Escape);
    wait_for_layout(&mut harness);
    let after = harness.state().document().clone();
    assert!(after.concepts.iter().all(|c| c.pos.x.is_finite() && c.pos.y.is_finite()));
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(harness.state().document(), &before, "a stopped layout is one undo step too");
}

#[test]
fn automatic_layout_runs_in_the_background_and_undoes_in_one_step() {
    let mut harness = harness(Startup::Example);
    let before = harness.state().document().clone();
    begin_layout(&mut harness);
    // Progress and a Stop button in the status bar while concepts glide into place.
    // The status line and the bar's text.
    assert_eq!(harness.get_all_by_label_contains("Laying out").count(), 2);
    harness.get_by_label("Stop");
    wait_for_layout(&mut harness);
    assert!(harness.query_by_label("Stop").is_none(), "the progress bar goes when the layout ends");
    let after = harness.state().document().clone();
    assert_ne!(after.concepts[5].pos, before.concepts[5].pos, "concepts moved");
    assert!(after.concepts.iter().all(|c| c.pos.x.is_finite() && c.pos.y.is_finite()));
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(harness.state().document(), &before);
}

#[test]
fn search_finds_concepts_and_excerpts_and_focuses_a_hit() {
    let mut harness = harness(Startup::Example);
    harness.get_by_label("Search").click();
    harness.run();
    harness.get_by_label("Search").type_text("problem solving");
    harness.run();
    let problem_solving = ItemRef::Concept(concept_id(&harness, "Problem solving"));
    assert!(harness.state().view().highlight.contains(&problem_solving));
    harness.get_by_label_contains("1 matching concepts or areas, ");
    // A renamed concept is found under its new name at once.
    let mut renamed =
        harness.state().document().concepts.iter().find(|c| c.label == "Problem solving").unwrap().clone();
    renamed.label = "Problem solving together".to_owned();
    harness.state_mut().apply(qualmap::command::Command::Update(qualmap::command::Element::Concept(renamed)));
    harness.run();
    // On the canvas and in the results list.
    assert_eq!(harness.get_all_by_label("Problem solving together").count(), 2);
    // Enter in the search field goes to the first hit.
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(harness.state().view().selection.iter().copied().collect::<Vec<_>>(), vec![problem_solving]);
}

#[test]
fn a_large_map_opens_and_redraws_in_the_background_without_holding_up_frames() {
    use qualmap::command::{Command, Element};
    use qualmap::model::generate::{Spec, generated};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("large.qualmap");
    let doc = generated(Spec { concepts: 4_000, relationships: 2_000, evidence: 2_000, seed: 5 });
    qualmap::model::io::save_path(&doc, &path).unwrap();
    let mut harness = Harness::builder()
        .with_size(Vec2::new(1280.0, 800.0))
        .build_eframe(move |cc| QualmapApp::with_recovery_dir(cc, Startup::File(path.clone()), None));
    // The file is read and its first scene built on workers; frames go on meanwhile.
    let mut frames = 0;
    while harness.state().is_opening()
        || harness.state().scene_pending()
        || harness.state().drawn_scene().is_none_or(|s| s.nodes.len() != 4_000)
    {
        harness.step();
        frames += 1;
        assert!(frames < 20_000, "the large map never appeared");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    assert_eq!(harness.state().document().concepts.len(), 4_000);
    // Once a build was slow, edits are redrawn on a worker too: the old scene stays on screen
    // until the new one, with the edit, arrives.
    let id = harness.state().document().next_concept_id();
    let mut concept = harness.state().document().concepts[0].clone();
    concept.id = id;
    concept.label = "Added to a large map".to_owned();
    harness.state_mut().apply(Command::Insert(Element::Concept(concept)));
    let mut frames = 0;
    while harness.state().drawn_scene().is_none_or(|s| s.node(id).is_none()) {
        harness.step();
        frames += 1;
        assert!(frames < 20_000, "the edit was never drawn");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    assert_eq!(harness.state().drawn_scene().unwrap().nodes.len(), 4_001);
}

#[test]
fn an_excerpt_imported_with_uncertain_positions_says_so_in_the_inspector() {
    let mut harness = harness(Startup::Example);
    let id = concept_id(&harness, "Problem solving");
    let mut flagged = harness.state().document().evidence_for(ItemRef::Concept(id)).next().cloned().expect("evidence");
    flagged.status = qualmap::model::ExcerptStatus::PositionsUncertain;
    harness.state_mut().apply(qualmap::command::Command::Update(qualmap::command::Element::Evidence(flagged)));
    harness.get_by_label("Problem solving").click();
    harness.run();
    harness.get_by_label_contains("Imported with positions uncertain");
}

#[test]
fn a_concept_gets_a_colour_of_its_own_and_loses_it_again_each_as_one_undo_step() {
    let mut harness = harness(Startup::Example);
    harness.get_by_label("Problem solving").click();
    harness.run();
    let id = concept_id(&harness, "Problem solving");
    let color = |h: &Harness<'_, QualmapApp>| h.state().document().concept(id).and_then(|c| c.color);
    assert_eq!(color(&harness), None);
    harness.get_by_label("Colour…").click();
    harness.run();
    // A palette colour that none of its areas has (it is in none: the first one).
    assert_eq!(color(&harness), qualmap::model::AREA_PALETTE.first().copied());
    harness.get_by_label("No colour").click();
    harness.run();
    assert_eq!(color(&harness), None);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert!(color(&harness).is_some(), "undo gives the colour back");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(color(&harness), None);
    assert!(!harness.state().is_dirty(), "two undo steps return to the example as opened");
}

/// Clicks at a screen point: press and release, as a mouse click on the canvas background.
fn click_at(harness: &mut Harness<'_, QualmapApp>, pos: Pos2) {
    harness.hover_at(pos);
    harness.run();
    for pressed in [true, false] {
        harness.event(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
    }
    harness.run();
}

#[test]
fn selecting_every_item_of_the_example_never_edits_the_map() {
    let mut harness = harness(Startup::Example);
    let before = harness.state().document().clone();
    let mut clicked = 0;
    for concept in &before.concepts {
        harness.get_by_label(&concept.label).click();
        harness.run();
        assert!(harness.state().view().selection.contains(&ItemRef::Concept(concept.id)), "{}", concept.label);
        clicked += 1;
    }
    for area in &before.areas {
        harness.get_by_label(&format!("Area: {}", area.label)).click();
        harness.run();
        assert!(harness.state().view().selection.contains(&ItemRef::Area(area.id)), "{}", area.label);
        clicked += 1;
    }
    for rel in &before.relationships {
        let item = ItemRef::Relationship(rel.id);
        let name = format!("Relationship: {}", before.item_label(item));
        if harness.query_by_label(&name).is_some() {
            harness.get_by_label(&name).click();
            harness.run();
        } else {
            // A relationship whose label is not drawn is picked on its line.
            let app = harness.state();
            let scene = app.drawn_scene().expect("a scene is drawn");
            let edge = scene.edges.iter().find(|e| e.id == rel.id).expect("every relationship is drawn");
            let (mid, _) = qualmap::scene::geometry::point_along(&edge.points, 0.5);
            let canvas = qualmap::app::canvas::map_area(app.view().canvas_rect, app.view().legend_height);
            let pos = app.view().camera.screen_from_world(canvas, mid);
            click_at(&mut harness, pos);
        }
        assert!(harness.state().view().selection.contains(&item), "{name}");
        clicked += 1;
    }
    assert_eq!(clicked, before.concepts.len() + before.areas.len() + before.relationships.len());
    // And the map's background, which brings back the map's own fields.
    click_at(&mut harness, Pos2::new(8.0, 80.0));
    assert!(harness.state().view().selection.is_empty());
    harness.get_by_label("Map title");
    harness.run();

    let app = harness.state();
    assert_eq!(app.undo_label(), None, "selecting made an undo step");
    assert!(!app.is_dirty());
    assert!(!app.window_title().contains('●'), "{}", app.window_title());
    assert_eq!(app.document(), &before, "the map is exactly as opened");
}

#[test]
fn the_inspector_counts_and_lists_what_the_filter_counts() {
    use qualmap::model::support::{SupportMode, support_counts};
    let mut harness = harness(Startup::Example);
    harness.get_by_label("Filter").click();
    harness.run();
    harness.get_by_label("role = mentor").click();
    harness.run();
    // Close the filter menu.
    harness.key_press(Key::Escape);
    harness.run();
    let label = "Confidence in the professional role";
    let id = ItemRef::Concept(concept_id(&harness, label));
    harness.get_by_label(label).click();
    harness.run();
    let app = harness.state();
    let doc = app.document().clone();
    let filter = app.view().filter.clone();
    assert!(filter.is_active());
    let badge = support_counts(&doc, &filter, SupportMode::Excerpts).get(&id).copied().unwrap_or(0);
    let (counted, left_out): (Vec<_>, Vec<_>) = doc.evidence_for(id).cloned().partition(|e| filter.matches(&doc, e));
    assert_eq!(counted.len(), badge);
    assert!(!left_out.is_empty(), "the example has mentees' excerpts on this concept");
    harness.get_by_label_contains(&format!(
        "Evidence ({badge} excerpt{}, 1 participant)",
        if badge == 1 { "" } else { "s" }
    ));
    harness.get_by_label_contains(&format!("{} more excerpt", left_out.len()));
    let fragment = |e: &qualmap::model::Evidence| e.excerpt.chars().take(30).collect::<String>();
    for e in &counted {
        harness.get_by_label_contains(&fragment(e));
    }
    for e in &left_out {
        assert!(harness.query_by_label_contains(&fragment(e)).is_none(), "{} is filtered out", e.excerpt);
    }
    assert!(harness.query_by_label_contains("Filtered out:").is_none());

    // On request the filtered-out excerpts are listed too, each marked.
    harness.get_by_label("Show filtered-out evidence").click();
    harness.run();
    for e in &left_out {
        harness.get_by_label_contains(&fragment(e));
    }
    assert_eq!(harness.get_all_by_label_contains("Filtered out:").count(), left_out.len());
    // The counts stay those of the filter.
    harness.get_by_label_contains(&format!("Evidence ({badge} excerpt"));
    assert!(!harness.state().is_dirty(), "a view choice, not an edit");

    // With the filter cleared, everything counts and nothing is marked.
    harness.state_mut().view_mut().filter = Default::default();
    harness.run();
    let all = counted.len() + left_out.len();
    harness.get_by_label_contains(&format!("Evidence ({all} excerpts"));
    assert!(harness.query_by_label_contains("Filtered out:").is_none());
}

#[test]
fn a_new_concept_s_name_is_selected_so_typing_replaces_it() {
    let mut harness = harness(Startup::Example);
    harness.get_by_label("Add concept").click();
    harness.run();
    harness.get_by_label("Concept name").type_text("Peer support");
    harness.run();
    assert_eq!(harness.state().document().concepts.last().unwrap().label, "Peer support");

    // A double-click on the canvas adds through the same `add_concept_at`, which asks for the
    // name field with its text selected.
    harness.key_press(Key::Escape);
    harness.run();
    harness.state_mut().add_concept_at(Pos2::new(0.0, 0.0));
    harness.run();
    harness.get_by_label("Concept name").type_text("Shared reflection");
    harness.run();
    assert_eq!(harness.state().document().concepts.last().unwrap().label, "Shared reflection");
}

/// The labels of the menu bar's and the toolbar's widgets that are on screen.
fn bar_widgets(harness: &Harness<'_, QualmapApp>) -> Vec<(String, egui::Rect)> {
    let names = [
        "File",
        "Edit",
        "View",
        "Help",
        "Fit",
        "Dark theme",
        "Add concept",
        "Add area",
        "Delete",
        "Support counts",
        "Filter",
        "Search",
        "Present",
        "Windows",
        "Inspector",
        "Evidence",
        "Codebook",
        "Sources",
        "Suggestions",
        "Story",
        "Relationship types",
    ];
    names.iter().filter_map(|name| harness.query_by_label(name).map(|node| (name.to_string(), node.rect()))).collect()
}

fn check_nothing_overlaps_at(width: f32, height: f32, text: qualmap::app::TextSize) {
    let mut harness = Harness::builder()
        .with_size(Vec2::new(width, height))
        .build_eframe(move |cc| QualmapApp::with_recovery_dir(cc, Startup::Example, None));
    harness.run();
    let ctx = harness.ctx.clone();
    harness.state_mut().set_ui_text_size(&ctx, text);
    harness.run();
    let screen = egui::Rect::from_min_size(Pos2::ZERO, Vec2::new(width, height));
    let widgets = bar_widgets(&harness);
    let names: Vec<&str> = widgets.iter().map(|(n, _)| n.as_str()).collect();
    for needed in ["File", "Add concept", "Support counts", "Filter", "Search", "Present"] {
        assert!(names.contains(&needed), "{needed} is missing at {width}×{height} ({text:?}): {names:?}");
    }
    assert!(names.contains(&"Windows") || names.contains(&"Story"), "window toggles are reachable: {names:?}");
    for (name, rect) in &widgets {
        assert!(screen.contains_rect(*rect), "{name} {rect:?} is off the {width}×{height} screen ({text:?})");
    }
    for (i, (a, ra)) in widgets.iter().enumerate() {
        for (b, rb) in &widgets[i + 1..] {
            let overlap = ra.intersect(*rb);
            assert!(
                overlap.width() <= 0.5 || overlap.height() <= 0.5,
                "{a} {ra:?} overlaps {b} {rb:?} at {width}×{height} ({text:?})"
            );
        }
    }
    // The inspector takes a modest share of the window.
    let inspector_left = harness.get_by_label("Map title").rect().left();
    assert!(width - inspector_left < 0.33 * width, "inspector from x = {inspector_left} of {width}");
    // Every relationship label the scene places is drawn (and can be clicked).
    let labelled = harness.state().drawn_scene().unwrap().edges.iter().filter(|e| e.label.is_some()).count();
    assert_eq!(harness.get_all_by_label_contains("Relationship: ").count(), labelled, "at {width}×{height}");
}

#[test]
fn nothing_overlaps_at_800_by_600() {
    use qualmap::app::TextSize;
    check_nothing_overlaps_at(800.0, 600.0, TextSize::Normal);
    check_nothing_overlaps_at(800.0, 600.0, TextSize::Larger);
}

#[test]
fn nothing_overlaps_at_1024_by_640() {
    use qualmap::app::TextSize;
    check_nothing_overlaps_at(1024.0, 640.0, TextSize::Normal);
    check_nothing_overlaps_at(1024.0, 640.0, TextSize::Large);
}

#[test]
fn nothing_overlaps_at_1920_by_1080() {
    use qualmap::app::TextSize;
    check_nothing_overlaps_at(1920.0, 1080.0, TextSize::Normal);
    check_nothing_overlaps_at(1920.0, 1080.0, TextSize::Larger);
}

#[test]
fn the_inspector_can_be_hidden_from_the_menu_bar() {
    let mut harness = Harness::builder()
        .with_size(Vec2::new(800.0, 600.0))
        .build_eframe(move |cc| QualmapApp::with_recovery_dir(cc, Startup::Example, None));
    harness.run();
    let canvas = harness.state().view().canvas_rect;
    harness.get_by_label("Map title");
    harness.get_by_label("Inspector").click();
    harness.run();
    assert!(harness.query_by_label("Map title").is_none(), "the inspector is hidden");
    assert!(!harness.state().prefs().show_inspector);
    // The canvas takes the room, and the fitted map is fitted to it.
    let wider = harness.state().view().canvas_rect;
    assert!(wider.width() > canvas.width() + 150.0, "{wider:?} vs {canvas:?}");
    let fitted = harness.state().view().fitted.unwrap();
    assert!((fitted.area.width() - wider.width()).abs() < 1.0, "{fitted:?}");
    assert_eq!(fitted.camera, harness.state().view().camera);
}

#[test]
fn text_sizes_are_remembered_and_the_map_s_follows_into_exports() {
    use qualmap::app::TextSize;
    use qualmap::scene::metrics::NODE_FONT;
    let mut harness = harness(Startup::Example);
    let body = |h: &Harness<'_, QualmapApp>| h.ctx.global_style().text_styles[&egui::TextStyle::Body].size;
    let normal = body(&harness);
    harness.get_by_label("View").click();
    harness.run();
    harness.get_by_label("Text Size").click();
    harness.run();
    harness.get_by_label("Larger").click();
    harness.run();
    assert_eq!(harness.state().prefs().ui_text, TextSize::Larger);
    assert!(body(&harness) > normal * 1.2, "{} vs {normal}", body(&harness));
    let small = harness.ctx.global_style().text_styles[&egui::TextStyle::Small].size;
    assert!(small >= body(&harness) * 0.85 - 1e-3, "notes stay readable: {small}");

    // The map's own text size: the scene's cards, and exports, follow it.
    harness.key_press(Key::Escape);
    harness.run();
    let fitted = harness.state().view().camera;
    harness.get_by_label("View").click();
    harness.run();
    harness.get_by_label("Map Text Size").click();
    harness.run();
    harness.get_by_label("Large").click();
    harness.run();
    assert_eq!(harness.state().prefs().map_text, TextSize::Large);
    let font = harness.state().drawn_scene().unwrap().nodes[0].label.font_size;
    assert!((font - NODE_FONT * TextSize::Large.map_scale()).abs() < 1e-4, "{font}");
    assert_ne!(harness.state().view().camera, fitted, "the larger map was fitted again");
    let options = qualmap::export::ExportOptions {
        text_scale: TextSize::Large.map_scale(),
        ..qualmap::export::ExportOptions::default()
    };
    let exported = qualmap::export::export_scene(harness.state().document(), &options, &qualmap::scene::ApproxMeasure);
    assert!((exported.nodes[0].label.font_size - font).abs() < 1e-4);

    // Presenting makes the map's text larger still.
    harness.key_press(Key::Escape);
    harness.run();
    harness.key_press(Key::F5);
    harness.run_steps(3);
    let presented = harness.state().drawn_scene().unwrap().nodes[0].label.font_size;
    assert!(presented > font * 1.15, "{presented} vs {font}");
}

#[test]
fn a_fitted_view_fits_again_when_the_window_changes_size() {
    let mut harness = harness(Startup::Example);
    let small = harness.state().view().camera;
    harness.set_size(Vec2::new(1800.0, 1100.0));
    harness.run();
    let large = harness.state().view().camera;
    assert!(large.zoom > small.zoom * 1.2, "{large:?} vs {small:?}");
    // Once the user has zoomed, the view is theirs: a resize leaves it.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Minus);
    harness.run();
    let chosen = harness.state().view().camera;
    harness.set_size(Vec2::new(1280.0, 800.0));
    harness.run();
    assert_eq!(harness.state().view().camera, chosen);
}

#[test]
fn the_presenter_view_opens_only_when_asked_beside_the_slides_and_keys_work_from_it() {
    let mut harness = harness(Startup::Example);
    harness.key_press(Key::F5);
    harness.run_steps(3);
    assert!(harness.query_by_label("Step 1 of 5").is_none(), "no presenter view until asked");
    assert!(!harness.state().presenting().unwrap().presenter_view);
    harness.key_press(Key::P);
    harness.run_steps(3);
    let heading = harness.get_by_label("Step 1 of 5").rect();
    // Beside the slides, never over them: every concept on the audience's side.
    harness.key_press(Key::ArrowRight);
    harness.key_press(Key::ArrowRight);
    harness.run_steps(40);
    let concepts: Vec<String> = harness.state().document().concepts.iter().map(|c| c.label.clone()).collect();
    let mut seen = 0;
    for label in &concepts {
        if let Some(node) = harness.query_by_label(label) {
            assert!(node.rect().right() <= heading.left(), "{label} {:?} under the presenter view", node.rect());
            seen += 1;
        }
    }
    assert!(seen > 10, "the map is on screen ({seen} concepts)");
    // Its buttons, then the keys, with the keyboard's focus inside the presenter view.
    harness.get_by_label("Previous step").click();
    harness.run_steps(3);
    assert_eq!(harness.state().presenting().unwrap().step, 1);
    harness.key_press(Key::ArrowRight);
    harness.run_steps(3);
    assert_eq!(harness.state().presenting().unwrap().step, 2, "arrow keys work after a click in the presenter view");
    harness.key_press(Key::ArrowLeft);
    harness.run_steps(3);
    assert_eq!(harness.state().presenting().unwrap().step, 1);
    // Remembered for the next time; P hides it again.
    assert!(harness.state().prefs().presenter_view);
    harness.key_press(Key::P);
    harness.run_steps(3);
    assert!(harness.query_by_label_contains("Step 2 of").is_none());
}

/// Chinese and Japanese are typed through an input method: the platform sends the composition
/// (preedit) and then the chosen characters (commit). egui receives both through winit; this
/// drives a concept's name field with the events an IME sends and checks that only the
/// committed text lands, as one undoable edit.
#[test]
fn an_input_method_types_chinese_and_japanese_into_a_name() {
    use egui::{Event, ImeEvent};
    let mut harness = harness(Startup::Example);
    harness.get_by_label("Add concept").click();
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.run();
    let ime = |harness: &mut Harness<'static, QualmapApp>, event: ImeEvent| {
        harness.event(Event::Ime(event));
        harness.run();
    };
    let preedit = |text: &str| ImeEvent::Preedit { text: text.to_owned(), active_range_chars: None };
    // Pinyin "daoshi" composing, then 导师 chosen.
    ime(&mut harness, preedit("dao"));
    ime(&mut harness, preedit("daoshi"));
    ime(&mut harness, preedit("导师"));
    ime(&mut harness, ImeEvent::Commit("导师".to_owned()));
    // Then Japanese: "jishin" composed into 自信.
    ime(&mut harness, preedit("じしん"));
    ime(&mut harness, preedit("自信"));
    ime(&mut harness, ImeEvent::Commit("自信".to_owned()));
    ime(&mut harness, preedit(""));
    harness.key_press(Key::Escape);
    harness.run();
    let newest = harness.state().document().concepts.last().unwrap().clone();
    assert_eq!(newest.label, "导师自信", "only what the input method committed is in the name");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(harness.state().document().concept(newest.id).unwrap().label, "New concept");
}

/// An Arabic excerpt typed and a Hindi one pasted into the evidence editor are saved exactly as
/// typed (the field shows right-to-left text in visual order only while it is not being edited).
#[test]
fn evidence_in_arabic_and_hindi_is_saved_as_typed() {
    let mut harness = harness(Startup::Example);
    harness.get_by_label("Relationship: Problem solving underpins Personal well-being").click();
    harness.run();
    harness.get_by_label("Add evidence…").click();
    harness.run();
    harness.get_by_label("Excerpt text").click();
    harness.run();
    let arabic = "ساعدني المرشد على حل المشكلة في 3 أسابيع.";
    harness.get_by_label("Excerpt text").type_text(arabic);
    harness.run();
    harness.event(egui::Event::Paste("\nमुझे आत्मविश्वास मिला।".to_owned()));
    harness.run();
    let coder = || egui_kittest::kittest::by().role(egui::accesskit::Role::TextInput).label("Coder");
    harness.get(coder()).click();
    harness.run();
    harness.get(coder()).type_text("ليلى");
    harness.run();
    harness.get_by_label("Save").click();
    harness.run();
    let added = harness.state().document().evidence.last().unwrap().clone();
    assert_eq!(added.excerpt, format!("{arabic}\nमुझे आत्मविश्वास मिला।"));
    assert_eq!(added.coder, "ليلى");
}

/// The command palette (Ctrl+Shift+P) finds a concept by part of its name and goes to it; Ctrl+K
/// opens it too, and runs an action chosen by typing.
#[test]
fn the_command_palette_goes_to_a_concept_and_runs_an_action() {
    let mut harness = harness(Startup::Example);
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::P);
    harness.run();
    let field = harness.get_by_label("Command palette");
    assert!(field.is_focused(), "the palette takes the keyboard");
    field.type_text("confid prof");
    harness.run();
    harness.get_by_label("Go to: Confidence in the professional role");
    harness.key_press(Key::Enter);
    harness.run();
    let id = concept_id(&harness, "Confidence in the professional role");
    assert_eq!(harness.state().view().selection, [ItemRef::Concept(id)].into());
    assert!(harness.query_by_label("Command palette").is_none(), "Enter closes it");
    // An action: typed, chosen with the arrow keys' first match, run with Enter.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::K);
    harness.run();
    harness.get_by_label("Command palette").type_text("keyboard shortcuts");
    harness.run();
    harness.key_press(Key::Enter);
    harness.run();
    harness.get_by_label("Keyboard shortcuts");
    // Escape closes the palette without doing anything.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::K);
    harness.run();
    harness.get_by_label("Command palette").type_text("delete");
    harness.run();
    harness.key_press(Key::Escape);
    harness.run();
    assert!(harness.query_by_label("Command palette").is_none());
    assert_eq!(harness.state().document().concepts.len(), 19, "nothing was deleted");
}

/// Right-clicking a concept offers what can be done with it; Pin pins it, Delete deletes it.
#[test]
fn a_concept_s_context_menu_pins_and_deletes_it() {
    let mut harness = harness(Startup::Example);
    let id = concept_id(&harness, "Problem solving");
    harness.get_by_label("Problem solving").click_secondary();
    harness.run();
    assert_eq!(harness.state().view().selection, [ItemRef::Concept(id)].into(), "right-click selects it");
    harness.get_by_label("Add Evidence…");
    // Menu entries carry their shortcut ("… P") in their label.
    harness.get_by_label_contains("Pin or Unpin Selected Concepts").click();
    harness.run();
    assert!(harness.state().document().concept(id).unwrap().pinned);
    // The card on the canvas (the inspector now shows the name too).
    let card = || egui_kittest::kittest::by().role(egui::accesskit::Role::Button).label("Problem solving");
    harness.get(card()).click_secondary();
    harness.run();
    harness.get_by_label("Delete Delete").click();
    harness.run();
    assert!(harness.state().document().concept(id).is_none());
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert!(harness.state().document().concept(id).is_some(), "undo brings it back");
}

/// Right-clicking the empty canvas offers to add a concept there.
#[test]
fn the_empty_canvas_s_context_menu_adds_a_concept_there() {
    let mut harness = harness(Startup::Example);
    let canvas = harness.state().view().canvas_rect;
    let spot = canvas.min + Vec2::new(12.0, 12.0);
    harness.event(egui::Event::PointerMoved(spot));
    harness.run();
    for pressed in [true, false] {
        harness.event(egui::Event::PointerButton {
            pos: spot,
            button: egui::PointerButton::Secondary,
            pressed,
            modifiers: Modifiers::NONE,
        });
        harness.run();
    }
    harness.get_by_label("Add Concept Here").click();
    harness.run();
    let doc = harness.state().document();
    assert_eq!(doc.concepts.len(), 20);
    let added = doc.concepts.last().unwrap();
    let camera = harness.state().view().camera;
    let world = camera.world_from_screen(canvas, spot);
    assert!((added.pos.x - world.x).abs() < 2.0 && (added.pos.y - world.y).abs() < 2.0, "{:?} vs {world:?}", added.pos);
}

/// Help ▸ Keyboard Shortcuts lists every action that has a shortcut, the mouse gestures and
/// every key of presenting — generated from the action table, so nothing is left out.
#[test]
fn keyboard_shortcut_help_is_complete() {
    let mut harness = harness(Startup::Example);
    harness.key_press(Key::F1);
    harness.run();
    harness.get_by_label("Keyboard shortcuts");
    for text in [
        "Add Concept",
        "Add Area",
        "Add Evidence…",
        "Search",
        "Export…",
        "Command Palette…",
        "Present",
        "draw a relationship to another concept or area",
        "next step (or the spotlight's next excerpt)",
        "laser pointer on or off",
    ] {
        assert!(harness.query_all_by_label(text).next().is_some(), "the help leaves out {text:?}");
    }
}

/// Explore ▸ Paths lists the paths from one selected item to another, a click picks one out on
/// the map with its steps' support; Focus fades all but the neighbourhood and the canvas says so.
#[test]
fn explore_lists_paths_between_two_items_and_focuses_the_map() {
    let mut harness = harness(Startup::Example);
    let from = concept_id(&harness, "Problem solving");
    let to = harness.state().document().areas.iter().find(|a| a.label == "Personal well-being").unwrap().id;
    harness.state_mut().view_mut().selection = [ItemRef::Concept(from), ItemRef::Area(to)].into_iter().collect();
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::X);
    harness.run();
    harness.get_by_label_contains("Problem solving → Personal well-being: ");
    let direct = "1. Problem solving → Personal well-being";
    harness.get_by_label(direct).click();
    harness.run();
    // The path is picked out on the map, with its relationship, and its step's support listed.
    let highlight = &harness.state().view().highlight;
    assert!(highlight.contains(&ItemRef::Concept(from)) && highlight.contains(&ItemRef::Area(to)));
    assert!(highlight.iter().any(|i| matches!(i, ItemRef::Relationship(_))), "{highlight:?}");
    harness.get_by_label_contains("excerpts · ");
    harness.get_by_label("Focus on the selection").click();
    harness.run();
    let focus = harness.state().view().focus.as_ref().expect("focused");
    assert!(focus.items.contains(&ItemRef::Concept(from)));
    let everything = harness.state().document().concepts.len();
    let kept = focus.items.iter().filter(|i| matches!(i, ItemRef::Concept(_))).count();
    assert!(kept < everything, "one step keeps part of the map: {kept} of {everything}");
    harness.get_by_label_contains("Focused within one step of Problem solving, Personal well-being");
    harness.get_by_label("Clear focus").click();
    harness.run();
    assert!(harness.state().view().focus.is_none());
}

/// Steps the app until a comparison or merge has read the other copy.
fn wait_for_team_work(harness: &mut Harness<'_, QualmapApp>) {
    for _ in 0..3000 {
        harness.step();
        if !harness.state().team_work_running() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    harness.run();
}

/// A copy of the example with one concept renamed and one relationship deleted, saved in `dir`.
fn edited_copy(dir: &std::path::Path) -> std::path::PathBuf {
    use qualmap::command::{Command, Element, delete_items};
    let mut doc = qualmap::model::example::document();
    let mut coping = doc.concepts.iter().find(|c| c.label == "Coping").unwrap().clone();
    coping.label = "Coping well".to_owned();
    Command::Update(Element::Concept(coping)).apply(&mut doc).unwrap();
    let gone = doc.relationships[0].id;
    delete_items(&doc, &[ItemRef::Relationship(gone)]).apply(&mut doc).unwrap();
    let path = dir.join("copy.qualmap");
    qualmap::model::io::save_path(&doc, &path).unwrap();
    path
}

#[test]
fn comparing_with_another_copy_lists_and_marks_what_differs() {
    let mut harness = harness(Startup::Example);
    let dir = tempfile::tempdir().unwrap();
    let path = edited_copy(dir.path());
    let ctx = harness.ctx.clone();
    harness.state_mut().compare_with_path(&ctx, path);
    wait_for_team_work(&mut harness);
    let compare = harness.state().view().compare.clone().expect("a comparison");
    // From the copy to this map: this map has "Coping" where the copy says "Coping well", and
    // the relationship the copy deleted.
    let coping = concept_id(&harness, "Coping");
    assert!(compare.changed.contains(&ItemRef::Concept(coping)));
    assert_eq!(compare.added.len(), 1, "{:?}", compare.added);
    harness.get_by_label("Compared with copy.qualmap");
    harness.get_by_label_contains("~ concept Coping: label").click();
    harness.run();
    assert!(harness.state().view().selection.contains(&ItemRef::Concept(coping)), "a row selects its item");
    // Stepping goes through every difference in turn, selecting those drawn on the map.
    let mut selected = std::collections::BTreeSet::new();
    for _ in 0..compare.changes.len() {
        harness.get_by_label("Next").click();
        harness.run();
        selected.extend(harness.state().view().selection.iter().copied());
    }
    assert!(selected.is_superset(&compare.changed) && selected.is_superset(&compare.added), "{selected:?}");
    harness.get_by_label("Stop comparing").click();
    harness.run();
    assert!(harness.state().view().compare.is_none());
}

#[test]
fn merging_a_conflicted_copy_lists_conflicts_to_settle_and_undoes_as_one_step() {
    let mut harness = harness(Startup::Example);
    let coping = concept_id(&harness, "Coping");
    let mut concept = harness.state().document().concept(coping).unwrap().clone();
    concept.label = "Coping better".to_owned();
    harness.state_mut().apply(qualmap::command::Command::Update(qualmap::command::Element::Concept(concept)));
    let dir = tempfile::tempdir().unwrap();
    let path = edited_copy(dir.path());
    let ctx = harness.ctx.clone();
    harness.state_mut().merge_with_path(&ctx, path);
    wait_for_team_work(&mut harness);
    let doc = harness.state().document();
    assert!(!doc.conflicts.is_empty());
    let relationships = doc.relationships.len();
    assert_eq!(relationships, qualmap::model::example::document().relationships.len(), "nothing is deleted");
    // The Conflicts window lists the label conflict with both sides.
    harness.get_by_label("Concept “Coping better” · label");
    harness.get_by_label("Coping well");
    let before = harness.state().document().conflicts.len();
    let keep = harness.get_all_by_label("Keep theirs").next().expect("a choice per conflict");
    keep.click();
    harness.run();
    assert_eq!(harness.state().document().conflicts.len(), before - 1);
    // Undo brings the conflict back; undo again takes the whole merge back.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(harness.state().document().conflicts.len(), before);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert!(harness.state().document().conflicts.is_empty());
    assert_eq!(harness.state().document().concept(coping).unwrap().label, "Coping better");
}

#[test]
fn betweenness_can_colour_the_map_or_widen_outlines() {
    let mut harness = harness(Startup::Example);
    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::X);
    harness.run();
    harness.get_by_label("Structure").click();
    settle(&mut harness);
    for _ in 0..300 {
        if harness.query_by_label("Show betweenness on the map").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
        harness.step();
    }
    harness.get_by_label("Show betweenness on the map").click();
    harness.run();
    harness.get_by_label("as colour").click();
    harness.run();
    let tint = harness.state().view().tint.clone().expect("the map is coloured");
    assert!(tint.name.starts_with("betweenness"));
    assert_eq!(tint.values.len(), harness.state().document().concepts.len(), "every concept has a colour");
    assert!(harness.state().view().emphasis.is_none());
    harness.get_by_label("Show betweenness on the map").click();
    harness.run();
    harness.get_by_label("as outline width").click();
    harness.run();
    assert!(harness.state().view().emphasis.is_some(), "outlines instead");
    assert!(harness.state().view().tint.is_none(), "and no colours");
}

#[test]
fn the_inspector_lists_an_item_s_memos_apart_from_its_evidence_and_deletes_one_with_undo() {
    let mut harness = harness(Startup::Example);
    let coping = ItemRef::Concept(concept_id(&harness, "Coping"));
    for (author, stance, text) in
        [("Kestrel", Some(qualmap::model::Stance::Agree), "It kept me in the job"), ("سارا", None, "الثقة جاءت لاحقاً")]
    {
        let memo = qualmap::model::Memo {
            id: harness.state().document().next_memo_id(),
            item: coping,
            author: author.to_owned(),
            stance,
            text: text.to_owned(),
            written_at: "2026-03-05T14:02:11Z".to_owned(),
        };
        harness.state_mut().apply(qualmap::command::Command::AddMemo(memo));
    }
    harness.run();
    assert!(harness.query_by_label("Comments and memos (2)").is_none(), "nothing selected yet");
    harness.get_by_label("Coping").click();
    harness.run();
    // The memos do not count as evidence.
    harness.get_by_label_contains("Evidence (1 excerpt, 1 participant)");
    harness.get_by_label("Comments and memos (2)");
    harness.get_by_label("Kestrel");
    harness.get_by_label("Agree · 2026-03-05T14:02:11Z");
    harness.get_by_label("It kept me in the job");
    // The Arabic author and text are drawn through the bidi helper, named as typed.
    harness.get_by_label("سارا");
    harness.get_by_label("الثقة جاءت لاحقاً");

    let delete = harness.get_by_label("Delete memo by Kestrel");
    delete.scroll_to_me();
    harness.run();
    harness.get_by_label("Delete memo by Kestrel").click();
    harness.run();
    let authors = |harness: &Harness<'_, QualmapApp>| -> Vec<String> {
        harness.state().document().memos.iter().map(|m| m.author.clone()).collect()
    };
    assert_eq!(authors(&harness), ["سارا"]);
    assert_eq!(harness.state().undo_label(), Some("Delete memo"));
    harness.get_by_label("Comments and memos (1)");
    assert!(harness.query_by_label("Kestrel").is_none());

    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(authors(&harness), ["Kestrel", "سارا"]);
    harness.get_by_label("Comments and memos (2)");
    harness.get_by_label("Kestrel");
}
