"""Reference figures for raqim's agreement module (issue 15), by a second route:
scikit-learn's cohen_kappa_score and statsmodels' fleiss_kappa on BIO tags, and F1
from sets of (document, start, end, label).

Writes tests/fixtures/agreement/reference.json: random documents of Arabic words
separated by single spaces (so the tokens are the words, as raqim's tokenizer cuts
them), spans on whole words that do not overlap within a layer, every annotator on
every document (Fleiss' kappa in its original form needs the same number of raters
per item), and the figures. cargo test reads the file; it never runs this script.

    python -m venv VENV && VENV/bin/pip install scikit-learn statsmodels
    VENV/bin/python scripts/agreement_reference.py
"""

import itertools
import json
import pathlib
import random

from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

WORDS = ["قال", "الرئيس", "محمد", "في", "دمشق", "إن", "الجيش", "السوري", "انسحب",
         "من", "مدينة", "دير", "الزور", "وزارة", "الخارجية", "بغداد", "اليوم"]
LABELS = ["PER", "LOC", "ORG"]
ANNOTATORS = ["amal", "basel", "cyrus"]


def document(rng, i):
    words = [rng.choice(WORDS) for _ in range(rng.randint(20, 60))]
    starts, at = [], 0
    for w in words:
        starts.append((at, at + len(w)))
        at += len(w) + 1
    base = []
    w = 0
    while w < len(words):
        if rng.random() < 0.3:
            n = rng.randint(1, 3)
            n = min(n, len(words) - w)
            base.append((w, w + n, rng.choice(LABELS)))
            w += n + 1
        else:
            w += 1
    layers = {}
    for name in ANNOTATORS:
        spans = []
        for (a, b, label) in base:
            r = rng.random()
            if r < 0.1:
                continue
            if r < 0.2:
                label = rng.choice(LABELS)
            elif r < 0.3 and b - a > 1:
                b -= 1
            spans.append({"start": starts[a][0], "end": starts[b - 1][1], "label": label})
        layers[name] = spans
    return {"id": f"doc-{i}", "text": " ".join(words), "layers": layers, "_words": starts}


def tags(doc, name):
    out = []
    for (ws, we) in doc["_words"]:
        tag = "O"
        for s in doc["layers"][name]:
            if s["start"] <= ws and we <= s["end"]:
                tag = ("B-" if s["start"] == ws else "I-") + s["label"]
        out.append(tag)
    return out


def f1(a, b):
    return 2 * len(a & b) / (len(a) + len(b)) if a or b else None


def main():
    rng = random.Random(15)
    docs = [document(rng, i) for i in range(12)]
    pairs = []
    for a, b in itertools.combinations(ANNOTATORS, 2):
        sa = {(d["id"], s["start"], s["end"], s["label"]) for d in docs for s in d["layers"][a]}
        sb = {(d["id"], s["start"], s["end"], s["label"]) for d in docs for s in d["layers"][b]}
        ta = [t for d in docs for t in tags(d, a)]
        tb = [t for d in docs for t in tags(d, b)]
        labels = {}
        for label in sorted({k[3] for k in sa | sb}):
            labels[label] = f1({k for k in sa if k[3] == label}, {k for k in sb if k[3] == label})
        pairs.append({"a": a, "b": b, "documents": len(docs), "f1": f1(sa, sb),
                      "labels": labels, "kappa": float(cohen_kappa_score(ta, tb))})
    ratings = [list(r) for d in docs for r in zip(*(tags(d, n) for n in ANNOTATORS))]
    codes = {t: i for i, t in enumerate(sorted({t for r in ratings for t in r}))}
    table, _ = aggregate_raters([[codes[t] for t in r] for r in ratings])
    for d in docs:
        del d["_words"]
    out = {"documents": docs,
           "expected": {"pairs": pairs, "fleiss_kappa": float(fleiss_kappa(table, method="fleiss"))}}
    path = pathlib.Path(__file__).resolve().parent.parent / "tests/fixtures/agreement/reference.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
