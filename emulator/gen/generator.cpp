#include "gen/generator.hpp"

#include "engine/config.hpp"
#include "engine/per_id.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <limits>

namespace tl {

namespace {

constexpr std::uint32_t per_million = 1'000'000;

// Ratios are used as whole parts per million, rounded, so that the draw is integer
// arithmetic and gives the same workload on every machine.
std::uint32_t to_per_million(double ratio)
{
    return static_cast<std::uint32_t>(std::llround(std::clamp(ratio, 0.0, 1.0) * per_million));
}

// 250000 -> "0.25": the ratio exactly as it was used, so the regenerate line in the header
// reproduces the workload whatever double the caller passed in.
std::string format_per_million(std::uint32_t value)
{
    if (value % per_million == 0)
        return fmt::format("{}", value / per_million);
    auto digits = fmt::format("{:06}", value % per_million);
    while (digits.back() == '0')
        digits.pop_back();
    return fmt::format("{}.{}", value / per_million, digits);
}

std::string format_range(TickRange range)
{
    return range.min == range.max ? fmt::format("{}", range.min) : fmt::format("{}-{}", range.min, range.max);
}

// A size the parser reads back exactly: the largest of G, M and K that divides it.
std::string format_memory(std::uint64_t bytes)
{
    constexpr std::uint64_t k = 1024;
    if (bytes % (k * k * k) == 0)
        return fmt::format("{}G", bytes / (k * k * k));
    if (bytes % (k * k) == 0)
        return fmt::format("{}M", bytes / (k * k));
    if (bytes % k == 0)
        return fmt::format("{}K", bytes / k);
    return fmt::format("{}", bytes);
}

std::string quote(std::string_view text)
{
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    out += '"';
    return out;
}

// A value as typed, for an error message that must stay one short line: control characters
// become '?' and anything past 40 characters is cut.
std::string shown(std::string_view text)
{
    std::string out;
    for (char c : text.substr(0, 40))
        out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
    return text.size() > 40 ? out + "..." : out;
}

Tick saturating_add(Tick a, Tick b) { return a > max_tick_limit - b ? max_tick_limit : a + b; }

// Digits only (no sign, no spaces), at most `max`.
std::optional<std::uint64_t> parse_whole(std::string_view text, std::uint64_t max)
{
    if (text.empty() || text.size() > 20)
        return std::nullopt;
    std::uint64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || text.front() == '-' || text.front() == '+'
        || value > max)
        return std::nullopt;
    return value;
}

// Digits, optionally '.' and more digits: "0.25", "1", ".5". Nothing on anything else.
std::optional<double> parse_decimal(std::string_view text)
{
    if (text.empty() || text.size() > 32 || !std::all_of(text.begin(), text.end(), [](char c) {
            return (c >= '0' && c <= '9') || c == '.';
        }))
        return std::nullopt;
    double value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
    if (error != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

// A count option: a whole number in [low, high], or the one-line error.
std::variant<std::int64_t, std::string> count_option(std::string_view option, std::string const& text,
    std::int64_t low, std::int64_t high)
{
    auto value = parse_whole(text, static_cast<std::uint64_t>(high));
    if (!value || static_cast<std::int64_t>(*value) < low)
        return fmt::format("{} must be a whole number from {} to {}, not '{}'", option, low, high, shown(text));
    return static_cast<std::int64_t>(*value);
}

std::variant<TickRange, std::string> range_option(std::string_view option, std::string const& text)
{
    auto dash = text.find('-');
    std::string_view all(text);
    auto low_text = all.substr(0, dash);
    auto high_text = dash == std::string::npos ? low_text : all.substr(dash + 1);
    auto low = parse_whole(low_text, std::numeric_limits<std::uint64_t>::max());
    auto high = parse_whole(high_text, std::numeric_limits<std::uint64_t>::max());
    if (!low || !high)
        return fmt::format("{} must be ticks written MIN-MAX (e.g. 5-20) or N, not '{}'", option, shown(text));
    auto max = static_cast<std::uint64_t>(max_generated_ticks);
    if (*low < 1 || *high < 1 || *low > max || *high > max)
        return fmt::format("{} ticks must be from 1 to {}, not '{}'", option, max_generated_ticks, shown(text));
    if (*low > *high)
        return fmt::format("{} '{}' has MIN larger than MAX", option, shown(text));
    return TickRange { static_cast<Tick>(*low), static_cast<Tick>(*high) };
}

std::variant<double, std::string> ratio_option(std::string_view option, std::string const& text)
{
    auto value = parse_decimal(text);
    if (!value || *value > 1.0)
        return fmt::format("{} must be a number from 0 to 1 such as 0.25, not '{}'", option, shown(text));
    return *value;
}

// One instruction of a thread after its first. Memory traffic and locks, once the language
// has them, are drawn here too (see GeneratorOptions).
// One drawn slot: io, sleep, an unlocked increment, a critical section (three instructions)
// or compute, by the ratios (per million).
void draw_instructions(SplitMix64& random, GeneratorOptions const& options, std::uint32_t io, std::uint32_t sleep,
    std::uint32_t memory, std::uint32_t lock, std::vector<Instruction>& code)
{
    auto roll = static_cast<std::uint32_t>(random.between(0, per_million - 1));
    auto shared = [&](Opcode opcode, std::string name) {
        Instruction instruction;
        instruction.opcode = opcode;
        instruction.text = std::move(name);
        instruction.target = 0;
        code.push_back(std::move(instruction));
    };
    if (roll >= io + sleep && roll < io + sleep + memory) {
        shared(Opcode::Incr, "total");
        return;
    }
    if (roll >= io + sleep + memory && roll < io + sleep + memory + lock) {
        shared(Opcode::Lock, "m");
        shared(Opcode::Incr, "total");
        shared(Opcode::Unlock, "m");
        return;
    }
    Instruction instruction;
    instruction.opcode = roll < io ? Opcode::Io : roll < io + sleep ? Opcode::Sleep : Opcode::Compute;
    auto range = instruction.opcode == Opcode::Compute ? options.burst : options.wait;
    instruction.ticks = static_cast<Tick>(
        random.between(static_cast<std::uint64_t>(range.min), static_cast<std::uint64_t>(range.max)));
    code.push_back(std::move(instruction));
}

std::string numbered(char prefix, int index, int count)
{
    auto width = fmt::format("{}", count).size();
    return fmt::format("{}{:0{}}", prefix, index, width);
}

// The canonical layout, written and located in one pass so that the two cannot drift apart:
// `out` receives the text when given, `locate` its source locations when given.
void layout(Program const& program, std::span<std::string const> header, std::string* out, Program* locate)
{
    int line = 0;
    auto emit = [&](auto const& text) {
        ++line;
        if (out) {
            *out += text;
            *out += '\n';
        }
    };
    for (auto const& comment : header)
        emit(comment.empty() ? std::string("#") : "# " + comment);
    for (std::size_t p = 0; p < program.processes.size(); ++p) {
        auto const& process = program.processes[p];
        if (p > 0 || !header.empty())
            emit(std::string_view());
        if (out) {
            std::string text = fmt::format("process {} arrive {}", process.name, process.arrival);
            if (process.memory != default_process_memory)
                text += fmt::format(" memory {}", format_memory(process.memory));
            if (process.priority != 0)
                text += fmt::format(" priority {}", process.priority);
            emit(text);
        } else {
            emit(std::string_view());
        }
        if (locate)
            locate->processes[p].where = { line, 1 };
        for (std::size_t v = 0; v < process.variables.size(); ++v)
            emit(out ? fmt::format("  shared {} = {}", process.variables[v], process.initial_values[v]) : std::string());
        for (auto const& mutex : process.mutexes)
            emit(out ? fmt::format("  mutex {}", mutex) : std::string());
        for (std::size_t t = 0; t < process.threads.size(); ++t) {
            auto const& thread = process.threads[t];
            if (out) {
                std::string text = fmt::format("  thread {}", thread.name);
                // A plain loop, not fmt::join: GCC 12 at -O3 reports a false overflow inside
                // fmt 9's join.
                for (std::size_t c = 0; c < thread.pinned.size(); ++c)
                    text += fmt::format("{}{}", c == 0 ? " pin " : ",", thread.pinned[c]);
                emit(text);
            } else {
                emit(std::string_view());
            }
            if (locate)
                locate->processes[p].threads[t].where = { line, 3 };
            for (std::size_t i = 0; i < thread.code.size(); ++i) {
                auto const& instruction = thread.code[i];
                if (out) {
                    auto const& info = opcode_info(instruction.opcode);
                    switch (info.operand) {
                    case OperandKind::None: emit(fmt::format("    {}", info.mnemonic)); break;
                    case OperandKind::Ticks:
                    case OperandKind::TicksFromZero: emit(fmt::format("    {} {}", info.mnemonic, instruction.ticks)); break;
                    case OperandKind::Text: emit(fmt::format("    {} {}", info.mnemonic, quote(instruction.text))); break;
                    case OperandKind::Call:
                    case OperandKind::Calls: emit(fmt::format("    {}", to_string(instruction))); break; // never generated
                    case OperandKind::Variable:
                    case OperandKind::Assign:
                    case OperandKind::Mutex:
                    case OperandKind::Thread: emit(fmt::format("    {}", to_string(instruction))); break;
                    }
                } else {
                    emit(std::string_view());
                }
                if (locate)
                    locate->processes[p].threads[t].code.edit()[i].where = { line, 5 };
            }
        }
    }
}

std::vector<std::string> header_for(GeneratorOptions const& options, WorkloadNeeds const& needs)
{
    auto threads = static_cast<std::int64_t>(options.processes) * options.threads;
    return {
        fmt::format("A generated workload: {} process{} of {} thread{} ({} thread{}), seed {}.", options.processes,
            options.processes == 1 ? "" : "es", options.threads, options.threads == 1 ? "" : "s", threads,
            threads == 1 ? "" : "s", options.seed),
        "Made with: " + generator_command(options),
        "Suggested run: " + suggested_run(options, needs, "THIS_FILE"),
    };
}

std::vector<std::string> header_for(GeneratorOptions const& options, Program const& program)
{
    return header_for(options, workload_needs(program));
}

}

std::uint64_t SplitMix64::next()
{
    std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

std::uint64_t SplitMix64::between(std::uint64_t low, std::uint64_t high)
{
    std::uint64_t span = high - low + 1;
    if (span == 0)
        return next(); // the whole 64-bit range
    // Reject the few values at the bottom that would make `% span` favour small results.
    std::uint64_t threshold = (0 - span) % span;
    std::uint64_t value = next();
    while (value < threshold)
        value = next();
    return low + value % span;
}

std::optional<std::string> check_generator_options(GeneratorOptions const& o)
{
    auto count = [](std::string_view option, std::int64_t value, std::int64_t low,
                     std::int64_t high) -> std::optional<std::string> {
        if (value < low || value > high)
            return fmt::format("{} must be a whole number from {} to {}, not {}", option, low, high, value);
        return std::nullopt;
    };
    if (auto problem = count("--processes", o.processes, 1, max_generated_processes))
        return problem;
    if (auto problem = count("--threads", o.threads, 1, max_generated_threads))
        return problem;
    if (auto problem = count("--cores", o.cores, 1, max_cores))
        return problem;
    if (auto problem = count("--arrival-spread", o.arrival_spread, 0, max_generated_ticks))
        return problem;
    if (auto problem = count("--length", o.length, 1, max_generated_length))
        return problem;
    if (auto problem = count("--priorities", o.priorities, 1, max_generated_priorities))
        return problem;
    for (auto [option, range] : { std::pair { "--burst", o.burst }, std::pair { "--wait", o.wait } }) {
        if (range.min < 1 || range.max > max_generated_ticks || range.min > range.max)
            return fmt::format("{} must be a range of ticks from 1 to {} with MIN <= MAX, not {}-{}", option,
                max_generated_ticks, range.min, range.max);
    }
    for (auto [option, ratio] : { std::pair { "--io-ratio", o.io_ratio }, std::pair { "--sleep-ratio", o.sleep_ratio },
             std::pair { "--memory-ratio", o.memory_ratio }, std::pair { "--lock-ratio", o.lock_ratio } }) {
        if (!(ratio >= 0.0 && ratio <= 1.0))
            return fmt::format("{} must be a number from 0 to 1, not {}", option, ratio);
    }
    auto io = to_per_million(o.io_ratio);
    auto sleep = to_per_million(o.sleep_ratio);
    if (io + sleep > per_million)
        return fmt::format("--io-ratio {} and --sleep-ratio {} add up to more than 1", format_per_million(io),
            format_per_million(sleep));
    auto memory = to_per_million(o.memory_ratio);
    auto lock = to_per_million(o.lock_ratio);
    if (io + sleep + memory + lock > per_million)
        return fmt::format("--io-ratio {}, --sleep-ratio {}, --memory-ratio {} and --lock-ratio {} add up to more than 1",
            format_per_million(io), format_per_million(sleep), format_per_million(memory), format_per_million(lock));
    auto threads = static_cast<std::int64_t>(o.processes) * o.threads;
    if (threads > max_generated_thread_total)
        return fmt::format("{} processes of {} threads make {} threads; the most is {}", o.processes, o.threads,
            threads, max_generated_thread_total);
    auto per_slot = lock > 0 ? 3 : 1; // a critical section is three instructions
    if (threads * o.length * per_slot > max_generated_instructions)
        return fmt::format("{} threads of {} instructions make {} instructions; the most is {}", threads, o.length,
            threads * o.length * per_slot, max_generated_instructions);
    return std::nullopt;
}

std::variant<GeneratorOptions, std::string> generator_options_from(GeneratorFlags const& flags)
{
    GeneratorOptions options;
    // Counts first, in the order `ticklab generate --help` lists them.
    struct Count {
        std::string_view option;
        std::optional<std::string> const& text;
        std::int64_t low;
        std::int64_t high;
        std::int64_t* out;
    };
    std::int64_t processes = options.processes, threads = options.threads, cores = options.cores,
                 spread = options.arrival_spread, length = options.length, priorities = options.priorities;
    Count const counts[] = {
        { "--processes", flags.processes, 1, max_generated_processes, &processes },
        { "--threads", flags.threads, 1, max_generated_threads, &threads },
        { "--cores", flags.cores, 1, max_cores, &cores },
        { "--arrival-spread", flags.arrival_spread, 0, max_generated_ticks, &spread },
        { "--length", flags.length, 1, max_generated_length, &length },
        { "--priorities", flags.priorities, 1, max_generated_priorities, &priorities },
    };
    for (auto const& count : counts) {
        if (!count.text)
            continue;
        auto value = count_option(count.option, *count.text, count.low, count.high);
        if (auto* error = std::get_if<std::string>(&value))
            return *error;
        *count.out = std::get<std::int64_t>(value);
    }
    options.processes = static_cast<int>(processes);
    options.threads = static_cast<int>(threads);
    options.cores = static_cast<int>(cores);
    options.arrival_spread = spread;
    options.length = static_cast<int>(length);
    options.priorities = static_cast<int>(priorities);

    if (flags.seed) {
        auto seed = parse_whole(*flags.seed, std::numeric_limits<std::uint64_t>::max());
        if (!seed)
            return fmt::format("--seed must be a whole number from 0 to {}, not '{}'",
                std::numeric_limits<std::uint64_t>::max(), shown(*flags.seed));
        options.seed = *seed;
    }

    if (flags.burst && flags.mean_burst)
        return std::string("give either --burst or --mean-burst, not both");
    if (flags.burst) {
        auto range = range_option("--burst", *flags.burst);
        if (auto* error = std::get_if<std::string>(&range))
            return *error;
        options.burst = std::get<TickRange>(range);
    }
    if (flags.mean_burst) {
        auto mean = count_option("--mean-burst", *flags.mean_burst, 1, (max_generated_ticks + 1) / 2);
        if (auto* error = std::get_if<std::string>(&mean))
            return *error;
        // Uniform over [1, 2N-1] has mean N.
        options.burst = TickRange { 1, 2 * std::get<std::int64_t>(mean) - 1 };
    }
    if (flags.wait) {
        auto range = range_option("--wait", *flags.wait);
        if (auto* error = std::get_if<std::string>(&range))
            return *error;
        options.wait = std::get<TickRange>(range);
    } else {
        options.wait = options.burst;
    }

    if (flags.io_ratio) {
        auto ratio = ratio_option("--io-ratio", *flags.io_ratio);
        if (auto* error = std::get_if<std::string>(&ratio))
            return *error;
        options.io_ratio = std::get<double>(ratio);
    }
    if (flags.memory_ratio) {
        auto ratio = ratio_option("--memory-ratio", *flags.memory_ratio);
        if (auto* error = std::get_if<std::string>(&ratio))
            return *error;
        options.memory_ratio = std::get<double>(ratio);
    }
    if (flags.lock_ratio) {
        auto ratio = ratio_option("--lock-ratio", *flags.lock_ratio);
        if (auto* error = std::get_if<std::string>(&ratio))
            return *error;
        options.lock_ratio = std::get<double>(ratio);
    }
    if (flags.sleep_ratio) {
        auto ratio = ratio_option("--sleep-ratio", *flags.sleep_ratio);
        if (auto* error = std::get_if<std::string>(&ratio))
            return *error;
        options.sleep_ratio = std::get<double>(ratio);
    }
    if (auto problem = check_generator_options(options))
        return *problem;
    return options;
}

namespace {

struct Ratios {
    std::uint32_t io;
    std::uint32_t sleep;
    std::uint32_t memory;
    std::uint32_t lock;
};

Ratios ratios_of(GeneratorOptions const& options)
{
    return { to_per_million(options.io_ratio), to_per_million(options.sleep_ratio), to_per_million(options.memory_ratio),
        to_per_million(options.lock_ratio) };
}

// A process's arrival and priority: its first draws.
void draw_process_head(SplitMix64& random, GeneratorOptions const& options, ProcessSpec& process)
{
    process.arrival = static_cast<Tick>(random.between(0, static_cast<std::uint64_t>(options.arrival_spread)));
    process.priority = static_cast<int>(random.between(0, static_cast<std::uint64_t>(options.priorities - 1)));
}

// The rest of a process: its shared objects and its threads, drawn in declaration order.
void draw_process_body(SplitMix64& random, GeneratorOptions const& options, Ratios const& ratios, ProcessSpec& process)
{
    process.threads.resize(static_cast<std::size_t>(options.threads));
    if (ratios.memory + ratios.lock > 0) {
        process.variables = { "total" };
        process.initial_values = { 0 };
        process.mutexes = { "m" };
    }
    for (std::size_t t = 0; t < process.threads.size(); ++t) {
        auto& thread = process.threads[t];
        thread.name = numbered('t', static_cast<int>(t) + 1, options.threads);
        auto& code = thread.code.edit();
        code.clear();
        code.reserve(static_cast<std::size_t>(options.length));
        Instruction first;
        first.opcode = Opcode::Compute;
        first.ticks = static_cast<Tick>(random.between(static_cast<std::uint64_t>(options.burst.min),
            static_cast<std::uint64_t>(options.burst.max)));
        code.push_back(first);
        for (int i = 1; i < options.length; ++i)
            draw_instructions(random, options, ratios.io, ratios.sleep, ratios.memory, ratios.lock, code);
    }
}

}

Program generate_program(GeneratorOptions const& options)
{
    SplitMix64 random(options.seed);
    auto ratios = ratios_of(options);

    Program program;
    program.file = "<generated>";
    program.processes.resize(static_cast<std::size_t>(options.processes));
    // Everything is drawn in declaration order, process by process, so the workload depends
    // on nothing but the options.
    for (auto& process : program.processes) {
        draw_process_head(random, options, process);
        draw_process_body(random, options, ratios, process);
    }
    // Listed by arrival, and named in that order, so the file reads top to bottom in time.
    std::stable_sort(program.processes.begin(), program.processes.end(),
        [](ProcessSpec const& a, ProcessSpec const& b) { return a.arrival < b.arrival; });
    for (std::size_t p = 0; p < program.processes.size(); ++p)
        program.processes[p].name = numbered('p', static_cast<int>(p) + 1, options.processes);

    locate_program(program, header_for(options, program).size());
    return program;
}

std::optional<GeneratedCounts> write_generated(GeneratorOptions const& options, std::function<bool(std::string_view)> const& write)
{
    auto ratios = ratios_of(options);
    // First pass: every draw, in declaration order, keeping of each process only its arrival
    // and where its threads' draws begin; and what the header's suggested run needs.
    struct Start {
        Tick arrival = 0;
        int priority = 0;
        SplitMix64 random { 0 };
    };
    PerId<ProcessId, Start> starts;
    starts.reserve(options.processes);
    GeneratedCounts counts;
    WorkloadNeeds needs;
    Tick last_arrival = 0;
    Tick work = 0;
    {
        SplitMix64 random(options.seed);
        ProcessSpec scratch;
        for (int p = 0; p < options.processes; ++p) {
            draw_process_head(random, options, scratch);
            starts.push_back({ scratch.arrival, scratch.priority, random });
            draw_process_body(random, options, ratios, scratch);
            // As workload_needs() adds them up (a saturating sum is the same in any order).
            needs.memory = scratch.memory > std::numeric_limits<std::uint64_t>::max() - needs.memory
                ? std::numeric_limits<std::uint64_t>::max()
                : needs.memory + scratch.memory;
            last_arrival = std::max(last_arrival, scratch.arrival);
            for (auto const& thread : scratch.threads) {
                counts.instructions += static_cast<std::int64_t>(thread.code.size());
                for (auto const& instruction : thread.code)
                    work = saturating_add(work, instruction.ticks);
            }
        }
    }
    needs.tick_bound = saturating_add(saturating_add(last_arrival, work), 1);
    counts.processes = options.processes;
    counts.threads = static_cast<std::int64_t>(options.processes) * options.threads;
    counts.needs = needs;

    std::string chunk;
    chunk.reserve(1 << 20);
    auto flush = [&]() {
        bool ok = chunk.empty() || write(chunk);
        chunk.clear();
        return ok;
    };
    for (auto const& comment : header_for(options, needs))
        chunk += comment.empty() ? std::string("#\n") : "# " + comment + '\n';

    // Second pass: the processes in arrival order (stable, as generate_program sorts them),
    // each drawn again from where its draws began and written as write_program lays it out.
    std::vector<ProcessId> order(starts.ids().begin(), starts.ids().end());
    std::stable_sort(order.begin(), order.end(), [&](ProcessId a, ProcessId b) {
        return starts[a].arrival < starts[b].arrival;
    });
    Program one;
    one.processes.resize(1);
    auto& process = one.processes.front();
    for (std::size_t k = 0; k < order.size(); ++k) {
        auto start = starts[order[k]];
        process.arrival = start.arrival;
        process.priority = start.priority;
        process.name = numbered('p', static_cast<int>(k) + 1, options.processes);
        draw_process_body(start.random, options, ratios, process);
        chunk += '\n'; // the blank line after the header or the process before
        layout(one, {}, &chunk, nullptr);
        if (chunk.size() >= (1 << 20) - 65536 && !flush())
            return std::nullopt;
    }
    if (!flush())
        return std::nullopt;
    return counts;
}

std::string generated_text(GeneratorOptions const& options) { return generated_text(options, generate_program(options)); }

std::string generated_text(GeneratorOptions const& options, Program const& program)
{
    return write_program(program, header_for(options, program));
}

std::string write_program(Program const& program, std::span<std::string const> header)
{
    std::string out;
    layout(program, header, &out, nullptr);
    return out;
}

void locate_program(Program& program, std::size_t header_lines)
{
    std::vector<std::string> header(header_lines);
    layout(program, header, nullptr, &program);
}

std::string generator_command(GeneratorOptions const& o)
{
    return fmt::format("ticklab generate --processes {} --threads {} --cores {} --seed {} --arrival-spread {} "
                       "--burst {} --wait {} --io-ratio {} --sleep-ratio {} --length {} --priorities {}{}",
        o.processes, o.threads, o.cores, o.seed, o.arrival_spread, format_range(o.burst), format_range(o.wait),
        format_per_million(to_per_million(o.io_ratio)), format_per_million(to_per_million(o.sleep_ratio)), o.length,
        o.priorities,
        o.memory_ratio > 0 || o.lock_ratio > 0
            ? fmt::format(" --memory-ratio {} --lock-ratio {}", format_per_million(to_per_million(o.memory_ratio)),
                  format_per_million(to_per_million(o.lock_ratio)))
            : std::string());
}

std::string suggested_run(GeneratorOptions const& options, Program const& program, std::string_view file)
{
    return suggested_run(options, workload_needs(program), file);
}

std::string suggested_run(GeneratorOptions const& options, WorkloadNeeds const& needs, std::string_view file)
{
    MachineConfig defaults;
    std::string run = fmt::format("ticklab run {} --cores {}", file, options.cores);
    if (needs.memory > defaults.ram)
        run += fmt::format(" --ram {}", format_memory((needs.memory + 1023) / 1024 * 1024));
    if (needs.tick_bound > defaults.max_ticks)
        run += fmt::format(" --max-ticks {}", needs.tick_bound);
    return run + " --format summary";
}

WorkloadNeeds workload_needs(Program const& program)
{
    WorkloadNeeds needs;
    Tick last_arrival = 0;
    Tick work = 0;
    for (auto const& process : program.processes) {
        needs.memory = process.memory > std::numeric_limits<std::uint64_t>::max() - needs.memory
            ? std::numeric_limits<std::uint64_t>::max()
            : needs.memory + process.memory;
        last_arrival = std::max(last_arrival, process.arrival);
        for (auto const& thread : process.threads)
            for (auto const& instruction : thread.code)
                work = saturating_add(work, instruction.ticks);
    }
    needs.tick_bound = saturating_add(saturating_add(last_arrival, work), 1);
    return needs;
}

}
