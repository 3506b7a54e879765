#!/usr/bin/env python3
"""Turn hand-written inline entity markup into article texts and a gold JSONL file.

Usage:
    python3 scripts/markup_to_gold.py MARKUP JSONL TXT_DIR NAME [NAME ...] [--id-prefix PREFIX]

Example (rebuilds the unseen test articles and their gold):
    python3 scripts/markup_to_gold.py tests/fixtures/gold/unseen-markup.txt \\
        tests/fixtures/gold/unseen.jsonl samples/unseen hama-water basra-port \\
        --id-prefix unseen-

MARKUP holds one or more articles separated by a line that is exactly "----".
Inside an article an entity is written as [LABEL:surface], e.g. [PER:سهيل الحسن],
with LABEL one of PER ORG LOC FAC DATE QTY; everything outside the brackets is
copied as is (so a proclitic goes before the bracket: و[ORG:التحالف الأميركي],
ل[ORG:لأمم المتحدة]). Square brackets are reserved for markup.

For the i-th article the script writes TXT_DIR/NAME_i.txt (UTF-8, LF, the
article's lines with leading/trailing blank lines dropped, ending with a
newline) and one line of JSONL:
    {"id": PREFIX + NAME_i, "text": <the file's contents>,
     "spans": [{"start", "end", "label"}, ...]}
with offsets in Unicode code points (Python string indices), end exclusive,
sorted by start. It checks that text[start:end] equals every marked surface,
that spans do not overlap and have no surrounding whitespace, and prints the
span counts by label per article. Standard library only.
"""

import argparse
import json
import os
import re
import sys
from collections import Counter

LABELS = ("PER", "ORG", "LOC", "FAC", "DATE", "QTY")
MARK = re.compile(r"\[(%s):([^\[\]]+)\]" % "|".join(LABELS))


def parse_article(markup):
    """Return (text, spans, surfaces) for one article's markup."""
    out = []
    spans = []
    surfaces = []
    pos = 0  # code points written so far
    last = 0
    for m in MARK.finditer(markup):
        before = markup[last : m.start()]
        out.append(before)
        pos += len(before)
        label, surface = m.group(1), m.group(2)
        spans.append({"start": pos, "end": pos + len(surface), "label": label})
        surfaces.append(surface)
        out.append(surface)
        pos += len(surface)
        last = m.end()
    out.append(markup[last:])
    text = "".join(out)
    if "[" in text or "]" in text:
        raise ValueError("unparsed markup left in text: %r" % text[text.find("[") - 20 :][:60])
    return text, spans, surfaces


def split_articles(markup):
    blocks = [[]]
    for line in markup.split("\n"):
        if line == "----":
            blocks.append([])
        else:
            blocks[-1].append(line)
    articles = []
    for lines in blocks:
        while lines and not lines[0].strip():
            lines.pop(0)
        while lines and not lines[-1].strip():
            lines.pop()
        articles.append("\n".join(lines) + "\n")
    return articles


def check(text, spans, surfaces):
    prev_end = 0
    for s, surface in zip(spans, surfaces):
        got = text[s["start"] : s["end"]]
        if got != surface:
            raise ValueError("offset mismatch: %r != %r" % (got, surface))
        if got != got.strip():
            raise ValueError("span with surrounding whitespace: %r" % got)
        if s["start"] < prev_end:
            raise ValueError("overlapping or unsorted span at %d" % s["start"])
        prev_end = s["end"]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("markup")
    ap.add_argument("jsonl")
    ap.add_argument("txt_dir")
    ap.add_argument("names", nargs="+")
    ap.add_argument("--id-prefix", default="")
    a = ap.parse_args(argv)

    with open(a.markup, encoding="utf-8") as f:
        markup = f.read().replace("\r\n", "\n")
    articles = split_articles(markup)
    if len(articles) != len(a.names):
        sys.exit("%d articles in %s but %d names given" % (len(articles), a.markup, len(a.names)))

    os.makedirs(a.txt_dir, exist_ok=True)
    records = []
    for name, art in zip(a.names, articles):
        text, spans, surfaces = parse_article(art)
        check(text, spans, surfaces)
        with open(os.path.join(a.txt_dir, name + ".txt"), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        records.append({"id": a.id_prefix + name, "text": text, "spans": spans})
        counts = Counter(s["label"] for s in spans)
        words = len(text.split())
        paras = sum(1 for p in text.split("\n") if p.strip())
        print(
            "%s: %d words, %d paragraphs, %d spans (%s)"
            % (a.id_prefix + name, words, paras, len(spans),
               ", ".join("%s %d" % (l, counts[l]) for l in LABELS))
        )

    os.makedirs(os.path.dirname(a.jsonl) or ".", exist_ok=True)
    with open(a.jsonl, "w", encoding="utf-8", newline="\n") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
