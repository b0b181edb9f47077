//! Every script, in the scene and in every image export: the multilingual test map
//! (`tests/fixtures/multilingual.qualmap`, twelve scripts, mixed right-to-left and left-to-right
//! runs, emoji) is drawn with glyphs for every character, wraps Chinese, Japanese and Thai
//! within its cards, keeps its text in logical order in the SVG, comes back from the PDF's text
//! layer as typed (read with poppler's `pdftotext`, which CI installs), exports the same bytes
//! twice, and is shown by the real app's inspector.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::path::Path;
use std::process::Command;

use egui::FontId;
use qualmap::export::{ExportOptions, Format, export_bytes, missing_glyphs};
use qualmap::model::{Document, io};
use qualmap::scene::{EguiMeasure, fonts, headless_context, text};

fn multilingual() -> Document {
    io::load_path(Path::new("tests/fixtures/multilingual.qualmap")).expect("the multilingual fixture loads")
}

/// Every text of the map a user sees somewhere: names, labels, excerpts, sources, codes.
fn texts(doc: &Document) -> Vec<String> {
    let mut all = vec![doc.info.title.clone()];
    all.extend(doc.concepts.iter().map(|c| c.label.clone()));
    all.extend(doc.areas.iter().map(|a| a.label.clone()));
    all.extend(doc.relationships.iter().map(|r| doc.relationship_label(r).to_owned()));
    all.extend(doc.evidence.iter().map(|e| e.excerpt.clone()));
    all.extend(doc.sources.iter().map(|s| s.name.clone()));
    all.extend(doc.codes.iter().map(|c| c.name.clone()));
    all
}

#[test]
fn the_fixture_has_at_least_ten_scripts() {
    let doc = multilingual();
    let all = texts(&doc).concat();
    let has = |range: std::ops::RangeInclusive<char>| all.chars().any(|c| range.contains(&c));
    let scripts = [
        has('A'..='z'),                 // Latin
        has('\u{0400}'..='\u{04FF}'),   // Cyrillic
        has('\u{0370}'..='\u{03FF}'),   // Greek
        has('\u{0590}'..='\u{05FF}'),   // Hebrew
        has('\u{0600}'..='\u{06FF}'),   // Arabic
        has('\u{0900}'..='\u{097F}'),   // Devanagari
        has('\u{0E00}'..='\u{0E7F}'),   // Thai
        has('\u{3040}'..='\u{30FF}'),   // kana
        has('\u{4E00}'..='\u{9FFF}'),   // Han
        has('\u{AC00}'..='\u{D7A3}'),   // Hangul
        has('\u{1F300}'..='\u{1FAFF}'), // emoji
    ];
    assert!(scripts.iter().all(|s| *s), "{scripts:?}");
}

#[test]
fn every_character_has_a_glyph_in_the_bundled_fonts() {
    let doc = multilingual();
    let ctx = headless_context();
    let font = FontId::proportional(14.0);
    ctx.fonts_mut(|f| {
        for text in texts(&doc) {
            for c in text.chars().filter(|c| !c.is_whitespace() && !c.is_control()) {
                assert!(f.has_glyph(&font, c), "egui has no glyph for {c} (U+{:04X}) in {text:?}", c as u32);
            }
        }
    });
    assert!(missing_glyphs(&doc).is_empty(), "{:?}", missing_glyphs(&doc));
    for text in texts(&doc) {
        assert!(fonts::missing_chars([text.as_str()]).is_empty(), "{text}");
    }
}

#[test]
fn a_character_no_font_has_is_reported() {
    let mut doc = multilingual();
    doc.concepts[0].label.push_str(" \u{10000}\u{1D11E}");
    let missing = missing_glyphs(&doc);
    assert_eq!(missing.iter().copied().collect::<Vec<_>>(), ['\u{10000}', '\u{1D11E}']);
    assert!(fonts::describe_missing(&missing).contains("U+10000"));
}

