#include "trace/csv_blocked.hpp"
#include "trace/visual.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

// CSV for spreadsheets and plotting scripts. Fields are quoted as RFC 4180 says; lines end in
// a bare line feed, as most Unix tools write and every CSV reader accepts. Like the per-tick
// table, the tick CSV streams a row at a time from cursors over the slices, events and
// snapshots, so a long run never sits in memory as rows.

namespace tl {

namespace {

void write_row(std::ostream& out, std::vector<std::string> const& fields)
{
    std::string line;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i > 0)
            line += ',';
        line += csv_field(fields[i]);
    }
    line += '\n';
    out << line;
}

std::string join(Trace const& trace, std::vector<ThreadId> const& threads)
{
    std::string text;
    for (ThreadId id : threads) {
        if (!text.empty())
            text += ' ';
        text += trace.name(id);
    }
    return text;
}

std::string tick_or_empty(bool applies, Tick value) { return applies ? fmt::format("{}", value) : std::string(); }

}

std::string csv_field(std::string_view text)
{
    bool quote = text.find_first_of(",\"\r\n") != std::string_view::npos
        || (!text.empty() && (text.front() == ' ' || text.back() == ' '));
    if (!quote)
        return std::string(text);
    std::string out = "\"";
    for (char c : text) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
    return out;
}

void render_csv_ticks(std::ostream& out, Trace const& trace)
{
    auto cores = trace.core_slices.size();
    std::vector<std::string> fields { "tick" };
    for (std::size_t core = 0; core < cores; ++core)
        fields.push_back(fmt::format("core{}", core));
    fields.push_back("ready");
    fields.push_back("blocked");
    write_row(out, fields);

    std::vector<std::size_t> slice_cursor(cores, 0);
    std::size_t event_cursor = 0;
    std::size_t snapshot_cursor = 0;
    std::string ready;
    std::vector<ThreadId> blocked; // in the order they started waiting

    for (Tick tick = 0; tick < trace.end; ++tick) {
        while (event_cursor < trace.events.size() && trace.events[event_cursor].tick <= tick) {
            follow_blocked(blocked, trace, trace.events[event_cursor++]);
        }
        while (snapshot_cursor < trace.queue_snapshots.size() && trace.queue_snapshots[snapshot_cursor].tick <= tick) {
            ready.clear();
            for (auto const& queue : trace.queue_snapshots[snapshot_cursor++].queues)
                for (ThreadId id : queue.threads)
                    ready += (ready.empty() ? "" : " ") + trace.name(id);
        }

        fields.clear();
        fields.push_back(fmt::format("{}", tick));
        for (std::size_t core = 0; core < cores; ++core) {
            auto const& slices = trace.core_slices[core];
            auto& cursor = slice_cursor[core];
            while (cursor < slices.size() && slices[cursor].end <= tick)
                ++cursor;
            if (cursor == slices.size() || slices[cursor].start > tick)
                fields.emplace_back();
            else if (slices[cursor].switching)
                fields.push_back("switch to " + trace.name(slices[cursor].thread));
            else if (slices[cursor].stalled)
                fields.push_back(trace.name(slices[cursor].thread) + " (bus wait)");
            else
                fields.push_back(trace.name(slices[cursor].thread));
        }
        fields.push_back(ready);
        fields.push_back(join(trace, blocked));
        write_row(out, fields);
    }
}

void render_csv_metrics(std::ostream& out, Trace const& trace, Metrics const& metrics)
{
    (void)trace;
    write_row(out, { "job", "process", "arrival", "first_run", "finish", "turnaround", "waiting", "response", "running",
                       "stalled", "blocked", "state" });
    for (auto const& job : metrics.jobs) {
        bool ran = job.first_run >= 0;
        write_row(out, { job.name, job.process, fmt::format("{}", job.arrival), tick_or_empty(ran, job.first_run),
                           tick_or_empty(job.finished, job.finish), tick_or_empty(job.finished, job.turnaround),
                           fmt::format("{}", job.waiting), tick_or_empty(ran, job.response), fmt::format("{}", job.running),
                           fmt::format("{}", job.stalled), fmt::format("{}", job.blocked),
                           job.killed ? "killed" : job.finished ? "finished" : "unfinished" });
    }
}

}
