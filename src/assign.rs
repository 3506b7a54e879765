//! Who reads which document: a balanced, reproducible assignment of documents to
//! annotators, each document to `per_doc` distinct annotators (issue 15).
//!
//! Pure: ids and names in, (document, annotator) pairs out. It must not read the
//! store, the clock or a random source: the same input always gives the same
//! assignment, so two curators running `raqim assign` on the same database agree.
//!
//! The choice for each document depends only on how many documents each listed
//! annotator already has and how many each pair of them shares, so assigning
//! documents in two runs gives exactly what one run over all of them gives
//! ([`assign`] counts the assignment so far).
//!
//! What is guaranteed (and property-tested in `tests/assign_props.rs`):
//! - every new document goes to exactly `per_doc` distinct annotators;
//! - the spread of the listed annotators' loads (most documents minus fewest) never
//!   grows: from nothing, or from an assignment within one, it stays within one;
//! - documents already assigned are left as they are;
//! - pairs of annotators share documents as evenly as a greedy choice gets them:
//!   within one document of each other for 3 annotators, and for 4 or 5 with
//!   `per_doc` 2; within two for up to 5 annotators. That is all that is claimed.
//!   With more annotators some shapes drift further (6 or 10 annotators with
//!   `per_doc` 2 repeat the same pairs); a round-robin schedule would fix those.

use std::collections::{HashMap, HashSet};

/// A bad request, said in the words of `raqim assign`'s options.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssignError {
    #[error("--per-doc 0: each document must go to at least one annotator")]
    ZeroPerDoc,
    #[error(
        "--per-doc {per_doc} but {} annotator(s) given ({}): a document goes to {per_doc} different annotators, so name at least {per_doc} or lower --per-doc",
        names.len(),
        names.join(", ")
    )]
    TooFew { per_doc: usize, names: Vec<String> },
    #[error("annotator {0:?} is named twice in --annotators; name each once")]
    Duplicate(String),
    #[error(
        "an empty annotator name in --annotators (a stray comma?); expected names separated by commas, e.g. amal,basel,dina"
    )]
    EmptyName,
    #[error("{0}: an annotator's name is their layer's; choose another name")]
    BadName(String),
}

/// Checks the request: `per_doc` at least 1 and at most the number of annotators,
/// names non-empty (not only spaces) and each given once.
pub fn check(annotators: &[String], per_doc: usize) -> Result<(), AssignError> {
    let mut seen = HashSet::new();
    for a in annotators {
        if a.trim().is_empty() {
            return Err(AssignError::EmptyName);
        }
        if let Err(why) = crate::store::check_annotator(a) {
            return Err(AssignError::BadName(why));
        }
        if !seen.insert(a.as_str()) {
            return Err(AssignError::Duplicate(a.clone()));
        }
    }
    if per_doc == 0 {
        return Err(AssignError::ZeroPerDoc);
    }
    if per_doc > annotators.len() {
        return Err(AssignError::TooFew {
            per_doc,
            names: annotators.to_vec(),
        });
    }
    Ok(())
}

/// The (document, annotator) pairs to add so that each of `docs` that `existing`
/// does not assign yet goes to `per_doc` of `annotators`: by document in the order
/// of `docs` (each once), then by annotator name. A document `existing` assigns to
/// anyone is left as it is. The order of `annotators` does not matter.
///
/// Each document goes to the annotators with the fewest documents (counting
/// `existing`); among those equally loaded, to the ones that have shared fewest
/// documents with the others chosen, then by name.
pub fn assign(
    existing: &[(String, String)],
    docs: &[String],
    annotators: &[String],
    per_doc: usize,
) -> Result<Vec<(String, String)>, AssignError> {
    check(annotators, per_doc)?;
    let mut names: Vec<&str> = annotators.iter().map(String::as_str).collect();
    names.sort_unstable();
    let k = names.len();
    let index: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let mut loads = vec![0usize; k];
    let mut pairs = vec![vec![0usize; k]; k];
    let mut assigned: HashSet<&str> = HashSet::new();
    // The listed annotators of each document assigned so far.
    let mut by_doc: HashMap<&str, Vec<usize>> = HashMap::new();
    for (doc, who) in existing {
        assigned.insert(doc.as_str());
        let members = by_doc.entry(doc.as_str()).or_default();
        if let Some(&i) = index.get(who.as_str())
            && !members.contains(&i)
        {
            members.push(i);
        }
    }
    for members in by_doc.values() {
        add(&mut loads, &mut pairs, members);
    }
    let mut out = Vec::new();
    for doc in docs {
        if !assigned.insert(doc.as_str()) {
            continue;
        }
        let mut chosen = choose(&loads, &pairs, per_doc);
        add(&mut loads, &mut pairs, &chosen);
        chosen.sort_unstable();
        out.extend(
            chosen
                .into_iter()
                .map(|i| (doc.clone(), names[i].to_string())),
        );
    }
    Ok(out)
}

/// Counts one document given to `members`.
fn add(loads: &mut [usize], pairs: &mut [Vec<usize>], members: &[usize]) {
    for (x, &a) in members.iter().enumerate() {
        loads[a] += 1;
        for &b in &members[x + 1..] {
            pairs[a][b] += 1;
            pairs[b][a] += 1;
        }
    }
}

