//! Exports: every format byte-stable, images bounded and legible, graph files complete.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

mod common;

use qualmap::export::{ExportError, ExportOptions, Format, export_bytes, export_scene, svg_to_png};
use qualmap::model::support::{EvidenceFilter, SupportMode, support_counts};
use qualmap::model::{Document, ItemRef, Stance, example};
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
fn the_appendix_gives_each_concept_s_structure_measures() {
    let d = doc();
    let md = String::from_utf8(export(Format::Markdown, &ExportOptions::default())).unwrap();
    let section = md.split("## Concept: Problem solving\n").nth(1).expect("Problem solving's section");
    let section = section.split("## ").next().unwrap();
    assert!(section.contains("- Relationships: 0 in, 3 out; betweenness 0.000; neighbours in 3 areas"), "{section}");
    assert_eq!(md.matches("- Relationships: ").count(), d.concepts.len(), "one line per concept");
    let html = String::from_utf8(export(Format::Html, &ExportOptions::default())).unwrap();
    assert_eq!(html.matches("<p class=\"meta\">Relationships: ").count(), d.concepts.len());
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
fn the_story_exports_as_a_handout_one_page_per_step() {
    let ctx = headless_context();
    let measure = EguiMeasure(&ctx);
    let d = doc();
    let pdf = qualmap::export::handout_pdf(&d, &ExportOptions::default(), &measure).unwrap();
    let text = String::from_utf8_lossy(&pdf);
    assert_eq!(text.matches("/Type /Page\n").count() + text.matches("/Type /Page ").count(), d.story.len());
    assert_eq!(pdf, qualmap::export::handout_pdf(&d, &ExportOptions::default(), &measure).unwrap(), "byte-stable");
    let svgs = qualmap::export::story_svgs(&d, &ExportOptions::default(), &measure);
    // Step 1 shows the areas but not the processes; step 3 adds them.
    assert!(!svgs[0].contains(">Problem solving<"));
    assert!(svgs[2].contains(">Problem solving<"));
    assert!(svgs[4].contains("Filter in force: role = mentor"));
    let pngs =
        qualmap::export::handout_pngs(&d, &ExportOptions { scale: 1.0, ..ExportOptions::default() }, &measure).unwrap();
    assert_eq!(pngs.len(), d.story.len());
    assert_eq!(pngs[0].0, "step-01.png");
}

/// The `/MediaBox` of each page of `pdf`: width and height in points.
fn media_boxes(pdf: &[u8]) -> Vec<(f32, f32)> {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/MediaBox [")
        .map(|(at, key)| {
            let rest = &text[at + key.len()..];
            let numbers: Vec<f32> =
                rest[..rest.find(']').unwrap()].split_whitespace().map(|n| n.parse().unwrap()).collect();
            (numbers[2] - numbers[0], numbers[3] - numbers[1])
        })
        .collect()
}

/// The heights of the word boxes poppler's `pdftotext -bbox` finds in `pdf`, or `None` where
/// poppler is not installed (CI installs it, so there a missing program fails the test).
fn word_heights(pdf: &[u8]) -> Option<Vec<(f32, String)>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("figure.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = match std::process::Command::new("pdftotext").arg("-bbox").arg(&path).arg("-").output() {
        Ok(out) => out,
        Err(err) => {
            assert!(std::env::var_os("CI").is_none(), "CI must have pdftotext (poppler-utils): {err}");
            eprintln!("pdftotext is not installed ({err}); install poppler-utils to measure the text");
            return None;
        }
    };
    let html = String::from_utf8(out.stdout).unwrap();
    let number = |word: &str, name: &str| -> f32 {
        let start = word.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        word[start..start + word[start..].find('"').unwrap()].parse().unwrap()
    };
    Some(
        html.split("<word ")
            .skip(1)
            .map(|word| {
                let text = &word[word.find('>').unwrap() + 1..word.find("</word>").unwrap()];
                (number(word, "yMax") - number(word, "yMin"), text.to_owned())
            })
            .collect(),
    )
}

#[test]
fn a_figure_at_two_columns_is_174_mm_wide_with_text_of_at_least_6_pt() {
    use qualmap::export::figure::Length;
    let ctx = headless_context();
    let measure = EguiMeasure(&ctx);
    let d = doc();
    let before = d.clone();
    let options =
        ExportOptions { width: Some(Length::parse("double").unwrap()), caption: true, ..ExportOptions::default() };
    let (pdf, fit) = qualmap::export::export_figure(&d, Format::Pdf, &options, &measure).unwrap();
    let fit = fit.unwrap();
    assert_eq!(d, before, "a figure never changes the map");
    let (width, height) = media_boxes(&pdf)[0];
    assert!((width - 174.0 / 25.4 * 72.0).abs() < 0.01, "page {width} pt wide");
    assert!((height - fit.size_pt.y).abs() < 0.01);
    assert!(fit.shortfall.is_none(), "{:?}", fit.shortfall);
    assert!(fit.smallest_pt >= 5.98, "smallest text {} pt", fit.smallest_pt);
    assert!(fit.text_scale > 1.0, "the map's text was enlarged, not everything scaled down");
    // The SVG opens at its physical size.
    let svg = String::from_utf8(qualmap::export::export_bytes(&d, Format::Svg, &options, &measure).unwrap()).unwrap();
    assert!(svg.contains(" width=\"174mm\" "), "{}", &svg[..300]);
    // Measured by poppler: the word boxes of the map's own size (where the smallest text, the
    // badges, is 11 pt) give poppler's box height per point of this font; at 174 mm no word is
    // smaller than 6 pt by that measure.
    let own = qualmap::export::export_bytes(&d, Format::Pdf, &ExportOptions::default(), &measure).unwrap();
    let (Some(own_words), Some(words)) = (word_heights(&own), word_heights(&pdf)) else { return };
    let per_point = own_words.iter().map(|(h, _)| *h).fold(f32::INFINITY, f32::min) / 11.0;
    let (smallest, word) = words.iter().min_by(|a, b| a.0.total_cmp(&b.0)).unwrap();
    assert!(smallest / per_point >= 5.95, "{word:?} is {:.2} pt", smallest / per_point);
}

#[test]
fn a_map_too_dense_for_one_column_says_so_and_is_never_worse_than_as_it_is() {
    use qualmap::export::figure::Length;
    let ctx = headless_context();
    let measure = EguiMeasure(&ctx);
    let d = doc();
    let single = |min_text_pt: f32| {
        let options = ExportOptions { width: Some(Length::mm(84.0)), min_text_pt, ..ExportOptions::default() };
        qualmap::export::export_figure(&d, Format::Pdf, &options, &measure).unwrap()
    };
    let (plain_pdf, plain) = single(0.0);
    let (pdf, fit) = single(6.0);
    let (plain, fit) = (plain.unwrap(), fit.unwrap());
    assert!(plain.shortfall.is_none() && (plain.text_scale - 1.0).abs() < 1e-6, "0 pt leaves the text as it is");
    assert!(fit.shortfall.as_deref().is_some_and(|s| s.contains("too dense")), "{:?}", fit.shortfall);
    assert!(fit.smallest_pt >= plain.smallest_pt, "{} < {}", fit.smallest_pt, plain.smallest_pt);
    for pdf in [&plain_pdf, &pdf] {
        assert!((media_boxes(pdf)[0].0 - 84.0 / 25.4 * 72.0).abs() < 0.01);
    }
}

#[test]
fn a_png_of_a_physical_width_has_the_pixels_and_resolution_of_its_dpi() {
    use qualmap::export::figure::Length;
    let options =
        ExportOptions { width: Some(Length::mm(84.0)), dpi: 300.0, min_text_pt: 0.0, ..ExportOptions::default() };
    let png = export(Format::Png, &options);
    let (width, _, _) = png_size(&png);
    assert_eq!(width, (84.0f32 / 25.4 * 300.0).ceil() as u32);
    let decoder = png::Decoder::new(std::io::Cursor::new(&png));
    let reader = decoder.read_info().unwrap();
    let dims = reader.info().pixel_dims.unwrap();
    assert_eq!(dims.xppu, (300.0f32 / 0.0254).round() as u32);
}

#[test]
fn handouts_are_on_paper_and_draw_each_step_as_presented() {
    use qualmap::export::figure::{Orientation, Page, Paper};
    let ctx = headless_context();
    let measure = EguiMeasure(&ctx);
    let d = doc();
    // A4, turned to suit the (wide) map: every page the same size.
    let pdf = qualmap::export::handout_pdf(&d, &ExportOptions::default(), &measure).unwrap();
    let pages = media_boxes(&pdf);
    assert_eq!(pages.len(), d.story.len());
    for (w, h) in &pages {
        assert!((w - 841.89).abs() < 0.01 && (h - 595.28).abs() < 0.01, "{w} × {h}");
    }
    let letter = Page { paper: Paper::Letter, orientation: Orientation::Portrait, ..Page::default() };
    let pdf =
        qualmap::export::handout_pdf(&d, &ExportOptions { page: Some(letter), ..ExportOptions::default() }, &measure)
            .unwrap();
    assert!(media_boxes(&pdf).iter().all(|(w, h)| (*w - 612.0).abs() < 0.01 && (*h - 792.0).abs() < 0.01));
    // Step 2 highlights the concepts in two areas, as the screen does with its glow; step 1
    // highlights nothing.
    let options = ExportOptions { page: Some(Page::default()), ..ExportOptions::default() };
    let figures = qualmap::export::story_figures(&d, &options, &measure);
    let glow = "fill=\"#f2a900\"";
    assert!(!figures[0].svg.contains(glow));
    let step = &d.story[1];
    assert!(!step.highlight.is_empty());
    assert_eq!(figures[1].svg.matches(glow).count(), step.highlight.len(), "one glow per highlighted item");
    // Each page's text is legible: at least the 6 pt asked for.
    for figure in &figures {
        assert!(figure.fit.smallest_pt >= 5.98 || figure.fit.shortfall.is_some(), "{:?}", figure.fit);
    }
}

/// The example with three memos on "Confidence in the professional role" (one in Arabic).
fn doc_with_memos() -> Document {
    let mut doc = doc();
    let item =
        ItemRef::Concept(doc.concepts.iter().find(|c| c.label == "Confidence in the professional role").unwrap().id);
    for (author, stance, text) in [
        ("Kestrel", Some(Stance::Agree), "Yes, \"sure of myself\" is right"),
        ("سارا", None, "الثقة جاءت لاحقاً"),
        ("Heron", Some(Stance::Unsure), ""),
    ] {
        common::add_memo(&mut doc, item, author, stance, text);
    }
    doc
}

#[test]
fn the_appendix_lists_memos_after_an_item_s_evidence_and_never_as_evidence() {
    let ctx = headless_context();
    let export = |doc: &Document, format| {
        String::from_utf8(export_bytes(doc, format, &ExportOptions::default(), &EguiMeasure(&ctx)).unwrap()).unwrap()
    };
    let (plain, with) = (doc(), doc_with_memos());
    // Memos are no support, in any count.
    for mode in [SupportMode::Excerpts, SupportMode::Sources, SupportMode::Participants] {
        let filter = EvidenceFilter::default();
        assert_eq!(support_counts(&with, &filter, mode), support_counts(&plain, &filter, mode));
    }

    let md = export(&with, Format::Markdown);
    let section = md.split("## Concept: Confidence in the professional role\n").nth(1).unwrap();
    let section = section.split("\n## ").next().unwrap();
    assert!(section.contains("- Supporting excerpts: 4\n"), "{section}");
    let heading = section.find("### Comments and memos (not evidence; not counted as support): 3").expect(section);
    assert!(section.rfind("> “").unwrap() < heading, "the memos come after the evidence: {section}");
    assert!(section.contains("- Kestrel, agree, 2026-03-05T14:02:11Z: Yes, \"sure of myself\" is right\n"));
    assert!(section.contains("- سارا, 2026-03-05T14:02:11Z: الثقة جاءت لاحقاً\n"), "{section}");
    assert!(section.contains("- Heron, unsure, 2026-03-05T14:02:11Z\n"), "{section}");
    assert_eq!(md.matches("### Comments and memos").count(), 1, "only the item with memos has them");
    // A map without memos gives the appendix it gave before.
    assert!(!export(&plain, Format::Markdown).contains("memos"));

    let html = export(&with, Format::Html);
    assert!(html.contains("<h3>Comments and memos (3)</h3>"), "{html}");
    assert!(html.contains("<p class=\"meta\">Not evidence; not counted as support.</p>"));
    assert!(html.contains("<bdi>Kestrel</bdi>, agree, 2026-03-05T14:02:11Z</span><p dir=\"auto\">Yes, &quot;sure"));
    assert!(html.contains("<bdi>سارا</bdi>, 2026-03-05T14:02:11Z</span><p dir=\"auto\">الثقة جاءت لاحقاً</p>"));
    assert!(html.contains("Supporting excerpts: 4."));
    assert!(!export(&plain, Format::Html).contains("memos"));

    // CSV: the old columns first, in their order; a record column tells the rows apart.
    let text = export(&with, Format::Csv);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let old = "item_kind,item_id,item,item_provenance,evidence_id,excerpt,source,participant_attributes,location,\
               codes,memo,coder,coded_at,evidence_provenance";
    assert_eq!(header[..14].join(","), old);
    assert_eq!(header[14..].join(","), "record,memo_id,memo_author,memo_stance,memo_text,memo_written_at");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let links: usize = with.evidence.iter().map(|e| e.links.len()).sum();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let evidence_rows: Vec<_> = rows.iter().filter(|r| &r[column("record")] == "evidence").collect();
    assert_eq!(evidence_rows.len(), links, "one evidence row per link, as before");
    assert!(evidence_rows.iter().all(|r| r[column("memo_id")].is_empty() && !r[column("evidence_id")].is_empty()));
    let memo_rows: Vec<_> = rows.iter().filter(|r| &r[column("record")] == "memo").collect();
    assert_eq!(memo_rows.len(), 3);
    assert_eq!(rows.len(), links + 3);
    let kestrel = memo_rows.iter().find(|r| &r[column("memo_author")] == "Kestrel").unwrap();
    assert_eq!(&kestrel[column("item")], "Confidence in the professional role");
    assert_eq!(&kestrel[column("memo_stance")], "agree");
    assert_eq!(&kestrel[column("memo_text")], "Yes, \"sure of myself\" is right");
    assert_eq!(&kestrel[column("memo_written_at")], "2026-03-05T14:02:11Z");
    assert!((4..14).all(|i| kestrel[i].is_empty()), "no evidence in a memo row: {kestrel:?}");
    // The memo rows follow their item's evidence rows.
    let at = |r: &csv::StringRecord| rows.iter().position(|x| x == r).unwrap();
    let last_evidence = evidence_rows.iter().filter(|r| r[column("item")] == kestrel[column("item")]).map(|r| at(r));
    assert_eq!(last_evidence.max().unwrap() + 1, memo_rows.iter().map(|r| at(r)).min().unwrap());
}
