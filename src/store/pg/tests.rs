//! The PostgreSQL store against a throwaway server ([`super::testing`]), each test on
//! a database of its own; without PostgreSQL's server programs installed every test
//! returns at once (the skip is said once on standard error). What the SQLite store
//! does, the server store must do alike: these test the server's own parts (its SQL,
//! its locks, its migrations) group by group; `tests/store.rs` runs the shared
//! behaviour over both backends.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::*;
use crate::annotation::State;
use crate::document::document_id;
use crate::store::{Change, DocLock, NewSpan, Store};

const TEXT: &str = "قال الرئيس محمد في دمشق إن الجيش السوري انسحب.";

/// A fresh database on the test server, and a store on it in `layer`; `None` when
/// PostgreSQL is not installed.
/// A fresh database on the test server, and a store on it in `layer`: the store as
/// the rest of raqim has it (the enum), so what it does above the backend is tested
/// on the server too.
fn fresh(layer: &str) -> Option<(String, Store)> {
    let url = testing::server()?.fresh_database();
    let store = open(&url, layer);
    Some((url, store))
}

fn open(url: &str, layer: &str) -> Store {
    let mut store = Store::open_with_timeout(Path::new(url), Duration::from_secs(5)).unwrap();
    store.set_layer(layer);
    store
}

fn span(start: usize, end: usize, label: &str) -> NewSpan {
    NewSpan {
        start,
        end,
        label: label.to_string(),
        state: State::Pending,
        source: "gazetteer:places".to_string(),
        score: 0.75,
    }
}

fn add(store: &mut Store, text: &str) -> String {
    let id = document_id(text);
    store
        .add_document(&id, "news.txt", Some(Path::new("in/news.txt")), text)
        .unwrap();
    id
}

fn insert(store: &mut Store, doc: &str, s: NewSpan) -> (i64, i64) {
    let (seq, ids) = store
        .commit(doc, "create", "{}", "ana", None, &[Change::Insert(s)])
        .unwrap();
    (seq, ids[0])
}

#[test]
fn a_fresh_database_gets_the_schema_once_and_a_url_with_a_password_is_refused() {
    let Some(server) = testing::server() else {
        return;
    };
    let url = server.fresh_database();
    let path = PathBuf::from(&url);
    let open = {
        let path = path.clone();
        move || PgStore::open(PgUrl::of(&path).unwrap().unwrap(), Duration::from_secs(5))
    };
    let store = open().unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        schema::MIGRATIONS.len() as i64
    );
    drop(store);
    // Twice at once: the second waits for the first's migration, then finds it done.
    let a = std::thread::spawn(open.clone());
    let b = open().unwrap();
    a.join().unwrap().unwrap();
    assert_eq!(b.schema_version().unwrap(), schema::MIGRATIONS.len() as i64);
    let with_password = PathBuf::from("postgresql://amal:secret@localhost/team");
    let e = PgUrl::of(&with_password).unwrap().unwrap_err().to_string();
    assert!(e.contains("PGPASSWORD") && !e.contains("secret"), "{e}");
}

#[test]
fn a_document_is_added_once_found_by_its_path_and_a_changed_text_is_refused() {
    let Some((url, mut store)) = fresh("ana") else {
        return;
    };
    let id = add(&mut store, TEXT);
    add(&mut store, TEXT); // again: nothing changes
    assert_eq!(store.document_text(&id).unwrap().as_deref(), Some(TEXT));
    assert_eq!(store.document_text(&document_id("x")).unwrap(), None);
    assert_eq!(
        store.document_for_path(Path::new("in/news.txt")).unwrap(),
        Some((id.clone(), "news.txt".to_string()))
    );
    assert_eq!(store.document_for_path(Path::new("other")).unwrap(), None);
    let docs = store.documents().unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].source_path.as_deref(), Some("in/news.txt"));
    assert!(!docs[0].done);
    // A text that is not its id's; a file whose text changed since.
    let err = store
        .add_document(&id, "news.txt", None, "نص آخر")
        .unwrap_err();
    assert!(matches!(err, StoreError::HashMismatch { .. }), "{err:?}");
    assert_eq!(err.path(), Path::new(&url));
    let changed = document_id("نص آخر");
    assert!(matches!(
        store.check_unchanged(Path::new("in/news.txt"), &changed),
        Err(StoreError::HashMismatch { .. })
    ));
    store
        .check_unchanged(Path::new("in/news.txt"), &id)
        .unwrap();
    store
        .check_unchanged(Path::new("new.txt"), &changed)
        .unwrap();
}

