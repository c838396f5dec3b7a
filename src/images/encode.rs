//! The expensive part, run after the render: decode an image, turn it
//! upright as its EXIF orientation says, crop and resize it as its plan
//! says (Lanczos 3, as Zola), and encode it. Also reads what a template
//! call needs cheaply: the size (upright) and whether the source is lossy.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageFormat, ImageReader};

use super::plan::{Format, Plan};

/// What a template call needs to know of a source image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Meta {
    /// Width and height, upright (swapped for EXIF orientations 5 to 8).
    pub size: (u32, u32),
    /// Whether `format = "auto"` makes a JPEG of it (else a PNG).
    pub lossy: bool,
}

/// The EXIF orientation (1 to 8) in an EXIF block, read as Zola reads it
/// (kamadak-exif, the primary image's tag).
pub(crate) fn orientation(exif: Option<&[u8]>) -> Option<u32> {
    let data = exif::Reader::new().read_raw(exif?.to_vec()).ok()?;
    data.get_field(exif::Tag::Orientation, exif::In::PRIMARY)?
        .value
        .get_uint(0)
}

/// Whether an orientation turns the image a quarter turn (so the width and
/// height swap).
pub(crate) fn turns(orientation: Option<u32>) -> bool {
    matches!(orientation, Some(5..=8))
}

fn decoder(bytes: &[u8]) -> Result<(Option<ImageFormat>, impl ImageDecoder + '_), String> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let format = reader.format();
    if format.is_none() {
        return Err("it is not an image throughline can read (JPEG, PNG, WebP or GIF)".into());
    }
    let d = reader.into_decoder().map_err(|e| e.to_string())?;
    Ok((format, d))
}

/// Size (upright) and lossiness, from the image's header: nothing is
/// decoded.
pub(crate) fn meta(bytes: &[u8]) -> Result<Meta, String> {
    let (format, mut d) = decoder(bytes)?;
    let (w, h) = d.dimensions();
    let exif = d.exif_metadata().unwrap_or(None);
    let size = if turns(orientation(exif.as_deref())) {
        (h, w)
    } else {
        (w, h)
    };
    use ImageFormat::*;
    let lossy = !matches!(
        format.unwrap_or(Jpeg),
        Png | Pnm | Tiff | Tga | Bmp | Ico | Hdr | Farbfeld
    );
    Ok(Meta { size, lossy })
}

/// Whether a JPEG reaches its end-of-image marker: the segments are
/// followed from the start, and each scan's data (where a 0xFF byte is
/// always followed by 0x00 or a restart marker) to the marker after it.
fn jpeg_is_whole(b: &[u8]) -> bool {
    if !b.starts_with(&[0xFF, 0xD8]) {
        return false;
    }
    let mut i = 2;
    while i + 1 < b.len() {
        if b[i] != 0xFF {
            return false;
        }
        let marker = b[i + 1];
        match marker {
            0xD9 => return true,
            // Fill bytes, and markers without a length.
            0xFF => {
                i += 1;
                continue;
            }
            0x01 | 0xD0..=0xD7 => {
                i += 2;
                continue;
            }
            _ => {}
        }
        let Some(len) = b
            .get(i + 2..i + 4)
            .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
        else {
            return false;
        };
        i += 2 + len;
        if marker == 0xDA {
            // Scan data, to the next marker that is not a restart.
            loop {
                match b.get(i..i + 2) {
                    None => return false,
                    Some([0xFF, 0x00]) | Some([0xFF, 0xD0..=0xD7]) => i += 2,
                    Some([0xFF, _]) => break,
                    Some(_) => i += 1,
                }
            }
        }
    }
    false
}

/// The image turned upright, as Zola turns it for each orientation.
fn upright(img: DynamicImage, orientation: Option<u32>) -> DynamicImage {
    match orientation {
        Some(2) => img.fliph(),
        Some(3) => img.rotate180(),
        Some(4) => img.flipv(),
        Some(5) => img.fliph().rotate270(),
        Some(6) => img.rotate90(),
        Some(7) => img.fliph().rotate90(),
        Some(8) => img.rotate270(),
        _ => img,
    }
}

