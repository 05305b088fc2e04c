//! Typed identifiers. UUIDv7 (time-ordered, so ids double as pagination cursors), stored as
//! native `uuid` on PostgreSQL and as hyphenated text on SQLite.

use serde::{Deserialize, Serialize};
use sqlx::{
    encode::IsNull, error::BoxDynError, postgres::PgTypeInfo, sqlite::SqliteTypeInfo, Decode,
    Encode, Postgres, Sqlite, Type,
};
use std::{fmt, str::FromStr};
use uuid::{fmt::Hyphenated, Uuid};

macro_rules! id_type {
    ($($name:ident),+ $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl Type<Sqlite> for $name {
            fn type_info() -> SqliteTypeInfo {
                <Hyphenated as Type<Sqlite>>::type_info()
            }
            fn compatible(ty: &SqliteTypeInfo) -> bool {
                <Hyphenated as Type<Sqlite>>::compatible(ty)
            }
        }

        impl<'q> Encode<'q, Sqlite> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut <Sqlite as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<IsNull, BoxDynError> {
                <Hyphenated as Encode<'q, Sqlite>>::encode(self.0.hyphenated(), buf)
            }
        }

        impl<'r> Decode<'r, Sqlite> for $name {
            fn decode(value: <Sqlite as sqlx::Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
                <Hyphenated as Decode<'r, Sqlite>>::decode(value).map(|h| Self(h.into_uuid()))
            }
        }

        impl Type<Postgres> for $name {
            fn type_info() -> PgTypeInfo {
                <Uuid as Type<Postgres>>::type_info()
            }
        }

        impl<'q> Encode<'q, Postgres> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut <Postgres as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<IsNull, BoxDynError> {
                <Uuid as Encode<'q, Postgres>>::encode_by_ref(&self.0, buf)
            }
        }

        impl<'r> Decode<'r, Postgres> for $name {
            fn decode(value: <Postgres as sqlx::Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
                <Uuid as Decode<'r, Postgres>>::decode(value).map(Self)
            }
        }
    )+};
}

id_type!(
    UserId,
    ConversationId,
    MessageId,
    FileId,
    TokenFamilyId,
    GenerationId,
    LedgerId,
    BankItemId,
    AuditId,
    BroadcastId,
    TestSetId
);
