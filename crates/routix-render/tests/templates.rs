//! Every built-in template, with English, long and Persian titles: right size, within 2 MB,
//! text inside its box, no panic. Set ROUTIX_PREVIEW_DIR to keep the PNGs for a look.

use image::{DynamicImage, Rgba, RgbaImage};
use routix_core::{Category, Rgb};
use routix_render::{
    encode, render, Layer, OutputFormat, RenderError, RenderRequest, Slot, Template,
    TemplateLibrary, MAX_BYTES,
};

const TITLES: [&str; 3] = [
    "NEW SEASON",
    "I Survived 100 Days in Hardcore Minecraft and This Happened",
    "فصل جدید بازی با iPhone 17",
];

fn photo() -> DynamicImage {
    DynamicImage::ImageRgba8(RgbaImage::from_fn(900, 700, |x, y| {
        Rgba([
            (x * 255 / 900) as u8,
            (y * 255 / 700) as u8,
            ((x + y) % 256) as u8,
            255,
        ])
    }))
}

#[test]
fn library_has_enough_templates_and_categories() {
    let lib = TemplateLibrary::builtin().unwrap();
    assert!(lib.all().len() >= 40, "{}", lib.all().len());
    // Every category has two designs that differ in composition — where the headline and
    // the subject sit — not only in colour.
    let composition = |t: &routix_render::Template| {
        let cell = |a: &[f32; 4]| {
            (
                ((a[0] + a[2] / 2.0) / 213.0) as i32,
                ((a[1] + a[3] / 2.0) / 180.0) as i32,
                (a[2] / 320.0) as i32,
            )
        };
        let mut places: Vec<(u8, (i32, i32, i32))> = t
            .layers
            .iter()
            .filter_map(|l| match l {
                Layer::Text {
                    slot: Slot::Headline,
                    area,
                    ..
                } => Some((0, cell(area))),
                Layer::Subject { area, .. } | Layer::Image { area, .. } => Some((1, cell(area))),
                _ => None,
            })
            .collect();
        places.sort();
        places
    };
    for category in Category::ALL {
        let mut shapes: Vec<_> = lib
            .all()
            .iter()
            .filter(|t| t.meta.category == category)
            .map(composition)
            .collect();
        shapes.sort();
        shapes.dedup();
        assert!(
            shapes.len() >= 2,
            "{}: fewer than two compositions",
            category.as_str()
        );
    }
    // Persian creators browse the bank in Persian.
    for t in lib.all() {
        let fa = t.meta.translations.get("fa");
        assert!(
            fa.is_some_and(|fa| fa
                .name
                .chars()
                .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
                && !fa.description.is_empty()),
            "{} has no Persian name and description",
            t.meta.id
        );
        assert_eq!(t.meta.name_in("fa"), fa.unwrap().name);
        assert_eq!(t.meta.name_in("de"), t.meta.name);
    }
}

#[test]
fn every_template_renders_every_title_within_its_box() {
    let lib = TemplateLibrary::builtin().unwrap();
    let dir = std::env::var_os("ROUTIX_PREVIEW_DIR").map(std::path::PathBuf::from);
    for t in lib.all() {
        for (n, title) in TITLES.iter().enumerate() {
            let mut req = RenderRequest::titled(*title);
            req.subtitle = Some("Episode 12".into());
            req.badge = Some("NEW".into());
            if n == 1 {
                req.image = Some(photo());
                req.watermark = Some("Made with Routix".into());
            }
            let out = render(t, &req).unwrap_or_else(|e| panic!("{} / {title}: {e}", t.meta.id));
            assert_eq!(out.image.dimensions(), (1280, 720));
            assert!(!out.layout.texts.is_empty());
            for text in &out.layout.texts {
                assert!(
                    text.fits(),
                    "{} / {title}: {} text outside its box: {text:?}",
                    t.meta.id,
                    text.slot
                );
                let [x, y, w, h] = text.area;
                assert!(
                    x >= 0.0 && y >= 0.0 && x + w <= 1280.0 && y + h <= 720.0,
                    "{}: box off canvas",
                    t.meta.id
                );
            }
            let jpeg = encode(&out.image, OutputFormat::Jpeg, 85).unwrap();
            assert!(jpeg.len() <= MAX_BYTES);
            if let Some(dir) = &dir {
                std::fs::create_dir_all(dir).unwrap();
                out.image
                    .save(dir.join(format!("{}-{n}.png", t.meta.id)))
                    .unwrap();
            }
        }
    }
}

