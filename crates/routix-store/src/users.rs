//! Accounts. Soft-deleted users (`deleted_at` set) are invisible to every query here.

use chrono::{DateTime, Utc};
use serde::Serialize;

use serde_json::json;

use crate::{
    audit::{Actor, AuditEntry, AuditLog},
    now, on_db, Db, Result, StoreError, UserId,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Admin => "admin",
        }
    }

    fn parse(s: &str) -> Role {
        if s == "admin" {
            Role::Admin
        } else {
            Role::User
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Plan {
    Free,
    Pro,
    Agency,
    Enterprise,
}

impl Plan {
    pub const ALL: [Plan; 4] = [Plan::Free, Plan::Pro, Plan::Agency, Plan::Enterprise];

    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Free => "free",
            Plan::Pro => "pro",
            Plan::Agency => "agency",
            Plan::Enterprise => "enterprise",
        }
    }

    pub fn parse(s: &str) -> Option<Plan> {
        Plan::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Unlimited plans never have a reservation refused: the balance may go below zero and
    /// then shows what was used (the database allows it for `enterprise` only).
    pub fn is_unlimited(self) -> bool {
        self == Plan::Enterprise
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct UserRow {
    id: UserId,
    email: String,
    password_hash: String,
    display_name: String,
    locale: String,
    role: String,
    plan: String,
    created_at: DateTime<Utc>,
    last_login_at: Option<DateTime<Utc>>,
    email_verified_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub id: UserId,
    pub email: String,
    #[serde(skip)]
    pub password_hash: String,
    pub display_name: String,
    pub locale: String,
    pub role: Role,
    pub plan: Plan,
    pub created_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
    /// When the owner opened the link mailed to the address; `None` while unverified.
    pub email_verified_at: Option<DateTime<Utc>>,
}

impl User {
    pub fn email_verified(&self) -> bool {
        self.email_verified_at.is_some()
    }
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: r.id,
            email: r.email,
            password_hash: r.password_hash,
            display_name: r.display_name,
            locale: r.locale,
            role: Role::parse(&r.role),
            plan: Plan::parse(&r.plan).unwrap_or(Plan::Free),
            created_at: r.created_at,
            last_login_at: r.last_login_at,
            email_verified_at: r.email_verified_at,
        }
    }
}

pub struct NewUser<'a> {
    /// Already validated and normalised by the caller.
    pub email: &'a str,
    pub password_hash: &'a str,
    pub display_name: &'a str,
    pub locale: &'a str,
    pub role: Role,
    /// Welcome credits, granted in the same transaction (0 for none).
    pub credits: i64,
}

const COLUMNS: &str = "id, email, password_hash, display_name, locale, role, plan, created_at, \
    last_login_at, email_verified_at";

/// Fields a user may change on their own profile; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct ProfileChange<'a> {
    pub display_name: Option<&'a str>,
    pub locale: Option<&'a str>,
}

impl Db {
    /// Creates an account. A live account with the same email → `Conflict`.
    pub async fn create_user(&self, new: NewUser<'_>) -> Result<User> {
        let id = UserId::new();
        let at = now();
        let sql = format!(
            "INSERT INTO users (id, email, password_hash, display_name, locale, role, plan, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'free', $7, $7) RETURNING {COLUMNS}"
        );
        let conflict = |e: sqlx::Error| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict("an account with this email exists"),
            other => other,
        };
        let row: UserRow = on_db!(self, pool => {
            let mut tx = pool.begin().await?;
            let row: UserRow = sqlx::query_as(&sql)
                .bind(id)
                .bind(new.email)
                .bind(new.password_hash)
                .bind(new.display_name)
                .bind(new.locale)
                .bind(new.role.as_str())
                .bind(at)
                .fetch_one(&mut *tx)
                .await
                .map_err(conflict)?;
            if new.credits > 0 {
                sqlx::query("UPDATE users SET credits = $2 WHERE id = $1")
                    .bind(id)
                    .bind(new.credits)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(crate::credits::INSERT_LEDGER)
                    .bind(crate::LedgerId::new())
                    .bind(id)
                    .bind("grant")
                    .bind(new.credits)
                    .bind(None::<crate::GenerationId>)
                    .bind("welcome credits")
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            row
        });
        Ok(row.into())
    }