#[test]
fn an_action_applies_whole_or_not_at_all_and_undo_restores_ids() {
    let Some((url, mut store)) = fresh("ana") else {
        return;
    };
    let id = add(&mut store, TEXT);
    let (s1, a) = insert(&mut store, &id, span(11, 15, "PER"));
    let (_, b) = insert(&mut store, &id, span(4, 10, "PER"));
    // The payload names the ids made in the same action; the view is saved with it.
    let (s3, ids) = store
        .commit_with(
            &id,
            "create",
            &|ids| format!("{ids:?}"),
            "ana",
            None,
            &[Change::Insert(span(19, 23, "LOC"))],
            Some((19, 2)),
        )
        .unwrap();
    assert_eq!(store.actions(&id).unwrap()[2].payload, format!("{ids:?}"));
    assert_eq!(store.view(&id).unwrap(), Some((19, 2)));
    let c = ids[0];
    // In order of start, then end, then id; the score comes back as it went in.
    let spans = store.spans(&id).unwrap();
    assert_eq!(
        spans.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![b, a, c]
    );
    assert_eq!(spans[1].span, span(11, 15, "PER"));
    assert_eq!(spans[1].annotator, "ana");
    assert_eq!(store.span_counts(&id).unwrap(), (3, 0, 0));

    // Each failure applies nothing: a bad range, an unknown span, action, document,
    // a restored id that is taken; the first change of each would have succeeded.
    let before = (store.spans(&id).unwrap(), store.actions(&id).unwrap());
    let mut accepted = span(11, 15, "PER");
    accepted.state = State::Accepted;
    let upd = Change::Update {
        id: a,
        span: accepted.clone(),
    };
    let failing: Vec<(Vec<Change>, Option<i64>, &str)> = vec![
        (
            vec![upd.clone(), Change::Insert(span(40, 400, "LOC"))],
            None,
            &id,
        ),
        (vec![upd.clone(), Change::Delete { id: 9999 }], None, &id),
        (vec![upd.clone()], Some(9999), &id),
        (
            vec![
                upd.clone(),
                Change::Restore {
                    id: b,
                    span: span(0, 3, "PER"),
                },
            ],
            None,
            &id,
        ),
    ];
    let unknown_doc = document_id("غير موجود");
    for (changes, undoes, doc) in failing.into_iter().chain([(
        vec![Change::Insert(span(0, 1, "X"))],
        None,
        unknown_doc.as_str(),
    )]) {
        let err = store
            .commit(doc, "edit", "{}", "ana", undoes, &changes)
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::BadRange { .. }
                    | StoreError::UnknownSpan { id: 9999, .. }
                    | StoreError::UnknownAction { seq: 9999, .. }
                    | StoreError::SpanExists { .. }
                    | StoreError::UnknownDocument { .. }
            ),
            "{err:?}"
        );
        assert_eq!(err.path(), Path::new(&url));
        assert_eq!(
            (store.spans(&id).unwrap(), store.actions(&id).unwrap()),
            before
        );
    }

    // A failing action with a view leaves the view where the last action left it.
    let err = store
        .commit_with(
            &id,
            "delete",
            &|_| "{}".to_string(),
            "ana",
            None,
            &[Change::Delete { id: 9999 }],
            Some((1, 0)),
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::UnknownSpan { .. }), "{err:?}");
    assert_eq!(store.view(&id).unwrap(), Some((19, 2)));

    // Delete, then undo it: the span comes back under its id; new ids never reuse it.
    let (del, _) = store
        .commit(
            &id,
            "delete",
            "{}",
            "ana",
            None,
            &[Change::Delete { id: a }],
        )
        .unwrap();
    let (undo, none) = store
        .commit(
            &id,
            "undo",
            "{}",
            "ana",
            Some(del),
            &[Change::Restore {
                id: a,
                span: span(11, 15, "PER"),
            }],
        )
        .unwrap();
    assert!(none.is_empty());
    assert!(store.spans(&id).unwrap().iter().any(|s| s.id == a));
    let (_, d) = insert(&mut store, &id, span(0, 3, "PER"));
    assert!(d > c, "a new span got id {d}, not above {c}");
    store
        .commit(&id, "accept", "{}", "ana", None, &[upd])
        .unwrap();
    assert_eq!(store.span_counts(&id).unwrap(), (3, 1, 0));
    let actions = store.actions(&id).unwrap();
    assert_eq!(actions[0].seq, s1);
    assert_eq!(
        actions.iter().find(|x| x.seq == undo).unwrap().undoes,
        Some(del)
    );
    assert_eq!(store.last_seq(&id).unwrap(), actions.last().unwrap().seq);
    assert_eq!(store.max_seq().unwrap(), actions.last().unwrap().seq);
    assert_eq!(
        store
            .actions_after(s3)
            .unwrap()
            .iter()
            .map(|x| x.kind.as_str())
            .collect::<Vec<_>>(),
        ["delete", "undo", "create", "accept"]
    );
}

