#include "trace/html.hpp"

#include "engine/per_id.hpp"
#include "lesson/say.hpp"
#include "trace/races.hpp"
#include "trace/render.hpp"
#include "trace/render_util.hpp"
#include "trace/thread_states.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

// The lab page. Everything a moment of the run needs is computed here, once, and embedded as
// JSON: slices per core, state spans per thread, queue snapshots, writes to shared variables,
// mutex holders, bus ticks, RAM placements and the narration grouped by tick. The player only
// looks things up at the current tick; it decides nothing. The same data drawn statically
// (the SVG chart, the outcome, the tables, the whole narration) is the page without scripts.
// Output is deterministic: no clock, no randomness, JSON keys in a fixed order.

namespace tl {

extern char const* const ticklab_lab_player_js; // generated from html_player.js at build time

namespace {

using Json = nlohmann::ordered_json;

constexpr double s_row = 20;
constexpr double s_gap = 3;

using Span = StateSpan;
constexpr auto const& s_states = thread_state_names;

std::string_view state_label(std::string_view code, Language language)
{
    for (auto const& state : s_states)
        if (state.code == code)
            return tr(language, state.en, state.ko);
    return code;
}

}

namespace {

// The lines of the summary that tell how the run ended, in the summary's own words.
std::vector<std::string> summary_verdict(Trace const& trace, Metrics const& metrics)
{
    std::ostringstream text;
    render_summary(text, trace, metrics);
    std::vector<std::string> lines;
    std::istringstream in(text.str());
    std::string line;
    while (std::getline(in, line)) {
        // "and 3 more races (--format json lists them all)", after the ten race lines.
        if (line.rfind("and ", 0) == 0 && line.find(" more race") != std::string::npos) {
            lines.push_back(line);
            continue;
        }
        for (std::string_view prefix : { "finished at tick", "stopped at", "fault at tick", "waited for memory", "bus:",
                 "speed-up:", "shared variables of", "race:", "data races:" })
            if (line.rfind(prefix, 0) == 0) {
                lines.push_back(line);
                break;
            }
    }
    return lines;
}

// The narration, grouped by the tick its sentences are about.
std::vector<std::pair<Tick, std::vector<std::string>>> narration_by_tick(Trace const& trace)
{
    std::ostringstream text;
    render_narration(text, trace);
    std::vector<std::pair<Tick, std::vector<std::string>>> groups;
    std::istringstream in(text.str());
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("tick ", 0) != 0)
            continue;
        auto colon = line.find(": ");
        if (colon == std::string::npos)
            continue;
        Tick tick = std::atoll(line.substr(5, colon - 5).c_str());
        auto sentence = line.substr(colon + 2);
        if (groups.empty() || groups.back().first != tick)
            groups.push_back({ tick, {} });
        groups.back().second.push_back(std::move(sentence));
    }
    return groups;
}

std::string run_heading(ChartRun const& run, Language language)
{
    auto const& trace = *run.trace;
    auto what = fmt::format(fmt::runtime(tr(language, "{} core{}, {}", "코어 {}개{}, {}")), trace.machine.cores,
        language == Language::Ko || trace.machine.cores == 1 ? "" : "s",
        trace.scheduler_description.empty() ? trace.scheduler : trace.scheduler_description);
    if (run.label.empty())
        return what;
    if (run.options.empty())
        return fmt::format("{}: {}", run.label, what);
    return fmt::format("{} ({}): {}", run.label, run.options, what);
}

std::string header_line(Trace const& trace)
{
    std::ostringstream header;
    render_header(header, trace);
    auto text = header.str();
    if (text.rfind("ticklab: ", 0) == 0)
        text.erase(0, 9);
    while (!text.empty() && text.back() == '\n')
        text.pop_back();
    return text;
}

// What a core shows during a slice; "{}" stands for the step within the instruction, which
// the player fills in per tick (see slice_activity).
std::string slice_text(Trace const& trace, Slice const& slice)
{
    if (slice.switching)
        return "switch";
    auto const& instruction = trace.instruction(slice);
    if (memory_steps(instruction.opcode) == 0)
        return fmt::format("{} {{}}/{}", opcode_info(instruction.opcode).mnemonic, instruction.ticks);
    return slice_activity(trace, slice, slice.start);
}

struct RunData {
    ChartRun const* run = nullptr;
    RunFigures figures;
    std::vector<std::vector<Span>> spans;
    std::vector<Span> finals;
    std::size_t races = 0; // found by trace/races.hpp; the summary's lines name them
    std::vector<std::string> verdict;
    std::vector<std::pair<Tick, std::vector<std::string>>> story;
};

