#pragma once

// From a lesson's text to everything the player shows: its runs simulated, every question's
// answer and every check evaluated. A lesson that does not hold together (a run that
// cannot start, a check that is false, a choice with no right option) reports each problem
// as a Diagnostic, like a malformed one, so that a stale lesson fails its test.

#include "engine/config.hpp"
#include "explore/explore.hpp"
#include "lesson/lesson.hpp"
#include "sched/registry.hpp"
#include "trace/metrics.hpp"
#include "trace/trace.hpp"

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace tl {

// What a @run's options mean, as `ticklab run` would read them.
struct RunSetup {
    MachineConfig machine;
    SchedulerOptions options;
    std::string scheduler = "rr";
    std::string jobs; // --jobs, when the run has no program
    std::optional<Tick> quantum; // --quantum, when given: where a slice ends when the learner schedules it (@manual)
};

// The most states explore visits for a lesson's @explore or @manual goal: a lesson explores
// small programs (race_small has 193 states), and loading a lesson stays quick.
inline constexpr std::uint64_t lesson_explore_states = 20'000;

inline constexpr std::size_t whole_directive = std::numeric_limits<std::size_t>::max();

struct RunArgsError {
    std::size_t word = whole_directive; // the option word at fault, or the directive as a whole
    std::string message;
};

// The library does not know the command line's spelling of options: the caller passes the
// one parser that `ticklab run` uses (see cli/lesson_command.hpp), so a lesson's @run means
// exactly what the same words mean on the command line.
using RunArgsParser = std::function<std::variant<RunSetup, RunArgsError>(std::vector<std::string> const& words)>;

struct ProgramText {
    std::string name;    // as shown in diagnostics
    std::string content;
};

// Finds a program named in a @run that is not a '::: program' block of the lesson (a
// bundled program such as `kitchen`, or a path). On failure, a one-line error.
using ProgramFinder = std::function<std::optional<ProgramText>(std::string const& name, std::string& error)>;

struct LessonEnvironment {
    RunArgsParser parse_run_args;
    ProgramFinder find_program;
};

struct LessonRun {
    std::string name;
    std::string command;        // "ticklab run kitchen --cores 3 -s per-core"
    std::string program_source; // the program's text, for '@show RUN program'
    bool program_in_lesson = false; // a '::: program' block, not a file `ticklab run` can find
    Program program;
    RunSetup setup;
    Trace trace;
    Metrics metrics;
    std::optional<ExploreResult> explored; // every schedule of it, for @explore and @manual's goals
};

struct CheckedLesson {
    Lesson lesson;
    std::vector<std::optional<LessonRun>> runs; // by index in lesson.runs; empty when it could not run
    std::vector<Diagnostic> errors;             // in source order
    // Per @manual with a goal (by index in lesson.blocks): answers to its picks that reach the
    // goal, found among explore's witnesses, and at which of them more than one thread was ready.
    struct Witness {
        std::vector<ThreadId> answers;
        std::vector<bool> choice;
    };
    std::map<std::size_t, Witness> witnesses;
    bool ok() const { return errors.empty(); }
    LessonRun const* run(std::string_view name) const;
};

// Parses, runs and evaluates a whole lesson, collecting every error in one pass.
CheckedLesson check_lesson(std::string_view source, std::string file_name, LessonEnvironment const&);

}
