//! Plane geometry for building the scene: convex hulls, rounded outlines, ray clipping, curves.

use egui::{Pos2, Rect, Vec2, pos2, vec2};

/// The convex hull of `points`, counter-clockwise in a y-down frame (clockwise on screen),
/// without repeated or collinear points. Fewer than three distinct points give what there is.
pub fn convex_hull(points: &[Pos2]) -> Vec<Pos2> {
    let mut sorted: Vec<Pos2> = points.iter().copied().filter(|p| p.x.is_finite() && p.y.is_finite()).collect();
    sorted.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    sorted.dedup();
    if sorted.len() < 3 {
        return sorted;
    }
    let cross = |o: Pos2, a: Pos2, b: Pos2| (a - o).x * (b - o).y - (a - o).y * (b - o).x;
    let mut hull: Vec<Pos2> = Vec::with_capacity(sorted.len() * 2);
    for pass in [false, true] {
        let start = hull.len();
        let iter: Box<dyn Iterator<Item = &Pos2>> =
            if pass { Box::new(sorted.iter().rev()) } else { Box::new(sorted.iter()) };
        for &p in iter {
            while hull.len() >= start + 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0 {
                hull.pop();
            }
            hull.push(p);
        }
        hull.pop();
    }
    hull
}

/// A convex polygon grown outwards by `radius` with round corners: the Minkowski sum of the
/// polygon and a disc, sampled with about one point per `step` radians of each corner.
pub fn rounded_outline(hull: &[Pos2], radius: f32, step: f32) -> Vec<Pos2> {
    match hull.len() {
        0 => return Vec::new(),
        1 => return circle(hull[0], radius, step),
        _ => {}
    }
    let n = hull.len();
    let mut out = Vec::new();
    for i in 0..n {
        let prev = hull[(i + n - 1) % n];
        let here = hull[i];
        let next = hull[(i + 1) % n];
        let normal_in = outward_normal(prev, here);
        let normal_out = outward_normal(here, next);
        let a0 = normal_in.y.atan2(normal_in.x);
        let mut a1 = normal_out.y.atan2(normal_out.x);
        while a1 < a0 {
            a1 += std::f32::consts::TAU;
        }
        let steps = (((a1 - a0) / step).ceil() as usize).clamp(1, 64);
        for s in 0..=steps {
            let a = a0 + (a1 - a0) * s as f32 / steps as f32;
            out.push(here + radius * vec2(a.cos(), a.sin()));
        }
    }
    out
}

/// Outward normal of the edge `a → b` of a hull from [`convex_hull`].
fn outward_normal(a: Pos2, b: Pos2) -> Vec2 {
    let d = (b - a).normalized();
    vec2(d.y, -d.x)
}

/// A circle as a polygon.
pub fn circle(center: Pos2, radius: f32, step: f32) -> Vec<Pos2> {
    let steps = ((std::f32::consts::TAU / step).ceil() as usize).clamp(8, 128);
    (0..steps)
        .map(|s| {
            let a = std::f32::consts::TAU * s as f32 / steps as f32;
            center + radius * vec2(a.cos(), a.sin())
        })
        .collect()
}

/// The area-weighted centroid of a polygon (the vertex mean if it is degenerate).
pub fn centroid(polygon: &[Pos2]) -> Pos2 {
    let n = polygon.len();
    if n == 0 {
        return Pos2::ZERO;
    }
    let mut area = 0.0;
    let mut c = Vec2::ZERO;
    for i in 0..n {
        let p = polygon[i];
        let q = polygon[(i + 1) % n];
        let cross = p.x * q.y - q.x * p.y;
        area += cross;
        c += (p.to_vec2() + q.to_vec2()) * cross;
    }
    if area.abs() < 1e-3 {
        let sum = polygon.iter().fold(Vec2::ZERO, |acc, p| acc + p.to_vec2());
        return (sum / n as f32).to_pos2();
    }
    (c / (3.0 * area)).to_pos2()
}

/// Whether `p` lies inside a convex polygon (either winding).
pub fn convex_contains(polygon: &[Pos2], p: Pos2) -> bool {
    let n = polygon.len();
    if n < 3 {
        return false;
    }
    let mut sign = 0.0f32;
    for i in 0..n {
        let a = polygon[i];
        let b = polygon[(i + 1) % n];
        let cross = (b - a).x * (p - a).y - (b - a).y * (p - a).x;
        if cross != 0.0 {
            if sign == 0.0 {
                sign = cross.signum();
            } else if cross.signum() != sign {
                return false;
            }
        }
    }
    true
}

/// The point of segment `a–b` nearest to `p`.
pub fn nearest_on_segment(a: Pos2, b: Pos2, p: Pos2) -> Pos2 {
    let ab = b - a;
    let len_sq = ab.length_sq();
    if len_sq <= f32::EPSILON {
        return a;
    }
    let t = ((p - a).dot(ab) / len_sq).clamp(0.0, 1.0);
    a + ab * t
}

