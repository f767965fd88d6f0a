#!/bin/sh
# Lessons and the stepper, end to end, through the real binary: a learner's answers are
# piped into `ticklab lesson 4`, debugger commands into `ticklab step kitchen`, and what
# they show is checked. Also every bundled lesson is checked with the command line's own
# reading of @run options (`ticklab lesson --check`).
# Run from the source root: tests/lesson_session.sh build/ticklab
set -u
ticklab=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TICKLAB_PROGRESS="$work/progress"
export NO_COLOR=1
export LANG=C.UTF-8
unset LC_ALL LC_MESSAGES TICKLAB_DATA
failed=0
passed=0

fail() {
    echo "FAIL: $1"
    failed=$((failed + 1))
}

# expect FILE TEXT WHAT: FILE holds TEXT (a fixed string, on one line).
expect() {
    if grep -qF -- "$2" "$1"; then
        passed=$((passed + 1))
    else
        fail "$3: expected to see: $2"
        sed 's/^/    | /' "$1" | head -80
    fi
}

# expect_exit GOT WANT WHAT
expect_exit() {
    if [ "$1" -eq "$2" ]; then
        passed=$((passed + 1))
    else
        fail "$3: exit code $1, expected $2"
    fi
}

# 1. Every lesson, in both languages, holds when read by the command line itself.
"$ticklab" lesson --check > "$work/check.txt" 2>&1
expect_exit $? 0 "ticklab lesson --check"
if grep -Eq "^all [0-9]+ lesson files hold$" "$work/check.txt"; then
    passed=$((passed + 1))
else
    fail "ticklab lesson --check: every lesson holds"
    cat "$work/check.txt"
fi

# 2. The list, before anything is done.
"$ticklab" lesson > "$work/list1.txt" 2>&1
expect_exit $? 0 "ticklab lesson"
expect "$work/list1.txt" "Lessons (in English; in Korean: ticklab lesson --lang ko)" "the lesson list"
if grep -E '^ +4  Concurrency on one core: Jarvis and the three orders +not started$' "$work/list1.txt" > /dev/null; then
    passed=$((passed + 1))
else
    fail "the lesson list shows lesson 4 as not started"
fi
if grep -E '^ +8  Races and locks.* +not started$' "$work/list1.txt" > /dev/null && ! grep -q 'not yet available' "$work/list1.txt"; then
    passed=$((passed + 1))
else
    fail "the lesson list shows lesson 8 as not started, and no lesson as not yet available"
fi

# 3. A learner plays lesson 4, answering on stdin: the makespan (right), the first order
#    served (wrong), the last one (a choice), the context switches, the cake's waiting time,
#    a last choice, and the three orders scheduled by hand (pasta, cake; the ramen is then
#    the only one ready).
printf '13\nramen\nc\n7\nseven\n8\na\npasta\ncake\n' | "$ticklab" lesson 4 > "$work/lesson4.txt" 2>&1
expect_exit $? 0 "ticklab lesson 4"
out="$work/lesson4.txt"
expect "$out" "Lesson 4: Concurrency on one core: Jarvis and the three orders" "lesson 4's title"
expect "$out" "? On one core, at which tick is the last order served?" "the first question"
expect "$out" "> 13" "the answer is echoed"
expect "$out" "Right: kitchen finished at tick 13 on 1 core (rr)." "a right answer, with the evidence"
expect "$out" "Not quite: you said ramen; the answer is pasta — on 1 core (rr), pasta finished first, at tick 9; the order was pasta at 9, ramen at 12, cake at 13." "a wrong answer, with the evidence"
expect "$out" "Right: on 1 core (rr), cake finished last, at tick 13" "a choice answered by letter"
expect "$out" "Right: on 1 core (rr), the core switched threads 7 times." "the context switches"
expect "$out" "Please answer with a number, such as 12." "an answer that is not a number is asked again"
expect "$out" "Right: on 1 core (rr), cake waited, ready but not running, for 8 ticks." "the waiting time"
expect "$out" "   9 | cake compute 3/5  | -            | ramen (io until 10) |" "the per-tick table"
expect "$out" "Your picks: pasta cake" "the orders scheduled by hand (the ramen alone ready: picked for the learner)"
expect "$out" "Your average waiting is 3.67: as good as srtf." "the schedule by hand beside the policies"
expect "$out" "End of lesson 4." "the end of the lesson"
expect "$out" "Next: ticklab lesson 5" "the next lesson"
expect "$work/progress" "04-concurrency-one-core done" "progress after finishing lesson 4"

