#pragma once

// Plays a checked lesson: prose, runs, and questions the learner answers before the
// emulator shows the result. It writes to a stream and reads through a callback, so the
// command line decides about terminals and line editing, and tests can script a learner.

#include "lesson/check.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace tl {

struct PlayOptions {
    Language language = Language::En;
    int number = 0;      // shown in the title; 0 for a lesson played from a file
    bool reveal = false; // print every answer and ask nothing (`ticklab lesson N --all`)
    bool pause = false;  // wait for Enter before each section (when a person is at a terminal)
    bool colour = false; // ANSI colours in Gantt charts (the command line decides, as for `ticklab run`)
    int width = 80;      // columns a Gantt chart may use
    // The built-in policies a @manual shows beside the learner (at each pick and at the end),
    // as builtin_policy_list names them; nothing: every built-in policy.
    std::optional<std::vector<std::string>> compare_with;
};

// Shows `prompt` and reads one line; nothing at the end of the input.
using LineReader = std::function<std::optional<std::string>(std::string const& prompt)>;

enum class PlayResult : std::uint8_t {
    Finished,   // played to the end
    Stopped,    // the learner typed q at a pause
    InputEnded, // the input ended at a question; the rest was shown with its answers
};

PlayResult play_lesson(CheckedLesson const&, PlayOptions const&, std::ostream&, LineReader const&);

// The title line as the player and the lesson list show it: "Lesson 4: ...", "4강: ...".
std::string lesson_heading(int number, std::string_view title, Language);

}
