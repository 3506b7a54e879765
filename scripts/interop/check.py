"""Reads raqim's exports with the peers' own parsers (see check.sh beside this file).

Usage: check.py DIR, where DIR holds the exports check.sh wrote: all.jsonl (raqim's
own, every accepted span), prodigy.jsonl, prodigy-all.jsonl, export.conll and
label-studio.json. Prints one line per check and exits 1 if any failed.
"""

import json
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin

failures = []


def check(name):
    """Runs a check, printing `name: ok, ...` or `name: FAILED: ...`."""

    def wrap(fn):
        def run(*args):
            try:
                said = fn(*args)
                print(f"{name}: ok, {said}")
            except Exception as e:  # noqa: BLE001 - every failure is reported
                failures.append(name)
                print(f"{name}: FAILED: {type(e).__name__}: {e}")
                if isinstance(e, KeyError) and e.args == ("id",):
                    print(f"{name}: the export's tasks have no top-level id, which the converter needs (issue 14, item 3)")
                traceback.print_exc(limit=3, file=sys.stdout)

        return run

    return wrap


def json_lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def accepted_spans(jsonl):
    """text -> sorted accepted (start, end, label) of raqim's own export (a document is
    its text: two documents may share an id, never a text)."""
    out = {}
    for r in jsonl:
        spans = [(s["start"], s["end"], s["label"]) for s in r["spans"] if s.get("state") == "accepted"]
        out[r["text"]] = sorted(spans)
    return out


def prodigy_docs(path, nlp):
    """Every task as spaCy builds it from the task's tokens, with its spans found."""
    tasks = json_lines(path)
    found = {}
    for t in tasks:
        words = [tok["text"] for tok in t["tokens"]]
        spaces = [tok["ws"] for tok in t["tokens"]]
        doc = Doc(nlp.vocab, words=words, spaces=spaces)
        if doc.text != t["text"]:
            raise AssertionError(f"task {t['id']!r}: the tokens and their spaces do not give back the text")
        spans = []
        for s in t["spans"]:
            span = doc.char_span(s["start"], s["end"], label=s["label"])
            if span is None:
                raise AssertionError(f"task {t['id']!r}: char_span({s['start']}, {s['end']}) found no span")
            if (span.start, span.end - 1) != (s["token_start"], s["token_end"]):
                raise AssertionError(f"task {t['id']!r}: {s} is tokens {span.start}..{span.end - 1} in spaCy")
            if span.text != t["text"][s["start"]:s["end"]]:
                raise AssertionError(f"task {t['id']!r}: span text {span.text!r}")
            spans.append((s["start"], s["end"], s["label"]))
        found[t["text"]] = (t, sorted(spans))
    return found


@check("prodigy: spaCy Doc(words, spaces) and char_span")
def prodigy(d, nlp, raqim):
    found = prodigy_docs(d / "prodigy.jsonl", nlp)
    if any(t["id"] == "to-review" for t, _ in found.values()):
        raise AssertionError("a document with spans still to review was exported as a task")
    for text, (task, spans) in found.items():
        if task.get("answer") != "accept":
            raise AssertionError(f"task {task['id']!r}: answer {task.get('answer')!r}")
        if spans != raqim[text]:
            raise AssertionError(f"task {task['id']!r}: spans {spans} but raqim has {raqim[text]}")
    paragraphs = sum(1 for t, _ in found.values() for tok in t["tokens"] if "\n" in tok["text"])
    n = sum(len(s) for _, s in found.values())
    return f"{len(found)} tasks, {n} spans, {paragraphs} line-break tokens; the document to review left out"


@check("prodigy --state all: spaCy Doc(words, spaces) and char_span")
def prodigy_all(d, nlp):
    found = prodigy_docs(d / "prodigy-all.jsonl", nlp)
    [task] = [t for t, _ in found.values() if t["id"] == "to-review"]
    if "answer" in task:
        raise AssertionError(f"the document to review has the answer {task['answer']!r}")
    n = sum(len(s) for _, s in found.values())
    return f"{len(found)} tasks, {n} spans; the document to review without an answer"


def conll_documents(path):
    """The CoNLL export as documents of sentences of (token, tag), by -DOCSTART-."""
    docs = []
    sent = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("-DOCSTART-"):
            docs.append([])
            continue
        if not line.strip():
            if sent:
                docs[-1].append(sent)
                sent = []
            continue
        token, tag = line.split(" ")
        sent.append((token, tag))
    if sent:
        docs[-1].append(sent)
    return docs


