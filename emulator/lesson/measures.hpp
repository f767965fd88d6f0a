#pragma once

// The measures a lesson can ask about or check: each one is read off a finished run (its
// trace and metrics), never typed into the lesson, so a lesson cannot claim a number the
// emulator does not produce.

#include "lesson/lesson.hpp"

#include <span>
#include <string_view>

namespace tl {

enum class MeasureArgument : std::uint8_t {
    None,         // makespan
    Thread,       // waiting(pasta)
    Job,          // finish(pasta) or finish(kitchen): a thread, or a whole process
    Process,      // admitted(browser): a process (a thread's name means its process)
    OptionalCore, // utilisation, utilisation(0)
    Variable,     // value(counter): a shared variable
};

struct MeasureInfo {
    std::string_view name;
    MeasureArgument argument;
    ValueType type;
    std::string_view needs;   // a capability (lesson/capabilities.hpp) it needs, or ""
    std::string_view summary; // for docs and "did you mean" lists
};

std::span<MeasureInfo const> all_measures();
MeasureInfo const* find_measure(std::string_view name);

}
