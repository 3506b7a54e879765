//! The `raqim` binary: argument parsing and wiring only.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use raqim::cli::{Cli, Command, LogLevel, ViewArgs};
use raqim::document::Document;
use raqim::layout::LayoutOptions;
use raqim::logging;

fn main() -> ExitCode {
    let cli = Cli::parse();
    start_log(cli.log_level);
    // Names the process on every line of the main thread: two raqim processes may
    // write to one log.
    let _process = tracing::info_span!("raqim", pid = std::process::id()).entered();
    let started = std::time::Instant::now();
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        args = %logging::clip(&args.join(" "), logging::MESSAGE),
        "start"
    );
    match run(cli) {
        Ok(()) => {
            tracing::info!(took = ?started.elapsed(), "end");
            ExitCode::SUCCESS
        }
        Err(e) => {
            // A closed pipe (`raqim render x | head`) is not an error worth a message.
            if let Some(io) = e.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::BrokenPipe
            {
                tracing::info!(took = ?started.elapsed(), "end: the reader closed the pipe");
                return ExitCode::SUCCESS;
            }
            tracing::error!(
                took = ?started.elapsed(),
                "end: {}",
                logging::clip(&format!("{e:#}"), logging::MESSAGE)
            );
            eprintln!("raqim: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Opens the log before anything else (so before the viewer takes the screen); a log
/// that cannot be opened is said once on stderr and raqim goes on without one.
fn start_log(level: LogLevel) {
    let filter = match level {
        LogLevel::Off => return,
        LogLevel::Error => logging::LevelFilter::ERROR,
        LogLevel::Warn => logging::LevelFilter::WARN,
        LogLevel::Info => logging::LevelFilter::INFO,
        LogLevel::Debug => logging::LevelFilter::DEBUG,
        LogLevel::Trace => logging::LevelFilter::TRACE,
    };
    let Some(path) = logging::default_path() else {
        eprintln!(
            "raqim: no place for the log (set XDG_STATE_HOME or HOME, or --log-level off); going on without it"
        );
        return;
    };
    if let Err(e) = logging::init(&path, filter) {
        eprintln!("raqim: {e:#}; going on without a log");
    }
}

/// Logs a document opened in the viewer: which, from where, kept where.
fn log_opened(file: &str, doc: &Document, opened: &Option<raqim::review::Opened>) {
    let store = opened
        .as_ref()
        .map_or_else(|| "none (--no-db)".to_string(), |o| o.review.describe());
    tracing::info!(
        file = %logging::clip(file, usize::MAX),
        doc = %doc.id(),
        store = %logging::clip(&store, usize::MAX),
        "viewer: opened"
    );
    if let Some(o) = opened {
        if let Some(why) = o.review.read_only() {
            tracing::warn!(
                "viewer: read-only: {}",
                logging::clip(why, logging::MESSAGE)
            );
        }
        for w in &o.warnings {
            tracing::warn!("viewer: {}", logging::clip(w, logging::MESSAGE));
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
    Ok(Document::open(path, lossy)?)
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
        Some(Command::Train {
            gold,
            out,
            labels,
            epochs,
            folds,
        }) => {
            let settings = raqim::train::Settings {
                labels,
                epochs,
                folds,
            };
            raqim::commands::train(&gold, &out, &settings)
        }
        Some(Command::Crossval {
            gold,
            folds,
            labels,
            epochs,
        }) => {
            let settings = raqim::train::Settings {
                labels,
                epochs,
                folds,
            };
            let stdout = std::io::stdout();
            raqim::commands::crossval(&gold, &settings, &mut stdout.lock())
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
            let summary = raqim::exchange::import(&args, &mut std::io::stderr())?;
            tracing::info!(format = %format, "import: {summary}");
            Ok(())
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
                || cli.sources.no_rules
                || cli.sources.no_model
                || cli.sources.model.is_some();
            // A user's files are read (and any error shown) before the screen is
            // taken; the built-in engine is built while the article is decoded.
            let engine = if custom {
                Some(std::sync::Arc::new(engine(&cli.sources)?))
            } else {
                std::thread::spawn(raqim::suggest::builtin_engine);
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
            if raqim::workset::is_workset(&file) {
                let entries = raqim::workset::load(&file)?;
                if !std::io::stdout().is_terminal() {
                    anyhow::bail!("the viewer needs a terminal on standard output");
                }
                tracing::info!(
                    set = %logging::path(&file),
                    documents = entries.len(),
                    "viewer: a set"
                );
                let mut source = SetSource {
                    entries,
                    keeper: Keeper::new(&cli.store)?,
                    summaries: None,
                    lossy: cli.view.lossy,
                    engine: engine.clone(),
                };
                return raqim::tui::run_set(
                    view_settings(&cli.view),
                    engine,
                    keymap,
                    &mut source,
                    0,
                );
            }
            let doc = load(&file, cli.view.lossy)?;
            if !std::io::stdout().is_terminal() {
                anyhow::bail!(
                    "the viewer needs a terminal on standard output; to print the layout use `raqim render {}`",
                    file.display()
                );
            }
            let keeper = Keeper::new(&cli.store)?;
            let (doc, opened) = keeper.open(doc, &file, engine.as_deref(), true)?;
            log_opened(&file.display().to_string(), &doc, &opened);
            raqim::tui::run_with(doc, view_settings(&cli.view), engine, keymap, opened)
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
    let engine = match &sources.model {
        Some(p) => {
            let bytes =
                std::fs::read(p).with_context(|| format!("{}: cannot read", p.display()))?;
            let model = raqim::suggest::tagger::Model::from_bytes(&bytes)
                .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?
                .with_context(|| format!("{}: an empty file, not a model", p.display()))?;
            engine.with_model(Some(std::sync::Arc::new(model)))
        }
        None => engine,
    };
    Ok(engine
        .with_sources(!sources.no_gazetteers, !sources.no_rules)
        .with_model_on(!sources.no_model))
}

fn layout_options(view: &ViewArgs, width: usize) -> LayoutOptions {
    LayoutOptions {
        width,
        direction: view.direction,
        shaping: view.shaping,
        show_controls: view.show_controls,
    }
}

fn view_settings(view: &ViewArgs) -> raqim::tui::ViewSettings {
    raqim::tui::ViewSettings {
        direction: view.direction,
        shaping: view.shaping,
        show_controls: view.show_controls,
        ..Default::default()
    }
}

/// Where documents are kept for review, and by whom: the database (unless
/// `--no-db`), the annotator, what to do with a changed file.
struct Keeper {
    db: Option<std::path::PathBuf>,
    annotator: String,
    changed: Option<raqim::cli::Changed>,
}

impl Keeper {
    fn new(args: &raqim::cli::StoreArgs) -> anyhow::Result<Keeper> {
        let annotator = raqim::config::annotator(
            args.annotator.as_deref(),
            raqim::config::config_path().as_deref(),
            std::env::var_os("USER").or_else(|| std::env::var_os("LOGNAME")),
        )?;
        let db = if args.no_db {
            None
        } else {
            Some(
                raqim::store::Store::resolve_path(args.db.as_deref()).context(
                    "no place for the annotation database: set --db PATH or RAQIM_DB, or HOME",
                )?,
            )
        };
        Ok(Keeper {
            db,
            annotator,
            changed: args.changed,
        })
    }

    /// Opens `doc` (read from `file`) for review: when the file changed since it was
    /// annotated, asks (when `ask`), else follows `--changed`, else refuses.
    fn open(
        &self,
        doc: Document,
        file: &Path,
        engine: Option<&raqim::suggest::Engine>,
        ask: bool,
    ) -> anyhow::Result<(Document, Option<raqim::review::Opened>)> {
        use raqim::store::Store;
        let Some(path) = &self.db else {
            return Ok((doc, None));
        };
        let store = Store::open(path)?;
        let source = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
        let mut doc = doc;
        if let Some((old, _)) = store.document_for_path(&source)?
            && old != doc.id()
            && let n = store.spans(&old)?.len()
            && (n > 0 || !store.actions(&old)?.is_empty())
        {
            let choice = match (self.changed, ask) {
                (Some(c), _) => c,
                (None, true) => ask_changed(file, n)?,
                (None, false) => anyhow::bail!(
                    "{} changed since it was annotated ({n} spans on the stored version); \
                     open it alone to choose, or give --changed stored|new",
                    file.display()
                ),
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
                builtin = raqim::suggest::builtin_engine();
                &builtin
            }
        };
        let opened =
            raqim::review::open_document(store, &doc, Some(&source), &self.annotator, engine)?;
        Ok((doc, Some(opened)))
    }

    /// Opens a document that has no file (a JSON lines record).
    fn open_text(
        &self,
        doc: &Document,
        engine: &raqim::suggest::Engine,
    ) -> anyhow::Result<Option<raqim::review::Opened>> {
        let Some(path) = &self.db else {
            return Ok(None);
        };
        let store = raqim::store::Store::open(path)?;
        Ok(Some(raqim::review::open_document(
            store,
            doc,
            None,
            &self.annotator,
            engine,
        )?))
    }

    /// The database, if it exists (for reading progress; never created for that).
    fn existing_store(&self) -> Option<raqim::store::Store> {
        let path = self.db.as_ref().filter(|p| p.exists())?;
        raqim::store::Store::open(path).ok()
    }

    /// "12 accepted · 3 rejected · done" for a document the store knows.
    fn summary(store: &raqim::store::Store, doc: &Document) -> String {
        let id = doc.id();
        match (store.span_counts(&id), store.done(&id)) {
            (Ok((_, a, r)), Ok(Some(done))) => {
                format!(
                    "{a} accepted · {r} rejected{}",
                    if done { " · done" } else { "" }
                )
            }
            _ => "not started".to_string(),
        }
    }
}

/// The documents of a directory or a JSON lines file, opened one at a time.
struct SetSource {
    entries: Vec<raqim::workset::Entry>,
    keeper: Keeper,
    /// Read once for the list's progress (`None` inside: no database yet).
    summaries: Option<Option<raqim::store::Store>>,
    lossy: bool,
    engine: Option<std::sync::Arc<raqim::suggest::Engine>>,
}

impl raqim::tui::DocumentSource for SetSource {
    fn len(&self) -> usize {
        self.entries.len()
    }

    fn name(&self, i: usize) -> String {
        self.entries[i].name.clone()
    }

    fn summary(&mut self, i: usize) -> String {
        let keeper = &self.keeper;
        let Some(store) = self
            .summaries
            .get_or_insert_with(|| keeper.existing_store())
        else {
            return "not started".to_string();
        };
        match self.entries[i].open(self.lossy) {
            Ok(doc) => Keeper::summary(store, &doc),
            Err(_) => "cannot be read".to_string(),
        }
    }

    fn open(&mut self, i: usize) -> anyhow::Result<(Document, Option<raqim::review::Opened>)> {
        let entry = &self.entries[i];
        let doc = entry.open(self.lossy)?;
        let engine = self
            .engine
            .clone()
            .unwrap_or_else(raqim::suggest::builtin_engine);
        let (doc, mut opened) = match &entry.path {
            Some(p) => self.keeper.open(doc, p, Some(&engine), false)?,
            None => {
                let opened = self.keeper.open_text(&doc, &engine)?;
                (doc, opened)
            }
        };
        if let Some(o) = opened.as_mut() {
            let left_out =
                raqim::workset::seed_spans(&mut o.review, &engine, &doc.text, &entry.spans)?;
            if left_out > 0 {
                o.warnings.insert(
                    0,
                    format!("{left_out} spans of the record overlap or leave the text: left out"),
                );
            }
        }
        log_opened(&entry.name, &doc, &opened);
        Ok((doc, opened))
    }
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