#[test]
fn view_done_and_flags_belong_to_a_layer_and_an_unknown_document_has_none() {
    let Some((url, mut amal)) = fresh("amal") else {
        return;
    };
    let id = add(&mut amal, TEXT);
    let mut basel = open(&url, "basel");
    assert_eq!(amal.view(&id).unwrap(), None);
    assert_eq!(amal.done(&id).unwrap(), Some(false));
    amal.set_view(&id, 12, 1).unwrap();
    amal.set_done(&id, true).unwrap();
    amal.set_view(&id, 14, 2).unwrap();
    assert_eq!(amal.view(&id).unwrap(), Some((14, 2)));
    assert_eq!(amal.done(&id).unwrap(), Some(true));
    assert_eq!(basel.view(&id).unwrap(), None);
    assert_eq!(basel.done(&id).unwrap(), Some(false));
    assert!(amal.documents().unwrap()[0].done);
    assert!(!basel.documents().unwrap()[0].done);
    let unknown = document_id("غير موجود");
    assert_eq!(amal.done(&unknown).unwrap(), None);
    for err in [
        amal.set_view(&unknown, 1, 0).unwrap_err(),
        amal.set_done(&unknown, true).unwrap_err(),
        amal.set_flag(&unknown, None, Some("?"), "amal")
            .unwrap_err(),
    ] {
        assert!(matches!(err, StoreError::UnknownDocument { .. }), "{err:?}");
    }

    // Flags: one per place, the document's first, replaced, taken off; per layer.
    amal.set_flag(&id, Some((11, 15)), Some("من؟"), "amal")
        .unwrap();
    amal.set_flag(&id, None, Some("كله"), "amal").unwrap();
    amal.set_flag(&id, Some((4, 10)), Some("a"), "amal")
        .unwrap();
    amal.set_flag(&id, Some((4, 10)), Some("b"), "amal")
        .unwrap();
    basel.set_flag(&id, None, Some("basel's"), "basel").unwrap();
    let flags = amal.flags(&id).unwrap();
    assert_eq!(
        flags
            .iter()
            .map(|f| (f.place, f.note.as_str()))
            .collect::<Vec<_>>(),
        [(None, "كله"), (Some((4, 10)), "b"), (Some((11, 15)), "من؟")]
    );
    amal.set_flag(&id, None, None, "amal").unwrap();
    assert_eq!(amal.flags(&id).unwrap().len(), 2);
    assert_eq!(basel.flags(&id).unwrap()[0].note, "basel's");
}

#[test]
fn memory_is_the_teams_or_each_owners_own() {
    let Some((url, mut team)) = fresh("amal") else {
        return;
    };
    assert_eq!(team.load_memory().unwrap(), None);
    team.save_memory("{\"team\":1}", 3).unwrap();
    team.save_memory("{\"team\":2}", 5).unwrap();
    let mut amal = open(&url, "amal");
    amal.set_memory_owner(Some("amal"));
    assert_eq!(amal.load_memory().unwrap(), None);
    amal.save_memory("{\"amal\":1}", 4).unwrap();
    let mut basel = open(&url, "basel");
    basel.set_memory_owner(Some("basel"));
    basel.save_memory("{\"basel\":1}", 1).unwrap();
    assert_eq!(
        team.load_memory().unwrap(),
        Some(("{\"team\":2}".to_string(), 5))
    );
    assert_eq!(
        amal.load_memory().unwrap(),
        Some(("{\"amal\":1}".to_string(), 4))
    );
    assert_eq!(
        basel.load_memory().unwrap(),
        Some(("{\"basel\":1}".to_string(), 1))
    );
}

