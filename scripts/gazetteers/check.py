#!/usr/bin/env python3
"""Validate assets/gazetteers/*.tsv and stopwords.txt; print counts.

Usage: check.py [GAZETTEER_DIR] [-v]

Errors (exit status 1):
  * not UTF-8, a byte-order mark or a carriage return;
  * a '#' comment line after the first entry, or an empty line;
  * a line that is not exactly two tab-separated fields;
  * a label outside PER ORG LOC FAC DATE QTY;
  * an empty surface, or one with leading/trailing/double spaces;
  * a duplicate surface within a file;
  * entries not sorted (the build scripts write them sorted);
  * a surface starting with a proclitic + ال (وال فال بال كال, or لل / ولل / فلل)
    whose proclitic-less form (والجيش -> الجيش, للعراق -> العراق) is itself an
    entry of some gazetteer: then the proclitic is clearly not part of the name;
  * a path of a machine or a package registry's host name written in a file.
Warnings (listed with -v): other surfaces that start with such letters; they
are names whose first letters only look like a proclitic (كاليفورنيا،
بالتيمور، فالح الفياض), kept on purpose.
"""

import collections
import glob
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

PROCLITIC_AL = re.compile(r"^(?:[وف]?لل|[وفبك]ال)")
# No absolute path of a build machine in a committed file (a shebang is not one).
FORBIDDEN = re.compile(r"(?m)^(?!#!).*?((?<![\w.:/])/[\w.-]+/[\w.-]+/)")


def strip_proclitic(s):
    m = re.match(r"^[وف]?لل", s)
    if m:
        return "ال" + s[m.end():]
    return s[1:]


def read_tsv(path, errors):
    raw = open(path, "rb").read()
    name = os.path.basename(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        errors.append("%s: not UTF-8 (%s)" % (name, e))
        return []
    if text.startswith("\ufeff"):
        errors.append("%s: byte-order mark" % name)
    if "\r" in text:
        errors.append("%s: carriage return" % name)
    rows, in_header = [], True
    for n, line in enumerate(text.split("\n"), 1):
        if line == "" and n == len(text.split("\n")):
            break  # final newline
        if line.startswith("#"):
            if not in_header:
                errors.append("%s:%d: comment line after the first entry" % (name, n))
            continue
        in_header = False
        if not line.strip():
            errors.append("%s:%d: empty line" % (name, n))
            continue
        fields = line.split("\t")
        if len(fields) != 2:
            errors.append("%s:%d: %d fields, expected 2: %r" % (name, n, len(fields), line))
            continue
        surface, label = fields
        if label not in common.LABELS:
            errors.append("%s:%d: bad label %r" % (name, n, label))
        if not surface.strip():
            errors.append("%s:%d: empty surface" % (name, n))
            continue
        if surface != surface.strip() or "  " in surface:
            errors.append("%s:%d: stray spaces in %r" % (name, n, surface))
        rows.append((n, surface, label))
    return rows


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    verbose = "-v" in sys.argv
    gaz_dir = args[0] if args else common.GAZ_DIR
    errors, warnings = [], []
    files = sorted(glob.glob(os.path.join(gaz_dir, "*.tsv")))
    if not files:
        raise SystemExit("no .tsv files in %s" % gaz_dir)
    data = {f: read_tsv(f, errors) for f in files}
    known = {common.normalize(s) for rows in data.values() for _, s, _ in rows}

    total = collections.Counter()
    print("%-20s %7s  %s" % ("file", "entries", "per label"))
    for f, rows in data.items():
        name = os.path.basename(f)
        seen = {}
        for n, s, lab in rows:
            if s in seen:
                errors.append("%s:%d: duplicate surface %r (line %d)" % (name, n, s, seen[s]))
            seen.setdefault(s, n)
            if PROCLITIC_AL.match(s):
                bare = strip_proclitic(s)
                if common.normalize(bare) in known:
                    errors.append("%s:%d: %r starts with a proclitic (%r is an entry)" % (name, n, s, bare))
                else:
                    warnings.append("%s: %s" % (name, s))
        keys = [(s, lab) for _, s, lab in rows]
        if keys != sorted(keys):
            errors.append("%s: entries not sorted" % name)
        per = collections.Counter(lab for _, _, lab in rows)
        total.update(per)
        print("%-20s %7d  %s" % (name, len(rows), " ".join("%s=%d" % kv for kv in sorted(per.items()))))
    print("%-20s %7d  %s" % ("all", sum(total.values()), " ".join("%s=%d" % kv for kv in sorted(total.items()))))

    stop_path = os.path.join(gaz_dir, "stopwords.txt")
    if os.path.exists(stop_path):
        words = [w for w in open(stop_path, encoding="utf-8").read().split("\n") if w]
        if len(set(words)) != len(words):
            errors.append("stopwords.txt: duplicate words")
        if any(w != w.strip() or " " in w or "\t" in w for w in words):
            errors.append("stopwords.txt: one word per line, no spaces")
        print("%-20s %7d  words" % ("stopwords.txt", len(words)))
    else:
        errors.append("stopwords.txt missing")

    here = os.path.dirname(os.path.abspath(__file__))
    for path in sorted(glob.glob(os.path.join(gaz_dir, "*")) + glob.glob(os.path.join(here, "*"))):
        if os.path.isfile(path) and not path.endswith((".pyc",)) and os.path.abspath(path) != os.path.abspath(__file__):
            m = FORBIDDEN.search(open(path, encoding="utf-8", errors="replace").read())
            if m:
                errors.append("%s: contains %r (a machine path)" % (os.path.basename(path), m.group(1)))

    print("proclitic-like starts kept as part of the name: %d (-v lists them)" % len(warnings))
    if verbose:
        for w in warnings:
            print("  warning: " + w)
    for e in errors:
        print("ERROR: " + e)
    print("%d errors" % len(errors))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
