// The streamed parallelism of a run (ParallelismMeter, trace/stream.hpp): the same figures as
// measure_parallelism computes from a whole trace, counted as the run goes.
#include "trace/stream.hpp"

#include "trace/state_events.hpp"

#include <algorithm>

namespace tl {

ParallelismMeter::ParallelismMeter(Trace const& trace)
    : m_trace(trace)
    , m_states(trace.threads.size(), ThreadState::New)
{
}

// Closes the span from m_now to `tick` with the counts that held over it.
void ParallelismMeter::advance_to(Tick tick)
{
    if (tick <= m_now)
        return;
    auto length = static_cast<double>(tick - m_now);
    int wanting = m_running + m_stalled + m_ready + m_switching;
    m_alive += static_cast<double>(wanting) * length;
    m_work += static_cast<double>(m_running) * length;
    m_stall += static_cast<double>(m_stalled) * length;
    m_peak_concurrency = std::max(m_peak_concurrency, wanting);
    m_peak_parallelism = std::max(m_peak_parallelism, m_running);
    m_now = tick;
}

void ParallelismMeter::set(ThreadId id, ThreadState state)
{
    if (!m_states.contains(id))
        return;
    auto& old = m_states[id];
    m_ready += (state == ThreadState::Ready) - (old == ThreadState::Ready);
    old = state;
}

// As count_spans (gantt.cpp) reads the events.
void ParallelismMeter::event(Event const& event)
{
    advance_to(event.tick);
    apply_thread_state(m_trace, event, [this](ThreadId id, ThreadState state) { set(id, state); });
}

void ParallelismMeter::slice_begins(CoreId, Slice const& slice)
{
    advance_to(slice.start);
    if (slice.switching)
        ++m_switching;
    else if (slice.stalled)
        ++m_stalled;
    else
        ++m_running;
}

void ParallelismMeter::slice(CoreId, Slice const& slice)
{
    advance_to(slice.end);
    if (slice.switching)
        --m_switching;
    else if (slice.stalled)
        --m_stalled;
    else
        --m_running;
}

Parallelism ParallelismMeter::finish(Tick end)
{
    Parallelism result;
    if (end <= 0)
        return result;
    advance_to(end);
    result.concurrency = m_alive / static_cast<double>(end);
    result.parallelism = m_work / static_cast<double>(end);
    result.stalled = m_stall / static_cast<double>(end);
    result.peak_concurrency = m_peak_concurrency;
    result.peak_parallelism = m_peak_parallelism;
    return result;
}

} // namespace tl
