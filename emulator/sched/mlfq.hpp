#pragma once

#include "sched/ranked.hpp"
#include "sched/settings.hpp"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace tl {

inline constexpr int max_mlfq_levels = 16;

struct MlfqConfig {
    std::vector<Tick> quanta;    // per level, top (level 0) first
    std::vector<Tick> allotment; // per level: ticks a thread may use there before it drops
    std::optional<Tick> boost;   // period of the priority boost; nothing: never
    int levels() const { return static_cast<int>(quanta.size()); }
};

// Reads `levels`, `quanta`, `allotment` and `boost`; the default quanta come from --quantum.
std::variant<MlfqConfig, std::string> read_mlfq_config(SchedulerOptions const&);
std::string describe(MlfqConfig const&);

// The multi-level feedback queue of OSTEP ch. 8, rule by rule:
//   1. A thread on a higher level (lower number) runs before one on a lower level; one that
//      arrives or wakes on a higher level than a running thread preempts it.
//   2. Threads on the same level take turns (round-robin) with that level's quantum, in the
//      order they became ready.
//   3. A new thread enters at the top, level 0.
//   4. Once a thread has used its allotment at a level, counted across all its slices there
//      however often it gave up the core, it drops one level (the last level keeps it). A
//      slice never runs past the allotment: it is min(quantum, allotment left).
//   5. Every `boost` ticks (at ticks boost, 2 x boost, ...) every thread goes back to level 0
//      with a fresh allotment; queued threads keep the order in which they became ready.
// A thread that was preempted or whose slice ended goes to the back of its level.
class MlfqScheduler final : public RankedScheduler {
public:
    std::unique_ptr<Scheduler> clone() const override { return std::make_unique<MlfqScheduler>(*this); }
    explicit MlfqScheduler(MlfqConfig config);

    std::optional<Tick> slice(ThreadId, CoreId) override;
    // One queue per level, top first, labelled "level 0", "level 1", ...; empty ones too.
    std::vector<ReadyQueue> ready_queues() const override;

    // The level a thread is on (0 for a thread not seen yet), for tests and learners.
    int level(ThreadId) const;
    // Ticks it has used of its allotment at that level.
    Tick used(ThreadId) const;

    // The next boost, if any: the Machine's timer visits that tick (docs/schedulers.md).
    std::optional<Tick> next_wakeup() const override { return m_next_boost; }

protected:
    std::int64_t key_on_enqueue(ThreadId, EnqueueReason) override;
    std::int64_t running_key(ThreadId thread, CoreId) const override { return level(thread); }
    void advance(Tick now) override;
    void on_stopped(ThreadId, CoreId, Tick ran) override;

private:
    struct Standing {
        int level = 0;
        Tick used = 0;
    };
    Standing& standing(ThreadId);

    MlfqConfig m_config;
    std::vector<Standing> m_standing; // per thread
    std::optional<Tick> m_next_boost;
    std::optional<Tick> m_last_boost;
};

}
