#include "lesson/table_rows.hpp"

#include "trace/render.hpp"

#include <charconv>
#include <sstream>

namespace tl {

TableRows::TableRows(Trace const& trace)
{
    std::ostringstream out;
    render_table(out, trace);
    auto text = out.str();
    std::size_t start = 0;
    bool first = true;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        std::string line = text.substr(start, end - start) + "\n";
        start = end + 1;
        if (first) {
            m_header = std::move(line);
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
        m_rows[tick] = std::move(line);
    }
}

std::optional<std::string> TableRows::row(Tick t) const
{
    auto found = m_rows.find(t);
    if (found == m_rows.end())
        return std::nullopt;
    return found->second;
}

}
