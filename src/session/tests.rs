//! Each review step as `session.apply(op)` on readable fixtures, without keys or a
//! screen: `{ORG:داعش}` is a span still to review (a suggestion, or stored pending),
//! `[ORG:داعش]` an accepted one; rejected spans are not shown. Stored spans come from
//! the same markup; the real engine makes the suggestions.

use super::*;
use crate::annotation::Step;
use crate::review::MemJournal;
use crate::suggest::memory::Memory;

/// The engine suggests الجيش السوري (ORG), داعش (ORG) and دير الزور (LOC) here.
const NEWS: &str = "قال الجيش السوري إن داعش انسحب من دير الزور";

/// A session on `markup`'s text whose stored spans are the ones marked in it.
fn session(markup: &str) -> Session {
    let (text, ann) = crate::annotation::tests::parse(markup);
    let doc = Document::from_text("news.txt", text, false, false);
    let mut s = Session::new(doc, None, true);
    // The journal numbers new spans after the fixture's.
    let journal = MemJournal {
        next_id: ann.next_id() - 1,
        ..MemJournal::default()
    };
    s.set_review(Review::new(ann, Box::new(journal), Memory::new()));
    s
}

impl Session {
    /// The shown spans of every paragraph as markup.
    pub(crate) fn markup(&mut self) -> String {
        let text = self.doc.text.clone();
        let mut out = String::new();
        let mut at = 0;
        for p in 0..self.doc.paragraphs.len() {
            for s in self.spans_in(p).iter() {
                out.push_str(&text[at..s.start]);
                let (o, c) = match s.state {
                    State::Accepted => ('[', ']'),
                    _ => ('{', '}'),
                };
                let label = &self.labels.labels()[s.label].name;
                out.push_str(&format!("{o}{label}:{}{c}", &text[s.start..s.end]));
                at = s.end;
            }
        }
        out.push_str(&text[at..]);
        out
    }

    /// The focus on the first character of the `n`th (from 0) occurrence of `needle`.
    fn on(&self, needle: &str, n: usize) -> Focus {
        let at = self
            .doc
            .text
            .match_indices(needle)
            .nth(n)
            .unwrap_or_else(|| panic!("{needle} #{n} not in the text"))
            .0;
        let len = self.doc.text[at..].chars().next().map_or(0, char::len_utf8);
        Focus {
            para: self.para_of(at),
            cell: at..at + len,
            top: 0,
        }
    }

    /// Applies `op` with the cursor on `needle`.
    fn at(&mut self, needle: &str, op: Op) -> Outcome {
        let f = self.on(needle, 0);
        self.apply(&f, op)
    }
}

/// A session on `file` as the viewer opens it through `keeper` (kept in its
/// database, in its layer).
pub(crate) fn kept(keeper: &crate::session::open::Keeper, file: &std::path::Path) -> Session {
    let doc = Document::open(file, false).unwrap();
    let (doc, opened) = keeper.open(doc, file, None, None).unwrap();
    let mut s = Session::new(doc, None, true);
    s.set_review(opened.unwrap().review);
    s
}

fn settle(accept: bool) -> Op {
    Op::Settle {
        accept,
        label: None,
    }
}

/// The text after the byte offset a step put the cursor on.
fn cursor_text(s: &Session, out: &Outcome) -> String {
    let at = out.cursor.expect("the step moved the cursor");
    s.document().text[at..].chars().take(4).collect()
}

#[test]
fn stored_spans_and_suggestions_are_shown_together() {
    assert_eq!(
        session(NEWS).markup(),
        "قال {ORG:الجيش السوري} إن {ORG:داعش} انسحب من {LOC:دير الزور}"
    );
    // A stored span hides the suggestions it touches.
    assert_eq!(
        session("قال الجيش [PER:السوري] إن داعش انسحب من دير الزور").markup(),
        "قال الجيش [PER:السوري] إن {ORG:داعش} انسحب من {LOC:دير الزور}"
    );
}

