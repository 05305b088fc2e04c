//! The assistant's answer to a chat message: what Routix understood and which templates fit,
//! as a sentence a person can read (in the message's language) with the structured analysis
//! and suggestions in its metadata, ready for a "generate" button.

use routix_core::{analyzer::Correction, Algorithm, Analysis, Category, Direction};
use serde_json::{json, Value};

use crate::pipeline::Engine;

const SUGGESTIONS: usize = 3;

/// Text and metadata of the reply, or `None` when there is nothing useful to say.
pub async fn reply(engine: &Engine, content: &str) -> Option<(String, Value)> {
    if let Some(correction) = routix_core::analyzer::correction(content) {
        let text = acknowledge(&correction, routix_core::analyzer::is_rtl(content));
        return Some((
            text,
            json!({"kind": "correction", "correction": correction}),
        ));
    }
    let outcome = engine
        .providers
        .analyze(content, Algorithm::Basic, &[])
        .await;
    let analysis = outcome.analysis;
    let found = engine.suggest(&analysis, SUGGESTIONS, true);
    // Template names in the language of the reply.
    let lang = if persian(&analysis) { "fa" } else { "en" };
    let names: Vec<String> = found
        .iter()
        .map(|(t, _)| t.name_in(lang).to_string())
        .collect();
    let text = describe(&analysis, &names);
    let suggestions: Vec<Value> = found
        .iter()
        .zip(&names)
        .map(|((_, m), name)| json!({"template_id": m.template_id, "name": name, "match_score": m.match_score, "reasons": m.reasons}))
        .collect();
    let metadata = json!({
        "kind": "analysis",
        "analysis": analysis,
        "suggestions": suggestions,
        "fell_back": outcome.fell_back,
    });
    Some((text, metadata))
}

/// "Got it: cars, not gaming. …" in the message's language.
fn acknowledge(c: &Correction, persian: bool) -> String {
    let mut parts = Vec::new();
    if persian {
        if let Some(cat) = c.category {
            let mut p = format!("موضوع {}", persian_category(cat.as_str()));
            if let Some(not) = c.not_category {
                p.push_str(&format!("، نه {}", persian_category(not.as_str())));
            }
            parts.push(p);
        }
        if let Some(h) = &c.headline {
            parts.push(format!("تیتر «{h}»"));
        }
        return format!(
            "باشه: {}. تامبنیل بعدی این گفتگو با همین ساخته می‌شود.",
            parts.join(" و ")
        );
    }
    if let Some(cat) = c.category {
        let mut p = format!("it is about {}", english_category(cat));
        if let Some(not) = c.not_category {
            p.push_str(&format!(", not {}", english_category(not)));
        }
        parts.push(p);
    }
    if let Some(h) = &c.headline {
        parts.push(format!("the headline is “{h}”"));
    }
    format!(
        "Got it: {}. The next thumbnail in this chat will use that.",
        parts.join(" and ")
    )
}

fn english_category(c: Category) -> &'static str {
    match c {
        Category::Diy => "DIY",
        other => other.as_str(),
    }
}

/// Whether the reply is in Persian (the message was).
fn persian(a: &Analysis) -> bool {
    a.direction == Direction::Rtl || a.language == "fa"
}

/// "A gaming thumbnail in red and black with the headline “NEW SEASON”. Best templates: …"
pub fn describe(a: &Analysis, templates: &[String]) -> String {
    let colours: Vec<&str> = a.colors.iter().map(|c| c.name.as_str()).collect();
    if persian(a) {
        let mut s = format!("یک تامبنیل {}", persian_category(a.category.as_str()));
        if !colours.is_empty() {
            let names: Vec<&str> = colours.iter().map(|c| persian_colour(c)).collect();
            s.push_str(&format!(" با رنگ‌های {}", names.join(" و ")));
        }
        s.push_str(&format!(" و تیتر «{}»", a.headline));
        if let Some(subject) = a.subjects.first() {
            s.push_str(&format!("، با سوژه‌ی {subject}"));
        }
        s.push('.');
        if !templates.is_empty() {
            s.push_str(&format!(" قالب‌های پیشنهادی: {}.", templates.join("، ")));
        }
        return s;
    }
    let category = a.category.as_str();
    let article = if category.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "An"
    } else {
        "A"
    };
    let mut s = format!("{article} {category} thumbnail");
    if !colours.is_empty() {
        s.push_str(&format!(" in {}", join_and(&colours)));
    }
    if !a.style.is_empty() {
        s.push_str(&format!(", {} style", a.style));
    }
    s.push_str(&format!(", with the headline “{}”", a.headline));
    if let Some(subject) = a.subjects.first() {
        s.push_str(&format!(" and a {subject} as the subject"));
    }
    s.push('.');
    if !templates.is_empty() {
        s.push_str(&format!(" Best templates: {}.", templates.join(", ")));
    }
    s
}

fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn persian_colour(name: &str) -> &str {
    match name {
        "red" => "قرمز",
        "black" => "مشکی",
        "white" => "سفید",
        "blue" => "آبی",
        "dark blue" => "آبی تیره",
        "light blue" | "sky blue" => "آبی روشن",
        "navy" => "سرمه‌ای",
        "green" => "سبز",
        "dark green" => "سبز تیره",
        "neon green" => "سبز نئونی",
        "yellow" => "زرد",
        "orange" => "نارنجی",
        "purple" | "violet" => "بنفش",
        "pink" | "neon pink" => "صورتی",
        "gold" => "طلایی",
        "silver" => "نقره‌ای",
        "gray" => "خاکستری",
        "brown" => "قهوه‌ای",
        "turquoise" | "teal" | "cyan" => "فیروزه‌ای",
        "magenta" => "سرخابی",
        "beige" => "کرم",
        "lavender" => "یاسی",
        "mint" => "سبز نعنایی",
        other => other,
    }
}

fn persian_category(category: &str) -> &'static str {
    match category {
        "gaming" => "گیمینگ",
        "tech" => "تکنولوژی",
        "education" => "آموزشی",
        "vlog" => "ولاگ",
        "cooking" => "آشپزی",
        "fitness" => "ورزش و تناسب اندام",
        "finance" => "مالی",
        "travel" => "سفر",
        "music" => "موسیقی",
        "news" => "خبری",
        "beauty" => "زیبایی",
        "sports" => "ورزشی",
        "reaction" => "ری‌اکشن",
        "tutorial" => "آموزشی",
        "review" => "بررسی",
        "podcast" => "پادکست",
        "animals" => "حیوانات",
        "cars" => "خودرو",
        "comedy" => "طنز",
        "entertainment" => "سرگرمی",
        "science" => "علمی",
        "kids" => "کودک",
        "diy" => "ساختنی و تعمیر",
        _ => "عمومی",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_read_naturally_in_both_languages() {
        let en = routix_core::analyzer::analyze("gaming video, red and black, text: NEW SEASON");
        let text = describe(&en, &["Neon Arena".into()]);
        assert_eq!(text, "A gaming thumbnail in red and black, neon style, with the headline “NEW SEASON” and a game controller as the subject. Best templates: Neon Arena.");
        let fa =
            routix_core::analyzer::analyze("تامبنیل آشپزی با رنگ‌های زرد و قرمز، متن: پیتزای خانگی");
        let text = describe(&fa, &["Warm Table".into()]);
        assert!(
            text.contains("زرد و قرمز")
                && text.contains("«پیتزای خانگی»")
                && text.contains("آشپزی"),
            "{text}"
        );
    }
}
