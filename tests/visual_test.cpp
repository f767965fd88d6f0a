// The visual renderers (trace/visual.hpp): the Gantt chart, the comparison, the narration,
// the Perfetto trace, SVG/HTML and CSV. Programs are built by hand; each expected text was
// worked out from the Machine's phase rules (engine/machine.cpp) and checked tick by tick.

#include "support/run.hpp"
#include "trace/render.hpp"
#include "trace/visual.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace tl;
using namespace tl::test;

// This file's names are its own: the test files are compiled several to a unit (tests/meson.build).
namespace visual_test {

namespace {

Instruction instruction(Opcode opcode, Tick ticks = 0, std::string text = {})
{
    Instruction made;
    made.opcode = opcode;
    made.ticks = ticks;
    made.text = std::move(text);
    return made;
}

ThreadSpec thread(std::string name, std::vector<Instruction> code)
{
    ThreadSpec spec;
    spec.name = std::move(name);
    spec.code = std::move(code);
    return spec;
}

// The study note's kitchen, as programs/kitchen.tl has it: Jarvis has three orders; the
// ramen boils (an I/O wait) between two bursts; each order prints when it is served.
Program kitchen(std::string ramen = "ramen")
{
    ProcessSpec process;
    process.name = "kitchen";
    process.threads = {
        thread(std::move(ramen),
            { instruction(Opcode::Compute, 4), instruction(Opcode::Io, 2), instruction(Opcode::Compute, 1),
                instruction(Opcode::Print, 0, "ramen is served") }),
        thread("pasta", { instruction(Opcode::Compute, 3), instruction(Opcode::Print, 0, "pasta is served") }),
        thread("cake", { instruction(Opcode::Compute, 5), instruction(Opcode::Print, 0, "cake is served") }),
    };
    Program program;
    program.file = "kitchen.tl";
    program.processes.push_back(std::move(process));
    return program;
}

// One single-thread process per job, all arriving at 0, like `--jobs P1:0:40,...`.
Program jobs(std::vector<std::pair<std::string, Tick>> const& bursts)
{
    Program program;
    program.file = "<jobs>";
    for (auto const& [name, burst] : bursts) {
        ProcessSpec process;
        process.name = name;
        process.threads.push_back(thread(name, { instruction(Opcode::Compute, burst) }));
        program.processes.push_back(std::move(process));
    }
    return program;
}

Trace one_core(Program const& program = kitchen(), Tick switch_cost = 0)
{
    return run(program, RunSpec { .scheduler = "rr", .cores = 1, .quantum = 2, .switch_cost = switch_cost });
}

Trace three_cores() { return run(kitchen(), RunSpec { .scheduler = "per-core", .cores = 3 }); }

std::string header(Trace const& trace)
{
    std::ostringstream out;
    render_header(out, trace);
    return out.str();
}

// The chart without its first line, the run header (render_header's, tested elsewhere); the
// header itself is checked to be that line exactly.
std::string gantt(Trace const& trace, GanttStyle const& style = { false, 80 })
{
    std::ostringstream out;
    render_gantt(out, trace, compute_metrics(trace), style);
    auto text = out.str();
    auto first = header(trace);
    REQUIRE(text.substr(0, first.size()) == first);
    return text.substr(first.size());
}

template<typename Render>
std::string rendered(Render&& render)
{
    std::ostringstream out;
    render(out);
    return out.str();
}

// A small well-formedness checker for the XML ticklab writes: one root element, every tag
// closed in order, attribute values quoted, no raw '<' in text or values, and every '&'
// starting one of the five predefined entities or a numeric reference.
class XmlChecker {
public:
    explicit XmlChecker(std::string_view text)
        : m_text(text)
    {
    }

