#!/usr/bin/env python3
"""Layout benchmark: Qualmap's layout against Graphviz sfdp on the same graphs.

Generates graphs with fixed seeds (concept-map-like, community, Barabasi-Albert m=2, grid),
runs `sfdp` and `qualmap layout` on each, and prints wall time, normalized stress and the
ratios. Normalized stress: hop distances d from 64 random pivots on the largest component; the
scale s minimising sum w (s*|xi-xj| - dij)^2 with w = d^-2; that sum over the number of pairs.

    python3 benches/layout_vs_sfdp.py [--quick] [--qualmap target/release/qualmap]

Needs Graphviz (apt-get install graphviz). Run on an idle machine.
"""
import argparse, collections, math, os, random, subprocess, sys, tempfile, time

def concept_map(n, seed):
    rng = random.Random(seed)
    edges = set()
    for v in range(1, n):
        edges.add((rng.randrange(max(0, v - 30), v), v))
    while len(edges) < int(n * 1.225):
        a, b = rng.randrange(n), rng.randrange(n)
        if a != b and abs(a - b) < 60:
            edges.add((min(a, b), max(a, b)))
    return n, sorted(edges)

def community(n, seed, size=100):
    rng = random.Random(seed)
    edges = set()
    for v in range(n):
        c = v // size
        for _ in range(3):
            u = c * size + rng.randrange(size)
            if u != v and u < n:
                edges.add((min(u, v), max(u, v)))
        if rng.random() < 0.45:
            u = rng.randrange(n)
            if u != v:
                edges.add((min(u, v), max(u, v)))
    return n, sorted(edges)

def barabasi_albert(n, m, seed):
    rng = random.Random(seed)
    edges, targets, repeated = [], list(range(m)), []
    for v in range(m, n):
        for t in set(targets):
            edges.append((t, v))
        repeated.extend(targets)
        repeated.extend([v] * m)
        targets = set()
        while len(targets) < m:
            targets.add(rng.choice(repeated))
        targets = list(targets)
    return n, edges

def grid(side):
    edges = []
    for r in range(side):
        for c in range(side):
            v = r * side + c
            if c + 1 < side: edges.append((v, v + 1))
            if r + 1 < side: edges.append((v, v + side))
    return side * side, edges

def stress(n, edges, pos, pivots=64, seed=7):
    adj = collections.defaultdict(list)
    for a, b in edges:
        adj[a].append(b); adj[b].append(a)
    seen, best = set(), []
    for s in range(n):
        if s in seen: continue
        comp, queue = [s], collections.deque([s]); seen.add(s)
        while queue:
            v = queue.popleft()
            for u in adj[v]:
                if u not in seen: seen.add(u); comp.append(u); queue.append(u)
        if len(comp) > len(best): best = comp
    rng = random.Random(seed)
    chosen = rng.sample(best, min(pivots, len(best)))
    num = den = 0.0
    terms = []
    for p in chosen:
        dist = {p: 0}; queue = collections.deque([p])
        while queue:
            v = queue.popleft()
            for u in adj[v]:
                if u not in dist: dist[u] = dist[v] + 1; queue.append(u)
        for v, d in dist.items():
            if d == 0: continue
            x = math.dist(pos[p], pos[v])
            w = d ** -2
            num += w * d * x; den += w * x * x
            terms.append((w, x, d))
    s = num / den if den else 1.0
    return sum(w * (s * x - d) ** 2 for w, x, d in terms) / max(1, len(terms))

def cells_on(a, b, cell):
    """Grid cells a segment passes through (Amanatides-Woo traversal)."""
    x, y = int(math.floor(a[0] / cell)), int(math.floor(a[1] / cell))
    xe, ye = int(math.floor(b[0] / cell)), int(math.floor(b[1] / cell))
    dx, dy = b[0] - a[0], b[1] - a[1]
    sx, sy = (1 if dx > 0 else -1), (1 if dy > 0 else -1)
    tdx = abs(cell / dx) if dx else math.inf
    tdy = abs(cell / dy) if dy else math.inf
    tx = ((x + (sx > 0)) * cell - a[0]) / dx if dx else math.inf
    ty = ((y + (sy > 0)) * cell - a[1]) / dy if dy else math.inf
    out = [(x, y)]
    for _ in range(abs(xe - x) + abs(ye - y)):
        if tx < ty: x += sx; tx += tdx
        else: y += sy; ty += tdy
        out.append((x, y))
    return out

