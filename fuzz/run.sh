#!/bin/sh
# Bounded fuzzing of ticklab's four libFuzzer targets.
#   fuzz/run.sh BUILD_DIR SECONDS_PER_TARGET [TARGET...]
# BUILD_DIR must be configured with clang and -Dfuzz=true (see fuzz/meson.build). Seeds come
# from programs/, lessons/, the bad-input corpus and fuzz/regressions/<target>/ (inputs that
# once crashed, kept so they never do again). Each target runs from a fresh working corpus
# for SECONDS_PER_TARGET seconds. A crash, leak, timeout or sanitizer report stops the run:
# the input is saved as fuzz/regressions/<target>/crash-*, and the script exits non-zero.
# Prints one line per target with libFuzzer's execution count, in the order given. Without
# TARGET names, all four targets run; name some (e.g. parse-program) to run only those.
# Targets run as many at a time as there are processors (FUZZ_JOBS overrides it): each still
# gets SECONDS_PER_TARGET of its own processor, and the wall time is divided.
set -u
build=$1
seconds=$2
shift 2
targets=${*:-parse-program parse-lesson run-program check-lesson}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}

# fuzz TARGET: runs one target and writes its line of result to $work/TARGET.result, and a
# file $work/TARGET.failed if it found a problem.
fuzz() {
    target=$1
    corpus=$work/$target
    mkdir -p "$corpus"
    case $target in
        parse-lesson | check-lesson) seeds=$(ls lessons/*/*.lesson tests/bad/inputs/*.lesson 2>/dev/null) ;;
        *) seeds=$(ls programs/*.tl tests/golden/inputs/*.tl tests/bad/inputs/*.tl 2>/dev/null) ;;
    esac
    n=0
    for seed in $seeds fuzz/regressions/$target/*; do
        [ -f "$seed" ] || continue
        n=$((n + 1))
        if [ "$target" = run-program ]; then
            # The first byte picks the machine (cores, switch cost, convention, policy).
            { printf '\001'; cat "$seed"; } > "$corpus/seed-$n"
        else
            cp "$seed" "$corpus/seed-$n"
        fi
    done
    # Inputs long enough for deep expressions (a @check of thousands of terms) where that is
    # cheap; a program is simulated and rendered ten ways, so it stays shorter.
    case $target in
        run-program) max_len=8192 ;;
        *) max_len=65536 ;;
    esac
    mkdir -p "fuzz/regressions/$target"
    log=$work/$target.log
    "$build/fuzz/fuzz-$target" "$corpus" -max_total_time="$seconds" -timeout=60 -rss_limit_mb=2048 \
        -max_len="$max_len" -artifact_prefix="fuzz/regressions/$target/" -print_final_stats=1 > "$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    # The last progress line's coverage: "cov: N" edges, "ft: N" features.
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1)
    if [ $rc -ne 0 ]; then
        : > "$work/$target.failed"
        { echo "fuzz-$target: FOUND A PROBLEM after ${runs:-?} runs (exit $rc); input saved in fuzz/regressions/$target/"
          grep -E 'ERROR|SUMMARY|runtime error|VERIFY|==[0-9]+==' "$log" | head -20; } > "$work/$target.result"
    else
        echo "fuzz-$target: ${runs:-?} runs in ${seconds}s from $n seeds, ${cov:-cov: ?}, no crash" \
            > "$work/$target.result"
    fi
}

# Start the targets in turn, at most $jobs at a time.
running=0
for target in $targets; do
    if [ "$running" -ge "$jobs" ]; then
        wait
        running=0
    fi
    fuzz "$target" &
    running=$((running + 1))
done
wait

status=0
for target in $targets; do
    cat "$work/$target.result"
    [ -f "$work/$target.failed" ] && status=1
done
exit $status
