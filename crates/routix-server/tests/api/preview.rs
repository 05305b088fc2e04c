//! Preview in context: the feed PNG (home, search, mobile; light, dark; mirrored for
//! Persian) with the thumbnail where the `routix-thumbnails` header says it is.

use image::{imageops::FilterType, RgbaImage};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{error_code, generated, TestApp};

struct Preview {
    image: RgbaImage,
    boxes: Vec<[u32; 4]>,
}

async fn preview(app: &TestApp, token: &str, id: &str, query: &str) -> Preview {
    let res = app
        .get(
            &format!("/api/v1/generations/{id}/preview?{query}"),
            Some(token),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{query}");
    assert_eq!(res.headers()["content-type"], "image/png");
    let boxes = res.headers()["routix-thumbnails"]
        .to_str()
        .unwrap()
        .split(';')
        .map(|b| {
            let v: Vec<u32> = b.split(',').map(|n| n.parse().unwrap()).collect();
            [v[0], v[1], v[2], v[3]]
        })
        .collect();
    let bytes = res.bytes().await.unwrap();
    if let Some(dir) = std::env::var_os("ROUTIX_FEED_OUT") {
        let name = format!("{}.png", query.replace(['&', '='], "-"));
        std::fs::write(std::path::Path::new(&dir).join(name), &bytes).unwrap();
    }
    Preview {
        image: image::load_from_memory(&bytes).unwrap().to_rgba8(),
        boxes,
    }
}

/// The generation's own image, as the feed would show it in `w`x`h`.
async fn shown(app: &TestApp, token: &str, g: &Value, w: u32, h: u32) -> RgbaImage {
    let bytes = app
        .get(
            &format!(
                "/api/v1/generations/{}/download?format=png",
                g["id"].as_str().unwrap()
            ),
            Some(token),
        )
        .await
        .bytes()
        .await
        .unwrap();
    image::load_from_memory(&bytes)
        .unwrap()
        .resize_to_fill(w, h, FilterType::Triangle)
        .to_rgba8()
}

/// Mean absolute difference per channel between the box of `feed` and `want`, over the
/// middle of the box (the corners are rounded, the badge covers one).
fn difference(feed: &RgbaImage, [x, y, w, h]: [u32; 4], want: &RgbaImage) -> f64 {
    let (mut sum, mut n) = (0u64, 0u64);
    for py in (h / 6..h * 5 / 6).step_by(3) {
        for px in (w / 6..w * 5 / 6).step_by(3) {
            let a = feed.get_pixel(x + px, y + py).0;
            let b = want.get_pixel(px, py).0;
            sum += (0..3).map(|c| u64::from(a[c].abs_diff(b[c]))).sum::<u64>();
            n += 3;
        }
    }
    sum as f64 / n as f64
}

crate::both! {
    async fn each_layout_shows_the_thumbnail_at_youtubes_size_in_both_themes(app) {
        let token = app.token_for("preview@example.com").await;
        generated(&app, &token, json!({"prompt": "cooking pasta at home, text: EASY PASTA"})).await;
        let g = generated(&app, &token, json!({"prompt": "gaming video, red and black, text: NEW SEASON"})).await;
        let id = g["id"].as_str().unwrap();
        // layout, canvas size, where the first thumbnail goes.
        let cases = [
            ("home", (1160, 692), [24, 24, 360, 202]),
            ("search", (1024, 904), [24, 24, 360, 202]),
            ("mobile", (390, 945), [0, 0, 390, 219]),
        ];
        for (layout, size, place) in cases {
            let light = preview(&app, &token, id, &format!("layout={layout}&theme=light")).await;
            let dark = preview(&app, &token, id, &format!("layout={layout}&theme=dark")).await;
            for (theme, p) in [("light", &light), ("dark", &dark)] {
                assert_eq!(p.image.dimensions(), size, "{layout} {theme}");
                assert_eq!(p.boxes, [place], "{layout} {theme}");
                let want = shown(&app, &token, &g, place[2], place[3]).await;
                let diff = difference(&p.image, place, &want);
                assert!(diff < 12.0, "{layout} {theme}: the thumbnail is not where it should be ({diff})");
            }
            // The page around it: white and near-black (#0f0f0f) backgrounds.
            let corner = |p: &Preview| p.image.get_pixel(p.image.width() - 2, p.image.height() - 2).0;
            assert_eq!(corner(&light), [255, 255, 255, 255], "{layout}");
            assert_eq!(corner(&dark), [15, 15, 15, 255], "{layout}");
            let differing = light.image.pixels().zip(dark.image.pixels()).filter(|(a, b)| a != b).count();
            assert!(differing > (size.0 * size.1 / 4) as usize, "{layout}: dark looks like light");
        }
        // The neighbour is the creator's other result, not a grey box: the second home card
        // is far from flat.
        let home = preview(&app, &token, id, "layout=home&theme=light").await;
        let second = [24 + 360 + 16, 24 + 40, 360, 120];
        let mut colours: Vec<[u8; 4]> = (0..360).step_by(7).map(|x| home.image.get_pixel(second[0] + x, second[1] + 60).0).collect();
        colours.dedup();
        assert!(colours.len() > 5, "the second card looks like a placeholder");
    }

    async fn a_persian_page_is_mirrored(app) {
        let token = app.token_for("preview-fa@example.com").await;
        let res = app
            .request(Method::PATCH, "/api/v1/users/me", Some(&token))
            .json(&json!({"display_name": "مریم", "locale": "fa"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let g = generated(&app, &token, json!({"prompt": "ویدیوی بازی، متن: فصل جدید"})).await;
        let id = g["id"].as_str().unwrap();
        let home = preview(&app, &token, id, "layout=home&theme=dark").await;
        // The first card is the rightmost one.
        assert_eq!(home.boxes, [[1160 - 24 - 360, 24, 360, 202]]);
        let want = shown(&app, &token, &g, 360, 202).await;
        assert!(difference(&home.image, home.boxes[0], &want) < 12.0);
        let search = preview(&app, &token, id, "layout=search&theme=light").await;
        assert_eq!(search.boxes, [[1024 - 24 - 360, 24, 360, 202]]);
        // The duration badge moves to the bottom-left corner: dark there, not at the right.
        let [x, y, w, h] = search.boxes[0];
        // (10 px in: inside the badge's padding, where no digit is drawn.)
        let dark = |px: u32, py: u32| { let p = search.image.get_pixel(px, py).0; p[0] < 56 && p[1] < 56 && p[2] < 56 };
        assert!(dark(x + 10, y + h - 10), "no badge bottom-left");
        let right = want.get_pixel(w - 10, h - 10).0;
        let there = search.image.get_pixel(x + w - 10, y + h - 10).0;
        assert!((0..3).all(|c| right[c].abs_diff(there[c]) < 40), "the badge is still bottom-right");
    }

    async fn variants_stand_side_by_side(app) {
        let token = app.token_for("preview-variants@example.com").await;
        let g = generated(&app, &token, json!({"prompt": "my dog reacts to a robot vacuum", "variants": 3})).await;
        let id = g["id"].as_str().unwrap();
        let all = preview(&app, &token, id, "layout=home").await;
        assert_eq!(all.boxes, [[24, 24, 360, 202], [400, 24, 360, 202], [776, 24, 360, 202]]);
        let some = preview(&app, &token, id, "layout=mobile&variants=2,0").await;
        assert_eq!(some.boxes.len(), 2);
        // The first shown is variant 2: its picture, not the main one.
        let v2 = app.get(&format!("/api/v1/generations/{id}/download?format=png&variant=2"), Some(&token)).await.bytes().await.unwrap();
        let v2 = image::load_from_memory(&v2).unwrap().resize_to_fill(390, 219, FilterType::Triangle).to_rgba8();
        let main = shown(&app, &token, &g, 390, 219).await;
        assert!(difference(&some.image, some.boxes[0], &v2) < difference(&some.image, some.boxes[0], &main));
        let res = app.get(&format!("/api/v1/generations/{id}/preview?variants=7"), Some(&token)).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = app.get(&format!("/api/v1/generations/{id}/preview?variants=0,1,2,0,1"), Some(&token)).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    async fn preview_refuses_strangers_and_bad_choices(app) {
        let token = app.token_for("preview-owner@example.com").await;
        let g = generated(&app, &token, json!({"prompt": "travel vlog, japan, text: TOKYO"})).await;
        let id = g["id"].as_str().unwrap();
        let stranger = app.token_for("preview-stranger@example.com").await;
        let res = app.get(&format!("/api/v1/generations/{id}/preview"), Some(&stranger)).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        // Nor can a stranger slip it in beside their own.
        let theirs = generated(&app, &stranger, json!({"prompt": "cooking pasta at home"})).await;
        let res = app.get(&format!("/api/v1/generations/{}/preview?variants=0,{id}", theirs["id"].as_str().unwrap()), Some(&stranger)).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert_eq!(app.get(&format!("/api/v1/generations/{id}/preview"), None).await.status(), StatusCode::UNAUTHORIZED);
        for query in ["layout=tv", "layout=", "theme=sepia", "variants=first"] {
            let res = app.get(&format!("/api/v1/generations/{id}/preview?{query}"), Some(&token)).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{query}");
            assert_eq!(error_code(res).await, "validation_error");
        }
    }
}
