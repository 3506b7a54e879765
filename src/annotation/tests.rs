//! Review operations on readable fixtures: `{LABEL:text}` is a pending suggestion,
//! `[LABEL:text]` an accepted span; rejected spans are not shown.

use super::*;

/// Text and spans from markup.
pub(crate) fn parse(markup: &str) -> (String, Annotations) {
    let mut text = String::new();
    let mut ann = Annotations::new();
    let mut rest = markup;
    while let Some(i) = rest.find(['[', '{']) {
        text.push_str(&rest[..i]);
        let close = if rest[i..].starts_with('[') { ']' } else { '}' };
        let state = if close == ']' {
            State::Accepted
        } else {
            State::Pending
        };
        let body_end = i + rest[i..].find(close).unwrap();
        let (label, inner) = rest[i + 1..body_end].split_once(':').unwrap();
        let start = text.len();
        text.push_str(inner);
        let edit = Edit::Insert(Span {
            id: ann.next_id(),
            start,
            end: text.len(),
            label: label.to_string(),
            state,
            source: "test".into(),
            score: 0.9,
        });
        ann.apply(&text.clone(), edit).unwrap();
        rest = &rest[body_end + 1..];
    }
    text.push_str(rest);
    ann.undo.clear(); // the fixture is the starting point, not history
    (text, ann)
}

/// Markup from text and spans.
fn show(text: &str, ann: &Annotations) -> String {
    let mut out = String::new();
    let mut at = 0;
    for s in ann
        .spans()
        .into_iter()
        .filter(|s| s.state != State::Rejected)
    {
        out.push_str(&text[at..s.start]);
        let (o, c) = if s.state == State::Accepted {
            ('[', ']')
        } else {
            ('{', '}')
        };
        out.push_str(&format!("{o}{}:{}{c}", s.label, &text[s.start..s.end]));
        at = s.end;
    }
    out.push_str(&text[at..]);
    out
}

// The builders the review uses, on a stored span found by id.
fn stored(a: &Annotations, id: u64) -> Result<Span, Refusal> {
    a.get(id).cloned().ok_or(Refusal::NoSuchSpan)
}

fn accept(a: &Annotations, id: u64, label: Option<&str>) -> Result<Edit, Refusal> {
    Ok(Edit::settle(stored(a, id)?, true, label))
}

fn reject(a: &Annotations, id: u64) -> Result<Edit, Refusal> {
    Ok(Edit::settle(stored(a, id)?, false, None))
}

fn resize(
    a: &Annotations,
    text: &str,
    id: u64,
    end: End,
    step: Step,
    grow: bool,
) -> Result<Edit, Refusal> {
    let s = stored(a, id)?;
    let range = resized(text, s.start, s.end, end, step, grow)?;
    Ok(Edit::change(s, |x| (x.start, x.end) = range))
}

fn id_of(ann: &Annotations, text: &str, needle: &str) -> u64 {
    let at = text.find(needle).unwrap();
    ann.at(at).unwrap().id
}

/// Applies `op` to the span containing `needle` and returns the markup.
fn run(
    markup: &str,
    needle: &str,
    op: impl Fn(&Annotations, &str, u64) -> Result<Edit, Refusal>,
) -> Result<String, Refusal> {
    let (text, mut ann) = parse(markup);
    let id = id_of(&ann, &text, needle);
    let edit = op(&ann, &text, id)?;
    ann.apply(&text, edit)?;
    Ok(show(&text, &ann))
}

#[test]
fn fixtures_round_trip() {
    let m = "قال {ORG:الجيش السوري} إن [LOC:دير الزور] محاصرة";
    let (text, ann) = parse(m);
    assert_eq!(show(&text, &ann), m);
    assert_eq!(ann.counts(), (1, 1, 0));
}

#[test]
fn accept_relabel_reject_delete() {
    let m = "قال {ORG:الجيش السوري} إن {LOC:دير الزور} محاصرة";
    assert_eq!(
        run(m, "الجيش", |a, _, id| accept(a, id, None)).unwrap(),
        "قال [ORG:الجيش السوري] إن {LOC:دير الزور} محاصرة"
    );
    assert_eq!(
        run(m, "دير", |a, _, id| accept(a, id, Some("FAC"))).unwrap(),
        "قال {ORG:الجيش السوري} إن [FAC:دير الزور] محاصرة"
    );
    assert_eq!(
        run(m, "دير", |a, _, id| reject(a, id)).unwrap(),
        "قال {ORG:الجيش السوري} إن دير الزور محاصرة"
    );
    assert_eq!(
        run(m, "الجيش", |a, _, id| a.delete(id)).unwrap(),
        "قال الجيش السوري إن {LOC:دير الزور} محاصرة"
    );
}

