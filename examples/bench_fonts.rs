//! What the bundled script fonts cost at start-up: an egui context's first pass (which loads
//! and parses its fonts) with egui's default fonts and with Qualmap's, the first layout of a
//! line in each script (shaping and rasterising its glyphs into the atlas), and the first and a
//! later PDF export of the multilingual test map (which parses the fonts for resvg/svg2pdf
//! once and embeds subsets). Run on an idle machine:
//!
//! ```sh
//! cargo run --release --example bench_fonts
//! ```

use std::time::{Duration, Instant};

use qualmap::export::{ExportOptions, Format, export_bytes};
use qualmap::scene::{EguiMeasure, fonts, headless_context};

fn time<T>(work: impl FnOnce() -> T) -> (Duration, T) {
    let start = Instant::now();
    let value = work();
    (start.elapsed(), value)
}

fn first_pass(ctx: &egui::Context) {
    let mut output = ctx.run_ui(egui::RawInput::default(), |_| {});
    output.textures_delta.clear();
}

fn main() {
    let runs = 5;
    let mut default_fonts = Duration::MAX;
    let mut bundled_fonts = Duration::MAX;
    for _ in 0..runs {
        let (t, ()) = time(|| first_pass(&egui::Context::default()));
        default_fonts = default_fonts.min(t);
        let (t, _) = time(headless_context);
        bundled_fonts = bundled_fonts.min(t);
    }
    println!("egui context, first pass, default fonts   {:>8.1} ms (best of {runs})", ms(default_fonts));
    println!("egui context, first pass, bundled fonts   {:>8.1} ms (best of {runs})", ms(bundled_fonts));
    let size: usize = fonts::script_fonts().iter().map(|f| f.bytes.len()).sum();
    println!("script fonts in the binary                {:>8.0} KB", size as f64 / 1024.0);

    let ctx = headless_context();
    let lines = [
        ("Latin", "Peer support and reflective practice"),
        ("Chinese", "导师制度与反思性实践的关系"),
        ("Japanese", "自信が持てるようになった"),
        ("Korean", "멘토링을 통한 성장"),
        ("Arabic", "الدعم النفسي من المرشد"),
        ("Hebrew", "ביטחון עצמי בעבודה"),
        ("Devanagari", "आत्मविश्वास और संतुलन"),
        ("Thai", "ความมั่นใจในการทำงาน"),
    ];
    for (script, line) in lines {
        let (t, _) = time(|| {
            ctx.fonts_mut(|f| {
                f.layout_no_wrap(line.to_owned(), egui::FontId::proportional(14.0), egui::Color32::WHITE).size()
            })
        });
        println!("first layout, {script:<11}                 {:>8.2} ms", ms(t));
    }

    let Ok(doc) = qualmap::model::io::load_path(std::path::Path::new("tests/fixtures/multilingual.qualmap")) else {
        eprintln!("run from the repository's folder: tests/fixtures/multilingual.qualmap is needed");
        return;
    };
    let measure = EguiMeasure(&ctx);
    let options = ExportOptions::default();
    for label in ["first PDF of the multilingual map", "second PDF                       "] {
        let (t, bytes) = time(|| export_bytes(&doc, Format::Pdf, &options, &measure).map(|b| b.len()).unwrap_or(0));
        println!("{label}         {:>8.1} ms, {bytes} bytes", ms(t));
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