#[test]
fn layers_list_each_documents_worked_layers_and_spans_come_by_layer() {
    let Some((url, mut amal)) = fresh("amal") else {
        return;
    };
    let id = add(&mut amal, TEXT);
    let other = add(&mut amal, "نص ثان");
    let mut basel = open(&url, "basel");
    let mut gold = open(&url, crate::store::GOLD);
    insert(&mut amal, &id, span(11, 15, "PER"));
    insert(&mut basel, &id, span(19, 23, "LOC"));
    insert(&mut basel, &id, span(4, 10, "PER"));
    gold.set_done(&id, true).unwrap();
    amal.set_view(&other, 1, 0).unwrap();
    let layers: Vec<_> = amal
        .layers()
        .unwrap()
        .into_iter()
        .map(|l| (l.doc, l.layer, l.done))
        .collect();
    let mut expected = vec![
        (id.clone(), "amal".to_string(), false),
        (id.clone(), "basel".to_string(), false),
        (id.clone(), "gold".to_string(), true),
        (other.clone(), "amal".to_string(), false),
    ];
    expected.sort();
    assert_eq!(layers, expected);
    let all = gold.spans_of_all_layers(&id).unwrap();
    assert_eq!(all.keys().collect::<Vec<_>>(), ["amal", "basel"]);
    assert_eq!(all["basel"], basel.spans(&id).unwrap());
    assert_eq!(all["basel"][0].span.start, 4);
    assert!(gold.spans(&id).unwrap().is_empty());
}

#[test]
fn assignments_are_recorded_once_all_or_none_with_each_annotators_progress() {
    let Some((url, mut store)) = fresh("amal") else {
        return;
    };
    let a = add(&mut store, TEXT);
    let b = add(&mut store, "نص ثان");
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(d, n)| (d.to_string(), n.to_string()))
            .collect()
    };
    assert_eq!(
        store
            .assign(&pairs(&[(&a, "amal"), (&b, "amal"), (&a, "basel")]))
            .unwrap(),
        3
    );
    assert_eq!(store.assign(&pairs(&[(&a, "amal")])).unwrap(), 0);
    let unknown = document_id("غير موجود");
    let err = store
        .assign(&pairs(&[(&b, "basel"), (&unknown, "basel")]))
        .unwrap_err();
    assert!(matches!(err, StoreError::UnknownDocument { .. }), "{err:?}");
    assert_eq!(store.assignments().unwrap().len(), 3);
    let mut accepted = span(11, 15, "PER");
    accepted.state = State::Accepted;
    insert(&mut store, &a, accepted);
    store.set_done(&a, true).unwrap();
    let _ = url;
    let rows = store.assignments().unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| (
                r.doc.as_str(),
                r.annotator.as_str(),
                r.started,
                r.spans,
                r.done
            ))
            .collect::<Vec<_>>(),
        [
            (a.as_str(), "amal", true, 1, true),
            (b.as_str(), "amal", false, 0, false),
            (a.as_str(), "basel", false, 0, false),
        ]
    );
    assert_eq!(store.assigned_to("amal").unwrap(), [a.clone(), b.clone()]);
    assert_eq!(store.assigned_to("basel").unwrap(), [a]);
}

/// Tries to take the lock until `deadline`: the server frees a lock when it notices
/// that its connection ended, a moment after the client went.
fn lock_within(store: &Store, doc: &str, who: &str, wait: Duration) -> Result<DocLock, StoreError> {
    let deadline = Instant::now() + wait;
    loop {
        match store.lock_document(doc, who) {
            Err(StoreError::DocumentInUse { .. }) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            r => return r,
        }
    }
}

