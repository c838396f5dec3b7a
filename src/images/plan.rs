//! What a `resize_image` call asks for, worked out from its arguments and
//! the image's size alone, before anything is decoded: the operation, the
//! output format, the crop and the resize, and the file name Zola 0.22
//! gives the result. The answer a template sees comes from here, so it
//! costs no encoding.

use std::hash::Hasher as _;

/// The resize operations Zola names (`op = …`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// Exactly `width` × `height`, whatever the aspect ratio.
    Scale(u32, u32),
    /// `width` wide, the height kept in proportion.
    FitWidth(u32),
    /// `height` high, the width kept in proportion.
    FitHeight(u32),
    /// Within `width` × `height`, in proportion; never made larger.
    Fit(u32, u32),
    /// Exactly `width` × `height`, cropped from the centre to keep the
    /// proportions.
    Fill(u32, u32),
}

const OPS: [&str; 5] = ["fill", "fit", "fit_width", "fit_height", "scale"];

impl Op {
    /// The operation `op` names with these sizes, as Zola reads them: each
    /// operation needs its sizes; unlike Zola, a size of 0 is refused.
    pub(crate) fn from_args(
        op: &str,
        width: Option<u32>,
        height: Option<u32>,
    ) -> Result<Op, String> {
        let need = |name: &str, v: Option<u32>| -> Result<u32, String> {
            match v {
                None => Err(format!("op=\"{op}\" needs a `{name}` argument")),
                Some(0) => Err(format!("`{name}` must be at least 1 pixel (it is 0)")),
                Some(n) => Ok(n),
            }
        };
        Ok(match op {
            "scale" => Op::Scale(need("width", width)?, need("height", height)?),
            "fit_width" => Op::FitWidth(need("width", width)?),
            "fit_height" => Op::FitHeight(need("height", height)?),
            "fit" => Op::Fit(need("width", width)?, need("height", height)?),
            "fill" => Op::Fill(need("width", width)?, need("height", height)?),
            other => {
                let mut m = format!(
                    "`op` must be one of {}, not \"{other}\"",
                    OPS.map(|o| format!("\"{o}\"")).join(", ")
                );
                if let Some(c) = crate::diagnostics::closest(other, OPS) {
                    m.push_str(&format!("; did you mean \"{c}\"?"));
                }
                return Err(m);
            }
        })
    }

    /// Zola hashes the operation as Rust derives `Hash` for its enum: the
    /// variant's index as an `isize`, then each size as a `u32`.
    fn zola_hash(&self, h: &mut siphasher::sip::SipHasher13) {
        let (index, sizes): (isize, &[u32]) = match self {
            Op::Scale(w, hh) => (0, &[*w, *hh]),
            Op::FitWidth(w) => (1, std::slice::from_ref(w)),
            Op::FitHeight(hh) => (2, std::slice::from_ref(hh)),
            Op::Fit(w, hh) => (3, &[*w, *hh]),
            Op::Fill(w, hh) => (4, &[*w, *hh]),
        };
        h.write(&index.to_le_bytes());
        for s in sizes {
            h.write(&s.to_le_bytes());
        }
    }
}

/// The output format and its settings (`format`, `quality`, `speed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Format {
    Jpeg {
        quality: u8,
    },
    Png,
    /// `None`: lossless.
    WebP {
        quality: Option<u8>,
    },
    Avif {
        quality: u8,
        speed: u8,
    },
}

const FORMATS: [&str; 6] = ["auto", "jpg", "jpeg", "png", "webp", "avif"];

impl Format {
    /// The format `format` names, with Zola's defaults and ranges: `auto`
    /// is JPEG for a lossy source (anything but PNG and the other
    /// lossless formats) and PNG for a lossless one.
    pub(crate) fn from_args(
        lossy_source: bool,
        format: &str,
        quality: Option<u8>,
        speed: Option<u8>,
    ) -> Result<Format, String> {
        let range = |what: &str, v: u8, lo: u8, hi: u8| -> Result<u8, String> {
            if (lo..=hi).contains(&v) {
                Ok(v)
            } else {
                Err(format!(
                    "{what} must be between {lo} and {hi} (inclusive); {v} is not"
                ))
            }
        };
        let named = match (format, lossy_source) {
            ("auto", true) => "jpg",
            ("auto", false) => "png",
            (f, _) => f,
        };
        Ok(match named {
            "jpg" | "jpeg" => Format::Jpeg {
                quality: range("`quality` for JPEG", quality.unwrap_or(75), 1, 100)?,
            },
            "png" => Format::Png,
            "webp" => Format::WebP {
                quality: quality
                    .map(|q| range("`quality` for WebP", q, 0, 100))
                    .transpose()?,
            },
            "avif" => Format::Avif {
                quality: range("`quality` for AVIF", quality.unwrap_or(80), 1, 100)?,
                speed: range("`speed` for AVIF", speed.unwrap_or(5), 1, 10)?,
            },
            other => {
                let mut m = format!(
                    "`format` must be one of {}, not \"{other}\"",
                    FORMATS.map(|o| format!("\"{o}\"")).join(", ")
                );
                if let Some(c) = crate::diagnostics::closest(other, FORMATS) {
                    m.push_str(&format!("; did you mean \"{c}\"?"));
                }
                return Err(m);
            }
        })
    }

