#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (default 60 s each), then minimises its corpus
# into fuzz/corpus/<target>/ (kept in the repository). A crash stops the script, leaves the
# input under fuzz/artifacts/<target>/ and should become a regression test.
#
#   fuzz/run.sh [seconds] [target...]
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). No sanitizer:
# the code under test is safe Rust, and the instrumented build is then twice as fast.
# Optimised, with debug assertions and overflow checks (cargo-fuzz's default).
set -euo pipefail
cd "$(dirname "$0")"

seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(template_json analyzer upload_sniff multipart_upload ws_frame)
fi

# Inputs as long as each parser meets in production: 64 KiB covers a WebSocket frame (the
# server reads up to 4x its 16 KiB limit), a template file and small images.
max_len=65536
flags=(--sanitizer none)

for target in "${targets[@]}"; do
    corpus="corpus/$target"
    mkdir -p "$corpus"
    features=()
    len="$max_len"
    case "$target" in
        template_json | analyzer) features=(--no-default-features) ;;
        # Image headers and sniffing live in the first few KiB; longer inputs only bloat
        # the kept corpus.
        upload_sniff) len=4096 ;;
    esac
    log="$(mktemp)"
    echo "== $target: ${seconds}s"
    if ! cargo +nightly fuzz run "${flags[@]}" "${features[@]}" "$target" "$corpus" -- \
        -max_total_time="$seconds" -max_len="$len" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 >"$log" 2>&1; then
        tail -n 40 "$log"
        echo "!! $target failed: a build error above, or a crash saved under fuzz/artifacts/$target/" >&2
        exit 1
    fi
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|Done [0-9]+ runs" "$log" || true
    cargo +nightly fuzz cmin "${flags[@]}" "${features[@]}" "$target" "$corpus" -- -max_len="$len" \
        >/dev/null 2>&1
    echo "   corpus: $(ls "$corpus" | wc -l) files, $(du -sh "$corpus" | cut -f1)"
    rm -f "$log"
done
