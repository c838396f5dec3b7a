//! throughline: a static site generator for health and care partnership
//! strategies. See `ARCHITECTURE.md` for the map.

pub mod build;
pub mod check;
pub mod config;
pub mod diagnostics;
pub mod incremental;
pub mod load;
pub mod markdown;
pub mod output;
pub mod plugin;
pub mod render;
pub mod sass;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod site;
pub mod slug;
pub mod strategy;
pub mod value;

pub use build::{
    build, build_with, default_plugins, render_site, render_site_with, Options, Report,
};
pub use diagnostics::{BuildFailed, Diagnostic, Severity};
pub use plugin::Plugin;
