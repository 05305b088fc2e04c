//! Credits: the unit users pay generations with. Balances are sums over a ledger, so a
//! `Credits` value is a signed amount: grants and refunds positive, reservations negative.

use serde::{Deserialize, Serialize};
use std::{fmt, ops::Add};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Credits(pub i64);

impl Credits {
    pub const ZERO: Credits = Credits(0);

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Whether a balance can pay `cost` without going below zero.
    pub fn covers(self, cost: Credits) -> bool {
        self.0 >= cost.0
    }
}

impl Add for Credits {
    type Output = Credits;
    fn add(self, rhs: Credits) -> Credits {
        Credits(self.0 + rhs.0)
    }
}

impl std::ops::Neg for Credits {
    type Output = Credits;
    fn neg(self) -> Credits {
        Credits(-self.0)
    }
}

impl fmt::Display for Credits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Kinds of ledger entries. The balance is the sum of all entries' amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LedgerKind {
    /// Credits given: sign-up bonus, monthly plan credits, admin grant (positive).
    Grant,
    /// Credits bought: a paid credit pack (positive).
    Purchase,
    /// Credits held for a queued generation (negative).
    Reserve,
    /// A reservation made final when the generation succeeded (zero amount, a record).
    Settle,
    /// A reservation returned because the generation failed or was cancelled (positive).
    Refund,
}

impl LedgerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerKind::Grant => "grant",
            LedgerKind::Purchase => "purchase",
            LedgerKind::Reserve => "reserve",
            LedgerKind::Settle => "settle",
            LedgerKind::Refund => "refund",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_exact_balance_but_not_more() {
        assert!(Credits(5).covers(Credits(5)));
        assert!(!Credits(4).covers(Credits(5)));
        assert_eq!(Credits(3) + -Credits(5), Credits(-2));
    }
}