#[test]
fn all_formats_stay_under_two_megabytes_and_any_size_renders() {
    let lib = TemplateLibrary::builtin().unwrap();
    let t = lib.get("travel-postcard").unwrap();
    let mut req = RenderRequest::titled("Tokyo in 48 hours");
    req.image = Some(photo());
    let out = render(t, &req).unwrap();
    for f in [OutputFormat::Jpeg, OutputFormat::Webp, OutputFormat::Png] {
        let bytes = encode(&out.image, f, 85).unwrap();
        assert!(bytes.len() <= MAX_BYTES, "{f:?} {}", bytes.len());
        let back = image::load_from_memory(&bytes).unwrap();
        assert_eq!(back.width(), 1280);
    }
    req.width = 1920;
    req.height = 1080;
    let big = render(t, &req).unwrap();
    assert_eq!(big.image.dimensions(), (1920, 1080));
    req.width = 5;
    assert!(matches!(render(t, &req), Err(RenderError::BadSize { .. })));
}

#[test]
fn palette_override_recolours_the_design() {
    let lib = TemplateLibrary::builtin().unwrap();
    let t = lib.get("general-bold-type").unwrap();
    let plain = render(t, &RenderRequest::titled("HELLO")).unwrap();
    let mut req = RenderRequest::titled("HELLO");
    req.palette = Some(vec![Rgb::new(229, 27, 35), Rgb::new(13, 13, 15)]);
    let red = render(t, &req).unwrap();
    let px = |img: &RgbaImage| *img.get_pixel(40, 40);
    assert_ne!(px(&plain.image), px(&red.image));
    assert!(
        px(&red.image).0[0] > px(&red.image).0[2],
        "red dominates: {:?}",
        px(&red.image)
    );
}

#[test]
fn strict_text_that_cannot_fit_is_an_error_not_a_broken_image() {
    let lib = TemplateLibrary::builtin().unwrap();
    let t = lib.get("news-breaking-bar").unwrap();
    let title = "Antidisestablishmentarianism ".repeat(12);
    let strict = RenderRequest {
        strict: true,
        ..RenderRequest::titled(title)
    };
    assert!(matches!(
        render(t, &strict),
        Err(RenderError::TextDoesNotFit { .. })
    ));
}

#[test]
fn a_long_headline_is_shortened_to_words_that_read_not_refused() {
    let lib = TemplateLibrary::builtin().unwrap();
    let title = "I tried the cheapest 100 dollar gaming laptop on amazon for thirty days straight and here is what happened";
    for t in lib.all() {
        let rendered = render(t, &RenderRequest::titled(title)).unwrap();
        let headline = rendered.layout.headline().expect("a headline is drawn");
        let drawn: Vec<&str> = headline.lines.iter().map(|l| l.text.as_str()).collect();
        let drawn = drawn.join(" ");
        let legibility = rendered.layout.legibility().unwrap();
        assert!(
            legibility.min_text_px_at_320 >= 8.0,
            "{}: {drawn:?} letters {} px at 320",
            t.meta.id,
            legibility.min_text_px_at_320
        );
    }
    // The words that sell stay: the number and the superlative.
    let t = lib.get("news-breaking-bar").unwrap();
    let rendered = render(t, &RenderRequest::titled(title)).unwrap();
    let headline = rendered.layout.headline().unwrap();
    assert_eq!(headline.shortened_from.as_deref(), Some(title));
    let drawn: String = headline
        .lines
        .iter()
        .map(|l| l.text.clone())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        drawn.contains("100") || drawn.to_lowercase().contains("cheapest"),
        "{drawn}"
    );
    // One unbreakable word too long for any size is cut with an ellipsis.
    let word = "Antidisestablishmentarianismeverlasting".repeat(3);
    let rendered = render(t, &RenderRequest::titled(word)).unwrap();
    let line = &rendered.layout.headline().unwrap().lines[0].text;
    assert!(line.ends_with('…'), "{line}");
}

