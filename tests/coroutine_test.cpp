// Coroutines (a thread's event loop) and the per-process GIL. Worked examples name their
// source: the study note's asyncio delivery example (../shared/seed, also programs/delivery.tl)
// and the GIL experiment of docs/coroutines-and-gil.md (programs/gil_*.tl).

#include "support/run.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fstream>
#include <sstream>

using namespace tl;
using namespace tl::test;

// This file's names are its own: the test files are compiled several to a unit (tests/meson.build).
namespace coroutine_test {

namespace {

// "[tick 0] A에게 배달 완료" for every print, in order.
std::vector<std::string> prints(Trace const& trace)
{
    std::vector<std::string> out;
    for (auto const& event : trace.events)
        if (event.kind == EventKind::Print)
            out.push_back("[tick " + std::to_string(event.tick) + "] " + std::string(trace.text(event)));
    return out;
}

// "run main()@0 await main()@0 run delivery(A, 9)@0 ..." for the task events of a trace.
std::string task_story(Trace const& trace)
{
    std::string out;
    for (auto const& event : trace.events) {
        std::string what;
        switch (event.kind) {
        case EventKind::TaskStart: what = "start"; break;
        case EventKind::TaskRun: what = "run"; break;
        case EventKind::TaskAwait: what = "await"; break;
        case EventKind::TaskDone: what = "done"; break;
        default: continue;
        }
        if (!out.empty())
            out += ' ';
        out += what + " " + trace.tasks[static_cast<std::size_t>(event.task)].label + "@" + std::to_string(event.tick);
    }
    return out;
}

std::vector<std::string> errors(std::string_view source)
{
    std::vector<std::string> out;
    for (auto const& diagnostic : parse_program(source, "t.tl").errors)
        out.push_back(fmt::format("{}:{}: {}", diagnostic.where.line, diagnostic.where.column, diagnostic.message));
    return out;
}

}

TEST_CASE("The study note's asyncio delivery example prints in Python's order and takes 9 ticks", "[coroutine]")
{
    // ../shared/seed: gather(delivery("A", 9), delivery("B", 3), delivery("C", 6)); Python
    // prints the three deliveries, then B's meal (3), C's (6), A's (9).
    auto trace = run(bundled("delivery"), {});
    CHECK(prints(trace)
        == std::vector<std::string> {
            "[tick 0] A에게 배달 완료",
            "[tick 0] B에게 배달 완료",
            "[tick 0] C에게 배달 완료",
            "[tick 3] 3시간 소요되었고, B 식사 완료. ",
            "[tick 3] B 그릇 수거 완료",
            "[tick 6] 6시간 소요되었고, C 식사 완료. ",
            "[tick 6] C 그릇 수거 완료",
            "[tick 9] 9시간 소요되었고, A 식사 완료. ",
            "[tick 9] A 그릇 수거 완료",
            "[tick 9] 총 소요 시간: 9",
        });
    CHECK(trace.end == 9);
    CHECK(task_story(trace)
        == "start main()@0 run main()@0 start delivery(A, 9)@0 start delivery(B, 3)@0 start delivery(C, 6)@0 "
           "await main()@0 run delivery(A, 9)@0 await delivery(A, 9)@0 run delivery(B, 3)@0 await delivery(B, 3)@0 "
           "run delivery(C, 6)@0 await delivery(C, 6)@0 run delivery(B, 3)@3 done delivery(B, 3)@3 "
           "run delivery(C, 6)@6 done delivery(C, 6)@6 run delivery(A, 9)@9 done delivery(A, 9)@9 run main()@9 "
           "done main()@9");
    // While every task awaits, the thread is blocked and its core idle: no CPU at all.
    auto metrics = compute_metrics(trace);
    CHECK(metrics.cores[0].busy == 0);
    CHECK(trace.totals[0].blocked == 9);
}

TEST_CASE("Awaiting each delivery in turn takes 9 + 3 + 6 = 18 ticks", "[coroutine]")
{
    auto trace = run(bundled("delivery_sequential"), {});
    CHECK(trace.end == 18);
    auto lines = prints(trace);
    REQUIRE(lines.size() == 10);
    CHECK(lines[1] == "[tick 9] 9시간 소요되었고, A 식사 완료. ");
    CHECK(lines[3] == "[tick 9] B에게 배달 완료");
    CHECK(lines[6] == "[tick 12] C에게 배달 완료");
    CHECK(lines[9] == "[tick 18] 총 소요 시간: 18");
}

TEST_CASE("Coroutines cannot overlap computation: compute holds the thread", "[coroutine]")
{
    // programs/delivery_compute.tl: gathered, but each meal is `compute mealtime`.
    for (int cores : { 1, 2 }) {
        auto trace = run(bundled("delivery_compute"), { .cores = cores });
        CHECK(trace.end == 18);
        CHECK(core_timeline(trace, 0) == "delivery@0-9 delivery@9-12 delivery@12-18");
    }
}

TEST_CASE("The event loop runs ready tasks first in first out and timers by deadline, then creation", "[coroutine]")
{
    // Two timers due at the same tick resume in the order they were set; a task woken by a
    // gather's last task goes behind the tasks already ready.
    auto trace = run(parse_or_fail(R"(process p
  async nap(who, n)
    await sleep n
    print "{who} after {n}"
  async main()
    await gather nap("x", 2), nap("y", 1), nap("z", 2)
    print "main at {tick}"
  run main()
)"),
        {});
    CHECK(prints(trace)
        == std::vector<std::string> { "[tick 1] y after 1", "[tick 2] x after 2", "[tick 2] z after 2", "[tick 2] main at 2" });
}

TEST_CASE("await NAME(...) runs the callee in the same task; a synchronous sleep blocks every task", "[coroutine]")
{
    auto trace = run(parse_or_fail(R"(process p
  async inner(n)
    print "inner {n}"
    await sleep n
    return
    print "never"
  async blocker()
    sleep 5
    print "blocker woke at {tick}"
  async main()
    await gather inner(2), blocker()
    print "done at {tick}"
  run main()
)"),
        {});
    // inner awaits at 0 (until 2), blocker's time.sleep-like `sleep 5` blocks the whole
    // thread until 5, so inner only resumes at 5.
    CHECK(prints(trace)
        == std::vector<std::string> { "[tick 0] inner 2", "[tick 5] blocker woke at 5", "[tick 5] done at 5" });
    CHECK(trace.tasks.size() == 3);
}

TEST_CASE("Coroutine mistakes are reported at their line and column", "[coroutine]")
{
    CHECK(errors("process p\n  await sleep 1\n")
        == std::vector<std::string> {
            "2:3: 'await' is only allowed inside an async routine (declared with 'async NAME(...)' under the process)" });
    CHECK(errors("process p\n  async f()\n    await compute 3\n  run f()\n")
        == std::vector<std::string> { "3:11: 'compute' cannot be awaited; await sleep N, io N, gather or a coroutine "
                                      "call (compute holds the thread: write it without 'await')" });
    CHECK(errors("process p\n  async f(a)\n    print \"{b}\"\n  run f(1)\n")
        == std::vector<std::string> {
            "3:12: unknown name 'b' in braces; the parameters of 'f' are a (and {tick} is the current tick)" });
    CHECK(errors("process p\n  async f(a)\n    compute a\n  run f(1, 2)\n  run g()\n")
        == std::vector<std::string> { "4:7: 'f' takes 1 argument (a), but 2 were given",
            "5:7: unknown async routine 'g' in process 'p'" });
    CHECK(errors("process p\n  async f()\n    await g()\n  async g()\n    await f()\n  run f()\n")
        == std::vector<std::string> { "3:11: 'f' calls 'g', which leads back to 'f'; async routines cannot be recursive",
            "5:11: 'g' calls 'f', which leads back to 'g'; async routines cannot be recursive" });
    // A broken header leaves the calls to it unresolved: reported once, never expanded.
    CHECK(errors("process p\n  async f(a,a)\n    compute 1\n  run f(1,2)\n")
        == std::vector<std::string> { "2:13: duplicate parameter 'a'" });
    CHECK(errors("process p\n  async f(tick)\n    compute 1\n  run f(1)\n")
        == std::vector<std::string> { "2:11: 'tick' is reserved: {tick} in a text is the current tick; choose another name" });
    CHECK(errors("process p\n  async f(a)\n    sleep a\n  run f(\"x\")\n")
        == std::vector<std::string> {
            "4:9: 'a' of 'f' is a number of ticks (line 3 waits or computes for it), but this argument is a text" });
}

TEST_CASE("GIL: two CPU-bound threads take as long on 2 cores as on 1; two processes take half", "[coroutine]")
{
    // docs/coroutines-and-gil.md: workers of 20 ticks, switch interval 5.
    auto gil_threads = run(bundled("gil_threads"), { .cores = 2 });
    CHECK(gil_threads.end == 40);
    // The lock changes hands every 5 ticks; only one core computes at a time.
    CHECK(core_timeline(gil_threads, 0)
        == "worker1@0-5 worker2@5-10 worker1@10-15 worker2@15-20 worker1@20-25 worker2@25-30 worker1@30-35 "
           "worker2@35-40");
    CHECK(gil_threads.core_busy[1] == 0);
    auto one_core = run(bundled("gil_threads"), { .cores = 1 });
    CHECK(one_core.end == 40);

    CHECK(run(bundled("gil_processes"), { .cores = 2 }).end == 20);
    CHECK(run(bundled("nogil_threads"), { .cores = 2 }).end == 20);
    // I/O-bound threads give the GIL up while they wait: their 10-tick waits overlap.
    CHECK(run(bundled("gil_io"), { .cores = 2 }).end == 14);
}

TEST_CASE("Coroutines and the GIL: stepping every tick gives the same trace as jumping", "[coroutine]")
{
    for (std::string name : { "delivery", "delivery_sequential", "delivery_compute", "gil_threads", "gil_processes",
             "gil_io" }) {
        auto program = bundled(name);
        for (std::string scheduler : { "fcfs", "rr", "mlfq", "per-core" }) {
            for (int cores : { 1, 2 }) {
                for (Tick switch_cost : { 0, 1 }) {
                    INFO(name << " with " << scheduler << " on " << cores << " cores, switch cost " << switch_cost);
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
}

} // namespace coroutine_test
