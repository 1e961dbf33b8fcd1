//! QR codes of rating links, as SVG (posters, receipts) and PNG (systems that cannot embed SVG).

use axum::{
    http::header,
    response::{IntoResponse, Response},
};
use qrcode::{EcLevel, QrCode, render::svg};

fn code(url: &str) -> QrCode {
    // Level M survives a creased receipt; links are short enough that M stays a small code.
    QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .or_else(|_| QrCode::new(url.as_bytes()))
        .expect("a URL of a few hundred bytes fits a QR code")
}

/// The QR code as an SVG document.
pub fn svg(url: &str) -> String {
    code(url)
        .render::<svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build()
}

/// The QR code as a PNG, 8 pixels a module with a 4-module quiet zone.
pub fn png(url: &str) -> Vec<u8> {
    const SCALE: usize = 8;
    const QUIET: usize = 4;
    let code = code(url);
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (mx, my) = (i % modules + QUIET, i / modules + QUIET);
            for y in my * SCALE..(my + 1) * SCALE {
                pixels[y * side + mx * SCALE..y * side + (mx + 1) * SCALE].fill(0);
            }
        }
    }
    let mut out = Vec::new();
    let side = u32::try_from(side).expect("QR images are small");
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().expect("writing to memory");
    writer.write_image_data(&pixels).expect("writing to memory");
    writer.finish().expect("writing to memory");
    out
}

pub(crate) fn svg_response(url: &str) -> Response {
    ([(header::CONTENT_TYPE, "image/svg+xml")], svg(url)).into_response()
}

pub(crate) fn png_response(url: &str) -> Response {
    ([(header::CONTENT_TYPE, "image/png")], png(url)).into_response()
}