#[test]
fn headlines_are_legible_at_youtube_size_on_every_template_and_palette() {
    let lib = TemplateLibrary::builtin().unwrap();
    // Palettes that fight the designs: all-white, all-black, all-yellow.
    let palettes = [
        None,
        Some(vec![Rgb::new(255, 255, 255); 3]),
        Some(vec![Rgb::new(0, 0, 0); 3]),
        Some(vec![Rgb::new(255, 214, 0); 3]),
    ];
    for t in lib.all() {
        for palette in &palettes {
            for title in ["NEW SEASON IS HERE", "فصل جدید از راه رسید"] {
                let req = RenderRequest {
                    palette: palette.clone(),
                    ..RenderRequest::titled(title)
                };
                let l = render(t, &req).unwrap().layout.legibility().unwrap();
                assert!(l.ok, "{} {palette:?} {title}: {l:?}", t.meta.id);
            }
        }
    }
}

#[test]
fn bad_template_files_name_the_file_and_field() {
    let err = Template::parse("broken.json", "{\"id\": \"x\"")
        .unwrap_err()
        .to_string();
    assert!(err.contains("broken.json"), "{err}");
    let good = include_str!("../../../templates/general-bold-type.json");
    let bad_colour = good.replace("\"#1e5eff\"", "\"blue-ish\"");
    let err = Template::parse("colour.json", &bad_colour)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("colour.json") && err.contains("blue-ish"),
        "{err}"
    );
    let bad_size = good.replace("\"min_size\": 44", "\"min_size\": 400");
    let err = Template::parse("size.json", &bad_size)
        .unwrap_err()
        .to_string();
    assert!(err.contains("min_size"), "{err}");
    let no_name = good.replace("\"name\": \"تایپ درشت\"", "\"name\": \" \"");
    let err = Template::parse("fa.json", &no_name)
        .unwrap_err()
        .to_string();
    assert!(err.contains("translations.fa.name"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.json"), &bad_colour).unwrap();
    assert!(TemplateLibrary::load_dir(dir.path()).is_err());
    assert!(TemplateLibrary::load_dir(&dir.path().join("missing")).is_err());
}

/// Found by `fuzz/fuzz_targets/template_json.rs`: a grid pattern whose `area` height is
/// past f32 (infinite once read) was drawn line by line for ever, filling the memory. A
/// pattern's area is now held to the canvas like every other box.
#[test]
fn a_pattern_area_far_off_the_canvas_is_refused_not_drawn_for_ever() {
    let template = |height: &str| {
        r##"{"id": "fuzz-grid", "name": "Grid", "category": "gaming", "styles": ["neon"],
          "mood": "competitive",
          "palette": {"primary": "#7b2ff7", "secondary": "#00d1ff", "accent": "#ff2e63"},
          "supports_rtl": true, "has_image_slot": false, "headline_chars": 20,
          "description": "A grid.", "translations": {"fa": {"name": "شبکه", "description": "شبکه"}},
          "layers": [
            {"type": "background", "fill": {"solid": "#0b0618"}},
            {"type": "pattern", "kind": "grid", "color": "secondary", "opacity": 0.18,
             "spacing": 48, "area": [640, 0, 640, HEIGHT]},
            {"type": "text", "slot": "headline", "box": [40, 470, 1200, 149], "size": 140,
             "min_size": 44, "max_lines": 2, "color": "white"}]}"##
            .replace("HEIGHT", height)
    };
    let fine = Template::parse("grid.json", &template("720")).unwrap();
    assert!(render(&fine, &RenderRequest::new(160, 90)).is_ok());
    for height in [
        "77777777777777777777777777777777777777777777777777777777777777777777777777777777777720",
        "1e9",
    ] {
        let err = Template::parse("grid.json", &template(height))
            .unwrap_err()
            .to_string();
        assert!(err.contains("layers[1].area"), "{err}");
    }
}

#[test]
fn unreadable_images_are_clear_errors() {
    let err = routix_render::optimize(
        b"not an image",
        (1280, 720),
        routix_render::Fit::Cover,
        Rgb::new(0, 0, 0),
        OutputFormat::Jpeg,
    )
    .unwrap_err();
    assert!(matches!(err, RenderError::BadImage(_)));
}

