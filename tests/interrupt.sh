#!/bin/sh
# Ctrl-C (SIGINT) during a run that would take days: ticklab prints the run so far, says it
# was interrupted and exits 130. Run from the source root: tests/interrupt.sh build/ticklab
set -u
binary=$1
dir=$(mktemp -d)
printf 'process p\n    thread a\n        compute 1000000000000\n    thread b\n        compute 1000000000000\n' > "$dir/days.tl"
"$binary" run "$dir/days.tl" --max-ticks 1000000000000 -f summary > "$dir/out" 2> "$dir/err" &
pid=$!
sleep 1
kill -INT $pid
wait $pid
code=$?
status=0
[ $code -eq 130 ] || { echo "exit $code, expected 130"; status=1; }
grep -q '^ticklab: interrupted (Ctrl-C) at tick [0-9]*: the output is the run up to that tick' "$dir/err" \
    || { echo "no interruption message:"; cat "$dir/err"; status=1; }
grep -q '^stopped at the tick limit ([0-9]* ticks)' "$dir/out" || { echo "no partial summary:"; cat "$dir/out"; status=1; }

# The same for a table of policies and for a comparison: what was computed, then exit 130.
interrupt() {
    what=$1
    shift
    "$binary" "$@" > "$dir/out" 2> "$dir/err" &
    pid=$!
    sleep 1
    kill -INT $pid
    wait $pid
    code=$?
    [ $code -eq 130 ] || { echo "$what: exit $code, expected 130"; cat "$dir/err"; status=1; }
    grep -q '^ticklab: interrupted (Ctrl-C)' "$dir/err" || { echo "$what: no interruption message:"; cat "$dir/err"; status=1; }
    [ -s "$dir/out" ] || { echo "$what: nothing printed"; status=1; }
}
interrupt "a policy table" run "$dir/days.tl" --max-ticks 1000000000000 -s rr,fcfs
interrupt "a comparison" compare "$dir/days.tl" -l "--max-ticks 1000000000000" -r "--max-ticks 1000000000000 -c 2"

rm -rf "$dir"
exit $status
