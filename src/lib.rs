//! throughline: a static site generator for health and care partnership
//! strategies. See `ARCHITECTURE.md` for the map.

pub mod build;
pub mod config;
pub mod diagnostics;
pub mod load;
pub mod markdown;
pub mod output;
pub mod render;
pub mod site;
pub mod slug;
pub mod value;

pub use build::{build, render_site, Options, Report};
pub use diagnostics::{BuildFailed, Diagnostic, Severity};
