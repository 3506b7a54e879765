//! The log file: what a command leaves in it, where it is, and that `--log-level off`
//! leaves nothing.

mod common;

use std::path::Path;

use common::raqim_env;

const GOLD: &str = "tests/fixtures/gold/deir-ez-zor.jsonl";

fn log_of(state: &Path) -> String {
    std::fs::read_to_string(state.join("raqim").join("raqim.log")).unwrap()
}

#[test]
fn an_import_and_an_export_are_logged_with_their_counts() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let db = dir.path().join("raqim.db");
    let env = [
        ("XDG_STATE_HOME", state.as_path()),
        ("RAQIM_DB", db.as_path()),
    ];
    let o = raqim_env(
        &["import", "--format", "jsonl", "--as", "accepted", GOLD],
        None,
        &env,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = dir.path().join("out.jsonl");
    let out_arg = out.to_str().unwrap();
    let o = raqim_env(
        &["export", "--format", "prodigy", "--out", out_arg],
        None,
        &env,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // A refused command is logged as an error, with what stderr says.
    let missing = dir.path().join("none.db");
    let o = raqim_env(
        &["export", "--format", "jsonl"],
        None,
        &[
            ("XDG_STATE_HOME", state.as_path()),
            ("RAQIM_DB", missing.as_path()),
        ],
    );
    assert!(!o.status.success());

    let log = log_of(&state);
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
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let db = dir.path().join("raqim.db");
    let env = [
        ("XDG_STATE_HOME", state.as_path()),
        ("RAQIM_DB", db.as_path()),
    ];
    let o = raqim_env(
        &["import", "--format", "jsonl", GOLD, "--log-level", "off"],
        None,
        &env,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!state.exists(), "the log's folder was created");
    // RAQIM_LOG says the same.
    let off = Path::new("off");
    let o = raqim_env(
        &["export", "--format", "jsonl"],
        None,
        &[
            ("XDG_STATE_HOME", state.as_path()),
            ("RAQIM_DB", db.as_path()),
            ("RAQIM_LOG", off),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!state.exists(), "the log's folder was created");
}

#[test]
fn a_log_that_cannot_be_opened_is_said_once_and_the_command_runs() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the log's folder should be.
    let state = dir.path().join("state");
    std::fs::write(&state, "not a folder").unwrap();
    let o = raqim_env(
        &["render", "samples/deir-ez-zor.txt", "--width", "40"],
        None,
        &[("XDG_STATE_HOME", state.as_path())],
    );
    assert!(o.status.success());
    assert!(!o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("going on without a log"), "{err}");
}

#[test]
fn the_error_level_leaves_out_what_info_writes() {
    let run = |level: &str| {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        let db = dir.path().join("raqim.db");
        let env = [
            ("XDG_STATE_HOME", state.as_path()),
            ("RAQIM_DB", db.as_path()),
        ];
        let o = raqim_env(
            &["import", "--format", "jsonl", GOLD, "--log-level", level],
            None,
            &env,
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        std::fs::read_to_string(state.join("raqim").join("raqim.log")).unwrap_or_default()
    };
    assert!(run("info").contains("import: 1 record"));
    assert_eq!(run("error"), "");
}
