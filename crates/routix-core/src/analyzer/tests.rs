use super::*;

fn names(a: &Analysis) -> Vec<&str> {
    a.colors.iter().map(|c| c.name.as_str()).collect()
}

#[test]
fn the_sources_gaming_example_holds() {
    let a = analyze("Create a gaming thumbnail with red and black colors");
    assert_eq!(a.category, Category::Gaming);
    assert!(
        names(&a).contains(&"red") && names(&a).contains(&"black"),
        "{:?}",
        a.colors
    );
    assert_eq!(a.source, AnalysisSource::Rules);
    assert_eq!(a.direction, Direction::Ltr);
}

#[test]
fn persian_colours_and_direction() {
    let a = analyze("یک تامبنیل گیمینگ با رنگ‌های قرمز و مشکی بساز، متن: فصل جدید");
    assert_eq!(a.category, Category::Gaming);
    assert_eq!(names(&a), ["red", "black"]);
    assert_eq!(a.language, "fa");
    assert_eq!(a.direction, Direction::Rtl);
    assert_eq!(a.headline, "فصل جدید");
}

#[test]
fn headline_from_label_quotes_or_prompt() {
    assert_eq!(
        analyze("gaming video, red and black, text: NEW SEASON").headline,
        "NEW SEASON"
    );
    assert_eq!(
        analyze("tech review thumbnail saying \"iPhone 17 is HERE\"").headline,
        "iPhone 17 is HERE"
    );
    assert_eq!(
        analyze("تامبنیل آشپزی با تیتر «پیتزای خانگی»").headline,
        "پیتزای خانگی"
    );
    let h = analyze(
        "Create a cooking thumbnail for my video about easy homemade pasta with yellow colors",
    )
    .headline;
    assert!(h.split_whitespace().count() <= MAX_HEADLINE_WORDS, "{h}");
    assert!(h.contains("PASTA"), "{h}");
    assert!(!h.contains("YELLOW") && !h.contains("THUMBNAIL"), "{h}");
}

#[test]
fn dark_blue_is_one_colour_not_two() {
    let a = analyze("finance video, dark blue and gold");
    assert_eq!(names(&a), ["dark blue", "gold"]);
}

#[test]
fn unknown_topics_are_general_with_low_confidence() {
    let a = analyze("something nice");
    assert_eq!(a.category, Category::General);
    assert!(a.confidence < 0.5);
    let b = analyze("Minecraft hardcore survival: 100 days");
    assert!(b.confidence > a.confidence);
}

/// Real-looking video titles, as users paste them. The figure is reported, and must stay high.
#[test]
fn video_titles_are_categorised() {
    let cases: &[(&str, Category)] = &[
        (
            "I Survived 100 Days in Hardcore Minecraft",
            Category::Gaming,
        ),
        (
            "Fortnite Chapter 6 Season 1 - Everything NEW!",
            Category::Gaming,
        ),
        (
            "GTA 6 Trailer Breakdown: Every Detail You Missed",
            Category::Gaming,
        ),
        ("Valorant ranked: from Iron to Radiant", Category::Gaming),
        ("iPhone 17 Pro Unboxing & First Impressions", Category::Tech),
        (
            "I Built a $500 Gaming PC Build for Beginners",
            Category::Tech,
        ),
        ("ChatGPT just changed everything (AI news)", Category::Tech),
        ("MacBook Air M4 review: worth it?", Category::Review),
        ("Samsung S25 Ultra vs iPhone 17 Pro Max", Category::Review),
        (
            "The History of the Roman Empire Explained",
            Category::Education,
        ),
        ("Learn Spanish in 30 Days - Lesson 1", Category::Education),
        ("Quantum physics explained simply", Category::Education),
        (
            "How to Edit Videos in DaVinci Resolve (Step by Step)",
            Category::Tutorial,
        ),
        ("How to Tie a Tie - Easy Tutorial", Category::Tutorial),
        (
            "A Day in My Life as a Software Engineer in Tokyo",
            Category::Vlog,
        ),
        ("my morning routine 2026 vlog", Category::Vlog),
        ("The BEST Homemade Pizza Recipe", Category::Cooking),
        (
            "5 Easy Breakfast Recipes for Busy Mornings",
            Category::Cooking,
        ),
        ("20 Minute Home Workout - No Equipment", Category::Fitness),
        ("How I Lost 20kg: my weight loss journey", Category::Fitness),
        ("How I Made $10,000 in Passive Income", Category::Finance),
        (
            "Bitcoin Is About to Explode - crypto update",
            Category::Finance,
        ),
        (
            "Stock Market Crash: What Investors Should Do",
            Category::Finance,
        ),
        (
            "Japan Travel Guide: 10 Days in Tokyo and Kyoto",
            Category::Travel,
        ),
        ("Road trip across Iceland", Category::Travel),
        ("Official Music Video - Midnight City", Category::Music),
        ("Piano cover of Interstellar theme", Category::Music),
        ("Breaking News: Election Results Tonight", Category::News),
        (
            "My Everyday Makeup Routine (skincare too)",
            Category::Beauty,
        ),
        (
            "Champions League Highlights: Real Madrid vs Bayern",
            Category::Sports,
        ),
        ("Messi's best goals of all time", Category::Sports),
        ("Reacting to My Old Videos", Category::Reaction),
        (
            "First time hearing Bohemian Rhapsody - reaction",
            Category::Reaction,
        ),
        ("The Diary of a CEO Podcast Episode 212", Category::Podcast),
        (
            "Interview with a Nobel Prize winner | Podcast",
            Category::Podcast,
        ),
        ("آموزش فتوشاپ از صفر تا صد برای مبتدی‌ها", Category::Tutorial),
        ("ولاگ سفر به شیراز", Category::Travel),
        ("دستور پخت قورمه سبزی مجلسی", Category::Cooking),
        ("بررسی گوشی آیفون ۱۷ پرو", Category::Review),
        ("خلاصه بازی پرسپولیس و استقلال", Category::Sports),
        ("بازی ماینکرفت ولی هر دقیقه سخت تر میشه", Category::Gaming),
        ("سرمایه گذاری در بورس برای مبتدی ها", Category::Finance),
        ("پادکست فارسی قسمت ۱۲: مهاجرت", Category::Podcast),
        ("تمرین بدنسازی در خانه بدون وسیله", Category::Fitness),
        ("آهنگ جدید عاشقانه", Category::Music),
        ("اخبار فوری امروز", Category::News),
    ];
    let mut wrong = Vec::new();
    for (title, expected) in cases {
        let got = analyze(title).category;
        if got != *expected {
            wrong.push(format!(
                "{title:?}: {} (expected {})",
                got.as_str(),
                expected.as_str()
            ));
        }
    }
    let accuracy = 1.0 - wrong.len() as f32 / cases.len() as f32;
    eprintln!(
        "title accuracy {:.0}% over {} titles; misses: {wrong:#?}",
        accuracy * 100.0,
        cases.len()
    );
    assert!(accuracy >= 0.9, "accuracy {accuracy}: {wrong:#?}");
}

