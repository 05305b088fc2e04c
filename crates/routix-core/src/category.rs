//! Video categories. Templates are filed under one; the analyzer maps a prompt to one.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

use crate::CoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Gaming,
    Tech,
    Education,
    Vlog,
    Cooking,
    Fitness,
    Finance,
    Travel,
    Music,
    News,
    Beauty,
    Sports,
    Reaction,
    Tutorial,
    Review,
    Podcast,
    Animals,
    Cars,
    Comedy,
    Entertainment,
    Science,
    Kids,
    Diy,
    /// No stronger signal: a general-purpose design.
    General,
}

impl Category {
    pub const ALL: [Category; 24] = [
        Category::Gaming,
        Category::Tech,
        Category::Education,
        Category::Vlog,
        Category::Cooking,
        Category::Fitness,
        Category::Finance,
        Category::Travel,
        Category::Music,
        Category::News,
        Category::Beauty,
        Category::Sports,
        Category::Reaction,
        Category::Tutorial,
        Category::Review,
        Category::Podcast,
        Category::Animals,
        Category::Cars,
        Category::Comedy,
        Category::Entertainment,
        Category::Science,
        Category::Kids,
        Category::Diy,
        Category::General,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Gaming => "gaming",
            Category::Tech => "tech",
            Category::Education => "education",
            Category::Vlog => "vlog",
            Category::Cooking => "cooking",
            Category::Fitness => "fitness",
            Category::Finance => "finance",
            Category::Travel => "travel",
            Category::Music => "music",
            Category::News => "news",
            Category::Beauty => "beauty",
            Category::Sports => "sports",
            Category::Reaction => "reaction",
            Category::Tutorial => "tutorial",
            Category::Review => "review",
            Category::Podcast => "podcast",
            Category::Animals => "animals",
            Category::Cars => "cars",
            Category::Comedy => "comedy",
            Category::Entertainment => "entertainment",
            Category::Science => "science",
            Category::Kids => "kids",
            Category::Diy => "diy",
            Category::General => "general",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == wanted)
            .ok_or_else(|| CoreError::UnknownCategory(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_category_through_text() {
        for c in Category::ALL {
            assert_eq!(c.as_str().parse::<Category>(), Ok(c));
            assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{c}\""));
        }
        assert!("cats".parse::<Category>().is_err());
    }
}
