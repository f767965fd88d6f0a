// Shared memory, the bus, loading, locks, spawn/join, faults and deadlocks. Small cases are
// worked out by hand in the comments (the phase order is in engine/machine.cpp); the
// bundled programs are checked for the figures their header comments promise.

#include "support/run.hpp"

#include "gen/generator.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

using namespace tl;
using namespace tl::test;

// This file's names are its own: the test files are compiled several to a unit (tests/meson.build).
namespace memory_test {

namespace {

std::int64_t final_value(Trace const& trace, std::string_view variable)
{
    for (auto const& process : trace.processes)
        for (std::size_t v = 0; v < process.variables.size(); ++v)
            if (process.variables[v] == variable)
                return process.final_values[v];
    FAIL("no variable " << variable);
    return 0;
}

// "a read c=0; b read c=0; ..." for the variable accesses, in order.
std::string accesses(Trace const& trace)
{
    std::string out;
    for (auto const& event : trace.events) {
        if (event.kind != EventKind::VarRead && event.kind != EventKind::VarWrite)
            continue;
        if (!out.empty())
            out += "; ";
        auto const& name = trace.processes[static_cast<std::size_t>(event.process)].variables[static_cast<std::size_t>(event.object)];
        out += fmt::format("{}@{} {} {}={}", trace.name(event.thread), event.tick,
            event.kind == EventKind::VarRead ? "read" : "write", name, event.value);
    }
    return out;
}

std::string errors(std::string_view source)
{
    auto parsed = parse_program(source, "test.tl");
    return format_diagnostics(parsed.errors);
}

constexpr std::string_view two_increments = R"(process p
  shared c = 0
  thread a
    incr c
  thread b
    incr c
)";

}

TEST_CASE("incr is read, add, write: on two cores both threads read 0 and the counter ends at 1", "[memory]")
{
    // Tick 0: both read c (0) over the bus; tick 1: both add 1 on the CPU; tick 2: both write 1.
    auto trace = run(parse_or_fail(two_increments), { .scheduler = "rr", .cores = 2 });
    CHECK(accesses(trace) == "a@0 read c=0; b@0 read c=0; a@2 write c=1; b@2 write c=1");
    CHECK(final_value(trace, "c") == 1);
    CHECK(trace.end == 3);
    CHECK(core_timeline(trace, 0) == "a@0-1 a@1-2 a@2-3");
}

TEST_CASE("A lost update happens on one core too, when a slice ends between the read and the write", "[memory]")
{
    // Quantum 2: a reads (0) and adds in ticks 0-1; b reads (0) and adds in ticks 2-3; a
    // writes 1 at tick 4, b writes 1 at tick 5.
    auto trace = run(parse_or_fail(two_increments), { .scheduler = "rr", .cores = 1, .quantum = 2 });
    CHECK(accesses(trace) == "a@0 read c=0; b@2 read c=0; a@4 write c=1; b@5 write c=1");
    CHECK(final_value(trace, "c") == 1);
    CHECK(trace.end == 6);
}

TEST_CASE("atomic incr cannot lose an update; the bus grants cores in order starting at tick mod cores", "[memory]")
{
    auto trace = run(parse_or_fail(R"(process p
  shared c = 0
  thread a
    atomic incr c
  thread b
    atomic incr c
)"),
        { .scheduler = "rr", .cores = 2 });
    CHECK(accesses(trace) == "a@0 write c=1; b@0 write c=2");
    CHECK(final_value(trace, "c") == 2);
    CHECK(trace.end == 1);
}

