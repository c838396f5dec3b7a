//! The architecture invariants of ARCHITECTURE.md, checked on the source
//! (after rust-analyzer's "tidy" tests). Each invariant there carries a
//! `(tidy: NAME)` tag naming the check here that keeps it true; a tag
//! without a check, or a check without a tag, fails too.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `src/`, as (path from `src/`, text).
fn sources() -> Vec<(String, String)> {
    let src = repo().join("src");
    let mut out: Vec<(String, String)> = walkdir::WalkDir::new(&src)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read_to_string(e.path()).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// The top-level module a file belongs to (`render/engine.rs` → `render`).
fn module_of(rel: &str) -> String {
    rel.split('/')
        .next()
        .unwrap()
        .trim_end_matches(".rs")
        .to_string()
}

/// The lines of code (comment lines left out).
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter(|l| !l.trim_start().starts_with("//"))
}

/// Which top-level modules each top-level module names (`crate::x`), from
/// its code (not its comments). `lib` and `main` are the crate's roots.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeSet<String> = sources().iter().map(|(r, _)| module_of(r)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, text) in sources() {
        let from = module_of(&rel);
        let deps = graph.entry(from.clone()).or_default();
        for line in code_lines(&text) {
            let mut rest = line;
            while let Some(i) = rest.find("crate::") {
                let name: String = rest[i + 7..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if name != from && modules.contains(&name) {
                    deps.insert(name);
                }
                rest = &rest[i + 7..];
            }
        }
    }
    graph
}

fn check_no_module_cycles() -> Result<(), String> {
    let graph = module_graph();
    // Depth-first search for a back edge, reporting the cycle.
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Result<(), String> {
        if let Some(at) = path.iter().position(|p| p == n) {
            let mut cycle = path[at..].to_vec();
            cycle.push(n.to_string());
            return Err(format!("import cycle: {}", cycle.join(" → ")));
        }
        if done.contains(n) {
            return Ok(());
        }
        path.push(n.to_string());
        for d in graph.get(n).into_iter().flatten() {
            visit(d, graph, path, done)?;
        }
        path.pop();
        done.insert(n.to_string());
        Ok(())
    }
    let mut done = BTreeSet::new();
    for n in graph.keys() {
        visit(n, &graph, &mut Vec::new(), &mut done)?;
    }
    Ok(())
}

/// `module` names only modules in `allowed`.
fn only_imports(module: &str, allowed: &[&str]) -> Result<(), String> {
    let graph = module_graph();
    let deps = graph.get(module).ok_or(format!("no module `{module}`"))?;
    let extra: Vec<&String> = deps
        .iter()
        .filter(|d| !allowed.contains(&d.as_str()))
        .collect();
    if extra.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "`{module}` imports {extra:?}; it may import only {allowed:?}"
        ))
    }
}

fn check_content_is_a_leaf() -> Result<(), String> {
    only_imports("content", &["config", "diagnostics"])
}

fn check_plugin_names_no_render_type() -> Result<(), String> {
    only_imports(
        "plugin",
        &["config", "content", "diagnostics", "load", "site", "value"],
    )
}

fn check_output_knows_only_diagnostics() -> Result<(), String> {
    only_imports("output", &["diagnostics"])
}

fn check_images_know_no_stage() -> Result<(), String> {
    only_imports("images", &["diagnostics", "output"])
}

