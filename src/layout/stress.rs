//! Stress-based placement of one connected graph: Pivot MDS (Brandes & Pich 2006) for a start
//! that already has the graph's global shape, then sparse stress majorization (Ortmann,
//! Klimenta & Brandes 2016), which fits layout distances to hop distances using each node's
//! neighbours and a few pivots, so every iteration is O((m + n·pivots)).
//!
//! Works in hop units (an edge's ideal length is 1); the caller scales.

use super::Rng;

/// Adjacency in compressed rows, with edge weights. Parallel edges are merged (weights added).
pub(super) struct Csr {
    start: Vec<u32>,
    adj: Vec<u32>,
    weight: Vec<f32>,
    /// Ideal length of each edge, in hops.
    length: Vec<f32>,
    /// Whether every edge has length 1 (distances by breadth-first search).
    unit: bool,
}

impl Csr {
    /// `lengths` runs parallel to `edges`; empty means every edge is one hop long.
    pub(super) fn new(n: usize, edges: &[(usize, usize, f32)], lengths: &[f32]) -> Self {
        let mut pairs: Vec<(u32, u32, f32, f32)> = Vec::with_capacity(edges.len() * 2);
        for (i, &(a, b, w)) in edges.iter().enumerate() {
            let len = lengths.get(i).copied().filter(|l| l.is_finite() && *l > 0.0).unwrap_or(1.0);
            if a != b && a < n && b < n {
                pairs.push((a as u32, b as u32, w, len));
                pairs.push((b as u32, a as u32, w, len));
            }
        }
        pairs.sort_unstable_by_key(|p| (p.0, p.1));
        let mut start = vec![0u32; n + 1];
        let mut adj = Vec::with_capacity(pairs.len());
        let mut weight: Vec<f32> = Vec::with_capacity(pairs.len());
        let mut length: Vec<f32> = Vec::with_capacity(pairs.len());
        let mut last = (u32::MAX, u32::MAX);
        for (a, b, w, len) in pairs {
            if (a, b) == last {
                if let (Some(x), Some(l)) = (weight.last_mut(), length.last_mut()) {
                    *x += w;
                    *l = l.min(len);
                }
                continue;
            }
            last = (a, b);
            start[a as usize + 1] += 1;
            adj.push(b);
            weight.push(w);
            length.push(len);
        }
        for v in 0..n {
            start[v + 1] += start[v];
        }
        let unit = length.iter().all(|l| *l == 1.0);
        Self { start, adj, weight, length, unit }
    }

    pub(super) fn len(&self) -> usize {
        self.start.len() - 1
    }

    pub(super) fn neighbours(&self, v: usize) -> &[u32] {
        &self.adj[self.start[v] as usize..self.start[v + 1] as usize]
    }

    fn weights(&self, v: usize) -> &[f32] {
        &self.weight[self.start[v] as usize..self.start[v + 1] as usize]
    }

    fn lengths(&self, v: usize) -> &[f32] {
        &self.length[self.start[v] as usize..self.start[v + 1] as usize]
    }

    /// Connected components, largest first (ties by smallest member), members in order.
    pub(super) fn components(&self) -> Vec<Vec<usize>> {
        let n = self.len();
        let mut seen = vec![false; n];
        let mut out = Vec::new();
        let mut queue = Vec::new();
        for s in 0..n {
            if seen[s] {
                continue;
            }
            seen[s] = true;
            queue.clear();
            queue.push(s);
            let mut head = 0;
            while head < queue.len() {
                let v = queue[head];
                head += 1;
                for &u in self.neighbours(v) {
                    if !seen[u as usize] {
                        seen[u as usize] = true;
                        queue.push(u as usize);
                    }
                }
            }
            let mut members = queue.clone();
            members.sort_unstable();
            out.push(members);
        }
        out.sort_by(|a, b| b.len().cmp(&a.len()).then(a[0].cmp(&b[0])));
        out
    }

