//! The store on a PostgreSQL server, for a team on several machines (issue 16): the
//! same tables and meaning as the SQLite store, reached by a `postgresql://` (or
//! `postgres://`) URL wherever a database path is taken.
//!
//! Owns: reading the URL (never with a password: that comes from `PGPASSWORD` or the
//! password file, [`pgpass`]), connecting (TLS as `sslmode` says, [`tls`]), and the
//! schema's migrations. Each group of methods has its own file: `review` (one
//! document in a layer), `bulk` (imports and exports), `lock` (document locks).
//! Must not: know the terminal.

mod bulk;
mod copy;
pub(crate) mod lock;
pub mod pgpass;
mod review;
pub mod roles;
pub mod schema;
pub mod testing;
pub mod tls;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::StoreError;

/// A database URL as given (without a password), and what it says.
#[derive(Debug, Clone)]
pub struct PgUrl {
    /// The URL as the user wrote it; shown in messages and the status line.
    pub text: String,
    /// What the URL says, for the `postgres` crate (`sslmode` as it knows it).
    pub config: postgres::Config,
    /// The URL's `sslmode` (libpq's default: `prefer`).
    pub ssl_mode: tls::SslMode,
    /// The URL's `sslrootcert`: the authorities `verify-ca` and `verify-full` trust.
    pub root_cert: Option<PathBuf>,
}

impl PgUrl {
    /// The URL `path` holds, if it is one (`postgresql://` or `postgres://`); an
    /// error when it cannot be used (a password in it, a bad form).
    pub fn of(path: &Path) -> Option<Result<PgUrl, StoreError>> {
        let text = path.to_str()?;
        if !(text.starts_with("postgresql://") || text.starts_with("postgres://")) {
            return None;
        }
        Some(PgUrl::parse(text))
    }

    fn parse(text: &str) -> Result<PgUrl, StoreError> {
        let bad = |why: String| StoreError::BadUrl {
            path: PathBuf::from(text),
            why,
        };
        // `sslmode` and `sslrootcert` are read here: the `postgres` crate knows neither
        // verify-ca nor verify-full, nor root certificates.
        let (base, query) = text.split_once('?').unwrap_or((text, ""));
        let mut ssl_mode = tls::SslMode::Prefer;
        let mut root_cert = None;
        let mut rest = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "sslmode" => {
                    ssl_mode = tls::SslMode::parse(value).ok_or_else(|| {
                        bad(format!(
                            "unknown sslmode {value:?}; expected disable, prefer, require, \
                             verify-ca or verify-full"
                        ))
                    })?;
                }
                "sslrootcert" => root_cert = Some(PathBuf::from(percent_decoded(value))),
                _ => rest.push(pair),
            }
        }
        rest.push(ssl_mode.for_client());
        let for_client = format!("{base}?{}", rest.join("&"));
        let config: postgres::Config = for_client
            .parse()
            .map_err(|e| bad(format!("not a PostgreSQL URL ({e}); expected postgresql://user@host:port/dbname?sslmode=...")))?;
        if config.get_password().is_some() {
            // The text itself is not repeated: it holds the password.
            return Err(StoreError::BadUrl {
                path: PathBuf::from("the database URL"),
                why: "it holds a password; give it in PGPASSWORD or the password file (~/.pgpass, PGPASSFILE), never on the command line".to_string(),
            });
        }
        Ok(PgUrl {
            text: text.to_string(),
            config,
            ssl_mode,
            root_cert,
        })
    }
}

