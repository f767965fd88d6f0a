#pragma once

// The shared machinery of the policies that always run the best-ranked ready thread: sjf,
// srtf, priority, mlfq, stride and cfs. Each gives a ready thread a key (its next burst, its
// priority, its level, its pass, its virtual runtime); the lowest key runs first, and among
// equal keys the thread that became ready first (FIFO). A policy says how keys are made and
// whether it preempts; this class keeps the ready set, honours pinning, and decides which
// cores to take back when something better becomes ready.
//
// Three rules keep a run that jumps over quiet ticks identical to one that steps every tick:
//   - State changes only in hooks the Machine calls at the same boundaries in both runs:
//     enqueue, dequeue, stopped, should_preempt, and a pick_next that returns a thread. A
//     pick_next that finds nothing changes nothing (stepping calls it at every quiet tick).
//   - Time-based changes (an MLFQ boost, aging) are brought up to date by advance(now) at
//     the start of those hooks, and computed from the clock, not from how often they ran.
//   - ready_queues() shows the state as of the last of those hooks, never as of now.

#include "engine/per_id.hpp"
#include "sched/scheduler.hpp"

#include <compare>
#include <cstdint>
#include <set>
#include <vector>

namespace tl {

class RankedScheduler : public Scheduler {
public:
    void enqueue(ThreadId, EnqueueReason) final;
    void dequeue(ThreadId) final;
    std::optional<ThreadId> pick_next(CoreId) final;
    bool should_preempt(CoreId, ThreadId) final;
    void started(ThreadId thread, CoreId core) final { on_started(thread, core); }
    void stopped(ThreadId, CoreId, Tick ran) final;
    // One queue, best first (label ""). Policies with levels override it.
    std::vector<ReadyQueue> ready_queues() const override;
    // The front of the one ranked list, without copying the rest. A policy that overrides
    // ready_queues (its own queues) overrides this too (the render test checks every policy).
    std::vector<ReadyQueue> ready_queue_heads(std::size_t limit) const override;
    ThreadId likely_next(CoreId) const override { return m_ready.empty() ? no_thread : m_ready.begin()->thread; }

    // The Machine calls it at the tick a policy asked for with next_wakeup(), before
    // should_preempt: time-based rules (aging, boosts) take effect on their exact tick.
    void on_timer() override { catch_up(); }

protected:
    struct Entry {
        std::int64_t key = 0;       // lower runs first
        std::uint64_t sequence = 0; // the order in which threads became ready: ties go to the earlier
        ThreadId thread = no_thread;
        auto operator<=>(Entry const&) const = default;
    };

    // A copy's slots point into its own ready set (for clone()).
    RankedScheduler(RankedScheduler const& other)
        : Scheduler(other)
        , m_preemptive(other.m_preemptive)
        , m_ready(other.m_ready)
        , m_slots(other.m_slots)
        , m_on_core(other.m_on_core)
        , m_sequence(other.m_sequence)
        , m_view_tick(other.m_view_tick)
        , m_plan_tick(other.m_plan_tick)
        , m_plan(other.m_plan)
    {
        for (auto it = m_ready.begin(); it != m_ready.end(); ++it)
            m_slots[it->thread].where = it;
    }
    RankedScheduler& operator=(RankedScheduler const&) = delete;

    explicit RankedScheduler(bool preemptive)
        : m_preemptive(preemptive)
    {
    }

    // The key of a thread becoming ready now (after advance()).
    virtual std::int64_t key_on_enqueue(ThreadId, EnqueueReason) = 0;

    // Preemptive policies: the key of the thread running on `core`, as of now. A ready thread
    // takes the core when its key + preempt_margin() is below this.
    virtual std::int64_t running_key(ThreadId, CoreId) const { return 0; }
    virtual std::int64_t preempt_margin() const { return 0; }

    // Policies whose keys change while threads wait (aging) say so, and give the key as of
    // view_tick(); the others keep the key they were queued with.
    virtual bool keys_change_while_ready() const { return false; }
    virtual std::int64_t key_now(Entry const& entry) const { return entry.key; }

    // Brings time-based state up to `now` (see the rules above).
    virtual void advance(Tick) { }
    virtual void on_picked(ThreadId, CoreId) { }
    virtual void on_dequeued(ThreadId) { }
    virtual void on_started(ThreadId, CoreId) { }
    virtual void on_stopped(ThreadId, CoreId, Tick) { }

    // The time of the last hook that could change state: what ready_queues() shows.
    Tick view_tick() const { return m_view_tick; }
    // Ready threads, best first, by key_now().
    std::vector<Entry> ready_in_order() const;
    std::set<Entry> const& ready() const { return m_ready; }
    // The thread this policy last gave `core`, until it stopped; no_thread when idle.
    ThreadId on_core(CoreId) const;
    // Gives a queued thread a new key, keeping its place among equals (an MLFQ boost).
    void rekey(ThreadId, std::int64_t key);
    bool is_ready(ThreadId) const;

private:
    void catch_up();
    std::optional<Entry> best_for(CoreId) const;
    bool any_ready_for(CoreId) const;
    void plan_preemptions();

    bool m_preemptive;
    std::set<Entry> m_ready;
    // Per thread: where its entry is while it is ready, so that taking it out needs no search.
    struct Slot {
        std::set<Entry>::iterator where;
        bool ready = false;
    };
    PerId<ThreadId, Slot> m_slots;
    PerId<CoreId, ThreadId> m_on_core;
    std::uint64_t m_sequence = 0;
    Tick m_view_tick = 0;
    Tick m_plan_tick = -1;        // the boundary m_plan was made at
    PerId<CoreId, char> m_plan;   // preempt it at m_plan_tick
};

}
