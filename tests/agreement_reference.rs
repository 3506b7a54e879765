//! Issue 15's second route: the agreement figures of `fixtures/agreement/reference.json`
//! were computed by scikit-learn's `cohen_kappa_score`, statsmodels' `fleiss_kappa`
//! and Python sets (`scripts/agreement_reference.py`, run once; not by this test).

use raqim::agreement::{self, DocLayers, Options, Span};
use serde_json::Value;

fn close(what: &str, got: Option<f64>, want: &Value) {
    let (Some(got), Some(want)) = (got, want.as_f64()) else {
        panic!("{what}: {got:?} vs {want}");
    };
    assert!((got - want).abs() < 1e-9, "{what}: {got} vs {want}");
}

#[test]
fn figures_match_scikit_learn_and_statsmodels() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/agreement/reference.json"
    );
    let fixture: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let docs: Vec<DocLayers> = fixture["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| DocLayers {
            id: d["id"].as_str().unwrap().to_string(),
            text: d["text"].as_str().unwrap().to_string(),
            layers: d["layers"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(name, spans)| {
                    let spans = serde_json::from_value::<Vec<Span>>(spans.clone()).unwrap();
                    (name.clone(), spans)
                })
                .collect(),
        })
        .collect();
    let report = agreement::compute(&docs, &Options::default()).unwrap();
    let expected = &fixture["expected"];
    let want = expected["pairs"].as_array().unwrap();
    assert_eq!(report.pairs.len(), want.len());
    for (p, w) in report.pairs.iter().zip(want) {
        let who = format!("{}-{}", p.a, p.b);
        assert_eq!(
            (p.a.as_str(), p.b.as_str()),
            (w["a"].as_str().unwrap(), w["b"].as_str().unwrap())
        );
        assert_eq!(
            p.documents as u64,
            w["documents"].as_u64().unwrap(),
            "{who}"
        );
        close(&format!("{who} F1"), p.f1, &w["f1"]);
        close(&format!("{who} kappa"), p.kappa, &w["kappa"]);
        let labels = w["labels"].as_object().unwrap();
        assert_eq!(
            p.labels.keys().collect::<Vec<_>>(),
            labels.keys().collect::<Vec<_>>()
        );
        for (l, f) in labels {
            close(&format!("{who} {l} F1"), p.labels[l].f1, f);
        }
    }
    close(
        "Fleiss' kappa",
        report.fleiss_kappa,
        &expected["fleiss_kappa"],
    );
}