/// The scene as the exports draw it, measured with the bundled fonts.
fn scene(doc: &Document) -> qualmap::scene::Scene {
    let ctx = headless_context();
    qualmap::export::export_scene(doc, &ExportOptions::default(), &EguiMeasure(&ctx))
}

#[test]
fn cjk_and_thai_labels_wrap_inside_their_cards() {
    let doc = multilingual();
    let scene = scene(&doc);
    let ctx = headless_context();
    let measure = EguiMeasure(&ctx);
    for node in &scene.nodes {
        let label = &doc.concept(node.id).unwrap().label;
        assert!(
            node.label.lines.iter().all(|l| qualmap::scene::TextMeasure::line_width(&measure, l, 14.0) <= 137.0),
            "{label}: {:?}",
            node.label.lines
        );
        // Wrapping only drops the spaces it breaks at.
        let joined: String = node.label.lines.concat();
        assert_eq!(joined.replace(' ', ""), label.replace(' ', ""));
    }
    let long = |label: &str| scene.nodes.iter().find(|n| doc.concept(n.id).unwrap().label == label).unwrap();
    assert!(long("导师制度与反思性实践的关系").label.lines.len() >= 2);
    assert!(long("ความมั่นใจในการทำงานกับเพื่อนร่วมงาน").label.lines.len() >= 2);
    // Right-to-left labels are marked so, left-to-right ones are not.
    assert!(long("الدعم النفسي من المرشد").label.line_is_rtl(0));
    assert!(long("التوجيه عبر Peer support").label.line_is_rtl(0));
    assert!(!long("Peer support 🤝").label.line_is_rtl(0));
}

fn export(doc: &Document, format: Format, options: &ExportOptions) -> Vec<u8> {
    let ctx = headless_context();
    export_bytes(doc, format, options, &EguiMeasure(&ctx)).expect("exports")
}

#[test]
fn svg_keeps_real_text_in_logical_order_and_names_the_fonts_it_needs() {
    let doc = multilingual();
    let svg = String::from_utf8(export(&doc, Format::Svg, &ExportOptions::default())).unwrap();
    let scene = scene(&doc);
    for node in &scene.nodes {
        for (i, line) in node.label.lines.iter().enumerate() {
            let content = qualmap::export::svg::line_content(line);
            let direction = if node.label.line_is_rtl(i) { " direction=\"rtl\" unicode-bidi=\"embed\"" } else { "" };
            assert!(svg.contains(&format!("{direction}>{content}</tspan>")), "{line} is not a tspan");
        }
    }
    // Right-to-left lines say so.
    assert!(svg.contains("direction=\"rtl\" unicode-bidi=\"embed\">الدعم النفسي"));
    for family in [
        "Noto Sans Arabic",
        "Noto Sans Hebrew",
        "Noto Sans Devanagari",
        "Noto Sans Thai",
        "Noto Sans CJK SC",
        "Noto Emoji",
    ] {
        assert!(svg.contains(&format!("'{family}'")), "{family} is not named");
    }
}

/// Standard base64 back to bytes (the test's own decoder, not the exporter's encoder).
fn unbase64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let digits: Vec<u8> = text.bytes().filter(|c| *c != b'=').map(value).collect();
    let mut out = Vec::new();
    for chunk in digits.chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, d)| n | u32::from(*d) << (18 - 6 * i));
        out.extend(n.to_be_bytes()[1..chunk.len()].iter());
    }
    out
}

