#include "sched/cfs.hpp"

#include "engine/config.hpp"
#include "sched/registry.hpp"
#include "sched/weights.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace tl {

std::variant<CfsConfig, std::string> read_cfs_config(SchedulerOptions const& options)
{
    SettingsReader reader("cfs", options);
    CfsConfig config;
    config.min_granularity = reader.number("min-granularity", config.min_granularity, 1, max_tick_limit);
    config.latency = reader.number("latency", config.latency, 1, max_tick_limit);
    if (!reader.error() && config.latency < config.min_granularity)
        reader.fail(fmt::format("latency ({}) must be at least min-granularity ({})", config.latency,
            config.min_granularity));
    if (reader.error())
        return *reader.error();
    return config;
}

CfsScheduler::Account& CfsScheduler::account(ThreadId thread)
{
    auto& account = m_accounts.grow_to(thread);
    if (account.weight == 0)
        account.weight = weight_of_priority(host().facts(thread).priority);
    return account;
}

std::int64_t CfsScheduler::vruntime(ThreadId thread) const
{
    return m_accounts.contains(thread) ? m_accounts[thread].vruntime : 0;
}

std::int64_t CfsScheduler::key_on_enqueue(ThreadId thread, EnqueueReason reason)
{
    // min_vruntime: the lowest virtual runtime still competing, never going back.
    std::optional<std::int64_t> lowest;
    if (!ready().empty())
        lowest = ready().begin()->key;
    if (auto running = m_running.lowest())
        lowest = std::min(lowest.value_or(*running), *running);
    if (lowest)
        m_min_vruntime = std::max(m_min_vruntime, *lowest);

    auto& self = account(thread);
    switch (reason) {
    case EnqueueReason::Arrived: self.vruntime = m_min_vruntime; break;
    case EnqueueReason::Woke: self.vruntime = std::max(self.vruntime, m_min_vruntime - m_config.latency * 1024 / 2); break;
    case EnqueueReason::Preempted: break;
    }
    m_ready_weight += self.weight;
    return self.vruntime;
}

void CfsScheduler::on_picked(ThreadId thread, CoreId)
{
    m_ready_weight -= account(thread).weight;
}

void CfsScheduler::on_dequeued(ThreadId thread) { m_ready_weight -= account(thread).weight; }

void CfsScheduler::on_started(ThreadId thread, CoreId core) { m_running.set(core, vruntime(thread)); }

void CfsScheduler::on_stopped(ThreadId thread, CoreId core, Tick ran)
{
    m_running.clear(core);
    auto& self = account(thread);
    self.vruntime += scaled(ran, self.weight);
}

std::int64_t CfsScheduler::running_key(ThreadId thread, CoreId core) const
{
    auto const& self = m_accounts[thread];
    // Running threads only compute, so the work since the pick is the clock since then.
    return self.vruntime + scaled(host().worked(core), self.weight);
}

std::optional<Tick> CfsScheduler::slice(ThreadId thread, CoreId)
{
    auto weight = account(thread).weight;
    Tick share = m_config.latency * weight / (weight + m_ready_weight);
    return std::max(m_config.min_granularity, share);
}

// Its row in the registry (sched/registry.hpp).
namespace {

SchedulerRegistration const cfs_registration { 100,
    SchedulerEntry {
        "cfs",
        "a CFS-like fair scheduler: the lowest virtual runtime runs; weights come from priority as nice",
        {
            { "latency", "12", "ticks in which every ready thread should get a turn; slices are shares of it" },
            { "min-granularity", "2", "the shortest slice, and the lead a newcomer needs to preempt" },
        },
        [](SchedulerOptions const& options) { return std::make_unique<CfsScheduler>(checked(read_cfs_config(options))); },
        [](SchedulerOptions const& options) {
            auto config = checked(read_cfs_config(options));
            return fmt::format("cfs-like fair scheduler, latency {}, min-granularity {}", config.latency,
                config.min_granularity);
        },
        [](SchedulerOptions const& options) { return error_of(read_cfs_config(options)); },
    } };

}

}
