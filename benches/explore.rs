//! Explore benchmark (issue 17): on a generated map of 10,000 concepts and 30,000 relationships,
//! how long building the relationship graph, a focus, paths, loops and the structure measures
//! take, against networkx doing the same on the same graph in the same run.
//!
//! ```sh
//! cargo bench --bench explore
//! ```
//!
//! Focus and paths run on the window's thread when asked for, so they must stay well under a
//! frame (16 ms); the measures (betweenness, O(n·m)) run on a worker.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a benchmark stops loudly when its setup fails")]

mod common;

use std::io::Write as _;
use std::process::{Command, Stdio};

use common::time;
use qualmap::explore::{Follow, RelationGraph};
use qualmap::model::generate::{Spec, generated};
use qualmap::model::{Direction, Endpoint};
use qualmap::rng::Rng;

const NETWORKX: &str = r#"
import json, sys, time, itertools
import networkx as nx
d = json.load(sys.stdin)
def t(f, runs=3):
    best = []
    for _ in range(runs):
        s = time.perf_counter(); r = f(); best.append((time.perf_counter() - s) * 1e3)
    best.sort(); return best[len(best) // 2], r
out = {}
def build():
    G = nx.DiGraph(); G.add_nodes_from(range(d["n"])); G.add_edges_from((u, v) for u, v, _ in d["arcs"]); return G
out["build"], G = t(build)
s, e = d["from"], d["to"]
for k in (1, 2, 3):
    out[f"focus{k}"], _ = t(lambda: set(nx.single_source_shortest_path_length(G, s, cutoff=k)) | set(nx.single_source_shortest_path_length(G.reverse(copy=False), s, cutoff=k)))
out["downstream"], _ = t(lambda: nx.descendants(G, s))
out["shortest"], _ = t(lambda: list(itertools.islice(nx.all_shortest_paths(G, s, e), 200)) if nx.has_path(G, s, e) else [])
out["simple"], _ = t(lambda: list(itertools.islice(nx.all_simple_paths(G, s, d["near"], cutoff=5), 200)))
O = nx.DiGraph(); O.add_nodes_from(range(d["n"])); O.add_edges_from((u, v) for u, v, w in d["arcs"] if w)
out["loops"], _ = t(lambda: list(itertools.islice(nx.simple_cycles(O, length_bound=8), 200)))
S = G.copy(); S.add_edges_from((c, a) for c, a in d["members"]); S.add_edges_from((a, c) for c, a in d["members"])
out["measures"], _ = t(lambda: nx.betweenness_centrality(S), runs=1)
json.dump(out, sys.stdout)
"#;

fn main() {
    let spec = Spec { concepts: 10_000, relationships: 30_000, evidence: 0, seed: 17 };
    let mut doc = generated(spec);
    let mut rng = Rng::new(17);
    for rel in &mut doc.relationships {
        rel.direction = Some(Direction::ALL[rng.below(3) as usize]);
    }
    println!(
        "map: {} concepts, {} relationships, {} areas",
        doc.concepts.len(),
        doc.relationships.len(),
        doc.areas.len()
    );
    let (build, graph) = time(9, || RelationGraph::new(&doc));
    let from = Endpoint::Concept(doc.concepts[17].id);
    let to = Endpoint::Concept(doc.concepts[9_000].id);
    let mut ours = vec![("build the graph", build)];
    for k in [1, 2, 3] {
        let (ms, items) = time(9, || graph.neighbourhood(&[from], k, Follow::Both, None));
        ours.push((["focus, 1 step", "focus, 2 steps", "focus, 3 steps"][k - 1], ms));
        println!("focus within {k}: {} items", items.len());
    }
    let (ms, down) = time(9, || graph.neighbourhood(&[from], usize::MAX, Follow::Forward, None));
    println!("downstream: {} items", down.len());
    ours.push(("downstream", ms));
    let (ms, shortest) = time(9, || graph.shortest_paths(from, to, 200));
    println!("shortest paths: {} of {} steps", shortest.items.len(), shortest.items.first().map_or(0, |p| p.len() - 1));
    ours.push(("shortest paths", ms));
    // Every path to a concept three steps downstream (the far one above has none this short).
    let near = graph
        .neighbourhood(&[from], 3, Follow::Forward, None)
        .into_iter()
        .filter_map(qualmap::explore::endpoint_of)
        .rfind(|e| graph.shortest_paths(from, *e, 1).items.first().is_some_and(|p| p.len() == 4))
        .unwrap();
    let (ms, simple) = time(9, || graph.simple_paths(from, near, 5, 200));
    println!("simple paths (≤ 5 steps, first 200): {}", simple.items.len());
    ours.push(("simple paths", ms));
    let (ms, loops) = time(3, || graph.loops(8, 200));
    println!("loops (≤ 8 steps, first 200): {}", loops.items.len());
    ours.push(("loops", ms));
    let (ms, measures) = time(1, || graph.measures());
    println!("measures: {} items", measures.len());
    ours.push(("measures (betweenness)", ms));

    let items = graph.items();
    let index = |e: Endpoint| items.iter().position(|i| *i == e).unwrap();
    let input = serde_json::json!({
        "n": items.len(),
        "arcs": graph.arc_list(),
        "members": graph.membership_list(),
        "from": index(from),
        "to": index(to),
        "near": index(near),
    });
    let child = Command::new("python3").args(["-c", NETWORKX]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn();
    let reference: Option<serde_json::Value> = child.ok().and_then(|mut child| {
        child.stdin.take()?.write_all(input.to_string().as_bytes()).ok()?;
        let out = child.wait_with_output().ok()?;
        serde_json::from_slice(&out.stdout).ok()
    });
    let keys = ["build", "focus1", "focus2", "focus3", "downstream", "shortest", "simple", "loops", "measures"];
    println!("\n{:<26} {:>12} {:>14} {:>9}", "", "qualmap ms", "networkx ms", "ratio");
    for ((name, ms), key) in ours.iter().zip(keys) {
        match reference.as_ref().and_then(|r| r[key].as_f64()) {
            Some(theirs) => println!("{name:<26} {ms:>12.3} {theirs:>14.3} {:>8.3}×", ms / theirs),
            None => println!("{name:<26} {ms:>12.3} {:>14} {:>9}", "-", "-"),
        }
    }
    if reference.is_none() {
        println!("(python3 with networkx was not found: no comparison)");
    }
}
