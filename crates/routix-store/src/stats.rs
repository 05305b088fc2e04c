//! The admin dashboard's figures over the last N days (UTC): generations per day by status and
//! engine, fallbacks, sign-ups and the credit flow, each counted by a `GROUP BY day` in SQL;
//! and p50/p95 of each pipeline stage, from the start and finish times every generation records
//! per stage (`generations.stages`) — percentiles are taken in Rust, as SQLite has no
//! `percentile_cont`, over the most recent `STAGE_SAMPLE` completed generations.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use sqlx::types::Json;

use crate::{generations::StageRecord, on_db, Backend, Db, Result};

/// Completed generations whose stage timings are measured.
pub const STAGE_SAMPLE: i64 = 5000;

/// Credits moved in a day, by ledger kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreditFlow {
    /// `grant` rows: admins, welcome credits, monthly plan credits.
    pub granted: i64,
    /// `purchase` rows: paid packs.
    pub purchased: i64,
    /// `reserve` rows: taken when a generation is queued.
    pub spent: i64,
    /// `refund` rows: given back when a generation failed or was cancelled.
    pub refunded: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DayStats {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub generations: i64,
    /// Generations made that day by status (`completed`, `failed`...).
    pub by_status: BTreeMap<String, i64>,
    /// By the engine that made the image (`compositor`, `stability`...); `none` before one did.
    pub by_engine: BTreeMap<String, i64>,
    /// Generations whose artwork came from further down the fallback chain.
    pub fallbacks: i64,
    pub signups: i64,
    pub credits: CreditFlow,
}

/// How long one stage takes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageTiming {
    /// 1..=5, or 0 for the whole run (first stage's start to last stage's finish).
    pub stage: u8,
    pub label: String,
    pub samples: usize,
    pub p50_ms: Option<i64>,
    pub p95_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdminStats {
    pub days: u32,
    /// First and last day covered, `YYYY-MM-DD` (UTC).
    pub from: String,
    pub to: String,
    /// One entry per day, oldest first, days without activity included.
    pub daily: Vec<DayStats>,
    /// Every status and engine seen in the window (the chart's series).
    pub statuses: Vec<String>,
    pub engines: Vec<String>,
    /// The whole window.
    pub totals: DayStats,
    pub stages: Vec<StageTiming>,
}

#[derive(sqlx::FromRow)]
struct GenerationCount {
    day: String,
    status: String,
    engine: String,
    count: i64,
    fallbacks: i64,
}

#[derive(sqlx::FromRow)]
struct LedgerSum {
    day: String,
    kind: String,
    amount: i64,
}

#[derive(sqlx::FromRow)]
struct DayCount {
    day: String,
    count: i64,
}

/// What the queries answer, before it is laid out per day.
struct Raw {
    generations: Vec<GenerationCount>,
    ledger: Vec<LedgerSum>,
    signups: Vec<DayCount>,
    runs: Vec<Json<Vec<StageRecord>>>,
}

/// The SQL of a UTC calendar day `YYYY-MM-DD` of a timestamp column. SQLite keeps timestamps
/// as RFC 3339 text in UTC, so its day is the first ten characters.
fn day_of(backend: Backend, column: &str) -> String {
    match backend {
        Backend::Sqlite => format!("substr({column}, 1, 10)"),
        Backend::Postgres => format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"),
    }
}

