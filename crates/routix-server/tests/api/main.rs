//! Black-box tests: the real server on a random port, a fresh database per test, spoken to
//! over HTTP. Every `both!` test runs once on SQLite and once on PostgreSQL.

mod helpers;

mod auth;
mod bank;
mod chat;
mod credits;
mod files;
mod generations;
mod health;
mod multi;
mod ratelimit;
mod users;
mod ws;