def crossings(edges, pos):
    """Pairs of edges without a shared end that cross, counted once each: in the grid cell that
    holds their crossing point."""
    segs = [(pos[a], pos[b], a, b) for a, b in edges if a in pos and b in pos and pos[a] != pos[b]]
    if not segs: return 0
    total = sum(math.dist(p, q) for p, q, _, _ in segs)
    cell = max(total / len(segs), 1e-9)
    grid = collections.defaultdict(list)
    for i, (p, q, _, _) in enumerate(segs):
        for c in cells_on(p, q, cell): grid[c].append(i)
    count = 0
    for c, items in grid.items():
        for x in range(len(items)):
            p1, p2, a1, b1 = segs[items[x]]
            for y in range(x + 1, len(items)):
                q1, q2, a2, b2 = segs[items[y]]
                if a1 == a2 or a1 == b2 or b1 == a2 or b1 == b2: continue
                rx, ry = p2[0] - p1[0], p2[1] - p1[1]
                sx, sy = q2[0] - q1[0], q2[1] - q1[1]
                den = rx * sy - ry * sx
                if den == 0: continue
                t = ((q1[0] - p1[0]) * sy - (q1[1] - p1[1]) * sx) / den
                u = ((q1[0] - p1[0]) * ry - (q1[1] - p1[1]) * rx) / den
                if 0 < t < 1 and 0 < u < 1:
                    ix, iy = p1[0] + t * rx, p1[1] + t * ry
                    if (int(math.floor(ix / cell)), int(math.floor(iy / cell))) == c: count += 1
    return count

def run_sfdp(path, n):
    start = time.perf_counter()
    out = subprocess.run(["sfdp", "-Tplain", path], capture_output=True, text=True, check=True).stdout
    elapsed = time.perf_counter() - start
    pos = {}
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0] == "node":
            pos[int(parts[1])] = (float(parts[2]), float(parts[3]))
    return elapsed, pos

EXTRA = []

def run_qualmap(binary, path, n, engine):
    out = path + ".pos"
    start = time.perf_counter()
    subprocess.run([binary, "layout", path, "-o", out, "--engine", engine] + EXTRA, capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - start
    pos = {}
    for line in open(out):
        name, x, y = line.split()
        pos[int(name)] = (float(x), float(y))
    return elapsed, pos

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qualmap", default="target/release/qualmap")
    ap.add_argument("--quick", action="store_true", help="only the two smaller graphs")
    ap.add_argument("--engine", default="stress", help="qualmap's engine: stress (default) or force")
    ap.add_argument("--qualmap-arg", action="append", default=[], help="extra argument for qualmap layout")
    args = ap.parse_args()
    EXTRA.extend(args.qualmap_arg)
    graphs = [("concept-map-like 1000", concept_map(1000, 1)), ("grid 100x100", grid(100))]
    if not args.quick:
        graphs += [("community 10000", community(10000, 2)), ("Barabasi-Albert m=2 10000", barabasi_albert(10000, 2, 3))]
    print(f"{'graph':28} {'nodes':>6} {'edges':>6} | {'sfdp s':>7} {'stress':>7} {'cross':>8} | {'qualmap s':>9} {'stress':>7} {'cross':>8} | {'time x':>6} {'stress x':>8} {'cross x':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, (n, edges) in graphs:
            dot = os.path.join(tmp, "g.dot")
            with open(dot, "w") as f:
                f.write("graph G {\n")
                for v in range(n): f.write(f"  {v};\n")
                for a, b in edges: f.write(f"  {a} -- {b};\n")
                f.write("}\n")
            ts, ps = run_sfdp(dot, n)
            tq, pq = run_qualmap(args.qualmap, dot, n, args.engine)
            ss, sq = stress(n, edges, ps), stress(n, edges, pq)
            cs, cq = crossings(edges, ps), crossings(edges, pq)
            print(f"{name:28} {n:6} {len(edges):6} | {ts:7.2f} {ss:7.3f} {cs:8} | {tq:9.2f} {sq:7.3f} {cq:8} | {tq/ts:6.2f} {sq/ss:8.2f} {cq/max(cs,1):7.2f}", flush=True)

if __name__ == "__main__":
    sys.exit(main())
