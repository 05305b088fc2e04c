#!/usr/bin/env bash
# Renders the same thumbnail with routix-render (cold and warm) and with Pillow, in
# alternating rounds so both see the same machine load; prints each round's medians and the
# median ratio over the rounds. Usage: benches/run.sh [runs per round] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-30}"
rounds="${2:-3}"
python3 -c "import PIL" 2>/dev/null || pip install -q pillow
cargo bench -q -p routix-render --bench render --no-run
cold=() warm=() pillow=()
for round in $(seq 1 "$rounds"); do
    echo "round $round of $rounds"
    out=$(cargo bench -q -p routix-render --bench render -- "$runs" | tee /dev/stderr)
    cold+=("$(sed -n 's/^cold: median \([0-9.]*\) ms.*/\1/p' <<<"$out")")
    warm+=("$(sed -n 's/^warm: median \([0-9.]*\) ms.*/\1/p' <<<"$out")")
    pillow+=("$(python3 benches/pillow_render.py "$runs" | tee /dev/stderr | sed -n 's/^median \([0-9.]*\) ms.*/\1/p')")
done
python3 - "${cold[*]}" "${warm[*]}" "${pillow[*]}" <<'PY'
import statistics, sys
cold, warm, pillow = ([float(v) for v in arg.split()] for arg in sys.argv[1:4])
for name, ours in (("cold", cold), ("warm", warm)):
    ratios = [p / o for p, o in zip(pillow, ours)]
    print(f"{name}: routix {statistics.median(ours):.1f} ms vs Pillow {statistics.median(pillow):.1f} ms"
          f" = {statistics.median(ratios):.2f}x Pillow speed (rounds: {', '.join(f'{r:.2f}x' for r in ratios)})")
PY
