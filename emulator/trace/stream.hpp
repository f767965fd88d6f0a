#pragma once

// Writers that follow a run as the Machine computes it (TraceObserver, trace/trace.hpp), so a
// run never has to keep its events to be written out: their memory follows the threads and
// cores, not the length of the run. What they write is byte for byte what the whole-trace
// writers (render_json, render_csv_ticks, render_perfetto, measure_parallelism) give for the
// same run recorded in full.
//
// The seam is the observer: a writer sees each event as it happens and each slice as it
// begins and as it ends, in the order the Trace would store them, and reads the Machine's
// trace for names, texts and tasks; a writer that asks for them also sees the ready queues at
// each boundary and the bus at each tick it was used. JSON, the tick CSV and the Perfetto
// trace stream this way.

#include "engine/per_id.hpp"
#include "trace/metrics.hpp"
#include "trace/trace.hpp"
#include "trace/visual.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
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
    PerId<ThreadId, ThreadState> m_states;
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

// --format json as the run goes. The document's keys are sorted, so the metrics, which are
// known only at the end, come before the events: each event is kept as it happens as a
// compact record (about 7 bytes; its JSON is about 170) in a buffer that goes, when full,
// to an unnamed temporary file (scratch_file: in $TMPDIR, else /tmp). write() sends the head, then reads
// the records back and formats each event straight to the output, then the tail: a
// dispatch, migration or preemption (nearly every event of a long run) from pieces made once,
// the rest field by field. The run needs to keep only the notable events
// (MachineConfig::record_notable), which the metrics, races and output read. The writer finds
// the lines of the events the run does not store itself (TraceObserver::finds_lines), in a
// table of every instruction's line made once, so the run does not read the thread's code
// for each of them.
class JsonStreamWriter final : public TraceObserver {
public:
    // `trace` is the Machine's own, read while it runs. The records go to the temporary file
    // in writes of `buffer_bytes` (at least 256), and the text to the output likewise; a run
    // whose records fit in the buffer makes no temporary file.
    explicit JsonStreamWriter(Trace const& trace, std::size_t buffer_bytes = 1 << 20);
    ~JsonStreamWriter() override;
    JsonStreamWriter(JsonStreamWriter const&) = delete;
    JsonStreamWriter& operator=(JsonStreamWriter const&) = delete;

    // False when the temporary file could not be made, written or read (the disk is full,
    // say): `error` says why. (A failed write to the output leaves the stream failed.)
    bool ok() const { return m_error.empty(); }
    // The writer finds the lines of the events the run does not store (TraceObserver).
    bool finds_lines() const override { return true; }
    std::string const& error() const { return m_error; }
    // The bytes of records written to the temporary file (0: it was never made).
    std::int64_t bytes_spilled() const { return m_spilled; }

    void event(Event const&) override;
    void slice_begins(CoreId core, Slice const& slice) override { m_meter.slice_begins(core, slice); }
    void slice(CoreId core, Slice const& slice) override { m_meter.slice(core, slice); }

    // The whole document, once the run is over; `trace` is its final trace (it may be the
    // one the Machine handed over, moved from the one given to the constructor), which the
    // events' names, texts and tasks are read from.
    void write(std::ostream&, Trace const& trace, Metrics const&);

private:
    static constexpr std::size_t min_buffer = 256;
    static constexpr std::size_t name_padding = 32;

    // The most text format_routine writes, its fixed-size copies included: the text buffer
    // has this much room past its end.
    static constexpr std::size_t routine_room = 1024;
    // A piece of text made when the writer is made, copied in one fixed-size copy.
    struct Piece {
        std::array<char, 64> bytes {};
        std::size_t size = 0;
    };

    void spill();
    void write_events(Trace const&);
    void format(Trace const&, Event const&);
    // A dispatch, migration or preemption (nearly every event of a long run), with the comma
    // before it, from pieces; false (nothing written) for one it does not do.
    bool format_routine(Event const&);
    void set_tick_end(Tick);
    // The opcode of the instruction at `pc` in the thread's code (null: there is none there).
    Opcode const* opcode_at(ThreadId thread, std::int32_t pc) const
    {
        if (thread == no_thread || pc < 0)
            return nullptr;
        auto start = m_code_starts[index_of(thread)];
        auto size = m_code_starts[index_of(thread) + 1] - start;
        return index_of(pc) < size ? &m_opcodes[start + index_of(pc)] : nullptr;
    }
    // Its place in m_lines (null: the thread has no code, or pc is -1).
    std::int32_t const* line_slot(ThreadId thread, std::int32_t pc) const
    {
        auto start = m_code_starts[index_of(thread)];
        auto size = static_cast<std::int64_t>(m_code_starts[index_of(thread) + 1] - start);
        if (size == 0 || pc < 0)
            return nullptr;
        return &m_lines[start + index_of(std::min<std::int64_t>(pc, size - 1))];
    }
    // The text buffer, sent to m_out when full.
    void put(std::string_view text)
    {
        if (text.size() > static_cast<std::size_t>(m_end - m_pos)) {
            put_long(text);
            return;
        }
        std::memcpy(m_pos, text.data(), text.size());
        m_pos += text.size();
    }
    // A name from m_arena: the bytes after it may be copied too (and then overwritten), so
    // that a short one is one fixed-size copy.
    void put_name(std::string_view name)
    {
        if (name.size() <= name_padding && static_cast<std::size_t>(m_end - m_pos) >= name_padding) {
            std::memcpy(m_pos, name.data(), name_padding);
            m_pos += name.size();
            return;
        }
        put(name);
    }
    void put_long(std::string_view);
    void put_number(std::int64_t);
    void put_text(std::string_view); // quoted and escaped as json_string does
    void flush_text();

