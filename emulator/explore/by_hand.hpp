#pragma once

// A run whose every pick a person makes: `ticklab step --manual` and a lesson's @manual.
// Whenever a core needs a thread, the answer is the next of the answers given so far; at the
// first pick they do not cover, the run stops and says what the person must be shown to
// answer it: the ready threads, what each needs, and what each built-in policy would pick.
// Runs are deterministic, so `back` is the same answers less the last one, run again.

#include "engine/config.hpp"
#include "engine/ids.hpp"
#include "lang/program.hpp"
#include "sched/settings.hpp"
#include "trace/trace.hpp"

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace tl {

// A pick the answers so far do not cover.
struct HandPick {
    struct Need {
        std::string next; // the instruction it runs next ("incr count"), or "" at its end
        bool under_way = false; // in the middle of that instruction (a slice ended inside it)
        Tick burst = 0;         // ticks of compute before it waits or ends
        std::string step;       // of an instruction of several memory steps: the next one ("add")
        std::optional<std::int64_t> read; // inside such an instruction: the value it read
    };
    Tick tick = 0;
    CoreId core = no_core;
    std::vector<ThreadId> ready;
    std::vector<std::string> names;                              // per ready thread, its display name
    std::vector<std::string> threads;                            // every thread's display name, by id
    std::vector<Need> needs;                                     // per ready thread
    std::vector<std::pair<std::string, std::string>> picks;      // per policy asked: it, the thread it would pick ("none")
};

// An answer that is not among the ready threads at its pick (a replayed schedule that does not
// fit this program): its index in the answers.
struct HandMisfit {
    std::size_t answer = 0;
    HandPick pick;
};

// Runs `program` on `config` (with the ChosenScheduler of `quantum`: no slices when nothing),
// answering its picks with `answers` in order. At each pick, the built-in policies named in
// `policies` (registered names, as builtin_policy_list gives them; none: nobody is asked) are
// asked with `options` what they would pick. The finished run, the first pick past the
// answers, or the first misfit. With `ready_counts`, how many threads were ready at each pick
// answered.
std::variant<Trace, HandPick, HandMisfit> run_by_hand(MachineConfig const&, Program const&, SchedulerOptions const&,
    std::vector<std::string> const& policies, std::optional<Tick> quantum, std::vector<ThreadId> const& answers,
    std::vector<std::size_t>* ready_counts = nullptr);

// The ready thread an answer names: its display name or its number in the list (from 1).
std::optional<ThreadId> pick_from(std::string_view answer, HandPick const&);

}
