// The writers that follow a run as it goes (trace/stream.hpp) against the whole-trace writers:
// for every bundled program, on 1 and 3 cores, with and without a switch cost, under several
// policies, the streamed JSON, tick CSV and Perfetto trace are byte for byte render_json's,
// render_csv_ticks' and render_perfetto's, the streamed parallelism is measure_parallelism's,
// and the summary of a run that kept only its notable events (MachineConfig::record_notable)
// is the summary of the run recorded in full.

#include "support/run.hpp"
#include "trace/render.hpp"
#include "trace/stream.hpp"
#include "trace/visual.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

using namespace tl;
using namespace tl::test;

// This file's names are its own: the test files are compiled several to a unit (tests/meson.build).
namespace stream_test {

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> bundled_programs()
{
    std::vector<fs::path> paths;
    for (auto const& entry : fs::directory_iterator(fs::path(TICKLAB_TEST_SOURCE_DIR) / "programs"))
        if (entry.path().extension() == ".tl")
            paths.push_back(entry.path());
    std::sort(paths.begin(), paths.end());
    return paths;
}

Program read_program(fs::path const& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    auto parsed = parse_program(content.str(), "programs/" + path.filename().string());
    INFO(format_diagnostics(parsed.errors));
    REQUIRE(parsed.ok());
    return parsed.program;
}

// The run with the given recording, an observer watching it.
Trace run_with(Program const& program, RunSpec const& spec, bool full, TraceObserver* observer = nullptr,
    std::function<TraceObserver*(Trace const&)> const& make = {})
{
    auto config = machine_config(spec);
    config.record_events = full;
    config.record_queues = full;
    config.record_notable = !full;
    auto started = start_run(config, program, spec.scheduler, scheduler_options(spec));
    REQUIRE(std::holds_alternative<std::unique_ptr<Machine>>(started));
    auto& machine = *std::get<std::unique_ptr<Machine>>(started);
    if (make)
        observer = make(machine.trace());
    machine.set_observer(observer);
    while (machine.advance()) { }
    return machine.take_trace();
}

// The JSON of the run recorded in full, as the whole-trace writer (render_json) writes it.
std::string whole_trace_json(Program const& program, RunSpec const& spec)
{
    auto full = run_with(program, spec, true);
    std::ostringstream out;
    render_json(out, full, compute_metrics(full));
    return out.str();
}

// The program streamed as JSON, through a 256-byte and a 1 MB buffer, is `want` byte for byte.
void check_streamed_json(Program const& program, RunSpec const& spec, std::string const& want)
{
    for (std::size_t buffer : { std::size_t(256), std::size_t(1) << 20 }) {
        std::unique_ptr<JsonStreamWriter> writer;
        auto lean = run_with(program, spec, false, nullptr, [&](Trace const& trace) {
            writer = std::make_unique<JsonStreamWriter>(trace, buffer);
            return writer.get();
        });
        std::ostringstream got;
        writer->write(got, lean, compute_metrics(lean));
        REQUIRE(writer->ok());
        CHECK(got.str() == want);
    }
}

}

