#include "trace/render.hpp"
#include "trace/render_util.hpp"
#include "trace/state_events.hpp"
#include "trace/visual.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

// The terminal Gantt chart. Everything is computed per column, never per tick: a run can
// last 10^12 ticks, so a column is filled from the slices and count spans that overlap it.

namespace tl {

namespace {

// Background colours with a readable foreground, one per thread (by id, round robin). Only
// the 16 basic colours: they work in every terminal that has colour at all.
constexpr std::array<std::string_view, 12> s_palette {
    "\x1b[97;41m", "\x1b[30;42m", "\x1b[30;43m", "\x1b[97;44m", "\x1b[97;45m", "\x1b[30;46m",
    "\x1b[30;101m", "\x1b[30;102m", "\x1b[30;103m", "\x1b[30;104m", "\x1b[30;105m", "\x1b[30;106m",
};
constexpr std::string_view s_dim = "\x1b[2m";
constexpr std::string_view s_reset = "\x1b[0m";

constexpr char s_idle = '.';
constexpr char s_switching = '~';
constexpr char s_stalled = '!'; // on a core, waiting for the bus
constexpr char s_ended = ' ';

std::string_view colour_of(ThreadId thread) { return s_palette[index_of(thread) % s_palette.size()]; }

// A column of the chart (0 at the left), each standing for scale.per_column ticks.
using Column = Tick;

// A cell of a core row: a thread's letter, a switch, idle, or past the end of its run.
struct Cell {
    char symbol = s_ended;
    ThreadId thread = no_thread; // for letters, to colour them
};

// How many ticks one column stands for and how many columns the chart has.
struct Scale {
    Tick per_column = 1;
    Tick columns = 0;
};

// One column a tick when the run fits; otherwise the smallest 1, 2 or 5 times a power of ten
// that fits, so axis labels stay round numbers.
Scale choose_scale(Tick ticks, int available)
{
    Scale scale;
    auto room = static_cast<Tick>(std::max(available, 1));
    if (ticks > room) {
        Tick needed = (ticks + room - 1) / room;
        Tick decade = 1;
        for (;;) {
            Tick found = 0;
            for (Tick factor : { 1, 2, 5 })
                if (found == 0 && decade * factor >= needed)
                    found = decade * factor;
            if (found != 0) {
                scale.per_column = found;
                break;
            }
            decade *= 10;
        }
    }
    scale.columns = (ticks + scale.per_column - 1) / scale.per_column;
    return scale;
}

// The ticks of column `c` that lie in [0, limit).
Tick ticks_in(Scale const& scale, Tick column, Tick limit)
{
    Tick start = column * scale.per_column;
    return std::clamp<Tick>(std::min(start + scale.per_column, limit) - start, 0, scale.per_column);
}

// The cache model's row under a core's: per column, 'w' when threads with a working set ran
// there warm for most of their ticks in it, 'c' when cold (still warming), blank when none ran.
std::string cache_cells(Trace const& trace, std::size_t core, Scale const& scale)
{
    PerId<Column, Tick> warm(scale.columns, 0);
    PerId<Column, Tick> cold(scale.columns, 0);
    for (auto const& slice : trace.core_slices[core]) {
        if (slice.switching || slice.stalled || trace.threads[slice.thread].working_set == 0)
            continue;
        for (Column column = slice.start / scale.per_column; column < scale.columns && column * scale.per_column < slice.end;
             ++column) {
            Tick from = std::max(slice.start, column * scale.per_column);
            Tick to = std::min(slice.end, (column + 1) * scale.per_column);
            if (to > from)
                (slice.warm ? warm : cold)[column] += to - from;
        }
    }
    std::string text;
    for (Column column : warm.ids())
        text += warm[column] + cold[column] == 0 ? ' ' : warm[column] >= cold[column] ? 'w' : 'c';
    while (!text.empty() && text.back() == ' ')
        text.pop_back();
    return text;
}

// A core's row. A cell that stands for several ticks shows what took most of them; ties go to
// work over a switch over idleness over the run having ended, then to the lower thread id.
std::vector<Cell> core_cells(Trace const& trace, std::size_t core, Scale const& scale, Tick axis_end)
{
    PerId<Column, std::vector<std::pair<ThreadId, Tick>>> work(scale.columns);
    PerId<Column, Tick> switching(scale.columns, 0);
    PerId<Column, Tick> stalled(scale.columns, 0);
    for (auto const& slice : trace.core_slices[core]) {
        for (Column column = slice.start / scale.per_column; column < scale.columns && column * scale.per_column < slice.end;
             ++column) {
            Tick from = std::max(slice.start, column * scale.per_column);
            Tick to = std::min(slice.end, (column + 1) * scale.per_column);
            if (to <= from)
                continue;
            if (slice.switching) {
                switching[column] += to - from;
                continue;
            }
            if (slice.stalled) {
                stalled[column] += to - from;
                continue;
            }
            auto& entries = work[column];
            auto found = std::find_if(entries.begin(), entries.end(), [&](auto const& e) { return e.first == slice.thread; });
            if (found == entries.end())
                entries.emplace_back(slice.thread, to - from);
            else
                found->second += to - from;
        }
    }

    std::vector<Cell> cells;
    for (Column column : work.ids()) {
        Tick in_run = ticks_in(scale, column, trace.end);
        Tick ended = ticks_in(scale, column, axis_end) - in_run;
        Tick busy = switching[column] + stalled[column];
        Cell best { s_ended, no_thread };
        Tick best_ticks = ended;
        auto& entries = work[column];
        std::sort(entries.begin(), entries.end());
        ThreadId top = no_thread;
        Tick top_ticks = 0;
        for (auto const& [thread, ticks] : entries) {
            busy += ticks;
            if (ticks > top_ticks) {
                top = thread;
                top_ticks = ticks;
            }
        }
        Tick idle = in_run - busy;
        // Checked from the weakest claim to the strongest, each winning ties over the last.
        if (idle >= best_ticks && idle > 0) {
            best = { s_idle, no_thread };
            best_ticks = idle;
        }
        if (switching[column] >= best_ticks && switching[column] > 0) {
            best = { s_switching, no_thread };
            best_ticks = switching[column];
        }
        if (stalled[column] >= best_ticks && stalled[column] > 0) {
            best = { s_stalled, no_thread };
            best_ticks = stalled[column];
        }
        if (top != no_thread && top_ticks >= best_ticks)
            best = { thread_letter(top), top };
        cells.push_back(best);
    }
    return cells;
}

// A count as one character: '.' for none, a digit, '+' for ten or more.
char count_symbol(double average)
{
    auto rounded = static_cast<std::int64_t>(average + 0.5);
    if (rounded <= 0)
        return '.';
    if (rounded >= 10)
        return '+';
    return static_cast<char>('0' + rounded);
}

struct CountRows {
    std::string running;
    std::string stalled;
    std::string ready;
};

// The running, stalled and ready rows: each column the average count over its ticks, rounded.
CountRows count_rows(Trace const& trace, Scale const& scale)
{
    PerId<Column, double> running(scale.columns, 0);
    PerId<Column, double> stalled(scale.columns, 0);
    PerId<Column, double> ready(scale.columns, 0);
    for (auto const& span : count_spans(trace)) {
        for (Column column = span.start / scale.per_column; column < scale.columns && column * scale.per_column < span.end;
             ++column) {
            Tick from = std::max(span.start, column * scale.per_column);
            Tick to = std::min(span.end, (column + 1) * scale.per_column);
            if (to <= from)
                continue;
            running[column] += static_cast<double>(span.running) * static_cast<double>(to - from);
            stalled[column] += static_cast<double>(span.stalled) * static_cast<double>(to - from);
            ready[column] += static_cast<double>(span.ready) * static_cast<double>(to - from);
        }
    }
    CountRows rows;
    for (Column column : running.ids()) {
        Tick in_run = ticks_in(scale, column, trace.end);
        if (in_run == 0) {
            rows.running += s_ended;
            rows.stalled += s_ended;
            rows.ready += s_ended;
            continue;
        }
        rows.running += count_symbol(running[column] / static_cast<double>(in_run));
        rows.stalled += count_symbol(stalled[column] / static_cast<double>(in_run));
        rows.ready += count_symbol(ready[column] / static_cast<double>(in_run));
    }
    return rows;
}

bool has_stalls(Trace const& trace)
{
    return std::any_of(trace.core_stalled.begin(), trace.core_stalled.end(), [](Tick ticks) { return ticks > 0; });
}

std::string trim_right(std::string text)
{
    while (!text.empty() && text.back() == ' ')
        text.pop_back();
    return text;
}

// Writes a row of cells, colouring runs of one thread with one escape sequence each.
std::string cells_text(std::vector<Cell> const& cells, bool colour)
{
    std::size_t shown = cells.size();
    while (shown > 0 && cells[shown - 1].symbol == s_ended)
        --shown;
    std::string text;
    std::string_view open;
    for (std::size_t i = 0; i < shown; ++i) {
        auto const& cell = cells[i];
        if (colour) {
            std::string_view wanted = cell.thread != no_thread ? colour_of(cell.thread)
                : cell.symbol == s_ended                       ? std::string_view()
                                                               : s_dim;
            if (wanted != open) {
                if (!open.empty())
                    text += s_reset;
                text += wanted;
                open = wanted;
            }
        }
        text += cell.symbol;
    }
    if (!open.empty())
        text += s_reset;
    return text;
}

// Everything the chart of several runs shares: the scale, the label column, the axis.
class Chart {
public:
    Chart(std::span<ChartRun const> runs, GanttStyle const& style)
        : m_runs(runs)
        , m_style(style)
    {
        int cores = 1;
        for (auto const& run : runs) {
            m_axis_end = std::max(m_axis_end, run.trace->end);
            cores = std::max(cores, static_cast<int>(run.trace->core_slices.size()));
        }
        m_label_width = std::max(static_cast<int>(std::string_view("running").size()),
                            static_cast<int>(fmt::format("core {}", cores - 1).size()))
            + 2;
        m_scale = choose_scale(m_axis_end, std::max(10, style.width - m_label_width));
        for (auto const& run : runs)
            m_stalls = m_stalls || has_stalls(*run.trace);
    }

