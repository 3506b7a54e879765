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
