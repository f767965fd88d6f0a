// Policies written in Lua: the bundled ones give the same runs as their built-in twins; every
// wrong answer, forbidden library, runaway loop and greedy table stops the run with a message
// naming the file, the line and the tick; runs are reproducible.

#include "engine/machine.hpp"
#include "gen/generator.hpp"
#include "lang/parser.hpp"
#include "support/workloads.hpp"
#include "sched/lua_policy.hpp"
#include "sched/policy_contract.hpp"
#include "sched/registry.hpp"
#include "support/run.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

using namespace tl;
using tl::test::pinned_workload;
namespace fs = std::filesystem;

// This file's names are its own: the test files are compiled several to a unit (tests/meson.build).
namespace lua_policy_test {

namespace {

using Settings = std::map<std::string, std::string, std::less<>>;

std::string source_dir() { return TICKLAB_TEST_SOURCE_DIR; }

std::string read(fs::path const& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

struct Setup {
    int cores = 1;
    Tick quantum = 2;
    Tick switch_cost = 0;
    bool step_every_tick = false;
    std::uint64_t seed = 1;
    Settings settings {};
};

MachineConfig machine_for(Setup const& setup)
{
    MachineConfig machine;
    machine.cores = setup.cores;
    machine.switch_cost = setup.switch_cost;
    machine.max_ticks = 200'000;
    machine.step_every_tick = setup.step_every_tick;
    return machine;
}

SchedulerOptions options_for(Setup const& setup)
{
    SchedulerOptions options;
    options.cores = setup.cores;
    options.quantum = setup.quantum;
    options.seed = setup.seed;
    options.settings = setup.settings;
    return options;
}

Trace run_with(std::unique_ptr<Scheduler> scheduler, Program const& program, Setup const& setup)
{
    auto machine = machine_for(setup);
    if (!check_program_fits(machine, program).empty())
        machine.ram = 64 * 1024 * 1024; // the programs that say they need more
    REQUIRE(check_program_fits(machine, program).empty());
    return simulate(machine, program, std::move(scheduler), "test", "test");
}

Trace run_policy(std::string const& name, Program const& program, Setup const& setup)
{
    auto made = make_scheduler(name, options_for(setup));
    if (auto const* error = std::get_if<std::string>(&made))
        FAIL(*error);
    return run_with(std::move(std::get<SchedulerChoice>(made).scheduler), program, setup);
}

// Runs the policy given as Lua source; returns the PolicyError's message, or "" when the run
// went through.
std::string policy_error(std::string const& source, Program const& program, Setup const& setup = {},
    LuaLimits const& limits = {})
{
    auto made = make_lua_scheduler_from_source("mine.lua", source, options_for(setup), limits);
    if (auto const* error = std::get_if<std::string>(&made))
        return "load: " + *error;
    try {
        run_with(std::move(std::get<SchedulerChoice>(made).scheduler), program, setup);
    } catch (PolicyError const& error) {
        return error.what();
    }
    return "";
}

std::string load_error(std::string const& source, Settings settings = {})
{
    Setup setup;
    setup.settings = std::move(settings);
    auto made = make_lua_scheduler_from_source("mine.lua", source, options_for(setup));
    auto const* error = std::get_if<std::string>(&made);
    return error ? *error : std::string("(loaded)");
}

std::vector<std::pair<std::string, Program>> bundled_programs()
{
    std::vector<std::pair<std::string, Program>> programs;
    std::vector<fs::path> paths;
    for (auto const& entry : fs::directory_iterator(source_dir() + "/programs"))
        if (entry.path().extension() == ".tl")
            paths.push_back(entry.path());
    std::sort(paths.begin(), paths.end());
    for (auto const& path : paths) {
        auto parsed = parse_program(read(path), path.filename().string());
        INFO(path.string() << "\n" << format_diagnostics(parsed.errors));
        REQUIRE(parsed.ok());
        programs.emplace_back(path.stem().string(), std::move(parsed.program));
    }
    return programs;
}

std::string policy(std::string_view name) { return source_dir() + "/policies/" + std::string(name) + ".lua"; }

Program const& three_jobs()
{
    static Program const program = test::jobs_or_fail("P1:0:24,P2:0:3,P3:0:3");
    return program;
}

} // namespace

TEST_CASE("Each bundled Lua policy runs every bundled program exactly as its built-in twin", "[lua]")
{
    struct Twin {
        std::string lua;
        std::string builtin;
        Settings settings {};
    };
    std::vector<Twin> twins {
        { "fcfs", "fcfs" },
        { "rr", "rr" },
        { "sjf", "sjf" },
        { "sjf", "sjf", { { "by", "remaining" } } },
        { "priority", "priority" },
        { "priority", "priority", { { "aging", "3" } } },
        { "lottery", "lottery" },
        { "lottery", "lottery", { { "tickets", "5,300,40" } } },
        { "mlfq", "mlfq" },
        { "mlfq", "mlfq", { { "boost", "7" } } },
        { "mlfq", "mlfq", { { "levels", "4" }, { "boost", "11" } } },
    };
    auto programs = bundled_programs();
    for (int cores : { 1, 3 })
        for (std::uint64_t seed : { 1, 7 })
            programs.emplace_back(fmt::format("generated {} for {} cores", seed, cores), pinned_workload(cores, seed));
    for (auto const& twin : twins) {
        for (auto const& [name, program] : programs) {
            for (int cores : { 1, 3 }) {
                if (name.ends_with(" for 3 cores") && cores == 1)
                    continue; // pinned to cores a single-core machine lacks
                for (Tick switch_cost : { Tick(0), Tick(1) }) {
                    Setup setup { .cores = cores, .quantum = 3, .switch_cost = switch_cost, .seed = 42,
                        .settings = twin.settings };
                    INFO(fmt::format("policies/{}.lua vs {}, {} settings, program {}, {} cores, switch cost {}", twin.lua,
                        twin.builtin, twin.settings.size(), name, cores, switch_cost));
                    auto builtin = run_policy(twin.builtin, program, setup);
                    auto lua = run_policy(policy(twin.lua), program, setup);
                    CHECK(same_run(builtin, lua));
                }
            }
        }
    }
}

TEST_CASE("The textbook figures, from the bundled Lua policies (OSC 10th ed., 5.3)", "[lua]")
{
    auto average_waiting = [](std::string const& name, Tick quantum) {
        Setup setup { .quantum = quantum };
        return compute_metrics(run_policy(policy(name), three_jobs(), setup)).averages.waiting;
    };
    CHECK(average_waiting("fcfs", 2) == Approx(17.0));
    CHECK(average_waiting("sjf", 2) == Approx(3.0));
    CHECK(average_waiting("rr", 4) == Approx(17.0 / 3.0));
}

TEST_CASE("A Lua policy's run is the same twice, and stepping every tick changes nothing", "[lua]")
{
    for (std::string name : { "fcfs", "rr", "sjf", "priority", "lottery", "mlfq" }) {
        for (int cores : { 1, 3 }) {
            INFO(name << " on " << cores << " cores");
            Setup setup { .cores = cores, .seed = 9, .settings = {} };
            if (name == "priority")
                setup.settings = { { "aging", "2" } };
            auto program = pinned_workload(cores, 3);
            auto once = run_policy(policy(name), program, setup);
            auto twice = run_policy(policy(name), program, setup);
            CHECK(same_run(once, twice));
            setup.step_every_tick = true;
            CHECK(same_run(once, run_policy(policy(name), program, setup)));
        }
    }
}

namespace {

// A FCFS body to build broken policies from: each test replaces one part.
std::string const fcfs_body = R"(local queue = {}
function enqueue(thread) queue[#queue + 1] = thread end
function dequeue(thread)
  for i, t in ipairs(queue) do if t == thread then table.remove(queue, i) return end end
end
)";

}

TEST_CASE("Every wrong answer stops the run, naming the file, the line and the tick", "[lua]")
{
    SECTION("a thread that is not ready")
    {
        CHECK(policy_error(fcfs_body + "function pick(core)\n  return 0\nend\n", three_jobs())
            == "mine.lua:7: pick returned thread 0, which is not ready (it is waiting, has ended, or was already picked) "
               "(at tick 24, in pick(core 0))");
        CHECK(policy_error(fcfs_body + "function pick(core)\n  return 0\nend\n", three_jobs(), Setup { .cores = 2 })
            == "mine.lua:7: pick returned thread 0, which is running on core 0 (at tick 0, in pick(core 1))");
    }
    SECTION("a thread the machine never named")
    {
        CHECK(policy_error(fcfs_body + "function pick(core)\n  return 99\nend\n", three_jobs())
            == "mine.lua:7: pick returned thread 99, which the machine never gave the policy (at tick 0, in pick(core "
               "0))");
    }
    SECTION("a thread pinned elsewhere")
    {
        auto program = test::parse_or_fail("process a\n  thread t pin 1\n    compute 2\n");
        Setup setup { .cores = 2 };
        CHECK(policy_error(fcfs_body + "function pick(core)\n  return table.remove(queue, 1)\nend\n", program, setup)
            == "mine.lua:7: pick returned thread 0, which is pinned to other cores than core 0 (ask "
               "host.may_run_on(thread, core)) (at tick 0, in pick(core 0))");
    }
    SECTION("the wrong type")
    {
        CHECK(policy_error(fcfs_body + "function pick(core)\n  return \"P1\"\nend\n", three_jobs())
            == "mine.lua:7: pick returned 'P1' (string), not a thread id or nil (at tick 0, in pick(core 0))");
    }
    SECTION("a slice that is not positive")
    {
        CHECK(policy_error(fcfs_body
                      + "function pick(core) return table.remove(queue, 1) end\nfunction slice(thread, core)\n  return 0\nend\n",
                  three_jobs())
            == "mine.lua:8: slice returned 0: a slice must be at least 1 tick (or nil: until it blocks or ends) (at tick 0, "
               "in slice(0, core 0))");
        CHECK(policy_error(fcfs_body
                      + "function pick(core) return table.remove(queue, 1) end\nfunction slice(thread, core)\n  return 1.5\nend\n",
                  three_jobs())
            == "mine.lua:8: slice returned number, not a whole number of ticks or nil (at tick 0, in slice(0, core 0))");
    }
    SECTION("should_preempt and next_wakeup answers of the wrong kind")
    {
        auto base = fcfs_body + "function pick(core) return table.remove(queue, 1) end\nfunction slice() return 1 end\n";
        CHECK(policy_error(fcfs_body + "function pick(core) return table.remove(queue, 1) end\n"
                               "function should_preempt(core, thread)\n  return 1\nend\n",
                  test::jobs_or_fail("P1:0:5,P2:2:3"))
            == "mine.lua:8: should_preempt returned number, not true or false (at tick 2, in should_preempt(core 0, 0))");
        CHECK(policy_error(base + "function next_wakeup()\n  return host.now()\nend\n", three_jobs())
            == "mine.lua:9: next_wakeup returned tick 0, which is not after now (tick 0) (at tick 0, in next_wakeup())");
    }
    SECTION("ready queues that lose or invent a thread")
    {
        auto base = fcfs_body + "function pick(core) return table.remove(queue, 1) end\n";
        CHECK(policy_error(base + "function ready_queues()\n  return {}\nend\n", three_jobs())
            == "mine.lua:8: ready_queues leaves out thread 1, which is ready (at tick 0, in ready_queues())");
        CHECK(policy_error(base + "function ready_queues()\n  return { 0, 1, 2 }\nend\n", three_jobs())
            == "mine.lua:8: ready_queues lists thread 0, which is not ready (at tick 0, in ready_queues())");
    }
    SECTION("a Lua error in a hook keeps Lua's file and line")
    {
        CHECK(policy_error(fcfs_body + "function pick(core)\n  return queue.first.thread\nend\n", three_jobs())
            == "mine.lua:7: attempt to index a nil value (field 'first') (at tick 0, in pick(core 0))");
    }
    SECTION("an error without a position still names the file; endless recursion is a Lua error")
    {
        CHECK(policy_error("function enqueue(t) error('no room', 0) end\nfunction pick(core) end\n", three_jobs())
            == "mine.lua: no room (at tick 0, in enqueue(0, \"arrived\"))");
        CHECK(policy_error("function enqueue(t) error({}) end\nfunction pick(core) end\n", three_jobs())
            == "mine.lua: the policy raised an error that is a table, not a message (at tick 0, in enqueue(0, "
               "\"arrived\"))");
        CHECK(policy_error("local function deep(n) return deep(n + 1) + 1 end\nfunction enqueue(t) end\n"
                           "function pick(core) return deep(1) end\n",
                  three_jobs())
            == "mine.lua:1: stack overflow (at tick 0, in pick(core 0))");
    }
    SECTION("a policy that forgets dequeue is told what happened")
    {
        auto program = test::parse_or_fail("process a\n  thread t\n    compute 1\n    exit\n  thread u\n    compute 3\n");
        CHECK(policy_error("local queue = {}\nfunction enqueue(thread) queue[#queue + 1] = thread end\n"
                           "function pick(core)\n  return table.remove(queue, 1)\nend\n",
                  program)
            == "mine.lua:4: pick returned thread 1, which left when its process ended (define dequeue(thread) to forget such "
               "threads) (at tick 1, in pick(core 0))");
    }
}

TEST_CASE("A policy is sandboxed: no files, no programs, no loading code", "[lua]")
{
    auto pick = [](std::string line) {
        return fcfs_body + "function pick(core)\n  " + line + "\n  return table.remove(queue, 1)\nend\n";
    };
    CHECK(policy_error(pick("os.execute('touch /tmp/x')"), three_jobs())
        == "mine.lua:7: 'os' is not available in a policy: a policy cannot run programs, read the clock or leave ticklab "
           "(at tick 0, in pick(core 0))");
    CHECK(policy_error(pick("io.open('/etc/passwd')"), three_jobs())
        == "mine.lua:7: 'io' is not available in a policy: a policy cannot open or write files (at tick 0, in pick(core 0))");
    CHECK(policy_error(pick("require('socket')"), three_jobs()).starts_with("mine.lua:7: 'require' is not available"));
    CHECK(policy_error(pick("load('return 1')"), three_jobs()).starts_with("mine.lua:7: 'load' is not available"));
    CHECK(policy_error(pick("dofile('/etc/passwd')"), three_jobs()).starts_with("mine.lua:7: 'dofile' is not available"));
    CHECK(policy_error(pick("debug.getinfo(1)"), three_jobs()).starts_with("mine.lua:7: 'debug' is not available"));
    CHECK(policy_error(pick("string.dump(pick)"), three_jobs())
        == "mine.lua:7: attempt to call a nil value (field 'dump') (at tick 0, in pick(core 0))");
    CHECK(policy_error(pick("setmetatable({}, { __gc = function() end })"), three_jobs())
        == "mine.lua:7: setmetatable: __gc is not available in a policy (at tick 0, in pick(core 0))");
    CHECK(policy_error(pick("setmetatable({}, { __mode = 'k' })"), three_jobs())
        == "mine.lua:7: setmetatable: weak tables (__mode) are not available in a policy (at tick 0, in pick(core 0))");
    CHECK(policy_error(pick("local s = string.format('%5.1f %%p %p', 1.5, {})"), three_jobs())
        == "mine.lua:7: string.format: %p (an address) is not available in a policy (at tick 0, in pick(core 0))");
    CHECK(policy_error(pick("assert(string.format('%5.1f %%p %d', 1.5, 3) == '  1.5 %p 3')"), three_jobs()) == "");
    CHECK(policy_error(pick("assert(('%d'):format(3) == '3')"), three_jobs()) == "");
    // Precompiled bytecode is refused when the file is loaded.
    CHECK(load_error(std::string("\x1bLua\x54\x00", 6)).find("attempt to load a binary chunk") != std::string::npos);
}

TEST_CASE("A runaway policy is stopped by its step and memory budgets, within moments", "[lua]")
{
    auto started = std::chrono::steady_clock::now();
    CHECK(policy_error(fcfs_body + "function pick(core)\n  while true do end\nend\n", three_jobs())
        == "mine.lua:7: the policy ran more than 10000000 Lua steps in one call without answering (an endless loop?) (at "
           "tick 0, in pick(core 0))");
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
    LuaLimits small;
    small.memory = 4 * 1024 * 1024;
    CHECK(policy_error(fcfs_body + "local hoard = {}\nfunction pick(core)\n  for i = 1, 1e9 do hoard[i] = {} end\nend\n",
              three_jobs(), {}, small)
        == "mine.lua:8: the policy went over its memory budget of 4 MiB (do its tables keep growing?) (at tick 0, in "
           "pick(core 0))");
    CHECK(policy_error(fcfs_body + "function pick(core)\n  return string.rep('x', 1 << 30)\nend\n", three_jobs())
        .starts_with("mine.lua: the policy went over its memory budget of 64 MiB"));
}

TEST_CASE("Loading a policy: syntax errors as a program's, missing hooks, settings", "[lua]")
{
    CHECK(load_error("function enqueue(t)\nend\nfunction pick(core)\n  return = 1\nend\n")
        == "mine.lua:4:10: unexpected symbol near '='\n    4 |   return = 1\n      |          ^");
    CHECK(load_error("function pick(core) end\n")
        == "mine.lua: a policy must define the function enqueue (see docs/writing-a-scheduler.md)");
    CHECK(load_error("pick = 3\nfunction enqueue() end\n") == "mine.lua: 'pick' must be a function, not a number");
    CHECK(load_error(fcfs_body + "function pick() end\nhost.now()\n")
        == "mine.lua:7: the machine can only be asked inside a hook, not while the file loads (while the file loaded)");
    CHECK(load_error(fcfs_body + "function pick() end\nlocal aging = host.setting('aging', 0)\n", { { "agin", "3" } })
        == "policy 'mine.lua' has no setting 'agin' (it reads: aging)");
    CHECK(load_error(fcfs_body + "function pick() end\nlocal aging = host.setting('aging', 0)\n", { { "aging", "x" } })
        == "mine.lua:7: --set aging=x: the policy expects a whole number (while the file loaded)");
}

TEST_CASE("pairs, next, table.sort and tostring give the same answers in every run", "[lua]")
{
    // Keys of mixed kinds come out sorted: numbers, then strings, then booleans; sort is
    // stable; tostring shows no address. The policy encodes what it saw in its description.
    auto source = fcfs_body + R"(function pick(core) return table.remove(queue, 1) end
local t = { zebra = 1, apple = 2, [10] = 3, [2] = 4, [true] = 5, mango = 6 }
local seen = {}
for k, v in pairs(t) do seen[#seen + 1] = tostring(k) .. "=" .. v end
local pairs_list = { { 2, "b" }, { 1, "a" }, { 2, "c" }, { 1, "d" } }
table.sort(pairs_list, function(a, b) return a[1] < b[1] end)
for _, p in ipairs(pairs_list) do seen[#seen + 1] = p[2] end
seen[#seen + 1] = tostring({})
seen[#seen + 1] = tostring(next(t))
description = table.concat(seen, " ")
)";
    auto made = make_lua_scheduler_from_source("mine.lua", source, SchedulerOptions {});
    REQUIRE(std::holds_alternative<SchedulerChoice>(made));
    CHECK(std::get<SchedulerChoice>(made).description == "2=4 10=3 apple=2 mango=6 zebra=1 true=5 a d b c table 2");
}

namespace {

// Writes a policy to a file under the build's temporary directory, for check_policy_contract.
std::string policy_file(std::string const& name, std::string const& source)
{
    auto path = fs::temp_directory_path() / fmt::format("ticklab-lua-test-{}-{}.lua", ::getpid(), name);
    std::ofstream(path) << source;
    return path.string();
}

PropertyResult const& property(ContractReport const& report, std::string_view name)
{
    for (auto const& result : report.properties)
        if (result.name == name)
            return result;
    FAIL("no property " << name);
    return report.properties.front();
}

ContractReport contract(std::string const& path, Settings settings = {})
{
    SchedulerOptions options;
    options.settings = std::move(settings);
    auto checked = check_policy_contract(path, options);
    if (auto const* error = std::get_if<std::string>(&checked))
        FAIL(*error);
    return std::get<ContractReport>(checked);
}

}

TEST_CASE("check-policy: the bundled policies keep the contract, starvation included where they claim it", "[lua]")
{
    for (auto const& [name, settings] : std::vector<std::pair<std::string, Settings>> {
             { "fcfs", {} }, { "rr", {} }, { "sjf", {} }, { "priority", { { "aging", "3" } } }, { "lottery", {} },
             { "mlfq", { { "boost", "10" } } } }) {
        INFO(name);
        auto report = contract(policy(name), settings);
        CHECK(report.all_held());
        for (auto const& result : report.properties)
            CHECK(result.workloads == (result.name == "starvation" ? (result.verdict == Verdict::NotClaimed ? 0 : 24) : 135));
        bool claims = name != "sjf" && name != "lottery";
        CHECK((property(report, "starvation").verdict == Verdict::Held) == claims);
    }
}

TEST_CASE("check-policy finds a planted starvation bug and shows the smallest workload", "[lua]")
{
    // Priority without aging that claims to be starvation-free: `low` waits while better
    // newcomers keep arriving. The first stream long enough to keep it waiting past 60 ticks
    // has 12 newcomers.
    auto path = policy_file("starving", R"(starvation_free = true
local ready = {}
function enqueue(thread) ready[#ready + 1] = thread end
function dequeue(thread) for i, t in ipairs(ready) do if t == thread then table.remove(ready, i) return end end end
function pick(core)
  local best
  for i, t in ipairs(ready) do
    if host.may_run_on(t, core) and (best == nil or host.priority(t) < host.priority(ready[best])) then best = i end
  end
  if best then return table.remove(ready, best) end
end
)");
    auto report = contract(path);
    CHECK_FALSE(report.all_held());
    auto const& starvation = property(report, "starvation");
    CHECK(starvation.verdict == Verdict::Broken);
    CHECK(starvation.what
        == "thread 'low' was ready from tick 0 but first ran at tick 63, while newcomers kept arriving (the policy "
           "claims starvation_free = true)");
    CHECK(starvation.jobs
        == "first:0:3:0,low:0:6:5,new1:1:5:0,new2:6:5:0,new3:11:5:0,new4:16:5:0,new5:21:5:0,new6:26:5:0,new7:31:5:0,"
           "new8:36:5:0,new9:41:5:0,new10:46:5:0,new11:51:5:0,new12:56:5:0");
    // The rest of the contract holds: the bug is starvation only.
    for (std::string name : { "answers", "finishes", "replay", "stepping" })
        CHECK(property(report, name).verdict == Verdict::Held);
    fs::remove(path);
}

TEST_CASE("check-policy finds a lost thread, and a policy that counts calls instead of reading the clock", "[lua]")
{
    // Forgets threads that wake from I/O: the smallest workload is one thread doing io.
    auto lost = policy_file("lost", R"(local queue = {}
function enqueue(thread, reason) if reason ~= "woke" then queue[#queue + 1] = thread end end
function dequeue(thread) end
function pick(core) for i, t in ipairs(queue) do if host.may_run_on(t, core) then return table.remove(queue, i) end end end
)");
    auto report = contract(lost);
    auto const& finishes = property(report, "finishes");
    CHECK(finishes.verdict == Verdict::Broken);
    CHECK(finishes.cores == 1);
    CHECK(finishes.program == "process p1 arrive 5 priority 1\n  thread t1\n    compute 1\n    compute 2\n    compute 1\n    io 1\n");
    fs::remove(lost);

    // Gives each thread a slice that shrinks with every pick call, even the ones that find
    // nothing: stepping every tick calls pick more often, so the runs differ.
    auto counting = policy_file("counting", R"(local queue, calls = {}, 0
function enqueue(thread) queue[#queue + 1] = thread end
function dequeue(thread) for i, t in ipairs(queue) do if t == thread then table.remove(queue, i) return end end end
function pick(core)
  calls = calls + 1
  for i, t in ipairs(queue) do if host.may_run_on(t, core) then return table.remove(queue, i) end end
end
function slice() return 1 + calls % 3 end
)");
    report = contract(counting);
    CHECK(property(report, "stepping").verdict == Verdict::Broken);
    CHECK(property(report, "answers").verdict == Verdict::Held);
    CHECK(property(report, "replay").verdict == Verdict::Held);
    fs::remove(counting);
}

TEST_CASE("A copied machine with a Lua policy runs on exactly as the original (clone replays the policy)", "[lua]")
{
    for (std::string name : { "fcfs", "rr", "sjf", "priority", "lottery", "mlfq" }) {
        for (int cores : { 1, 3 }) {
            INFO(name << " on " << cores << " cores");
            Setup setup { .cores = cores, .seed = 5 };
            if (name == "priority")
                setup.settings = { { "aging", "2" } };
            if (name == "mlfq")
                setup.settings = { { "boost", "9" } };
            auto program = pinned_workload(cores, 4);
            auto made = make_scheduler(policy(name), options_for(setup));
            REQUIRE(std::holds_alternative<SchedulerChoice>(made));
            auto machine = std::make_unique<Machine>(machine_for(setup), program,
                std::move(std::get<SchedulerChoice>(made).scheduler), "test", "test");
            for (int boundary = 0; boundary < 25; ++boundary)
                REQUIRE(machine->advance());
            Machine copy(*machine);
            while (machine->advance()) { }
            while (copy.advance()) { }
            auto original = machine->take_trace();
            CHECK(original.outcome == Outcome::Finished);
            CHECK(same_run(original, copy.take_trace()));
            CHECK(same_run(original, run_policy(policy(name), program, setup)));
        }
    }
}

} // namespace lua_policy_test