/// Distance from `p` to a polyline.
pub fn distance_to_polyline(points: &[Pos2], p: Pos2) -> f32 {
    points.windows(2).map(|w| nearest_on_segment(w[0], w[1], p).distance(p)).fold(f32::INFINITY, f32::min)
}

/// The parameters `t` at which the line `from + t·dir` crosses the edges of a polygon.
fn edge_crossings(polygon: &[Pos2], from: Pos2, dir: Vec2) -> impl Iterator<Item = f32> + '_ {
    let n = polygon.len();
    (0..n).filter_map(move |i| {
        let a = polygon[i];
        let e = polygon[(i + 1) % n] - a;
        let denom = dir.x * e.y - dir.y * e.x;
        if denom.abs() < 1e-9 {
            return None;
        }
        let w = a - from;
        let t = (w.x * e.y - w.y * e.x) / denom;
        let u = (w.x * dir.y - w.y * dir.x) / denom;
        (-1e-4..=1.0 + 1e-4).contains(&u).then_some(t)
    })
}

/// Where a ray from `from` (inside the polygon) towards `toward` leaves a convex polygon.
pub fn exit_polygon(polygon: &[Pos2], from: Pos2, toward: Pos2) -> Pos2 {
    let dir = toward - from;
    edge_crossings(polygon, from, dir).filter(|t| *t > 0.0).reduce(f32::max).map_or(from, |t| from + dir * t)
}

/// Where the segment from `from` (outside the polygon) to `to` first enters a convex polygon.
pub fn enter_polygon(polygon: &[Pos2], from: Pos2, to: Pos2) -> Option<Pos2> {
    let dir = to - from;
    edge_crossings(polygon, from, dir).filter(|t| (0.0..=1.0).contains(t)).reduce(f32::min).map(|t| from + dir * t)
}

/// Where a ray from the centre of `rect` towards `toward` leaves the rectangle.
pub fn exit_rect(rect: Rect, toward: Pos2) -> Pos2 {
    let c = rect.center();
    let d = toward - c;
    if d.x.abs() < 1e-6 && d.y.abs() < 1e-6 {
        return c;
    }
    let half = rect.size() / 2.0;
    let tx = if d.x.abs() > 1e-6 { half.x / d.x.abs() } else { f32::INFINITY };
    let ty = if d.y.abs() > 1e-6 { half.y / d.y.abs() } else { f32::INFINITY };
    c + d * tx.min(ty)
}

/// A quadratic Bézier curve sampled into `segments` straight pieces.
pub fn quadratic(p0: Pos2, control: Pos2, p1: Pos2, segments: usize) -> Vec<Pos2> {
    (0..=segments)
        .map(|i| {
            let t = i as f32 / segments as f32;
            let u = 1.0 - t;
            pos2(
                u * u * p0.x + 2.0 * u * t * control.x + t * t * p1.x,
                u * u * p0.y + 2.0 * u * t * control.y + t * t * p1.y,
            )
        })
        .collect()
}

/// The point at fraction `t` of a polyline's length, and the unit direction there.
pub fn point_along(points: &[Pos2], t: f32) -> (Pos2, Vec2) {
    let total: f32 = points.windows(2).map(|w| w[0].distance(w[1])).sum();
    let mut remaining = total * t.clamp(0.0, 1.0);
    for w in points.windows(2) {
        let len = w[0].distance(w[1]);
        if remaining <= len && len > 0.0 {
            return (w[0] + (w[1] - w[0]) * (remaining / len), (w[1] - w[0]) / len);
        }
        remaining -= len;
    }
    match points {
        [.., a, b] => (*b, (*b - *a).normalized()),
        [a] => (*a, Vec2::X),
        [] => (Pos2::ZERO, Vec2::X),
    }
}

/// Shortens a polyline at its end by `by` along its length (to make room for an arrowhead).
pub fn trim_end(points: &mut Vec<Pos2>, mut by: f32) {
    while points.len() >= 2 && by > 0.0 {
        let n = points.len();
        let (a, b) = (points[n - 2], points[n - 1]);
        let len = a.distance(b);
        if len > by {
            points[n - 1] = b + (a - b) * (by / len);
            return;
        }
        by -= len;
        if points.len() == 2 {
            points[1] = a;
            return;
        }
        points.pop();
    }
}

/// The parts of a polyline inside `rect`, each with its distance from the start of the line
/// (so that dashes keep their phase when a line is cut at the edge of the view).
pub fn clip_polyline(points: &[Pos2], rect: Rect) -> Vec<(f32, Vec<Pos2>)> {
    let mut pieces: Vec<(f32, Vec<Pos2>)> = Vec::new();
    let mut travelled = 0.0;
    let mut open = false;
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let length = a.distance(b);
        match clip_segment(a, b, rect) {
            Some((t0, t1)) => {
                let (p0, p1) = (a.lerp(b, t0), a.lerp(b, t1));
                if open && t0 == 0.0 {
                    if let Some((_, piece)) = pieces.last_mut() {
                        piece.push(p1);
                    }
                } else {
                    pieces.push((travelled + t0 * length, vec![p0, p1]));
                }
                open = t1 == 1.0;
            }
            None => open = false,
        }
        travelled += length;
    }
    pieces
}

