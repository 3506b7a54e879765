//! `raqim db roles` on a real server (issue 16): with its roles and row-level
//! security applied, an annotator who connects as themselves cannot change another
//! annotator's spans, through raqim or through plain SQL; gold is a curator's.
//! Skipped (and said so by `tests/postgresql.rs`) without PostgreSQL's server programs.

use std::path::Path;

use raqim::annotation::State;
use raqim::document::Document;
use raqim::session::open::{Keeper, OpenError};
use raqim::store::pg::{roles, testing};
use raqim::store::{Change, GOLD, NewSpan, Store, StoreError};

fn connect(url: &str) -> postgres::Client {
    url.parse::<postgres::Config>()
        .unwrap()
        .connect(postgres::NoTls)
        .unwrap_or_else(|e| panic!("connect to {url}: {e}"))
}

/// The URL of the same database, connecting as `who` (the test server trusts its
/// socket, so the role is all it takes).
fn as_user(url: &str, who: &str) -> String {
    url.replacen("postgresql://raqim@", &format!("postgresql://{who}@"), 1)
}

fn raqim(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_raqim"))
        .args(args)
        .args(["--log-level", "off"])
        .output()
        .unwrap()
}

#[test]
fn db_roles_prints_the_script_and_refuses_what_cannot_be_a_role_or_a_server() {
    let o = raqim(&[
        "db",
        "roles",
        "--annotators",
        "amal,basel",
        "--curators",
        "rana",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    for want in [
        "CREATE ROLE \"basel\" LOGIN",
        "GRANT \"raqim_curator\" TO \"rana\"",
        "ALTER TABLE spans ENABLE ROW LEVEL SECURITY",
        "USING (layer = current_user) WITH CHECK (layer = current_user)",
        "COMMIT;",
    ] {
        assert!(out.contains(want), "{want} is not in:\n{out}");
    }
    let o = raqim(&["db", "roles", "--annotators", "amal,gold"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("curated layer"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("team.db");
    let o = raqim(&[
        "db",
        "roles",
        "--annotators",
        "amal",
        "--apply",
        "--db",
        file.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("postgresql:// URL"), "{err}");
    assert!(!file.exists(), "nothing was made");
}

fn names(n: &[&str]) -> Vec<String> {
    n.iter().map(|s| s.to_string()).collect()
}

const SPAN: &str = "INSERT INTO spans (doc, layer, start, \"end\", label, state, source, score, \
     annotator, created, updated) VALUES ('d1', $1, 0, 3, 'ORG', 'accepted', 'manual', 1, $1, 0, 0) \
     RETURNING id";

/// A server's error, in its words.
fn refused(r: Result<impl std::fmt::Debug, postgres::Error>) -> String {
    let e = r.expect_err("the server took it");
    e.as_db_error()
        .map_or_else(|| e.to_string(), |d| d.message().to_string())
}

#[test]
fn an_annotator_cannot_change_another_annotators_layer_through_raqim_or_plain_sql() {
    let Some(server) = testing::server() else {
        return;
    };
    let url = server.fresh_database();
    // The schema, made by raqim as the owner, then the roles (twice: it only adds).
    drop(Store::open(Path::new(&url)).unwrap());
    let o = raqim(&[
        "db",
        "roles",
        "--annotators",
        "amal,basel",
        "--curators",
        "rana",
        "--apply",
        "--db",
        &url,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let script = roles::script(&names(&["amal", "basel"]), &names(&["rana"])).unwrap();
    roles::apply(Path::new(&url), &script).unwrap();

    let mut owner = connect(&url);
    owner
        .execute(
            "INSERT INTO documents (id, name, text, added) VALUES ('d1', 'one', 'قال الجيش السوري', 0)",
            &[],
        )
        .unwrap();
    let amals: i64 = owner.query_one(SPAN, &[&"amal"]).unwrap().get(0);

    // Plain SQL, as basel.
    let mut basel = connect(&as_user(&url, "basel"));
    let seen: i64 = basel
        .query_one("SELECT count(*) FROM spans WHERE layer = 'amal'", &[])
        .unwrap()
        .get(0);
    assert_eq!(seen, 1, "basel reads amal's layer (agreement, the memory)");
    // Rows of another layer are not there for an UPDATE or DELETE: zero rows, no error.
    let n = basel
        .execute("UPDATE spans SET label = 'PER' WHERE id = $1", &[&amals])
        .unwrap();
    assert_eq!(n, 0);
    let n = basel
        .execute("DELETE FROM spans WHERE layer = 'amal'", &[])
        .unwrap();
    assert_eq!(n, 0);
    // Writing a row into another layer is an error.
    let e = refused(basel.query_one(SPAN, &[&"amal"]));
    assert!(e.contains("row-level security"), "{e}");
    let e = refused(basel.query_one(SPAN, &[&GOLD]));
    assert!(e.contains("row-level security"), "{e}");
    // Their own layer: everything; but a row of theirs cannot move into another's.
    let own: i64 = basel.query_one(SPAN, &[&"basel"]).unwrap().get(0);
    let n = basel
        .execute("UPDATE spans SET label = 'LOC' WHERE id = $1", &[&own])
        .unwrap();
    assert_eq!(n, 1);
    let e = refused(basel.execute("UPDATE spans SET layer = 'amal' WHERE id = $1", &[&own]));
    assert!(e.contains("row-level security"), "{e}");
    basel
        .execute(
            "INSERT INTO actions (doc, layer, kind, payload, annotator, at) \
             VALUES ('d1', 'basel', 'accept', '{}', 'basel', 0)",
            &[],
        )
        .unwrap();
    basel
        .execute(
            "INSERT INTO layers (doc, layer, done) VALUES ('d1', 'basel', true)",
            &[],
        )
        .unwrap();
    let e = refused(basel.execute(
        "INSERT INTO flags (doc, layer, annotator, at) VALUES ('d1', 'amal', 'basel', 0)",
        &[],
    ));
    assert!(e.contains("row-level security"), "{e}");
    // A text is its document's id: nobody but the owner changes it.
    let e = refused(basel.execute("UPDATE documents SET text = 'x' WHERE id = 'd1'", &[]));
    assert!(e.contains("permission denied"), "{e}");
    let e = refused(basel.execute(
        "INSERT INTO assignments (doc, annotator, assigned) VALUES ('d1', 'basel', 0)",
        &[],
    ));
    assert!(e.contains("permission denied"), "{e}");
    let after: (String, String) = owner
        .query_one("SELECT label, layer FROM spans WHERE id = $1", &[&amals])
        .map(|r| (r.get(0), r.get(1)))
        .unwrap();
    assert_eq!(after, ("ORG".to_string(), "amal".to_string()));

    // A curator writes gold and gives documents out; not another's layer.
    let mut rana = connect(&as_user(&url, "rana"));
    rana.query_one(SPAN, &[&GOLD]).unwrap();
    rana.execute(
        "INSERT INTO assignments (doc, annotator, assigned) VALUES ('d1', 'basel', 0)",
        &[],
    )
    .unwrap();
    let n = rana
        .execute("DELETE FROM spans WHERE layer = 'amal'", &[])
        .unwrap();
    assert_eq!(n, 0);

    // Through raqim: basel's store opens (nothing to migrate) and refuses, before
    // sending, a write into amal's layer or gold, naming who and what.
    let basel_url = as_user(&url, "basel");
    let mut store = Store::open(Path::new(&basel_url)).unwrap();
    assert!(store.may_write("basel").is_ok());
    let span = NewSpan {
        start: 0,
        end: 3,
        label: "PER".into(),
        state: State::Accepted,
        source: "manual".into(),
        score: 1.0,
    };
    for layer in ["amal", GOLD] {
        store.set_layer(layer);
        let e = store
            .commit(
                "d1",
                "create",
                "{}",
                "basel",
                None,
                &[Change::Insert(span.clone())],
            )
            .unwrap_err();
        assert!(matches!(e, StoreError::Forbidden { .. }), "{e:?}");
        let e = e.to_string();
        assert!(
            e.contains("basel may") && e.contains("nothing was written"),
            "{e}"
        );
        assert!(!e.contains("postgresql://raqim@"), "{e}");
        assert!(matches!(
            store.set_done("d1", true),
            Err(StoreError::Forbidden { .. })
        ));
        assert!(matches!(
            store.set_flag("d1", None, Some("?"), "basel"),
            Err(StoreError::Forbidden { .. })
        ));
    }
    assert!(matches!(
        store.assign(&[("d1".to_string(), "amal".to_string())]),
        Err(StoreError::Forbidden { .. })
    ));
    // The viewer says so on opening, before anything is written.
    let doc = Document::from_text("one", "قال الجيش السوري".to_string(), false, false);
    let keeper = Keeper::new(Some(basel_url.clone().into()), "amal".to_string(), None);
    match keeper.open(doc, Path::new("one.txt"), None, None) {
        Err(OpenError::Store(StoreError::Forbidden { detail, .. })) => {
            assert!(detail.contains("not \"amal\""), "{detail}")
        }
        other => panic!(
            "opened amal's layer as basel: {:?}",
            other.map(|o| o.0.id().to_string())
        ),
    }
    // The curator's store may write gold.
    let rana_store = Store::open(Path::new(&as_user(&url, "rana"))).unwrap();
    assert!(rana_store.may_write(GOLD).is_ok() && rana_store.may_write("amal").is_err());
    // The owner is held by nothing.
    assert!(
        Store::open(Path::new(&url))
            .unwrap()
            .may_write("amal")
            .is_ok()
    );
}
