//! Command-line arguments (clap). Parsing only: no behaviour lives here; where the
//! core has a plain type for a group of flags, the group turns into it here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::corpus::Offsets;
use crate::layout::{Direction, LayoutOptions, Shaping};
use crate::render::Format;
use crate::session::open::Changed;
use crate::suggest::options::Options;

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
    #[command(flatten)]
    pub sources: SourceArgs,
    /// Key bindings merged over the defaults (same shape as assets/keymap.toml);
    /// without it, $XDG_CONFIG_HOME/raqim/keymap.toml is used if it exists.
    #[arg(long, value_name = "FILE")]
    pub keymap: Option<PathBuf>,
    /// The terminal's profile (what it does with right-to-left text); without it,
    /// `terminal` in the settings file, else detected from the environment.
    #[arg(long, value_name = "xterm|vte|kitty|mlterm|konsole")]
    pub terminal: Option<crate::profile::Profile>,
    #[command(flatten)]
    pub store: StoreArgs,
    /// How much goes to the log, $XDG_STATE_HOME/raqim/raqim.log (else
    /// ~/.local/state/raqim/raqim.log): off writes nothing.
    #[arg(
        long,
        global = true,
        env = "RAQIM_LOG",
        default_value = "info",
        value_name = "off|error|warn|info|debug|trace"
    )]
    pub log_level: LogLevel,
    /// The largest article, set or file to import that raqim reads (render, suggest,
    /// the viewer, import): a number of bytes, or with K, M or G (KiB, MiB, GiB).
    /// A larger input is refused before it is read.
    #[arg(long, global = true, default_value = "256M", value_name = "SIZE")]
    pub max_input_size: ByteSize,
}

/// A size in bytes from the command line: `1000`, `64K`, `300M`, `2G` (powers of
/// 1024; `MB`, `MiB` and lower case are read the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub u64);

impl std::str::FromStr for ByteSize {
    type Err = String;
    fn from_str(s: &str) -> Result<ByteSize, String> {
        let t = s.trim();
        let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let (n, unit) = t.split_at(digits);
        let shift = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 0,
            "k" | "kb" | "kib" => 10,
            "m" | "mb" | "mib" => 20,
            "g" | "gb" | "gib" => 30,
            _ => {
                return Err(format!(
                    "'{s}': expected a number of bytes, e.g. 1000, 64K, 300M or 2G"
                ));
            }
        };
        let n: u64 = n.parse().map_err(|_| {
            format!("'{s}': expected a number of bytes, e.g. 1000, 64K, 300M or 2G")
        })?;
        match n.checked_mul(1 << shift) {
            Some(0) => Err("0: no input would be read; expected a size of at least 1 byte".into()),
            Some(v) => Ok(ByteSize(v)),
            None => Err(format!("'{s}': too large")),
        }
    }
}

/// A `render --width`: at most [`crate::render::MAX_WIDTH`] cells, since every line
/// is padded to the width (a width of 4294967296 would ask for that many spaces).
fn parse_width(s: &str) -> Result<usize, String> {
    let max = crate::render::MAX_WIDTH;
    let w: usize = s
        .parse()
        .map_err(|_| format!("'{s}': expected a number of cells (0 means no wrapping)"))?;
    if w > max {
        return Err(format!(
            "{w} cells is wider than the {max} raqim lays out; expected 0 (no wrapping) to {max}"
        ));
    }
    Ok(w)
}

/// How much goes to the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogLevel {
    /// No log file at all.
    Off,
    Error,
    Warn,
    /// Starts, review actions and their times, refusals, imports and exports.
    Info,
    /// Also every status line message.
    Debug,
    Trace,
}