Json run_json(RunData const& data, std::size_t index, bool relative, Language language)
{
    auto const& run = *data.run;
    auto const& trace = *run.trace;
    Json out;
    out["label"] = run.label;
    out["heading"] = run_heading(run, language);
    out["end"] = trace.end;
    out["cores"] = trace.machine.cores;
    out["ram"] = trace.machine.ram;
    out["bandwidth"] = trace.machine.bus_bandwidth;
    out["index"] = index;
    Json threads = Json::array();
    for (std::size_t i = 0; i < trace.threads.size(); ++i) {
        auto id = static_cast<ThreadId>(i);
        auto const& info = trace.threads[i];
        threads.push_back({ { "name", trace.name(id) }, { "process", trace.processes[info.process].name },
            { "letter", std::string(1, thread_letter(id)) }, { "colour", svg_colour(id) } });
    }
    out["threads"] = threads;
    Json cores = Json::array();
    for (auto const& lane : trace.core_slices) {
        Json slices = Json::array();
        for (auto const& slice : lane) {
            // [start, end, thread, kind, text, step base]: the step shown at tick t is t + base.
            auto base = slice.switching ? 0 : slice.done_before + 1 - slice.start;
            slices.push_back(Json::array({ slice.start, slice.end, slice.thread,
                slice.switching ? "switch" : slice.stalled ? "stall" : "run", slice_text(trace, slice), base }));
        }
        cores.push_back(slices);
    }
    out["slices"] = cores;
    Json states = Json::array();
    for (auto const& lane : data.spans) {
        Json spans = Json::array();
        for (auto const& span : lane)
            spans.push_back(Json::array({ span.start, span.end, span.state, span.detail }));
        states.push_back(spans);
    }
    out["states"] = states;
    Json finals = Json::array();
    for (auto const& span : data.finals)
        finals.push_back(Json::array({ span.state, span.detail }));
    out["finals"] = finals;
    Json queues = Json::array();
    for (auto const& snapshot : trace.queue_snapshots) {
        Json list = Json::array();
        for (auto const& queue : snapshot.queues)
            list.push_back(Json::array({ queue.label, queue.threads }));
        queues.push_back(Json::array({ snapshot.tick, list }));
    }
    out["queues"] = queues;
    Json variables = Json::array();
    std::map<std::pair<ProcessId, std::int32_t>, std::size_t> variable_index;
    for (std::size_t p = 0; p < trace.processes.size(); ++p) {
        auto const& process = trace.processes[p];
        for (std::size_t v = 0; v < process.variables.size(); ++v) {
            variable_index[{ static_cast<ProcessId>(p), static_cast<std::int32_t>(v) }] = variables.size();
            variables.push_back({ { "process", process.name }, { "name", process.variables[v] },
                { "initial", process.initial_values[v] }, { "final", process.final_values[v] }, { "writes", Json::array() } });
        }
    }
    Json mutexes = Json::array();
    std::map<std::pair<ProcessId, std::int32_t>, std::size_t> mutex_index;
    for (std::size_t p = 0; p < trace.processes.size(); ++p)
        for (std::size_t m = 0; m < trace.processes[p].mutexes.size(); ++m) {
            mutex_index[{ static_cast<ProcessId>(p), static_cast<std::int32_t>(m) }] = mutexes.size();
            mutexes.push_back({ { "process", trace.processes[p].name }, { "name", trace.processes[p].mutexes[m] },
                { "holders", Json::array() } });
        }
    for (auto const& event : trace.events) {
        if (event.kind == EventKind::VarWrite) {
            auto found = variable_index.find({ event.process, event.object });
            if (found != variable_index.end())
                variables[found->second]["writes"].push_back(Json::array({ event.tick, event.value, event.thread, event.line }));
        } else if (event.kind == EventKind::LockAcquire || event.kind == EventKind::LockRelease) {
            auto found = mutex_index.find({ event.process, event.object });
            if (found != mutex_index.end())
                mutexes[found->second]["holders"].push_back(
                    Json::array({ event.tick, event.kind == EventKind::LockAcquire ? event.thread : no_thread }));
        } else if (event.kind == EventKind::ProcessExit) {
            for (auto& [key, at] : mutex_index)
                if (key.first == event.process)
                    mutexes[at]["holders"].push_back(Json::array({ event.tick, no_thread }));
        }
    }
    out["variables"] = variables;
    out["mutexes"] = mutexes;
    Json bus = Json::array();
    for (auto const& use : trace.bus)
        bus.push_back(Json::array({ use.tick, use.granted, use.devices, use.loading, use.stalled }));
    out["bus"] = bus;
    out["watchesBus"] = watches_bus(trace);
    Json processes = Json::array();
    for (auto const& process : trace.processes)
        processes.push_back({ { "name", process.name }, { "base", process.base }, { "memory", process.memory },
            { "allocated", process.allocated }, { "loaded", process.loaded }, { "freed", process.freed } });
    out["processes"] = processes;
    Json story = Json::array();
    for (auto const& [tick, sentences] : data.story)
        story.push_back(Json::array({ tick, sentences }));
    out["story"] = story;
    Json verdict = data.verdict;
    out["verdict"] = verdict;
    auto const& f = data.figures;
    out["makespan"] = f.makespan;
    out["figures"] = fmt::format("{}; {}", trace.outcome == Outcome::TickLimit
            ? fmt::format("stopped at the tick limit ({})", trace.machine.max_ticks)
            : fmt::format("makespan {}", plural(f.makespan, "tick", "ticks")),
        relative ? fmt::format("speed-up {:.2f}x; efficiency {}", f.speedup, percent(f.efficiency))
                 : fmt::format("utilisation {}", percent(f.utilisation)));
    return out;
}

