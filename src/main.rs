//! The `throughline` command line, shaped like Zola's so a Zola user's CI
//! line works unchanged.

/// mimalloc: the build allocates many small JSON values from two threads;
/// glibc's allocator spent half the build in malloc and free (BENCHMARKS.md).
/// (`--cfg throughline_system_allocator` leaves the system's, for heap
/// profilers such as heaptrack, which see only malloc: BENCHMARKS.md.)
#[cfg(not(throughline_system_allocator))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc commits the memory of its arena as it reserves it, by
/// default on Linux; committing it as it is used keeps a 10,000-page
/// build's peak 30 MB (12%) lower at the same speed (BENCHMARKS.md). The
/// option counts when the arena is reserved, at the first allocation, so
/// it is set in a constructor, which runs before Rust's runtime allocates.
#[cfg(all(target_os = "linux", not(throughline_system_allocator)))]
#[used]
#[link_section = ".init_array"]
static CONFIGURE_ALLOCATOR: extern "C" fn() = configure_allocator;

#[cfg(all(target_os = "linux", not(throughline_system_allocator)))]
extern "C" fn configure_allocator() {
    // mimalloc 3's `mi_option_arena_eager_commit` (mimalloc.h).
    const ARENA_EAGER_COMMIT: std::ffi::c_int = 4;
    extern "C" {
        fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    }
    // SAFETY: sets an option; mimalloc's options are plain values, valid
    // to set before it is initialised.
    unsafe { mi_option_set(ARENA_EAGER_COMMIT, 0) }
}

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use throughline::config::Mode;
use throughline::{Diagnostic, Options, Severity};

#[derive(Parser)]
#[command(
    name = "throughline",
    version,
    about = "Build strategy websites for health and care partnerships"
)]
struct Cli {
    /// Directory to use as the root of the site
    #[arg(short = 'r', long, default_value = ".", global = true)]
    root: PathBuf,

    /// Path to a config file other than zola.toml or config.toml in the root
    #[arg(short = 'c', long, global = true)]
    config: Option<PathBuf>,

    /// Build without the default plugins (a plain Zola build; for
    /// measuring what the plugins cost)
    #[arg(long, global = true, hide = true)]
    no_plugins: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new site that builds at once, with CI files for a host
    Init {
        /// The folder for the new site
        #[arg(default_value = ".")]
        name: PathBuf,
        /// Write into a folder that is not empty (existing files are kept)
        #[arg(short = 'f', long)]
        force: bool,
        /// The static host to write CI files for
        #[arg(long, value_enum, default_value = "github")]
        host: throughline::scaffold::Host,
        /// Build CI's throughline from this git repository and revision,
        /// as URL@REV (default: this version, from crates.io)
        #[arg(long, value_name = "URL@REV")]
        install_from: Option<String>,
    },
    /// Write a new page from its archetype: throughline new KIND "Its title"
    /// (`throughline new --help` lists the kinds)
    New {
        /// The kind of page (the list is made when the command runs, from
        /// the plugins: see `kind_help`)
        kind: String,
        /// The page's title, in quotes (some kinds take something else
        /// here, such as a period or the id of the page it is about; not
        /// needed for the accessibility statement)
        title: Option<String>,
        /// The file name, if not made from the title
        #[arg(long)]
        slug: Option<String>,
    },
    /// Build the site into the output folder, replacing it only on success
    Build {
        /// Force the base URL to be this value
        #[arg(short = 'u', long)]
        base_url: Option<String>,
        /// Output folder (default: `output_dir` in the config, `public`)
        #[arg(short = 'o', long)]
        output_dir: Option<PathBuf>,
        /// Replace an existing output folder that throughline did not create
        #[arg(short = 'f', long)]
        force: bool,
        /// Include drafts
        #[arg(long)]
        drafts: bool,
        /// Minify the HTML written (as Zola does, and as `minify_html = true` in the config)
        #[arg(long)]
        minify: bool,
    },
    /// Serve the site from memory, rebuild what changes, reload the browser
    Serve {
        /// The address to listen on (loopback unless you ask otherwise)
        #[arg(short = 'i', long, default_value = "127.0.0.1")]
        interface: IpAddr,
        /// The port (0: any free port)
        #[arg(short = 'p', long, default_value_t = 1111)]
        port: u16,
        /// Accepted for Zola compatibility: serve keeps its output in memory
        #[arg(short = 'o', long, hide = true)]
        output_dir: Option<PathBuf>,
        /// Accepted for Zola compatibility
        #[arg(long, hide = true)]
        force: bool,
        /// Force the base URL (default: the server's address)
        #[arg(short = 'u', long)]
        base_url: Option<String>,
        /// Include drafts
        #[arg(long)]
        drafts: bool,
        /// Open the site in the default browser
        #[arg(short = 'O', long)]
        open: bool,
        /// Milliseconds after a rebuild in which further changes are folded
        /// into one more rebuild (the first change rebuilds at once)
        #[arg(long, default_value_t = 50)]
        debounce: u64,
        /// Accepted for Zola compatibility (every rebuild is incremental)
        #[arg(short = 'f', long, hide = true)]
        fast: bool,
        /// Accepted for Zola compatibility
        #[arg(long, hide = true)]
        store_html: bool,
        /// Accepted for Zola compatibility
        #[arg(long, hide = true)]
        no_port_append: bool,
        /// Accepted for Zola compatibility
        #[arg(long, hide = true)]
        extra_watch_path: Vec<String>,
    },
    /// Check the site before publishing: render everything (templates too),
    /// check every internal link and anchor, the strategy references and the
    /// accessibility lint. Writes nothing.
    Check {
        /// Include drafts
        #[arg(long)]
        drafts: bool,
        /// Do not request external links (the default; accepted for Zola
        /// compatibility)
        #[arg(long, conflicts_with = "external")]
        skip_external_links: bool,
        /// Also request every external link
        #[arg(long)]
        external: bool,
        /// Count warnings as errors
        #[arg(long)]
        deny_warnings: bool,
        /// Output: `human` (default), `github` (workflow annotations; the
        /// default when GITHUB_ACTIONS is set, with the human output on
        /// stderr) or `json`
        #[arg(long, value_parser = ["human", "github", "json"])]
        format: Option<String>,
    },
}

