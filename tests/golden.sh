#!/bin/sh
# Golden tests of the real binary. Each tests/golden/*.txt holds:
#   line 1: "# args: ARGS"    the arguments, split by the shell (quotes work)
#   line 2: "# exit: N"       the expected exit code
#   the rest:                 the expected output, stdout then stderr
# Run from the source root: tests/golden.sh build/ticklab [NAME | FILE | DIRECTORY ...]
# (default: every file in tests/golden/; a directory stands for every .txt file in it).
# To rewrite the expectations after a deliberate change (then read the diff!):
#   TICKLAB_GOLDEN_UPDATE=1 tests/golden.sh build/ticklab
set -u
binary=$1
shift
failed=0
passed=0
files=
for arg in "${@:-tests/golden}"; do
    if [ -d "$arg" ]; then files="$files $(ls "$arg"/*.txt)"; else files="$files $arg"; fi
done
export NO_COLOR=1
unset TICKLAB_DATA
for file in $files; do
    case $file in */*) ;; *) file=tests/golden/$file.txt ;; esac
    args=$(sed -n '1s/^# args: //p' "$file")
    want_exit=$(sed -n '2s/^# exit: //p' "$file")
    expected=$(mktemp)
    actual=$(mktemp)
    tail -n +3 "$file" > "$expected"
    eval "set -- $args"
    "$binary" "$@" > "$actual" 2> "$actual.err"
    got_exit=$?
    cat "$actual.err" >> "$actual"
    if [ -n "${TICKLAB_GOLDEN_UPDATE:-}" ]; then
        { printf '# args: %s\n# exit: %s\n' "$args" "$got_exit"; cat "$actual"; } > "$file"
        echo "updated $file"
    elif [ "$got_exit" != "$want_exit" ] || ! cmp -s "$expected" "$actual"; then
        echo "FAIL $file: ticklab $args (exit $got_exit, expected $want_exit)"
        diff -u "$expected" "$actual" | head -60
        failed=$((failed + 1))
    else
        passed=$((passed + 1))
    fi
    rm -f "$expected" "$actual" "$actual.err"
done
echo "${GOLDEN_LABEL:-golden}: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
