#include "minimal_rr.hpp"

// The loop a textbook would write: flat arrays, one FIFO ring, a heap of wake-ups, and at each
// boundary a scan of every core. It keeps no events, slices, totals or policy seam: only
// what decides the schedule. The rules are the Machine's phases (engine/machine.cpp) reduced
// to what this kind of program uses:
//   1. cores in id order: a compute instruction that ends moves the thread on (io or sleep
//      block it until now + N; after its last instruction it ends); a slice that ends takes it off;
//   2. processes arriving now, in (arrival, declaration) order, queue their threads in order;
//   3. threads whose io or sleep ends now queue, by wake tick and then by who blocked first;
//   4. threads whose slice ended, in core id order, queue behind them;
//   6. idle cores in id order take the front of the queue; a thread that lands at an io or
//      sleep blocks at once, and one past its last instruction ends, freeing the core again.
// Phase 5 (preemption) and 7 (the bus) do nothing for round-robin on such a program.

#include <algorithm>
#include <limits>
#include <numeric>
#include <queue>

namespace bench {

namespace {

using tl::Tick;

enum class Kind : std::uint8_t { Compute, Block };

struct Step {
    Tick ticks;
    Kind kind;
};

struct Thread {
    Step const* code;
    std::uint32_t size;
    std::uint32_t pc;
    Tick left;      // ticks left in the compute instruction at pc
    int last_core;
};

struct Core {
    int thread = -1;
    int last = -1;
    Tick compute_end = 0;
    Tick slice_end = 0;
};

struct Wakeup {
    Tick at;
    std::uint64_t sequence;
    int thread;
    bool operator>(Wakeup const& other) const
    {
        return at != other.at ? at > other.at : sequence > other.sequence;
    }
};

}

std::string minimal_rr_unsupported(tl::Program const& program)
{
    for (auto const& process : program.processes) {
        if (process.gil)
            return "process '" + process.name + "' has a GIL";
        if (process.working_set != 0)
            return "process '" + process.name + "' has a working set";
        for (auto const& thread : process.threads) {
            if (thread.spawned || !thread.pinned.empty() || thread.working_set != 0)
                return "thread '" + thread.name + "' is spawned, pinned or has a working set";
            for (auto const& instruction : thread.code) {
                bool kind = instruction.opcode == tl::Opcode::Compute || instruction.opcode == tl::Opcode::Io
                    || instruction.opcode == tl::Opcode::Sleep;
                if (!kind || instruction.ticks < 1)
                    return "thread '" + thread.name + "' has an instruction other than compute, io or sleep of 1 tick or more";
            }
        }
    }
    return "";
}

MinimalRun minimal_rr(tl::Program const& program, int cores, Tick quantum)
{
    constexpr Tick never = std::numeric_limits<Tick>::max();
    std::vector<Step> steps;
    std::vector<std::size_t> first_step;
    std::vector<int> by_arrival(program.processes.size());
    std::vector<int> first_thread;
    for (auto const& process : program.processes) {
        first_thread.push_back(static_cast<int>(first_step.size()));
        for (auto const& thread : process.threads) {
            first_step.push_back(steps.size());
            for (auto const& instruction : thread.code)
                steps.push_back({ instruction.ticks,
                    instruction.opcode == tl::Opcode::Compute ? Kind::Compute : Kind::Block });
        }
    }
    first_thread.push_back(static_cast<int>(first_step.size()));
    std::vector<Thread> threads;
    threads.reserve(first_step.size());
    for (std::size_t t = 0; t < first_step.size(); ++t) {
        auto end = t + 1 < first_step.size() ? first_step[t + 1] : steps.size();
        threads.push_back({ steps.data() + first_step[t], static_cast<std::uint32_t>(end - first_step[t]), 0,
            steps[first_step[t]].kind == Kind::Compute ? steps[first_step[t]].ticks : 0, -1 });
    }
    std::iota(by_arrival.begin(), by_arrival.end(), 0);
    std::stable_sort(by_arrival.begin(), by_arrival.end(), [&](int a, int b) {
        return program.processes[static_cast<std::size_t>(a)].arrival
            < program.processes[static_cast<std::size_t>(b)].arrival;
    });

    MinimalRun run;
    run.finish.assign(threads.size(), -1);
    // The ready queue: a ring, since a thread is in it at most once.
    std::vector<int> ring(threads.size() + 1);
    std::size_t head = 0, tail = 0;
    auto push = [&](int id) {
        ring[tail] = id;
        tail = tail + 1 == ring.size() ? 0 : tail + 1;
    };
    auto pop = [&] {
        int id = ring[head];
        head = head + 1 == ring.size() ? 0 : head + 1;
        return id;
    };
    std::priority_queue<Wakeup, std::vector<Wakeup>, std::greater<>> wakeups;
    std::uint64_t sequence = 0;
    std::vector<Core> core(static_cast<std::size_t>(cores));
    std::vector<int> slice_ended;
    std::size_t next_arrival = 0;
    std::size_t left_to_finish = threads.size();

    // The thread moves past the instruction it finished (a compute, or the io or sleep it woke from).
    auto next_instruction = [&](Thread& thread) {
        ++thread.pc;
        if (thread.pc < thread.size && thread.code[thread.pc].kind == Kind::Compute)
            thread.left = thread.code[thread.pc].ticks;
    };
    // The thread is on a core at `now`: true if it computes there; else it blocked or ended.
    auto settle = [&](int id, Tick now) {
        auto& thread = threads[static_cast<std::size_t>(id)];
        if (thread.pc == thread.size) {
            run.finish[static_cast<std::size_t>(id)] = now;
            run.end = now;
            --left_to_finish;
            return false;
        }
        if (thread.code[thread.pc].kind == Kind::Compute)
            return true;
        wakeups.push({ now + thread.code[thread.pc].ticks, sequence++, id });
        return false;
    };

    Tick now = 0;
    while (left_to_finish > 0) {
        // 1. Retire.
        slice_ended.clear();
        for (int c = 0; c < cores; ++c) {
            auto& here = core[static_cast<std::size_t>(c)];
            if (here.thread < 0)
                continue;
            auto& thread = threads[static_cast<std::size_t>(here.thread)];
            if (here.compute_end == now) {
                next_instruction(thread);
                if (!settle(here.thread, now)) {
                    here.thread = -1;
                    continue;
                }
                here.compute_end = now + thread.left;
            }
            if (here.slice_end == now) {
                thread.left = here.compute_end - now;
                slice_ended.push_back(here.thread);
                here.thread = -1;
            }
        }
        // 2. Arrivals.
        while (next_arrival < by_arrival.size()
            && program.processes[static_cast<std::size_t>(by_arrival[next_arrival])].arrival == now) {
            int p = by_arrival[next_arrival++];
            for (int id = first_thread[static_cast<std::size_t>(p)]; id < first_thread[static_cast<std::size_t>(p) + 1]; ++id)
                push(id);
        }
        // 3. Wake-ups.
        while (!wakeups.empty() && wakeups.top().at == now) {
            int id = wakeups.top().thread;
            wakeups.pop();
            next_instruction(threads[static_cast<std::size_t>(id)]);
            push(id);
        }
        // 4. Slices that ended.
        for (int id : slice_ended)
            push(id);
        // 6. Dispatch.
        for (int c = 0; c < cores && head != tail; ++c) {
            auto& here = core[static_cast<std::size_t>(c)];
            while (here.thread < 0 && head != tail) {
                int id = pop();
                auto& thread = threads[static_cast<std::size_t>(id)];
                if (here.last >= 0 && here.last != id)
                    ++run.context_switches;
                here.last = id;
                if (thread.last_core >= 0 && thread.last_core != c)
                    ++run.migrations;
                thread.last_core = c;
                if (settle(id, now)) {
                    here.thread = id;
                    here.compute_end = now + thread.left;
                    here.slice_end = now + quantum;
                }
            }
        }
        // The next boundary.
        Tick next = never;
        for (auto const& here : core)
            if (here.thread >= 0)
                next = std::min({ next, here.compute_end, here.slice_end });
        if (next_arrival < by_arrival.size())
            next = std::min(next, program.processes[static_cast<std::size_t>(by_arrival[next_arrival])].arrival);
        if (!wakeups.empty())
            next = std::min(next, wakeups.top().at);
        if (next == never)
            break; // nothing left to happen (cannot be, with threads left: they are all somewhere)
        now = next;
    }
    return run;
}

}
