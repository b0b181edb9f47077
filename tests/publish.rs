//! `qualmap publish` through the real binary, with a small browser build: the site's files, its
//! page pointed at the map and titled after it, read-only on request, the same bytes every time,
//! and the folders and maps it refuses.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

mod room_client;

use std::path::Path;
use std::process::{Command, Output};

use room_client::bundle;

fn publish(map: &Path, out: &Path, web: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qualmap"))
        .arg("publish")
        .arg(map)
        .arg("-o")
        .arg(out)
        .arg("--web")
        .arg(web)
        .args(extra)
        .output()
        .unwrap()
}

/// Every file under `dir`, by its path relative to it, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                found.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn a_published_site_holds_the_app_the_map_and_its_fonts_the_same_every_time() {
    let dir = tempfile::tempdir().unwrap();
    let web = dir.path().join("web");
    bundle(&web);
    let map = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/mentoring-benefits.qualmap");
    let site = dir.path().join("site");
    let output = publish(&map, &site, &web, &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let first = files(&site);
    let names: Vec<&str> = first.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["fonts/OFL.txt", "fonts/Test-Regular.ttf", "index.html", "map.qualmap", "qualmap.js", "qualmap_bg.wasm"]
    );
    // Nothing but the build's own files: what lay beside it stays behind.
    assert!(!names.iter().any(|n| n.contains("secret")));
    // The map as given, byte for byte; the app's files as built.
    let bytes = |name: &str| &first.iter().find(|(n, _)| n == name).unwrap().1;
    assert_eq!(bytes("map.qualmap"), &std::fs::read(&map).unwrap());
    assert_eq!(bytes("qualmap_bg.wasm"), &std::fs::read(web.join("qualmap_bg.wasm")).unwrap());
    let page = String::from_utf8(bytes("index.html").clone()).unwrap();
    assert!(page.contains(r#"<canvas id="qualmap_canvas" data-map="map.qualmap"></canvas>"#), "{page}");
    // The test build's page has no title: it gets one, in a head of its own.
    assert!(page.contains("<title>Mentoring for NHS doctors: perceived benefits — Qualmap</title>"), "{page}");

    // Again into the same folder, and into another: the same bytes.
    assert!(publish(&map, &site, &web, &[]).status.success());
    assert_eq!(files(&site), first);
    let again = dir.path().join("again");
    assert!(publish(&map, &again, &web, &[]).status.success());
    assert_eq!(files(&again), first);

    // Read-only: the page says so; nothing else changes.
    let read_only = dir.path().join("read-only");
    assert!(publish(&map, &read_only, &web, &["--read-only"]).status.success());
    let page = std::fs::read_to_string(read_only.join("index.html")).unwrap();
    assert!(page.contains(r#"data-map="map.qualmap" data-readonly="true""#), "{page}");
    assert_eq!(files(&read_only).len(), first.len());
}

#[test]
fn the_title_is_escaped_and_a_foreign_folder_or_a_bad_map_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let web = dir.path().join("web");
    bundle(&web);
    // A title that would otherwise end the page's <title> and run a script.
    let mut doc = qualmap::model::example::document();
    doc.info.title = "Coping </title><script>alert(1)</script> & more".to_owned();
    let map = dir.path().join("hostile.qualmap");
    qualmap::model::io::save_path(&doc, &map).unwrap();
    let site = dir.path().join("site");
    assert!(publish(&map, &site, &web, &[]).status.success());
    let page = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(
        page.contains("<title>Coping &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; more — Qualmap</title>"),
        "{page}"
    );
    assert!(!page.contains("<script>alert"));

    // A folder holding someone's other files is left alone.
    let thesis = dir.path().join("thesis");
    std::fs::create_dir(&thesis).unwrap();
    std::fs::write(thesis.join("chapter-4.docx"), b"words").unwrap();
    let output = publish(&map, &thesis, &web, &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("holds other files"));
    assert_eq!(std::fs::read_dir(&thesis).unwrap().count(), 1);

    // A file that is not a map: refused before anything is written.
    let bad = dir.path().join("notes.qualmap");
    std::fs::write(&bad, b"not json").unwrap();
    let fresh = dir.path().join("fresh");
    let output = publish(&bad, &fresh, &web, &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("notes.qualmap"));
    assert!(!fresh.exists());

    // No browser build where named: says what is missing.
    let output = publish(&map, &dir.path().join("x"), &dir.path().join("nowhere"), &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nowhere"));
}
