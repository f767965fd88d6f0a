#pragma once

// Every policy is one row in the registry: a name to select it with --scheduler, a one-line
// summary, the settings it reads (each with its default and meaning), a check of their values,
// and a factory. The row lives in the policy's own .cpp, which registers it with a static
// SchedulerRegistration; the registry has no list of policies to edit. To add a policy: write
// its file pair under sched/ (with its registration) and add its .cpp to emulator/meson.build.

#include "engine/verify.hpp"
#include "sched/scheduler.hpp"
#include "sched/settings.hpp"

#include <fmt/format.h>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tl {

// One setting a policy reads. `quantum` and `seed` come from --quantum and --seed; every
// other name is given as --set NAME=VALUE.
struct SchedulerSetting {
    std::string_view name;          // "quantum", "levels", "min-granularity"
    std::string_view default_value; // as a learner would read it: "2", "off", "quantum x 2^level"
    std::string_view meaning;       // one line, for `ticklab schedulers`
};

// True for the settings that have their own command-line flag (--quantum, --seed).
bool is_flag_setting(std::string_view name);

struct SchedulerEntry {
    std::string_view name;
    std::string_view summary;
    std::vector<SchedulerSetting> options; // shown by `ticklab schedulers`
    // Builds the policy. The options must have passed `check`.
    std::function<std::unique_ptr<Scheduler>(SchedulerOptions const&)> make;
    std::function<std::string(SchedulerOptions const&)> describe; // "round-robin, quantum 2"
    // The first bad value among the options as one line ("mlfq: levels must be between 1 and
    // 16, not 0"), or nothing. Left empty by policies whose settings cannot be wrong.
    std::function<std::optional<std::string>(SchedulerOptions const&)> check = {};
};

// Registers a policy's row, from a static object in the policy's .cpp:
//     SchedulerRegistration const fcfs_registration { 10, SchedulerEntry { "fcfs", ... } };
// named after the policy: the library is compiled as a unity build (emulator/meson.build),
// where several policies' files share one translation unit and so one anonymous namespace.
// `rank` orders the policies in `ticklab schedulers` and in every table of policies, lowest
// first (then by name), whatever order the files are linked or initialised in. The library is
// linked whole (emulator/meson.build), so no registration is dropped by the linker.
struct SchedulerRegistration {
    SchedulerRegistration(int rank, SchedulerEntry entry);
};

// Settings that several policies read, with the same default and meaning in each.
inline constexpr SchedulerSetting quantum_setting { "quantum", "2", "the time slice, in ticks" };
inline constexpr SchedulerSetting by_setting { "by", "burst",
    "what 'shortest' measures: burst (the rest of the current CPU burst) or remaining (all compute left)" };
inline constexpr SchedulerSetting aging_setting { "aging", "off",
    "ticks of waiting that lower a ready thread's priority number by one (down to 0), or off" };
inline constexpr SchedulerSetting tickets_setting { "tickets", "by priority",
    "tickets per process in declaration order, e.g. 75,25; others hold their priority's weight (0: 1024)" };

// A policy's settings are read once to check them and again to build it; `check` and `make`
// share the reader. make() is only called on options that passed check().
template <typename Config>
Config checked(std::variant<Config, std::string> read)
{
    VERIFY(std::holds_alternative<Config>(read));
    return std::get<Config>(std::move(read));
}

template <typename Config>
std::optional<std::string> error_of(std::variant<Config, std::string> const& read)
{
    if (auto const* error = std::get_if<std::string>(&read))
        return *error;
    return std::nullopt;
}

struct SchedulerChoice {
    std::unique_ptr<Scheduler> scheduler;
    std::string name;
    std::string description;
};

// Builds the named policy, or returns a one-line error (an unknown name with the nearest
// registered one and a pointer to `ticklab schedulers`; a setting the policy does not read; a
// bad value).
std::variant<SchedulerChoice, std::string> make_scheduler(std::string_view name, SchedulerOptions const&);

std::span<SchedulerEntry const> all_schedulers();
SchedulerEntry const* find_scheduler(std::string_view name);

// The closest registered name to a mistyped one, if any is close.
std::optional<std::string_view> suggest_scheduler(std::string_view name);

// What `ticklab schedulers` prints: each policy's name and summary on a line, then a line per
// setting (how to give it, its meaning and default), then how to choose one (and, when Lua
// policies are built in, how to write one's own).
std::string schedulers_listing(bool lua_policies);

// A list of built-in policies as the command line gives it: names separated by commas
// ("fcfs,sjf,rr"), or "all" for every registered one, in registry order. The names, or a
// one-line error: an empty name, a name given twice, or an unknown one (with the nearest
// registered name). `ticklab step --manual --compare-with` and `ticklab lesson --compare-with`.
std::variant<std::vector<std::string>, std::string> builtin_policy_list(std::string_view list);
// The names of a comma-separated list ("fcfs, sjf,rr"), each trimmed of spaces, in order, empty
// ones kept; "all": every built-in policy, in rank order. builtin_policy_list checks them; `run
// --scheduler a,b` takes Lua files too.
std::vector<std::string> split_policy_list(std::string_view list);

}

// A setting prints as its name, so a list of them reads "quantum, levels, boost".
template <>
struct fmt::formatter<tl::SchedulerSetting> : fmt::formatter<std::string_view> {
    template <typename FormatContext>
    auto format(tl::SchedulerSetting const& setting, FormatContext& context) const
    {
        return fmt::formatter<std::string_view>::format(setting.name, context);
    }
};
