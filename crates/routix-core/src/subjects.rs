//! Things a thumbnail can show: a subject's name, the emoji that draws it, and the words
//! (English and Persian, normalised) that name it. The analyzer reads a request's subjects
//! from here; the compositor draws them.

use crate::analyzer::normalise;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject {
    /// English name, e.g. "dog".
    pub name: &'static str,
    pub emoji: &'static str,
    /// Words and phrases that name it, lower case, Persian letters unified.
    pub words: &'static [&'static str],
}

const fn s(name: &'static str, emoji: &'static str, words: &'static [&'static str]) -> Subject {
    Subject { name, emoji, words }
}

pub const SUBJECTS: &[Subject] = &[
    s(
        "dog",
        "🐶",
        &[
            "dog",
            "dogs",
            "puppy",
            "puppies",
            "doggo",
            "golden retriever",
            "husky",
            "labrador",
            "pug",
            "سگ",
            "توله سگ",
            "سگم",
            "سگها",
        ],
    ),
    s(
        "cat",
        "🐱",
        &[
            "cat",
            "cats",
            "kitten",
            "kittens",
            "kitty",
            "گربه",
            "بچه گربه",
            "گربه ها",
            "پیشی",
        ],
    ),
    s(
        "bird",
        "🐦",
        &[
            "bird",
            "birds",
            "parrot",
            "pigeon",
            "پرنده",
            "طوطی",
            "کبوتر",
            "گنجشک",
        ],
    ),
    s("horse", "🐴", &["horse", "horses", "pony", "اسب"]),
    s("lion", "🦁", &["lion", "lions", "شیر جنگل", "شیر درنده"]),
    s("tiger", "🐯", &["tiger", "tigers", "ببر"]),
    s(
        "monkey",
        "🐵",
        &["monkey", "monkeys", "ape", "gorilla", "میمون", "گوریل"],
    ),
    s(
        "fish",
        "🐟",
        &["fish", "aquarium", "goldfish", "ماهی", "آکواریوم"],
    ),
    s("shark", "🦈", &["shark", "sharks", "کوسه"]),
    s("snake", "🐍", &["snake", "snakes", "python snake", "مار"]),
    s("rabbit", "🐰", &["rabbit", "bunny", "bunnies", "خرگوش"]),
    s("elephant", "🐘", &["elephant", "elephants", "فیل"]),
    s("bear", "🐻", &["bear", "bears", "خرس"]),
    s(
        "dinosaur",
        "🦖",
        &["dinosaur", "dinosaurs", "t rex", "trex", "دایناسور"],
    ),
    s(
        "robot",
        "🤖",
        &[
            "robot",
            "robots",
            "robot vacuum",
            "android robot",
            "ai",
            "chatgpt",
            "ربات",
            "هوش مصنوعی",
        ],
    ),
    s(
        "phone",
        "📱",
        &[
            "phone",
            "phones",
            "iphone",
            "smartphone",
            "samsung",
            "galaxy s",
            "pixel",
            "android",
            "گوشی",
            "آیفون",
            "موبایل",
            "سامسونگ",
        ],
    ),
    s(
        "laptop",
        "💻",
        &[
            "laptop",
            "laptops",
            "macbook",
            "notebook",
            "computer",
            "pc",
            "gaming pc",
            "لپ تاپ",
            "لپتاپ",
            "کامپیوتر",
            "مک بوک",
        ],
    ),
    s(
        "headphones",
        "🎧",
        &["headphones", "airpods", "earbuds", "هدفون", "ایرپاد"],
    ),
    s(
        "camera",
        "📷",
        &["camera", "cameras", "dslr", "gopro", "دوربین"],
    ),
    s(
        "game controller",
        "🎮",
        &[
            "controller",
            "gamepad",
            "ps5",
            "playstation",
            "xbox",
            "nintendo",
            "game",
            "games",
            "gaming",
            "gameplay",
            "minecraft",
            "fortnite",
            "gta",
            "بازی",
            "گیم",
            "گیمینگ",
            "کنسول",
            "پلی استیشن",
        ],
    ),
    s(
        "trophy",
        "🏆",
        &[
            "trophy",
            "champion",
            "championship",
            "winner",
            "wins",
            "won",
            "victory",
            "cup",
            "final",
            "قهرمان",
            "قهرمانی",
            "جام",
            "برنده",
            "فینال",
        ],
    ),
    s(
        "soccer ball",
        "⚽",
        &[
            "football",
            "soccer",
            "goal",
            "goals",
            "messi",
            "ronaldo",
            "premier league",
            "champions league",
            "فوتبال",
            "گل",
            "پرسپولیس",
            "استقلال",
            "لیگ برتر",
        ],
    ),
    s(
        "basketball",
        "🏀",
        &["basketball", "nba", "lebron", "بسکتبال"],
    ),
    s("cricket", "🏏", &["cricket", "ipl", "کریکت"]),
    s("tennis", "🎾", &["tennis", "wimbledon", "تنیس"]),
    s(
        "dumbbell",
        "🏋️",
        &[
            "gym",
            "workout",
            "workouts",
            "dumbbell",
            "bodybuilding",
            "muscle",
            "abs",
            "lifting",
            "squat",
            "bench press",
            "باشگاه",
            "تمرین",
            "بدنسازی",
            "عضله",
            "شکم",
        ],
    ),
    s(
        "runner",
        "🏃",
        &[
            "running",
            "run",
            "marathon",
            "jogging",
            "cardio",
            "دویدن",
            "ماراتن",
        ],
    ),
    s(
        "yoga",
        "🧘",
        &["yoga", "meditation", "stretching", "یوگا", "مدیتیشن"],
    ),
    s(
        "car",
        "🏎️",
        &[
            "car",
            "cars",
            "supercar",
            "mustang",
            "ferrari",
            "lamborghini",
            "porsche",
            "bmw",
            "tesla",
            "f1",
            "drift",
            "test drive",
            "ماشین",
            "خودرو",
            "پورشه",
            "فراری",
            "پراید",
            "پژو",
            "دریفت",
        ],
    ),
    s(
        "motorcycle",
        "🏍️",
        &[
            "motorcycle",
            "motorbike",
            "bike",
            "موتور",
            "موتورسیکلت",
            "موتور سیکلت",
        ],
    ),
    s(
        "airplane",
        "✈️",
        &[
            "flight",
            "airplane",
            "plane",
            "airport",
            "flying",
            "پرواز",
            "هواپیما",
            "فرودگاه",
        ],
    ),
    s(
        "world",
        "🌍",
        &[
            "travel",
            "trip",
            "world",
            "countries",
            "country",
            "abroad",
            "سفر",
            "دنیا",
            "کشور",
        ],
    ),
    s(
        "beach",
        "🏖️",
        &[
            "beach",
            "island",
            "maldives",
            "bali",
            "ساحل",
            "جزیره",
            "کیش",
        ],
    ),
    s(
        "mountain",
        "🏔️",
        &[
            "mountain",
            "mountains",
            "hiking",
            "everest",
            "damavand",
            "کوه",
            "کوهنوردی",
            "دماوند",
        ],
    ),
    s(
        "house",
        "🏠",
        &[
            "house",
            "home",
            "apartment",
            "room",
            "room tour",
            "خانه",
            "خونه",
            "آپارتمان",
            "اتاق",
        ],
    ),
    s(
        "money",
        "💰",
        &[
            "money",
            "dollars",
            "dollar",
            "cash",
            "rich",
            "salary",
            "income",
            "invest",
            "investing",
            "profit",
            "budget",
            "debt",
            "پول",
            "دلار",
            "ثروت",
            "درآمد",
            "سرمایه",
            "سرمایه گذاری",
            "تومان",
            "تومن",
            "بدهی",
        ],
    ),
    s(
        "chart",
        "📈",
        &[
            "stocks",
            "stock",
            "stock market",
            "chart",
            "trading",
            "bitcoin",
            "crypto",
            "etf",
            "بورس",
            "سهام",
            "بیت کوین",
            "ارز دیجیتال",
            "کریپتو",
            "نمودار",
        ],
    ),
    s("gold", "🪙", &["gold", "coin", "coins", "طلا", "سکه"]),
    s("pizza", "🍕", &["pizza", "pizzas", "پیتزا"]),
    s(
        "pasta",
        "🍝",
        &[
            "pasta",
            "spaghetti",
            "noodles",
            "ماکارونی",
            "پاستا",
            "اسپاگتی",
        ],
    ),
    s(
        "ramen",
        "🍜",
        &["ramen", "noodle soup", "pho", "رامن", "سوپ"],
    ),
    s(
        "burger",
        "🍔",
        &["burger", "burgers", "hamburger", "همبرگر", "برگر"],
    ),
    s(
        "cake",
        "🎂",
        &[
            "cake",
            "cakes",
            "baking",
            "dessert",
            "cookies",
            "کیک",
            "شیرینی",
            "دسر",
        ],
    ),
    s(
        "rice",
        "🍚",
        &[
            "rice",
            "biryani",
            "tahdig",
            "polo",
            "برنج",
            "پلو",
            "ته دیگ",
            "ته‌دیگ",
            "زرشک پلو",
            "بریانی",
        ],
    ),
    s(
        "kebab",
        "🍢",
        &[
            "kebab",
            "kabab",
            "kebabs",
            "bbq",
            "grill",
            "کباب",
            "جوجه",
            "جوجه کباب",
            "کوبیده",
        ],
    ),
    s(
        "coffee",
        "☕",
        &[
            "coffee", "espresso", "latte", "cafe", "tea", "قهوه", "کافه", "چای",
        ],
    ),
    s(
        "chef",
        "🧑‍🍳",
        &[
            "recipe",
            "recipes",
            "cooking",
            "cook",
            "chef",
            "kitchen",
            "آشپزی",
            "دستور پخت",
            "آشپز",
            "آشپزخانه",
            "غذا",
        ],
    ),
    s(
        "lipstick",
        "💄",
        &[
            "makeup",
            "lipstick",
            "beauty",
            "foundation",
            "eyeliner",
            "آرایش",
            "رژ لب",
            "میکاپ",
            "آرایشی",
        ],
    ),
    s(
        "skincare",
        "🧴",
        &[
            "skincare",
            "skin care",
            "serum",
            "moisturizer",
            "sunscreen",
            "پوست",
            "مراقبت پوست",
            "کرم",
            "ضد آفتاب",
        ],
    ),
    s(
        "dress",
        "👗",
        &[
            "outfit",
            "outfits",
            "fashion",
            "dress",
            "style",
            "clothes",
            "لباس",
            "مد",
            "استایل",
        ],
    ),
    s(
        "hair",
        "💇",
        &["hair", "haircut", "hairstyle", "مو", "مدل مو", "کوتاهی مو"],
    ),
    s(
        "microphone",
        "🎤",
        &[
            "podcast",
            "interview",
            "singing",
            "singer",
            "sing",
            "karaoke",
            "mic",
            "پادکست",
            "مصاحبه",
            "خواننده",
            "آواز",
        ],
    ),
    s("guitar", "🎸", &["guitar", "guitars", "گیتار"]),
    s("piano", "🎹", &["piano", "keyboard lesson", "پیانو"]),
    s(
        "music",
        "🎵",
        &[
            "music",
            "song",
            "songs",
            "album",
            "beat",
            "lyrics",
            "موسیقی",
            "آهنگ",
            "آلبوم",
            "ترانه",
        ],
    ),
    s(
        "movie",
        "🎬",
        &[
            "movie",
            "movies",
            "film",
            "trailer",
            "cinema",
            "netflix",
            "series",
            "tv show",
            "فیلم",
            "سینما",
            "سریال",
            "تریلر",
        ],
    ),
    s("popcorn", "🍿", &["popcorn", "box office", "پاپ کورن"]),
    s(
        "star",
        "⭐",
        &[
            "celebrity",
            "celebrities",
            "star",
            "famous",
            "award",
            "oscars",
            "سلبریتی",
            "ستاره",
            "جایزه",
            "معروف",
        ],
    ),
    s(
        "laughing face",
        "😂",
        &[
            "funny",
            "comedy",
            "prank",
            "pranks",
            "joke",
            "jokes",
            "hilarious",
            "lol",
            "meme",
            "memes",
            "خنده",
            "خنده دار",
            "طنز",
            "کمدی",
            "شوخی",
            "سرکاری",
        ],
    ),
    s(
        "shocked face",
        "😱",
        &[
            "shocking",
            "shocked",
            "insane",
            "crazy",
            "scary",
            "horror",
            "omg",
            "unbelievable",
            "ترسناک",
            "وحشتناک",
            "باورنکردنی",
            "شوکه",
        ],
    ),
    s(
        "thinking face",
        "🤔",
        &[
            "why",
            "how",
            "what",
            "explained",
            "mystery",
            "question",
            "چرا",
            "چطور",
            "چگونه",
            "معما",
            "راز",
        ],
    ),
    s(
        "book",
        "📚",
        &[
            "study",
            "studying",
            "exam",
            "school",
            "lesson",
            "learn",
            "books",
            "book",
            "konkur",
            "university",
            "کنکور",
            "درس",
            "امتحان",
            "مدرسه",
            "دانشگاه",
            "کتاب",
        ],
    ),
    s(
        "rocket",
        "🚀",
        &[
            "rocket", "space", "nasa", "spacex", "launch", "moon", "mars", "موشک", "فضا", "ماه",
            "مریخ",
        ],
    ),
    s(
        "planet",
        "🪐",
        &[
            "planet",
            "planets",
            "galaxy",
            "universe",
            "black hole",
            "سیاره",
            "کهکشان",
            "جهان",
            "سیاهچاله",
            "سیاه چاله",
        ],
    ),
    s(
        "test tube",
        "🧪",
        &[
            "experiment",
            "experiments",
            "chemistry",
            "science",
            "lab",
            "آزمایش",
            "شیمی",
            "علم",
            "علمی",
            "آزمایشگاه",
        ],
    ),
    s(
        "atom",
        "⚛️",
        &[
            "physics",
            "quantum",
            "atom",
            "atoms",
            "فیزیک",
            "کوانتوم",
            "اتم",
        ],
    ),
    s(
        "teddy bear",
        "🧸",
        &[
            "toy",
            "toys",
            "teddy",
            "kids",
            "children",
            "nursery",
            "baby",
            "toddler",
            "اسباب بازی",
            "اسباب‌بازی",
            "عروسک",
            "کودک",
            "بچه",
            "کودکان",
        ],
    ),
    s(
        "hammer",
        "🔨",
        &[
            "diy",
            "build",
            "building",
            "woodworking",
            "repair",
            "fix",
            "renovation",
            "tools",
            "craft",
            "crafts",
            "makeover",
            "تعمیر",
            "ساخت",
            "نجاری",
            "بازسازی",
            "کاردستی",
            "ابزار",
        ],
    ),
    s(
        "paint",
        "🎨",
        &[
            "paint",
            "painting",
            "art",
            "drawing",
            "draw",
            "نقاشی",
            "هنر",
            "طراحی",
        ],
    ),
    s(
        "newspaper",
        "📰",
        &[
            "news",
            "breaking",
            "breaking news",
            "report",
            "election",
            "elections",
            "president",
            "اخبار",
            "خبر",
            "فوری",
            "انتخابات",
            "رئیس جمهور",
        ],
    ),
    s(
        "fire",
        "🔥",
        &["fire", "hot", "viral", "trending", "آتش", "داغ", "وایرال"],
    ),
    s(
        "lightbulb",
        "💡",
        &[
            "idea",
            "ideas",
            "tips",
            "tip",
            "hack",
            "hacks",
            "trick",
            "tricks",
            "ترفند",
            "نکته",
            "ایده",
            "ترفندها",
        ],
    ),
    s(
        "gear",
        "⚙️",
        &[
            "settings",
            "setup",
            "tutorial",
            "excel",
            "photoshop",
            "coding",
            "code",
            "programming",
            "python",
            "javascript",
            "تنظیمات",
            "آموزش اکسل",
            "فتوشاپ",
            "برنامه نویسی",
            "پایتون",
        ],
    ),
    s(
        "check mark",
        "✅",
        &[
            "review",
            "honest review",
            "worth it",
            "tested",
            "بررسی",
            "نقد",
            "ارزش خرید",
        ],
    ),
    s("vs", "🆚", &["vs", "versus", "comparison", "مقایسه"]),
    s(
        "heart",
        "❤️",
        &[
            "love",
            "wedding",
            "relationship",
            "couple",
            "girlfriend",
            "boyfriend",
            "عشق",
            "عروسی",
            "ازدواج",
            "رابطه",
        ],
    ),
    s(
        "camera vlog",
        "🤳",
        &[
            "vlog",
            "day in my life",
            "morning routine",
            "routine",
            "ولاگ",
            "روتین",
            "یک روز از زندگی",
        ],
    ),
];

