#include "trace/render.hpp"
#include "engine/per_id.hpp"
#include "trace/render_util.hpp"
#include "trace/visual.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

// The SVG timeline (the lab page, --format html, is trace/html.cpp). It is self-contained: no scripts, no
// fonts or style sheets from anywhere (generic font families only), no links; hovering a
// slice shows its <title>. The picture carries what the terminal chart does (a row per core,
// a colour per thread, the running/ready counts, a legend, a tick axis) at a scale chosen so
// that the longest run is about 900 pixels wide; runs drawn together share that scale.

namespace tl {

namespace {

constexpr double s_row_height = 22;
constexpr double s_row_gap = 4;
constexpr double s_counts_height = 36;

std::string heading(ChartRun const& run)
{
    auto const& trace = *run.trace;
    auto what = fmt::format("{} core{}, {}", trace.machine.cores, trace.machine.cores == 1 ? "" : "s",
        trace.scheduler_description.empty() ? trace.scheduler : trace.scheduler_description);
    if (run.label.empty())
        return what;
    if (run.options.empty())
        return fmt::format("{}: {}", run.label, what);
    return fmt::format("{} ({}): {}", run.label, run.options, what);
}

std::string figures_line(ChartRun const& run, RunFigures const& figure, bool relative)
{
    auto const& trace = *run.trace;
    auto text = trace.outcome == Outcome::TickLimit ? fmt::format("stopped at the tick limit ({})", trace.machine.max_ticks)
                                                    : fmt::format("makespan {}", plural(figure.makespan, "tick", "ticks"));
    text += fmt::format("; {}; utilisation {}; concurrency {:.2f}; parallelism {:.2f}",
        plural(run.metrics->context_switches, "context switch", "context switches"), percent(figure.utilisation),
        figure.parallelism.concurrency, figure.parallelism.parallelism);
    if (relative)
        text += fmt::format("; speed-up {:.2f}x; efficiency {}", figure.speedup, percent(figure.efficiency));
    return text;
}

// The smallest 1, 2 or 5 times a power of ten at or above `at_least`.
Tick nice_step(double at_least)
{
    Tick decade = 1;
    for (;;) {
        for (Tick factor : { 1, 2, 5 })
            if (static_cast<double>(decade * factor) >= at_least)
                return decade * factor;
        decade *= 10;
    }
}

class SvgTimeline {
public:
    explicit SvgTimeline(std::span<ChartRun const> runs)
        : m_runs(runs)
        , m_figures(run_figures(runs))
    {
        std::size_t label = 5; // "ready"
        for (auto const& run : runs) {
            m_axis_end = std::max(m_axis_end, run.trace->end);
            label = std::max(label, fmt::format("core {}", run.trace->core_slices.size() - 1).size());
        }
        for (auto const& figure : m_figures)
            m_peak = std::max(m_peak, figure.parallelism.peak_concurrency);
        m_label_width = 12 + svg_char_width * static_cast<double>(std::max<std::size_t>(label, 7));
        m_tick_width = m_axis_end > 0 ? std::min(svg_max_tick_width, svg_target_width / static_cast<double>(m_axis_end)) : 1;
        m_chart_left = svg_margin + m_label_width;
    }

    void write(std::ostream& out, bool standalone)
    {
        m_body.clear();
        m_grid.clear();
        double y = svg_margin;
        y = axis(y);
        for (std::size_t i = 0; i < m_runs.size(); ++i)
            y = run_block(m_runs[i], m_figures[i], i > 0, y);
        y = legend(y + 8);
        double width = std::max(m_chart_left + static_cast<double>(m_axis_end) * m_tick_width + svg_margin + 40, m_min_width);
        double height = y + svg_margin;

        if (standalone)
            out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
        out << fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" "
                           "font-family=\"ui-monospace, Menlo, Consolas, monospace\" font-size=\"12\">\n",
            svg_number(width), svg_number(height), svg_number(width), svg_number(height));
        out << "<title>" << xml_escape(title()) << "</title>\n";
        out << "<style>.axis{fill:#555}.grid{stroke:#e4e4e4;stroke-width:1}.lane{fill:#f3f3f3}"
               ".label{fill:#222}.head{fill:#111;font-weight:bold}.note{fill:#444}.end{stroke:#222;stroke-width:1.5}"
               ".run text{fill:#111}.switch{fill:#bbb}.stall{fill-opacity:0.35}.running{fill:#555}.stalled{fill:#999}.ready{fill:#c9c9c9}</style>\n";
        out << "<rect x=\"0\" y=\"0\" width=\"" << svg_number(width) << "\" height=\"" << svg_number(height) << "\" fill=\"#fff\"/>\n";
        out << m_grid << m_body;
        out << "</svg>\n";
    }

private:
    std::string title() const
    {
        auto const& trace = *m_runs.front().trace;
        if (m_runs.size() == 1)
            return fmt::format("ticklab: {}", trace.program_file);
        return fmt::format("ticklab compare: {}", trace.program_file);
    }

