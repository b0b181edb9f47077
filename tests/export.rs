//! Exports: every format byte-stable, images bounded and legible, graph files complete.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use qualmap::export::{ExportError, ExportOptions, Format, export_bytes, export_scene, svg_to_png};
use qualmap::model::{Document, example};
use qualmap::scene::{EguiMeasure, ThemeKind, headless_context};

fn doc() -> Document {
    example::document()
}

fn export(format: Format, options: &ExportOptions) -> Vec<u8> {
    let ctx = headless_context();
    export_bytes(&doc(), format, options, &EguiMeasure(&ctx)).unwrap()
}

#[test]
fn every_format_is_byte_identical_across_runs() {
    let options = ExportOptions { caption: true, ..ExportOptions::default() };
    for format in Format::ALL {
        let first = export(format, &options);
        let second = export(format, &options);
        assert!(!first.is_empty(), "{format:?}");
        assert!(first == second, "{format:?} differs between two runs");
    }
}

#[test]
fn svg_has_real_text_and_named_groups() {
    let svg = String::from_utf8(export(Format::Svg, &ExportOptions::default())).unwrap();
    let d = doc();
    for concept in &d.concepts {
        assert!(svg.contains(&format!("id=\"concept-{}\"", concept.id.0)));
        // Every word of the label is in a <tspan> (labels wrap over lines).
        for word in concept.label.split_whitespace() {
            assert!(svg.contains(&qualmap::export::svg::xml_escape(word)), "{word}");
        }
    }
    for area in &d.areas {
        assert!(svg.contains(&format!("id=\"area-{}\" class=\"area\" data-provenance=\"paper\"", area.id.0)));
    }
    assert!(svg.contains("class=\"relationship\" data-type=\"underpins\" data-provenance=\"paper\""));
    assert!(svg.matches("<text").count() > d.concepts.len() + d.areas.len());
    assert!(svg.contains("<title>Mentoring for NHS doctors: perceived benefits</title>"));
}

#[test]
fn nothing_drawn_falls_outside_the_image() {
    for theme in ThemeKind::ALL {
        let options = ExportOptions { theme, caption: true, ..ExportOptions::default() };
        let svg = String::from_utf8(export(Format::Svg, &options)).unwrap();
        let fontdb = {
            let mut db = usvg::fontdb::Database::new();
            db.load_font_data(epaint_default_fonts::UBUNTU_LIGHT.to_vec());
            std::sync::Arc::new(db)
        };
        let tree = usvg::Tree::from_str(&svg, &usvg::Options { fontdb, ..Default::default() }).unwrap();
        let size = tree.size();
        let bounds = tree.root().abs_stroke_bounding_box();
        // With the real font laid out, every shape and glyph lies inside the canvas.
        assert!(bounds.left() >= -0.5 && bounds.top() >= -0.5, "{theme:?}: {bounds:?}");
        assert!(
            bounds.right() <= size.width() + 0.5 && bounds.bottom() <= size.height() + 0.5,
            "{theme:?}: {bounds:?} in {size:?}"
        );
        // And the text is text: glyphs were found for it.
        assert!(tree.root().has_children());
    }
}