    pub async fn user_by_email(&self, email: &str) -> Result<User> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE email = $1 AND deleted_at IS NULL");
        let row: UserRow =
            on_db!(self, pool => sqlx::query_as(&sql).bind(email).fetch_one(pool).await)?;
        Ok(row.into())
    }

    pub async fn user_by_id(&self, id: UserId) -> Result<User> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1 AND deleted_at IS NULL");
        let row: UserRow =
            on_db!(self, pool => sqlx::query_as(&sql).bind(id).fetch_one(pool).await)?;
        Ok(row.into())
    }

    pub async fn update_profile(&self, id: UserId, change: ProfileChange<'_>) -> Result<User> {
        let sql = format!(
            "UPDATE users SET display_name = COALESCE($2, display_name), locale = COALESCE($3, locale),
             updated_at = $4 WHERE id = $1 AND deleted_at IS NULL RETURNING {COLUMNS}"
        );
        let row: UserRow = on_db!(self, pool => sqlx::query_as(&sql)
            .bind(id)
            .bind(change.display_name)
            .bind(change.locale)
            .bind(now())
            .fetch_one(pool)
            .await)?;
        Ok(row.into())
    }

    pub async fn record_login(&self, id: UserId) -> Result<()> {
        on_db!(self, pool => sqlx::query("UPDATE users SET last_login_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Marks the address as confirmed without a mailed link (accounts an operator creates).
    pub async fn mark_email_verified(&self, id: UserId) -> Result<()> {
        let done = on_db!(self, pool => sqlx::query(
            "UPDATE users SET email_verified_at = COALESCE(email_verified_at, $2)
             WHERE id = $1 AND deleted_at IS NULL")
            .bind(id)
            .bind(now())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Replaces the password hash and revokes the account's refresh tokens, except the
    /// session (token family) of `keep`, the hash of a refresh token the caller holds — in one
    /// transaction, so no old session outlives the change.
    pub async fn change_password(
        &self,
        id: UserId,
        password_hash: &str,
        keep: Option<&str>,
    ) -> Result<()> {
        let at = now();
        on_db!(self, pool => {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1 AND deleted_at IS NULL")
                .bind(id)
                .bind(password_hash)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            let kept: Option<crate::TokenFamilyId> = match keep {
                None => None,
                Some(hash) => sqlx::query_scalar(
                    "SELECT family_id FROM refresh_tokens
                     WHERE token_hash = $1 AND user_id = $2 AND revoked_at IS NULL")
                    .bind(hash)
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?,
            };
            sqlx::query(
                "UPDATE refresh_tokens SET revoked_at = $2
                 WHERE user_id = $1 AND revoked_at IS NULL AND ($3 IS NULL OR family_id <> $3)")
                .bind(id)
                .bind(at)
                .bind(kept)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Gives a live account `role`, audited as `actor`'s in the same transaction.
    pub async fn set_role(&self, actor: Actor, id: UserId, role: Role) -> Result<()> {
        let at = now();
        on_db!(self, pool => {
            let mut tx = pool.begin().await?;
            let before: Option<String> = sqlx::query_scalar(
                "UPDATE users SET updated_at = $2 WHERE id = $1 AND deleted_at IS NULL RETURNING role",
            )
            .bind(id)
            .bind(at)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(before) = before else {
                return Err(StoreError::NotFound);
            };
            sqlx::query("UPDATE users SET role = $2 WHERE id = $1")
                .bind(id)
                .bind(role.as_str())
                .execute(&mut *tx)
                .await?;
            tx.audit(&AuditEntry {
                actor,
                action: "user.role",
                target_kind: "user",
                target_id: id.to_string(),
                before: Some(json!({"role": before})),
                after: Some(json!({"role": role.as_str()})),
            })
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Moves a live account to `plan`. Leaving an unlimited plan with a negative balance
    /// closes that usage with a grant back to zero, in the same transaction (the account
    /// could not hold a negative balance on its new plan), as is `actor`'s audit row.
    pub async fn set_plan(&self, actor: Actor, id: UserId, plan: Plan) -> Result<()> {
        let at = now();
        on_db!(self, pool => {
            let mut tx = pool.begin().await?;
            // Touching the row first holds it until commit, so the balance read is current.
            let before: Option<(String, i64)> = sqlx::query_as(
                "UPDATE users SET updated_at = $2 WHERE id = $1 AND deleted_at IS NULL
                 RETURNING plan, credits",
            )
            .bind(id)
            .bind(at)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((old_plan, balance)) = before else {
                return Err(StoreError::NotFound);
            };
            let closing = if plan.is_unlimited() { 0 } else { (-balance).max(0) };
            sqlx::query("UPDATE users SET plan = $2, credits = credits + $3 WHERE id = $1")
                .bind(id)
                .bind(plan.as_str())
                .bind(closing)
                .execute(&mut *tx)
                .await?;
            if closing > 0 {
                sqlx::query(crate::credits::INSERT_LEDGER)
                    .bind(crate::LedgerId::new())
                    .bind(id)
                    .bind("grant")
                    .bind(closing)
                    .bind(None::<crate::GenerationId>)
                    .bind(format!("{old_plan} plan closed: {closing} credits used"))
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.audit(&AuditEntry {
                actor,
                action: "user.plan",
                target_kind: "user",
                target_id: id.to_string(),
                before: Some(json!({"plan": old_plan, "balance": balance})),
                after: Some(json!({"plan": plan.as_str(), "balance": balance + closing})),
            })
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Live accounts with their balances, newest first; `search` matches part of the email.
    pub async fn list_users(
        &self,
        search: Option<&str>,
        cursor: Option<crate::Cursor>,
        limit: usize,
    ) -> Result<crate::Page<(User, i64)>> {
        #[derive(sqlx::FromRow)]
        struct WithCredits {
            #[sqlx(flatten)]
            user: UserRow,
            credits: i64,
        }
        let pattern =
            search.map(|s| format!("%{}%", s.trim().to_lowercase().replace(['%', '_'], "")));
        let sql = format!(
            "SELECT {COLUMNS}, credits FROM users
             WHERE deleted_at IS NULL AND ($1 IS NULL OR email LIKE $1) AND ($2 IS NULL OR id < $2)
             ORDER BY id DESC LIMIT $3"
        );
        let rows: Vec<WithCredits> = on_db!(self, pool => sqlx::query_as(&sql)
            .bind(pattern)
            .bind(cursor.map(|c| UserId(c.0)))
            .bind((limit + 1) as i64)
            .fetch_all(pool)
            .await)?;
        Ok(
            crate::Page::from_rows(rows, limit, |r| r.user.id.0)
                .map(|r| (r.user.into(), r.credits)),
        )
    }

    /// Soft-deletes the account and revokes all its refresh tokens, in one transaction.
    pub async fn soft_delete_user(&self, id: UserId) -> Result<()> {
        let at = now();
        on_db!(self, pool => {
            let mut tx = pool.begin().await?;
            let done = sqlx::query("UPDATE users SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL")
                .bind(id)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            sqlx::query("UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
                .bind(id)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }
}