#[test]
fn widen_and_shrink_at_both_ends_in_reading_order() {
    let m = "قال {ORG:الجيش} السوري إن";
    let grow_stop = run(m, "الجيش", |a, t, id| {
        resize(a, t, id, End::Stop, Step::Word, true)
    });
    assert_eq!(grow_stop.unwrap(), "قال {ORG:الجيش السوري} إن");
    let grow_start = run(m, "الجيش", |a, t, id| {
        resize(a, t, id, End::Start, Step::Word, true)
    });
    assert_eq!(grow_start.unwrap(), "{ORG:قال الجيش} السوري إن");
    let m = "قال {ORG:الجيش السوري} إن";
    let shrink_stop = run(m, "الجيش", |a, t, id| {
        resize(a, t, id, End::Stop, Step::Word, false)
    });
    assert_eq!(shrink_stop.unwrap(), "قال {ORG:الجيش} السوري إن");
    let shrink_start = run(m, "الجيش", |a, t, id| {
        resize(a, t, id, End::Start, Step::Word, false)
    });
    assert_eq!(shrink_start.unwrap(), "قال الجيش {ORG:السوري} إن");
    // A one-word span does not shrink to nothing.
    let m = "قال {ORG:الجيش} إن";
    assert_eq!(
        run(m, "الجيش", |a, t, id| resize(
            a,
            t,
            id,
            End::Stop,
            Step::Word,
            false
        )),
        Err(Refusal::Empty)
    );
}

#[test]
fn character_steps_keep_harakat_on_their_letter() {
    let m = "{PER:قالَ} ووصل";
    let shrink = run(m, "قا", |a, t, id| {
        resize(a, t, id, End::Stop, Step::Chars(1), false)
    });
    assert_eq!(shrink.unwrap(), "{PER:قا}لَ ووصل");
    let m = "و{PER:قالَ}";
    let grow = run(m, "قا", |a, t, id| {
        resize(a, t, id, End::Start, Step::Chars(1), true)
    });
    assert_eq!(grow.unwrap(), "{PER:وقالَ}");
    // At the text's edge there is nowhere to go.
    let m = "{PER:قالَ}";
    assert_eq!(
        run(m, "قا", |a, t, id| resize(
            a,
            t,
            id,
            End::Stop,
            Step::Chars(1),
            true
        )),
        Err(Refusal::OutOfText)
    );
}

#[test]
fn overlaps_are_refused_naming_the_span_in_the_way() {
    let m = "قال {ORG:الجيش} {LOC:السوري} إن";
    let err = run(m, "الجيش", |a, t, id| {
        resize(a, t, id, End::Stop, Step::Word, true)
    })
    .unwrap_err();
    assert_eq!(
        err,
        Refusal::Overlap {
            label: "LOC".into(),
            text: "السوري".into()
        }
    );
    assert!(err.to_string().contains("LOC") && err.to_string().contains("السوري"));
    // A rejected span is no obstacle.
    let (text, mut ann) = parse(m);
    let loc = id_of(&ann, &text, "السوري");
    ann.apply(&text, reject(&ann, loc).unwrap()).unwrap();
    let org = id_of(&ann, &text, "الجيش");
    let grow = resize(&ann, &text, org, End::Stop, Step::Word, true).unwrap();
    assert!(ann.apply(&text, grow).is_ok());
    // Creating over an existing span is refused too.
    let (text, mut ann) = parse("قال {ORG:الجيش السوري} إن");
    let s = text.find("السوري").unwrap();
    let e = text.len();
    assert!(matches!(
        ann.apply(&text, ann.create(s, e, "LOC")),
        Err(Refusal::Overlap { .. })
    ));
    let s = text.find("إن").unwrap();
    ann.apply(&text, ann.create(s, text.len(), "LOC")).unwrap();
    assert_eq!(show(&text, &ann), "قال {ORG:الجيش السوري} [LOC:إن]");
}