/// `%XX` escapes decoded (a path in a URL's query); anything else kept as it is.
fn percent_decoded(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An open connection to a raqim database on a PostgreSQL server.
pub struct PgStore {
    /// One connection, used by one thread at a time; shared (weakly) with the
    /// document locks it holds, which release themselves through it.
    client: Arc<Mutex<postgres::Client>>,
    /// The keys of the document locks this store holds (see [`lock`]).
    held: Arc<Mutex<HashSet<i64>>>,
    url: PgUrl,
    /// The URL, as a path for messages (the type every store error carries).
    path: PathBuf,
    /// See [`crate::store::SqliteStore::set_layer`].
    layer: String,
    memory_owner: Option<String>,
    /// Opened only for reading: every write is refused.
    read_only: bool,
    /// Who the connection is, for the layers it may write ([`roles::Member`]).
    member: std::sync::OnceLock<roles::Member>,
    /// The channels this connection LISTENs on (see [`PgStore::changed_since`]).
    listening: Mutex<HashSet<String>>,
}

/// The notification channel of one document's layer: `raqim_` and 16 hex digits of
/// the SHA-256 of `doc/layer` (a channel name is an identifier: at most 63 bytes).
pub(crate) fn channel(doc: &str, layer: &str) -> String {
    let h = crate::document::document_id(&format!("{doc}/{layer}"));
    format!("raqim_{}", &h[..16])
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("url", &self.url.text)
            .field("layer", &self.layer)
            .field("read_only", &self.read_only)
            .finish()
    }
}

impl PgStore {
    /// Connects to the server `url` names and makes or migrates raqim's schema there.
    pub fn open(url: PgUrl, busy_timeout: Duration) -> Result<PgStore, StoreError> {
        let mut store = PgStore::connect(url, false)?;
        let ms = busy_timeout.as_millis();
        store
            .client()
            .batch_execute(&format!("SET lock_timeout = {ms}"))
            .map_err(|e| store.sq(e))?;
        store.migrate()?;
        Ok(store)
    }

    /// Connects for reading only (an export): nothing is migrated or written.
    pub fn open_read_only(url: PgUrl) -> Result<PgStore, StoreError> {
        let store = PgStore::connect(url, true)?;
        store
            .client()
            .batch_execute("SET default_transaction_read_only = on")
            .map_err(|e| store.sq(e))?;
        Ok(store)
    }