    /// The subgraph on `members` (which must be sorted), renumbered 0..members.len().
    pub(super) fn subgraph(&self, members: &[usize]) -> Self {
        let mut local = std::collections::HashMap::with_capacity(members.len());
        for (i, v) in members.iter().enumerate() {
            local.insert(*v, i);
        }
        let (mut edges, mut lengths) = (Vec::new(), Vec::new());
        for (i, &v) in members.iter().enumerate() {
            for ((u, w), len) in self.neighbours(v).iter().zip(self.weights(v)).zip(self.lengths(v)) {
                if let Some(&j) = local.get(&(*u as usize))
                    && i < j
                {
                    edges.push((i, j, *w));
                    lengths.push(*len);
                }
            }
        }
        Self::new(members.len(), &edges, &lengths)
    }

    /// Graph distances from `source` (infinite where unreachable): breadth-first when every
    /// edge is one hop, Dijkstra otherwise.
    fn distances(&self, source: usize, dist: &mut [f32], queue: &mut Vec<u32>) {
        dist.fill(f32::INFINITY);
        dist[source] = 0.0;
        if self.unit {
            queue.clear();
            queue.push(source as u32);
            let mut head = 0;
            while head < queue.len() {
                let v = queue[head] as usize;
                head += 1;
                let next = dist[v] + 1.0;
                for &u in self.neighbours(v) {
                    if dist[u as usize] == f32::INFINITY {
                        dist[u as usize] = next;
                        queue.push(u);
                    }
                }
            }
            return;
        }
        // Non-negative floats order like their bits.
        let mut heap = std::collections::BinaryHeap::new();
        heap.push(std::cmp::Reverse((0u32, source as u32)));
        while let Some(std::cmp::Reverse((bits, v))) = heap.pop() {
            let (d, v) = (f32::from_bits(bits), v as usize);
            if d > dist[v] {
                continue;
            }
            for (&u, &len) in self.neighbours(v).iter().zip(self.lengths(v)) {
                let next = d + len;
                if next < dist[u as usize] {
                    dist[u as usize] = next;
                    heap.push(std::cmp::Reverse((next.to_bits(), u)));
                }
            }
        }
    }
}

/// Pivots chosen max–min (each the node farthest from those chosen so far) and their distance
/// rows.
pub(super) struct Pivots {
    nodes: Vec<usize>,
    /// `dist[p * n + v]`: graph distance from pivot `p` to node `v`.
    dist: Vec<f32>,
}

fn choose_pivots(csr: &Csr, count: usize, rng: &mut Rng) -> Pivots {
    let n = csr.len();
    let count = count.min(n);
    let mut nodes = Vec::with_capacity(count);
    let mut dist = vec![0f32; n * count];
    let mut nearest = vec![f32::INFINITY; n];
    let mut queue = Vec::with_capacity(n);
    let mut next = ((rng.next_f32() * n as f32) as usize).min(n - 1);
    for p in 0..count {
        nodes.push(next);
        let row = &mut dist[p * n..(p + 1) * n];
        csr.distances(next, row, &mut queue);
        let mut best = (0f32, 0usize);
        for v in 0..n {
            nearest[v] = nearest[v].min(row[v]);
            if nearest[v].is_finite() && nearest[v] > best.0 {
                best = (nearest[v], v);
            }
        }
        if best.0 == 0.0 {
            nodes.truncate(p + 1);
            dist.truncate((p + 1) * n);
            break;
        }
        next = best.1;
    }
    Pivots { nodes, dist }
}

