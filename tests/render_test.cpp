// The renderers: the per-tick table, the summary, printed output and JSON, checked against
// text worked out by hand from the Machine's phase rules (engine/machine.cpp).

#include "support/run.hpp"
#include "support/workloads.hpp"
#include "trace/render.hpp"
#include "trace/render_util.hpp"
#include "gen/generator.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include <sstream>
#include <string>
#include <vector>

using namespace tl;
using namespace tl::test;

// This file's names are its own: the test files are compiled several to a unit (tests/meson.build).
namespace render_test {

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

// The study note's kitchen, built by hand so these tests do not depend on the parser: the
// robot Jarvis has three orders. The ramen boils (an I/O wait) between two bursts.
Program kitchen(std::string ramen = "ramen", std::string pasta = "pasta", std::string cake = "cake")
{
    ProcessSpec process;
    process.name = "kitchen";
    process.threads = {
        thread(std::move(ramen), { instruction(Opcode::Compute, 4), instruction(Opcode::Io, 2), instruction(Opcode::Compute, 1) }),
        thread(std::move(pasta), { instruction(Opcode::Compute, 3) }),
        thread(std::move(cake), { instruction(Opcode::Compute, 5) }),
    };
    Program program;
    program.file = "kitchen.tl";
    program.processes.push_back(std::move(process));
    return program;
}

// One single-thread process per job, all arriving at 0, like `--jobs P1:0:24,...`.
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

std::string table(Trace const& trace)
{
    std::ostringstream out;
    render_table(out, trace);
    return out.str();
}

std::string summary(Trace const& trace)
{
    std::ostringstream out;
    render_summary(out, trace, compute_metrics(trace));
    return out.str();
}

std::string output(Trace const& trace)
{
    std::ostringstream out;
    render_output(out, trace);
    return out.str();
}

nlohmann::json json_of(Trace const& trace)
{
    std::ostringstream out;
    render_json(out, trace, compute_metrics(trace));
    return nlohmann::json::parse(out.str());
}

std::vector<std::string> lines_of(std::string const& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

}

// Display columns at which each " | " separator starts, for checking alignment.
std::vector<int> separator_columns(std::string const& line)
{
    std::vector<int> columns;
    for (auto at = line.find(" | "); at != std::string::npos; at = line.find(" | ", at + 3))
        columns.push_back(display_width(std::string_view(line).substr(0, at)));
    return columns;
}

TEST_CASE("The header states the machine, the policy and the conventions in force", "[render]")
{
    auto trace = run(kitchen(), { .scheduler = "rr", .quantum = 2 });
    std::ostringstream out;
    render_header(out, trace);
    CHECK(out.str()
        == "ticklab: kitchen.tl on 1 core, RAM 1M, bus 8/tick; scheduler: round-robin, quantum 2, one global queue; "
           "switch cost 0; arrivals queue before a preempted thread; wake-ups may preempt\n");
}

TEST_CASE("Jarvis alone on one core takes turns at the three orders (round-robin, quantum 2)", "[render]")
{
    // Slices of 2: ramen 0-2, pasta 2-4, cake 4-6, ramen 6-8 (its compute 4 done, it starts
    // boiling until 10), pasta 8-9 (done), cake 9-11 (the ramen wakes at 10 and queues),
    // ramen 11-12 (serve), cake 12-13. Every hand-over but the first is a switch: 7.
    auto trace = run(kitchen(), { .scheduler = "rr", .cores = 1, .quantum = 2 });
    CHECK(table(trace) == R"(tick | core 0            | ready        | blocked             | events
   0 | ramen compute 1/4 | pasta cake   | -                   | kitchen arrives; kitchen admitted (16K); ramen ready; pasta ready; cake ready; core 0 runs ramen
   1 | ramen compute 2/4 | pasta cake   | -
   2 | pasta compute 1/3 | cake ramen   | -                   | ramen's slice ends; core 0 runs pasta
   3 | pasta compute 2/3 | cake ramen   | -
   4 | cake compute 1/5  | ramen pasta  | -                   | pasta's slice ends; core 0 runs cake
   5 | cake compute 2/5  | ramen pasta  | -
   6 | ramen compute 3/4 | pasta cake   | -                   | cake's slice ends; core 0 runs ramen
   7 | ramen compute 4/4 | pasta cake   | -
   8 | pasta compute 3/3 | cake         | ramen (io until 10) | ramen waits on io until 10; core 0 runs pasta
   9 | cake compute 3/5  | -            | ramen (io until 10) | pasta ends; core 0 runs cake
  10 | cake compute 4/5  | ramen        | -                   | ramen wakes
  11 | ramen compute 1/1 | cake         | -                   | cake's slice ends; core 0 runs ramen
  12 | cake compute 5/5  | -            | -                   | ramen ends; core 0 runs cake
  13 | -                 | -            | -                   | cake ends; kitchen ends
)");
    CHECK(summary(trace) == R"(finished at tick 13: makespan 13, 7 context switches, 3 threads
job      process  arrival  first run  finish  turnaround  waiting  response
ramen    kitchen        0          0      12          12        5         0
pasta    kitchen        0          2       9           9        6         2
cake     kitchen        0          4      13          13        8         4
average                                            11.33     6.33      2.00
core  busy  switching  utilisation
0       13          0       100.0%
all     13          0       100.0%
)");
    CHECK(output(trace).empty());
}

TEST_CASE("Three robots on three cores cook the three orders at the same time (per-core)", "[render]")
{
    // Each order stays on its own core: pasta is done at 3, cake at 5; the ramen boils 4-6
    // with nobody waiting for its core, and is served during tick 6. No queue ever forms.
    auto trace = run(kitchen(), { .scheduler = "per-core", .cores = 3, .quantum = 2 });
    CHECK(table(trace) == R"(tick | core 0            | core 1            | core 2            | ready        | blocked            | events
   0 | ramen compute 1/4 | pasta compute 1/3 | cake compute 1/5  | -            | -                  | kitchen arrives; kitchen admitted (16K); ramen ready; pasta ready; cake ready; core 0 runs ramen; core 1 runs pasta; core 2 runs cake
   1 | ramen compute 2/4 | pasta compute 2/3 | cake compute 2/5  | -            | -
   2 | ramen compute 3/4 | pasta compute 3/3 | cake compute 3/5  | -            | -
   3 | ramen compute 4/4 | idle              | cake compute 4/5  | -            | -                  | pasta ends
   4 | idle              | idle              | cake compute 5/5  | -            | ramen (io until 6) | ramen waits on io until 6
   5 | idle              | idle              | idle              | -            | ramen (io until 6) | cake ends
   6 | ramen compute 1/1 | idle              | idle              | -            | -                  | ramen wakes; core 0 runs ramen
   7 | -                 | -                 | -                 | -            | -                  | ramen ends; kitchen ends
)");
    CHECK(summary(trace) == R"(finished at tick 7: makespan 7, 0 context switches, 3 threads
job      process  arrival  first run  finish  turnaround  waiting  response
ramen    kitchen        0          0       7           7        0         0
pasta    kitchen        0          0       3           3        0         0
cake     kitchen        0          0       5           5        0         0
average                                             5.00     0.00      0.00
core  busy  switching  utilisation
0        5          0        71.4%
1        3          0        42.9%
2        5          0        71.4%
all     13          0        61.9%
)");
}

TEST_CASE("A context switch that costs ticks shows as a switching cell", "[render]")
{
    auto trace = run(kitchen(), { .scheduler = "rr", .cores = 1, .quantum = 2, .switch_cost = 1 });
    auto lines = lines_of(table(trace));
    REQUIRE(lines.size() > 3);
    CHECK(lines[3] == "   2 | -> pasta (switch) | cake ramen   | -                   | ramen's slice ends; core 0 runs pasta");
    CHECK(lines[4] == "   3 | pasta compute 1/3 | cake ramen   | -");
    CHECK_THAT(summary(trace), Catch::Contains("0       13          7"));
}

TEST_CASE("Silberschatz's FCFS example in JSON: waiting 0, 24 and 27, average 17", "[render]")
{
    // OSC 10th ed., 5.3.1: P1 (24), P2 (3), P3 (3) all arrive at 0 and run in that order.
    auto trace = run(jobs({ { "P1", 24 }, { "P2", 3 }, { "P3", 3 } }), { .scheduler = "fcfs" });
    auto document = json_of(trace);

    REQUIRE(document.is_object());
    CHECK(document["program"] == "<jobs>");
    CHECK(document["scheduler"]["name"] == "fcfs");
    CHECK(document["scheduler"]["description"].is_string());
    CHECK(document["outcome"] == "finished");
    CHECK(document["makespan"] == 30);
    CHECK(document["context_switches"] == 2);
    CHECK(document["utilisation"].is_number_float());
    CHECK(document["utilisation"].get<double>() == 1.0);

    auto const& machine = document["machine"];
    CHECK(machine["cores"] == 1);
    CHECK(machine["ram"] == 1024 * 1024);
    CHECK(machine["bus_bandwidth"] == 8);
    CHECK(machine["storage"].is_number_unsigned());
    CHECK(machine["switch_cost"] == 0);
    CHECK(machine["max_ticks"] == 1'000'000);
    CHECK(machine["arrivals_first"] == true);
    CHECK(machine["wake_preempts"] == true);

    auto const& jobs = document["jobs"];
    REQUIRE(jobs.is_array());
    REQUIRE(jobs.size() == 3);
    std::vector<std::string> names { "P1", "P2", "P3" };
    std::vector<Tick> waiting { 0, 24, 27 };
    std::vector<Tick> finish { 24, 27, 30 };
    for (std::size_t i = 0; i < 3; ++i) {
        INFO("job " << names[i]);
        auto const& job = jobs[i];
        CHECK(job["name"] == names[i]);
        CHECK(job["process"] == names[i]);
        CHECK(job["arrival"] == 0);
        CHECK(job["waiting"].is_number_integer());
        CHECK(job["waiting"] == waiting[i]);
        CHECK(job["first_run"] == waiting[i]);
        CHECK(job["response"] == waiting[i]);
        CHECK(job["finish"] == finish[i]);
        CHECK(job["turnaround"] == finish[i]);
        CHECK(job["running"] == finish[i] - waiting[i]);
        CHECK(job["blocked"] == 0);
        CHECK(job["finished"] == true);
        CHECK(job["killed"] == false);
    }

    auto const& averages = document["averages"];
    CHECK(averages["waiting"].is_number());
    CHECK(averages["waiting"].get<double>() == 17.0);
    CHECK(averages["turnaround"].get<double>() == 27.0);
    CHECK(averages["response"].get<double>() == 17.0);

    REQUIRE(document["cores"].size() == 1);
    CHECK(document["cores"][0]["id"] == 0);
    CHECK(document["cores"][0]["busy"] == 30);
    CHECK(document["cores"][0]["switching"] == 0);
    CHECK(document["cores"][0]["utilisation"].get<double>() == 1.0);

    auto const& events = document["events"];
    REQUIRE(events.is_array());
    REQUIRE(events.size() == trace.events.size());
    auto const& arrive = events[0];
    CHECK(arrive["tick"] == 0);
    CHECK(arrive["kind"] == "process-arrive");
    CHECK(arrive["process"] == "P1");
    CHECK(arrive["memory"] == 16 * 1024);
    CHECK_FALSE(arrive.contains("core"));
    CHECK_FALSE(arrive.contains("thread"));
    CHECK_FALSE(arrive.contains("line"));
    bool saw_dispatch = false;
    for (auto const& event : events) {
        if (event["kind"] != "dispatch")
            continue;
        saw_dispatch = true;
        CHECK(event["core"] == 0);
        CHECK(event["thread"].is_string());
        CHECK_FALSE(event.contains("slice")); // FCFS runs a thread until it stops
    }
    CHECK(saw_dispatch);
    CHECK(events.back()["kind"] == "process-exit");
    CHECK(events.back()["cause"] == "finished");
    CHECK(document["output"].is_array());
    CHECK(document["output"].empty());
}

TEST_CASE("A printed line appears in the output list, the events column and JSON", "[render]")
{
    ProcessSpec process;
    process.name = "hello";
    process.threads.push_back(thread("greeter",
        { instruction(Opcode::Print, 0, "hello, world"), instruction(Opcode::Compute, 2),
            instruction(Opcode::Print, 0, "bye") }));
    Program program;
    program.file = "hello.tl";
    program.processes.push_back(std::move(process));
    auto trace = run(program, { .scheduler = "fcfs" });

    CHECK(output(trace) == "[tick 0] greeter: hello, world\n[tick 2] greeter: bye\n");
    CHECK(table(trace) == R"(tick | core 0              | ready        | blocked      | events
   0 | greeter compute 1/2 | -            | -            | hello arrives; hello admitted (16K); greeter ready; core 0 runs greeter; greeter prints "hello, world"
   1 | greeter compute 2/2 | -            | -
   2 | -                   | -            | -            | greeter prints "bye"; greeter ends; hello ends
)");
    auto document = json_of(trace);
    REQUIRE(document["output"].size() == 2);
    CHECK(document["output"][0]["tick"] == 0);
    CHECK(document["output"][0]["thread"] == "greeter");
    CHECK(document["output"][0]["text"] == "hello, world");
    CHECK(document["output"][1]["tick"] == 2);
    int prints = 0;
    for (auto const& event : document["events"])
        if (event["kind"] == "print") {
            ++prints;
            CHECK(event["text"].is_string());
            CHECK(event["thread"] == "greeter");
        }
    CHECK(prints == 2);
}

TEST_CASE("Korean thread names are padded by their display width", "[render]")
{
    auto trace = run(kitchen("라면", "파스타", "케이크"), { .scheduler = "rr", .cores = 1, .quantum = 2 });
    auto text = table(trace);
    auto lines = lines_of(text);
    REQUIRE(lines.size() == 15);
    // Hangul is two columns wide: "파스타 compute 1/3" is 18 columns, the widest core cell.
    CHECK(lines[0] == "tick | core 0             | ready         | blocked            | events");
    CHECK(lines[1] == "   0 | 라면 compute 1/4   | 파스타 케이크 | -                  | kitchen arrives; kitchen admitted (16K); 라면 ready; 파스타 ready; 케이크 ready; core 0 runs 라면");
    CHECK(lines[9] == "   8 | 파스타 compute 3/3 | 케이크        | 라면 (io until 10) | 라면 waits on io until 10; core 0 runs 파스타");
    // Every row's separators line up with the header's.
    auto header = separator_columns(lines[0]);
    REQUIRE(header.size() == 4);
    for (auto const& line : lines) {
        INFO(line);
        auto columns = separator_columns(line);
        REQUIRE(columns.size() >= 3);
        CHECK(std::vector<int>(columns.begin(), columns.begin() + 3) == std::vector<int>(header.begin(), header.begin() + 3));
    }

    CHECK(summary(trace) == R"(finished at tick 13: makespan 13, 7 context switches, 3 threads
job      process  arrival  first run  finish  turnaround  waiting  response
라면     kitchen        0          0      12          12        5         0
파스타   kitchen        0          2       9           9        6         2
케이크   kitchen        0          4      13          13        8         4
average                                            11.33     6.33      2.00
core  busy  switching  utilisation
0       13          0       100.0%
all     13          0       100.0%
)");

    auto document = json_of(trace);
    CHECK(document["jobs"][1]["name"] == "파스타");
}

TEST_CASE("Display width counts terminal columns: two for wide characters, none for combining marks", "[render]")
{
    CHECK(display_width("") == 0);
    CHECK(display_width("ramen") == 5);
    CHECK(display_width("라면") == 4);
    CHECK(display_width("café") == 4);
    CHECK(display_width("漢字") == 4);
    CHECK(display_width("\xEF\xBC\xA1") == 2); // fullwidth A, U+FF21
    CHECK(display_width("ラーメン") == 8);      // katakana and the long-vowel mark U+30FC
    CHECK(display_width("ㅋㅋ") == 4);          // Hangul compatibility jamo U+314B
    CHECK(display_width("ᄒ") == 2);            // a leading conjoining jamo U+1112
    CHECK(display_width("e\xCC\x81") == 1);     // e and a combining acute accent U+0301
    CHECK(display_width("🍜") == 2);            // an emoji, U+1F35C
    CHECK(display_width("파스타 pasta") == 12);
}

TEST_CASE("Display width counts each byte that is not UTF-8 as one column, and never fails", "[render]")
{
    CHECK(display_width("a\xFF" "b") == 3);                 // a byte UTF-8 never uses
    CHECK(display_width("\xEA\xB0") == 2);                  // a sequence cut short ("가" is EA B0 80)
    CHECK(display_width("\x80\x80") == 2);                  // continuation bytes alone
    CHECK(display_width("\xED\xA0\x80") == 3);              // a UTF-16 surrogate, U+D800
    CHECK(display_width("\xC0\xAF") == 2);                  // an overlong '/'
    CHECK(display_width(std::string_view("\xEA\xB0\x80", 2)) == 2); // a view that ends mid-character
    CHECK(display_width(std::string_view("a\0b", 3)) == 2); // NUL is a control character: no column
}

TEST_CASE("Padding is by display width", "[render]")
{
    CHECK(pad_right("ラーメン", 10) == "ラーメン  ");
    CHECK(pad_left("ㅋㅋ", 5) == " ㅋㅋ");
    CHECK(pad_right("라면", 6) == "라면  ");
    CHECK(pad_left("7", 3) == "  7");
}

TEST_CASE("A run stopped at the tick limit says so and leaves unfinished jobs blank", "[render]")
{
    auto trace = run(jobs({ { "long", 100 } }), { .scheduler = "fcfs", .max_ticks = 5 });
    REQUIRE(trace.outcome == Outcome::TickLimit);
    CHECK(summary(trace) == R"(stopped at the tick limit (5 ticks): raise --max-ticks if the program is meant to run longer
job      process  arrival  first run  finish  turnaround  waiting  response
long     long           0          0       -           -        0         0
average                                                -        -         -
core  busy  switching  utilisation
0        5          0       100.0%
all      5          0       100.0%
)");
    auto lines = lines_of(table(trace));
    REQUIRE(lines.size() == 7);
    CHECK(lines[1] == "   0 | long compute 1/100   | -            | -            | long arrives; long admitted (16K); long ready; core 0 runs long");
    // The core column is as wide as "long compute 100/100" could be.
    CHECK(lines[5] == "   4 | long compute 5/100   | -            | -");
    CHECK(lines[6] == "   5 | -                    | -            | -            | tick limit reached");

    auto document = json_of(trace);
    CHECK(document["outcome"] == "tick-limit");
    CHECK(document["jobs"][0]["finish"].is_null());
    CHECK(document["jobs"][0]["turnaround"].is_null());
    CHECK(document["jobs"][0]["finished"] == false);
    CHECK(document["events"].back()["kind"] == "tick-limit");
}

TEST_CASE("A thread ended by another's exit is marked killed", "[render]")
{
    // The chef runs `exit` after 2 ticks; the helper, still queued, never ran.
    ProcessSpec process;
    process.name = "diner";
    process.threads = {
        thread("chef", { instruction(Opcode::Compute, 2), instruction(Opcode::Exit) }),
        thread("helper", { instruction(Opcode::Compute, 5) }),
    };
    Program program;
    program.file = "exit.tl";
    program.processes.push_back(std::move(process));
    auto trace = run(program, { .scheduler = "fcfs" });

    auto lines = lines_of(table(trace));
    REQUIRE_FALSE(lines.empty());
    CHECK_THAT(lines.back(), Catch::EndsWith("chef ends; helper killed (exit by chef); diner ends (exit by chef)"));
    CHECK(summary(trace) == R"(finished at tick 2: makespan 2, 0 context switches, 2 threads
job              process  arrival  first run  finish  turnaround  waiting  response
chef             diner          0          0       2           2        0         0
helper (killed)  diner          0          -       -           -        2         -
average                                                     2.00     0.00      0.00
core  busy  switching  utilisation
0        2          0       100.0%
all      2          0       100.0%
)");
    auto document = json_of(trace);
    auto const& helper = document["jobs"][1];
    CHECK(helper["killed"] == true);
    CHECK(helper["finished"] == false);
    CHECK(helper["first_run"].is_null());
    CHECK(helper["response"].is_null());
    bool saw_killed = false;
    for (auto const& event : document["events"])
        if (event["kind"] == "killed") {
            saw_killed = true;
            CHECK(event["thread"] == "helper");
            CHECK(event["by"] == "chef");
        }
    CHECK(saw_killed);
    CHECK(document["events"].back()["cause"] == "exit");
}

TEST_CASE("JSON stays valid when a name is not valid UTF-8", "[render]")
{
    auto trace = run(jobs({ { "bad\xFFname", 1 } }), { .scheduler = "fcfs" });
    std::ostringstream out;
    REQUIRE_NOTHROW(render_json(out, trace, compute_metrics(trace)));
    auto document = nlohmann::json::parse(out.str());
    CHECK(document["jobs"][0]["name"] == "bad\xEF\xBF\xBDname"); // U+FFFD in place of the bad byte
}

TEST_CASE("A process named like its thread says \"process\" when it ends", "[render]")
{
    auto trace = run(jobs({ { "P1", 2 } }), { .scheduler = "fcfs" });
    auto lines = lines_of(table(trace));
    REQUIRE(lines.size() == 4);
    CHECK(lines[3] == "   2 | -              | -            | -            | P1 ends; process P1 ends");
}

TEST_CASE("Table rows never end in spaces", "[render]")
{
    auto trace = run(kitchen(), { .scheduler = "rr", .cores = 2, .quantum = 2 });
    for (auto const& line : lines_of(table(trace))) {
        INFO(line);
        REQUIRE_FALSE(line.empty());
        CHECK(line.back() != ' ');
    }
}

namespace {

std::string table_every_tick(Trace const& trace)
{
    std::ostringstream out;
    TableOptions options;
    options.every_tick = true;
    render_table(out, trace, options);
    return out.str();
}

// A row's cells, each without the padding around it.
std::vector<std::string> cells_of(std::string const& line)
{
    std::vector<std::string> cells;
    std::size_t start = 0;
    while (true) {
        auto at = line.find(" | ", start);
        auto cell = line.substr(start, at == std::string::npos ? std::string::npos : at - start);
        auto first = cell.find_first_not_of(' ');
        auto last = cell.find_last_not_of(' ');
        cells.push_back(first == std::string::npos ? std::string() : cell.substr(first, last - first + 1));
        if (at == std::string::npos)
            return cells;
        start = at + 3;
    }
}

// The core cell of a folded row, from the cells of its first and last ticks: "a compute 2/30"
// and "a compute 30/30" give "a compute 2-30/30"; a cell that does not change stays as it is.
std::string folded_core_cell(std::string const& first, std::string const& last)
{
    if (first == last)
        return first;
    auto slash = first.rfind('/');
    auto space = first.rfind(' ', slash);
    auto last_slash = last.rfind('/');
    auto last_space = last.rfind(' ', last_slash);
    REQUIRE(slash != std::string::npos);
    REQUIRE(first.substr(0, space) == last.substr(0, last_space));
    return first.substr(0, slash) + "-" + last.substr(last_space + 1, last_slash - last_space - 1) + first.substr(slash);
}

// Checks that the folded table says what the table of every tick says: each plain row is the
// same row, and each folded row "a-b" stands for rows a..b in which no event happens and no
// cell changes but the cores' progress counters, at least fold_quiet_ticks of them.
void check_folding(Trace const& trace, int& folds)
{
    auto every = lines_of(table_every_tick(trace));
    auto folded = lines_of(table(trace));
    REQUIRE(every.size() >= 2);
    CHECK(cells_of(folded[0]) == cells_of(every[0])); // the header
    std::size_t cores = trace.core_slices.size();
    std::size_t at = 1; // the next row of `every`
    bool any_fold = false;
    for (std::size_t i = 1; i < folded.size(); ++i) {
        auto cells = cells_of(folded[i]);
        INFO(folded[i]);
        if (cells[0].empty() || !std::isdigit(static_cast<unsigned char>(cells[0][0])))
            break; // past the rows: the note on folded rows, the races
        REQUIRE(at < every.size());
        auto dash = cells[0].find('-');
        if (dash == std::string::npos) {
            CHECK(cells == cells_of(every[at]));
            ++at;
            continue;
        }
        any_fold = true;
        ++folds;
        Tick first = std::stoll(cells[0].substr(0, dash));
        Tick last = std::stoll(cells[0].substr(dash + 1));
        CHECK(last - first + 1 >= fold_quiet_ticks);
        auto first_cells = cells_of(every[at]);
        CHECK(first_cells[0] == std::to_string(first));
        REQUIRE(at + static_cast<std::size_t>(last - first) < every.size());
        auto last_cells = cells_of(every[at + static_cast<std::size_t>(last - first)]);
        CHECK(last_cells[0] == std::to_string(last));
        for (Tick t = first; t <= last; ++t) {
            auto row = cells_of(every[at++]);
            INFO(every[at - 1]);
            CHECK(row.size() == cells.size() - 1); // no events: the cell is left out
            for (std::size_t c = 1 + cores; c < row.size(); ++c)
                CHECK(row[c] == cells[c]);
        }
        for (std::size_t c = 1; c <= cores; ++c)
            CHECK(cells[c] == folded_core_cell(first_cells[c], last_cells[c]));
        CHECK(cells.back() == fmt::format("{} ticks: {}", last - first + 1,
                                  std::any_of(cells.begin() + 1, cells.begin() + 1 + static_cast<std::ptrdiff_t>(cores),
                                      [](std::string const& cell) { return cell != "idle" && cell.rfind("-> ", 0) != 0; })
                                      ? "the same threads keep running"
                                      : "no thread runs"));
    }
    // Every row of the table of every tick was accounted for.
    auto is_row = [](std::string const& line) {
        auto cell = cells_of(line)[0];
        return !cell.empty() && std::isdigit(static_cast<unsigned char>(cell[0]));
    };
    CHECK(at == 1 + static_cast<std::size_t>(std::count_if(every.begin() + 1, every.end(), is_row)));
    auto note = std::find_if(folded.begin(), folded.end(), [](auto const& line) { return line.rfind("(a row such as", 0) == 0; });
    CHECK((note != folded.end()) == any_fold);
}

}

TEST_CASE("A quiet stretch folds into one row; a short one keeps a row per tick", "[render]")
{
    // FCFS by hand: a computes ticks 0-29, then waits on io until 50; b computes 30-41 and
    // ends; the core is idle 42-49; a computes 50-52. Ticks 1-29 and 31-41 change nothing
    // but progress, so they fold; the 7 idle ticks 43-49 are fewer than fold_quiet_ticks (8).
    auto trace = run(parse_or_fail("process p\n  thread a\n    compute 30\n    io 20\n    compute 3\n"
                                   "  thread b\n    compute 12\n"),
        { .scheduler = "fcfs" });
    CHECK(table(trace) == R"( tick | core 0            | ready        | blocked         | events
    0 | a compute 1/30    | b            | -               | p arrives; p admitted (16K); a ready; b ready; core 0 runs a
 1-29 | a compute 2-30/30 | b            | -               | 29 ticks: the same threads keep running
   30 | b compute 1/12    | -            | a (io until 50) | a waits on io until 50; core 0 runs b
31-41 | b compute 2-12/12 | -            | a (io until 50) | 11 ticks: the same threads keep running
   42 | idle              | -            | a (io until 50) | b ends
   43 | idle              | -            | a (io until 50)
   44 | idle              | -            | a (io until 50)
   45 | idle              | -            | a (io until 50)
   46 | idle              | -            | a (io until 50)
   47 | idle              | -            | a (io until 50)
   48 | idle              | -            | a (io until 50)
   49 | idle              | -            | a (io until 50)
   50 | a compute 1/3     | -            | -               | a wakes; core 0 runs a
   51 | a compute 2/3     | -            | -
   52 | a compute 3/3     | -            | -
   53 | -                 | -            | -               | a ends; p ends
(a row such as 1-29 stands for ticks in which nothing changes but progress; --all-ticks gives each its own row)
)");
    auto every = lines_of(table_every_tick(trace));
    CHECK(every.size() == 1 + 54); // the header and ticks 0..53, no note
    CHECK(every[2] == "   1 | a compute 2/30  | b            | -"); // narrower: no folded row to fit
}

TEST_CASE("A hundred million quiet ticks print as a handful of rows", "[render]")
{
    // FCFS: a computes ticks 0-49,999,999, b the next 50,000,000. The table moves from change
    // to change: were it to visit each tick, this test would not end.
    auto trace = run(parse_or_fail("process p\n  thread a\n    compute 50000000\n  thread b\n    compute 50000000\n"),
        { .scheduler = "fcfs", .max_ticks = 200'000'000 });
    CHECK(table(trace) == R"(             tick | core 0                        | ready        | blocked      | events
                0 | a compute 1/50000000          | b            | -            | p arrives; p admitted (16K); a ready; b ready; core 0 runs a
       1-49999999 | a compute 2-50000000/50000000 | b            | -            | 49999999 ticks: the same threads keep running
         50000000 | b compute 1/50000000          | -            | -            | a ends; core 0 runs b
50000001-99999999 | b compute 2-50000000/50000000 | -            | -            | 49999999 ticks: the same threads keep running
        100000000 | -                             | -            | -            | b ends; p ends
(a row such as 1-49999999 stands for ticks in which nothing changes but progress; --all-ticks gives each its own row)
)");
}

TEST_CASE("Folded rows say exactly what the rows of every tick say", "[render]")
{
    int folds = 0;
    for (auto const* name : { "kitchen", "affinity", "delivery_compute", "io_overlap", "lookup", "sleepers", "tellers",
             "gil_threads", "race_locked", "loading", "bus_bound" })
        for (auto const& spec : { RunSpec { .scheduler = "fcfs" }, RunSpec { .scheduler = "rr", .cores = 2, .quantum = 10 },
                 RunSpec { .scheduler = "rr", .cores = 3, .quantum = 4, .switch_cost = 1 } }) {
            INFO(name << " " << spec.scheduler << " on " << spec.cores);
            check_folding(run(bundled(name), spec), folds);
        }
    GeneratorOptions options;
    options.processes = 6;
    options.threads = 3;
    options.burst = { 5, 60 };
    options.wait = { 10, 80 };
    options.length = 6;
    for (std::uint64_t seed = 1; seed <= 6; ++seed) {
        options.seed = seed;
        INFO("seed " << seed);
        check_folding(run(generate_program(options), { .scheduler = "srtf", .cores = 2 }), folds);
        check_folding(run(generate_program(options), { .scheduler = "mlfq", .cores = 1, .quantum = 8 }), folds);
    }
    CHECK(folds > 100); // the check has folds to look at
}

TEST_CASE("The table's snapshots keep the heads of long queues, and the table is the same", "[render]")
{
    // 300 one-tick threads: without a limit the snapshots hold 300 + 299 + ... names.
    std::string source = "process p\n";
    for (int i = 0; i < 300; ++i)
        source += fmt::format("  thread t{}\n    compute 1\n", i);
    auto program = parse_or_fail(source);
    auto whole = run(program, { .scheduler = "rr" });
    auto machine = machine_config({ .scheduler = "rr" });
    machine.queue_snapshot_limit = queue_heads_shown;
    auto made = make_scheduler("rr", scheduler_options({ .scheduler = "rr" }));
    auto& choice = std::get<SchedulerChoice>(made);
    auto heads = simulate(machine, program, std::move(choice.scheduler), choice.name, choice.description);
    REQUIRE(heads.queue_snapshots.size() == whole.queue_snapshots.size());
    for (std::size_t i = 0; i < heads.queue_snapshots.size(); ++i) {
        auto const& kept = heads.queue_snapshots[i].queues.at(0);
        auto const& all = whole.queue_snapshots[i].queues.at(0);
        CHECK(kept.threads.size() == std::min<std::size_t>(all.threads.size(), queue_heads_shown));
        CHECK(kept.threads.size() + static_cast<std::size_t>(kept.more) == all.threads.size());
        CHECK(std::equal(kept.threads.begin(), kept.threads.end(), all.threads.begin()));
    }
    CHECK(heads.queue_snapshots[0].queues[0].more == 299 - queue_heads_shown);
    CHECK(table(heads) == table(whole));
}

TEST_CASE("Every policy's queue heads are the front of its ready queues", "[render]")
{
    // ready_queue_heads lists the first N threads of each queue and counts the rest; a policy
    // that overrides it (to avoid copying long queues) must agree with its ready_queues.
    for (auto const& entry : all_schedulers()) {
        std::string policy(entry.name);
        INFO(policy);
        for (std::uint64_t seed = 1; seed <= 3; ++seed) {
            auto program = unpinned_workload(seed);
            RunSpec spec { .scheduler = policy, .cores = 2, .quantum = 3, .seed = seed };
            auto whole = run(program, spec);
            auto machine = machine_config(spec);
            machine.queue_snapshot_limit = 3;
            auto made = make_scheduler(policy, scheduler_options(spec));
            auto& choice = std::get<SchedulerChoice>(made);
            auto heads = simulate(machine, program, std::move(choice.scheduler), choice.name, choice.description);
            // The same run: the snapshots are taken at the same ticks, listing the fronts.
            REQUIRE(heads.events == whole.events);
            REQUIRE(heads.queue_snapshots.size() <= whole.queue_snapshots.size());
            std::size_t w = 0;
            for (auto const& snapshot : heads.queue_snapshots) {
                while (w < whole.queue_snapshots.size() && whole.queue_snapshots[w].tick < snapshot.tick)
                    ++w;
                REQUIRE(w < whole.queue_snapshots.size());
                auto const& all = whole.queue_snapshots[w];
                CHECK(all.tick == snapshot.tick);
                REQUIRE(all.queues.size() == snapshot.queues.size());
                for (std::size_t q = 0; q < all.queues.size(); ++q) {
                    auto const& kept = snapshot.queues[q];
                    auto const& full = all.queues[q];
                    CHECK(kept.label == full.label);
                    CHECK(kept.threads.size() == std::min<std::size_t>(full.threads.size(), 3));
                    CHECK(kept.threads.size() + static_cast<std::size_t>(kept.more) == full.threads.size());
                    CHECK(std::equal(kept.threads.begin(), kept.threads.end(), full.threads.begin()));
                }
            }
        }
    }
}

} // namespace render_test
