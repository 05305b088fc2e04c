//! Black-box tests: the real server on a random port, a fresh database per test, spoken to
//! over HTTP. Every `both!` test runs once on SQLite and once on PostgreSQL.

mod helpers;
mod smtp;

mod auth;
mod bank;
mod billing;
mod chat;
mod credits;
mod files;
mod generations;
mod health;
mod mail;
mod multi;
mod ratelimit;
mod shares;
mod users;
mod ws;