#[test]
fn settling_stores_the_decision_and_moves_on_to_the_next_suggestion() {
    let mut s = session(NEWS);
    let out = s.at("الجيش", settle(true));
    assert_eq!(
        s.markup(),
        "قال [ORG:الجيش السوري] إن {ORG:داعش} انسحب من {LOC:دير الزور}"
    );
    assert_eq!(
        out.message.as_deref(),
        Some("accepted «الجيش السوري» as ORG")
    );
    assert_eq!(cursor_text(&s, &out), "داعش");
    // Rejected: no longer shown, and the next one is current.
    let out = s.at("داعش", settle(false));
    assert_eq!(cursor_text(&s, &out), "دير ");
    // Relabelled on accepting; with nothing left the message says so.
    let loc = s.labels().index("ORG").unwrap();
    let out = s.at(
        "دير",
        Op::Settle {
            accept: true,
            label: Some(loc),
        },
    );
    assert_eq!(
        s.markup(),
        "قال [ORG:الجيش السوري] إن داعش انسحب من [ORG:دير الزور]"
    );
    assert_eq!(
        out.message.as_deref(),
        Some("accepted «دير الزور» as ORG · nothing left to review")
    );
    assert_eq!(out.cursor, None);
    assert_eq!(s.review().ann.counts(), (0, 2, 1));
}

#[test]
fn a_step_without_a_span_under_the_cursor_says_so_and_changes_nothing() {
    let mut s = session(NEWS);
    for op in [settle(true), Op::Delete, Op::SettleAllLike { accept: true }] {
        let out = s.at("انسحب", op);
        assert_eq!(
            out.message.as_deref(),
            Some("no span under the cursor (Tab goes to the next suggestion)")
        );
    }
    assert_eq!(s.review().ann.counts(), (0, 0, 0));
}

#[test]
fn settle_all_like_takes_stored_and_suggested_spans_in_one_step() {
    let text = "قالت [ORG:داعش] إن داعش\n\nوأضافت {ORG:داعش} أن {LOC:داعش} هنا";
    let mut s = session(text);
    let out = s.at("داعش", Op::SettleAllLike { accept: true });
    assert_eq!(out.message.as_deref(), Some("accepted 2 × «داعش» as ORG"));
    assert_eq!(s.para_of(out.cursor.unwrap()), 1, "on to the LOC one left");
    assert_eq!(
        s.markup(),
        "قالت [ORG:داعش] إن [ORG:داعش]\n\nوأضافت [ORG:داعش] أن {LOC:داعش} هنا"
    );
    // One step: one undo takes every one back.
    let f = s.on("داعش", 0);
    s.apply(&f, Op::Undo);
    assert_eq!(
        s.markup(),
        "قالت [ORG:داعش] إن {ORG:داعش}\n\nوأضافت {ORG:داعش} أن {LOC:داعش} هنا"
    );
}

#[test]
fn resizing_moves_the_edge_on_screen_by_the_spans_direction() {
    // In right-to-left text the left edge is where the span ends.
    let mut s = session("قال {ORG:الجيش} السوري إن");
    let grow_left = Op::Resize {
        left: true,
        grow: true,
        step: Step::Word,
        rtl: true,
    };
    let out = s.at("الجيش", grow_left.clone());
    assert_eq!(s.markup(), "قال {ORG:الجيش السوري} إن");
    assert_eq!(
        out.message.as_deref(),
        Some("end (left edge) widened by «السوري»: «الجيش السوري»")
    );
    // In left-to-right text it is where the span starts.
    let mut s = session("met {ORG:the army} today");
    let out = s.at(
        "army",
        Op::Resize {
            left: true,
            grow: true,
            step: Step::Word,
            rtl: false,
        },
    );
    assert_eq!(s.markup(), "{ORG:met the army} today");
    assert_eq!(out.cursor, None, "the cursor is still on the span");
    // When the span leaves the cursor, the cursor goes with the span.
    let out = s.at(
        "met",
        Op::Resize {
            left: true,
            grow: false,
            step: Step::Word,
            rtl: false,
        },
    );
    assert_eq!(s.markup(), "met {ORG:the army} today");
    assert_eq!(out.cursor, Some(4));
    // Shrinking by a character keeps harakat on their letter.
    let mut s = session("{PER:قالَ} ووصل");
    s.at(
        "قا",
        Op::Resize {
            left: true,
            grow: false,
            step: Step::Chars(1),
            rtl: true,
        },
    );
    assert_eq!(s.markup(), "{PER:قا}لَ ووصل");
    // Into the next paragraph, or over a suggestion: refused, saying why.
    let mut s = session("قال {ORG:الجيش}\nالسوري");
    let out = s.at("الجيش", grow_left.clone());
    assert_eq!(
        out.message.as_deref(),
        Some("refused: a span cannot cross a paragraph")
    );
    let mut s = session("قال {PER:الأمين} داعش");
    let out = s.at("الأمين", grow_left);
    assert!(
        out.message.as_deref().unwrap().contains("داعش"),
        "{:?}",
        out.message
    );
    assert_eq!(s.markup(), "قال {PER:الأمين} {ORG:داعش}");
}

