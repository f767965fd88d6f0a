#include "sched/priority.hpp"

#include "engine/config.hpp"
#include "sched/registry.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace tl {

std::variant<PriorityConfig, std::string> read_priority_config(std::string_view policy, SchedulerOptions const& options)
{
    SettingsReader reader(policy, options);
    PriorityConfig config;
    config.aging = reader.ticks_or_off("aging", std::nullopt, max_tick_limit);
    if (reader.error())
        return *reader.error();
    return config;
}

std::int64_t PriorityScheduler::key_on_enqueue(ThreadId thread, EnqueueReason)
{
    m_ready_since.grow_to(thread) = view_tick();
    return host().brief(thread).priority;
}

std::int64_t PriorityScheduler::aged(std::int64_t priority, Tick since) const
{
    if (!m_config.aging)
        return priority;
    auto steps = (view_tick() - since) / *m_config.aging;
    return std::max(std::min<std::int64_t>(priority, 0), priority - steps);
}

std::int64_t PriorityScheduler::key_now(Entry const& entry) const { return aged(entry.key, ready_since(entry.thread)); }

void PriorityScheduler::on_picked(ThreadId thread, CoreId)
{
    m_chosen_with.grow_to(thread) = aged(host().brief(thread).priority, ready_since(thread));
}

std::int64_t PriorityScheduler::running_key(ThreadId thread, CoreId) const
{
    return m_chosen_with[thread];
}

std::optional<Tick> PriorityScheduler::next_wakeup() const
{
    if (!m_config.aging)
        return std::nullopt;
    std::optional<Tick> next;
    for (auto const& entry : ready()) {
        if (key_now(entry) <= std::min<std::int64_t>(entry.key, 0))
            continue; // it has aged as far as it can
        auto since = ready_since(entry.thread);
        auto steps = (view_tick() - since) / *m_config.aging;
        Tick at = since + (steps + 1) * *m_config.aging;
        if (!next || at < *next)
            next = at;
    }
    return next;
}

std::vector<ReadyQueue> PriorityScheduler::ready_queues() const
{
    std::vector<ReadyQueue> queues;
    std::optional<std::int64_t> current;
    for (auto const& entry : ready_in_order()) {
        if (!current || entry.key != *current) {
            current = entry.key;
            queues.push_back(ReadyQueue { fmt::format("priority {}", entry.key), {} });
        }
        queues.back().threads.push_back(entry.thread);
    }
    return queues;
}

// Its row in the registry (sched/registry.hpp).
namespace {

std::string aging_text(PriorityConfig const& config)
{
    return config.aging ? fmt::format("aging one step per {} ticks waiting", *config.aging) : "no aging";
}

SchedulerRegistration const priority_registration { 50,
    SchedulerEntry {
        "priority",
        "preemptive priority: the lowest priority number runs; a better newcomer preempts",
        { aging_setting },
        [](SchedulerOptions const& options) {
            return std::make_unique<PriorityScheduler>(true, checked(read_priority_config("priority", options)));
        },
        [](SchedulerOptions const& options) {
            auto config = checked(read_priority_config("priority", options));
            return fmt::format("priority (lower number first), preemptive, {}", aging_text(config));
        },
        [](SchedulerOptions const& options) { return error_of(read_priority_config("priority", options)); },
    } };

SchedulerRegistration const priority_non_preemptive_registration { 60,
    SchedulerEntry {
        "priority-np",
        "non-preemptive priority: the lowest priority number runs until it blocks or ends",
        { aging_setting },
        [](SchedulerOptions const& options) {
            return std::make_unique<PriorityScheduler>(false, checked(read_priority_config("priority-np", options)));
        },
        [](SchedulerOptions const& options) {
            auto config = checked(read_priority_config("priority-np", options));
            return fmt::format("priority (lower number first), non-preemptive, {}", aging_text(config));
        },
        [](SchedulerOptions const& options) { return error_of(read_priority_config("priority-np", options)); },
    } };

}

}
