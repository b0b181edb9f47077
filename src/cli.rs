//! The command line: `qualmap [FILE]` opens the app; subcommands work headless.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::model::{example, io};

mod publish;
mod serve;
mod team;
pub use publish::PublishArgs;
pub use serve::ServeArgs;
pub use team::DiffFormat;

/// Qualmap: conceptual maps grounded in coded qualitative evidence.
#[derive(Debug, Parser)]
#[command(name = "qualmap", version, about, long_about = None, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// A .qualmap file to open, or coded data or a graph to import into a blank map (.qdpx, .qdc,
    /// .csv, .xlsx, .xls, .ods, .graphml, .gexf, .dot, …); without one, the app opens on the
    /// built-in example map.
    pub file: Option<PathBuf>,
    /// Start with a blank map instead of the example.
    #[arg(long, conflicts_with = "file")]
    pub blank: bool,
    /// Open FILE compared with this other copy of it: what differs outlined on the map and
    /// listed (as File > Compare With… does; also a git difftool: `qualmap $LOCAL --compare $REMOTE`).
    #[arg(long, value_name = "OTHER", requires = "file", conflicts_with = "merge")]
    pub compare: Option<PathBuf>,
    /// Open FILE and merge this other copy of it in, listing the conflicts to settle (as
    /// File > Merge Map… does).
    #[arg(long, value_name = "OTHER", requires = "file")]
    pub merge: Option<PathBuf>,
    /// Headless work.
    #[command(subcommand)]
    pub command: Option<Commands>,
}

