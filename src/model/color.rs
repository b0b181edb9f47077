//! Colours stored as `#rrggbb` text, readable and editable in the file.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An opaque colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rgb {
    /// Red.
    pub r: u8,
    /// Green.
    pub g: u8,
    /// Blue.
    pub b: u8,
}

impl Rgb {
    /// A colour from its components.
    pub const fn new(r: u8, g: u8, b: u8) -> Self {
        Self { r, g, b }
    }

    /// Parses `#rrggbb` or `rrggbb` (case-insensitive).
    pub fn from_hex(text: &str) -> Option<Self> {
        let hex = text.strip_prefix('#').unwrap_or(text);
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let channel = |range| u8::from_str_radix(hex.get(range)?, 16).ok();
        Some(Self::new(channel(0..2)?, channel(2..4)?, channel(4..6)?))
    }

    /// The colour as `#rrggbb`.
    pub fn to_hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }
}

impl Serialize for Rgb {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Rgb {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::from_hex(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("invalid colour \"{text}\": expected #rrggbb")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let color = Rgb::new(0x44, 0x77, 0xaa);
        assert_eq!(color.to_hex(), "#4477aa");
        assert_eq!(Rgb::from_hex("#4477AA"), Some(color));
        assert_eq!(Rgb::from_hex("4477aa"), Some(color));
    }

    #[test]
    fn rejects_bad_hex() {
        for bad in ["", "#fff", "#12345g", "#1234567", "#ééé"] {
            assert_eq!(Rgb::from_hex(bad), None, "{bad}");
        }
    }
}
