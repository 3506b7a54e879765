//! Suggestions on any text: no panic, and every span an exact, non-overlapping range
//! of the text on character boundaries, with a known label and a score in 0..1.

use proptest::prelude::*;
use raqim::suggest::Engine;
use raqim::suggest::dict::DocTokens;
use raqim::suggest::memory::Memory;
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(Engine::builtin)
}

fn arabic_news() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => prop::sample::select(vec![
            "الجيش", "السوري", "داعش", "دير", "الزور", "والتحالف", "الأميركي", "للأمم", "المتحدة",
            "العميد", "سهيل", "الحسن", "اللواء", "137", "3", "كلم", "آذار", "/", "مارس", "عام",
            "2019", "الأحد", "وزارة", "الدفاع", "الروسية", "جبل", "البشري", "حقل", "في", "من",
            "قال", "٢٠١٩", "4.5", "%", "(", ")", "«", "»", "،", ".", "\n", "ـ", "\u{064E}",
            "\u{200C}", "\u{200F}", "😀", "NATO",
        ]).prop_map(str::to_string),
        3 => Just(" ".to_string()),
        1 => any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

fn check(text: &str, memory: Option<&Memory>) -> Result<(), TestCaseError> {
    let e = engine();
    let s = e.suggest(text, memory);
    let mut last_end = 0;
    for x in &s {
        prop_assert!(x.start < x.end && x.end <= text.len());
        prop_assert!(text.is_char_boundary(x.start) && text.is_char_boundary(x.end));
        prop_assert!(x.start >= last_end, "overlap or disorder");
        last_end = x.end;
        prop_assert!(e.labels.get(&x.label).is_some());
        prop_assert!(x.score > 0.0 && x.score <= 1.0);
        // A span never starts or ends in white space.
        let span = &text[x.start..x.end];
        prop_assert!(
            !span.starts_with(char::is_whitespace) && !span.ends_with(char::is_whitespace)
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn spans_are_exact_ranges_on_news_like_text(text in arabic_news()) {
        check(&text, None)?;
    }

    #[test]
    fn spans_are_exact_ranges_on_arbitrary_text(text in any::<String>()) {
        check(&text, None)?;
    }

    #[test]
    fn learning_from_any_span_keeps_suggestions_exact(text in arabic_news(), a in 0usize..200, b in 0usize..200) {
        // The analyst may accept or reject any range that lies on boundaries.
        let doc = DocTokens::new(&text);
        let (mut s, mut e) = (a.min(b).min(text.len()), a.max(b).min(text.len()));
        while !text.is_char_boundary(s) { s -= 1; }
        while !text.is_char_boundary(e) { e -= 1; }
        let mut memory = Memory::new();
        if s < e {
            memory.accept(&doc, s, e, "ORG");
            memory.reject(&doc, s, e, "LOC");
        }
        check(&text, Some(&memory))?;
        let back = Memory::from_json(&memory.to_json()).unwrap();
        check(&text, Some(&back))?;
    }
}
