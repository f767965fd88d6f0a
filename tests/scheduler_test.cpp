// The policies: a contract every registered policy keeps, the textbooks' worked examples
// (each naming its source), the behaviours each policy exists to show, and its settings.

#include "engine/machine.hpp"
#include "gen/generator.hpp"
#include "support/workloads.hpp"
#include "sched/cfs.hpp"
#include "sched/mlfq.hpp"
#include "sched/lowest_on_cores.hpp"
#include "sched/per_core.hpp"
#include "sched/prng.hpp"
#include "sched/registry.hpp"
#include "support/run.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <map>
#include <string>
#include <vector>

using namespace tl;
using tl::test::pinned_workload;
using tl::test::unpinned_workload;

// This file's names are its own: the test files are compiled several to a unit (tests/meson.build).
namespace scheduler_test {

namespace {

using Settings = std::map<std::string, std::string, std::less<>>;

using Spec = test::RunSpec;

// Every registered policy's name. A test over all of them takes its policy from
// GENERATE(from_range(policy_names())), so that Catch2 runs it once per policy and a failure
// in one policy (even a REQUIRE) still lets the others run: the report names each policy
// that fails, not only the first.
std::vector<std::string> policy_names()
{
    std::vector<std::string> names;
    for (auto const& entry : all_schedulers())
        names.emplace_back(entry.name);
    return names;
}

std::string make_error(std::string const& scheduler, Settings settings, Tick quantum = 2)
{
    Spec spec { .scheduler = scheduler, .quantum = quantum, .settings = std::move(settings) };
    auto made = make_scheduler(scheduler, test::scheduler_options(spec));
    auto const* error = std::get_if<std::string>(&made);
    return error ? *error : std::string("(no error)");
}

std::string description(std::string const& scheduler, Settings settings, Tick quantum = 2)
{
    Spec spec { .scheduler = scheduler, .quantum = quantum, .settings = std::move(settings) };
    auto made = make_scheduler(scheduler, test::scheduler_options(spec));
    auto const* choice = std::get_if<SchedulerChoice>(&made);
    return choice ? choice->description : std::get<std::string>(made);
}

// Programs built by hand, so the contract suite does not depend on the parser.
struct Op {
    Opcode opcode;
    Tick ticks = 0;
};

ThreadSpec thread(std::string name, std::vector<Op> const& code, std::vector<int> pinned = {})
{
    ThreadSpec spec;
    spec.name = std::move(name);
    spec.pinned = std::move(pinned);
    for (auto const& op : code) {
        Instruction instruction;
        instruction.opcode = op.opcode;
        instruction.ticks = op.ticks;
        if (op.opcode == Opcode::Print)
            instruction.text = "done";
        spec.code.edit().push_back(instruction);
    }
    return spec;
}

ProcessSpec process(std::string name, Tick arrival, int priority, std::vector<ThreadSpec> threads,
    std::uint64_t memory = default_process_memory)
{
    ProcessSpec spec;
    spec.name = std::move(name);
    spec.arrival = arrival;
    spec.priority = priority;
    spec.memory = memory;
    spec.threads = std::move(threads);
    return spec;
}

// Short names for the opcodes, so that programs read like the language.
constexpr auto compute = Opcode::Compute;
constexpr auto io = Opcode::Io;
constexpr auto nap = Opcode::Sleep; // `sleep` would clash with ::sleep
constexpr auto print = Opcode::Print;
constexpr auto exit_op = Opcode::Exit;

// Compute, I/O and sleep, arrivals at different ticks, priorities of both signs, thread names
// shared between processes, and pinned threads (to cores the machine has).
Program mixed_workload(int cores)
{
    std::vector<int> last = { cores - 1 };
    std::vector<int> first_two = cores == 1 ? std::vector<int> { 0 } : std::vector<int> { 0, 1 };
    Program program;
    program.file = "mixed";
    program.processes = {
        process("editor", 0, 1,
            { thread("typing", { { compute, 2 }, { io, 3 }, { compute, 1 }, { io, 2 }, { compute, 2 } }),
                thread("spell", { { compute, 5 }, { nap, 4 }, { compute, 3 } }, first_two) }),
        process("compiler", 1, 3,
            { thread("cc", { { compute, 9 }, { io, 1 }, { compute, 6 } }), thread("ld", { { compute, 4 } }, last) }),
        process("backup", 3, 0,
            { thread("copy", { { io, 2 }, { compute, 3 }, { io, 2 }, { compute, 3 }, { print } }) }),
        process("daemon", 6, -2, { thread("tick", { { nap, 5 }, { compute, 1 }, { nap, 5 }, { compute, 1 } }) }),
        process("late", 12, 25,
            { thread("a", { { compute, 3 } }), thread("b", { { compute, 2 }, { nap, 1 }, { compute, 2 } }, last),
                thread("c", { { compute, 1 } }) }),
        process("same", 12, 5, { thread("a", { { compute, 3 }, { print }, { compute, 1 } }) }),
    };
    return program;
}

// A process ends by `exit` while its siblings run, wait or are being switched in; processes
// wait for memory and are admitted when it is freed.
Program exits_and_memory(int cores)
{
    std::vector<int> first = { 0 };
    Program program;
    program.file = "exits";
    program.processes = {
        process("big", 0, 2,
            { thread("boss", { { compute, 5 }, { exit_op } }), thread("worker", { { compute, 30 } }),
                thread("waiter", { { io, 2 }, { compute, 30 } }), thread("pinned", { { compute, 30 } }, first) },
            600 * 1024),
        process("next", 1, 1, { thread("x", { { compute, 3 }, { nap, 2 }, { compute, 3 } }) }, 600 * 1024),
        process("small", 2, 0, { thread("y", { { compute, 4 } }), thread("z", { { compute, 2 } }) }),
        process("quick", 5, 3, { thread("q", { { compute, 1 }, { exit_op } }), thread("r", { { io, 3 } }) }),
    };
    (void)cores;
    return program;
}

Tick compute_ticks(ThreadInfo const& info)
{
    Tick total = 0;
    for (auto const& instruction : info.code)
        if (instruction.opcode == Opcode::Compute)
            total += instruction.ticks;
    return total;
}

// The contract: no thread lost or duplicated, none on two cores at once, pinning honoured,
// every thread of a finite workload finishes (or is ended by its process's `exit`), every
// tick of compute accounted for, and the ready queues never list a running thread or one
// thread twice.
void check_contract(Trace const& trace)
{
    REQUIRE(trace.outcome == Outcome::Finished);
    auto threads = trace.threads.size();
    struct Interval {
        Tick start;
        Tick end;
        CoreId core;
    };
    std::vector<std::vector<Interval>> by_thread(threads);
    std::vector<Tick> worked(threads, 0);
    for (std::size_t core = 0; core < trace.core_slices.size(); ++core) {
        Tick previous_end = 0;
        for (auto const& slice : trace.core_slices[core]) {
            REQUIRE(slice.start < slice.end);
            REQUIRE(slice.start >= previous_end);
            previous_end = slice.end;
            REQUIRE(slice.thread >= 0);
            REQUIRE(static_cast<std::size_t>(slice.thread) < threads);
            auto& pinned = trace.threads[static_cast<std::size_t>(slice.thread)].pinned;
            INFO("thread " << trace.name(slice.thread) << " on core " << core);
            REQUIRE((pinned.empty() || std::find(pinned.begin(), pinned.end(), static_cast<int>(core)) != pinned.end()));
            by_thread[static_cast<std::size_t>(slice.thread)].push_back(
                { slice.start, slice.end, static_cast<CoreId>(core) });
            if (!slice.switching)
                worked[static_cast<std::size_t>(slice.thread)] += slice.end - slice.start;
        }
    }
    for (std::size_t id = 0; id < threads; ++id) {
        INFO("thread " << trace.threads[id].display_name);
        auto& intervals = by_thread[id];
        std::sort(intervals.begin(), intervals.end(), [](auto const& a, auto const& b) { return a.start < b.start; });
        for (std::size_t i = 1; i < intervals.size(); ++i) {
            INFO("at tick " << intervals[i].start << " on cores " << intervals[i - 1].core << " and " << intervals[i].core);
            REQUIRE(intervals[i].start >= intervals[i - 1].end); // never on two cores at once
        }
        auto const& totals = trace.totals[id];
        if (!totals.killed) {
            REQUIRE(worked[id] == totals.running);
            REQUIRE(totals.finish >= 0);
            REQUIRE(totals.running == compute_ticks(trace.threads[id]));
        }
    }
    // The same, tick by tick across the cores, as a learner reads the table.
    std::vector<std::size_t> cursor(trace.core_slices.size(), 0);
    for (Tick tick = 0; tick < trace.end; ++tick) {
        std::vector<ThreadId> running;
        for (std::size_t core = 0; core < trace.core_slices.size(); ++core) {
            auto const& slices = trace.core_slices[core];
            while (cursor[core] < slices.size() && slices[cursor[core]].end <= tick)
                ++cursor[core];
            if (cursor[core] < slices.size() && slices[cursor[core]].start <= tick)
                running.push_back(slices[cursor[core]].thread);
        }
        std::sort(running.begin(), running.end());
        INFO("at tick " << tick);
        REQUIRE(std::adjacent_find(running.begin(), running.end()) == running.end());
    }
    for (auto const& snapshot : trace.queue_snapshots) {
        std::vector<int> seen(threads, 0);
        for (auto const& queue : snapshot.queues) {
            for (ThreadId id : queue.threads) {
                INFO("thread " << trace.name(id) << " queued at tick " << snapshot.tick);
                REQUIRE(++seen[static_cast<std::size_t>(id)] == 1);
                for (auto const& interval : by_thread[static_cast<std::size_t>(id)])
                    REQUIRE(!(interval.start <= snapshot.tick && snapshot.tick < interval.end));
            }
        }
    }
}

// Extra settings the contract suite also runs each policy with, so that time-based behaviour
// (boost, aging, balancing) is held to the same contract. Policies not named here run with
// their defaults only, which is how a newly registered policy joins the suite.
std::vector<Settings> variants_of(std::string_view scheduler)
{
    std::vector<Settings> variants { {} };
    if (scheduler == "mlfq") {
        variants.push_back({ { "boost", "7" } });
        variants.push_back({ { "levels", "4" }, { "quanta", "1,2,3,5" }, { "allotment", "3,1,4,1" }, { "boost", "11" } });
        variants.push_back({ { "levels", "1" } });
    } else if (scheduler == "priority" || scheduler == "priority-np") {
        variants.push_back({ { "aging", "3" } });
    } else if (scheduler == "per-core") {
        variants.push_back({ { "steal", "on" } });
        variants.push_back({ { "steal", "5" } });
    } else if (scheduler == "cfs") {
        variants.push_back({ { "latency", "5" }, { "min-granularity", "1" } });
    } else if (scheduler == "lottery" || scheduler == "stride") {
        variants.push_back({ { "tickets", "5,300,40" } });
    } else if (scheduler == "sjf" || scheduler == "srtf") {
        variants.push_back({ { "by", "remaining" } });
    }
    return variants;
}

std::string settings_text(Settings const& settings)
{
    std::string text;
    for (auto const& [name, value] : settings)
        text += fmt::format(" {}={}", name, value);
    return text.empty() ? " (defaults)" : text;
}

// Who runs on `core` during tick `tick` ("" when idle or switching).
std::string runs_at(Trace const& trace, CoreId core, Tick tick)
{
    for (auto const& slice : trace.core_slices[static_cast<std::size_t>(core)])
        if (slice.start <= tick && tick < slice.end)
            return slice.switching ? "" : trace.name(slice.thread);
    return "";
}

// The ticks at which a thread was dispatched.
std::vector<Tick> dispatches(Trace const& trace, std::string_view name)
{
    std::vector<Tick> ticks;
    for (auto const& event : trace.events)
        if (event.kind == EventKind::Dispatch && trace.name(event.thread) == name)
            ticks.push_back(event.tick);
    return ticks;
}

Tick ran_before(Trace const& trace, std::string_view name, Tick until)
{
    Tick total = 0;
    for (auto const& slices : trace.core_slices)
        for (auto const& slice : slices)
            if (!slice.switching && trace.name(slice.thread) == name && slice.start < until)
                total += std::min(slice.end, until) - slice.start;
    return total;
}

QueueSnapshot const* snapshot_at(Trace const& trace, Tick tick)
{
    QueueSnapshot const* found = nullptr;
    for (auto const& snapshot : trace.queue_snapshots)
        if (snapshot.tick <= tick)
            found = &snapshot;
    return found;
}

std::string queues_text(Trace const& trace, QueueSnapshot const& snapshot)
{
    std::string text;
    for (auto const& queue : snapshot.queues) {
        text += text.empty() ? "" : "; ";
        text += queue.label + ":";
        for (ThreadId id : queue.threads)
            text += " " + trace.name(id);
    }
    return text;
}

}

// ----------------------------------------------------------------------------------------
// The contract, over every registered policy.

TEST_CASE("Every registered policy keeps the scheduling contract", "[scheduler]")
{
    auto policy = GENERATE(from_range(policy_names()));
    for (auto const& settings : variants_of(policy)) {
        for (int cores : { 1, 3 }) {
            std::vector<std::pair<std::string, Program>> workloads {
                { "mixed", mixed_workload(cores) },
                { "exits", exits_and_memory(cores) },
                { "generated 1", pinned_workload(cores, 1) },
                { "generated 7", pinned_workload(cores, 7) },
                { "silberschatz", tl::test::jobs_or_fail("P1:0:8:3,P2:1:4:1,P3:2:9:4,P4:3:5:2") },
            };
            for (auto const& [name, program] : workloads) {
                for (Tick switch_cost : { Tick(0), Tick(1) }) {
                    INFO(fmt::format("{}{} on {} cores, switch cost {}, workload {}", policy,
                        settings_text(settings), cores, switch_cost, name));
                    Spec spec { .scheduler = policy, .cores = cores, .quantum = 2,
                        .switch_cost = switch_cost, .seed = 42, .settings = settings };
                    auto jumped = test::run(program, spec);
                    check_contract(jumped);

                    auto again = test::run(program, spec);
                    CHECK(same_run(jumped, again)); // same seed, same run

                    spec.step_every_tick = true;
                    auto stepped = test::run(program, spec);
                    CHECK(same_run(jumped, stepped)); // jumping over quiet ticks changes nothing
                }
            }
        }
    }
}

namespace {

// Wraps a registered policy and checks, at every hook, that started() and stopped() bracket
// exactly the time host().running_on(core) names the thread: the promise stride and cfs rely
// on to keep their lowest running key without asking every core.
class HookWatcher final : public Scheduler {
public:
    explicit HookWatcher(std::unique_ptr<Scheduler> inner)
        : m_inner(std::move(inner))
    {
    }

