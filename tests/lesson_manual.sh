#!/bin/sh
# Lessons played from a script (standard input not a terminal) through the real binary:
# @explore's question and @manual's challenges answered right and wrong, each session with
# its exact output. Each tests/lesson_manual/*.txt holds:
#   line 1: "# args: ARGS"    the arguments, split by the shell (quotes work)
#   line 2: "# input: TEXT"   what the learner types, as a printf format ('\n' ends a line)
#   line 3: "# exit: N"       the expected exit code
#   the rest:                 the expected output, stdout then stderr
# Run from the source root: tests/lesson_manual.sh build/ticklab [FILE ...]
# To rewrite the expectations after a deliberate change (then read the diff!):
#   TICKLAB_GOLDEN_UPDATE=1 tests/lesson_manual.sh build/ticklab
set -u
binary=$1
shift
failed=0
passed=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export NO_COLOR=1
export TICKLAB_PROGRESS="$work/progress"
unset TICKLAB_DATA LC_ALL LC_MESSAGES LANG
for file in ${@:-tests/lesson_manual/*.txt}; do
    args=$(sed -n '1s/^# args: //p' "$file")
    input=$(sed -n '2s/^# input: //p' "$file")
    want_exit=$(sed -n '3s/^# exit: //p' "$file")
    tail -n +4 "$file" > "$work/expected"
    eval "set -- $args"
    # shellcheck disable=SC2059
    printf "$input" | "$binary" "$@" > "$work/actual" 2> "$work/actual.err"
    got_exit=$?
    cat "$work/actual.err" >> "$work/actual"
    if [ -n "${TICKLAB_GOLDEN_UPDATE:-}" ]; then
        { printf '# args: %s\n# input: %s\n# exit: %s\n' "$args" "$input" "$got_exit"; cat "$work/actual"; } > "$file"
        echo "updated $file"
    elif [ "$got_exit" != "$want_exit" ] || ! cmp -s "$work/expected" "$work/actual"; then
        echo "FAIL $file: printf '$input' | ticklab $args (exit $got_exit, expected $want_exit)"
        diff -u "$work/expected" "$work/actual" | head -60
        failed=$((failed + 1))
    else
        passed=$((passed + 1))
    fi
done
echo "lesson_manual: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
