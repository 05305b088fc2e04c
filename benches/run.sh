#!/usr/bin/env bash
# Renders the same thumbnail with routix-render and with Pillow; prints both medians and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-30}"
rust=$(cargo bench -q -p routix-render --bench render -- "$runs" | tee /dev/stderr | sed -n 's/^median \([0-9.]*\) ms.*/\1/p')
python3 -c "import PIL" 2>/dev/null || pip install -q pillow
pillow=$(python3 benches/pillow_render.py "$runs" | tee /dev/stderr | sed -n 's/^median \([0-9.]*\) ms.*/\1/p')
python3 -c "r, p = $rust, $pillow; print(f'routix {r:.1f} ms vs Pillow {p:.1f} ms: Routix is {p / r:.2f}x Pillow\'s speed')"
