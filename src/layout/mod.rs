//! Automatic layout: a multilevel force-directed layout with Barnes–Hut repulsion that knows
//! about areas (members of an area pull together, a concept in two areas settles between
//! them), keeps pinned concepts where they are, warm-starts from the current positions so an
//! edit does not reshuffle the map, and finishes by pushing overlapping labels apart.
//!
//! Deterministic: the same graph, start and seed give the same positions.

mod quadtree;
mod stress;

use crate::rng::Rng;
use crate::spatial::PointIndex;
use web_time::Instant;

/// A graph to lay out: nodes with label sizes, weighted edges, groups (areas) and pins.
#[derive(Clone, Debug, Default)]
pub struct LayoutGraph {
    /// Half-size of each node's label box (for overlap removal).
    pub half_sizes: Vec<[f32; 2]>,
    /// Edges between node indices, with weights.
    pub edges: Vec<(usize, usize, f32)>,
    /// Ideal length of each edge relative to `LayoutParams::edge_length`, parallel to `edges`
    /// (empty: all 1).
    pub lengths: Vec<f32>,
    /// Members of each group (area), by node index.
    pub groups: Vec<Vec<usize>>,
    /// Nodes that must not move.
    pub pinned: Vec<bool>,
    /// Nodes that are not drawn (an area's hub): they may sit inside any area.
    pub hidden: Vec<bool>,
    /// Nodes that relate to whole groups without belonging to them: each with the groups it
    /// relates to and whether it points into them (a process that underpins areas: placed in a
    /// row below them) or they point to it (an outcome: a row above).
    pub foundations: Vec<(usize, Vec<usize>, bool)>,
}

/// How to lay out.
#[derive(Clone, Debug)]
pub struct LayoutParams {
    /// Seed for the initial placement and coarsening order.
    pub seed: u64,
    /// Natural edge length, in map units.
    pub edge_length: f32,
    /// Force iterations at the finest level (coarser levels use more).
    pub iterations: usize,
    /// Start from the given positions and move them gently (after an edit).
    pub warm: bool,
    /// Pull of an area on its members, relative to an edge's.
    pub group_pull: f32,
    /// Space kept between label boxes, in map units.
    pub label_gap: f32,
    /// The algorithm for layouts from scratch.
    pub engine: Engine,
    /// Pivots of the stress engine (more: closer to full stress majorization, slower).
    pub pivots: usize,
    /// Most force iterations after the stress engine.
    pub polish: usize,
    /// Most stress majorization iterations (it usually settles in fewer).
    pub stress_iterations: usize,
}

impl Default for LayoutParams {
    fn default() -> Self {
        Self {
            seed: 1,
            edge_length: 180.0,
            iterations: 300,
            warm: false,
            group_pull: 0.3,
            label_gap: 12.0,
            engine: Engine::Stress,
            pivots: 50,
            polish: 200,
            stress_iterations: 50,
        }
    }
}

/// What a layout run did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LayoutStats {
    /// Force iterations run, over all levels.
    pub iterations: usize,
    /// Levels of the multilevel hierarchy.
    pub levels: usize,
    /// Wall time in seconds.
    pub seconds: f64,
}

/// Length of the tie between a concept and its area's hub, relative to a relationship's.
const HUB_LENGTH: f32 = 0.55;

/// Stress sweeps of a warm start (Tidy Layout).
const WARM_SWEEPS: usize = 30;

/// How much of each warm sweep's move is held back towards where the concept was.
const WARM_HOLD: f32 = 0.8;

/// Polish iterations between two checks of the stress.
const POLISH_CHECK: usize = 10;

/// Checks in a row without a better stress after which the polish stops.
const POLISH_PATIENCE: usize = 6;

/// Strength of the pull towards the middle, relative to a spring at the natural length.
const GRAVITY: f32 = 0.08;

/// One level of the hierarchy: a graph whose nodes stand for groups of the finer level's nodes.
struct Level {
    n: usize,
    edges: Vec<(usize, usize, f32)>,
    mass: Vec<f32>,
    /// For each node of the finer level, its node here.
    parent_of: Vec<usize>,
}

/// Merges matched pairs of neighbours (heavy edges first, in seeded order).
fn coarsen(n: usize, edges: &[(usize, usize, f32)], mass: &[f32], pinned: &[bool], rng: &mut Rng) -> Option<Level> {
    let mut order: Vec<usize> = (0..edges.len()).collect();
    // Shuffle, then stable-sort by weight so ties are broken by the seed.
    for i in (1..order.len()).rev() {
        let j = (rng.next_f32() * (i + 1) as f32) as usize % (i + 1);
        order.swap(i, j);
    }
    order.sort_by(|a, b| edges[*b].2.total_cmp(&edges[*a].2));
    let mut partner = vec![usize::MAX; n];
    for e in order {
        let (a, b, _) = edges[e];
        if a != b && partner[a] == usize::MAX && partner[b] == usize::MAX && !pinned[a] && !pinned[b] {
            partner[a] = b;
            partner[b] = a;
        }
    }
    let mut parent_of = vec![usize::MAX; n];
    let mut count = 0;
    let mut coarse_mass = Vec::new();
    for v in 0..n {
        if parent_of[v] != usize::MAX {
            continue;
        }
        parent_of[v] = count;
        let mut m = mass[v];
        if partner[v] != usize::MAX {
            parent_of[partner[v]] = count;
            m += mass[partner[v]];
        }
        coarse_mass.push(m);
        count += 1;
    }
    // Stop when matching no longer shrinks the graph much.
    if count as f32 > n as f32 * 0.85 {
        return None;
    }
    let mut merged = std::collections::HashMap::new();
    for &(a, b, w) in edges {
        let (pa, pb) = (parent_of[a], parent_of[b]);
        if pa != pb {
            *merged.entry((pa.min(pb), pa.max(pb))).or_insert(0.0) += w;
        }
    }
    let mut coarse_edges: Vec<(usize, usize, f32)> = merged.into_iter().map(|((a, b), w)| (a, b, w)).collect();
    coarse_edges.sort_by_key(|e| (e.0, e.1));
    Some(Level { n: count, edges: coarse_edges, mass: coarse_mass, parent_of })
}