/// Headless subcommands.
#[derive(Debug, Subcommand)]
pub enum Commands {
    /// Check a map file; prints a one-line summary, or the problems and exits non-zero.
    Validate {
        /// The .qualmap file to check.
        file: PathBuf,
    },
    /// Export a map: an image (svg, png, pdf), a graph (graphml, gexf, dot, canvas) or an
    /// evidence appendix (html, md, csv), chosen by the output's extension.
    Export(ExportArgs),
    /// Import a REFI-QDA project (.qdpx) or codebook (.qdc), a coded-segment table (.csv, .tsv) or
    /// spreadsheet (.xlsx, .xls, .ods), or a graph or concept map from another tool (GraphML,
    /// GEXF, DOT, JSON Canvas, CXL, edge lists and CSV edge tables), into a new map or an
    /// existing one; prints the import report. The file is read in a child process with limits
    /// on its memory and time.
    Import(ImportArgs),
    /// Lay out a map automatically (or, for comparisons with other tools, a graph file: an edge
    /// list, DOT, GraphML, GEXF, JSON Canvas or CXL, written back as "node x y" lines); prints
    /// time and iterations.
    Layout(LayoutArgs),
    /// Write a generated map of any size (for load tests, benchmarks and demonstrations of
    /// scale; its content is not real data).
    Generate {
        /// Number of concepts.
        #[arg(long, default_value_t = 10_000)]
        concepts: usize,
        /// Number of relationships.
        #[arg(long, default_value_t = 30_000)]
        relationships: usize,
        /// Number of evidence items.
        #[arg(long, default_value_t = 100_000)]
        evidence: usize,
        /// Seed (the same seed gives the same map).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write the .qualmap file.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Print the paths from one concept or area to another along the relationships (one-way
    /// ones forward only), one per line as labels joined by " -> ", shortest first.
    Paths {
        /// The .qualmap file.
        map: PathBuf,
        /// The label of the concept or area the paths start at.
        #[arg(long)]
        from: String,
        /// The label of the concept or area they end at.
        #[arg(long)]
        to: String,
        /// Every simple path of at most this many steps; without it, the shortest paths only.
        #[arg(long)]
        max_length: Option<usize>,
        /// At most this many paths (a note on standard error says when there were more).
        #[arg(long, default_value_t = 1000)]
        limit: usize,
    },
    /// Print the feedback loops: cycles of one-way relationships, one per line as labels joined
    /// by " -> " (back to the first), shortest first.
    Loops {
        /// The .qualmap file.
        map: PathBuf,
        /// Loops of at most this many steps.
        #[arg(long, default_value_t = 8)]
        max_length: usize,
        /// At most this many loops.
        #[arg(long, default_value_t = 1000)]
        limit: usize,
    },
    /// Print each concept's structure measures: degree in and out, betweenness (bridging between
    /// parts of the map) and how many areas its neighbours belong to.
    Measures {
        /// The .qualmap file.
        map: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = MeasuresFormat::Csv)]
        format: MeasuresFormat,
    },
    /// Compare two maps part by part: what was added (+), removed (-) and changed (~), field by
    /// field. Exits 0 when they are the same, 1 when they differ, 2 on error.
    Diff {
        /// The first map (the older one, say).
        a: PathBuf,
        /// The second map.
        b: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
    },
    /// Merge two copies of a map by element and field: `merge BASE OURS THEIRS -o OUT` with their
    /// common original (as git's merge driver: `qualmap merge %O %A %B -o %A`), or `merge OURS
    /// THEIRS -o OUT` for two copies without one. A change made on one side only is kept; the
    /// same field changed two ways, or an element deleted on one side and changed on the other,
    /// is a conflict, kept in the output with both sides to settle in the app. Exits 0 when
    /// merged cleanly, 1 when conflicts remain, 2 on error.
    Merge {
        /// BASE OURS THEIRS, or OURS THEIRS.
        #[arg(num_args = 2..=3, required = true)]
        files: Vec<PathBuf>,
        /// Where to write the merged map (may be OURS).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Print the intercoder agreement of two or more coders on every concept, relationship and
    /// area: units compared, percent agreement, Cohen's κ (two coders) and Krippendorff's α
    /// (nominal), then the items pooled. Exits 2 when the coders or options do not fit the map.
    Agreement(AgreementArgs),
    /// Present a map to a workshop room: serves it with the browser viewer on the local network
    /// and prints the address and its QR code for participants' phones and laptops. Their views
    /// follow the story step typed here (n or Enter: next, p: previous, a number: that step, q or
    /// the end of input: stop), and their comments (agree, disagree, unsure or a few words on an
    /// item) are printed as they arrive. Exits 0 when stopped, 2 on error.
    Serve(ServeArgs),
    /// Publish a map as a static web site: the browser app, the map and its fonts in one folder
    /// that works from any static host or a local static server (readers inspect evidence,
    /// filter and step through the story). The same map and build give the same bytes.
    /// Exits 0 when written, 2 on error.
    Publish(PublishArgs),
    /// Write the built-in example map to a file.
    Example {
        /// Where to write it ("-" for standard output).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Internal: reads an import file in a child process with limits on its own memory and
    /// processor time, and writes the result as JSON (see `import::sandbox`).
    #[command(name = crate::import::sandbox::CHILD_COMMAND, hide = true)]
    ReadImport {
        /// Address-space limit in bytes.
        #[arg(long)]
        memory: u64,
        /// Processor-time limit in seconds.
        #[arg(long)]
        cpu: u64,
        /// What to read, as JSON.
        #[arg(long)]
        request: String,
        /// The file.
        file: PathBuf,
    },
}

/// Options of `qualmap export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The .qualmap file to export.
    pub map: PathBuf,
    /// Where to write; the extension picks the format.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Pixels per map unit for PNG (1 to 4 for papers and slides).
    #[arg(long, default_value_t = 2.0)]
    pub scale: f32,
    /// The figure's final width: a length (84mm, 8.4cm, 3.5in, 240pt), a preset (single = 84 mm,
    /// double = 174 mm, ieee-single = 3.5 in, ieee-double = 7.16 in), or for a PNG a number of
    /// pixels (overrides --scale). With a length, text is enlarged to --min-text at that width.
    #[arg(long, value_name = "LENGTH")]
    pub width: Option<String>,
    /// The smallest text allowed at the final width or on the page, in points (0: leave the
    /// text as it is).
    #[arg(long, value_name = "POINTS", default_value_t = crate::export::DEFAULT_MIN_TEXT_PT)]
    pub min_text: f32,
    /// PNG of a physical width or on a page: dots per inch.
    #[arg(long, default_value_t = crate::export::DEFAULT_DPI)]
    pub dpi: f32,
    /// Put the figure on a page: a4 or letter, optionally -portrait or -landscape (turned to
    /// suit the map otherwise). A story handout is on A4 unless this says otherwise.
    #[arg(long, value_name = "PAPER")]
    pub page: Option<String>,
    /// Blank space around the page (with --page or a handout).
    #[arg(long, value_name = "LENGTH", default_value = "15mm")]
    pub margin: String,
    /// Colours: light, dark or print (greyscale, areas told apart by outline pattern).
    #[arg(long, default_value = "light", value_parser = ["light", "dark", "print"])]
    pub theme: String,
    /// Transparent background.
    #[arg(long)]
    pub transparent: bool,
    /// Leave out the legend.
    #[arg(long)]
    pub no_legend: bool,
    /// Add a caption: title, citation and the filter in force.
    #[arg(long)]
    pub caption: bool,
    /// What support counts.
    #[arg(long, default_value = "excerpts", value_parser = ["excerpts", "sources", "participants"])]
    pub support: String,
    /// Count only evidence whose source has this attribute value, e.g. role=mentor (repeatable).
    #[arg(long, value_name = "ATTRIBUTE=VALUE")]
    pub filter: Vec<String>,
    /// Count only evidence from this coder (repeatable).
    #[arg(long)]
    pub coder: Vec<String>,
    /// SVG and PDF: draw text as outlines and carry no fonts (for journals that ask for that);
    /// otherwise text stays real text and the fonts it needs go with it.
    #[arg(long)]
    pub text_as_outlines: bool,
    /// Export the map's story as a handout: one page per step to a .pdf, or one PNG per
    /// step into a folder (an output without an extension).
    /// (`--presentation` is its former name.)
    #[arg(long, alias = "presentation")]
    pub story: bool,
    /// Focus on what lies within --steps relationships of this concept or area (repeatable):
    /// the rest is drawn faded, as the Explore window's focus shows it.
    #[arg(long, value_name = "LABEL")]
    pub focus: Vec<String>,
    /// How many relationships away the focus reaches.
    #[arg(long, default_value_t = 1, requires = "focus")]
    pub steps: usize,
    /// Outline each concept as wide as its betweenness (bridging concepts), as the Explore
    /// window's structure mode does.
    #[arg(long)]
    pub bridging: bool,
    /// Colour each concept by its betweenness, pale to deep blue, with its key (the Explore
    /// window's colour mode).
    #[arg(long)]
    pub bridging_colour: bool,
    /// Pick out the shortest paths from this concept or area to --path-to (their items and
    /// relationships highlighted, as the Explore window picks a path out).
    #[arg(long, value_name = "LABEL", requires = "path_to")]
    pub path_from: Option<String>,
    /// Where the paths of --path-from end.
    #[arg(long, value_name = "LABEL", requires = "path_from")]
    pub path_to: Option<String>,
}

