#include "cli/formats.hpp"

#include "trace/html.hpp"
#include "trace/metrics.hpp"
#include "trace/render.hpp"
#include "trace/visual.hpp"

#include <array>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <unistd.h>

namespace tl {

namespace {

struct OutputFormat {
    std::string_view name;
    void (*print)(std::ostream&, Trace const&, Metrics const&, Presentation const&);
    bool reads_queues = false; // it shows the ready queues, so the run must record their snapshots
};

// The narration goes where the per-tick table would be: after it with --format table, in its
// place with --format summary, and after the chart with --format gantt.
void print_narration(std::ostream& out, Trace const& trace)
{
    out << "\nwhat happened, tick by tick:\n";
    render_narration(out, trace);
}

void print_text(std::ostream& out, Trace const& trace, Metrics const& metrics, Presentation const& presentation, bool table)
{
    render_header(out, trace);
    if (table) {
        out << '\n';
        TableOptions options;
        options.ram = presentation.ram;
        options.every_tick = presentation.all_ticks;
        render_table(out, trace, options);
    }
    if (presentation.explain)
        print_narration(out, trace);
    std::ostringstream printed;
    render_output(printed, trace);
    if (!printed.str().empty())
        out << "\noutput:\n" << printed.str();
    out << '\n';
    render_summary(out, trace, metrics);
}

void print_gantt(std::ostream& out, Trace const& trace, Metrics const& metrics, Presentation const& presentation)
{
    render_gantt(out, trace, metrics, GanttStyle { presentation.colour, presentation.width });
    if (presentation.explain)
        print_narration(out, trace);
}

void print_single(std::ostream& out, Trace const& trace, Metrics const& metrics, Presentation const* html)
{
    ChartRun run { "", "", &trace, &metrics };
    if (html)
        render_lab_page(out, std::span<ChartRun const>(&run, 1), PageOptions { html->language });
    else
        render_svg(out, std::span<ChartRun const>(&run, 1));
}

constexpr std::array s_formats {
    OutputFormat { "table",
        [](std::ostream& out, Trace const& trace, Metrics const& metrics, Presentation const& presentation) {
            print_text(out, trace, metrics, presentation, true);
        },
        true },
    OutputFormat { "summary",
        [](std::ostream& out, Trace const& trace, Metrics const& metrics, Presentation const& presentation) {
            print_text(out, trace, metrics, presentation, false);
        } },
    OutputFormat { "json",
        [](std::ostream& out, Trace const& trace, Metrics const& metrics, Presentation const&) {
            render_json(out, trace, metrics);
        } },
    OutputFormat { "gantt", print_gantt },
    OutputFormat { "csv",
        [](std::ostream& out, Trace const& trace, Metrics const&, Presentation const&) { render_csv_ticks(out, trace); },
        true },
    OutputFormat { "csv-metrics",
        [](std::ostream& out, Trace const& trace, Metrics const& metrics, Presentation const&) {
            render_csv_metrics(out, trace, metrics);
        } },
    OutputFormat { "perfetto",
        [](std::ostream& out, Trace const& trace, Metrics const&, Presentation const&) { render_perfetto(out, trace); },
        true },
    OutputFormat { "svg",
        [](std::ostream& out, Trace const& trace, Metrics const& metrics, Presentation const&) {
            print_single(out, trace, metrics, nullptr);
        } },
    OutputFormat { "html",
        [](std::ostream& out, Trace const& trace, Metrics const& metrics, Presentation const& presentation) {
            print_single(out, trace, metrics, &presentation);
        },
        true },
};

Presentation s_presentation;

}

bool colour_wanted(std::string_view choice)
{
    if (choice == "always")
        return true;
    if (choice == "never")
        return false;
    char const* no_color = std::getenv("NO_COLOR");
    if (no_color != nullptr && *no_color != '\0')
        return false;
    return isatty(fileno(stdout)) != 0;
}

int terminal_width(int requested)
{
    if (requested > 0)
        return requested;
    if (char const* columns = std::getenv("COLUMNS")) {
        std::string_view text(columns);
        int value = 0;
        auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error == std::errc() && end == text.data() + text.size() && value > 0)
            return value;
    }
    return 80;
}

Presentation presentation_for(std::string_view colour, int width, bool explain)
{
    Presentation presentation;
    presentation.colour = colour_wanted(colour);
    presentation.width = terminal_width(width);
    presentation.explain = explain;
    return presentation;
}

void set_presentation(Presentation const& presentation) { s_presentation = presentation; }
Presentation const& current_presentation() { return s_presentation; }

bool is_output_format(std::string_view name)
{
    for (auto const& format : s_formats)
        if (format.name == name)
            return true;
    return false;
}

bool format_reads_queues(std::string_view name, Presentation const& presentation)
{
    if (presentation.explain)
        return true; // the narration says why each thread was the one picked
    for (auto const& format : s_formats)
        if (format.name == name)
            return format.reads_queues;
    return false;
}

bool format_reads_notable_only(std::string_view name, Presentation const& presentation)
{
    return !presentation.explain && (name == "summary" || name == "csv-metrics");
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
    print_run(out, trace, format, s_presentation);
}

void print_run(std::ostream& out, Trace const& trace, std::string_view format, Presentation const& presentation)
{
    auto metrics = compute_metrics(trace);
    metrics.one_core_makespan = presentation.one_core_makespan;
    metrics.one_core_skipped = presentation.one_core_skipped;
    for (auto const& entry : s_formats)
        if (entry.name == format)
            entry.print(out, trace, metrics, presentation);
}

}