#[test]
fn a_second_store_on_the_same_document_and_layer_is_told_who_until_the_first_lets_go() {
    let Some((url, mut first)) = fresh("سارة") else {
        return;
    };
    let id = add(&mut first, TEXT);
    let other = add(&mut first, "نص ثان");
    let second = open(&url, "سارة");
    let unknown = document_id("غير موجود");
    assert!(matches!(
        first.lock_document(&unknown, "سارة"),
        Err(StoreError::UnknownDocument { .. })
    ));
    let lock = first.lock_document(&id, "سارة").unwrap();
    assert_eq!(lock.doc(), id);
    let err = second.lock_document(&id, "omar").unwrap_err();
    let msg = err.to_string();
    let expected = format!(
        "{url}: document {} is open in another raqim (annotator سارة, pid {}, since ",
        &id[..12],
        std::process::id()
    );
    assert!(msg.starts_with(&expected), "{msg}");
    assert!(msg.ends_with(" UTC); opening it read-only"), "{msg}");
    // The same store again: one lock, one holder.
    assert!(matches!(
        first.lock_document(&id, "سارة"),
        Err(StoreError::DocumentInUse { .. })
    ));
    // Another document, or another layer of this one, is free.
    let _other = second.lock_document(&other, "omar").unwrap();
    let basel = open(&url, "basel");
    let _basel = basel.lock_document(&id, "basel").unwrap();

    // Dropping the lock frees it at once, and its holder is no longer named.
    drop(lock);
    let taken = second.lock_document(&id, "omar").unwrap();
    let err = first.lock_document(&id, "سارة").unwrap_err().to_string();
    assert!(
        err.contains("annotator omar") && !err.contains("سارة,"),
        "{err}"
    );
    // Dropping the store (its connection) frees it too, the lock value kept or not.
    drop(second);
    let again = lock_within(&first, &id, "سارة", Duration::from_secs(10)).unwrap();
    drop(taken);
    drop(again);
}

#[test]
fn a_lock_dies_with_its_connection_and_a_stale_holder_row_names_nobody() {
    let Some((url, mut store)) = fresh("ana") else {
        return;
    };
    let id = add(&mut store, TEXT);
    // A raqim whose connection ends without a word (as when it is killed): its lock
    // and its holder row were taken on a connection of its own.
    let key = lock::key(&id, "ana");
    let config: postgres::Config = url.parse().unwrap();
    let mut raw = config.connect(postgres::NoTls).unwrap();
    assert!(
        raw.query_one("SELECT pg_try_advisory_lock($1)", &[&key])
            .unwrap()
            .get::<_, bool>(0)
    );
    raw.execute(
        "INSERT INTO doc_locks (doc, layer, annotator, pid, backend, since) \
         VALUES ($1, 'ana', 'killed', 4242, pg_backend_pid(), 0)",
        &[&id],
    )
    .unwrap();
    let err = store.lock_document(&id, "ana").unwrap_err().to_string();
    assert!(
        err.contains("annotator killed, pid 4242, since 00:00 UTC"),
        "{err}"
    );
    std::thread::spawn(move || drop(raw)).join().unwrap();
    let lock = lock_within(&store, &id, "ana", Duration::from_secs(10)).unwrap();
    drop(lock);
    // A row whose connection is gone is not believed: another holder without a row
    // of its own is "another raqim", not the dead one.
    let mut raw = config.connect(postgres::NoTls).unwrap();
    raw.execute("UPDATE doc_locks SET annotator = 'dead', backend = -1", &[])
        .unwrap();
    raw.query_one("SELECT pg_advisory_lock($1)", &[&key])
        .unwrap();
    let err = store.lock_document(&id, "ana").unwrap_err().to_string();
    assert!(err.contains("open in another raqim; opening"), "{err}");
}

#[test]
fn a_store_opened_for_reading_refuses_every_write() {
    let Some((url, mut store)) = fresh("ana") else {
        return;
    };
    let id = add(&mut store, TEXT);
    let mut ro = Store::open_read_only(Path::new(&url)).unwrap();
    ro.set_layer("ana");
    assert_eq!(ro.documents().unwrap().len(), 1);
    for err in [
        ro.commit(&id, "create", "{}", "ana", None, &[])
            .unwrap_err(),
        ro.set_done(&id, true).unwrap_err(),
        ro.save_memory("{}", 0).unwrap_err(),
    ] {
        assert!(matches!(err, StoreError::ReadOnly { .. }), "{err:?}");
    }
}

