#pragma once

// Policies written in Lua 5.4: `--scheduler path/to/policy.lua`. The file defines the same
// hooks as a C++ Scheduler (enqueue, dequeue, pick, slice, should_preempt, started, stopped,
// next_wakeup, on_timer, ready_queues) as global functions; LuaScheduler calls them and
// checks every answer before the Machine sees it, because a learner's policy is never
// trusted: a thread that is not ready or not allowed on the core, a slice that is not a
// positive whole number, an answer of the wrong type, a runaway loop, a table that grows
// without end. Each stops the run with a PolicyError that names the file, the line and the
// tick (docs/writing-a-scheduler.md, "In Lua").
//
// The Lua state is a sandbox: only the base, string, table, math and utf8 libraries, without
// anything that reaches outside (io, os, require, load, dofile, debug, string.dump, print,
// collectgarbage). What could differ between two runs is replaced: `pairs` and `next` visit
// keys in sorted order (Lua's own order follows a per-process hash seed), `table.sort` is a
// stable merge sort (Lua's picks random pivots), `math.random` draws from the run's seeded
// generator (sched/prng.hpp), `tostring` of a table shows no address, string.format has no
// %p, and there are no weak tables or finalizers (their effects follow the collector's timing).

#include "sched/registry.hpp"
#include "sched/scheduler.hpp"
#include "sched/settings.hpp"

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

namespace tl {

// A policy broke a rule during a run. what() is one or more lines for a learner:
// "policies/mine.lua:12: pick returned thread 3, which is not ready (at tick 5, in pick(core 0))".
// The command line reports it with exit code 3, like any bad input.
class PolicyError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// How much a policy may use. Each hook call may run `steps` Lua instructions; the whole
// state may hold `memory` bytes.
struct LuaLimits {
    std::int64_t steps = 10'000'000;
    std::size_t memory = 64 * 1024 * 1024;
};

// Where to read a policy file named on the command line. The command line installs a finder
// that falls back to the bundled copy ("policies/sjf.lua" from any directory, as bundled
// programs are found); without one, the name is the path. Messages keep the name as given.
using PolicyFinder = std::string (*)(std::string const& name);
void set_policy_finder(PolicyFinder);
std::string locate_policy_file(std::string const& name);

// True for scheduler names that are Lua files (ending in ".lua").
bool is_lua_policy(std::string_view name);

// Whether this build runs policies written in Lua (the WebAssembly playground does not).
bool lua_policies_available();

// Loads and checks the policy file: reads it (as a program file is read), compiles it (text
// only, never bytecode), runs its top level, checks that it defines enqueue and pick and that
// every --set setting is one it reads. On failure, one message: a syntax error in the style
// of a program's ("policies/x.lua:4:7: '=' expected near 'x'" and the line with a caret).
std::variant<SchedulerChoice, std::string> make_lua_scheduler(std::string_view path, SchedulerOptions const&,
    LuaLimits const& = {});

// What a Lua policy claims about itself with `starvation_free = true` at its top level (for
// `ticklab check-policy`); false for any other scheduler.
bool claims_starvation_free(Scheduler const&);

// The same, from source text already read; `path` names it in messages.
std::variant<SchedulerChoice, std::string> make_lua_scheduler_from_source(std::string_view path, std::string const& source,
    SchedulerOptions const&, LuaLimits const& = {});

}