    bool empty() const { return m_axis_end == 0; }

    void write(std::ostream& out) const
    {
        if (m_scale.per_column == 1)
            out << "1 column = 1 tick\n";
        else
            out << fmt::format("1 column = {} ticks (a cell shows what took most of them; the counts are averages)\n",
                m_scale.per_column);
        write_axis(out);
        for (auto const& run : m_runs) {
            if (!run.label.empty())
                out << heading(run) << '\n';
            auto const& trace = *run.trace;
            for (std::size_t core = 0; core < trace.core_slices.size(); ++core) {
                out << label(fmt::format("core {}", core))
                    << cells_text(core_cells(trace, core, m_scale, m_axis_end), m_style.colour) << '\n';
                if (trace.machine.cache > 0)
                    out << trim_right(label("  cache") + cache_cells(trace, core, m_scale)) << '\n';
            }
            auto rows = count_rows(trace, m_scale);
            out << trim_right(label("running") + rows.running) << '\n';
            if (m_stalls)
                out << trim_right(label("stalled") + rows.stalled) << '\n';
            out << trim_right(label("ready") + rows.ready) << '\n';
        }
        out << '\n';
        write_legend(out);
    }

private:
    std::string label(std::string_view text) const { return pad_right(text, m_label_width); }

    static std::string heading(ChartRun const& run)
    {
        auto const& trace = *run.trace;
        auto what = fmt::format("{} core{}, {}", trace.machine.cores, trace.machine.cores == 1 ? "" : "s",
            trace.scheduler_description.empty() ? trace.scheduler : trace.scheduler_description);
        if (run.options.empty())
            return fmt::format("{}: {}", run.label, what);
        return fmt::format("{} ({}): {}", run.label, run.options, what);
    }

