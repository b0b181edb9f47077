//! Where the canvas looks, and how screen and map points convert.

use egui::{Pos2, Rect, Vec2, pos2};

/// Where the canvas looks: the world point at the centre of the canvas, and points per world unit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Camera {
    /// World point shown at the canvas centre.
    pub center: Pos2,
    /// Screen points per world unit.
    pub zoom: f32,
}

impl Default for Camera {
    fn default() -> Self {
        Self { center: Pos2::ZERO, zoom: 1.0 }
    }
}

/// Zoom limits.
pub(in crate::app) const MIN_ZOOM: f32 = 0.005;
pub(in crate::app) const MAX_ZOOM: f32 = 8.0;
/// Fitting never enlarges a small map beyond this, so a new map starts at a natural size.
pub(in crate::app) const MAX_FIT_ZOOM: f32 = 1.25;
/// Margin kept around the map when fitting, in screen points.
pub(in crate::app) const FIT_MARGIN: f32 = 28.0;

impl Camera {
    /// The camera showing all of `bounds` inside `canvas`, with a margin.
    pub fn fit(bounds: Rect, canvas: Rect) -> Self {
        let room = (canvas.size() - Vec2::splat(2.0 * FIT_MARGIN)).max(Vec2::splat(1.0));
        let zoom =
            (room.x / bounds.width().max(1.0)).min(room.y / bounds.height().max(1.0)).clamp(MIN_ZOOM, MAX_FIT_ZOOM);
        Self { center: bounds.center(), zoom }
    }

    /// The camera that shows `bounds` whole in `area`, a part of `canvas` (the part above the
    /// key), for drawing on all of `canvas`: the camera puts its centre in the middle of the
    /// canvas, so the centre is moved by half of what the key covers. (Fitting to the area alone
    /// put the map's middle in the canvas's middle, half the key's height too low, and the
    /// bottom cards under the key when it had three rows.)
    pub fn fit_in(bounds: Rect, area: Rect, canvas: Rect) -> Self {
        let fitted = Self::fit(bounds, area);
        Self { center: fitted.center + (canvas.center() - area.center()) / fitted.zoom, ..fitted }
    }

    /// Converts a world point to a screen point on `canvas`.
    pub fn screen_from_world(&self, canvas: Rect, world: Pos2) -> Pos2 {
        canvas.center() + (world - self.center) * self.zoom
    }

    /// Converts a screen point on `canvas` to a world point.
    pub fn world_from_screen(&self, canvas: Rect, screen: Pos2) -> Pos2 {
        self.center + (screen - canvas.center()) / self.zoom
    }

    pub(in crate::app) fn screen_rect(&self, canvas: Rect, world: Rect) -> Rect {
        Rect::from_min_max(self.screen_from_world(canvas, world.min), self.screen_from_world(canvas, world.max))
    }

    /// Zooms by `factor`, keeping the world point under `screen` fixed.
    pub fn zoom_around(&mut self, canvas: Rect, screen: Pos2, factor: f32) {
        let anchor = self.world_from_screen(canvas, screen);
        self.zoom = (self.zoom * factor).clamp(MIN_ZOOM, MAX_ZOOM);
        self.center = anchor - (screen - canvas.center()) / self.zoom;
    }
}

/// The part of the canvas not covered by the legend strip (`legend` high: one row or more, as
/// the last frame laid it out).
pub fn map_area(canvas: Rect, legend: f32) -> Rect {
    Rect::from_min_max(canvas.min, pos2(canvas.max.x, (canvas.max.y - legend).max(canvas.min.y + 1.0)))
}