/// `n` annotators for the next document: every one loaded below the `n`-th lowest
/// load, then from those at that load the ones sharing fewest documents with the
/// chosen (the fewest shared with any one of them first, then in all).
fn choose(loads: &[usize], pairs: &[Vec<usize>], n: usize) -> Vec<usize> {
    let mut by_load: Vec<usize> = (0..loads.len()).collect();
    by_load.sort_by_key(|&i| (loads[i], i));
    let edge = loads[by_load[n - 1]];
    let mut chosen: Vec<usize> = by_load
        .iter()
        .copied()
        .filter(|&i| loads[i] < edge)
        .collect();
    let mut pool: Vec<usize> = by_load
        .iter()
        .copied()
        .filter(|&i| loads[i] == edge)
        .collect();
    if chosen.is_empty() && n >= 2 {
        // Start from the pair of the pool that has shared fewest documents.
        let mut best = (usize::MAX, 0, 0);
        for (x, &a) in pool.iter().enumerate() {
            for &b in &pool[x + 1..] {
                if pairs[a][b] < best.0 {
                    best = (pairs[a][b], a, b);
                }
            }
        }
        chosen.extend([best.1, best.2]);
        pool.retain(|&i| i != best.1 && i != best.2);
    }
    while chosen.len() < n {
        let (at, _) = pool
            .iter()
            .enumerate()
            .min_by_key(|&(_, &c)| {
                let most = chosen.iter().map(|&x| pairs[c][x]).max().unwrap_or(0);
                let all: usize = chosen.iter().map(|&x| pairs[c][x]).sum();
                (most, all, c)
            })
            .expect("the pool holds at least the annotators still needed");
        chosen.push(pool.remove(at));
    }
    chosen
}

/// Each annotator's number of documents in `rows`, by name; every one of
/// `annotators` is listed, with 0 if it has none.
pub fn loads(rows: &[(String, String)], annotators: &[String]) -> Vec<(String, usize)> {
    let mut count: HashMap<&str, usize> = annotators.iter().map(|a| (a.as_str(), 0)).collect();
    for (_, who) in rows {
        *count.entry(who.as_str()).or_default() += 1;
    }
    let mut v: Vec<(String, usize)> = count.into_iter().map(|(a, n)| (a.to_string(), n)).collect();
    v.sort();
    v
}

/// For every pair of annotators in `rows` or `annotators` (by name, the lesser
/// first), how many documents they share; pairs sharing none are listed with 0.
pub fn pair_counts(
    rows: &[(String, String)],
    annotators: &[String],
) -> Vec<((String, String), usize)> {
    let mut names: Vec<&str> = annotators.iter().map(String::as_str).collect();
    names.extend(rows.iter().map(|(_, a)| a.as_str()));
    names.sort_unstable();
    names.dedup();
    let mut by_doc: HashMap<&str, Vec<&str>> = HashMap::new();
    for (doc, who) in rows {
        by_doc.entry(doc.as_str()).or_default().push(who.as_str());
    }
    let mut count: HashMap<(&str, &str), usize> = HashMap::new();
    for (x, a) in names.iter().enumerate() {
        for b in &names[x + 1..] {
            count.insert((a, b), 0);
        }
    }
    for members in by_doc.values_mut() {
        members.sort_unstable();
        members.dedup();
        for (x, a) in members.iter().enumerate() {
            for b in &members[x + 1..] {
                *count.entry((a, b)).or_default() += 1;
            }
        }
    }
    let mut v: Vec<((String, String), usize)> = count
        .into_iter()
        .map(|((a, b), n)| ((a.to_string(), b.to_string()), n))
        .collect();
    v.sort();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn three_annotators_two_per_document_take_turns_by_pair() {
        let docs = s(&["d1", "d2", "d3", "d4", "d5", "d6"]);
        let rows = assign(&[], &docs, &s(&["c", "a", "b"]), 2).unwrap();
        let got: Vec<String> = rows.iter().map(|(d, a)| format!("{d}:{a}")).collect();
        assert_eq!(
            got,
            s(&[
                "d1:a", "d1:b", "d2:a", "d2:c", "d3:b", "d3:c", "d4:a", "d4:b", "d5:a", "d5:c",
                "d6:b", "d6:c"
            ])
        );
    }

    #[test]
    fn bad_requests_say_what_was_wrong() {
        let docs = s(&["d1"]);
        assert_eq!(
            assign(&[], &docs, &s(&["a", "b"]), 3)
                .unwrap_err()
                .to_string(),
            "--per-doc 3 but 2 annotator(s) given (a, b): a document goes to 3 different \
             annotators, so name at least 3 or lower --per-doc"
        );
        assert_eq!(
            assign(&[], &docs, &s(&["a"]), 0),
            Err(AssignError::ZeroPerDoc)
        );
        assert_eq!(
            assign(&[], &docs, &s(&["a", "b", "a"]), 1),
            Err(AssignError::Duplicate("a".into()))
        );
        assert_eq!(
            assign(&[], &docs, &s(&["a", " "]), 1),
            Err(AssignError::EmptyName)
        );
    }

    #[test]
    fn a_new_annotator_catches_up_before_the_others_get_more() {
        let first = assign(&[], &s(&["d1", "d2"]), &s(&["a", "b"]), 1).unwrap();
        let more = assign(&first, &s(&["d1", "d3", "d4"]), &s(&["a", "b", "c"]), 1).unwrap();
        assert_eq!(
            more,
            vec![("d3".into(), "c".into()), ("d4".into(), "a".into())]
        );
    }
}