/// Liang–Barsky: the parameter range of segment `a`–`b` inside `rect`, if any.
fn clip_segment(a: Pos2, b: Pos2, rect: Rect) -> Option<(f32, f32)> {
    let d = b - a;
    let (mut t0, mut t1) = (0.0f32, 1.0f32);
    for (p, q) in [(-d.x, a.x - rect.min.x), (d.x, rect.max.x - a.x), (-d.y, a.y - rect.min.y), (d.y, rect.max.y - a.y)]
    {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    (t0 <= t1 && t0.is_finite() && t1.is_finite()).then_some((t0, t1))
}

/// The "from the paper" marker: a diamond of half-diagonal `r` around `center` (top, right,
/// bottom, left), drawn alike on screen and in exports.
pub fn diamond(center: Pos2, r: f32) -> [Pos2; 4] {
    [center + vec2(0.0, -r), center + vec2(r, 0.0), center + vec2(0.0, r), center + vec2(-r, 0.0)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hull_of_square_with_inner_point() {
        let pts = [pos2(0.0, 0.0), pos2(1.0, 0.0), pos2(1.0, 1.0), pos2(0.0, 1.0), pos2(0.5, 0.5)];
        let hull = convex_hull(&pts);
        assert_eq!(hull.len(), 4);
        assert!(convex_contains(&hull, pos2(0.5, 0.5)));
        assert!(!convex_contains(&hull, pos2(1.5, 0.5)));
    }

    #[test]
    fn rounded_outline_contains_the_hull_with_margin() {
        let hull = convex_hull(&[pos2(0.0, 0.0), pos2(10.0, 0.0), pos2(5.0, 8.0)]);
        let outline = rounded_outline(&hull, 3.0, 0.3);
        for p in &hull {
            assert!(convex_contains(&outline, *p));
            let closed: Vec<Pos2> = outline.iter().chain(outline.first()).copied().collect();
            assert!((distance_to_polyline(&closed, *p) - 3.0).abs() < 0.2);
        }
    }

    #[test]
    fn exits() {
        let square = vec![pos2(-1.0, -1.0), pos2(1.0, -1.0), pos2(1.0, 1.0), pos2(-1.0, 1.0)];
        let p = exit_polygon(&square, Pos2::ZERO, pos2(5.0, 0.0));
        assert!((p.x - 1.0).abs() < 1e-5 && p.y.abs() < 1e-5);
        let r = Rect::from_center_size(Pos2::ZERO, vec2(4.0, 2.0));
        assert_eq!(exit_rect(r, pos2(10.0, 10.0)), pos2(1.0, 1.0));
    }

    #[test]
    fn trim_and_walk() {
        let mut line = vec![pos2(0.0, 0.0), pos2(10.0, 0.0)];
        trim_end(&mut line, 4.0);
        assert_eq!(line[1], pos2(6.0, 0.0));
        let (mid, dir) = point_along(&line, 0.5);
        assert_eq!(mid, pos2(3.0, 0.0));
        assert_eq!(dir, Vec2::X);
    }

    #[test]
    fn polylines_are_clipped_to_the_view_keeping_their_distance_along() {
        let view = Rect::from_min_max(pos2(0.0, 0.0), pos2(10.0, 10.0));
        // In, out, back in: two pieces.
        let line = [pos2(-5.0, 5.0), pos2(5.0, 5.0), pos2(5.0, 20.0), pos2(8.0, 20.0), pos2(8.0, 5.0)];
        let pieces = clip_polyline(&line, view);
        assert_eq!(pieces.len(), 2, "{pieces:?}");
        assert_eq!(pieces[0].0, 5.0);
        assert_eq!(pieces[0].1, vec![pos2(0.0, 5.0), pos2(5.0, 5.0), pos2(5.0, 10.0)]);
        assert_eq!(pieces[1].0, 10.0 + 15.0 + 3.0 + 10.0);
        assert_eq!(pieces[1].1, vec![pos2(8.0, 10.0), pos2(8.0, 5.0)]);
        // Wholly outside, and wholly inside.
        assert!(clip_polyline(&[pos2(-5.0, -5.0), pos2(-1.0, 20.0)], view).is_empty());
        assert_eq!(
            clip_polyline(&[pos2(1.0, 1.0), pos2(2.0, 2.0)], view),
            vec![(0.0, vec![pos2(1.0, 1.0), pos2(2.0, 2.0)])]
        );
    }
}
