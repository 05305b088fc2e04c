//! Encoding, optimisation and the watermark. Every encoded thumbnail stays within YouTube's
//! 2 MB: JPEG and WebP step their quality down until it fits; PNG (lossless) is compressed
//! hardest and, if still too big, its colours are reduced.

use image::{codecs::png::PngEncoder, imageops::FilterType, DynamicImage, ImageEncoder, RgbaImage};
use routix_core::Rgb;
use tiny_skia::Pixmap;

use crate::{
    draw::{pill, to_image, to_pixmap},
    fonts::fonts,
    template::{Align, FontChoice, VAlign},
    text::{self, FitRequest},
    RenderError,
};

/// YouTube's limit for custom thumbnails.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Jpeg,
    Webp,
    Png,
}

impl OutputFormat {
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Jpeg => "jpeg",
            OutputFormat::Webp => "webp",
            OutputFormat::Png => "png",
        }
    }

    pub fn parse(s: &str) -> Option<OutputFormat> {
        match s.to_ascii_lowercase().as_str() {
            "jpeg" | "jpg" => Some(OutputFormat::Jpeg),
            "webp" => Some(OutputFormat::Webp),
            "png" => Some(OutputFormat::Png),
            _ => None,
        }
    }
}

/// Encodes `img` at `quality` (1-100; ignored for PNG), lowering it until the result is at
/// most 2 MB.
pub fn encode(img: &RgbaImage, format: OutputFormat, quality: u8) -> Result<Vec<u8>, RenderError> {
    let fail = |reason: String| RenderError::Encode {
        format: format.name(),
        reason,
    };
    match format {
        OutputFormat::Jpeg | OutputFormat::Webp => {
            let mut q = quality.clamp(1, 100);
            loop {
                let bytes = match format {
                    OutputFormat::Jpeg => jpeg(img, q).map_err(fail)?,
                    _ => webp::Encoder::from_rgba(img.as_raw(), img.width(), img.height())
                        .encode(q as f32)
                        .to_vec(),
                };
                if bytes.len() <= MAX_BYTES || q <= 20 {
                    return if bytes.len() <= MAX_BYTES {
                        Ok(bytes)
                    } else {
                        Err(fail("cannot get under 2 MB".into()))
                    };
                }
                q = q.saturating_sub(10).max(20);
            }
        }
        OutputFormat::Png => {
            let bytes = png(img).map_err(fail)?;
            if bytes.len() <= MAX_BYTES {
                return Ok(bytes);
            }
            // Posterise gently (5 bits per channel) so the lossless encoder can fit 2 MB.
            let mut reduced = img.clone();
            for shift in [3u8, 4] {
                for p in reduced.pixels_mut() {
                    for c in 0..3 {
                        p.0[c] = (p.0[c] >> shift) << shift;
                    }
                }
                let bytes = png(&reduced).map_err(fail)?;
                if bytes.len() <= MAX_BYTES {
                    return Ok(bytes);
                }
            }
            Err(fail("cannot get under 2 MB".into()))
        }
    }
}

fn jpeg(img: &RgbaImage, quality: u8) -> Result<Vec<u8>, String> {
    // jpeg-encoder (SIMD) is several times faster than image's baseline encoder.
    let (w, h) = (
        u16::try_from(img.width()).map_err(|_| "too wide for JPEG".to_string())?,
        u16::try_from(img.height()).map_err(|_| "too tall for JPEG".to_string())?,
    );
    let mut out = Vec::with_capacity(256 * 1024);
    jpeg_encoder::Encoder::new(&mut out, quality)
        .encode(img.as_raw(), w, h, jpeg_encoder::ColorType::Rgba)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

fn png(img: &RgbaImage) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    // Thumbnails are opaque: drop the alpha channel to save a quarter of the bytes.
    let rgb = to_rgb(img);
    PngEncoder::new_with_quality(
        &mut out,
        image::codecs::png::CompressionType::Best,
        image::codecs::png::FilterType::Adaptive,
    )
    .write_image(
        rgb.as_raw(),
        rgb.width(),
        rgb.height(),
        image::ExtendedColorType::Rgb8,
    )
    .map_err(|e| e.to_string())?;
    Ok(out)
}

