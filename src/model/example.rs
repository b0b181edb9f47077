//! The built-in example: the mentoring-benefits map from Steven, Oxley & Fleming (J R Soc Med
//! 2008), stored in `assets/` in the ordinary file format and embedded in the binary.

use super::Document;
use super::io::{LoadError, load_str};

/// The example's file text, exactly as shipped in `assets/mentoring-benefits.qualmap`.
pub const EXAMPLE_JSON: &str = include_str!("../../assets/mentoring-benefits.qualmap");

/// The name the example is shown under before it is saved somewhere.
pub const EXAMPLE_NAME: &str = "mentoring-benefits.qualmap";

/// Reads the embedded example.
pub fn try_document() -> Result<Document, LoadError> {
    load_str(EXAMPLE_JSON, "the built-in example")
}

/// The embedded example, or a blank map if it were ever unreadable (the test suite makes sure
/// it is not).
pub fn document() -> Document {
    try_document().unwrap_or_else(|_| Document::new_blank())
}
