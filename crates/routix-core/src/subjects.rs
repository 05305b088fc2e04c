//! Things a thumbnail can show: a subject's name, the emoji that draws it, and the words
//! (English and Persian, normalised) that name it. The analyzer reads a request's subjects
//! from here; the compositor draws them.
//!
//! Besides the hand-written words, a subject is found by its emoji's Unicode CLDR keywords
//! in English and Persian (`assets/subject-annotations.tsv`, built by
//! `assets/build-subject-annotations.py`; licence in `assets/LICENSE-CLDR`): "grizzly" →
//! 🐻, «چکش» → 🔨. Where both name a subject, the hand-written words decide.

use std::{collections::HashMap, sync::OnceLock};

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
/// count as the subject they draw. A subject's hand-written words are searched first; its
/// CLDR keywords only when none of them is in the prompt.
pub fn find(prompt: &str) -> Vec<(&'static Subject, String)> {
    let text = normalise(prompt);
    let cldr = annotations();
    // The CLDR keywords that may be in the text: those whose first word begins a word of it.
    let mut candidates: Vec<Vec<&str>> = vec![Vec::new(); SUBJECTS.len()];
    for token in text.split(' ') {
        for (end, c) in token.char_indices() {
            let prefix = &token[..end + c.len_utf8()];
            for &(subject, keyword) in cldr.by_first.get(prefix).into_iter().flatten() {
                candidates[subject].push(&cldr.keywords[subject][keyword]);
            }
        }
    }
    let mut found: Vec<(usize, &'static Subject, String)> = Vec::new();
    for (subject, keywords) in SUBJECTS.iter().zip(candidates) {
        let first = |words: &mut dyn Iterator<Item = &str>| {
            words
                .filter_map(|w| position(&text, w).map(|p| (p, w.to_string())))
                .min_by_key(|(p, w)| (*p, std::cmp::Reverse(w.len())))
        };
        let hit =
            first(&mut subject.words.iter().copied()).or_else(|| first(&mut keywords.into_iter()));
        let emoji = prompt.find(subject.emoji.trim_end_matches('\u{fe0f}'));
        let best = match (hit, emoji) {
            (Some(hit), _) => Some(hit),
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

/// The subject `word` names, if any (a name, a synonym or the emoji; else a CLDR keyword).
pub fn lookup(word: &str) -> Option<&'static Subject> {
    let n = normalise(word);
    let n = n.trim();
    SUBJECTS
        .iter()
        .find(|s| {
            s.name == n
                || s.words.contains(&n)
                || s.emoji.trim_end_matches('\u{fe0f}') == word.trim().trim_end_matches('\u{fe0f}')
        })
        .or_else(|| {
            let cldr = annotations();
            let first = n.split(' ').next()?;
            let &(subject, _) = cldr
                .by_first
                .get(first)?
                .iter()
                .find(|&&(s, k)| cldr.keywords[s][k] == n)?;
            SUBJECTS.get(subject)
        })
}

/// The CLDR keywords of `assets/subject-annotations.tsv`, normalised as the words are.
struct Annotations {
    /// Each subject's keywords, in `SUBJECTS` order.
    keywords: Vec<Vec<String>>,
    /// (subject, keyword) indices by the keyword's first word.
    by_first: HashMap<String, Vec<(usize, usize)>>,
}

/// The keywords, read once from the `emoji<TAB>lang<TAB>keyword` lines.
fn annotations() -> &'static Annotations {
    static ANNOTATIONS: OnceLock<Annotations> = OnceLock::new();
    ANNOTATIONS.get_or_init(|| {
        let mut keywords = vec![Vec::new(); SUBJECTS.len()];
        let mut by_first: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        let lines = include_str!("../assets/subject-annotations.tsv").lines();
        for line in lines.filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
            let mut cols = line.split('\t');
            let (Some(emoji), Some(_lang), Some(keyword)) = (cols.next(), cols.next(), cols.next())
            else {
                continue;
            };
            let emoji = emoji.trim_end_matches('\u{fe0f}');
            let Some(i) = SUBJECTS
                .iter()
                .position(|s| s.emoji.trim_end_matches('\u{fe0f}') == emoji)
            else {
                continue;
            };
            let keyword = normalise(keyword).trim().to_string();
            let Some(first) = keyword.split(' ').next().filter(|w| !w.is_empty()) else {
                continue;
            };
            if !keywords[i].contains(&keyword) {
                by_first
                    .entry(first.to_string())
                    .or_default()
                    .push((i, keywords[i].len()));
                keywords[i].push(keyword);
            }
        }
        Annotations { keywords, by_first }
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

    #[test]
    fn cldr_keywords_find_subjects_in_both_languages() {
        let names = |p: &str| find(p).iter().map(|(s, _)| s.name).collect::<Vec<_>>();
        // The dog, however it is named.
        for dog in [
            "puppy",
            "توله‌سگ",
            "🐶",
            "سگ",
            "adorbs",
            "صورت سگ",
            "Dog Face",
        ] {
            assert_eq!(names(dog).first(), Some(&"dog"), "{dog}");
            assert_eq!(lookup(dog).map(|s| s.name), Some("dog"), "{dog}");
        }
        // Words only CLDR knows, as whole words and phrases, first mentioned first.
        assert_eq!(
            names("a grizzly meets a tyrannosaurus"),
            ["bear", "dinosaur"]
        );
        assert_eq!(
            names("chopsticks and a barbell")[..2],
            ["ramen", "dumbbell"]
        );
        assert_eq!(names("my cogwheel collection"), ["gear"]);
        assert_eq!(names("light bulb moment")[0], "lightbulb");
        assert_eq!(lookup("ornithology").map(|s| s.name), Some("bird"));
        assert_eq!(lookup("barbell").map(|s| s.name), Some("dumbbell"));
        // Persian, with the endings Persian attaches.
        assert_eq!(names("چکش‌های قدیمی"), ["hammer"]);
        assert_eq!(names("رایانه‌ام خراب شد")[0], "laptop");
        assert_eq!(names("افعی در بیابان"), ["snake"]);
        assert_eq!(names("تمرین با دمبل")[0], "dumbbell");
        assert_eq!(lookup("روزنامه").map(|s| s.name), Some("newspaper"));
        assert_eq!(lookup("سرآشپز").map(|s| s.name), Some("chef"));
        assert_eq!(lookup("لبتاب").map(|s| s.name), Some("laptop"));
    }

    #[test]
    fn generic_cldr_words_name_nothing_and_hand_written_words_decide() {
        let names = |p: &str| find(p).iter().map(|(s, _)| s.name).collect::<Vec<_>>();
        for word in [
            "face",
            "food",
            "animal",
            "person",
            "video",
            "symbol",
            "صورت",
            "حیوان",
            "نماد",
        ] {
            assert!(names(word).is_empty(), "{word}: {:?}", names(word));
            assert_eq!(lookup(word), None, "{word}");
        }
        // «شیر» is milk as often as lion; «غذا» stays the cook's, as it was.
        assert!(names("شیر کاکائو").is_empty());
        assert_eq!(names("غذا"), ["chef"]);
        // CLDR puts "cat" on the tiger and "fish" on the shark; the hand-written words win.
        assert_eq!(names("big cat"), ["cat"]);
        assert_eq!(names("fish tank"), ["fish"]);
        assert_eq!(lookup("selfie").map(|s| s.name), Some("camera vlog"));
    }

    #[test]
    fn cldr_table_is_consistent_with_the_subjects() {
        let tsv = include_str!("../assets/subject-annotations.tsv");
        assert!(tsv.len() < 200_000);
        let rows = tsv.lines().filter(|l| !l.starts_with('#')).count();
        let kept: usize = annotations().keywords.iter().map(Vec::len).sum();
        assert!(kept > 300 && kept <= rows, "{kept} of {rows}");
        for (subject, keywords) in SUBJECTS.iter().zip(&annotations().keywords) {
            assert!(
                !keywords.is_empty(),
                "{} has no CLDR keywords",
                subject.name
            );
            for k in keywords {
                // No keyword is another subject's name or hand-written word.
                let theirs = SUBJECTS
                    .iter()
                    .find(|s| s.name == k || s.words.contains(&k.as_str()));
                assert!(
                    theirs.is_none_or(|s| s == subject),
                    "{k} of {} is {}'s",
                    subject.name,
                    theirs.map_or("", |s| s.name)
                );
            }
        }
    }
}
