//! The log file: what a command leaves in it, where it is, and that `--log-level off`
//! leaves nothing.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::raqim_env;

const GOLD: &str = "tests/fixtures/gold/deir-ez-zor.jsonl";

/// A folder of one test's own: the log's folder (`XDG_STATE_HOME`) and the database,
/// neither there yet.
struct Home {
    dir: tempfile::TempDir,
    state: PathBuf,
    db: PathBuf,
}

impl Home {
    fn new() -> Home {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        let db = dir.path().join("raqim.db");
        Home { dir, state, db }
    }

    /// Runs `raqim ARGS` with this log folder and database, `more` set over them.
    fn run(&self, args: &[&str], more: &[(&str, &Path)]) -> Output {
        let mut env = vec![
            ("XDG_STATE_HOME", self.state.as_path()),
            ("RAQIM_DB", self.db.as_path()),
        ];
        env.extend_from_slice(more);
        raqim_env(args, None, &env)
    }

    /// As [`Home::run`], for a command that must succeed.
    fn ok(&self, args: &[&str], more: &[(&str, &Path)]) {
        let o = self.run(args, more);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }

    /// The log as written so far ("" if there is none).
    fn log(&self) -> String {
        std::fs::read_to_string(self.state.join("raqim").join("raqim.log")).unwrap_or_default()
    }
}

#[test]
fn an_import_and_an_export_are_logged_with_their_counts() {
    let home = Home::new();
    home.ok(
        &["import", "--format", "jsonl", "--as", "accepted", GOLD],
        &[],
    );
    let out = home.dir.path().join("out.jsonl");
    let out_arg = out.to_str().unwrap();
    home.ok(&["export", "--format", "prodigy", "--out", out_arg], &[]);
    // A refused command is logged as an error, with what stderr says.
    let missing = home.dir.path().join("none.db");
    let o = home.run(
        &["export", "--format", "jsonl"],
        &[("RAQIM_DB", missing.as_path())],
    );
    assert!(!o.status.success());

    let log = home.log();
    let lines: Vec<&str> = log.lines().collect();
    let find = |what: &str| {
        lines
            .iter()
            .position(|l| l.contains(what))
            .unwrap_or_else(|| panic!("no line with {what:?} in:\n{log}"))
    };
    let start = find("start version=");
    assert!(
        lines[start].contains("args=import --format jsonl --as accepted"),
        "{log}"
    );
    let import = find("import: 1 record from 1 file: 1 document added");
    assert!(lines[import].contains("61 spans added"), "{log}");
    assert!(lines[import].contains(" INFO "), "{log}");
    let export = find("export format=prodigy documents=1 spans=61");
    assert!(lines[export].contains(out_arg), "{log}");
    assert!(start < import && import < export, "{log}");
    let error = find("no such database");
    assert!(lines[error].contains(" ERROR "), "{log}");
    // Every command's start and end, each line under its process id.
    assert_eq!(log.matches("start version=").count(), 3, "{log}");
    assert_eq!(log.matches(" end").count(), 3, "{log}");
    assert!(lines.iter().all(|l| l.contains("raqim{pid=")), "{log}");
}

#[test]
fn log_level_off_writes_no_file() {
    let home = Home::new();
    home.ok(
        &["import", "--format", "jsonl", GOLD, "--log-level", "off"],
        &[],
    );
    assert!(!home.state.exists(), "the log's folder was created");
    // RAQIM_LOG says the same.
    home.ok(
        &["export", "--format", "jsonl"],
        &[("RAQIM_LOG", Path::new("off"))],
    );
    assert!(!home.state.exists(), "the log's folder was created");
}

#[test]
fn a_log_that_cannot_be_opened_is_said_once_and_the_command_runs() {
    let home = Home::new();
    // A file where the log's folder should be.
    std::fs::write(&home.state, "not a folder").unwrap();
    let o = home.run(&["render", "samples/deir-ez-zor.txt", "--width", "40"], &[]);
    assert!(o.status.success());
    assert!(!o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("going on without a log"), "{err}");
}

#[test]
fn the_error_level_leaves_out_what_info_writes() {
    let run = |level: &str| {
        let home = Home::new();
        home.ok(
            &["import", "--format", "jsonl", GOLD, "--log-level", level],
            &[],
        );
        home.log()
    };
    assert!(run("info").contains("import: 1 record"));
    assert_eq!(run("error"), "");
}