@check("conll: spacy convert -c ner")
def conll_spacy(d, raqim):
    path = d / "export.conll"
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [sys.executable, "-m", "spacy", "convert", "-c", "ner", str(path), out],
            check=True,
            capture_output=True,
            text=True,
        )
        nlp = spacy.blank("xx")
        docs = list(DocBin().from_disk(Path(out) / "export.spacy").get_docs(nlp.vocab))
    ours = conll_documents(path)
    if len(docs) != len(ours):
        raise AssertionError(f"spaCy read {len(docs)} documents, the file has {len(ours)}")
    ents = 0
    for doc, sents in zip(docs, ours):
        tokens = [t for s in sents for t in s]
        if [t.text for t in doc] != [t for t, _ in tokens]:
            raise AssertionError("spaCy's tokens differ from the file's")
        if len(list(doc.sents)) != len(sents):
            raise AssertionError(f"spaCy read {len(list(doc.sents))} sentences, the file has {len(sents)}")
        begins = sum(1 for _, tag in tokens if tag.startswith("B-"))
        if len(doc.ents) != begins:
            raise AssertionError(f"{len(doc.ents)} entities for {begins} B- tags")
        ents += len(doc.ents)
    expected = sum(len(s) for s in raqim.values())
    if ents != expected:
        raise AssertionError(f"{ents} entities in the CoNLL export, raqim has {expected} accepted spans")
    return f"{len(docs)} documents, {ents} entities, as many as raqim's accepted spans"


@check("conll: seqeval (IOB2, strict)")
def conll_seqeval(d):
    from seqeval.metrics import f1_score
    from seqeval.scheme import IOB2, Entities

    sents = [[tag for _, tag in s] for doc in conll_documents(d / "export.conll") for s in doc]
    entities = Entities(sents, IOB2).entities
    n = sum(len(e) for e in entities)
    begins = sum(1 for s in sents for t in s if t.startswith("B-"))
    if n != begins:
        raise AssertionError(f"seqeval found {n} entities for {begins} B- tags")
    f1 = f1_score(sents, sents, mode="strict", scheme=IOB2)
    if f1 != 1.0:
        raise AssertionError(f"f1 of the tags against themselves is {f1}")
    return f"{len(sents)} sentences, {n} entities"


def ls_text_field(task):
    """The field of a task's data that holds the text: `text`, else the only string."""
    data = task["data"]
    if isinstance(data.get("text"), str):
        return "text"
    strings = [k for k, v in data.items() if isinstance(v, str)]
    return strings[0]


def ls_config(tasks):
    """A labeling config with the export's own control and object names."""
    controls = {}
    objects = {}
    for t in tasks:
        for a in t.get("annotations", []):
            for r in a["result"]:
                controls.setdefault((r["from_name"], r["to_name"]), set()).update(r["value"]["labels"])
                objects.setdefault(r["to_name"], ls_text_field(t))
    tags = [
        f'<Labels name="{f}" toName="{to}">' + "".join(f'<Label value="{l}"/>' for l in sorted(ls)) + "</Labels>"
        for (f, to), ls in sorted(controls.items())
    ]
    tags += [f'<Text name="{to}" value="${field}"/>' for to, field in sorted(objects.items())]
    return "<View>" + "".join(tags) + "</View>", {f for f, _ in controls}


@check("label-studio: label-studio-converter JSON_MIN")
def label_studio(d, raqim):
    import logging

    from label_studio_converter import Converter

    # A task without annotations (only predictions, or no span) is said on every read.
    logging.getLogger("label_studio_converter").setLevel(logging.ERROR)
    tasks = json.loads((d / "label-studio.json").read_text(encoding="utf-8"))
    config, controls = ls_config(tasks)
    fields = {t["id"]: ls_text_field(t) for t in tasks}
    with tempfile.TemporaryDirectory() as out:
        Converter(config, project_dir=out, download_resources=False).convert_to_json_min(
            str(d / "label-studio.json"), out, is_dir=False
        )
        rows = json.loads((Path(out) / "result.json").read_text(encoding="utf-8"))
    by_text = {}
    for r in rows:
        text = r[fields[r["id"]]]
        regions = [s for c in controls for s in r.get(c, [])]
        by_text[text] = sorted((s["start"], s["end"], s["labels"][0]) for s in regions)
        for s in regions:
            if text[s["start"]:s["end"]] != s["text"]:
                raise AssertionError(f"task {r['id']}: span text {s['text']!r} is not at {s['start']}..{s['end']}")
    n = 0
    for text, spans in raqim.items():
        if spans and by_text.get(text) != spans:
            raise AssertionError(f"{text[:40]!r}: converter gave {by_text.get(text)}, raqim has {spans}")
        n += len(spans)
    names = ", ".join(sorted(controls))
    return f"{len(rows)} tasks, {n} spans, every one back (controls {names})"


def main():
    d = Path(sys.argv[1])
    raqim = accepted_spans(json_lines(d / "all.jsonl"))
    nlp = spacy.blank("xx")
    prodigy(d, nlp, raqim)
    prodigy_all(d, nlp)
    conll_spacy(d, raqim)
    conll_seqeval(d)
    label_studio(d, raqim)
    if failures:
        print(f"interop: failed: {'; '.join(failures)}")
    # The plain closing line CI reads.
    print(f"interop: {5 - len(failures)} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
