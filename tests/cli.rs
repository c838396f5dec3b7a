//! The command line accepts Zola's flags and short forms, reports errors on
//! stderr with file:line:column, and exits non-zero on failure.

mod common;

use std::process::Command;

use common::{minimal, TestSite};

fn throughline() -> Command {
    Command::new(env!("CARGO_BIN_EXE_throughline"))
}

#[test]
fn zola_style_build_line_works() {
    let site = TestSite::from_files(&minimal());
    let out = site.root().join("dist");
    let status = throughline()
        .args(["-r"])
        .arg(site.root())
        .args(["build", "-u", "https://preview.example/pr-1", "-o"])
        .arg(&out)
        .arg("--drafts")
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let html = std::fs::read_to_string(out.join("news/one/index.html")).unwrap();
    assert!(
        html.contains("https://preview.example/pr-1/news/"),
        "base URL override is followed"
    );
    // A second build into the same folder (made by throughline) needs no --force.
    let again = throughline()
        .arg("--root")
        .arg(site.root())
        .args(["build", "--output-dir"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(again.status.success());
}

#[test]
fn errors_go_to_stderr_with_location_and_exit_non_zero() {
    let site = TestSite::from_files(&minimal());
    site.write(
        "content/news/one.md",
        "+++\ntitle = \"One\"\nweight = \"high\"\n+++\n",
    );
    for cmd in ["build", "check"] {
        let out = throughline()
            .arg("-r")
            .arg(site.root())
            .arg(cmd)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{cmd} must fail");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("content/news/one.md:3:10"), "{cmd}: {err}");
        assert!(err.contains("`weight` must be a whole number"), "{err}");
    }
}

#[test]
fn config_flag_picks_another_file() {
    let site = TestSite::from_files(&minimal());
    site.write(
        "other.toml",
        "base_url = \"https://other.example\"\ntitle = \"Other\"\n",
    );
    let out = throughline()
        .arg("-r")
        .arg(site.root())
        .args(["-c", "other.toml", "check"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn serve_takes_zolas_flags_and_serves() {
    use std::io::{BufRead, Read, Write};
    let site = TestSite::from_files(&minimal());
    let mut child = throughline()
        .arg("-r")
        .arg(site.root())
        .args(["serve", "-i", "127.0.0.1", "-p", "0", "--fast", "--drafts"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = std::io::BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines.next().expect("serve prints its address").unwrap();
        if let Some(rest) = line.strip_prefix("Serving the site at http://") {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut got = String::new();
    s.read_to_string(&mut got).unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    assert!(got.starts_with("HTTP/1.1 200"), "{got}");
    // Links point at the server, not the configured base URL.
    assert!(got.contains(&format!("http://{addr}/")), "{got}");
}