/// Options of `qualmap import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The file to import: .qdpx, .qdc, .csv, .tsv, .xlsx, or a graph (.graphml, .gexf, .dot, .gv,
    /// .canvas, .cxl, .edges, or a .csv edge table with source and target columns).
    pub input: PathBuf,
    /// The map to write.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Add to this existing map instead of a new one (codes, sources and concepts with the same
    /// names are reused; excerpts already in the map are not added twice).
    #[arg(long)]
    pub into: Option<PathBuf>,
    /// For tables: which column holds what, e.g. "text=Segment,code=Code,source=Document name".
    #[arg(long, value_name = "FIELD=HEADER,...")]
    pub map: Option<String>,
    /// Where areas come from.
    #[arg(long, default_value = "sets", value_parser = ["sets", "parents", "none"])]
    pub areas: String,
    /// Import the codebook and evidence without creating concepts.
    #[arg(long)]
    pub no_concepts: bool,
}

/// Options of `qualmap agreement`.
#[derive(Debug, clap::Args)]
pub struct AgreementArgs {
    /// The .qualmap file.
    pub map: PathBuf,
    /// The coders to compare, as the evidence names them, separated by commas.
    #[arg(long, value_delimiter = ',', required = true)]
    pub coders: Vec<String>,
    /// What a unit is: a source every coder coded (did the coder link evidence from it to the
    /// item?), or a coded segment (excerpts of one source by different coders that overlap).
    #[arg(long, value_enum, default_value_t = UnitArg::Source)]
    pub unit: UnitArg,
    /// Segments: the least share of overlap (intersection over union) that makes two coders'
    /// excerpts one segment.
    #[arg(long, default_value_t = crate::agreement::DEFAULT_OVERLAP)]
    pub overlap: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = MeasuresFormat::Csv)]
    pub format: MeasuresFormat,
}

/// The unit of agreement as the command line names it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum UnitArg {
    /// A source every chosen coder coded.
    #[default]
    Source,
    /// A coded segment: overlapping excerpts of one source.
    Segment,
}

impl From<UnitArg> for crate::agreement::Unit {
    fn from(unit: UnitArg) -> Self {
        match unit {
            UnitArg::Source => Self::Source,
            UnitArg::Segment => Self::Segment,
        }
    }
}

