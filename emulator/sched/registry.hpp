#pragma once

// Every policy is one row in the registry (sched/registry.cpp): a name to select it with
// --scheduler, a one-line summary, the options it reads, and a factory.

#include "sched/scheduler.hpp"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
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

struct SchedulerEntry {
    std::string_view name;
    std::string_view summary;
    std::vector<std::string_view> options; // e.g. {"quantum"}, shown by `ticklab schedulers`
    std::function<std::unique_ptr<Scheduler>(SchedulerOptions const&)> make;
    std::function<std::string(SchedulerOptions const&)> describe; // "round-robin, quantum 2"
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
