//! Graph files from other tools (`tests/fixtures/graphs/`, written for these tests; see the
//! README there for where each quirk comes from) read by content, counted as Graphviz and
//! networkx count them, imported as maps in one undoable step, and every graph format Qualmap
//! writes read back to the same map.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use qualmap::export::{ExportOptions, Format, export_bytes};
use qualmap::import::graph::{Graph, Kind, sniff};
use qualmap::import::{ImportData, ImportOptions, plan, read_path};
use qualmap::model::{Direction, Document, Endpoint, example};
use qualmap::scene::{EguiMeasure, headless_context};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/graphs").join(name)
}

fn read(name: &str) -> ImportData {
    read_path(&fixture(name), None).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn graph(data: &ImportData) -> &Graph {
    data.graph.as_ref().expect("read as a graph")
}

/// Imports into a blank map; checks that the import is one step that undoes and adds no codes.
fn import(data: &ImportData) -> Document {
    let blank = Document::new_blank();
    let planned = plan(&blank, data, &ImportOptions::default());
    assert!(matches!(planned.command, qualmap::command::Command::Batch { .. }), "one undoable step");
    let mut doc = blank.clone();
    let undo = planned.command.apply(&mut doc).unwrap();
    assert!(qualmap::model::validate::validate(&doc).is_empty());
    assert!(doc.codes.is_empty(), "graph nodes never enter the codebook");
    let mut undone = doc.clone();
    undo.apply(&mut undone).unwrap();
    assert!(undone == blank, "the import undoes to the map it started from");
    doc
}

fn labels(doc: &Document) -> BTreeSet<String> {
    doc.concepts.iter().map(|c| c.label.clone()).collect()
}

fn areas_of(doc: &Document, label: &str) -> BTreeSet<String> {
    let concept = doc.concepts.iter().find(|c| c.label == label).unwrap_or_else(|| panic!("no concept {label}"));
    concept.areas.iter().filter_map(|a| doc.area(*a)).map(|a| a.label.clone()).collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// Relationships as (from, to, shown label, direction).
fn relationships(doc: &Document) -> BTreeSet<(String, String, String, String)> {
    let name = |end: Endpoint| match end {
        Endpoint::Concept(id) => doc.concept(id).map(|c| c.label.clone()).unwrap_or_default(),
        Endpoint::Area(id) => format!("area {}", doc.area(id).map(|a| a.label.clone()).unwrap_or_default()),
    };
    doc.relationships
        .iter()
        .map(|r| (name(r.from), name(r.to), doc.relationship_label(r).to_owned(), format!("{:?}", doc.direction_of(r))))
        .collect()
}

#[test]
fn gephi_gexf_is_a_graph_not_an_edge_list() {
    let data = read("gephi-1.2-viz.gexf");
    let g = graph(&data);
    assert_eq!((g.concept_count(), g.edges.len()), (12, 14), "{}", data.report.text());
    assert!(g.format.starts_with("GEXF 1.2 (Gephi"), "{}", g.format);
    let doc = import(&data);
    let baker = doc.concepts.iter().find(|c| c.label == "Baker").unwrap();
    // Gephi's y axis points up.
    assert_eq!((baker.pos.x, baker.pos.y), (-120.5, -40.25));
    assert!(relationships(&doc).iter().all(|r| r.3 == "Associative"));
    // Node colours are kept on the cards: Baker's, like every node of this file, is its own
    // (the file has no groups for it to come from).
    assert_eq!(baker.color.map(|c| c.to_hex()), Some("#eb5148".to_owned()));
    let planned = plan(&Document::new_blank(), &data, &ImportOptions::default());
    assert!(
        planned.summary.iter().any(|s| s == "12 concepts keep their own colour from the file"),
        "{:?}",
        planned.summary
    );
}

#[test]
fn gexf_hierarchies_become_areas() {
    let data = read("gephi-1.3-hierarchy.gexf");
    let doc = import(&data);
    assert_eq!(labels(&doc), set(&["Dairy farm", "Orchard", "Mill", "Village shop"]));
    assert_eq!(areas_of(&doc, "Orchard"), set(&["Farms"]));
    assert_eq!(areas_of(&doc, "Village shop"), set(&["Town"]));
    assert!(areas_of(&doc, "Mill").is_empty());
    let farms = doc.areas.iter().find(|a| a.label == "Farms").unwrap();
    assert_eq!(farms.color.to_hex(), "#c8a03c");
    let rels = relationships(&doc);
    assert!(
        rels.contains(&("Mill".into(), "Village shop".into(), "trades with".into(), "Bidirectional".into())),
        "{rels:?}"
    );
    assert!(rels.contains(&("Orchard".into(), "Dairy farm".into(), "is associated with".into(), "Associative".into())));
    assert!(rels.contains(&("Dairy farm".into(), "Mill".into(), "sells milk to".into(), "OneWay".into())));

    let doc = import(&read("gexf-1.1-nested.gexf"));
    assert_eq!(areas_of(&doc, "Nurse"), set(&["Ward A"]));
    assert_eq!(areas_of(&doc, "Pharmacy"), set(&["Ward A"]));
}

#[test]
fn yed_groups_labels_geometry_and_arrows() {
    let data = read("yed-classic-groups.graphml");
    assert_eq!(graph(&data).format, "GraphML (yEd)");
    let doc = import(&data);
    assert_eq!(labels(&doc), set(&["Case review", "Feedback", "Confidence", "n2"]));
    assert_eq!(areas_of(&doc, "Feedback"), set(&["Professional practice"]));
    let case = doc.concepts.iter().find(|c| c.label == "Case review").unwrap();
    assert_eq!((case.pos.x, case.pos.y), (60.0, 15.0), "the centre of x, y, width, height");
    assert_eq!(case.description, "Trainees bring cases");
    assert_eq!(doc.areas[0].color.to_hex(), "#f5f5f5");
    let rels = relationships(&doc);
    assert!(rels.contains(&("Case review".into(), "Feedback".into(), "leads to".into(), "OneWay".into())), "{rels:?}");
    // An edge from the group is a relationship from its area.
    assert!(rels.contains(&(
        "area Professional practice".into(),
        "Confidence".into(),
        "builds".into(),
        "OneWay".into()
    )));
    // An arrow only at the source turns the edge round.
    assert!(rels.contains(&("Confidence".into(), "n2".into(), "is associated with".into(), "OneWay".into())));
    assert!(rels.contains(&(
        "Confidence".into(),
        "Feedback".into(),
        "is associated with".into(),
        "Bidirectional".into()
    )));
    let builds = doc.relationship_types.iter().find(|t| t.name == "builds").unwrap();
    assert_eq!(builds.color.to_hex(), "#336699");
}

#[test]
fn yed_live_and_yfiles_for_html() {
    let data = read("yed-live.graphml");
    assert_eq!(graph(&data).format, "GraphML (yEd Live / yFiles for HTML)");
    let doc = import(&data);
    assert_eq!(labels(&doc), set(&["Stress relief", "Work-life balance", "Mentoring"]));
    assert_eq!(areas_of(&doc, "Stress relief"), set(&["Personal well-being"]));
    let stress = doc.concepts.iter().find(|c| c.label == "Stress relief").unwrap();
    assert_eq!((stress.pos.x, stress.pos.y), (90.0, 80.0));
    assert_eq!(stress.description, "Less burnout");
    assert!(relationships(&doc).contains(&(
        "Mentoring".into(),
        "Stress relief".into(),
        "reduces".into(),
        "OneWay".into()
    )));
}

#[test]
fn networkx_multigraphs_keep_every_edge_despite_repeated_ids() {
    let data = read("networkx-multigraph.graphml");
    let g = graph(&data);
    assert_eq!((g.concept_count(), g.edges.len()), (3, 5));
    let doc = import(&data);
    assert_eq!(labels(&doc), set(&["Alpha", "Beta", "c"]));
    assert_eq!(doc.relationships.len(), 5, "parallel edges, a self-loop and repeated ids all kept");
}

#[test]
fn other_graphml_writers() {
    let data = read("tinkerpop-one-line.graphml");
    assert_eq!(graph(&data).format, "GraphML (TinkerPop)");
    let doc = import(&data);
    assert_eq!(labels(&doc), set(&["ada", "ben", "loom", "cleo"]));
    let rels = relationships(&doc);
    assert!(
        rels.contains(&("ada".into(), "ben".into(), "knows".into(), "OneWay".into())),
        "labelE names the type: {rels:?}"
    );
    assert!(rels.contains(&("cleo".into(), "loom".into(), "created".into(), "OneWay".into())));

    let doc = import(&read("prefixed.graphml"));
    assert_eq!(labels(&doc), set(&["Ex", "Why", "z"]));
    let rels = relationships(&doc);
    assert!(rels.contains(&("Why".into(), "z".into(), "is associated with".into(), "OneWay".into())), "{rels:?}");
    assert!(rels.contains(&("Ex".into(), "Why".into(), "is associated with".into(), "Associative".into())));

    let doc = import(&read("cytoscape.graphml"));
    assert_eq!(labels(&doc), set(&["KIN1", "KIN2", "TF3"]));
    assert_eq!(areas_of(&doc, "KIN2"), set(&["Signalling group"]));
    let rels = relationships(&doc);
    assert!(
        rels.contains(&("KIN1".into(), "KIN2".into(), "pp".into(), "OneWay".into())),
        "interaction names the type: {rels:?}"
    );
    assert!(rels.contains(&("TF3".into(), "TF3".into(), "pd".into(), "OneWay".into())));

    let doc = import(&read("graph-tool.graphml"));
    assert_eq!(labels(&doc), set(&["river", "bridge", "mill"]));
    let river = doc.concepts.iter().find(|c| c.label == "river").unwrap();
    assert_eq!((river.pos.x, river.pos.y), (5.0, 2.0), "graph-tool's hexadecimal floats");

    let doc = import(&read("igraph.graphml"));
    assert_eq!(labels(&doc), set(&["Instructor", "President", "Member"]));
    assert_eq!(doc.relationships.len(), 3);
}

#[test]
fn dot_as_graphviz_reads_it() {
    let data = read("latin1-charset.dot");
    assert!(data.report.text().contains("charset=latin1"), "{}", data.report.text());
    let doc = import(&data);
    assert_eq!(labels(&doc), set(&["François", "Renée", "Naïve élève"]));
    assert!(relationships(&doc).contains(&("François".into(), "Renée".into(), "écoute".into(), "OneWay".into())));

    let doc = import(&read("clusters.dot"));
    assert_eq!(areas_of(&doc, "case review"), set(&["Professional practice", "Day to day"]));
    assert_eq!(areas_of(&doc, "coping"), set(&["Personal well-being"]));
    assert!(areas_of(&doc, "mentor").is_empty());
    assert!(areas_of(&doc, "outcome").is_empty());
    let rels = relationships(&doc);
    assert!(rels.contains(&("mentor".into(), "coping".into(), "supports".into(), "OneWay".into())));
    assert!(rels.contains(&("mentee".into(), "mentor".into(), "meets".into(), "Bidirectional".into())));

    let doc = import(&read("html-labels-ports.dot"));
    let expected = ["left mid&dle bold <text>", "top | bottom", "line one\nline two\nend"];
    assert_eq!(labels(&doc), set(&expected));
    let rels = relationships(&doc);
    assert!(
        rels.contains(&(
            "left mid&dle bold <text>".into(),
            "line one\nline two\nend".into(),
            "table1 to plain".into(),
            "OneWay".into()
        )),
        "{rels:?}"
    );
    // dir=back turns the edge round.
    assert!(rels.contains(&(
        "line one\nline two\nend".into(),
        "top | bottom".into(),
        "is associated with".into(),
        "OneWay".into()
    )));

    let data = read("several-graphs.dot");
    let doc = import(&data);
    assert_eq!(
        doc.areas.iter().map(|a| a.label.clone()).collect::<BTreeSet<_>>(),
        set(&["first", "second", "graph 3"])
    );
    assert_eq!(doc.concepts.len(), 3 + 3 + 2);
    assert_eq!(doc.relationships.len(), 3 + 1 + 2, "the strict graph merges q -- p into p -- q");
}

/// `(nodes, edges)` of each graph in a DOT file, as Graphviz's gvpr counts them.
fn gvpr_counts(path: &Path) -> Option<Vec<(usize, usize)>> {
    let output = Process::new("gvpr").arg("BEG_G { printf(\"%d %d\\n\", nNodes($G), nEdges($G)); }").arg(path).output();
    let output = match output {
        Ok(output) => output,
        Err(_) => {
            println!("gvpr is not installed: Graphviz's counts not compared (CI installs graphviz)");
            return None;
        }
    };
    assert!(output.status.success(), "gvpr failed on {}: {}", path.display(), String::from_utf8_lossy(&output.stderr));
    Some(
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|l| {
                let mut parts = l.split_whitespace().map(|p| p.parse().unwrap());
                (parts.next().unwrap(), parts.next().unwrap())
            })
            .collect(),
    )
}

#[test]
fn dot_counts_match_graphviz() {
    for name in ["latin1-charset.dot", "several-graphs.dot", "html-labels-ports.dot", "clusters.dot"] {
        let Some(counts) = gvpr_counts(&fixture(name)) else { return };
        assert!(!counts.is_empty(), "gvpr counted no graph in {name}");
        let data = read(name);
        let g = graph(&data);
        // Per graph: nodes are the concepts under that graph's area when there are several.
        if counts.len() == 1 {
            assert_eq!(vec![(g.concept_count(), g.edges.len())], counts, "{name}");
        } else {
            let mut ours = Vec::new();
            for (k, _) in counts.iter().enumerate() {
                let prefix = format!("g{}:", k + 1);
                let nodes: Vec<usize> =
                    (0..g.nodes.len()).filter(|&i| !g.nodes[i].group && g.nodes[i].id.starts_with(&prefix)).collect();
                let edges = g.edges.iter().filter(|e| nodes.contains(&e.source)).count();
                ours.push((nodes.len(), edges));
            }
            assert_eq!(ours, counts, "{name}");
        }
    }
}

/// `(nodes, edges)` as networkx reads a GEXF or GraphML file, or `None` without networkx.
fn networkx_counts(path: &Path) -> Option<(usize, usize)> {
    let reader = if path.extension().is_some_and(|e| e == "gexf") { "read_gexf" } else { "read_graphml" };
    let script = format!(
        "import networkx as nx, sys\ng = nx.{reader}(sys.argv[1])\nprint(g.number_of_nodes(), g.number_of_edges())"
    );
    let output = Process::new("python3").arg("-c").arg(script).arg(path).output().ok()?;
    if !output.status.success() {
        let error = String::from_utf8_lossy(&output.stderr);
        if error.contains("No module named") {
            println!("networkx is not installed: its counts not compared (CI installs it)");
        } else {
            println!("networkx cannot read {}: {}", path.display(), error.lines().last().unwrap_or_default());
        }
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let mut parts = text.split_whitespace().map(|p| p.parse().unwrap());
    Some((parts.next()?, parts.next()?))
}

#[test]
fn gexf_and_graphml_counts_match_networkx() {
    let mut compared = 0;
    for name in [
        "gephi-1.2-viz.gexf",
        "gexf-1.1-nested.gexf",
        "networkx-multigraph.graphml",
        "tinkerpop-one-line.graphml",
        "prefixed.graphml",
        "graph-tool.graphml",
        "igraph.graphml",
        "yed-classic-groups.graphml",
        // Not cytoscape.graphml: networkx leaves out what nested graphs hold ("nested graphs
        // are not supported", its read_graphml documentation says).
    ] {
        let Some(counts) = networkx_counts(&fixture(name)) else { continue };
        let data = read(name);
        let g = graph(&data);
        // networkx keeps groups as nodes too.
        assert_eq!((g.nodes.len(), g.edges.len()), counts, "{name}");
        compared += 1;
    }
    println!("{compared} files compared with networkx");
}

#[test]
fn edge_lists_and_edge_tables() {
    let data = read("edge-list-comments-crlf.txt");
    let g = graph(&data);
    assert_eq!(g.format, "edge list");
    assert_eq!((g.concept_count(), g.edges.len()), (6, 5), "{}", data.report.text());
    assert!(data.report.text().contains("1 self-loops"), "{}", data.report.text());
    assert!(labels(&import(&data)).contains("5"), "a line with one name is a node on its own");

    let data = read("gephi-edges.csv");
    let g = graph(&data);
    assert_eq!(g.format, "CSV edge table");
    assert_eq!((g.concept_count(), g.edges.len()), (4, 4), "{}", data.report.text());
    assert!(data.report.text().contains("1 rows without a source or target (lines 5)"), "{}", data.report.text());
    let rels = relationships(&import(&data));
    assert!(rels.contains(&("alice".into(), "bob".into(), "advises".into(), "OneWay".into())), "{rels:?}");
    assert!(rels.contains(&("bob".into(), "carol".into(), "is associated with".into(), "Associative".into())));
    // A coded-segment table is not an edge table.
    assert_eq!(sniff(b"Document,Code,Segment\nInterview 1,Trust,\"I felt heard\"\n"), Kind::Table);
    assert_eq!(sniff(b"Document\tCode\tSegment\nA\tB\tC\n"), Kind::Table);
}

#[test]
fn json_canvas_and_cmaptools() {
    let doc = import(&read("groups.canvas"));
    assert_eq!(labels(&doc), set(&["Communication", "Career planning", "M03.md", "https://example.org/mentoring"]));
    assert_eq!(areas_of(&doc, "Communication"), set(&["Personal development", "Skills"]));
    assert_eq!(areas_of(&doc, "Career planning"), set(&["Personal development"]));
    let skills = doc.areas.iter().find(|a| a.label == "Skills").unwrap();
    assert_eq!(skills.color.to_hex(), "#aa3377");
    let comm = doc.concepts.iter().find(|c| c.label == "Communication").unwrap();
    assert_eq!((comm.pos.x, comm.pos.y), (90.0, 30.0));
    let rels = relationships(&doc);
    assert!(rels.contains(&("Communication".into(), "Career planning".into(), "helps".into(), "OneWay".into())));
    assert!(rels.contains(&(
        "M03.md".into(),
        "https://example.org/mentoring".into(),
        "is associated with".into(),
        "Bidirectional".into()
    )));
    assert!(
        rels.contains(&("https://example.org/mentoring".into(), "area Skills".into(), "cites".into(), "OneWay".into())),
        "{rels:?}"
    );

    let data = read("concept-map.cxl");
    let doc = import(&data);
    assert_eq!(labels(&doc), set(&["Plants", "Leaves", "Roots", "Photo- synthesis", "Water"]));
    let rels = relationships(&doc);
    assert!(rels.contains(&("Plants".into(), "Leaves".into(), "have".into(), "OneWay".into())));
    assert!(rels.contains(&("Plants".into(), "Roots".into(), "have".into(), "OneWay".into())));
    assert!(rels.contains(&("Water".into(), "Photo- synthesis".into(), "is associated with".into(), "OneWay".into())));
    assert_eq!(doc.relationships.len(), 5);
    assert!(data.report.text().contains("1 linking phrases that do not join two concepts"), "{}", data.report.text());
    assert_eq!(data.title, "Plants (a fixture written for Qualmap)");
}

#[test]
fn a_file_is_read_for_what_it_is_and_a_lie_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    // A GEXF named .graphml is read as GEXF, and the report says so.
    let liar = dir.path().join("network.graphml");
    std::fs::copy(fixture("gephi-1.2-viz.gexf"), &liar).unwrap();
    let data = read_path(&liar, None).unwrap();
    assert_eq!(graph(&data).concept_count(), 12);
    assert!(
        data.report.text().contains("the name says .graphml but the content is a GEXF file"),
        "{}",
        data.report.text()
    );
    // A coded-segment table named .graphml is refused with what it looks like.
    let table = dir.path().join("codes.graphml");
    std::fs::write(&table, "Document,Code,Segment\nA,B,C\n").unwrap();
    let error = read_path(&table, None).unwrap_err().to_string();
    assert!(error.contains("codes.graphml looks like a table, not a graph file"), "{error}");
    // A DOT file named .txt is still DOT.
    let dot = dir.path().join("graph.txt");
    std::fs::copy(fixture("clusters.dot"), &dot).unwrap();
    assert_eq!(graph(&read_path(&dot, None).unwrap()).format, "DOT");
}

#[test]
fn a_graph_without_positions_is_laid_out_and_importing_twice_adds_nothing_new() {
    let data = read("networkx-multigraph.graphml");
    assert!(data.report.text().contains("laid out automatically"), "{}", data.report.text());
    let g = graph(&data);
    assert!(g.nodes.iter().all(|n| n.pos.is_some_and(|p| p[0].is_finite() && p[1].is_finite())));
    let mut doc = import(&data);
    let before = (doc.concepts.len(), doc.relationships.len());
    let again = plan(&doc, &data, &ImportOptions::default());
    again.command.apply(&mut doc).unwrap();
    assert_eq!((doc.concepts.len(), doc.relationships.len()), before, "{:?}", again.summary);
}

/// A concept's place (rounded), its areas' names and its own colour.
type Card = ((i32, i32), BTreeSet<String>, Option<String>);

/// What a map holds that a graph file can carry: labels, positions, areas (with colours and
/// members) and relationships.
#[derive(Debug, PartialEq)]
struct Shape {
    concepts: BTreeMap<String, Card>,
    areas: BTreeMap<String, String>,
    relationships: BTreeSet<(String, String, String, String)>,
}

fn shape(doc: &Document, tolerance: f32) -> Shape {
    let round = |v: f32| (v / tolerance).round() as i32;
    Shape {
        concepts: doc
            .concepts
            .iter()
            .map(|c| {
                let areas = c.areas.iter().filter_map(|a| doc.area(*a)).map(|a| a.label.clone()).collect();
                (c.label.clone(), ((round(c.pos.x), round(c.pos.y)), areas, c.color.map(|c| c.to_hex())))
            })
            .collect(),
        areas: doc.areas.iter().map(|a| (a.label.clone(), a.color.to_hex())).collect(),
        relationships: relationships(doc),
    }
}

#[test]
fn every_graph_format_qualmap_writes_reads_back_to_the_same_map() {
    let mut original = example::document();
    // Cards with colours of their own, in an area and in none, read back with them.
    original.concepts[0].color = Some(qualmap::model::Rgb::new(0xee, 0x99, 0x33));
    let arealess = original.concepts.iter().position(|c| c.areas.is_empty()).unwrap();
    original.concepts[arealess].color = Some(qualmap::model::Rgb::new(0x22, 0x88, 0x55));
    let ctx = headless_context();
    let dir = tempfile::tempdir().unwrap();
    for (format, tolerance) in
        [(Format::GraphMl, 0.01), (Format::Gexf, 0.01), (Format::Dot, 0.01), (Format::Canvas, 2.0)]
    {
        let bytes = export_bytes(&original, format, &ExportOptions::default(), &EguiMeasure(&ctx)).unwrap();
        let path = dir.path().join(format!("map.{}", format.extension()));
        std::fs::write(&path, bytes).unwrap();
        let data = read_path(&path, None).unwrap_or_else(|e| panic!("{format:?}: {e}"));
        let doc = import(&data);
        let (want, got) = (shape(&original, tolerance), shape(&doc, tolerance));
        assert_eq!(got.areas, want.areas, "{format:?}: areas");
        for (label, (pos, areas, color)) in &want.concepts {
            let Some((got_pos, got_areas, got_color)) = got.concepts.get(label) else {
                panic!("{format:?}: {label} is missing")
            };
            assert_eq!(got_color, color, "{format:?}: the colour of {label}");
            let close = (got_pos.0 - pos.0).abs() <= 1 && (got_pos.1 - pos.1).abs() <= 1;
            assert!(close, "{format:?}: {label} at {got_pos:?}, was {pos:?}");
            if format == Format::Canvas {
                // JSON Canvas has no membership, only rectangles: a card inside a group's
                // rectangle joins it, so a non-member drawn inside an area's bounds does too.
                assert!(got_areas.is_superset(areas), "{format:?}: the areas of {label}: {got_areas:?}");
            } else {
                assert_eq!(got_areas, areas, "{format:?}: the areas of {label}");
            }
        }
        assert_eq!(got.concepts.len(), want.concepts.len(), "{format:?}");
        assert_eq!(got.relationships, want.relationships, "{format:?}: relationships");
    }
}

#[test]
fn the_command_line_imports_and_lays_out_graph_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("village.qualmap");
    let status = Process::new(env!("CARGO_BIN_EXE_qualmap"))
        .args(["import"])
        .arg(fixture("gephi-1.2-viz.gexf"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(status.status.success(), "{text}{}", String::from_utf8_lossy(&status.stderr));
    assert!(text.contains("GEXF 1.2 (Gephi 0.9): 12 nodes, 14 edges"), "{text}");
    let doc = qualmap::model::io::load_path(&out).unwrap();
    assert_eq!((doc.concepts.len(), doc.relationships.len()), (12, 14));

    let positions = dir.path().join("positions.txt");
    let status = Process::new(env!("CARGO_BIN_EXE_qualmap"))
        .args(["layout"])
        .arg(fixture("yed-classic-groups.graphml"))
        .arg("-o")
        .arg(&positions)
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    assert_eq!(std::fs::read_to_string(&positions).unwrap().lines().count(), 4, "groups are not laid out as nodes");
    let _ = Direction::OneWay;
}
