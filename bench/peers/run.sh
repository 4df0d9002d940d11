#!/usr/bin/env bash
# Side-by-side peer comparisons: GoRules ZEN (the Python package and the Rust crate),
# json-rules-engine and pygambit against casus on the same generated scenarios. Not part of
# `cargo test`. Installs the peers on first use into
# bench/peers/.venv and bench/peers/node_modules (both gitignored).
#
# Usage: bench/peers/run.sh [OUT.json]   (default: target/bench-peers.json)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$root/target/bench-peers.json}"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
runs="${PEER_RUNS:-3}"
cd "$here"

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import zen, pygambit' 2>/dev/null; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet -r requirements.txt
fi
if [ ! -d node_modules/json-rules-engine ]; then
  npm install --no-audit --no-fund --silent
fi

cargo build --release --quiet -p casus-bench --features native-zen --manifest-path "$root/Cargo.toml"
bin="$root/target/release/casus-bench"
work="$root/target/bench-peers"
mkdir -p "$work"

# ZEN and json-rules-engine: every combination of 12 decisions (4,096) over 500 rules.
"$bin" gen rules 12 500 "$work/rules-12"
# pygambit: the 2^16-leaf game of 16 decisions over 500 rules.
"$bin" gen rules 16 500 "$work/rules-16"

.venv/bin/python zen_peer.py "$work/rules-12/spec.json" "$work/zen.json" "$runs"
# ZEN's Rust crate on the same rule set, beside casus per combination; fails on any disagreement.
"$bin" native rules 12 500 "$work/native.json" "$runs"
node jre_peer.js "$work/rules-12/spec.json" "$work/jre.json" "$runs"
.venv/bin/python gambit_peer.py "$work/rules-16/spec.json" "$work/gambit.json" "$runs"

python3 - "$out" "$work/zen.json" "$work/native.json" "$work/jre.json" "$work/gambit.json" <<'PY'
import json, sys
merged = {}
for path in sys.argv[2:]:
    with open(path) as f:
        merged.update(json.load(f))
with open(sys.argv[1], "w") as f:
    json.dump(merged, f, indent=1)
print("peers written to", sys.argv[1])
PY
