//! Feed previews drawn from real compositor thumbnails: sizes, where the thumbnails land,
//! themes. With `ROUTIX_FEED_OUT=dir` the PNGs are written there to look at.

use image::DynamicImage;
use routix_render::{
    encode, render, render_feed, Feed, FeedCard, FeedLayout, FeedTheme, OutputFormat,
    RenderRequest, TemplateLibrary,
};

fn thumbnail(title: &str, mirror: bool, pick: usize) -> DynamicImage {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../templates");
    let library = TemplateLibrary::load_dir(std::path::Path::new(dir)).unwrap();
    let template = &library.all()[pick];
    let mut req = RenderRequest::titled(title);
    req.mirror = mirror;
    req.subjects = vec!["🎮".into()];
    DynamicImage::ImageRgba8(render(template, &req).unwrap().image)
}

fn card(
    title: &str,
    image: Option<DynamicImage>,
    channel: &str,
    meta: &str,
    duration: &str,
) -> FeedCard {
    FeedCard {
        image,
        title: title.into(),
        channel: channel.into(),
        meta: meta.into(),
        duration: duration.into(),
    }
}

#[test]
fn feeds_show_the_thumbnail_where_they_say() {
    let out = std::env::var_os("ROUTIX_FEED_OUT");
    let en = thumbnail("NEW SEASON", false, 3);
    let en2 = thumbnail("BOSS FIGHT", false, 9);
    let fa = thumbnail("فصل جدید", true, 3);
    for layout in [FeedLayout::Home, FeedLayout::Search, FeedLayout::Mobile] {
        for theme in [FeedTheme::Light, FeedTheme::Dark] {
            for rtl in [false, true] {
                let featured = if rtl {
                    vec![card(
                        "فصل جدید بازی شروع شد؛ همه چیز درباره‌ی آپدیت بزرگ",
                        Some(fa.clone()),
                        "مریم",
                        "۱۲ هزار بازدید • ۳ روز پیش",
                        "۱۲:۳۴",
                    )]
                } else {
                    vec![
                        card("NEW SEASON is here — everything that changed in the biggest update yet", Some(en.clone()), "Routix Labs", "12K views · 3 days ago", "12:34"),
                        card("NEW SEASON", Some(en2.clone()), "Routix Labs", "12K views · 3 days ago", "12:34"),
                    ]
                };
                let neighbours = vec![card(
                    "Boss fight in a dark castle",
                    Some(en2.clone()),
                    "Routix Labs",
                    "980 views · 2 weeks ago",
                    "8:02",
                )];
                let feed = Feed {
                    layout,
                    theme,
                    rtl,
                    featured,
                    neighbours,
                };
                let p = render_feed(&feed).unwrap();
                let [x, y, w, h] = p.thumbnails[0];
                // The middle of the first thumbnail holds the thumbnail's own middle.
                let want = feed.featured[0]
                    .image
                    .as_ref()
                    .unwrap()
                    .resize_exact(w, h, image::imageops::FilterType::Triangle)
                    .to_rgba8();
                let (cx, cy) = (w / 3, h / 3);
                let got = p.image.get_pixel(x + cx, y + cy).0;
                let exp = want.get_pixel(cx, cy).0;
                let close = got
                    .iter()
                    .zip(exp)
                    .take(3)
                    .all(|(a, b)| (i16::from(*a) - i16::from(b)).abs() < 40);
                assert!(close, "{layout:?} {theme:?} rtl={rtl}: {got:?} vs {exp:?}");
                if let Some(dir) = &out {
                    let name = format!(
                        "{layout:?}-{theme:?}-{}.png",
                        if rtl { "rtl" } else { "ltr" }
                    )
                    .to_lowercase();
                    std::fs::write(
                        std::path::Path::new(dir).join(name),
                        encode(&p.image, OutputFormat::Png, 100).unwrap(),
                    )
                    .unwrap();
                }
            }
        }
    }
}
