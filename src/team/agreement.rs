//! `raqim agreement`: the layers of the database as [`crate::agreement`] reads them.
//! A document counts when two or more annotators have marked their layer of it done
//! (with `--all`, every layer with work in it, done or not); in each layer counted,
//! only accepted spans are the annotator's answer (a suggestion left pending is no
//! answer, a rejected one says "not an entity"). The `gold` layer, when a document
//! has one with spans or a done mark, is compared with each annotator.
//!
//! Reads the store only; no terminal here (the chart is `tui::agreement`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use crate::agreement::{self, DocLayers, Options, Report, Span};
use crate::annotation::State;
use crate::store::{GOLD, Store};

/// How `raqim agreement` writes its figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum AgreementFormat {
    /// Aligned text.
    #[default]
    Table,
    /// One JSON object (pairs, Fleiss' kappa, gold).
    Json,
    /// One row per figure group.
    Csv,
    /// A screen: heatmap of pairwise F1, a bar per label, the table.
    Chart,
}

/// Which documents and layers count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// Every layer with work in it, not only those marked done.
    pub all: bool,
}

/// The documents of the database at `db` with the layers that count (see the module
/// header), in the order they were added; each document named by its name.
pub fn layers_of(db: &Path, scope: &Scope) -> anyhow::Result<Vec<DocLayers>> {
    super::existing(db)?;
    let store = Store::open_read_only(db)?;
    let mut counted: HashMap<String, BTreeSet<String>> = HashMap::new();
    for l in store.layers()? {
        if l.layer == GOLD || l.done || scope.all {
            counted.entry(l.doc).or_default().insert(l.layer);
        }
    }
    let mut out = Vec::new();
    for row in store.documents_as_added()? {
        let Some(layers) = counted.get(&row.id) else {
            continue;
        };
        let annotators = layers.iter().filter(|l| *l != GOLD).count();
        if annotators < 2 {
            continue;
        }
        let Some(text) = store.document_text(&row.id)? else {
            continue;
        };
        let mut spans: BTreeMap<String, Vec<Span>> = BTreeMap::new();
        for layer in layers {
            spans.insert(layer.clone(), Vec::new());
        }
        for (layer, stored) in store.spans_of_all_layers(&row.id)? {
            let Some(list) = spans.get_mut(&layer) else {
                continue;
            };
            list.extend(
                stored
                    .into_iter()
                    .filter(|s| s.span.state == State::Accepted)
                    .map(|s| Span::new(s.span.start, s.span.end, &s.span.label)),
            );
        }
        out.push(DocLayers {
            id: row.name,
            text,
            layers: spans,
        });
    }
    Ok(out)
}

/// The figures over the documents [`layers_of`] gives.
pub fn report(db: &Path, scope: &Scope, opts: &Options) -> anyhow::Result<Report> {
    let docs = layers_of(db, scope)?;
    Ok(agreement::compute(&docs, opts)?)
}

/// A report as `format` writes it (every format but the chart, which is a screen).
pub fn write(report: &Report, format: AgreementFormat) -> anyhow::Result<String> {
    Ok(match format {
        AgreementFormat::Table | AgreementFormat::Chart => report.to_table(),
        AgreementFormat::Json => {
            let mut s = serde_json::to_string(report)?;
            s.push('\n');
            s
        }
        AgreementFormat::Csv => report.to_csv(),
    })
}
