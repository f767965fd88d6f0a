#include "trace/table_columns.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tl::table_columns {

// "a b" for one global queue; "core 0: a b; core 1: c" for several, skipping empty ones; no
// longer than needed to fill `limit` columns.
std::string ready_text(Trace const& trace, QueueSnapshot const& snapshot, int limit)
{
    CappedText text(limit);
    bool any = false;
    for (auto const& queue : snapshot.queues) {
        if (queue.threads.empty() || text.full())
            continue;
        if (any)
            text.add("; ");
        any = true;
        if (!queue.label.empty()) {
            text.add(queue.label);
            text.add(":");
        }
        bool first = queue.label.empty();
        for (ThreadId thread : queue.threads) {
            if (text.full())
                break;
            if (!first)
                text.add(" ");
            first = false;
            text.add(trace.name(thread));
        }
    }
    return text.take();
}

bool has_memory_waits(Trace const& trace)
{
    return std::any_of(trace.events.begin(), trace.events.end(), [](Event const& e) { return e.kind == EventKind::ProcessWait; });
}

bool has_shared(Trace const& trace)
{
    return std::any_of(trace.processes.begin(), trace.processes.end(), [](auto const& p) { return !p.variables.empty(); });
}

// "2/4" transfers granted of the bandwidth, with "+1 wait" for cores that stalled.
std::string bus_text(Trace const& trace, BusTick const& use)
{
    auto text = fmt::format("{}/{}", use.granted, trace.machine.bus_bandwidth);
    if (use.stalled > 0)
        text += fmt::format(" +{} wait", use.stalled);
    return text;
}

// The RAM map during tick t: "kitchen 0-16K, free 16K-1M".
std::string ram_text(Trace const& trace, Tick t)
{
    std::vector<ProcessInfo const*> held;
    for (auto const& process : trace.processes)
        if (process.base >= 0 && process.allocated <= t && (process.freed < 0 || process.freed > t))
            held.push_back(&process);
    std::sort(held.begin(), held.end(), [](auto const* a, auto const* b) { return a->base < b->base; });
    std::string out;
    std::uint64_t at = 0;
    auto add = [&](std::string_view what, std::uint64_t from, std::uint64_t to) {
        if (!out.empty())
            out += ", ";
        out += fmt::format("{} {}-{}", what, from == 0 ? "0" : format_bytes(from), format_bytes(to));
    };
    for (auto const* process : held) {
        auto base = static_cast<std::uint64_t>(process->base);
        if (base > at)
            add("free", at, base);
        bool loading = process->loaded < 0 || process->loaded > t;
        add(loading ? process->name + " (loading)" : process->name, base, base + process->memory);
        at = base + process->memory;
    }
    if (at < trace.machine.ram)
        add("free", at, trace.machine.ram);
    return out;
}

// The next tick after t at which the RAM map may change (or past the end).
Tick next_ram_change(Trace const& trace, Tick t)
{
    Tick next = trace.end + 1;
    for (auto const& process : trace.processes)
        for (Tick at : { process.allocated, process.loaded, process.freed })
            if (at > t)
                next = std::min(next, at);
    return next;
}

bool has_gil(Trace const& trace)
{
    return std::any_of(trace.processes.begin(), trace.processes.end(), [](auto const& p) { return p.gil; });
}

}
