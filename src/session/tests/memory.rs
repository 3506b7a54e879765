//! The memory's reach as the analyst sees it: a reject withdraws a string from its
//! own document, `X` or rejects in two documents from every one; the status line
//! says what else went; the memory screen's rows, forgetting, and undo.

use super::*;
use crate::suggest::memory::Scope;

/// سوريا three times: the gazetteer suggests it each time as LOC.
const SYRIA: &str = "قال مسؤول في سوريا إن الوضع في سوريا صعب وإن سوريا تحتاج المساعدة";
/// Another article naming سوريا once.
const OTHER: &str = "وصل الوفد إلى سوريا صباح اليوم";
const THIRD: &str = "غادر الوزير سوريا مساء أمس";

/// A session on `text` whose memory is `memory` (what earlier documents taught).
fn with_memory(text: &str, memory: Memory) -> Session {
    with_engine(text, memory, None)
}

fn with_engine(text: &str, memory: Memory, engine: Option<Arc<Engine>>) -> Session {
    let doc = Document::from_text("news.txt", text.to_string(), false, false);
    let mut s = Session::new(doc, engine, true);
    s.set_review(Review::new(
        crate::annotation::Annotations::new(),
        Box::<MemJournal>::default(),
        memory,
    ));
    s
}

/// The memory a session leaves for the next document.
fn memory_of(s: &Session) -> Memory {
    s.review().memory().clone()
}

fn syria_suggested(s: &mut Session) -> usize {
    s.markup().matches("{LOC:سوريا}").count()
}

#[test]
fn a_reject_withdraws_the_string_from_its_document_only_and_says_what_went() {
    let mut a = session(SYRIA);
    assert_eq!(syria_suggested(&mut a), 3);
    let out = a.at("سوريا", settle(false));
    assert_eq!(
        out.message.as_deref(),
        Some(
            "rejected «سوريا» as LOC, and 2 other suggestions of «سوريا» withdrawn here · nothing left to review"
        )
    );
    assert_eq!(syria_suggested(&mut a), 0);
    // Another article opened later still gets it.
    let mut b = with_memory(OTHER, memory_of(&a));
    assert_eq!(syria_suggested(&mut b), 1, "{}", b.markup());
    // Undo brings the two back in the first.
    a.at("قال", Op::Undo);
    assert_eq!(syria_suggested(&mut a), 3);
    // A reject with nothing else like it says nothing more.
    let mut b = with_memory(OTHER, Memory::new());
    let out = b.at("سوريا", Op::Delete);
    assert_eq!(out.message.as_deref(), Some("suggestion «سوريا» rejected"));
}

#[test]
fn rejected_in_two_documents_and_never_accepted_it_is_withdrawn_everywhere() {
    let mut a = session(SYRIA);
    a.at("سوريا", settle(false));
    let mut b = with_memory(OTHER, memory_of(&a));
    let out = b.at("سوريا", settle(false));
    let m = out.message.unwrap();
    assert!(
        m.contains("rejected in 2 documents: withdrawn from every document"),
        "{m}"
    );
    let mut c = with_memory(THIRD, memory_of(&b));
    assert_eq!(syria_suggested(&mut c), 0, "{}", c.markup());
    // The setting: 0 leaves it to X alone.
    c.set_project_after(0);
    assert_eq!(syria_suggested(&mut c), 1);
    // Accepted once anywhere, two rejects elsewhere withdraw it only there. (The
    // tagger, which learnt from the same decisions that the word is no place here
    // more often than not, is left out: what it learns has no scope.)
    let lists = Some(Arc::new(Engine::builtin().with_model_on(false)));
    let mut d = with_engine("انسحبت القوات من سوريا أمس", memory_of(&b), lists.clone());
    // Withdrawn there too, so the analyst labels it.
    assert_eq!(syria_suggested(&mut d), 0);
    let loc = d.labels().index("LOC").unwrap();
    let out = d.at("سوريا", Op::LabelWord { label: loc });
    assert_eq!(out.message.as_deref(), Some("added «سوريا» as LOC"));
    let mut e = with_engine("عاد الوفد من سوريا مساء اليوم", memory_of(&d), lists);
    assert_eq!(syria_suggested(&mut e), 1, "{}", e.markup());
}

