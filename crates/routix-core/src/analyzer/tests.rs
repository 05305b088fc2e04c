use super::headline::is_stopword;
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
    assert_eq!(a.headline, "PASTA IN 10 MINUTES");
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
            "آموزش برنامه‌نویسی پایتون",
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
    assert_eq!(a.headline, "SURVIVED 100 DAYS");
    let b = analyze("ولاگ سفر به شیراز");
    assert_eq!(b.headline, "ولاگ سفر به شیراز");
}

/// Real-looking titles pasted with no text given: the headline is two to four words of the
/// title, never ending on a little word, keeps the title's number, and is upper case only in
/// Latin script.
const PASTED_TITLES: &[&str] = &[
    "I played Minecraft hardcore for 100 days and this is what happened",
    "I Survived 100 Days in Hardcore Minecraft | Full Movie",
    "How I paid off 50k of debt in 18 months",
    "0-60 test drive of the new Mustang",
    "Cute puppy meets kitten for the first time",
    "Taylor Swift - Delicate (Official Video)",
    "I bought the cheapest laptop on Amazon",
    "Why everyone is leaving California",
    "I QUIT my job to travel the world",
    "The best budget phone of 2026? (honest review)",
    "We tried every flavour of Pringles",
    "Building a tiny house in 7 days",
    "My morning routine as a medical student",
    "Top 10 scariest videos on the internet",
    "Testing viral TikTok life hacks",
    "Real Madrid vs Barcelona 3-2 | Extended Highlights",
    "Beginner's guide to investing your first $1000",
    "Is the iPhone 17 Pro worth it?",
    "The truth about intermittent fasting",
    "Gordon Ramsay makes the perfect scrambled eggs",
    "NASA's new telescope just found something strange",
    "Learn Python in one hour - full course for beginners",
    "Stranger Things 5 | Official Trailer | Netflix",
    "Baby Shark Dance | Sing and Dance! | Animal Songs",
    "Restoring a rusty 1967 Mustang to showroom condition",
    "Funniest pranks of the year compilation",
    "My dog reacts to a robot vacuum",
    "How to invest your first 1000 dollars",
    "Easy pasta in 10 minutes",
    "World's most dangerous roads in Bolivia",
    "Breaking: parliament passes the new budget",
    "Excel tips everyone should know in 2026",
    "۱۰ ترفند آیفون که نمی‌دانستید",
    "سفر به شیراز با ۵ میلیون تومان",
    "چرا همه دارن از تهران میرن؟",
    "آموزش کامل فتوشاپ از صفر تا صد",
    "بررسی سامسونگ گلکسی S25 اولترا بعد از یک ماه",
    "خلاصه بازی پرسپولیس و استقلال",
    "طرز تهیه قورمه سبزی مجلسی",
    "۱۰۰ روز در ماینکرفت هاردکور زنده ماندم",
    "گربه‌ام برای اولین بار برف دید",
    "ارزان‌ترین ماشین بازار ایران",
    "روتین صبحگاهی من قبل از کنکور",
    "چطور با ۱۰ میلیون سرمایه‌گذاری کنیم",
    "واکنش من به آهنگ جدید شجریان",
    "ساخت میز چوبی با ابزار ساده",
    "آزمایش جالب با یخ خشک",
    "شعر کودکانه الفبا برای بچه‌ها",
    "دوربین مخفی در بازار تهران",
    "تریلر سریال جدید شبکه نمایش خانگی",
    "تمرین شکم در ۷ دقیقه",
    "اخبار فوری: افزایش قیمت دلار",
    "پادکست فارسی قسمت ۱۲ مهاجرت",
    "بهترین گوشی تا ۲۰ میلیون تومان",
    "آرایش روزانه ساده و سریع",
    "ولاگ سفر به شمال با خانواده",
    "تست رانندگی پژو ۲۰۷ جدید",
    "نقد فیلم جدید کریستوفر نولان",
    "یک روز از زندگی من در کانادا",
    "چرا بیت کوین ریخت؟",
];