#[test]
fn create_adds_an_accepted_span_unless_it_would_overlap() {
    let mut s = session(NEWS);
    let per = s.labels().index("PER").unwrap();
    let at = NEWS.find("انسحب").unwrap();
    let f = s.on("انسحب", 0);
    let out = s.apply(
        &f,
        Op::Create {
            start: at,
            end: at + "انسحب".len(),
            label: per,
        },
    );
    assert_eq!(out.message.as_deref(), Some("added «انسحب» as PER"));
    assert!(s.markup().contains("[PER:انسحب]"));
    // Over a suggestion: refused, naming it.
    let at = NEWS.find("إن").unwrap();
    let out = s.apply(
        &f,
        Op::Create {
            start: at,
            end: at + "إن داعش".len(),
            label: per,
        },
    );
    assert!(out.message.unwrap().contains("ORG"));
    // The word under the cursor is labelled without its proclitic.
    let mut s = session("قال إن والجيش انسحب");
    let org = s.labels().index("ORG").unwrap();
    let out = s.at("والجيش", Op::LabelWord { label: org });
    assert_eq!(out.message.as_deref(), Some("added «الجيش» as ORG"));
    assert_eq!(s.markup(), "قال إن و[ORG:الجيش] انسحب");
    let out = s.at(" انسحب", Op::LabelWord { label: org });
    assert_eq!(out.message.as_deref(), Some("no word under the cursor"));
}

#[test]
fn delete_rejects_a_suggestion_and_removes_a_stored_span_and_undo_redo_walk_back() {
    let mut s = session("قال [PER:الأمين] إن داعش انسحب من دير الزور");
    let out = s.at("داعش", Op::Delete);
    assert_eq!(out.message.as_deref(), Some("suggestion «داعش» rejected"));
    // Unlike a reject (x), d leaves the cursor where it is: a `v` right after
    // starts there, not at the next suggestion.
    assert_eq!(out.cursor, None, "d stays");
    let out = s.at("الأمين", Op::Delete);
    assert_eq!(out.message.as_deref(), Some("deleted «الأمين»"));
    assert_eq!(s.markup(), "قال الأمين إن داعش انسحب من {LOC:دير الزور}");
    let out = s.at("قال", Op::Undo);
    assert_eq!(
        out.message.as_deref(),
        Some("undid: delete «الأمين» PER (1 more to undo)")
    );
    assert_eq!(cursor_text(&s, &out), "الأم", "undo shows where it happened");
    let out = s.at("قال", Op::Undo);
    assert_eq!(
        out.message.as_deref(),
        Some("undid: reject «داعش» ORG (0 more to undo)")
    );
    assert_eq!(
        s.markup(),
        "قال [PER:الأمين] إن {ORG:داعش} انسحب من {LOC:دير الزور}"
    );
    let out = s.at("قال", Op::Undo);
    assert_eq!(out.message.as_deref(), Some("nothing to undo"));
    let out = s.at("قال", Op::Redo);
    assert_eq!(out.message.as_deref(), Some("redid: reject «داعش» ORG"));
    let out = s.at("قال", Op::Redo);
    assert_eq!(out.message.as_deref(), Some("redid: delete «الأمين» PER"));
    assert_eq!(s.markup(), "قال الأمين إن داعش انسحب من {LOC:دير الزور}");
}