// The data as a <script> body: JSON with '<' escaped so that no "</script>" can end it early,
// and the two line separators JavaScript once refused in strings.
std::string script_safe(std::string const& json)
{
    std::string out;
    out.reserve(json.size());
    for (std::size_t i = 0; i < json.size(); ++i) {
        char c = json[i];
        if (c == '<')
            out += "\\u003c";
        else if (c == '>')
            out += "\\u003e";
        else if (c == '&')
            out += "\\u0026";
        else if (c == '\xE2' && i + 2 < json.size() && json[i + 1] == '\x80' && (json[i + 2] == '\xA8' || json[i + 2] == '\xA9')) {
            out += json[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
            i += 2;
        } else
            out += c;
    }
    return out;
}

// The static chart: every run on one tick axis, a lane per core then a lane per thread, and a
// cursor (one per run, hidden until the player shows it) over the current tick.
class LabChart {
public:
    LabChart(std::vector<RunData> const& runs, Language language)
        : m_runs(runs)
        , m_language(language)
    {
        std::size_t label = 7;
        for (auto const& data : runs) {
            m_axis_end = std::max(m_axis_end, data.run->trace->end);
            for (std::size_t i = 0; i < data.run->trace->threads.size(); ++i)
                label = std::max(label, static_cast<std::size_t>(display_width(data.run->trace->name(static_cast<ThreadId>(i)))) + 2);
        }
        label = std::min<std::size_t>(label, 24);
        m_left = svg_margin + 12 + svg_char_width * static_cast<double>(label);
        m_tick = m_axis_end > 0 ? std::min(svg_max_tick_width, svg_target_width / static_cast<double>(m_axis_end)) : 1;
    }

    void write(std::ostream& out)
    {
        double y = svg_margin;
        Tick step = nice_step(50.0 / m_tick);
        for (Tick tick = 0; tick <= m_axis_end; tick += step)
            text(x_of(tick), y + 10, fmt::format("{}", tick), "axis", true);
        text(svg_margin, y + 10, std::string(tr(m_language, "tick", "틱")), "axis", false);
        y += 18;
        double top = y;
        for (auto const& data : m_runs)
            y = block(data, y);
        for (Tick tick = 0; tick <= m_axis_end; tick += step)
            m_grid += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" class=\"grid\"/>\n", svg_number(x_of(tick)),
                svg_number(top), svg_number(y));
        double width = std::max(x_of(m_axis_end) + svg_margin + 30, 400.0);
        double height = y + svg_margin;
        out << fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{0}\" height=\"{1}\" "
                           "viewBox=\"0 0 {0} {1}\" data-left=\"{2}\" data-tick=\"{3}\" role=\"img\">\n",
            svg_number(width), svg_number(height), svg_number(m_left), svg_number(m_tick));
        out << "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
               "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fff\"/>"
               "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#9a9a9a\" stroke-width=\"2\"/></pattern></defs>\n";
        out << m_grid << m_body;
        for (std::size_t i = 0; i < m_runs.size(); ++i)
            out << fmt::format("<rect class=\"cursor\" id=\"cursor-{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" "
                               "visibility=\"hidden\"/>\n",
                i, svg_number(x_of(0)), svg_number(m_cursor_top[i]), svg_number(std::max(m_tick, 2.0)), svg_number(m_cursor_bottom[i] - m_cursor_top[i]));
        out << "</svg>\n";
    }