    ParallelismMeter m_meter;
    // The keys' prefixes and the names of the event kinds, threads and processes as JSON
    // strings, one after the other, then name_padding spaces.
    std::string m_arena;
    std::vector<std::string_view> m_key_prefixes;  // by key, sorted, each ",\n      \"KEY\": "
    std::vector<std::string_view> m_kind_names;    // by EventKind
    PerId<ThreadId, std::string_view> m_thread_names;
    PerId<ProcessId, std::string_view> m_process_names;
    // Every thread's instructions' lines, one thread after the other: thread t's are
    // [m_code_starts[t], m_code_starts[t + 1]). The Block events' waits are read likewise.
    std::vector<std::size_t> m_code_starts;
    PerId<ThreadId, ProcessId> m_thread_processes; // a record leaves out its thread's process
    std::vector<std::int32_t> m_lines;
    std::vector<Opcode> m_opcodes; // likewise, the instructions' opcodes
    // format_routine's pieces: each key with the comma and newline before it; by kind (0:
    // dispatch, 1: migrate, 2: preempt) the kind, and the kind then the line's key; by
    // PreemptCause the reason then the thread's key; the tick of the last event formatted and
    // the end of the event after it.
    bool m_routine = true; // every piece fits
    Piece m_open;
    Piece m_from_core_key;
    std::array<Piece, 3> m_kind;
    std::array<Piece, 3> m_kind_line;
    Piece m_process_key;
    Piece m_slice_key;
    std::array<Piece, 3> m_reason_thread;
    Piece m_thread_key;
    Piece m_tick_end;
    Tick m_tick_end_of = 0;
    std::size_t m_capacity;
    std::unique_ptr<unsigned char[]> m_records; // the records not yet in the file
    unsigned char* m_record_end;
    Tick m_last_tick = 0;                        // the tick of the last record
    std::unique_ptr<char[]> m_text;              // the output not yet written
    char* m_pos;
    char* m_end;
    std::ostream* m_out = nullptr;               // while write() runs
    std::FILE* m_file = nullptr;
    std::int64_t m_events = 0;
    std::int64_t m_spilled = 0;
    std::string m_error;
};

// --format csv as the run goes: render_csv_ticks, byte for byte, a row a tick. The row of a
// tick is written once the run has moved past it (every event, slice and ready queue of that
// tick is known then), straight to the output: the document has nothing known only at the
// end. It keeps the cores' current slices, the ready queues' last text and the blocked
// threads: memory follows the threads and cores. The run needs no events kept at all, but
// asks the Machine for its ready queues at each boundary (TraceObserver::wants_queues).
class CsvStreamWriter final : public TraceObserver {
public:
    // `trace` is the Machine's own, read while it runs; the header row is written at once.
    CsvStreamWriter(std::ostream& out, Trace const& trace);

    void event(Event const&) override;
    void slice_begins(CoreId, Slice const&) override;
    void slice(CoreId, Slice const&) override;
    bool wants_queues() const override { return true; }
    void queues(Tick, std::vector<ReadyQueue> const&) override;

    // The rows up to the end of the run; `trace` is its final trace (it may be the one the
    // Machine handed over, moved from the one given to the constructor).
    void finish(Trace const& trace);

private:
    // Writes the rows of every tick before `tick`.
    void rows_before(Tick tick);

    std::ostream& m_out;
    Trace const* m_trace; // the Machine's, then the final one given to finish()
    Tick m_next_row = 0;                 // the first tick whose row is not written yet
    PerId<CoreId, Slice> m_open;           // per core: the slice it is in (thread no_thread: none)
    PerId<CoreId, std::string> m_cells;    // per core: its field for the rows being written
    std::vector<ReadyQueue> m_queues;    // the last ready queues seen
    std::string m_ready;                 // their field
    std::vector<ThreadId> m_blocked;     // in the order they started waiting
    std::string m_row;
};

// --format perfetto as the run goes: render_perfetto, byte for byte. The trace's events are
// sorted by time, and some belong before the point the run has reached when they become
// known (a migration's arrow starts at the thread's last slice on its old core; a race is
// found at the end), so each is formatted when it is known and kept with its place in the
// order in a bounded buffer that spills, sorted, to an unnamed temporary file (scratch_file);
// write() merges the sorted runs. Each thread's and process's state is followed as the run
// goes (as thread_spans and the process tracks read the whole trace). Memory follows the
// threads and cores (and, for the migration arrows, the cores each thread ran on), not the
// length of the run; the temporary file is about as large as the output.
class PerfettoStreamWriter final : public TraceObserver {
public:
    // `trace` is the Machine's own, read while it runs. The events wait in memory up to
    // about `buffer_bytes` of text before a sorted run of them goes to the temporary file.
    explicit PerfettoStreamWriter(Trace const& trace, std::size_t buffer_bytes = 32 << 20);
    ~PerfettoStreamWriter() override;
    PerfettoStreamWriter(PerfettoStreamWriter const&) = delete;
    PerfettoStreamWriter& operator=(PerfettoStreamWriter const&) = delete;

    bool ok() const;
    std::string const& error() const;

    void event(Event const&) override;
    void slice_begins(CoreId, Slice const&) override;
    void slice(CoreId, Slice const&) override;
    bool wants_queues() const override { return true; }
    void queues(Tick, std::vector<ReadyQueue> const&) override;
    void bus(BusTick const&) override;

    // The whole document, once the run is over; `trace` is its final trace (it may be the
    // one the Machine handed over, moved from the one given to the constructor).
    void write(std::ostream&, Trace const& trace);

    struct State;

private:
    std::unique_ptr<State> m_state;
};

}
