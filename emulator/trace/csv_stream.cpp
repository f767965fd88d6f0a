// The tick CSV written as the run goes (CsvStreamWriter, trace/stream.hpp): byte for byte
// render_csv_ticks' output, one row per tick, the quiet ticks repeated from the last row.
#include "trace/stream.hpp"

#include "trace/csv_blocked.hpp"
#include "trace/render.hpp"
#include "trace/render_util.hpp"
#include "trace/state_events.hpp"

#include <fmt/format.h>
#include <ostream>

namespace tl {

CsvStreamWriter::CsvStreamWriter(std::ostream& out, Trace const& trace)
    : m_out(out)
    , m_trace(&trace)
    , m_open(trace.core_slices.count())
    , m_cells(trace.core_slices.count())
{
    // As render_csv_ticks writes the header.
    std::string header = "tick";
    for (std::size_t core = 0; core < trace.core_slices.size(); ++core)
        header += fmt::format(",{}", csv_field(fmt::format("core{}", core)));
    header += ",ready,blocked\n";
    m_out << header;
    for (auto& open : m_open)
        open.thread = no_thread;
}

void CsvStreamWriter::rows_before(Tick tick)
{
    if (tick <= m_next_row)
        return;
    // Every row until `tick` is the same but for its tick number.
    m_row.clear();
    for (auto const& cell : m_cells) {
        m_row += ',';
        m_row += cell;
    }
    m_row += ',';
    m_row += csv_field(m_ready);
    m_row += ',';
    std::string blocked;
    for (ThreadId id : m_blocked) {
        if (!blocked.empty())
            blocked += ' ';
        blocked += m_trace->name(id);
    }
    m_row += csv_field(blocked);
    m_row += '\n';
    std::string out;
    for (; m_next_row < tick; ++m_next_row) {
        fmt::format_int row(m_next_row);
        out.append(row.data(), row.size());
        out += m_row;
        if (out.size() >= (1 << 20)) {
            m_out << out;
            out.clear();
        }
    }
    m_out << out;
}

// As render_csv_ticks follows the events.
void CsvStreamWriter::event(Event const& event)
{
    rows_before(event.tick);
    follow_blocked(m_blocked, *m_trace, event);
}

void CsvStreamWriter::slice_begins(CoreId core, Slice const& slice)
{
    rows_before(slice.start);
    m_open[core] = slice;
    auto const& name = m_trace->name(slice.thread);
    m_cells[core] = csv_field(slice.switching ? "switch to " + name : slice.stalled ? name + " (bus wait)" : name);
}

void CsvStreamWriter::slice(CoreId core, Slice const& slice)
{
    rows_before(slice.end);
    m_open[core].thread = no_thread;
    m_cells[core].clear();
}

void CsvStreamWriter::queues(Tick tick, std::vector<ReadyQueue> const& queues)
{
    rows_before(tick);
    if (queues == m_queues)
        return;
    m_queues = queues;
    m_ready.clear();
    for (auto const& queue : m_queues)
        for (ThreadId id : queue.threads) {
            if (!m_ready.empty())
                m_ready += ' ';
            m_ready += m_trace->name(id);
        }
}

void CsvStreamWriter::finish(Trace const& trace)
{
    m_trace = &trace;
    rows_before(trace.end);
}

} // namespace tl