/// The figures of `qualmap agreement`, as printed; `Err` carries the exit status and message
/// (1: the map could not be read; 2: the coders or options do not fit it).
fn agreement(args: &AgreementArgs) -> Result<String, (i32, String)> {
    use crate::agreement::{Options, analyse, to_csv, to_json};
    let doc = io::load_path(&args.map).map_err(|e| (1, e.to_string()))?;
    let coders: Vec<String> = args.coders.iter().map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect();
    let options = Options { coders, unit: args.unit.into(), overlap: args.overlap };
    let analysis = analyse(&doc, &options).map_err(|e| (2, format!("{}: {e}", args.map.display())))?;
    if analysis.sources == 0 {
        eprintln!("note: no source is coded by every one of these coders, so there is nothing to compare");
    }
    if analysis.compared_by_text > 0 {
        eprintln!(
            "note: {} excerpt(s) with no range in their location (such as \"characters 120–245\") shared with the other coders' matched by their text",
            analysis.compared_by_text
        );
    }
    match args.format {
        MeasuresFormat::Csv => to_csv(&analysis).map_err(|e| (1, e)),
        MeasuresFormat::Json => {
            serde_json::to_string_pretty(&to_json(&analysis)).map(|s| s + "\n").map_err(|e| (1, e.to_string()))
        }
    }
}

/// Options of `qualmap layout`.
#[derive(Debug, clap::Args)]
pub struct LayoutArgs {
    /// A .qualmap file, or a graph: an edge list (.txt, .edges), DOT (.dot, .gv), GraphML, GEXF,
    /// JSON Canvas or CXL (read by content, whatever the extension).
    pub input: PathBuf,
    /// Where to write: a .qualmap for maps, "node x y" lines for plain graphs.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Seed for the layout (the same seed gives the same layout).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Start from the current positions and only nudge them.
    #[arg(long)]
    pub warm: bool,
    /// The algorithm for a layout from scratch.
    #[arg(long, value_enum, default_value_t = EngineArg::Stress)]
    pub engine: EngineArg,
    /// Pivots of the stress engine (more: closer to full stress, slower).
    #[arg(long, default_value_t = crate::layout::LayoutParams::default().pivots)]
    pub pivots: usize,
    /// Force iterations that polish the stress engine's result (0: none).
    #[arg(long, default_value_t = crate::layout::LayoutParams::default().polish)]
    pub polish: usize,
}

/// The layout engine as the command line names it (the layout library knows no clap).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineArg {
    /// Pivot MDS, then sparse stress majorization, then a short force polish (the default).
    #[default]
    Stress,
    /// Multilevel force-directed, as Graphviz sfdp does.
    Force,
}

impl From<EngineArg> for crate::layout::Engine {
    fn from(engine: EngineArg) -> Self {
        match engine {
            EngineArg::Stress => Self::Stress,
            EngineArg::Force => Self::Force,
        }
    }
}

fn layout(args: &LayoutArgs) -> Result<String, String> {
    use crate::layout::{LayoutGraph, LayoutParams, layout, layout_command};
    let params = LayoutParams {
        seed: args.seed,
        warm: args.warm,
        engine: args.engine.into(),
        pivots: args.pivots.max(1),
        polish: args.polish,
        ..LayoutParams::default()
    };
    let is_map = args.input.extension().is_some_and(|e| e.eq_ignore_ascii_case("qualmap"));
    if is_map {
        let mut doc = io::load_path(&args.input).map_err(|e| e.to_string())?;
        let ctx = crate::scene::headless_context();
        let scene = crate::scene::build_scene(
            &doc,
            &crate::scene::SceneOptions::new(crate::scene::ThemeKind::Light),
            &crate::scene::EguiMeasure(&ctx),
        );
        let (command, stats) = layout_command(&doc, &scene, &params);
        command.apply(&mut doc).map_err(|e| e.to_string())?;
        io::save_path(&doc, &args.output).map_err(|e| e.to_string())?;
        return Ok(format!(
            "laid out {} concepts in {:.3} s ({} iterations, {} levels); wrote {}",
            doc.concepts.len(),
            stats.seconds,
            stats.iterations,
            stats.levels,
            args.output.display()
        ));
    }
    let bytes = crate::import::read_limited(&args.input, 500_000_000).map_err(|e| e.to_string())?;
    // Read by content (GraphML, GEXF, DOT, JSON Canvas, CXL, edge lists and edge tables).
    let (names, edges) =
        crate::import::graph::read_plain(&bytes, &args.input.display().to_string()).map_err(|e| e.to_string())?;
    let n = names.len();
    let graph =
        LayoutGraph { half_sizes: vec![[0.0, 0.0]; n], edges, pinned: vec![false; n], ..LayoutGraph::default() };
    let (pos, stats) =
        layout(&graph, &vec![[0.0, 0.0]; n], &LayoutParams { edge_length: 1.0, label_gap: 0.0, ..params });
    let mut text = String::with_capacity(n * 24);
    for (name, p) in names.iter().zip(&pos) {
        text.push_str(&format!("{name} {} {}\n", p[0], p[1]));
    }
    io::write_atomic(&args.output, text.as_bytes()).map_err(|e| e.to_string())?;
    Ok(format!(
        "laid out {n} nodes, {} edges in {:.3} s ({} iterations, {} levels); wrote {}",
        graph.edges.len(),
        stats.seconds,
        stats.iterations,
        stats.levels,
        args.output.display()
    ))
}

