#include "lesson/measures.hpp"

#include <array>

namespace tl {

namespace {

constexpr std::array s_measures {
    MeasureInfo { "makespan", MeasureArgument::None, ValueType::Number, "", "the tick at which the run ended" },
    MeasureInfo { "switches", MeasureArgument::None, ValueType::Number, "", "context switches" },
    MeasureInfo { "deadlocked", MeasureArgument::None, ValueType::Number, "locks",
        "threads caught in a deadlock when the run stopped (0 when it finished)" },
    MeasureInfo { "cores", MeasureArgument::None, ValueType::Number, "", "the machine's cores" },
    MeasureInfo { "utilisation", MeasureArgument::OptionalCore, ValueType::Number, "",
        "percent of core-ticks spent on work (of one core, given its number)" },
    MeasureInfo { "average-waiting", MeasureArgument::None, ValueType::Number, "", "mean waiting time of the threads" },
    MeasureInfo { "average-turnaround", MeasureArgument::None, ValueType::Number, "",
        "mean turnaround time of the threads" },
    MeasureInfo { "average-response", MeasureArgument::None, ValueType::Number, "", "mean response time of the threads" },
    MeasureInfo { "first-finish", MeasureArgument::None, ValueType::Name, "", "the thread that finished first" },
    MeasureInfo { "last-finish", MeasureArgument::None, ValueType::Name, "", "the thread that finished last" },
    MeasureInfo { "finish-order", MeasureArgument::None, ValueType::Order, "", "the threads in the order they finished" },
    MeasureInfo { "finish", MeasureArgument::Job, ValueType::Number, "", "the tick a thread (or process) finished" },
    MeasureInfo { "arrival", MeasureArgument::Job, ValueType::Number, "", "the tick a thread (or process) arrived" },
    MeasureInfo { "first-run", MeasureArgument::Thread, ValueType::Number, "", "the tick a thread first ran" },
    MeasureInfo { "turnaround", MeasureArgument::Thread, ValueType::Number, "", "finish - arrival" },
    MeasureInfo { "waiting", MeasureArgument::Thread, ValueType::Number, "", "ticks ready but not running" },
    MeasureInfo { "response", MeasureArgument::Thread, ValueType::Number, "", "first run - arrival" },
    MeasureInfo { "running", MeasureArgument::Thread, ValueType::Number, "", "ticks on a core" },
    MeasureInfo { "blocked", MeasureArgument::Thread, ValueType::Number, "", "ticks blocked: on I/O, a timer, a lock, a join or the GIL" },
    MeasureInfo { "admitted", MeasureArgument::Process, ValueType::Number, "",
        "the tick a process was loaded into RAM" },
    MeasureInfo { "value", MeasureArgument::Variable, ValueType::Number, "shared-memory",
        "a shared variable's final value" },
};

}

std::span<MeasureInfo const> all_measures() { return s_measures; }

MeasureInfo const* find_measure(std::string_view name)
{
    for (auto const& measure : s_measures)
        if (measure.name == name)
            return &measure;
    return nullptr;
}

}
