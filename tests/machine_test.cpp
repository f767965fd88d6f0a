// The Machine's mechanism: phase order, blocking, waking, exits, memory admission, switch
// cost, the tick limit, and stepping vs jumping. Worked examples name their source.

#include "support/run.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace tl;
using namespace tl::test;

// This file's names are its own: the test files are compiled several to a unit (tests/meson.build).
namespace machine_test {

namespace {

constexpr std::string_view kitchen = R"(# Jarvis gets three orders at once.
process kitchen
  thread ramen
    compute 4
    io 2
    compute 1
  thread pasta
    compute 3
  thread cake
    compute 5
)";

}

TEST_CASE("FCFS reproduces Silberschatz's worked example (OSC 10th ed., 5.3.1)", "[machine]")
{
    SECTION("in the order P1, P2, P3 the average waiting time is 17")
    {
        auto trace = run(jobs_or_fail("P1:0:24,P2:0:3,P3:0:3"), { .scheduler = "fcfs" });
        auto metrics = compute_metrics(trace);
        CHECK(job(metrics, "P1").waiting == 0);
        CHECK(job(metrics, "P2").waiting == 24);
        CHECK(job(metrics, "P3").waiting == 27);
        CHECK(metrics.averages.waiting == 17.0);
        CHECK(job(metrics, "P1").finish == 24);
        CHECK(metrics.makespan == 30);
        CHECK(metrics.context_switches == 2);
    }
    SECTION("in the order P2, P3, P1 it is 3")
    {
        auto metrics = compute_metrics(run(jobs_or_fail("P2:0:3,P3:0:3,P1:0:24"), { .scheduler = "fcfs" }));
        CHECK(metrics.averages.waiting == 3.0);
    }
}

TEST_CASE("Round-robin with quantum 4 reproduces Silberschatz's example: average waiting 17/3", "[machine]")
{
    auto trace = run(jobs_or_fail("P1:0:24,P2:0:3,P3:0:3"), { .scheduler = "rr", .quantum = 4 });
    auto metrics = compute_metrics(trace);
    // OSC 10th ed., 5.3.3: P1 0-4, P2 4-7, P3 7-10, then P1 alone to 30, its slices renewed
    // without a switch because nobody else is waiting.
    CHECK(core_timeline(trace, 0) == "P1@0-4 P2@4-7 P3@7-10 P1@10-30");
    CHECK(job(metrics, "P1").waiting == 6);
    CHECK(job(metrics, "P2").waiting == 4);
    CHECK(job(metrics, "P3").waiting == 7);
    CHECK(metrics.averages.waiting == Approx(17.0 / 3.0));
    CHECK(metrics.context_switches == 3);
}

TEST_CASE("Jarvis alone switches between three orders on one core", "[machine]")
{
    auto trace = run(parse_or_fail(kitchen), { .scheduler = "rr", .quantum = 2 });
    auto metrics = compute_metrics(trace);
    // Worked by hand from the phase order: the ramen's boil (io 2, ticks 8-10) lets pasta
    // and cake use the core; the ramen wakes at 10 and queues ahead of cake, whose slice
    // ends at 11.
    CHECK(core_timeline(trace, 0)
        == "ramen@0-2 pasta@2-4 cake@4-6 ramen@6-8 pasta@8-9 cake@9-11 ramen@11-12 cake@12-13");
    CHECK(metrics.makespan == 13);
    CHECK(metrics.context_switches == 7);
    CHECK(job(metrics, "ramen").finish == 12);
    CHECK(job(metrics, "ramen").blocked == 2);
    CHECK(job(metrics, "pasta").finish == 9);
    CHECK(job(metrics, "cake").finish == 13);
    CHECK(metrics.cores[0].busy == 13);
    for (auto const& job : metrics.jobs)
        CHECK(job.turnaround == job.running + job.waiting + job.blocked);
}

TEST_CASE("Jarvis, Friday and Karen cook in parallel on three cores", "[machine]")
{
    auto trace = run(parse_or_fail(kitchen), { .scheduler = "per-core", .cores = 3, .quantum = 2 });
    auto metrics = compute_metrics(trace);
    CHECK(core_timeline(trace, 0) == "ramen@0-4 ramen@6-7");
    CHECK(core_timeline(trace, 1) == "pasta@0-3");
    CHECK(core_timeline(trace, 2) == "cake@0-5");
    CHECK(metrics.makespan == 7);
    CHECK(metrics.context_switches == 0);
    CHECK(metrics.averages.waiting == 0.0);
    CHECK(metrics.cores[0].busy == 5);
    CHECK(metrics.cores[0].utilisation == Approx(5.0 / 7.0));
}

