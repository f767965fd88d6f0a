// Data races found by the happens-before pass (trace/races.hpp). Each case is a small program
// whose accesses are worked out by hand (the machine's phases are in engine/machine.cpp):
// which pair of accesses nothing orders, and which sentence says so.

#include "support/run.hpp"

#include "gen/generator.hpp"
#include "trace/races.hpp"
#include "trace/render.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

using namespace tl;
using namespace tl::test;

// This file's names are its own: the test files are compiled several to a unit (tests/meson.build).
namespace race_test {

namespace {

std::string side(Trace const& trace, RaceAccess const& access)
{
    return fmt::format("{} {}{} line {} tick {}", trace.name(access.thread), access.atomic ? "atomic " : "",
        access.write ? "write" : "read", access.line, access.tick);
}

// "c: b read line 6 tick 0 / a write line 4 tick 2", one race a line.
std::string races(Trace const& trace)
{
    std::string out;
    for (auto const& race : find_races(trace).races)
        out += fmt::format("{}: {} / {}\n", race_variable(trace, race), side(trace, race.first), side(trace, race.second));
    return out;
}

std::string sentences(Trace const& trace)
{
    std::string out;
    for (auto const& race : find_races(trace).races)
        out += race_accesses(trace, race) + "; " + race_reason(trace, race) + "\n";
    return out;
}

constexpr std::string_view two_increments = R"(process p
  shared c = 0
  thread a
    incr c
  thread b
    incr c
)";

}

TEST_CASE("two threads incrementing one counter race once, however many accesses conflict", "[races]")
{
    // 2 cores: a and b read c at tick 0 and write it at tick 2. a's write is the first access
    // that meets a conflicting one nothing orders (b's read); b's write conflicts with a's
    // write too, but the pair a-b on c is reported once.
    auto trace = run(parse_or_fail(two_increments), { .scheduler = "rr", .cores = 2 });
    CHECK(races(trace) == "c: b read line 6 tick 0 / a write line 4 tick 2\n");
    CHECK(sentences(trace)
        == "thread b (line 6) reads c at tick 0 and thread a (line 4) writes it at tick 2; no lock is held by both and "
           "neither waits for the other\n");
}

TEST_CASE("a race is named even when this run did not lose the update", "[races]")
{
    // 1 core, fcfs: a runs its whole incr (read 0, add 1, write 2), then b (read 3): the
    // counter ends at 2, but nothing but luck put a's write before b's read.
    auto trace = run(parse_or_fail(two_increments), { .scheduler = "fcfs", .cores = 1 });
    CHECK(trace.processes[0].final_values[0] == 2);
    CHECK(races(trace) == "c: a write line 4 tick 2 / b read line 6 tick 3\n");
}

TEST_CASE("a lock around each increment orders them: no race", "[races]")
{
    auto program = parse_or_fail(R"(process p
  shared c = 0
  mutex m
  thread a
    repeat 3
      lock m
      incr c
      unlock m
  thread b
    repeat 3
      lock m
      incr c
      unlock m
)");
    for (int cores : { 1, 2 }) {
        INFO(cores);
        auto trace = run(program, { .scheduler = "rr", .cores = cores });
        CHECK(trace.processes[0].final_values[0] == 6);
        CHECK(races(trace).empty());
    }
}

TEST_CASE("atomic incr is a synchronised access: no race between atomic ones", "[races]")
{
    auto program = parse_or_fail(R"(process p
  shared c = 0
  thread a
    repeat 3
      atomic incr c
  thread b
    repeat 3
      atomic incr c
)");
    auto trace = run(program, { .scheduler = "rr", .cores = 2 });
    CHECK(trace.processes[0].final_values[0] == 6);
    CHECK(races(trace).empty());
}

TEST_CASE("an atomic access does not protect a plain one", "[races]")
{
    // Tick 0: a's atomic incr writes c = 1; b reads c. Nothing orders them.
    auto trace = run(parse_or_fail(R"(process p
  shared c = 0
  thread a
    atomic incr c
  thread b
    incr c
)"),
        { .scheduler = "rr", .cores = 2 });
    CHECK(races(trace) == "c: a atomic write line 4 tick 0 / b read line 6 tick 0\n");
    CHECK(sentences(trace)
        == "thread a (line 4) atomically writes c at tick 0 and thread b (line 6) reads it at tick 0; b's read is not "
           "atomic, and an atomic access only excludes other atomic ones; neither waits for the other\n");
}

TEST_CASE("different mutexes do not order accesses", "[races]")
{
    auto trace = run(parse_or_fail(R"(process p
  shared c = 0
  mutex m1
  mutex m2
  thread a
    lock m1
    write c 1
    unlock m1
  thread b
    lock m2
    read c
    unlock m2
)"),
        { .scheduler = "rr", .cores = 2 });
    CHECK(races(trace) == "c: a write line 7 tick 0 / b read line 11 tick 0\n");
    CHECK(sentences(trace)
        == "thread a (line 7) writes c at tick 0 and thread b (line 11) reads it at tick 0; a holds mutex m1 and b "
           "holds mutex m2: different mutexes do not exclude each other, and neither waits for the other\n");
}

