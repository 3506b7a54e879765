#!/usr/bin/env python3
"""Build curated.tsv from the hand-written scripts/gazetteers/curated_source.txt.

Usage: build_curated.py [SOURCE] [OUT_DIR] [DEV_JSONL]

Checks the source (known label, no duplicate within a label after the engine's
normalization, no title word at the start of a name, no leading proclitic +
ال) and writes the entries sorted.  With DEV_JSONL (or the corpus found next
to the repository) it also prints, for information only, how often each
single-word entry occurs inside vs. outside gold spans of the NewsFANE build
documents (newsfane-0000..0094).
"""

import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

TITLES = {"الرئيس", "الملك", "الأمير", "الامير", "الشيخ", "العميد", "اللواء", "العقيد", "العماد",
          "الجنرال", "وزير", "رئيس", "السيد", "الدكتور", "المشير", "الفريق", "آية", "اية"}

# Reviewed: the first word is part of the name here (place names with الشيخ,
# given names that begin with فال).
NAME_OK = {"الشيخ مقصود", "الشيخ زويد", "فاليري غيراسيموف", "فالح الفياض"}


def read_source(path):
    entries, label = [], None
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line.startswith("## "):
                label = line[3:].strip()
                if label not in common.LABELS:
                    raise SystemExit("%s:%d: unknown label %r" % (path, n, label))
                continue
            if not line.strip() or line.startswith("#"):
                continue
            if label is None:
                raise SystemExit("%s:%d: entry before any ## LABEL line" % (path, n))
            s = common.clean_surface(line)
            entries.append((n, s, label))
    return entries


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    src = args[0] if args else os.path.join(common.HERE, "curated_source.txt")
    out_dir = args[1] if len(args) > 1 else common.GAZ_DIR
    dev = args[2] if len(args) > 2 else common.default_newsfane_path()
    entries = read_source(src)
    errors, seen = [], {}
    for n, s, lab in entries:
        key = (common.normalize(s), lab)
        if key in seen:
            errors.append("line %d: %s duplicates line %d (same normalized form)" % (n, s, seen[key]))
        seen.setdefault(key, n)
        if s in NAME_OK:
            continue
        if s.split(" ")[0] in TITLES:
            errors.append("line %d: %s starts with a title" % (n, s))
        if s[:1] in "وفبك" and s[1:3] == "ال" or s[:2] == "لل":
            errors.append("line %d: %s starts with a proclitic" % (n, s))
    by_norm = collections.defaultdict(set)
    for _, s, lab in entries:
        by_norm[common.normalize(s)].add(lab)
    for k, labs in sorted(by_norm.items()):
        if len(labs) > 1:
            errors.append("%s has several labels %s" % (k, sorted(labs)))
    if errors:
        raise SystemExit("\n".join(errors))
    header = [
        "raqim gazetteer: hand-curated names that Middle East news uses often.",
        "Written for the raqim project from general knowledge; licence: the raqim project's own",
        "(same terms as the rest of the repository). Source: scripts/gazetteers/curated_source.txt;",
        "rebuilt by scripts/gazetteers/build_curated.py; see assets/gazetteers/README.md.",
    ]
    n = common.write_tsv(os.path.join(out_dir, "curated.tsv"), header, ((s, lab) for _, s, lab in entries))
    counts = collections.Counter(lab for _, _, lab in set((0, s, lab) for _, s, lab in entries))
    print("curated.tsv: %d entries %s" % (n, dict(sorted(counts.items()))))

    if dev and os.path.exists(dev) and "-v" in sys.argv:
        docs = common.load_newsfane(dev)
        inside, outside = collections.Counter(), collections.Counter()
        for d in docs:
            cov = [False] * (len(d["text"]) + 1)
            for sp in d["spans"]:
                for i in range(sp["start"], sp["end"]):
                    cov[i] = True
            for a, b, tok in common.tokens(d["text"]):
                for p, stem in common.stem_candidates(common.normalize(tok)):
                    (inside if all(cov[i] for i in range(a + p, b)) else outside)[stem] += 1
        for _, s, lab in sorted(entries, key=lambda e: e[1]):
            k = common.normalize(s)
            if " " not in k and outside[k] > inside[k]:
                print("  single word more often outside gold spans: %s %s (%d in / %d out)" % (s, lab, inside[k], outside[k]))


if __name__ == "__main__":
    main()