/// Force-directed refinement of `pos` (Fruchterman–Reingold forces with Barnes–Hut repulsion
/// and Hu's adaptive step).
#[allow(clippy::too_many_arguments, reason = "one inner loop with its inputs spelled out")]
fn refine(
    pos: &mut [[f32; 2]],
    edges: &[(usize, usize, f32)],
    mass: &[f32],
    groups: &[Vec<usize>],
    pinned: &[bool],
    k: f32,
    iterations: usize,
    initial_step: f32,
    group_pull: f32,
    observe: &mut dyn FnMut(f32, &[[f32; 2]]) -> bool,
) -> usize {
    let n = pos.len();
    if n < 2 {
        return 0;
    }
    let mut step = initial_step;
    let mut energy_before = f32::INFINITY;
    let mut progress = 0;
    let mut force = vec![[0.0f32; 2]; n];
    let mut done = 0;
    let mut stack = Vec::new();
    for iteration in 0..iterations {
        done += 1;
        if !observe(iteration as f32 / iterations as f32, pos) {
            break;
        }
        let tree = quadtree::QuadTree::build(pos, mass);
        for v in 0..n {
            force[v] = tree.repulsion(pos[v], mass[v], k, 1.2, &mut stack);
        }
        for &(a, b, w) in edges {
            let d = [pos[b][0] - pos[a][0], pos[b][1] - pos[a][1]];
            let dist = (d[0] * d[0] + d[1] * d[1]).sqrt().max(1e-3);
            let f = w * dist / k;
            force[a][0] += d[0] * f;
            force[a][1] += d[1] * f;
            force[b][0] -= d[0] * f;
            force[b][1] -= d[1] * f;
        }
        for group in groups {
            if group.len() < 2 {
                continue;
            }
            let mut c = [0.0f32; 2];
            for &v in group {
                c[0] += pos[v][0];
                c[1] += pos[v][1];
            }
            c = [c[0] / group.len() as f32, c[1] / group.len() as f32];
            for &v in group {
                let d = [c[0] - pos[v][0], c[1] - pos[v][1]];
                let dist = (d[0] * d[0] + d[1] * d[1]).sqrt().max(1e-3);
                let f = group_pull * dist / k;
                force[v][0] += d[0] * f;
                force[v][1] += d[1] * f;
            }
        }
        // Weak gravity towards the middle keeps unconnected parts from drifting away.
        let mut middle = [0.0f32; 2];
        for p in pos.iter() {
            middle[0] += p[0];
            middle[1] += p[1];
        }
        middle = [middle[0] / n as f32, middle[1] / n as f32];
        // Only as strong as needed to hold small maps together: on large graphs it would
        // crush the layout.
        let gravity = GRAVITY * (60.0 / n as f32).min(1.0);
        for v in 0..n {
            let d = [middle[0] - pos[v][0], middle[1] - pos[v][1]];
            let dist = (d[0] * d[0] + d[1] * d[1]).sqrt().max(1e-3);
            let f = gravity * mass[v] * dist / k / dist.max(k);
            force[v][0] += d[0] * f * k;
            force[v][1] += d[1] * f * k;
        }
        let mut energy = 0.0;
        for v in 0..n {
            if pinned[v] {
                continue;
            }
            let f = force[v];
            let len = (f[0] * f[0] + f[1] * f[1]).sqrt();
            energy += len * len;
            if len > 1e-9 && len.is_finite() {
                pos[v][0] += f[0] / len * step;
                pos[v][1] += f[1] / len * step;
            }
        }
        // Hu's adaptive step: grow while energy falls steadily, shrink when it does not. A warm
        // start (small first step) only cools, so the map is nudged, not rebuilt.
        if initial_step < k * 0.1 {
            step *= 0.95;
        } else if energy < energy_before {
            progress += 1;
            if progress >= 5 {
                progress = 0;
                step /= 0.9;
            }
        } else {
            progress = 0;
            step *= 0.9;
        }
        energy_before = energy;
        if step < k * 0.002 {
            break;
        }
    }
    done
}

/// How two cards pushed apart share the move, given whether each is pinned: a pinned card does
/// not move, two free ones move half each; `None` when both are pinned.
fn push_shares(first_pinned: bool, second_pinned: bool) -> Option<(f32, f32)> {
    match (first_pinned, second_pinned) {
        (true, true) => None,
        (true, false) => Some((0.0, 1.0)),
        (false, true) => Some((1.0, 0.0)),
        (false, false) => Some((0.5, 0.5)),
    }
}

/// Pushes overlapping label boxes apart (a few passes over a uniform grid of the cards).
fn remove_overlaps(pos: &mut [[f32; 2]], half: &[[f32; 2]], pinned: &[bool], gap: f32) {
    let n = pos.len();
    if n < 2 {
        return;
    }
    let widest = half.iter().map(|h| h[0].max(h[1])).fold(0.0f32, f32::max);
    let cell = widest * 2.0 + gap;
    let mut near = Vec::new();
    for _ in 0..30 {
        let cards = PointIndex::build(pos, cell);
        let mut moved = false;
        for v in 0..n {
            let reach = half[v][0].max(half[v][1]) + widest + gap;
            near.clear();
            cards.for_each_near([pos[v][0] - reach, pos[v][1] - reach], [pos[v][0] + reach, pos[v][1] + reach], |u| {
                if u > v {
                    near.push(u);
                }
            });
            for &u in &near {
                let ox = half[v][0] + half[u][0] + gap - (pos[u][0] - pos[v][0]).abs();
                let oy = half[v][1] + half[u][1] + gap - (pos[u][1] - pos[v][1]).abs();
                if ox > 0.0 && oy > 0.0 {
                    // Separate along the axis that needs the smaller move.
                    let (axis, amount) = if ox < oy { (0, ox) } else { (1, oy) };
                    let sign = if pos[u][axis] >= pos[v][axis] { 1.0 } else { -1.0 };
                    let Some(share) = push_shares(pinned[v], pinned[u]) else { continue };
                    moved = true;
                    pos[v][axis] -= sign * amount * share.0;
                    pos[u][axis] += sign * amount * share.1;
                }
            }
        }
        if !moved {
            break;
        }
    }
}

/// Pushing a concept out of an area can make it overlap another card, and separating cards can
/// reshape an area: alternates the two while it helps. (On crowded maps both cannot always
/// hold; then it stops when a round no longer pushes fewer concepts out.) Cards never overlap
/// at the end.
fn keep_cards_apart_and_out(
    pos: &mut [[f32; 2]],
    half: &[[f32; 2]],
    groups: &[Vec<usize>],
    pinned: &[bool],
    hidden: &[bool],
    gap: f32,
    labelled: bool,
) {
    let mut last = usize::MAX;
    for _ in 0..8 {
        let pushed = if groups.is_empty() { 0 } else { keep_out_of_areas(pos, half, groups, pinned, hidden, gap) };
        if pushed == 0 {
            break;
        }
        if labelled {
            remove_overlaps(pos, half, pinned, gap);
        }
        if pushed >= last {
            break;
        }
        last = pushed;
    }
}

/// Makes room for cards of the sizes `cards` (half sizes, in the document's order) where the
/// concepts stand: overlapping cards are pushed apart just enough along the line between them
/// (`related_gap` apart when a relationship joins them, room for its arrow and label; `gap`
/// otherwise), and with `keep_out`, a concept pushed into an area it does not belong to is
/// moved out again, as the layout finishes. Pinned concepts stay. Used by figures whose text
/// is enlarged to stay legible at a journal's column width.
pub fn make_room(
    doc: &crate::model::Document,
    cards: &[[f32; 2]],
    gap: f32,
    related_gap: f32,
    keep_out: bool,
) -> Vec<(crate::model::ConceptId, crate::model::Point)> {
    // The concepts only: the areas' hubs of the layout graph are not drawn and need no room.
    let graph = document_graph(doc, cards);
    let n = doc.concepts.len();
    let mut pos: Vec<[f32; 2]> = doc.concepts.iter().map(|c| [c.pos.x, c.pos.y]).collect();
    let half = &graph.half_sizes[..n];
    let pinned: Vec<bool> = doc.concepts.iter().map(|c| c.pinned).collect();
    let hidden = vec![false; n];
    let related: std::collections::HashSet<(usize, usize)> = graph
        .edges
        .iter()
        .filter(|(a, b, _)| *a < n && *b < n && a != b)
        .map(|(a, b, _)| ((*a).min(*b), (*a).max(*b)))
        .collect();
    push_apart_radially(&mut pos, half, &pinned, |a, b| {
        if related.contains(&(a.min(b), a.max(b))) { related_gap } else { gap }
    });
    if keep_out {
        keep_cards_apart_and_out(&mut pos, half, &graph.groups, &pinned, &hidden, gap, true);
    }
    doc.concepts
        .iter()
        .zip(pos)
        .map(|(c, p)| {
            let p = if p[0].is_finite() && p[1].is_finite() { p } else { [c.pos.x, c.pos.y] };
            (c.id, crate::model::Point::new(p[0], p[1]))
        })
        .collect()
}

