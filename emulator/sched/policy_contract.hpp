#pragma once

// The contract every policy keeps (tests/scheduler_test.cpp holds the built-in ones to it),
// checked on a policy written in Lua for `ticklab check-policy`: on a ladder of generated
// workloads, smallest first, each property is held or broken, and a broken one comes with
// the smallest workload that breaks it, written as a program a learner can run.

#include "lang/program.hpp"
#include "sched/settings.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tl {

enum class Verdict : std::uint8_t { Held, Broken, NotClaimed };

struct PropertyResult {
    std::string name;    // "answers", "finishes", "replay", "stepping", "starvation"
    std::string promise; // what holding it means, one line
    Verdict verdict = Verdict::Held;
    int workloads = 0;   // how many workloads it was checked on
    // When broken: what went wrong, the smallest workload that shows it (as program text),
    // and the cores it ran on.
    std::string what {};
    std::string program {};
    std::string jobs {}; // instead of `program`, when the workload is a --jobs list
    int cores = 1;
};

struct ContractReport {
    std::string description; // the policy's own description
    std::vector<PropertyResult> properties;
    bool all_held() const;
};

// Checks the policy file. `options` gives --quantum, --seed and --set (cores come from each
// workload). A policy that cannot be loaded gives its load error.
std::variant<ContractReport, std::string> check_policy_contract(std::string_view path, SchedulerOptions const& options);

}