TEST_CASE("A core whose thread gets no bus transfer stalls for that tick", "[memory]")
{
    // Bus 1: at tick 0 core 0 is asked first (0 mod 2) and gets it; core 1 stalls. At tick 1
    // core 1 is asked first.
    auto trace = run(parse_or_fail(R"(process p
  shared x = 5
  thread a
    read x
  thread b
    read x
)"),
        { .scheduler = "rr", .cores = 2, .bus = 1 });
    CHECK(accesses(trace) == "a@0 read x=5; b@1 read x=5");
    REQUIRE(trace.core_slices[1].size() == 2);
    CHECK(trace.core_slices[1][0].stalled);
    CHECK_FALSE(trace.core_slices[1][1].stalled);
    CHECK(trace.core_stalled == std::vector<Tick> { 0, 1 });
    CHECK(trace.totals[1].stalled == 1);
    CHECK(trace.bus_transfers == 2);
    auto metrics = compute_metrics(trace);
    CHECK(metrics.bus_utilisation == Approx(1.0)); // 2 transfers in 2 ticks at 1 per tick
}

TEST_CASE("The race program loses updates and the locked one does not, the same on every run", "[memory]")
{
    auto race = bundled("race");
    auto first = run(race, { .scheduler = "rr", .cores = 2 });
    CHECK(final_value(first, "count") == 100); // 2 x 100 increments in lockstep: every second one lost
    CHECK(same_run(first, run(race, { .scheduler = "rr", .cores = 2 })));
    auto locked = run(bundled("race_locked"), { .scheduler = "rr", .cores = 2 });
    CHECK(final_value(locked, "count") == 200);
    CHECK(locked.outcome == Outcome::Finished);
}

TEST_CASE("unlock hands the mutex to the first thread waiting for it", "[memory]")
{
    // a locks at 0 and computes ticks 0-1; b finds m held at 0 and blocks off core 1. At 2 a
    // unlocks: m goes to b, which is woken and runs on core 0 (the first idle core) at 2.
    auto trace = run(parse_or_fail(R"(process p
  mutex m
  thread a
    lock m
    compute 2
    unlock m
  thread b
    lock m
    compute 1
    unlock m
)"),
        { .scheduler = "rr", .cores = 2 });
    std::string locks;
    for (auto const& event : trace.events)
        if (event.kind == EventKind::LockAcquire || event.kind == EventKind::LockWait || event.kind == EventKind::LockRelease)
            locks += fmt::format("{}{}@{} {}", locks.empty() ? "" : "; ", trace.name(event.thread), event.tick,
                to_string(event.kind));
    CHECK(locks == "a@0 lock-acquire; b@0 lock-wait; a@2 lock-release; b@2 lock-acquire; b@3 lock-release");
    CHECK(core_timeline(trace, 0) == "a@0-2 b@2-3");
    CHECK(trace.totals[1].blocked == 2);
    CHECK(trace.end == 3);
}

TEST_CASE("A crash ends its whole process: siblings never run again, RAM is freed, others finish", "[memory]")
{
    auto trace = run(bundled("crash"), { .scheduler = "rr", .cores = 2 });
    Tick fault_at = -1;
    for (auto const& event : trace.events)
        if (event.kind == EventKind::Fault) {
            fault_at = event.tick;
            CHECK(trace.name(event.thread) == "tab");
            CHECK(event.line == 13);
            CHECK(trace.text(event) == "ran 'crash'");
        }
    CHECK(fault_at == 7);
    auto const& browser = trace.processes[0];
    for (ThreadId id : browser.threads) {
        CHECK(trace.totals[static_cast<std::size_t>(id)].killed);
        for (auto const& slices : trace.core_slices)
            for (auto const& slice : slices)
                if (slice.thread == id)
                    CHECK(slice.end <= fault_at);
    }
    CHECK(browser.freed == fault_at);
    auto editor = compute_metrics(trace);
    CHECK(job(editor, "typing").finished);
    CHECK(job(editor, "typing").finish == 9);
    CHECK(trace.outcome == Outcome::Finished);
}