#[test]
fn sslmode_and_sslrootcert_are_read_from_the_url_which_is_shown_as_written() {
    let text = "postgresql://amal@db.example.org:5433/team?sslmode=verify-full\
                &sslrootcert=%2Fetc%2Fraqim%2Fca.pem&application_name=raqim";
    let url = PgUrl::of(Path::new(text)).unwrap().unwrap();
    assert_eq!(url.text, text);
    assert_eq!(url.ssl_mode, tls::SslMode::VerifyFull);
    assert_eq!(
        url.root_cert.as_deref(),
        Some(Path::new("/etc/raqim/ca.pem"))
    );
    assert_eq!(
        url.config.get_ssl_mode(),
        postgres::config::SslMode::Require
    );
    assert_eq!(url.config.get_application_name(), Some("raqim"));
    assert_eq!(url.config.get_dbname(), Some("team"));
    let plain = PgUrl::of(Path::new("postgres://amal@db.example.org/team"))
        .unwrap()
        .unwrap();
    assert_eq!(plain.ssl_mode, tls::SslMode::Prefer);
    for (mode, client) in [
        ("disable", postgres::config::SslMode::Disable),
        ("require", postgres::config::SslMode::Require),
        ("verify-ca", postgres::config::SslMode::Require),
    ] {
        let url = PgUrl::of(Path::new(&format!("postgresql://a@h/db?sslmode={mode}")))
            .unwrap()
            .unwrap();
        assert_eq!(url.config.get_ssl_mode(), client, "{mode}");
    }
    let err = PgUrl::of(Path::new("postgresql://a@h/db?sslmode=sometimes"))
        .unwrap()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("\"sometimes\"") && err.contains("verify-full"),
        "{err}"
    );
}

#[test]
fn every_sslmode_has_a_tls_configuration_and_a_bad_root_certificate_file_is_named() {
    for mode in ["prefer", "require", "verify-ca", "verify-full"] {
        let mode = tls::SslMode::parse(mode).unwrap();
        tls::config(mode, None).unwrap_or_else(|e| panic!("{mode:?}: {e}"));
    }
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("ca.pem");
    std::fs::write(&junk, "not a certificate\n").unwrap();
    for file in [junk, dir.path().join("missing.pem")] {
        let err = tls::config(tls::SslMode::VerifyFull, Some(&file)).unwrap_err();
        assert!(err.contains(&file.display().to_string()), "{err}");
    }
}

#[test]
fn the_password_file_is_searched_for_the_urls_host_port_database_and_user() {
    let url = PgUrl::of(Path::new("postgresql://amal@db.example.org:5433/team"))
        .unwrap()
        .unwrap();
    assert_eq!(
        target(&url.config),
        pgpass::Target {
            host: "db.example.org",
            port: 5433,
            dbname: "team",
            user: "amal",
        }
    );
    // A Unix socket is "localhost"; the database defaults to the user's name.
    let url = PgUrl::of(Path::new("postgresql://amal@/?host=/run/postgresql"))
        .unwrap()
        .unwrap();
    assert_eq!(
        target(&url.config),
        pgpass::Target {
            host: "localhost",
            port: 5432,
            dbname: "amal",
            user: "amal",
        }
    );
}

/// A second throwaway server, on TCP with TLS (a certificate for `localhost` signed by
/// a CA of its own, made with `openssl`), stopped on drop; `None` without `openssl`.
struct TlsServer {
    dir: tempfile::TempDir,
    port: u16,
    pg_ctl: PathBuf,
    root: bool,
}

