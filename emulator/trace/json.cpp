#include "trace/render.hpp"

#include "engine/verify.hpp"
#include "trace/races.hpp"
#include "trace/render_util.hpp"
#include "trace/visual.hpp"

#include <nlohmann/json.hpp>

// The JSON document is for programs, not people: every field is named in docs/output.md and
// keeps its name. nlohmann::json keeps object keys sorted, which makes the output
// deterministic without any effort here.

namespace tl {

namespace {

using nlohmann::json;

json tick_or_null(bool applies, Tick value) { return applies ? json(value) : json(nullptr); }

json machine_json(MachineConfig const& machine)
{
    return json {
        { "cores", machine.cores },
        { "ram", machine.ram },
        { "bus_bandwidth", machine.bus_bandwidth },
        { "storage", machine.storage },
        { "load_chunk", machine.load_chunk },
        { "switch_cost", machine.switch_cost },
        { "max_ticks", machine.max_ticks },
        { "arrivals_first", machine.arrivals_first },
        { "wake_preempts", machine.wake_preempts },
    };
}

json job_json(Trace const& trace, JobMetrics const& job)
{
    bool ran = job.first_run >= 0;
    json out {
        { "name", job.name },
        { "process", job.process },
        { "arrival", job.arrival },
        { "first_run", tick_or_null(ran, job.first_run) },
        { "finish", tick_or_null(job.finished, job.finish) },
        { "turnaround", tick_or_null(job.finished, job.turnaround) },
        { "waiting", job.waiting },
        { "response", tick_or_null(ran, job.response) },
        { "running", job.running },
        { "blocked", job.blocked },
        { "finished", job.finished },
        { "killed", job.killed },
        { "faulted", job.faulted },
        { "started", job.started },
        { "stalled", job.stalled },
    };
    if (trace.machine.cache > 0) // the cache model: only when it is on
        out["cache"] = json { { "working_set", trace.threads[job.thread].working_set },
            { "warm", job.warm }, { "cold", job.cold }, { "migrations", job.migrations } };
    return out;
}

json race_access_json(Trace const& trace, Race const& race, RaceAccess const& access)
{
    auto const& process = trace.processes[race.process];
    return json {
        { "thread", trace.name(access.thread) },
        { "line", access.line },
        { "tick", access.tick },
        { "kind", access.write ? "write" : "read" },
        { "atomic", access.atomic },
        { "mutex", access.mutex >= 0 ? json(process.mutexes[index_of(access.mutex)]) : json(nullptr) },
    };
}

json race_json(Trace const& trace, Race const& race)
{
    auto const& process = trace.processes[race.process];
    return json {
        { "process", process.name },
        { "variable", process.variables[index_of(race.variable)] },
        { "first", race_access_json(trace, race, race.first) },
        { "second", race_access_json(trace, race, race.second) },
        { "reason", race_reason(trace, race) },
    };
}

json event_json(Trace const& trace, Event const& event)
{
    json out = json::object();
    out["tick"] = event.tick;
    out["kind"] = std::string(to_string(event.kind));
    if (event.core != no_core)
        out["core"] = event.core;
    if (event.process != no_process)
        out["process"] = trace.processes[event.process].name;
    // A process exit names the thread that ended it as `thread`; every other kind names the
    // thread it happened to.
    if (event.thread != no_thread)
        out["thread"] = trace.name(event.thread);
    if (event.line != 0)
        out["line"] = event.line;
    switch (event.kind) {
    case EventKind::ProcessArrive:
    case EventKind::ProcessWait:
    case EventKind::ProcessAdmit: out["memory"] = event.value; break;
    case EventKind::ProcessExit:
        out["cause"] = static_cast<ExitCause>(event.value) == ExitCause::ExitInstruction ? "exit"
            : static_cast<ExitCause>(event.value) == ExitCause::Fault                    ? "fault"
                                                                                         : "finished";
        break;
    case EventKind::ProcessLoad:
        out["base"] = event.value;
        out["transfers"] = trace.processes[event.process].load_transfers;
        break;
    case EventKind::VarRead:
    case EventKind::VarWrite:
        out["variable"] = std::string(object_name(trace, event));
        out["value"] = event.value;
        break;
    case EventKind::LockAcquire:
        out["mutex"] = std::string(object_name(trace, event));
        out["handed_over"] = event.value != 0;
        break;
    case EventKind::LockRelease: out["mutex"] = std::string(object_name(trace, event)); break;
    case EventKind::LockWait:
        out["mutex"] = std::string(object_name(trace, event));
        out["holder"] = trace.name(static_cast<ThreadId>(event.value));
        break;
    case EventKind::Spawn: out["spawned"] = trace.name(static_cast<ThreadId>(event.value)); break;
    case EventKind::JoinWait: out["joins"] = trace.name(static_cast<ThreadId>(event.value)); break;
    case EventKind::Fault:
    case EventKind::Deadlock: out["message"] = std::string(trace.text(event)); break;
    case EventKind::CacheWarm:
    case EventKind::CacheEvict: break;
    case EventKind::Dispatch:
        if (event.value != 0)
            out["slice"] = event.value;
        break;
    case EventKind::Migrate: out["from_core"] = event.value; break;
    case EventKind::Preempt:
        out["reason"] = static_cast<PreemptCause>(event.value) == PreemptCause::SliceEnded ? "slice-ended"
            : static_cast<PreemptCause>(event.value) == PreemptCause::Yielded        ? "yield"
                                                                                    : "policy";
        break;
    case EventKind::Block:
        out["until"] = event.value;
        out["on"] = std::string(wait_mnemonic(trace, event));
        break;
    case EventKind::ThreadKilled: out["by"] = trace.name(static_cast<ThreadId>(event.value)); break;
    case EventKind::Print: out["text"] = std::string(trace.text(event)); break;
    case EventKind::TaskStart:
    case EventKind::TaskRun:
    case EventKind::TaskDone: out["task"] = std::string(task_label(trace, event)); break;
    case EventKind::TaskAwait: {
        out["task"] = std::string(task_label(trace, event));
        auto opcode = trace.instruction_at(event.thread, event.pc)->opcode;
        out["on"] = std::string(opcode_info(opcode).mnemonic);
        if (opcode_info(opcode).operand == OperandKind::Calls)
            out["tasks"] = event.value;
        else
            out["until"] = event.value;
        break;
    }
    case EventKind::GilAcquire: out["handed_over"] = event.value != 0; break;
    case EventKind::GilRelease:
        out["reason"] = static_cast<GilReleaseCause>(event.value) == GilReleaseCause::Blocked ? "blocked"
            : static_cast<GilReleaseCause>(event.value) == GilReleaseCause::Ended            ? "ended"
                                                                                              : "interval";
        break;
    case EventKind::GilWait: out["holder"] = trace.name(static_cast<ThreadId>(event.value)); break;
    case EventKind::ThreadReady:
        if (static_cast<ReadyCause>(event.value) == ReadyCause::Spawned)
            out["spawned"] = true;
        break;
    case EventKind::Wake:
    case EventKind::ThreadExit:
    case EventKind::TickLimit: break;
    }
    return out;
}

}

JsonFrame json_frame(Trace const& trace, Metrics const& metrics, Parallelism const& averages)
{
    json document = json::object();
    document["program"] = trace.program_file;
    document["scheduler"] = json { { "name", trace.scheduler }, { "description", trace.scheduler_description } };
    document["machine"] = machine_json(trace.machine);
    if (trace.machine.cache > 0)
        document["machine"]["cache"] = json { { "size", trace.machine.cache },
            { "warm_rate", trace.machine.cache_warm_rate }, { "warmup", trace.machine.cache_warmup } };
    document["outcome"] = std::string(to_string(trace.outcome));
    document["makespan"] = metrics.makespan;
    document["context_switches"] = metrics.context_switches;
    document["utilisation"] = metrics.utilisation;
    document["parallelism"] = json {
        { "concurrency", averages.concurrency },
        { "parallelism", averages.parallelism },
        { "stalled", averages.stalled },
        { "peak_concurrency", averages.peak_concurrency },
        { "peak_parallelism", averages.peak_parallelism },
    };

    json jobs = json::array();
    for (auto const& job : metrics.jobs)
        jobs.push_back(job_json(trace, job));
    document["jobs"] = std::move(jobs);

    document["averages"] = json {
        { "turnaround", metrics.averages.turnaround },
        { "waiting", metrics.averages.waiting },
        { "response", metrics.averages.response },
    };

    json cores = json::array();
    for (auto const& core : metrics.cores)
        cores.push_back(json { { "id", core.id }, { "busy", core.busy }, { "switching", core.switching },
            { "stalled", core.stalled }, { "utilisation", core.utilisation } });
    document["cores"] = std::move(cores);

    document["bus"] = json { { "bandwidth", trace.machine.bus_bandwidth }, { "transfers", metrics.bus_transfers },
        { "utilisation", metrics.bus_utilisation }, { "stalled", metrics.stalled } };
    document["speedup"] = metrics.speedup() ? json(*metrics.speedup()) : json(nullptr);
    document["one_core_makespan"] = metrics.one_core_makespan ? json(*metrics.one_core_makespan) : json(nullptr);

    json processes = json::array();
    for (std::size_t p = 0; p < trace.processes.size(); ++p) {
        auto const& process = trace.processes[p];
        json variables = json::object();
        for (std::size_t v = 0; v < process.variables.size(); ++v)
            variables[process.variables[v]] = process.final_values[v];
        processes.push_back(json {
            { "name", process.name },
            { "arrival", process.arrival },
            { "memory", process.memory },
            { "base", process.base >= 0 ? json(process.base) : json(nullptr) },
            { "allocated", process.allocated >= 0 ? json(process.allocated) : json(nullptr) },
            { "loaded", process.loaded >= 0 ? json(process.loaded) : json(nullptr) },
            { "freed", process.freed >= 0 ? json(process.freed) : json(nullptr) },
            { "memory_wait", metrics.processes[p].memory_wait },
            { "variables", std::move(variables) },
            { "mutexes", process.mutexes },
        });
    }
    document["processes"] = std::move(processes);
    auto report = find_races(trace);
    json races = json::array();
    for (auto const& race : report.races)
        races.push_back(race_json(trace, race));
    document["races"] = std::move(races);
    if (!report.unchecked.empty()) {
        json unchecked = json::array();
        for (ProcessId id : report.unchecked)
            unchecked.push_back(trace.processes[id].name);
        document["races_unchecked"] = std::move(unchecked);
    }
    for (auto const& event : trace.events)
        if (event.kind == EventKind::Deadlock)
            document["deadlock"] = std::string(trace.text(event));

    json output = json::array();
    for (auto const& event : trace.events)
        if (event.kind == EventKind::Print)
            output.push_back(json {
                { "tick", event.tick }, { "thread", trace.name(event.thread) }, { "text", std::string(trace.text(event)) } });
    document["output"] = std::move(output);

    // The events are written one by one in their place: a million-tick run has tens of
    // millions, and a json value for each would take gigabytes. The document is dumped with a
    // placeholder where they go, and split there.
    // Names and printed text come from the learner's file: a malformed UTF-8 byte must not
    // abort the dump, so it is replaced (U+FFFD) rather than thrown about.
    // The placeholder is found with the newline and indentation before its key: dump() escapes
    // every newline inside a string, so a learner's text that reads "ticklab-events" (a thread
    // name, printed output) cannot match, only the top-level "events" key can.
    constexpr std::string_view key = "\n  \"events\": ";
    constexpr std::string_view placeholder = "\"ticklab-events\"";
    document["events"] = "ticklab-events";
    auto text = document.dump(2, ' ', false, json::error_handler_t::replace);
    auto found = text.find(std::string(key) + std::string(placeholder));
    VERIFY(found != std::string::npos);
    auto at = found + key.size();
    JsonFrame frame;
    frame.before = text.substr(0, at);
    frame.after = text.substr(at + placeholder.size()) + '\n';
    return frame;
}

std::string json_string(std::string_view text)
{
    return json(std::string(text)).dump(-1, ' ', false, json::error_handler_t::replace);
}

void render_json(std::ostream& out, Trace const& trace, Metrics const& metrics)
{
    auto frame = json_frame(trace, metrics, measure_parallelism(trace));
    out << frame.before;
    if (trace.events.empty()) {
        out << "[]";
    } else {
        out << "[\n";
        bool first = true;
        for (auto const& event : trace.events) {
            if (!first)
                out << ",\n";
            first = false;
            // An element of a top-level key's array sits 4 spaces in; its own lines follow.
            auto element = event_json(trace, event).dump(2, ' ', false, json::error_handler_t::replace);
            out << "    ";
            for (char c : element) {
                out << c;
                if (c == '\n')
                    out << "    ";
            }
        }
        out << "\n  ]";
    }
    out << frame.after;
}

}
