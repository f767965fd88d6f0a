#include "engine/cache.hpp"

#include "engine/machine.hpp"
#include "engine/verify.hpp"

#include <algorithm>

namespace tl {

CacheModel::CacheModel(MachineConfig const& config, std::vector<std::uint64_t> working_sets)
    : m_size(config.cache)
    , m_rate(config.cache_warm_rate)
    , m_warmup(config.cache_warmup)
    , m_working_sets(std::move(working_sets))
    , m_caches(config.cores)
    , m_segments(config.cores)
    , m_warm_ticks(m_working_sets.count(), 0)
    , m_cold_ticks(m_working_sets.count(), 0)
{
}

bool CacheModel::warm(Cache const& cache, ThreadId thread) const
{
    return std::find(cache.contents.begin(), cache.contents.end(), thread) != cache.contents.end();
}

CacheModel::Warming* CacheModel::warming(Cache& cache, ThreadId thread)
{
    auto found = std::find_if(cache.warming.begin(), cache.warming.end(),
        [&](Warming const& entry) { return entry.thread == thread; });
    return found == cache.warming.end() ? nullptr : &*found;
}

// multi.py's update_warming and adjust_size: the working set goes in first; while the cache
// holds more than its size, the last one leaves and starts warming again from the start.
void CacheModel::make_warm(CoreId core, Cache& cache, ThreadId thread)
{
    std::erase_if(cache.warming, [&](Warming const& entry) { return entry.thread == thread; });
    cache.contents.insert(cache.contents.begin(), thread);
    std::uint64_t total = 0;
    for (ThreadId held : cache.contents)
        total += m_working_sets[held];
    bool self_fits = true;
    while (total > m_size) {
        ThreadId gone = cache.contents.back();
        cache.contents.pop_back();
        cache.warming.push_back(Warming { gone, m_warmup });
        total -= m_working_sets[gone];
        if (gone == thread)
            self_fits = false;
        else
            m_changes.push_back(CacheChange { core, gone, false });
    }
    if (self_fits)
        m_changes.push_back(CacheChange { core, thread, true });
}

CacheModel::Plan CacheModel::begin(CoreId core, ThreadId thread, Tick now, Tick left)
{
    auto& segment = m_segments[core];
    segment = Segment { thread, now, left, 1 };
    if (m_working_sets[thread] == 0)
        return Plan { now + left, false };
    auto& cache = m_caches[core];
    // multi.py's new_job: a working set neither held nor warming starts warming.
    if (!warm(cache, thread) && !warming(cache, thread)) {
        if (m_warmup == 0)
            make_warm(core, cache, thread);
        else
            cache.warming.push_back(Warming { thread, m_warmup });
    }
    if (warm(cache, thread)) {
        segment.rate = m_rate;
        return Plan { now + (left + m_rate - 1) / m_rate, true };
    }
    auto const* entry = warming(cache, thread);
    VERIFY(entry); // a working set larger than the cache is always warming again
    // A working set pushed out with --cache-warmup 0 waits at 0: like multi.py, it runs one
    // cold tick before it is warm again.
    return Plan { now + std::min(left, std::max<Tick>(entry->left, 1)), false };
}

Tick CacheModel::end(CoreId core, Tick now)
{
    auto& segment = m_segments[core];
    VERIFY(segment.thread != no_thread && now >= segment.start);
    Tick left = left_at(core, now);
    ThreadId thread = segment.thread;
    Tick ran = now - segment.start;
    segment.thread = no_thread;
    if (m_working_sets[thread] == 0)
        return left;
    (segment.rate > 1 ? m_warm_ticks : m_cold_ticks)[thread] += ran;
    auto& cache = m_caches[core];
    if (auto* entry = warming(cache, thread); entry && ran > 0) {
        entry->left = std::max<Tick>(entry->left - ran, 0);
        if (entry->left == 0)
            make_warm(core, cache, thread);
    }
    return left;
}

// The Machine's side (see engine/machine.hpp): the hooks of refresh_touched and sync_left.

Tick Machine::cache_begin(CoreId core_id)
{
    auto& core = m_cores[core_id];
    auto plan = m_cache->begin(core_id, core.thread, m_now, m_threads[core.thread].left);
    emit_cache_changes();
    core.compute_end = plan.until;
    // A slice is warm or cold all along: a thread that just warmed up starts a new one.
    if (core.open.thread != no_thread && !core.open.switching && core.open.warm != plan.warm
        && core.open.start < m_now) {
        close_slice(core_id);
        open_slice(core_id, false);
    }
    if (core.open.thread != no_thread && !core.open.switching)
        core.open.warm = plan.warm;
    return plan.until;
}

void Machine::cache_end(CoreId core_id)
{
    ThreadId id = m_cores[core_id].thread;
    m_threads[id].left = m_cache->end(core_id, m_now);
    m_trace.totals[id].warm = m_cache->warm_ticks()[id];
    m_trace.totals[id].cold = m_cache->cold_ticks()[id];
    emit_cache_changes();
}

void Machine::emit_cache_changes()
{
    for (auto const& change : m_cache->changes())
        emit({ .tick = m_now, .kind = change.warm ? EventKind::CacheWarm : EventKind::CacheEvict, .core = change.core,
            .process = process_of(change.thread), .thread = change.thread });
    m_cache->changes().clear();
}

}