#[test]
fn goto_goes_round_the_document_and_says_so() {
    let mut s = session(NEWS);
    let next = Op::Goto {
        forward: true,
        pending: true,
    };
    let out = s.at("داعش", next.clone());
    assert_eq!(cursor_text(&s, &out), "دير ");
    assert_eq!(out.message, None);
    let out = s.at("دير", next);
    assert_eq!(cursor_text(&s, &out), "الجي");
    assert!(out.message.unwrap().contains("went round"));
    let out = s.at(
        "داعش",
        Op::Goto {
            forward: false,
            pending: false,
        },
    );
    assert_eq!(cursor_text(&s, &out), "الجي");
    let mut s = session("لا شيء هنا");
    let out = s.at(
        "شيء",
        Op::Goto {
            forward: true,
            pending: true,
        },
    );
    assert_eq!(
        out.message.as_deref(),
        Some("no suggestion to review in this document")
    );
}

#[test]
fn search_is_folded_and_finds_words_behind_proclitics() {
    let mut s = session("قال الجيش\n\nوالجيش انسحب من مدينة حماة\n\nمدينه حماه");
    let out = s.at(
        "قال",
        Op::Search {
            query: Some("الجيش".into()),
            forward: true,
        },
    );
    assert_eq!(cursor_text(&s, &out), "الجي");
    let f = Focus {
        cell: out.cursor.unwrap()..out.cursor.unwrap() + 1,
        para: 0,
        top: 0,
    };
    let out = s.apply(
        &f,
        Op::Search {
            query: None,
            forward: true,
        },
    );
    // والجيش: the match starts after the proclitic.
    assert_eq!(cursor_text(&s, &out), "الجي");
    assert_eq!(s.para_of(out.cursor.unwrap()), 1);
    // Taa marbuta and haa, and a second word.
    let out = s.at(
        "مدينة",
        Op::Search {
            query: Some("مدينة حماة".into()),
            forward: true,
        },
    );
    assert_eq!(s.para_of(out.cursor.unwrap()), 2);
    let out = s.at(
        "قال",
        Op::Search {
            query: Some("بغداد".into()),
            forward: true,
        },
    );
    assert_eq!(out.message.as_deref(), Some("/بغداد: not found"));
    let mut fresh = session(NEWS);
    let out = fresh.at(
        "قال",
        Op::Search {
            query: None,
            forward: true,
        },
    );
    assert_eq!(
        out.message.as_deref(),
        Some("no search yet: press / to search")
    );
}

#[test]
fn progress_counts_what_is_left_and_done_makes_it_whole() {
    let mut s = session(NEWS);
    let p = s.progress();
    assert_eq!(
        (p.pending, p.accepted, p.rejected, p.exact),
        (3, 0, 0, true)
    );
    assert_eq!(p.reviewed, 0);
    s.at("الجيش", settle(true));
    s.at("داعش", settle(false));
    s.at("دير", settle(true));
    let p = s.progress();
    assert_eq!((p.pending, p.accepted, p.rejected), (0, 2, 1));
    assert_eq!(p.reviewed, 100, "nothing left in the one paragraph reached");
    assert_eq!(
        s.progress_text(),
        "0 to review · 2 accepted · 1 rejected · 100% reviewed"
    );
    let out = s.at("قال", Op::ToggleDone);
    assert_eq!(out.message.as_deref(), Some("document marked done"));
    assert!(s.progress_text().ends_with(" · done"));
    // Shorter forms for a narrow screen, each still saying how many are left.
    assert_eq!(
        s.progress_forms(),
        [
            "0 to review · 2 accepted · 1 rejected · 100% reviewed · done",
            "0 to review · 2✓ · 1✗ · 100% · done",
            "0 to review · 100% · done",
            "0 to review",
        ]
    );
    // Two paragraphs, only the first reached: half of the text is reviewed at most.
    let mut s = session("قال داعش\n\nانسحب من دير الزور");
    s.at("داعش", settle(true));
    let p = s.progress();
    assert!(p.reviewed > 0 && p.reviewed < 60, "{p:?}");
}

