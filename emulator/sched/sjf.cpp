#include "sched/sjf.hpp"

#include <array>

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

std::int64_t SjfScheduler::length(ThreadId thread) const
{
    auto facts = host().facts(thread);
    return m_config.by == JobLength::Burst ? facts.next_burst : facts.remaining;
}

}
