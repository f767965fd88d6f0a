#include "sched/registry.hpp"

#include "engine/verify.hpp"
#include "sched/cfs.hpp"
#include "sched/fair_share.hpp"
#include "sched/fcfs.hpp"
#include "sched/lottery.hpp"
#include "sched/lua_policy.hpp"
#include "sched/mlfq.hpp"
#include "sched/per_core.hpp"
#include "sched/priority.hpp"
#include "sched/round_robin.hpp"
#include "sched/sjf.hpp"
#include "sched/srtf.hpp"
#include "sched/stride.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace tl {

namespace {

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

std::string_view length_name(SjfConfig const& config) { return config.by == JobLength::Burst ? "next CPU burst" : "compute left"; }

std::string aging_text(PriorityConfig const& config)
{
    return config.aging ? fmt::format("aging one step per {} ticks waiting", *config.aging) : "no aging";
}

SchedulerSetting const quantum_setting { "quantum", "2", "the time slice, in ticks" };
SchedulerSetting const by_setting { "by", "burst",
    "what 'shortest' measures: burst (the rest of the current CPU burst) or remaining (all compute left)" };
SchedulerSetting const aging_setting { "aging", "off",
    "ticks of waiting that lower a ready thread's priority number by one (down to 0), or off" };
SchedulerSetting const tickets_setting { "tickets", "by priority",
    "tickets per process in declaration order, e.g. 75,25; others hold their priority's weight (0: 1024)" };

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
            { quantum_setting },
            [](SchedulerOptions const& options) { return std::make_unique<RoundRobinScheduler>(options.quantum); },
            [](SchedulerOptions const& options) {
                return fmt::format("round-robin, quantum {}, one global queue", options.quantum);
            },
        },
        {
            "sjf",
            "shortest job first, non-preemptive: the shortest next CPU burst runs until it blocks or ends",
            { by_setting },
            [](SchedulerOptions const& options) {
                return std::make_unique<SjfScheduler>(checked(read_sjf_config("sjf", options)));
            },
            [](SchedulerOptions const& options) {
                auto config = checked(read_sjf_config("sjf", options));
                return fmt::format("shortest job first (by {}), non-preemptive, one global queue", length_name(config));
            },
            [](SchedulerOptions const& options) { return error_of(read_sjf_config("sjf", options)); },
        },
        {
            "srtf",
            "shortest remaining time first (preemptive SJF, OSTEP's STCF): a shorter newcomer preempts",
            { by_setting },
            [](SchedulerOptions const& options) {
                return std::make_unique<SrtfScheduler>(checked(read_sjf_config("srtf", options)));
            },
            [](SchedulerOptions const& options) {
                auto config = checked(read_sjf_config("srtf", options));
                return fmt::format("shortest remaining time first (by {}), preemptive, one global queue",
                    length_name(config));
            },
            [](SchedulerOptions const& options) { return error_of(read_sjf_config("srtf", options)); },
        },
        {
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
        },
        {
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
        },
        {
            "mlfq",
            "multi-level feedback queue (OSTEP ch. 8): threads start on top and sink as they use their allotment",
            {
                { "quantum", "2", "the top level's quantum when quanta is not given; each level below doubles it" },
                { "levels", "3", "how many queues, 1 to 16" },
                { "quanta", "quantum x 2^level", "the quantum of each level, top first, e.g. 2,4,8 (one value: all levels)" },
                { "allotment", "the level's quantum",
                    "ticks a thread may use at a level before it drops, e.g. 4,8,16 (one value: all levels)" },
                { "boost", "off", "every this many ticks all threads go back to the top level, or off" },
            },
            [](SchedulerOptions const& options) { return std::make_unique<MlfqScheduler>(checked(read_mlfq_config(options))); },
            [](SchedulerOptions const& options) { return describe(checked(read_mlfq_config(options))); },
            [](SchedulerOptions const& options) { return error_of(read_mlfq_config(options)); },
        },
        {
            "lottery",
            "lottery: a seeded random draw among the ready threads' tickets picks who runs for a quantum",
            { quantum_setting, { "seed", "1", "the random seed: the same seed replays the same run" },
                tickets_setting },
            [](SchedulerOptions const& options) {
                return std::make_unique<LotteryScheduler>(
                    checked(read_ticket_config("lottery", options)), options.quantum, options.seed);
            },
            [](SchedulerOptions const& options) {
                auto config = checked(read_ticket_config("lottery", options));
                return fmt::format("lottery, quantum {}, {}, seed {}", options.quantum, describe(config), options.seed);
            },
            [](SchedulerOptions const& options) { return error_of(read_ticket_config("lottery", options)); },
        },
        {
            "stride",
            "stride: the ready thread with the lowest pass runs a quantum; its pass grows by 1,000,000 / tickets per tick",
            { quantum_setting, tickets_setting },
            [](SchedulerOptions const& options) {
                return std::make_unique<StrideScheduler>(checked(read_ticket_config("stride", options)), options.quantum);
            },
            [](SchedulerOptions const& options) {
                auto config = checked(read_ticket_config("stride", options));
                return fmt::format("stride, quantum {}, {}", options.quantum, describe(config));
            },
            [](SchedulerOptions const& options) { return error_of(read_ticket_config("stride", options)); },
        },
        {
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
        },
        {
            "per-core",
            "per-core dispatch: a run queue per core, round-robin inside each; threads stay on their core",
            { quantum_setting,
                { "steal", "off", "on: an idle core steals from a busy one; N: balance the queues every N ticks; off" } },
            [](SchedulerOptions const& options) {
                return std::make_unique<PerCoreScheduler>(options.cores, options.quantum, checked(read_steal_config(options)));
            },
            [](SchedulerOptions const& options) {
                auto steal = checked(read_steal_config(options));
                return fmt::format("per-core dispatch, a queue per core, round-robin quantum {}, {}", options.quantum,
                    describe(steal));
            },
            [](SchedulerOptions const& options) { return error_of(read_steal_config(options)); },
        },
        {
            "fair-share",
            "fair share between processes: processes take turns, a quantum each, whatever their thread count",
            { quantum_setting },
            [](SchedulerOptions const& options) { return std::make_unique<FairShareScheduler>(options.quantum); },
            [](SchedulerOptions const& options) {
                return fmt::format("fair share between processes, quantum {}", options.quantum);
            },
        },
    };
    return entries;
}

}

