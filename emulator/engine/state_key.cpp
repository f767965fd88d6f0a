// The machine's state as bytes, for explore (see docs/explore.md, "Identical states").
//
// Two machines with the same key go on identically whatever the schedule, so explore visits
// such a state once. The key holds everything a later tick reads: the clock, every thread's
// place in its code, its memory step and register, every variable, lock and wait, the cores
// and the bus's turn (it depends on the clock). It leaves out what only records the past (the
// trace, the totals) and the policy: under explore every pick comes from the Chooser, and the
// policy only ends a slice after every tick, whatever its state.

#include "engine/machine.hpp"

#include <algorithm>
#include <cstring>

namespace tl {

namespace {

class KeyWriter {
public:
    template <typename T>
    void put(T value)
    {
        static_assert(std::is_trivially_copyable_v<T>);
        char bytes[sizeof(T)];
        std::memcpy(bytes, &value, sizeof(T));
        m_key.append(bytes, sizeof(T));
    }
    template <typename T>
    void put_all(T const& values)
    {
        put(static_cast<std::uint64_t>(values.size()));
        for (auto const& value : values)
            put(value);
    }
    std::string take() { return std::move(m_key); }

private:
    std::string m_key;
};

}

bool Machine::mid_compute(ThreadId id) const
{
    auto const& thread = m_threads[id];
    return thread.pc_ticks != 0 && left_of(id) + 1 < thread.pc_ticks;
}

std::string Machine::state_key() const
{
    KeyWriter key;
    key.put(m_now);
    key.put(m_started);
    key.put(m_ended);
    for (std::size_t t = 0; t < m_threads.size(); ++t) {
        auto const& thread = m_threads[t];
        key.put(thread.pc);
        key.put(left_of(static_cast<ThreadId>(t)));
        key.put(thread.core);
        key.put(thread.last_core);
        key.put(thread.pending_core);
        key.put(thread.wait_generation);
        key.put(thread.state);
        key.put(thread.queued);
        auto const& memory = m_memory[t];
        key.put(memory.reg);
        key.put(memory.step);
        key.put(memory.started);
        key.put_all(m_joiners[t]);
    }
    for (auto const& core : m_cores) {
        key.put(core.thread);
        key.put(core.switching);
        key.put(core.switch_end);
        key.put(core.slice_end);
        key.put(core.pending);
        key.put(core.stepped);
    }
    for (auto const& process : m_processes) {
        key.put(process.arrived);
        key.put(process.admitted);
        key.put(process.done);
        key.put(process.loading);
        key.put(process.live_threads);
        key.put(process.transfers_left);
        key.put_all(process.values);
        key.put_all(process.holders);
        for (auto const& waiters : process.lock_waiters)
            key.put_all(waiters);
    }
    // Wake-ups in the order they will happen (the counter that breaks ties only orders them).
    auto wakeups = m_wakeups;
    key.put(static_cast<std::uint64_t>(wakeups.size()));
    while (!wakeups.empty()) {
        key.put(wakeups.top().at);
        key.put(wakeups.top().thread);
        key.put(wakeups.top().generation);
        wakeups.pop();
    }
    for (auto const& gil : m_gils) {
        key.put(gil.holder);
        key.put_all(gil.waiters);
        key.put(gil.request_at);
        key.put(gil.run_since);
    }
    for (auto const& loop : m_loops) {
        key.put(loop != nullptr);
        if (!loop)
            continue;
        key.put(loop->active);
        key.put(loop->idle);
        key.put(loop->resume_pc);
        key.put(loop->current);
        key.put(loop->main);
        for (auto const& task : loop->tasks) {
            key.put(task.pc);
            key.put_all(task.returns);
            key.put(task.parent);
            key.put(task.waiting);
        }
        key.put_all(loop->ready);
        auto timers = loop->timers;
        while (!timers.empty()) {
            key.put(timers.top().at);
            key.put(timers.top().task);
            timers.pop();
        }
    }
    key.put_all(m_memory_queue);
    key.put(m_next_arrival);
    key.put(m_ram_in_use);
    key.put_all(m_loading);
    key.put(m_device_backlog);
    key.put(m_policy_wakeup.value_or(-1));
    return key.take();
}

}
