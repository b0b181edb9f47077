//! `qualmap publish`: a map as a self-contained static site — the browser build (`index.html`,
//! `qualmap.js`, `qualmap_bg.wasm`, `fonts/` with their licence) and the map (`map.qualmap`),
//! for any static host (institutional web space, a repository's pages, a journal's supplementary
//! files) or a local folder served by any static server. The same map and build give the same
//! bytes: every file is written whole from what was read, in name order.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use crate::model::io as map_io;
use crate::web_bundle::{self, WebBundle};

/// The map's name in the published folder (the page's canvas points at it).
pub const MAP_FILE: &str = "map.qualmap";

/// Options of `qualmap publish`.
#[derive(Debug, clap::Args)]
pub struct PublishArgs {
    /// The .qualmap file to publish.
    pub map: PathBuf,
    /// The folder to write: new, empty, or an earlier publication (which is written over).
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// Readers can look, inspect and present, but not change the map (a figure in a paper).
    #[arg(long)]
    pub read_only: bool,
    /// The browser build to publish; without it, $QUALMAP_WEB, a `web` folder beside the
    /// program, or target/qualmap-web in Qualmap's source tree (`web/build.sh` makes it).
    #[arg(long, value_name = "DIR")]
    pub web: Option<PathBuf>,
}

/// `qualmap publish`: 0 when written, 2 on error (a folder that is not empty and not an
/// earlier publication is left alone).
pub fn publish(args: &PublishArgs) -> i32 {
    match run(args) {
        Ok(report) => {
            println!("{report}");
            0
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            2
        }
    }
}

fn run(args: &PublishArgs) -> anyhow::Result<String> {
    let mut bytes = Vec::new();
    std::fs::File::open(&args.map)
        .and_then(|f| f.take(map_io::MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .with_context(|| format!("{}: cannot read it", args.map.display()))?;
    if bytes.len() as u64 > map_io::MAX_FILE_BYTES {
        bail!("{}: larger than Qualmap opens", args.map.display());
    }
    let doc = map_io::load_bytes(&bytes, &args.map.display().to_string())?;
    let bundle = WebBundle::load(&WebBundle::find(args.web.as_deref())?)?;
    let files = site(&bundle, &doc.info.title, bytes, args.read_only)?;
    check_output(&args.output)?;
    let mut total = 0u64;
    for (name, bytes) in &files {
        let path = args.output.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("{}: cannot create it", parent.display()))?;
        }
        map_io::write_atomic(&path, bytes)?;
        total += bytes.len() as u64;
    }
    let wasm_js: usize =
        files.iter().filter(|(n, _)| *n == "qualmap.js" || *n == "qualmap_bg.wasm").map(|(_, b)| b.len()).sum();
    let fonts: usize = files.iter().filter(|(n, _)| n.starts_with("fonts/")).map(|(_, b)| b.len()).sum();
    Ok(format!(
        "published {} to {}: {} files, {} KiB (the app {} KiB, fonts {} KiB); serve the folder with any static server and open index.html",
        args.map.display(),
        args.output.display(),
        files.len(),
        total.div_ceil(1024),
        wasm_js.div_ceil(1024),
        fonts.div_ceil(1024)
    ))
}

/// The published site's files, sorted by name: the bundle's (its page pointed at the map, titled
/// after it, read-only if asked) and the map's bytes as given.
pub fn site(bundle: &WebBundle, title: &str, map: Vec<u8>, read_only: bool) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for (name, bytes) in bundle.files() {
        if name == "index.html" {
            let html = std::str::from_utf8(bytes).context("the browser build's index.html is not UTF-8")?;
            let mut attributes = vec![("data-map", MAP_FILE)];
            if read_only {
                attributes.push(("data-readonly", "true"));
            }
            let page = web_bundle::point_canvas(html, &attributes)?;
            files.push((name.to_owned(), titled(&page, title).into_bytes()));
        } else {
            files.push((name.to_owned(), bytes.to_vec()));
        }
    }
    files.push((MAP_FILE.to_owned(), map));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}

/// `page` with its `<title>` saying the map's title (escaped), so that the tab and search
/// engines name the map before the app starts.
fn titled(page: &str, title: &str) -> String {
    let title = title.trim();
    if title.is_empty() {
        return page.to_owned();
    }
    let element = format!("<title>{} — Qualmap</title>", crate::export::svg::xml_escape(title));
    let lower = page.to_ascii_lowercase();
    if let (Some(start), Some(end)) = (lower.find("<title>"), lower.find("</title>"))
        && start < end
    {
        return format!("{}{element}{}", &page[..start], &page[end + "</title>".len()..]);
    }
    // A page without a title gets one in its head (made if it has none).
    if let Some(at) = lower.find("</head>") {
        return format!("{}{element}\n{}", &page[..at], &page[at..]);
    }
    if let Some(at) = lower.find("<body") {
        return format!("{}<head>{element}</head>\n{}", &page[..at], &page[at..]);
    }
    page.to_owned()
}

/// Refuses to write into a folder that holds anything but an earlier publication.
fn check_output(dir: &Path) -> anyhow::Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        if dir.exists() {
            bail!("{}: not a folder", dir.display());
        }
        return Ok(());
    };
    let names: Vec<String> =
        entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    if names.is_empty() || names.iter().any(|n| n == "qualmap_bg.wasm") && names.iter().any(|n| n == MAP_FILE) {
        return Ok(());
    }
    bail!(
        "{}: the folder holds other files; publish into a new or empty folder (or an earlier publication, which is written over)",
        dir.display()
    )
}