fn report(diags: &[Diagnostic], root: &std::path::Path) {
    let base = throughline::output::resolve(root);
    for d in diags {
        throughline::say!("{}", d.render(&base));
    }
}

fn summary(diags: &[Diagnostic]) -> (usize, usize) {
    let e = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    (e, diags.len() - e)
}

/// The help for `new`'s KIND: the kinds the core and the default plugins
/// write, asked of them.
fn kind_help() -> String {
    let kinds = throughline::scaffold::new_kinds(&throughline::default_plugins());
    let list = match kinds.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => kinds.join(""),
    };
    format!("The kind of page: {list}")
}

/// The command line, with the help for `new`'s KIND filled in.
fn parse_cli() -> Cli {
    use clap::{CommandFactory, FromArgMatches};
    let help = kind_help();
    // `mut_args` changes it in its place: `mut_arg` would move it after
    // TITLE.
    let mut cmd = Cli::command().mut_subcommand("new", |c| {
        c.mut_args(|a| {
            if a.get_id() == "kind" {
                a.help(help.clone())
            } else {
                a
            }
        })
    });
    let matches = cmd.get_matches_mut();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.format(&mut cmd).exit())
}

fn main() -> ExitCode {
    let cli = parse_cli();
    let mut opts = Options {
        root: cli.root.clone(),
        config_file: cli.config.clone(),
        ..Options::default()
    };
    match cli.command {
        Command::Build {
            base_url,
            output_dir,
            force,
            drafts,
            minify,
        } => {
            opts.base_url = base_url;
            opts.output_dir = output_dir;
            opts.force = force;
            opts.drafts = drafts;
            opts.minify = minify;
            opts.mode = Mode::Build;
            // Ctrl+C or a CI job's cancel leaves no half-written folder.
            throughline::output::clean_up_on_signals();
            let started = std::time::Instant::now();
            let plugins = if cli.no_plugins {
                Vec::new()
            } else {
                throughline::default_plugins()
            };
            match throughline::build_with(&opts, plugins) {
                Ok(r) => {
                    report(&r.diagnostics, &cli.root);
                    let (_, w) = summary(&r.diagnostics);
                    throughline::show!(
                        "Built {} pages and {} sections ({} files) into {} in {} ms{}",
                        r.pages,
                        r.sections,
                        r.files,
                        r.output.display(),
                        started.elapsed().as_millis(),
                        if w > 0 {
                            format!(", with {w} warning(s)")
                        } else {
                            String::new()
                        }
                    );
                    ExitCode::SUCCESS
                }
                Err(f) => {
                    report(&f.diagnostics, &cli.root);
                    let (e, w) = summary(&f.diagnostics);
                    throughline::say!("Build failed: {e} error(s), {w} warning(s). Nothing in the output folder was changed.");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Check {
            drafts,
            skip_external_links: _,
            external,
            deny_warnings,
            format,
        } => {
            opts.drafts = drafts;
            opts.mode = Mode::Check;
            let plugins = if cli.no_plugins {
                Vec::new()
            } else {
                throughline::default_plugins()
            };
            let copts = throughline::check::CheckOptions {
                external,
                deny_warnings,
            };
            let outcome = throughline::check::run(&opts, &copts, plugins);
            let cwd = std::env::current_dir().unwrap_or_default();
            let format = format.unwrap_or_else(|| {
                if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
                    "github".into()
                } else {
                    "human".into()
                }
            });
            match format.as_str() {
                "json" => {
                    throughline::show!("{}", throughline::check::report::json(&outcome, &cwd))
                }
                "github" => {
                    report(&outcome.diagnostics, &cli.root);
                    throughline::show_part!(
                        "{}",
                        throughline::check::report::github(&outcome.diagnostics, &cwd)
                    );
                }
                _ => report(&outcome.diagnostics, &cli.root),
            }
            let (e, w) = (outcome.errors(), outcome.warnings());
            if format != "json" {
                let external = if external {
                    format!(", {} external address(es)", outcome.external_urls)
                } else {
                    String::new()
                };
                if e == 0 {
                    throughline::say!(
                        "Checked {} pages and {} sections ({} links{external}): no errors, {w} warning(s).",
                        outcome.pages, outcome.sections, outcome.internal_links
                    );
                } else {
                    throughline::say!("Check failed: {e} error(s), {w} warning(s).");
                }
            }
            if e == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Command::Serve {
            interface,
            port,
            base_url,
            drafts,
            open,
            debounce,
            ..
        } => {
            let opts = throughline::serve::ServeOptions {
                build: Options {
                    root: cli.root.clone(),
                    config_file: cli.config.clone(),
                    base_url,
                    drafts,
                    mode: Mode::Serve,
                    ..Options::default()
                },
                interface,
                port,
                debounce: std::time::Duration::from_millis(debounce),
                open,
            };
            let plugins: throughline::session::PluginFactory = if cli.no_plugins {
                Box::new(Vec::new)
            } else {
                Box::new(throughline::build::default_plugins)
            };
            match throughline::serve::serve(opts, plugins) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    throughline::say!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Init {
            name,
            force,
            host,
            install_from,
        } => {
            let install = match install_from {
                Some(s) => match throughline::scaffold::InstallFrom::parse(&s) {
                    Ok(i) => throughline::scaffold::Install::Git(i),
                    Err(e) => {
                        throughline::say!("error: {e}");
                        return ExitCode::FAILURE;
                    }
                },
                None => throughline::scaffold::Install::this_version(),
            };
            let dir = if name.is_absolute() {
                name
            } else {
                cli.root.join(name)
            };
            let opts = throughline::scaffold::InitOptions {
                host,
                install,
                force,
            };
            match throughline::scaffold::init(&dir, &opts, &throughline::default_plugins()) {
                Ok(w) => {
                    for k in &w.kept {
                        throughline::say!("kept {} (it already existed)", k.display());
                    }
                    throughline::show!(
                        "Wrote a new site ({} files) in {}.\nNext: cd {} && throughline build, then open public/index.html.",
                        w.created.len(),
                        dir.display(),
                        dir.display(),
                    );
                    if !w.fill.is_empty() {
                        throughline::show!(
                            "Before publishing, replace each FILL IN with what it asks for: `throughline check`, which the publishing pipeline runs, fails until none is left:"
                        );
                        for (file, line, text) in &w.fill {
                            throughline::show!("  {}:{line}: {text}", file.display());
                        }
                    }
                    throughline::show!("{}", host.switch_on());
                    ExitCode::SUCCESS
                }
                Err(d) => {
                    report(&[d], &cli.root);
                    ExitCode::FAILURE
                }
            }
        }
        Command::New { kind, title, slug } => {
            match throughline::scaffold::new_page(
                &cli.root,
                cli.config.as_deref(),
                &kind,
                title.as_deref().unwrap_or(""),
                slug.as_deref(),
                &throughline::default_plugins(),
            ) {
                Ok(new) => {
                    let shown = new.file.strip_prefix(&cli.root).unwrap_or(&new.file);
                    throughline::show!("Wrote {}", shown.display());
                    if let Some(from) = &new.id_from {
                        throughline::show!(
                            "Its id is `{}` (from the {from}); to choose another, delete the file and run the command again with --slug NAME.",
                            new.id,
                        );
                    }
                    if !new.fill.is_empty() {
                        throughline::show!(
                            "Fill in its placeholders (`throughline check` fails until you do):"
                        );
                        for (line, text) in &new.fill {
                            throughline::show!("  {}:{line}: {text}", shown.display());
                        }
                    }
                    if let Some(then) = &new.then {
                        throughline::show!("{then}");
                    }
                    ExitCode::SUCCESS
                }
                Err(ds) => {
                    report(&ds, &cli.root);
                    ExitCode::FAILURE
                }
            }
        }
    }
}
