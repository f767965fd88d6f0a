#pragma once

// Every policy is one row in the registry (sched/registry.cpp): a name to select it with
// --scheduler, a one-line summary, the settings it reads (each with its default and meaning),
// a check of their values, and a factory.

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

struct SchedulerChoice {
    std::unique_ptr<Scheduler> scheduler;
    std::string name;
    std::string description;
};

// Builds the named policy, or returns a one-line error (unknown name with a suggestion and
// the list of names; a setting the policy does not read; a bad value).
std::variant<SchedulerChoice, std::string> make_scheduler(std::string_view name, SchedulerOptions const&);

std::span<SchedulerEntry const> all_schedulers();
SchedulerEntry const* find_scheduler(std::string_view name);

// The closest registered name to a mistyped one, if any is close.
std::optional<std::string_view> suggest_scheduler(std::string_view name);

// Levenshtein distance, for "did you mean" suggestions anywhere in ticklab.
std::size_t edit_distance(std::string_view, std::string_view);

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
