//! Spatial indexes over world-space rectangles and polylines, so that drawing, hit-testing and
//! label placement look only at what is near, not at the whole map.
//!
//! Both file their items in a [`Grid`] (the crate's one uniform grid, see [`crate::spatial`])
//! over a fixed box (the scene's bounds); anything outside it is filed in the border cells,
//! which keeps every query correct (only slower for far-out items). Each cell is a list that
//! takes items one at a time, also between queries (labels are placed one after another, each
//! avoiding the ones before). Rectangles are filed in every cell they touch and reported once
//! per query by the *reference point* rule: an item is reported from the cell holding the
//! top-left corner of its overlap with the query. Polylines are filed along their segments and
//! de-duplicated per query.

use egui::{Pos2, Rect, pos2, vec2};

use crate::spatial::Grid;

/// A grid over `bounds` (a unit box when `bounds` is empty) with cells for about `items` items
/// (at least one, at most a million).
fn grid_over(bounds: Rect, items: usize) -> Grid {
    let bounds = if bounds.is_positive() { bounds } else { Rect::from_center_size(Pos2::ZERO, vec2(1.0, 1.0)) };
    Grid::new(xy(bounds.min), xy(bounds.max), 0.0, items.clamp(1, 1_000_000))
}

/// A point as the grid takes it.
fn xy(p: Pos2) -> [f32; 2] {
    [p.x, p.y]
}

/// Rectangles (concept cards, labels, obstacles), addressed by insertion order.
#[derive(Clone, Debug)]
pub struct RectIndex {
    grid: Grid,
    cells: Vec<Vec<u32>>,
    rects: Vec<Rect>,
}

impl RectIndex {
    /// An empty index tuned for about `items` rectangles inside `bounds`.
    pub fn new(bounds: Rect, items: usize) -> Self {
        let grid = grid_over(bounds, items);
        let cells = vec![Vec::new(); grid.cell_count()];
        Self { grid, cells, rects: Vec::with_capacity(items) }
    }

    /// An index of `rects`, item `i` being `rects[i]`.
    pub fn from_rects(bounds: Rect, rects: impl ExactSizeIterator<Item = Rect>) -> Self {
        let mut index = Self::new(bounds, rects.len());
        for rect in rects {
            index.insert(rect);
        }
        index
    }

    /// Files a rectangle; returns its item number.
    pub fn insert(&mut self, rect: Rect) -> usize {
        let id = self.rects.len();
        self.rects.push(rect);
        let cells = &mut self.cells;
        self.grid.for_each_cell(xy(rect.min), xy(rect.max), |cell| cells[cell].push(id as u32));
        id
    }

    /// The rectangle of item `id`.
    pub fn rect(&self, id: usize) -> Rect {
        self.rects[id]
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.rects.len()
    }

    /// Whether the index holds nothing.
    pub fn is_empty(&self) -> bool {
        self.rects.is_empty()
    }

    /// Calls `found` once for each item whose rectangle intersects `query` (touching edges
    /// count), in no particular order.
    pub fn for_each_intersecting(&self, query: Rect, mut found: impl FnMut(usize, Rect)) {
        self.grid.for_each_cell(xy(query.min), xy(query.max), |cell| {
            for &id in &self.cells[cell] {
                let rect = self.rects[id as usize];
                if !rect.intersects(query) {
                    continue;
                }
                // Report from one cell only: the one holding the overlap's top-left corner.
                let corner = pos2(rect.min.x.max(query.min.x), rect.min.y.max(query.min.y));
                if self.grid.cell_of(xy(corner)) == cell {
                    found(id as usize, rect);
                }
            }
        });
    }
}

/// Polylines (relationship paths), addressed by insertion order.
#[derive(Clone, Debug)]
pub struct LineIndex {
    grid: Grid,
    cells: Vec<Vec<u32>>,
    /// Lines longer than [`LONG_CELLS`] cells, with their widened bounding boxes.
    long: Vec<(u32, Rect)>,
    count: usize,
}

/// Lines spanning more cells than this are checked by bounding box instead of filed.
const LONG_CELLS: f32 = 24.0;

impl LineIndex {
    /// An empty index tuned for about `items` polylines inside `bounds`.
    pub fn new(bounds: Rect, items: usize) -> Self {
        let grid = grid_over(bounds, items);
        let cells = vec![Vec::new(); grid.cell_count()];
        Self { grid, cells, long: Vec::new(), count: 0 }
    }

