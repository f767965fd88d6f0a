#pragma once

#include "engine/per_id.hpp"
#include "sched/ranked.hpp"
#include "sched/settings.hpp"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace tl {

struct PriorityConfig {
    std::optional<Tick> aging; // ticks of waiting per priority step; nothing: no aging
};

// Reads `aging` (ticks, or off).
std::variant<PriorityConfig, std::string> read_priority_config(std::string_view policy, SchedulerOptions const&);

// Priority scheduling (Silberschatz 5.3.4): a free core takes the ready thread with the
// highest priority, that is the lowest number (its process's priority); ties go to the thread
// that became ready first. Non-preemptive (priority-np), the thread runs until it blocks or
// ends; preemptive (priority), a thread that arrives or wakes with a strictly better priority
// than a running thread takes its core.
//
// Aging (optional) cures starvation: for every `aging` ticks a thread has waited in the ready
// queue its priority number drops by one, down to 0 (a thread whose number is already below
// 0 does not age). A running thread keeps the number it was chosen with until it stops, so
// threads aging past each other cannot preempt one another without end; the next time it is
// queued it starts again from its own priority.
class PriorityScheduler final : public RankedScheduler {
public:
    std::unique_ptr<Scheduler> clone() const override { return std::make_unique<PriorityScheduler>(*this); }
    PriorityScheduler(bool preemptive, PriorityConfig config)
        : RankedScheduler(preemptive)
        , m_config(config)
    {
    }

    // One queue per priority in use, best first, labelled "priority N" (the number after aging).
    std::vector<ReadyQueue> ready_queues() const override;
    // Its queues are not RankedScheduler's one list: cut down from ready_queues().
    std::vector<ReadyQueue> ready_queue_heads(std::size_t limit) const override { return Scheduler::ready_queue_heads(limit); }

    // The next tick at which a waiting thread's aged priority changes, if any. It is what a
    // Machine timer hook would need to preempt at exactly that tick; see docs/schedulers.md.
    std::optional<Tick> next_wakeup() const override;

protected:
    std::int64_t key_on_enqueue(ThreadId, EnqueueReason) override;
    std::int64_t running_key(ThreadId, CoreId) const override;
    bool keys_change_while_ready() const override { return m_config.aging.has_value(); }
    std::int64_t key_now(Entry const&) const override;
    void on_picked(ThreadId, CoreId) override;

private:
    Tick ready_since(ThreadId thread) const { return m_ready_since[thread]; }
    std::int64_t aged(std::int64_t priority, Tick since) const;

    PriorityConfig m_config;
    PerId<ThreadId, Tick> m_ready_since;         // when it last became ready
    PerId<ThreadId, std::int64_t> m_chosen_with; // its (aged) priority when last picked
};

}
