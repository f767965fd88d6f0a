#!/bin/sh
# The command line behaves as Unix tools do, through the real binary: "-" reads the program
# from standard input, a failed write to standard output is an error, and the README's
# set-up command is the one CI runs. Also the program list, read as a whole.
# Run from the source root: tests/cli_unix.sh build/ticklab
set -u
ticklab=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export NO_COLOR=1
export LANG=C.UTF-8
unset LC_ALL LC_MESSAGES TICKLAB_DATA
failed=0
passed=0

fail() {
    echo "FAIL: $1"
    failed=$((failed + 1))
}

# same FILE EXPECTED_FILE WHAT: FILE holds exactly what EXPECTED_FILE holds.
same() {
    if cmp -s "$1" "$2"; then
        passed=$((passed + 1))
    else
        fail "$3"
        diff -u "$2" "$1" | head -40
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

# 1. "-": the program from standard input, named <stdin>.
"$ticklab" run - --format summary < programs/kitchen.tl > "$work/stdin.txt" 2>&1
expect_exit $? 0 "ticklab run - < kitchen"
grep -E '^(ticklab:|finished at)' "$work/stdin.txt" > "$work/got.txt"
cat > "$work/want.txt" <<'EOF'
ticklab: <stdin> on 1 core, RAM 1M, bus 8/tick; scheduler: round-robin, quantum 2, one global queue; switch cost 0; arrivals queue before a preempted thread; wake-ups may preempt
finished at tick 13: makespan 13, 7 context switches, 3 threads
EOF
same "$work/got.txt" "$work/want.txt" "cat kitchen | ticklab run - --format summary: makespan 13"

# The same run as from the file, apart from its name.
"$ticklab" run programs/kitchen.tl > "$work/file.txt" 2>&1
cat programs/kitchen.tl | "$ticklab" run - > "$work/piped.txt" 2>&1
sed 's/^ticklab: <stdin> on/ticklab: programs\/kitchen.tl on/' "$work/piped.txt" > "$work/piped_renamed.txt"
same "$work/piped_renamed.txt" "$work/file.txt" "a piped program runs exactly as the file does"

"$ticklab" check - < programs/hello.tl > "$work/check.txt" 2>&1
expect_exit $? 0 "ticklab check - < hello"
head -n 1 "$work/check.txt" > "$work/got.txt"
echo "<stdin>: ok, 1 process, 1 thread" > "$work/want.txt"
same "$work/got.txt" "$work/want.txt" "ticklab check - names the program <stdin>"

printf 'process p\n  thread t\n    compute x\n' | "$ticklab" run - > "$work/bad.txt" 2>&1
expect_exit $? 3 "a bad program on standard input"
cat > "$work/want.txt" <<'EOF'
<stdin>:3:13: error: expected a number of ticks after 'compute', found 'x'
    3 |     compute x
      |             ^
1 error; nothing was run
EOF
same "$work/bad.txt" "$work/want.txt" "an error in a piped program is located in <stdin>"

# A program file over the limit (1 GiB) is refused before it is read: a sparse file costs no disk.
truncate -s 1073741825 "$work/huge.tl"
"$ticklab" run "$work/huge.tl" > "$work/big.txt" 2>&1
expect_exit $? 3 "a program file over 1 GiB"
echo "ticklab: error: cannot run '$work/huge.tl': the file is larger than 1 GiB; is it really a program?" \
    > "$work/want.txt"
same "$work/big.txt" "$work/want.txt" "a program file is capped at 1 GiB"
rm -f "$work/huge.tl"

# `step -`: with no terminal to read commands from (setsid: no controlling terminal), it
# shows tick 0 and says why it stops there.
setsid -w "$ticklab" step - < programs/hello.tl > "$work/step.txt" 2> "$work/step_err.txt"
expect_exit $? 0 "ticklab step - without a terminal"
head -n 1 "$work/step.txt" > "$work/got.txt"
echo "Stepping <stdin> on 1 core, RAM 1M, scheduler round-robin, quantum 2, one global queue. The run ends at tick 3." \
    > "$work/want.txt"
same "$work/got.txt" "$work/want.txt" "ticklab step - steps the piped program"
echo "ticklab: note: the program came from standard input and there is no terminal to type commands on; only tick 0 is shown" \
    > "$work/want.txt"
same "$work/step_err.txt" "$work/want.txt" "ticklab step - without a terminal says so"

# With a terminal, the commands come from it while the program comes through the pipe.
python3 - "$ticklab" > "$work/step_tty.txt" 2>&1 <<'EOF'
import os, pty, sys, time
ticklab = sys.argv[1]
read_end, write_end = os.pipe()
pid, master = pty.fork()
if pid == 0:
    os.close(write_end)
    os.dup2(read_end, 0)
    os.execv(ticklab, [ticklab, "step", "-"])
os.close(read_end)
with open("programs/kitchen.tl", "rb") as program:
    os.write(write_end, program.read())
os.close(write_end)
os.write(master, b"until 9\r")
os.write(master, b"quit\r")
out = b""
deadline = time.time() + 20
while time.time() < deadline:
    try:
        chunk = os.read(master, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace").replace("\r\n", "\n"))
print("exit", os.waitstatus_to_exitcode(status))
EOF
if grep -qF "   9 | cake compute 3/5  | -            | ramen (io until 10) |" "$work/step_tty.txt" \
    && grep -qF "Stepping <stdin> on 1 core" "$work/step_tty.txt" && grep -qx "exit 0" "$work/step_tty.txt"; then
    passed=$((passed + 1))
else
    fail "ticklab step - reads the program from the pipe and the commands from the terminal"
    sed 's/^/    | /' "$work/step_tty.txt" | tail -20
fi

# 2. A failed write is an error with a message and exit code 74, for every command.
check_full() {
    what=$1
    shift
    "$@" > /dev/full 2> "$work/full_err.txt" < /dev/null
    got=$?
    if [ "$got" -eq 74 ] && grep -q "^ticklab: error: cannot write .*standard output" "$work/full_err.txt"; then
        passed=$((passed + 1))
    else
        fail "$what > /dev/full: exit $got, expected 74 and a message"
        sed 's/^/    | /' "$work/full_err.txt"
    fi
}
check_full "run kitchen" "$ticklab" run kitchen
check_full "run kitchen -f svg" "$ticklab" run kitchen -f svg
check_full "run kitchen -f json" "$ticklab" run kitchen -f json
check_full "run kitchen -f csv" "$ticklab" run kitchen -f csv
check_full "run kitchen -f summary" "$ticklab" run kitchen -f summary
check_full "run kitchen -f gantt" "$ticklab" run kitchen -f gantt
check_full "run a policy table" "$ticklab" run kitchen -s all
check_full "a long run" "$ticklab" run --jobs A:0:20000 -f json
check_full "check kitchen" "$ticklab" check kitchen
check_full "demo" "$ticklab" demo
check_full "compare -f svg" "$ticklab" compare -f svg
check_full "programs" "$ticklab" programs
check_full "schedulers" "$ticklab" schedulers
check_full "language" "$ticklab" language
check_full "generate" "$ticklab" generate
check_full "lesson" "$ticklab" lesson
check_full "lesson 4 --all" "$ticklab" lesson 4 --all
check_full "step kitchen" "$ticklab" step kitchen
check_full "--help" "$ticklab" --help
check_full "--version" "$ticklab" --version
"$ticklab" run kitchen > /dev/full 2> "$work/full_err.txt"
echo "ticklab: error: cannot write the output to standard output" > "$work/want.txt"
same "$work/full_err.txt" "$work/want.txt" "the message for a failed write"

# 3. The README's set-up recovers from a half-made build/, and CI uses the same form.
setup='(test -f build/build.ninja || meson setup --wipe build 2>/dev/null || meson setup build)'
if [ "$(grep -cF "$setup" README.md)" -eq 2 ] && grep -qF "$setup" .ci/run; then
    passed=$((passed + 1))
else
    fail "README's two set-up commands and .ci/run use: $setup"
fi

# 4. The bundled programs, each described by a whole first sentence, aligned.
"$ticklab" programs | tail -n +2 > "$work/programs.txt"
cat > "$work/want.txt" <<'EOF'
  affinity             Three jobs on two cores, each core with a cache of 100
                       (ticklab run affinity --cores 2 --cache 100 --quantum 10
                       --set timer=global): b and c together fit one core's
                       cache, a fills a cache alone.
  arrivals             Jobs that arrive at different ticks: who waits, and for
                       how long, depends on the policy.
  bus_bound            Memory-bound work on four cores: the bus, not the cores,
                       sets the pace.
  crash                One thread's fault ends its whole process; other
                       processes carry on.
  deadlock             A deadlock: two threads each hold one lock and wait for
                       the other's.
  delivery             The study note's asyncio example: three deliveries
                       gathered in one thread.
  delivery_compute     The delivery example where the waiting is CPU work:
                       `compute mealtime` instead of `await sleep mealtime`.
  delivery_sequential  The delivery example without gather: main awaits each
                       delivery in turn, so the next one starts only when the
                       previous one has returned.
  exit                 exit ends the whole process: every thread of it stops,
                       other processes carry on.
  gil_io               I/O-bound threads still overlap under a GIL: a thread
                       gives the GIL up when it blocks on I/O, so the waits of
                       the three threads run at the same time.
  gil_processes        Python's answer to the GIL: two processes
                       (multiprocessing), each with its own interpreter and so
                       its own GIL.
  gil_threads          Two CPU-bound threads of one Python-like process with a
                       GIL, on 2 cores.
  hello                The smallest program: one process, one thread, some work
                       and a line of output.
  io_overlap           A blocked thread frees its core: I/O overlaps with
                       someone else's computing.
  kitchen              Jarvis gets three orders at once: ramen, pasta and cake
                       (concurrency vs. parallelism).
  loading              A program becomes a process by being loaded from storage
                       into RAM, over the bus.
  lookup               Two threads read a price from the RAM over the bus, then
                       compute: a narrow bus makes one wait.
  memory_wait          A process is admitted only when its memory fits in RAM;
                       otherwise it waits.
  nogil_threads        gil_threads without the GIL: the same two CPU-bound
                       threads of one process, on 2 cores, run truly in parallel
                       and both finish at tick 20 (with the GIL: 40).
  race                 A lost update: two threads add 1 to a shared counter 100
                       times each, without a lock.
  race_locked          The lost update fixed: each increment happens while
                       holding a mutex.
  race_small           The lost update, small enough to see every schedule: two
                       threads add 1 to count twice each.
  sleepers             Timers: sleeping threads use no CPU, so one core serves
                       many sleepers.
  spawn_join           A main thread spawns two workers, waits for both with
                       join, then reports.
  tabs                 A tab crashes and takes its browser with it; the editor,
                       another process, carries on.
  tellers              Two tellers make five deposits of 1 each into one
                       balance, without a lock: deposits get lost.
run one with: ticklab run NAME
EOF
same "$work/programs.txt" "$work/want.txt" "ticklab programs"

# 5. Manual mode from a script: one choice a line on standard input, `back` undoes one, and
# the end matches the same choices given with --choices (sjf's order: average waiting 3.00).
# Without --compare-with it is set beside every built-in policy; sjf and srtf are among those
# as good (whichever policies are added, so the line is matched by its members).
printf 'P1\nback\n2\nP3\nP1\n' | "$ticklab" step --jobs "P1:0:24,P2:0:3,P3:0:3" --manual > "$work/manual.txt" 2>&1
expect_exit $? 0 "step --manual from a script"
grep -q "^undone: P1$" "$work/manual.txt" || fail "step --manual: back did not undo P1"
grep -q "^your schedule beside every built-in policy on the same workload:$" "$work/manual.txt" \
    || fail "step --manual: not set beside every built-in policy"
for policy in sjf srtf; do
    grep -Eq "^your average waiting 3\.00 — as good as (.*, )?$policy(, .*)?$" "$work/manual.txt" \
        || fail "step --manual: not matched with $policy"
done
printf 'P2\nP3\nP1\n' > "$work/choices"
"$ticklab" step --jobs "P1:0:24,P2:0:3,P3:0:3" --manual --choices "$work/choices" --format json < /dev/null > "$work/by_file.json"
printf 'P2\nP3\nP1\n' | "$ticklab" step --jobs "P1:0:24,P2:0:3,P3:0:3" --manual --format json > "$work/by_stdin.json"
same "$work/by_stdin.json" "$work/by_file.json" "step --manual: the same choices by standard input and by --choices"

# 6. The Perfetto trace sorts through a temporary file, made in $TMPDIR when it is set: one
# there that cannot be made is an error naming it (exit 74), not a file in /tmp instead.
TMPDIR="$work/scratch" "$ticklab" run kitchen --format perfetto > "$work/perfetto.json" 2> "$work/perfetto.err"
expect_exit $? 74 "perfetto with a missing \$TMPDIR"
printf "ticklab: error: cannot make a temporary file for the trace in '%s' (\$TMPDIR): No such file or directory\n" \
    "$work/scratch" > "$work/perfetto.expected"
same "$work/perfetto.err" "$work/perfetto.expected" "perfetto with a missing \$TMPDIR: the message"
mkdir "$work/scratch"
TMPDIR="$work/scratch" "$ticklab" run kitchen --format perfetto > "$work/perfetto.json"
expect_exit $? 0 "perfetto with \$TMPDIR set"
"$ticklab" run kitchen --format perfetto > "$work/perfetto_default.json"
same "$work/perfetto.json" "$work/perfetto_default.json" "perfetto through \$TMPDIR and through /tmp"
[ -z "$(ls -A "$work/scratch")" ] || fail "perfetto left its temporary file in \$TMPDIR"

echo "cli_unix: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
