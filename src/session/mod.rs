//! The review of one document, without a terminal: what a review step does to the
//! spans (`Session::apply`), what is shown (stored spans merged with suggestions),
//! progress, and how documents (one file, or a set) are found and opened.
//!
//! Owns: review semantics and opening policy. Must not: use ratatui, crossterm or
//! `crate::tui` (`tests/architecture.rs` checks); the terminal shell turns keys into
//! [`Op`]s and draws what a session holds.

pub mod open;