# A learner who stops answering halfway leaves the lesson in progress.
printf '7\n' | "$ticklab" lesson 5 > "$work/lesson5.txt" 2>&1
expect_exit $? 0 "ticklab lesson 5, input ending early"
expect "$work/lesson5.txt" "Right: kitchen finished at tick 7 on 3 cores (per-core)." "lesson 5's first answer"
expect "$work/lesson5.txt" "Answer: pasta — " "the rest of lesson 5 shows its answers"
expect "$work/progress" "05-parallelism started" "progress after stopping lesson 5"

"$ticklab" lesson > "$work/list2.txt" 2>&1
if grep -E '^ +4  Concurrency on one core.* done$' "$work/list2.txt" > /dev/null \
    && grep -E '^ +5  Parallelism on three cores.* in progress$' "$work/list2.txt" > /dev/null; then
    passed=$((passed + 1))
else
    fail "the list shows lesson 4 done and lesson 5 in progress"
    cat "$work/list2.txt"
fi

# In Korean, from LANG, with the same progress.
LANG=ko_KR.UTF-8 "$ticklab" lesson > "$work/list_ko.txt" 2>&1
expect "$work/list_ko.txt" "강 목록" "the Korean list"
if grep -E '^ +4  .*완료$' "$work/list_ko.txt" > /dev/null; then
    passed=$((passed + 1))
else
    fail "the Korean list shows lesson 4 done"
    cat "$work/list_ko.txt"
fi

# Forgetting progress says so plainly, in both languages; the list then shows it.
cp "$TICKLAB_PROGRESS" "$work/progress.saved"
"$ticklab" lesson --reset > "$work/reset.txt" 2>&1
expect_exit $? 0 "ticklab lesson --reset"
expect "$work/reset.txt" "Progress forgotten: every lesson is marked not started." "the reset message"
"$ticklab" lesson --reset --lang ko > "$work/reset_ko.txt" 2>&1
expect "$work/reset_ko.txt" "진행 기록을 지웠습니다. 이제 모든 강이 '시작 전'입니다." "the Korean reset message"
"$ticklab" lesson > "$work/list3.txt" 2>&1
if grep -E '^ +4  Concurrency on one core.* not started$' "$work/list3.txt" > /dev/null; then
    passed=$((passed + 1))
else
    fail "after --reset, lesson 4 is not started"
    cat "$work/list3.txt"
fi
cp "$work/progress.saved" "$TICKLAB_PROGRESS"
# A Korean learner answers in Korean: the lesson calls the pasta 파스타 (@names), and a
# number may carry its unit.
printf '13틱\n파스타\n' | "$ticklab" lesson 4 --lang ko > "$work/lesson4_ko.txt" 2>&1
expect_exit $? 0 "ticklab lesson 4 --lang ko, answered in Korean"
expect "$work/lesson4_ko.txt" "맞았습니다! kitchen 프로세스가 코어 1개에서 13틱에 끝났습니다 (rr)." "13틱 is 13"
expect "$work/lesson4_ko.txt" "맞았습니다! 코어 1개(rr)에서 pasta 스레드가 9틱에 가장 먼저 끝났습니다." "파스타 is the pasta thread"

# Reading a lesson with its answers is deterministic and asks nothing.
"$ticklab" lesson 4 --all --lang ko < /dev/null > "$work/all1.txt" 2>&1
"$ticklab" lesson 4 --all --lang ko < /dev/null > "$work/all2.txt" 2>&1
if cmp -s "$work/all1.txt" "$work/all2.txt"; then passed=$((passed + 1)); else fail "--all is deterministic"; fi
expect "$work/all1.txt" "4강: " "the Korean lesson's title"
expect "$work/all1.txt" "정답: 13 — kitchen 프로세스가 코어 1개에서 13틱에 끝났습니다 (rr)." "a Korean answer"

# A lesson file of one's own: its figures shown, and no "Next:" lesson after it.
cat > "$work/mine.lesson" <<'EOF'
# My lesson
@run k = kitchen --cores 1
The kitchen ends at tick {makespan = 13}, after {switches} switches.
EOF
"$ticklab" lesson "$work/mine.lesson" --all > "$work/mine.txt" 2>&1
expect_exit $? 0 "a lesson file of one's own"
expect "$work/mine.txt" "The kitchen ends at tick 13, after 7 switches." "figures in prose"
if grep -q "^Next:" "$work/mine.txt"; then
    fail "a lesson file of one's own names no next lesson"
    cat "$work/mine.txt"
