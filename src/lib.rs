//! throughline: a static site generator for health and care partnership
//! strategies. See `ARCHITECTURE.md` for the map.

pub mod config;
pub mod diagnostics;
pub mod load;
pub mod markdown;
pub mod site;
pub mod slug;
pub mod value;
pub mod render;
pub mod build;
pub mod output;

pub use build::{build, render_site, Options, Report};
pub use diagnostics::{BuildFailed, Diagnostic, Severity};
