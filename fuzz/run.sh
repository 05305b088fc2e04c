#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (default 60 s each), then minimises its corpus
# into fuzz/corpus/<target>/ (kept in the repository). A crash stops the script, leaves the
# input under fuzz/artifacts/<target>/ and should become a regression test.
#
#   fuzz/run.sh [seconds] [target...]
#
# With 0 seconds it only minimises the corpora kept (after a change to the minimisation).
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
# The kept corpus is minimised on edge coverage alone: libFuzzer's hit-count buckets keep
# a file for every new loop count (a template with one more layer, a frame one field
# longer), which doubles a corpus past 1 MB for little; a run regrows them in memory.
cmin_flags=(-use_counters=0)

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
    if [ "$seconds" -gt 0 ]; then
        if ! cargo +nightly fuzz run "${flags[@]}" "${features[@]}" "$target" "$corpus" -- \
            -max_total_time="$seconds" -max_len="$len" -timeout=10 -rss_limit_mb=2048 \
            -print_final_stats=1 >"$log" 2>&1; then
            # A crash report ends with the input's bytes: show the finding, not just those.
            grep -E "^(error|Error)|panicked|ERROR: libFuzzer|SUMMARY|Failing input|artifacts/" "$log" \
                | grep -v "^Output of" | head -n 20 || true
            tail -n 20 "$log" | cut -c1-300
            echo "!! $target failed: a build error above, or a crash saved under fuzz/artifacts/$target/" >&2
            exit 1
        fi
        grep -E "^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|slowest_unit_time_sec|peak_rss_mb)|Done [0-9]+ runs" "$log" || true
    fi
    if ! cargo +nightly fuzz cmin "${flags[@]}" "${features[@]}" "$target" "$corpus" -- \
        -max_len="$len" "${cmin_flags[@]}" >"$log" 2>&1; then
        tail -n 40 "$log" | cut -c1-300
        echo "!! $target: corpus minimisation failed" >&2
        exit 1
    fi
    # Files, and their total size in KiB (bytes, not disk blocks).
    echo "   corpus: $(ls "$corpus" | wc -l) files, $(du -sk --apparent-size "$corpus" | cut -f1) KiB"
    rm -f "$log"
done
