#!/usr/bin/env bash
# The peers' own parsers read raqim's exports (issue 14): spaCy builds a Doc from every
# Prodigy task and finds every span with char_span; `spacy convert -c ner` and seqeval
# read the CoNLL export; label-studio-converter reads the Label Studio export and gives
# back every span.
#
# Run by .ci/run after cargo test; the Rust test suite itself needs no Python. The
# parsers live in a virtual environment under target/ (RAQIM_INTEROP_VENV to put it
# elsewhere), made from requirements.txt beside this script when it is missing or the
# requirements changed; after that the script downloads nothing.
#
#   scripts/interop/check.sh            # builds raqim (debug), imports the fixtures,
#                                       # exports each format and runs the checks
#   RAQIM_BIN=path/to/raqim scripts/interop/check.sh   # with a raqim already built
set -euo pipefail
cd "$(dirname "$0")/../.."
here=scripts/interop
venv=${RAQIM_INTEROP_VENV:-target/interop-venv}

if [ ! -x "$venv/bin/python" ] || ! cmp -s "$here/requirements.txt" "$venv/requirements.txt"; then
  echo "== interop: making $venv from $here/requirements.txt"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$venv/requirements.txt"
fi

if [ -z "${RAQIM_BIN:-}" ]; then
  echo "== interop: cargo build"
  cargo build --locked --quiet --bin raqim
  RAQIM_BIN=target/debug/raqim
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="$work/raqim.db"
imp() { "$RAQIM_BIN" import --db "$db" --annotator interop --as accepted --add-labels "$@" 2>>"$work/import.log"; }

# The repository's fixtures: Arabic gold articles and NewsFANE news (paragraph breaks,
# proclitics, harakat), and the files of the tools themselves.
head -n 60 tests/fixtures/newsfane/dev.jsonl >"$work/newsfane.jsonl"
imp --format jsonl tests/fixtures/gold/deir-ez-zor.jsonl tests/fixtures/gold/unseen.jsonl \
  tests/fixtures/gold/unseen2.jsonl "$work/newsfane.jsonl"
imp --format prodigy tests/fixtures/formats/prodigy/*.jsonl
imp --format doccano tests/fixtures/formats/doccano/*.jsonl tests/fixtures/interop/doccano/export_example.jsonl
imp --format label-studio tests/fixtures/formats/label-studio/*.json tests/fixtures/interop/label-studio/*.json
imp --format brat --skip-bad tests/fixtures/formats/brat
imp --format conll tests/fixtures/formats/conll/*.conll tests/fixtures/formats/conll/*.iob
# A text whose spans are still to review: Prodigy's default export must leave it out.
printf '%s\n' '{"id":"to-review","text":"قال الجيش السوري\n\nإن داعش انسحب","spans":[{"start":4,"end":16,"label":"ORG"}]}' \
  >"$work/to-review.jsonl"
"$RAQIM_BIN" import --db "$db" --annotator interop --format jsonl "$work/to-review.jsonl" \
  2>>"$work/import.log"

exp() { "$RAQIM_BIN" export --db "$db" "$@" 2>>"$work/export.log"; }
exp --format jsonl --out "$work/all.jsonl"
exp --format prodigy --out "$work/prodigy.jsonl"
exp --format prodigy --state all --out "$work/prodigy-all.jsonl"
exp --format conll --out "$work/export.conll"
exp --format label-studio --out "$work/label-studio.json"

"$venv/bin/python" "$here/check.py" "$work"