fn import(args: &ImportArgs) -> Result<String, String> {
    use crate::import::sandbox::{read_path_bounded, spreadsheet_csv_bounded};
    use crate::import::{AreasFrom, ImportOptions, plan, spreadsheet, table};
    let mapping = match &args.map {
        Some(overrides) => {
            let ext = args.input.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
            let bytes = if spreadsheet::Kind::from_extension(&ext).is_some() {
                spreadsheet_csv_bounded(&args.input)
            } else {
                crate::import::read_limited(&args.input, table::MAX_TABLE_BYTES)
            }
            .map_err(|e| e.to_string())?;
            let tsv = ext == "tsv";
            let (headers, sample) =
                table::sample(&bytes, tsv, table::GUESS_ROWS).map_err(|e| format!("{}: {e}", args.input.display()))?;
            let mut mapping = table::guess_from(&headers, &sample);
            table::apply_overrides(&mut mapping, &headers, overrides)?;
            Some(mapping)
        }
        None => None,
    };
    let data = read_path_bounded(&args.input, mapping.as_ref()).map_err(|e| e.to_string())?;
    let mut doc = match &args.into {
        Some(existing) => io::load_path(existing).map_err(|e| e.to_string())?,
        None => {
            let mut doc = crate::model::Document::new_blank();
            doc.info.title =
                args.input.file_stem().map_or_else(|| "Imported map".to_owned(), |s| s.to_string_lossy().into_owned());
            doc
        }
    };
    let options = ImportOptions {
        concepts_from_codes: !args.no_concepts,
        areas_from: match args.areas.as_str() {
            "parents" => AreasFrom::ParentCodes,
            "none" => AreasFrom::Nothing,
            _ => AreasFrom::Sets,
        },
    };
    let planned = plan(&doc, &data, &options);
    planned
        .command
        .apply(&mut doc)
        .map_err(|e| format!("{}: the import could not be applied: {e}", args.input.display()))?;
    io::save_path(&doc, &args.output).map_err(|e| e.to_string())?;
    let mut text = data.report.text();
    text.push_str("Added to the map:\n");
    for line in planned.summary {
        text.push_str(&format!("  - {line}\n"));
    }
    text.push_str(&format!("wrote {}: {}", args.output.display(), doc.counts()));
    Ok(text)
}

fn export(args: &ExportArgs) -> Result<String, String> {
    use crate::export::{ExportOptions, Format, export_figure};
    use crate::model::support::SupportMode;
    use crate::scene::{EguiMeasure, headless_context};
    if args.story {
        return export_handout(args);
    }
    let format = Format::from_path(&args.output).ok_or_else(|| {
        let known: Vec<&str> = Format::ALL.iter().map(|f| f.extension()).collect();
        format!("{}: unknown output format; use one of .{}", args.output.display(), known.join(", ."))
    })?;
    if !(args.scale.is_finite() && args.scale > 0.0 && args.scale <= 16.0) {
        return Err(format!("--scale {} is out of range (more than 0, at most 16)", args.scale));
    }
    let doc = io::load_path(&args.map).map_err(|e| e.to_string())?;
    let mut options = ExportOptions {
        caption: args.caption,
        support: match args.support.as_str() {
            "sources" => SupportMode::Sources,
            "participants" => SupportMode::Participants,
            _ => SupportMode::Excerpts,
        },
        ..picture_options(args, Some(format))?
    };
    for pair in &args.filter {
        let Some((name, value)) = pair.split_once('=') else {
            return Err(format!("--filter {pair}: expected ATTRIBUTE=VALUE, e.g. role=mentor"));
        };
        options.filter.attributes.entry(name.trim().to_owned()).or_default().insert(value.trim().to_owned());
    }
    options.filter.coders.extend(args.coder.iter().cloned());
    if !args.focus.is_empty() || args.bridging || args.bridging_colour || args.path_from.is_some() {
        let graph = crate::explore::RelationGraph::new(&doc);
        if !args.focus.is_empty() {
            let from = args
                .focus
                .iter()
                .map(|label| crate::explore::find_by_label(&doc, label).map_err(|e| format!("--focus: {e}")))
                .collect::<Result<Vec<_>, _>>()?;
            let focus =
                crate::explore::Focus { from, steps: args.steps, follow: crate::explore::Follow::Both, only: None };
            options.focus = Some(focus.items(&graph));
            options.focus_text = Some(focus.describe(&doc));
        }
        if args.bridging_colour {
            options.tint = Some(std::sync::Arc::new(crate::explore::bridging_tint(&graph.measures())));
        }
        if args.bridging {
            options.emphasis = Some(std::sync::Arc::new(crate::explore::bridging(&graph.measures())));
        }
        if let (Some(from), Some(to)) = (&args.path_from, &args.path_to) {
            let from = crate::explore::find_by_label(&doc, from).map_err(|e| format!("--path-from: {e}"))?;
            let to = crate::explore::find_by_label(&doc, to).map_err(|e| format!("--path-to: {e}"))?;
            let paths = graph.shortest_paths(from, to, 100);
            if paths.items.is_empty() {
                return Err(format!(
                    "no path leads from \"{}\" to \"{}\" along the relationships' directions",
                    doc.endpoint_label(from),
                    doc.endpoint_label(to)
                ));
            }
            for path in &paths.items {
                options.highlight.extend(crate::explore::path_items(&graph, path));
            }
        }
    }
    let ctx = headless_context();
    let start = web_time::Instant::now();
    let (bytes, fit) = export_figure(&doc, format, &options, &EguiMeasure(&ctx))
        .map_err(|e| format!("{}: {e}", args.output.display()))?;
    io::write_atomic(&args.output, &bytes).map_err(|e| format!("{}: {e}", args.output.display()))?;
    let mut message = format!(
        "wrote {} ({}) in {:.0} ms",
        args.output.display(),
        format.label(),
        start.elapsed().as_secs_f64() * 1000.0
    );
    if let Some(fit) = fit.filter(|_| options.width.is_some() || options.page.is_some()) {
        message.push_str(&fit_message(&fit, &options));
    }
    if format.is_image() {
        message.push_str(&missing_glyphs_warning(&doc));
    }
    Ok(message)
}

