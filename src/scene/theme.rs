//! Colours and sizes the scene is drawn with, for the light and dark themes.

use egui::Color32;

use crate::model::Rgb;

/// A named look for the map.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ThemeKind {
    /// Dark text on a pale page.
    #[default]
    Light,
    /// Light text on a dark page.
    Dark,
    /// For print: greys only, areas told apart by outline pattern as well as shade.
    Print,
    /// For projectors: white on black, strong colours, heavy outlines.
    Contrast,
}

impl ThemeKind {
    /// Every theme, in menu order.
    pub const ALL: [Self; 4] = [Self::Light, Self::Dark, Self::Print, Self::Contrast];

    /// A short human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Light => "Light",
            Self::Dark => "Dark",
            Self::Print => "Print (greyscale)",
            Self::Contrast => "High contrast",
        }
    }
}

/// The amber glow of highlighted items.
const HIGHLIGHT: Color32 = Color32::from_rgb(0xf2, 0xa9, 0x00);

/// Concrete colours for one theme.
#[derive(Clone, Debug, PartialEq)]
pub struct MapTheme {
    /// Which theme this is.
    pub kind: ThemeKind,
    /// Canvas background.
    pub background: Color32,
    /// Main text.
    pub text: Color32,
    /// Secondary text (edge labels).
    pub muted_text: Color32,
    /// Concept card fill.
    pub node_fill: Color32,
    /// Concept card outline.
    pub node_stroke: Color32,
    /// Outline of concepts that come from the paper.
    pub paper_stroke: Color32,
    /// Background of edge labels.
    pub label_fill: Color32,
    /// Evidence badge fill.
    pub badge_fill: Color32,
    /// Evidence badge text.
    pub badge_text: Color32,
    /// Selection highlight.
    pub selection: Color32,
    /// The glow behind the items a story step highlights (screen and handouts).
    pub highlight: Color32,
    /// Opacity of area fills, 0–255.
    pub area_fill_alpha: u8,
}

impl MapTheme {
    /// The theme of the given kind.
    pub fn new(kind: ThemeKind) -> Self {
        match kind {
            ThemeKind::Light => Self {
                kind,
                background: Color32::from_rgb(0xfb, 0xfa, 0xf7),
                text: Color32::from_rgb(0x22, 0x25, 0x2b),
                muted_text: Color32::from_rgb(0x4a, 0x4f, 0x59),
                node_fill: Color32::from_rgb(0xff, 0xff, 0xff),
                node_stroke: Color32::from_rgb(0xb4, 0xb8, 0xc0),
                paper_stroke: Color32::from_rgb(0x3a, 0x3f, 0x4a),
                label_fill: Color32::from_rgba_unmultiplied(0xfb, 0xfa, 0xf7, 235),
                badge_fill: Color32::from_rgb(0x3a, 0x3f, 0x4a),
                badge_text: Color32::WHITE,
                selection: Color32::from_rgb(0x1f, 0x78, 0xd1),
                highlight: HIGHLIGHT,
                area_fill_alpha: 34,
            },
            // Greys only: the glow of a highlight is a mid grey.
            ThemeKind::Print => Self {
                kind,
                area_fill_alpha: 30,
                highlight: Color32::from_rgb(0x9a, 0x9a, 0x9a),
                ..Self::new(ThemeKind::Light)
            },
            ThemeKind::Contrast => Self {
                kind,
                background: Color32::BLACK,
                text: Color32::WHITE,
                muted_text: Color32::from_rgb(0xe6, 0xe6, 0xe6),
                node_fill: Color32::from_rgb(0x10, 0x10, 0x10),
                node_stroke: Color32::WHITE,
                paper_stroke: Color32::from_rgb(0xff, 0xe0, 0x40),
                label_fill: Color32::from_rgba_unmultiplied(0, 0, 0, 235),
                badge_fill: Color32::WHITE,
                badge_text: Color32::BLACK,
                selection: Color32::from_rgb(0x40, 0xc0, 0xff),
                highlight: HIGHLIGHT,
                area_fill_alpha: 60,
            },
            ThemeKind::Dark => Self {
                kind,
                background: Color32::from_rgb(0x1c, 0x1e, 0x23),
                text: Color32::from_rgb(0xe8, 0xe9, 0xec),
                muted_text: Color32::from_rgb(0xb8, 0xbc, 0xc6),
                node_fill: Color32::from_rgb(0x2a, 0x2d, 0x34),
                node_stroke: Color32::from_rgb(0x55, 0x5a, 0x66),
                paper_stroke: Color32::from_rgb(0xd0, 0xd3, 0xda),
                label_fill: Color32::from_rgba_unmultiplied(0x1c, 0x1e, 0x23, 235),
                badge_fill: Color32::from_rgb(0xd0, 0xd3, 0xda),
                badge_text: Color32::from_rgb(0x1c, 0x1e, 0x23),
                selection: Color32::from_rgb(0x5a, 0xa9, 0xff),
                highlight: HIGHLIGHT,
                area_fill_alpha: 46,
            },
        }
    }