/// The subjects named in `prompt`, first mentioned first, each once; emoji in the prompt
/// count as the subject they draw.
pub fn find(prompt: &str) -> Vec<(&'static Subject, String)> {
    let text = normalise(prompt);
    let mut found: Vec<(usize, &'static Subject, String)> = Vec::new();
    for subject in SUBJECTS {
        let hit = subject
            .words
            .iter()
            .filter_map(|w| position(&text, w).map(|p| (p, *w)))
            .min_by_key(|(p, w)| (*p, std::cmp::Reverse(w.len())));
        let emoji = prompt.find(subject.emoji.trim_end_matches('\u{fe0f}'));
        let best = match (hit, emoji) {
            (Some((p, w)), _) => Some((p, w.to_string())),
            (None, Some(_)) => Some((0, subject.emoji.to_string())),
            (None, None) => None,
        };
        if let Some((p, word)) = best {
            found.push((p, subject, word));
        }
    }
    // Concrete things before the generic ones ("how" → 🤔) wherever they were mentioned.
    found.sort_by_key(|(p, s, _)| (GENERIC.contains(&s.name), *p, s.name));
    found.into_iter().map(|(_, s, w)| (s, w)).collect()
}

/// The subject to draw for a request: the first of the analysis' subjects Routix can name,
/// else an emoji written in the prompt, else one that stands for the category.
pub fn pick(subjects: &[String], prompt: &str, category: crate::Category) -> &'static Subject {
    subjects
        .iter()
        .find_map(|s| lookup(s).or_else(|| find(s).first().map(|(s, _)| *s)))
        .or_else(|| {
            SUBJECTS
                .iter()
                .find(|s| prompt.contains(s.emoji.trim_end_matches('\u{fe0f}')))
        })
        .unwrap_or_else(|| for_category(category))
}