else
    passed=$((passed + 1))
fi

# A malformed lesson: every error, file:line:col and a caret, exit code 3; its @run
# options are read by `ticklab run`'s own parser.
cat > "$work/bad.lesson" <<'EOF'
# A broken lesson
@run k = kitchen --corse 3
@prdict makespan: How long?
EOF
"$ticklab" lesson "$work/bad.lesson" > "$work/bad.txt" 2>&1
expect_exit $? 3 "a malformed lesson"
expect "$work/bad.txt" "bad.lesson:2:18: error: 'ticklab run' has no option '--corse'; did you mean '--cores'?" "an unknown run option"
expect "$work/bad.txt" "bad.lesson:3:2: error: unknown directive '@prdict'; did you mean '@predict'?" "an unknown directive"
expect "$work/bad.txt" "    3 | @prdict makespan: How long?" "the offending line"
expect "$work/bad.txt" "2 errors in the lesson; it cannot be played until they are fixed" "the error count"

# 4. The stepper: forward to tick 9, on to 10, back to 9 shows exactly what 9 showed.
printf 'until 9\nn\nback\np ramen\nbreak block\nuntil 0\ncontinue\nram\nquit\n' \
    | "$ticklab" step programs/kitchen.tl > "$work/step.txt" 2>&1
expect_exit $? 0 "ticklab step"
out="$work/step.txt"
# reply_after PROMPT_AND_COMMAND: the lines printed in answer to it, up to the next prompt.
reply_after() {
    awk -v command="$1" '
        found && /^\(tick [0-9]+\) / { exit }
        found { print }
        $0 == command { found = 1 }
    ' "$out"
}
reply_after "(tick 0) until 9" > "$work/forward9.txt"
reply_after "(tick 10) back" > "$work/back9.txt"
expect "$work/forward9.txt" "   9 | cake compute 3/5  | -            | ramen (io until 10) | pasta prints \"pasta is served\"; pasta ends; core 0 runs cake" "tick 9's row"
expect "$work/forward9.txt" "tick | core 0            | ready        | blocked             | events" "the table's header"
if [ -s "$work/forward9.txt" ] && cmp -s "$work/forward9.txt" "$work/back9.txt"; then
    passed=$((passed + 1))
else
    fail "back from tick 10 shows exactly what going forward to tick 9 showed"
    diff "$work/forward9.txt" "$work/back9.txt"
fi
expect "$out" "  10 | cake compute 4/5  | ramen        | -                   | ramen wakes" "tick 10's row"
expect "$out" "thread ramen (process kitchen) at tick 9: blocked on 'io 2' until tick 10; its core is free for others" "inspecting a thread"
expect "$out" "  >   13  io 2" "where the thread is in its code"
expect "$out" "Breakpoint 1 (block): at tick 8, ramen waits on io until 10." "a breakpoint"
expect "$out" "RAM at tick 8: 16K of 1M in use, 1008K free" "the RAM"

# A progress file that is not ticklab's (the learner's notes, or a link to them) is left alone.
printf 'my notes\n' > "$work/notes.txt"
ln -s "$work/notes.txt" "$work/notes-link"
for progress in "$work/notes.txt" "$work/notes-link"; do
    TICKLAB_PROGRESS=$progress "$ticklab" lesson --reset > "$work/reset.txt" 2>&1
    code=$?
    if [ "$code" -eq 3 ] && [ "$(cat "$work/notes.txt")" = "my notes" ] && [ -L "$work/notes-link" ]; then
        passed=$((passed + 1))
    else
        fail "--reset with TICKLAB_PROGRESS=$progress exits 3 (got $code) and leaves the notes as they are"
        cat "$work/reset.txt"
    fi
    printf '\n' | TICKLAB_PROGRESS=$progress "$ticklab" lesson 4 > "$work/play.txt" 2>&1
    expect "$work/play.txt" "; your progress is not remembered" \
        "playing with a foreign progress file says progress is not remembered"
done
expect "$work/reset.txt" "is a symbolic link; ticklab does not write through it" "--reset names the link"
if [ "$(cat "$work/notes.txt")" = "my notes" ]; then passed=$((passed + 1)); else fail "the notes survive playing"; fi

echo "lesson_session: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
