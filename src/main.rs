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
        Some(Command::Export {
            docs,
            format,
            state,
            offsets,
            out,
            db,
        }) => {
            let db = database_path(db.as_deref())?;
            let args = raqim::exchange::ExportArgs {
                db: &db,
                format,
                state,
                offsets,
                out: out.as_deref(),
                docs: &docs,
            };
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
            raqim::exchange::export(&args, &mut out, &mut std::io::stderr())
        }
        Some(Command::Import {
            paths,
            format,
            as_,
            source,
            offsets,
            add_labels,
            skip_bad,
            labels_file,
            db,
            annotator,
        }) => {
            let db = database_path(db.as_deref())?;
            let annotator = raqim::config::annotator(
                annotator.as_deref(),
                raqim::config::config_path().as_deref(),
                std::env::var_os("USER").or_else(|| std::env::var_os("LOGNAME")),
            )?;
            let labels = match &labels_file {
                Some(p) => raqim::suggest::labels::LabelSet::load(p)?,
                None => raqim::suggest::labels::LabelSet::builtin(),
            };
            let args = raqim::exchange::ImportArgs {
                db: &db,
                format,
                paths: &paths,
                state: as_,
                source: source.as_deref(),
                offsets,
                labels: &labels,
                add_labels,
                skip_bad,
                annotator: &annotator,
            };
            raqim::exchange::import(&args, &mut std::io::stderr()).map(|_| ())
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
            let (doc, opened) = open_for_review(doc, &file, &cli.store, engine.as_deref())?;
            run_viewer(doc, &cli.view, engine, keymap, opened)
        }
    }
}

/// The database `--db` names, else the default one (as the viewer finds it).
fn database_path(flag: Option<&Path>) -> anyhow::Result<std::path::PathBuf> {
    raqim::store::Store::resolve_path(flag)
        .context("no place for the annotation database: set --db PATH or RAQIM_DB, or HOME")
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
    opened: Option<raqim::review::Opened>,
) -> anyhow::Result<()> {
    let settings = raqim::tui::ViewSettings {
        direction: view.direction,
        shaping: view.shaping,
        show_controls: view.show_controls,
        ..Default::default()
    };
    raqim::tui::run_with(doc, settings, engine, keymap, opened)
}

/// Opens the database and the document in it (unless `--no-db`): asks, or follows
/// `--changed`, when the file changed since it was annotated.
fn open_for_review(
    doc: Document,
    file: &Path,
    args: &raqim::cli::StoreArgs,
    engine: Option<&raqim::suggest::Engine>,
) -> anyhow::Result<(Document, Option<raqim::review::Opened>)> {
    use raqim::store::Store;
    if args.no_db {
        return Ok((doc, None));
    }
    let annotator = raqim::config::annotator(
        args.annotator.as_deref(),
        raqim::config::config_path().as_deref(),
        std::env::var_os("USER").or_else(|| std::env::var_os("LOGNAME")),
    )?;
    let path = Store::resolve_path(args.db.as_deref())
        .context("no place for the annotation database: set --db PATH or RAQIM_DB, or HOME")?;
    let store = Store::open(&path)?;
    let source = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    let mut doc = doc;
    if let Some((old, _)) = store.document_for_path(&source)?
        && old != doc.id()
        && (!store.spans(&old)?.is_empty() || !store.actions(&old)?.is_empty())
    {
        let n = store.spans(&old)?.len();
        let choice = match args.changed {
            Some(c) => c,
            None => ask_changed(file, n)?,
        };
        if choice == raqim::cli::Changed::Stored {
            let text = store
                .document_text(&old)?
                .context("the stored version is missing from the database")?;
            doc = Document::from_text(&doc.name, text, false, false);
        }
    }
    let builtin;
    let engine = match engine {
        Some(e) => e,
        None => {
            builtin = raqim::tui::builtin_engine();
            &builtin
        }
    };
    let opened = raqim::review::open_document(store, &doc, Some(&source), &annotator, engine)?;
    Ok((doc, Some(opened)))
}

/// Asks on the terminal what to do with a changed file.
fn ask_changed(file: &Path, spans: usize) -> anyhow::Result<raqim::cli::Changed> {
    use raqim::cli::Changed;
    let name = file.display();
    if !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "{name} changed since it was annotated ({spans} spans on the stored version); \
             choose with --changed stored (open the annotated version) or --changed new \
             (annotate the new text as a new document)"
        );
    }
    let mut err = std::io::stderr();
    writeln!(
        err,
        "{name} changed since it was annotated ({spans} spans on the stored version).\n  \
         s  open the stored version, with its annotations\n  \
         n  annotate the new text as a new document\n  \
         q  quit"
    )?;
    loop {
        write!(err, "s/n/q? ")?;
        err.flush()?;
        let mut line = String::new();
        if std::io::stdin().read_line(&mut line)? == 0 {
            anyhow::bail!("{name}: no choice made");
        }
        match line.trim() {
            "s" | "S" => return Ok(Changed::Stored),
            "n" | "N" => return Ok(Changed::New),
            "q" | "Q" => anyhow::bail!("{name}: left as it is"),
            _ => {}
        }
    }
}