/// Where annotations are kept and who makes them.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// The annotation database [default: $RAQIM_DB, else
    /// $XDG_DATA_HOME/raqim/raqim.db, else ~/.local/share/raqim/raqim.db].
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Keep nothing: annotations live only until raqim quits.
    #[arg(long, conflicts_with = "db")]
    pub no_db: bool,
    /// Who is annotating, stored with every action [default: `annotator` in
    /// $XDG_CONFIG_HOME/raqim/config.toml, else the login name].
    #[arg(long, value_name = "NAME")]
    pub annotator: Option<String>,
    /// When the file changed since it was annotated: open the stored version
    /// (`stored`) or annotate the new text as a new document (`new`). Without it,
    /// raqim asks.
    #[arg(long, value_name = "stored|new")]
    pub changed: Option<Changed>,
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
    /// Also mark LRM, RLM and ALM (overrides, embeddings and isolates always are).
    #[arg(long)]
    pub show_controls: bool,
    /// Open a file that is not valid UTF-8, showing bad bytes as U+FFFD.
    #[arg(long)]
    pub lossy: bool,
}

impl ViewArgs {
    /// The layout of these settings at `width` cells.
    pub fn layout(&self, width: usize) -> LayoutOptions {
        LayoutOptions {
            width,
            direction: self.direction,
            shaping: self.shaping,
            show_controls: self.show_controls,
        }
    }
}

/// Which suggestion sources to use.
#[derive(Debug, Clone, Args)]
pub struct SourceArgs {
    /// Do not suggest from the gazetteers.
    #[arg(long)]
    pub no_gazetteers: bool,
    /// Do not suggest from the rules.
    #[arg(long)]
    pub no_rules: bool,
    /// Do not suggest from the learned tagger (source `model`).
    #[arg(long)]
    pub no_model: bool,
    /// A tagger written by `raqim train` instead of the embedded one.
    #[arg(long, value_name = "FILE", conflicts_with = "no_model")]
    pub model: Option<PathBuf>,
    /// A label set that replaces the default one (same shape as assets/labels.toml).
    #[arg(long, value_name = "FILE")]
    pub labels_file: Option<PathBuf>,
    /// Rules that replace the default ones (same shape as assets/rules.toml).
    #[arg(long, value_name = "FILE")]
    pub rules_file: Option<PathBuf>,
    /// A gazetteer (`surface<TAB>LABEL` lines) added to the embedded ones; repeatable.
    #[arg(long, value_name = "FILE")]
    pub gazetteer: Vec<PathBuf>,
}

