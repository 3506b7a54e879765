//! The database promises as a user of `raqim import`, `raqim export` and `raqim check`
//! meets them: a damaged, empty or mismatched file is refused with a message naming it
//! and is never written to; export only reads (a read-only file exports); imports
//! started at once on a database nobody made yet all succeed; a new database that an
//! import could not fill leaves nothing behind.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{damage_spans_leaf, raqim};

const NEWSFANE: &str = "tests/fixtures/newsfane/dev.jsonl";

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The first `n` records of the newsfane documents, as a file in `dir`.
fn newsfane_head(dir: &Path, n: usize) -> PathBuf {
    let src = std::fs::read_to_string(NEWSFANE).unwrap();
    let head: String = src.lines().take(n).map(|l| format!("{l}\n")).collect();
    let p = dir.join(format!("newsfane-{n}.jsonl"));
    std::fs::write(&p, head).unwrap();
    p
}

fn import(db: &Path, file: &Path) -> Output {
    raqim(
        &[
            "import",
            "--db",
            s(db),
            "--annotator",
            "tester",
            "--format",
            "jsonl",
            s(file),
        ],
        None,
    )
}

fn export(db: &Path) -> Output {
    raqim(&["export", "--db", s(db), "--format", "jsonl"], None)
}

/// A database of 60 newsfane documents (a few thousand spans), closed.
fn database(dir: &Path) -> PathBuf {
    let db = dir.join("raqim.db");
    let o = import(&db, &newsfane_head(dir, 60));
    assert!(o.status.success(), "{}", stderr(&o));
    db
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn an_import_into_a_damaged_database_is_refused_and_the_file_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let bytes = damage_spans_leaf(&db);
    // Documents the database does not have yet: the import's queries would never
    // reach the damaged page.
    let more = dir.path().join("more.jsonl");
    let src = std::fs::read_to_string(NEWSFANE).unwrap();
    let tail: String = src.lines().skip(150).map(|l| format!("{l}\n")).collect();
    std::fs::write(&more, tail).unwrap();
    let o = import(&db, &more);
    assert!(!o.status.success(), "imported into a damaged file");
    let err = stderr(&o);
    assert!(err.contains(s(&db)), "{err}");
    assert!(err.contains("corrupt"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), bytes, "the file was modified");
}

#[test]
fn raqim_check_says_a_sound_database_is_sound_and_names_the_damaged_table() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let o = raqim(&["check", "--db", s(&db)], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains(s(&db)) && out.contains("sound"), "{out}");
    assert!(out.contains("60 documents"), "{out}");

    let bytes = damage_spans_leaf(&db);
    let o = raqim(&["check", "--db", s(&db)], None);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains(s(&db)), "{err}");
    assert!(err.contains("damaged; integrity_check found"), "{err}");
    assert!(err.contains("table spans"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), bytes, "the file was modified");

    let missing = dir.path().join("nothing.db");
    let o = raqim(&["check", "--db", s(&missing)], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(s(&missing)), "{}", stderr(&o));
    assert!(!missing.exists(), "check created the database");
}

#[test]
fn exporting_a_text_damaged_on_disk_names_the_file_once_instead_of_a_raw_utf8_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    // Flip the first byte of a stored text on disk: the pages stay well formed, the
    // text is no longer UTF-8 (what flipped bits in a data page look like).
    let mut bytes = std::fs::read(&db).unwrap();
    let first: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(NEWSFANE)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let text: String = first["text"].as_str().unwrap().chars().take(12).collect();
    let text = text.as_bytes();
    let at: Vec<usize> = bytes
        .windows(text.len())
        .enumerate()
        .filter_map(|(i, w)| (w == text).then_some(i))
        .collect();
    assert!(!at.is_empty(), "no stored text found");
    for i in at {
        bytes[i] = 0xff;
    }
    std::fs::write(&db, &bytes).unwrap();
    let o = export(&db);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains(s(&db)), "{err}");
    assert!(err.contains("not valid UTF-8"), "{err}");
    assert!(!err.contains("invalid utf-8 sequence"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), bytes, "the file was modified");
}

