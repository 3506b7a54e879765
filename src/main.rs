//! The `raqim` binary: argument parsing and wiring only.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use raqim::cli::{Cli, Command, ViewArgs};
use raqim::document::Document;
use raqim::layout::LayoutOptions;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A closed pipe (`raqim render x | head`) is not an error worth a message.
            if let Some(io) = e.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::BrokenPipe
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("raqim: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn load(path: &Path, lossy: bool) -> anyhow::Result<Document> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("standard input: cannot read")?;
        return Ok(Document::from_bytes("<stdin>", bytes, lossy)?);
    }
    Document::open(path, lossy)
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Some(Command::Render {
            file,
            width,
            format,
            view,
        }) => {
            let doc = load(&file, view.lossy)?;
            let opts = layout_options(&view, width);
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
            raqim::render::render(&doc, &opts, format, &mut out)?;
            out.flush()?;
            Ok(())
        }
        Some(Command::Suggest {
            files,
            offsets,
            skip_bad,
            memory,
            sources,
        }) => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let engine = engine(&sources)?;
            raqim::commands::suggest(
                &engine,
                &files,
                offsets,
                skip_bad,
                memory.as_deref(),
                &mut out,
            )?;
            out.flush()?;
            Ok(())
        }
        Some(Command::Eval {
            gold,
            pred,
            replay,
            labels,
            skip,
            every,
            save_memory,
            write_pred,
            unit,
            offsets,
            sources,
        }) => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            let args = raqim::commands::EvalArgs {
                gold: &gold,
                pred: pred.as_deref(),
                replay,
                labels: &labels,
                skip,
                every,
                save_memory: save_memory.as_deref(),
                write_pred: write_pred.as_deref(),
                unit,
                offsets,
            };
            raqim::commands::eval(&engine(&sources)?, &args, &mut out)
        }
        None => {
            let Some(file) = cli.file else {
                anyhow::bail!(
                    "no article given; try `raqim samples/deir-ez-zor.txt` or `raqim --help`"
                );
            };
            if file.as_os_str() == "-" {
                anyhow::bail!(
                    "the viewer reads the keyboard from the terminal, so it cannot read the article from standard input; give a file, or use `raqim render -`"
                );
            }
            let custom = cli.sources.labels_file.is_some()
                || cli.sources.rules_file.is_some()
                || !cli.sources.gazetteer.is_empty()
                || cli.sources.no_gazetteers
                || cli.sources.no_rules;
            // A user's files are read (and any error shown) before the screen is
            // taken; the built-in engine is built while the article is decoded.
            let engine = if custom {
                Some(std::sync::Arc::new(engine(&cli.sources)?))
            } else {
                std::thread::spawn(raqim::tui::builtin_engine);
                None
            };
            let keymap = match cli
                .keymap
                .clone()
                .or_else(|| raqim::tui::user_keymap_path().filter(|p| p.exists()))
            {
                Some(path) => raqim::tui::load_keymap(&path)?,
                None => raqim::tui::Keymap::default_keymap(),
            };
            let doc = load(&file, cli.view.lossy)?;
            if !std::io::stdout().is_terminal() {
                anyhow::bail!(
                    "the viewer needs a terminal on standard output; to print the layout use `raqim render {}`",
                    file.display()
                );
            }
            run_viewer(doc, &cli.view, engine, keymap)
        }
    }
}

fn engine(sources: &raqim::cli::SourceArgs) -> anyhow::Result<raqim::suggest::Engine> {
    let engine = if sources.labels_file.is_none()
        && sources.rules_file.is_none()
        && sources.gazetteer.is_empty()
    {
        raqim::suggest::Engine::builtin()
    } else {
        raqim::suggest::Engine::from_files(
            sources.labels_file.as_deref(),
            sources.rules_file.as_deref(),
            &sources.gazetteer,
        )?
    };
    Ok(engine.with_sources(!sources.no_gazetteers, !sources.no_rules))
}

fn layout_options(view: &ViewArgs, width: usize) -> LayoutOptions {
    LayoutOptions {
        width,
        direction: view.direction,
        shaping: view.shaping,
        show_controls: view.show_controls,
    }
}

fn run_viewer(
    doc: Document,
    view: &ViewArgs,
    engine: Option<std::sync::Arc<raqim::suggest::Engine>>,
    keymap: raqim::tui::Keymap,
) -> anyhow::Result<()> {
    let settings = raqim::tui::ViewSettings {
        direction: view.direction,
        shaping: view.shaping,
        show_controls: view.show_controls,
        ..Default::default()
    };
    raqim::tui::run_with(doc, settings, engine, keymap)
}
