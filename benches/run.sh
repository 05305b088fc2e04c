#!/usr/bin/env bash
# Renders the same thumbnail with routix-render (cold and warm) and with Pillow; prints the
# medians and the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-30}"
out=$(cargo bench -q -p routix-render --bench render -- "$runs" | tee /dev/stderr)
cold=$(sed -n 's/^cold: median \([0-9.]*\) ms.*/\1/p' <<<"$out")
warm=$(sed -n 's/^warm: median \([0-9.]*\) ms.*/\1/p' <<<"$out")
python3 -c "import PIL" 2>/dev/null || pip install -q pillow
pillow=$(python3 benches/pillow_render.py "$runs" | tee /dev/stderr | sed -n 's/^median \([0-9.]*\) ms.*/\1/p')
python3 -c "
c, w, p = $cold, $warm, $pillow
print(f'cold: routix {c:.1f} ms vs Pillow {p:.1f} ms = {p / c:.2f}x Pillow speed')
print(f'warm: routix {w:.1f} ms vs Pillow {p:.1f} ms = {p / w:.2f}x Pillow speed')"