fn check_core_knows_no_strategy() -> Result<(), String> {
    let mut problems = Vec::new();
    for (rel, text) in sources() {
        if rel.starts_with("strategy/") {
            continue;
        }
        for (n, line) in text.lines().enumerate() {
            let l = line.to_lowercase();
            if rel != "lib.rs" && l.contains("crate::strategy") {
                problems.push(format!("src/{rel}:{}: imports the strategy", n + 1));
            }
            for word in [
                "priorit",
                "programme",
                "commitment",
                "annual review",
                "annual-review",
            ] {
                if l.contains(word) {
                    problems.push(format!(
                        "src/{rel}:{}: names `{word}`: {}",
                        n + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

fn check_engines_named_in_their_files() -> Result<(), String> {
    let mut problems = Vec::new();
    for (rel, text) in sources() {
        for line in code_lines(&text) {
            if rel != "render/tera_engine.rs"
                && (line.contains("tera::") || line.contains("use tera"))
            {
                problems.push(format!("src/{rel} names the tera crate: {}", line.trim()));
            }
            if rel != "render/jinja_engine.rs" && line.contains("minijinja::") {
                problems.push(format!(
                    "src/{rel} names the minijinja crate: {}",
                    line.trim()
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

fn check_no_print_macros() -> Result<(), String> {
    let mut problems = Vec::new();
    for (rel, text) in sources() {
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for m in ["println!(", "eprintln!(", "print!(", "eprint!("] {
                if code.contains(m) && !(rel == "lib.rs" && code.contains("$")) {
                    problems.push(format!("src/{rel}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

fn architecture() -> String {
    std::fs::read_to_string(repo().join("ARCHITECTURE.md")).unwrap()
}

fn check_code_map_complete() -> Result<(), String> {
    let doc = architecture();
    let missing: Vec<String> = sources()
        .into_iter()
        .map(|(rel, _)| rel)
        .filter(|rel| {
            let file = rel.rsplit('/').next().unwrap();
            let by_path = doc.contains(rel.as_str());
            let by_name = rel.contains('/') && doc.contains(&format!("`{file}`"));
            !(by_path || by_name)
        })
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "ARCHITECTURE.md's code map does not mention: {missing:?}"
        ))
    }
}

/// The hooks of the `Plugin` trait.
fn hooks() -> Vec<String> {
    let text = std::fs::read_to_string(repo().join("src/plugin/mod.rs")).unwrap();
    let start = text.find("pub trait Plugin").expect("the Plugin trait");
    let body = &text[start..];
    let end = body.find("\n}\n").unwrap();
    body[..end]
        .lines()
        .filter_map(|l| l.trim().strip_prefix("fn "))
        .map(|l| l.split(['(', '<']).next().unwrap().to_string())
        .collect()
}

fn check_hooks_documented() -> Result<(), String> {
    let hooks = hooks();
    if hooks.len() < 10 {
        return Err(format!("found only {hooks:?}"));
    }
    let plugins_md = std::fs::read_to_string(repo().join("docs/plugins.md")).unwrap();
    let arch = architecture();
    let missing: Vec<String> = hooks
        .iter()
        .filter(|h| !plugins_md.contains(&format!("`{h}")) || !arch.contains(&format!("`{h}")))
        .cloned()
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "hooks not in both docs/plugins.md and ARCHITECTURE.md: {missing:?}"
        ))
    }
}

fn templates_of(theme: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(theme)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(theme)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

fn check_themes_in_step() -> Result<(), String> {
    let tera = templates_of(&repo().join("themes/throughline/templates"));
    let jinja = templates_of(&repo().join("themes/throughline-minijinja/templates"));
    let only_tera: Vec<_> = tera.difference(&jinja).collect();
    let only_jinja: Vec<_> = jinja.difference(&tera).collect();
    if only_tera.is_empty() && only_jinja.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "templates only in the Tera theme: {only_tera:?}; only in its Jinja port: {only_jinja:?}"
        ))
    }
}

/// The public modules `ARCHITECTURE.md`'s API boundary lists, and
/// `lib.rs` letting the compiler refuse any other `pub` item.
fn check_small_public_facade() -> Result<(), String> {
    let lib = std::fs::read_to_string(repo().join("src/lib.rs")).unwrap();
    if !lib.contains("#![deny(unreachable_pub)]") {
        return Err("src/lib.rs does not deny unreachable_pub".into());
    }
    let public: BTreeSet<String> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';').to_string())
        .collect();
    let doc = architecture();
    let start = doc
        .find("## API boundary")
        .ok_or("no API boundary section")?;
    let para = &doc[start..];
    let para = &para[..para
        .find("(the stages' callers")
        .ok_or("section changed shape")?];
    let listed: BTreeSet<String> = para
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    if public == listed {
        Ok(())
    } else {
        Err(format!(
            "public modules in lib.rs: {public:?}; listed in ARCHITECTURE.md: {listed:?}"
        ))
    }
}

type Check = fn() -> Result<(), String>;

const CHECKS: &[(&str, Check)] = &[
    ("no_module_cycles", check_no_module_cycles),
    ("content_is_a_leaf", check_content_is_a_leaf),
    (
        "plugin_names_no_render_type",
        check_plugin_names_no_render_type,
    ),
    (
        "output_knows_only_diagnostics",
        check_output_knows_only_diagnostics,
    ),
    ("images_know_no_stage", check_images_know_no_stage),
    ("core_knows_no_strategy", check_core_knows_no_strategy),
    (
        "engines_named_in_their_files",
        check_engines_named_in_their_files,
    ),
    ("no_print_macros", check_no_print_macros),
    ("code_map_complete", check_code_map_complete),
    ("hooks_documented", check_hooks_documented),
    ("themes_in_step", check_themes_in_step),
    ("small_public_facade", check_small_public_facade),
];

#[test]
fn every_architecture_invariant_holds() {
    let failed: Vec<String> = CHECKS
        .iter()
        .filter_map(|(name, check)| check().err().map(|e| format!("{name}: {e}")))
        .collect();
    assert!(failed.is_empty(), "\n{}", failed.join("\n\n"));
}

#[test]
fn every_invariant_in_architecture_md_has_its_check() {
    let doc = architecture();
    let tags: BTreeSet<String> = doc
        .match_indices("(tidy:")
        .map(|(i, m)| {
            let rest = &doc[i + m.len()..];
            rest[..rest.find(')').unwrap()].trim().to_string()
        })
        .collect();
    let checks: BTreeSet<String> = CHECKS.iter().map(|(n, _)| n.to_string()).collect();
    let untested: Vec<_> = tags.difference(&checks).collect();
    let unwritten: Vec<_> = checks.difference(&tags).collect();
    assert!(
        untested.is_empty() && unwritten.is_empty(),
        "tags in ARCHITECTURE.md with no check: {untested:?}; checks no invariant line names: {unwritten:?}"
    );
}

/// The checks fail on what they are meant to catch (so none passes by
/// looking at nothing).
#[test]
fn the_checks_can_fail() {
    // A graph with a cycle is found.
    let graph = module_graph();
    assert!(graph.len() > 15, "{:?}", graph.keys());
    assert!(graph["build"].contains("session"), "the graph sees imports");
    assert!(only_imports("build", &["diagnostics"]).is_err());
    assert!(hooks().iter().any(|h| h == "site_loaded"));
    assert!(hooks().iter().any(|h| h == "new_page"));
    let doc = architecture();
    assert!(doc.matches("(tidy:").count() >= CHECKS.len());
}
