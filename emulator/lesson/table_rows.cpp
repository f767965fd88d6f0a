#include "lesson/table_rows.hpp"

#include "trace/render.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

namespace tl {

namespace {

// The lines of a rendered table: the header first, then the rows by their tick.
void split_rows(std::string const& text, std::string* header, std::map<Tick, std::string>& rows)
{
    std::size_t start = 0;
    bool first = true;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        std::string line = text.substr(start, end - start) + "\n";
        start = end + 1;
        if (first) {
            if (header)
                *header = std::move(line);
            first = false;
            continue;
        }
        // A row starts with its tick, right-aligned: find it rather than count rows, so the
        // mapping holds even if the table ever leaves out quiet ticks.
        auto digits = line.find_first_not_of(' ');
        if (digits == std::string::npos)
            continue;
        Tick tick = 0;
        auto [rest, status] = std::from_chars(line.data() + digits, line.data() + line.size(), tick);
        if (status != std::errc() || rest == line.data() + digits)
            continue;
        rows[tick] = std::move(line);
    }
}

}

TableRows::TableRows(Trace const& trace)
    : m_trace(trace)
{
    std::ostringstream out;
    TableOptions options;
    options.from = trace.end + 1; // the header alone
    render_table(out, trace, options);
    std::map<Tick, std::string> none;
    split_rows(out.str(), &m_header, none);
}

void TableRows::render_window(Tick first) const
{
    std::ostringstream out;
    TableOptions options;
    options.every_tick = true; // the stepper shows one tick at a time
    options.from = first;
    options.to = first + window - 1;
    render_table(out, m_trace, options);
    m_rows.clear();
    split_rows(out.str(), nullptr, m_rows);
    m_first = first;
}

std::optional<std::string> TableRows::row(Tick t) const
{
    if (t < 0 || t > m_trace.end)
        return std::nullopt;
    if (m_first < 0 || t < m_first || t >= m_first + window)
        render_window(m_first >= 0 && t < m_first ? std::max<Tick>(0, t - window + 1) : t); // backwards: end at t
    auto found = m_rows.find(t);
    if (found == m_rows.end())
        return std::nullopt;
    return found->second;
}

}
