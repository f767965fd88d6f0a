#include "engine/config.hpp"

#include "lang/program.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace tl {

std::span<Convention const> conventions()
{
    static constexpr Convention rows[] {
        { "--preempted-first", true, [](MachineConfig const& m) { return !m.arrivals_first; },
            "arrivals queue before a preempted thread", "a preempted thread queues before arrivals" },
        { "--no-wake-preempt", true, [](MachineConfig const& m) { return !m.wake_preempts; }, "wake-ups may preempt",
            "wake-ups never preempt" },
        { "--switch-on end", false, [](MachineConfig const& m) { return m.switch_on_end; }, "",
            "a thread waiting for I/O keeps its core (switch on end)" },
        { "--io-done immediate", false, [](MachineConfig const& m) { return m.io_done_immediate; }, "",
            "a thread whose I/O is done runs at once (I/O done: immediate)" },
    };
    return rows;
}

std::vector<std::string> check_machine(MachineConfig const& config)
{
    std::vector<std::string> problems;
    if (config.cores < 1 || config.cores > max_cores)
        problems.push_back(fmt::format("the machine needs between 1 and {} cores, not {}", max_cores, config.cores));
    if (config.ram < 1)
        problems.push_back("the machine needs some RAM: --ram must be at least 1 byte");
    if (config.bus_bandwidth < 1)
        problems.push_back(fmt::format("the bus must move at least 1 transfer per tick, not {}", config.bus_bandwidth));
    if (config.switch_cost < 0)
        problems.push_back(fmt::format("the context-switch cost cannot be negative ({})", config.switch_cost));
    if (config.switch_cost > max_tick_limit)
        problems.push_back(fmt::format("the context-switch cost is too large: at most {} ticks, not {}", max_tick_limit,
            config.switch_cost));
    if (config.cache_warm_rate < 1 || config.cache_warm_rate > max_cache_warm_rate)
        problems.push_back(fmt::format("the cache's warm rate must be a whole number between 1 and {}, not {}",
            max_cache_warm_rate, config.cache_warm_rate));
    if (config.cache_warmup < 0 || config.cache_warmup > max_tick_limit)
        problems.push_back(fmt::format("the cache's warm-up must be between 0 and {} ticks, not {}", max_tick_limit,
            config.cache_warmup));
    if (config.max_ticks < 1 || config.max_ticks > max_tick_limit)
        problems.push_back(fmt::format("the tick limit must be between 1 and {}, not {}", max_tick_limit, config.max_ticks));
    return problems;
}

std::vector<std::string> check_program_fits(MachineConfig const& config, Program const& program)
{
    std::vector<std::string> problems;
    for (auto const& process : program.processes) {
        if (process.memory > config.ram)
            problems.push_back(fmt::format("process '{}' needs {} of memory but the machine has only {} of RAM; "
                                           "give it less memory or the machine more (--ram)",
                process.name, format_bytes(process.memory), format_bytes(config.ram)));
        for (auto const& thread : process.threads) {
            // One message a thread, however many of its cores are missing (pin 0,...,1023).
            std::vector<int> missing;
            for (int core : thread.pinned)
                if (core >= config.cores)
                    missing.push_back(core);
            if (missing.empty())
                continue;
            auto cores = missing.size() == 1 ? fmt::format("core {}", missing.front())
                : missing.size() <= 4        ? fmt::format("cores {}", fmt::join(missing, ", "))
                                             : fmt::format("cores {}, {}, ... {} ({} cores the machine lacks)",
                                                   missing[0], missing[1], missing.back(), missing.size());
            problems.push_back(fmt::format("thread '{}' of process '{}' is pinned to {}, but the machine has only {}",
                thread.name, process.name, cores,
                config.cores == 1 ? std::string("core 0") : fmt::format("cores 0 to {}", config.cores - 1)));
        }
    }
    return problems;
}

std::optional<std::uint64_t> parse_size(std::string_view text)
{
    std::uint64_t value = 0;
    std::size_t i = 0;
    constexpr std::uint64_t limit = std::uint64_t(1) << 50; // 1 PiB: far beyond any toy machine
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
        value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
        if (value > limit)
            return std::nullopt;
    }
    if (i == 0)
        return std::nullopt;
    std::uint64_t unit = 1;
    if (i < text.size()) {
        switch (text[i]) {
        case 'K': case 'k': unit = 1024; break;
        case 'M': case 'm': unit = 1024 * 1024; break;
        case 'G': case 'g': unit = 1024 * 1024 * 1024; break;
        default: return std::nullopt;
        }
        ++i;
    }
    if (i != text.size() || value == 0 || value > limit / unit)
        return std::nullopt;
    return value * unit;
}

std::string format_bytes(std::uint64_t bytes)
{
    constexpr std::uint64_t k = 1024;
    if (bytes >= k * k * k && bytes % (k * k * k) == 0)
        return fmt::format("{}G", bytes / (k * k * k));
    if (bytes >= k * k && bytes % (k * k) == 0)
        return fmt::format("{}M", bytes / (k * k));
    if (bytes >= k && bytes % k == 0)
        return fmt::format("{}K", bytes / k);
    return fmt::format("{} bytes", bytes);
}

}
