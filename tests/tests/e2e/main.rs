//! End-to-end tests: real server nodes on port 0, real websockets, real SQLite files, real
//! Postgres databases and real Redis. Most scenarios run on both engine pairs.

mod auth;
mod booths;
mod chat;
mod demo;
mod faults;
mod followup;
mod hardening;
mod helpers;
mod hub;
mod import;
mod matching;
mod meetings;
mod meetings_life;
mod migrations;
mod monitor;
mod nodes;
mod people;
mod permissions;
mod races;
mod search;
mod stage;
mod stage_chat;
mod stage_commerce;
