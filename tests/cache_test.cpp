// The cache affinity model (engine/cache.hpp) against hand-worked runs that OSTEP's multi.py
// agrees with, and the multiprocessor conventions (timer=global, steal-from).

#include "support/run.hpp"

#include <catch2/catch.hpp>

using namespace tl;

// This file's names are its own: the test files are compiled several to a unit (tests/meson.build).
namespace cache_test {

namespace {

Trace run_cached(Program const& program, test::RunSpec spec, std::uint64_t cache, Tick warmup = 10, Tick rate = 2)
{
    auto machine = test::machine_config(spec);
    machine.cache = cache;
    machine.cache_warmup = warmup;
    machine.cache_warm_rate = rate;
    auto simulated = simulate_run(machine, program, spec.scheduler, test::scheduler_options(spec));
    if (auto const* problems = std::get_if<std::vector<RunProblem>>(&simulated))
        FAIL(test::problems_text(*problems));
    return std::get<Trace>(std::move(simulated));
}

std::vector<std::pair<Tick, EventKind>> cache_events(Trace const& trace, std::string_view thread)
{
    std::vector<std::pair<Tick, EventKind>> found;
    for (auto const& event : trace.events)
        if ((event.kind == EventKind::CacheWarm || event.kind == EventKind::CacheEvict) && trace.name(event.thread) == thread)
            found.emplace_back(event.tick, event.kind);
    return found;
}

}

// Worked by hand, and multi.py -n 1 -q 10 -w 5 -L a:30:50,big:30:150 -c agrees (a at 30, big
// at 50, CPU 0 warm 20% of 50 ticks): a warms in ticks 0-4 and runs 5 warm ticks (10 work) to
// tick 10, left 15. big warms in 10-14; at 15 it is put in the cache, which pushes out a and
// then big itself (150 > 100). big stays cold, 20 work left at 20. a must warm again (20-24),
// runs warm 25-29 and ends at 30; big runs 30-50 cold, and at 35 its warm-up, done again,
// pushes out the ended a's working set (multi.py keeps an ended job's working set too).
TEST_CASE("a working set larger than the cache is never warm and pushes the others out", "[cache]")
{
    auto program = test::parse_or_fail(R"(process jobs
  thread a working-set 50
    compute 30
  thread big working-set 150
    compute 30
)");
    test::RunSpec spec { .scheduler = "rr", .quantum = 10, .settings = { { "timer", "global" } } };
    for (bool every_tick : { false, true }) {
        spec.step_every_tick = every_tick;
        auto trace = run_cached(program, spec, 100, 5);
        auto metrics = compute_metrics(trace);
        CHECK(test::job(metrics, "a").finish == 30);
        CHECK(test::job(metrics, "big").finish == 50);
        CHECK(test::job(metrics, "a").warm == 10);
        CHECK(test::job(metrics, "a").cold == 10);
        CHECK(test::job(metrics, "big").warm == 0);
        CHECK(test::job(metrics, "big").cold == 30);
        CHECK(cache_events(trace, "a")
            == std::vector<std::pair<Tick, EventKind>> {
                { 5, EventKind::CacheWarm }, { 15, EventKind::CacheEvict }, { 25, EventKind::CacheWarm },
                { 35, EventKind::CacheEvict } });
        CHECK(cache_events(trace, "big").empty());
    }
}

// The acceptance case: b and c fit one core's cache together, a fills the other's. multi.py
// -n 2 -L b:100:50,a:100:100,c:100:50 -c ends at 150 with 0% warm; with -p -P 0 at 110.
TEST_CASE("two threads whose working sets fit one cache run faster on per-core queues", "[cache]")
{
    auto program = test::parse_or_fail(R"(process work
  thread b working-set 50
    compute 100
  thread a working-set 100
    compute 100
  thread c working-set 50
    compute 100
)");
    test::RunSpec spec { .scheduler = "rr", .cores = 2, .quantum = 10, .settings = { { "timer", "global" } } };
    auto global = compute_metrics(run_cached(program, spec, 100));
    spec.scheduler = "per-core";
    auto per_core = compute_metrics(run_cached(program, spec, 100));
    CHECK(global.makespan == 150);
    CHECK(per_core.makespan == 110);
    for (auto name : { "a", "b", "c" }) {
        INFO(name);
        CHECK(test::job(global, name).warm == 0);
        CHECK(test::job(global, name).cold == 100);
        CHECK(test::job(global, name).migrations == 9);
        CHECK(test::job(per_core, name).warm == 45);
        CHECK(test::job(per_core, name).cold == 10);
        CHECK(test::job(per_core, name).migrations == 0);
    }
    CHECK(test::job(per_core, "a").finish == 55);
    CHECK(test::job(per_core, "b").finish == 105);
    CHECK(test::job(per_core, "c").finish == 110);
}

TEST_CASE("without --cache nothing changes, and a cache with no working sets changes nothing either", "[cache]")
{
    auto program = test::parse_or_fail(R"(process work working-set 50
  thread b
    compute 7
    io 3
    compute 5
  thread a working-set 20
    compute 9
)");
    test::RunSpec spec { .scheduler = "rr", .cores = 2, .quantum = 3, .switch_cost = 1 };
    auto plain = test::run(program, spec);
    auto jobs = test::jobs_or_fail("A:0:7,B:1:9,C:2:4");
    CHECK(same_run(test::run(jobs, spec), run_cached(jobs, spec, 100)));
    // The process's working set is b's; a gives its own.
    CHECK(plain.threads[0].working_set == 50);
    CHECK(plain.threads[1].working_set == 20);
    // With the model on, jumping over quiet ticks and stepping every tick agree.
    auto jumped = run_cached(program, spec, 60, 2, 3);
    spec.step_every_tick = true;
    auto stepped = run_cached(program, spec, 60, 2, 3);
    CHECK(same_run(jumped, stepped));
    CHECK(jumped.end < plain.end);
}

// The worked example of docs/schedulers.md; multi.py -n 1 -q 2 -L A:1:0,B:4:0,C:4:0 -r 1
// finishes B at 9 and C at 8.
TEST_CASE("timer=global ends a slice at the next multiple of the quantum", "[cache][timer]")
{
    auto jobs = test::jobs_or_fail("A:0:1,B:0:4,C:0:4");
    auto per_dispatch = compute_metrics(test::run(jobs, { .scheduler = "rr", .quantum = 2 }));
    auto global = compute_metrics(test::run(jobs, { .scheduler = "rr", .quantum = 2, .settings = { { "timer", "global" } } }));
    CHECK(test::job(per_dispatch, "B").finish == 7);
    CHECK(test::job(per_dispatch, "C").finish == 9);
    CHECK(test::job(global, "B").finish == 9);
    CHECK(test::job(global, "C").finish == 8);
}

// --cache-warmup 0 (multi.py -w 0): a working set is warm from its first tick; one larger
// than the cache is put in and pushed out again every tick, never warm. multi.py -n 1 -q 10
// -w 0 -L a:20:50,big:20:150 -c finishes a at 10 and big at 30.
TEST_CASE("with no warm-up a thread is warm at once, unless its working set is too large", "[cache]")
{
    auto program = test::parse_or_fail(R"(process jobs
  thread a working-set 50
    compute 20
  thread big working-set 150
    compute 20
)");
    test::RunSpec spec { .scheduler = "rr", .quantum = 10, .settings = { { "timer", "global" } } };
    for (bool every_tick : { false, true }) {
        spec.step_every_tick = every_tick;
        auto metrics = compute_metrics(run_cached(program, spec, 100, 0));
        CHECK(test::job(metrics, "a").finish == 10);
        CHECK(test::job(metrics, "a").warm == 10);
        CHECK(test::job(metrics, "big").finish == 30);
        CHECK(test::job(metrics, "big").warm == 0);
    }
}

} // namespace cache_test