/// Drops alpha without an intermediate copy of the RGBA image.
fn to_rgb(img: &RgbaImage) -> image::RgbImage {
    let mut out = Vec::with_capacity(img.as_raw().len() / 4 * 3);
    for px in img.as_raw().chunks_exact(4) {
        out.extend_from_slice(&px[..3]);
    }
    image::RgbImage::from_raw(img.width(), img.height(), out)
        .unwrap_or_else(|| image::RgbImage::new(img.width(), img.height()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Fill the target, cropping the overflow (centred).
    Cover,
    /// Fit inside the target, padding with the background.
    Contain,
}

/// Makes any image (a provider's artwork, an upload) a `width`x`height` picture: decoded,
/// resampled with Lanczos3, alpha flattened onto `background`, encoded as `format`.
pub fn optimize(
    bytes: &[u8],
    (width, height): (u32, u32),
    fit: Fit,
    background: Rgb,
    format: OutputFormat,
) -> Result<(RgbaImage, Vec<u8>), RenderError> {
    let img = image::load_from_memory(bytes).map_err(|e| RenderError::BadImage(e.to_string()))?;
    let fitted = fit_image(&img, (width, height), fit, background);
    let encoded = encode(&fitted, format, 85)?;
    Ok((fitted, encoded))
}

/// The pixel half of `optimize`.
pub fn fit_image(
    img: &DynamicImage,
    (width, height): (u32, u32),
    fit: Fit,
    background: Rgb,
) -> RgbaImage {
    let mut canvas = RgbaImage::from_pixel(
        width,
        height,
        image::Rgba([background.r, background.g, background.b, 255]),
    );
    let resized = match fit {
        Fit::Cover => img.resize_to_fill(width, height, FilterType::Lanczos3),
        Fit::Contain => img.resize(width, height, FilterType::Lanczos3),
    };
    let x = (width.saturating_sub(resized.width())) / 2;
    let y = (height.saturating_sub(resized.height())) / 2;
    image::imageops::overlay(&mut canvas, &resized.to_rgba8(), i64::from(x), i64::from(y));
    // The background is opaque, so the result is too (the blend can round to 254).
    for p in canvas.pixels_mut() {
        p.0[3] = 255;
    }
    canvas
}

/// Stamps `text` in the bottom-right corner, semi-transparent on a soft dark pill.
pub fn watermark(img: &RgbaImage, text: &str) -> Result<RgbaImage, RenderError> {
    let mut canvas = to_pixmap(img).ok_or(RenderError::BadSize {
        width: img.width(),
        height: img.height(),
    })?;
    draw_watermark(&mut canvas, text)?;
    Ok(to_image(canvas))
}

pub(crate) fn draw_watermark(canvas: &mut Pixmap, text: &str) -> Result<(), RenderError> {
    let fonts = fonts()?;
    let face = fonts.pick(FontChoice::Sans, text);
    let (w, h) = (canvas.width() as f32, canvas.height() as f32);
    let size = (h * 0.038).max(10.0);
    let box_w = w * 0.4;
    // Bottom left: YouTube covers the bottom right with the video's duration.
    let area = [size * 1.4, h - size * 2.6, box_w, size * 1.6];
    let fitted = text::fit(
        face,
        &FitRequest {
            slot: "watermark",
            text,
            area,
            size,
            min_size: size * 0.5,
            max_lines: 1,
            line_height: 1.2,
            align: Align::Start,
            valign: VAlign::Center,
        },
    )?;
    if let Some(line) = fitted.layout.lines.first() {
        let pad = fitted.layout.size * 0.6;
        pill(
            canvas,
            [line.x - pad, line.y, line.width + 2.0 * pad, line.height],
            Rgb::new(0, 0, 0),
            0.35,
        );
    }
    for &(i, x, baseline, scale) in &fitted.placements {
        if let Some(path) = text::word_path(face, &fitted.words[i], x, baseline, scale) {
            let mut paint = tiny_skia::Paint::default();
            paint.set_color(tiny_skia::Color::from_rgba8(255, 255, 255, 170));
            paint.anti_alias = true;
            canvas.fill_path(
                &path,
                &paint,
                tiny_skia::FillRule::Winding,
                tiny_skia::Transform::identity(),
                None,
            );
        }
    }
    Ok(())
}
