#include "sched/sjf.hpp"

#include "sched/registry.hpp"

#include <array>

#include <fmt/format.h>

namespace tl {

std::variant<SjfConfig, std::string> read_sjf_config(std::string_view policy, SchedulerOptions const& options)
{
    static constexpr std::array<std::string_view, 2> choices { "burst", "remaining" };
    SettingsReader reader(policy, options);
    SjfConfig config;
    config.by = reader.choice("by", "burst", choices) == "burst" ? JobLength::Burst : JobLength::Remaining;
    if (reader.error())
        return *reader.error();
    return config;
}

std::string_view describe(SjfConfig const& config) { return config.by == JobLength::Burst ? "next CPU burst" : "compute left"; }

std::int64_t SjfScheduler::length(ThreadId thread) const
{
    auto facts = host().facts(thread);
    return m_config.by == JobLength::Burst ? facts.next_burst : facts.remaining;
}

// Its row in the registry (sched/registry.hpp).
namespace {

SchedulerRegistration const sjf_registration { 30,
    SchedulerEntry {
        "sjf",
        "shortest job first, non-preemptive: the shortest next CPU burst runs until it blocks or ends",
        { by_setting },
        [](SchedulerOptions const& options) {
            return std::make_unique<SjfScheduler>(checked(read_sjf_config("sjf", options)));
        },
        [](SchedulerOptions const& options) {
            auto config = checked(read_sjf_config("sjf", options));
            return fmt::format("shortest job first (by {}), non-preemptive, one global queue", describe(config));
        },
        [](SchedulerOptions const& options) { return error_of(read_sjf_config("sjf", options)); },
    } };

}

}
