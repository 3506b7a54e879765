//! Running the `raqim` binary from tests, from the repository's root.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `raqim ARGS`, feeding `stdin` if given, and waits for it.
#[allow(dead_code)] // Not every test binary uses both.
pub fn raqim(args: &[&str], stdin: Option<&[u8]>) -> Output {
    raqim_env(args, stdin, &[])
}

/// As [`raqim`], with environment variables set over the test's own.
pub fn raqim_env(args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &Path)]) -> Output {
    // Never the user's database, settings or log.
    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_raqim"))
        .args(args)
        .env("RAQIM_DB", home.path().join("raqim.db"))
        .env("XDG_CONFIG_HOME", home.path())
        .env("XDG_STATE_HOME", home.path())
        .env_remove("RAQIM_LOG")
        .envs(env.iter().copied())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run raqim");
    if let Some(bytes) = stdin {
        // A run that stops on bad arguments before reading its input closes the
        // pipe: that is for the test to judge from the output, not a harness error.
        if let Err(e) = child.stdin.take().unwrap().write_all(bytes) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
        }
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

/// Overwrites a leaf page of the spans table in the middle of the database at `db`
/// with garbage, where opening does not look (it reads the top of each b-tree only);
/// returns the file's bytes after.
#[allow(dead_code)] // Only the store's tests damage a database.
pub fn damage_spans_leaf(db: &Path) -> Vec<u8> {
    let (page, size) = {
        let conn = rusqlite::Connection::open(db).unwrap();
        let leaves: Vec<i64> = conn
            .prepare("SELECT pageno FROM dbstat WHERE name = 'spans' AND pagetype = 'leaf' ORDER BY path")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(leaves.len() >= 5, "too few pages: {leaves:?}");
        let size: i64 = conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap();
        (leaves[leaves.len() / 2] as usize, size as usize)
    };
    let mut bytes = std::fs::read(db).unwrap();
    for (i, b) in bytes[(page - 1) * size..page * size].iter_mut().enumerate() {
        *b = (i * 31 % 253) as u8;
    }
    std::fs::write(db, &bytes).unwrap();
    bytes
}
