//! A Barnes–Hut quadtree for O(n log n) repulsion.

/// A node of the tree: its square, total mass and centre of mass, and children.
struct Cell {
    center: [f32; 2],
    half: f32,
    mass: f32,
    mass_center: [f32; 2],
    children: [u32; 4],
    /// The single body in a leaf, if any.
    body: Option<usize>,
}

const NONE: u32 = u32::MAX;

/// The tree over a set of positions.
pub struct QuadTree {
    cells: Vec<Cell>,
}

impl QuadTree {
    /// Builds the tree.
    pub fn build(pos: &[[f32; 2]], mass: &[f32]) -> Self {
        let (mut min, mut max) = ([f32::INFINITY; 2], [f32::NEG_INFINITY; 2]);
        for p in pos {
            for a in 0..2 {
                min[a] = min[a].min(p[a]);
                max[a] = max[a].max(p[a]);
            }
        }
        let half = ((max[0] - min[0]).max(max[1] - min[1]) / 2.0).max(1.0) * 1.01;
        let center = [(min[0] + max[0]) / 2.0, (min[1] + max[1]) / 2.0];
        let mut tree = Self { cells: Vec::with_capacity(pos.len() * 2) };
        tree.cells.push(Cell { center, half, mass: 0.0, mass_center: [0.0; 2], children: [NONE; 4], body: None });
        for (i, p) in pos.iter().enumerate() {
            if p[0].is_finite() && p[1].is_finite() {
                tree.insert(0, i, *p, mass[i], pos, 0);
            }
        }
        tree
    }

    fn quadrant(cell: &Cell, p: [f32; 2]) -> usize {
        usize::from(p[0] >= cell.center[0]) + 2 * usize::from(p[1] >= cell.center[1])
    }

    fn child(&mut self, cell: usize, q: usize) -> usize {
        let existing = self.cells[cell].children[q];
        if existing != NONE {
            return existing as usize;
        }
        let parent = &self.cells[cell];
        let h = parent.half / 2.0;
        let center =
            [parent.center[0] + if q & 1 == 1 { h } else { -h }, parent.center[1] + if q & 2 == 2 { h } else { -h }];
        self.cells.push(Cell { center, half: h, mass: 0.0, mass_center: [0.0; 2], children: [NONE; 4], body: None });
        let index = self.cells.len() - 1;
        self.cells[cell].children[q] = index as u32;
        index
    }

    fn insert(&mut self, cell: usize, body: usize, p: [f32; 2], m: f32, pos: &[[f32; 2]], depth: usize) {
        let c = &mut self.cells[cell];
        let total = c.mass + m;
        c.mass_center =
            [(c.mass_center[0] * c.mass + p[0] * m) / total, (c.mass_center[1] * c.mass + p[1] * m) / total];
        c.mass = total;
        let is_leaf = c.children.iter().all(|x| *x == NONE);
        if is_leaf && c.body.is_none() && c.mass == m {
            c.body = Some(body);
            return;
        }
        // Coincident points, or too deep: keep them together in this cell.
        if depth > 40 {
            return;
        }
        if let Some(existing) = self.cells[cell].body.take() {
            let q = Self::quadrant(&self.cells[cell], pos[existing]);
            let child = self.child(cell, q);
            let em = self.cells[cell].mass - m;
            self.insert(child, existing, pos[existing], em.max(1e-6), pos, depth + 1);
        }
        let q = Self::quadrant(&self.cells[cell], p);
        let child = self.child(cell, q);
        self.insert(child, body, p, m, pos, depth + 1);
    }

    /// Repulsive force on a body at `p` (Fruchterman–Reingold k²/d, scaled by masses).
    pub fn repulsion(&self, p: [f32; 2], m: f32, k: f32, theta: f32, stack: &mut Vec<usize>) -> [f32; 2] {
        let mut force = [0.0f32; 2];
        stack.clear();
        stack.push(0);
        while let Some(index) = stack.pop() {
            let cell = &self.cells[index];
            if cell.mass <= 0.0 {
                continue;
            }
            let d = [p[0] - cell.mass_center[0], p[1] - cell.mass_center[1]];
            let dist2 = d[0] * d[0] + d[1] * d[1];
            let is_leaf = cell.children.iter().all(|x| *x == NONE);
            if is_leaf || (2.0 * cell.half) * (2.0 * cell.half) < theta * theta * dist2 {
                if dist2 < 1e-6 {
                    continue; // itself (or a coincident twin)
                }
                let f = k * k * m * cell.mass / dist2;
                force[0] += d[0] * f;
                force[1] += d[1] * f;
            } else {
                stack.extend(cell.children.iter().filter(|c| **c != NONE).map(|c| *c as usize));
            }
        }
        force
    }
}
