#pragma once

// Writers that follow a run as the Machine computes it (TraceObserver, trace/trace.hpp), so a
// run never has to keep its events to be written out: their memory follows the threads and
// cores, not the length of the run. What they write is byte for byte what the whole-trace
// writers (render_json, measure_parallelism) give for the same run recorded in full.
//
// The seam is the observer: a writer sees each event as it happens and each slice as it
// begins and as it ends, in the order the Trace would store them, and reads the Machine's
// trace for names, texts and tasks. Any writer of events or slices (the Perfetto trace, say)
// can stream the same way.

#include "trace/metrics.hpp"
#include "trace/trace.hpp"
#include "trace/visual.hpp"

#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

namespace tl {

// measure_parallelism, computed as the run goes: the counts of running, stalled, ready and
// blocked threads swept from change to change.
class ParallelismMeter final : public TraceObserver {
public:
    explicit ParallelismMeter(Trace const& trace);
    void event(Event const&) override;
    void slice_begins(CoreId, Slice const&) override;
    void slice(CoreId, Slice const&) override;
    // The averages over [0, end) (the trace's end, once the run is over).
    Parallelism finish(Tick end);

private:
    void advance_to(Tick tick);
    void set(ThreadId, ThreadState);

    Trace const& m_trace;
    std::vector<ThreadState> m_states;
    int m_ready = 0;
    int m_running = 0;
    int m_stalled = 0;
    int m_switching = 0;
    Tick m_now = 0;
    double m_alive = 0;
    double m_work = 0;
    double m_stall = 0;
    int m_peak_concurrency = 0;
    int m_peak_parallelism = 0;
};

// --format json as the run goes. Each event is formatted when it happens and written to an
// unnamed temporary file (std::tmpfile, in $TMPDIR or /tmp): the document's keys are sorted,
// so the metrics, which are known only at the end, come before the events. write() then sends
// the head, the events and the tail. The run needs to keep only the notable events
// (MachineConfig::record_notable), which the metrics, races and output read.
class JsonStreamWriter final : public TraceObserver {
public:
    // `trace` is the Machine's own, read while it runs.
    explicit JsonStreamWriter(Trace const& trace);
    ~JsonStreamWriter() override;
    JsonStreamWriter(JsonStreamWriter const&) = delete;
    JsonStreamWriter& operator=(JsonStreamWriter const&) = delete;

    // False when the temporary file could not be made or written (the disk is full, say):
    // `error` says why.
    bool ok() const { return m_error.empty(); }
    std::string const& error() const { return m_error; }
    std::int64_t bytes_spilled() const { return m_spilled; }

    void event(Event const&) override;
    void slice_begins(CoreId core, Slice const& slice) override { m_meter.slice_begins(core, slice); }
    void slice(CoreId core, Slice const& slice) override { m_meter.slice(core, slice); }

    // The whole document, once the run is over; `trace` is its final trace (it may be the
    // one the Machine handed over, moved from the one given to the constructor).
    void write(std::ostream&, Trace const& trace, Metrics const&);

private:
    void flush();

    Trace const& m_trace;
    ParallelismMeter m_meter;
    std::vector<std::string> m_thread_names;  // as JSON strings
    std::vector<std::string> m_process_names; // as JSON strings
    std::vector<std::string> m_kind_names;    // as JSON strings, by EventKind
    std::string m_buffer;
    std::FILE* m_file = nullptr;
    std::int64_t m_events = 0;
    std::int64_t m_spilled = 0;
    std::string m_error;
};

}