TEST_CASE("The machine faults a thread that unlocks a mutex it does not hold", "[memory]")
{
    auto trace = run(parse_or_fail(R"(process p
  mutex m
  thread a
    compute 1
    unlock m
  thread b
    compute 5
process q
  compute 3
)"),
        { .scheduler = "rr", .cores = 2 });
    std::string faults;
    for (auto const& event : trace.events)
        if (event.kind == EventKind::Fault)
            faults += fmt::format("{}@{} line {}: {}", trace.name(event.thread), event.tick, event.line, trace.text(event));
    CHECK(faults == "a@1 line 5: unlocked mutex 'm', which nobody holds");
    CHECK(trace.totals[1].killed); // b
    CHECK(compute_metrics(trace).jobs[2].finished); // q
}

TEST_CASE("A deadlock stops the run and names the cycle", "[memory]")
{
    auto program = bundled("deadlock");
    auto trace = run(program, { .scheduler = "rr", .cores = 2 });
    CHECK(trace.outcome == Outcome::Deadlock);
    CHECK(trace.end == 2);
    REQUIRE(!trace.events.empty());
    CHECK(trace.events.back().kind == EventKind::Deadlock);
    CHECK(trace.text(trace.events.back())
        == "deadlock: left waits for mutex 'fork2' held by right; right waits for mutex 'fork1' held by left");
    // On one core, with quantum 2, left takes fork2 at tick 2 (the end of its compute) before
    // its slice ends, so it holds both before right runs: no deadlock. It depends on timing.
    auto one = run(program, { .scheduler = "rr", .cores = 1 });
    CHECK(one.outcome == Outcome::Finished);
    CHECK(one.end == 6);
}

TEST_CASE("Waiting to join a thread that nobody spawns is reported as no progress", "[memory]")
{
    auto trace = run(parse_or_fail(R"(process p
  thread main
    join helper
  thread helper spawned
    compute 1
)"),
        { .scheduler = "fcfs" });
    CHECK(trace.outcome == Outcome::Deadlock);
    CHECK(trace.text(trace.events.back()) == "no thread can go on: main waits to join helper, which nobody spawned");
}

TEST_CASE("spawn starts a thread; join waits for it to end", "[memory]")
{
    auto trace = run(bundled("spawn_join"), { .scheduler = "rr", .cores = 2 });
    auto metrics = compute_metrics(trace);
    CHECK(final_value(trace, "total") == 5);
    CHECK(job(metrics, "main").finish == 10);
    CHECK(job(metrics, "worker1").finish == 9);
    CHECK(job(metrics, "worker2").finish == 8);
    // Before it is spawned a thread has not arrived; it arrives when spawned.
    CHECK(job(metrics, "worker1").arrival == 0);
}

TEST_CASE("The bus limits the speed-up of memory-bound work", "[memory]")
{
    // Each of 4 threads does 40 x (read, compute 1) = 80 ticks of work: 320 on one core.
    auto program = bundled("bus_bound");
    CHECK(run(program, { .scheduler = "rr", .cores = 1 }).end == 320);
    CHECK(run(program, { .scheduler = "rr", .cores = 4, .bus = 8 }).end == 80);  // speed-up 4
    CHECK(run(program, { .scheduler = "rr", .cores = 4, .bus = 1 }).end == 161); // 160 reads, one a tick
}

TEST_CASE("Loading a program moves its bytes over the bus; a process that does not fit waits", "[memory]")
{
    // --load 4K, bus 8: the editor (64K, 16 transfers) loads in ticks 0-1 and is admitted at 2;
    // the game (256K, 64 transfers) then loads in ticks 2-9 and is admitted at 10. The player
    // (128K) arrives at 1 but fits only when the game ends (14); it loads in 14-17.
    auto trace = run(bundled("loading"), { .scheduler = "rr", .ram = 320 * 1024, .load_chunk = 4096 });
    auto const& editor = trace.processes[0];
    auto const& game = trace.processes[1];
    auto const& player = trace.processes[2];
    CHECK(editor.load_transfers == 16);
    CHECK(editor.base == 0);
    CHECK(editor.loaded == 2);
    CHECK(game.base == 64 * 1024);
    CHECK(game.loaded == 10);
    CHECK(player.allocated == 14);
    CHECK(player.base == 0); // first fit: the editor's old place
    CHECK(player.loaded == 18);
    CHECK(trace.end == 20);
}

