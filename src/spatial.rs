//! The one uniform grid over the plane, for finding what is near a box without a pass over
//! everything. The layout separates cards and keeps concepts out of areas with it
//! ([`PointIndex`]); the scene hit-tests, culls and places labels with it (`scene::index` files
//! rectangles and polylines in a [`Grid`]). Plain `[x, y]` coordinates, no other module needed:
//! both layers depend on this one, neither on the other.
//!
//! # The contract of [`Grid`]
//!
//! - **Square cells over a box.** `columns × rows` cells of side [`Grid::cell_size`], the first
//!   with its corner at the box's minimum, numbered row by row (`row * columns + column`), from
//!   0 to [`Grid::cell_count`]` - 1`.
//! - **Sized for the caller.** Cells are at least as wide as asked (so a query reaching a known
//!   distance meets few of them) and grow so that there are at most `2 * cells + 1` of them for
//!   a budget of `cells`, whatever the box's shape; at most 65,536 a side.
//! - **Every point has a cell.** Points outside the box belong to the nearest border cell, as do
//!   infinite coordinates; a NaN coordinate counts as the first column or row. A box with a
//!   non-finite corner gets a single cell.
//! - **Order is kept.** Along each axis the cell of a point never decreases as the coordinate
//!   grows. Hence if two boxes overlap (touching edges count) the blocks of cells they meet
//!   overlap too: an item filed in every cell its box meets is found by a query for any box that
//!   meets it, and the cell of one chosen point of the overlap (say its minimum corner) lies in
//!   both blocks, which is how an index reports such an item once.
//!
//! What is filed where is the index's business: [`PointIndex`] files each point once, in
//! compressed rows built in one go (the layout rebuilds it after every pass), while the scene's
//! indexes keep a list per cell, since they take insertions between queries.

/// Smallest cell side, and smallest extent of the box along either axis, so that a box around
/// a single point still has cells of some size.
const MIN_CELL: f32 = 1e-3;

/// Most columns, and most rows.
const MAX_SIDE: usize = 1 << 16;

/// A box cut into square cells (see the [module documentation](self) for the contract).
#[derive(Clone, Debug)]
pub struct Grid {
    origin: [f32; 2],
    cell: f32,
    columns: usize,
    rows: usize,
}

impl Grid {
    /// A grid over the box from `min` to `max` whose cells are at least `min_cell` wide, and
    /// wider where needed so that there are at most `2 * cells + 1` cells (at least 1; a `cells`
    /// of 0 counts as 1).
    pub fn new(min: [f32; 2], max: [f32; 2], min_cell: f32, cells: usize) -> Self {
        let (width, height) = (max[0] - min[0], max[1] - min[1]);
        // One cell also for corners so far apart that their distance overflows.
        if !(min[0].is_finite() && min[1].is_finite() && width.is_finite() && height.is_finite()) {
            return Self { origin: [0.0; 2], cell: MIN_CELL.max(min_cell), columns: 1, rows: 1 };
        }
        let (width, height) = (width.max(MIN_CELL), height.max(MIN_CELL));
        let budget = cells.max(1) as f32;
        // Columns ≤ width / cell + 1 and rows ≤ height / cell + 1, so there are at most
        // width·height / cell² + (width + height) / cell + 1 cells; the last two lower bounds on
        // `cell` keep each of the first two terms within the budget.
        let cell = min_cell.max(MIN_CELL).max((width * height / budget).sqrt()).max((width + height) / budget);
        // (The cast floors; an infinite cell, from an overflowing area, gives one column.)
        let side = |extent: f32| (extent / cell).min((MAX_SIDE - 1) as f32) as usize + 1;
        Self { origin: min, cell, columns: side(width), rows: side(height) }
    }

    /// The side of a cell.
    pub fn cell_size(&self) -> f32 {
        self.cell
    }

    /// The number of cells; cells are numbered from 0 to one less than this.
    pub fn cell_count(&self) -> usize {
        self.columns * self.rows
    }