private:
    static Tick nice_step(double at_least)
    {
        Tick decade = 1;
        for (;;) {
            for (Tick factor : { 1, 2, 5 })
                if (static_cast<double>(decade * factor) >= at_least)
                    return decade * factor;
            decade *= 10;
        }
    }

    double x_of(Tick tick) const { return m_left + static_cast<double>(tick) * m_tick; }

    void text(double x, double y, std::string const& content, std::string_view css, bool middle)
    {
        m_body += fmt::format("<text x=\"{}\" y=\"{}\" class=\"{}\"{}>{}</text>\n", svg_number(x), svg_number(y), css,
            middle ? " text-anchor=\"middle\"" : "", xml_escape(content));
    }

    void rect(Tick start, Tick end, double y, std::string const& attributes, std::string const& title)
    {
        m_body += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" {}><title>{}</title></rect>\n",
            svg_number(x_of(start)), svg_number(y), svg_number(x_of(end) - x_of(start)), svg_number(s_row), attributes, xml_escape(title));
    }

    double block(RunData const& data, double y)
    {
        auto const& trace = *data.run->trace;
        text(svg_margin, y + 13, run_heading(*data.run, m_language), "head", false);
        y += 20;
        m_cursor_top.push_back(y);
        for (std::size_t core = 0; core < trace.core_slices.size(); ++core) {
            text(svg_margin, y + 14, fmt::format(fmt::runtime(tr(m_language, "core {}", "코어 {}")), core), "label", false);
            m_body += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"lane\"/>\n", svg_number(x_of(0)), svg_number(y),
                svg_number(x_of(trace.end) - x_of(0)), svg_number(s_row));
            for (auto const& slice : trace.core_slices[core]) {
                auto const& name = trace.name(slice.thread);
                if (slice.switching) {
                    rect(slice.start, slice.end, y, "class=\"switch\"",
                        fmt::format("switch to {}, ticks {}-{}", name, slice.start, slice.end));
                    continue;
                }
                rect(slice.start, slice.end, y,
                    fmt::format("fill=\"{}\"{}", svg_colour(slice.thread), slice.stalled ? " class=\"stall\"" : ""),
                    fmt::format("{}: {}{}, ticks {}-{}", name, to_string(trace.instruction(slice)),
                        slice.stalled ? " (stalled, waiting for the bus)" : "", slice.start, slice.end));
                if (x_of(slice.end) - x_of(slice.start) >= 11)
                    text((x_of(slice.start) + x_of(slice.end)) / 2, y + 14, std::string(1, thread_letter(slice.thread)), "letter",
                        true);
            }
            y += s_row + s_gap;
        }
        y += 4;
        for (std::size_t i = 0; i < data.spans.size(); ++i) {
            auto id = static_cast<ThreadId>(i);
            auto name = trace.name(id);
            text(svg_margin, y + 14, fmt::format("{} {}", thread_letter(id), name), "label", false);
            for (auto const& span : data.spans[i]) {
                if (span.state == "new" || span.state == "done")
                    continue;
                auto title = fmt::format("{}: {}{}, ticks {}-{}", name, state_label(span.state, m_language),
                    span.detail.empty() ? "" : " (" + span.detail + ")", span.start, span.end);
                if (span.state == "fault" || span.state == "killed") {
                    // A mark where it ended, not a bar: it is gone from then on.
                    m_body += fmt::format("<g class=\"{}\"><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"4\" height=\"{}\"/>"
                                          "<text x=\"{}\" y=\"{}\">{}</text></g>\n",
                        span.state, xml_escape(title), svg_number(x_of(span.start)), svg_number(y), svg_number(s_row), svg_number(x_of(span.start) + 7),
                        svg_number(y + 14), xml_escape(state_label(span.state, m_language)));
                    continue;
                }
                std::string attributes = fmt::format("class=\"st {}\"", span.state);
                if (span.state == "run" || span.state == "stall")
                    attributes += fmt::format(" fill=\"{}\"", svg_colour(id));
                rect(span.start, span.end, y, attributes, title);
            }
            y += s_row + s_gap;
        }
        m_cursor_bottom.push_back(y);
        m_body += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" class=\"end\"><title>{3}</title></line>\n",
            svg_number(x_of(trace.end)), svg_number(m_cursor_top.back()), svg_number(y),
            xml_escape(fmt::format(fmt::runtime(tr(m_language, "the run ended at tick {}", "실행이 끝난 틱 {}")), trace.end)));
        return y + 10;
    }

    std::vector<RunData> const& m_runs;
    Language m_language;
    Tick m_axis_end = 0;
    double m_left = 0;
    double m_tick = 1;
    std::vector<double> m_cursor_top;
    std::vector<double> m_cursor_bottom;
    std::string m_grid;
    std::string m_body;
};

void table(std::ostream& out, std::vector<std::string> const& header, std::vector<std::vector<std::string>> const& rows,
    std::string_view css = "")
{
    out << (css.empty() ? std::string("<table>\n") : fmt::format("<table class=\"{}\">\n", css)) << "<tr>";
    for (auto const& cell : header)
        out << "<th>" << xml_escape(cell) << "</th>";
    out << "</tr>\n";
    for (auto const& row : rows) {
        out << "<tr>";
        for (auto const& cell : row) {
            bool number = !cell.empty() && (std::isdigit(static_cast<unsigned char>(cell.front())) || cell == "-");
            out << (number || cell.empty() ? "<td>" : "<td class=\"t\">") << xml_escape(cell) << "</td>";
        }
        out << "</tr>\n";
    }
    out << "</table>\n";
}


