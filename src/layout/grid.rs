//! A uniform grid over points, for finding the points near a box without a pass over all of
//! them (overlap removal and keeping concepts out of areas).

/// Points bucketed by cell, in compressed rows. Points moved after building are still found
/// in the cell they were in.
pub(super) struct Grid {
    origin: [f32; 2],
    cell: f32,
    columns: usize,
    rows: usize,
    start: Vec<u32>,
    items: Vec<u32>,
}

impl Grid {
    /// Buckets `pos` into square cells of at least `cell` (larger when the points spread so
    /// far that there would be many more cells than points). Non-finite points are left out.
    pub(super) fn build(pos: &[[f32; 2]], cell: f32) -> Self {
        let (mut min, mut max) = ([f32::INFINITY; 2], [f32::NEG_INFINITY; 2]);
        for p in pos.iter().filter(|p| p[0].is_finite() && p[1].is_finite()) {
            for a in 0..2 {
                min[a] = min[a].min(p[a]);
                max[a] = max[a].max(p[a]);
            }
        }
        if !min[0].is_finite() {
            return Self { origin: [0.0; 2], cell: 1.0, columns: 1, rows: 1, start: vec![0, 0], items: Vec::new() };
        }
        let (width, height) = ((max[0] - min[0]).max(1e-3), (max[1] - min[1]).max(1e-3));
        let budget = (pos.len() * 4 + 16) as f32;
        let cell = cell.max(1e-3).max((width * height / budget).sqrt());
        let columns = ((width / cell) as usize + 1).min(1 << 16);
        let rows = ((height / cell) as usize + 1).min(1 << 16);
        let mut grid = Self { origin: min, cell, columns, rows, start: vec![0; columns * rows + 1], items: Vec::new() };
        let cells: Vec<usize> = pos
            .iter()
            .map(|p| if p[0].is_finite() && p[1].is_finite() { grid.cell_index(*p) } else { usize::MAX })
            .collect();
        for &c in cells.iter().filter(|c| **c != usize::MAX) {
            grid.start[c + 1] += 1;
        }
        for c in 0..columns * rows {
            grid.start[c + 1] += grid.start[c];
        }
        let mut fill = grid.start.clone();
        grid.items = vec![0; grid.start[columns * rows] as usize];
        for (v, &c) in cells.iter().enumerate() {
            if c != usize::MAX {
                grid.items[fill[c] as usize] = v as u32;
                fill[c] += 1;
            }
        }
        grid
    }

    fn column_row(&self, p: [f32; 2]) -> (usize, usize) {
        let x = ((p[0] - self.origin[0]) / self.cell).floor();
        let y = ((p[1] - self.origin[1]) / self.cell).floor();
        ((x.max(0.0) as usize).min(self.columns - 1), (y.max(0.0) as usize).min(self.rows - 1))
    }

    fn cell_index(&self, p: [f32; 2]) -> usize {
        let (x, y) = self.column_row(p);
        y * self.columns + x
    }

    /// Calls `f` with every point whose cell meets the box from `min` to `max`.
    pub(super) fn for_each_in(&self, min: [f32; 2], max: [f32; 2], mut f: impl FnMut(usize)) {
        if !(min[0].is_finite() && min[1].is_finite() && max[0].is_finite() && max[1].is_finite()) {
            return;
        }
        let (x0, y0) = self.column_row(min);
        let (x1, y1) = self.column_row(max);
        for y in y0..=y1 {
            let row = y * self.columns;
            for c in row + x0..=row + x1 {
                for &v in &self.items[self.start[c] as usize..self.start[c + 1] as usize] {
                    f(v as usize);
                }
            }
        }
    }
}
