//! Blind double annotation: two analysts given the same document each work in their
//! own layer, and what one decides there is never suggested to the other in that
//! document; elsewhere the team's memory is shared.

use std::path::Path;

use super::*;
use crate::session::open::Keeper;

/// No list or rule knows «زمردة»; only the memory can suggest it.
const FIRST: &str = "وصل الوفد إلى زمردة مساء أمس\n";
const SECOND: &str = "غادر الوفد زمردة صباح اليوم\n";

/// A session on `file` kept in `dir`'s database by `who`, in their own layer.
fn open(dir: &Path, file: &Path, who: &str) -> Session {
    kept(
        &Keeper::new(Some(dir.join("raqim.db")), who.into(), None),
        file,
    )
}

fn label(s: &mut Session, word: &str) {
    let loc = s.labels().index("LOC").unwrap();
    let out = s.at(word, Op::LabelWord { label: loc });
    assert_eq!(
        out.message.as_deref(),
        Some(&*format!("added «{word}» as LOC"))
    );
}

#[test]
fn one_analysts_decision_is_not_suggested_to_another_in_the_same_document_only_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.txt");
    let second = dir.path().join("second.txt");
    std::fs::write(&first, FIRST).unwrap();
    std::fs::write(&second, SECOND).unwrap();
    {
        let mut basel = open(dir.path(), &first, "basel");
        assert!(!basel.markup().contains("زمردة}"), "{}", basel.markup());
        label(&mut basel, "زمردة");
        assert!(basel.markup().contains("[LOC:زمردة]"));
    }
    // amal, in the same document at the same time or later, is not told.
    let mut amal = open(dir.path(), &first, "amal");
    assert_eq!(
        amal.markup(),
        FIRST,
        "basel's span must not reach amal's layer"
    );
    assert!(
        amal.review().read_only().is_none(),
        "amal writes her own layer"
    );
    // In another document the team's memory suggests it, to amal too.
    let mut amal_elsewhere = open(dir.path(), &second, "amal");
    assert!(
        amal_elsewhere.markup().contains("{LOC:زمردة}"),
        "{}",
        amal_elsewhere.markup()
    );
    // basel's own layer still has his span after a restart.
    let mut basel = open(dir.path(), &first, "basel");
    assert!(basel.markup().contains("[LOC:زمردة]"));
}

#[test]
fn an_analyst_who_learns_alone_is_taught_by_their_own_decisions_only() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.txt");
    let second = dir.path().join("second.txt");
    std::fs::write(&first, FIRST).unwrap();
    std::fs::write(&second, SECOND).unwrap();
    let alone = |who: &str, file: &Path| {
        let db = Some(dir.path().join("raqim.db"));
        kept(
            &Keeper::new(db, who.into(), None).learning_alone(true),
            file,
        )
    };
    {
        let mut basel = alone("basel", &first);
        label(&mut basel, "زمردة");
        // Saved on the way out, as quitting does: the snapshot must be basel's own.
        basel.review.save_memory().unwrap();
    }
    // amal, learning alone, is not taught by basel, even in another document...
    let mut amal = alone("amal", &second);
    assert_eq!(amal.markup(), SECOND);
    // ...while basel is, by himself, and the team's memory (the default) by him too.
    let mut basel = alone("basel", &second);
    assert!(basel.markup().contains("{LOC:زمردة}"), "{}", basel.markup());
    let mut team = open(dir.path(), &second, "dina");
    assert!(team.markup().contains("{LOC:زمردة}"), "{}", team.markup());
}

#[test]
fn a_read_only_review_follows_its_holder_and_takes_the_document_over_when_they_quit() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.txt");
    std::fs::write(&first, FIRST).unwrap();
    let mut holder = open(dir.path(), &first, "amal");
    let mut watcher = open(dir.path(), &first, "amal");
    assert!(watcher.review().read_only().is_some());
    assert_eq!(watcher.follow(), None, "nothing happened yet");
    label(&mut holder, "زمردة");
    let said = watcher.follow().unwrap();
    assert!(said.contains("updated"), "{said}");
    assert!(
        watcher.markup().contains("[LOC:زمردة]"),
        "{}",
        watcher.markup()
    );
    assert!(watcher.review().read_only().is_some());
    drop(holder);
    let said = watcher.follow().unwrap();
    assert!(said.contains("yours to edit"), "{said}");
    assert!(watcher.review().read_only().is_none());
    label(&mut watcher, "الوفد");
}

#[test]
fn on_a_team_server_a_read_only_review_follows_its_holder_and_takes_over_too() {
    let Some(server) = crate::store::pg::testing::server() else {
        return;
    };
    let db = Some(std::path::PathBuf::from(server.fresh_database()));
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.txt");
    std::fs::write(&first, FIRST).unwrap();
    let mut holder = kept(&Keeper::new(db.clone(), "amal".into(), None), &first);
    let mut watcher = kept(&Keeper::new(db.clone(), "amal".into(), None), &first);
    assert!(watcher.review().read_only().is_some());
    assert_eq!(watcher.follow(), None);
    label(&mut holder, "زمردة");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let mut said = None;
    while said.is_none() && std::time::Instant::now() < deadline {
        said = watcher.follow();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(said.unwrap().contains("updated"));
    assert!(
        watcher.markup().contains("[LOC:زمردة]"),
        "{}",
        watcher.markup()
    );
    drop(holder);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let mut said = None;
    while said.is_none() && std::time::Instant::now() < deadline {
        said = watcher.follow();
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(said.unwrap().contains("yours to edit"));
    label(&mut watcher, "الوفد");
}
