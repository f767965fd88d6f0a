#pragma once

#include "engine/per_id.hpp"
#include "sched/ranked.hpp"
#include "sched/settings.hpp"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace tl {

inline constexpr int max_mlfq_levels = 16;

struct MlfqConfig {
    PerId<int, Tick> quanta;    // per level, top (level 0) first
    PerId<int, Tick> allotment; // per level: ticks a thread may use there before it drops
    std::optional<Tick> boost;   // period of the priority boost; nothing: never
    // OSTEP mlfq.py's conventions (docs/schedulers.md, "Matching OSTEP"):
    bool io_resets = false;        // its -S: a thread that waits keeps its level, its allotment starts again
    bool io_to_front = false;      // its -I: a thread back from a wait goes to the front of its level
    bool preempted_front = false;  // preempted=front: a thread preempted by a higher level keeps the front
                                   // of its level and the rest of its slice (so does one that waits)
    bool boost_lowest_first = false; // boost-order=lowest-first: the levels moved to the top lowest first,
                                     // and the running thread's slice taken away
    int levels() const { return quanta.count(); }
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
// The settings io-resets, io-to-front, preempted=front and boost-order=lowest-first change
// these rules to mlfq.py's (MlfqConfig; docs/schedulers.md, "Matching OSTEP").
class MlfqScheduler final : public RankedScheduler {
public:
    std::unique_ptr<Scheduler> clone() const override { return std::make_unique<MlfqScheduler>(*this); }
    explicit MlfqScheduler(MlfqConfig config);

    std::optional<Tick> slice(ThreadId, CoreId) override;
    // One queue per level, top first, labelled "level 0", "level 1", ...; empty ones too.
    std::vector<ReadyQueue> ready_queues() const override;
    // Its queues are not RankedScheduler's one list: cut down from ready_queues().
    std::vector<ReadyQueue> ready_queue_heads(std::size_t limit) const override { return Scheduler::ready_queue_heads(limit); }

    // The level a thread is on (0 for a thread not seen yet), for tests and learners.
    int level(ThreadId) const;
    // Ticks it has used of its allotment at that level.
    Tick used(ThreadId) const;

    // The next boost, if any: the Machine's timer visits that tick (docs/schedulers.md).
    std::optional<Tick> next_wakeup() const override { return m_next_boost; }

protected:
    std::int64_t key_on_enqueue(ThreadId, EnqueueReason) override;
    // A ready thread's key is key_of(level, band), band 0: at the front of its level, 1: where a
    // lowest-first boost puts it, 2: at the back (the usual place); a running thread's is
    // key_of(level, 0), so only a higher level preempts it (and anyone, at a lowest-first boost
    // that takes its slice away).
    std::int64_t running_key(ThreadId thread, CoreId) const override;
    void advance(Tick now) override;
    void on_stopped(ThreadId, CoreId, Tick ran) override;

private:
    struct Standing {
        int level = 0;
        Tick used = 0;
        Tick slice = 0;          // the slice it was last given
        Tick rest = 0;           // preempted=front: the rest of its slice, given at its next dispatch
        bool front = false;      // queued next at the front of its level
        bool boost_ahead = false; // boost-order=lowest-first: queued next after those the boost put ahead
        bool boosted_off = false; // boost-order=lowest-first: the boost takes its core away
    };
    static std::int64_t key_of(int level, int band) { return std::int64_t(level) * 4 + band; }
    static int level_of_key(std::int64_t key) { return static_cast<int>(key / 4); }
    void boost_lowest_first();
    bool waits(ThreadId) const;
    Standing& standing(ThreadId);

    MlfqConfig m_config;
    PerId<ThreadId, Standing> m_standing;
    std::optional<Tick> m_next_boost;
    std::optional<Tick> m_last_boost;
};

}