TEST_CASE("A blocked thread frees its core for another", "[machine]")
{
    auto program = parse_or_fail(R"(process reader
  compute 2
  io 4
  compute 2
process cruncher
  compute 5
)");
    auto trace = run(program, { .scheduler = "fcfs" });
    auto metrics = compute_metrics(trace);
    CHECK(core_timeline(trace, 0) == "reader@0-2 cruncher@2-7 reader@7-9");
    CHECK(job(metrics, "reader").blocked == 4);
    CHECK(job(metrics, "reader").waiting == 1); // woke at 6, the core was busy until 7
    CHECK(job(metrics, "cruncher").waiting == 2);
    CHECK(metrics.makespan == 9);
}

TEST_CASE("A thread whose first instruction waits blocks at once and the core takes the next", "[machine]")
{
    auto program = parse_or_fail(R"(process napper
  sleep 3
  compute 1
process worker
  compute 2
)");
    auto trace = run(program, { .scheduler = "fcfs" });
    CHECK(core_timeline(trace, 0) == "worker@0-2 napper@3-4");
    auto metrics = compute_metrics(trace);
    CHECK(job(metrics, "napper").first_run == 0);
    CHECK(job(metrics, "napper").blocked == 3);
    CHECK(metrics.makespan == 4);
}

TEST_CASE("print takes no time and is stamped with the tick it runs at", "[machine]")
{
    auto program = parse_or_fail(R"(process hello
  print "start"
  compute 3
  print "done"
)");
    auto trace = run(program, { .scheduler = "fcfs" });
    std::vector<std::pair<Tick, std::string>> prints;
    for (auto const& event : trace.events)
        if (event.kind == EventKind::Print)
            prints.emplace_back(event.tick, std::string(trace.text(event)));
    CHECK(prints == std::vector<std::pair<Tick, std::string>> { { 0, "start" }, { 3, "done" } });
    CHECK(trace.end == 3);
}

TEST_CASE("exit ends every thread of its process and no other process", "[machine]")
{
    auto program = parse_or_fail(R"(process shop
  thread quitter
    compute 2
    exit
  thread worker
    compute 10
process neighbour
  compute 4
)");
    auto trace = run(program, { .scheduler = "fcfs", .cores = 2 });
    auto metrics = compute_metrics(trace);
    CHECK(core_timeline(trace, 0) == "quitter@0-2 neighbour@2-6");
    CHECK(core_timeline(trace, 1) == "worker@0-2");
    CHECK(job(metrics, "worker").killed);
    CHECK_FALSE(job(metrics, "worker").finished);
    CHECK(job(metrics, "quitter").finish == 2);
    CHECK(job(metrics, "neighbour").finish == 6);
    bool killed_event = false;
    for (auto const& event : trace.events)
        if (event.kind == EventKind::ThreadKilled && event.tick == 2 && trace.name(event.thread) == "worker")
            killed_event = trace.name(static_cast<ThreadId>(event.value)) == "quitter";
    CHECK(killed_event);
}

TEST_CASE("A process waits for memory until another frees it", "[machine]")
{
    auto program = parse_or_fail(R"(process big memory 24K
  compute 3
process small memory 16K
  compute 2
)");
    auto trace = run(program, { .scheduler = "fcfs", .cores = 2, .ram = 32 * 1024 });
    auto metrics = compute_metrics(trace);
    CHECK(core_timeline(trace, 0) == "big@0-3 small@3-5");
    CHECK(core_timeline(trace, 1) == "");
    CHECK(job(metrics, "small").arrival == 0);
    CHECK(job(metrics, "small").waiting == 3); // waiting for memory counts as waiting
    CHECK(job(metrics, "small").turnaround == 5);
}

