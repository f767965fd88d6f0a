#pragma once

// `ticklab lesson`: list the lessons with the learner's progress, play one, or check them.

#include "cli/run_command.hpp"
#include "lesson/check.hpp"

#include <filesystem>
#include <string>
#include <vector>

// CLI11 is included by the .cpp files that define options; declaring its two types here
// keeps the heavy header out of every file that includes this one.
namespace CLI {
class App;
class Option;
}

namespace tl {

struct LessonSettings {
    std::string lesson;   // a number, a name or a file; empty: list the lessons
    std::string language; // "en" or "ko"; empty: from the environment (LANG starting with "ko")
    bool all = false;     // print the whole lesson with its answers, asking nothing
    bool check = false;   // check lessons instead of playing them
    bool reset = false;   // forget the learner's progress
    std::string compare_with; // the built-in policies a @manual shows beside the learner; empty: all
};

// The options of `ticklab lesson`, added to its subcommand.
void add_lesson_options(CLI::App&, LessonSettings&);
int lesson_command(LessonSettings const&);

// A @run's options, read exactly as `ticklab run` reads them (add_machine_options and
// --jobs), into a machine and scheduler settings. Errors point at the word at fault.
std::variant<RunSetup, RunArgsError> parse_run_words(std::vector<std::string> const& words);

// What check_lesson needs to run a lesson the way the command line does. A @run's program
// file is found next to the lesson (in LESSON_FILE's folder), not in the working directory.
LessonEnvironment cli_lesson_environment(std::filesystem::path const& lesson_file);

}