    /// Files a polyline (or a single point), widened by `pad` on each side, as item `id`. An
    /// item may be filed several times (its line, then its label).
    pub fn insert(&mut self, id: usize, points: &[Pos2], pad: f32) {
        self.count = self.count.max(id + 1);
        let id = id as u32;
        let step = self.grid.cell_size();
        let extent = points.iter().fold(Rect::NOTHING, |r, p| r.union(Rect::from_pos(*p))).expand(pad);
        // Long lines (across a large part of the map) are kept aside with their bounding box
        // rather than filed in hundreds of cells; queries check them directly.
        if extent.width().max(extent.height()) > LONG_CELLS * step || !extent.is_finite() {
            self.long.push((id, extent));
            return;
        }
        // Samples every `step` along each segment, each widened by half a step more than the
        // pad, cover the whole widened segment.
        let reach = 2.0 * pad + step;
        let grid = &self.grid;
        let cells = &mut self.cells;
        let mut file = |p: Pos2| {
            let around = Rect::from_center_size(p, vec2(reach, reach));
            grid.for_each_cell(xy(around.min), xy(around.max), |cell| {
                let cell = &mut cells[cell];
                if cell.last() != Some(&id) {
                    cell.push(id);
                }
            });
        };
        if let [only] = points {
            file(*only);
        }
        for pair in points.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let steps = (a.distance(b) / step).ceil().clamp(1.0, 2.0 * LONG_CELLS + 2.0) as usize;
            for i in 0..=steps {
                file(a.lerp(b, i as f32 / steps as f32));
            }
        }
    }

    /// Items filed near `query`, each once, in increasing order. A superset: callers check the
    /// exact geometry.
    pub fn near(&self, query: Rect, out: &mut Vec<usize>) {
        out.clear();
        let (min, max) = (xy(query.min), xy(query.max));
        if self.grid.meets_every_cell(min, max) {
            out.extend(0..self.count);
            return;
        }
        self.grid.for_each_cell(min, max, |cell| out.extend(self.cells[cell].iter().map(|&id| id as usize)));
        out.extend(
            self.long
                .iter()
                // `Rect::intersects` with `&` for `&&`: whether a long line's box meets a small
                // query is a coin toss that branches mispredict, and this scan is most of the
                // cost of a hit test on a large map.
                .filter(|(_, e)| {
                    let meets = (e.min.x <= query.max.x)
                        & (query.min.x <= e.max.x)
                        & (e.min.y <= query.max.y)
                        & (query.min.y <= e.max.y);
                    meets | !e.is_finite()
                })
                .map(|(id, _)| *id as usize),
        );
        out.sort_unstable();
        out.dedup();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random rectangles.
    fn rects(n: usize, seed: u64) -> Vec<Rect> {
        let mut rng = crate::rng::Rng::new(seed);
        let mut next = move || rng.below(10_000) as f32 / 10.0;
        (0..n)
            .map(|_| Rect::from_min_size(pos2(next() - 50.0, next() - 50.0), vec2(next() / 5.0, next() / 20.0)))
            .collect()
    }

    #[test]
    fn rect_queries_match_a_linear_scan_and_report_each_item_once() {
        let items = rects(2000, 7);
        let bounds = Rect::from_min_max(pos2(0.0, 0.0), pos2(800.0, 800.0)); // some items lie outside
        let index = RectIndex::from_rects(bounds, items.iter().copied());
        for query in rects(300, 99)
            .into_iter()
            .chain([Rect::EVERYTHING, Rect::from_min_size(pos2(-500.0, -500.0), vec2(10.0, 10.0))])
        {
            let mut found = Vec::new();
            index.for_each_intersecting(query, |id, _| found.push(id));
            let mut sorted = found.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), found.len(), "an item was reported twice for {query:?}");
            let expected: Vec<usize> = (0..items.len()).filter(|&i| items[i].intersects(query)).collect();
            assert_eq!(sorted, expected, "query {query:?}");
        }
    }

    #[test]
    fn line_queries_find_every_line_passing_nearby() {
        let bounds = Rect::from_min_max(pos2(0.0, 0.0), pos2(1000.0, 1000.0));
        let lines: Vec<Vec<Pos2>> =
            rects(500, 3).iter().map(|r| vec![r.min, r.center(), r.max + vec2(300.0, 0.0)]).collect();
        let mut index = LineIndex::new(bounds, lines.len());
        for (i, line) in lines.iter().enumerate() {
            index.insert(i, line, 2.0);
        }
        let mut near = Vec::new();
        for query in rects(200, 11) {
            index.near(query, &mut near);
            for (i, line) in lines.iter().enumerate() {
                let passes =
                    line.windows(2).any(|w| (0..=100).any(|k| query.contains(w[0].lerp(w[1], k as f32 / 100.0))));
                if passes {
                    assert!(near.binary_search(&i).is_ok(), "line {i} passes through {query:?} but was not found");
                }
            }
        }
    }

    #[test]
    fn degenerate_geometry_does_not_break_the_grid() {
        let mut index = RectIndex::new(Rect::NOTHING, 0);
        index.insert(Rect::from_min_max(pos2(f32::NAN, 0.0), pos2(f32::INFINITY, 1.0)));
        index.insert(Rect::from_min_size(pos2(1e30, -1e30), vec2(1.0, 1.0)));
        let mut count = 0;
        index.for_each_intersecting(Rect::EVERYTHING, |_, _| count += 1);
        assert!(count <= 2);
        let mut lines = LineIndex::new(Rect::NOTHING, 1);
        lines.insert(0, &[pos2(f32::NAN, 1.0), pos2(f32::INFINITY, 2.0)], 1.0);
        let mut near = Vec::new();
        lines.near(Rect::EVERYTHING, &mut near);
        assert_eq!(near, [0]);
    }
}
