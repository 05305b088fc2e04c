//! Algorithms as data: what an admin may set on an algorithm (its image-provider chain, its
//! price, its watermark rule) and the checks those values pass before they are stored. The
//! live values are rows in the database; what lives here is the vocabulary, the defaults the
//! rows are seeded with, and the pure rules over them.

use std::{fmt, ops::RangeInclusive, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::{Algorithm, CoreError, Credits};

/// The price an admin may give an algorithm, in credits per image.
pub const COST_RANGE: RangeInclusive<i64> = 1..=1000;

/// An image provider an algorithm's chain can name, tried in the chain's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ImageProvider {
    #[serde(rename = "openai")]
    OpenAi,
    #[serde(rename = "gemini")]
    Gemini,
    #[serde(rename = "stability")]
    Stability,
    #[serde(rename = "sd-webui")]
    SdWebUi,
}

impl ImageProvider {
    pub const ALL: [ImageProvider; 4] = [
        ImageProvider::OpenAi,
        ImageProvider::Gemini,
        ImageProvider::Stability,
        ImageProvider::SdWebUi,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ImageProvider::OpenAi => "openai",
            ImageProvider::Gemini => "gemini",
            ImageProvider::Stability => "stability",
            ImageProvider::SdWebUi => "sd-webui",
        }
    }

    /// The setting that makes this provider available.
    pub fn setting(self) -> &'static str {
        match self {
            ImageProvider::OpenAi => "OPENAI_API_KEY",
            ImageProvider::Gemini => "GEMINI_API_KEY",
            ImageProvider::Stability => "STABILITY_API_KEY",
            ImageProvider::SdWebUi => "SD_WEBUI_URL",
        }
    }
}

impl fmt::Display for ImageProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ImageProvider {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ImageProvider::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| CoreError::Invalid {
                field: "chain",
                reason: format!(
                    "unknown provider {s:?}: expected {}",
                    ImageProvider::ALL.map(ImageProvider::as_str).join(", ")
                ),
            })
    }
}

/// Whether an algorithm's results carry the Routix watermark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WatermarkRule {
    /// As the account's plan says (free: yes; paid plans: no).
    Plan,
    /// On every result, whatever the plan.
    Always,
    /// On no result, whatever the plan.
    Never,
}

impl WatermarkRule {
    pub const ALL: [WatermarkRule; 3] = [
        WatermarkRule::Plan,
        WatermarkRule::Always,
        WatermarkRule::Never,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WatermarkRule::Plan => "plan",
            WatermarkRule::Always => "always",
            WatermarkRule::Never => "never",
        }
    }

    /// The watermark decision for an account whose plan says `plan_watermark`.
    pub fn applies(self, plan_watermark: bool) -> bool {
        match self {
            WatermarkRule::Plan => plan_watermark,
            WatermarkRule::Always => true,
            WatermarkRule::Never => false,
        }
    }
}

impl FromStr for WatermarkRule {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        WatermarkRule::ALL
            .into_iter()
            .find(|w| w.as_str() == s)
            .ok_or_else(|| CoreError::Invalid {
                field: "watermark",
                reason: format!("unknown rule {s:?}: expected plan, always or never"),
            })
    }
}

/// The chain each algorithm is seeded with (migration 0015 holds the same lists).
pub fn default_chain(algorithm: Algorithm) -> Vec<ImageProvider> {
    use ImageProvider::*;
    match algorithm {
        Algorithm::Basic => Vec::new(),
        Algorithm::Premium => vec![Stability, SdWebUi],
        Algorithm::Pro => vec![OpenAi, Gemini, Stability, SdWebUi],
    }
}