TEST_CASE("A process still waiting for memory when the run stops has waited all along", "[machine]")
{
    // big (24K) takes RAM at 0 and needs 3 ticks; small (16K) does not fit in the 8K left, so
    // it waits from tick 0. The tick limit stops the run at 2: small waited 2 ticks, and its
    // thread's waiting says so (it said 0: a thread not yet admitted was left uncounted).
    auto program = parse_or_fail(R"(process big memory 24K
  compute 3
process small memory 16K
  compute 2
)");
    auto trace = run(program, { .scheduler = "fcfs", .cores = 2, .ram = 32 * 1024, .max_ticks = 2 });
    auto metrics = compute_metrics(trace);
    REQUIRE(trace.outcome == Outcome::TickLimit);
    CHECK(job(metrics, "small").waiting == 2);
    REQUIRE(metrics.processes.size() == 2);
    CHECK(metrics.processes[0].waited == false);
    CHECK(metrics.processes[1].waited);
    CHECK(metrics.processes[1].memory_wait == 2);
    CHECK(metrics.processes[1].still_waiting);

    SECTION("and once admitted, its wait is from arrival to allocation")
    {
        auto whole = compute_metrics(run(program, { .scheduler = "fcfs", .cores = 2, .ram = 32 * 1024 }));
        CHECK(whole.processes[1].memory_wait == 3);
        CHECK_FALSE(whole.processes[1].still_waiting);
    }
}

TEST_CASE("100 quick jobs under round-robin quantum 1 all arrive at once and take turns", "[machine]")
{
    // Jobs J1..J100 of 5 ticks each, all arriving at 0. A job needs no memory, so all 100 are
    // admitted at tick 0 (with 16K each only 64 fitted the default 1M, and J100's response
    // was 355). They queue in list order; with quantum 1 each round runs every job for one
    // tick, so J k first runs at tick k - 1 (J100 at 99: response 99) and runs its 5th tick
    // in the 5th round, at 400 + k - 1: J1 finishes at 401, J100 at 500. Waiting for J k is
    // turnaround - burst = (400 + k) - 5.
    std::string list;
    for (int k = 1; k <= 100; ++k)
        list += fmt::format("{}J{}:0:5", k == 1 ? "" : ",", k);
    auto trace = run(jobs_or_fail(list), { .scheduler = "rr", .quantum = 1 });
    auto metrics = compute_metrics(trace);
    CHECK(job(metrics, "J100").response == 99);
    CHECK(job(metrics, "J100").first_run == 99);
    CHECK(job(metrics, "J65").response == 64);
    CHECK(job(metrics, "J1").finish == 401);
    CHECK(job(metrics, "J100").finish == 500);
    CHECK(job(metrics, "J100").waiting == 495);
    CHECK(metrics.makespan == 500);
    CHECK(metrics.averages.response == Approx(49.5));
    for (auto const& event : trace.events)
        CHECK(event.kind != EventKind::ProcessWait);

    SECTION("and --ram does not change that: a job holds no RAM")
    {
        auto tiny = run(jobs_or_fail(list), { .scheduler = "rr", .quantum = 1, .ram = 1024 });
        CHECK(same_run(tiny, trace));
        CHECK(tiny.processes[99].base == -1);
        CHECK(tiny.processes[99].allocated == 0);
    }
}

TEST_CASE("A program bigger than RAM is refused before the run, naming both sizes", "[machine]")
{
    auto program = parse_or_fail("process huge memory 2M\n  compute 1\n");
    MachineConfig machine;
    machine.ram = 1024 * 1024;
    CHECK(check_program_fits(machine, program)
        == std::vector<std::string> { "process 'huge' needs 2M of memory but the machine has only 1M of RAM; give it "
                                      "less memory or the machine more (--ram)" });
}

TEST_CASE("An impossible machine is refused with one sentence per problem", "[machine]")
{
    MachineConfig machine;
    machine.cores = 0;
    machine.switch_cost = -1;
    CHECK(check_machine(machine)
        == std::vector<std::string> { "the machine needs between 1 and 1024 cores, not 0",
            "the context-switch cost cannot be negative (-1)" });
}