/// Pivot MDS: classical scaling of the node–pivot distance matrix, top two components found by
/// power iteration on the small pivots × pivots matrix.
fn pivot_mds(n: usize, pivots: &Pivots, rng: &mut Rng) -> Vec<[f32; 2]> {
    let k = pivots.nodes.len();
    // Double-centred squared distances, node-major (n × k).
    let mut b = vec![0f64; n * k];
    let mut col_mean = vec![0f64; k];
    for p in 0..k {
        for v in 0..n {
            let d = f64::from(pivots.dist[p * n + v]);
            b[v * k + p] = d * d;
            col_mean[p] += d * d;
        }
        col_mean[p] /= n as f64;
    }
    let grand = col_mean.iter().sum::<f64>() / k as f64;
    for v in 0..n {
        let row = &mut b[v * k..(v + 1) * k];
        let row_mean = row.iter().sum::<f64>() / k as f64;
        for p in 0..k {
            row[p] = -0.5 * (row[p] - row_mean - col_mean[p] + grand);
        }
    }
    // M = Bᵀ B (k × k).
    let mut m = vec![0f64; k * k];
    for v in 0..n {
        let row = &b[v * k..(v + 1) * k];
        for i in 0..k {
            let ri = row[i];
            if ri == 0.0 {
                continue;
            }
            for j in i..k {
                m[i * k + j] += ri * row[j];
            }
        }
    }
    for i in 0..k {
        for j in 0..i {
            m[i * k + j] = m[j * k + i];
        }
    }
    let mut axes: Vec<Vec<f64>> = Vec::new();
    for _ in 0..2 {
        let mut x: Vec<f64> = (0..k).map(|_| f64::from(rng.next_f32()) - 0.5).collect();
        for _ in 0..200 {
            let mut y = vec![0f64; k];
            for i in 0..k {
                y[i] = (0..k).map(|j| m[i * k + j] * x[j]).sum();
            }
            // Deflate: stay orthogonal to the axes already found.
            for axis in &axes {
                let dot: f64 = y.iter().zip(axis).map(|(a, b)| a * b).sum();
                for (a, b) in y.iter_mut().zip(axis) {
                    *a -= dot * b;
                }
            }
            let norm = y.iter().map(|a| a * a).sum::<f64>().sqrt();
            if norm < 1e-12 {
                break;
            }
            let change: f64 = y.iter().zip(&x).map(|(a, b)| (a / norm - b).abs()).sum();
            x = y.into_iter().map(|a| a / norm).collect();
            if change < 1e-9 {
                break;
            }
        }
        axes.push(x);
    }
    (0..n)
        .map(|v| {
            let row = &b[v * k..(v + 1) * k];
            let c = |axis: &[f64]| row.iter().zip(axis).map(|(a, b)| a * b).sum::<f64>() as f32;
            [c(&axes[0]), c(&axes[1])]
        })
        .collect()
}

/// Lays out one connected graph in hop units. `fixed` holds positions (in hop units) of nodes
/// that must not move. `observe(fraction, positions)` is called after each iteration and stops
/// the work when it returns false.
pub(super) fn layout(
    csr: &Csr,
    fixed: &[Option<[f32; 2]>],
    pivot_count: usize,
    max_iterations: usize,
    rng: &mut Rng,
    anchor: Option<(&[[f32; 2]], f32)>,
    observe: &mut dyn FnMut(f32, &[[f32; 2]]) -> bool,
) -> (Vec<[f32; 2]>, usize) {
    let n = csr.len();
    match (n, anchor) {
        (0, _) => return (Vec::new(), 0),
        (1, None) => return (vec![fixed[0].unwrap_or([0.0, 0.0])], 0),
        _ => {}
    }
    // Memory is O(n · pivots) and O(n · two-hop cap): both shrink on very large graphs so that
    // a million nodes take hundreds of megabytes, not gigabytes.
    let pivots = choose_pivots(csr, pivot_count.min((PER_NODE_BUDGET / n).max(8)), rng);
    let mut pos = match anchor {
        // A warm start: from where the nodes are.
        Some((start, _)) => start.iter().zip(fixed).map(|(p, f)| f.unwrap_or(*p)).collect(),
        None => pivot_mds(n, &pivots, rng),
    };
    if anchor.is_none() {
        place_start(&mut pos, &pivots, fixed, rng);
    }
    if !observe(0.1, &pos) {
        return (pos, 0);
    }
    sweep(csr, &pivots, &mut pos, fixed, max_iterations, anchor, observe)
}

