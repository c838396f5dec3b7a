//! Image processing: `resize_image` and `get_image_metadata` against what
//! Zola 0.22.1 gives for the same images, EXIF orientation, the cache, and
//! the errors.
//!
//! `tests/fixtures/images-zola` prints every operation and output format
//! as JSON; `zola-0.22.1.json` beside it is what Zola 0.22.1 printed for
//! the same site, and the names and hashes of the files it wrote
//! (`zola-0.22.1.sh` made it). Its images are written by
//! `cargo run --example gen_images -- fixtures tests/fixtures/images-zola`.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::TestSite;
use serde_json::Value;
use sha2::Digest as _;

/// Every `<p id="…">JSON</p>` of the home page.
fn printed(site: &TestSite) -> BTreeMap<String, Value> {
    let html = site.read("index.html");
    let re = regex::Regex::new(r#"(?s)<p id="([^"]+)">(.*?)</p>"#).unwrap();
    re.captures_iter(&html)
        .map(|c| {
            let v = serde_json::from_str(&common::unescape(&c[2]))
                .unwrap_or_else(|e| panic!("{}: {e}: {}", &c[1], &c[2]));
            (common::unescape(&c[1]), v)
        })
        .collect()
}

fn zola() -> Value {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/images-zola/zola-0.22.1.json"),
    )
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The width and height in a file's header (any format, AVIF included).
fn size_of(file: &Path) -> (u64, u64) {
    let s = imagesize::size(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    (s.width as u64, s.height as u64)
}

fn processed(site: &TestSite) -> Vec<String> {
    common::list(&site.public().join("processed_images"))
}

fn every_value_is_zolas(site: &TestSite) {
    site.build().expect("the site builds");
    let expected = zola();
    let ours = printed(site);
    let theirs: BTreeMap<String, Value> =
        serde_json::from_value(expected["values"].clone()).unwrap();
    assert_eq!(theirs.len(), 73);
    for (id, v) in &theirs {
        assert_eq!(ours.get(id), Some(v), "{id}");
    }
    assert_eq!(ours.len(), theirs.len());
    // The same files, by the same names, byte for byte: the encoders are
    // Zola 0.22.1's, at the versions its lock file has. (After an update
    // of `image`, ravif or libwebp that changes the bytes, make the JSON
    // again with zola-0.22.1.sh and say so in docs/zola-differences.md.)
    let files: BTreeMap<String, String> =
        serde_json::from_value(expected["processed_images"].clone()).unwrap();
    assert_eq!(processed(site), files.keys().cloned().collect::<Vec<_>>());
    for (name, sha) in &files {
        let bytes = std::fs::read(site.public().join("processed_images").join(name)).unwrap();
        let ours: String = sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(&ours, sha, "{name} is not the file Zola 0.22.1 makes");
    }
    // Each file is an image of the size its answer says.
    for (id, v) in &ours {
        let Some(url) = v.get("url").and_then(Value::as_str) else {
            continue;
        };
        let name = url.rsplit('/').next().unwrap();
        let file = site.public().join("processed_images").join(name);
        let want = (v["width"].as_u64().unwrap(), v["height"].as_u64().unwrap());
        assert_eq!(size_of(&file), want, "{id}");
        let ext = name.rsplit('.').next().unwrap();
        let magic = std::fs::read(&file).unwrap();
        let ok = match ext {
            "jpg" => magic.starts_with(&[0xFF, 0xD8]),
            "png" => magic.starts_with(b"\x89PNG"),
            "webp" => magic.starts_with(b"RIFF") && &magic[8..12] == b"WEBP",
            "avif" => &magic[4..12] == b"ftypavif",
            _ => false,
        };
        assert!(ok, "{id}: {name} is not a {ext}");
    }
}

#[test]
fn every_operation_and_format_is_what_zola_gives() {
    every_value_is_zolas(&TestSite::fixture("images-zola"));
}

#[test]
fn the_same_under_minijinja() {
    let site = TestSite::fixture("images-zola");
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write(
        "config.toml",
        &format!("{config}\n[extra.templates]\nengine = \"minijinja\"\n"),
    );
    every_value_is_zolas(&site);
}

#[test]
fn exif_orientation_turns_the_image_upright() {
    let site = TestSite::fixture("images-zola");
    site.build().unwrap();
    let v = printed(&site);
    // Stored 60×40 with orientation 6: 40×60 upright, as Zola says.
    assert_eq!(v["get_image_metadata rotated.jpg"]["width"], 40);
    assert_eq!(v["get_image_metadata rotated.jpg"]["height"], 60);
    assert_eq!(v["rotated.jpg|fit"]["orig_width"], 40);
    assert_eq!(v["rotated.jpg|fit"]["orig_height"], 60);
    // The stored image is dark on the left: upright, dark on top.
    let url = v["rotated.jpg|scale"]["url"].as_str().unwrap();
    let file = site
        .public()
        .join("processed_images")
        .join(url.rsplit('/').next().unwrap());
    let img = image::open(&file).unwrap().to_luma8();
    assert_eq!(img.dimensions(), (30, 20));
    let (top, bottom) = (img.get_pixel(15, 2)[0], img.get_pixel(15, 17)[0]);
    assert!(top < 80 && bottom > 180, "top {top}, bottom {bottom}");
}

#[test]
fn a_second_build_reuses_the_cache() {
    let site = TestSite::fixture("images-zola");
    site.build().unwrap();
    let cache = site.root().join(".throughline-cache/images");
    let stamps = |dir: &Path| -> BTreeMap<String, std::time::SystemTime> {
        common::list(dir)
            .into_iter()
            .map(|f| {
                let m = std::fs::metadata(dir.join(&f)).unwrap().modified().unwrap();
                (f, m)
            })
            .collect()
    };
    let first = stamps(&cache);
    // One cache file per distinct result: fewer than the outputs, since
    // `photo.jpg` and `static/photo.jpg` (say) are the same image.
    assert!(!first.is_empty() && first.len() < processed(&site).len());
    let outputs = processed(&site);
    std::thread::sleep(std::time::Duration::from_millis(20));
    site.build().unwrap();
    assert_eq!(stamps(&cache), first, "a cached file was written again");
    assert_eq!(processed(&site), outputs);
    // Nothing of the cache is published, and it stays out of the sources.
    assert!(!site
        .outputs()
        .iter()
        .any(|f| f.contains("throughline-cache")));

    // A changed source: its results are made again, the old ones pruned.
    let cat = site.root().join("content/gallery/cat.jpg");
    let photo = std::fs::read(site.root().join("static/photo.jpg")).unwrap();
    std::fs::write(&cat, &photo).unwrap();
    site.build().unwrap();
    let after = stamps(&cache);
    let kept = after.keys().filter(|k| first.contains_key(*k)).count();
    assert!(kept < first.len(), "the cat's old results are pruned");
    assert!(after.len() >= kept);
}

/// A site whose home page is `index`, with `static/photo.jpg`.
fn site_with(index: &str) -> TestSite {
    let site = TestSite::from_files(&[
        (
            "config.toml",
            "base_url = \"https://x.example\"\ntitle = \"X\"\n",
        ),
        ("content/_index.md", "+++\ntitle = \"Home\"\n+++\n"),
        ("templates/index.html", index),
        ("templates/section.html", "{{ section.title }}"),
        ("templates/page.html", "{{ page.content | safe }}"),
    ]);
    let photo = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/images-zola/static/photo.jpg"),
    )
    .unwrap();
    site.write_bytes("static/photos/photo.jpg", &photo);
    site
}

fn errors_of(site: &TestSite) -> Vec<throughline::Diagnostic> {
    site.build()
        .expect_err("the build fails")
        .diagnostics
        .into_iter()
        .filter(|d| d.is_error())
        .collect()
}

#[test]
fn a_missing_image_is_located_with_a_suggestion() {
    let site = site_with(
        "<h1>Home</h1>\n{% set i = resize_image(path=\"static/photos/phto.jpg\", width=10, height=10) %}{{ i.url }}",
    );
    let errors = errors_of(&site);
    let e = common::only(&errors);
    let (file, line, col, _) = common::place(e);
    assert!(file.ends_with("templates/index.html"), "{file}");
    assert_eq!((line, col), (2, 12), "{}", e.message);
    assert!(
        e.message.contains("static/photos/phto.jpg"),
        "{}",
        e.message
    );
    assert!(
        e.message
            .contains("did you mean `static/photos/photo.jpg`?"),
        "{}",
        e.message
    );
}

#[test]
fn a_truncated_image_is_an_error_at_the_template_that_asked() {
    let site = site_with(
        "{% set i = resize_image(path=\"photos/broken.jpg\", width=10, height=10) %}{{ i.url }}",
    );
    let photo = std::fs::read(site.root().join("static/photos/photo.jpg")).unwrap();
    site.write_bytes("static/photos/broken.jpg", &photo[..photo.len() / 2]);
    let errors = errors_of(&site);
    let e = common::only(&errors);
    let (file, line, _, underlined) = common::place(e);
    assert!(file.ends_with("templates/index.html"), "{file}");
    assert_eq!((line, underlined.as_str()), (1, "resize_image"));
    assert!(e.message.contains("`photos/broken.jpg`"), "{}", e.message);
    assert!(e.message.contains("`index.html`"), "{}", e.message);
    // Nothing was written.
    assert!(!site.public().exists());
}

#[test]
fn bad_arguments_are_clear_errors() {
    for (call, says) in [
        ("width=0, height=10", "`width` must be at least 1 pixel"),
        ("width=10, height=10, op=\"fil\"", "did you mean \"fill\""),
        (
            "width=10, height=10, format=\"gif\"",
            "`format` must be one of",
        ),
        (
            "width=10, height=10, format=\"jpg\", quality=0",
            "between 1 and 100",
        ),
        (
            "width=100000, height=100000",
            "at most 65535 pixels on a side",
        ),
        ("width=20000, height=20000", "at most 100 megapixels"),
        ("width=-3, height=10", "whole number"),
        ("height=10, op=\"fit_width\"", "needs a `width`"),
    ] {
        let site = site_with(&format!(
            "{{% set i = resize_image(path=\"photos/photo.jpg\", {call}) %}}{{{{ i.url }}}}"
        ));
        let errors = errors_of(&site);
        let e = common::only(&errors);
        assert!(e.message.contains(says), "{call}: {}", e.message);
        assert!(
            common::place(e).0.ends_with("templates/index.html"),
            "{call}"
        );
    }
}

#[test]
fn a_file_that_is_not_an_image_is_an_error() {
    let site = site_with(
        "{% set i = resize_image(path=\"photos/notes.jpg\", width=10, height=10) %}{{ i.url }}",
    );
    site.write("static/photos/notes.jpg", "not a picture");
    let errors = errors_of(&site);
    assert!(common::only(&errors).message.contains("`photos/notes.jpg`"));
}

#[test]
fn shortcodes_resize_too() {
    let site = site_with("{{ section.content | safe }}");
    site.write(
        "templates/shortcodes/thumb.html",
        "{% set t = resize_image(path=path, width=8, height=8) %}<img src=\"{{ t.url | safe }}\" width=\"{{ t.width }}\">",
    );
    site.write(
        "content/_index.md",
        "+++\ntitle = \"Home\"\n+++\n\n{{ thumb(path=\"photos/photo.jpg\") }}\n",
    );
    site.build().unwrap();
    let html = site.read("index.html");
    let files = processed(&site);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(
        html.contains(&format!("/processed_images/{}", files[0])),
        "{html}"
    );
    assert_eq!(
        size_of(&site.public().join("processed_images").join(&files[0])),
        (8, 8)
    );
}

#[test]
fn markdown_images_get_their_size() {
    let site = TestSite::fixture("images-zola");
    site.build().unwrap();
    let html = site.read("gallery/index.html");
    assert!(
        html.contains(r#"<img src="cat.jpg" alt="A cat" width="48" height="64" />"#),
        "{html}"
    );
    // Upright, from static/.
    assert!(
        html.contains(r#"alt="A turned photo" title="Turned" width="40" height="60" />"#),
        "{html}"
    );
    // Another site's image and a missing one are left as they are.
    assert!(html.contains(r#"<img src="https://example.org/x.png" alt="Elsewhere" />"#));
    assert!(html.contains(r#"<img src="missing.png" alt="Missing" />"#));

    // And not at all when the site says so.
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write(
        "config.toml",
        &format!("{config}\n[extra.throughline]\nmarkdown_image_sizes = false\n"),
    );
    site.build().unwrap();
    assert!(!site.read("gallery/index.html").contains("width="));
}

#[test]
fn check_counts_processed_images_as_part_of_the_site() {
    let site = site_with(
        "{% set i = resize_image(path=\"photos/photo.jpg\", width=10, height=10) %}<a href=\"{{ i.url }}\">x</a>",
    );
    let rendered = throughline::render_site(&site.options()).unwrap();
    assert!(rendered
        .copies
        .iter()
        .any(|(p, _)| p.starts_with("processed_images/photo.")));
}