    pub(crate) fn extension(&self) -> &'static str {
        match self {
            Format::Jpeg { .. } => "jpg",
            Format::Png => "png",
            Format::WebP { .. } => "webp",
            Format::Avif { .. } => "avif",
        }
    }

    /// As Zola hashes a format: its extension, then its quality and speed
    /// as `i16` (-1 where it has none).
    fn zola_hash(&self, h: &mut siphasher::sip::SipHasher13) {
        let (quality, speed): (i16, i16) = match *self {
            Format::Png => (-1, -1),
            Format::Jpeg { quality } => (quality.into(), -1),
            Format::WebP { quality } => (quality.map_or(-1, i16::from), -1),
            Format::Avif { quality, speed } => (quality.into(), speed.into()),
        };
        h.write(self.extension().as_bytes());
        h.write(&quality.to_le_bytes());
        h.write(&speed.to_le_bytes());
    }
}

/// The largest image throughline makes: 100 megapixels, and no side longer
/// than the output format allows (16,383 pixels for WebP, 65,535 for the
/// others). A larger request is an error, not an allocation that fails.
pub(crate) const MAX_PIXELS: u64 = 100_000_000;

/// Crop first (x, y, width, height), then resize (width, height); either
/// may be absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct Plan {
    pub crop: Option<(u32, u32, u32, u32)>,
    pub resize: Option<(u32, u32)>,
}

impl Plan {
    /// What `op` does to an image of `size` (already turned upright), with
    /// Zola's arithmetic: sizes in proportion are rounded down, `fit`
    /// leaves an image that already fits alone, and `fill` only scales
    /// when the proportions differ by no more than 0.1 in scale factor.
    pub(crate) fn new(op: Op, (orig_w, orig_h): (u32, u32)) -> Plan {
        let proportional = |a: u32, b: u32, c: u32| -> u32 {
            // a × b / c, rounded down, without overflow.
            u32::try_from(u64::from(a) * u64::from(b) / u64::from(c.max(1))).unwrap_or(u32::MAX)
        };
        let resize = |w: u32, h: u32| Plan {
            crop: None,
            resize: Some((w, h)),
        };
        match op {
            Op::Scale(w, h) => resize(w, h),
            Op::FitWidth(w) => resize(w, proportional(orig_h, w, orig_w)),
            Op::FitHeight(h) => resize(proportional(orig_w, h, orig_h), h),
            Op::Fit(w, h) => {
                if orig_w <= w && orig_h <= h {
                    return Plan::default();
                }
                if u64::from(orig_w) * u64::from(h) > u64::from(orig_h) * u64::from(w) {
                    Plan::new(Op::FitWidth(w), (orig_w, orig_h))
                } else {
                    Plan::new(Op::FitHeight(h), (orig_w, orig_h))
                }
            }
            Op::Fill(w, h) => {
                let factor_w = orig_w as f32 / w as f32;
                let factor_h = orig_h as f32 / h as f32;
                if (factor_w - factor_h).abs() <= 0.1 {
                    return resize(w, h);
                }
                let (crop_w, crop_h) = if factor_w < factor_h {
                    (orig_w, ((factor_w * h as f32).round() as u32).min(orig_h))
                } else {
                    (((factor_h * w as f32).round() as u32).min(orig_w), orig_h)
                };
                Plan {
                    crop: Some(((orig_w - crop_w) / 2, (orig_h - crop_h) / 2, crop_w, crop_h)),
                    resize: Some((w, h)),
                }
            }
        }
    }

    /// The size of the result of this plan on an image of `size`.
    pub(crate) fn size(&self, size: (u32, u32)) -> (u32, u32) {
        self.resize
            .or(self.crop.map(|(_, _, w, h)| (w, h)))
            .unwrap_or(size)
    }

