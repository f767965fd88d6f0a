#pragma once

// Test helpers: read a bundled program, parse a program (failing the test loudly if it does not
// parse) and run it.

#include "engine/machine.hpp"
#include "lang/parser.hpp"
#include "sched/registry.hpp"
#include "sched/start_run.hpp"
#include "trace/metrics.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace tl::test {

inline Program parse_or_fail(std::string_view source)
{
    auto parsed = parse_program(source, "test.tl");
    INFO(format_diagnostics(parsed.errors));
    REQUIRE(parsed.ok());
    return parsed.program;
}

// The text of programs/NAME.tl, the bundled program of that name (the test fails if it is
// missing).
inline std::string bundled_source(std::string const& name)
{
    auto path = fmt::format("{}/programs/{}.tl", TICKLAB_TEST_SOURCE_DIR, name);
    std::ifstream in(path, std::ios::binary);
    INFO(path);
    REQUIRE(in.good());
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

// programs/NAME.tl parsed, with its own file name in any diagnostic.
inline Program bundled(std::string const& name)
{
    auto parsed = parse_program(bundled_source(name), "programs/" + name + ".tl");
    INFO(format_diagnostics(parsed.errors));
    REQUIRE(parsed.ok());
    return parsed.program;
}

inline Program jobs_or_fail(std::string_view list)
{
    auto parsed = parse_jobs(list);
    INFO(format_diagnostics(parsed.errors));
    REQUIRE(parsed.ok());
    return parsed.program;
}

struct RunSpec {
    std::string scheduler = "rr";
    int cores = 1;
    Tick quantum = 2;
    Tick switch_cost = 0;
    std::uint64_t ram = 1024 * 1024;
    Tick max_ticks = 1'000'000;
    bool step_every_tick = false;
    std::uint64_t seed = 1;
    int bus = 8;
    std::uint64_t load_chunk = 0;
    std::map<std::string, std::string, std::less<>> settings {}; // --set NAME=VALUE
};

inline MachineConfig machine_config(RunSpec const& spec)
{
    MachineConfig machine;
    machine.cores = spec.cores;
    machine.switch_cost = spec.switch_cost;
    machine.ram = spec.ram;
    machine.max_ticks = spec.max_ticks;
    machine.step_every_tick = spec.step_every_tick;
    machine.bus_bandwidth = spec.bus;
    machine.load_chunk = spec.load_chunk;
    return machine;
}

inline SchedulerOptions scheduler_options(RunSpec const& spec)
{
    SchedulerOptions options;
    options.quantum = spec.quantum;
    options.cores = spec.cores;
    options.seed = spec.seed;
    options.settings = spec.settings;
    return options;
}

// Each problem on a line of its own, for a failing test's message.
inline std::string problems_text(std::vector<RunProblem> const& problems)
{
    std::string text;
    for (auto const& problem : problems)
        text += problem.message + "\n";
    return text;
}

// The spec's machine and policy at tick 0 (start_run); `wrap`, when given, wraps the policy.
inline std::unique_ptr<Machine> start(Program const& program, RunSpec const& spec, PolicyWrapper const& wrap = {})
{
    auto started = start_run(machine_config(spec), program, spec.scheduler, scheduler_options(spec), wrap);
    if (auto const* problems = std::get_if<std::vector<RunProblem>>(&started))
        FAIL(problems_text(*problems));
    return std::move(std::get<std::unique_ptr<Machine>>(started));
}

inline Trace run(Program const& program, RunSpec const& spec)
{
    auto simulated = simulate_run(machine_config(spec), program, spec.scheduler, scheduler_options(spec));
    if (auto const* problems = std::get_if<std::vector<RunProblem>>(&simulated))
        FAIL(problems_text(*problems));
    return std::get<Trace>(std::move(simulated));
}

// "name@start-end" for every slice of one core, switching slices as "~name@start-end".
inline std::string core_timeline(Trace const& trace, CoreId core)
{
    std::string out;
    for (auto const& slice : trace.core_slices[static_cast<std::size_t>(core)]) {
        if (!out.empty())
            out += ' ';
        out += (slice.switching ? "~" : "") + trace.name(slice.thread) + "@" + std::to_string(slice.start) + "-"
            + std::to_string(slice.end);
    }
    return out;
}

inline JobMetrics const& job(Metrics const& metrics, std::string_view name)
{
    for (auto const& job : metrics.jobs)
        if (job.name == name)
            return job;
    FAIL("no job named " << name);
    return metrics.jobs.front();
}

}
