//! Black-box tests: the real server on a random port, a fresh database per test, spoken to
//! over HTTP. Every `both!` test runs once on SQLite and once on PostgreSQL.

mod helpers;
mod smtp;

mod admin;
mod algorithms;
mod auth;
mod bank;
mod billing;
mod brand;
mod chat;
mod credits;
mod files;
mod generations;
mod health;
mod mail;
mod multi;
mod openapi;
mod preview;
mod ratelimit;
mod shares;
mod source_variants;
mod test_sets;
mod upload_corpus;
mod users;
mod ws;
mod youtube;