void metrics_tables(std::ostream& out, Trace const& trace, Metrics const& metrics, Language language)
{
    std::vector<std::vector<std::string>> jobs;
    bool any_finished = false;
    for (auto const& job : metrics.jobs) {
        any_finished = any_finished || job.finished;
        bool ran = job.first_run >= 0;
        // The same words as the summary.
        auto name = job.faulted ? job.name + " (faulted)"
            : job.killed        ? job.name + " (killed)"
            : !job.started      ? job.name + " (never spawned)"
                                : job.name;
        jobs.push_back({ name, job.process, job.started ? fmt::format("{}", job.arrival) : "-", tick_or_dash(ran, job.first_run),
            tick_or_dash(job.finished, job.finish), tick_or_dash(job.finished, job.turnaround), fmt::format("{}", job.waiting),
            tick_or_dash(ran, job.response) });
    }
    auto average = [&](double value) { return any_finished ? fmt::format("{:.2f}", value) : std::string("-"); };
    jobs.push_back({ std::string(tr(language, "average", "평균")), "", "", "", "", average(metrics.averages.turnaround),
        average(metrics.averages.waiting), average(metrics.averages.response) });
    table(out,
        { std::string(tr(language, "job", "작업")), std::string(tr(language, "process", "프로세스")),
            std::string(tr(language, "arrival", "도착")), std::string(tr(language, "first run", "첫 실행")),
            std::string(tr(language, "finish", "종료")), std::string(tr(language, "turnaround", "반환 시간")),
            std::string(tr(language, "waiting", "대기 시간")), std::string(tr(language, "response", "응답 시간")) },
        jobs, "jobs");

    std::vector<std::vector<std::string>> cores;
    Tick switching = 0;
    for (auto const& core : metrics.cores) {
        switching += core.switching;
        cores.push_back({ fmt::format("{}", core.id), fmt::format("{}", core.busy), fmt::format("{}", core.switching),
            fmt::format("{}", core.stalled), percent(core.utilisation) });
    }
    cores.push_back({ std::string(tr(language, "all", "전체")), fmt::format("{}", metrics.busy), fmt::format("{}", switching),
        fmt::format("{}", metrics.stalled), percent(metrics.utilisation) });
    table(out,
        { std::string(tr(language, "core", "코어")), std::string(tr(language, "busy", "실행")),
            std::string(tr(language, "switching", "문맥 교환")), std::string(tr(language, "bus stalls", "버스 대기")),
            std::string(tr(language, "utilisation", "이용률")) },
        cores, "cores");

    std::vector<std::string> printed;
    for (auto const& event : trace.events)
        if (event.kind == EventKind::Print)
            printed.push_back(fmt::format("[tick {}] {}: {}", event.tick, trace.name(event.thread), trace.text(event)));
    if (!printed.empty()) {
        out << "<p>" << tr(language, "output:", "출력:") << "</p>\n<pre>";
        for (auto const& line : printed)
            out << xml_escape(line) << '\n';
        out << "</pre>\n";
    }
}

// The words the player uses, in the page's language.
Json player_words(Language language)
{
    Json words;
    auto add = [&](std::string_view key, std::string_view en, std::string_view ko) { words[std::string(key)] = tr(language, en, ko); };
    add("tick", "tick", "틱");
    add("core", "core", "코어");
    add("idle", "idle", "유휴");
    add("cores", "Cores", "코어");
    add("threads", "Threads", "스레드");
    add("ready", "Ready queue", "준비 큐");
    add("empty", "empty", "비어 있음");
    add("variables", "Shared variables", "공유 변수");
    add("mutexes", "Mutexes", "뮤텍스");
    add("free", "free", "비어 있음");
    add("heldBy", "held by", "소유:");
    add("bus", "Bus", "버스");
    add("noBus", "no demand", "요청 없음");
    add("granted", "granted", "허용");
    add("waiting", "waiting", "대기");
    add("devices", "for I/O", "I/O용");
    add("loadingBus", "loading", "적재용");
    add("ramMap", "RAM", "RAM");
    add("loadingRam", "loading", "적재 중");
    add("events", "What happens at this tick", "이 틱에 일어난 일");
    add("nothing", "Nothing new at this tick.", "이 틱에는 새로운 일이 없습니다.");
    add("ended", "the run has ended", "실행 종료");
    add("play", "Play", "재생");
    add("pause", "Pause", "일시 정지");
    for (auto const& state : s_states)
        words["state." + std::string(state.code)] = tr(language, state.en, state.ko);
    return words;
}

}

std::string_view lab_player_script() { return ticklab_lab_player_js; }