#[test]
fn optimize_covers_and_flattens() {
    let mut src = RgbaImage::from_pixel(1792, 1024, Rgba([10, 200, 30, 128]));
    src.put_pixel(0, 0, Rgba([255, 0, 0, 255]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    src.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    let (img, out) = routix_render::optimize(
        bytes.get_ref(),
        (1280, 720),
        routix_render::Fit::Cover,
        Rgb::new(255, 255, 255),
        OutputFormat::Jpeg,
    )
    .unwrap();
    assert_eq!(img.dimensions(), (1280, 720));
    assert_eq!(img.get_pixel(640, 360).0[3], 255, "alpha flattened");
    assert!(
        img.get_pixel(640, 360).0[0] > 100,
        "half-transparent green over white is light: {:?}",
        img.get_pixel(640, 360)
    );
    assert!(out.len() <= routix_render::MAX_BYTES);
}

#[test]
fn watermark_is_visible_bottom_left_clear_of_the_duration_corner() {
    let base = RgbaImage::from_pixel(1280, 720, Rgba([20, 20, 20, 255]));
    let marked = routix_render::watermark(&base, "Made with Routix").unwrap();
    let changed = |x0: u32, y0: u32| {
        (x0..x0 + 300)
            .any(|x| (y0..y0 + 60).any(|y| marked.get_pixel(x, y) != base.get_pixel(x, y)))
    };
    assert!(changed(20, 650), "bottom-left corner is marked");
    assert!(!changed(0, 0), "top-left untouched");
    // YouTube's duration badge covers the bottom right (18 % x 14 %).
    let corner =
        (1050..1280).any(|x| (620..720).any(|y| marked.get_pixel(x, y) != base.get_pixel(x, y)));
    assert!(!corner, "duration corner untouched");
}

#[test]
fn cached_static_layers_render_the_same_pixels() {
    let lib = TemplateLibrary::builtin().unwrap();
    for id in ["gaming-split-hero", "news-breaking-bar", "music-neon-stage"] {
        let t = lib.get(id).unwrap();
        let mut req = RenderRequest::titled("SAME TITLE");
        req.width = 640;
        req.height = 360;
        // The first render of a look draws everything, the second keeps its static layers,
        // the third starts from them.
        let first = render(t, &req).unwrap();
        render(t, &req).unwrap();
        let second = render(t, &req).unwrap();
        assert!(
            first.image == second.image,
            "{id}: a warm render differs from the cold one"
        );
        req.palette = Some(vec![Rgb::new(10, 200, 30)]);
        let recoloured = render(t, &req).unwrap();
        assert!(
            recoloured.image != second.image,
            "{id}: the palette is part of the cache key"
        );
    }
}

#[test]
fn emoji_in_titles_are_left_out_not_drawn_as_boxes() {
    let lib = TemplateLibrary::builtin().unwrap();
    let t = lib.get("gaming-split-hero").unwrap();
    let headline = |title: &str| {
        let out = render(t, &RenderRequest::titled(title)).unwrap();
        out.layout
            .texts
            .into_iter()
            .find(|l| l.slot == "headline")
            .map(|l| {
                l.lines
                    .into_iter()
                    .map(|line| line.text)
                    .collect::<Vec<_>>()
            })
    };
    let plain = headline("NEW SEASON");
    assert_eq!(
        plain.as_ref().map(|l| l.join(" ")).as_deref(),
        Some("NEW SEASON")
    );
    assert_eq!(headline("🔥 NEW SEASON 🔥"), plain);
    // A title of nothing but emoji draws no headline, and is no error.
    assert_eq!(headline("🔥🎮"), None);
}

#[test]
fn every_template_draws_a_large_subject_clear_of_the_duration_corner() {
    let lib = TemplateLibrary::builtin().unwrap();
    for t in lib.all() {
        // Nothing at all, then the headline, subjects and watermark: the bottom-right
        // corner YouTube covers with the duration must not change.
        let plain = RenderRequest::new(1280, 720);
        let with_dog = RenderRequest {
            title: "NEW SEASON IS HERE".into(),
            subjects: vec!["🐶".into(), "🐱".into()],
            watermark: Some("Made with Routix".into()),
            ..plain.clone()
        };
        let a = render(t, &plain).unwrap().image;
        let b = render(t, &with_dog).unwrap().image;
        let changed = |x0: u32, y0: u32, x1: u32, y1: u32| {
            let mut n = 0usize;
            for y in y0..y1 {
                for x in x0..x1 {
                    let (p, q) = (a.get_pixel(x, y), b.get_pixel(x, y));
                    if (0..3).any(|c| p[c].abs_diff(q[c]) > 40) {
                        n += 1;
                    }
                }
            }
            n
        };
        let id = &t.meta.id;
        // A large subject: tens of thousands of pixels changed.
        assert!(
            changed(0, 0, 1280, 720) > 40_000,
            "{id}: no visible subject"
        );
        // YouTube's duration badge covers the bottom-right corner.
        assert!(
            changed(1050, 620, 1280, 720) < 200,
            "{id}: something reaches the duration corner"
        );
    }
}

#[test]
fn persian_headlines_get_the_mirrored_composition() {
    let lib = TemplateLibrary::builtin().unwrap();
    let t = lib.get("gaming-split-hero").unwrap();
    let center = |title: &str| {
        let req = RenderRequest {
            subjects: vec!["🎮".into()],
            mirror: t.mirrors_for(title),
            ..RenderRequest::titled(title)
        };
        let rendered = render(t, &req).unwrap();
        let line = &rendered.layout.headline().unwrap().lines[0];
        line.x + line.width / 2.0
    };
    assert!(center("NEW SEASON") < 640.0, "English text on the left");
    assert!(center("فصل جدید") > 640.0, "Persian text on the right");
    // A mirrored design is the same design flipped: its left half is the original's right.
    let plain = render(t, &RenderRequest::new(1280, 720)).unwrap().image;
    let flipped = render(
        t,
        &RenderRequest {
            mirror: true,
            ..RenderRequest::new(1280, 720)
        },
    )
    .unwrap()
    .image;
    let mut close = 0;
    for (x, y) in [(100, 100), (300, 500), (900, 200), (1200, 650), (640, 360)] {
        let (a, b) = (plain.get_pixel(x, y), flipped.get_pixel(1279 - x, y));
        if (0..3).all(|c| a[c].abs_diff(b[c]) < 40) {
            close += 1;
        }
    }
    assert!(close >= 4, "mirrored pixels match at {close} of 5 points");
    // A headline already on the right is not mirrored.
    let right = lib.get("cooking-recipe-circle").unwrap();
    assert!(!right.mirrors_for("فصل جدید"));
}

#[test]
fn versus_templates_draw_both_sides() {
    let lib = TemplateLibrary::builtin().unwrap();
    let versus: Vec<_> = lib
        .all()
        .iter()
        .filter(|t| t.meta.styles.iter().any(|s| s == "versus"))
        .collect();
    assert!(versus.len() >= 3, "{} versus templates", versus.len());
    for t in versus {
        let subjects = |list: &[&str]| RenderRequest {
            subjects: list.iter().map(|s| s.to_string()).collect(),
            ..RenderRequest::titled("WHICH IS BETTER?")
        };
        let one = render(t, &subjects(&["🐶"])).unwrap().image;
        let two = render(t, &subjects(&["🐶", "🐱"])).unwrap().image;
        let changed = one
            .pixels()
            .zip(two.pixels())
            .filter(|(a, b)| (0..3).any(|c| a[c].abs_diff(b[c]) > 40))
            .count();
        assert!(
            changed > 20_000,
            "{}: the second subject is missing",
            t.meta.id
        );
    }
}

#[test]
fn a_creators_hazy_photo_is_made_to_pop_but_provider_art_is_placed_as_made() {
    let lib = TemplateLibrary::builtin().unwrap();
    let t = lib.get("gaming-split-hero").unwrap();
    // A grey-sky photo: every value squeezed into 90..160.
    let hazy = DynamicImage::ImageRgb8(image::RgbImage::from_fn(1600, 1200, |x, y| {
        let v = 90 + ((x / 7 + y / 5) % 70) as u8;
        image::Rgb([v, v.saturating_add(4), v.saturating_add(10)])
    }));
    let spread = |photo: bool| {
        let req = RenderRequest {
            image: Some(hazy.clone()),
            enhance_photo: photo,
            ..RenderRequest::titled("NEW SEASON")
        };
        let img = render(t, &req).unwrap().image;
        // The photo slot, clear of the headline and the accent bar.
        let mut lum: Vec<u8> = (700..1260)
            .step_by(4)
            .flat_map(|x| (40..680).step_by(4).map(move |y| (x, y)))
            .map(|(x, y)| {
                let p = img.get_pixel(x, y);
                ((u32::from(p[0]) * 3 + u32::from(p[1]) * 6 + u32::from(p[2])) / 10) as u8
            })
            .collect();
        lum.sort_unstable();
        lum[lum.len() * 99 / 100] - lum[lum.len() / 100]
    };
    let (raw, popped) = (spread(false), spread(true));
    assert!(
        f32::from(popped) > f32::from(raw) * 1.4,
        "auto-levels widen the photo's range: {raw} -> {popped}"
    );
}