/// Scales the Pivot MDS start to fit the pivot distances, breaks exact symmetries and fits it
/// to the fixed nodes.
fn place_start(pos: &mut [[f32; 2]], pivots: &Pivots, fixed: &[Option<[f32; 2]>], rng: &mut Rng) {
    let n = pos.len();
    // Scale the start to fit the pivot distances, and break exact symmetries.
    let (mut num, mut den) = (0f64, 0f64);
    for (p, &pv) in pivots.nodes.iter().enumerate() {
        for v in 0..n {
            let d = f64::from(pivots.dist[p * n + v]);
            if d > 0.0 {
                let x = f64::from(distance(pos[pv], pos[v]));
                num += x / d;
                den += x * x / (d * d);
            }
        }
    }
    let scale = if den > 0.0 { (num / den) as f32 } else { 1.0 };
    for p in pos.iter_mut() {
        *p = [p[0] * scale + (rng.next_f32() - 0.5) * 0.02, p[1] * scale + (rng.next_f32() - 0.5) * 0.02];
    }
    align_to_fixed(pos, fixed);
}

/// Sparse stress majorization sweeps over `pos`; with an anchor, each move is blended with
/// the node's anchored position by the given share, so a warm start stays near it.
fn sweep(
    csr: &Csr,
    pivots: &Pivots,
    pos: &mut Vec<[f32; 2]>,
    fixed: &[Option<[f32; 2]>],
    max_iterations: usize,
    anchor: Option<(&[[f32; 2]], f32)>,
    observe: &mut dyn FnMut(f32, &[[f32; 2]]) -> bool,
) -> (Vec<[f32; 2]>, usize) {
    let n = pos.len();

    // Sparse stress weights: a pivot stands for the nodes of its region (those nearer to it
    // than to any other pivot) that are nearer to it than half the distance to the node.
    let k = pivots.nodes.len();
    let mut region: Vec<Vec<f32>> = vec![Vec::new(); k];
    for v in 0..n {
        let mut best = (f32::INFINITY, 0);
        for p in 0..k {
            let d = pivots.dist[p * n + v];
            if d < best.0 {
                best = (d, p);
            }
        }
        region[best.1].push(best.0);
    }
    for r in &mut region {
        r.sort_unstable_by(f32::total_cmp);
    }
    let mut pivot_weight = vec![0f32; n * k];
    for p in 0..k {
        for v in 0..n {
            let d = pivots.dist[p * n + v];
            // Neighbours are already terms of their own; a node is not its own term.
            if d == 0.0 || !d.is_finite() || (csr.unit && d <= 1.0) {
                continue;
            }
            let represented = region[p].partition_point(|x| 2.0 * *x <= d).max(1);
            pivot_weight[v * k + p] = represented as f32 / (d * d);
        }
    }
    // Nodes two hops apart (up to a cap per node): without them, nodes that look alike from
    // every pivot (the leaves of a hub) would meet in one point.
    let (two_start, two_adj, two_len) = two_hop(csr, TWO_HOP_CAP.min((PER_NODE_BUDGET / n).max(4)));
    let mut done = 0;
    for iteration in 0..max_iterations {
        done += 1;
        let mut moved = 0f32;
        for v in 0..n {
            if fixed[v].is_some() {
                continue;
            }
            let here = pos[v];
            let (mut sx, mut sy, mut sw) = (0f32, 0f32, 0f32);
            let mut term = |there: [f32; 2], d: f32, w: f32| {
                let dx = here[0] - there[0];
                let dy = here[1] - there[1];
                let len = (dx * dx + dy * dy).sqrt();
                let (ux, uy) = if len > 1e-6 { (dx / len, dy / len) } else { (1.0, 0.0) };
                sx += w * (there[0] + d * ux);
                sy += w * (there[1] + d * uy);
                sw += w;
            };
            for ((u, w), len) in csr.neighbours(v).iter().zip(csr.weights(v)).zip(csr.lengths(v)) {
                term(pos[*u as usize], *len, *w / (len * len));
            }
            let range = two_start[v] as usize..two_start[v + 1] as usize;
            for (u, len) in two_adj[range.clone()].iter().zip(&two_len[range]) {
                term(pos[*u as usize], *len, 1.0 / (len * len));
            }
            let weights = &pivot_weight[v * k..(v + 1) * k];
            for p in 0..k {
                if weights[p] > 0.0 {
                    term(pos[pivots.nodes[p]], pivots.dist[p * n + v], weights[p]);
                }
            }
            if sw > 0.0 {
                let mut next = [sx / sw, sy / sw];
                if let Some((start, hold)) = anchor {
                    next = [next[0] + (start[v][0] - next[0]) * hold, next[1] + (start[v][1] - next[1]) * hold];
                }
                if next[0].is_finite() && next[1].is_finite() {
                    moved += distance(here, next);
                    pos[v] = next;
                }
            }
        }
        let fraction = 0.1 + 0.9 * (iteration + 1) as f32 / max_iterations as f32;
        if !observe(fraction, pos) {
            break;
        }
        // Converged: nodes move on average less than a thousandth of an edge.
        if moved / (n as f32) < 1e-3 {
            break;
        }
    }
    (std::mem::take(pos), done)
}

