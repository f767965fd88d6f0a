#include "cli/generate_command.hpp"

#include "cli/exit_codes.hpp"
#include "io/safe_write.hpp"

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>

namespace tl {

namespace {

// Every value is taken as text and checked by generator_options_from(), not by CLI11, so that
// a bad value gets ticklab's own one-line message naming the option and the allowed values.
void text_option(CLI::App& app, std::string const& name, std::optional<std::string>& target,
    std::string const& description, std::string const& type = "N")
{
    app.add_option_function<std::string>(
           name, [&target](std::string const& value) { target = value; }, description)
        ->type_name(type);
}

}

void add_generate_options(CLI::App& app, GenerateSettings& settings)
{
    auto& flags = settings.flags;
    GeneratorOptions defaults;
    text_option(app, "-p,--processes", flags.processes,
        fmt::format("Number of processes (default {})", defaults.processes));
    text_option(app, "-t,--threads", flags.threads, fmt::format("Threads per process (default {})", defaults.threads));
    text_option(app, "-c,--cores", flags.cores,
        fmt::format("Cores of the suggested run written in the header; does not change the workload (default {})",
            defaults.cores));
    text_option(app, "--seed", flags.seed,
        fmt::format("Seed: the same seed and options give the same file, byte for byte (default {})", defaults.seed));
    text_option(app, "--arrival-spread", flags.arrival_spread,
        fmt::format("Processes arrive at ticks drawn from 0 to this (default {})", defaults.arrival_spread));
    text_option(app, "--burst", flags.burst,
        fmt::format("Compute burst length in ticks, MIN-MAX or N (default {}-{})", defaults.burst.min,
            defaults.burst.max),
        "MIN-MAX");
    text_option(app, "--mean-burst", flags.mean_burst, "Instead of --burst: bursts drawn from 1 to 2N-1, mean N");
    text_option(app, "--wait", flags.wait, "Length of each io and sleep in ticks, MIN-MAX or N (default: the burst range)",
        "MIN-MAX");
    text_option(app, "--io-ratio", flags.io_ratio,
        fmt::format("Share of instructions (after each thread's first) that are io, 0 to 1 (default {})",
            defaults.io_ratio),
        "RATIO");
    text_option(app, "--sleep-ratio", flags.sleep_ratio,
        fmt::format("Share of instructions that are sleep, 0 to 1 (default {})", defaults.sleep_ratio), "RATIO");
    text_option(app, "--memory-ratio", flags.memory_ratio,
        "Share of instructions that are 'incr total' on a shared variable (memory traffic over the bus), 0 to 1 "
        "(default 0)",
        "RATIO");
    text_option(app, "--lock-ratio", flags.lock_ratio,
        "Share of instructions that are a critical section: lock m, incr total, unlock m, 0 to 1 (default 0)", "RATIO");
    text_option(app, "-l,--length", flags.length,
        fmt::format("Instructions per thread; the first is always compute (default {})", defaults.length));
    text_option(app, "--priorities", flags.priorities,
        fmt::format("Each process gets a priority from 0 to N-1 (default {}: all 0)", defaults.priorities));
    app.add_option("-o,--output", settings.output, "Write the program to FILE instead of standard output")
        ->type_name("FILE");
    app.add_flag("--force", settings.force,
        "Replace FILE even if it is not a workload ticklab generated (or is a symbolic link: the link is replaced)");
    app.footer("Example: ticklab generate --processes 100 --threads 4 --cores 8 --seed 7 -o big.tl");
}

int generate_command(GenerateSettings const& settings)
{
    auto checked = generator_options_from(settings.flags);
    if (auto* error = std::get_if<std::string>(&checked)) {
        fmt::print(stderr, "ticklab: error: {}\n", *error);
        return exit_code::usage;
    }
    auto const& options = std::get<GeneratorOptions>(checked);
    // The text is written as it is made (write_generated): a program of a million threads
    // never sits in memory whole.
    if (settings.output.empty() || settings.output == "-") {
        auto counts = write_generated(
            options, [](std::string_view piece) { return std::fwrite(piece.data(), 1, piece.size(), stdout) == piece.size(); });
        if (!counts || std::fflush(stdout) != 0) {
            fmt::print(stderr, "ticklab: error: cannot write the program to standard output: {}\n", std::strerror(errno));
            return exit_code::output_failed;
        }
        return exit_code::ok;
    }
    // A file generate wrote before may be replaced; anything else only with --force.
    auto ours = [](std::string_view head) {
        return head.rfind("# A generated workload", 0) == 0 && head.find("\n# Made with: ticklab generate ") != std::string_view::npos;
    };
    std::optional<GeneratedCounts> counts;
    auto produce = [&](PieceWriter const& write) {
        counts = write_generated(options, write);
        return counts.has_value();
    };
    if (auto error = write_file_safely(settings.output, produce, ours, settings.force)) {
        fmt::print(stderr, "ticklab: error: {}\n", *error);
        if (error->find("ticklab did not write it") != std::string::npos)
            fmt::print(stderr, "use --force to replace it, or choose another file with -o\n");
        else if (error->find("symbolic link") != std::string::npos)
            fmt::print(stderr, "use --force to replace the link itself (not the file it points to), or choose another file\n");
        return exit_code::bad_input;
    }
    fmt::print("wrote {}: {} processes, {} threads, {} instructions\n", settings.output, counts->processes,
        counts->threads, counts->instructions);
    fmt::print("run it with: {}\n", suggested_run(options, counts->needs, settings.output));
    return exit_code::ok;
}

}
