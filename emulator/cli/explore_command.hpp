#pragma once

// `ticklab explore PROGRAM`: every schedule of a program, grouped by outcome (see
// docs/explore.md and explore/explore.hpp).

#include "cli/run_command.hpp"

#include <cstdint>

namespace tl {

struct ExploreSettings {
    RunSettings run;
    std::uint64_t max_states = 100'000;
};

void add_explore_options(CLI::App&, ExploreSettings&);
int explore_command(ExploreSettings const&);

}
