#pragma once

// `ticklab check-policy FILE.lua`: the contract of sched/policy_contract.hpp, printed for a
// learner: each property held or broken, a broken one with the smallest workload that shows
// it. Exit 0 when every property holds, 1 when one is broken, 3 when the file cannot be loaded.

#include <cstdint>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace tl {

struct CheckPolicySettings {
    std::string file;
    std::int64_t quantum = 2;
    std::uint64_t seed = 1;
    std::vector<std::string> settings; // NAME=VALUE
};

void add_check_policy_options(CLI::App&, CheckPolicySettings&);
int check_policy_command(CheckPolicySettings const&);

}
