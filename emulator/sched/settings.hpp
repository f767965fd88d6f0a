#pragma once

// The settings a policy is built from, and the reader that turns `--set NAME=VALUE` text into
// checked values. Every mistake becomes one line that names the policy, the setting, what is
// allowed and what was given ("mlfq: levels must be between 1 and 16, not 0"), because a
// learner who typed it should not need to open the documentation to fix it.

#include "engine/ids.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tl {

// Settings given on the command line (--quantum, --seed, --set NAME=VALUE). Each policy
// reads the ones it documents; make_scheduler rejects a setting the chosen policy does not
// read, naming the ones it does.
struct SchedulerOptions {
    Tick quantum = 2;       // time slice, in ticks, for the policies that slice
    int cores = 1;          // filled from the machine: some policies keep a queue per core
    std::uint64_t seed = 1; // for the policies that draw random numbers
    std::map<std::string, std::string, std::less<>> settings; // --set NAME=VALUE, policy-specific
};

// Adds one `--set NAME=VALUE` to options.settings (a later value of the same name replaces
// an earlier one). The message, "--set 'x' must look like NAME=VALUE", when it has no name
// or no '='.
std::optional<std::string> add_setting(SchedulerOptions& options, std::string_view setting);

// Reads one policy's --set values. The first mistake is kept and every later read returns its
// fallback, so a policy's reading code is straight-line and checks error() once at the end.
class SettingsReader {
public:
    SettingsReader(std::string_view policy, SchedulerOptions const& options)
        : m_policy(policy)
        , m_options(options)
    {
    }

    bool has(std::string_view name) const;

    // A whole number in [min, max].
    std::int64_t number(std::string_view name, std::int64_t fallback, std::int64_t min, std::int64_t max);

    // A number of ticks in [1, max], or `off` (also written 0) for none.
    std::optional<Tick> ticks_or_off(std::string_view name, std::optional<Tick> fallback, Tick max);

    // Comma-separated whole numbers in [min, max], between 1 and max_count of them. Empty when
    // the setting is not given.
    std::vector<std::int64_t> list(std::string_view name, std::int64_t min, std::int64_t max, std::size_t max_count);

    // One word out of `choices`.
    std::string_view choice(std::string_view name, std::string_view fallback, std::span<std::string_view const> choices);

    // Reports a mistake found by the policy itself (two settings that disagree, ...). The
    // message is prefixed with the policy's name.
    void fail(std::string message);

    std::optional<std::string> const& error() const { return m_error; }

private:
    std::optional<std::string_view> text(std::string_view name) const;

    std::string_view m_policy;
    SchedulerOptions const& m_options;
    std::optional<std::string> m_error;
};

// "2/4/8" for a list of ticks, the way descriptions show per-level values.
std::string join_ticks(std::span<Tick const>, std::string_view separator = "/");

}