    // Tick labels at round columns, left-aligned on their column, and a mark row under them
    // with a '+' every 5 columns.
    void write_axis(std::ostream& out) const
    {
        int digits = digit_count(m_scale.columns * m_scale.per_column);
        Tick every = m_scale.columns <= 30 ? 5 : 10;
        while (every < digits + 1)
            every *= 2;
        auto room = static_cast<std::size_t>(std::max<Tick>(m_scale.columns, m_style.width - m_label_width));
        std::string labels;
        for (Tick column = 0; column < m_scale.columns; column += every) {
            auto text = fmt::format("{}", column * m_scale.per_column);
            auto at = static_cast<std::size_t>(column);
            if (at + text.size() > room)
                break;
            labels.resize(at, ' ');
            labels += text;
        }
        std::string marks;
        for (Tick column = 0; column < m_scale.columns; ++column)
            marks += column % 5 == 0 ? '+' : '-';
        out << trim_right(label("tick") + labels) << '\n';
        out << label("") << marks << '\n';
    }

    void write_legend(std::ostream& out) const
    {
        // Every run draws the same program, so the threads of the first name them all; a
        // comparison of different programs would still get every letter it uses.
        std::vector<std::string> names;
        std::vector<ThreadId> ids;
        bool switches = false;
        bool ended = false;
        for (auto const& run : m_runs) {
            auto const& trace = *run.trace;
            for (ThreadId id = 0; id < static_cast<ThreadId>(trace.threads.size()); ++id) {
                if (id < std::ssize(names))
                    continue;
                names.push_back(trace.name(id));
                ids.push_back(id);
            }
            switches = switches || trace.machine.switch_cost > 0;
            ended = ended || trace.end < m_axis_end;
        }
        std::vector<std::pair<std::string, int>> items; // text, display width
        std::size_t shown = std::min<std::size_t>(names.size(), 62);
        for (std::size_t i = 0; i < shown; ++i) {
            std::string letter(1, thread_letter(ids[i]));
            auto text = m_style.colour ? std::string(colour_of(ids[i])) + letter + std::string(s_reset) : letter;
            items.emplace_back(text + " " + names[i], display_width(names[i]) + 2);
        }
        if (names.size() > shown) {
            auto text = fmt::format("* the other {} threads", names.size() - shown);
            items.emplace_back(text, display_width(text));
        }
        auto dimmed = [&](char symbol, std::string_view what) {
            std::string text = m_style.colour ? fmt::format("{}{}{} {}", s_dim, symbol, s_reset, what)
                                              : fmt::format("{} {}", symbol, what);
            items.emplace_back(text, static_cast<int>(what.size()) + 2);
        };
        dimmed(s_idle, "idle");
        if (switches)
            dimmed(s_switching, "switching");
        if (m_stalls)
            dimmed(s_stalled, "stalled, waiting for the bus");
        if (ended)
            items.emplace_back("blank: the run had ended", 24);

        std::string line;
        int line_width = 0;
        for (auto const& [text, width] : items) {
            if (line_width > 0 && line_width + 2 + width > m_style.width) {
                out << line << '\n';
                line.clear();
                line_width = 0;
            }
            if (line_width > 0) {
                line += "  ";
                line_width += 2;
            }
            line += text;
            line_width += width;
        }
        if (!line.empty())
            out << line << '\n';
        bool cache = false;
        for (auto const& run : m_runs)
            cache = cache || run.trace->machine.cache > 0;
        if (cache)
            out << "cache: under each core, w: a thread ran with its working set warm in that core's cache (faster), "
                   "c: cold, still warming\n";
        if (m_stalls)
            out << "running, stalled, ready: threads doing work, threads stalled on the bus, and threads waiting for a core, "
                   "per tick (. none, + 10 or more)\n";
        else
            out << "running, ready: threads doing work, and threads waiting for a core, per tick (. none, + 10 or more)\n";
    }

