//! Template matching: a deterministic multi-factor score of how well each template suits an
//! analysis, with the reasons a person would give. Factors and their maximum points:
//! category 40, style 15, palette harmony 15, mood 10, headline length 10, right-to-left 10,
//! image slot 10 (with a reference image); two-sided layouts (styles `versus`,
//! `before-after`) gain 30 for a request of that shape and lose 60 otherwise.

use serde::{Deserialize, Serialize};

use crate::{Analysis, Category, Direction, Rgb, TemplateId, TemplateMeta};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchOptions {
    pub limit: usize,
    pub has_reference_image: bool,
}

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions {
            limit: 5,
            has_reference_image: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateMatch {
    pub template_id: TemplateId,
    pub match_score: f32,
    pub reasons: Vec<String>,
}

/// The best `opts.limit` templates, best first; ties broken by id so results never shuffle.
pub fn match_templates(
    analysis: &Analysis,
    templates: &[TemplateMeta],
    opts: &MatchOptions,
) -> Vec<TemplateMatch> {
    let mut scored: Vec<TemplateMatch> =
        templates.iter().map(|t| score(analysis, t, opts)).collect();
    scored.sort_by(|a, b| {
        b.match_score
            .partial_cmp(&a.match_score)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.template_id.cmp(&b.template_id))
    });
    scored.truncate(opts.limit);
    scored
}

/// Lifts or lowers each match by how its template has done — `boost` answers the smoothed
/// performance of a template id (see [`crate::bank::search::boost`]), about −0.5..0.5 — by
/// up to 20 points, then puts them back in order.
pub fn apply_performance(matches: &mut [TemplateMatch], boost: impl Fn(&str) -> Option<f32>) {
    for m in matches.iter_mut() {
        if let Some(b) = boost(&m.template_id.0) {
            let points = (b * 40.0).clamp(-20.0, 20.0);
            m.match_score = ((m.match_score + points) * 10.0).round() / 10.0;
            if points <= -2.0 {
                m.reasons.push("rated down by creators".to_string());
            } else if points >= 2.0 {
                m.reasons.push("works well for creators".to_string());
            }
        }
    }
    matches.sort_by(|a, b| {
        b.match_score
            .partial_cmp(&a.match_score)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.template_id.cmp(&b.template_id))
    });
}

pub fn score(a: &Analysis, t: &TemplateMeta, opts: &MatchOptions) -> TemplateMatch {
    let mut points = 0.0f32;
    let mut reasons = Vec::new();

    if t.category == a.category {
        points += 40.0;
        reasons.push(format!("made for {} videos", a.category.as_str()));
    } else if t.category == Category::General || related(a.category, t.category) {
        points += 15.0;
        reasons.push(format!(
            "{} design that suits {} too",
            t.category.as_str(),
            a.category.as_str()
        ));
    }

    let wanted_style = a.style.to_lowercase();
    // Two-sided layouts only for two-sided requests: a versus design with one subject
    // reads as a mistake.
    for shape in ["versus", "before-after"] {
        if t.styles.iter().any(|s| s == shape) {
            if wanted_style.contains(shape) {
                points += 30.0;
                reasons.push(format!("{shape} layout for a {shape} request"));
            } else {
                points -= 60.0;
            }
        }
    }
    if t.styles
        .iter()
        .any(|s| wanted_style.contains(&s.to_lowercase()))
    {
        points += 15.0;
        reasons.push(format!("{} style", a.style));
    }

    let requested = a.requested_colors();
    if !requested.is_empty() {
        let harmony = palette_harmony(
            &requested,
            &[t.palette.primary, t.palette.secondary, t.palette.accent],
        );
        points += 15.0 * harmony;
        if harmony > 0.6 {
            reasons.push("palette close to the requested colours".to_string());
        }
    } else {
        points += 7.5;
    }

    if t.mood.eq_ignore_ascii_case(&a.mood) {
        points += 10.0;
        reasons.push(format!("{} mood", a.mood));
    }

    let len = a.headline.chars().count() as f32;
    let ideal = f32::from(t.headline_chars.max(1));
    let fit = (1.0 - ((len - ideal).abs() / ideal)).clamp(0.0, 1.0);
    points += 10.0 * fit;
    if fit > 0.7 {
        reasons.push("headline length fits its text slot".to_string());
    }

    if a.direction == Direction::Rtl {
        if t.supports_rtl {
            points += 10.0;
            reasons.push("lays out right-to-left text well".to_string());
        }
    } else {
        points += 10.0;
    }

    if opts.has_reference_image {
        if t.has_image_slot {
            points += 10.0;
            reasons.push("has a slot for your reference image".to_string());
        }
    } else {
        // Without a photo every design draws its subject, slot or not.
        points += 10.0;
    }

    TemplateMatch {
        template_id: t.id.clone(),
        match_score: (points * 10.0).round() / 10.0,
        reasons,
    }
}