TEST_CASE("streamed JSON, CSV, Perfetto, parallelism and the notable-only summary equal the whole-trace writers on every bundled program", "[stream]")
{
    auto programs = bundled_programs();
    REQUIRE(programs.size() >= 20);
    int compared = 0;
    for (auto const& path : programs) {
        auto program = read_program(path);
        for (auto const* scheduler : { "rr", "fcfs", "mlfq", "per-core" }) {
            for (int cores : { 1, 3 }) {
                for (Tick switch_cost : { 0, 1 }) {
                    RunSpec spec;
                    spec.scheduler = scheduler;
                    spec.cores = cores;
                    spec.switch_cost = switch_cost;
                    spec.max_ticks = 5000;
                    auto config = machine_config(spec);
                    if (!check_program_fits(config, program).empty())
                        continue;
                    INFO(path.filename().string() << " " << scheduler << " cores " << cores << " switch " << switch_cost);
                    auto full = run_with(program, spec, true);
                    auto metrics = compute_metrics(full);
                    std::ostringstream want;
                    render_json(want, full, metrics);

                    std::unique_ptr<JsonStreamWriter> writer;
                    auto lean = run_with(program, spec, false, nullptr, [&](Trace const& trace) {
                        writer = std::make_unique<JsonStreamWriter>(trace);
                        return writer.get();
                    });
                    CHECK(lean.events.size() <= full.events.size());
                    CHECK(lean.event_count == full.event_count);
                    std::ostringstream got;
                    writer->write(got, lean, compute_metrics(lean));
                    REQUIRE(writer->ok());
                    REQUIRE(got.str() == want.str());
                    CHECK(writer->bytes_spilled() == 0); // a few thousand events fit in its buffer
                    // Again with buffers of 256 bytes: the events' records go through the
                    // temporary file, read back across the buffer's end, and the text leaves
                    // in pieces, the head and tail longer than the buffer.
                    std::unique_ptr<JsonStreamWriter> small;
                    auto small_run = run_with(program, spec, false, nullptr, [&](Trace const& trace) {
                        small = std::make_unique<JsonStreamWriter>(trace, 256);
                        return small.get();
                    });
                    std::ostringstream small_got;
                    small->write(small_got, small_run, compute_metrics(small_run));
                    REQUIRE(small->ok());
                    REQUIRE(small_got.str() == want.str());
                    if (full.events.size() > 60) // records of at least 3 bytes each
                        CHECK(small->bytes_spilled() > 0);

                    // The tick CSV: a run that keeps nothing but its notable events, the
                    // ready queues handed to the writer as they change.
                    std::ostringstream csv_want;
                    render_csv_ticks(csv_want, full);
                    std::ostringstream csv_got;
                    std::unique_ptr<CsvStreamWriter> csv;
                    auto csv_run = run_with(program, spec, false, nullptr, [&](Trace const& trace) {
                        csv = std::make_unique<CsvStreamWriter>(csv_got, trace);
                        return csv.get();
                    });
                    CHECK(csv_run.queue_snapshots.empty());
                    csv->finish(csv_run);
                    REQUIRE(csv_got.str() == csv_want.str());

                    // The Perfetto trace, its events sorted through the writer's spill.
                    std::ostringstream perfetto_want;
                    render_perfetto(perfetto_want, full);
                    std::unique_ptr<PerfettoStreamWriter> perfetto;
                    auto perfetto_run = run_with(program, spec, false, nullptr, [&](Trace const& trace) {
                        perfetto = std::make_unique<PerfettoStreamWriter>(trace);
                        return perfetto.get();
                    });
                    std::ostringstream perfetto_got;
                    perfetto->write(perfetto_got, perfetto_run);
                    REQUIRE(perfetto->ok());
                    REQUIRE(perfetto_got.str() == perfetto_want.str());
                    // Again with a buffer of 2 KiB: the events go through many sorted runs
                    // in the temporary file, merged back.
                    std::unique_ptr<PerfettoStreamWriter> spilled;
                    auto spilled_run = run_with(program, spec, false, nullptr, [&](Trace const& trace) {
                        spilled = std::make_unique<PerfettoStreamWriter>(trace, 2048);
                        return spilled.get();
                    });
                    std::ostringstream spilled_got;
                    spilled->write(spilled_got, spilled_run);
                    REQUIRE(spilled->ok());
                    REQUIRE(spilled_got.str() == perfetto_want.str());

                    std::unique_ptr<ParallelismMeter> meter;
                    auto watched = run_with(program, spec, false, nullptr, [&](Trace const& trace) {
                        meter = std::make_unique<ParallelismMeter>(trace);
                        return meter.get();
                    });
                    auto streamed = meter->finish(watched.end);
                    auto whole = measure_parallelism(full);
                    CHECK(streamed.concurrency == whole.concurrency);
                    CHECK(streamed.parallelism == whole.parallelism);
                    CHECK(streamed.stalled == whole.stalled);
                    CHECK(streamed.peak_concurrency == whole.peak_concurrency);
                    CHECK(streamed.peak_parallelism == whole.peak_parallelism);

                    // Nothing watching: the summary needs only the notable events.
                    auto notable = run_with(program, spec, false);
                    CHECK(notable.slice_count == full.slice_count);
                    std::ostringstream summary_full;
                    std::ostringstream summary_notable;
                    render_summary(summary_full, full, metrics);
                    render_summary(summary_notable, notable, compute_metrics(notable));
                    CHECK(summary_notable.str() == summary_full.str());
                    ++compared;
                }
            }
        }
    }
    CHECK(compared >= 300);
}

TEST_CASE("a run that only counts routine events keeps the notable ones in order, with their lines", "[stream]")
{
    auto program = parse_or_fail("process p\n"
                                 "  shared total = 0\n"
                                 "  thread a\n"
                                 "    compute 3\n"
                                 "    incr total\n"
                                 "    print \"done\"\n");
    RunSpec spec;
    auto full = run_with(program, spec, true);
    auto lean = run_with(program, spec, false);
    std::vector<Event> notable;
    for (auto const& event : full.events)
        if (!routine_event(event.kind))
            notable.push_back(event);
    CHECK(lean.events == notable);
    CHECK(lean.core_slices[0].empty());
    CHECK(!full.core_slices[0].empty());
    CHECK(lean.event_count == full.event_count);
}

namespace {

// Keeps every event it is shown; finds lines or not, as it is told.
class EventRecorder final : public TraceObserver {
public:
    explicit EventRecorder(bool finds) : m_finds(finds) { }
    void event(Event const& event) override { events.push_back(event); }
    bool finds_lines() const override { return m_finds; }
    std::vector<Event> events;

private:
    bool m_finds;
};

}