#[test]
fn reject_all_like_withdraws_the_string_from_every_document_until_undone() {
    let mut a = session(SYRIA);
    let out = a.at("سوريا", Op::SettleAllLike { accept: false });
    assert_eq!(
        out.message.as_deref(),
        Some(
            "rejected 3 × «سوريا» as LOC · withdrawn from every document · nothing left to review"
        )
    );
    let mut b = with_memory(OTHER, memory_of(&a));
    assert_eq!(syria_suggested(&mut b), 0, "{}", b.markup());
    a.at("قال", Op::Undo);
    let mut b = with_memory(OTHER, memory_of(&a));
    assert_eq!(syria_suggested(&mut b), 1, "{}", b.markup());
    // Redone, it reaches every document again.
    a.at("قال", Op::Redo);
    let mut b = with_memory(OTHER, memory_of(&a));
    assert_eq!(syria_suggested(&mut b), 0, "{}", b.markup());
}

#[test]
fn the_memory_rows_say_what_was_learnt_and_forgetting_one_is_a_step_undo_takes_back() {
    let mut a = session(SYRIA);
    a.at("سوريا", settle(false));
    let rows = a.memory_rows();
    let row = rows
        .iter()
        .find(|r| r.label == "LOC")
        .expect("the reject is listed");
    assert_eq!(
        (row.surface.as_str(), row.accepts, row.rejects, row.scope),
        ("سوريا", 0, 1, Scope::Documents(1))
    );
    assert!(row.last.is_some_and(|l| !l.accepted && l.at > 0));
    let key = row.key.clone();
    let f = a.on("قال", 0);
    let out = a.forget_memory(&f, &key, "LOC");
    assert_eq!(
        out.message.as_deref(),
        Some("forgot «سوريا» as LOC (0 accepted, 1 rejected) · u brings it back")
    );
    assert!(a.memory_rows().iter().all(|r| r.key != key));
    // Forgotten, the other two come back; the rejected span itself stays rejected.
    assert_eq!(syria_suggested(&mut a), 2);
    let out = a.at("قال", Op::Undo);
    assert_eq!(
        out.message.as_deref(),
        Some("undid: forget «سوريا» LOC (1 more to undo)")
    );
    assert_eq!(syria_suggested(&mut a), 0);
    assert_eq!(a.memory_rows()[0].rejects, 1);
    let out = a.at("قال", Op::Redo);
    assert_eq!(out.message.as_deref(), Some("redid: forget «سوريا» LOC"));
    assert_eq!(syria_suggested(&mut a), 2);
    // Nothing to forget: said, and no step.
    let depth = a.review().ann.undo_depth();
    let out = a.forget_memory(&f, &key, "LOC");
    assert_eq!(
        out.message.as_deref(),
        Some(format!("nothing remembered of «{key}»").as_str())
    );
    assert_eq!(a.review().ann.undo_depth(), depth);
}

#[test]
fn after_many_decisions_the_context_model_does_not_carry_one_reject_to_other_documents() {
    // A memory past the context model's 40 decisions, most of them rejects.
    let e = Engine::builtin();
    let mut mem = Memory::new();
    let text = "زار الوفد حلب ثم حمص ثم دمشق ثم بغداد ثم عمان ثم بيروت ثم القاهرة";
    let doc = crate::suggest::dict::DocTokens::new(text);
    let sugg = e.suggest(text, None);
    let earlier = crate::suggest::memory::Taken {
        doc: Some("earlier"),
        at: 1,
        project: false,
    };
    for k in 0..8 {
        for s in &sugg {
            e.learn_decision_at(&mut mem, &doc, s, k % 4 == 0, earlier);
        }
    }
    assert!(mem.reranker.decisions() >= crate::suggest::rerank::MIN_DECISIONS);
    assert_eq!(syria_suggested(&mut with_memory(OTHER, mem.clone())), 1);
    let mut a = with_memory(SYRIA, mem);
    a.at("سوريا", settle(false));
    for text in [OTHER, "قالت مصادر في سوريا إن"] {
        let mut b = with_memory(text, memory_of(&a));
        assert_eq!(syria_suggested(&mut b), 1, "{}", b.markup());
    }
}
