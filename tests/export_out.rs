//! `raqim export --out PATH` where PATH is not a plain file (issue 11, item 1): a
//! symbolic link is followed and its target replaced (the link stays); a FIFO, a
//! character device or a socket is written into, never replaced by a file.

mod common;

use std::io::Read;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::raqim;

const GOLD: &str = "tests/fixtures/gold/deir-ez-zor.jsonl";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A database holding the gold sample, and what a JSONL export of it writes to
/// standard output.
fn database(dir: &Path) -> (PathBuf, String) {
    let db = dir.join("raqim.db");
    let o = raqim(&["import", "--db", s(&db), "--format", "jsonl", GOLD], None);
    assert!(o.status.success(), "import: {}", stderr(&o));
    let o = raqim(&["export", "--db", s(&db), "--format", "jsonl"], None);
    assert!(o.status.success(), "export: {}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("deir-ez-zor"), "{out}");
    (db, out)
}

fn export_to(db: &Path, out: &Path) -> Output {
    raqim(
        &[
            "export",
            "--db",
            s(db),
            "--format",
            "jsonl",
            "--out",
            s(out),
        ],
        None,
    )
}

#[test]
fn a_symlink_is_followed_its_target_replaced_and_the_link_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (db, expected) = database(dir.path());
    let target = dir.path().join("real.jsonl");
    std::fs::write(&target, "old\n").unwrap();
    let link = dir.path().join("link.jsonl");
    std::os::unix::fs::symlink("real.jsonl", &link).unwrap();
    let o = export_to(&db, &link);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link was replaced by a file"
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), expected);

    // A link whose target does not exist yet: the target is created.
    let dangling = dir.path().join("later.jsonl");
    std::os::unix::fs::symlink("sub/new.jsonl", &dangling).unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let o = export_to(&db, &dangling);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        std::fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("sub/new.jsonl")).unwrap(),
        expected
    );
}

#[test]
fn a_replaced_file_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let (db, expected) = database(dir.path());
    let out = dir.path().join("out.jsonl");
    std::fs::write(&out, "old\n").unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = export_to(&db, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), expected);
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644);
}

#[test]
fn a_fifo_gets_the_data_and_stays_a_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let (db, expected) = database(dir.path());
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut got = String::new();
            std::fs::File::open(&fifo)
                .unwrap()
                .read_to_string(&mut got)
                .unwrap();
            got
        })
    };
    let o = export_to(&db, &fifo);
    assert!(o.status.success(), "{}", stderr(&o));
    // Before joining: a FIFO replaced by a file would leave the reader waiting.
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    assert_eq!(reader.join().unwrap(), expected);
}

#[test]
fn a_socket_gets_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let (db, expected) = database(dir.path());
    let sock = dir.path().join("sock");
    let listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    let reader = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut got = String::new();
        conn.read_to_string(&mut got).unwrap();
        got
    });
    let o = export_to(&db, &sock);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::metadata(&sock).unwrap().file_type().is_socket());
    assert_eq!(reader.join().unwrap(), expected);
}

#[test]
fn dev_stdout_writes_to_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let (db, expected) = database(dir.path());
    let o = export_to(&db, Path::new("/dev/stdout"));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(String::from_utf8(o.stdout).unwrap(), expected);
}

#[test]
fn a_full_device_is_a_clear_no_space_error_and_stays_a_device() {
    let full = Path::new("/dev/full");
    if !std::fs::metadata(full).is_ok_and(|m| m.file_type().is_char_device()) {
        eprintln!("no /dev/full here; nothing to test");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = database(dir.path());
    let o = export_to(&db, full);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("/dev/full: no space left on the device"),
        "{err}"
    );
    assert!(
        std::fs::metadata(full)
            .unwrap()
            .file_type()
            .is_char_device()
    );
}