#[test]
fn a_described_video_gives_its_title_as_the_headline() {
    let a = analyze("cooking video: easy pasta in 10 minutes 🍝, warm colors");
    assert_eq!(a.headline, "EASY PASTA IN 10 MINUTES");
    assert_eq!(a.category.as_str(), "cooking");
    let fa = analyze("ویدیوی آشپزی: پاستا در ۱۰ دقیقه، رنگ‌های گرم");
    assert_eq!(fa.headline, "پاستا در ۱۰ دقیقه");
    // A colon that follows no description of a video is no title.
    assert_ne!(analyze("note: make it red").headline, "MAKE IT RED");
}

#[test]
fn colour_families_stand_in_when_no_colour_is_named() {
    let names =
        |p: &str| -> Vec<String> { analyze(p).colors.into_iter().map(|c| c.name).collect() };
    assert_eq!(
        names("cooking video: easy pasta, warm colors"),
        ["orange", "red", "gold"]
    );
    assert_eq!(names("ولاگ سفر با رنگ‌های سرد"), ["blue", "navy", "cyan"]);
    assert_eq!(names("beauty tips, pastel"), ["pink", "lavender", "mint"]);
    // Named colours win.
    assert_eq!(
        names("gaming, warm colors, red and black"),
        ["red", "black"]
    );
}

#[test]
fn requests_keep_the_title_and_drop_the_scaffolding() {
    let cases = [
        (
            "ویدیوی آموزش برنامه‌نویسی پایتون برای مبتدی‌ها، رنگ آبی",
            "آموزش برنامه‌نویسی پایتون برای مبتدی‌ها",
        ),
        (
            "تامبنیل برای ویدیوی بررسی گوشی جدید سامسونگ با رنگ مشکی",
            "بررسی گوشی جدید سامسونگ",
        ),
        (
            "make a thumbnail for my vlog, trip to Paris",
            "TRIP TO PARIS",
        ),
        (
            "Create a cooking thumbnail for my video about easy homemade pasta with yellow colors",
            "COOKING EASY HOMEMADE PASTA",
        ),
        (
            "Create a thumbnail with the colors red and white for a football match",
            "FOOTBALL MATCH",
        ),
    ];
    for (prompt, headline) in cases {
        assert_eq!(analyze(prompt).headline, headline, "{prompt}");
    }
}

#[test]
fn pasted_titles_become_short_headlines() {
    let a = analyze("I Survived 100 Days in Hardcore Minecraft | Full Movie");
    assert_eq!(a.headline, "I SURVIVED 100 DAYS IN HARDCORE");
    let b = analyze("ولاگ سفر به شیراز");
    assert_eq!(b.headline, "ولاگ سفر به شیراز");
}