/// The nearest-rank percentile `p` (0..=1) of sorted values.
pub fn percentile(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// p50/p95 per stage, and of the whole run, from generations' stage records.
pub fn stage_timings(runs: &[Vec<StageRecord>]) -> Vec<StageTiming> {
    let mut per_stage: BTreeMap<u8, (String, Vec<i64>)> = BTreeMap::new();
    let mut whole = Vec::new();
    for stages in runs {
        for s in stages {
            if let Some(done) = s.finished_at {
                let entry = per_stage
                    .entry(s.stage)
                    .or_insert_with(|| (s.label.clone(), Vec::new()));
                entry
                    .1
                    .push((done - s.started_at).num_milliseconds().max(0));
            }
        }
        let start = stages.iter().map(|s| s.started_at).min();
        let end = stages.iter().filter_map(|s| s.finished_at).max();
        if let (Some(start), Some(end)) = (start, end) {
            whole.push((end - start).num_milliseconds().max(0));
        }
    }
    let timing = |stage: u8, label: String, mut ms: Vec<i64>| {
        ms.sort_unstable();
        StageTiming {
            stage,
            label,
            samples: ms.len(),
            p50_ms: percentile(&ms, 0.50),
            p95_ms: percentile(&ms, 0.95),
        }
    };
    let mut out: Vec<StageTiming> = per_stage
        .into_iter()
        .map(|(stage, (label, ms))| timing(stage, label, ms))
        .collect();
    out.push(timing(0, "total".into(), whole));
    out
}

impl Db {
    /// The dashboard's figures for the `days` days ending today (UTC), `days` ≥ 1.
    pub async fn admin_stats(&self, days: u32, today: NaiveDate) -> Result<AdminStats> {
        let days = days.max(1);
        let first = today - Duration::days(i64::from(days) - 1);
        let since: DateTime<Utc> = first.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        let backend = self.backend();
        let generations_sql = format!(
            "SELECT {day} AS day, status, COALESCE(engine, 'none') AS engine, COUNT(*) AS count,
                 CAST(SUM(CASE WHEN fell_back THEN 1 ELSE 0 END) AS BIGINT) AS fallbacks
             FROM generations WHERE created_at >= $1 GROUP BY 1, 2, 3",
            day = day_of(backend, "created_at")
        );
        let ledger_sql = format!(
            "SELECT {day} AS day, kind, CAST(SUM(amount) AS BIGINT) AS amount
             FROM credit_ledger WHERE created_at >= $1 GROUP BY 1, 2",
            day = day_of(backend, "created_at")
        );
        let signups_sql = format!(
            "SELECT {day} AS day, COUNT(*) AS count FROM users WHERE created_at >= $1 GROUP BY 1",
            day = day_of(backend, "created_at")
        );
        let stages_sql =
            "SELECT stages FROM generations WHERE created_at >= $1 AND status = 'completed'
             ORDER BY id DESC LIMIT $2";
        let raw: Raw = on_db!(self, pool => Raw {
            generations: sqlx::query_as(&generations_sql).bind(since).fetch_all(pool).await?,
            ledger: sqlx::query_as(&ledger_sql).bind(since).fetch_all(pool).await?,
            signups: sqlx::query_as(&signups_sql).bind(since).fetch_all(pool).await?,
            runs: sqlx::query_scalar(stages_sql)
                .bind(since)
                .bind(STAGE_SAMPLE)
                .fetch_all(pool)
                .await?,
        });
        let Raw {
            generations,
            ledger,
            signups,
            runs,
        } = raw;

        let mut daily: BTreeMap<String, DayStats> = (0..days)
            .map(|i| {
                let day = (first + Duration::days(i64::from(i))).to_string();
                (
                    day.clone(),
                    DayStats {
                        day,
                        ..DayStats::default()
                    },
                )
            })
            .collect();
        let mut totals = DayStats {
            day: format!("{first}..{today}"),
            ..DayStats::default()
        };
        for g in generations {
            for d in [daily.get_mut(&g.day), Some(&mut totals)]
                .into_iter()
                .flatten()
            {
                d.generations += g.count;
                d.fallbacks += g.fallbacks;
                *d.by_status.entry(g.status.clone()).or_default() += g.count;
                *d.by_engine.entry(g.engine.clone()).or_default() += g.count;
            }
        }
        for l in ledger {
            for d in [daily.get_mut(&l.day), Some(&mut totals)]
                .into_iter()
                .flatten()
            {
                let flow = &mut d.credits;
                match l.kind.as_str() {
                    "grant" => flow.granted += l.amount,
                    "purchase" => flow.purchased += l.amount,
                    "reserve" => flow.spent -= l.amount,
                    "refund" => flow.refunded += l.amount,
                    _ => {}
                }
            }
        }
        for s in signups {
            for d in [daily.get_mut(&s.day), Some(&mut totals)]
                .into_iter()
                .flatten()
            {
                d.signups += s.count;
            }
        }
        let runs: Vec<Vec<StageRecord>> = runs.into_iter().map(|j| j.0).collect();
        Ok(AdminStats {
            days,
            from: first.to_string(),
            to: today.to_string(),
            statuses: totals.by_status.keys().cloned().collect(),
            engines: totals.by_engine.keys().cloned().collect(),
            daily: daily.into_values().collect(),
            totals,
            stages: stage_timings(&runs),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let cases: &[(&[i64], f64, Option<i64>)] = &[
            (&[], 0.5, None),
            (&[7], 0.5, Some(7)),
            (&[7], 0.95, Some(7)),
            (&[1, 2, 3, 4], 0.5, Some(2)),
            (&[1, 2, 3, 4], 0.95, Some(4)),
            (&[10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.5, Some(50)),
            (&[10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.95, Some(100)),
        ];
        for (values, p, want) in cases {
            assert_eq!(percentile(values, *p), *want, "{values:?} at {p}");
        }
    }

    #[test]
    fn stage_timings_skip_unfinished_stages_and_time_the_whole_run() {
        let at = |ms: i64| DateTime::<Utc>::UNIX_EPOCH + Duration::milliseconds(ms);
        let stage = |n: u8, from: i64, to: Option<i64>| StageRecord {
            stage: n,
            label: format!("s{n}"),
            started_at: at(from),
            finished_at: to.map(at),
        };
        let runs = vec![
            vec![stage(1, 0, Some(100)), stage(2, 100, Some(400))],
            vec![stage(1, 0, Some(300)), stage(2, 300, None)],
        ];
        let t = stage_timings(&runs);
        assert_eq!(t.len(), 3);
        assert_eq!(
            (t[0].stage, t[0].samples, t[0].p50_ms, t[0].p95_ms),
            (1, 2, Some(100), Some(300))
        );
        assert_eq!((t[1].stage, t[1].samples, t[1].p50_ms), (2, 1, Some(300)));
        assert_eq!(
            (t[2].label.as_str(), t[2].samples, t[2].p95_ms),
            ("total", 2, Some(400))
        );
    }
}