impl SourceArgs {
    /// The engine these flags ask for.
    pub fn options(&self) -> Options {
        Options {
            labels_file: self.labels_file.clone(),
            rules_file: self.rules_file.clone(),
            gazetteers: self.gazetteer.clone(),
            model: self.model.clone(),
            use_gazetteers: !self.no_gazetteers,
            use_rules: !self.no_rules,
            use_model: !self.no_model,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the article as it would be painted, or its visual lines as JSON.
    Render(RenderArgs),
    /// Suggest entities: one JSON object per document on standard output.
    Suggest(SuggestArgs),
    /// Score suggestions against gold spans, or replay an analyst over a gold corpus.
    Eval(EvalArgs),
    /// Train the tagger on gold documents (JSON lines with spans, code points) and
    /// write the model file; the list features are built cross-fold (see README).
    Train(TrainArgs),
    /// Cross-validate lists, rules and tagger on gold documents: per fold, lists and
    /// tagger made of the other folds only, scored cold and replayed.
    Crossval(CrossvalArgs),
    /// Write documents and their spans in an interchange format (the summary goes to
    /// standard error).
    Export(ExportArgs),
    /// Add documents and spans from files of another tool (or a model) to the database,
    /// all in one transaction: a bad record anywhere imports nothing, unless
    /// --skip-bad. A span the document already has (same start, end, label) is skipped,
    /// so importing a file twice adds nothing; one that overlaps a span already there
    /// (not rejected) is skipped and reported as a conflict.
    Import(ImportArgs),
    /// Read the whole database and say whether it is sound or what is damaged (SQLite's
    /// integrity_check, naming the table or index hit); exit status 2 when damaged.
    /// Nothing is written.
    Check(CheckArgs),
    /// Give each document to N different annotators (issue 15): a balanced,
    /// reproducible assignment (loads within one document, pairs of annotators
    /// sharing documents evenly), recorded in the database. Documents already
    /// assigned are left as they were, so a second run gives out only new ones.
    /// Prints every annotator's load and the documents each pair shares.
    Assign(AssignArgs),
    /// Per annotator: documents assigned, started (acted on in their layer), done
    /// (their layer's done mark) and accepted spans; per document, who it
    /// is assigned to. Nothing is written.
    Status(StatusArgs),
    /// Inter-annotator agreement over the documents two or more annotators have
    /// marked done in their layers (--all: every layer with work): for each pair, the
    /// documents shared, exact-match F1 (span and label) overall and per label, and
    /// Cohen's kappa over tokens (BIO); Fleiss' kappa over all; each annotator against
    /// gold once there is a gold layer. Only accepted spans count. Nothing is written.
    Agreement(AgreementArgs),
    /// Settle the annotators' layers of a document into gold (issue 15): the spans
    /// they agree on are copied into gold, and a view shows each disagreement with
    /// every annotator's variant, for the curator to take one (t then its letter),
    /// edit it with the review keys, or reject them all (t x); Tab goes to the next
    /// one. Every step is an undoable action of the gold layer. With --auto, only the
    /// copying, without a screen, and the counts.
    Adjudicate(AdjudicateArgs),
    /// Show one Arabic line drawn the ways terminals need it, numbered; the number
    /// pressed is kept as this terminal's profile (in terminals.toml beside the
    /// settings file) and used by the viewer from then on.
    TerminalCheck,
    /// Write shell completions (bash, zsh, fish, elvish) and man pages, generated from
    /// these very options, where the shells and `man` find a user's own: under
    /// $XDG_DATA_HOME (else ~/.local/share), or --dir.
    ShellFiles(ShellFilesArgs),
    /// The database itself: copying a project between SQLite and PostgreSQL, a team
    /// server's roles (see `raqim db --help`).
    #[command(subcommand)]
    Db(DbCommand),
}

/// `raqim db ...`: the database as a whole.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Print the SQL that makes a PostgreSQL role per annotator and curator and turns
    /// on row-level security, so that the server itself lets an annotator who
    /// connects as themselves write only their own layer, and gold only a curator
    /// (with --apply, run it on --db as the connected, privileged user).
    Roles(DbRolesArgs),
    /// Copy a whole project (documents, spans with their ids, the action log with its
    /// seqs and undo links, done marks and views, flags, paths, memory, assignments)
    /// from one database to another, SQLite or PostgreSQL either way, into an empty
    /// target in one transaction; the row counts of every table are checked before it
    /// commits and printed.
    Copy(DbCopyArgs),
}

/// The arguments of `raqim db roles` (see [`DbCommand::Roles`]).
#[derive(Debug, Args)]
pub struct DbRolesArgs {
    /// The annotators, comma-separated, each a role named as their layer, e.g.
    /// amal,basel.
    #[arg(long, value_delimiter = ',', value_name = "NAME,NAME,...")]
    pub annotators: Vec<String>,
    /// The curators, who also write gold, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "NAME,NAME,...")]
    pub curators: Vec<String>,
    /// Run the script on the database instead of printing it (its schema is made
    /// first if missing).
    #[arg(long)]
    pub apply: bool,
    /// The team server, a postgresql:// URL connecting as its owner or a superuser
    /// [default: $RAQIM_DB]. Only with --apply.
    #[arg(long, value_name = "URL", requires = "apply")]
    pub db: Option<PathBuf>,
}

/// The arguments of `raqim db copy` (see [`DbCommand::Copy`]).
#[derive(Debug, Args)]
pub struct DbCopyArgs {
    /// The database copied: a file, or a postgresql:// URL.
    #[arg(long, value_name = "PATH|URL")]
    pub from: PathBuf,
    /// The database written: a file (made if missing) or a postgresql:// URL; it must
    /// hold nothing yet.
    #[arg(long, value_name = "PATH|URL")]
    pub to: PathBuf,
}

/// The arguments of `raqim adjudicate` (see [`Command::Adjudicate`]).
#[derive(Debug, Args)]
pub struct AdjudicateArgs {
    /// Documents: an id, an id prefix of at least 8 hex digits, a name, an id as
    /// exported, a source path as recorded, or an article or set (a directory, a
    /// .jsonl) as the viewer opens it [default: every document that two or more
    /// annotators marked done; the view opens the first with a disagreement left].
    #[arg(value_name = "DOC|SET|FILE")]
    pub docs: Vec<String>,
    /// No screen: copy into gold what the annotators agree on, in every document
    /// named (or ready), and print the counts. A document whose gold layer is open
    /// in a viewer is skipped and named.
    #[arg(long)]
    pub auto: bool,
    /// How many annotators must agree on a span: unanimous (all) or majority (more
    /// than half) [default: `merge` in $XDG_CONFIG_HOME/raqim/config.toml, else
    /// unanimous].
    #[arg(long, value_name = "unanimous|majority")]
    pub rule: Option<crate::curate::MergeRule>,
    /// The annotation database [default: $RAQIM_DB, else
    /// $XDG_DATA_HOME/raqim/raqim.db, else ~/.local/share/raqim/raqim.db]. It must
    /// exist.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The curator, stored with every action [default: `annotator` in
    /// $XDG_CONFIG_HOME/raqim/config.toml, else the login name].
    #[arg(long, value_name = "NAME")]
    pub annotator: Option<String>,
    #[command(flatten)]
    pub view: ViewArgs,
}

/// The arguments of `raqim shell-files` (see [`Command::ShellFiles`]).
#[derive(Debug, Args)]
pub struct ShellFilesArgs {
    /// The data directory to write under [default: $XDG_DATA_HOME, else
    /// ~/.local/share]; e.g. /usr/local/share for every user.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// The arguments of `raqim check` (see [`Command::Check`]).
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The annotation database [default: $RAQIM_DB, else
    /// $XDG_DATA_HOME/raqim/raqim.db, else ~/.local/share/raqim/raqim.db].
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
}

/// The arguments of `raqim render` (see [`Command::Render`]).
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The article, or - for standard input.
    pub file: PathBuf,
    /// Line width in cells, at most 10000; 0 means no wrapping.
    #[arg(long, default_value_t = 80, value_parser = parse_width)]
    pub width: usize,
    /// text (visual lines as painted) or json (one object per visual line).
    #[arg(long, default_value = "text", value_name = "text|json")]
    pub format: Format,
    #[command(flatten)]
    pub view: ViewArgs,
}

/// The arguments of `raqim suggest` (see [`Command::Suggest`]).
#[derive(Debug, Args)]
pub struct SuggestArgs {
    /// Articles (.txt), JSON lines of {"id","text"} (.jsonl), or - for stdin.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Offset units in the output (and in .jsonl input): codepoints, bytes, utf16.
    #[arg(
        long,
        default_value = "codepoints",
        value_name = "codepoints|bytes|utf16"
    )]
    pub offsets: Offsets,
    /// Skip malformed JSONL lines (reported on stderr) instead of stopping.
    #[arg(long)]
    pub skip_bad: bool,
    /// Learned memory to use (JSON written by `eval --replay --save-memory`).
    #[arg(long, value_name = "FILE")]
    pub memory: Option<PathBuf>,
    #[command(flatten)]
    pub sources: SourceArgs,
}

