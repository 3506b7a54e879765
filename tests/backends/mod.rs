//! The store's backends a behavioural test runs over, so that one test states what
//! both must do (parametrised, not copied): a new SQLite file, and, when PostgreSQL's
//! server programs are installed, a new database on the throwaway test server
//! (`raqim::store::pg::testing`; without them it says once that it skipped them).

use std::path::PathBuf;

/// One backend's new, empty database.
pub struct Backend {
    /// "sqlite" or "postgresql", said on standard error before the test runs on it.
    pub name: &'static str,
    /// A file's path, or the server database's URL: what `--db` takes.
    pub path: PathBuf,
    /// The schema version a store opened on it reports.
    #[allow(dead_code)] // Not every test binary checks it.
    pub schema_version: i64,
    /// Holds the SQLite file's folder.
    _dir: Option<tempfile::TempDir>,
}

/// A new database of each backend.
pub fn backends() -> Vec<Backend> {
    let dir = tempfile::tempdir().unwrap();
    let mut out = vec![Backend {
        name: "sqlite",
        path: dir.path().join("raqim.db"),
        schema_version: raqim::store::SCHEMA_VERSION,
        _dir: Some(dir),
    }];
    if let Some(server) = raqim::store::pg::testing::server() {
        out.push(Backend {
            name: "postgresql",
            path: PathBuf::from(server.fresh_database()),
            schema_version: raqim::store::pg::schema::MIGRATIONS.len() as i64,
            _dir: None,
        });
    }
    out
}

/// Runs `test` on a new database of each backend, naming it first (a failure's
/// output then says which).
pub fn each_backend(test: impl Fn(&Backend)) {
    for b in backends() {
        eprintln!("on {}", b.name);
        test(&b);
    }
}
