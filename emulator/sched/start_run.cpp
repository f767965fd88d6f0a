#include "sched/start_run.hpp"

#include "sched/registry.hpp"

namespace tl {

std::variant<std::unique_ptr<Machine>, std::vector<RunProblem>> start_run(MachineConfig const& config,
    Program const& program, std::string_view scheduler, SchedulerOptions const& options, PolicyWrapper const& wrap)
{
    std::vector<RunProblem> problems;
    for (auto& problem : check_machine(config))
        problems.push_back(RunProblem { RunProblem::Kind::Machine, std::move(problem) });
    for (auto& problem : check_program_fits(config, program))
        problems.push_back(RunProblem { RunProblem::Kind::Program, std::move(problem) });
    auto made = make_scheduler(scheduler, options);
    if (auto* error = std::get_if<std::string>(&made))
        problems.push_back(RunProblem { RunProblem::Kind::Policy, std::move(*error) });
    if (!problems.empty())
        return problems;
    auto& choice = std::get<SchedulerChoice>(made);
    auto policy = wrap ? wrap(std::move(choice.scheduler)) : std::move(choice.scheduler);
    return std::make_unique<Machine>(config, program, std::move(policy), std::move(choice.name),
        std::move(choice.description));
}

std::variant<Trace, std::vector<RunProblem>> simulate_run(MachineConfig const& config, Program const& program,
    std::string_view scheduler, SchedulerOptions const& options)
{
    auto started = start_run(config, program, scheduler, options);
    if (auto* problems = std::get_if<std::vector<RunProblem>>(&started))
        return std::move(*problems);
    auto& machine = *std::get<std::unique_ptr<Machine>>(started);
    machine.run();
    return machine.take_trace();
}

}