/// The arguments of `raqim eval` (see [`Command::Eval`]).
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Gold documents (JSON lines with spans).
    pub gold: PathBuf,
    /// Predicted documents, same ids and texts (not with --replay).
    #[arg(required_unless_present = "replay", conflicts_with = "replay")]
    pub pred: Option<PathBuf>,
    /// Play an analyst over GOLD in order: suggest, score, accept the gold spans,
    /// reject the wrong suggestions, so the memory learns.
    #[arg(long)]
    pub replay: bool,
    /// Only score these labels (comma-separated), e.g. PER,ORG,LOC,FAC.
    #[arg(long, value_delimiter = ',')]
    pub labels: Vec<String>,
    /// Skip the first N documents (e.g. those a gazetteer was built from).
    #[arg(long, default_value_t = 0)]
    pub skip: usize,
    /// With --replay: print the cumulative figures every N documents.
    #[arg(long, default_value_t = 10)]
    pub every: usize,
    /// With --replay: write the learned memory to this file at the end.
    #[arg(long, value_name = "FILE")]
    pub save_memory: Option<PathBuf>,
    /// With --replay: write what was suggested for each document (JSON lines).
    #[arg(long, value_name = "FILE")]
    pub write_pred: Option<PathBuf>,
    /// With --replay: settle a paragraph at a time (as in the viewer, where each
    /// decision updates the rest of the document) or a whole document at a time.
    #[arg(long, default_value = "paragraph", value_name = "paragraph|document")]
    pub unit: crate::eval::Unit,
    /// Offset units of the files: codepoints, bytes, utf16.
    #[arg(long, default_value = "codepoints")]
    pub offsets: Offsets,
    #[command(flatten)]
    pub sources: SourceArgs,
}

