#pragma once

// Starting a run: check the machine and the program on it, build the policy from its name and
// settings (the registry, or a Lua file), and make the Machine. The one way every command,
// lesson, quiz, test and the benchmark start a run, so that they all refuse the same runs
// with the same words.
//
// Like the rest of the library it never prints: it returns the problems, and each caller
// says them its own way (the command line as "ticklab: error: ..." lines, a lesson as a
// Diagnostic at the word of the @run at fault, a test as its failure).

#include "engine/config.hpp"
#include "engine/machine.hpp"
#include "lang/program.hpp"
#include "sched/scheduler.hpp"
#include "sched/settings.hpp"
#include "trace/trace.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tl {

// Why a run cannot start: one sentence without a trailing period, and which check found it.
struct RunProblem {
    enum class Kind : std::uint8_t {
        Machine, // the machine itself (check_machine: 0 cores, a bus of 0, ...)
        Program, // the program cannot run on it (check_program_fits: too big for RAM, pinned to a missing core)
        Policy,  // the policy (make_scheduler: an unknown name, a setting it does not read, a bad value,
                 // a Lua file that does not load)
    };
    Kind kind;
    std::string message;
};

// Turns the policy start_run built into the one the Machine gets: a test's watcher that
// wraps every hook, for instance. Empty: the policy as built.
using PolicyWrapper = std::function<std::unique_ptr<Scheduler>(std::unique_ptr<Scheduler>)>;

// Checks, in this order, the machine (check_machine), that the program can run on it
// (check_program_fits) and the policy `scheduler` with its settings (make_scheduler, which
// builds it), and returns the Machine at tick 0, before its first advance(): the caller may
// set an observer or a chooser on it, step it or run it. On any problem no Machine is made,
// and every problem found is returned, in the order above (each check runs even when an
// earlier one failed; the policy gives at most one).
std::variant<std::unique_ptr<Machine>, std::vector<RunProblem>> start_run(MachineConfig const&, Program const&,
    std::string_view scheduler, SchedulerOptions const&, PolicyWrapper const& wrap = {});

// start_run, then the run to its end: its trace, or why it could not start.
std::variant<Trace, std::vector<RunProblem>> simulate_run(MachineConfig const&, Program const&,
    std::string_view scheduler, SchedulerOptions const&);

}
