#pragma once

// The measures a lesson can ask about or check, as one table (lesson/measures.cpp): each row
// names a measure, what it reads, its type and its evaluator, which reads it off a finished
// run (its trace and metrics) with the evidence a learner is shown. A measure is never typed
// into the lesson, so a lesson cannot claim a number the emulator does not produce. The
// lesson parser checks measures against this table; evaluate() computes them with it.

#include "lesson/evaluate.hpp"
#include "lesson/lesson.hpp"

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace tl {

enum class MeasureArgument : std::uint8_t {
    None,         // makespan
    Thread,       // waiting(pasta)
    Job,          // finish(pasta) or finish(kitchen): a thread, or a whole process
    Process,      // admitted(browser): a process (a thread's name means its process)
    OptionalCore, // utilisation, utilisation(0)
    Variable,     // value(counter): a shared variable
};

// What an evaluator reads: the expression, its run, and what its argument names.
struct MeasureInput {
    Expr const& expr;
    LessonRun const& run;
    Trace const& trace;
    Metrics const& metrics;
    Language language;
    ThreadId thread;         // the thread the argument names, or no_thread
    ProcessId process;       // the process it names (a thread's name wins), or no_process
    std::string const& name; // the argument as written
    std::string const& text; // the measure's name
    // Starts a clause with the run it is about ("on 2 cores (rr), ") when the lesson has several.
    std::function<std::string(std::string)> with_context;
};

using MeasureEvaluator = std::variant<Evaluation, EvaluationError> (*)(MeasureInput const&);

struct MeasureInfo {
    std::string_view name;
    MeasureArgument argument;
    ValueType type;
    std::string_view needs;   // a capability (lesson/capabilities.hpp) it needs, or ""
    std::string_view summary; // for docs and "did you mean" lists
    MeasureEvaluator compute;
};

std::span<MeasureInfo const> all_measures();
MeasureInfo const* find_measure(std::string_view name);

// A measure of one run, by its row's evaluator, once its argument names something in the run.
// `many_runs`: the lesson has several runs, so each clause says which run it is about.
std::variant<Evaluation, EvaluationError> evaluate_measure(Expr const&, LessonRun const&, Language, bool many_runs);

}
