//! Generation vocabulary: algorithms with their price, lifecycle states and the five stages.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

use crate::{CoreError, Credits};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    /// Offline compositor with templates.
    Basic,
    /// Stability SDXL or self-hosted Stable Diffusion artwork.
    Premium,
    /// DALL-E 3 / gpt-image / Gemini artwork with vision on references.
    Pro,
}

impl Algorithm {
    pub const ALL: [Algorithm; 3] = [Algorithm::Basic, Algorithm::Premium, Algorithm::Pro];

    /// The price migration 0015 seeds; the live price is the `algorithms` row admins edit.
    pub fn cost(self) -> Credits {
        match self {
            Algorithm::Basic => Credits(1),
            Algorithm::Premium => Credits(3),
            Algorithm::Pro => Credits(5),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Basic => "basic",
            Algorithm::Premium => "premium",
            Algorithm::Pro => "pro",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Algorithm::ALL
            .into_iter()
            .find(|a| a.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| CoreError::UnknownAlgorithm(s.to_string()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GenerationStatus {
    Queued,
    Processing,
    Completed,
    Failed,
    Cancelled,
}

impl GenerationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            GenerationStatus::Queued => "queued",
            GenerationStatus::Processing => "processing",
            GenerationStatus::Completed => "completed",
            GenerationStatus::Failed => "failed",
            GenerationStatus::Cancelled => "cancelled",
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            GenerationStatus::Completed | GenerationStatus::Failed | GenerationStatus::Cancelled
        )
    }
}

impl FromStr for GenerationStatus {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            GenerationStatus::Queued,
            GenerationStatus::Processing,
            GenerationStatus::Completed,
            GenerationStatus::Failed,
            GenerationStatus::Cancelled,
        ]
        .into_iter()
        .find(|g| g.as_str() == s)
        .ok_or(CoreError::Invalid {
            field: "status",
            reason: format!("unknown generation status {s:?}"),
        })
    }
}

/// The five tracked stages of a generation, numbered 1 to 5 on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    Analysing = 1,
    MatchingTemplate = 2,
    CreatingArtwork = 3,
    Composing = 4,
    Storing = 5,
}

impl Stage {
    pub const ALL: [Stage; 5] = [
        Stage::Analysing,
        Stage::MatchingTemplate,
        Stage::CreatingArtwork,
        Stage::Composing,
        Stage::Storing,
    ];

    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn from_number(n: u8) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.number() == n)
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Analysing => "analysing",
            Stage::MatchingTemplate => "matching template",
            Stage::CreatingArtwork => "creating artwork",
            Stage::Composing => "composing",
            Stage::Storing => "optimising and storing",
        }
    }

    /// Overall progress (percent) when this stage starts.
    pub fn start_percent(self) -> u8 {
        match self {
            Stage::Analysing => 5,
            Stage::MatchingTemplate => 20,
            Stage::CreatingArtwork => 35,
            Stage::Composing => 75,
            Stage::Storing => 90,
        }
    }
}

impl Serialize for Stage {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.number())
    }
}

impl<'de> Deserialize<'de> for Stage {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = u8::deserialize(d)?;
        Stage::from_number(n).ok_or_else(|| serde::de::Error::custom("stage must be 1 to 5"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_prices_follow_the_design_table() {
        assert_eq!(Algorithm::Basic.cost(), Credits(1));
        assert_eq!(Algorithm::Premium.cost(), Credits(3));
        assert_eq!(Algorithm::Pro.cost(), Credits(5));
        assert_eq!("PRO".parse::<Algorithm>(), Ok(Algorithm::Pro));
        assert!("turbo".parse::<Algorithm>().is_err());
    }

    #[test]
    fn stages_are_numbered_one_to_five_and_progress_increases() {
        let numbers: Vec<u8> = Stage::ALL.iter().map(|s| s.number()).collect();
        assert_eq!(numbers, [1, 2, 3, 4, 5]);
        assert!(Stage::ALL
            .windows(2)
            .all(|w| w[0].start_percent() < w[1].start_percent()));
        assert_eq!(Stage::from_number(6), None);
    }
}