TEST_CASE("an observer that finds lines itself gets line_at_pc for the events the run does not store, and only for them", "[stream]")
{
    // Sliced by the quantum (preemptions), waiting on I/O (a wake), ending.
    auto program = parse_or_fail("process p\n"
                                 "  thread a\n"
                                 "    compute 5\n"
                                 "    io 3\n"
                                 "    compute 4\n"
                                 "  thread b\n"
                                 "    compute 3\n");
    RunSpec spec;
    auto full = run_with(program, spec, true);
    EventRecorder finds(true);
    auto lean = run_with(program, spec, false, &finds);
    EventRecorder plain(false);
    run_with(program, spec, false, &plain);
    CHECK(plain.events == full.events);
    REQUIRE(finds.events.size() == full.events.size());
    int left = 0;
    for (std::size_t i = 0; i < full.events.size(); ++i) {
        auto const& want = full.events[i];
        auto got = finds.events[i];
        INFO(i << " " << to_string(want.kind));
        bool from_pc = want.kind == EventKind::Dispatch || want.kind == EventKind::Preempt || want.kind == EventKind::Wake;
        CHECK((got.line == line_at_pc) == from_pc);
        if (from_pc) {
            // The line of the instruction at its pc: a's compute 5 is line 3, io 3 line 4,
            // compute 4 line 5; b's compute 3 line 7.
            CHECK(want.line == (want.thread == 0 ? 3 + std::min(want.pc, 2) : 7));
            got.line = want.line;
            ++left;
        }
        CHECK(got == want);
    }
    CHECK(left == 10); // 6 dispatches, 3 preemptions, a wake
    for (auto const& event : lean.events)
        CHECK(event.line != line_at_pc);
    // A run that stores every event hands every line over.
    EventRecorder stored(true);
    run_with(program, spec, true, &stored);
    CHECK(stored.events == full.events);
}

TEST_CASE("streamed JSON of routine events whose names are longer than the writer copies in one piece", "[stream]")
{
    // Thread and process names whose JSON takes 32 bytes (copied whole) and 33 (the long way),
    // dispatched, preempted and migrated between two cores.
    auto program = parse_or_fail("process p23456789012345678901234567890\n"
                                 "  thread t23456789012345678901234567890\n"
                                 "    compute 9\n"
                                 "  thread u234567890123456789012345678901\n"
                                 "    compute 9\n"
                                 "process q234567890123456789012345678901\n"
                                 "  thread v23456789012345678901234567890\n"
                                 "    compute 9\n");
    RunSpec spec;
    spec.cores = 2;
    auto want = whole_trace_json(program, spec);
    REQUIRE(want.find("\"from_core\"") != std::string::npos);
    REQUIRE(want.find("\"thread\": \"u234567890123456789012345678901\"") != std::string::npos);
    REQUIRE(want.find("\"process\": \"q234567890123456789012345678901\"") != std::string::npos);
    check_streamed_json(program, spec, want);
}

TEST_CASE("streamed JSON quotes and escapes texts and names as the whole-trace writer does, through the temporary file", "[stream]")
{
    // Hangul names; quotes, backslashes and new lines in printed text, alone and together (the
    // plain ASCII text is copied as it is, the rest escaped as json_string does); a fault's message, a
    // negative value and a tick past 2^32: each field as render_json writes it.
    auto program = parse_or_fail("process 가게 arrive 5000000000\n"
                                 "  shared 합계 = 0\n"
                                 "  mutex 열쇠\n"
                                 "  thread 배달\n"
                                 "    lock 열쇠\n"
                                 "    write 합계 -1000000000000000\n"
                                 "    unlock 열쇠\n"
                                 "    print \"say \\\"hi\\\" \\\\ back\\nnext {tick} 한글\"\n"
                                 "    print \"a \\\"quoted\\\" word\"\n"
                                 "    print \"a \\\\ backslash\"\n"
                                 "    print \"plain {tick}\"\n"
                                 "    compute 3\n"
                                 "    crash\n");
    RunSpec spec;
    spec.max_ticks = 6000000000;
    auto want = whole_trace_json(program, spec);
    REQUIRE(want.find("\"text\": \"say \\\"hi\\\" \\\\ back\\nnext 5000000001 한글\"") != std::string::npos);
    REQUIRE(want.find("\"value\": -1000000000000000") != std::string::npos);
    REQUIRE(want.find("\"text\": \"a \\\"quoted\\\" word\"") != std::string::npos);
    REQUIRE(want.find("\"text\": \"a \\\\ backslash\"") != std::string::npos);
    check_streamed_json(program, spec, want);
}

} // namespace stream_test