/// Pushes overlapping cards apart along the line between their centres, so each keeps its
/// direction from the other (a relationship between them keeps pointing the same way), until
/// every pair is `gap(a, b)` apart on at least one axis. Quadratic in the cards: for figures.
fn push_apart_radially(pos: &mut [[f32; 2]], half: &[[f32; 2]], pinned: &[bool], gap: impl Fn(usize, usize) -> f32) {
    let n = pos.len();
    for _ in 0..60 {
        let mut moved = false;
        for a in 0..n {
            for b in a + 1..n {
                let g = gap(a, b);
                let (hx, hy) = (half[a][0] + half[b][0] + g, half[a][1] + half[b][1] + g);
                let d = [pos[b][0] - pos[a][0], pos[b][1] - pos[a][1]];
                if d[0].abs() >= hx - 0.01 || d[1].abs() >= hy - 0.01 {
                    continue;
                }
                // How much longer the line between them must get to clear one axis.
                let d = if d[0].abs() < 1e-3 && d[1].abs() < 1e-3 { [0.0, 1.0] } else { d };
                let stretch = (if d[0].abs() > 1e-3 { hx / d[0].abs() } else { f32::INFINITY })
                    .min(if d[1].abs() > 1e-3 { hy / d[1].abs() } else { f32::INFINITY });
                let grow = if stretch.is_finite() { stretch - 1.0 } else { hy };
                let push = [d[0] * grow, d[1] * grow];
                let Some(share) = push_shares(pinned[a], pinned[b]) else { continue };
                pos[a][0] -= push[0] * share.0;
                pos[a][1] -= push[1] * share.0;
                pos[b][0] += push[0] * share.1;
                pos[b][1] += push[1] * share.1;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
}

/// Where the layout graph's nodes start: the concepts where they are, then each area's hub at
/// its members' middle.
fn initial_positions(doc: &crate::model::Document) -> Vec<[f32; 2]> {
    let mut initial: Vec<[f32; 2]> = doc.concepts.iter().map(|c| [c.pos.x, c.pos.y]).collect();
    for area in &doc.areas {
        let members: Vec<&crate::model::Concept> = doc.members_of(area.id).collect();
        let count = members.len().max(1) as f32;
        initial.push([
            members.iter().map(|c| c.pos.x).sum::<f32>() / count,
            members.iter().map(|c| c.pos.y).sum::<f32>() / count,
        ]);
    }
    initial
}

/// Which algorithm places the nodes from scratch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Engine {
    /// Pivot MDS, then sparse stress majorization, then a short Barnes–Hut force polish: graph
    /// distances are kept best (docs/DECISIONS.md, "Layout by stress first, forces second").
    #[default]
    Stress,
    /// Multilevel force-directed (Fruchterman–Reingold forces, Barnes–Hut repulsion, matching
    /// coarsening), as Graphviz sfdp does.
    Force,
}

/// What an observer of a running layout is shown: how far it is (0 to 1) and, on request, the
/// positions so far. It returns false to stop the layout early (the positions so far are kept).
pub type Observer<'a> = dyn FnMut(f32, &dyn Fn() -> Vec<[f32; 2]>) -> bool + 'a;

/// Areas with many members come out of stress layout as rings round their hub (every member
/// wants the same distance to it). Draws the members that belong to that area alone in towards
/// its middle, to the radius of a disc their cards would fill; overlap removal then spreads
/// them over the disc.
fn fill_areas(pos: &mut [[f32; 2]], half: &[[f32; 2]], groups: &[Vec<usize>], pinned: &[bool], gap: f32) {
    let n = pos.len();
    let mut areas_of = vec![0u16; n];
    for group in groups {
        for &v in group.iter().filter(|v| **v < n) {
            areas_of[v] = areas_of[v].saturating_add(1);
        }
    }
    for group in groups {
        let members: Vec<usize> = group.iter().copied().filter(|v| *v < n).collect();
        if members.len() < 12 {
            continue;
        }
        let count = members.len() as f32;
        let centre = members.iter().fold([0f32; 2], |a, v| [a[0] + pos[*v][0] / count, a[1] + pos[*v][1] / count]);
        let own: Vec<usize> = members.iter().copied().filter(|v| areas_of[*v] == 1 && !pinned[*v]).collect();
        if own.is_empty() {
            continue;
        }
        let cards: f32 = members.iter().map(|v| (2.0 * half[*v][0] + gap) * (2.0 * half[*v][1] + gap)).sum();
        // Cards cover about two thirds of a disc they fill.
        let filled = (cards / (std::f32::consts::PI * 0.65)).sqrt();
        let ring = own
            .iter()
            .map(|v| ((pos[*v][0] - centre[0]).powi(2) + (pos[*v][1] - centre[1]).powi(2)).sqrt())
            .sum::<f32>()
            / own.len() as f32;
        if ring <= filled || ring <= 0.0 {
            continue;
        }
        let scale = (filled / ring).max(0.2);
        for v in own {
            pos[v] = [centre[0] + (pos[v][0] - centre[0]) * scale, centre[1] + (pos[v][1] - centre[1]) * scale];
        }
    }
}

/// Puts nodes that point into groups they are not part of in a row below those groups, and
/// nodes that groups point to in a row above, each row in the nodes' left-to-right order and
/// centred under (or over) the groups they relate to.
fn place_foundations(
    pos: &mut [[f32; 2]],
    half: &[[f32; 2]],
    groups: &[Vec<usize>],
    foundations: &[(usize, Vec<usize>, bool)],
    pinned: &[bool],
    gap: f32,
) {
    let pad = crate::scene::metrics::AREA_PAD + crate::scene::metrics::AREA_ROUNDING;
    let n = pos.len();
    let in_group: std::collections::HashSet<usize> = groups.iter().flatten().copied().collect();
    for below in [true, false] {
        let mut row: Vec<(usize, f32)> = Vec::new();
        let (mut edge, mut centre, mut count) = (if below { f32::NEG_INFINITY } else { f32::INFINITY }, 0f32, 0f32);
        for (v, related, is_below) in foundations {
            if *is_below != below || *v >= n || pinned[*v] || in_group.contains(v) {
                continue;
            }
            let mut x = (0f32, 0f32);
            for g in related.iter().filter_map(|g| groups.get(*g)) {
                for &m in g.iter().filter(|m| **m < n) {
                    edge = if below { edge.max(pos[m][1] + half[m][1]) } else { edge.min(pos[m][1] - half[m][1]) };
                    x = (x.0 + pos[m][0], x.1 + 1.0);
                }
            }
            if x.1 > 0.0 {
                centre += x.0 / x.1;
                count += 1.0;
                row.push((*v, pos[*v][0]));
            }
        }
        if row.is_empty() || !edge.is_finite() {
            continue;
        }
        row.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        let width: f32 = row.iter().map(|(v, _)| half[*v][0] * 2.0).sum::<f32>() + gap * (row.len() - 1) as f32;
        let tallest = row.iter().map(|(v, _)| half[*v][1]).fold(0f32, f32::max);
        let y = if below { edge + pad + gap + tallest } else { edge - pad - gap - tallest };
        let mut x = centre / count - width / 2.0;
        for (v, _) in row {
            pos[v] = [x + half[v][0], y];
            x += half[v][0] * 2.0 + gap;
        }
    }
}

/// Moves concepts out of areas they do not belong to: each area's outline is the convex hull
/// of its members' label boxes grown by the scene's padding, and a non-member whose box reaches
/// into it is pushed out across the nearest side. A few passes, since a move can reshape another
/// area.
fn keep_out_of_areas(
    pos: &mut [[f32; 2]],
    half: &[[f32; 2]],
    groups: &[Vec<usize>],
    pinned: &[bool],
    hidden: &[bool],
    gap: f32,
) -> usize {
    use egui::pos2;
    let mut any = 0;
    let n = pos.len();
    // The scene draws an area as the hull of its members' boxes grown by the padding, then
    // rounded by growing it again by the corner radius.
    let pad = crate::scene::metrics::AREA_PAD + crate::scene::metrics::AREA_ROUNDING;
    let mut member = vec![false; n];
    let widest = half.iter().map(|h| h[0].max(h[1])).fold(0.0f32, f32::max) + gap;
    let mut near = Vec::new();
    for _ in 0..2 {
        let mut moved = 0;
        let cards = PointIndex::build(pos, widest * 2.0);
        for group in groups {
            if group.is_empty() {
                continue;
            }
            let corners: Vec<egui::Pos2> = group
                .iter()
                .filter(|v| !hidden.get(**v).copied().unwrap_or(false))
                .flat_map(|&v| {
                    let (p, h) = (pos[v], half[v]);
                    let (hx, hy) = (h[0] + pad, h[1] + pad);
                    [
                        pos2(p[0] - hx, p[1] - hy),
                        pos2(p[0] + hx, p[1] - hy),
                        pos2(p[0] + hx, p[1] + hy),
                        pos2(p[0] - hx, p[1] + hy),
                    ]
                })
                .collect();
            let hull = crate::scene::geometry::convex_hull(&corners);
            if hull.len() < 3 {
                continue;
            }
            let centre = hull.iter().fold(egui::Vec2::ZERO, |a, p| a + p.to_vec2()) / hull.len() as f32;
            // Sides as (point on it, outward unit normal).
            let sides: Vec<(egui::Pos2, egui::Vec2)> = (0..hull.len())
                .filter_map(|i| {
                    let (a, b) = (hull[i], hull[(i + 1) % hull.len()]);
                    let d = b - a;
                    let mut normal = egui::vec2(d.y, -d.x).normalized();
                    if !normal.x.is_finite() || d.length() < 1e-6 {
                        return None;
                    }
                    if normal.dot(a.to_vec2() - centre) < 0.0 {
                        normal = -normal;
                    }
                    Some((a, normal))
                })
                .collect();
            let (min, max) = hull.iter().fold(
                (egui::vec2(f32::INFINITY, f32::INFINITY), egui::vec2(f32::NEG_INFINITY, f32::NEG_INFINITY)),
                |(lo, hi), p| (lo.min(p.to_vec2()), hi.max(p.to_vec2())),
            );
            for &v in group {
                member[v] = true;
            }
            near.clear();
            cards.for_each_near([min.x - widest, min.y - widest], [max.x + widest, max.y + widest], |v| near.push(v));
            for &v in &near {
                if member[v] || pinned[v] || hidden.get(v).copied().unwrap_or(false) {
                    continue;
                }
                let (p, h) = (pos[v], [half[v][0] + gap * 0.5, half[v][1] + gap * 0.5]);
                if p[0] + h[0] < min.x || p[0] - h[0] > max.x || p[1] + h[1] < min.y || p[1] - h[1] > max.y {
                    continue;
                }
                // Separating sides: the box is clear of a side when it lies wholly beyond it.
                let mut least: Option<(f32, egui::Vec2)> = None;
                for (a, normal) in &sides {
                    let reach = normal.x.abs() * h[0] + normal.y.abs() * h[1];
                    let depth = reach - normal.dot(egui::vec2(p[0] - a.x, p[1] - a.y));
                    if depth <= 0.0 {
                        least = None;
                        break;
                    }
                    if least.is_none_or(|(d, _)| depth < d) {
                        least = Some((depth, *normal));
                    }
                }
                if let Some((depth, normal)) = least {
                    pos[v] = [p[0] + normal.x * (depth + 1.0), p[1] + normal.y * (depth + 1.0)];
                    moved += 1;
                }
            }
            for &v in group {
                member[v] = false;
            }
        }
        any += moved;
        if moved == 0 {
            break;
        }
    }
    any
}

/// Lays out `graph` starting from `initial` (used as is for pinned nodes, and as the start when
/// `params.warm`). Returns the new positions and what was done.
pub fn layout(graph: &LayoutGraph, initial: &[[f32; 2]], params: &LayoutParams) -> (Vec<[f32; 2]>, LayoutStats) {
    layout_observed(graph, initial, params, &mut |_, _| true)
}

/// [`layout`], reporting progress to `observe`, which may stop it.
pub fn layout_observed(
    graph: &LayoutGraph,
    initial: &[[f32; 2]],
    params: &LayoutParams,
    observe: &mut Observer<'_>,
) -> (Vec<[f32; 2]>, LayoutStats) {
    let started = Instant::now();
    let n = initial.len();
    let mut stats = LayoutStats { levels: 1, ..LayoutStats::default() };
    if n == 0 {
        return (Vec::new(), stats);
    }
    let pinned: Vec<bool> = (0..n).map(|v| graph.pinned.get(v).copied().unwrap_or(false)).collect();
    let keep = |(a, b, w): &(usize, usize, f32)| *a < n && *b < n && a != b && w.is_finite() && *w > 0.0;
    let edges: Vec<(usize, usize, f32)> = graph.edges.iter().copied().filter(keep).collect();
    let lengths: Vec<f32> = if graph.lengths.is_empty() {
        Vec::new()
    } else {
        graph
            .edges
            .iter()
            .enumerate()
            .filter(|(_, e)| keep(e))
            .map(|(i, _)| graph.lengths.get(i).copied().unwrap_or(1.0))
            .collect()
    };
    let groups: Vec<Vec<usize>> = graph.groups.iter().map(|g| g.iter().copied().filter(|v| *v < n).collect()).collect();
    let half: Vec<[f32; 2]> = (0..n).map(|v| graph.half_sizes.get(v).copied().unwrap_or([40.0, 14.0])).collect();
    let k = params.edge_length.max(1e-3);
    let mut rng = Rng::new(params.seed);
    let mut pos: Vec<[f32; 2]> = initial.to_vec();
    let mut stopped = false;
    if params.warm {
        // Stress sweeps from where the concepts are, each move blended with the concept's place
        // before, so a concept that fits the map already stays and a new or misplaced one
        // finds its neighbours.
        let csr = stress::Csr::new(n, &edges, &lengths);
        let fixed: Vec<Option<[f32; 2]>> = (0..n).map(|v| pinned[v].then(|| [pos[v][0] / k, pos[v][1] / k])).collect();
        let start: Vec<[f32; 2]> = pos.iter().map(|p| [p[0] / k, p[1] / k]).collect();
        let (moved, iterations) = stress::layout(
            &csr,
            &fixed,
            params.pivots,
            WARM_SWEEPS,
            &mut rng,
            Some((&start, WARM_HOLD)),
            &mut |f, p| observe(0.9 * f, &|| p.iter().map(|q| [q[0] * k, q[1] * k]).collect()),
        );
        stats.iterations += iterations;
        if moved.len() == n {
            pos = moved.iter().map(|p| [p[0] * k, p[1] * k]).collect();
        }
    } else {
        match params.engine {
            Engine::Stress => {
                stopped =
                    stress_cold(&mut pos, &edges, &lengths, &pinned, &half, params, &mut rng, &mut stats, observe);
            }
            Engine::Force => force_cold(&mut pos, &edges, &groups, &pinned, initial, params, &mut rng, &mut stats),
        }
    }
    if !stopped {
        let labelled = half.iter().any(|h| h[0] > 0.0 || h[1] > 0.0) || params.label_gap > 0.0;
        observe(0.9, &|| pos.clone());
        if !params.warm && labelled {
            fill_areas(&mut pos, &half, &groups, &pinned, params.label_gap);
        }
        if !graph.foundations.is_empty() && !params.warm {
            if labelled {
                remove_overlaps(&mut pos, &half, &pinned, params.label_gap);
            }
            place_foundations(&mut pos, &half, &groups, &graph.foundations, &pinned, params.label_gap.max(k * 0.3));
        }
        if labelled {
            remove_overlaps(&mut pos, &half, &pinned, params.label_gap);
        }
        observe(0.95, &|| pos.clone());
        keep_cards_apart_and_out(&mut pos, &half, &groups, &pinned, &graph.hidden, params.label_gap, labelled);
    }
    for (v, p) in pos.iter_mut().enumerate() {
        if !(p[0].is_finite() && p[1].is_finite()) {
            *p = initial[v];
        }
    }
    observe(1.0, &|| pos.clone());
    stats.seconds = started.elapsed().as_secs_f64();
    (pos, stats)
}

/// The stress engine from scratch: each connected part placed by [`stress::layout`], parts
/// without pins packed in rows under the largest (or under the pinned ones). Returns whether
/// the observer stopped it.
#[allow(clippy::too_many_arguments, reason = "the layout's state spelled out")]
fn stress_cold(
    pos: &mut [[f32; 2]],
    edges: &[(usize, usize, f32)],
    lengths: &[f32],
    pinned: &[bool],
    half: &[[f32; 2]],
    params: &LayoutParams,
    rng: &mut Rng,
    stats: &mut LayoutStats,
    observe: &mut Observer<'_>,
) -> bool {
    let n = pos.len();
    let k = params.edge_length.max(1e-3);
    let before = pos.to_vec();
    let csr = stress::Csr::new(n, edges, lengths);
    let parts = csr.components();
    let mut done_nodes = 0usize;
    for part in &parts {
        let part_graph;
        let sub: &stress::Csr = if parts.len() == 1 {
            &csr
        } else {
            part_graph = csr.subgraph(part);
            &part_graph
        };
        let fixed: Vec<Option<[f32; 2]>> =
            part.iter().map(|&v| pinned[v].then(|| [pos[v][0] / k, pos[v][1] / k])).collect();
        let (base, share) = (done_nodes as f32 / n as f32, part.len() as f32 / n as f32);
        let mut stopped = false;
        let (local, iterations) = {
            let current: &[[f32; 2]] = pos;
            stress::layout(sub, &fixed, params.pivots, params.stress_iterations, rng, None, &mut |f, local| {
                let go = observe(0.9 * (base + share * f * 0.5), &|| with_part(current, part, local, k));
                stopped |= !go;
                go
            })
        };
        stats.iterations += iterations;
        let mut local = local;
        if !stopped && part.len() > 2 && params.polish > 0 {
            // Barnes–Hut force polish: spreads crowded neighbourhoods (a hub's leaves), which
            // stress alone leaves bunched. Kept only as far as it brings layout distances closer
            // to graph distances, judged by the pivots' stress every few iterations.
            let local_edges: Vec<(usize, usize, f32)> = (0..part.len())
                .flat_map(|v| {
                    sub.neighbours(v).iter().filter(move |u| **u as usize > v).map(move |u| (v, *u as usize, 1.0))
                })
                .collect();
            let local_pinned: Vec<bool> = fixed.iter().map(Option::is_some).collect();
            let judge = stress::Pivots::sample(sub, 32, rng);
            let mut best = (judge.stress(&local), local.clone());
            let (mut calls, mut worse, mut user_stop) = (0usize, 0, false);
            stats.iterations += refine(
                &mut local,
                &local_edges,
                &vec![1.0; part.len()],
                &[],
                &local_pinned,
                1.0,
                params.polish,
                0.2,
                0.0,
                &mut |f, p| {
                    calls += 1;
                    if calls % POLISH_CHECK == 0 {
                        let now = judge.stress(p);
                        // Better by a thousandth at least, or it is only creeping.
                        if now < best.0 * 0.999 {
                            best = (now, p.to_vec());
                            worse = 0;
                        } else {
                            worse += 1;
                            if worse >= POLISH_PATIENCE {
                                return false;
                            }
                        }
                    }
                    let go = observe(0.9 * (base + share * (0.5 + 0.5 * f)), &|| with_part(pos, part, p, k));
                    user_stop |= !go;
                    go
                },
            );
            if judge.stress(&local) < best.0 {
                best.1 = local;
            }
            local = best.1;
            stopped |= user_stop;
        }
        for (i, v) in part.iter().enumerate() {
            pos[*v] = [local[i][0] * k, local[i][1] * k];
        }
        done_nodes += part.len();
        if stopped {
            return true;
        }
    }
    if parts.len() > 1 {
        pack_parts(pos, &parts, pinned, half, k);
    }
    if !pinned.iter().any(|p| *p) {
        // Turned, mirrored and moved to match the map as it was, so laying out again after a
        // small edit does not flip or spin the whole map.
        let targets: Vec<Option<[f32; 2]>> =
            before.iter().map(|p| (p[0].is_finite() && p[1].is_finite()).then_some(*p)).collect();
        stress::rigid_fit(pos, &targets);
    }
    false
}

/// `pos` with the nodes of `part` at `local` (in hop units, scaled by `k`): a snapshot of the
/// layout while one part is being placed.
fn with_part(pos: &[[f32; 2]], part: &[usize], local: &[[f32; 2]], k: f32) -> Vec<[f32; 2]> {
    let mut snapshot = pos.to_vec();
    for (v, p) in part.iter().zip(local) {
        snapshot[*v] = [p[0] * k, p[1] * k];
    }
    snapshot
}

/// Keeps parts with pins where they are and places the others in rows below: the largest part
/// (or the pinned ones) first, then the rest, biggest first.
fn pack_parts(pos: &mut [[f32; 2]], parts: &[Vec<usize>], pinned: &[bool], half: &[[f32; 2]], k: f32) {
    let bounds = |pos: &[[f32; 2]], part: &[usize]| {
        let mut b = [f32::INFINITY, f32::INFINITY, f32::NEG_INFINITY, f32::NEG_INFINITY];
        for &v in part {
            b[0] = b[0].min(pos[v][0] - half[v][0]);
            b[1] = b[1].min(pos[v][1] - half[v][1]);
            b[2] = b[2].max(pos[v][0] + half[v][0]);
            b[3] = b[3].max(pos[v][1] + half[v][1]);
        }
        b
    };
    let has_pin: Vec<bool> = parts.iter().map(|p| p.iter().any(|v| pinned[*v])).collect();
    let anchored: Vec<usize> =
        if has_pin.iter().any(|x| *x) { (0..parts.len()).filter(|i| has_pin[*i]).collect() } else { vec![0] };
    let mut anchor = [f32::INFINITY, f32::INFINITY, f32::NEG_INFINITY, f32::NEG_INFINITY];
    for &i in &anchored {
        let b = bounds(pos, &parts[i]);
        anchor = [anchor[0].min(b[0]), anchor[1].min(b[1]), anchor[2].max(b[2]), anchor[3].max(b[3])];
    }
    let rest: Vec<usize> = (0..parts.len()).filter(|i| !anchored.contains(i)).collect();
    let gap = k * 0.6;
    let area: f32 = rest
        .iter()
        .map(|&i| {
            let b = bounds(pos, &parts[i]);
            (b[2] - b[0] + gap) * (b[3] - b[1] + gap)
        })
        .sum();
    let row_width = (anchor[2] - anchor[0]).max(area.sqrt() * 1.5);
    let (mut x, mut y, mut row_height) = (anchor[0], anchor[3] + gap * 1.5, 0f32);
    for i in rest {
        let b = bounds(pos, &parts[i]);
        let (w, h) = (b[2] - b[0], b[3] - b[1]);
        if x > anchor[0] && x + w > anchor[0] + row_width {
            x = anchor[0];
            y += row_height + gap;
            row_height = 0.0;
        }
        for &v in &parts[i] {
            pos[v] = [pos[v][0] - b[0] + x, pos[v][1] - b[1] + y];
        }
        x += w + gap;
        row_height = row_height.max(h);
    }
}

/// The force engine from scratch: coarsen by matching, lay out the coarsest graph, then refine
/// level by level.
#[allow(clippy::too_many_arguments, reason = "the layout's state spelled out")]
fn force_cold(
    pos: &mut Vec<[f32; 2]>,
    edges: &[(usize, usize, f32)],
    groups: &[Vec<usize>],
    pinned: &[bool],
    initial: &[[f32; 2]],
    params: &LayoutParams,
    rng: &mut Rng,
    stats: &mut LayoutStats,
) {
    let n = pos.len();
    let k = params.edge_length.max(1e-3);
    // Build the hierarchy.
    let mut levels: Vec<Level> = Vec::new();
    let (mut cur_n, mut cur_edges, mut cur_mass, mut cur_pinned) =
        (n, edges.to_vec(), vec![1.0f32; n], pinned.to_vec());
    while cur_n > 60 {
        let Some(level) = coarsen(cur_n, &cur_edges, &cur_mass, &cur_pinned, rng) else { break };
        let mut next_pinned = vec![false; level.n];
        for (v, p) in level.parent_of.iter().enumerate() {
            next_pinned[*p] |= cur_pinned[v];
        }
        cur_n = level.n;
        cur_edges = level.edges.clone();
        cur_mass = level.mass.clone();
        cur_pinned = next_pinned;
        levels.push(level);
    }
    stats.levels = levels.len() + 1;
    // Coarsest level from scratch.
    let spread = k * (cur_n as f32).sqrt();
    let mut coarse: Vec<[f32; 2]> = (0..cur_n).map(|_| [rng.next_f32() * spread, rng.next_f32() * spread]).collect();
    if levels.is_empty() {
        // No coarsening: the coarsest level is the graph itself, so pins hold from the start.
        for v in 0..n {
            if pinned[v] {
                coarse[v] = initial[v];
            }
        }
    }
    let coarse_k = k * 1.41f32.powi(levels.len() as i32);
    stats.iterations += refine(
        &mut coarse,
        &cur_edges,
        &cur_mass,
        &[],
        &cur_pinned,
        coarse_k,
        params.iterations * 2,
        coarse_k,
        0.0,
        &mut |_, _| true,
    );
    // Back down, level by level.
    for (depth, level) in levels.iter().enumerate().rev() {
        let finer_n = level.parent_of.len();
        let (finer_edges, finer_mass): (Vec<(usize, usize, f32)>, Vec<f32>) = if depth == 0 {
            (edges.to_vec(), vec![1.0; n])
        } else {
            (levels[depth - 1].edges.clone(), levels[depth - 1].mass.clone())
        };
        let mut finer: Vec<[f32; 2]> = (0..finer_n)
            .map(|v| {
                let p = coarse[level.parent_of[v]];
                [p[0] + (rng.next_f32() - 0.5) * k * 0.1, p[1] + (rng.next_f32() - 0.5) * k * 0.1]
            })
            .collect();
        let level_k = k * 1.41f32.powi(depth as i32);
        let finer_pinned: Vec<bool> = if depth == 0 { pinned.to_vec() } else { vec![false; finer_n] };
        if depth == 0 {
            for v in 0..n {
                if pinned[v] {
                    finer[v] = initial[v];
                }
            }
        }
        let groups_here: &[Vec<usize>] = if depth == 0 { groups } else { &[] };
        stats.iterations += refine(
            &mut finer,
            &finer_edges,
            &finer_mass,
            groups_here,
            &finer_pinned,
            level_k,
            params.iterations,
            level_k * 0.5,
            params.group_pull,
            &mut |_, _| true,
        );
        coarse = finer;
    }
    *pos = coarse;
    if levels.is_empty() {
        // Small graphs: one more refinement with the areas' pull.
        stats.iterations += refine(
            pos,
            edges,
            &vec![1.0; n],
            groups,
            pinned,
            k,
            params.iterations,
            k * 0.5,
            params.group_pull,
            &mut |_, _| true,
        );
    }
}

/// The layout graph of a document: one node per concept, then one hub node per area that its
/// members are tied to (so an area's concepts gather and a concept in two areas settles
/// between them), relationships as edges weighted by their evidence (a relationship to an area
/// ties to its hub), label sizes from `cards` (see [`card_half_sizes`]).
pub fn document_graph(doc: &crate::model::Document, cards: &[[f32; 2]]) -> LayoutGraph {
    use crate::model::{Endpoint, ItemRef};
    let n = doc.concepts.len();
    let index: std::collections::HashMap<crate::model::ConceptId, usize> =
        doc.concepts.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let hub: std::collections::HashMap<crate::model::AreaId, usize> =
        doc.areas.iter().enumerate().map(|(i, a)| (a.id, n + i)).collect();
    let node = |end: Endpoint| match end {
        Endpoint::Concept(c) => index.get(&c).copied(),
        Endpoint::Area(a) => hub.get(&a).copied(),
    };
    let support = crate::model::support::support_counts(doc, &Default::default(), Default::default());
    let mut edges: Vec<(usize, usize, f32)> = doc
        .relationships
        .iter()
        .filter_map(|r| {
            let w = 1.0 + (support.get(&ItemRef::Relationship(r.id)).copied().unwrap_or(0) as f32).ln_1p() * 0.5;
            Some((node(r.from)?, node(r.to)?, w))
        })
        .collect();
    let mut lengths = vec![1.0; edges.len()];
    for concept in &doc.concepts {
        for area in &concept.areas {
            if let (Some(&c), Some(&h)) = (index.get(&concept.id), hub.get(area)) {
                // Shorter than a relationship, so an area's members gather round its middle.
                edges.push((c, h, 1.5));
                lengths.push(HUB_LENGTH);
            }
        }
    }
    let groups =
        doc.areas.iter().map(|a| doc.members_of(a.id).filter_map(|c| index.get(&c.id).copied()).collect()).collect();
    let mut half_sizes: Vec<[f32; 2]> = (0..n).map(|v| cards.get(v).copied().unwrap_or([60.0, 16.0])).collect();
    half_sizes.extend(doc.areas.iter().map(|_| [1.0, 1.0]));
    let hidden = (0..n + doc.areas.len()).map(|v| v >= n).collect();
    let area_index: std::collections::HashMap<crate::model::AreaId, usize> =
        doc.areas.iter().enumerate().map(|(i, a)| (a.id, i)).collect();
    let mut related: std::collections::BTreeMap<(usize, bool), Vec<usize>> = std::collections::BTreeMap::new();
    for r in &doc.relationships {
        let (concept, area, below) = match (r.from, r.to) {
            (Endpoint::Concept(c), Endpoint::Area(a)) => (c, a, true),
            (Endpoint::Area(a), Endpoint::Concept(c)) => (c, a, false),
            _ => continue,
        };
        let (Some(&v), Some(&g)) = (index.get(&concept), area_index.get(&area)) else { continue };
        if !doc.concepts[v].areas.contains(&area) {
            related.entry((v, below)).or_default().push(g);
        }
    }
    let foundations = related.into_iter().map(|((v, below), groups)| (v, groups, below)).collect();
    let pinned = (0..n + doc.areas.len()).map(|v| doc.concepts.get(v).is_some_and(|c| c.pinned)).collect();
    LayoutGraph { half_sizes, edges, lengths, groups, pinned, hidden, foundations }
}

/// Half the width and height of each concept's card in `scene`, in the document's order (a
/// concept the scene does not draw gets a typical card's).
pub fn card_half_sizes(doc: &crate::model::Document, scene: &crate::scene::Scene) -> Vec<[f32; 2]> {
    doc.concepts
        .iter()
        .map(|c| scene.node(c.id).map_or([60.0, 16.0], |n| [n.rect.width() / 2.0, n.rect.height() / 2.0]))
        .collect()
}

/// The command that lays out a document's concepts (one undo step).
pub fn layout_command(
    doc: &crate::model::Document,
    scene: &crate::scene::Scene,
    params: &LayoutParams,
) -> (crate::command::Command, LayoutStats) {
    let (moves, stats) = layout_positions(doc, &card_half_sizes(doc, scene), params, &mut |_, _| true);
    (crate::command::Command::MoveConcepts(moves), stats)
}

/// New positions for a document's concepts (pinned ones stay), reporting progress to
/// `observe`, whose position snapshots list the concepts first, in the document's order.
pub fn layout_positions(
    doc: &crate::model::Document,
    cards: &[[f32; 2]],
    params: &LayoutParams,
    observe: &mut Observer<'_>,
) -> (Vec<(crate::model::ConceptId, crate::model::Point)>, LayoutStats) {
    let graph = document_graph(doc, cards);
    let initial = initial_positions(doc);
    let (pos, stats) = layout_observed(&graph, &initial, params, observe);
    let moves = doc.concepts.iter().zip(pos).map(|(c, p)| (c.id, crate::model::Point::new(p[0], p[1]))).collect();
    (moves, stats)
}

/// A plain graph for `qualmap layout` (read by `import::graph`): node names, and edges as
/// (from, to, weight) between their indexes.
pub type PlainGraph = (Vec<String>, Vec<(usize, usize, f32)>);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::example;
    use crate::scene::{ApproxMeasure, SceneOptions, ThemeKind, build_scene};

    fn grid(side: usize) -> (LayoutGraph, Vec<[f32; 2]>) {
        let mut edges = Vec::new();
        for r in 0..side {
            for c in 0..side {
                let v = r * side + c;
                if c + 1 < side {
                    edges.push((v, v + 1, 1.0));
                }
                if r + 1 < side {
                    edges.push((v, v + side, 1.0));
                }
            }
        }
        let n = side * side;
        (
            LayoutGraph { half_sizes: vec![[20.0, 10.0]; n], edges, pinned: vec![false; n], ..LayoutGraph::default() },
            vec![[0.0; 2]; n],
        )
    }

    #[test]
    fn deterministic_finite_and_untangled_on_a_grid() {
        let (graph, start) = grid(12);
        for engine in [Engine::Stress, Engine::Force] {
            let params = LayoutParams { edge_length: 60.0, engine, ..LayoutParams::default() };
            let (a, stats) = layout(&graph, &start, &params);
            let (b, _) = layout(&graph, &start, &params);
            assert_eq!(a, b, "same seed, same layout ({engine:?})");
            assert!(a.iter().all(|p| p[0].is_finite() && p[1].is_finite()));
            if engine == Engine::Force {
                assert!(stats.levels > 1, "a 144-node graph is coarsened: {stats:?}");
            }
            // Neighbours end up much closer than the graph's far corners.
            let d = |u: usize, v: usize| ((a[u][0] - a[v][0]).powi(2) + (a[u][1] - a[v][1]).powi(2)).sqrt();
            let neighbour = graph.edges.iter().map(|(u, v, _)| d(*u, *v)).sum::<f32>() / graph.edges.len() as f32;
            assert!(d(0, 143) > 5.0 * neighbour, "{engine:?}: corners {} vs neighbours {neighbour}", d(0, 143));
        }
    }

    /// Normalized stress (as the benchmark defines it) of a layout against hop distances from
    /// every node.
    fn full_stress(graph: &LayoutGraph, pos: &[[f32; 2]]) -> f64 {
        let csr = stress::Csr::new(pos.len(), &graph.edges, &graph.lengths);
        let mut rng = Rng::new(7);
        stress::Pivots::sample(&csr, pos.len(), &mut rng).stress(pos)
    }

    #[test]
    fn the_stress_engine_keeps_graph_distances() {
        let (graph, start) = grid(20);
        let params = LayoutParams { edge_length: 1.0, label_gap: 0.0, ..LayoutParams::default() };
        let plain = LayoutGraph { half_sizes: vec![[0.0, 0.0]; 400], ..graph.clone() };
        let (pos, _) = layout(&plain, &start, &params);
        let stress = full_stress(&plain, &pos);
        // A square grid drawn as a square grid has stress ≈ 0.01 (diagonals are shorter than
        // their hop counts); a folded or tangled one is far above 0.05.
        assert!(stress < 0.03, "grid stress {stress}");
        let (force, _) = layout(&plain, &start, &LayoutParams { engine: Engine::Force, ..params });
        assert!(full_stress(&plain, &force) < 0.06, "force engine grid stress {}", full_stress(&plain, &force));
    }

    #[test]
    fn separate_parts_are_packed_apart_and_stopping_keeps_a_finite_layout() {
        // Three triangles and two lone nodes.
        let mut edges = Vec::new();
        for t in 0..3 {
            let b = t * 3;
            edges.extend([(b, b + 1, 1.0), (b + 1, b + 2, 1.0), (b, b + 2, 1.0)]);
        }
        let n = 11;
        let graph = LayoutGraph { half_sizes: vec![[30.0, 12.0]; n], edges, ..LayoutGraph::default() };
        let (pos, _) = layout(&graph, &vec![[0.0; 2]; n], &LayoutParams::default());
        let bounds = |vs: &[usize]| {
            vs.iter().fold([f32::MAX, f32::MAX, f32::MIN, f32::MIN], |b, v| {
                [b[0].min(pos[*v][0]), b[1].min(pos[*v][1]), b[2].max(pos[*v][0]), b[3].max(pos[*v][1])]
            })
        };
        let parts: Vec<Vec<usize>> = vec![vec![0, 1, 2], vec![3, 4, 5], vec![6, 7, 8], vec![9], vec![10]];
        for (i, a) in parts.iter().enumerate() {
            for b in &parts[i + 1..] {
                let (p, q) = (bounds(a), bounds(b));
                let apart = p[2] + 30.0 < q[0] || q[2] + 30.0 < p[0] || p[3] + 12.0 < q[1] || q[3] + 12.0 < p[1];
                assert!(apart, "parts {a:?} and {b:?} overlap: {p:?} {q:?}");
            }
        }
        // An observer that stops at once still gets finite positions back.
        let mut calls = 0;
        let (stopped, _) = layout_observed(&graph, &vec![[5.0; 2]; n], &LayoutParams::default(), &mut |_, snapshot| {
            calls += 1;
            assert_eq!(snapshot().len(), n);
            false
        });
        assert!(calls >= 1 && stopped.iter().all(|p| p[0].is_finite() && p[1].is_finite()));
    }

    #[test]
    fn the_example_lays_out_as_areas_that_hold_only_their_members() {
        let mut doc = example::document();
        let options = SceneOptions::new(ThemeKind::Light);
        let scene = build_scene(&doc, &options, &ApproxMeasure);
        let (command, _) = layout_command(&doc, &scene, &LayoutParams::default());
        command.apply(&mut doc).unwrap();
        let scene = build_scene(&doc, &options, &ApproxMeasure);
        for area in &scene.areas {
            for node in &scene.nodes {
                let concept = doc.concept(node.id).unwrap();
                if concept.areas.contains(&area.id) {
                    continue;
                }
                let inside = crate::scene::geometry::convex_contains(&area.outline, node.rect.center());
                assert!(!inside, "{} sits inside “{}”", concept.label, doc.area(area.id).unwrap().label);
            }
        }
    }

    #[test]
    fn making_room_for_larger_cards_separates_them_and_keeps_their_directions() {
        let mut doc = example::document();
        doc.concepts[0].pinned = true;
        let scene = build_scene(&doc, &SceneOptions::new(ThemeKind::Light), &ApproxMeasure);
        let cards: Vec<[f32; 2]> = card_half_sizes(&doc, &scene).iter().map(|h| [h[0] * 1.6, h[1] * 1.6]).collect();
        let places = make_room(&doc, &cards, 6.0, 30.0, false);
        assert_eq!(places[0].1, doc.concepts[0].pos, "a pinned concept stays");
        let n = places.len();
        for a in 0..n {
            for b in a + 1..n {
                let (p, q) = (places[a].1, places[b].1);
                let apart_x = (q.x - p.x).abs() - cards[a][0] - cards[b][0];
                let apart_y = (q.y - p.y).abs() - cards[a][1] - cards[b][1];
                assert!(apart_x >= 5.9 || apart_y >= 5.9, "{a} and {b} still overlap");
                // Pushed apart along the line between them: neither crosses over the other.
                let (before_p, before_q) = (doc.concepts[a].pos, doc.concepts[b].pos);
                let before = (before_q.x - before_p.x, before_q.y - before_p.y);
                let after = (q.x - p.x, q.y - p.y);
                assert!(before.0 * after.0 + before.1 * after.1 >= 0.0, "{a} and {b} swapped sides");
            }
        }
    }

    #[test]
    fn pins_hold_labels_do_not_overlap_and_warm_starts_move_little() {
        let doc = example::document();
        let scene = build_scene(&doc, &SceneOptions::new(ThemeKind::Light), &ApproxMeasure);
        let mut graph = document_graph(&doc, &card_half_sizes(&doc, &scene));
        graph.pinned[0] = true;
        graph.pinned[7] = true;
        let mut start: Vec<[f32; 2]> = doc.concepts.iter().map(|c| [c.pos.x, c.pos.y]).collect();
        start.extend(doc.areas.iter().map(|_| [0.0, 0.0]));
        let (cold, _) = layout(&graph, &start, &LayoutParams::default());
        assert_eq!(cold[0], start[0], "the pinned concept stays");
        assert_eq!(cold[7], start[7], "the other pinned concept stays");
        let concepts = doc.concepts.len();
        for u in 0..concepts {
            for v in u + 1..concepts {
                let (hu, hv) = (graph.half_sizes[u], graph.half_sizes[v]);
                let overlap_x = hu[0] + hv[0] - (cold[u][0] - cold[v][0]).abs();
                let overlap_y = hu[1] + hv[1] - (cold[u][1] - cold[v][1]).abs();
                assert!(overlap_x <= 1.0 || overlap_y <= 1.0, "cards {u} and {v} overlap");
            }
        }
        let (warm, _) = layout(&graph, &start, &LayoutParams { warm: true, ..LayoutParams::default() });
        let moved: f32 =
            warm.iter().zip(&start).map(|(a, b)| ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()).sum::<f32>()
                / start.len() as f32;
        assert!(moved < 60.0, "a warm start moves concepts {moved} on average");
    }

    #[test]
    fn laying_out_again_after_adding_a_concept_moves_the_rest_little() {
        use crate::model::{Concept, Endpoint, Point, Relationship, RelationshipId};
        let mut doc = example::document();
        let options = SceneOptions::new(ThemeKind::Light);
        let scene = build_scene(&doc, &options, &ApproxMeasure);
        layout_command(&doc, &scene, &LayoutParams::default()).0.apply(&mut doc).unwrap();
        let first: Vec<Point> = doc.concepts.iter().map(|c| c.pos).collect();
        // One new concept, tied to one that is there.
        let anchor = doc.concepts.iter().find(|c| c.label == "Coping").unwrap().clone();
        let id = doc.next_concept_id();
        doc.concepts.push(Concept {
            id,
            label: "Peer support groups".to_owned(),
            pos: Point::new(anchor.pos.x + 40.0, anchor.pos.y + 40.0),
            color: None,
            areas: anchor.areas.clone(),
            ..anchor.clone()
        });
        let relationship = Relationship {
            id: RelationshipId(doc.relationships.iter().map(|r| r.id.0).max().unwrap_or(0) + 1),
            from: Endpoint::Concept(id),
            to: Endpoint::Concept(anchor.id),
            ..doc.relationships[0].clone()
        };
        doc.relationships.push(relationship);
        doc.normalize();
        let scene = build_scene(&doc, &options, &ApproxMeasure);
        let ids: Vec<crate::model::ConceptId> = example::document().concepts.iter().map(|c| c.id).collect();
        let mean_move = |after: &crate::model::Document| {
            let moved: Vec<f32> = ids
                .iter()
                .zip(&first)
                .map(|(id, p)| {
                    let now = after.concept(*id).unwrap().pos;
                    ((now.x - p.x).powi(2) + (now.y - p.y).powi(2)).sqrt()
                })
                .collect();
            moved.iter().sum::<f32>() / moved.len() as f32
        };
        // Tidy (a warm start) after the edit: the rest of the map barely moves.
        let mut tidied = doc.clone();
        let warm = LayoutParams { warm: true, ..LayoutParams::default() };
        layout_command(&doc, &scene, &warm).0.apply(&mut tidied).unwrap();
        let tidy_move = mean_move(&tidied);
        assert!(tidy_move < 25.0, "tidying moved concepts {tidy_move} on average");
        // A whole new layout after the edit is fitted to the map as it was: a relationship is 180
        // units long, and without the fit the map came out mirrored and turned (292 on average).
        layout_command(&doc, &scene, &LayoutParams::default()).0.apply(&mut doc).unwrap();
        let cold_move = mean_move(&doc);
        assert!(cold_move < 130.0, "a new layout moved concepts {cold_move} on average");
    }
}
