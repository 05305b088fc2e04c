#!/usr/bin/env bash
# Renders the same thumbnail with routix-render and with Pillow and prints both medians.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench -q -p routix-render --bench render -- "${1:-30}"
python3 -c "import PIL" 2>/dev/null || pip install -q pillow
python3 benches/pillow_render.py "${1:-30}"
