// libFuzzer target: parse, then run whatever parses on a small machine with a small tick
// limit, under every registered policy, rendering every output format. Nothing may crash
// or trip an invariant check (VERIFY aborts, which libFuzzer reports).

#include "engine/machine.hpp"
#include "lang/parser.hpp"
#include "sched/registry.hpp"
#include "trace/metrics.hpp"
#include "trace/render.hpp"

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string_view>
#include <variant>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    if (size < 1)
        return 0;
    // The first byte picks the machine; the rest is the program.
    std::uint8_t knobs = data[0];
    std::string_view source(reinterpret_cast<char const*>(data + 1), size - 1);
    auto parsed = tl::parse_program(source, "fuzz.tl");
    if (!parsed.ok())
        return 0;
    tl::MachineConfig machine;
    machine.cores = 1 + (knobs & 3);
    machine.switch_cost = (knobs >> 2) & 1;
    machine.arrivals_first = ((knobs >> 3) & 1) == 0;
    machine.max_ticks = 2000;
    // The policy bits also pick a narrow or wide bus and whether programs load over it, so the
    // bus phase, stalls and loading are fuzzed too.
    machine.bus_bandwidth = 1 + (knobs >> 6);
    machine.load_chunk = (knobs & 0x20) != 0 ? 4096 : 0;
    if (!tl::check_machine(machine).empty() || !tl::check_program_fits(machine, parsed.program).empty())
        return 0;
    auto policies = tl::all_schedulers();
    auto const& entry = policies[static_cast<std::size_t>(knobs >> 4) % policies.size()];
    tl::SchedulerOptions options;
    options.cores = machine.cores;
    options.quantum = 1 + ((knobs >> 4) & 3);
    auto made = tl::make_scheduler(entry.name, options);
    if (!std::holds_alternative<tl::SchedulerChoice>(made))
        return 0;
    auto& choice = std::get<tl::SchedulerChoice>(made);
    auto trace = tl::simulate(machine, parsed.program, std::move(choice.scheduler), choice.name, choice.description);
    auto metrics = tl::compute_metrics(trace);
    std::ostringstream out;
    tl::render_table(out, trace);
    tl::render_summary(out, trace, metrics);
    tl::render_json(out, trace, metrics);
    return 0;
}