#[test]
fn pasted_titles_give_two_to_four_words_that_keep_what_sells() {
    let digits = |s: &str| -> String {
        normalise(s)
            .split_whitespace()
            .find(|w| w.chars().any(|c| c.is_ascii_digit()))
            .map(|w| w.chars().filter(char::is_ascii_digit).collect())
            .unwrap_or_default()
    };
    let mut report = Vec::new();
    let mut wrong = Vec::new();
    for title in PASTED_TITLES {
        let h = analyze(title).headline;
        report.push(format!("{title:?} → {h:?}"));
        let mut fail = |why: &str| wrong.push(format!("{title:?} → {h:?}: {why}"));
        let words: Vec<&str> = h.split_whitespace().collect();
        if !(2..=4).contains(&words.len()) {
            fail("not two to four words");
        }
        let last = words.last().map_or("", |w| w.trim_end_matches(['?', '؟']));
        if is_stopword(last) {
            fail("ends on a little word");
        }
        let title_norm = normalise(title);
        for w in &words {
            let w = normalise(w.trim_end_matches(['?', '؟']));
            if !title_norm.contains(&w) {
                fail("a word that is not in the title");
            }
        }
        let main_part = title.split(['|', '-']).next().unwrap_or(title);
        // A year is an aside ("… of 2026"); counts are what sell.
        let number = Some(digits(main_part))
            .filter(|n| !(n.len() == 4 && (n.starts_with("19") || n.starts_with("20"))))
            .unwrap_or_default();
        if !number.is_empty() && !normalise(&h).contains(&number) {
            fail("lost the number");
        }
        if is_rtl(title) != is_rtl(&h) {
            fail("changed script");
        }
        if !is_rtl(title) && h != h.to_uppercase() {
            fail("Latin headline not upper case");
        }
    }
    eprintln!("{}", report.join("\n"));
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert!(PASTED_TITLES.len() >= 60);
}

#[test]
fn headlines_a_creator_would_write() {
    let cases = [
        (
            "I played Minecraft hardcore for 100 days and this is what happened",
            "100 DAYS",
        ),
        ("How I paid off 50k of debt", "50K OF DEBT"),
        (
            "I bought the cheapest laptop on Amazon",
            "CHEAPEST LAPTOP ON AMAZON",
        ),
        ("I QUIT my job to travel the world", "I QUIT"),
        ("Taylor Swift - Delicate (Official Video)", "TAYLOR SWIFT"),
        ("Is the iPhone 17 Pro worth it?", "IPHONE 17 PRO"),
        ("۱۰ ترفند آیفون که نمی‌دانستید", "۱۰ ترفند آیفون"),
        ("ارزان‌ترین ماشین بازار ایران", "ارزان‌ترین ماشین بازار ایران"),
    ];
    for (title, headline) in cases {
        assert_eq!(analyze(title).headline, headline, "{title}");
    }
}

#[test]
fn the_new_categories_are_understood_in_both_languages() {
    let cases = [
        ("My golden retriever meets a kitten", Category::Animals),
        ("نجات یک بچه گربه از زیر ماشین", Category::Animals),
        ("Porsche 911 GT3 RS track day review", Category::Cars),
        ("تست رانندگی دنا پلاس توربو", Category::Cars),
        ("I pranked my roommate for a week", Category::Comedy),
        ("دوربین مخفی خنده‌دار در مترو", Category::Comedy),
        (
            "Avengers Secret Wars official trailer breakdown",
            Category::Entertainment,
        ),
        (
            "پشت صحنه سریال جدید شبکه نمایش خانگی",
            Category::Entertainment,
        ),
        (
            "NASA's rocket lands on the Moon: how the landing works",
            Category::Science,
        ),
        ("آزمایش شیمی جالب با نیتروژن مایع", Category::Science),
        (
            "Wheels on the bus nursery rhymes for toddlers",
            Category::Kids,
        ),
        ("شعر کودکانه حیوانات مزرعه برای بچه‌ها", Category::Kids),
        ("Building a floating shelf from scrap wood", Category::Diy),
        ("ساخت جاکلیدی چوبی در خانه", Category::Diy),
    ];
    let wrong: Vec<String> = cases
        .iter()
        .map(|(t, want)| (t, want, analyze(t).category))
        .filter(|(_, want, got)| *want != got)
        .map(|(t, want, got)| format!("{t}: {} (expected {})", got.as_str(), want.as_str()))
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn persian_phrases_match_with_an_ending_on_their_last_word() {
    // A multi-word cue («رنگ‌های گرم» → warm palette) with and without a suffix after it.
    assert_eq!(analyze("ولاگ با رنگ های گرم").colors[0].name, "orange");
    assert_eq!(analyze("ولاگ با رنگ های گرمش").colors[0].name, "orange");
    // A short cue takes no free ending: «شیر» (lion) is not in «شیراز».
    assert_ne!(analyze("سفر به شیراز").category, Category::Animals);
}
