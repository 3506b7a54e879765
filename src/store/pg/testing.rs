//! A throwaway PostgreSQL server for tests and benches: `initdb` and `pg_ctl` on a
//! Unix socket in a temporary directory (as the user `nobody` when run as root, since
//! the server refuses root), started once per process and stopped when the process
//! ends (a watchdog stops it within a second, however the process ends). Each caller
//! gets a database of its own on it.
//!
//! Without PostgreSQL's server programs installed, [`server`] is `None` and says once
//! on standard error that the PostgreSQL tests were skipped and how to enable them
//! (libtest hides that for a passing test: `tests/postgresql.rs` says it where
//! `cargo test` shows it). With `RAQIM_PG_TESTS=require` (CI), it panics instead.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A running server: its socket directory and superuser.
#[derive(Debug)]
pub struct Server {
    /// Holds the data directory and the socket.
    _dir: tempfile::TempDir,
    socket: PathBuf,
}

/// Where PostgreSQL's server programs are: on the PATH, else Debian's place.
pub(super) fn bin(name: &str) -> Option<PathBuf> {
    if let Ok(path) = std::env::var("PATH") {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("bin").join(name))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found.pop()
}

/// Runs `program` as the server's user: `nobody` when this process is root.
pub(super) fn as_server_user(program: &Path, root: bool) -> Command {
    if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "nobody", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn start() -> Result<Server, String> {
    let (initdb, pg_ctl) = match (bin("initdb"), bin("pg_ctl")) {
        (Some(i), Some(p)) => (i, p),
        _ => return Err("no initdb and pg_ctl found".to_string()),
    };
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let dir = tempfile::Builder::new()
        .prefix("raqim-pg-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let data = dir.path().join("data");
    let socket = dir.path().to_path_buf();
    if root {
        let uid = Command::new("id")
            .args(["-u", "nobody"])
            .output()
            .map_err(|e| e.to_string())?;
        let uid: u32 = String::from_utf8_lossy(&uid.stdout)
            .trim()
            .parse()
            .map_err(|_| "no user nobody to run the server as".to_string())?;
        std::os::unix::fs::chown(dir.path(), Some(uid), None).map_err(|e| e.to_string())?;
    }
    let out = as_server_user(&initdb, root)
        .args(["-D"])
        .arg(&data)
        .args(["-U", "raqim", "--auth=trust", "-E", "UTF8", "--no-sync"])
        .output()
        .map_err(|e| format!("initdb: {e}"))?;
    if !out.status.success() {
        return Err(format!("initdb: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let options = format!(
        "-c listen_addresses='' -k {} -c fsync=off -c max_connections=200",
        socket.display()
    );
    let out = as_server_user(&pg_ctl, root)
        .arg("-D")
        .arg(&data)
        .args(["-w", "-l"])
        .arg(dir.path().join("log"))
        .args(["-o", &options, "start"])
        .output()
        .map_err(|e| format!("pg_ctl: {e}"))?;
    if !out.status.success() {
        let log = std::fs::read_to_string(dir.path().join("log")).unwrap_or_default();
        return Err(format!(
            "pg_ctl start: {}{log}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    // Stopped when this process ends, however it ends.
    let stop = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {run} {pg_ctl} -D {data} -m immediate stop >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        run = if root { "runuser -u nobody --" } else { "" },
        pg_ctl = pg_ctl.display(),
        data = data.display(),
        dir = dir.path().display(),
    );
    Command::new("sh")
        .args(["-c", &stop])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    Ok(Server { _dir: dir, socket })
}

/// The process's server, started on first use; `None` (said once) when PostgreSQL's
/// server programs are not installed or it would not start.
pub fn server() -> Option<&'static Server> {
    static SERVER: OnceLock<Option<Server>> = OnceLock::new();
    SERVER
        .get_or_init(|| match start() {
            Ok(s) => Some(s),
            Err(why) if std::env::var("RAQIM_PG_TESTS").as_deref() == Ok("require") => {
                panic!("RAQIM_PG_TESTS=require, but no PostgreSQL server for the tests: {why}")
            }
            Err(why) => {
                eprintln!(
                    "raqim: PostgreSQL tests skipped ({why}); install PostgreSQL's server \
                     (`apt-get install postgresql`) to run them"
                );
                None
            }
        })
        .as_ref()
}

impl Server {
    /// A URL for the server's database `db` as the superuser `raqim`.
    pub fn url(&self, db: &str) -> String {
        format!("postgresql://raqim@/{db}?host={}", self.socket.display())
    }

    /// A new, empty database of its own (a fresh name each call) and its URL.
    pub fn fresh_database(&self) -> String {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "t{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let mut client = self
            .url("postgres")
            .parse::<postgres::Config>()
            .and_then(|c| c.connect(postgres::NoTls))
            .expect("connect to the test server");
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create a test database");
        self.url(&name)
    }
}