/// A warning line for the characters of `doc` that no bundled font draws (they come out as
/// boxes in an image export), or nothing.
fn missing_glyphs_warning(doc: &crate::model::Document) -> String {
    let missing = crate::export::missing_glyphs(doc);
    if missing.is_empty() {
        return String::new();
    }
    format!(
        "\nwarning: no bundled font has {}; they are drawn as boxes",
        crate::scene::fonts::describe_missing(&missing)
    )
}

/// Theme, scale, size, page, background and legend from the export flags.
fn picture_options(
    args: &ExportArgs,
    format: Option<crate::export::Format>,
) -> Result<crate::export::ExportOptions, String> {
    use crate::export::figure::{Length, Page};
    use crate::scene::ThemeKind;
    let mut options = crate::export::ExportOptions {
        theme: match args.theme.as_str() {
            "dark" => ThemeKind::Dark,
            "print" => ThemeKind::Print,
            _ => ThemeKind::Light,
        },
        scale: args.scale,
        transparent: args.transparent,
        legend: !args.no_legend,
        text_as_outlines: args.text_as_outlines,
        ..crate::export::ExportOptions::default()
    };
    if let Some(width) = &args.width {
        let bare_pixels = width.trim().parse::<u32>().ok().filter(|_| format == Some(crate::export::Format::Png));
        match bare_pixels {
            // A bare number for a PNG is its width in pixels, as before lengths were read.
            Some(pixels) if (1..=crate::export::MAX_PNG_SIDE).contains(&pixels) => options.width_px = Some(pixels),
            Some(pixels) => {
                return Err(format!(
                    "--width {pixels}: a PNG is at least 1 and at most {} pixels wide",
                    crate::export::MAX_PNG_SIDE
                ));
            }
            None => options.width = Some(Length::parse(width).map_err(|e| format!("--width {e}"))?),
        }
    }
    if !(args.min_text.is_finite() && (0.0..=72.0).contains(&args.min_text)) {
        return Err(format!("--min-text {} is out of range (0 to 72 points)", args.min_text));
    }
    options.min_text_pt = args.min_text;
    if !(args.dpi.is_finite() && (10.0..=2400.0).contains(&args.dpi)) {
        return Err(format!("--dpi {} is out of range (10 to 2400)", args.dpi));
    }
    options.dpi = args.dpi;
    let margin = Length::parse(&args.margin).map_err(|e| format!("--margin {e}"))?;
    if let Some(page) = &args.page {
        let page = Page::parse(page).map_err(|e| format!("--page {e}"))?;
        options.page = Some(Page { margin, ..page });
        if options.width.is_some() {
            return Err("--width and --page: give one (a figure on a page is fitted to it)".to_owned());
        }
    } else if args.story && format == Some(crate::export::Format::Pdf) {
        // A handout is on paper: A4 unless --page says otherwise.
        options.page = Some(Page { margin, ..Page::default() });
    }
    Ok(options)
}