/// The arguments of `raqim train` (see [`Command::Train`]).
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Gold documents: the NewsFANE dev split, the seed gold, your own.
    #[arg(required = true)]
    pub gold: Vec<PathBuf>,
    /// Where to write the model (the shipped one is assets/model/tagger.bin).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Labels the tagger learns (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "PER,ORG,LOC,FAC")]
    pub labels: Vec<String>,
    /// Passes over the data.
    #[arg(long, default_value_t = 12)]
    pub epochs: usize,
    /// Folds for the cross-fold list features.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
}

/// The arguments of `raqim crossval` (see [`Command::Crossval`]).
#[derive(Debug, Args)]
pub struct CrossvalArgs {
    /// Gold documents (JSON lines with spans, code points).
    pub gold: PathBuf,
    /// Number of contiguous folds.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Labels the tagger learns and that are scored (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "PER,ORG,LOC,FAC")]
    pub labels: Vec<String>,
    /// Passes over the data.
    #[arg(long, default_value_t = 12)]
    pub epochs: usize,
}

/// The arguments of `raqim export` (see [`Command::Export`]).
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Documents to export, each a document id, an id prefix of at least 8 hex
    /// digits, a name, an id as exported, or a source path as recorded [default:
    /// every document, in the order it was added].
    pub docs: Vec<String>,
    /// jsonl (raqim's own, keeps everything), prodigy, doccano, label-studio, brat
    /// (a directory of .txt + .ann pairs; needs --out), conll.
    #[arg(long, value_name = "FORMAT")]
    pub format: crate::formats::Format,
    /// accepted: the accepted spans; all: pending ones too, with their state, and in
    /// jsonl rejected ones as well (no other format has a place for them).
    #[arg(long, default_value = "accepted", value_name = "accepted|all")]
    pub state: crate::exchange::ExportState,
    /// Offset unit of the file [default: the format's own: utf16 for doccano,
    /// codepoints for the others; conll has no offsets].
    #[arg(long, value_name = "codepoints|utf16|bytes")]
    pub offsets: Option<Offsets>,
    /// Each record's id: name (the record's own id for an imported document, the
    /// file name without .txt for an article, so that `raqim eval` scores it against
    /// its gold file), or hash (the document id, the SHA-256 of its text).
    #[arg(long, default_value = "name", value_name = "name|hash")]
    pub ids: crate::exchange::Ids,
    /// CoNLL only: 2003 (a `-DOCSTART- -X- O O` line and a blank line before each
    /// document, `TOKEN TAG` lines, a blank line between sentences; what spaCy,
    /// doccano and seqeval read) or commented (raqim's own: `# id =` and `# text =`
    /// before each document, so that an import gets the exact text back).
    /// [default: 2003]
    #[arg(long, value_name = "2003|commented")]
    pub conll_form: Option<crate::formats::ConllForm>,
    /// The file to write (brat: the directory; an existing directory gets
    /// raqim-export.EXT) [default: standard output]. Written whole or not at all.
    #[arg(long, value_name = "DIR|FILE")]
    pub out: Option<PathBuf>,
    /// label-studio: the name of the labels control every region names (from_name)
    /// [default: the one the document's Label Studio file had, else label].
    #[arg(long, value_name = "NAME")]
    pub ls_from_name: Option<String>,
    /// label-studio: the name of the text object every region names (to_name)
    /// [default: the one the document's Label Studio file had, else text].
    #[arg(long, value_name = "NAME")]
    pub ls_to_name: Option<String>,
    /// The layer to write: an annotator's name, or gold (the curated layer) [default:
    /// the caller's own, `annotator` in $XDG_CONFIG_HOME/raqim/config.toml, else the
    /// login name].
    #[arg(long, value_name = "NAME|gold")]
    pub layer: Option<String>,
    /// Every layer (each annotator's and gold): one record per document and layer
    /// that has spans or a done mark, by document then layer name, each saying its
    /// layer (jsonl: the record's "annotator"; prodigy: "_annotator_id"). An import
    /// puts each record back in its layer. jsonl and prodigy only.
    #[arg(long, conflicts_with = "layer")]
    pub all_layers: bool,
    /// The annotation database [default: $RAQIM_DB, else
    /// $XDG_DATA_HOME/raqim/raqim.db, else ~/.local/share/raqim/raqim.db]. It must
    /// exist.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
}

