// A Machine copied mid-run (its policy cloned) runs on exactly as the original; a Chooser
// decides which ready thread takes a free core, and one that always answers the policy's own
// pick changes nothing. The seam of manual stepping and of exploring every schedule.

#include "support/run.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

using namespace tl;
using namespace tl::test;

// This file's names are its own: the test files are compiled several to a unit (tests/meson.build).
namespace machine_copy_test {

namespace {

constexpr std::string_view kitchen = R"(process kitchen
  thread ramen
    compute 4
    io 2
    compute 1
  thread pasta
    compute 3
  thread cake
    compute 5
)";

// The machine and policy every test here starts from (a switch costs a tick).
test::RunSpec spec_for(std::string const& policy, int cores)
{
    return { .scheduler = policy, .cores = cores, .quantum = 2, .switch_cost = 1, .max_ticks = 100'000, .seed = 7 };
}

std::unique_ptr<Machine> make_machine(Program const& program, std::string const& policy, int cores)
{
    return test::start(program, spec_for(policy, cores));
}

// same_run, and the processes' end (freed, final values), which it does not compare.
void check_same(Trace const& a, Trace const& b)
{
    CHECK(same_run(a, b));
    REQUIRE(a.processes.size() == b.processes.size());
    for (std::size_t p = 0; p < a.processes.size(); ++p) {
        CHECK(a.processes[p].freed == b.processes[p].freed);
        CHECK(a.processes[p].final_values == b.processes[p].final_values);
    }
}

// Always answers what the policy would pick, and counts the choices it was shown.
struct PolicyChooser final : Chooser {
    int asked = 0;
    std::optional<ThreadId> choose(Choice const& choice) override
    {
        ++asked;
        return choice.policy_pick;
    }
};

// Always takes the ready thread with the highest id.
struct LastChooser final : Chooser {
    std::optional<ThreadId> choose(Choice const& choice) override { return choice.ready.back(); }
};

}

TEST_CASE("A machine copied at any boundary runs on to the trace of an uncopied run", "[machine]")
{
    auto const kitchen_program = parse_or_fail(kitchen);
    std::vector<std::pair<std::string, Program>> programs { { "kitchen", kitchen_program } };
    for (auto name : { "race", "gil_threads", "spawn_join", "deadlock", "delivery", "loading" })
        programs.emplace_back(name, bundled(name));
    for (auto const& [name, program] : programs)
        for (auto policy : { "fcfs", "rr", "srtf", "mlfq", "lottery", "cfs", "per-core", "fair-share" })
            for (int cores : { 1, 2 }) {
                INFO(fmt::format("{} under {} on {} cores", name, policy, cores));
                auto whole = make_machine(program, policy, cores);
                whole->run();
                auto const expected = whole->take_trace();
                for (int k : { 0, 1, 3, 8 }) {
                    INFO(fmt::format("copied after {} boundaries", k));
                    auto original = make_machine(program, policy, cores);
                    for (int i = 0; i < k && original->advance(); ++i) { }
                    Machine copy(*original);
                    CHECK(copy.now() == original->now());
                    copy.run();
                    original->run();
                    check_same(copy.trace(), expected);
                    check_same(original->trace(), expected);
                }
            }
}

TEST_CASE("A run and its copies share the program's instructions; editing one copy of code leaves the others", "[machine]")
{
    auto const program = parse_or_fail(kitchen);
    auto machine = make_machine(program, "rr", 1);
    auto copy = std::make_unique<Machine>(*machine);
    machine->run();
    auto const& ramen = program.processes[0].threads[0].code;
    REQUIRE(ramen.size() == 3);
    // The same instructions in memory, not a copy of them: 18 MB less for the headline workload.
    CHECK(machine->trace().threads[0].code.data() == ramen.data());
    CHECK(copy->trace().threads[0].code.data() == ramen.data());

    Code edited = ramen;
    edited.edit()[0].ticks = 9;
    CHECK(edited.data() != ramen.data());
    CHECK(edited[0].ticks == 9);
    CHECK(ramen[0].ticks == 4);
    CHECK(machine->trace().threads[0].code[0].ticks == 4);
    CHECK_FALSE(edited == ramen);
    edited.edit()[0].ticks = 4;
    CHECK(edited == ramen);
}

TEST_CASE("Running a copy on leaves the original where it was", "[machine]")
{
    auto const program = bundled("race");
    auto original = make_machine(program, "rr", 2);
    for (int i = 0; i < 5; ++i)
        REQUIRE(original->advance());
    auto const now = original->now();
    auto const events = original->trace().events.size();
    auto const in_use = original->ram_in_use();
    {
        Machine copy(*original);
        copy.run();
        CHECK(copy.ended());
        CHECK(copy.now() > now);
    }
    CHECK(!original->ended());
    CHECK(original->now() == now);
    CHECK(original->trace().events.size() == events);
    CHECK(original->ram_in_use() == in_use);
    original->run();
    auto uncopied = make_machine(program, "rr", 2);
    uncopied->run();
    check_same(original->trace(), uncopied->trace());
}

TEST_CASE("A Chooser that always takes the policy's pick changes nothing", "[machine]")
{
    for (auto name : { "race", "gil_threads", "spawn_join", "delivery" })
        for (auto policy : { "fcfs", "rr", "sjf", "priority", "mlfq", "lottery", "stride", "cfs", "per-core" }) {
            INFO(fmt::format("{} under {}", name, policy));
            auto const program = bundled(name);
            auto plain = make_machine(program, policy, 2);
            plain->run();
            PolicyChooser chooser;
            auto chosen = make_machine(program, policy, 2);
            chosen->set_chooser(&chooser);
            chosen->run();
            CHECK(chooser.asked > 0);
            check_same(chosen->trace(), plain->trace());
        }
}

TEST_CASE("A Chooser decides which ready thread takes a free core", "[machine]")
{
    // FCFS would run ramen, pasta, cake. Taking the highest id: cake at 0 (ramen, pasta and
    // cake ready); pasta at 5; ramen at 8; its io runs 12-14 with nothing ready, then it
    // finishes its last tick. No switch cost here.
    auto const program = parse_or_fail(kitchen);
    auto spec = spec_for("fcfs", 1);
    spec.switch_cost = 0;
    spec.seed = 1;
    auto machine = test::start(program, spec);
    LastChooser last;
    machine->set_chooser(&last);
    machine->run();
    CHECK(core_timeline(machine->trace(), 0) == "cake@0-5 pasta@5-8 ramen@8-12 ramen@14-15");
}

} // namespace machine_copy_test
