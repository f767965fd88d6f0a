#pragma once

// A seeded workload generator: N processes of M threads each, every thread a mix of compute
// bursts, I/O waits and sleeps, the processes arriving over a spread of ticks. It exists so
// that big runs (benchmarks, stress tests, `ticklab generate`) use programs a learner could
// also open and read: the generated Program and its text are the same workload, and the text
// parses back to exactly that Program, source locations included.
//
// The same options give the same program and byte-identical text on every machine and
// compiler: the random numbers come from our own splitmix64, never from std::random_device or
// the std distributions, whose output differs between standard libraries.

#include "lang/program.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace tl {

// A closed range of ticks, [min, max].
struct TickRange {
    Tick min = 1;
    Tick max = 1;
    bool operator==(TickRange const&) const = default;
};

struct GeneratorOptions {
    int processes = 4;
    int threads = 2;            // per process
    int cores = 1;              // not used to generate: only written as the suggested run
    std::uint64_t seed = 1;
    Tick arrival_spread = 0;    // each process arrives at a tick drawn from [0, spread]
    TickRange burst { 1, 10 };  // the length of each compute instruction
    TickRange wait { 1, 10 };   // the length of each io and sleep instruction
    double io_ratio = 0.2;      // the share of instructions after the first that are io
    double sleep_ratio = 0.1;   // the share that are sleep; the rest compute
    double memory_ratio = 0;    // the share that are `incr total` (memory traffic over the bus)
    double lock_ratio = 0;      // the share that are `lock m` + `incr total` + `unlock m`
    int length = 8;             // instructions per thread; the first is always compute
    int priorities = 1;         // each process gets a priority drawn from 0 to priorities-1
    // With memory_ratio or lock_ratio above 0 every process declares `shared total = 0` and
    // `mutex m`; critical sections never nest, so generated programs cannot deadlock.
};

// Upper bounds, so that no option can make the generator exhaust memory or overflow a tick.
inline constexpr int max_generated_processes = 100'000;
inline constexpr int max_generated_threads = 10'000; // per process
inline constexpr std::int64_t max_generated_thread_total = 1'000'000;
inline constexpr int max_generated_length = 100'000;
inline constexpr std::int64_t max_generated_instructions = 50'000'000;
inline constexpr Tick max_generated_ticks = 1'000'000'000'000; // what the parser accepts as an operand
inline constexpr int max_generated_priorities = 1000;

// The first problem with the options as a one-line sentence without a trailing period, or
// nothing when they can be generated.
std::optional<std::string> check_generator_options(GeneratorOptions const&);

// The options of `ticklab generate` as typed, before any checking; an empty optional means
// the option was not given. Parsed here, in the library, so the tests check the same
// messages a learner sees.
struct GeneratorFlags {
    std::optional<std::string> processes {};
    std::optional<std::string> threads {};
    std::optional<std::string> cores {};
    std::optional<std::string> seed {};
    std::optional<std::string> arrival_spread {};
    std::optional<std::string> burst {};      // "MIN-MAX" or "N"
    std::optional<std::string> mean_burst {}; // "N": bursts drawn from [1, 2N-1]
    std::optional<std::string> wait {};       // "MIN-MAX" or "N"; the burst range when not given
    std::optional<std::string> io_ratio {};
    std::optional<std::string> sleep_ratio {};
    std::optional<std::string> memory_ratio {};
    std::optional<std::string> lock_ratio {};
    std::optional<std::string> length {};
    std::optional<std::string> priorities {};
};

// Checked options, or a one-line error naming the option ("--burst '5-2': ...").
std::variant<GeneratorOptions, std::string> generator_options_from(GeneratorFlags const&);

// The workload for checked options. Every source location is where generated_text() puts
// that process, thread or instruction, so parse_program(generated_text(o)) gives this back
// field for field.
Program generate_program(GeneratorOptions const&);

// The program's text with the generator's header comment: the command that regenerates it
// and a suggested run. The same options give byte-identical text.
std::string generated_text(GeneratorOptions const&);
std::string generated_text(GeneratorOptions const&, Program const&); // program from generate_program(options)


// Writes any program as text in the canonical layout: one `process` line (arrive always,
// memory and priority only when not the default), an indented `thread` line per thread and
// its instructions below it, a blank line between processes. Each header line becomes a
// "# " comment at the top, followed by a blank line. Names must be valid names.
std::string write_program(Program const&, std::span<std::string const> header = {});

// Sets every source location of the program to where write_program() with a header of
// `header_lines` lines puts it.
void locate_program(Program&, std::size_t header_lines);

// The `ticklab generate` command line that gives this workload, every option spelled out.
std::string generator_command(GeneratorOptions const&);

// "ticklab run FILE --cores 4 --ram 2M --max-ticks 123456 --format summary": a run of the
// workload that fits it, with --ram and --max-ticks only when the defaults are too small.
struct WorkloadNeeds;
std::string suggested_run(GeneratorOptions const&, Program const&, std::string_view file);
std::string suggested_run(GeneratorOptions const&, WorkloadNeeds const&, std::string_view file);

// What a run of this workload needs: all processes' memory at once, and a tick limit no run
// without switch costs can reach (the last arrival plus every compute, io and sleep tick,
// one after another: at every tick either some core computes or some thread waits).
struct WorkloadNeeds {
    std::uint64_t memory = 0;
    Tick tick_bound = 0; // saturates at max_tick_limit
};
WorkloadNeeds workload_needs(Program const&);

// What a streamed workload held, for the line `ticklab generate` prints after writing it.
struct GeneratedCounts {
    std::int64_t processes = 0;
    std::int64_t threads = 0;
    std::int64_t instructions = 0;
    WorkloadNeeds needs;
};

// generated_text(options), byte for byte, handed to `write` in pieces of about a megabyte as it
// is made, never held whole: the random draws are made twice (once for the header's suggested
// run, which needs the whole workload's ticks, once to write each process in arrival order
// from where its draws began), so memory follows the number of processes, not the text.
// Stops at the first piece `write` refuses (returns false) and returns nothing then.
std::optional<GeneratedCounts> write_generated(GeneratorOptions const&, std::function<bool(std::string_view)> const& write);

// The generator's random numbers: splitmix64 (Steele, Lea and Flood, 2014), tiny and with the
// same output everywhere. Exposed for the tests and for anything else that needs seeded,
// portable randomness.
class SplitMix64 {
public:
    explicit SplitMix64(std::uint64_t seed)
        : m_state(seed)
    {
    }
    std::uint64_t next();
    // Uniform in [low, high] (low <= high), without modulo bias.
    std::uint64_t between(std::uint64_t low, std::uint64_t high);
    // True with the given probability in parts per million.
    bool chance(std::uint32_t per_million) { return between(0, 999'999) < per_million; }

private:
    std::uint64_t m_state;
};

}