/// The arguments of `raqim import` (see [`Command::Import`]).
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files, or directories of files of the format (brat: of .txt + .ann pairs).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// jsonl, prodigy, doccano, label-studio, brat, conll.
    #[arg(long, value_name = "FORMAT")]
    pub format: crate::formats::Format,
    /// The state of spans whose file gives none: suggestions (pending, reviewed in
    /// the viewer with their source shown) or accepted. A state the file gives wins:
    /// raqim JSONL's `state`, Prodigy's `state` or task answer (no answer: pending),
    /// Label Studio's annotations (accepted) and predictions (pending).
    #[arg(
        long = "as",
        default_value = "suggestions",
        value_name = "suggestions|accepted"
    )]
    pub as_: crate::exchange::ImportAs,
    /// The source stored with every imported span [default: the span's own (raqim
    /// JSONL, Prodigy, Label Studio's model_version), else import:FORMAT].
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// Offset unit of the files [default: the format's own: utf16 for doccano,
    /// codepoints for the others].
    #[arg(long, value_name = "codepoints|utf16|bytes")]
    pub offsets: Option<Offsets>,
    /// Accept labels missing from the label set (they are listed).
    #[arg(long)]
    pub add_labels: bool,
    /// Import the good records and spans, reporting the bad ones on stderr, instead
    /// of importing nothing.
    #[arg(long)]
    pub skip_bad: bool,
    /// brat: import event triggers (the T lines E lines name) as spans; by default
    /// they are left out and counted, like the events themselves.
    #[arg(long)]
    pub brat_triggers: bool,
    /// label-studio: the field of each task's data that holds the text (`$content`
    /// in the template is content) [default: text, else the only string field].
    #[arg(long, value_name = "FIELD")]
    pub ls_field: Option<String>,
    /// doccano: the key of each line that holds the text, as the project named it in
    /// doccano's upload form ("Column data") [default: text].
    #[arg(long, value_name = "KEY")]
    pub column_data: Option<String>,
    /// doccano: the key of each line that holds the spans, as the project named it in
    /// doccano's upload form ("Column label") [default: label, labels, entities].
    #[arg(long, value_name = "KEY")]
    pub column_label: Option<String>,
    /// CoNLL only: which tag column to read when a line has several (nested
    /// entities, as in Wojood), counting from 1, the first after the token; entities
    /// in the other columns are counted and reported. A file with a POS or `-X-`
    /// column second (CoNLL-2003, Label Studio) has one tag column, the last.
    /// [default: 1]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub conll_column: Option<u16>,
    /// A label set that replaces the default one (same shape as assets/labels.toml):
    /// labels are checked against it.
    #[arg(long, value_name = "FILE")]
    pub labels_file: Option<PathBuf>,
    /// The annotation database (created if missing) [default: $RAQIM_DB, else
    /// $XDG_DATA_HOME/raqim/raqim.db, else ~/.local/share/raqim/raqim.db].
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Who imports, stored with the import and with spans that name no annotator
    /// [default: `annotator` in $XDG_CONFIG_HOME/raqim/config.toml, else the login
    /// name]. Given here, it is also the layer every record goes to; without it, a
    /// record that names its layer (jsonl's record "annotator", prodigy's
    /// "_annotator_id", as `export --all-layers` writes them) goes to that layer, gold
    /// included, and any other to the importer's.
    #[arg(long, value_name = "NAME")]
    pub annotator: Option<String>,
}

