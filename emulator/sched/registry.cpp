#include "sched/registry.hpp"

#include "sched/fcfs.hpp"
#include "sched/per_core.hpp"
#include "sched/round_robin.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace tl {

namespace {

// One row per policy. To add a policy: write its file pair under sched/, add a row here and
// its .cpp to emulator/meson.build. Nothing else in the engine changes.
std::vector<SchedulerEntry> const& registry()
{
    static std::vector<SchedulerEntry> const entries {
        {
            "fcfs",
            "first come, first served: one global queue; a thread runs until it blocks or ends",
            {},
            [](SchedulerOptions const&) { return std::make_unique<FcfsScheduler>(); },
            [](SchedulerOptions const&) { return std::string("first come, first served, one global queue"); },
        },
        {
            "rr",
            "round-robin: one global queue; each thread runs at most a quantum, then goes to the back",
            { "quantum" },
            [](SchedulerOptions const& options) { return std::make_unique<RoundRobinScheduler>(options.quantum); },
            [](SchedulerOptions const& options) {
                return fmt::format("round-robin, quantum {}, one global queue", options.quantum);
            },
        },
        {
            "per-core",
            "per-core dispatch: a run queue per core, round-robin inside each; threads stay on their core",
            { "quantum" },
            [](SchedulerOptions const& options) {
                return std::make_unique<PerCoreScheduler>(options.cores, options.quantum);
            },
            [](SchedulerOptions const& options) {
                return fmt::format("per-core dispatch, a queue per core, round-robin quantum {}", options.quantum);
            },
        },
    };
    return entries;
}

}

std::span<SchedulerEntry const> all_schedulers() { return registry(); }

SchedulerEntry const* find_scheduler(std::string_view name)
{
    for (auto const& entry : registry())
        if (entry.name == name)
            return &entry;
    return nullptr;
}

std::variant<SchedulerChoice, std::string> make_scheduler(std::string_view name, SchedulerOptions const& options)
{
    auto const* entry = find_scheduler(name);
    if (!entry) {
        std::string names;
        for (auto const& known : registry())
            names += fmt::format("{}{}", names.empty() ? "" : ", ", known.name);
        if (auto suggestion = suggest_scheduler(name))
            return fmt::format("unknown scheduler '{}'; did you mean '{}'? (choose one of: {})", name, *suggestion, names);
        return fmt::format("unknown scheduler '{}' (choose one of: {})", name, names);
    }
    if (options.quantum < 1)
        return fmt::format("the quantum must be at least 1 tick, not {}", options.quantum);
    for (auto const& [key, value] : options.settings) {
        if (std::find(entry->options.begin(), entry->options.end(), key) == entry->options.end()) {
            std::string known;
            for (auto option : entry->options)
                known += fmt::format("{}{}", known.empty() ? "" : ", ", option);
            return fmt::format("scheduler '{}' has no setting '{}' ({})", entry->name, key,
                known.empty() ? std::string("it has no settings") : "its settings: " + known);
        }
    }
    return SchedulerChoice { entry->make(options), std::string(entry->name), entry->describe(options) };
}

std::size_t edit_distance(std::string_view a, std::string_view b)
{
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t above = row[j];
            row[j] = std::min({ row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1) });
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::optional<std::string_view> suggest_scheduler(std::string_view name)
{
    std::optional<std::string_view> best;
    std::size_t best_distance = 3; // suggest only close names
    for (auto const& entry : registry()) {
        auto distance = edit_distance(name, entry.name);
        if (distance < best_distance) {
            best = entry.name;
            best_distance = distance;
        }
    }
    return best;
}

}