/// A subject that stands for a category when the request names none.
pub fn for_category(category: crate::Category) -> &'static Subject {
    use crate::Category::*;
    let name = match category {
        Gaming => "game controller",
        Tech => "laptop",
        Education => "book",
        Vlog => "camera vlog",
        Cooking => "chef",
        Fitness => "dumbbell",
        Finance => "money",
        Travel => "airplane",
        Music => "guitar",
        News => "newspaper",
        Beauty => "lipstick",
        Sports => "trophy",
        Reaction => "shocked face",
        Tutorial => "lightbulb",
        Review => "star",
        Podcast => "microphone",
        Animals => "dog",
        Cars => "car",
        Comedy => "laughing face",
        Entertainment => "movie",
        Science => "rocket",
        Kids => "teddy bear",
        Diy => "hammer",
        General => "fire",
    };
    SUBJECTS
        .iter()
        .find(|s| s.name == name)
        .unwrap_or(&SUBJECTS[0])
}

/// Subjects that only stand in when nothing concrete is named.
const GENERIC: &[&str] = &[
    "thinking face",
    "fire",
    "check mark",
    "vs",
    "lightbulb",
    "camera vlog",
    "gear",
];

/// The subject `word` names, if any (a name, a synonym or the emoji).
pub fn lookup(word: &str) -> Option<&'static Subject> {
    let n = normalise(word);
    let n = n.trim();
    SUBJECTS.iter().find(|s| {
        s.name == n
            || s.words.contains(&n)
            || s.emoji.trim_end_matches('\u{fe0f}') == word.trim().trim_end_matches('\u{fe0f}')
    })
}