TEST_CASE("A context switch costs ticks when the machine says so", "[machine]")
{
    // FCFS on P1 24, P2 3, P3 3 with 1 tick per switch: P2 lands at 25, P3 at 29.
    auto trace = run(jobs_or_fail("P1:0:24,P2:0:3,P3:0:3"), { .scheduler = "fcfs", .switch_cost = 1 });
    auto metrics = compute_metrics(trace);
    CHECK(core_timeline(trace, 0) == "P1@0-24 ~P2@24-25 P2@25-28 ~P3@28-29 P3@29-32");
    CHECK(metrics.makespan == 32);
    CHECK(job(metrics, "P2").waiting == 25);
    CHECK(job(metrics, "P3").waiting == 29);
    CHECK(metrics.cores[0].switching == 2);
    CHECK(metrics.cores[0].busy == 30);
}

TEST_CASE("Arrivals at later ticks join the queue when they come", "[machine]")
{
    auto trace = run(jobs_or_fail("A:0:3,B:1:3,C:10:1"), { .scheduler = "rr", .quantum = 2 });
    // B arrives at 1 and queues; A's slice ends at 2, so B runs; the core idles 6-10.
    CHECK(core_timeline(trace, 0) == "A@0-2 B@2-4 A@4-5 B@5-6 C@10-11");
    CHECK(trace.end == 11);
}

TEST_CASE("A thread arriving at the tick a slice ends queues ahead of the preempted one, unless told otherwise", "[machine]")
{
    auto program = jobs_or_fail("A:0:4,B:2:2");
    auto first = run(program, { .scheduler = "rr", .quantum = 2 });
    CHECK(core_timeline(first, 0) == "A@0-2 B@2-4 A@4-6");

    MachineConfig machine;
    machine.arrivals_first = false;
    auto simulated = simulate_run(machine, program, "rr", SchedulerOptions {});
    REQUIRE(std::holds_alternative<Trace>(simulated));
    auto const& other = std::get<Trace>(simulated);
    // The preempted A is queued first, so it goes on at once.
    CHECK(core_timeline(other, 0) == "A@0-4 B@4-6");
}

TEST_CASE("A run that never ends stops cleanly at the tick limit", "[machine]")
{
    auto trace = run(jobs_or_fail("long:0:100"), { .scheduler = "fcfs", .max_ticks = 10 });
    CHECK(trace.outcome == Outcome::TickLimit);
    CHECK(trace.end == 10);
    CHECK(trace.totals[0].running == 10);
    CHECK(trace.totals[0].finish == -1);
    REQUIRE_FALSE(trace.events.empty());
    CHECK(trace.events.back().kind == EventKind::TickLimit);
}

TEST_CASE("Jumping over quiet ticks gives the same trace as stepping every tick", "[machine]")
{
    auto program = parse_or_fail(R"(process a
  compute 7
  io 5
  compute 3
  sleep 2
  print "a done"
process b arrive 3
  thread one
    compute 11
  thread two
    sleep 4
    compute 2
    exit
process c arrive 20 memory 900K
  compute 6
process d arrive 20 memory 900K
  compute 1
)");
    for (std::string scheduler : { "fcfs", "rr", "per-core" }) {
        for (int cores : { 1, 2, 3 }) {
            for (Tick switch_cost : { 0, 2 }) {
                INFO(scheduler << " on " << cores << " cores, switch cost " << switch_cost);
                RunSpec spec { .scheduler = scheduler, .cores = cores, .quantum = 3, .switch_cost = switch_cost };
                auto jumped = run(program, spec);
                spec.step_every_tick = true;
                auto stepped = run(program, spec);
                CHECK(same_run(jumped, stepped));
                CHECK(jumped.outcome == Outcome::Finished);
            }
        }
    }
}

TEST_CASE("The same inputs give the same trace twice", "[machine]")
{
    auto program = parse_or_fail(kitchen);
    CHECK(same_run(run(program, { .scheduler = "rr" }), run(program, { .scheduler = "rr" })));
}

TEST_CASE("A thread pinned to a core runs only there", "[machine]")
{
    auto program = parse_or_fail(R"(process p
  thread free
    compute 4
  thread fixed pin 1
    compute 4
)");
    auto trace = run(program, { .scheduler = "fcfs", .cores = 2 });
    CHECK(core_timeline(trace, 0) == "free@0-4");
    CHECK(core_timeline(trace, 1) == "fixed@0-4");
}

