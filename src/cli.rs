//! Command-line arguments (clap). Parsing only: no behaviour lives here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::layout::{Direction, Shaping};
use crate::render::Format;

/// raqim: review named entities in Arabic news articles from the keyboard.
#[derive(Debug, Parser)]
#[command(name = "raqim", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The article to open (UTF-8 text; one paragraph per line).
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub view: ViewArgs,
}

/// Rendering settings shared by the viewer and `render`.
#[derive(Debug, Clone, Args)]
pub struct ViewArgs {
    /// Paragraph direction: auto (first strong character), rtl or ltr.
    #[arg(long, default_value = "auto", value_name = "auto|rtl|ltr")]
    pub direction: Direction,
    /// Who joins Arabic letters: app (raqim paints joined forms, for terminals that
    /// don't shape) or terminal (letters go out as they are).
    #[arg(long, default_value = "app", value_name = "app|terminal")]
    pub shaping: Shaping,
    /// Show bidi formatting characters (LRM, RLO, isolates...) as visible marks.
    #[arg(long)]
    pub show_controls: bool,
    /// Open a file that is not valid UTF-8, showing bad bytes as U+FFFD.
    #[arg(long)]
    pub lossy: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the article as it would be painted, or its visual lines as JSON.
    Render {
        /// The article, or - for standard input.
        file: PathBuf,
        /// Line width in cells; 0 means no wrapping.
        #[arg(long, default_value_t = 80)]
        width: usize,
        /// text (visual lines as painted) or json (one object per visual line).
        #[arg(long, default_value = "text", value_name = "text|json")]
        format: Format,
        #[command(flatten)]
        view: ViewArgs,
    },
}
