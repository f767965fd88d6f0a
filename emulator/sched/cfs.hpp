#pragma once

#include "engine/per_id.hpp"
#include "sched/lowest_on_cores.hpp"
#include "sched/ranked.hpp"
#include "sched/settings.hpp"

#include <string>
#include <variant>
#include <vector>

namespace tl {

struct CfsConfig {
    Tick latency = 12;        // the period in which every waiting thread should get a turn
    Tick min_granularity = 2; // the shortest slice, and the lead a newcomer needs to preempt
};

// Reads `latency` and `min-granularity`.
std::variant<CfsConfig, std::string> read_cfs_config(SchedulerOptions const&);

// A fair scheduler in the manner of Linux's CFS (OSTEP ch. 9). Each thread has a virtual
// runtime: the ticks it has run, scaled by 1024 / its weight, the weight coming from its
// priority used as a nice value (Linux's sched_prio_to_weight: nice 0 weighs 1024, nice 5
// weighs 335, nice -5 weighs 3121). A free core runs the ready thread with the lowest virtual
// runtime (ties: the one that became ready first) for a slice of
//     max(min-granularity, latency x its weight / (its weight + the weights of all ready threads)).
// Virtual runtimes are kept in 1/1024 of a tick, so a nice-0 thread gains 1024 per tick.
//
// min_vruntime never decreases; at each enqueue it becomes the lowest virtual runtime among
// ready and running threads if that is higher. A new thread starts at min_vruntime; a thread
// that wakes gets max(its own, min_vruntime - latency / 2), a bounded credit for having slept.
// A thread that arrives or wakes preempts a running one when its virtual runtime is lower by
// more than min-granularity ticks (of a nice-0 thread); the running thread's virtual runtime
// counts the ticks it has run so far.
class CfsScheduler final : public RankedScheduler {
public:
    std::unique_ptr<Scheduler> clone() const override { return std::make_unique<CfsScheduler>(*this); }
    explicit CfsScheduler(CfsConfig config)
        : RankedScheduler(true)
        , m_config(config)
    {
    }

    std::optional<Tick> slice(ThreadId, CoreId) override;

    // In 1/1024 of a tick.
    std::int64_t vruntime(ThreadId) const;
    std::int64_t min_vruntime() const { return m_min_vruntime; }

protected:
    std::int64_t key_on_enqueue(ThreadId, EnqueueReason) override;
    std::int64_t running_key(ThreadId, CoreId) const override;
    std::int64_t preempt_margin() const override { return m_config.min_granularity * 1024; }
    void on_picked(ThreadId, CoreId) override;
    void on_dequeued(ThreadId) override;
    void on_started(ThreadId, CoreId) override;
    void on_stopped(ThreadId, CoreId, Tick ran) override;

private:
    struct Account {
        std::int64_t vruntime = 0;
        std::int64_t weight = 0; // 0: not seen yet
    };
    Account& account(ThreadId);
    std::int64_t scaled(Tick ran, std::int64_t weight) const { return ran * 1024 * 1024 / weight; }

    CfsConfig m_config;
    PerId<ThreadId, Account> m_accounts;
    std::int64_t m_min_vruntime = 0;
    std::int64_t m_ready_weight = 0;       // the sum of the ready threads' weights
    LowestOnCores m_running;               // the running threads' virtual runtimes (constant while they run)
};

}