std::string_view lab_style_sheet()
{
    return "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:1.2rem;color:#222;background:#fff}\n"
           "h1{font-size:1.3rem;margin:0 0 .3rem}h2{font-size:1.1rem;margin:1.4rem 0 .5rem}h3{font-size:1rem;margin:.6rem 0 .3rem}\n"
           ".runline{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.8rem;color:#555;margin:.2rem 0}\n"
           ".badge{display:inline-block;margin-left:.6rem;padding:0 .5rem;border-radius:4px;background:#b3261e;color:#fff;font-size:.9rem}\n"
           ".badge.ok{background:#2e7d32}\n"
           ".outcome{border:2px solid #333;border-radius:6px;padding:.5rem .9rem;margin:.8rem 0;background:#fafafa}\n"
           ".outcome.bad{border-color:#b3261e;background:#fff4f2}.outcome p{margin:.25rem 0}\n"
           ".verdict{font-weight:bold;font-size:1.05rem}.race{color:#8a1c12}.final{font-family:ui-monospace,Menlo,Consolas,monospace}\n"
           ".controls{position:sticky;top:0;background:#fff;padding:.4rem 0;border-bottom:1px solid #ddd;z-index:2;"
           "display:flex;gap:.4rem;align-items:center;flex-wrap:wrap}\n"
           ".controls button{font-size:1rem;min-width:2.4rem;padding:.15rem .4rem}.controls input[type=range]{flex:1;min-width:10rem}\n"
           ".controls output{font-family:ui-monospace,Menlo,Consolas,monospace;min-width:7rem}\n"
           ".chartbox{overflow-x:auto;border:1px solid #ddd;margin:.6rem 0}\n"
           "svg.chart{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;display:block}\n"
           "svg .axis{fill:#555}svg .grid{stroke:#e6e6e6}svg .lane{fill:#f3f3f3}svg .label{fill:#222}svg .head{fill:#111;font-weight:bold}\n"
           "svg .letter{fill:#111;font-size:11px;pointer-events:none}svg .switch{fill:#bbb}svg .stall{fill-opacity:.35}\n"
           "svg .end{stroke:#222;stroke-width:1.5}svg .cursor{fill:#1a73e8;fill-opacity:.18;stroke:#1a73e8;stroke-width:1}\n"
           "svg .st.ready,svg .st.switch{fill:url(#hatch)}svg .st.run{stroke:#333;stroke-width:.5}svg .st.stall{fill-opacity:.35}\n"
           "svg .st.io{fill:#9ecae1}svg .st.sleep{fill:#c6dbef}svg .st.await{fill:#b5d3e7}svg .st.lock{fill:#f4a582}\n"
           "svg .st.join{fill:#d9c7e8}svg .st.gil{fill:#fdd49e}svg .st.memory{fill:#e0e0a0}svg .st.loading{fill:#f0e68c}\n"
           "svg .fault rect{fill:#b3261e}svg .fault text{fill:#b3261e;font-weight:bold}svg .killed rect{fill:#555}svg .killed text{fill:#555}\n"
           ".legend{display:flex;flex-wrap:wrap;gap:.3rem .9rem;font-size:.85rem;margin:.3rem 0}\n"
           ".legend span::before{content:'';display:inline-block;width:.9rem;height:.9rem;margin-right:.3rem;vertical-align:-2px;"
           "border:1px solid #999}\n"
           ".legend .ready::before,.legend .switch::before{background:repeating-linear-gradient(45deg,#fff 0 2px,#9a9a9a 2px 4px)}\n"
           ".legend .run::before{background:#4e79a7}.legend .stall::before{background:#4e79a7;opacity:.35}"
           ".legend .io::before{background:#9ecae1}.legend .sleep::before{background:#c6dbef}.legend .await::before{background:#b5d3e7}"
           ".legend .lock::before{background:#f4a582}.legend .join::before{background:#d9c7e8}.legend .gil::before{background:#fdd49e}"
           ".legend .memory::before{background:#e0e0a0}.legend .loading::before{background:#f0e68c}"
           ".legend .fault::before{background:#b3261e}.legend .killed::before{background:#555}\n"
           ".now{display:grid;grid-template-columns:repeat(auto-fit,minmax(19rem,1fr));gap:.8rem;margin:.6rem 0}\n"
           ".moment{border:1px solid #ccc;border-radius:6px;padding:.4rem .7rem}.moment h3{margin-top:.2rem}\n"
           ".moment dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem .7rem;margin:.2rem 0}\n"
           ".moment dt{font-weight:600;color:#444}.moment dd{margin:0;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem}\n"
           ".moment ul{margin:.2rem 0;padding-left:1.2rem}.moment .story li{margin:.15rem 0}\n"
           ".chip{display:inline-block;padding:0 .35rem;border-radius:3px;margin:0 .2rem .15rem 0;border:1px solid #888}\n"
           "table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #ccc;padding:.2rem .6rem;text-align:right}\n"
           "th:first-child,td:first-child,td.t{text-align:left}th{background:#f3f3f3}\n"
           "pre{background:#f7f7f7;padding:.5rem}ol.story{padding-left:0;list-style:none}ol.story>li{margin:.2rem 0}\n"
           "ol.story>li.current{background:#e8f0fe;outline:1px solid #1a73e8}ol.story b{display:inline-block;min-width:4.5rem}\n"
           ".needs-js{display:none}.js .needs-js{display:block}.js .controls.needs-js{display:flex}.js .no-js{display:none}\n"
           "@media print{.controls,.needs-js,.js .needs-js,.js .controls.needs-js{display:none}.no-js,.js .no-js{display:block}"
           "svg .cursor{display:none}.chartbox{overflow:visible;border:none}}\n";
}

namespace {

// What kind of ending a run had, as labels next to its outcome's heading.
std::string badges(Trace const& trace, RunData const& run, Language language)
{
    std::string out;
    auto badge = [&](std::string_view css, std::string_view en, std::string_view ko) {
        out += fmt::format("<span class=\"badge{}\">{}</span>", css, tr(language, en, ko));
    };
    if (trace.outcome == Outcome::Deadlock)
        badge("", "deadlock", "교착 상태");
    if (trace.outcome == Outcome::TickLimit)
        badge("", "tick limit", "틱 한도");
    if (std::any_of(trace.events.begin(), trace.events.end(), [](Event const& e) { return e.kind == EventKind::Fault; }))
        badge("", "fault", "오류");
    if (run.races > 0)
        badge("", "race", "경쟁 조건");
    if (out.empty())
        badge(" ok", "finished", "정상 종료");
    return out;
}

}

