//! Frame-time benchmark of the map canvas (issue 5): the CPU work of one frame — turning the
//! cached scene into egui shapes through the camera (culling with the scene's spatial index,
//! level of detail by zoom) and egui's tessellation of those shapes into triangles — measured
//! headless, plus the scene rebuild that follows an edit.
//!
//! ```sh
//! cargo bench --bench frame
//! ```
//!
//! Targets: ≤ 4 ms for 1,000 concepts with every label drawn, ≤ 8 ms for 10,000 concepts zoomed
//! out, ≤ 1 ms for 10,000 concepts zoomed in on a small part.

use std::collections::BTreeSet;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use egui::{Pos2, Rect, pos2, vec2};
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use qualmap::app::canvas::{Camera, Marks, paint_scene};
use qualmap::model::Document;
use qualmap::model::generate::{Spec, generated};
use qualmap::scene::{EguiMeasure, MapTheme, Scene, SceneOptions, ThemeKind, build_scene, headless_context};

/// One frame: paint the scene into a canvas of `size` points and tessellate the result.
/// Returns the number of triangles, so the work cannot be optimised away.
fn frame(ctx: &egui::Context, scene: &Scene, camera: &Camera, size: egui::Vec2) -> usize {
    let theme = MapTheme::new(ThemeKind::Light);
    let none = BTreeSet::new();
    let marks = Marks { selection: &none, highlight: &none, only: None, drag: None, pins: false };
    let input =
        egui::RawInput { screen_rect: Some(Rect::from_min_size(Pos2::ZERO, size)), ..egui::RawInput::default() };
    let output = ctx.run_ui(input, |ui| {
        let canvas = ui.max_rect();
        let painter = ui.painter_at(canvas);
        paint_scene(&painter, scene, &theme, camera, canvas, &marks);
    });
    let primitives = ctx.tessellate(output.shapes, output.pixels_per_point);
    primitives
        .iter()
        .map(|p| match &p.primitive {
            egui::epaint::Primitive::Mesh(mesh) => mesh.indices.len() / 3,
            egui::epaint::Primitive::Callback(_) => 0,
        })
        .sum()
}

fn scene_of(ctx: &egui::Context, doc: &Document) -> Scene {
    build_scene(doc, &SceneOptions::new(ThemeKind::Light), &EguiMeasure(ctx))
}

fn benches(c: &mut Criterion) {
    let ctx = headless_context();
    let thousand = generated(Spec { concepts: 1_000, relationships: 1_250, evidence: 5_000, seed: 1 });
    let large = generated(Spec::LARGE);
    let scene_1k = scene_of(&ctx, &thousand);
    let scene_10k = scene_of(&ctx, &large);

    let mut group = c.benchmark_group("frame");
    group.sample_size(30).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    // 1,000 concepts on a 4K canvas, fitted: every card in full detail with its label drawn.
    let uhd = vec2(3840.0, 2160.0);
    let camera = Camera::fit(scene_1k.bounds, Rect::from_min_size(Pos2::ZERO, uhd));
    println!("1k fitted at 4K: zoom {:.2}, {} triangles", camera.zoom, frame(&ctx, &scene_1k, &camera, uhd));
    group.bench_function("1k concepts, all labels drawn (4K)", |b| {
        b.iter(|| black_box(frame(&ctx, &scene_1k, &camera, uhd)))
    });
    // 10,000 concepts, the whole map in a laptop window.
    let window = vec2(1280.0, 800.0);
    let camera = Camera::fit(scene_10k.bounds, Rect::from_min_size(Pos2::ZERO, window));
    println!("10k zoomed out: zoom {:.3}, {} triangles", camera.zoom, frame(&ctx, &scene_10k, &camera, window));
    group
        .bench_function("10k concepts, zoomed out", |b| b.iter(|| black_box(frame(&ctx, &scene_10k, &camera, window))));
    // 10,000 concepts, zoomed in at 100 % on the middle of the map.
    let middle = scene_10k.bounds.center();
    let camera = Camera { center: pos2(middle.x, middle.y), zoom: 1.0 };
    println!("10k zoomed in: {} triangles", frame(&ctx, &scene_10k, &camera, window));
    group.bench_function("10k concepts, zoomed in", |b| b.iter(|| black_box(frame(&ctx, &scene_10k, &camera, window))));
    group.finish();

    // What an edit costs: the scene is rebuilt from the document.
    let mut group = c.benchmark_group("scene rebuild");
    group.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(4));
    group.bench_function("1k concepts", |b| b.iter(|| black_box(scene_of(&ctx, &thousand).nodes.len())));
    group.bench_function("10k concepts, 30k relationships, 100k evidence", |b| {
        b.iter(|| black_box(scene_of(&ctx, &large).nodes.len()))
    });
    group.finish();
}

criterion_group!(frame_benches, benches);
criterion_main!(frame_benches);
