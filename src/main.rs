//! The `raqim` binary: argument parsing and wiring only.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::{CommandFactory, Parser};
use raqim::cli::{Cli, Command, LogLevel, StoreArgs, ViewArgs};
use raqim::config::Settings;
use raqim::logging;
use raqim::profile::Profile;
use raqim::session::open::{
    Changed, Keeper, OpenError, SetSource, database_path, load, log_opened, review_engine,
};
use raqim::suggest::Engine;
use raqim::tui::ViewSettings;

fn main() -> ExitCode {
    let cli = Cli::parse();
    raqim::set_max_input_size(cli.max_input_size.0);
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
            raqim::tui::signal_exit_status().map_or(ExitCode::SUCCESS, ExitCode::from)
        }
        Err(e) => {
            // A closed pipe (`raqim render x | head`, or stderr while asking) is no error.
            let io = match e.downcast_ref::<OpenError>() {
                Some(OpenError::Asking(io)) => Some(io),
                _ => e.downcast_ref::<std::io::Error>(),
            };
            if io.is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) {
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

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Some(Command::Render(a)) => {
            let doc = load(&a.file, a.view.lossy)?;
            let opts = a.view.layout(a.width);
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
            raqim::render::render(&doc, &opts, a.format, &mut out)?;
            out.flush()?;
            Ok(())
        }
        Some(Command::Suggest(a)) => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let engine = Engine::from_options(&a.sources.options())?;
            let memory = a.memory.as_deref();
            raqim::commands::suggest(&engine, &a.files, a.offsets, a.skip_bad, memory, &mut out)?;
            out.flush()?;
            Ok(())
        }
        Some(Command::Eval(a)) => {
            let stdout = std::io::stdout();
            let args = raqim::commands::EvalArgs {
                gold: &a.gold,
                pred: a.pred.as_deref(),
                replay: a.replay,
                labels: &a.labels,
                skip: a.skip,
                every: a.every,
                save_memory: a.save_memory.as_deref(),
                write_pred: a.write_pred.as_deref(),
                unit: a.unit,
                offsets: a.offsets,
            };
            let engine = Engine::from_options(&a.sources.options())?;
            raqim::commands::eval(&engine, &args, &mut stdout.lock())
        }
        Some(Command::Train(a)) => {
            let settings = raqim::train::Settings {
                labels: a.labels,
                epochs: a.epochs,
                folds: a.folds,
            };
            raqim::commands::train(&a.gold, &a.out, &settings)
        }
        Some(Command::Crossval(a)) => {
            let settings = raqim::train::Settings {
                labels: a.labels,
                epochs: a.epochs,
                folds: a.folds,
            };
            raqim::commands::crossval(&a.gold, &settings, &mut std::io::stdout().lock())
        }
        Some(Command::Export(a)) => {
            let db = database_path(a.db.as_deref())?;
            let layer_named = a.layer.is_some();
            // Unnamed, the caller's name: export chooses from it and the layers there are.
            let layer = match a.layer {
                Some(l) => l,
                None => annotator_named(&settings()?, None),
            };
            let args = raqim::exchange::ExportArgs {
                db: &db,
                format: a.format,
                state: a.state,
                offsets: a.offsets,
                out: a.out.as_deref(),
                docs: &a.docs,
                ids: a.ids,
                ls_from_name: a.ls_from_name.as_deref(),
                ls_to_name: a.ls_to_name.as_deref(),
                conll_form: a.conll_form,
                layer: &layer,
                layer_named,
                all_layers: a.all_layers,
            };
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
            raqim::exchange::export(&args, &mut out, &mut std::io::stderr())
        }
        Some(Command::Import(a)) => {
            let db = database_path(a.db.as_deref())?;
            let annotator = annotator_named(&settings()?, a.annotator.as_deref());
            let labels = match &a.labels_file {
                Some(p) => raqim::suggest::labels::LabelSet::load(p)?,
                None => raqim::suggest::labels::LabelSet::builtin(),
            };
            let args = raqim::exchange::ImportArgs {
                db: &db,
                format: a.format,
                paths: &a.paths,
                state: a.as_,
                source: a.source.as_deref(),
                offsets: a.offsets,
                labels: &labels,
                add_labels: a.add_labels,
                skip_bad: a.skip_bad,
                brat_triggers: a.brat_triggers,
                ls_field: a.ls_field.as_deref(),
                doccano_columns: (a.column_data.as_deref(), a.column_label.as_deref()),
                conll_column: a.conll_column.map(|n| usize::from(n) - 1),
                annotator: &annotator,
                annotator_named: a.annotator.is_some(),
            };
            let summary = raqim::exchange::import(&args, &mut std::io::stderr())?;
            tracing::info!(format = %a.format, "import: {summary}");
            Ok(())
        }
        Some(Command::Assign(a)) => {
            let db = database_path(a.db.as_deref())?;
            let names: Vec<String> = a.annotators.iter().map(|n| n.trim().to_string()).collect();
            raqim::team::assign(
                &db,
                &names,
                a.per_doc,
                &a.docs,
                &mut std::io::stdout().lock(),
            )
        }
        Some(Command::Agreement(a)) => {
            use raqim::team::agreement::{self, AgreementFormat, Scope};
            let db = database_path(a.db.as_deref())?;
            let opts = raqim::agreement::Options {
                labels: (!a.labels.is_empty())
                    .then(|| a.labels.iter().map(|l| l.trim().to_string()).collect()),
            };
            let report = agreement::report(&db, &Scope { all: a.all }, &opts)?;
            if a.format == AgreementFormat::Chart && std::io::stdout().is_terminal() {
                let config = settings()?;
                let view = view_settings(&config, &cli.view, cli.terminal)?;
                let keymap = keymap(cli.keymap.as_deref())?;
                return raqim::tui::agreement::show_with(&report, &view, &keymap);
            }
            let mut out = std::io::stdout().lock();
            out.write_all(agreement::write(&report, a.format)?.as_bytes())?;
            out.flush()?;
            Ok(())
        }
        Some(Command::Status(a)) => {
            let db = database_path(a.db.as_deref())?;
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            raqim::team::status(&db, a.format, &mut out)?;
            out.flush()?;
            Ok(())
        }
        Some(Command::TerminalCheck) => {
            println!("{}", raqim::tui::terminal_check()?);
            Ok(())
        }
        Some(Command::ShellFiles(a)) => {
            let data = match a.dir {
                Some(d) => d,
                None => raqim::config::xdg_dir(
                    std::env::var_os("XDG_DATA_HOME"),
                    std::env::var_os("HOME"),
                    ".local/share",
                )
                .and_then(|p| p.parent().map(Path::to_path_buf))
                .context("no data directory: set XDG_DATA_HOME or HOME, or give --dir")?,
            };
            let written = raqim::shell_files::install(&Cli::command(), &data)?;
            for w in &written {
                println!("{}: {}", w.what, w.path.display());
            }
            println!(
                "bash and fish find the completions by themselves; zsh needs `fpath+=({})` in ~/.zshrc before compinit; `man raqim` finds the pages when {} is in MANPATH or beside a PATH directory's ../share/man",
                data.join("zsh/site-functions").display(),
                data.join("man").display()
            );
            Ok(())
        }
        Some(Command::Adjudicate(a)) => adjudicate(a),
        Some(Command::Db(raqim::cli::DbCommand::Roles(a))) => {
            use raqim::store::pg::roles;
            let trim = |v: &[String]| v.iter().map(|n| n.trim().to_string()).collect::<Vec<_>>();
            let script = roles::script(&trim(&a.annotators), &trim(&a.curators))
                .map_err(anyhow::Error::msg)?;
            if !a.apply {
                print!("{script}");
                return Ok(());
            }
            let db = database_path(a.db.as_deref())?;
            roles::apply(&db, &script)?;
            println!(
                "{}: roles, grants and row-level security applied",
                db.display()
            );
            Ok(())
        }
        Some(Command::Db(raqim::cli::DbCommand::Copy(a))) => {
            let report = raqim::store::copy::copy(&a.from, &a.to)?;
            print!("{report}");
            Ok(())
        }
        Some(Command::Check(a)) => {
            let db = database_path(a.db.as_deref())?;
            let report = raqim::store::check(&db)?;
            println!("{report}");
            Ok(())
        }
        None => {
            let Some(file) = cli.file else {
                return queue(&cli);
            };
            if file.as_os_str() == "-" {
                anyhow::bail!(
                    "the viewer reads the keyboard from the terminal, so it cannot read the article from standard input; give a file, or use `raqim render -`"
                );
            }
            // A user's files are read (and any error shown) before the screen is
            // taken; the built-in engine is built while the article is decoded.
            let engine = review_engine(&cli.sources.options())?;
            let keymap = keymap(cli.keymap.as_deref())?;
            let config = settings()?;
            let mut settings = view_settings(&config, &cli.view, cli.terminal)?;
            // Who annotates, and where, is settled (or refused) before anything opens.
            let keeper = keeper(&config, &cli.store)?;
            settings.team_db = keeper.db().map(Path::to_path_buf);
            if raqim::session::set::is_set(&file) {
                let entries = raqim::session::set::load(&file)?;
                if !std::io::stdout().is_terminal() {
                    anyhow::bail!("the viewer needs a terminal on standard output");
                }
                tracing::info!(
                    set = %logging::path(&file),
                    documents = entries.len(),
                    "viewer: a set"
                );
                let mut source = SetSource::new(entries, keeper, cli.view.lossy, engine.clone());
                // Every document is in the database from now on, for an export; a
                // database that cannot take them is said again by opening the first.
                if let Err(e) = source.register() {
                    tracing::warn!("viewer: the set's documents were not registered: {e}");
                }
                return raqim::tui::run_set(settings, engine, keymap, &mut source, 0);
            }
            let doc = load(&file, cli.view.lossy)?;
            if !std::io::stdout().is_terminal() {
                anyhow::bail!(
                    "the viewer needs a terminal on standard output; to print the layout use `raqim render {}`",
                    file.display()
                );
            }
            let (doc, opened) =
                keeper.open(doc, &file, engine.as_deref(), Some(&mut ask_changed))?;
            log_opened(&file.display().to_string(), &doc, opened.as_ref());
            raqim::tui::run_with(doc, settings, engine, keymap, opened)
        }
    }
}