/// Byte offset of `word` as a whole word in normalised `text`; Persian words may carry a
/// suffix («گربه‌ها», «سگم»).
fn position(text: &str, word: &str) -> Option<usize> {
    let word = word.replace('\u{200c}', " ");
    if word.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)) {
        return crate::analyzer::persian_word_at(text, &word);
    }
    let needle = format!(" {word}");
    let mut from = 0;
    while let Some(found) = text[from..].find(&needle) {
        let at = from + found;
        let after = text[at + needle.len()..].chars().next();
        if after.is_none_or(|c| !c.is_alphanumeric()) {
            return Some(at);
        }
        from = at + needle.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_subjects_by_english_persian_and_emoji() {
        let names = |p: &str| find(p).iter().map(|(s, _)| s.name).collect::<Vec<_>>();
        assert_eq!(
            names("my dog reacts to a robot vacuum")[..2],
            ["dog", "robot"]
        );
        assert_eq!(names("Cute puppy meets kitten")[..2], ["dog", "cat"]);
        assert_eq!(names("توله‌سگ بامزه")[0], "dog");
        assert_eq!(names("گربه‌های خیابانی")[0], "cat");
        assert_eq!(names("easy dinner 🍝")[0], "pasta");
        assert!(names("category theory").is_empty(), "no cat in category");
    }

    #[test]
    fn every_category_has_a_subject_and_named_things_win() {
        for c in crate::Category::ALL {
            assert!(!for_category(c).emoji.is_empty());
        }
        let pick_of = |subjects: &[&str], prompt: &str| {
            let subjects: Vec<String> = subjects.iter().map(|s| s.to_string()).collect();
            pick(&subjects, prompt, crate::Category::Cooking).name
        };
        assert_eq!(
            pick_of(&["dog", "robot"], "my dog reacts to a robot vacuum"),
            "dog"
        );
        assert_eq!(pick_of(&["گربه"], "گربه"), "cat");
        assert_eq!(pick_of(&[], "easy dinner 🍕"), "pizza");
        assert_eq!(pick_of(&[], "easy dinner"), "chef");
    }

    #[test]
    fn lookup_takes_names_synonyms_and_emoji() {
        assert_eq!(lookup("puppy").map(|s| s.name), Some("dog"));
        assert_eq!(lookup("سگ").map(|s| s.name), Some("dog"));
        assert_eq!(lookup("🐶").map(|s| s.name), Some("dog"));
        assert_eq!(lookup("zzz"), None);
    }
}