    double x_of(Tick tick) const { return m_chart_left + static_cast<double>(tick) * m_tick_width; }

    void text(double x, double y, std::string_view content, std::string_view css, std::string_view anchor = "start")
    {
        m_body += fmt::format("<text x=\"{}\" y=\"{}\" class=\"{}\"{}>{}</text>\n", svg_number(x), svg_number(y), css,
            anchor == "start" ? std::string() : fmt::format(" text-anchor=\"{}\"", anchor), xml_escape(content));
        m_min_width = std::max(m_min_width, x + svg_char_width * static_cast<double>(display_width(content)) + svg_margin);
    }

    // Tick labels every round number of ticks, at least 50 pixels apart.
    double axis(double y)
    {
        m_step = nice_step(50.0 / m_tick_width);
        text(svg_margin, y + 12, "tick", "axis");
        for (Tick tick = 0; tick <= m_axis_end; tick += m_step)
            text(x_of(tick), y + 12, fmt::format("{}", tick), "axis", "middle");
        return y + 20;
    }

    // Vertical lines at the axis labels over a run's rows, kept apart and drawn first so that
    // they lie behind everything else (and never through text).
    void grid(double top, double bottom)
    {
        for (Tick tick = 0; tick <= m_axis_end; tick += m_step)
            m_grid += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" class=\"grid\"/>\n", svg_number(x_of(tick)),
                svg_number(top), svg_number(bottom));
    }

    double run_block(ChartRun const& run, RunFigures const& figure, bool relative, double y)
    {
        auto const& trace = *run.trace;
        text(svg_margin, y + 14, heading(run), "head");
        y += 22;
        double top = y;
        for (std::size_t core = 0; core < trace.core_slices.size(); ++core) {
            text(svg_margin, y + 15, fmt::format("core {}", core), "label");
            m_body += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"lane\"/>\n",
                svg_number(x_of(0)), svg_number(y), svg_number(x_of(trace.end) - x_of(0)), svg_number(s_row_height));
            m_body += "<g class=\"run\">\n";
            for (auto const& slice : trace.core_slices[core])
                slice_rect(trace, slice, y);
            m_body += "</g>\n";
            y += s_row_height + s_row_gap;
        }
        counts(trace, y);
        y += s_counts_height;
        grid(top, y);
        m_body += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" class=\"end\"><title>{3}</title></line>\n",
            svg_number(x_of(trace.end)), svg_number(top), svg_number(y), xml_escape(fmt::format("the run ended at tick {}", trace.end)));
        y += 6;
        text(svg_margin, y + 12, figures_line(run, figure, relative), "note");
        return y + 26;
    }

    void slice_rect(Trace const& trace, Slice const& slice, double y)
    {
        auto const& name = trace.name(slice.thread);
        auto title = slice.switching
            ? fmt::format("switch to {}, ticks {}-{}", name, slice.start, slice.end)
            : fmt::format("{}: {}{}, ticks {}-{}", name, to_string(trace.instruction(slice)),
                  slice.stalled ? " (stalled, waiting for the bus)" : "", slice.start, slice.end);
        double x = x_of(slice.start);
        double width = x_of(slice.end) - x;
        m_body += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" {}><title>{}</title></rect>\n", svg_number(x),
            svg_number(y), svg_number(width), svg_number(s_row_height),
            slice.switching ? std::string("class=\"switch\"")
                : slice.stalled ? fmt::format("fill=\"{}\" class=\"stall\"", svg_colour(slice.thread))
                                : fmt::format("fill=\"{}\"", svg_colour(slice.thread)),
            xml_escape(title));
        // The name when it fits, else the thread's letter, else nothing.
        std::string label = slice.switching ? std::string("~") : name;
        if (svg_char_width * static_cast<double>(display_width(label)) + 6 > width)
            label = slice.switching ? std::string() : std::string(1, thread_letter(slice.thread));
        if (!label.empty() && svg_char_width + 4 <= width)
            m_body += fmt::format("<text x=\"{}\" y=\"{}\" pointer-events=\"none\">{}</text>\n", svg_number(x + 3),
                svg_number(y + 15), xml_escape(label));
    }

    // Stacked bars: running (dark) under stalled (mid grey) under ready (light), one scale for
    // every run drawn.
    void counts(Trace const& trace, double y)
    {
        // Labelled as stacked: ready on top, running at the bottom.
        text(svg_margin, y + 12, "ready", "label");
        text(svg_margin, y + 33, "running", "label");
        double unit = s_counts_height / static_cast<double>(std::max(m_peak, 1));
        double base = y + s_counts_height;
        for (auto const& span : count_spans(trace)) {
            if (span.running + span.stalled + span.ready == 0)
                continue;
            double x = x_of(span.start);
            double width = x_of(span.end) - x;
            auto title = xml_escape(span.stalled > 0
                    ? fmt::format("ticks {}-{}: {} running, {} stalled, {} ready", span.start, span.end, span.running,
                          span.stalled, span.ready)
                    : fmt::format("ticks {}-{}: {} running, {} ready", span.start, span.end, span.running, span.ready));
            double running = unit * span.running;
            double stalled = unit * span.stalled;
            double ready = unit * span.ready;
            if (span.running > 0)
                m_body += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"running\"><title>{}</title></rect>\n",
                    svg_number(x), svg_number(base - running), svg_number(width), svg_number(running), title);
            if (span.stalled > 0)
                m_body += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"stalled\"><title>{}</title></rect>\n",
                    svg_number(x), svg_number(base - running - stalled), svg_number(width), svg_number(stalled), title);
            if (span.ready > 0)
                m_body += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"ready\"><title>{}</title></rect>\n",
                    svg_number(x), svg_number(base - running - stalled - ready), svg_number(width), svg_number(ready), title);
        }
    }

    double legend(double y)
    {
        std::vector<std::pair<std::string, std::string>> items; // colour or class, name
        std::size_t threads = 0;
        bool switches = false;
        bool stalls = false;
        for (auto const& run : m_runs) {
            threads = std::max(threads, run.trace->threads.size());
            switches = switches || run.trace->machine.switch_cost > 0;
            for (Tick ticks : run.trace->core_stalled)
                stalls = stalls || ticks > 0;
        }
        auto const& names = *m_runs.front().trace;
        double x = svg_margin;
        double row_width = std::max(svg_target_width, m_chart_left + static_cast<double>(m_axis_end) * m_tick_width);
        auto item = [&](std::string const& swatch, std::string const& label) {
            double width = 18 + svg_char_width * static_cast<double>(display_width(label)) + 16;
            if (x > svg_margin && x + width > row_width) {
                x = svg_margin;
                y += 18;
            }
            m_body += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" {}/>\n", svg_number(x), svg_number(y), swatch);
            text(x + 16, y + 10, label, "label");
            x += width;
        };
        for (std::size_t id = 0; id < threads && id < names.threads.size(); ++id)
            item(fmt::format("fill=\"{}\"", svg_colour(static_cast<ThreadId>(id))),
                fmt::format("{} {}", thread_letter(static_cast<ThreadId>(id)), names.name(static_cast<ThreadId>(id))));
        if (switches)
            item("class=\"switch\"", "switching");
        item("class=\"lane\" stroke=\"#ccc\"", "idle");
        // A stalled slice is drawn in its thread's colour, faded; the swatch shows the fading.
        if (stalls)
            item("fill=\"#555\" class=\"stall\"", "stalled on the bus (faded)");
        item("class=\"running\"", "running threads");
        if (stalls)
            item("class=\"stalled\"", "stalled threads");
        item("class=\"ready\"", "ready threads");
        return y + 18;
    }

    std::span<ChartRun const> m_runs;
    std::vector<RunFigures> m_figures;
    Tick m_axis_end = 0;
    Tick m_step = 1;
    int m_peak = 1;
    double m_label_width = 0;
    double m_tick_width = 1;
    double m_chart_left = 0;
    double m_min_width = 0;
    std::string m_grid;
    std::string m_body;
};

