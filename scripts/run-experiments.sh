#!/usr/bin/env bash
# Re-runs every committed experiment and rewrites its results/ folder (deterministic), plus the
# capacity search of q9 (its result set in results/q9-capacity-capacity/). Build first: npm run build.
set -euo pipefail
cd "$(dirname "$0")/.."
for f in experiments/default.yaml experiments/q*.yaml; do
  echo "== $f" >&2
  node dist/cli/main.js run "$f" --quiet
done
cmd="node dist/cli/main.js capacity experiments/q9-capacity.yaml --slo 'latency_p99_ms<20' --set 'sweep={}'"
out=$(mktemp)
{ echo "\$ $cmd"; eval "$cmd" 2>"$out.err"; echo; echo "# probes (stderr)"; cat "$out.err"; } > "$out"
mv "$out" results/q9-capacity/capacity.txt
rm -f "$out.err"