#[test]
fn svg_carries_subsets_of_the_fonts_that_draw_its_text() {
    let doc = multilingual();
    let svg = String::from_utf8(export(&doc, Format::Svg, &ExportOptions::default())).unwrap();
    // The SVG's own characters, outside its markup and its style sheet.
    let (before, after) = svg.split_once("<style>").unwrap();
    let outside_style = format!("{before}{}", after.split_once("</style>").unwrap().1);
    let text: String = outside_style.split('<').filter_map(|part| part.split_once('>').map(|(_, text)| text)).collect();
    assert!(text.contains("الدعم النفسي") && text.contains("导师"), "{text}");
    let mut carried = Vec::new();
    for rule in svg.split("@font-face{").skip(1) {
        let family = rule.split('\'').nth(1).unwrap();
        let data = rule.split("base64,").nth(1).unwrap().split(')').next().unwrap();
        let bytes = unbase64(data);
        let face = ttf_parser::Face::parse(&bytes, 0).unwrap_or_else(|e| panic!("{family}: {e}"));
        for c in text.chars() {
            if qualmap::scene::fonts::font_for(c).is_some_and(|f| f.family == family) {
                assert!(face.glyph_index(c).is_some(), "{family} is carried without {c}");
            }
        }
        carried.push(family.to_owned());
    }
    assert_eq!(
        carried,
        [
            "Ubuntu Light",
            "Noto Sans Arabic",
            "Noto Sans Hebrew",
            "Noto Sans Devanagari",
            "Noto Sans Thai",
            "Noto Sans CJK SC",
            "Noto Emoji"
        ]
    );
    // The carried Ubuntu Light comes before a local Ubuntu, whose regular weight is wider.
    assert!(svg.contains("font-family=\"'Ubuntu Light', Ubuntu, 'Noto Sans Arabic'"));
    // Subsets, not whole fonts: the CJK font alone is 5.4 MB.
    assert!(svg.len() < 600_000, "{} bytes", svg.len());
}

#[test]
fn exports_are_byte_identical_and_png_is_opaque_to_the_edges() {
    let doc = multilingual();
    for format in [Format::Svg, Format::Png, Format::Pdf] {
        let (a, b) = (export(&doc, format, &ExportOptions::default()), export(&doc, format, &ExportOptions::default()));
        assert!(a == b, "{format:?} differs between two exports");
    }
    for scale in [1.0, 1.5, 2.0, 3.0] {
        let options = ExportOptions { scale, ..ExportOptions::default() };
        let svg = qualmap::export::svg::scene_to_svg(
            &doc,
            &scene(&doc),
            &qualmap::scene::MapTheme::new(options.theme),
            &options,
        );
        let (w, h, pixels) = qualmap::export::svg_to_rgba(&svg, 1.0).unwrap();
        let translucent = pixels.chunks(4).filter(|p| p[3] != 255).count();
        assert_eq!(translucent, 0, "{w}×{h} at scale {scale}: {translucent} pixels not opaque");
    }
}

/// Runs poppler's `pdftotext` on `pdf`, or says why it cannot (CI installs poppler-utils, so
/// there a missing program fails the test).
fn pdftotext(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("map.pdf");
    std::fs::write(&path, pdf).unwrap();
    match Command::new("pdftotext").arg("-enc").arg("UTF-8").arg(&path).arg("-").output() {
        Ok(out) if out.status.success() => Some(String::from_utf8(out.stdout).unwrap()),
        Ok(out) => panic!("pdftotext failed: {}", String::from_utf8_lossy(&out.stderr)),
        Err(err) => {
            assert!(std::env::var_os("CI").is_none(), "CI must have pdftotext (poppler-utils): {err}");
            eprintln!("pdftotext is not installed ({err}); install poppler-utils to run this check");
            None
        }
    }
}