impl Pivots {
    /// Distance rows from `count` nodes drawn at random (for judging a layout without the
    /// max–min pivots' bias towards the periphery).
    pub(super) fn sample(csr: &Csr, count: usize, rng: &mut Rng) -> Self {
        let n = csr.len();
        let count = count.min(n);
        let mut nodes: Vec<usize> = Vec::with_capacity(count);
        while nodes.len() < count {
            let v = ((rng.next_f32() * n as f32) as usize).min(n - 1);
            if !nodes.contains(&v) {
                nodes.push(v);
            }
        }
        let mut dist = vec![0f32; n * count];
        let mut queue = Vec::with_capacity(n);
        for (p, &v) in nodes.iter().enumerate() {
            csr.distances(v, &mut dist[p * n..(p + 1) * n], &mut queue);
        }
        Self { nodes, dist }
    }

    /// Normalized stress of `pos` against the hop distances from the pivots: the scale `s`
    /// minimising Σ w (s‖xp − xv‖ − d)² with w = d⁻², that sum over the number of pairs.
    pub(super) fn stress(&self, pos: &[[f32; 2]]) -> f64 {
        let n = pos.len();
        let (mut num, mut den, mut count) = (0f64, 0f64, 0usize);
        let pairs = |f: &mut dyn FnMut(f64, f64)| {
            for (p, &pv) in self.nodes.iter().enumerate() {
                for v in 0..n {
                    let d = self.dist[p * n + v];
                    if d != 0.0 && d.is_finite() {
                        f(f64::from(d), f64::from(distance(pos[pv], pos[v])));
                    }
                }
            }
        };
        pairs(&mut |d, x| {
            num += x / d;
            den += x * x / (d * d);
            count += 1;
        });
        let scale = if den > 0.0 { num / den } else { 1.0 };
        let mut total = 0f64;
        pairs(&mut |d, x| total += (scale * x - d).powi(2) / (d * d));
        total / count.max(1) as f64
    }
}

/// Most nodes two hops away that one node is held apart from.
const TWO_HOP_CAP: usize = 64;

/// Node–pivot and node–two-hop entries allowed in all, before their caps per node shrink.
const PER_NODE_BUDGET: usize = 20_000_000;