    /// Connects with the password from the environment or the password file (kept in
    /// a copy of the configuration that is dropped once connected) and TLS as the
    /// URL's `sslmode` says; a Unix socket never has TLS.
    fn connect(url: PgUrl, read_only: bool) -> Result<PgStore, StoreError> {
        let path = PathBuf::from(&url.text);
        let mut config = url.config.clone();
        if let Some(password) = pgpass::password(&target(&url.config)) {
            config.password(password);
        }
        let tcp = url
            .config
            .get_hosts()
            .iter()
            .any(|h| matches!(h, postgres::config::Host::Tcp(_)));
        let client = if url.ssl_mode == tls::SslMode::Disable || !tcp {
            config.connect(postgres::NoTls)
        } else {
            let tls = tls::config(url.ssl_mode, url.root_cert.as_deref()).map_err(|why| {
                StoreError::BadUrl {
                    path: path.clone(),
                    why,
                }
            })?;
            config.connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls))
        };
        drop(config);
        let client = client.map_err(|e| server_error(&path, e))?;
        Ok(PgStore {
            client: Arc::new(Mutex::new(client)),
            held: Arc::default(),
            url,
            path,
            layer: String::new(),
            memory_owner: None,
            read_only,
            member: std::sync::OnceLock::new(),
            listening: Mutex::new(HashSet::new()),
        })
    }

    /// Brings the schema to this build's version in one transaction, under an
    /// advisory lock: a second raqim starting at once waits, then finds it done.
    fn migrate(&mut self) -> Result<i64, StoreError> {
        let path = self.path.clone();
        let sq = |e| server_error(&path, e);
        let mut client = self.client();
        let mut tx = client.transaction().map_err(sq)?;
        tx.execute(
            "SELECT pg_advisory_xact_lock($1)",
            &[&schema::MIGRATION_LOCK],
        )
        .map_err(sq)?;
        // Read before anything is written: an annotator's role (`raqim db roles`)
        // may read the schema's version but not create or change a table.
        let made: bool = tx
            .query_one("SELECT to_regclass('raqim_schema') IS NOT NULL", &[])
            .map_err(sq)?
            .get(0);
        let found: Option<i64> = if made {
            tx.query_opt("SELECT version FROM raqim_schema", &[])
                .map_err(sq)?
                .map(|r| r.get(0))
        } else {
            None
        };
        let target = schema::MIGRATIONS.len() as i64;
        let found = found.unwrap_or(0);
        if found > target {
            return Err(StoreError::NewerVersion {
                path: path.clone(),
                found,
                supported: target,
            });
        }
        if found == target {
            tx.commit().map_err(sq)?;
            return Ok(target);
        }
        tx.batch_execute("CREATE TABLE IF NOT EXISTS raqim_schema (version BIGINT NOT NULL)")
            .map_err(sq)?;
        for step in &schema::MIGRATIONS[found as usize..] {
            tx.batch_execute(step).map_err(sq)?;
        }
        tx.execute("DELETE FROM raqim_schema", &[]).map_err(sq)?;
        tx.execute("INSERT INTO raqim_schema (version) VALUES ($1)", &[&target])
            .map_err(sq)?;
        tx.commit().map_err(sq)?;
        Ok(target)
    }

    /// The connection, for one call at a time.
    fn client(&self) -> std::sync::MutexGuard<'_, postgres::Client> {
        self.client.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A server error as the store's, naming the URL.
    fn sq(&self, e: postgres::Error) -> StoreError {
        server_error(&self.path, e)
    }

    /// Refuses a write on a store opened only for reading.
    fn writable(&self) -> Result<(), StoreError> {
        if self.read_only {
            return Err(StoreError::ReadOnly {
                path: self.path.clone(),
                detail: "opened only for reading".to_string(),
            });
        }
        Ok(())
    }

    /// The server's URL.
    pub fn url(&self) -> &str {
        &self.url.text
    }

    /// A server does its own checking: nothing to read here.
    pub fn verify(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// See [`PgStore::verify`].
    pub fn verify_in_background(&self) -> std::thread::JoinHandle<Result<(), StoreError>> {
        std::thread::spawn(|| Ok(()))
    }

    /// A server's store never refuses on its own account.
    pub fn refusal(&self) -> Option<&str> {
        None
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn set_layer(&mut self, layer: &str) {
        self.layer = layer.to_string();
    }

    pub fn layer(&self) -> &str {
        &self.layer
    }

    pub fn set_memory_owner(&mut self, who: Option<&str>) {
        self.memory_owner = who.map(str::to_string);
    }

    pub fn memory_owner(&self) -> Option<&str> {
        self.memory_owner.as_deref()
    }

    /// The schema version recorded on the server (0: none yet).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        let row = self
            .client()
            .query_opt(
                "SELECT version FROM raqim_schema WHERE to_regclass('raqim_schema') IS NOT NULL",
                &[],
            )
            .map_err(|e| self.sq(e))?;
        Ok(row.map_or(0, |r| r.get(0)))
    }
}

/// What the password file is searched for: the first host (`localhost` for a Unix
/// socket, as libpq), its port (5432 by default), the database (the user's name by
/// default) and the user (the login's name by default).
fn target(config: &postgres::Config) -> pgpass::Target<'_> {
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.as_str(),
        _ => "localhost",
    };
    let user = config.get_user().unwrap_or_default();
    pgpass::Target {
        host,
        port: config.get_ports().first().copied().unwrap_or(5432),
        dbname: config.get_dbname().unwrap_or(user),
        user,
    }
}

/// A server's error for the database at `path` (its URL): a lock not had in time is
/// [`StoreError::Locked`], anything else [`StoreError::Server`] with the server's
/// words.
pub(crate) fn server_error(path: &Path, e: postgres::Error) -> StoreError {
    if let Some(db) = e.as_db_error()
        && db.code() == &postgres::error::SqlState::LOCK_NOT_AVAILABLE
    {
        return StoreError::Locked {
            path: path.to_path_buf(),
            waited_ms: 0,
        };
    }
    StoreError::Server {
        path: path.to_path_buf(),
        detail: match e.as_db_error() {
            Some(db) => format!("{}: {}", db.severity(), db.message()),
            // With its causes: "error performing TLS handshake: invalid peer
            // certificate: UnknownIssuer" says what to fix.
            None => {
                let mut detail = e.to_string();
                let mut cause = std::error::Error::source(&e);
                while let Some(c) = cause {
                    detail.push_str(&format!(": {c}"));
                    cause = c.source();
                }
                detail
            }
        },
    }
}

#[cfg(test)]
mod tests;
