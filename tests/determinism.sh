#!/bin/sh
# The determinism sweep: every bundled program x every policy (built-in and policies/*.lua) x every output format (and
# --explain) on 1 and 3 cores is run twice, and once more visiting every tick
# (--step-every-tick); the three must agree byte for byte, exit code included. Each program
# and policy is also drawn by `ticklab compare` (1 core against 3) in its three formats,
# twice. Run from the source root:
#   tests/determinism.sh build/ticklab            # everything (a few minutes)
#   tests/determinism.sh build/ticklab 37         # every 37th combination (what meson test runs)
# Prints one line: "determinism: N combinations, N differences".
set -u
ticklab=$1
stride=${2:-1}
export NO_COLOR=1
unset TICKLAB_DATA
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

policies=$("$ticklab" schedulers | sed -n 's/^\([a-z][a-z-]*\)  .*/\1/p')
# The bundled policies written in Lua too: their pairs, sort and random numbers must not vary.
policies="$policies $(ls policies/*.lua)"
formats=$("$ticklab" run --help | sed -n 's/.*Output: //p' | tr -d ',')
[ -n "$policies" ] && [ -n "$formats" ] || { echo "determinism: cannot list the policies or formats"; exit 1; }

combinations=0
differences=0
index=0

for program in programs/*.tl; do
    name=$(basename "$program" .tl)
    for policy in $policies; do
        for cores in 1 3; do
            for format in $formats explain; do
                index=$((index + 1))
                [ $((index % stride)) -eq 0 ] || continue
                combinations=$((combinations + 1))
                if [ "$format" = explain ]; then
                    set -- run "$program" -s "$policy" -c "$cores" --explain
                else
                    set -- run "$program" -s "$policy" -c "$cores" -f "$format"
                fi
                "$ticklab" "$@" > "$work/a" 2>&1; echo "exit $?" >> "$work/a"
                "$ticklab" "$@" > "$work/b" 2>&1; echo "exit $?" >> "$work/b"
                "$ticklab" "$@" --step-every-tick > "$work/c" 2>&1; echo "exit $?" >> "$work/c"
                if ! cmp -s "$work/a" "$work/b" || ! cmp -s "$work/a" "$work/c"; then
                    differences=$((differences + 1))
                    echo "DIFFERENT: ticklab $*"
                    diff "$work/a" "$work/b" | head -10
                    diff "$work/a" "$work/c" | head -10
                fi
            done
        done
        for format in gantt svg html; do
            index=$((index + 1))
            [ $((index % stride)) -eq 0 ] || continue
            combinations=$((combinations + 1))
            set -- compare "$program" -l "-c 1 -s $policy" -r "-c 3 -s $policy" -f "$format"
            "$ticklab" "$@" > "$work/a" 2>&1; echo "exit $?" >> "$work/a"
            "$ticklab" "$@" > "$work/b" 2>&1; echo "exit $?" >> "$work/b"
            # (Stepping is not repeated here: the options are drawn in the chart, and the
            # runs are the ones above.)
            if ! cmp -s "$work/a" "$work/b"; then
                differences=$((differences + 1))
                echo "DIFFERENT: ticklab $*"
                diff "$work/a" "$work/b" | head -10
            fi
        done
    done
done
echo "determinism: $combinations combinations, $differences differences"
[ "$combinations" -gt 0 ] && [ "$differences" -eq 0 ]
