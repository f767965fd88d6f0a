#pragma once

// Data races in a recorded run: two threads touch the same shared variable, at least one of
// them writes, and nothing the program does orders the two accesses. Found by a
// happens-before analysis with vector clocks (the DJIT+ / FastTrack kind): each thread
// carries a clock; a mutex carries its last unlocker's clock to its next locker; `spawn`
// hands the spawner's clock to the new thread; `join` hands the ended thread's clock to the
// joiner; `atomic incr` is a synchronised access (it takes and leaves the variable's clock,
// as a read-modify-write with acquire and release does). An access that no such chain of
// edges places after an earlier conflicting one is a race.
//
// The GIL orders nothing here. It is the interpreter's lock, not the program's: it is taken
// and handed over when the interpreter decides (its switch interval), possibly between
// `incr`'s read and its write, so it does not make `incr` safe, just as the GIL does not make
// `count += 1` safe in CPython.
//
// Happens-before reports no false positive on the run it is given: every race it names is a
// pair of accesses that another schedule could have run in the other order. But it sees only
// this run's ordering; `ticklab explore` tries every schedule. See docs/language.md, "Races".
//
// A pure pass over Trace::events, linear in them: clocks are joined only at synchronisation
// events; each variable keeps its last write and the last read of each thread since.

#include "trace/trace.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace tl {

// One side of a race: an access to the variable.
struct RaceAccess {
    ThreadId thread = no_thread;
    std::int32_t line = 0;
    Tick tick = 0;
    bool write = false;
    bool atomic = false;       // `atomic incr`
    std::int32_t mutex = -1;   // a mutex the thread held then (the last it took), -1 for none
    bool operator==(RaceAccess const&) const = default;
};

struct Race {
    ProcessId process = no_process;
    std::int32_t variable = -1; // index in ProcessInfo::variables
    RaceAccess first;           // the earlier access in the run
    RaceAccess second;          // the later one, where the race was found
    std::size_t event = 0;      // the index in Trace::events of the second access
    bool operator==(Race const&) const = default;
};

// Processes with more threads than this are not checked (a clock per thread per thread
// would not fit); see RaceReport::unchecked.
inline constexpr std::size_t max_race_checked_threads = 4096;

struct RaceReport {
    // In the order found, each pair of threads on a variable once, at the first access that
    // showed it. As in FastTrack, a variable keeps only its last write: a second thread's
    // racing write takes the place of the first, so a later access is checked against it,
    // and a race with the first writer that the second one hides is not named as well.
    std::vector<Race> races;
    std::vector<ProcessId> unchecked; // processes with shared variables too big to check
};

// Nothing when the run kept no events (MachineConfig::record_events off).
RaceReport find_races(Trace const&);

// The summary and the table's footer list this many races, then say how many more there are.
inline constexpr std::size_t races_listed = 10;
// Whether find_races had events to look at and shared variables to look for.
bool races_checked(Trace const&);

// "thread b (line 17) reads count at tick 0 and thread a (line 14) writes it at tick 2"
std::string race_accesses(Trace const&, Race const&);
// Why nothing orders them: "no lock is held by both and neither waits for the other".
std::string race_reason(Trace const&, Race const&);
// Both, as one sentence without its final period: race_accesses, "; ", race_reason.
std::string race_sentence(Trace const&, Race const&);
// The variable's name, "count"; "counter.count" when another process has a variable so named.
std::string race_variable(Trace const&, Race const&);

}
