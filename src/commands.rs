//! The headless commands `suggest` and `eval`: reading inputs, running the core,
//! writing results. No terminal here.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::corpus::{DocRecord, SpanRecord, read_jsonl};
use crate::document::decode;
use crate::eval::{Scores, record_spans, replay};
use crate::offsets::{OffsetMap, Offsets, convert_sorted};
use crate::suggest::Engine;
use crate::suggest::memory::Memory;

fn read_text(path: &Path) -> anyhow::Result<(String, String)> {
    if path.as_os_str() == "-" {
        let bytes = crate::read_input_from(std::io::stdin().lock())
            .context("standard input: cannot read")?;
        let (text, _, _) = decode("<stdin>", bytes, false)?;
        return Ok(("stdin".into(), text));
    }
    let (text, _, _) = decode(&path.display().to_string(), crate::read_input(path)?, false)?;
    // The id is the file name without its extension, as in the gold files.
    let id = path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    Ok((id, text))
}

fn read_records(path: &Path, unit: Offsets, skip_bad: bool) -> anyhow::Result<Vec<DocRecord>> {
    let name = path.display().to_string();
    let (src, _, _) = decode(&name, crate::read_input(path)?, false)?;
    let (docs, bad) = read_jsonl(&name, &src, unit, skip_bad)?;
    for e in &bad {
        eprintln!("raqim: skipped {e}");
    }
    Ok(docs)
}

fn is_jsonl(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "jsonl")
}

/// `raqim suggest`: one JSON object per document. Nothing is written if an input is
/// bad (unless `skip_bad`), since inputs are all read before the first line.
pub fn suggest(
    engine: &Engine,
    files: &[PathBuf],
    unit: Offsets,
    skip_bad: bool,
    memory: Option<&Path>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut docs: Vec<(String, String)> = Vec::new();
    for f in files {
        if is_jsonl(f) {
            for r in read_records(f, unit, skip_bad)? {
                docs.push((r.id, r.text));
            }
        } else {
            docs.push(read_text(f)?);
        }
    }
    let memory = match memory {
        Some(p) => {
            let s = crate::read_text(p)?;
            Some(Memory::from_json(&s).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?)
        }
        None => None,
    };
    // Documents in parallel batches, written in input order.
    use rayon::prelude::*;
    for batch in docs.chunks(64) {
        let lines: Vec<Vec<u8>> = batch
            .par_iter()
            .map(|(id, text)| {
                let sugg = engine.suggest(text, memory.as_ref());
                let rec = to_record(id.clone(), text.clone(), &sugg, unit);
                let mut line = serde_json::to_vec(&rec).expect("records serialize");
                line.push(b'\n');
                line
            })
            .collect();
        for line in lines {
            out.write_all(&line)?;
        }
    }
    Ok(())
}

/// A document with its suggestions, offsets in `unit`.
fn to_record(
    id: String,
    text: String,
    sugg: &[crate::suggest::Suggestion],
    unit: Offsets,
) -> DocRecord {
    // Suggestions are in text order and never overlap: starts and ends interleave.
    let ends: Vec<usize> = sugg.iter().flat_map(|s| [s.start, s.end]).collect();
    let units = convert_sorted(&text, unit, &ends);
    let spans = sugg
        .iter()
        .enumerate()
        .map(|(i, s)| SpanRecord {
            start: units[2 * i],
            end: units[2 * i + 1],
            label: s.label.clone(),
            source: Some(s.source.clone()),
            score: Some((s.score * 1000.0).round() / 1000.0),
            state: None,
        })
        .collect();
    DocRecord {
        id,
        text,
        spans,
        meta: None,
    }
}

/// Options of `raqim eval`.
pub struct EvalArgs<'a> {
    pub gold: &'a Path,
    pub pred: Option<&'a Path>,
    pub replay: bool,
    pub labels: &'a [String],
    pub skip: usize,
    pub every: usize,
    pub save_memory: Option<&'a Path>,
    /// With replay: write what was suggested for each document (code points).
    pub write_pred: Option<&'a Path>,
    /// With replay: how much the analyst settles before suggestions are remade.
    pub unit: crate::eval::Unit,
    pub offsets: Offsets,
}