#[test]
fn undo_and_redo_walk_every_step_back_and_forth() {
    let start = "قال {ORG:الجيش} السوري إن {LOC:دير الزور} محاصرة";
    let (text, mut ann) = parse(start);
    let org = id_of(&ann, &text, "الجيش");
    let loc = id_of(&ann, &text, "دير");
    let mut seen = vec![show(&text, &ann)];
    // Each operation is built on the spans as they are, then applied.
    ann.apply(
        &text,
        resize(&ann, &text, org, End::Stop, Step::Word, true).unwrap(),
    )
    .unwrap();
    seen.push(show(&text, &ann));
    ann.apply(&text, accept(&ann, org, None).unwrap()).unwrap();
    seen.push(show(&text, &ann));
    ann.apply(&text, reject(&ann, loc).unwrap()).unwrap();
    seen.push(show(&text, &ann));
    let s = text.find("محاصرة").unwrap();
    ann.apply(&text, ann.create(s, text.len(), "LOC")).unwrap();
    seen.push(show(&text, &ann));
    assert_eq!(ann.undo_depth(), 4);
    // Back to the start, one step at a time, through every state seen.
    for expected in seen.iter().rev().skip(1) {
        ann.undo().unwrap();
        assert_eq!(&show(&text, &ann), expected);
    }
    assert_eq!(ann.undo(), Err(Refusal::NothingToUndo));
    for expected in seen.iter().skip(1) {
        ann.redo().unwrap();
        assert_eq!(&show(&text, &ann), expected);
    }
    assert_eq!(ann.redo(), Err(Refusal::NothingToRedo));
    // An edit built on spans that have changed since is refused, not applied.
    let stale = reject(&ann, org).unwrap();
    ann.apply(&text, accept(&ann, org, Some("PER")).unwrap())
        .unwrap();
    assert_eq!(ann.apply(&text, stale), Err(Refusal::Stale));
    ann.undo().unwrap();
    // A new step after an undo drops what could have been redone.
    ann.undo().unwrap();
    ann.apply(&text, ann.delete(org).unwrap()).unwrap();
    assert_eq!(ann.redo(), Err(Refusal::NothingToRedo));
}

#[test]
fn edits_serialize_for_the_log() {
    let (text, ann) = parse("قال {ORG:الجيش} السوري");
    let id = id_of(&ann, &text, "الجيش");
    let edit = Edit::Batch(vec![
        accept(&ann, id, Some("LOC")).unwrap(),
        ann.create(0, "قال".len(), "PER"),
    ]);
    let json = serde_json::to_string(&edit).unwrap();
    assert_eq!(serde_json::from_str::<Edit>(&json).unwrap(), edit);
    assert_eq!(edit.inverse().inverse(), edit);
}

#[test]
fn a_word_step_out_crosses_white_space_or_a_joiner_never_punctuation() {
    let text = "in Deir ez-Zor, Syria (SY) today";
    let at = |s: &str| text.find(s).unwrap();
    let grow = |span: (usize, usize)| {
        resized_in(text, span, End::Stop, Step::Word, true, 0..text.len(), &[])
    };
    let deir = (at("Deir"), at("Deir") + 4);
    let ez = grow(deir).unwrap();
    assert_eq!(&text[ez.0..ez.1], "Deir ez");
    let zor = grow(ez).unwrap();
    assert_eq!(&text[zor.0..zor.1], "Deir ez-Zor", "a hyphen joins");
    assert_eq!(grow(zor), Err(Refusal::Punctuation(",".into())));
    let syria = (at("Syria"), at("Syria") + 5);
    assert_eq!(grow(syria), Err(Refusal::Punctuation("(".into())));
    // Inside a paragraph, its end is a paragraph's edge, not the text's.
    let today = (at("today"), text.len());
    assert_eq!(
        resized_in(text, today, End::Stop, Step::Word, true, 0..text.len(), &[]),
        Err(Refusal::OutOfText)
    );
    let para = at("Syria")..at(" today");
    let sy = (at("SY"), at("SY") + 2);
    assert_eq!(
        resized_in(text, sy, End::Stop, Step::Word, true, para, &[]),
        Err(Refusal::Paragraph)
    );
    // A split inside a word is a stop for the start, both ways.
    let word = at("Deir");
    let split = word + 1;
    let span = (split, deir.1);
    let out = resized_in(
        text,
        span,
        End::Start,
        Step::Word,
        true,
        0..text.len(),
        &[split],
    );
    assert_eq!(out, Ok((word, deir.1)));
    let back = resized_in(
        text,
        (word, deir.1),
        End::Start,
        Step::Word,
        false,
        0..text.len(),
        &[split],
    );
    assert_eq!(back, Ok(span));
}

#[test]
fn shrinking_by_characters_never_leaves_a_space_at_the_edge() {
    let text = "قال اللواء 137 أمس";
    let span = (text.find("اللواء").unwrap(), text.find(" أمس").unwrap());
    let shrink = |which, n| resized(text, span.0, span.1, which, Step::Chars(n), false);
    // The number crossed whole (three clusters) leaves the title, not «اللواء ».
    let (s, t) = shrink(End::Stop, 3).unwrap();
    assert_eq!(&text[s..t], "اللواء");
    // From the start: the title's six letters go, and the space after them.
    let (s, t) = shrink(End::Start, 6).unwrap();
    assert_eq!(&text[s..t], "137");
    // A step that would leave only white space empties the span: refused.
    let spaced = (span.0, text.find("137").unwrap());
    assert_eq!(
        resized(text, spaced.0, spaced.1, End::Start, Step::Chars(6), false),
        Err(Refusal::Empty)
    );
}
