#pragma once

// `ticklab run PROGRAM --scheduler fcfs,sjf,rr` (or `--scheduler all`): the same workload
// under several policies, one row of metrics per policy.

#include "cli/run_command.hpp"

#include <string>

namespace tl {

// True when --scheduler names several policies (a comma-separated list) or `all`.
bool is_policy_list(std::string const& scheduler);

// Runs the program under each policy of settings.scheduler and prints one metrics table
// (format table or summary), or a JSON array (format json). Returns the exit code.
int run_policy_table(RunSettings const&, Prepared const&, Program const&);

}
