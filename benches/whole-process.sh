#!/usr/bin/env bash
# Whole-process figures for issue #2, beside the criterion benches:
#  1. `raqim render --width 80` against `fribidi --width 80` on an 8 MB Arabic file
#     (the newsfane text repeated), wall time with hyperfine;
#  2. the viewer opened on a 10 MB article in tmux: time to first frame and peak
#     resident memory (GNU time -v).
# Needs: python3, hyperfine, fribidi (Debian libfribidi-bin), GNU time, tmux.
#   apt-get install -y hyperfine libfribidi-bin time tmux
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/raqim
work=$(mktemp -d)
trap 'tmux kill-session -t raqim-bench 2>/dev/null || true; rm -rf "$work"' EXIT

python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
texts = [json.loads(l)["text"] for l in open("tests/fixtures/newsfane/dev.jsonl", encoding="utf-8")]
one = ("\n\n".join(texts) + "\n\n").encode()
for name, size in (("8mb.txt", 8 << 20), ("10mb.txt", 10 << 20)):
    data = one * (size // len(one) + 1)
    data = data[: data.rfind(b"\n", 0, size) + 1]
    open(f"{work}/{name}", "wb").write(data)
PY
ls -l "$work"

echo "== render vs fribidi, 8 MB, width 80"
hyperfine --warmup 2 --runs 10 \
  "fribidi --width 80 $work/8mb.txt" \
  "$bin render --width 80 $work/8mb.txt" \
  "RAYON_NUM_THREADS=1 $bin render --width 80 $work/8mb.txt"

echo "== viewer on 10 MB: first frame and peak memory"
tmux kill-session -t raqim-bench 2>/dev/null || true
start=$(date +%s%N)
tmux new-session -d -s raqim-bench -x 100 -y 40 \
  "/usr/bin/time -v -o $work/time.txt $bin $work/10mb.txt"
until tmux capture-pane -p -t raqim-bench 2>/dev/null | grep -q "10mb.txt"; do sleep 0.005; done
end=$(date +%s%N)
echo "first frame seen by tmux after $(( (end - start) / 1000000 )) ms (includes tmux start-up)"
for _ in $(seq 30); do tmux send-keys -t raqim-bench PageDown; done
sleep 0.5
tmux send-keys -t raqim-bench q
while tmux has-session -t raqim-bench 2>/dev/null; do sleep 0.05; done
grep -E "Maximum resident|Elapsed" "$work/time.txt"
echo "file size: $(stat -c %s "$work/10mb.txt") bytes"