void render_lab_page(std::ostream& out, std::span<ChartRun const> runs, PageOptions const& options)
{
    if (runs.empty())
        return;
    auto language = options.language;
    auto figures = run_figures(runs);
    std::vector<RunData> data;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        RunData run;
        run.run = &runs[i];
        run.figures = figures[i];
        auto lanes = thread_spans(*runs[i].trace);
        run.spans = std::move(lanes.spans);
        run.finals = std::move(lanes.finals);
        run.races = find_races(*runs[i].trace).races.size();
        run.verdict = summary_verdict(*runs[i].trace, *runs[i].metrics);
        run.story = narration_by_tick(*runs[i].trace);
        data.push_back(std::move(run));
    }
    auto const& first = *runs.front().trace;
    auto title = runs.size() == 1 ? fmt::format("ticklab: {}", first.program_file)
                                  : fmt::format("ticklab compare: {}", first.program_file);
    Tick axis_end = 0;
    for (auto const& run : runs)
        axis_end = std::max(axis_end, run.trace->end);

    out << "<!DOCTYPE html>\n<html lang=\"" << (language == Language::Ko ? "ko" : "en") << "\">\n<head>\n<meta charset=\"utf-8\">\n";
    out << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out << "<title>" << xml_escape(title) << "</title>\n";
    out << "<style>\n" << lab_style_sheet() << "</style>\n</head>\n<body>\n";
    out << "<div class=\"lab\" data-end=\"" << axis_end << "\">\n";
    out << "<h1>" << xml_escape(title) << "</h1>\n";
    for (auto const& run : runs)
        out << "<p class=\"runline\">" << xml_escape(run.label.empty() ? header_line(*run.trace) : run.label + ": " + header_line(*run.trace))
            << "</p>\n";

    // The outcome first: how each run ended, in the summary's words, and the races.
    for (std::size_t i = 0; i < data.size(); ++i) {
        auto const& run = data[i];
        auto const& trace = *run.run->trace;
        bool bad = trace.outcome != Outcome::Finished || run.races > 0
            || std::any_of(trace.events.begin(), trace.events.end(), [](Event const& e) { return e.kind == EventKind::Fault; });
        out << "<section class=\"outcome" << (bad ? " bad" : "") << "\" id=\"outcome-" << i << "\">\n";
        out << "<h2>" << xml_escape(run.run->label.empty() ? std::string(tr(language, "Outcome", "결과"))
                                                          : fmt::format("{} {}", tr(language, "Outcome:", "결과:"), run.run->label))
            << badges(trace, run, language) << "</h2>\n";
        for (auto const& line : run.verdict) {
            std::string_view css = line.rfind("shared variables", 0) == 0 ? "final"
                : line.rfind("race:", 0) == 0 ? "race"
                : line.rfind("finished", 0) == 0 || line.rfind("stopped", 0) == 0 || line.rfind("fault", 0) == 0
                ? "verdict"
                : "figure";
            out << "<p class=\"" << css << "\">" << xml_escape(line) << "</p>\n";
        }
        if (runs.size() > 1)
            out << "<p class=\"figure\">" << xml_escape(i == 0 ? fmt::format("makespan {}", plural(run.figures.makespan, "tick", "ticks"))
                                                              : fmt::format("makespan {}; speed-up {:.2f}x; efficiency {}",
                                                                  plural(run.figures.makespan, "tick", "ticks"), run.figures.speedup,
                                                                  percent(run.figures.efficiency)))
                << "</p>\n";
        out << "</section>\n";
    }

    // The player's controls and the moment panel, shown only when the script runs.
    out << "<div class=\"controls needs-js\">"
           "<button type=\"button\" data-do=\"first\" title=\""
        << tr(language, "first tick (Home)", "처음 (Home)")
        << "\">|&lt;</button><button type=\"button\" data-do=\"back\" title=\"" << tr(language, "step back (Left)", "한 틱 뒤로 (←)")
        << "\">&lt;</button><button type=\"button\" data-do=\"play\" title=\"" << tr(language, "play / pause (Space)", "재생 / 일시 정지 (Space)")
        << "\">" << tr(language, "Play", "재생") << "</button><button type=\"button\" data-do=\"step\" title=\"" << tr(language, "step forward (Right)", "한 틱 앞으로 (→)")
        << "\">&gt;</button><button type=\"button\" data-do=\"last\" title=\"" << tr(language, "last tick (End)", "끝 (End)")
        << "\">&gt;|</button>"
           "<input type=\"range\" min=\"0\" max=\""
        << axis_end << "\" value=\"0\" aria-label=\"" << tr(language, "tick", "틱") << "\">"
        << "<output class=\"tick\">" << tr(language, "tick", "틱") << " 0</output>"
        << "<label>" << tr(language, "speed", "속도") << " <select data-do=\"speed\"><option value=\"1000\">1/s</option>"
        << "<option value=\"250\" selected>4/s</option><option value=\"100\">10/s</option><option value=\"20\">50/s</option></select></label>"
        << "</div>\n";

    out << "<div class=\"chartbox\">\n";
    LabChart(data, language).write(out);
    out << "</div>\n<div class=\"legend\">";
    // The states some lane shows (running and ready always, to read the others against).
    std::set<std::string> shown { "run", "ready" };
    for (auto const& run : data) {
        for (auto const& lane : run.spans)
            for (auto const& span : lane)
                shown.insert(span.state);
        for (auto const& final : run.finals)
            shown.insert(final.state);
    }
    for (auto const& state : s_states)
        if (state.code != "new" && state.code != "done" && shown.count(std::string(state.code)) > 0)
            out << "<span class=\"" << state.code << "\">" << xml_escape(tr(language, state.en, state.ko)) << "</span>";
    out << "</div>\n";
    out << "<p>" << tr(language,
                        "A lane per core (what runs there, a colour per thread; grey: a context switch; faded: stalled on the "
                        "bus), then a lane per thread with its state. Hover for details; a bar covers ticks start to end, end "
                        "excluded.",
                        "코어마다 한 줄(그 코어에서 실행되는 스레드, 스레드마다 한 색; 회색: 문맥 교환; 흐린 색: 버스 대기), 그 "
                        "아래 스레드마다 한 줄(그 스레드의 상태). 막대에 마우스를 올리면 자세한 내용이 보입니다.")
        << "</p>\n";
    out << "<div class=\"now needs-js\" aria-live=\"polite\"></div>\n";
    out << "<p class=\"no-js\">"
        << tr(language,
               "With JavaScript on, this page plays the run tick by tick (step, play, a slider; #tick=N in the address "
               "opens a given tick). Below: the whole run.",
               "자바스크립트가 켜져 있으면 이 페이지는 실행을 틱 단위로 재생합니다(한 틱씩, 재생, 슬라이더; 주소의 "
               "#tick=N 은 그 틱을 엽니다). 아래는 실행 전체입니다.")
        << "</p>\n";

    if (runs.size() > 1) {
        out << "<h2>" << tr(language, "Side by side", "나란히 비교") << "</h2>\n";
        std::vector<std::vector<std::string>> rows;
        for (std::size_t i = 0; i < runs.size(); ++i) {
            auto const& f = figures[i];
            rows.push_back({ runs[i].label, runs[i].options, fmt::format("{}", f.makespan), fmt::format("{}", f.cores),
                fmt::format("{:.2f}x", f.speedup), percent(f.efficiency), percent(f.utilisation),
                fmt::format("{:.2f}", f.parallelism.concurrency), fmt::format("{:.2f}", f.parallelism.parallelism) });
        }
        table(out,
            { std::string(tr(language, "run", "실행")), std::string(tr(language, "options", "옵션")),
                std::string(tr(language, "makespan", "전체 소요 시간")), std::string(tr(language, "cores", "코어")),
                std::string(tr(language, "speed-up", "속도 향상")), std::string(tr(language, "efficiency", "효율")),
                std::string(tr(language, "utilisation", "이용률")), std::string(tr(language, "concurrency", "동시성")),
                std::string(tr(language, "parallelism", "병렬성")) },
            rows, "figures");
        out << "<p>" << tr(language,
                            "Speed-up: the first run's makespan divided by this one's. Efficiency: speed-up divided by the "
                            "ratio of cores (this run's over the first's).",
                            "속도 향상: 첫 실행의 전체 소요 시간 ÷ 이 실행의 전체 소요 시간. 효율: 속도 향상 ÷ 코어 수의 비(이 "
                            "실행 ÷ 첫 실행).")
            << "</p>\n";
    }
    for (std::size_t i = 0; i < runs.size(); ++i) {
        auto const& run = runs[i];
        out << "<h2>"
            << xml_escape(run.label.empty() ? std::string(tr(language, "Metrics", "지표"))
                                            : fmt::format("{} {}", tr(language, "Metrics:", "지표:"), run.label))
            << "</h2>\n";
        metrics_tables(out, *run.trace, *run.metrics, language);
    }
    for (std::size_t i = 0; i < data.size(); ++i) {
        auto const& run = data[i];
        out << "<h2>"
            << xml_escape(run.run->label.empty() ? std::string(tr(language, "Tick by tick", "틱별 설명"))
                                                : fmt::format("{} {}", tr(language, "Tick by tick:", "틱별 설명:"), run.run->label))
            << "</h2>\n<ol class=\"story\" id=\"story-" << i << "\">\n";
        for (auto const& [tick, sentences] : run.story) {
            out << "<li data-tick=\"" << tick << "\"><b>" << tr(language, "tick", "틱") << ' ' << tick << "</b> ";
            for (std::size_t k = 0; k < sentences.size(); ++k)
                out << (k > 0 ? " " : "") << xml_escape(sentences[k]);
            out << "</li>\n";
        }
        out << "</ol>\n";
    }

    Json page;
    page["lang"] = language == Language::Ko ? "ko" : "en";
    page["end"] = axis_end;
    page["words"] = player_words(language);
    Json list = Json::array();
    for (std::size_t i = 0; i < data.size(); ++i)
        list.push_back(run_json(data[i], i, i > 0, language));
    page["runs"] = list;
    out << "</div>\n<script type=\"application/json\" id=\"ticklab-data\">" << script_safe(page.dump()) << "</script>\n";
    out << "<script>\n" << lab_player_script() << "</script>\n";
    out << "</body>\n</html>\n";
}

void render_html(std::ostream& out, std::span<ChartRun const> runs) { render_lab_page(out, runs, PageOptions {}); }

}