/// `raqim` with no file: the caller's queue, the documents assigned to them, as a
/// set in their own layer (not done first).
fn queue(cli: &Cli) -> anyhow::Result<()> {
    let config = settings()?;
    if cli.store.no_db {
        anyhow::bail!(
            "no article given; try `raqim samples/deir-ez-zor.txt` or `raqim --help` (--no-db has no queue)"
        );
    }
    let keeper = keeper(&config, &cli.store)?;
    let db = keeper.db().map(Path::to_path_buf).unwrap_or_default();
    let (entries, done) = raqim::session::queue::entries(&db, keeper.annotator())?;
    if !std::io::stdout().is_terminal() {
        anyhow::bail!("the viewer needs a terminal on standard output");
    }
    tracing::info!(
        annotator = %keeper.annotator(),
        documents = entries.len(),
        done,
        "viewer: the queue"
    );
    let engine = review_engine(&cli.sources.options())?;
    let keymap = keymap(cli.keymap.as_deref())?;
    let mut settings = view_settings(&config, &cli.view, cli.terminal)?;
    settings.team_db = keeper.db().map(Path::to_path_buf);
    let mut source = SetSource::new(entries, keeper, cli.view.lossy, engine.clone());
    raqim::tui::run_set(settings, engine, keymap, &mut source, 0)
}

