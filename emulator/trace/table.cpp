#include "trace/races.hpp"
#include "trace/render.hpp"
#include "trace/render_util.hpp"
#include "trace/table_columns.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <range/v3/view/chunk_by.hpp>
#include <range/v3/view/transform.hpp>
#include <range/v3/view/zip.hpp>
#include <vector>

// The per-tick table streams: each row is written as soon as it is known, from one cursor
// per core over its slices, one over the events and one over the ready-queue snapshots. So
// a run of a million ticks costs a million short writes, never a million rows in memory.

namespace tl {

namespace {

constexpr std::string_view separator = " | ";
constexpr int core_column_cap = 28;
constexpr int folded_core_cap = 40; // "c compute 30001-100000/30000000": a folded row's two counts
// Columns fit their widest cell up to a cap; a longer cell is shortened to fit (see fit).
constexpr int list_column_cap = 64; // ready and blocked
constexpr int wide_list_cap = 120;  // tasks
constexpr int short_list_cap = 60;  // the GIL holders, the shared variables
constexpr int list_column_min = 12;

namespace views = ranges::views;
using namespace table_columns;

// Events of one tick stay together: the columns are measured as each tick ends.
bool same_tick(Event const& a, Event const& b) { return a.tick == b.tick; }

// A stretch of ticks the table shows as one row.
struct Fold {
    Tick first = 0;
    Tick last = 0;
};

struct FoldPlan {
    std::vector<Fold> folds;
    int tick_width = 0; // the widest "first-last"
    int core_width = 0; // the widest core cell of a folded row
};

std::pair<std::int32_t, std::int32_t> bus_key(std::vector<BusTick> const& bus, std::size_t i, Tick t)
{
    if (i < bus.size() && bus[i].tick == t)
        return { bus[i].granted, bus[i].stalled };
    return { 0, 0 };
}

// The first tick after t, before `bound`, at which the bus column reads differently (or
// `bound`). `cursor` is the first use at or after t. Ticks without a use read "0/B".
Tick next_bus_change(std::vector<BusTick> const& bus, std::size_t cursor, Tick t, Tick bound)
{
    auto current = bus_key(bus, cursor, t);
    std::size_t i = cursor < bus.size() && bus[cursor].tick == t ? cursor + 1 : cursor;
    for (Tick u = t + 1; u < bound;) {
        if (i < bus.size() && bus[i].tick == u) {
            if (bus_key(bus, i, u) != current)
                return u;
            ++i;
            ++u;
            continue;
        }
        if (current != std::pair<std::int32_t, std::int32_t> { 0, 0 })
            return u;
        if (i == bus.size())
            break;
        u = bus[i].tick;
    }
    return bound;
}

// The core cell of tick t, or of ticks t..last folded ("pasta compute 4-100/100").
std::string core_cell(Trace const& trace, Slice const* slice, Tick t, Tick last)
{
    if (!slice)
        return "idle";
    auto const& name = trace.name(slice->thread);
    if (slice->switching)
        return fmt::format("-> {} (switch)", name);
    return fmt::format("{} {}", name, slice_activity(trace, *slice, t, last));
}

// The slice core `core` runs at tick t, moving its cursor on; null when the core is idle.
Slice const* slice_at(Trace const& trace, std::size_t core, std::size_t& cursor, Tick t)
{
    auto const& slices = trace.core_slices[core];
    while (cursor < slices.size() && slices[cursor].end <= t)
        ++cursor;
    if (cursor == slices.size() || slices[cursor].start > t)
        return nullptr;
    return &slices[cursor];
}

// Which ticks of start..last fold: after each row, the ticks up to the next change of
// anything but a counter (an event, a ready-queue snapshot, a slice beginning or ending, the
// bus's use, the RAM map) are quiet; fold_quiet_ticks or more of them make one row. The plan
// moves from change to change, so a quiet run of 10^8 ticks costs what its events cost.
FoldPlan plan_folds(Trace const& trace, TableOptions const& options, Tick start, Tick last)
{
    FoldPlan plan;
    if (options.every_tick)
        return plan;
    auto cores = trace.core_slices.size();
    std::vector<std::size_t> slice_cursor(cores, 0);
    std::size_t event_cursor = 0;
    std::size_t snapshot_cursor = 0;
    std::size_t bus_cursor = 0;
    bool show_bus = watches_bus(trace);
    Tick stop = std::min(trace.end, last + 1); // the rows of executed ticks end before it
    for (Tick t = start; t < stop;) {
        Tick next = stop;
        while (event_cursor < trace.events.size() && trace.events[event_cursor].tick <= t)
            ++event_cursor;
        if (event_cursor < trace.events.size())
            next = std::min(next, trace.events[event_cursor].tick);
        while (snapshot_cursor < trace.queue_snapshots.size() && trace.queue_snapshots[snapshot_cursor].tick <= t)
            ++snapshot_cursor;
        if (snapshot_cursor < trace.queue_snapshots.size())
            next = std::min(next, trace.queue_snapshots[snapshot_cursor].tick);
        for (std::size_t core = 0; core < cores; ++core) {
            auto const* slice = slice_at(trace, core, slice_cursor[core], t);
            auto const& slices = trace.core_slices[core];
            if (slice)
                next = std::min(next, slice->end);
            else if (slice_cursor[core] < slices.size())
                next = std::min(next, slices[slice_cursor[core]].start);
        }
        if (options.ram)
            next = std::min(next, next_ram_change(trace, t));
        if (show_bus && next > t + 1) {
            while (bus_cursor < trace.bus.size() && trace.bus[bus_cursor].tick < t)
                ++bus_cursor;
            next = next_bus_change(trace.bus, bus_cursor, t, next);
        }
        // Ticks t+1 .. next-1 change nothing but counters. Fewer than fold_quiet_ticks keep
        // a row each (and each of them has the same next change, so none of them folds).
        if (next - t - 1 >= fold_quiet_ticks) {
            Fold fold { t + 1, next - 1 };
            plan.folds.push_back(fold);
            plan.tick_width = std::max(plan.tick_width, digit_count(fold.first) + 1 + digit_count(fold.last));
            for (std::size_t core = 0; core < cores; ++core)
                plan.core_width = std::max(plan.core_width,
                    display_width(core_cell(trace, slice_at(trace, core, slice_cursor[core], t), fold.first, fold.last)));
        }
        t = next;
    }
    return plan;
}

struct Widths {
    int tick = 4;
    int core = 6;
    int ready = list_column_min;
    int blocked = list_column_min;
    int tasks = list_column_min;
    int gil = list_column_min;
    int bus = 3;
    int shared = list_column_min;
    int memory = list_column_min;
    int ram = list_column_min;
};

// Column widths from cheap bounds and one pass over the stored events and snapshots (both
// already in memory: the table itself is what must not be).
Widths column_widths(Trace const& trace, TableOptions const& options, FoldPlan const& plan)
{
    Widths widths;
    widths.tick = std::max({ 4, digit_count(trace.end), plan.tick_width });

    // "compute 2/4": the mnemonic, then progress and total with as many digits as the total.
    int core = 0;
    for (auto const& thread : trace.threads) {
        int name = display_width(thread.display_name);
        int longest = 0;
        for (auto const& instruction : thread.code)
            if (auto const& info = opcode_info(instruction.opcode); info.timing == Timing::Cpu)
                longest = std::max(longest, static_cast<int>(info.mnemonic.size()) + 2 + 2 * digit_count(instruction.ticks));
            else if (memory_steps(instruction.opcode) > 0)
                longest = std::max(longest, display_width(to_string(instruction)) + 11); // ": write", " (bus wait)"
        if (trace.machine.cache > 0 && thread.working_set > 0)
            longest += 5; // " warm", " cold"
        if (longest > 0)
            core = std::max(core, name + 1 + longest);
        if (trace.machine.switch_cost > 0)
            core = std::max(core, name + 12); // "-> pasta (switch)"
    }
    int header = 5 + digit_count(std::max(0, trace.machine.cores - 1));
    widths.core = std::max({ 6, header, std::min(core, core_column_cap), std::min(plan.core_width, folded_core_cap) });

    int ready = 0;
    for (auto const& snapshot : trace.queue_snapshots)
        ready = std::max(ready, display_width(ready_text(trace, snapshot, list_column_cap)));
    widths.ready = std::max(list_column_min, std::min(ready, list_column_cap));

    BlockedThreads blocked(trace);
    int blocked_width = 0;
    for (auto const& tick_events : trace.events | views::chunk_by(same_tick)) {
        for (auto const& event : tick_events)
            blocked.apply(event);
        blocked_width = std::max(blocked_width, blocked.width());
    }
    widths.blocked = std::max(list_column_min, std::min(blocked_width, list_column_cap));

    if (!trace.tasks.empty() || has_gil(trace)) {
        LiveTasks tasks(trace);
        GilHolders gil(trace);
        int tasks_width = 0;
        int gil_width = 0;
        for (auto const& tick_events : trace.events | views::chunk_by(same_tick)) {
            for (auto const& event : tick_events) {
                tasks.apply(event);
                gil.apply(event);
            }
            tasks_width = std::max(tasks_width, display_width(tasks.text(wide_list_cap)));
            gil_width = std::max(gil_width, display_width(gil.text(short_list_cap)));
        }
        // Wider caps than the other lists: these columns are what such programs are about.
        widths.tasks = std::max(list_column_min, std::min(tasks_width, wide_list_cap));
        widths.gil = std::max(list_column_min, std::min(gil_width, short_list_cap));
    }
    for (auto const& use : trace.bus)
        widths.bus = std::max(widths.bus, display_width(bus_text(trace, use)));
    if (has_shared(trace)) {
        SharedValues shared(trace);
        int shared_width = display_width(shared.text());
        for (auto const& event : trace.events) {
            shared.apply(event);
            if (event.kind == EventKind::VarWrite)
                shared_width = std::max(shared_width, display_width(shared.text()));
        }
        widths.shared = std::max(list_column_min, std::min(shared_width, short_list_cap));
    }
    if (has_memory_waits(trace)) {
        MemoryQueue memory(trace);
        int memory_width = 0;
        for (auto const& tick_events : trace.events | views::chunk_by(same_tick)) {
            for (auto const& event : tick_events)
                memory.apply(event);
            memory_width = std::max(memory_width, display_width(memory.text(list_column_cap)));
        }
        // At least as wide as its header, which is longer than the other columns' names.
        widths.memory = std::max(display_width(memory_header), std::min(memory_width, list_column_cap));
    }
    if (options.ram)
        for (Tick t = 0; t <= trace.end; t = next_ram_change(trace, t))
            widths.ram = std::max(widths.ram, display_width(ram_text(trace, t)));
    return widths;
}

// A cell no wider than `width` columns: whole when it fits, else cut at a word and marked
// " ...", so that no column pushes the ones after it out of line. Linear in the cell.
std::string fit(std::string const& cell, int width)
{
    if (static_cast<int>(cell.size()) <= width || display_width(cell) <= width)
        return cell;
    std::size_t cut = 0;      // bytes that fit in width - 4 columns, ending on a code point
    std::size_t last_space = 0;
    int used = 0;
    for (std::size_t i = 0; i < cell.size();) {
        std::size_t next = i + 1;
        while (next < cell.size() && (static_cast<unsigned char>(cell[next]) & 0xC0) == 0x80)
            ++next;
        used += display_width(std::string_view(cell).substr(i, next - i));
        if (used > width - 4)
            break;
        if (cell[i] == ' ')
            last_space = i;
        cut = next;
        i = next;
    }
    if (last_space > 0)
        cut = last_space;
    while (cut > 0 && (cell[cut - 1] == ' ' || cell[cut - 1] == ','))
        --cut;
    return cell.substr(0, cut) + " ...";
}

// Joins the cells with " | ", padding all but the last (each fitted to its column), and drops
// trailing spaces (an empty events cell would otherwise leave a dangling separator).
void write_row(std::ostream& out, std::string& line, std::vector<std::string> const& cells, std::vector<int> const& widths,
    std::size_t right_aligned)
{
    line.clear();
    std::size_t count = cells.size();
    while (count > 1 && cells[count - 1].empty())
        --count;
    for (std::size_t i = 0; i < count; ++i) {
        if (i > 0)
            line += separator;
        if (i + 1 == cells.size())
            line += cells[i]; // the events: as long as they are
        else
            line += i < right_aligned ? pad_left(fit(cells[i], widths[i]), widths[i])
                                      : pad_right(fit(cells[i], widths[i]), widths[i]);
    }
    while (!line.empty() && line.back() == ' ')
        line.pop_back();
    line += '\n';
    out << line;
}

}

void render_header(std::ostream& out, Trace const& trace)
{
    auto const& machine = trace.machine;
    // The conventions in force, from their one table (engine/config.hpp), then the cache
    // model's sizes when it is on.
    std::string in_force;
    for (auto const& convention : conventions())
        if (convention.always || convention.changed(machine))
            in_force += fmt::format("; {}", convention.changed(machine) ? convention.when_changed : convention.at_default);
    if (machine.cache > 0)
        in_force += fmt::format("; cache {} per core, warm after {} ticks, then {}x as fast", machine.cache,
            machine.cache_warmup, machine.cache_warm_rate);
    out << fmt::format("ticklab: {} on {} core{}, RAM {}, bus {}/tick{}; scheduler: {}; switch cost {}{}\n",
        trace.program_file, machine.cores, machine.cores == 1 ? "" : "s", format_bytes(machine.ram),
        machine.bus_bandwidth,
        machine.load_chunk > 0 ? fmt::format(", loading {} per bus transfer", format_bytes(machine.load_chunk)) : "", trace.scheduler_description.empty() ? trace.scheduler : trace.scheduler_description,
        machine.switch_cost, in_force);
}

void render_table(std::ostream& out, Trace const& trace) { render_table(out, trace, TableOptions {}); }

void render_table(std::ostream& out, Trace const& trace, TableOptions const& options)
{
    Tick start = std::max<Tick>(options.from, 0);
    Tick last = options.to < 0 ? trace.end : std::min(options.to, trace.end);
    auto plan = plan_folds(trace, options, start, last);
    auto widths = column_widths(trace, options, plan);
    auto cores = trace.core_slices.size();

    std::vector<int> column_widths { widths.tick };
    for (std::size_t core = 0; core < cores; ++core)
        column_widths.push_back(widths.core);
    bool show_tasks = !trace.tasks.empty();
    bool show_gil = has_gil(trace);
    bool show_bus = watches_bus(trace);
    bool show_shared = has_shared(trace);
    bool show_memory = has_memory_waits(trace);
    if (show_bus)
        column_widths.push_back(widths.bus);
    column_widths.push_back(widths.ready);
    column_widths.push_back(widths.blocked);
    if (show_memory)
        column_widths.push_back(widths.memory);
    if (show_tasks)
        column_widths.push_back(widths.tasks);
    if (show_gil)
        column_widths.push_back(widths.gil);
    if (show_shared)
        column_widths.push_back(widths.shared);
    if (options.ram)
        column_widths.push_back(widths.ram);
    column_widths.push_back(0);

    std::vector<std::string> cells;
    cells.reserve(column_widths.size());
    std::string line;

    cells.push_back("tick");
    for (std::size_t core = 0; core < cores; ++core)
        cells.push_back(fmt::format("core {}", core));
    if (show_bus)
        cells.push_back("bus");
    cells.push_back("ready");
    cells.push_back("blocked");
    if (show_memory)
        cells.push_back(std::string(memory_header));
    if (show_tasks)
        cells.push_back("tasks");
    if (show_gil)
        cells.push_back("GIL");
    if (show_shared)
        cells.push_back("shared");
    if (options.ram)
        cells.push_back("RAM");
    cells.push_back("events");
    write_row(out, line, cells, column_widths, 1);

    std::vector<std::size_t> slice_cursor(cores, 0);
    std::size_t bus_cursor = 0;
    std::size_t event_cursor = 0;
    std::size_t snapshot_cursor = 0;
    std::string ready = "-";
    BlockedThreads blocked(trace);
    LiveTasks tasks(trace);
    GilHolders gil(trace);
    SharedValues shared(trace);
    MemoryQueue memory(trace);
    if (options.from > 0) {
        // The rows before `from` are not written: only what they change is followed.
        while (event_cursor < trace.events.size() && trace.events[event_cursor].tick < options.from) {
            auto const& event = trace.events[event_cursor++];
            blocked.apply(event);
            memory.apply(event);
            if (show_tasks)
                tasks.apply(event);
            if (show_gil)
                gil.apply(event);
            if (show_shared)
                shared.apply(event);
        }
        while (snapshot_cursor < trace.queue_snapshots.size() && trace.queue_snapshots[snapshot_cursor].tick < options.from)
            ++snapshot_cursor;
        if (snapshot_cursor > 0)
            ready = ready_text(trace, trace.queue_snapshots[snapshot_cursor - 1], widths.ready);
    }

    // The cells after the cores, as they stand during tick t (`executed`: a tick the cores ran).
    auto state_cells = [&](Tick t, bool executed) {
        if (show_bus) {
            while (bus_cursor < trace.bus.size() && trace.bus[bus_cursor].tick < t)
                ++bus_cursor;
            if (!executed || bus_cursor == trace.bus.size() || trace.bus[bus_cursor].tick != t)
                cells.push_back(executed ? fmt::format("0/{}", trace.machine.bus_bandwidth) : "-");
            else
                cells.push_back(bus_text(trace, trace.bus[bus_cursor]));
        }
        cells.push_back(ready);
        cells.push_back(blocked.text(widths.blocked));
        if (show_memory)
            cells.push_back(memory.text(widths.memory));
        if (show_tasks)
            cells.push_back(tasks.text(widths.tasks));
        if (show_gil)
            cells.push_back(gil.text(widths.gil));
        if (show_shared)
            cells.push_back(shared.text());
        if (options.ram)
            cells.push_back(ram_text(trace, t));
    };

    // One row: tick `t` as the cores executed it, with the queues and waits in force during
    // it and the events of the boundary just before it. `executed` is false for the row at
    // the very end, which only shows the events that closed the run.
    auto row = [&](Tick t, bool executed) {
        cells.clear();
        cells.push_back(fmt::format("{}", t));

        std::string events;
        while (event_cursor < trace.events.size() && trace.events[event_cursor].tick <= t) {
            auto const& event = trace.events[event_cursor++];
            blocked.apply(event);
            memory.apply(event);
            if (show_tasks)
                tasks.apply(event);
            if (show_gil)
                gil.apply(event);
            if (show_shared)
                shared.apply(event);
            if (!events.empty())
                events += "; ";
            events += event_phrase(trace, event);
        }
        while (snapshot_cursor < trace.queue_snapshots.size() && trace.queue_snapshots[snapshot_cursor].tick <= t)
            ready = ready_text(trace, trace.queue_snapshots[snapshot_cursor++], widths.ready);

        for (std::size_t core = 0; core < cores; ++core)
            cells.push_back(executed ? core_cell(trace, slice_at(trace, core, slice_cursor[core], t), t, t) : "-");
        state_cells(t, executed);
        cells.push_back(std::move(events));
        write_row(out, line, cells, column_widths, 1);
    };

    // A folded row: ticks first..last, with no events and no change but the counters.
    auto folded_row = [&](Fold const& fold) {
        cells.clear();
        cells.push_back(fmt::format("{}-{}", fold.first, fold.last));
        bool running = false;
        for (std::size_t core = 0; core < cores; ++core) {
            auto const* slice = slice_at(trace, core, slice_cursor[core], fold.first);
            running = running || (slice && !slice->switching);
            cells.push_back(core_cell(trace, slice, fold.first, fold.last));
        }
        state_cells(fold.first, true);
        cells.push_back(fmt::format("{} ticks: {}", fold.last - fold.first + 1,
            running ? "the same threads keep running" : "no thread runs"));
        write_row(out, line, cells, column_widths, 1);
    };

    std::size_t next_fold = 0;
    for (Tick t = start; t < trace.end && t <= last;) {
        if (next_fold < plan.folds.size() && plan.folds[next_fold].first == t) {
            folded_row(plan.folds[next_fold]);
            t = plan.folds[next_fold++].last + 1;
            continue;
        }
        row(t, true);
        ++t;
    }
    if (event_cursor < trace.events.size() && trace.end <= last)
        row(trace.end, false);
    if (!plan.folds.empty())
        out << "(a row such as " << plan.folds.front().first << "-" << plan.folds.front().last
            << " stands for ticks in which nothing changes but progress; --all-ticks gives each its own row)\n";
    // The footer, under the last row: the data races (trace/races.hpp), by the rows to look at.
    if (trace.end <= last) {
        auto races = find_races(trace).races;
        auto side = [&](RaceAccess const& access) {
            return fmt::format("{}'s {}{} at tick {} (line {})", trace.name(access.thread), access.atomic ? "atomic " : "",
                access.write ? "write" : "read", access.tick, access.line);
        };
        for (std::size_t i = 0; i < races.size() && i < races_listed; ++i)
            out << fmt::format("race on {}: {} and {} are not ordered\n", race_variable(trace, races[i]),
                side(races[i].first), side(races[i].second));
        if (races.size() > races_listed)
            out << fmt::format("and {} more race{} (--format json lists them all)\n", races.size() - races_listed,
                races.size() - races_listed == 1 ? "" : "s");
    }
}

void render_output(std::ostream& out, Trace const& trace)
{
    for (auto const& event : trace.events)
        if (event.kind == EventKind::Print)
            out << fmt::format("[tick {}] {}: {}\n", event.tick, thread_label(trace, event.thread), trace.text(event));
}

}