impl TlsServer {
    fn start() -> Option<TlsServer> {
        use std::process::Command;
        let (openssl, initdb, pg_ctl) = (
            testing::bin("openssl")?,
            testing::bin("initdb")?,
            testing::bin("pg_ctl")?,
        );
        let root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
        let dir = tempfile::Builder::new()
            .prefix("raqim-pg-tls-")
            .tempdir()
            .unwrap();
        let run = |c: &mut Command| {
            let out = c.current_dir(dir.path()).output().unwrap();
            assert!(
                out.status.success(),
                "{c:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        run(Command::new(&openssl).args([
            "req",
            "-new",
            "-x509",
            "-days",
            "2",
            "-nodes",
            "-subj",
            "/CN=raqim test CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
        ]));
        run(Command::new(&openssl).args([
            "req",
            "-new",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-keyout",
            "srv.key",
            "-out",
            "srv.csr",
        ]));
        std::fs::write(
            dir.path().join("ext"),
            "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n",
        )
        .unwrap();
        run(Command::new(&openssl).args([
            "x509",
            "-req",
            "-in",
            "srv.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "ext",
            "-out",
            "srv.crt",
        ]));
        if root {
            run(Command::new("chown").args(["-R", "nobody", "."]));
        }
        run(Command::new("chmod").args(["600", "srv.key"]));
        // A free port: the OS's pick, let go just before the server takes it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let data = dir.path().join("data");
        run(testing::as_server_user(&initdb, root)
            .arg("-D")
            .arg(&data)
            .args(["-U", "raqim", "--auth=trust", "-E", "UTF8", "--no-sync"]));
        let d = dir.path().display();
        let options = format!(
            "-c listen_addresses=localhost -p {port} -k {d} -c fsync=off -c ssl=on \
             -c ssl_cert_file={d}/srv.crt -c ssl_key_file={d}/srv.key"
        );
        run(testing::as_server_user(&pg_ctl, root)
            .arg("-D")
            .arg(&data)
            .args(["-w", "-l"])
            .arg(dir.path().join("log"))
            .args(["-o", &options, "start"]));
        Some(TlsServer {
            dir,
            port,
            pg_ctl,
            root,
        })
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = testing::as_server_user(&self.pg_ctl, self.root)
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

#[test]
fn a_server_with_tls_is_reached_as_each_sslmode_says() {
    if testing::server().is_none() {
        return;
    }
    let Some(server) = TlsServer::start() else {
        eprintln!("raqim: the TLS test was skipped: no openssl to make its certificates");
        return;
    };
    let ca = server.dir.path().join("ca.crt");
    let ca = ca.display();
    let port = server.port;
    // (host, sslmode and more, Some(TLS used) or None: refused).
    let cases = [
        ("localhost", "disable".to_string(), Some(false)),
        ("localhost", "prefer".to_string(), Some(true)),
        // require encrypts without checking the certificate, as libpq.
        ("localhost", "require".to_string(), Some(true)),
        // The CA is not the web's: refused unless sslrootcert names it.
        ("localhost", "verify-full".to_string(), None),
        (
            "localhost",
            format!("verify-full&sslrootcert={ca}"),
            Some(true),
        ),
        // The certificate names localhost, not 127.0.0.1: only verify-ca lets it be.
        ("127.0.0.1", format!("verify-full&sslrootcert={ca}"), None),
        (
            "127.0.0.1",
            format!("verify-ca&sslrootcert={ca}"),
            Some(true),
        ),
    ];
    for (host, mode, expected) in cases {
        let url = format!("postgresql://raqim@{host}:{port}/postgres?sslmode={mode}");
        let store = PgStore::connect(PgUrl::of(Path::new(&url)).unwrap().unwrap(), true);
        match (store, expected) {
            (Ok(store), Some(tls)) => {
                let used: bool = store
                    .client()
                    .query_one(
                        "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                        &[],
                    )
                    .unwrap()
                    .get(0);
                assert_eq!(used, tls, "{url}");
            }
            (Err(e), None) => {
                let e = e.to_string();
                assert!(e.starts_with(&url) && e.contains("certificate"), "{e}");
            }
            (r, _) => panic!("{url}: {:?}", r.err()),
        }
    }
}

#[test]
fn a_follower_hears_of_each_commit_in_its_layer_by_notification() {
    let Some((url, mut holder)) = fresh("amal") else {
        return;
    };
    let doc = add(&mut holder, "قال الرئيس محمد في دمشق");
    let watcher = open(&url, "amal");
    let other_layer = open(&url, "basel");
    // The first question asks the table (and starts listening).
    assert!(!watcher.changed_since(&doc, 0).unwrap());
    assert!(!other_layer.changed_since(&doc, 0).unwrap());
    assert!(
        !watcher.changed_since(&doc, 0).unwrap(),
        "nothing heard yet"
    );
    insert(&mut holder, &doc, span(4, 10, "PER"));
    // The notification may take a moment to cross the socket.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut heard = false;
    while !heard && Instant::now() < deadline {
        heard = watcher.changed_since(&doc, 0).unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(heard, "the commit was heard");
    assert!(!watcher.changed_since(&doc, 0).unwrap(), "heard once");
    assert!(
        !other_layer.changed_since(&doc, 0).unwrap(),
        "another layer's follower hears nothing"
    );
}