/// A chain an admin typed, checked: known providers, each once. Basic is the offline
/// compositor (its variants come at one price), so its chain stays empty; premium and pro
/// need at least one provider (with none configured they fall back to the compositor).
pub fn parse_chain(
    algorithm: Algorithm,
    names: &[impl AsRef<str>],
) -> Result<Vec<ImageProvider>, CoreError> {
    let invalid = |reason: String| CoreError::Invalid {
        field: "chain",
        reason,
    };
    let mut chain = Vec::with_capacity(names.len());
    for name in names {
        let provider: ImageProvider = name.as_ref().trim().parse()?;
        if chain.contains(&provider) {
            return Err(invalid(format!("{provider} is named twice")));
        }
        chain.push(provider);
    }
    match (algorithm, chain.is_empty()) {
        (Algorithm::Basic, false) => Err(invalid(
            "basic is the offline compositor; its chain must be empty".into(),
        )),
        (Algorithm::Premium | Algorithm::Pro, true) => {
            Err(invalid(format!("{algorithm} needs at least one provider")))
        }
        _ => Ok(chain),
    }
}

/// A price an admin typed, checked against `COST_RANGE`.
pub fn parse_cost(cost: i64) -> Result<Credits, CoreError> {
    if COST_RANGE.contains(&cost) {
        Ok(Credits(cost))
    } else {
        Err(CoreError::Invalid {
            field: "cost",
            reason: format!(
                "must be {} to {} credits",
                COST_RANGE.start(),
                COST_RANGE.end()
            ),
        })
    }
}

/// The `p`th percentile (0 to 100) of `sorted` (ascending) by nearest rank: the smallest value
/// at least `p` percent of the values are at or below. `None` for no values.
pub fn percentile(sorted: &[i64], p: u8) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (usize::from(p.min(100)) * sorted.len())
        .div_ceil(100)
        .max(1);
    sorted.get(rank - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_name_known_providers_once_and_fit_the_algorithm() {
        let ok = parse_chain(Algorithm::Premium, &["sd-webui", "stability"]).unwrap();
        assert_eq!(ok, [ImageProvider::SdWebUi, ImageProvider::Stability]);
        let cases: [(Algorithm, &[&str]); 5] = [
            (Algorithm::Pro, &["dall-e"]),
            (Algorithm::Pro, &["openai", "openai"]),
            (Algorithm::Pro, &[]),
            (Algorithm::Premium, &["OpenAI "]),
            (Algorithm::Basic, &["stability"]),
        ];
        for (algorithm, names) in cases {
            assert!(
                parse_chain(algorithm, names).is_err(),
                "{algorithm} {names:?}"
            );
        }
        assert_eq!(parse_chain(Algorithm::Basic, &[] as &[&str]), Ok(vec![]));
    }

    #[test]
    fn default_chains_pass_their_own_checks() {
        for algorithm in Algorithm::ALL {
            let names: Vec<&str> = default_chain(algorithm)
                .into_iter()
                .map(ImageProvider::as_str)
                .collect();
            assert_eq!(parse_chain(algorithm, &names), Ok(default_chain(algorithm)));
        }
    }

    #[test]
    fn costs_are_one_to_a_thousand() {
        assert_eq!(parse_cost(1), Ok(Credits(1)));
        assert_eq!(parse_cost(1000), Ok(Credits(1000)));
        assert!(parse_cost(0).is_err());
        assert!(parse_cost(1001).is_err());
        assert!(parse_cost(-3).is_err());
    }

    #[test]
    fn watermark_rules_follow_or_override_the_plan() {
        let cases = [
            (WatermarkRule::Plan, true, true),
            (WatermarkRule::Plan, false, false),
            (WatermarkRule::Always, false, true),
            (WatermarkRule::Never, true, false),
        ];
        for (rule, plan, expected) in cases {
            assert_eq!(rule.applies(plan), expected, "{rule:?} with plan {plan}");
        }
        assert_eq!("always".parse(), Ok(WatermarkRule::Always));
        assert!("sometimes".parse::<WatermarkRule>().is_err());
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
        assert_eq!(percentile(&values, 50), Some(50));
        assert_eq!(percentile(&values, 95), Some(100));
        assert_eq!(percentile(&values, 0), Some(10));
        assert_eq!(percentile(&[7], 95), Some(7));
        assert_eq!(percentile(&[1, 9], 50), Some(1));
        assert_eq!(percentile(&[], 50), None);
    }
}
