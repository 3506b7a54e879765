"""Shared helpers for the gazetteer build scripts (Python 3 standard library only).

The normalization here mirrors what the suggestion engine does at match time:
alef variants -> ا, ى -> ي, ة -> ه, harakat and tatweel removed, Persian ی/ک -> ي/ك,
Eastern Arabic-Indic digits -> ASCII digits, NFKC for presentation forms.
"""

import json
import os
import re
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
GAZ_DIR = os.path.join(REPO, "assets", "gazetteers")
STOPWORDS_PATH = os.path.join(GAZ_DIR, "stopwords.txt")

LABELS = ("PER", "ORG", "LOC", "FAC", "DATE", "QTY")

# Documents newsfane-0000 .. newsfane-0094 may feed gazetteers; the rest of
# dev.jsonl is held out for measuring and must never be read for building.
NEWSFANE_BUILD_IDS = frozenset("newsfane-%04d" % i for i in range(95))

_FOLD = {
    "\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",  # أ إ آ ٱ -> ا
    "\u0649": "\u064a",  # ى -> ي
    "\u0629": "\u0647",  # ة -> ه
    "\u06cc": "\u064a", "\u06d2": "\u064a",  # Persian/Urdu yeh -> ي
    "\u06a9": "\u0643",  # Persian kaf -> ك
}
for _i in range(10):
    _FOLD[chr(0x0660 + _i)] = str(_i)  # Arabic-Indic digits
    _FOLD[chr(0x06F0 + _i)] = str(_i)  # Extended (Persian) digits
_DROP = re.compile("[\u064b-\u0652\u0670\u0640]")  # harakat, superscript alef, tatweel
_SPACES = re.compile(r"\s+")

PROCLITICS = "وفبكل"


def normalize(s):
    """Matching key: NFKC, folded letters, no harakat/tatweel, single spaces."""
    s = unicodedata.normalize("NFKC", s)
    s = _DROP.sub("", s)
    s = "".join(_FOLD.get(c, c) for c in s)
    return _SPACES.sub(" ", s).strip()


def letters(s):
    """Number of letters in the normalized form (spaces and marks not counted)."""
    return sum(1 for c in normalize(s) if c.isalpha())


def stem_candidates(token):
    """Normalized token -> list of (prefix_len, stem) readings, the token itself
    first, then the readings with the proclitics the engine strips (و ف ب ك ل,
    one conjunction plus one preposition, and لل -> ال). Stems keep >= 2 letters."""
    out = [(0, token)]
    seen = {token}

    def add(p, stem):
        if len(stem) >= 2 and stem not in seen:
            seen.add(stem)
            out.append((p, stem))

    rest, p = token, 0
    if rest[:1] in ("و", "ف") and len(rest) > 2:
        rest, p = rest[1:], 1
        add(p, rest)
    if rest[:2] == "لل" and len(rest) > 3:
        add(p + 1, "ا" + rest[1:])  # لل + X -> ال + X, the span starts at the second lam
    if rest[:1] in ("ب", "ك", "ل") and len(rest) > 2:
        add(p + 1, rest[1:])
    return out


# A word: Arabic letters/marks, other letters and digits.  Punctuation in the
# corpus is separated by spaces, but quotes and brackets can still touch words.
_WORD = re.compile(r"[\w\u064b-\u0652\u0670\u0640]+")


def tokens(text):
    """(start, end, token) for each word, offsets in code points."""
    return [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]


def load_newsfane(path):
    """The build documents (newsfane-0000 .. newsfane-0094) of dev.jsonl, only."""
    docs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            d = json.loads(line)
            if d["id"] in NEWSFANE_BUILD_IDS:
                docs.append(d)
    found = {d["id"] for d in docs}
    if found != NEWSFANE_BUILD_IDS:
        raise SystemExit("expected documents newsfane-0000..0094, missing %d" % len(NEWSFANE_BUILD_IDS - found))
    docs.sort(key=lambda d: d["id"])
    return docs


def default_newsfane_path():
    for cand in (
        os.path.join(REPO, "..", "shared", "corpora", "newsfane", "dev.jsonl"),
        os.path.join(REPO, "shared", "corpora", "newsfane", "dev.jsonl"),
    ):
        if os.path.exists(cand):
            return os.path.normpath(cand)
    return None


def load_stopwords(path=STOPWORDS_PATH):
    with open(path, encoding="utf-8") as f:
        return [w.strip() for w in f if w.strip() and not w.startswith("#")]


def clean_surface(s):
    return _SPACES.sub(" ", s).strip()


def write_tsv(path, header_lines, entries):
    """entries: iterable of (surface, label). Written sorted by (surface, label),
    duplicates removed, with '# ' header lines on top."""
    rows = sorted(set(entries))
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for h in header_lines:
            f.write("# " + h + "\n" if h else "#\n")
        for surface, label in rows:
            assert label in LABELS, label
            assert surface and surface == surface.strip() and "\t" not in surface, repr(surface)
            f.write("%s\t%s\n" % (surface, label))
    return len(rows)