    /// A stored colour as drawn in this theme: in the dark theme colours are lifted towards
    /// white so that lines and outlines stay visible on the dark page.
    pub fn ink(&self, color: Rgb) -> Color32 {
        match self.kind {
            ThemeKind::Light => Color32::from_rgb(color.r, color.g, color.b),
            ThemeKind::Print => {
                // Luminance, darkened so that every line prints clearly.
                let y = 0.2126 * f32::from(color.r) + 0.7152 * f32::from(color.g) + 0.0722 * f32::from(color.b);
                let grey = (y * 0.6) as u8;
                Color32::from_rgb(grey, grey, grey)
            }
            ThemeKind::Dark => {
                let lift = |c: u8| (f32::from(c) + (255.0 - f32::from(c)) * 0.35) as u8;
                Color32::from_rgb(lift(color.r), lift(color.g), lift(color.b))
            }
            ThemeKind::Contrast => {
                let lift = |c: u8| (f32::from(c) + (255.0 - f32::from(c)) * 0.5) as u8;
                Color32::from_rgb(lift(color.r), lift(color.g), lift(color.b))
            }
        }
    }

    /// The fill of a concept card that has a colour of its own: the plain card tinted with it,
    /// little enough that the label keeps its contrast (dark text on a light tint, light text on
    /// a dark one). The high-contrast theme keeps its plain card (the outline takes the colour).
    pub fn node_tint(&self, color: Rgb) -> Color32 {
        let share = match self.kind {
            ThemeKind::Light => 0.30,
            ThemeKind::Print => 0.25,
            ThemeKind::Dark => 0.34,
            ThemeKind::Contrast => return self.node_fill,
        };
        let (c, base) = (self.ink(color), self.node_fill);
        let mix = |a: u8, b: u8| (f32::from(a) + (f32::from(b) - f32::from(a)) * share).round() as u8;
        Color32::from_rgb(mix(base.r(), c.r()), mix(base.g(), c.g()), mix(base.b(), c.b()))
    }

    /// The translucent fill of an area of colour `color`.
    pub fn area_fill(&self, color: Rgb) -> Color32 {
        let c = self.ink(color);
        Color32::from_rgba_unmultiplied(c.r(), c.g(), c.b(), self.area_fill_alpha)
    }

    /// Text colour for an area's name: the area's colour, darkened (light theme) or lifted
    /// (dark theme) enough to read.
    pub fn area_text(&self, color: Rgb) -> Color32 {
        let c = self.ink(color);
        match self.kind {
            ThemeKind::Light | ThemeKind::Print => {
                let darken = |v: u8| (f32::from(v) * 0.72) as u8;
                Color32::from_rgb(darken(c.r()), darken(c.g()), darken(c.b()))
            }
            ThemeKind::Dark | ThemeKind::Contrast => c,
        }
    }
}