fn png_size(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

#[test]
fn png_scales_and_keeps_its_background_choice() {
    let (w1, h1, _) = png_size(&export(Format::Png, &ExportOptions { scale: 1.0, ..ExportOptions::default() }));
    let (w2, h2, pixels) = png_size(&export(Format::Png, &ExportOptions { scale: 2.0, ..ExportOptions::default() }));
    assert!((w2 as i64 - 2 * w1 as i64).abs() <= 2 && (h2 as i64 - 2 * h1 as i64).abs() <= 2, "{w1}×{h1} → {w2}×{h2}");
    // Opaque background in the light theme's page colour.
    assert_eq!(&pixels[0..4], &[0xfb, 0xfa, 0xf7, 0xff]);
    let (w, _, _) = png_size(&export(Format::Png, &ExportOptions { width_px: Some(1000), ..ExportOptions::default() }));
    assert_eq!(w, 1000);
    let (_, _, pixels) =
        png_size(&export(Format::Png, &ExportOptions { transparent: true, ..ExportOptions::default() }));
    assert_eq!(pixels[3], 0, "transparent corner");
}

#[test]
fn png_pixels_match_a_second_renderer_loosely() {
    // The map is drawn: many pixels differ from the page colour, in the middle of the image.
    let (w, h, pixels) = png_size(&export(Format::Png, &ExportOptions { scale: 1.0, ..ExportOptions::default() }));
    let inked = pixels.chunks(4).filter(|p| p[0] < 0xe0 || p[1] < 0xe0 || p[2] < 0xe0).count();
    let share = inked as f64 / f64::from(w * h);
    assert!((0.05..0.9).contains(&share), "{share}");
}

#[test]
fn huge_images_are_refused_not_attempted() {
    let ctx = headless_context();
    let measure = EguiMeasure(&ctx);
    let options = ExportOptions { width_px: Some(200_000), ..ExportOptions::default() };
    let err = export_bytes(&doc(), Format::Png, &options, &measure).unwrap_err();
    assert!(matches!(err, ExportError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("pixels"));
    assert!(svg_to_png("<svg", &ExportOptions::default()).is_err());
}

#[test]
fn pdf_is_vector_with_the_font_embedded() {
    let pdf = export(Format::Pdf, &ExportOptions::default());
    assert!(pdf.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("/FontFile2"), "embedded TrueType font");
    assert!(!text.contains("/Subtype /Image"), "no raster images inside");
}

#[test]
fn dark_theme_lines_stand_out_from_the_page() {
    let ctx = headless_context();
    let options = ExportOptions { theme: ThemeKind::Dark, ..ExportOptions::default() };
    let scene = export_scene(&doc(), &options, &EguiMeasure(&ctx));
    let luminance =
        |c: egui::Color32| 0.2126 * f32::from(c.r()) + 0.7152 * f32::from(c.g()) + 0.0722 * f32::from(c.b());
    let page = luminance(qualmap::scene::MapTheme::new(ThemeKind::Dark).background);
    for edge in &scene.edges {
        assert!(luminance(edge.color) - page > 60.0, "edge {} too dark: {:?}", edge.id, edge.color);
    }
}

fn xml_count(text: &str, tag: &str) -> usize {
    let doc = roxmltree::Document::parse(text).unwrap();
    doc.descendants().filter(|n| n.tag_name().name() == tag).count()
}

#[test]
fn graph_formats_hold_every_node_and_edge() {
    let d = doc();
    let nodes = d.concepts.len() + d.areas.len();
    let edges = d.relationships.len();
    let graphml = String::from_utf8(export(Format::GraphMl, &ExportOptions::default())).unwrap();
    assert_eq!(xml_count(&graphml, "node"), nodes);
    assert_eq!(xml_count(&graphml, "edge"), edges);
    let gexf = String::from_utf8(export(Format::Gexf, &ExportOptions::default())).unwrap();
    assert_eq!(xml_count(&gexf, "node"), nodes);
    assert_eq!(xml_count(&gexf, "edge"), edges);
    assert_eq!(xml_count(&gexf, "position"), nodes);
    let dot = String::from_utf8(export(Format::Dot, &ExportOptions::default())).unwrap();
    assert!(dot.starts_with("digraph map {"));
    assert_eq!(dot.matches(" -> ").count(), edges);
    let canvas: serde_json::Value = serde_json::from_slice(&export(Format::Canvas, &ExportOptions::default())).unwrap();
    assert_eq!(canvas["nodes"].as_array().unwrap().len(), nodes);
    assert_eq!(canvas["edges"].as_array().unwrap().len(), edges);
}

#[test]
fn appendix_lists_every_supporting_excerpt() {
    let d = doc();
    let links: usize = d.evidence.iter().map(|e| e.links.len()).sum();
    let csv = String::from_utf8(export(Format::Csv, &ExportOptions::default())).unwrap();
    assert_eq!(csv.lines().count(), links + 1, "a header and one row per link");
    let md = String::from_utf8(export(Format::Markdown, &ExportOptions::default())).unwrap();
    assert!(md.contains("## Relationship: Problem solving underpins Professional practice"));
    assert!(md.contains("illustrative, not a participant's words"));
    let html = String::from_utf8(export(Format::Html, &ExportOptions::default())).unwrap();
    assert!(html.contains("<h2 id=\"concept-3\">Concept: Confidence in the professional role</h2>"));
    // Under a filter only the evidence that counts is listed.
    let mut mentors = ExportOptions::default();
    mentors.filter.attributes.entry("role".to_owned()).or_default().insert("mentor".to_owned());
    let filtered = String::from_utf8(export(Format::Csv, &mentors)).unwrap();
    assert!(filtered.lines().count() < csv.lines().count());
    assert!(filtered.lines().skip(1).all(|l| l.contains("role: mentor")));
}

#[test]
fn formats_come_from_file_names() {
    use std::path::Path;
    assert_eq!(Format::from_path(Path::new("a/figure.SVG")), Some(Format::Svg));
    assert_eq!(Format::from_path(Path::new("appendix.markdown")), Some(Format::Markdown));
    assert_eq!(Format::from_path(Path::new("graph.gv")), Some(Format::Dot));
    assert_eq!(Format::from_path(Path::new("map.docx")), None);
}

#[test]
fn the_presentation_exports_as_a_handout_one_page_per_step() {
    let ctx = headless_context();
    let measure = EguiMeasure(&ctx);
    let d = doc();
    let pdf = qualmap::export::handout_pdf(&d, &ExportOptions::default(), &measure).unwrap();
    let text = String::from_utf8_lossy(&pdf);
    assert_eq!(text.matches("/Type /Page\n").count() + text.matches("/Type /Page ").count(), d.presentation.len());
    assert_eq!(pdf, qualmap::export::handout_pdf(&d, &ExportOptions::default(), &measure).unwrap(), "byte-stable");
    let svgs = qualmap::export::presentation_svgs(&d, &ExportOptions::default(), &measure);
    // Step 1 shows the areas but not the processes; step 3 adds them.
    assert!(!svgs[0].contains(">Problem solving<"));
    assert!(svgs[2].contains(">Problem solving<"));
    assert!(svgs[4].contains("Filter in force: role = mentor"));
    let pngs =
        qualmap::export::handout_pngs(&d, &ExportOptions { scale: 1.0, ..ExportOptions::default() }, &measure).unwrap();
    assert_eq!(pngs.len(), d.presentation.len());
    assert_eq!(pngs[0].0, "step-01.png");
}