    int started_count = 0;
    int stopped_count = 0;
    int picks = 0;        // pick_next calls that returned a thread
    int hinted_picks = 0; // ... that returned the thread likely_next() named just before

    void enqueue(ThreadId thread, EnqueueReason reason) override
    {
        check_cores();
        m_inner->enqueue(thread, reason);
    }
    void dequeue(ThreadId thread) override
    {
        check_cores();
        m_inner->dequeue(thread);
    }
    std::optional<ThreadId> pick_next(CoreId core) override
    {
        check_cores();
        ThreadId hint = m_inner->likely_next(core);
        auto picked = m_inner->pick_next(core);
        if (picked) {
            ++picks;
            hinted_picks += *picked == hint ? 1 : 0;
        }
        return picked;
    }
    std::optional<Tick> slice(ThreadId thread, CoreId core) override { return m_inner->slice(thread, core); }
    bool should_preempt(CoreId core, ThreadId thread) override
    {
        check_cores();
        return m_inner->should_preempt(core, thread);
    }
    void started(ThreadId thread, CoreId core) override
    {
        attach_once();
        CHECK(running(core) == no_thread);
        m_running[static_cast<std::size_t>(core)] = thread;
        check_cores(); // running_on(core) is already the thread
        ++started_count;
        m_inner->started(thread, core);
    }
    void stopped(ThreadId thread, CoreId core, Tick ran) override
    {
        check_cores(); // running_on(core) is still the thread
        CHECK(running(core) == thread);
        m_running[static_cast<std::size_t>(core)] = no_thread;
        ++stopped_count;
        m_inner->stopped(thread, core, ran);
    }
    std::optional<Tick> next_wakeup() const override { return m_inner->next_wakeup(); }
    void on_timer() override { m_inner->on_timer(); }
    std::vector<ReadyQueue> ready_queues() const override { return m_inner->ready_queues(); }
    // For the Chooser's preview only: the copy's inner policy stays attached to this host.
    std::unique_ptr<Scheduler> clone() const override
    {
        auto copy = std::make_unique<HookWatcher>(m_inner->clone());
        copy->m_running = m_running;
        return copy;
    }

private:
    ThreadId running(CoreId core) const { return m_running[static_cast<std::size_t>(core)]; }
    void attach_once()
    {
        if (m_running.empty()) {
            m_inner->attach(host());
            m_running.assign(static_cast<std::size_t>(host().core_count()), no_thread);
        }
    }
    void check_cores()
    {
        attach_once();
        for (CoreId core = 0; core < host().core_count(); ++core)
            CHECK(host().running_on(core) == running(core));
    }