constexpr std::string_view write_join_read = R"(process p
  shared x = 0
  thread writer
    compute 2
    write x 5
  thread reader
    join writer
    read x
)";

TEST_CASE("write, then join, then read: the join orders them", "[races]")
{
    // 2 cores: reader waits in its join (a JoinWait event) until writer ends at tick 3.
    auto waited = run(parse_or_fail(write_join_read), { .scheduler = "rr", .cores = 2 });
    CHECK(std::count_if(waited.events.begin(), waited.events.end(),
              [](Event const& e) { return e.kind == EventKind::JoinWait; })
        == 1);
    CHECK(races(waited).empty());
    // 1 core, fcfs: writer has ended before reader runs, so its join goes straight through
    // and no event records it; the edge is still there.
    auto straight = run(parse_or_fail(write_join_read), { .scheduler = "fcfs", .cores = 1 });
    CHECK(std::none_of(straight.events.begin(), straight.events.end(),
        [](Event const& e) { return e.kind == EventKind::JoinWait; }));
    CHECK(races(straight).empty());
}

TEST_CASE("a join inside a coroutine orders what follows the run that awaited it", "[races]")
{
    // writer ends at tick 1; reader's join, in the routine its event loop runs, goes straight
    // through (no event), the routine returns, and reader reads x after `run`.
    auto program = parse_or_fail(R"(process p
  shared x = 0
  thread writer
    write x 1
  thread reader
    compute 3
    run outer()
    read x
  async outer()
    await inner()
  async inner()
    join writer
)");
    for (int cores : { 1, 2 }) {
        INFO(cores);
        auto trace = run(program, { .scheduler = "fcfs", .cores = cores });
        CHECK(std::none_of(trace.events.begin(), trace.events.end(),
            [](Event const& e) { return e.kind == EventKind::JoinWait; }));
        CHECK(races(trace).empty());
    }
}

TEST_CASE("a read before the join is not ordered by it", "[races]")
{
    auto trace = run(parse_or_fail(R"(process p
  shared x = 0
  thread writer
    write x 5
  thread reader
    compute 2
    read x
    join writer
    read x
)"),
        { .scheduler = "fcfs", .cores = 1 });
    CHECK(races(trace) == "x: writer write line 4 tick 0 / reader read line 7 tick 3\n");
}

TEST_CASE("join passes on what the joined thread knew", "[races]")
{
    // middle joins writer; reader joins middle: writer's write happens before reader's read.
    auto trace = run(parse_or_fail(R"(process p
  shared x = 0
  thread writer
    compute 3
    write x 5
  thread middle
    join writer
  thread reader
    join middle
    read x
)"),
        { .scheduler = "rr", .cores = 3 });
    CHECK(races(trace).empty());
}

TEST_CASE("spawn after a write orders it; a write after the spawn races", "[races]")
{
    auto before = run(parse_or_fail(R"(process p
  shared x = 0
  thread main
    write x 1
    spawn worker
  thread worker spawned
    incr x
)"),
        { .scheduler = "rr", .cores = 2 });
    CHECK(races(before).empty());
    auto after = run(parse_or_fail(R"(process p
  shared x = 0
  thread main
    spawn worker
    write x 1
  thread worker spawned
    read x
)"),
        { .scheduler = "rr", .cores = 2 });
    CHECK(races(after) == "x: main write line 5 tick 0 / worker read line 7 tick 0\n");
}

TEST_CASE("a mutex's unlock orders what came before it for the next thread to lock it", "[races]")
{
    // writer writes x, then locks and unlocks m; reader locks m after that and reads x.
    auto trace = run(parse_or_fail(R"(process p
  shared x = 0
  mutex m
  thread writer
    write x 1
    lock m
    unlock m
  thread reader
    compute 3
    lock m
    read x
    unlock m
)"),
        { .scheduler = "rr", .cores = 2 });
    CHECK(races(trace).empty());
}

TEST_CASE("two readers, or two variables, do not race", "[races]")
{
    auto readers = run(parse_or_fail(R"(process p
  shared x = 3
  thread a
    read x
  thread b
    read x
)"),
        { .scheduler = "rr", .cores = 2 });
    CHECK(races(readers).empty());
    auto apart = run(parse_or_fail(R"(process p
  shared x = 0
  shared y = 0
  thread a
    incr x
  thread b
    incr y
)"),
        { .scheduler = "rr", .cores = 2 });
    CHECK(races(apart).empty());
}

TEST_CASE("two processes with a variable of the same name do not share it", "[races]")
{
    auto separate = run(parse_or_fail(R"(process one
  shared c = 0
  thread a
    incr c
process two
  shared c = 0
  thread b
    incr c
)"),
        { .scheduler = "rr", .cores = 2 });
    CHECK(races(separate).empty());
    // Each process has its own race, named with its process. At tick 2 the bus serves cores
    // from core 2 (2 mod 4) on, so d's write, on core 2, comes first and finds two's race first.
    auto both = run(parse_or_fail(R"(process one
  shared c = 0
  thread a
    incr c
  thread b
    incr c
process two
  shared c = 0
  thread d
    incr c
  thread e
    incr c
)"),
        { .scheduler = "rr", .cores = 4 });
    CHECK(races(both)
        == "two.c: e read line 12 tick 0 / d write line 10 tick 2\n"
           "one.c: b read line 6 tick 0 / a write line 4 tick 2\n");
}