/// `raqim eval`: figures per label and micro, or a replay.
pub fn eval(engine: &Engine, a: &EvalArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let keep: Option<HashSet<String>> =
        (!a.labels.is_empty()).then(|| a.labels.iter().map(|l| l.trim().to_string()).collect());
    let gold = read_records(a.gold, a.offsets, false)?;
    let gold: Vec<DocRecord> = without_rejected(gold.into_iter().skip(a.skip).collect());
    // Work in code points from here on.
    let gold = to_code_points(gold, a.offsets);
    if a.replay {
        let mut preds: Vec<DocRecord> = Vec::new();
        let (scores, memory) = replay(
            engine,
            &gold,
            keep.as_ref(),
            a.unit,
            a.every,
            |n, s| {
                let m = s.micro();
                let (p, r, f) = m.prf();
                let _ = writeln!(out, "after {n:>4} documents: P {p:.3} R {r:.3} F1 {f:.3}");
            },
            |doc, sugg| {
                if a.write_pred.is_some() {
                    preds.push(to_record(
                        doc.id.clone(),
                        doc.text.clone(),
                        sugg,
                        Offsets::CodePoints,
                    ));
                }
            },
        );
        if let Some(path) = a.write_pred {
            let mut buf = Vec::new();
            for r in &preds {
                serde_json::to_writer(&mut buf, r)?;
                buf.push(b'\n');
            }
            crate::atomic_write(path, &buf)?;
        }
        write!(out, "{}", scores.report())?;
        if let Some(path) = a.save_memory {
            crate::atomic_write(path, memory.to_json().as_bytes())?;
        }
        return Ok(());
    }
    let Some(pred_path) = a.pred else {
        bail!("eval needs PRED.jsonl, or --replay");
    };
    let pred = read_records(pred_path, a.offsets, false)?;
    let pred = without_rejected(pred.into_iter().skip(a.skip).collect());
    let pred = to_code_points(pred, a.offsets);
    let by_id: std::collections::HashMap<&str, &DocRecord> =
        pred.iter().map(|d| (d.id.as_str(), d)).collect();
    // raqim's export names a document by its name, or by its hash with `--ids hash`
    // (its name then in `meta.name`): a document is found by its id, else by a name.
    let mut by_name: std::collections::HashMap<&str, &DocRecord> = Default::default();
    for d in &pred {
        for n in d.names() {
            by_name.entry(n).or_insert(d);
        }
    }
    let mut scores = Scores::default();
    for g in &gold {
        let found = by_id
            .get(g.id.as_str())
            .or_else(|| by_name.get(g.id.as_str()))
            .or_else(|| g.names().iter().find_map(|n| by_id.get(n)));
        let Some(p) = found else {
            bail!(
                "{}: no document with id or name {:?} (it is in {})",
                pred_path.display(),
                g.id,
                a.gold.display()
            );
        };
        if p.text != g.text {
            bail!(
                "{}: document {:?} has a different text than in {}",
                pred_path.display(),
                g.id,
                a.gold.display()
            );
        }
        scores.add_doc(&g.text, &record_spans(g), &record_spans(p), keep.as_ref());
    }
    write!(out, "{}", scores.report())?;
    Ok(())
}

/// The records without the spans they mark rejected (an `export --state all` of a
/// review lists the suggestions the analyst rejected): no prediction, no gold.
fn without_rejected(mut docs: Vec<DocRecord>) -> Vec<DocRecord> {
    for d in &mut docs {
        d.spans.retain(|s| s.state.as_deref() != Some("rejected"));
    }
    docs
}

fn to_code_points(docs: Vec<DocRecord>, unit: Offsets) -> Vec<DocRecord> {
    if unit == Offsets::CodePoints {
        return docs;
    }
    docs.into_iter()
        .map(|mut d| {
            let from = OffsetMap::new(&d.text, unit);
            let to = OffsetMap::new(&d.text, Offsets::CodePoints);
            for s in &mut d.spans {
                // Checked on reading: every offset is on a boundary.
                s.start = to.from_byte(from.to_byte(s.start, &d.text).unwrap_or(0));
                s.end = to.from_byte(from.to_byte(s.end, &d.text).unwrap_or(0));
            }
            d
        })
        .collect()
}

/// `raqim train`: the tagger from gold documents, written whole or not at all.
pub fn train(
    gold: &[PathBuf],
    out: &Path,
    settings: &crate::train::Settings,
) -> anyhow::Result<()> {
    let mut docs = Vec::new();
    for g in gold {
        docs.extend(read_records(g, Offsets::CodePoints, false)?);
    }
    if docs.is_empty() {
        bail!("no documents to train on");
    }
    let refs: Vec<&DocRecord> = docs.iter().collect();
    let model = crate::train::train_model(&refs, settings);
    let bytes = model.to_bytes();
    crate::atomic_write(out, &bytes)?;
    eprintln!(
        "raqim: trained on {} documents: {} features, {} tags, {} bytes, calibration {:?}, written to {}",
        docs.len(),
        model.features(),
        model.tags(),
        bytes.len(),
        model.calibration(),
        out.display()
    );
    Ok(())
}

/// `raqim crossval`: per fold and overall, the lists alone, lists and tagger cold,
/// and replayed.
pub fn crossval(
    gold: &Path,
    settings: &crate::train::Settings,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let docs = read_records(gold, Offsets::CodePoints, false)?;
    if docs.len() < settings.folds.max(2) {
        bail!(
            "{}: {} documents, fewer than the {} folds",
            gold.display(),
            docs.len(),
            settings.folds
        );
    }
    let keep: HashSet<String> = settings.labels.iter().cloned().collect();
    let line = |s: &Scores| {
        let m = s.micro();
        let (p, r, f) = m.prf();
        format!("P {p:.3} R {r:.3} F1 {f:.3}")
    };
    let mut total = [Scores::default(), Scores::default(), Scores::default()];
    writeln!(
        out,
        "fold docs | lists+rules cold | with tagger cold | with tagger replay"
    )?;
    for f in crate::train::cross_validate(&docs, settings, Some(&keep)) {
        writeln!(
            out,
            "{} {} | {} | {} | {}",
            f.fold,
            f.docs,
            line(&f.lists),
            line(&f.cold),
            line(&f.replay)
        )?;
        total[0].merge(&f.lists);
        total[1].merge(&f.cold);
        total[2].merge(&f.replay);
    }
    writeln!(
        out,
        "all {} | {} | {} | {}",
        docs.len(),
        line(&total[0]),
        line(&total[1]),
        line(&total[2])
    )?;
    writeln!(
        out,
        "\nwith tagger, cold, per label:\n{}",
        total[1].report()
    )?;
    writeln!(
        out,
        "with tagger, replay, per label:\n{}",
        total[2].report()
    )?;
    Ok(())
}