/// Categories whose designs carry over to each other.
fn related(a: Category, b: Category) -> bool {
    use Category::*;
    let pairs = [
        (Tech, Review),
        (Tutorial, Education),
        (Education, Tech),
        (Reaction, Gaming),
        (Vlog, Travel),
        (Podcast, News),
        (Fitness, Sports),
        (Beauty, Vlog),
        (Cooking, Vlog),
        (Finance, News),
        (Music, Reaction),
        (Animals, Vlog),
        (Cars, Review),
        (Cars, Sports),
        (Comedy, Reaction),
        (Entertainment, Reaction),
        (Entertainment, Music),
        (Science, Education),
        (Kids, Education),
        (Diy, Tutorial),
    ];
    pairs
        .iter()
        .any(|&(x, y)| (x == a && y == b) || (x == b && y == a))
}

/// 0..=1: for each requested colour, how close the nearest template colour is.
fn palette_harmony(requested: &[Rgb], palette: &[Rgb]) -> f32 {
    let closeness = |c: Rgb| {
        palette
            .iter()
            .map(|p| {
                let d = ((f32::from(c.r) - f32::from(p.r)).powi(2)
                    + (f32::from(c.g) - f32::from(p.g)).powi(2)
                    + (f32::from(c.b) - f32::from(p.b)).powi(2))
                .sqrt();
                1.0 - (d / 441.7).min(1.0)
            })
            .fold(0.0f32, f32::max)
    };
    requested.iter().map(|&c| closeness(c)).sum::<f32>() / requested.len() as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{analyzer::analyze, Palette};

    fn meta(
        id: &str,
        category: Category,
        style: &str,
        palette: [&str; 3],
        rtl: bool,
        slot: bool,
    ) -> TemplateMeta {
        TemplateMeta {
            id: TemplateId(id.into()),
            name: id.into(),
            category,
            styles: vec![style.into()],
            mood: "energetic".into(),
            palette: Palette {
                primary: palette[0].parse().unwrap(),
                secondary: palette[1].parse().unwrap(),
                accent: palette[2].parse().unwrap(),
            },
            supports_rtl: rtl,
            has_image_slot: slot,
            headline_chars: 14,
            description: String::new(),
            translations: Default::default(),
        }
    }

    fn library() -> Vec<TemplateMeta> {
        vec![
            meta(
                "cooking-warm",
                Category::Cooking,
                "cinematic",
                ["#f5b701", "#7a4a22", "#ffffff"],
                true,
                true,
            ),
            meta(
                "gaming-neon",
                Category::Gaming,
                "neon",
                ["#e51b23", "#0d0d0f", "#39ff14"],
                false,
                false,
            ),
            meta(
                "gaming-rtl",
                Category::Gaming,
                "bold",
                ["#1e5eff", "#ffffff", "#ffd600"],
                true,
                true,
            ),
            meta(
                "general-clean",
                Category::General,
                "minimal",
                ["#ffffff", "#0d0d0f", "#1e5eff"],
                true,
                false,
            ),
        ]
    }

    #[test]
    fn gaming_red_black_prefers_the_red_black_gaming_template() {
        let a = analyze("Create a gaming thumbnail with red and black colors");
        let m = match_templates(&a, &library(), &MatchOptions::default());
        assert_eq!(m[0].template_id.0, "gaming-neon");
        assert!(m[0].reasons.iter().any(|r| r.contains("gaming")));
        assert!(m.iter().all(|x| x.match_score >= 0.0));
    }

    #[test]
    fn persian_prompts_prefer_rtl_templates_and_references_prefer_slots() {
        let a = analyze("تامبنیل گیمینگ با متن: فصل جدید");
        let m = match_templates(
            &a,
            &library(),
            &MatchOptions {
                limit: 2,
                has_reference_image: true,
            },
        );
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].template_id.0, "gaming-rtl");
        assert!(m[0].reasons.iter().any(|r| r.contains("right-to-left")));
    }

    #[test]
    fn deterministic_and_limited() {
        let a = analyze("something nice");
        let one = match_templates(
            &a,
            &library(),
            &MatchOptions {
                limit: 3,
                has_reference_image: false,
            },
        );
        let two = match_templates(
            &a,
            &library(),
            &MatchOptions {
                limit: 3,
                has_reference_image: false,
            },
        );
        assert_eq!(one, two);
        assert_eq!(one.len(), 3);
        assert!(match_templates(
            &a,
            &library(),
            &MatchOptions {
                limit: 0,
                has_reference_image: false
            }
        )
        .is_empty());
    }
}