    /// An error for a result that cannot be made: a side of 0 pixels, or
    /// larger than [`MAX_PIXELS`] or than the format allows.
    pub(crate) fn check(&self, size: (u32, u32), format: &Format) -> Result<(), String> {
        let (w, h) = self.size(size);
        if w == 0 || h == 0 {
            return Err(format!(
                "the result would be {w}×{h} pixels: an image needs at least one pixel each way"
            ));
        }
        let side = match format {
            Format::WebP { .. } => 16_383,
            _ => 65_535,
        };
        if w > side || h > side {
            return Err(format!(
                "the result would be {w}×{h} pixels; {} images can be at most {side} pixels on a side",
                format.extension().to_uppercase()
            ));
        }
        if u64::from(w) * u64::from(h) > MAX_PIXELS {
            return Err(format!(
                "the result would be {w}×{h} pixels; throughline makes images of at most {} megapixels",
                MAX_PIXELS / 1_000_000
            ));
        }
        Ok(())
    }
}

/// The name Zola 0.22 gives a processed image: `{stem}.{hash}.{ext}`, the
/// hash being SipHash-1-3 with zero keys (what Rust's `DefaultHasher`
/// is) of the path as the template wrote it (`@/` made `content/`, a
/// leading `/` dropped), the operation and the format, written as 16 hex
/// digits.
pub(crate) fn file_name(stem: &str, unified: &str, op: &Op, format: &Format) -> String {
    let mut h = siphasher::sip::SipHasher13::new_with_keys(0, 0);
    h.write(unified.as_bytes());
    op.zola_hash(&mut h);
    format.zola_hash(&mut h);
    format!("{stem}.{:016x}.{}", h.finish(), format.extension())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_zolas() {
        // Zola 0.22.1's own test (components/templates, images.rs): a
        // 40×40 fill of `static/gutenberg.jpg` as JPEG at quality 75.
        let f = Format::from_args(true, "auto", None, None).unwrap();
        assert_eq!(
            file_name("gutenberg", "static/gutenberg.jpg", &Op::Fill(40, 40), &f),
            "gutenberg.e99218b5a3185c99.jpg"
        );
    }

    #[test]
    fn plans_follow_zolas_arithmetic() {
        assert_eq!(
            Plan::new(Op::FitWidth(100), (300, 200)).resize,
            Some((100, 66))
        );
        assert_eq!(
            Plan::new(Op::FitHeight(100), (300, 200)).resize,
            Some((150, 100))
        );
        assert_eq!(Plan::new(Op::Fit(1000, 1000), (300, 200)), Plan::default());
        assert_eq!(
            Plan::new(Op::Fit(150, 150), (300, 200)).resize,
            Some((150, 100))
        );
        assert_eq!(
            Plan::new(Op::Fit(150, 150), (200, 300)).resize,
            Some((100, 150))
        );
        let fill = Plan::new(Op::Fill(100, 100), (300, 200));
        assert_eq!(fill.crop, Some((50, 0, 200, 200)));
        assert_eq!(fill.resize, Some((100, 100)));
        // Near enough in proportion: scaled, not cropped.
        assert_eq!(Plan::new(Op::Fill(301, 200), (300, 200)).crop, None);
    }

    #[test]
    fn bad_arguments_are_errors() {
        assert!(Op::from_args("fill", Some(0), Some(10))
            .unwrap_err()
            .contains("at least 1"));
        assert!(Op::from_args("fit_width", None, Some(10))
            .unwrap_err()
            .contains("`width`"));
        assert!(Op::from_args("fil", Some(1), Some(1))
            .unwrap_err()
            .contains("did you mean \"fill\""));
        assert!(Format::from_args(true, "gif", None, None).is_err());
        assert!(Format::from_args(true, "jpg", Some(0), None).is_err());
        assert!(Format::from_args(true, "avif", None, Some(11)).is_err());
        let huge = Plan::new(Op::Scale(100_000, 100_000), (10, 10));
        assert!(huge.check((10, 10), &Format::Png).is_err());
        let flat = Plan::new(Op::FitWidth(10), (10_000, 1));
        assert!(flat
            .check((10_000, 1), &Format::Png)
            .unwrap_err()
            .contains("10×0"));
        let wide = Plan::new(Op::Scale(20_000, 10), (10, 10));
        assert!(wide
            .check((10, 10), &Format::WebP { quality: None })
            .is_err());
        assert!(wide.check((10, 10), &Format::Png).is_ok());
    }
}
