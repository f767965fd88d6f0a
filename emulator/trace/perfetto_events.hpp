#pragma once

// The pieces of the Perfetto (Chrome trace-event) document that both writers build: the
// whole-trace one (render_perfetto, trace/perfetto.cpp) and the streamed one
// (PerfettoStreamWriter, trace/perfetto_stream.cpp). One event is one JSON object; the track
// layout, the counters and the instants are the same in both, so both write the same bytes.

#include "trace/races.hpp"
#include "trace/thread_states.hpp"
#include "trace/trace.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace tl::perfetto {

using nlohmann::json;

constexpr int s_machine_pid = 1;
constexpr int s_events_tid = 0;
constexpr std::int64_t s_micros_per_tick = 1000;

inline std::int64_t micros(Tick tick) { return tick * s_micros_per_tick; }

inline int core_tid(CoreId core) { return core == no_core ? s_events_tid : core + 1; }

// Which state a process's own track shows when its threads are in several: the most active
// one, in this order (a process with one thread running is running, whatever the others do).
constexpr std::array<std::string_view, 16> s_process_precedence {
    "run", "stall", "switch", "ready", "loading", "memory", "io", "sleep", "await", "lock", "join", "gil",
    "fault", "killed", "done", "new",
};

// The tracks: one per process (its own) and one per thread, inside the process's pid.
struct Layout {
    PerId<ProcessId, int> process_tid; // its own track
    PerId<ThreadId, int> thread_tid;
    static int pid(ProcessId process) { return process + 2; }
};

Layout layout(Trace const& trace);

// One event as a line of the document.
std::string dumped(json const& event);

// Where a state stands in a process's precedence (the most active state wins its track).
std::size_t precedence(std::string_view state);

// A state slice on a process's or thread's track: B at its start, E at its end.
json state_begin(int pid, int tid, std::string_view state, std::string_view detail);
json state_end(int pid, int tid, std::string_view state);

// A process's state over time, from its threads' spans.
std::vector<StateSpan> process_spans(Trace const& trace, ThreadLanes const& lanes, ProcessId process);

// The instant an event is drawn as, if any (output, wake-ups, threads or processes cut short).
std::optional<json> instant_for(Trace const& trace, Event const& event);

json migration_instant(Trace const& trace, Event const& event);
// The arrow's start ("s", on the old core) or its end ("f", on the new one).
json migration_flow(Trace const& trace, Event const& event, int id, bool start);

// An instant per data race, on the track of the thread whose access showed it.
json race_instant(Trace const& trace, Layout const& tracks, Race const& race);

// Counter samples: a shared variable's value, the ready queues' lengths, the bus's use.
json variable_counter(Trace const& trace, Layout const& tracks, ProcessId process, std::int32_t variable, std::int64_t value);
json queue_counter(std::vector<ReadyQueue> const& queues);
json bus_counter(double percent);

// The bus counter's samples from the ticks on which it was asked for (ticks not listed had
// no demand: 0%): a sample at every change, and 0 at the end. Fed tick by tick.
class BusSampler {
public:
    template<typename Sample>
    void use(BusTick const& use, int bandwidth, Sample&& sample)
    {
        start(use.tick, sample);
        if (use.tick > m_expected && m_last != 0) {
            sample(m_expected, 0.0);
            m_last = 0;
        }
        double percent = 100.0 * use.granted / bandwidth;
        if (percent != m_last)
            sample(use.tick, percent);
        m_last = percent;
        m_expected = use.tick + 1;
    }
    template<typename Sample>
    void finish(Tick end, Sample&& sample)
    {
        start(std::numeric_limits<Tick>::max(), sample);
        if (m_last != 0 && m_expected < end)
            sample(m_expected, 0.0);
        sample(end, 0.0);
    }

private:
    template<typename Sample>
    void start(Tick first, Sample& sample)
    {
        if (m_started)
            return;
        m_started = true;
        if (first > 0) {
            sample(0, 0.0);
            m_last = 0;
        }
    }
    bool m_started = false;
    double m_last = -1;
    Tick m_expected = 0; // the tick after the last one listed
};

// A complete event ("X") per slice: the work a core did for a thread, or a switch into it.
json slice_event(Trace const& trace, CoreId core, Slice const& slice);

// A thread the run left neither done nor unstarted says so at the end.
std::optional<json> final_instant(Trace const& trace, Layout const& tracks, ThreadId id, std::string_view state, std::string_view detail);

// The document's head (names and order of the tracks) and its tail.
void write_head(std::ostream& out, Trace const& trace, Layout const& tracks, bool& first);
void write_tail(std::ostream& out, Trace const& trace);

}