    /// The column and row of the cell holding `p` (clamped to the grid).
    #[inline]
    fn column_row(&self, p: [f32; 2]) -> (usize, usize) {
        let x = ((p[0] - self.origin[0]) / self.cell).floor();
        let y = ((p[1] - self.origin[1]) / self.cell).floor();
        // `max` turns NaN into 0; the cast saturates infinities and far-out values.
        ((x.max(0.0) as usize).min(self.columns - 1), (y.max(0.0) as usize).min(self.rows - 1))
    }

    /// The number of the cell holding `p`: points outside the grid belong to the nearest border
    /// cell.
    #[inline]
    pub fn cell_of(&self, p: [f32; 2]) -> usize {
        let (x, y) = self.column_row(p);
        y * self.columns + x
    }

    /// Calls `f` with the number of every cell that the box from `min` to `max` meets, row by
    /// row, each row from left to right (none when `min` lies beyond `max` on an axis).
    #[inline]
    pub fn for_each_cell(&self, min: [f32; 2], max: [f32; 2], mut f: impl FnMut(usize)) {
        let (x0, y0) = self.column_row(min);
        let (x1, y1) = self.column_row(max);
        // Half-open ranges: they loop more tightly than inclusive ones.
        for y in y0..y1 + 1 {
            let row = y * self.columns;
            for cell in row + x0..row + x1 + 1 {
                f(cell);
            }
        }
    }

    /// Whether the box from `min` to `max` meets every cell (a query that would look at
    /// everything anyway).
    pub fn meets_every_cell(&self, min: [f32; 2], max: [f32; 2]) -> bool {
        self.column_row(min) == (0, 0) && self.column_row(max) == (self.columns - 1, self.rows - 1)
    }
}

/// Points filed by cell, once, in compressed rows: the point numbers sorted by cell and where
/// each cell's run starts. Built in one pass over the points and read without following a
/// pointer per cell. Points moved after building are still found in the cell they were in.
pub struct PointIndex {
    grid: Grid,
    /// Where each cell's run starts in `items`, and one past the last run's end.
    start: Vec<u32>,
    items: Vec<u32>,
}

impl PointIndex {
    /// Files point `i` = `points[i]` in a grid over the points' box whose cells are at least
    /// `cell` wide (wider when the points spread so far that there would be more than about
    /// eight cells a point). Points with a non-finite coordinate are left out.
    pub fn build(points: &[[f32; 2]], cell: f32) -> Self {
        let finite = |p: &&[f32; 2]| p[0].is_finite() && p[1].is_finite();
        let (mut min, mut max) = ([f32::INFINITY; 2], [f32::NEG_INFINITY; 2]);
        for p in points.iter().filter(finite) {
            for a in 0..2 {
                min[a] = min[a].min(p[a]);
                max[a] = max[a].max(p[a]);
            }
        }
        if !min[0].is_finite() {
            (min, max) = ([0.0; 2], [0.0; 2]);
        }
        let grid = Grid::new(min, max, cell, points.len() * 4 + 16);
        let cells: Vec<usize> = points.iter().map(|p| if finite(&p) { grid.cell_of(*p) } else { usize::MAX }).collect();
        let count = grid.cell_count();
        let mut start = vec![0u32; count + 1];
        for &c in cells.iter().filter(|c| **c != usize::MAX) {
            start[c + 1] += 1;
        }
        for c in 0..count {
            start[c + 1] += start[c];
        }
        let mut fill = start.clone();
        let mut items = vec![0; start[count] as usize];
        for (i, &c) in cells.iter().enumerate() {
            if c != usize::MAX {
                items[fill[c] as usize] = i as u32;
                fill[c] += 1;
            }
        }
        Self { grid, start, items }
    }

