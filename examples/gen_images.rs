//! Writes the images the image tests and the image benchmark use, with the
//! `image` crate (nothing is fetched):
//!
//! ```sh
//! # the tiny images of tests/fixtures/images-zola (written once, committed)
//! cargo run --example gen_images -- fixtures tests/fixtures/images-zola
//! # N photo-like JPEGs of 1600×1200 (gradients and noise) for bench/images.sh
//! cargo run --release --example gen_images -- photos /tmp/photos 200
//! ```
//!
//! The same arguments write the same bytes.

use std::path::Path;

use image::{ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};

/// A small deterministic random number generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn byte(&mut self) -> u8 {
        (self.next() >> 56) as u8
    }
}

/// A photo-like picture: two gradients, a few soft discs, and noise.
fn photo(w: u32, h: u32, seed: u64) -> RgbImage {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let discs: Vec<(f32, f32, f32, [f32; 3])> = (0..6)
        .map(|_| {
            (
                (rng.next() % u64::from(w)) as f32,
                (rng.next() % u64::from(h)) as f32,
                (w.min(h) / 8) as f32 + (rng.next() % u64::from(w.min(h) / 4 + 1)) as f32,
                [rng.byte() as f32, rng.byte() as f32, rng.byte() as f32],
            )
        })
        .collect();
    RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
        let mut c = [255.0 * fx, 255.0 * fy, 255.0 * (1.0 - fx) * (1.0 - fy)];
        for (cx, cy, r, col) in &discs {
            let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
            let t = (1.0 - d / r).clamp(0.0, 1.0);
            for i in 0..3 {
                c[i] = c[i] * (1.0 - t) + col[i] * t;
            }
        }
        let n = (rng.byte() as f32 - 128.0) / 6.0;
        Rgb(c.map(|v| (v + n).clamp(0.0, 255.0) as u8))
    })
}

fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(img)
        .expect("JPEG");
    out
}

fn png(img: &RgbaImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(
            img,
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgba8,
        )
        .expect("PNG");
    out
}

/// `jpeg` with an EXIF block saying `orientation` (written by hand: a
/// little-endian TIFF header and one IFD entry, tag 0x0112) after SOI.
fn with_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut tiff = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes()); // the IFD follows the header
    tiff.extend(1u16.to_le_bytes()); // one entry
    tiff.extend(0x0112u16.to_le_bytes()); // Orientation
    tiff.extend(3u16.to_le_bytes()); // SHORT
    tiff.extend(1u32.to_le_bytes()); // one value
    tiff.extend(orientation.to_le_bytes());
    tiff.extend([0, 0]);
    tiff.extend(0u32.to_le_bytes()); // no next IFD
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let mut out = jpeg[..2].to_vec(); // SOI
    out.extend([0xFF, 0xE1]);
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().expect("a folder")).expect("mkdir");
    std::fs::write(path, bytes).expect("write");
}

fn fixtures(dir: &Path) {
    write(&dir.join("static/photo.jpg"), &jpeg(&photo(64, 48, 1), 85));
    write(
        &dir.join("static/wide.png"),
        &png(&RgbaImage::from_fn(90, 20, |x, y| {
            Rgba([
                (x * 2) as u8,
                (y * 10) as u8,
                200,
                if (x + y) % 7 == 0 { 0 } else { 255 },
            ])
        })),
    );
    // Stored 60×40, dark on the left and light on the right, with EXIF
    // orientation 6: shown turned a quarter clockwise, 40×60, dark on top.
    let halves = RgbImage::from_fn(60, 40, |x, _| {
        if x < 30 {
            Rgb([20, 20, 60])
        } else {
            Rgb([230, 230, 200])
        }
    });
    write(
        &dir.join("static/rotated.jpg"),
        &with_orientation(&jpeg(&halves, 85), 6),
    );
    write(
        &dir.join("content/gallery/cat.jpg"),
        &jpeg(&photo(48, 64, 3), 85),
    );
    write(
        &dir.join("content/logo.png"),
        &png(&RgbaImage::from_fn(32, 32, |x, y| {
            Rgba([(x * 8) as u8, (y * 8) as u8, 128, 255])
        })),
    );
}

fn photos(dir: &Path, n: usize) {
    for i in 0..n {
        let name = format!("photo-{i:03}");
        write(
            &dir.join(format!("content/photos/{name}/index.md")),
            format!("+++\ntitle = \"Photo {i}\"\n+++\n\n![Photo {i}](photo.jpg)\n").as_bytes(),
        );
        write(
            &dir.join(format!("content/photos/{name}/photo.jpg")),
            &jpeg(&photo(1600, 1200, i as u64 + 10), 90),
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["fixtures", dir] => fixtures(Path::new(dir)),
        ["photos", dir, n] => photos(Path::new(dir), n.parse().expect("a number of photos")),
        _ => {
            eprintln!("usage: gen_images fixtures DIR | gen_images photos DIR N");
            std::process::exit(2);
        }
    }
}
