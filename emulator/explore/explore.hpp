#pragma once

// Every schedule of a program (ticklab explore; see docs/explore.md). A schedule is the
// sequence of answers to "which ready thread takes this free core?"; under explore a slice
// ends after every tick, so every instruction boundary and every memory step is such a
// question. Inside a compute instruction the thread goes on (a switch there changes no
// variable), so those questions have one answer. Identical machine states are visited once.

#include "engine/config.hpp"
#include "engine/machine.hpp"
#include "lang/program.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tl {

// The answers explore allows at one pick: the thread in the middle of a compute instruction
// whose slice just ended on this core goes on alone; otherwise every ready thread that may
// run here except those in the middle of a compute on another core.
std::vector<ThreadId> explore_options(Machine const&, Choice const&);

// The Machine explore (and `step --manual --quantum 1`) runs: the program on `config`, with
// the ChosenScheduler of that quantum (nothing: no slices).
Machine chosen_machine(MachineConfig const&, Program const&, std::optional<Tick> quantum);

struct ExploreOutcome {
    std::vector<std::pair<std::string, std::int64_t>> variables; // declaration order
    bool deadlock = false;
    std::string deadlock_text;          // the cycle: "left waits for mutex 'fork2' held by right; ..."
    std::optional<std::string> fault;   // "thread: what happened" of the first fault
    bool tick_limit = false;
    std::uint64_t schedules = 0;        // saturates at UINT64_MAX
    std::vector<std::string> witness;   // the answer to every pick, by thread display name
};

struct ExploreResult {
    bool complete = true;
    std::uint64_t states = 0;
    std::uint64_t schedules = 0;
    std::vector<ExploreOutcome> outcomes; // in the order first found
};

struct ExploreLimits {
    std::uint64_t max_states = 100'000;
};

ExploreResult explore(MachineConfig const&, Program const&, ExploreLimits const&);

// The variables' names as the outcome shows them: as declared, `process.variable` where two
// processes declare the same name.
std::vector<std::string> variable_names(Program const&);

}
