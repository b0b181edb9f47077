//! Qualmap: conceptual maps grounded in coded qualitative evidence.
//!
//! - [`model`]: the document and its file format (no GUI dependency).
//! - [`command`]: every change as a value with an inverse; undo and redo.
//! - [`scene`]: the document turned into world-space shapes, drawn by every output.
//! - [`app`]: the desktop application.
//! - [`agreement`]: intercoder agreement on the map's items.
//! - [`cli`]: the command line.
//! - [`room`]: the workshop room, serving the viewer and the presenter's step to the local network.

pub mod agreement;
pub mod app;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod command;
pub mod explore;
pub mod export;
pub mod import;
pub mod layout;
pub mod merge;
pub mod model;
pub mod rng;
#[cfg(not(target_arch = "wasm32"))]
pub mod room;
pub mod scene;
pub mod spatial;
#[cfg(target_arch = "wasm32")]
pub mod web;
#[cfg(not(target_arch = "wasm32"))]
pub mod web_bundle;
