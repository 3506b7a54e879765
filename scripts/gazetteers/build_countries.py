#!/usr/bin/env python3
"""Build countries.tsv (LOC) from the npm package i18n-iso-countries (7.x), langs/ar.json.

Usage: build_countries.py PACKAGE_DIR_OR_ar.json [OUT_DIR]
  e.g. after `npm install --prefix "$(mktemp -d)" i18n-iso-countries@7`, pass
  <prefix>/node_modules/i18n-iso-countries.

Rules:
  * every name of langs/ar.json is taken; a value can be a string or an array
    of alternatives, all are taken;
  * a name with a parenthesised qualifier, "سانت مارتن (الجزء الفرنسي)", is
    stored without it ("سانت مارتن"): text never carries the bracket;
  * short variant: a leading "جمهورية " is stripped only if the remainder is
    itself a name in the same file (i.e. the data already knows it).
"""

import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

PAREN = re.compile(r"\s*\([^)]*\)\s*")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    if not args:
        raise SystemExit(__doc__)
    src = args[0]
    out_dir = args[1] if len(args) > 1 else common.GAZ_DIR
    pkg_version = "?"
    if os.path.isdir(src):
        with open(os.path.join(src, "package.json"), encoding="utf-8") as f:
            pkg_version = json.load(f)["version"]
        src = os.path.join(src, "langs", "ar.json")
    with open(src, encoding="utf-8") as f:
        data = json.load(f)

    raw = []
    for code in sorted(data["countries"]):
        v = data["countries"][code]
        raw.extend(v if isinstance(v, list) else [v])
    names = set()
    stripped_paren = 0
    for n in raw:
        c = common.clean_surface(PAREN.sub(" ", n))
        if c != common.clean_surface(n):
            stripped_paren += 1
        if c:
            names.add(c)
    known = {common.normalize(n) for n in names}
    added = []
    for n in sorted(names):
        if n.startswith("جمهورية "):
            rest = n[len("جمهورية "):]
            if common.normalize(rest) in known and rest not in names:
                added.append(rest)
    names.update(added)

    header = [
        "raqim gazetteer: country and territory names (LOC) in Arabic,",
        "from the npm package i18n-iso-countries %s, langs/ar.json." % pkg_version,
        "Licence: MIT, Copyright (c) 2016 widdix GmbH (see assets/gazetteers/README.md).",
        "Rebuilt by scripts/gazetteers/build_countries.py.",
    ]
    n = common.write_tsv(os.path.join(out_dir, "countries.tsv"), header, ((s, "LOC") for s in names))
    print("countries.tsv: %d entries (%d names in ar.json, %d had a bracketed qualifier removed, "
          "%d short variants added by stripping جمهورية)" % (n, len(raw), stripped_paren, len(added)))


if __name__ == "__main__":
    main()
