#!/usr/bin/env python3
"""Build newsfane-{per,org,loc,fac}.tsv from the NewsFANE development split.

Usage: build_newsfane.py [DEV_JSONL] [OUT_DIR]

Only documents newsfane-0000 .. newsfane-0094 are read; the other documents of
dev.jsonl are held out for measuring and nothing from them may enter a file.

Rules:
  * surface = the gold span's text (whitespace collapsed, otherwise as written);
  * a surface is kept for label L when L is its strict majority label over all
    its gold spans (ties between labels are dropped);
  * a single-word surface must also occur annotated at least as often as
    unannotated.  Occurrences are counted over the words of the 95 documents,
    comparing normalized forms, with or without a leading proclitic
    (و ف ب ك ل, لل -> ال).  "Annotated" = the word (minus the proclitic) is
    exactly a gold span; "unannotated" = the word touches no gold span at all;
    words inside a longer gold span count for neither.

Some gold spans of the corpus include a fused proclitic (للعراق, والمركز ...).
The gazetteers store names without it, so before counting:
  * a surface starting with لل (or ولل/فلل) is rewritten to ال + the rest
    (للعراق -> العراق, the lam of the article and the preposition fused);
  * a surface starting with و/ف/ب/ك + ال loses that first letter only if the
    resulting first word occurs as a word of its own in the 95 documents
    (والمركز ... -> المركز ..., but كاليفورنيا and فاليانتسين stay).
"""

import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

LABEL_FILES = {"PER": "newsfane-per.tsv", "ORG": "newsfane-org.tsv", "LOC": "newsfane-loc.tsv", "FAC": "newsfane-fac.tsv"}


FIXED = collections.Counter()


def strip_fused_proclitic(surface, vocab):
    orig = surface
    if surface[:1] in ("و", "ف") and surface[1:3] == "لل":
        surface = surface[1:]
    if surface[:2] == "لل" and len(surface) > 3:
        surface = "ا" + surface[1:]
    elif surface[:1] in ("و", "ف", "ب", "ك") and surface[1:3] == "ال":
        first = surface[1:].split(" ")[0]
        if vocab[common.normalize(first)] > 0:
            surface = surface[1:]
    if surface != orig:
        FIXED[(orig, surface)] += 1
    return surface


def derive(dev_path):
    """Returns (entries: dict label -> set(surface), stats dict)."""
    docs = common.load_newsfane(dev_path)
    label_counts = collections.defaultdict(collections.Counter)  # surface -> Counter(label)
    ann = collections.Counter()  # normalized single word -> annotated occurrences
    unann = collections.Counter()  # normalized single word -> unannotated occurrences

    vocab = collections.Counter(common.normalize(t) for d in docs for _, _, t in common.tokens(d["text"]))
    for d in docs:
        text = d["text"]
        spans = {(s["start"], s["end"]) for s in d["spans"]}
        covered = [False] * (len(text) + 1)
        for s in d["spans"]:
            surface = strip_fused_proclitic(common.clean_surface(text[s["start"]:s["end"]]), vocab)
            if surface:
                label_counts[surface][s["label"]] += 1
            for i in range(s["start"], s["end"]):
                covered[i] = True
        for start, end, tok in common.tokens(text):
            norm = common.normalize(tok)
            # offsets: the corpus has no harakat/tatweel, so normalized and raw
            # token lengths agree; guard anyway.
            same_len = len(norm) == len(tok)
            touches = any(covered[i] for i in range(start, end))
            for p, stem in common.stem_candidates(norm):
                if same_len and (start + p, end) in spans:
                    ann[stem] += 1
                elif (start, end) in spans:
                    ann[stem] += 1
                elif not touches:
                    unann[stem] += 1

    entries = {lab: set() for lab in LABEL_FILES}
    stats = collections.Counter()
    dropped_examples = collections.defaultdict(list)
    for surface, cnt in label_counts.items():
        stats["distinct gold surfaces"] += 1
        (top, n1), *rest = cnt.most_common()
        if rest and rest[0][1] == n1:
            stats["dropped: tie between labels"] += 1
            dropped_examples["tie"].append(surface)
            continue
        if top not in entries:
            stats["dropped: majority label not PER/ORG/LOC/FAC"] += 1
            continue
        if " " not in surface:
            key = common.normalize(surface)
            if ann[key] < unann[key]:
                stats["dropped: single word more often unannotated (%s)" % top] += 1
                dropped_examples["unann"].append((surface, top, ann[key], unann[key]))
                continue
        if rest:
            stats["kept with a minority label ignored"] += 1
        entries[top].add(surface)
    stats["gold spans whose fused proclitic was removed"] = sum(FIXED.values())
    dropped_examples["fixed"] = sorted(FIXED)
    return entries, stats, dropped_examples


def header(label, n_docs=95):
    return [
        "raqim gazetteer: %s surfaces derived from NewsFANE gold spans." % label,
        "Source: NewsFANE_Gold (F. Alotaibi and M. Lee, COLING 2014), development split,",
        "documents newsfane-0000 .. newsfane-0094 only (the other documents are held out).",
        "Licence: CC BY-SA 3.0 (Creative Commons Attribution-ShareAlike 3.0 Unported);",
        "this derived list is therefore CC BY-SA 3.0 as well.",
        "Text as in the corpus (normalized: no hamza on alef, final ya often without dots).",
        "Rebuilt by scripts/gazetteers/build_newsfane.py; see assets/gazetteers/README.md.",
    ]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    dev = args[0] if args else common.default_newsfane_path()
    if not dev:
        raise SystemExit("usage: build_newsfane.py DEV_JSONL [OUT_DIR] [-v]")
    out_dir = args[1] if len(args) > 1 else common.GAZ_DIR
    entries, stats, examples = derive(dev)
    for lab, fname in LABEL_FILES.items():
        n = common.write_tsv(os.path.join(out_dir, fname), header(lab), ((s, lab) for s in entries[lab]))
        print("%s: %d entries" % (fname, n))
    for k in sorted(stats):
        print("  %s: %d" % (k, stats[k]))
    if "-v" in sys.argv:
        for s in sorted(examples["unann"])[:80]:
            print("  unann", s)
        print("  ties", sorted(examples["tie"])[:50])
        print("  fixed", examples["fixed"])


if __name__ == "__main__":
    main()
