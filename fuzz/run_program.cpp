// libFuzzer target: parse, then run whatever parses on a small machine with a small tick
// limit, under the policy the first byte picks, and render it in every output format:
// table (with the RAM column), summary, JSON, Gantt chart, narration, Perfetto, SVG, HTML,
// both CSVs, and a comparison of the run with itself on another core count (terminal, SVG
// and HTML). The same run is then made again visiting every tick: stepping must give exactly
// what jumping over quiet ticks gives, or the target traps. Nothing may crash or trip an
// invariant check (VERIFY aborts, which libFuzzer reports).

#include "engine/machine.hpp"
#include "lang/parser.hpp"
#include "sched/registry.hpp"
#include "trace/metrics.hpp"
#include "trace/render.hpp"
#include "trace/visual.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>

namespace {

std::optional<tl::Trace> run(tl::MachineConfig const& machine, tl::Program const& program, std::string const& policy,
    tl::SchedulerOptions options)
{
    options.cores = machine.cores;
    auto made = tl::make_scheduler(policy, options);
    if (!std::holds_alternative<tl::SchedulerChoice>(made))
        return std::nullopt;
    auto& choice = std::get<tl::SchedulerChoice>(made);
    return tl::simulate(machine, program, std::move(choice.scheduler), choice.name, choice.description);
}

// Everything a run can be shown as, in one string (so stepped and jumped runs compare whole).
std::string render_all(tl::Trace const& trace, tl::Metrics const& metrics)
{
    std::ostringstream out;
    tl::render_header(out, trace);
    tl::render_table(out, trace);
    tl::render_table(out, trace, tl::TableOptions { .ram = true });
    tl::render_output(out, trace);
    tl::render_summary(out, trace, metrics);
    tl::render_json(out, trace, metrics);
    tl::render_gantt(out, trace, metrics, tl::GanttStyle { .colour = false, .width = 80 });
    tl::render_gantt(out, trace, metrics, tl::GanttStyle { .colour = true, .width = 20 });
    tl::render_narration(out, trace);
    tl::render_perfetto(out, trace);
    std::array single { tl::ChartRun { "", "", &trace, &metrics } };
    tl::render_svg(out, single);
    tl::render_html(out, single);
    tl::render_csv_ticks(out, trace);
    tl::render_csv_metrics(out, trace, metrics);
    return out.str();
}

}

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
    auto const& policy = policies[static_cast<std::size_t>(knobs >> 4) % policies.size()].name;
    tl::SchedulerOptions options;
    options.quantum = 1 + ((knobs >> 4) & 3);
    auto jumped = run(machine, parsed.program, std::string(policy), options);
    if (!jumped)
        return 0;
    auto metrics = tl::compute_metrics(*jumped);
    auto shown = render_all(*jumped, metrics);

    // Stepping every tick is only slower: the trace, and so every rendering, is the same.
    auto every_tick = machine;
    every_tick.step_every_tick = true;
    auto stepped = run(every_tick, parsed.program, std::string(policy), options);
    if (!stepped)
        __builtin_trap();
    auto stepped_metrics = tl::compute_metrics(*stepped);
    if (render_all(*stepped, stepped_metrics) != shown)
        __builtin_trap();

    // A comparison with the same program on one core more (or fewer), as `ticklab compare`.
    auto other = machine;
    other.cores = machine.cores == 1 ? 2 : machine.cores - 1;
    if (tl::check_program_fits(other, parsed.program).empty()) {
        if (auto right = run(other, parsed.program, std::string(policy), options)) {
            auto right_metrics = tl::compute_metrics(*right);
            std::array runs { tl::ChartRun { "left", "-c 1", &*jumped, &metrics },
                tl::ChartRun { "right", "-c 2", &*right, &right_metrics } };
            std::ostringstream out;
            tl::render_gantt_compare(out, runs, tl::GanttStyle { .colour = false, .width = 80 });
            tl::render_svg(out, runs);
            tl::render_html(out, runs);
            (void)tl::run_figures(runs);
        }
    }
    return 0;
}