// Whether `bytes` starting at `i` hold a well-formed UTF-8 sequence of a character XML
// allows; its length, or 0.
std::size_t xml_character(std::string_view bytes, std::size_t i)
{
    auto lead = static_cast<unsigned char>(bytes[i]);
    if (lead < 0x80)
        return lead >= 0x20 || lead == '\t' || lead == '\n' || lead == '\r' ? 1 : 0;
    std::size_t length = (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
    if (length == 0 || i + length > bytes.size())
        return 0;
    char32_t code = lead & (0x7F >> length);
    for (std::size_t k = 1; k < length; ++k) {
        auto next = static_cast<unsigned char>(bytes[i + k]);
        if ((next & 0xC0) != 0x80)
            return 0;
        code = (code << 6) | (next & 0x3F);
    }
    constexpr std::array<char32_t, 5> smallest { 0, 0, 0x80, 0x800, 0x10000 };
    bool overlong = code < smallest[length];
    bool surrogate = code >= 0xD800 && code <= 0xDFFF;
    bool excluded = code == 0xFFFE || code == 0xFFFF || code > 0x10FFFF;
    return overlong || surrogate || excluded ? 0 : length;
}

}

std::string xml_escape(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        auto length = xml_character(text, i);
        if (length == 0) {
            out += '?';
            ++i;
            continue;
        }
        if (length > 1) {
            out.append(text.substr(i, length));
            i += length;
            continue;
        }
        switch (char c = text[i++]) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c; break;
        }
    }
    return out;
}

void render_svg(std::ostream& out, std::span<ChartRun const> runs)
{
    if (runs.empty())
        return;
    SvgTimeline(runs).write(out, true);
}


}