    // "" when well-formed, else what is wrong and where.
    std::string check()
    {
        if (m_text.substr(0, 5) == "<?xml") {
            auto end = m_text.find("?>");
            if (end == std::string_view::npos)
                return "unterminated XML declaration";
            m_at = end + 2;
        }
        std::vector<std::string> open;
        int roots = 0;
        while (m_at < m_text.size()) {
            char c = m_text[m_at];
            if (c != '<') {
                if (open.empty() && c != ' ' && c != '\n' && c != '\r' && c != '\t')
                    return where("text outside the root element");
                if (c == '&') {
                    if (!entity())
                        return where("a bare '&' in text");
                    continue;
                }
                if (c == '>')
                    return where("a raw '>' in text");
                ++m_at;
                continue;
            }
            if (m_text.substr(m_at, 2) == "</") {
                auto end = m_text.find('>', m_at);
                if (end == std::string_view::npos)
                    return where("unterminated end tag");
                auto name = std::string(m_text.substr(m_at + 2, end - m_at - 2));
                if (open.empty() || open.back() != name)
                    return where("</" + name + "> closes " + (open.empty() ? std::string("nothing") : open.back()));
                open.pop_back();
                m_at = end + 1;
                continue;
            }
            ++m_at;
            auto name = identifier();
            if (name.empty())
                return where("a '<' that starts no tag");
            if (open.empty() && ++roots > 1)
                return where("a second root element");
            for (;;) {
                skip_spaces();
                if (m_at >= m_text.size())
                    return where("unterminated tag");
                if (m_text.substr(m_at, 2) == "/>") {
                    m_at += 2;
                    break;
                }
                if (m_text[m_at] == '>') {
                    ++m_at;
                    open.push_back(name);
                    break;
                }
                if (identifier().empty())
                    return where("a malformed attribute");
                if (m_at >= m_text.size() || m_text[m_at] != '=')
                    return where("an attribute without '='");
                ++m_at;
                if (m_at >= m_text.size() || m_text[m_at] != '"')
                    return where("an unquoted attribute value");
                ++m_at;
                while (m_at < m_text.size() && m_text[m_at] != '"') {
                    if (m_text[m_at] == '<')
                        return where("a '<' in an attribute value");
                    if (m_text[m_at] == '&' && !entity())
                        return where("a bare '&' in an attribute value");
                    if (m_text[m_at] != '&')
                        ++m_at;
                }
                if (m_at >= m_text.size())
                    return where("unterminated attribute value");
                ++m_at;
            }
        }
        if (!open.empty())
            return "<" + open.back() + "> is never closed";
        return roots == 1 ? "" : "no root element";
    }

private:
    std::string where(std::string const& what) const
    {
        return what + " at byte " + std::to_string(m_at) + ": " + std::string(m_text.substr(m_at, 40));
    }

    std::string identifier()
    {
        auto start = m_at;
        while (m_at < m_text.size()
            && (std::isalnum(static_cast<unsigned char>(m_text[m_at])) || m_text[m_at] == '-' || m_text[m_at] == ':'
                || m_text[m_at] == '_'))
            ++m_at;
        return std::string(m_text.substr(start, m_at - start));
    }

    void skip_spaces()
    {
        while (m_at < m_text.size() && (m_text[m_at] == ' ' || m_text[m_at] == '\n'))
            ++m_at;
    }

    // At a '&': consumes a valid reference and says so.
    bool entity()
    {
        for (std::string_view known : { "&amp;", "&lt;", "&gt;", "&quot;", "&apos;" })
            if (m_text.substr(m_at, known.size()) == known) {
                m_at += known.size();
                return true;
            }
        if (m_text.substr(m_at, 2) == "&#") {
            auto end = m_text.find(';', m_at);
            if (end == std::string_view::npos || end == m_at + 2)
                return false;
            for (auto i = m_at + 2; i < end; ++i)
                if (!std::isdigit(static_cast<unsigned char>(m_text[i])))
                    return false;
            m_at = end + 1;
            return true;
        }
        return false;
    }