bool is_flag_setting(std::string_view name) { return name == "quantum" || name == "seed"; }

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
    if (is_lua_policy(name) && options.quantum >= 1 && options.quantum <= max_tick_limit)
        return make_lua_scheduler(name, options); // a policy file: docs/writing-a-scheduler.md
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
    if (options.quantum > max_tick_limit)
        return fmt::format("the quantum is too large: at most {} ticks, not {}", max_tick_limit, options.quantum);
    for (auto const& setting_given : options.settings) {
        // Not a structured binding: clang 14 cannot capture those in the lambda below.
        std::string const& key = setting_given.first;
        if (is_flag_setting(key))
            return fmt::format("--set {}: give the {} with --{} instead", key, key, key);
        auto reads = [&](SchedulerSetting const& setting) { return setting.name == key; };
        if (std::find_if(entry->options.begin(), entry->options.end(), reads) != entry->options.end())
            continue;
        std::string known;
        std::optional<std::string_view> close;
        for (auto const& option : entry->options) {
            if (is_flag_setting(option.name))
                continue;
            known += fmt::format("{}{}", known.empty() ? "" : ", ", option.name);
            if (!close && edit_distance(key, option.name) <= 2)
                close = option.name;
        }
        auto hint = close ? fmt::format("; did you mean '{}'?", *close) : std::string();
        return fmt::format("scheduler '{}' has no setting '{}'{} ({})", entry->name, key, hint,
            known.empty() ? std::string("it has no --set settings") : "its settings: " + known);
    }
    if (entry->check)
        if (auto error = entry->check(options))
            return *error;
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
    // Names the textbooks use for policies registered under another name.
    static constexpr std::pair<std::string_view, std::string_view> aliases[] {
        { "stcf", "srtf" }, { "psjf", "srtf" }, { "fifo", "fcfs" }, { "round-robin", "rr" }, { "roundrobin", "rr" },
        { "cfs-like", "cfs" }, { "percore", "per-core" }, { "fair", "fair-share" }, { "fairshare", "fair-share" },
    };
    for (auto const& [alias, registered] : aliases)
        if (alias == name && find_scheduler(registered))
            return registered;
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