/// The size and smallest text of a picture, and a warning when its text is under the minimum.
fn fit_message(fit: &crate::export::figure::Fit, options: &crate::export::ExportOptions) -> String {
    let mut text = format!("; {}", fit.describe(options));
    if let Some(shortfall) = &fit.shortfall {
        text.push_str(&format!("\nwarning: {shortfall}"));
    }
    text
}

fn export_handout(args: &ExportArgs) -> Result<String, String> {
    use crate::export::{handout_pdf_with_fits, handout_pngs};
    use crate::scene::{EguiMeasure, headless_context};
    let doc = io::load_path(&args.map).map_err(|e| e.to_string())?;
    if doc.story.is_empty() {
        return Err(format!("{}: the map has no story steps to export", args.map.display()));
    }
    let format = match args.output.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("pdf") => Some(crate::export::Format::Pdf),
        _ => Some(crate::export::Format::Png),
    };
    let options = picture_options(args, format)?;
    let ctx = headless_context();
    let measure = EguiMeasure(&ctx);
    let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", args.output.display());
    match args.output.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("pdf") => {
            let (bytes, fits) = handout_pdf_with_fits(&doc, &options, &measure).map_err(|e| fail(&e))?;
            io::write_atomic(&args.output, &bytes).map_err(|e| fail(&e))?;
            let page = crate::export::handout_page(&doc, &options, &measure);
            let smallest = fits.iter().map(|f| f.smallest_pt).fold(f32::INFINITY, f32::min);
            let mut message = format!(
                "wrote {} ({} pages, {} {}, smallest text {smallest:.1} pt){}",
                args.output.display(),
                doc.story.len(),
                page.paper.label(),
                page.orientation.label().to_lowercase(),
                missing_glyphs_warning(&doc)
            );
            for (i, fit) in fits.iter().enumerate() {
                if let Some(shortfall) = &fit.shortfall {
                    message.push_str(&format!("\nwarning: page {}: {shortfall}", i + 1));
                }
            }
            Ok(message)
        }
        None => {
            std::fs::create_dir_all(&args.output).map_err(|e| fail(&e))?;
            let pages = handout_pngs(&doc, &options, &measure).map_err(|e| fail(&e))?;
            for (name, bytes) in &pages {
                io::write_atomic(&args.output.join(name), bytes).map_err(|e| fail(&e))?;
            }
            Ok(format!(
                "wrote {} PNG images into {}{}",
                pages.len(),
                args.output.display(),
                missing_glyphs_warning(&doc)
            ))
        }
        Some(other) => Err(format!(
            "{}: a story exports as a .pdf handout or as PNGs into a folder, not as .{other}",
            args.output.display()
        )),
    }
}

/// The format of `qualmap measures`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum MeasuresFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// A JSON array of objects.
    Json,
}

/// The paths, loops or measures of a map, as printed (see [`Commands::Paths`] and the others).
fn explore(command: &Commands) -> Result<String, String> {
    use crate::explore::{RelationGraph, find_by_label};
    use std::fmt::Write as _;
    let join = |doc: &crate::model::Document, path: &[crate::model::Endpoint]| {
        path.iter().map(|e| doc.endpoint_label(*e)).collect::<Vec<_>>().join(" -> ")
    };
    let mut out = String::new();
    match command {
        Commands::Paths { map, from, to, max_length, limit } => {
            let doc = io::load_path(map).map_err(|e| e.to_string())?;
            let from = find_by_label(&doc, from).map_err(|e| format!("--from: {e}"))?;
            let to = find_by_label(&doc, to).map_err(|e| format!("--to: {e}"))?;
            let graph = RelationGraph::new(&doc);
            let found = match max_length {
                Some(steps) => graph.simple_paths(from, to, *steps, *limit),
                None => graph.shortest_paths(from, to, *limit),
            };
            for path in &found.items {
                let _ = writeln!(out, "{}", join(&doc, path));
            }
            if found.truncated {
                eprintln!("note: only the first {limit} paths are listed (--limit)");
            }
        }
        Commands::Loops { map, max_length, limit } => {
            let doc = io::load_path(map).map_err(|e| e.to_string())?;
            let found = RelationGraph::new(&doc).loops(*max_length, *limit);
            for cycle in &found.items {
                let _ = writeln!(out, "{} -> {}", join(&doc, cycle), doc.endpoint_label(cycle[0]));
            }
            if found.truncated {
                eprintln!("note: only the first {limit} loops are listed (--limit)");
            }
        }
        Commands::Measures { map, format } => {
            let doc = io::load_path(map).map_err(|e| e.to_string())?;
            let measures = RelationGraph::new(&doc).measures();
            let concepts = measures.iter().filter_map(|m| match m.item {
                crate::model::Endpoint::Concept(id) => Some((id, m)),
                crate::model::Endpoint::Area(_) => None,
            });
            match format {
                MeasuresFormat::Csv => {
                    let mut writer = csv::Writer::from_writer(Vec::new());
                    let header = ["id", "label", "in_degree", "out_degree", "betweenness", "neighbour_areas"];
                    writer.write_record(header).map_err(|e| e.to_string())?;
                    for (id, m) in concepts {
                        writer
                            .write_record([
                                id.0.to_string(),
                                doc.endpoint_label(m.item).to_owned(),
                                m.in_degree.to_string(),
                                m.out_degree.to_string(),
                                format!("{:.6}", m.betweenness),
                                m.neighbour_areas.to_string(),
                            ])
                            .map_err(|e| e.to_string())?;
                    }
                    let bytes = writer.into_inner().map_err(|e| e.to_string())?;
                    out = String::from_utf8(bytes).map_err(|e| e.to_string())?;
                }
                MeasuresFormat::Json => {
                    let rows: Vec<serde_json::Value> = concepts
                        .map(|(id, m)| {
                            serde_json::json!({
                                "id": id.0,
                                "label": doc.endpoint_label(m.item),
                                "in_degree": m.in_degree,
                                "out_degree": m.out_degree,
                                "betweenness": m.betweenness,
                                "neighbour_areas": m.neighbour_areas,
                            })
                        })
                        .collect();
                    out = serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())? + "\n";
                }
            }
        }
        _ => {}
    }
    Ok(out)
}

