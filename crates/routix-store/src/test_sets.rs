//! Test & Compare sets: the three results (a generation, or one of its variants) a creator
//! picked to test against each other. Only the picks are stored; the images stay the
//! generations' own.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{now, on_db, Db, GenerationId, Result, StoreError, TestSetId, UserId};

/// One picked result: a generation's main image (`variant` 0) or one of its variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetPick {
    pub generation_id: GenerationId,
    pub variant: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TestSet {
    pub id: TestSetId,
    pub user_id: UserId,
    /// In order: A, B, C.
    pub picks: Vec<SetPick>,
    pub created_at: DateTime<Utc>,
}

impl Db {
    pub async fn create_test_set(&self, user: UserId, picks: &[SetPick]) -> Result<TestSet> {
        let set = TestSet {
            id: TestSetId::new(),
            user_id: user,
            picks: picks.to_vec(),
            created_at: now(),
        };
        let json = serde_json::to_string(&set.picks)
            .map_err(|e| StoreError::Database(sqlx::Error::Encode(e.into())))?;
        on_db!(self, pool => sqlx::query(
            "INSERT INTO test_sets (id, user_id, picks, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(set.id)
        .bind(user)
        .bind(&json)
        .bind(set.created_at)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(set)
    }

    /// A set, only if `user` made it.
    pub async fn test_set(&self, user: UserId, id: TestSetId) -> Result<TestSet> {
        let (picks, created_at): (String, DateTime<Utc>) = on_db!(self, pool => sqlx::query_as(
            "SELECT picks, created_at FROM test_sets WHERE id = $1 AND user_id = $2",
        )
        .bind(id)
        .bind(user)
        .fetch_one(pool)
        .await)?;
        let picks = serde_json::from_str(&picks)
            .map_err(|e| StoreError::Database(sqlx::Error::Decode(e.into())))?;
        Ok(TestSet {
            id,
            user_id: user,
            picks,
            created_at,
        })
    }
}