#[test]
fn an_empty_database_file_is_refused_by_export_and_import_and_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    std::fs::write(&db, b"").unwrap();
    let file = newsfane_head(dir.path(), 2);
    for (what, o) in [("export", export(&db)), ("import", import(&db, &file))] {
        assert!(!o.status.success(), "{what} took an empty file");
        let err = stderr(&o);
        assert!(
            err.contains(s(&db)) && err.contains("empty"),
            "{what}: {err}"
        );
        assert_eq!(std::fs::read(&db).unwrap().len(), 0, "{what} wrote to it");
    }
    assert_eq!(names(dir.path()), ["newsfane-2.jsonl", "raqim.db"]);
}

#[test]
fn imports_started_at_once_on_a_database_nobody_made_yet_all_succeed() {
    for round in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("new").join("raqim.db");
        let files: Vec<PathBuf> = (0..4)
            .map(|i| {
                let src = std::fs::read_to_string(NEWSFANE).unwrap();
                let part: String = src
                    .lines()
                    .skip(i * 5)
                    .take(5)
                    .map(|l| format!("{l}\n"))
                    .collect();
                let p = dir.path().join(format!("part{i}.jsonl"));
                std::fs::write(&p, part).unwrap();
                p
            })
            .collect();
        let children: Vec<_> = files
            .iter()
            .map(|f| {
                Command::new(env!("CARGO_BIN_EXE_raqim"))
                    .args(["import", "--db", s(&db), "--annotator", "tester"])
                    .args(["--format", "jsonl", s(f)])
                    .env("XDG_STATE_HOME", dir.path())
                    .env("XDG_CONFIG_HOME", dir.path())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let o = c.wait_with_output().unwrap();
            assert!(o.status.success(), "round {round}: {}", stderr(&o));
        }
        let o = export(&db);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(stdout(&o).lines().count(), 20, "round {round}");
        let left: Vec<String> = names(db.parent().unwrap())
            .into_iter()
            .filter(|n| n.contains(".new-"))
            .collect();
        assert!(left.is_empty(), "temporary files left: {left:?}");
    }
}

#[test]
fn a_read_only_database_file_exports_and_is_left_untouched() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    // A closed database has no -wal or -shm beside it, and export leaves none.
    let files = names(dir.path());
    let before = export(&db);
    assert!(before.status.success());
    assert_eq!(names(dir.path()), files);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    let bytes = std::fs::read(&db).unwrap();
    let o = export(&db);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(o.stdout, before.stdout);
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
    assert_eq!(names(dir.path()), files);
    let o = raqim(&["check", "--db", s(&db)], None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(names(dir.path()), files);
    // Writing is still refused, naming the file.
    let o = import(&db, &newsfane_head(dir.path(), 100));
    assert!(!o.status.success());
    assert!(stderr(&o).contains("read-only"), "{}", stderr(&o));
}

/// Runs `import` with the size of any file it writes limited to `kib` KiB (SIGXFSZ
/// ignored, so a write past it fails as on a full disk).
fn import_limited(db: &Path, file: &Path, kib: u64) -> Output {
    let script = format!(
        "trap '' XFSZ; ulimit -f {}; exec \"$0\" import --db \"$1\" --annotator tester --format jsonl \"$2\"",
        kib * 2
    );
    Command::new("sh")
        .args(["-c", &script, env!("CARGO_BIN_EXE_raqim"), s(db), s(file)])
        .env("XDG_STATE_HOME", db.parent().unwrap().parent().unwrap())
        .env("RAQIM_LOG", "off")
        .output()
        .unwrap()
}

#[test]
fn an_import_into_a_new_database_that_runs_out_of_space_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let file = newsfane_head(dir.path(), 150);
    let db = dir.path().join("data").join("raqim.db");
    // 512 KiB: room for the empty database, not for 150 documents.
    let o = import_limited(&db, &file, 512);
    assert!(!o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains(s(&db)), "{err}");
    // A file too large is SQLite's "disk I/O error" (EFBIG), not the SQLITE_FULL of
    // a full disk: the message for that is checked in src/store/tests.rs.
    assert!(
        !dir.path().join("data").exists(),
        "left behind: {:?}",
        names(&dir.path().join("data"))
    );
}
