#include "trace/races.hpp"
#include "trace/render.hpp"
#include "trace/render_util.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

namespace tl {

namespace {

constexpr std::string_view gap = "  ";

// A small text table: the first `left` columns are left-aligned (names), the rest
// right-aligned (numbers). Widths come from every cell, headers included, by display width.
class TextTable {
public:
    TextTable(std::vector<std::string> header, std::size_t left)
        : m_left(left)
    {
        add(std::move(header));
    }

    void add(std::vector<std::string> row) { m_rows.push_back(std::move(row)); }

    void write(std::ostream& out) const
    {
        std::vector<int> widths;
        for (auto const& row : m_rows) {
            widths.resize(std::max(widths.size(), row.size()), 0);
            for (std::size_t i = 0; i < row.size(); ++i)
                widths[i] = std::max(widths[i], display_width(row[i]));
        }
        std::string line;
        for (auto const& row : m_rows) {
            line.clear();
            for (std::size_t i = 0; i < row.size(); ++i) {
                if (i > 0)
                    line += gap;
                line += i < m_left ? pad_right(row[i], widths[i]) : pad_left(row[i], widths[i]);
            }
            while (!line.empty() && line.back() == ' ')
                line.pop_back();
            out << line << '\n';
        }
    }

private:
    std::size_t m_left;
    std::vector<std::vector<std::string>> m_rows;
};


// The data races of the run (trace/races.hpp), one line each, up to races_listed.
void render_race_lines(std::ostream& out, Trace const& trace)
{
    if (!races_checked(trace))
        return;
    auto report = find_races(trace);
    for (ProcessId id : report.unchecked) {
        auto const& process = trace.processes[id];
        out << fmt::format("data races: not checked in {} ({} threads; at most {} are checked)\n", process.name,
            process.threads.size(), max_race_checked_threads);
    }
    if (report.races.empty() && report.unchecked.empty())
        out << "data races: none in this run\n";
    for (std::size_t i = 0; i < report.races.size() && i < races_listed; ++i)
        out << fmt::format("race: {}\n", race_sentence(trace, report.races[i]));
    if (report.races.size() > races_listed)
        out << fmt::format("and {} (--format json lists them all)\n",
            plural(static_cast<std::int64_t>(report.races.size() - races_listed), "more race", "more races"));
}

}

void render_summary(std::ostream& out, Trace const& trace, Metrics const& metrics)
{
    if (trace.outcome == Outcome::TickLimit) {
        out << fmt::format("stopped at the tick limit ({} ticks): raise --max-ticks if the program is meant to run longer\n",
            trace.machine.max_ticks);
    } else if (trace.outcome == Outcome::Deadlock) {
        for (auto const& event : trace.events)
            if (event.kind == EventKind::Deadlock)
                out << fmt::format("stopped at tick {}: {}\n", event.tick, trace.text(event));
    } else {
        out << fmt::format("finished at tick {}: makespan {}, {}, {}\n", trace.end, metrics.makespan,
            plural(metrics.context_switches, "context switch", "context switches"),
            plural(static_cast<std::int64_t>(metrics.jobs.size()), "thread", "threads"));
    }
    for (auto const& event : trace.events) {
        if (event.kind != EventKind::Fault)
            continue;
        auto const& process = trace.processes[event.process];
        int killed = 0;
        for (ThreadId id : process.threads)
            killed += id != event.thread && trace.totals[id].killed ? 1 : 0;
        out << fmt::format("fault at tick {}: {} (process {}, line {}) {}; {}\n", event.tick, trace.name(event.thread),
            process.name, event.line, trace.text(event),
            killed > 0 ? fmt::format("the rest of {} was killed ({})", process.name, plural(killed, "thread", "threads"))
                       : fmt::format("process {} ended", process.name));
    }

    TextTable jobs({ "job", "process", "arrival", "first run", "finish", "turnaround", "waiting", "response" }, 2);
    bool any_finished = false;
    for (auto const& job : metrics.jobs) {
        any_finished = any_finished || job.finished;
        bool ran = job.first_run >= 0;
        auto name = job.faulted ? job.name + " (faulted)"
            : job.killed        ? job.name + " (killed)"
            : !job.started      ? job.name + " (never spawned)"
                                : job.name;
        jobs.add({ name, job.process, job.started ? fmt::format("{}", job.arrival) : "-",
            tick_or_dash(ran, job.first_run), tick_or_dash(job.finished, job.finish),
            tick_or_dash(job.finished, job.turnaround), fmt::format("{}", job.waiting), tick_or_dash(ran, job.response) });
    }
    // Averages are over the threads that finished, as in metrics.hpp; with none there is
    // nothing to average.
    auto average = [&](double value) { return any_finished ? fmt::format("{:.2f}", value) : std::string("-"); };
    jobs.add({ "average", "", "", "", "", average(metrics.averages.turnaround), average(metrics.averages.waiting),
        average(metrics.averages.response) });
    jobs.write(out);
    if (trace.machine.cache > 0) {
        // The cache model: why a thread finished sooner or later.
        TextTable cache({ "job", "working set", "warm", "cold", "migrations" }, 1);
        for (auto const& job : metrics.jobs) {
            auto working_set = trace.threads[job.thread].working_set;
            cache.add({ job.name, working_set > 0 ? fmt::format("{}", working_set) : "-", fmt::format("{}", job.warm),
                fmt::format("{}", job.cold), fmt::format("{}", job.migrations) });
        }
        out << fmt::format("cache: {} per core, warm after {} of running there, then {}x as fast\n",
            trace.machine.cache, plural(trace.machine.cache_warmup, "tick", "ticks"), trace.machine.cache_warm_rate);
        cache.write(out);
    }
    // Waiting for memory is part of `waiting`; say whose, and how long.
    std::string memory;
    for (std::size_t p = 0; p < metrics.processes.size(); ++p) {
        auto const& process = metrics.processes[p];
        if (!process.waited)
            continue;
        memory += fmt::format("{}{} {} (from tick {}{})", memory.empty() ? "" : ", ", process.name,
            plural(process.memory_wait, "tick", "ticks"), trace.processes[p].arrival,
            process.still_waiting ? ", still waiting when the run ended" : "");
    }
    if (!memory.empty())
        out << fmt::format("waited for memory: {}; counted in their threads' waiting\n", memory);

    bool bus = watches_bus(trace);
    std::vector<std::string> header { "core", "busy", "switching" };
    if (bus)
        header.emplace_back("bus stalls");
    header.emplace_back("utilisation");
    TextTable cores(header, 1);
    Tick switching = 0;
    for (auto const& core : metrics.cores) {
        switching += core.switching;
        std::vector<std::string> row { fmt::format("{}", core.id), fmt::format("{}", core.busy),
            fmt::format("{}", core.switching) };
        if (bus)
            row.push_back(fmt::format("{}", core.stalled));
        row.push_back(percent(core.utilisation));
        cores.add(std::move(row));
    }
    std::vector<std::string> all { "all", fmt::format("{}", metrics.busy), fmt::format("{}", switching) };
    if (bus)
        all.push_back(fmt::format("{}", metrics.stalled));
    all.push_back(percent(metrics.utilisation));
    cores.add(std::move(all));
    cores.write(out);
    if (bus)
        out << fmt::format("bus: {} transfers in {} ticks at {} per tick, {} busy\n", metrics.bus_transfers,
            metrics.makespan, trace.machine.bus_bandwidth, percent(metrics.bus_utilisation));
    if (auto speedup = metrics.speedup())
        out << fmt::format("speed-up: {:.2f}x against the same run on 1 core (makespan {}), efficiency {}\n", *speedup,
            *metrics.one_core_makespan, percent(*speedup / static_cast<double>(trace.machine.cores)));
    else if (metrics.one_core_skipped)
        out << "speed-up: not measured for a run this long (it takes a second run on 1 core); add --speedup to "
               "measure it\n";
    for (auto const& process : trace.processes) {
        if (process.variables.empty())
            continue;
        std::string values;
        for (std::size_t v = 0; v < process.variables.size(); ++v)
            values += fmt::format("{}{} = {}", v == 0 ? "" : ", ", process.variables[v], process.final_values[v]);
        out << fmt::format("shared variables of {}: {}\n", process.name, values);
    }
    render_race_lines(out, trace);
}

}
