//! Paths, loops and structure measures compared with networkx (an established implementation)
//! on generated maps whose relationships run one way, both ways or either way at random.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::collections::BTreeSet;
use std::io::Write as _;
use std::process::{Command, Stdio};

use qualmap::explore::RelationGraph;
use qualmap::model::{Direction, Endpoint, generate};
use qualmap::rng::Rng;

/// networkx's answers for `input` (see `tests/explore_networkx.py`), or `None` where Python or
/// networkx is missing outside CI.
fn networkx(input: &serde_json::Value) -> Option<serde_json::Value> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/explore_networkx.py");
    let child =
        Command::new("python3").arg(script).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(err) => {
            assert!(std::env::var_os("CI").is_none(), "CI must have python3 with networkx: {err}");
            eprintln!("python3 is not installed ({err}); skipping the networkx comparison");
            return None;
        }
    };
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() && stderr.contains("No module named 'networkx'") && std::env::var_os("CI").is_none() {
        eprintln!("networkx is not installed; skipping the networkx comparison");
        return None;
    }
    assert!(out.status.success(), "networkx failed: {stderr}");
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

fn positions(items: &[Endpoint], path: &[Endpoint]) -> Vec<usize> {
    path.iter().map(|e| items.iter().position(|i| i == e).unwrap()).collect()
}

fn as_paths(value: &serde_json::Value) -> BTreeSet<Vec<usize>> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect())
        .collect()
}

#[test]
fn paths_loops_and_measures_agree_with_networkx() {
    let (cutoff, loop_bound) = (4, 6);
    // What was compared, so that the comparison cannot pass on empty answers.
    let (mut paths, mut shortest_paths, mut loops_seen, mut bridges) = (0, 0, 0, 0);
    for seed in 1..=6 {
        let spec = generate::Spec { concepts: 30, relationships: 70, evidence: 0, seed };
        let mut doc = generate::generated(spec);
        let mut rng = Rng::new(seed * 31);
        for rel in &mut doc.relationships {
            rel.direction = Some(Direction::ALL[rng.below(3) as usize]);
        }
        // Random one-way relationships too, so that there are feedback loops to find.
        let concepts: Vec<_> = doc.concepts.iter().map(|c| c.id).collect();
        for k in 0..25 {
            let mut extra = doc.relationships[0].clone();
            extra.id = qualmap::model::RelationshipId(20_000 + k);
            let (a, b) = (rng.below(concepts.len() as u64) as usize, rng.below(concepts.len() as u64) as usize);
            if a == b {
                continue;
            }
            (extra.from, extra.to) = (Endpoint::Concept(concepts[a]), Endpoint::Concept(concepts[b]));
            extra.direction = Some(Direction::OneWay);
            doc.relationships.push(extra);
        }
        // Some relationships to and between areas, as maps have.
        if let (Some(a), Some(c)) = (doc.areas.first().map(|a| a.id), doc.concepts.get(3).map(|c| c.id)) {
            let mut extra = doc.relationships[0].clone();
            extra.id = qualmap::model::RelationshipId(10_000);
            (extra.from, extra.to, extra.direction) =
                (Endpoint::Concept(c), Endpoint::Area(a), Some(Direction::OneWay));
            doc.relationships.push(extra);
        }
        let graph = RelationGraph::new(&doc);
        let items = graph.items();
        let n = items.len() as u64;
        let pairs: Vec<(usize, usize)> =
            (0..12).map(|_| (rng.below(n) as usize, rng.below(n) as usize)).filter(|(s, t)| s != t).collect();
        let input = serde_json::json!({
            "nodes": items.iter().map(|e| format!("{e:?}")).collect::<Vec<_>>(),
            "arcs": graph.arc_list(),
            "members": graph.membership_list(),
            "pairs": pairs,
            "cutoff": cutoff,
            "loop_bound": loop_bound,
        });
        let Some(reference) = networkx(&input) else { return };
        for (k, (s, t)) in pairs.iter().enumerate() {
            let ours = graph.simple_paths(items[*s], items[*t], cutoff, usize::MAX);
            assert!(!ours.truncated);
            let ours: BTreeSet<Vec<usize>> = ours.items.iter().map(|p| positions(&items, p)).collect();
            assert_eq!(ours, as_paths(&reference["simple"][k]), "seed {seed}: simple paths {s} → {t}");
            paths += ours.len();
            let shortest = graph.shortest_paths(items[*s], items[*t], usize::MAX);
            let shortest: BTreeSet<Vec<usize>> = shortest.items.iter().map(|p| positions(&items, p)).collect();
            assert_eq!(shortest, as_paths(&reference["shortest"][k]), "seed {seed}: shortest paths {s} → {t}");
            shortest_paths += shortest.len();
        }
        let loops = graph.loops(loop_bound, usize::MAX);
        let loops: BTreeSet<Vec<usize>> = loops.items.iter().map(|c| positions(&items, c)).collect();
        assert_eq!(loops, as_paths(&reference["cycles"]), "seed {seed}: loops");
        loops_seen += loops.len();
        let measures = graph.measures();
        for (i, m) in measures.iter().enumerate() {
            assert_eq!(m.item, items[i]);
            let expected = reference["betweenness"][i].as_f64().unwrap();
            assert!(
                (m.betweenness - expected).abs() < 1e-9,
                "seed {seed}: betweenness of {i}: {} vs {expected}",
                m.betweenness
            );
            assert_eq!(
                m.in_degree as u64,
                reference["in_degree"][i].as_u64().unwrap(),
                "seed {seed}: in-degree of {i}"
            );
            assert_eq!(
                m.out_degree as u64,
                reference["out_degree"][i].as_u64().unwrap(),
                "seed {seed}: out-degree of {i}"
            );
            bridges += usize::from(m.betweenness > 0.0);
        }
    }
    assert!(
        paths > 20 && shortest_paths > 10 && loops_seen > 5 && bridges > 20,
        "{paths} {shortest_paths} {loops_seen} {bridges}"
    );
}

/// A map made to have loops: every cycle of a small complete one-way graph, counted.
#[test]
fn every_loop_of_a_complete_graph_is_found_once() {
    let spec = generate::Spec { concepts: 5, relationships: 0, evidence: 0, seed: 1 };
    let mut doc = generate::generated(spec);
    let type_id = doc.relationship_types[0].id;
    let ids: Vec<_> = doc.concepts.iter().map(|c| c.id).collect();
    let mut next = 1;
    for a in &ids {
        for b in &ids {
            if a != b {
                doc.relationships.push(qualmap::model::Relationship {
                    id: qualmap::model::RelationshipId(next),
                    from: Endpoint::Concept(*a),
                    to: Endpoint::Concept(*b),
                    type_id,
                    label: String::new(),
                    direction: Some(Direction::OneWay),
                    bend: 0.0,
                    description: String::new(),
                    provenance: Default::default(),
                });
                next += 1;
            }
        }
    }
    let graph = RelationGraph::new(&doc);
    // Cycles of a complete digraph on 5 nodes: sum over k=2..5 of C(5,k)·(k−1)! = 10+20+30+24.
    let all = graph.loops(5, usize::MAX);
    assert_eq!(all.items.len(), 84);
    assert_eq!(all.items.iter().collect::<BTreeSet<_>>().len(), 84, "each loop once");
    assert_eq!(graph.loops(2, usize::MAX).items.len(), 10);
    let limited = graph.loops(5, 7);
    assert!(limited.truncated && limited.items.len() == 7);
}