#[test]
fn a_failed_commit_changes_nothing_and_says_why() {
    let (text, ann) = crate::annotation::tests::parse(NEWS);
    let doc = Document::from_text("news.txt", text, false, false);
    let mut s = Session::new(doc, None, true);
    let journal = MemJournal {
        fail_next: Some("disk full".into()),
        ..MemJournal::default()
    };
    s.set_review(Review::new(ann, Box::new(journal), Memory::new()));
    let out = s.at("داعش", settle(true));
    assert!(out.message.unwrap().contains("disk full"));
    assert_eq!(out.cursor, None);
    assert_eq!(
        s.markup(),
        "قال {ORG:الجيش السوري} إن {ORG:داعش} انسحب من {LOC:دير الزور}"
    );
}

#[test]
fn with_nothing_left_to_review_anywhere_the_document_reads_whole() {
    // The second paragraph has no suggestion and was never reached.
    let mut s = session("قال داعش\n\nثم عاد إلى بيته");
    s.at("داعش", settle(true));
    let p = s.progress();
    assert_eq!((p.pending, p.accepted), (0, 1));
    assert_eq!(p.reviewed, 100);
    // With something left, it is the reached share only.
    let mut s = session("قال داعش\n\nثم عاد إلى دير الزور");
    s.at("داعش", settle(true));
    assert!(s.progress().reviewed < 100);
}

#[test]
fn marking_done_with_suggestions_left_is_asked_first_naming_how_many() {
    let mut s = session(NEWS);
    assert_eq!(
        s.done_question().as_deref(),
        Some("mark done? 3 suggestions left (y/n)")
    );
    s.at("الجيش", settle(true));
    s.at("داعش", settle(true));
    assert_eq!(
        s.done_question().as_deref(),
        Some("mark done? 1 suggestion left (y/n)")
    );
    s.at("دير", settle(false));
    assert_eq!(s.done_question(), None, "nothing left: nothing to ask");
    // Taking the mark back is never asked.
    let mut s = session(NEWS);
    s.at("قال", Op::ToggleDone);
    assert_eq!(s.done_question(), None);
}

/// A session on `text` with no suggestions: only what the engine knows of words.
fn quiet(text: &str) -> Session {
    let doc = Document::from_text("news.txt", text.to_string(), false, false);
    Session::new(doc, None, false)
}

#[test]
fn labelling_a_word_leaves_out_a_proclitic_before_a_name_the_engine_knows() {
    let text = "وصل وليد إلى وحمص ثم بدمشق وفرنسا والجيش وزنقلوط فلسطين";
    let mut s = quiet(text);
    let loc = s.labels().index("LOC").unwrap();
    for w in [
        "وليد",
        "وحمص",
        "بدمشق",
        "وفرنسا",
        "والجيش",
        "وزنقلوط",
        "فلسطين",
    ] {
        s.at(w, Op::LabelWord { label: loc });
    }
    assert_eq!(
        s.markup(),
        "وصل [LOC:وليد] إلى و[LOC:حمص] ثم ب[LOC:دمشق] و[LOC:فرنسا] و[LOC:الجيش] \
         [LOC:وزنقلوط] [LOC:فلسطين]",
        "و ف ب ك ل come off a known name, not off وليد or فلسطين, nor off a word \
         nobody knows"
    );
    // A name the analyst accepted is known from then on.
    let mut s = quiet("قال زنقلوط إن وزنقلوط");
    let per = s.labels().index("PER").unwrap();
    s.at("زنقلوط", Op::LabelWord { label: per });
    let f = s.on("وزنقلوط", 0);
    let out = s.apply(&f, Op::LabelWord { label: per });
    assert_eq!(out.message.as_deref(), Some("added «زنقلوط» as PER"));
    assert_eq!(s.markup(), "قال [PER:زنقلوط] إن و[PER:زنقلوط]");
}