#[test]
fn pdf_text_layer_gives_back_every_line_as_typed() {
    let doc = multilingual();
    let options = ExportOptions { caption: true, ..ExportOptions::default() };
    let Some(extracted) = pdftotext(&export(&doc, Format::Pdf, &options)) else {
        return;
    };
    let lines: Vec<&str> = extracted.lines().map(str::trim).collect();
    let scene = scene(&doc);
    let mut wanted: Vec<&str> = Vec::new();
    for node in &scene.nodes {
        wanted.extend(node.label.lines.iter().map(String::as_str));
    }
    for area in &scene.areas {
        wanted.extend(area.label.lines.iter().map(String::as_str));
    }
    for edge in &scene.edges {
        if let Some(label) = &edge.label {
            wanted.extend(label.lines.iter().map(String::as_str));
        }
    }
    // Devanagari and Thai lines, whose glyphs stand in another order than their characters,
    // come back through /ActualText spans (export::pdf_text) and are checked like the rest.
    // What poppler still cannot give back: Arabic ligatures such as لى (poppler reverses their
    // characters with the rest of the right-to-left word) and right-to-left lines with
    // left-to-right runs in them (poppler orders the runs itself). Everything else must come
    // back exactly.
    let known_limit = |line: &str| {
        line.contains("لى")
            || (text::paragraph_is_rtl(line)
                && text::visual_pieces(line, true)
                    .is_some_and(|p| p.iter().any(|piece| piece.chars().any(|c| c.is_ascii_alphanumeric()))))
    };
    for script in ['\u{0915}'..='\u{094D}', '\u{0E01}'..='\u{0E4E}'] {
        let lines_of_script = wanted.iter().filter(|w| w.chars().any(|c| script.contains(&c))).count();
        assert!(lines_of_script > 0, "the fixture has a line in {script:?}");
    }
    let missing: Vec<&&str> =
        wanted.iter().filter(|w| !known_limit(w)).filter(|w| !lines.iter().any(|l| l.contains(**w))).collect();
    assert!(wanted.iter().filter(|w| !known_limit(w)).count() >= 20, "{wanted:?}");
    assert!(missing.is_empty(), "not given back by pdftotext: {missing:?}\n--- pdftotext:\n{extracted}");
    // Whole labels come back too, once the lines are joined.
    // poppler marks right-to-left runs with U+202B … U+202C of its own.
    let flat: String =
        extracted.split_whitespace().collect::<String>().replace(['\u{202B}', '\u{202C}', '\u{200F}'], "");
    for concept in doc.concepts.iter().filter(|c| !known_limit(&c.label)) {
        let label: String = concept.label.split_whitespace().collect();
        assert!(flat.contains(&label), "{}", concept.label);
    }
}

#[test]
fn right_to_left_lines_are_drawn_word_by_word_from_the_right() {
    let pieces = text::visual_pieces("ساعدني برنامج Peer support على", true).unwrap();
    assert_eq!(pieces, ["على", " ", "Peer support", " ", "برنامج", " ", "ساعدني"]);
}

mod window {
    use egui::Vec2;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable as _;
    use qualmap::app::{QualmapApp, Startup};

    fn harness() -> Harness<'static, QualmapApp> {
        let path = std::path::PathBuf::from("tests/fixtures/multilingual.qualmap");
        // egui_kittest fails a test that draws a character no font has (its missing-glyph
        // policy), so this also checks that the window has a glyph for everything it shows.
        let mut harness = Harness::builder()
            .with_size(Vec2::new(1280.0, 800.0))
            .build_eframe(move |cc| QualmapApp::with_recovery_dir(cc, Startup::File(path), None));
        for _ in 0..20 {
            harness.run();
            if !harness.state().document().concepts.is_empty() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        harness.run();
        harness
    }

    #[test]
    fn the_inspector_shows_an_arabic_excerpt() {
        let mut harness = harness();
        harness.get_by_label("التوجيه عبر Peer support").click();
        harness.run();
        harness.get_by_label_contains("ساعدني برنامج Peer support على التحدث مع زملائي لأول مرة منذ 3 سنوات.");
        harness.get_by_label("مقابلة القاهرة ٠٧");
    }

    #[test]
    fn search_finds_concepts_by_case_folding() {
        let mut harness = harness();
        harness.get_by_label("Search").click();
        harness.run();
        harness.get_by_label("Search").type_text("STRASSE");
        harness.run();
        harness.get_by_label_contains("1 matching concepts or areas");
        // On the canvas and in the results.
        assert_eq!(harness.get_all_by_label("Straße zur Selbstständigkeit").count(), 2);
    }
}