/// For each node, up to `cap` nodes exactly two hops away, spread over its neighbours'
/// neighbourhoods, in compressed rows, with the length of the two-edge path found to each.
fn two_hop(csr: &Csr, cap: usize) -> (Vec<u32>, Vec<u32>, Vec<f32>) {
    let n = csr.len();
    let mut start = Vec::with_capacity(n + 1);
    let mut adj = Vec::new();
    let mut lengths = Vec::new();
    let mut mark = vec![u32::MAX; n];
    let mut found: Vec<(u32, f32)> = Vec::new();
    start.push(0u32);
    for v in 0..n {
        mark[v] = v as u32;
        for &u in csr.neighbours(v) {
            mark[u as usize] = v as u32;
        }
        found.clear();
        for (&u, &first) in csr.neighbours(v).iter().zip(csr.lengths(v)) {
            for (&w, &second) in csr.neighbours(u as usize).iter().zip(csr.lengths(u as usize)) {
                if mark[w as usize] != v as u32 {
                    mark[w as usize] = v as u32;
                    found.push((w, first + second));
                }
            }
        }
        // An even spread rather than the first few.
        let stride = (found.len() as f32 / cap as f32).max(1.0);
        for i in 0..found.len().min(cap) {
            let (w, len) = found[(i as f32 * stride) as usize];
            adj.push(w);
            lengths.push(len);
        }
        start.push(adj.len() as u32);
    }
    (start, adj, lengths)
}

fn distance(a: [f32; 2], b: [f32; 2]) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

/// Moves `pos` rigidly (rotation, reflection, translation) so its fixed nodes come as close as
/// possible to where they must be, then puts them exactly there.
fn align_to_fixed(pos: &mut [[f32; 2]], fixed: &[Option<[f32; 2]>]) {
    rigid_fit(pos, fixed);
    for (p, f) in pos.iter_mut().zip(fixed) {
        if let Some(target) = f {
            *p = *target;
        }
    }
}

/// Moves `pos` rigidly (rotation, reflection, translation) to come as close as possible (least
/// squares) to the targets given.
pub(super) fn rigid_fit(pos: &mut [[f32; 2]], targets: &[Option<[f32; 2]>]) {
    let pairs: Vec<([f32; 2], [f32; 2])> =
        pos.iter().zip(targets).filter_map(|(p, f)| f.map(|target| (*p, target))).collect();
    if pairs.is_empty() {
        return;
    }
    let count = pairs.len() as f32;
    let centre = |second: bool| {
        let s = pairs
            .iter()
            .map(|pair| if second { pair.1 } else { pair.0 })
            .fold([0.0, 0.0], |a, p| [a[0] + p[0], a[1] + p[1]]);
        [s[0] / count, s[1] / count]
    };
    let (cp, cq) = (centre(false), centre(true));
    // Best rotation with and without a reflection (flip y first).
    let mut best: Option<(f32, f32, bool)> = None;
    for flip in [false, true] {
        let (mut a, mut b) = (0f32, 0f32);
        for (p, q) in &pairs {
            let px = p[0] - cp[0];
            let py = if flip { cp[1] - p[1] } else { p[1] - cp[1] };
            let (qx, qy) = (q[0] - cq[0], q[1] - cq[1]);
            a += px * qx + py * qy;
            b += px * qy - py * qx;
        }
        let angle = b.atan2(a);
        let score = (a * a + b * b).sqrt();
        if best.is_none_or(|(s, _, _)| score > s + 1e-6) {
            best = Some((score, angle, flip));
        }
    }
    let (_, angle, flip) = best.unwrap_or((0.0, 0.0, false));
    let (sin, cos) = angle.sin_cos();
    for p in pos.iter_mut() {
        let px = p[0] - cp[0];
        let py = if flip { cp[1] - p[1] } else { p[1] - cp[1] };
        *p = [cq[0] + cos * px - sin * py, cq[1] + sin * px + cos * py];
    }
}