TEST_CASE("The machine reports each process's textbook state as it runs", "[machine]")
{
    auto program = parse_or_fail(R"(process a
  compute 2
  io 3
  compute 1
process b arrive 1
  compute 1
)");
    auto started = start(program, { .scheduler = "fcfs" });
    auto& machine = *started;
    REQUIRE(machine.advance()); // boundary 0
    CHECK(machine.process_state(0) == ProcessState::Running);
    CHECK(machine.process_state(1) == ProcessState::New);
    CHECK(machine.state(0) == ThreadState::Running);
    REQUIRE(machine.advance()); // boundary 1: b arrives and waits
    CHECK(machine.now() == 1);
    CHECK(machine.state(1) == ThreadState::Ready);
    REQUIRE(machine.advance()); // boundary 2: a blocks on io, b runs
    CHECK(machine.now() == 2);
    CHECK(machine.state(0) == ThreadState::Blocked);
    CHECK(machine.process_state(0) == ProcessState::Blocked);
    CHECK(machine.state(1) == ThreadState::Running);
    REQUIRE(machine.advance()); // boundary 3: b ends
    CHECK(machine.state(1) == ThreadState::Done);
    CHECK(machine.process_state(1) == ProcessState::Done);
    REQUIRE(machine.advance()); // boundary 5: a wakes and runs
    CHECK(machine.now() == 5);
    CHECK_FALSE(machine.advance()); // boundary 6: a ends, the run is over
    CHECK(machine.trace().end == 6);
}

TEST_CASE("Thread names shared between processes are shown as process.name, the others as they are", "[machine]")
{
    auto program = parse_or_fail(R"(
process web
  thread main
    compute 1
  thread worker
    compute 1
process db
  thread main
    compute 1
  thread flusher
    compute 1
process cache
  thread worker
    compute 1
)");
    auto trace = run(program, {});
    std::vector<std::string> names;
    for (auto const& thread : trace.threads)
        names.push_back(thread.display_name);
    CHECK(names == std::vector<std::string> { "web.main", "web.worker", "db.main", "flusher", "cache.worker" });
}

TEST_CASE("start_run reports the machine's, the program's and the policy's problems together, in that order", "[machine]")
{
    auto program = parse_or_fail(R"(process big memory 64K
  thread far pin 3
    compute 1
)");
    MachineConfig machine;
    machine.bus_bandwidth = 0;
    machine.ram = 48 * 1024;
    auto started = start_run(machine, program, "stcf2", SchedulerOptions {});
    REQUIRE(std::holds_alternative<std::vector<RunProblem>>(started));
    auto const& problems = std::get<std::vector<RunProblem>>(started);
    REQUIRE(problems.size() == 4);
    CHECK(problems[0].kind == RunProblem::Kind::Machine);
    CHECK(problems[0].message == "the bus must move at least 1 transfer per tick, not 0");
    CHECK(problems[1].kind == RunProblem::Kind::Program);
    CHECK(problems[1].message
        == "process 'big' needs 64K of memory but the machine has only 48K of RAM; give it less memory or the machine "
           "more (--ram)");
    CHECK(problems[2].kind == RunProblem::Kind::Program);
    CHECK(problems[2].message == "thread 'far' of process 'big' is pinned to core 3, but the machine has only core 0");
    CHECK(problems[3].kind == RunProblem::Kind::Policy);
    CHECK(problems[3].message == "unknown scheduler 'stcf2' (see 'ticklab schedulers' for the policies)");
}

TEST_CASE("start_run gives the Machine at tick 0, before its first boundary, with the policy it names", "[machine]")
{
    auto program = jobs_or_fail("A:0:3,B:1:2");
    auto started = start_run(MachineConfig {}, program, "fcfs", SchedulerOptions {});
    REQUIRE(std::holds_alternative<std::unique_ptr<Machine>>(started));
    auto& machine = *std::get<std::unique_ptr<Machine>>(started);
    CHECK(machine.now() == 0);
    CHECK(!machine.ended());
    CHECK(machine.trace().events.empty());
    CHECK(machine.trace().scheduler == "fcfs");
    machine.run();
    CHECK(core_timeline(machine.trace(), 0) == "A@0-3 B@3-5");
    auto simulated = simulate_run(MachineConfig {}, program, "fcfs", SchedulerOptions {});
    REQUIRE(std::holds_alternative<Trace>(simulated));
    CHECK(same_run(std::get<Trace>(simulated), machine.trace()));
}

} // namespace machine_test
