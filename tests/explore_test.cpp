// Every schedule (explore/explore.hpp). The outcome sets are worked out by hand: an
// `incr` is three steps (read, add, write) and a switch may come between any two.

#include "explore/by_hand.hpp"
#include "explore/explore.hpp"
#include "lang/diagnostic.hpp"
#include "lang/parser.hpp"
#include "sched/registry.hpp"
#include "support/run.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <fstream>
#include <set>
#include <sstream>

using namespace tl;
using tl::test::bundled;

// This file's names are its own: the test files are compiled several to a unit (tests/meson.build).
namespace explore_test {

namespace {

Program parse(std::string const& text, std::string const& name = "test.tl")
{
    auto parsed = parse_program(text, name);
    INFO(format_diagnostics(parsed.errors));
    REQUIRE(parsed.ok());
    return parsed.program;
}

MachineConfig config(int cores = 1)
{
    MachineConfig machine;
    machine.cores = cores;
    return machine;
}

std::set<std::int64_t> counts(ExploreResult const& result)
{
    std::set<std::int64_t> values;
    for (auto const& outcome : result.outcomes)
        values.insert(outcome.variables.at(0).second);
    return values;
}

std::string const one_each = "process counter\n  shared count = 0\n  thread a\n    incr count\n  thread b\n    incr count\n";
std::string const two_each = "process counter\n  shared count = 0\n  thread a\n    repeat 2\n      incr count\n"
                             "  thread b\n    repeat 2\n      incr count\n";

// Answers the witness's names in order, as `step --manual --choices` does.
class Replay final : public Chooser {
public:
    Replay(Trace const& names, std::vector<std::string> const& witness)
        : m_names(names)
        , m_witness(witness)
    {
    }
    std::optional<ThreadId> choose(Choice const& choice) override
    {
        REQUIRE(m_next < m_witness.size());
        auto const& name = m_witness[m_next++];
        for (ThreadId id : choice.ready)
            if (m_names.name(id) == name)
                return id;
        FAIL("witness names " << name << ", not ready");
        return std::nullopt;
    }
    std::size_t used() const { return m_next; }

private:
    Trace const& m_names;
    std::vector<std::string> const& m_witness;
    std::size_t m_next = 0;
};

// Every witness, replayed on the machine `step --manual --quantum 1` runs, ends in its outcome.
void check_witnesses(MachineConfig const& machine_config, Program const& program, ExploreResult const& result)
{
    for (auto const& outcome : result.outcomes) {
        auto machine = chosen_machine(machine_config, program, Tick { 1 });
        Replay replay(machine.trace(), outcome.witness);
        machine.set_chooser(&replay);
        machine.run();
        CHECK(replay.used() == outcome.witness.size());
        auto const& trace = machine.trace();
        std::size_t v = 0;
        for (auto const& process : trace.processes)
            for (auto value : process.final_values)
                CHECK(outcome.variables.at(v++).second == value);
        CHECK((trace.outcome == Outcome::Deadlock) == outcome.deadlock);
    }
}

}

TEST_CASE("explore: two threads each incrementing once end at 1 or 2", "[explore]")
{
    auto program = parse(one_each);
    auto result = explore(config(), program, {});
    CHECK(result.complete);
    CHECK(counts(result) == std::set<std::int64_t> { 1, 2 });
    // 3 steps each: C(6, 3) = 20 orders of the six steps; count is 2 only when one thread's
    // three steps all come first (2 orders).
    CHECK(result.schedules == 20);
    for (auto const& outcome : result.outcomes)
        CHECK(outcome.schedules == (outcome.variables[0].second == 2 ? 2u : 18u));
    check_witnesses(config(), program, result);
}

TEST_CASE("explore: two increments each end at 2, 3 or 4", "[explore]")
{
    auto program = parse(two_each);
    auto result = explore(config(), program, {});
    CHECK(result.complete);
    CHECK(counts(result) == std::set<std::int64_t> { 2, 3, 4 });
    CHECK(result.schedules == 924); // C(12, 6): every order of six steps and six steps
    check_witnesses(config(), program, result);
}

TEST_CASE("explore: a lock or an atomic increment leaves only 4", "[explore]")
{
    auto locked = parse("process counter\n  shared count = 0\n  mutex m\n  thread a\n    repeat 2\n      lock m\n"
                        "      incr count\n      unlock m\n  thread b\n    repeat 2\n      lock m\n      incr count\n"
                        "      unlock m\n");
    auto result = explore(config(), locked, {});
    CHECK(result.complete);
    CHECK(counts(result) == std::set<std::int64_t> { 4 });
    check_witnesses(config(), locked, result);
    auto atomic = parse("process counter\n  shared count = 0\n  thread a\n    repeat 2\n      atomic incr count\n"
                        "  thread b\n    repeat 2\n      atomic incr count\n");
    result = explore(config(), atomic, {});
    CHECK(result.complete);
    CHECK(counts(result) == std::set<std::int64_t> { 4 });
    // One step each: every order of a,a,b,b is C(4, 2) = 6 schedules.
    CHECK(result.schedules == 6);
    check_witnesses(config(), atomic, result);
}

TEST_CASE("explore: the philosophers deadlock in some schedules and finish in others", "[explore]")
{
    auto program = bundled("deadlock");
    auto result = explore(config(), program, {});
    CHECK(result.complete);
    bool deadlocked = false;
    bool finished = false;
    for (auto const& outcome : result.outcomes) {
        if (outcome.deadlock) {
            deadlocked = true;
            CHECK(outcome.deadlock_text
                == "left waits for mutex 'fork2' held by right; right waits for mutex 'fork1' held by left");
        } else {
            finished = true;
        }
    }
    CHECK(deadlocked);
    CHECK(finished);
    check_witnesses(config(), program, result);
}

TEST_CASE("explore: every built-in policy's run ends in one of explore's outcomes", "[explore]")
{
    std::vector<Program> programs { parse(one_each), parse(two_each), bundled("race_small"), bundled("deadlock"),
        bundled("spawn_join") };
    for (auto const& program : programs) {
        INFO(program.file);
        auto result = explore(config(), program, {});
        REQUIRE(result.complete);
        for (auto const& entry : all_schedulers()) {
            INFO(entry.name);
            auto simulated = simulate_run(config(), program, entry.name, SchedulerOptions {});
            REQUIRE(std::holds_alternative<Trace>(simulated));
            auto const& trace = std::get<Trace>(simulated);
            bool found = false;
            for (auto const& outcome : result.outcomes) {
                std::size_t v = 0;
                bool same = (trace.outcome == Outcome::Deadlock) == outcome.deadlock;
                for (auto const& process : trace.processes)
                    for (auto value : process.final_values)
                        same = same && outcome.variables.at(v++).second == value;
                found = found || same;
            }
            CHECK(found);
        }
    }
}

TEST_CASE("explore: the 100-increment race stops at the state limit with what it found", "[explore]")
{
    auto result = explore(config(), bundled("race"), ExploreLimits { 2000 });
    CHECK_FALSE(result.complete);
    CHECK(result.states == 2000);
    REQUIRE_FALSE(result.outcomes.empty());
    for (auto const& outcome : result.outcomes)
        CHECK(!outcome.witness.empty());
}

TEST_CASE("by hand: each pick asks the policies named, in the order named, and no others", "[explore]")
{
    // At tick 0 the three threads are ready: long (8 ticks), then two short ones. FCFS takes
    // the first ready, SJF the first of the shortest.
    auto program = parse("process kitchen\n  thread long\n    compute 8\n  thread short\n    compute 2\n"
                         "  thread also\n    compute 2\n");
    SchedulerOptions options;
    auto asked = [&](std::vector<std::string> const& policies) {
        auto ran = run_by_hand(config(), program, options, policies, std::nullopt, {});
        REQUIRE(std::holds_alternative<HandPick>(ran));
        return std::get<HandPick>(ran);
    };
    auto pick = asked({ "sjf", "fcfs" });
    CHECK(pick.names == std::vector<std::string> { "long", "short", "also" });
    CHECK(pick.picks == std::vector<std::pair<std::string, std::string>> { { "sjf", "short" }, { "fcfs", "long" } });
    CHECK(asked({}).picks.empty());
    // Every registered policy, when asked for all of them.
    auto all = std::get<std::vector<std::string>>(builtin_policy_list("all"));
    auto every = asked(all);
    REQUIRE(every.picks.size() == all_schedulers().size());
    for (std::size_t i = 0; i < all.size(); ++i)
        CHECK(every.picks[i].first == all_schedulers()[i].name);
}

} // namespace explore_test