    std::string_view m_text;
    std::size_t m_at = 0;
};

std::string xml_problem(std::string_view text) { return XmlChecker(text).check(); }

}

TEST_CASE("The kitchen on one core is a Gantt chart whose letter changes at every switch", "[visual]")
{
    CHECK(gantt(one_core()) == R"(
1 column = 1 tick
tick     0    5    10
         +----+----+--
core 0   AABBCCAABCCAC
running  1111111111111
ready    222222221.11.

A ramen  B pasta  C cake  . idle
running, ready: threads doing work, and threads waiting for a core, per tick (. none, + 10 or more)
makespan 13 ticks, 7 context switches, utilisation 100.0%
degree of concurrency 2.46: on average 2.46 threads were ready or running each tick (at most 3)
parallelism 1.00: on average 1.00 threads were running each tick (at most 1)
)");
}

TEST_CASE("The kitchen on three cores shows idle cores and three threads running at once", "[visual]")
{
    CHECK(gantt(three_cores()) == R"(
1 column = 1 tick
tick     0    5
         +----+-
core 0   AAAA..A
core 1   BBB....
core 2   CCCCC..
running  33321.1
ready    .......

A ramen  B pasta  C cake  . idle
running, ready: threads doing work, and threads waiting for a core, per tick (. none, + 10 or more)
makespan 7 ticks, 0 context switches, utilisation 61.9%
degree of concurrency 1.86: on average 1.86 threads were ready or running each tick (at most 3)
parallelism 1.86: on average 1.86 threads were running each tick (at most 3)
)");
}

TEST_CASE("Context switches show as tildes and count as ready, not running", "[visual]")
{
    CHECK(gantt(one_core(kitchen(), 1)) == R"(
1 column = 1 tick
tick     0    5    10   15
         +----+----+----+----
core 0   AA~BB~CC~AA~B~CC~A~C
running  11.11.11.11.1.11.1.1
ready    2232232232221211211.

A ramen  B pasta  C cake  . idle  ~ switching
running, ready: threads doing work, and threads waiting for a core, per tick (. none, + 10 or more)
makespan 20 ticks, 7 context switches, utilisation 65.0%
degree of concurrency 2.45: on average 2.45 threads were ready or running each tick (at most 3)
parallelism 0.65: on average 0.65 threads were running each tick (at most 1)
)");
}

TEST_CASE("A run longer than the terminal is scaled to round ticks per column and says so", "[visual]")
{
    // 60 ticks in 30 columns less the 9 of the labels: 21 columns, so 5 ticks a column.
    auto trace = run(jobs({ { "P1", 40 }, { "P2", 20 } }), RunSpec { .scheduler = "rr", .quantum = 5 });
    CHECK(gantt(trace, { false, 30 }) == R"(
1 column = 5 ticks (a cell shows what took most of them; the counts are averages)
tick     0    25   50
         +----+----+-
core 0   ABABABABAAAA
running  111111111111
ready    11111111....

A P1  B P2  . idle
running, ready: threads doing work, and threads waiting for a core, per tick (. none, + 10 or more)
makespan 60 ticks, 8 context switches, utilisation 100.0%
degree of concurrency 1.67: on average 1.67 threads were ready or running each tick (at most 2)
parallelism 1.00: on average 1.00 threads were running each tick (at most 1)
)");
}

TEST_CASE("A scaled cell shows the thread that ran most of its ticks", "[visual]")
{
    // Quantum 3: P1 has the ticks whose remainder by 6 is 0, 1 or 2. In 5-tick columns that is
    // AAABB, BAAAB, BBAAA (P1 wins three), then BBBAA, ABBBA, AABBB (P2 wins three), twice.
    auto trace = run(jobs({ { "P1", 30 }, { "P2", 30 } }), RunSpec { .scheduler = "rr", .quantum = 3 });
    auto chart = gantt(trace, { false, 21 });
    CHECK(chart.find("1 column = 5 ticks") != std::string::npos);
    CHECK(chart.find("core 0   AAABBBAAABBB\n") != std::string::npos);
}

TEST_CASE("The Gantt chart is plain ASCII without colour and uses ANSI colours when forced", "[visual]")
{
    auto trace = one_core();
    auto plain = gantt(trace, { false, 80 });
    auto coloured = gantt(trace, { true, 80 });
    CHECK(plain.find('\x1b') == std::string::npos);
    for (char c : plain)
        CHECK(static_cast<unsigned char>(c) < 0x80);
    CHECK(coloured.find('\x1b') != std::string::npos);
    // A run of one thread is coloured once: ramen's first two ticks share one escape.
    CHECK(coloured.find("\x1b[97;41mAA\x1b[0m\x1b[30;42mBB\x1b[0m") != std::string::npos);
}

TEST_CASE("Compare draws two runs on one time axis with speed-up and efficiency", "[visual]")
{
    auto left = one_core();
    auto right = three_cores();
    auto left_metrics = compute_metrics(left);
    auto right_metrics = compute_metrics(right);
    ChartRun const runs[] { { "left", "-c 1 -s rr", &left, &left_metrics }, { "right", "-c 3 -s per-core", &right, &right_metrics } };
    auto text = rendered([&](std::ostream& out) { render_gantt_compare(out, runs, { false, 80 }); });
    CHECK(text == R"(ticklab compare: kitchen.tl

1 column = 1 tick
tick     0    5    10
         +----+----+--
left (-c 1 -s rr): 1 core, round-robin, quantum 2, one global queue
core 0   AABBCCAABCCAC
running  1111111111111
ready    222222221.11.
right (-c 3 -s per-core): 3 cores, per-core dispatch, a queue per core, round-robin quantum 2, no stealing
core 0   AAAA..A
core 1   BBB....
core 2   CCCCC..
running  33321.1
ready    .......

A ramen  B pasta  C cake  . idle  blank: the run had ended
running, ready: threads doing work, and threads waiting for a core, per tick (. none, + 10 or more)

       makespan  cores  speed-up  efficiency  utilisation  concurrency  parallelism
left         13      1     1.00x      100.0%       100.0%         2.46         1.00
right         7      3     1.86x       61.9%        61.9%         1.86         1.86
right: speed-up 13 / 7 = 1.86x; efficiency 1.86x / (3 cores / 1 core) = 61.9%
concurrency: average threads ready or running per tick; parallelism: average threads running per tick
)");
}

TEST_CASE("Concurrency counts ready and running threads; parallelism only running ones", "[visual]")
{
    auto one = measure_parallelism(one_core());
    // Ready: 2 threads over ticks 0-7, 1 at 8, 0 at 9, 1 at 10 and 11, 0 at 12: 19; running 13.
    CHECK(one.concurrency == Approx(32.0 / 13.0));
    CHECK(one.parallelism == Approx(1.0));
    CHECK(one.peak_concurrency == 3);
    CHECK(one.peak_parallelism == 1);
    auto three = measure_parallelism(three_cores());
    CHECK(three.parallelism == Approx(13.0 / 7.0));
    CHECK(three.concurrency == Approx(13.0 / 7.0));
    CHECK(three.peak_parallelism == 3);

    auto spans = count_spans(three_cores());
    REQUIRE(spans.size() == 5);
    CHECK(spans[3].start == 5);
    CHECK(spans[3].end == 6);
    CHECK(spans[3].running == 0);
    CHECK(spans[3].blocked == 1); // the ramen boils
}

TEST_CASE("A core stalled on the bus is not running: bus_bound on 4 cores with a 1-wide bus has parallelism about 2", "[visual]")
{
    // programs/bus_bound.tl: four threads each do 40 times `read table` (one bus transfer)
    // then `compute 1`. The bus grants one transfer a tick, so each tick one core reads and
    // at most one other computes; the other cores hold their threads, stalled. Work: 4 x 40
    // x 2 = 320 core-ticks in a makespan of 161, so parallelism = 320 / 161 = 1.99 (it was
    // reported as 3.96, stalls counted as running). Of the 4 x 161 = 644 core-ticks, 318 are
    // stalls and 6 idle at the end. The stalled threads still want to go on, so concurrency
    // counts them: (320 + 318) / 161 = 3.96.
    auto program = parse_or_fail(R"(process analysis
  shared table = 7
  thread w0
    repeat 40
      read table
      compute 1
  thread w1
    repeat 40
      read table
      compute 1
  thread w2
    repeat 40
      read table
      compute 1
  thread w3
    repeat 40
      read table
      compute 1
)");
    auto trace = run(program, RunSpec { .scheduler = "rr", .cores = 4, .bus = 1 });
    auto metrics = compute_metrics(trace);
    REQUIRE(metrics.makespan == 161);
    REQUIRE(metrics.busy == 320);
    REQUIRE(metrics.stalled == 318);
    auto p = measure_parallelism(trace);
    CHECK(p.parallelism == Approx(320.0 / 161.0));
    CHECK(fmt::format("{:.2f}", p.parallelism) == "1.99");
    CHECK(p.parallelism == Approx(metrics.utilisation * 4));
    CHECK(p.stalled == Approx(318.0 / 161.0));
    CHECK(p.concurrency == Approx(638.0 / 161.0));
    CHECK(p.peak_parallelism == 2);
    // A thread's running ticks leave out its stalls: w0 read 40 times, computed 40 ticks.
    CHECK(job(metrics, "w0").running == 80);
    CHECK(job(metrics, "w0").stalled == 78);
    CHECK(job(metrics, "w0").turnaround == job(metrics, "w0").running + job(metrics, "w0").stalled);
}

TEST_CASE("The narration tells each tick's decisions in one sentence each", "[visual]")
{
    auto text = rendered([&](std::ostream& out) { render_narration(out, one_core()); });
    CHECK(text == R"(tick 0: kitchen arrives and gets the 16K of memory it needs; ramen, pasta and cake are ready.
tick 0: core 0 starts ramen: ramen was first in the ready queue.
tick 2: core 0 switches from ramen to pasta: ramen's 2-tick slice ended; pasta was first in the ready queue.
tick 4: core 0 switches from pasta to cake: pasta's 2-tick slice ended; cake was first in the ready queue.
tick 6: core 0 switches from cake to ramen: cake's 2-tick slice ended; ramen was first in the ready queue.
tick 8: core 0 switches from ramen to pasta: ramen waits on io until tick 10; pasta was first in the ready queue.
tick 9: pasta prints "pasta is served".
tick 9: core 0 switches from pasta to cake: pasta ended; cake was first in the ready queue.
tick 10: ramen's io is done and it is ready again.
tick 11: core 0 switches from cake to ramen: cake's 2-tick slice ended; ramen was first in the ready queue.
tick 12: ramen prints "ramen is served".
tick 12: core 0 switches from ramen to cake: ramen ended; cake was first in the ready queue.
tick 13: cake prints "cake is served".
tick 13: cake ends.
tick 13: process kitchen ends: all its threads have finished, and its 16K of memory is freed.
tick 13: the run is over: every process has finished, so the makespan is 13 ticks.
)");
}

TEST_CASE("The narration of three cores tells idle cores why they have nothing to do", "[visual]")
{
    auto text = rendered([&](std::ostream& out) { render_narration(out, three_cores()); });
    CHECK(text == R"(tick 0: kitchen arrives and gets the 16K of memory it needs; ramen, pasta and cake are ready.
tick 0: core 0 starts ramen: ramen had just arrived.
tick 0: core 1 starts pasta: pasta had just arrived.
tick 0: core 2 starts cake: cake had just arrived.
tick 3: pasta prints "pasta is served".
tick 3: core 1 goes idle: pasta ended, and nothing else is ready.
tick 4: core 0 goes idle: ramen waits on io until tick 6, and nothing else is ready.
tick 5: cake prints "cake is served".
tick 5: core 2 goes idle: cake ended, and nothing else is ready.
tick 6: ramen's io is done and it is ready again.
tick 6: core 0 was idle and now runs ramen: ramen had just woken up.
tick 7: ramen prints "ramen is served".
tick 7: ramen ends.
tick 7: process kitchen ends: all its threads have finished, and its 16K of memory is freed.
tick 7: the run is over: every process has finished, so the makespan is 7 ticks.
)");
}

TEST_CASE("The narration mentions the cost of a switch and counts a slice from after it", "[visual]")
{
    auto text = rendered([&](std::ostream& out) { render_narration(out, one_core(kitchen(), 1)); });
    CHECK(text.find("tick 5: core 0 switches from pasta to cake (the switch takes 1 tick): pasta's 2-tick slice ended; "
                    "cake was first in the ready queue.\n")
        != std::string::npos);
}

TEST_CASE("The narration explains a thread killed by exit and skips it in the queue", "[visual]")
{
    ProcessSpec shop;
    shop.name = "shop";
    shop.threads = { thread("manager", { instruction(Opcode::Compute, 3), instruction(Opcode::Exit) }),
        thread("worker", { instruction(Opcode::Compute, 10) }) };
    ProcessSpec neighbour;
    neighbour.name = "neighbour";
    neighbour.threads = { thread("neighbour", { instruction(Opcode::Compute, 4) }) };
    Program program;
    program.file = "exit.tl";
    program.processes = { shop, neighbour };
    auto text = rendered([&](std::ostream& out) { render_narration(out, one_core(program)); });
    CHECK(text.find("tick 7: worker is killed because manager ran exit, which ends its whole process.\n") != std::string::npos);
    CHECK(text.find("tick 7: core 0 switches from manager to neighbour: manager ran exit; neighbour was first in the ready "
                    "queue.\n")
        != std::string::npos);
}

TEST_CASE("The Perfetto trace has a track per core and a complete event per slice", "[visual]")
{
    auto trace = three_cores();
    auto document = nlohmann::json::parse(rendered([&](std::ostream& out) { render_perfetto(out, trace); }));
    CHECK(document["displayTimeUnit"] == "ms");
    auto const& events = document["traceEvents"];
    REQUIRE(events.is_array());

    std::map<std::string, int> names; // track name -> thread_name events naming it
    std::map<int, std::string> tracks; // tid -> track name
    std::vector<nlohmann::json> complete;
    int prints = 0;
    int wakes = 0;
    std::map<std::string, int> counters;
    std::vector<std::pair<std::int64_t, double>> bus; // (ts, percent)
    for (auto const& event : events) {
        auto phase = event["ph"].get<std::string>();
        if (phase == "M" && event["name"] == "thread_name") {
            auto name = event["args"]["name"].get<std::string>();
            ++names[name];
            tracks[event["tid"].get<int>()] = name;
        } else if (phase == "M" && event["name"] == "process_name") {
            CHECK(event["args"]["name"] == (event["pid"] == 1 ? "machine" : "kitchen"));
        } else if (phase == "X") {
            complete.push_back(event);
        } else if (phase == "i") {
            auto name = event["name"].get<std::string>();
            prints += name.find(" prints") != std::string::npos ? 1 : 0;
            wakes += name.find(" wakes") != std::string::npos ? 1 : 0;
        } else if (phase == "C") {
            ++counters[event["name"].get<std::string>()];
            if (event["name"] == "bus utilisation")
                bus.emplace_back(event["ts"].get<std::int64_t>(), event["args"]["percent"].get<double>());
        }
    }
    for (int core = 0; core < 3; ++core)
        CHECK(names["core " + std::to_string(core)] == 1);
    CHECK(prints == 3);
    CHECK(wakes == 1);
    CHECK(counters["ready queue"] >= 1);
    // The ramen's boil ends at tick 6 and copies its result into RAM: 1 of the bus's 8
    // transfers during tick 6, none otherwise; the run ends at 7.
    CHECK(bus == std::vector<std::pair<std::int64_t, double>> { { 0, 0.0 }, { 6000, 12.5 }, { 7000, 0.0 } });

    // One X event per slice, each on its core's track in time order, 1 tick = 1000 microseconds.
    std::map<std::string, std::vector<nlohmann::json>> on_track;
    for (auto const& event : complete)
        on_track[tracks[event["tid"].get<int>()]].push_back(event);
    for (std::size_t core = 0; core < trace.core_slices.size(); ++core) {
        auto const& mine = on_track["core " + std::to_string(core)];
        REQUIRE(mine.size() == trace.core_slices[core].size());
        for (std::size_t k = 0; k < mine.size(); ++k) {
            auto const& slice = trace.core_slices[core][k];
            auto const& event = mine[k];
            CHECK(event["pid"] == 1);
            CHECK(event["ts"].get<std::int64_t>() == slice.start * 1000);
            CHECK(event["dur"].get<std::int64_t>() == (slice.end - slice.start) * 1000);
            CHECK(event["name"] == trace.name(slice.thread));
            CHECK(event["args"]["process"] == "kitchen");
            CHECK(event["args"]["instruction"] == to_string(trace.instruction(slice)));
        }
    }
    CHECK(complete.size() == 4); // ramen twice (before and after its boil), pasta, cake
}

TEST_CASE("The SVG timeline is well-formed XML with a titled rect per slice", "[visual]")
{
    // A name with every character XML reserves must come out escaped.
    auto trace = one_core(kitchen("r<a>m&e\"n'"));
    auto metrics = compute_metrics(trace);
    ChartRun run { "", "", &trace, &metrics };
    auto svg = rendered([&](std::ostream& out) { render_svg(out, std::span<ChartRun const>(&run, 1)); });
    CHECK(xml_problem(svg) == "");
    CHECK(svg.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
    CHECK(svg.find("<title>r&lt;a&gt;m&amp;e&quot;n&#39;: compute 4, ticks 0-2</title>") != std::string::npos);
    CHECK(svg.find("<title>pasta: compute 3, ticks 2-4</title>") != std::string::npos);
    CHECK(svg.find("<title>cake: compute 5, ticks 12-13</title>") != std::string::npos);
    std::size_t slices = 0;
    for (auto at = svg.find("ticks "); at != std::string::npos; at = svg.find("ticks ", at + 1))
        slices += svg.compare(at - 2, 2, ", ") == 0 ? 1 : 0;
    CHECK(slices == trace.core_slices[0].size());
    // Nothing fetched from anywhere: no scripts, links or external references.
    for (auto const* banned : { "<script", "href", "url(", "@import", "http://", "https://" }) {
        auto found = svg.find(banned);
        bool only_namespace = std::string_view(banned) == "http://" && found == svg.find("http://www.w3.org/2000/svg")
            && svg.find(banned, found + 1) == std::string::npos;
        CHECK((found == std::string::npos || only_namespace));
    }
}

TEST_CASE("The SVG of a comparison draws both runs on one scale, still well-formed", "[visual]")
{
    auto left = one_core(kitchen(), 1);
    auto right = three_cores();
    auto left_metrics = compute_metrics(left);
    auto right_metrics = compute_metrics(right);
    ChartRun const runs[] { { "left", "-c 1 --switch-cost 1", &left, &left_metrics }, { "right", "-c 3 -s per-core", &right, &right_metrics } };
    auto svg = rendered([&](std::ostream& out) { render_svg(out, runs); });
    CHECK(xml_problem(svg) == "");
    CHECK(svg.find("left (-c 1 --switch-cost 1): 1 core") != std::string::npos);
    CHECK(svg.find("right (-c 3 -s per-core): 3 cores") != std::string::npos);
    CHECK(svg.find("<title>switch to pasta, ticks 2-3</title>") != std::string::npos);
    CHECK(svg.find("speed-up 2.86x; efficiency 95.2%") != std::string::npos); // 20 / 7 ticks, over 3 cores
}

TEST_CASE("The HTML page embeds an SVG chart and the metrics tables, all self-contained", "[visual]")
{
    auto trace = one_core();
    auto metrics = compute_metrics(trace);
    ChartRun run { "", "", &trace, &metrics };
    auto html = rendered([&](std::ostream& out) { render_html(out, std::span<ChartRun const>(&run, 1)); });
    CHECK(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", 0) == 0);
    auto start = html.find("<svg ");
    auto end = html.find("</svg>\n");
    REQUIRE(start != std::string::npos);
    REQUIRE(end != std::string::npos);
    CHECK(xml_problem(std::string_view(html).substr(start, end + 7 - start)) == "");
    CHECK(html.find("<tr><td class=\"t\">ramen</td><td class=\"t\">kitchen</td><td>0</td><td>0</td><td>12</td><td>12</td>"
                    "<td>5</td><td>0</td></tr>")
        != std::string::npos);
    CHECK(html.find("<td class=\"t\">all</td><td>13</td><td>0</td><td>0</td><td>100.0%</td>") != std::string::npos);
    CHECK(html.find("<link") == std::string::npos);
    CHECK(html.rfind("</body>\n</html>\n") == html.size() - 16);
}

TEST_CASE("The per-tick CSV has a column per core and the ready and blocked threads", "[visual]")
{
    CHECK(rendered([&](std::ostream& out) { render_csv_ticks(out, one_core()); }) == R"(tick,core0,ready,blocked
0,ramen,pasta cake,
1,ramen,pasta cake,
2,pasta,cake ramen,
3,pasta,cake ramen,
4,cake,ramen pasta,
5,cake,ramen pasta,
6,ramen,pasta cake,
7,ramen,pasta cake,
8,pasta,cake,ramen
9,cake,,ramen
10,cake,ramen,
11,ramen,cake,
12,cake,,
)");
    CHECK(rendered([&](std::ostream& out) { render_csv_ticks(out, three_cores()); }) == R"(tick,core0,core1,core2,ready,blocked
0,ramen,pasta,cake,,
1,ramen,pasta,cake,,
2,ramen,pasta,cake,,
3,ramen,,cake,,
4,,,cake,,ramen
5,,,,,ramen
6,ramen,,,,
)");
    auto switching = rendered([&](std::ostream& out) { render_csv_ticks(out, one_core(kitchen(), 1)); });
    CHECK(switching.find("\n2,switch to pasta,cake ramen,\n") != std::string::npos);
}

TEST_CASE("The metrics CSV has a row per job and quotes fields as RFC 4180 says", "[visual]")
{
    auto trace = one_core(kitchen("ramen, \"spicy\""));
    CHECK(rendered([&](std::ostream& out) { render_csv_metrics(out, trace, compute_metrics(trace)); })
        == R"(job,process,arrival,first_run,finish,turnaround,waiting,response,running,stalled,blocked,state
"ramen, ""spicy""",kitchen,0,0,12,12,5,0,5,0,2,finished
pasta,kitchen,0,2,9,9,6,2,3,0,0,finished
cake,kitchen,0,4,13,13,8,4,5,0,0,finished
)");
    CHECK(csv_field("plain") == "plain");
    CHECK(csv_field("a,b") == "\"a,b\"");
    CHECK(csv_field("two\nlines") == "\"two\nlines\"");
    CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_field(" padded") == "\" padded\"");
    CHECK(csv_field("") == "");
}

TEST_CASE("XML escaping replaces what XML cannot hold and keeps UTF-8 names", "[visual]")
{
    CHECK(xml_escape("a&b<c>d\"e'f") == "a&amp;b&lt;c&gt;d&quot;e&#39;f");
    CHECK(xml_escape("라면") == "라면");
    CHECK(xml_escape(std::string("bell\x07") + "\xff" + "ok") == "bell??ok");
    CHECK(xml_escape("\xed\xa0\x80") == "???"); // a UTF-16 surrogate, not a character
    CHECK(xml_escape("tab\tnew\nline") == "tab\tnew\nline");
}

TEST_CASE("Threads are lettered A-Z, a-z, 0-9, then share a star", "[visual]")
{
    CHECK(thread_letter(0) == 'A');
    CHECK(thread_letter(25) == 'Z');
    CHECK(thread_letter(26) == 'a');
    CHECK(thread_letter(51) == 'z');
    CHECK(thread_letter(52) == '0');
    CHECK(thread_letter(61) == '9');
    CHECK(thread_letter(62) == '*');
}

TEST_CASE("A run that ends at tick 0 draws no chart but still says so", "[visual]")
{
    ProcessSpec process;
    process.name = "hello";
    process.threads = { thread("hello", { instruction(Opcode::Print, 0, "hi") }) };
    Program program;
    program.file = "hello.tl";
    program.processes = { process };
    auto trace = one_core(program);
    REQUIRE(trace.end == 0);
    auto chart = gantt(trace);
    CHECK(chart.find("nothing ran: the run ended at tick 0\n") != std::string::npos);
    CHECK(measure_parallelism(trace).concurrency == 0);
}

TEST_CASE("The XML checker of these tests rejects what is not well-formed", "[visual]")
{
    CHECK(xml_problem("<a><b x=\"1\"/>text &amp; &#39;</a>") == "");
    CHECK(xml_problem("<a>fish & chips</a>") != "");
    CHECK(xml_problem("<a>1 < 2</a>") != "");
    CHECK(xml_problem("<a><b></a></b>") != "");
    CHECK(xml_problem("<a x=1/>") != "");
    CHECK(xml_problem("<a x=\"<\"/>") != "");
    CHECK(xml_problem("<a/><b/>") != "");
    CHECK(xml_problem("<a>") != "");
}

} // namespace visual_test