    std::unique_ptr<Scheduler> m_inner;
    std::vector<ThreadId> m_running;
};

struct Watched {
    Trace trace;
    int started = 0;
    int stopped = 0;
    int picks = 0;
    int hinted_picks = 0;
};

// Runs the program under the spec's policy wrapped in a HookWatcher.
Watched run_watched(Program const& program, Spec const& spec)
{
    HookWatcher const* watching = nullptr;
    auto machine = test::start(program, spec, [&](std::unique_ptr<Scheduler> policy) -> std::unique_ptr<Scheduler> {
        auto watcher = std::make_unique<HookWatcher>(std::move(policy));
        watching = watcher.get();
        return watcher;
    });
    machine->run();
    return { machine->take_trace(), watching->started_count, watching->stopped_count, watching->picks,
        watching->hinted_picks };
}

}

TEST_CASE("started() and stopped() bracket exactly the ticks a thread runs on a core, for every policy", "[scheduler]")
{
    auto policy = GENERATE(from_range(policy_names()));
    for (int cores : { 1, 3 }) {
        for (Tick switch_cost : { Tick(0), Tick(1) }) {
            std::vector<std::pair<std::string, Program>> workloads {
                { "mixed", mixed_workload(cores) },
                { "exits", exits_and_memory(cores) },
                { "generated 7", pinned_workload(cores, 7) },
            };
            for (auto const& [name, program] : workloads) {
                INFO(fmt::format("{} on {} cores, switch cost {}, workload {}", policy, cores, switch_cost, name));
                Spec spec { .scheduler = policy, .cores = cores, .switch_cost = switch_cost, .seed = 42 };
                auto watched = run_watched(program, spec);
                // Every start was matched by a stop (all threads end), and wrapping the
                // policy changed nothing.
                CHECK(watched.started > 0);
                CHECK(watched.started == watched.stopped);
                CHECK(same_run(watched.trace, test::run(program, spec)));
            }
        }
    }
}

TEST_CASE("likely_next(core) names the thread pick_next(core) hands out, for the policies that give the hint", "[scheduler]")
{
    // No pinning: then these policies always take the head of their order, which is what the
    // hint names. (It only steers a prefetch; a wrong hint would cost speed, not results.)
    auto program = unpinned_workload(5);
    for (std::string policy : { "fcfs", "rr", "sjf", "srtf", "mlfq", "stride", "cfs", "fair-share", "per-core" }) {
        for (int cores : { 1, 3 }) {
            INFO(fmt::format("{} on {} cores", policy, cores));
            auto watched = run_watched(program, Spec { .scheduler = policy, .cores = cores, .seed = 42 });
            CHECK(watched.picks >= 24);
            CHECK(watched.hinted_picks == watched.picks);
        }
    }
}

TEST_CASE("LowestOnCores keeps the lowest value held, against a walk over every core", "[scheduler]")
{
    LowestOnCores lowest;
    CHECK_FALSE(lowest.lowest().has_value());
    std::vector<std::optional<std::int64_t>> model(70);
    SchedulerRandom random(3);
    for (int step = 0; step < 5000; ++step) {
        // Cores come in growing: the tree must grow and keep what it holds.
        auto core = static_cast<CoreId>(random.below(step < 100 ? 5 : 70));
        if (random.below(3) == 0) {
            lowest.clear(core);
            model[static_cast<std::size_t>(core)].reset();
        } else {
            auto value = static_cast<std::int64_t>(random.below(1000)) - 500;
            lowest.set(core, value);
            model[static_cast<std::size_t>(core)] = value;
        }
        std::optional<std::int64_t> expected;
        for (auto const& held : model)
            if (held)
                expected = std::min(expected.value_or(*held), *held);
        INFO("step " << step);
        REQUIRE(lowest.lowest() == expected);
    }
}

TEST_CASE("Every registered policy documents itself and builds with its defaults", "[scheduler]")
{
    for (auto const& entry : all_schedulers()) {
        INFO(entry.name);
        CHECK(!entry.summary.empty());
        CHECK(entry.make);
        CHECK(entry.describe);
        for (auto const& setting : entry.options) {
            INFO(setting.name);
            CHECK(!setting.default_value.empty());
            CHECK(!setting.meaning.empty());
        }
        SchedulerOptions options;
        auto made = make_scheduler(entry.name, options);
        REQUIRE(std::holds_alternative<SchedulerChoice>(made));
        CHECK(!std::get<SchedulerChoice>(made).description.empty());
        CHECK(find_scheduler(entry.name) == &entry);
    }
}

// ----------------------------------------------------------------------------------------
// Silberschatz, Operating System Concepts, 10th ed., ch. 5: the worked examples.

TEST_CASE("FCFS: P1 24, P2 3, P3 3 wait 17 on average, and 3 in the order P2, P3, P1 (OSC 10th ed., 5.3.1)",
    "[scheduler]")
{
    auto metrics = compute_metrics(test::run(tl::test::jobs_or_fail("P1:0:24,P2:0:3,P3:0:3"), { .scheduler = "fcfs" }));
    CHECK(tl::test::job(metrics, "P1").waiting == 0);
    CHECK(tl::test::job(metrics, "P2").waiting == 24);
    CHECK(tl::test::job(metrics, "P3").waiting == 27);
    CHECK(metrics.averages.waiting == 17.0);
    auto reordered = compute_metrics(test::run(tl::test::jobs_or_fail("P2:0:3,P3:0:3,P1:0:24"), { .scheduler = "fcfs" }));
    CHECK(reordered.averages.waiting == 3.0);
}

TEST_CASE("SJF: bursts 6, 8, 7, 3 wait 7 on average (OSC 10th ed., 5.3.2)", "[scheduler]")
{
    auto trace = test::run(tl::test::jobs_or_fail("P1:0:6,P2:0:8,P3:0:7,P4:0:3"), { .scheduler = "sjf" });
    CHECK(tl::test::core_timeline(trace, 0) == "P4@0-3 P1@3-9 P3@9-16 P2@16-24");
    auto metrics = compute_metrics(trace);
    CHECK(tl::test::job(metrics, "P1").waiting == 3);
    CHECK(tl::test::job(metrics, "P2").waiting == 16);
    CHECK(tl::test::job(metrics, "P3").waiting == 9);
    CHECK(tl::test::job(metrics, "P4").waiting == 0);
    CHECK(metrics.averages.waiting == 7.0);
}

TEST_CASE("Preemptive SJF: P1 0/8, P2 1/4, P3 2/9, P4 3/5 wait 6.5 on average (OSC 10th ed., 5.3.2)", "[scheduler]")
{
    auto trace = test::run(tl::test::jobs_or_fail("P1:0:8,P2:1:4,P3:2:9,P4:3:5"), { .scheduler = "srtf" });
    CHECK(tl::test::core_timeline(trace, 0) == "P1@0-1 P2@1-5 P4@5-10 P1@10-17 P3@17-26");
    auto metrics = compute_metrics(trace);
    CHECK(tl::test::job(metrics, "P1").waiting == 9);
    CHECK(tl::test::job(metrics, "P2").waiting == 0);
    CHECK(tl::test::job(metrics, "P3").waiting == 15);
    CHECK(tl::test::job(metrics, "P4").waiting == 2);
    CHECK(metrics.averages.waiting == 6.5);
    // The same jobs without preemption: P1 keeps the core it had at tick 0.
    auto plain = test::run(tl::test::jobs_or_fail("P1:0:8,P2:1:4,P3:2:9,P4:3:5"), { .scheduler = "sjf" });
    CHECK(tl::test::core_timeline(plain, 0) == "P1@0-8 P2@8-12 P4@12-17 P3@17-26");
    CHECK(compute_metrics(plain).averages.waiting == 7.75);
}

TEST_CASE("Non-preemptive priority: bursts 10, 1, 2, 1, 5 wait 8.2 on average (OSC 10th ed., 5.3.4)", "[scheduler]")
{
    auto trace = test::run(tl::test::jobs_or_fail("P1:0:10:3,P2:0:1:1,P3:0:2:4,P4:0:1:5,P5:0:5:2"),
        { .scheduler = "priority-np" });
    CHECK(tl::test::core_timeline(trace, 0) == "P2@0-1 P5@1-6 P1@6-16 P3@16-18 P4@18-19");
    auto metrics = compute_metrics(trace);
    CHECK(metrics.averages.waiting == Approx(8.2));
    CHECK(tl::test::job(metrics, "P1").waiting == 6);
    CHECK(tl::test::job(metrics, "P3").waiting == 16);
    CHECK(tl::test::job(metrics, "P4").waiting == 18);
    // All arrive at tick 0, so the preemptive version has nothing to preempt: the same run.
    auto preemptive = test::run(tl::test::jobs_or_fail("P1:0:10:3,P2:0:1:1,P3:0:2:4,P4:0:1:5,P5:0:5:2"),
        { .scheduler = "priority" });
    CHECK(tl::test::core_timeline(preemptive, 0) == tl::test::core_timeline(trace, 0));
}

TEST_CASE("Round-robin with quantum 4: P1 24, P2 3, P3 3 wait 17/3 on average (OSC 10th ed., 5.3.3)", "[scheduler]")
{
    auto trace = test::run(tl::test::jobs_or_fail("P1:0:24,P2:0:3,P3:0:3"), { .scheduler = "rr", .quantum = 4 });
    CHECK(tl::test::core_timeline(trace, 0) == "P1@0-4 P2@4-7 P3@7-10 P1@10-30");
    CHECK(compute_metrics(trace).averages.waiting == Approx(17.0 / 3.0));
}

TEST_CASE("Preemptive priority: a more important arrival takes the core at once", "[scheduler]")
{
    // Worked by hand: P2 (priority 1) arrives at 2 while P1 (priority 3) runs.
    auto jobs = tl::test::jobs_or_fail("P1:0:10:3,P2:2:4:1,P3:3:2:3");
    auto preemptive = test::run(jobs, { .scheduler = "priority" });
    CHECK(tl::test::core_timeline(preemptive, 0) == "P1@0-2 P2@2-6 P1@6-14 P3@14-16");
    auto plain = test::run(jobs, { .scheduler = "priority-np" });
    CHECK(tl::test::core_timeline(plain, 0) == "P1@0-10 P2@10-14 P3@14-16");
}

TEST_CASE("Aging lets a starved low-priority job run (OSC 10th ed., 5.3.4, aging)", "[scheduler]")
{
    // A stream of priority-1 jobs keeps L (priority 4) waiting. With one step per 4 ticks of
    // waiting, L is at 3 by tick 6 and at 1 by tick 12, where it ties H3 and wins by having
    // waited longer.
    auto jobs = tl::test::jobs_or_fail("H1:0:6:1,L:0:3:4,H2:6:6:1,H3:12:6:1,H4:18:6:1");
    auto starved = test::run(jobs, { .scheduler = "priority-np" });
    CHECK(tl::test::core_timeline(starved, 0) == "H1@0-6 H2@6-12 H3@12-18 H4@18-24 L@24-27");
    auto aged = test::run(jobs, { .scheduler = "priority-np", .settings = { { "aging", "4" } } });
    CHECK(tl::test::core_timeline(aged, 0) == "H1@0-6 H2@6-12 L@12-15 H3@15-21 H4@21-27");
    auto const* at_6 = snapshot_at(aged, 6);
    REQUIRE(at_6);
    CHECK(queues_text(aged, *at_6) == "priority 3: L");
    auto const* at_0 = snapshot_at(aged, 0);
    REQUIRE(at_0);
    CHECK(queues_text(aged, *at_0) == "priority 4: L");

    Spec stepped { .scheduler = "priority-np", .step_every_tick = true, .settings = { { "aging", "4" } } };
    CHECK(same_run(aged, test::run(jobs, stepped)));
}

TEST_CASE("Aging preempts on the exact tick the waiting job ages past the running one (timer hook)", "[scheduler]")
{
    // A (priority 3) runs 20 ticks; B (priority 5) waits. With one step per 4 ticks of
    // waiting B is at 4 by tick 4, 3 at tick 8 (a tie does not preempt) and 2 at tick 12,
    // where it preempts A on that very tick, though nothing arrives or wakes then: the
    // policy's timer makes tick 12 a boundary. Worked by hand from the aging rule in
    // docs/schedulers.md.
    auto jobs = tl::test::jobs_or_fail("A:0:20:3,B:0:2:5");
    auto aged = test::run(jobs, { .scheduler = "priority", .settings = { { "aging", "4" } } });
    CHECK(tl::test::core_timeline(aged, 0) == "A@0-12 B@12-14 A@14-22");
    CHECK(aged.end == 22);
    CHECK(aged.context_switches == 2);
    Spec stepped { .scheduler = "priority", .step_every_tick = true, .settings = { { "aging", "4" } } };
    CHECK(same_run(aged, test::run(jobs, stepped)));
    // Without aging B starves until A ends.
    auto plain = test::run(jobs, { .scheduler = "priority" });
    CHECK(tl::test::core_timeline(plain, 0) == "A@0-20 B@20-22");
}

// ----------------------------------------------------------------------------------------
// OSTEP (Arpaci-Dusseau), ch. 8: the multi-level feedback queue.

namespace {

struct LevelRun {
    Trace trace;
    std::map<std::string, std::map<Tick, int>> levels; // thread -> tick -> level after that boundary
};

// Runs under mlfq step by step, reading each thread's level from the policy after every
// boundary.
LevelRun run_mlfq(Program const& program, Settings settings, bool step_every_tick = true)
{
    SchedulerOptions options;
    options.settings = std::move(settings);
    auto config = read_mlfq_config(options);
    REQUIRE(std::holds_alternative<MlfqConfig>(config));
    auto owned = std::make_unique<MlfqScheduler>(std::get<MlfqConfig>(config));
    auto const* mlfq = owned.get();
    MachineConfig machine;
    machine.step_every_tick = step_every_tick;
    Machine run(machine, program, std::move(owned), "mlfq", "mlfq");
    LevelRun result;
    do {
        for (ThreadId id = 0; id < static_cast<ThreadId>(run.trace().threads.size()); ++id)
            result.levels[run.trace().name(id)][run.now()] = mlfq->level(id);
    } while (run.advance());
    result.trace = run.take_trace();
    return result;
}

}

TEST_CASE("MLFQ: a long job sinks one level per allotment, to the bottom (OSTEP 8.2, figure 8.2)", "[scheduler]")
{
    auto program = tl::test::jobs_or_fail("A:0:100");
    auto run = run_mlfq(program, { { "levels", "3" }, { "quanta", "10" } });
    auto const& a = run.levels["A"];
    CHECK(a.at(0) == 0);
    CHECK(a.at(9) == 0);
    CHECK(a.at(10) == 1);
    CHECK(a.at(19) == 1);
    CHECK(a.at(20) == 2);
    CHECK(a.at(99) == 2);
    // Alone, it is never switched out: each slice is renewed without an event.
    CHECK(tl::test::core_timeline(run.trace, 0) == "A@0-100");
    CHECK(dispatches(run.trace, "A") == std::vector<Tick> { 0 });
}

TEST_CASE("MLFQ: a short job arriving later runs at once on top and finishes near the top (OSTEP 8.2, figure 8.3)",
    "[scheduler]")
{
    auto program = tl::test::jobs_or_fail("A:0:200,B:105:20");
    auto run = run_mlfq(program, { { "levels", "3" }, { "quanta", "10" } });
    // B arrives on level 0 above A (level 2 since tick 20) and preempts it (rule 1, rule 3);
    // it uses level 0's allotment, drops to level 1, still above A, and finishes at 125.
    CHECK(tl::test::core_timeline(run.trace, 0) == "A@0-105 B@105-125 A@125-220");
    CHECK(run.levels["A"].at(104) == 2);
    CHECK(run.levels["B"].at(105) == 0);
    CHECK(run.levels["B"].at(115) == 1);
    auto preempted = std::find_if(run.trace.events.begin(), run.trace.events.end(),
        [](Event const& event) { return event.kind == EventKind::Preempt; });
    REQUIRE(preempted != run.trace.events.end());
    CHECK(preempted->tick == 105);
    CHECK(preempted->value == static_cast<std::int64_t>(PreemptCause::Policy));
    auto const* at_105 = snapshot_at(run.trace, 105);
    REQUIRE(at_105);
    CHECK(queues_text(run.trace, *at_105) == "level 0:; level 1:; level 2: A");
    CHECK(same_run(run.trace, run_mlfq(program, { { "levels", "3" }, { "quanta", "10" } }, false).trace));
}

TEST_CASE("MLFQ: the priority boost lifts a starved job back to the top (OSTEP 8.3, figure 8.5)", "[scheduler]")
{
    // A uses level 0's allotment of 40 by tick 40 and drops to level 1. B and C arrive then
    // and share level 0 for 40 ticks each, so without a boost A waits until 120. A boost at
    // tick 50 puts everyone on level 0 in the order they became ready: A (queued at 40) runs.
    auto program = tl::test::jobs_or_fail("A:0:200,B:40:100,C:40:100");
    Settings base { { "levels", "2" }, { "quanta", "5" }, { "allotment", "40,5" } };
    auto starved = run_mlfq(program, base);
    auto waited = dispatches(starved.trace, "A");
    REQUIRE(waited.size() >= 2);
    CHECK(waited[0] == 0);
    CHECK(waited[1] == 120);
    CHECK(starved.levels["A"].at(119) == 1);

    auto boosted_settings = base;
    boosted_settings["boost"] = "50";
    auto boosted = run_mlfq(program, boosted_settings);
    auto a = dispatches(boosted.trace, "A");
    REQUIRE(a.size() >= 2);
    CHECK(a[0] == 0);
    CHECK(a[1] == 50);
    CHECK(boosted.levels["A"].at(49) == 1);
    CHECK(boosted.levels["A"].at(50) == 0);
    CHECK(boosted.levels["B"].at(50) == 0);
    CHECK(same_run(boosted.trace, run_mlfq(program, boosted_settings, false).trace));
}

TEST_CASE("MLFQ: a slice never runs past the allotment left, however the thread gave up the core (OSTEP 8.4, rule 4)",
    "[scheduler]")
{
    // T computes 3, sleeps, computes 5: with quantum 4 and allotment 4 on level 0, its second
    // slice there is 1 tick (4 - 3), then it drops, so gaming by blocking early does not pay.
    Program program;
    program.file = "gaming";
    program.processes = { process("T", 0, 0, { thread("T", { { compute, 3 }, { nap, 1 }, { compute, 5 } }) }) };
    auto run = run_mlfq(program, { { "levels", "2" }, { "quanta", "4,8" }, { "allotment", "4,8" } });
    auto const& t = run.levels["T"];
    CHECK(t.at(3) == 0);
    CHECK(t.at(4) == 0);
    CHECK(t.at(5) == 1);
    std::vector<std::int64_t> granted;
    for (auto const& event : run.trace.events)
        if (event.kind == EventKind::Dispatch)
            granted.push_back(event.value);
    CHECK(granted == std::vector<std::int64_t> { 4, 1 });
}

TEST_CASE("MLFQ settings: levels, per-level quanta and allotments, boost", "[scheduler]")
{
    CHECK(description("mlfq", {}) == "mlfq, 3 levels, quanta 2/4/8, allotment 2/4/8, no boost");
    CHECK(description("mlfq", {}, 3) == "mlfq, 3 levels, quanta 3/6/12, allotment 3/6/12, no boost");
    CHECK(description("mlfq", { { "quanta", "1,2,4,8" } }) == "mlfq, 4 levels, quanta 1/2/4/8, allotment 1/2/4/8, no boost");
    CHECK(description("mlfq", { { "allotment", "10" }, { "boost", "100" } })
        == "mlfq, 3 levels, quanta 2/4/8, allotment 10/10/10, boost every 100 ticks");
    CHECK(description("mlfq", { { "levels", "2" }, { "quanta", "5" } })
        == "mlfq, 2 levels, quanta 5/5, allotment 5/5, no boost");
    CHECK(description("mlfq", { { "levels", "1" } }) == "mlfq, 1 level, quantum 2, no boost");
    CHECK(make_error("mlfq", { { "levels", "0" } }) == "mlfq: levels must be between 1 and 16, not 0");
    CHECK(make_error("mlfq", { { "levels", "17" } }) == "mlfq: levels must be between 1 and 16, not 17");
    CHECK(make_error("mlfq", { { "levels", "three" } })
        == "mlfq: levels must be a whole number between 1 and 16, not 'three'");
    CHECK(make_error("mlfq", { { "levels", "3" }, { "quanta", "2,4" } })
        == "mlfq: quanta lists 2 values but there are 3 levels (give one per level, or one for all)");
    CHECK(make_error("mlfq", { { "quanta", "2,0,8" } })
        == "mlfq: quanta must be whole numbers 1 or more, separated by commas (e.g. quanta=2,4,8), not '2,0,8'");
    CHECK(make_error("mlfq", { { "quanta", "2,4,8" }, { "allotment", "1,2" } })
        == "mlfq: allotment lists 2 values but there are 3 levels (give one per level, or one for all)");
    CHECK(make_error("mlfq", { { "boost", "soon" } }) == "mlfq: boost must be a number of ticks (1 or more) or off, not 'soon'");
    CHECK(description("mlfq", { { "boost", "off" } }) == "mlfq, 3 levels, quanta 2/4/8, allotment 2/4/8, no boost");
}

// ----------------------------------------------------------------------------------------
// OSTEP ch. 9: proportional share.

TEST_CASE("Stride: tickets 100, 50, 250 run A B C C C A C C B, as in OSTEP's figure 9.3", "[scheduler]")
{
    auto jobs = tl::test::jobs_or_fail("A:0:50,B:0:50,C:0:50");
    auto trace = test::run(jobs, { .scheduler = "stride", .quantum = 1, .settings = { { "tickets", "100,50,250" } } });
    std::string order;
    for (Tick tick = 0; tick < 9; ++tick)
        order += runs_at(trace, 0, tick);
    CHECK(order == "ABCCCACCB");
    // Over a long stretch the shares follow the tickets, 2 : 1 : 5.
    CHECK(ran_before(trace, "A", 80) == 20);
    CHECK(ran_before(trace, "B", 80) == 10);
    CHECK(ran_before(trace, "C", 80) == 50);
}

TEST_CASE("Lottery: the same seed replays the same run, and shares follow the tickets (OSTEP 9.2)", "[scheduler]")
{
    auto jobs = tl::test::jobs_or_fail("A:0:1000,B:0:1000");
    Spec spec { .scheduler = "lottery", .quantum = 1, .seed = 7, .settings = { { "tickets", "75,25" } } };
    auto first = test::run(jobs, spec);
    CHECK(same_run(first, test::run(jobs, spec)));
    auto a = ran_before(first, "A", 400);
    CHECK(a + ran_before(first, "B", 400) == 400);
    CHECK(a >= 280); // 300 expected; the draws are seeded, so this never varies
    CHECK(a <= 320);
    spec.seed = 8;
    CHECK(!same_run(first, test::run(jobs, spec)));
    CHECK(description("lottery", { { "tickets", "75,25" } }) == "lottery, quantum 2, tickets 75/25 by process, seed 1");
    CHECK(make_error("lottery", { { "tickets", "75,-1" } })
        == "lottery: tickets must be whole numbers between 1 and 1000000, separated by commas (e.g. tickets=2,4,8), not '75,-1'");
}

TEST_CASE("Lottery and stride give a lone thread the core without drawing", "[scheduler]")
{
    for (std::string scheduler : { "lottery", "stride" }) {
        INFO(scheduler);
        auto trace = test::run(tl::test::jobs_or_fail("A:0:10,B:20:5"), { .scheduler = scheduler });
        CHECK(tl::test::core_timeline(trace, 0) == "A@0-10 B@20-25");
    }
}

TEST_CASE("CFS: weights from nice values divide the CPU, 3121 : 1024 for nice -5 and 0 (OSTEP 9.7)", "[scheduler]")
{
    auto jobs = tl::test::jobs_or_fail("A:0:1000:-5,B:0:1000:0");
    auto trace = test::run(jobs, { .scheduler = "cfs" });
    // Slices share the latency (12) by weight: A gets 12 x 3121 / 4145 = 9 ticks, B the
    // minimum granularity 2 (12 x 1024 / 4145 = 2.96 rounds down to 2).
    CHECK(trace.events.size() > 4);
    std::vector<std::int64_t> first_slices;
    for (auto const& event : trace.events)
        if (event.kind == EventKind::Dispatch && first_slices.size() < 2)
            first_slices.push_back(event.value);
    CHECK(first_slices == std::vector<std::int64_t> { 9, 2 });
    auto a = ran_before(trace, "A", 415);
    CHECK(a >= 305); // 415 x 3121 / 4145 = 312.5
    CHECK(a <= 320);
}

TEST_CASE("CFS: a thread that slept gets the core back quickly when it wakes", "[scheduler]")
{
    Program program;
    program.file = "wakes";
    program.processes = {
        process("hog", 0, 0, { thread("hog", { { compute, 100 } }) }),
        process("shell", 0, 0,
            { thread("shell",
                { { compute, 1 }, { nap, 10 }, { compute, 1 }, { nap, 10 }, { compute, 1 }, { nap, 10 },
                    { compute, 1 } }) }),
    };
    auto trace = test::run(program, { .scheduler = "cfs" });
    auto metrics = compute_metrics(trace);
    // Its virtual runtime stays behind the hog's, so on every wake it preempts the hog.
    CHECK(tl::test::job(metrics, "shell").waiting <= 12); // its first turn waits for the hog's first slice
    auto shell = dispatches(trace, "shell");
    REQUIRE(shell.size() == 4);
    for (std::size_t i = 1; i < shell.size(); ++i)
        CHECK(shell[i] == shell[i - 1] + 11);
    auto fair = test::run(program, { .scheduler = "fcfs" });
    CHECK(tl::test::job(compute_metrics(fair), "shell").finish > 100);
}

TEST_CASE("CFS settings are checked", "[scheduler]")
{
    CHECK(description("cfs", {}) == "cfs-like fair scheduler, latency 12, min-granularity 2");
    CHECK(make_error("cfs", { { "latency", "1" } }) == "cfs: latency (1) must be at least min-granularity (2)");
    CHECK(make_error("cfs", { { "min-granularity", "0" } }) == "cfs: min-granularity must be 1 or more, not 0");
}

// ----------------------------------------------------------------------------------------
// Multi-core: one global queue against a queue per core, stealing, pinning.

TEST_CASE("Per-core queues leave a core idle that work stealing keeps busy", "[scheduler]")
{
    // A and C share core 0 (placed by load: A core 0, B core 1, C core 0); B ends at 2.
    auto jobs = tl::test::jobs_or_fail("A:0:10,B:0:2,C:0:10");
    auto plain = test::run(jobs, { .scheduler = "per-core", .cores = 2 });
    CHECK(tl::test::core_timeline(plain, 1) == "B@0-2");
    CHECK(plain.end == 20);

    // steal=on: at tick 2 core 1 has nothing and takes A, queued behind C on busy core 0.
    auto idle = test::run(jobs, { .scheduler = "per-core", .cores = 2, .settings = { { "steal", "on" } } });
    CHECK(tl::test::core_timeline(idle, 0) == "A@0-2 C@2-12");
    CHECK(tl::test::core_timeline(idle, 1) == "B@0-2 A@2-10");
    CHECK(idle.end == 12);

    // steal=4: the balance due at 4 runs when C's slice ends there and it is queued behind A.
    auto periodic = test::run(jobs, { .scheduler = "per-core", .cores = 2, .settings = { { "steal", "4" } } });
    CHECK(tl::test::core_timeline(periodic, 0) == "A@0-2 C@2-4 A@4-12");
    CHECK(tl::test::core_timeline(periodic, 1) == "B@0-2 C@4-12");

    // The global queue needs no stealing: any idle core takes the front.
    auto global = test::run(jobs, { .scheduler = "rr", .cores = 2 });
    CHECK(global.end == 12);

    CHECK(description("per-core", { { "steal", "on" } })
        == "per-core dispatch, a queue per core, round-robin quantum 2, idle cores steal");
    CHECK(make_error("per-core", { { "steal", "sometimes" } })
        == "per-core: steal must be on, off, or the ticks between balancing passes (1 or more), not 'sometimes'");
}

TEST_CASE("Stealing moves only threads allowed on the thief's core", "[scheduler]")
{
    Program program;
    program.file = "pinned";
    program.processes = { process("p", 0, 0,
        { thread("A", { { compute, 10 } }, { 0 }), thread("B", { { compute, 2 } }), thread("C", { { compute, 10 } }, { 0 }) }) };
    auto trace = test::run(program, { .scheduler = "per-core", .cores = 2, .settings = { { "steal", "on" } } });
    CHECK(tl::test::core_timeline(trace, 1) == "B@0-2");
    CHECK(trace.end == 20);
}

TEST_CASE("Every policy runs a pinned thread only on its cores, even when others are idle", "[scheduler]")
{
    Program program;
    program.file = "pins";
    program.processes = { process("p", 0, 0,
        { thread("A", { { compute, 4 } }, { 2 }), thread("B", { { compute, 4 } }, { 2 }), thread("C", { { compute, 4 } }, { 1, 2 }) }) };
    auto policy = GENERATE(from_range(policy_names()));
    INFO(policy);
    auto trace = test::run(program, { .scheduler = policy, .cores = 3 });
    check_contract(trace);
    CHECK(trace.core_slices[0].empty());
    CHECK(trace.end == 8);
}

TEST_CASE("Preemption on several cores takes the core with the worst running thread, once per newcomer",
    "[scheduler]")
{
    // Core 0 takes the shorter P2 first, core 1 P1. At tick 1 they have 6 and 10 left; P3
    // (1) arrives and preempts P1 only, on core 1.
    auto trace = test::run(tl::test::jobs_or_fail("P1:0:11,P2:0:7,P3:1:1"), { .scheduler = "srtf", .cores = 2 });
    CHECK(tl::test::core_timeline(trace, 0) == "P2@0-7");
    CHECK(tl::test::core_timeline(trace, 1) == "P1@0-1 P3@1-2 P1@2-12");
    int preemptions = 0;
    for (auto const& event : trace.events)
        preemptions += event.kind == EventKind::Preempt ? 1 : 0;
    CHECK(preemptions == 1);
}

// ----------------------------------------------------------------------------------------
// The example of docs/writing-a-scheduler.md.

TEST_CASE("Fair share: a process with one thread gets as much CPU as one with three", "[scheduler]")
{
    Program program;
    program.file = "share";
    program.processes = {
        process("many", 0, 0,
            { thread("m1", { { compute, 6 } }), thread("m2", { { compute, 6 } }), thread("m3", { { compute, 6 } }) }),
        process("one", 0, 0, { thread("solo", { { compute, 6 } }) }),
    };
    auto shared = test::run(program, { .scheduler = "fair-share", .quantum = 1 });
    std::string order;
    for (Tick tick = 0; tick < 8; ++tick)
        order += runs_at(shared, 0, tick) + " ";
    CHECK(order == "m1 solo m2 solo m3 solo m1 solo ");
    CHECK(tl::test::job(compute_metrics(shared), "solo").finish == 12);
    auto round_robin = test::run(program, { .scheduler = "rr", .quantum = 1 });
    CHECK(tl::test::job(compute_metrics(round_robin), "solo").finish == 24);
    auto const* at_1 = snapshot_at(shared, 1);
    REQUIRE(at_1);
    CHECK(queues_text(shared, *at_1) == "process 0: m2 m3 m1");
}

// ----------------------------------------------------------------------------------------
// Settings: every mistake is one line naming what is allowed.

TEST_CASE("Unknown and misplaced settings name the ones the policy reads", "[scheduler]")
{
    CHECK(make_error("fcfs", { { "levels", "3" } }) == "scheduler 'fcfs' has no setting 'levels' (it has no --set settings)");
    CHECK(make_error("mlfq", { { "level", "3" } })
        == "scheduler 'mlfq' has no setting 'level'; did you mean 'levels'? (its settings: levels, quanta, allotment, boost, io-resets, io-to-front, preempted, boost-order)");
    CHECK(make_error("rr", { { "quantum", "3" } }) == "--set quantum: give the quantum with --quantum instead");
    CHECK(make_error("sjf", { { "by", "size" } }) == "sjf: by must be one of burst, remaining, not 'size'");
    CHECK(make_error("priority", { { "aging", "-3" } })
        == "priority: aging must be a number of ticks (1 or more) or off, not '-3'");
    CHECK(make_error("mlfq", {}, 0) == "the quantum must be at least 1 tick, not 0");
    CHECK(make_error("stcf", {}).find("did you mean 'srtf'?") != std::string::npos); // OSTEP's name
    CHECK(suggest_scheduler("roundrobin") == std::optional<std::string_view>("rr"));
    CHECK(suggest_scheduler("mlfg") == std::optional<std::string_view>("mlfq"));
    CHECK(!suggest_scheduler("completely-different"));
    CHECK(make_error("stcf2", {}) == "unknown scheduler 'stcf2' (see 'ticklab schedulers' for the policies)");
}

// Each policy registers itself from its own file; a registration the linker dropped, or one
// out of its rank, would show here. The expected list is read from the policy files
// themselves (each `SchedulerRegistration const NAME { RANK, SchedulerEntry { "name", ...`),
// so a new policy file needs no edit here.
TEST_CASE("Every policy file registers its policy, in rank order", "[scheduler]")
{
    std::regex const registration(R"re(SchedulerRegistration const \w+ \{ (\d+),\s*SchedulerEntry \{\s*"([^"]+)")re");
    std::vector<std::pair<int, std::string>> written;
    for (auto const& file : std::filesystem::directory_iterator(std::filesystem::path(TICKLAB_TEST_SOURCE_DIR) / "emulator/sched")) {
        if (file.path().extension() != ".cpp")
            continue;
        std::ifstream in(file.path());
        std::stringstream text;
        text << in.rdbuf();
        auto const source = text.str();
        for (std::sregex_iterator match(source.begin(), source.end(), registration), end; match != end; ++match)
            written.emplace_back(std::stoi((*match)[1]), (*match)[2]);
    }
    std::sort(written.begin(), written.end());
    std::vector<std::string> expected;
    for (auto const& [rank, name] : written)
        expected.push_back(name);
    std::vector<std::string> names;
    for (auto const& entry : all_schedulers())
        names.emplace_back(entry.name);
    CHECK(expected.size() >= 13); // the policies shipped when this test was written, at least
    CHECK(names == expected);
    // The order the tables of policies start with.
    REQUIRE(names.size() >= 3);
    CHECK(names[0] == "fcfs");
    CHECK(names[1] == "rr");
    CHECK(names[2] == "sjf");
}

// `ticklab schedulers`: every registered policy, its summary and each of its settings, read
// from the registry (a new policy needs no edit here); rr's rows pin the exact layout.
TEST_CASE("ticklab schedulers lists every registered policy with its summary and settings", "[scheduler]")
{
    auto const text = schedulers_listing(true);
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    std::size_t width = 0;
    for (auto const& entry : all_schedulers())
        width = std::max(width, entry.name.size());
    std::size_t at = 0;
    for (auto const& entry : all_schedulers()) {
        INFO(entry.name);
        REQUIRE(at < lines.size());
        // The name, padded to the longest name, then two spaces and the summary.
        CHECK(lines[at] == std::string(entry.name) + std::string(width - entry.name.size() + 2, ' ') + std::string(entry.summary));
        ++at;
        for (auto const& setting : entry.options) {
            INFO(setting.name);
            REQUIRE(at < lines.size());
            auto const& line = lines[at++];
            auto how = is_flag_setting(setting.name) ? "--" + std::string(setting.name) : "--set " + std::string(setting.name) + "=";
            CHECK(line.rfind(std::string(width + 4, ' ') + how, 0) == 0);
            CHECK(line.find(std::string(setting.meaning)) != std::string::npos);
            CHECK(line.ends_with(fmt::format(" (default {})", setting.default_value)));
        }
    }
    // Then a blank line and how to choose one.
    REQUIRE(at + 3 == lines.size());
    CHECK(lines[at] == "");
    CHECK(lines[at + 1] == "Choose one with --scheduler NAME; try 'ticklab compare' to see two side by side.");
    CHECK(lines[at + 2]
        == "Or write your own in Lua and give its file: --scheduler mine.lua (docs/writing-a-scheduler.md; examples in "
           "policies/; check it with 'ticklab check-policy mine.lua').");
    CHECK(schedulers_listing(false).ends_with("side by side.\n"));

    // The exact rows of one policy, so the layout is pinned.
    auto pad = std::string(width - 2, ' ');
    auto indent = std::string(width, ' ');
    CHECK(text.find(fmt::format(
              "\nrr{}  round-robin: one global queue; each thread runs at most a quantum, then goes to the back\n"
              "{}    --quantum                the time slice, in ticks (default 2)\n"
              "{}    --set timer=             per-dispatch: a slice counts from its dispatch; global: every core is "
              "interrupted at multiples of the quantum (default per-dispatch)\n",
              pad, indent, indent))
        != std::string::npos);
}

TEST_CASE("A list of built-in policies: names with commas, or all; an unknown name suggests the nearest", "[scheduler]")
{
    using List = std::variant<std::vector<std::string>, std::string>;
    CHECK(builtin_policy_list("fcfs,sjf, rr") == List { std::vector<std::string> { "fcfs", "sjf", "rr" } });
    CHECK(builtin_policy_list("lottery") == List { std::vector<std::string> { "lottery" } });
    std::vector<std::string> every;
    for (auto const& entry : all_schedulers())
        every.emplace_back(entry.name);
    CHECK(builtin_policy_list("all") == List { every });
    CHECK(builtin_policy_list("fcfs,sfj") == List { std::string("unknown scheduler 'sfj'; did you mean 'sjf'? (see 'ticklab schedulers' for the policies)") });
    CHECK(builtin_policy_list("stcf") == List { std::string("unknown scheduler 'stcf'; did you mean 'srtf'? (see 'ticklab schedulers' for the policies)") });
    CHECK(builtin_policy_list("fcfs,,rr")
        == List { std::string("'fcfs,,rr' has an empty name in its list; separate policies with single commas, e.g. fcfs,sjf,rr") });
    CHECK(builtin_policy_list("") == List { std::string("'' has an empty name in its list; separate policies with single commas, e.g. fcfs,sjf,rr") });
    CHECK(builtin_policy_list("rr,fcfs,rr") == List { std::string("'rr,fcfs,rr' names 'rr' twice") });
    CHECK(builtin_policy_list("mine.lua") == List { std::string("unknown scheduler 'mine.lua' (see 'ticklab schedulers' for the policies)") });
}

TEST_CASE("Descriptions state the rules a run used", "[scheduler]")
{
    CHECK(description("sjf", {}) == "shortest job first (by next CPU burst), non-preemptive, one global queue");
    CHECK(description("srtf", { { "by", "remaining" } })
        == "shortest remaining time first (by compute left), preemptive, one global queue");
    CHECK(description("priority", { { "aging", "5" } })
        == "priority (lower number first), preemptive, aging one step per 5 ticks waiting");
    CHECK(description("priority-np", {}) == "priority (lower number first), non-preemptive, no aging");
    CHECK(description("stride", {}) == "stride, quantum 2, tickets by priority");
    CHECK(description("per-core", { { "steal", "10" } })
        == "per-core dispatch, a queue per core, round-robin quantum 2, queues balanced every 10 ticks");
    CHECK(description("fair-share", {}) == "fair share between processes, quantum 2");
}

TEST_CASE("Time-based policies report when they next need the clock", "[scheduler]")
{
    // What a Machine timer hook would fold into its next boundary (see docs/schedulers.md).
    SchedulerOptions options;
    options.settings = { { "boost", "30" } };
    MlfqScheduler mlfq(std::get<MlfqConfig>(read_mlfq_config(options)));
    CHECK(mlfq.next_wakeup() == std::optional<Tick>(30));
    PerCoreScheduler per_core(2, 2, StealConfig { StealConfig::Mode::Periodic, 8 });
    CHECK(per_core.next_wakeup() == std::optional<Tick>(8));
    PerCoreScheduler plain(2, 2);
    CHECK(!plain.next_wakeup());
}

} // namespace scheduler_test
