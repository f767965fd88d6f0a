#include "sched/registry.hpp"

#include "engine/verify.hpp"
#include "lang/suggest.hpp"
#include "sched/lua_policy.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace tl {

namespace {

// The registered rows, kept sorted by rank and then name as they arrive. A function's static,
// so that it exists before the first registration, whatever order the files initialise in.
struct Rows {
    std::vector<SchedulerEntry> entries;
    std::vector<int> ranks;
};

Rows& rows()
{
    static Rows registered;
    return registered;
}

std::vector<SchedulerEntry> const& registry() { return rows().entries; }

}

SchedulerRegistration::SchedulerRegistration(int rank, SchedulerEntry entry)
{
    auto& [entries, ranks] = rows();
    VERIFY(std::none_of(entries.begin(), entries.end(), [&](SchedulerEntry const& had) { return had.name == entry.name; }));
    std::size_t at = 0;
    while (at < entries.size() && (ranks[at] < rank || (ranks[at] == rank && entries[at].name < entry.name)))
        ++at;
    entries.insert(entries.begin() + static_cast<std::ptrdiff_t>(at), std::move(entry));
    ranks.insert(ranks.begin() + static_cast<std::ptrdiff_t>(at), rank);
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
        // The nearest name, not the whole list: `ticklab schedulers` lists them with their settings.
        return fmt::format("unknown scheduler '{}'{} (see 'ticklab schedulers' for the policies)", name,
            did_you_mean(suggest_scheduler(name)));
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
        std::vector<std::string_view> names;
        for (auto const& option : entry->options) {
            if (is_flag_setting(option.name))
                continue;
            known += fmt::format("{}{}", known.empty() ? "" : ", ", option.name);
            names.push_back(option.name);
        }
        return fmt::format("scheduler '{}' has no setting '{}'{} ({})", entry->name, key, did_you_mean(nearest(key, names)),
            known.empty() ? std::string("it has no --set settings") : "its settings: " + known);
    }
    if (entry->check)
        if (auto error = entry->check(options))
            return *error;
    return SchedulerChoice { entry->make(options), std::string(entry->name), entry->describe(options) };
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
    NearestName search(name);
    for (auto const& entry : registry())
        search.offer(entry.name);
    return search.best();
}

std::string schedulers_listing(bool lua_policies)
{
    // Policy names are ASCII: their width is their length.
    std::size_t width = 0;
    for (auto const& entry : registry())
        width = std::max(width, entry.name.size());
    std::string text;
    for (auto const& entry : registry()) {
        text += fmt::format("{:<{}}  {}\n", entry.name, width, entry.summary);
        for (auto const& setting : entry.options) {
            // --quantum and --seed are flags of their own; the rest go through --set NAME=VALUE.
            auto how = is_flag_setting(setting.name) ? fmt::format("--{}", setting.name)
                                                     : fmt::format("--set {}=", setting.name);
            text += fmt::format("{:<{}}    {:<24} {} (default {})\n", "", width, how, setting.meaning, setting.default_value);
        }
    }
    text += "\nChoose one with --scheduler NAME; try 'ticklab compare' to see two side by side.\n";
    if (lua_policies)
        text += "Or write your own in Lua and give its file: --scheduler mine.lua (docs/writing-a-scheduler.md; "
                "examples in policies/; check it with 'ticklab check-policy mine.lua').\n";
    return text;
}

std::vector<std::string> split_policy_list(std::string_view list)
{
    std::vector<std::string> names;
    if (list == "all") {
        for (auto const& entry : registry())
            names.emplace_back(entry.name);
        return names;
    }
    std::size_t from = 0;
    while (from <= list.size()) {
        auto comma = std::min(list.find(',', from), list.size());
        auto name = list.substr(from, comma - from);
        name.remove_prefix(std::min(name.find_first_not_of(' '), name.size()));
        name.remove_suffix(name.size() - std::min(name.find_last_not_of(' ') + 1, name.size()));
        names.emplace_back(name);
        from = comma + 1;
    }
    return names;
}

std::variant<std::vector<std::string>, std::string> builtin_policy_list(std::string_view list)
{
    std::vector<std::string> names;
    for (auto const& name : split_policy_list(list)) {
        if (name.empty())
            return fmt::format("'{}' has an empty name in its list; separate policies with single commas, e.g. "
                               "fcfs,sjf,rr",
                list);
        if (!find_scheduler(name))
            return fmt::format("unknown scheduler '{}'{} (see 'ticklab schedulers' for the policies)", name,
                did_you_mean(suggest_scheduler(name)));
        if (std::find(names.begin(), names.end(), name) != names.end())
            return fmt::format("'{}' names '{}' twice", list, name);
        names.push_back(name);
    }
    return names;
}

}
