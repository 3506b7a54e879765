//! raqim: a keyboard-driven terminal workbench for reviewing named entities in Arabic
//! (right-to-left) news articles.
//!
//! Core modules (`document`, `layout`, `render`, `cli`) know nothing of the terminal; only
//! `tui` (and the binary) may use ratatui or crossterm. `tests/architecture.rs` checks.

pub mod cli;
pub mod document;
pub mod layout;
pub mod render;
pub mod tui;
