#pragma once

#include "engine/per_id.hpp"
#include "sched/scheduler.hpp"
#include "sched/settings.hpp"
#include "sched/timer.hpp"

#include <deque>
#include <string>
#include <variant>
#include <vector>

namespace tl {

// How cores share work: never (off), an idle core steals from a busy one at once (on), or
// the queues are balanced every N ticks.
struct StealConfig {
    enum class Mode : std::uint8_t { Off, Idle, Periodic };
    Mode mode = Mode::Off;
    Tick interval = 0; // for Periodic
    bool from_front = false; // steal-from=front: take the first thread that may move, not the last
};

// Reads `steal` (off, on, or a number of ticks between balancing passes) and `steal-from`
// (front or back; only with stealing on).
std::variant<StealConfig, std::string> read_steal_config(SchedulerOptions const&);
std::string describe(StealConfig const&);

// Per-core dispatch: one run queue per core, round-robin with `quantum` inside each. A thread
// is placed once, when it first becomes ready, on the allowed core with the least work
// (queued plus running; ties go to the lowest core id), and stays there: when it wakes or is
// preempted it goes back to the queue of the core it last ran on. Each core only ever runs
// threads from its own queue, so several cores work truly in parallel, and each core on its
// own switches between its threads (concurrency on each of several cores).
//
// Work stealing moves a thread's home, so it is queued on its new core from then on:
//   steal=on  a core whose own queue has nothing for it steals from the core with the longest
//             queue, among those whose queue would not otherwise be served at once (their
//             core is busy, or it holds two or more); it takes the last thread there that may
//             run on it (the one that would wait longest). Ties: the lowest core id.
//             With steal-from=front it takes the first one instead (OSTEP's multi.py).
//   steal=N   every N ticks the queues are balanced: while the most loaded core (queued plus
//             running) has at least two more than the least loaded one, the last thread of
//             its queue that may run there (the first, with steal-from=front) moves to the
//             back of the least loaded one's.
//             Until the Machine has a timer hook, a balance that falls due is done at the
//             first boundary from then on at which a thread is queued, right after it is.
class PerCoreScheduler final : public Scheduler {
public:
    std::unique_ptr<Scheduler> clone() const override { return std::make_unique<PerCoreScheduler>(*this); }
    PerCoreScheduler(int cores, Tick quantum, StealConfig steal = {}, TimerMode timer = TimerMode::PerDispatch);
    void enqueue(ThreadId, EnqueueReason) override;
    void dequeue(ThreadId) override;
    std::optional<ThreadId> pick_next(CoreId) override;
    ThreadId likely_next(CoreId core) const override
    {
        auto const& queue = m_queues[core];
        return queue.empty() ? no_thread : queue.front();
    }
    std::optional<Tick> slice(ThreadId, CoreId) override { return timer_slice(m_timer, m_quantum, host()); }
    void stopped(ThreadId, CoreId, Tick) override;
    std::vector<ReadyQueue> ready_queues() const override;

    // The core a thread is queued on from now on; no_core until it is placed.
    CoreId home(ThreadId) const;
    // How many threads have moved to another core by stealing or balancing.
    std::int64_t steals() const { return m_steals; }
    // The next balancing pass, if steal=N, and the pass itself: what a Machine timer hook
    // would call (see docs/schedulers.md, "Time-based rules").
    std::optional<Tick> next_wakeup() const override;
    void on_timer() override { balance_if_due(); }

private:
    CoreId home_for(ThreadId) const;
    std::size_t load(CoreId) const;
    std::optional<ThreadId> steal_for(CoreId);
    void balance_if_due();
    void move(ThreadId, CoreId from, CoreId to);
    // The thread a stealing core takes from `queue`: the last (or, steal-from=front, the
    // first) that may run on `core`; no_thread when none may.
    ThreadId stealable(std::deque<ThreadId> const& queue, CoreId core) const;

    PerId<CoreId, std::deque<ThreadId>> m_queues;
    PerId<ThreadId, CoreId> m_home;    // no_core until placed
    PerId<CoreId, ThreadId> m_on_core; // the thread each core was given, until it stopped
    Tick m_quantum;
    StealConfig m_steal;
    TimerMode m_timer;
    Tick m_next_balance = 0;
    std::int64_t m_steals = 0;
};

}