/// The arguments of `raqim assign` (see [`Command::Assign`]).
#[derive(Debug, Args)]
pub struct AssignArgs {
    /// Documents to assign, each a document id, an id prefix of at least 8 hex
    /// digits, a name, an id as exported, or a source path as recorded [default:
    /// every document, in the order it was added].
    pub docs: Vec<String>,
    /// Who annotates, comma-separated, e.g. amal,basel,dina (the order does not
    /// matter).
    #[arg(
        long,
        value_delimiter = ',',
        required = true,
        value_name = "NAME,NAME,..."
    )]
    pub annotators: Vec<String>,
    /// How many different annotators each document goes to.
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub per_doc: usize,
    /// The annotation database [default: $RAQIM_DB, else
    /// $XDG_DATA_HOME/raqim/raqim.db, else ~/.local/share/raqim/raqim.db]. It must
    /// exist.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
}

/// The arguments of `raqim agreement` (see [`Command::Agreement`]).
#[derive(Debug, Args)]
pub struct AgreementArgs {
    /// table, json, csv, or chart (a screen: a heatmap of pairwise F1, a bar per
    /// label, the table; Tab chooses a pair, q closes).
    #[arg(long, value_enum, default_value_t, value_name = "FORMAT")]
    pub format: crate::team::agreement::AgreementFormat,
    /// Only these labels, comma-separated [default: every label].
    #[arg(long, value_delimiter = ',', value_name = "LABEL,LABEL,...")]
    pub labels: Vec<String>,
    /// Count every layer with work in it, not only those marked done.
    #[arg(long)]
    pub all: bool,
    /// The annotation database [default: $RAQIM_DB, else
    /// $XDG_DATA_HOME/raqim/raqim.db, else ~/.local/share/raqim/raqim.db]. It must
    /// exist.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
}

/// The arguments of `raqim status` (see [`Command::Status`]).
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// table (for reading) or json (one object: annotators and documents).
    #[arg(long, default_value = "table", value_name = "table|json")]
    pub format: crate::team::StatusFormat,
    /// The annotation database [default: $RAQIM_DB, else
    /// $XDG_DATA_HOME/raqim/raqim.db, else ~/.local/share/raqim/raqim.db]. It must
    /// exist.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
}
