//! throughline: a static site generator for health and care partnership
//! strategies. See `ARCHITECTURE.md` for the map.

#![deny(unreachable_pub)]

/// `eprintln!` that never panics: a closed or broken stderr (`build 2>&1 |
/// true`, a terminal that went away) loses the message, not the build or
/// the server.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `eprint!` that never panics (see [`say!`]).
#[macro_export]
macro_rules! say_part {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

/// `println!` that never panics: output piped into a program that stopped
/// reading (`| head`) ends quietly.
#[macro_export]
macro_rules! show {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `print!` that never panics (see [`show!`]).
#[macro_export]
macro_rules! show_part {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

pub mod build;
pub mod check;
pub mod config;
pub mod content;
pub mod diagnostics;
mod images;
mod load;
mod markdown;
pub mod output;
pub mod plugin;
mod render;
mod sass;
pub mod scaffold;
mod search;
pub mod serve;
pub mod session;
pub mod site;
mod slug;
mod stages;
mod statement;
mod strategy;
mod value;

pub use build::{build, build_with, render_site, render_site_with, Options, Report};
pub use diagnostics::{BuildFailed, Diagnostic, Severity};
pub use plugin::Plugin;

/// The plugins every build runs unless told otherwise: the strategy
/// plugin, then the external plugins a site's config lists. This is the
/// composition root: the one place outside `strategy` that names it
/// (`build::default_plugins` is this function, for the stages' callers).
pub fn default_plugins() -> Vec<Box<dyn plugin::Plugin>> {
    vec![
        Box::new(strategy::StrategyPlugin::default()),
        Box::new(plugin::external::ExternalPlugins::new()),
    ]
}