TEST_CASE("Memory programs give the same trace stepped and jumped, under every policy", "[memory]")
{
    for (std::string name : { "race", "race_locked", "crash", "deadlock", "bus_bound", "spawn_join", "loading" }) {
        auto program = bundled(name);
        for (auto const& entry : all_schedulers()) {
            for (int cores : { 1, 2, 4 }) {
                INFO(name << " under " << entry.name << " on " << cores << " cores");
                RunSpec spec { .scheduler = std::string(entry.name), .cores = cores, .ram = 512 * 1024, .bus = 2,
                    .load_chunk = name == "loading" ? 4096u : 0u };
                auto jumped = run(program, spec);
                spec.step_every_tick = true;
                auto stepped = run(program, spec);
                CHECK(same_run(jumped, stepped));
                CHECK(jumped.outcome != Outcome::TickLimit);
            }
        }
    }
}

TEST_CASE("Mistakes with shared variables, mutexes, threads and repeat are all reported in one pass", "[memory]")
{
    CHECK(errors(R"(process p
  shared count = 0
  mutex m
  thread a
    incr cout
    lock count
    read m
    join a
    spawn b
    repeat 0
      compute 1
  thread b
    write count
    unlock nope
)") == R"(test.tl:5:10: error: unknown shared variable 'cout' in process 'p'; did you mean 'count'?
    5 |     incr cout
      |          ^
test.tl:6:10: error: 'count' is a shared variable, not a mutex; declare a mutex with 'mutex NAME'
    6 |     lock count
      |          ^
test.tl:7:10: error: 'm' is a mutex, not a shared variable; 'read' works on variables declared with 'shared NAME'
    7 |     read m
      |          ^
test.tl:8:10: error: thread 'a' cannot join itself: it would wait for ever
    8 |     join a
      |          ^
test.tl:9:11: error: thread 'b' starts with its process, so it cannot be spawned; declare it 'thread b spawned' to start it with 'spawn b'
    9 |     spawn b
      |           ^
test.tl:10:12: error: 'repeat' needs at least 1 time, not 0
   10 |     repeat 0
      |            ^
test.tl:13:16: error: expected the value to write after 'write count', e.g. write count 0
   13 |     write count
      |                ^
test.tl:14:12: error: unknown mutex 'nope' in process 'p'
   14 |     unlock nope
      |            ^
)");
}

TEST_CASE("repeat copies its block, nested blocks included", "[memory]")
{
    auto program = parse_or_fail(R"(process p
  shared x = 0
  repeat 2
    compute 1
    repeat 3
      atomic incr x
  print "done"
)");
    auto const& code = program.processes[0].threads[0].code;
    std::string listing;
    for (auto const& instruction : code)
        listing += to_string(instruction) + "; ";
    CHECK(listing
        == "compute 1; atomic incr x; atomic incr x; atomic incr x; compute 1; atomic incr x; atomic incr x; "
           "atomic incr x; print \"done\"; ");
    CHECK(final_value(run(program, {}), "x") == 6);
}

TEST_CASE("Generated workloads with memory traffic and locks parse back and run the same stepped and jumped", "[memory]")
{
    GeneratorOptions options;
    options.processes = 6;
    options.threads = 3;
    options.length = 12;
    options.seed = 11;
    options.arrival_spread = 20;
    options.memory_ratio = 0.2;
    options.lock_ratio = 0.2;
    REQUIRE_FALSE(check_generator_options(options).has_value());
    auto program = generate_program(options);
    auto text = generated_text(options, program);
    CHECK(text.find("  shared total = 0\n  mutex m\n") != std::string::npos);
    auto parsed = parse_or_fail(text);
    REQUIRE(parsed.processes.size() == program.processes.size());
    for (std::size_t p = 0; p < program.processes.size(); ++p) {
        CHECK(parsed.processes[p].variables == program.processes[p].variables);
        CHECK(parsed.processes[p].mutexes == program.processes[p].mutexes);
        for (std::size_t t = 0; t < program.processes[p].threads.size(); ++t)
            CHECK(parsed.processes[p].threads[t].code == program.processes[p].threads[t].code);
    }
    for (auto const& entry : all_schedulers()) {
        INFO(entry.name);
        RunSpec spec { .scheduler = std::string(entry.name), .cores = 4, .bus = 1 };
        auto jumped = run(parsed, spec);
        spec.step_every_tick = true;
        CHECK(same_run(jumped, run(parsed, spec)));
        CHECK(jumped.outcome == Outcome::Finished);
    }
}

TEST_CASE("A thread waiting to join one that crashes dies with its process", "[memory]")
{
    // main spawns worker and waits for it; worker crashes at tick 2 (after compute 2): the
    // whole process ends, main included, while it is still blocked in its join.
    auto trace = run(parse_or_fail(R"(process p
  mutex m
  thread main
    spawn worker
    lock m
    join worker
    unlock m
  thread worker spawned
    compute 2
    crash
  thread waiter
    lock m
)"),
        { .scheduler = "fcfs", .cores = 2 });
    CHECK(trace.outcome == Outcome::Finished);
    CHECK(trace.end == 2);
    CHECK(trace.totals[0].killed); // main, blocked in join
    CHECK(trace.totals[1].faulted);
    CHECK(trace.totals[2].killed); // waiter, blocked on m
    CHECK(trace.processes[0].freed == 2);
}

TEST_CASE("A finished I/O copies its data into RAM over the bus, before the cores get theirs", "[memory]")
{
    // Bus 1. dev's io ends at tick 2; at that boundary its transfer takes the bus, so reader,
    // at its read since tick 2, stalls for tick 2 and reads at 3. The I/O thread is not held up.
    auto trace = run(parse_or_fail(R"(process p
  shared x = 4
  thread dev
    io 2
  thread reader
    compute 2
    read x
)"),
        { .scheduler = "rr", .cores = 2, .bus = 1 });
    CHECK(accesses(trace) == "reader@3 read x=4");
    CHECK(trace.totals[0].finish == 2);
    CHECK(trace.totals[1].stalled == 1);
    CHECK(trace.end == 4);
    REQUIRE(trace.bus.size() == 2);
    CHECK(trace.bus[0] == BusTick { 2, 1, 1, 0, 1 });
    CHECK(trace.bus[1] == BusTick { 3, 1, 0, 0, 0 });
    // With a bus of 2 both fit at tick 2.
    CHECK(run(parse_or_fail(R"(process p
  shared x = 4
  thread dev
    io 2
  thread reader
    compute 2
    read x
)"),
              { .scheduler = "rr", .cores = 2, .bus = 2 })
              .end
        == 3);
}

TEST_CASE("same_run tells apart runs that differ only in a process's RAM or final values", "[memory]")
{
    auto trace = run(bundled("race"), { .scheduler = "rr", .cores = 2 });
    REQUIRE(!trace.processes.empty());
    REQUIRE(!trace.processes[0].final_values.empty());
    CHECK(same_run(trace, trace));
    auto changed = [&](auto change) {
        auto other = trace;
        change(other.processes[0]);
        return !same_run(trace, other);
    };
    CHECK(changed([](ProcessInfo& p) { p.final_values[0] += 1; }));
    CHECK(changed([](ProcessInfo& p) { p.base += 64; }));
    CHECK(changed([](ProcessInfo& p) { p.allocated += 1; }));
    CHECK(changed([](ProcessInfo& p) { p.loaded += 1; }));
    CHECK(changed([](ProcessInfo& p) { p.freed += 1; }));
}

} // namespace memory_test