/// Decode `bytes`, apply `plan` and encode as `format`. Errors are
/// sentences for the person who wrote the template.
pub(crate) fn process(bytes: &[u8], plan: &Plan, format: &Format) -> Result<Vec<u8>, String> {
    let (source, mut d) = decoder(bytes)?;
    if source == Some(ImageFormat::Jpeg) && !jpeg_is_whole(bytes) {
        // The JPEG decoder fills a cut-short file with grey and says
        // nothing; a half-grey photo on the site is worse than an error.
        return Err("the JPEG is cut short (it has no end-of-image marker)".into());
    }
    let icc = d.icc_profile().ok().flatten();
    let exif = d.exif_metadata().unwrap_or(None);
    let img = DynamicImage::from_decoder(d).map_err(|e| e.to_string())?;
    let mut img = upright(img, orientation(exif.as_deref()));
    if let Some((x, y, w, h)) = plan.crop {
        img = img.crop_imm(x, y, w, h);
    }
    if let Some((w, h)) = plan.resize {
        img = img.resize_exact(w, h, image::imageops::FilterType::Lanczos3);
    }
    let mut out = Vec::new();
    let with_icc = |e: &mut dyn ImageEncoder| {
        if let Some(p) = &icc {
            // An encoder that cannot carry the profile writes without it,
            // as in Zola.
            let _ = e.set_icc_profile(p.clone());
        }
    };
    match *format {
        Format::Png => {
            let mut e = image::codecs::png::PngEncoder::new(&mut out);
            with_icc(&mut e);
            img.write_with_encoder(e).map_err(|e| e.to_string())?;
        }
        Format::Jpeg { quality } => {
            let mut e = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
            with_icc(&mut e);
            // Zola encodes the RGBA view, so an alpha channel is dropped
            // (not blended) the same way.
            e.encode_image(&img).map_err(|e| e.to_string())?;
        }
        Format::WebP { quality: None } if icc.is_some() => {
            // Lossless with a colour profile: `image`'s encoder keeps it.
            let mut e = image::codecs::webp::WebPEncoder::new_lossless(&mut out);
            with_icc(&mut e);
            img.write_with_encoder(e).map_err(|e| e.to_string())?;
        }
        Format::WebP { quality } => {
            // libwebp takes 8-bit RGB or RGBA only.
            let img = match img {
                DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_) => img,
                other if other.color().has_alpha() => DynamicImage::ImageRgba8(other.to_rgba8()),
                other => DynamicImage::ImageRgb8(other.to_rgb8()),
            };
            let e = webp::Encoder::from_image(&img).map_err(str::to_string)?;
            let mem = e
                .encode_simple(quality.is_none(), quality.map_or(75.0, f32::from))
                .map_err(|e| format!("the WebP encoder failed ({e:?})"))?;
            out.extend_from_slice(&mem);
        }
        Format::Avif { quality, speed } => {
            let mut e =
                image::codecs::avif::AvifEncoder::new_with_speed_quality(&mut out, speed, quality);
            with_icc(&mut e);
            img.write_with_encoder(e).map_err(|e| e.to_string())?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_short_jpeg_is_found() {
        let img = image::RgbImage::from_fn(200, 150, |x, y| {
            image::Rgb([x as u8, y as u8, (x ^ y) as u8])
        });
        let mut whole = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut whole)
            .encode_image(&img)
            .unwrap();
        assert!(jpeg_is_whole(&whole));
        for cut in [whole.len() - 2, whole.len() / 2, 20, 3] {
            assert!(!jpeg_is_whole(&whole[..cut]), "cut at {cut}");
        }
        let plan = Plan::default();
        let err = process(&whole[..whole.len() / 2], &plan, &Format::Png).unwrap_err();
        assert!(err.contains("cut short"), "{err}");
        assert!(process(&whole, &plan, &Format::Png).is_ok());
        assert!(process(b"GIF89a", &plan, &Format::Png).is_err());
    }
}