/// Runs a headless subcommand; returns the process exit code.
pub fn run(command: &Commands) -> i32 {
    match command {
        Commands::Validate { file } => match io::load_path(file) {
            Ok(doc) => {
                println!("{}: valid Qualmap map: {}", file.display(), doc.counts());
                0
            }
            Err(err) => {
                eprintln!("error: {err}");
                1
            }
        },
        Commands::Export(args) => match export(args) {
            Ok(message) => {
                // Warnings go to standard error, so a script reading the output sees them apart.
                for line in message.lines() {
                    if line.starts_with("warning: ") {
                        eprintln!("{line}");
                    } else {
                        println!("{line}");
                    }
                }
                0
            }
            Err(message) => {
                eprintln!("error: {message}");
                1
            }
        },
        Commands::Import(args) => match import(args) {
            Ok(message) => {
                println!("{message}");
                0
            }
            Err(message) => {
                eprintln!("error: {message}");
                1
            }
        },
        Commands::Layout(args) => match layout(args) {
            Ok(message) => {
                println!("{message}");
                0
            }
            Err(message) => {
                eprintln!("error: {message}");
                1
            }
        },
        Commands::Generate { concepts, relationships, evidence, seed, output } => {
            let spec = crate::model::generate::Spec {
                concepts: *concepts,
                relationships: *relationships,
                evidence: *evidence,
                seed: *seed,
            };
            let doc = crate::model::generate::generated(spec);
            match io::save_path(&doc, output) {
                Ok(()) => {
                    println!("wrote {} to {}", doc.counts(), output.display());
                    0
                }
                Err(err) => {
                    eprintln!("error: {err}");
                    1
                }
            }
        }
        Commands::ReadImport { memory, cpu, request, file } => {
            crate::import::sandbox::run_child(file, request, *memory, *cpu)
        }
        Commands::Paths { .. } | Commands::Loops { .. } | Commands::Measures { .. } => match explore(command) {
            Ok(text) => {
                print!("{text}");
                0
            }
            Err(message) => {
                eprintln!("error: {message}");
                1
            }
        },
        Commands::Diff { a, b, format } => team::diff(a, b, *format),
        Commands::Merge { files, output } => team::merge(files, output),
        Commands::Serve(args) => serve::serve(args),
        Commands::Publish(args) => publish::publish(args),
        Commands::Agreement(args) => match agreement(args) {
            Ok(text) => {
                print!("{text}");
                0
            }
            Err((status, message)) => {
                eprintln!("error: {message}");
                status
            }
        },
        Commands::Example { output } => {
            if output.as_os_str() == "-" {
                print!("{}", example::EXAMPLE_JSON);
                return 0;
            }
            match io::write_atomic(output, example::EXAMPLE_JSON.as_bytes()) {
                Ok(()) => {
                    println!("wrote the example map to {}", output.display());
                    0
                }
                Err(err) => {
                    eprintln!("error: {err}");
                    1
                }
            }
        }
    }
}
