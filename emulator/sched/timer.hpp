#pragma once

// When a slice ends: the convention of the slicing policies' `timer` setting.
//   per-dispatch (the default)  a slice is `quantum` ticks counted from its dispatch;
//   global                      every core is interrupted at the multiples of the quantum
//                               (OSTEP's multi.py), so a thread dispatched mid-period gets
//                               only the rest of that period as its first slice.

#include "sched/registry.hpp"
#include "sched/settings.hpp"

#include <array>
#include <string>
#include <string_view>
#include <variant>

namespace tl {

enum class TimerMode : std::uint8_t { PerDispatch, Global };

inline constexpr SchedulerSetting timer_setting { "timer", "per-dispatch",
    "per-dispatch: a slice counts from its dispatch; global: every core is interrupted at multiples of the quantum" };

inline std::variant<TimerMode, std::string> read_timer(std::string_view policy, SchedulerOptions const& options)
{
    static constexpr std::array<std::string_view, 2> choices { "per-dispatch", "global" };
    SettingsReader reader(policy, options);
    auto mode = reader.choice("timer", "per-dispatch", choices) == "global" ? TimerMode::Global : TimerMode::PerDispatch;
    if (reader.error())
        return *reader.error();
    return mode;
}

// The slice a thread dispatched now gets. The host is asked the time only under the global
// timer: a per-dispatch slice is one call fewer at every dispatch.
inline Tick timer_slice(TimerMode mode, Tick quantum, SchedulerHost const& host)
{
    return mode == TimerMode::Global ? quantum - host.now() % quantum : quantum;
}

inline std::string_view describe(TimerMode mode)
{
    return mode == TimerMode::Global ? ", global timer (slices end at multiples of the quantum)" : "";
}

}
