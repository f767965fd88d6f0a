#include "cli/formats.hpp"

#include "trace/metrics.hpp"
#include "trace/render.hpp"

#include <array>
#include <sstream>

namespace tl {

namespace {

struct OutputFormat {
    std::string_view name;
    void (*print)(std::ostream&, Trace const&, Metrics const&);
};

void print_text(std::ostream& out, Trace const& trace, Metrics const& metrics, bool table)
{
    render_header(out, trace);
    if (table) {
        out << '\n';
        render_table(out, trace);
    }
    std::ostringstream printed;
    render_output(printed, trace);
    if (!printed.str().empty())
        out << "\noutput:\n" << printed.str();
    out << '\n';
    render_summary(out, trace, metrics);
}

constexpr std::array s_formats {
    OutputFormat { "table", [](std::ostream& out, Trace const& trace, Metrics const& metrics) { print_text(out, trace, metrics, true); } },
    OutputFormat { "summary", [](std::ostream& out, Trace const& trace, Metrics const& metrics) { print_text(out, trace, metrics, false); } },
    OutputFormat { "json", [](std::ostream& out, Trace const& trace, Metrics const& metrics) { render_json(out, trace, metrics); } },
};

}

bool is_output_format(std::string_view name)
{
    for (auto const& format : s_formats)
        if (format.name == name)
            return true;
    return false;
}

std::string output_format_names()
{
    std::string names;
    for (auto const& format : s_formats)
        names += std::string(names.empty() ? "" : ", ") + std::string(format.name);
    return names;
}

void print_run(std::ostream& out, Trace const& trace, std::string_view format)
{
    auto metrics = compute_metrics(trace);
    for (auto const& entry : s_formats)
        if (entry.name == format)
            entry.print(out, trace, metrics);
}

}