TEST_CASE("the GIL orders nothing: incr in a GIL process is still a race", "[races]")
{
    // One thread holds the GIL at a time, so the accesses happen one after another here, but
    // the GIL can be handed over between incr's read and its write: a race, as in CPython.
    auto trace = run(parse_or_fail(R"(process py gil interval 5
  shared c = 0
  thread a
    incr c
  thread b
    incr c
)"),
        { .scheduler = "rr", .cores = 2 });
    CHECK(races(trace) == "c: a write line 4 tick 2 / b read line 6 tick 3\n");
    CHECK(sentences(trace)
        == "thread a (line 4) writes c at tick 2 and thread b (line 6) reads it at tick 3; no lock is held by both and "
           "neither waits for the other (the GIL does not order them: it can pass to the other thread between a read "
           "and the write after it)\n");
}

TEST_CASE("bundled programs: race has one race on count; race_locked and spawn_join none", "[races]")
{
    for (int cores : { 1, 2 }) {
        INFO(cores);
        auto racy = run(bundled("race"), { .scheduler = "rr", .cores = cores });
        auto found = find_races(racy).races;
        REQUIRE(found.size() == 1);
        CHECK(race_variable(racy, found[0]) == "count");
        CHECK(racy.name(found[0].first.thread) != racy.name(found[0].second.thread));
        CHECK(races(run(bundled("race_locked"), { .scheduler = "rr", .cores = cores })).empty());
        CHECK(races(run(bundled("spawn_join"), { .scheduler = "rr", .cores = cores })).empty());
    }
    auto racy = run(bundled("race"), { .scheduler = "rr", .cores = 2 });
    CHECK(races(racy) == "count: b read line 17 tick 0 / a write line 14 tick 2\n");
}

TEST_CASE("a run without stored events has no races to report", "[races]")
{
    // Policy tables run without recording events; the pass then has nothing to look at.
    Trace empty;
    CHECK(find_races(empty).races.empty());
}

TEST_CASE("docs/coroutines-and-gil.md: with a GIL of interval 2, six increments leave 3, and the race is named", "[races]")
{
    auto trace = run(parse_or_fail(R"(process py gil interval 2
  shared count = 0
  thread a
    repeat 3
      incr count
  thread b
    repeat 3
      incr count
)"),
        { .scheduler = "rr", .cores = 2 });
    CHECK(trace.processes[0].final_values[0] == 3);
    CHECK(races(trace) == "count: b read line 8 tick 2 / a write line 5 tick 4\n");
}

TEST_CASE("the summary and the table's footer list ten races, then say how many more the JSON has", "[races]")
{
    std::string source = "process p\n";
    for (int v = 1; v <= 12; ++v)
        source += fmt::format("  shared v{} = 0\n", v);
    for (char const* name : { "a", "b" }) {
        source += fmt::format("  thread {}\n", name);
        for (int v = 1; v <= 12; ++v)
            source += fmt::format("    incr v{}\n", v);
    }
    auto trace = run(parse_or_fail(source), { .scheduler = "rr", .cores = 2 });
    REQUIRE(find_races(trace).races.size() == 12);
    std::ostringstream out;
    render_summary(out, trace, compute_metrics(trace));
    auto text = out.str();
    std::size_t lines = 0;
    for (std::size_t at = text.find("\nrace: "); at != std::string::npos; at = text.find("\nrace: ", at + 1))
        ++lines;
    CHECK(lines == 10);
    CHECK(text.ends_with("and 2 more races (--format json lists them all)\n"));
    CHECK(text.find("data races: none") == std::string::npos);
    std::ostringstream table;
    render_table(table, trace);
    text = table.str();
    lines = 0;
    for (std::size_t at = text.find("\nrace on v"); at != std::string::npos; at = text.find("\nrace on v", at + 1))
        ++lines;
    CHECK(lines == 10);
    CHECK(text.ends_with("and 2 more races (--format json lists them all)\n"));
}

TEST_CASE("a process of more threads than the check takes is named as not checked", "[races]")
{
    GeneratorOptions options;
    options.processes = 2;
    options.threads = static_cast<int>(max_race_checked_threads) + 1;
    options.memory_ratio = 1;
    options.length = 2;
    auto program = generate_program(options);
    program.processes[1].threads.resize(2); // the second process stays small, and is checked
    auto trace = run(program, { .scheduler = "fcfs", .cores = 4 });
    auto report = find_races(trace);
    CHECK(report.unchecked == std::vector<ProcessId> { 0 });
    REQUIRE(report.races.size() == 1);
    CHECK(report.races[0].process == 1);
    std::ostringstream out;
    render_summary(out, trace, compute_metrics(trace));
    CHECK(out.str().find("data races: not checked in p1 (4097 threads; at most 4096 are checked)\n") != std::string::npos);
}

} // namespace race_test