    /// Calls `found` with every point filed in a cell that the box from `min` to `max` meets:
    /// every point inside the box and some near it (callers check), each once, cell by cell in
    /// [`Grid::for_each_cell`]'s order and in increasing order within a cell. Nothing for a box
    /// with a non-finite corner.
    pub fn for_each_near(&self, min: [f32; 2], max: [f32; 2], mut found: impl FnMut(usize)) {
        if !(min[0].is_finite() && min[1].is_finite() && max[0].is_finite() && max[1].is_finite()) {
            return;
        }
        self.grid.for_each_cell(min, max, |c| {
            for &i in &self.items[self.start[c] as usize..self.start[c + 1] as usize] {
                found(i as usize);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// A coordinate in `[-50, 950)`, or now and then a far-out or non-finite one.
    fn coordinate(rng: &mut Rng) -> f32 {
        match rng.below(200) {
            0 => f32::NAN,
            1 => f32::INFINITY,
            2 => f32::NEG_INFINITY,
            3 => -1e30,
            4 => 1e30,
            _ => rng.next_f32() * 1000.0 - 50.0,
        }
    }

    /// A box of up to 80 × 40 at a random place.
    fn random_box(rng: &mut Rng) -> ([f32; 2], [f32; 2]) {
        let min = [coordinate(rng), coordinate(rng)];
        (min, [min[0] + rng.next_f32() * 80.0, min[1] + rng.next_f32() * 40.0])
    }

    fn meets(a: ([f32; 2], [f32; 2]), b: ([f32; 2], [f32; 2])) -> bool {
        (0..2).all(|k| a.0[k] <= b.1[k] && b.0[k] <= a.1[k])
    }

    #[test]
    fn cells_keep_the_order_of_points_and_every_point_has_one() {
        let grid = Grid::new([0.0, 0.0], [800.0, 600.0], 10.0, 500);
        let mut rng = Rng::new(1);
        for _ in 0..5000 {
            let (a, b) = ([coordinate(&mut rng), coordinate(&mut rng)], [coordinate(&mut rng), coordinate(&mut rng)]);
            assert!(grid.cell_of(a) < grid.cell_count());
            let (column, row) = (grid.column_row(a), grid.column_row(b));
            if a[0] <= b[0] {
                assert!(column.0 <= row.0, "{a:?} is left of {b:?}");
            }
            if a[1] <= b[1] {
                assert!(column.1 <= row.1, "{a:?} is above {b:?}");
            }
        }
        assert_eq!(grid.cell_of([f32::NAN, f32::NAN]), 0);
        assert_eq!(grid.cell_of([f32::NEG_INFINITY, -5.0]), 0);
        assert_eq!(grid.cell_of([f32::INFINITY, 1e9]), grid.cell_count() - 1);
    }

    #[test]
    fn cells_are_as_wide_as_asked_and_within_the_budget() {
        let boxes = [
            ([0.0, 0.0], [1000.0, 1000.0]),
            ([0.0, 0.0], [1e6, 1.0]),
            ([-3.0, 5.0], [-3.0, 5.0]),
            ([10.0, 10.0], [0.0, 0.0]),
            ([-3e38, -3e38], [3e38, 3e38]),
            ([0.0, 0.0], [f32::INFINITY, 1.0]),
            ([f32::NAN, 0.0], [1.0, 1.0]),
        ];
        for (min, max) in boxes {
            for min_cell in [0.0, 1.0, 50.0] {
                for cells in [0, 1, 7, 1000, 100_000] {
                    let grid = Grid::new(min, max, min_cell, cells);
                    assert!(grid.cell_size() >= min_cell && grid.cell_size() > 0.0, "{min:?} {max:?}");
                    assert!(grid.cell_count() >= 1);
                    assert!(grid.cell_count() <= 2 * cells.max(1) + 1, "{min:?} {max:?} {cells}: {grid:?}");
                }
            }
        }
        // Cells sized by the budget when that is the larger demand, by the caller otherwise.
        assert_eq!(Grid::new([0.0, 0.0], [100.0, 100.0], 1.0, 100).cell_size(), 10.0);
        assert_eq!(Grid::new([0.0, 0.0], [100.0, 100.0], 25.0, 100).cell_size(), 25.0);
    }

    #[test]
    fn boxes_filed_by_their_cells_are_found_from_every_box_that_meets_them() {
        let mut rng = Rng::new(2);
        let grid = Grid::new([0.0, 0.0], [800.0, 800.0], 0.0, 300); // some boxes lie outside
        let boxes: Vec<_> = (0..300).map(|_| random_box(&mut rng)).collect();
        let mut cells = vec![Vec::new(); grid.cell_count()];
        for (i, (min, max)) in boxes.iter().enumerate() {
            grid.for_each_cell(*min, *max, |c| cells[c].push(i));
        }
        for _ in 0..300 {
            let query = random_box(&mut rng);
            let mut found = Vec::new();
            grid.for_each_cell(query.0, query.1, |c| {
                for &i in &cells[c] {
                    // Reported once: from the cell of the overlap's minimum corner.
                    let corner = [boxes[i].0[0].max(query.0[0]), boxes[i].0[1].max(query.0[1])];
                    if meets(boxes[i], query) && grid.cell_of(corner) == c {
                        found.push(i);
                    }
                }
            });
            found.sort_unstable();
            let expected: Vec<usize> = (0..boxes.len()).filter(|&i| meets(boxes[i], query)).collect();
            assert_eq!(found, expected, "query {query:?}");
        }
        let mut all = 0;
        grid.for_each_cell([f32::NEG_INFINITY; 2], [f32::INFINITY; 2], |_| all += 1);
        assert_eq!(all, grid.cell_count());
        assert!(grid.meets_every_cell([-1e9, -1e9], [1e9, 1e9]));
        assert!(!grid.meets_every_cell([0.0, 0.0], [10.0, 10.0]));
        let mut none = 0;
        grid.for_each_cell([f32::INFINITY; 2], [f32::NEG_INFINITY; 2], |_| none += 1);
        assert_eq!(none, 0, "an empty box meets no cell");
    }

    #[test]
    fn point_queries_find_every_point_inside_once_and_nothing_far() {
        let mut rng = Rng::new(3);
        // Points spread over the grid, and a few with a non-finite coordinate.
        let points: Vec<[f32; 2]> = (0..2000)
            .map(|_| match rng.below(50) {
                0 => [f32::NAN, 1.0],
                1 => [2.0, f32::INFINITY],
                _ => [rng.next_f32() * 1000.0 - 50.0, rng.next_f32() * 1000.0 - 50.0],
            })
            .collect();
        let index = PointIndex::build(&points, 20.0);
        let reach = 2.0 * index.grid.cell_size();
        for _ in 0..500 {
            let (min, max) = random_box(&mut rng);
            let mut found = Vec::new();
            index.for_each_near(min, max, |i| found.push(i));
            let mut sorted = found.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), found.len(), "a point was reported twice");
            for (i, p) in points.iter().enumerate() {
                let inside = (0..2).all(|k| min[k] <= p[k] && p[k] <= max[k]);
                let finite = min.iter().chain(&max).chain(p).all(|v| v.is_finite());
                if inside && finite {
                    assert!(sorted.binary_search(&i).is_ok(), "{p:?} inside {min:?}..{max:?} not found");
                }
                if !p[0].is_finite() || !p[1].is_finite() {
                    assert!(sorted.binary_search(&i).is_err(), "a non-finite point was filed");
                }
                // Only points of cells the box meets: none far from a box well inside the grid.
                let far = (0..2).any(|k| p[k] < min[k] - reach || p[k] > max[k] + reach);
                let central = (0..2).all(|k| (100.0..800.0).contains(&min[k]) && max[k] < 800.0);
                if far && central {
                    assert!(sorted.binary_search(&i).is_err(), "{p:?} is far from {min:?}..{max:?}");
                }
            }
        }
        let mut count = 0;
        index.for_each_near([f32::NEG_INFINITY; 2], [0.0; 2], |_| count += 1);
        assert_eq!(count, 0, "a non-finite box finds nothing");
        let empty = PointIndex::build(&[[f32::NAN, 0.0]], 1.0);
        empty.for_each_near([-1.0; 2], [1.0; 2], |_| count += 1);
        assert_eq!(count, 0);
    }
}