/// `raqim adjudicate`: the documents, then the batch merge or the view.
fn adjudicate(a: raqim::cli::AdjudicateArgs) -> anyhow::Result<()> {
    use raqim::session::curation;
    let db = database_path(a.db.as_deref())?;
    let config = settings()?;
    let curator = annotator_named(&config, a.annotator.as_deref());
    let rule = a.rule.unwrap_or_else(|| config.merge());
    let docs = curation::resolve(
        &raqim::store::Store::open_read_only(&db)?,
        &a.docs,
        a.view.lossy,
    )?;
    let engine = raqim::suggest::builtin_engine();
    if a.auto {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        curation::run_auto(&db, &docs, &curator, rule, &engine, &mut out)?;
        return Ok(());
    }
    if !std::io::stdout().is_terminal() {
        anyhow::bail!(
            "the adjudication view needs a terminal on standard output; --auto needs none"
        );
    }
    let Some((doc, opened, curation, report)) =
        curation::first_to_adjudicate(&db, &docs, &curator, rule, &engine)?
    else {
        anyhow::bail!(
            "{}: no disagreement left to adjudicate (the agreed spans are in gold)",
            match docs.len() {
                1 => "1 document".to_string(),
                n => format!("{n} documents"),
            }
        );
    };
    log_opened(&doc.name, &doc, Some(&opened));
    tracing::info!(%rule, "adjudicate: {report}");
    let keymap = keymap(None)?;
    let mut settings = view_settings(&config, &a.view, None)?;
    settings.suggest = false;
    raqim::tui::run_curation(doc, settings, engine, keymap, opened, curation, report)
}

