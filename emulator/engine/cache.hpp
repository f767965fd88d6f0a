#pragma once

// The cache affinity model (MachineConfig::cache > 0; off by default), after OSTEP's
// multi.py. Each core has a cache of `cache` units. A thread that declares a working set
// (`working-set SIZE`) warms a core's cache by running there: after `cache_warmup` ticks of
// its compute on that core its working set is in that cache, and from the next tick on its
// compute there goes `cache_warm_rate` times as fast (a warm tick does that many ticks of
// `compute`). A cache holds the working sets most recently warmed: when one more no longer
// fits, the one warmed longest ago leaves (and must warm again from the start), until the
// rest fit; a working set larger than the cache pushes out everything, itself included, so
// it is never warm. Moving to another core loses the warmth (that core's cache is cold for
// it); the old core's cache keeps the working set until it is pushed out. Threads without a
// working set are not cached: they always run at the plain rate. Warming counts compute ticks
// only; memory instructions and context switches neither warm a cache nor go faster.
//
// The Machine tells the model when a thread's compute starts running on a core (a segment)
// and when it stops; between the two nothing about the cache changes, because the only thing
// that changes a core's cache is the thread running there finishing its warm-up, and begin()
// names that tick so that the Machine stops there.

#include "engine/config.hpp"
#include "engine/ids.hpp"
#include "engine/per_id.hpp"

#include <cstdint>
#include <vector>

namespace tl {

// What a segment's end changed in a core's cache, for the trace.
struct CacheChange {
    CoreId core = no_core;
    ThreadId thread = no_thread;
    bool warm = false; // true: its working set is now in the cache; false: it was pushed out
};

class CacheModel {
public:
    // `working_sets`: per thread, 0 for a thread the cache ignores.
    CacheModel(MachineConfig const&, std::vector<std::uint64_t> working_sets);

    struct Plan {
        Tick until = 0;    // the tick the Machine must look again (compute done or warm-up done)
        bool warm = false; // the segment runs at the warm rate
    };
    // `thread`'s compute starts running on `core` at `now` with `left` ticks of it to do.
    Plan begin(CoreId core, ThreadId thread, Tick now, Tick left);
    // The compute left of the core's segment at `now` (a tick up to its plan's `until`).
    Tick left_at(CoreId core, Tick now) const
    {
        auto const& segment = m_segments[core];
        Tick left = segment.left - segment.rate * (now - segment.start);
        return left > 0 ? left : 0;
    }
    // The segment stops at `now`: its ticks are counted (warm or cold) and warming goes on.
    // Answers the compute left.
    Tick end(CoreId core, Tick now);
    bool in_segment(CoreId core) const { return m_segments[core].thread != no_thread; }

    // Per thread: ticks its compute ran warm and cold (threads with a working set only).
    PerId<ThreadId, Tick> const& warm_ticks() const { return m_warm_ticks; }
    PerId<ThreadId, Tick> const& cold_ticks() const { return m_cold_ticks; }
    // What changed since the last call, in order; cleared by take_changes().
    std::vector<CacheChange>& changes() { return m_changes; }

private:
    struct Warming {
        ThreadId thread;
        Tick left; // ticks of running on this core before its working set is in the cache
    };
    struct Cache {
        std::vector<ThreadId> contents; // warm working sets, the most recently warmed first
        std::vector<Warming> warming;   // working sets being warmed, in the order they started
    };
    struct Segment {
        ThreadId thread = no_thread;
        Tick start = 0;
        Tick left = 0;
        Tick rate = 1;
    };
    bool warm(Cache const&, ThreadId) const;
    Warming* warming(Cache&, ThreadId);
    void make_warm(CoreId, Cache&, ThreadId);

    std::uint64_t m_size;
    Tick m_rate;
    Tick m_warmup;
    PerId<ThreadId, std::uint64_t> m_working_sets;
    PerId<CoreId, Cache> m_caches;
    PerId<CoreId, Segment> m_segments;
    PerId<ThreadId, Tick> m_warm_ticks;
    PerId<ThreadId, Tick> m_cold_ticks;
    std::vector<CacheChange> m_changes;
};

}
