//! The promises of `raqim assign` on any documents and annotators: every document to
//! exactly N different annotators, loads within one, pairs spread (within one for 3
//! annotators and for up to 5 with N = 2, within two up to 5), the same input giving
//! the same assignment whatever the order of the names, and assigning in two runs
//! keeping the first run's and giving what one run gives.

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;
use raqim::assign::{assign, loads, pair_counts};

fn names(k: usize) -> Vec<String> {
    [
        "amal", "basel", "dina", "fadi", "hala", "karim", "lina", "omar",
    ][..k]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

fn docs(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("doc-{i}")).collect()
}

fn spread(v: impl Iterator<Item = usize> + Clone) -> usize {
    v.clone().max().unwrap_or(0) - v.min().unwrap_or(0)
}

/// Annotators, per document, documents, and a point where a second run starts.
fn shape() -> impl Strategy<Value = (usize, usize, usize, usize)> {
    (1usize..=8)
        .prop_flat_map(|k| (Just(k), 1..=k, 0usize..120))
        .prop_flat_map(|(k, n, d)| (Just(k), Just(n), Just(d), 0..=d))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn each_document_goes_to_n_annotators_with_loads_within_one((k, n, d, _) in shape()) {
        let who = names(k);
        let rows = assign(&[], &docs(d), &who, n).unwrap();
        let mut per_doc: HashMap<&str, HashSet<&str>> = HashMap::new();
        for (doc, a) in &rows {
            prop_assert!(who.contains(a), "{a} was not named");
            prop_assert!(per_doc.entry(doc).or_default().insert(a), "{doc} twice to {a}");
        }
        prop_assert_eq!(per_doc.len(), d);
        prop_assert!(per_doc.values().all(|s| s.len() == n));
        let l = loads(&rows, &who);
        prop_assert!(spread(l.iter().map(|x| x.1)) <= 1, "{:?}", l);
    }

    #[test]
    fn pairs_share_documents_evenly((k, n, d, _) in shape()) {
        prop_assume!(k <= 5);
        let who = names(k);
        let rows = assign(&[], &docs(d), &who, n).unwrap();
        let pairs = pair_counts(&rows, &who);
        let bound = if k == 3 || n == 2 { 1 } else { 2 };
        prop_assert!(spread(pairs.iter().map(|x| x.1)) <= bound, "{:?}", pairs);
    }

    #[test]
    fn the_same_request_gives_the_same_assignment_whatever_the_order_of_names(
        (k, n, d, _) in shape()
    ) {
        let who = names(k);
        let mut reversed = who.clone();
        reversed.reverse();
        let a = assign(&[], &docs(d), &who, n).unwrap();
        prop_assert_eq!(&a, &assign(&[], &docs(d), &who, n).unwrap());
        prop_assert_eq!(&a, &assign(&[], &docs(d), &reversed, n).unwrap());
    }

    #[test]
    fn a_second_run_keeps_the_first_and_gives_what_one_run_gives((k, n, d, cut) in shape()) {
        let who = names(k);
        let all = docs(d);
        let first = assign(&[], &all[..cut], &who, n).unwrap();
        // The second run is given every document: the first run's are left as they are.
        let second = assign(&first, &all, &who, n).unwrap();
        prop_assert!(second.iter().all(|(doc, _)| !all[..cut].contains(doc)));
        let mut both = first.clone();
        both.extend(second);
        prop_assert_eq!(both, assign(&[], &all, &who, n).unwrap());
    }

    #[test]
    fn a_newcomer_never_widens_the_spread_of_loads((k, n, d, cut) in shape()) {
        prop_assume!(k >= 2 && n < k);
        let all = docs(d);
        // The first run without the last annotator, the second with everyone.
        let first = assign(&[], &all[..cut], &names(k - 1), n).unwrap();
        let before = spread(loads(&first, &names(k)).iter().map(|x| x.1));
        let mut both = first.clone();
        both.extend(assign(&first, &all, &names(k), n).unwrap());
        let after = spread(loads(&both, &names(k)).iter().map(|x| x.1));
        prop_assert!(after <= before.max(1), "from {} to {}", before, after);
    }
}