/// PNG and PDF draw Devanagari as outlines shaped by harfrust (usvg's own shaper drew श्व
/// wrongly). The glyphs, advances and offsets must be HarfBuzz's own: `hb-shape` (HarfBuzz, the
/// shaper of browsers and librsvg; CI installs libharfbuzz-bin) shapes each line with the
/// bundled font, and the two must agree glyph for glyph.
#[test]
fn devanagari_is_shaped_as_harfbuzz_shapes_it() {
    let font_index = fonts::bundled().iter().position(|f| f.family == "Noto Sans Devanagari").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let font_path = dir.path().join("devanagari.ttf");
    std::fs::write(&font_path, fonts::bundled()[font_index].bytes).unwrap();
    let lines = ["आत्मविश्वास और संतुलन", "हिन्दी", "प्रश्न", "क्षत्रिय", "स्त्री", "कार्यक्रम", "द्वितीय", "श्रृंखला", "र्कि", "ज्ञान"];
    for line in lines {
        let out = match Command::new("hb-shape")
            .arg("--no-glyph-names")
            .arg("--no-clusters")
            .arg(&font_path)
            .arg(line)
            .output()
        {
            Ok(out) if out.status.success() => String::from_utf8(out.stdout).unwrap(),
            Ok(out) => panic!("hb-shape failed: {}", String::from_utf8_lossy(&out.stderr)),
            Err(err) => {
                assert!(std::env::var_os("CI").is_none(), "CI must have hb-shape (libharfbuzz-bin): {err}");
                eprintln!("hb-shape is not installed ({err}); install libharfbuzz-bin to run this check");
                return;
            }
        };
        // "[gid+advance|gid@x,y+advance|…]"
        let expected: Vec<(u16, i32, i32, i32)> = out
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .split('|')
            .map(|g| {
                let (head, advance) = g.rsplit_once('+').unwrap();
                let (gid, offset) = head.split_once('@').unwrap_or((head, "0,0"));
                let (x, y) = offset.split_once(',').unwrap();
                (gid.parse().unwrap(), advance.parse().unwrap(), x.parse().unwrap(), y.parse().unwrap())
            })
            .collect();
        let ours: Vec<(u16, i32, i32, i32)> = qualmap::export::outlined::shape(line)
            .into_iter()
            .map(|g| {
                assert_eq!(g.font, font_index, "{line}: a glyph from another font");
                (g.glyph, g.x_advance, g.x_offset, g.y_offset)
            })
            .collect();
        assert_eq!(ours, expected, "{line}: harfrust and hb-shape differ");
    }
}

/// The PNG of a Devanagari label is drawn from outlines, not from usvg's text, and the PDF keeps
/// the label's text (invisible, over the outlines) for its text layer.
#[test]
fn devanagari_reaches_png_and_pdf_as_outlines() {
    let doc = multilingual();
    let svg = String::from_utf8(export(&doc, Format::Svg, &ExportOptions::default())).unwrap();
    assert!(svg.contains("आत्मविश्वास"), "the SVG keeps real text");
    // The texts drawn as text (not the <title>s, which are not drawn).
    let drawn = |svg: &str| -> Vec<String> {
        let xml = roxmltree::Document::parse(svg).unwrap();
        xml.descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| n.descendants().filter_map(|d| d.text()).collect::<String>())
            .collect()
    };
    let for_png = qualmap::export::outlined::outline_lines(&svg, false);
    assert!(!drawn(&for_png).iter().any(|t| t.contains("आत्मविश्वास")));
    assert!(drawn(&for_png).iter().any(|t| t.contains("กับเพื่อนร่วมงาน")), "Thai stays text");
    let for_pdf = qualmap::export::outlined::outline_lines(&svg, true);
    let xml = roxmltree::Document::parse(&for_pdf).unwrap();
    let kept = xml
        .descendants()
        .find(|n| {
            n.has_tag_name("text") && n.descendants().filter_map(|d| d.text()).collect::<String>().contains("आत्मविश्वास")
        })
        .expect("the PDF keeps the line's text");
    assert_eq!(kept.attribute("fill-opacity"), Some("0"), "invisible over its outlines");
}