/// The keymap: `--keymap FILE`, else the user's keymap file if there is one, each
/// merged over the defaults; else the defaults.
fn keymap(flag: Option<&Path>) -> anyhow::Result<raqim::tui::Keymap> {
    let user = || raqim::tui::user_keymap_path().filter(|p| p.exists());
    Ok(match flag.map(Path::to_path_buf).or_else(user) {
        Some(path) => raqim::tui::load_keymap(&path)?,
        None => raqim::tui::Keymap::default_keymap(),
    })
}

/// The settings file, read once per command that needs it.
fn settings() -> anyhow::Result<Settings> {
    Settings::load(raqim::config::config_path().as_deref())
}

/// Who is annotating: `--annotator`, else the settings file, else the login name.
fn annotator_named(settings: &Settings, flag: Option<&str>) -> String {
    settings.annotator(
        flag,
        std::env::var_os("USER").or_else(|| std::env::var_os("LOGNAME")),
    )
}

/// Where the viewer keeps documents: the annotator first, then the database (unless
/// `--no-db`), so their errors come in that order.
fn keeper(settings: &Settings, args: &StoreArgs) -> anyhow::Result<Keeper> {
    let annotator = annotator_named(settings, args.annotator.as_deref());
    raqim::store::check_annotator(&annotator)
        .map_err(|why| anyhow::anyhow!("--annotator: {why}"))?;
    let db = if args.no_db {
        None
    } else {
        Some(database_path(args.db.as_deref())?)
    };
    let alone = settings.learning() == raqim::config::Learning::Annotator;
    Ok(Keeper::new(db, annotator, args.changed).learning_alone(alone))
}

fn view_settings(
    settings: &Settings,
    view: &ViewArgs,
    flag: Option<Profile>,
) -> anyhow::Result<ViewSettings> {
    let picked = raqim::tui::picked_profile().map_err(anyhow::Error::msg)?;
    let profile = Profile::choose(flag, settings.terminal(), picked, |k| std::env::var(k).ok());
    let reject_project_after = settings.reject_project_after();
    tracing::info!(%profile, "viewer: terminal profile");
    Ok(ViewSettings {
        direction: view.direction,
        shaping: view.shaping,
        show_controls: view.show_controls,
        profile,
        reject_project_after,
        ..Default::default()
    })
}

/// Asks on the terminal what to do with a changed file.
fn ask_changed(file: &Path, spans: usize) -> Result<Changed, OpenError> {
    let name = file.display();
    let declined = |why: &str| Err(OpenError::Declined(format!("{name}: {why}")));
    if !std::io::stdin().is_terminal() {
        return Err(OpenError::Declined(format!(
            "{name} changed since it was annotated ({spans} spans on the stored version); \
             choose with --changed stored (open the annotated version) or --changed new \
             (annotate the new text as a new document)"
        )));
    }
    let mut err = std::io::stderr();
    writeln!(
        err,
        "{name} changed since it was annotated ({spans} spans on the stored version).\n  \
         s  open the stored version, with its annotations\n  \
         n  annotate the new text as a new document\n  \
         q  quit"
    )
    .map_err(OpenError::Asking)?;
    loop {
        let mut line = String::new();
        write!(err, "s/n/q? ")
            .and_then(|()| err.flush())
            .and_then(|()| std::io::stdin().read_line(&mut line))
            .map_err(OpenError::Asking)?;
        match line.trim() {
            _ if line.is_empty() => return declined("no choice made"),
            "s" | "S" => return Ok(Changed::Stored),
            "n" | "N" => return Ok(Changed::New),
            "q" | "Q" => return declined("left as it is"),
            _ => {}
        }
    }
}