    std::span<ChartRun const> m_runs;
    GanttStyle m_style;
    Tick m_axis_end = 0;
    bool m_stalls = false; // some run has cores stalled on the bus: a `stalled` row each
    int m_label_width = 0;
    Scale m_scale;
};

void write_averages(std::ostream& out, Parallelism const& p, bool stalls)
{
    out << fmt::format("degree of concurrency {:.2f}: on average {:.2f} threads were {} each tick "
                       "(at most {})\n",
        p.concurrency, p.concurrency, stalls ? "ready, stalled or running" : "ready or running", p.peak_concurrency);
    out << fmt::format("parallelism {:.2f}: on average {:.2f} threads were running each tick (at most {})\n",
        p.parallelism, p.parallelism, p.peak_parallelism);
    if (stalls)
        out << fmt::format("stalled {:.2f}: on average {:.2f} threads held a core waiting for the bus each tick, "
                           "doing no work\n",
            p.stalled, p.stalled);
}

}

char thread_letter(ThreadId thread)
{
    if (thread >= 0 && thread < 26)
        return static_cast<char>('A' + thread);
    if (thread >= 26 && thread < 52)
        return static_cast<char>('a' + (thread - 26));
    if (thread >= 52 && thread < 62)
        return static_cast<char>('0' + (thread - 52));
    return '*';
}

std::vector<CountSpan> count_spans(Trace const& trace)
{
    // Slices say who did work and who was being switched in; events say who was ready or
    // blocked. Both only change at their ticks, so the counts are swept from change to change.
    struct Change {
        Tick tick;
        int running;
        int stalled;
        int switching;
    };
    std::vector<Change> changes;
    for (auto const& slices : trace.core_slices) {
        for (auto const& slice : slices) {
            int switching = slice.switching ? 1 : 0;
            int stalled = !slice.switching && slice.stalled ? 1 : 0;
            int work = 1 - switching - stalled;
            changes.push_back({ slice.start, work, stalled, switching });
            changes.push_back({ slice.end, -work, -stalled, -switching });
        }
    }
    std::sort(changes.begin(), changes.end(), [](Change const& a, Change const& b) { return a.tick < b.tick; });

    PerId<ThreadId, ThreadState> states(trace.threads.count(), ThreadState::New);
    int ready = 0;
    int blocked = 0;
    auto set = [&](ThreadId id, ThreadState state) {
        if (!states.contains(id))
            return;
        auto& old = states[id];
        ready += (state == ThreadState::Ready) - (old == ThreadState::Ready);
        blocked += (state == ThreadState::Blocked) - (old == ThreadState::Blocked);
        old = state;
    };
    auto apply = [&](Event const& event) {
        apply_thread_state(trace, event, set);
    };

    std::vector<CountSpan> spans;
    std::size_t event = 0;
    std::size_t change = 0;
    int running = 0;
    int stalled = 0;
    int switching = 0;
    Tick now = 0;
    while (now < trace.end) {
        while (event < trace.events.size() && trace.events[event].tick <= now)
            apply(trace.events[event++]);
        while (change < changes.size() && changes[change].tick <= now) {
            running += changes[change].running;
            stalled += changes[change].stalled;
            switching += changes[change].switching;
            ++change;
        }
        Tick next = trace.end;
        if (event < trace.events.size())
            next = std::min(next, trace.events[event].tick);
        if (change < changes.size())
            next = std::min(next, changes[change].tick);
        CountSpan span { now, next, running, stalled, ready + switching, blocked };
        auto& last = spans;
        if (!last.empty() && last.back().running == span.running && last.back().stalled == span.stalled
            && last.back().ready == span.ready && last.back().blocked == span.blocked)
            last.back().end = next;
        else
            spans.push_back(span);
        now = next;
    }
    return spans;
}

Parallelism measure_parallelism(Trace const& trace)
{
    Parallelism result;
    if (trace.end <= 0)
        return result;
    double alive = 0;
    double running = 0;
    double stalled = 0;
    for (auto const& span : count_spans(trace)) {
        auto length = static_cast<double>(span.end - span.start);
        int wanting = span.running + span.stalled + span.ready;
        alive += static_cast<double>(wanting) * length;
        running += static_cast<double>(span.running) * length;
        stalled += static_cast<double>(span.stalled) * length;
        result.peak_concurrency = std::max(result.peak_concurrency, wanting);
        result.peak_parallelism = std::max(result.peak_parallelism, span.running);
    }
    result.concurrency = alive / static_cast<double>(trace.end);
    result.parallelism = running / static_cast<double>(trace.end);
    result.stalled = stalled / static_cast<double>(trace.end);
    return result;
}

std::vector<RunFigures> run_figures(std::span<ChartRun const> runs)
{
    std::vector<RunFigures> figures;
    for (auto const& run : runs) {
        RunFigures figure;
        figure.makespan = run.metrics->makespan;
        figure.cores = run.trace->machine.cores;
        figure.utilisation = run.metrics->utilisation;
        figure.parallelism = measure_parallelism(*run.trace);
        auto const& first = figures.empty() ? figure : figures.front();
        if (figure.makespan > 0)
            figure.speedup = static_cast<double>(first.makespan) / static_cast<double>(figure.makespan);
        double cores_ratio = static_cast<double>(figure.cores) / static_cast<double>(std::max(first.cores, 1));
        figure.efficiency = figure.speedup / cores_ratio;
        figures.push_back(figure);
    }
    return figures;
}

void render_gantt(std::ostream& out, Trace const& trace, Metrics const& metrics, GanttStyle const& style)
{
    render_header(out, trace);
    out << '\n';
    ChartRun run { "", "", &trace, &metrics };
    Chart chart(std::span<ChartRun const>(&run, 1), style);
    if (chart.empty())
        out << "nothing ran: the run ended at tick 0\n";
    else
        chart.write(out);
    if (trace.outcome == Outcome::TickLimit)
        out << fmt::format("stopped at the tick limit ({} ticks), {}, utilisation {}\n", trace.machine.max_ticks,
            plural(metrics.context_switches, "context switch", "context switches"), percent(metrics.utilisation));
    else
        out << fmt::format("makespan {} ticks, {}, utilisation {}\n", metrics.makespan,
            plural(metrics.context_switches, "context switch", "context switches"), percent(metrics.utilisation));
    write_averages(out, measure_parallelism(trace), has_stalls(trace));
}

void render_gantt_compare(std::ostream& out, std::span<ChartRun const> runs, GanttStyle const& style)
{
    if (runs.empty())
        return;
    out << fmt::format("ticklab compare: {}\n", runs.front().trace->program_file);
    Chart chart(runs, style);
    out << '\n';
    if (chart.empty())
        out << "nothing ran: every run ended at tick 0\n";
    else
        chart.write(out);
    out << '\n';

    auto figures = run_figures(runs);
    std::vector<std::vector<std::string>> rows;
    rows.push_back({ "", "makespan", "cores", "speed-up", "efficiency", "utilisation", "concurrency", "parallelism" });
    for (std::size_t i = 0; i < runs.size(); ++i) {
        auto const& f = figures[i];
        bool limit = runs[i].trace->outcome == Outcome::TickLimit;
        rows.push_back({ runs[i].label, fmt::format("{}{}", f.makespan, limit ? " (limit)" : ""), fmt::format("{}", f.cores),
            fmt::format("{:.2f}x", f.speedup), percent(f.efficiency), percent(f.utilisation),
            fmt::format("{:.2f}", f.parallelism.concurrency), fmt::format("{:.2f}", f.parallelism.parallelism) });
    }
    std::vector<int> widths(rows.front().size(), 0);
    for (auto const& row : rows)
        for (std::size_t i = 0; i < row.size(); ++i)
            widths[i] = std::max(widths[i], display_width(row[i]));
    for (auto const& row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (i > 0)
                line += "  ";
            line += i == 0 ? pad_right(row[i], widths[i]) : pad_left(row[i], widths[i]);
        }
        out << trim_right(line) << '\n';
    }
    for (std::size_t i = 1; i < runs.size(); ++i) {
        auto const& first = figures.front();
        auto const& f = figures[i];
        out << fmt::format("{}: speed-up {} / {} = {:.2f}x; efficiency {:.2f}x / ({} / {}) = {}\n", runs[i].label,
            first.makespan, f.makespan, f.speedup, f.speedup, plural(f.cores, "core", "cores"),
            plural(first.cores, "core", "cores"), percent(f.efficiency));
    }
    bool stalls = std::any_of(runs.begin(), runs.end(), [](ChartRun const& run) { return has_stalls(*run.trace); });
    if (stalls)
        out << "concurrency: average threads ready, stalled or running per tick; parallelism: average threads running "
               "per tick (a thread stalled on the bus is not running)\n";
    else
        out << "concurrency: average threads ready or running per tick; parallelism: average threads running per tick\n";
}

}