#[test]
fn labelling_a_word_whose_name_is_already_suggested_settles_that_suggestion() {
    let text = "قال إن القصف طال وحمص أمس";
    let mut s = session(text);
    assert_eq!(s.markup(), "قال إن القصف طال و{LOC:حمص} أمس");
    // On the proclitic, outside the suggestion: it is what the word means.
    let f = s.on("وحمص", 0);
    assert_eq!(
        s.word_at(f.para, f.at()).map(|(a, b)| &text[a..b]),
        Some("حمص")
    );
    let org = s.labels().index("ORG").unwrap();
    let out = s.apply(&f, Op::LabelWord { label: org });
    assert_eq!(
        out.message.as_deref(),
        Some("accepted «حمص» as ORG · nothing left to review")
    );
    assert_eq!(s.markup(), "قال إن القصف طال و[ORG:حمص] أمس");
    let loc = s.labels().index("LOC").unwrap();
    s.apply(&f, Op::LabelWord { label: loc });
    assert_eq!(s.markup(), "قال إن القصف طال و[LOC:حمص] أمس", "relabelled");
}

#[test]
fn a_word_step_never_crosses_punctuation_and_says_exactly_what_changed() {
    let grow = |left| Op::Resize {
        left,
        grow: true,
        step: Step::Word,
        rtl: true,
    };
    let shrink = |left| Op::Resize {
        left,
        grow: false,
        step: Step::Word,
        rtl: true,
    };
    // A joiner inside a compound is crossed; a comma before the next word is not.
    let mut s = session("بدأ في {DATE:آذار}/مارس، وهو شهر");
    let out = s.at("آذار", grow(true));
    assert_eq!(
        out.message.as_deref(),
        Some("end (left edge) widened by «/مارس»: «آذار/مارس»")
    );
    let out = s.at("آذار", grow(true));
    assert_eq!(
        out.message.as_deref(),
        Some(
            "refused: «،» is in the way (a word step does not cross punctuation; \
             Alt steps by a character)"
        )
    );
    assert_eq!(s.markup(), "بدأ في {DATE:آذار/مارس}، وهو شهر");
    // Before a span after و, a word step takes the و alone, says so, and gives
    // it back alone.
    let mut s = session("هاجم الجيش و{ORG:داعش} المدينة");
    let out = s.at("داعش", grow(false));
    assert_eq!(
        out.message.as_deref(),
        Some("start (right edge) widened by «و»: «وداعش»")
    );
    let out = s.at("داعش", shrink(false));
    assert_eq!(
        out.message.as_deref(),
        Some("start (right edge) shrunk by «و»: «داعش»")
    );
    assert_eq!(s.markup(), "هاجم الجيش و{ORG:داعش} المدينة");
    s.at("داعش", grow(false));
    let out = s.at("داعش", grow(false));
    assert_eq!(
        out.message.as_deref(),
        Some("start (right edge) widened by «الجيش»: «الجيش وداعش»")
    );
    // Shrinking the start of a span that begins with a proclitic drops it first.
    let mut s = session("قال {ORG:والجيش السوري} إن");
    let out = s.at("والجيش", shrink(false));
    assert_eq!(
        out.message.as_deref(),
        Some("start (right edge) shrunk by «و»: «الجيش السوري»")
    );
}

#[test]
fn accepting_the_rest_of_a_paragraph_is_one_step() {
    let mut s = session(&format!("{NEWS}\n\nوأعلن داعش مسؤوليته"));
    let out = s.at("داعش", Op::AcceptRest);
    assert_eq!(
        out.message.as_deref(),
        Some("accepted 2 suggestions to the end of the paragraph")
    );
    assert_eq!(
        s.markup(),
        "قال {ORG:الجيش السوري} إن [ORG:داعش] انسحب من [LOC:دير الزور]\n\nوأعلن {ORG:داعش} مسؤوليته",
        "from the cursor on, in this paragraph only"
    );
    assert_eq!(s.para_of(out.cursor.unwrap()), 1, "on to the next one");
    let out = s.at("قال", Op::Undo);
    assert_eq!(
        out.message.as_deref(),
        Some("undid: accept 2 spans (0 more to undo)")
    );
    assert_eq!(
        s.markup(),
        session(&format!("{NEWS}\n\nوأعلن داعش مسؤوليته")).markup()
    );
    let out = s.at("انسحب", Op::AcceptRest);
    assert_eq!(out.message.as_deref(), Some("accepted «دير الزور» as LOC"));
    let out = s.at("انسحب", Op::AcceptRest);
    assert_eq!(
        out.message.as_deref(),
        Some("no suggestion left in the rest of this paragraph")
    );
}

mod memory;

mod layers;
