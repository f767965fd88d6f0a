#include "explore/by_hand.hpp"

#include "engine/machine.hpp"
#include "explore/explore.hpp"
#include "lang/program.hpp"
#include "sched/registry.hpp"

#include <algorithm>

namespace tl {

namespace {

// Answers from the list; at the first pick past it (or at a misfit), throws what it found.
class Asker final : public Chooser {
public:
    Asker(Machine const& machine, SchedulerOptions const& options, std::vector<ThreadId> const& answers)
        : m_machine(machine)
        , m_options(options)
        , m_answers(answers)
    {
    }
    std::optional<ThreadId> choose(Choice const& choice) override
    {
        if (m_used < m_answers.size()) {
            auto answer = m_answers[m_used++];
            if (std::find(choice.ready.begin(), choice.ready.end(), answer) != choice.ready.end())
                return answer;
            throw HandMisfit { m_used - 1, pick(choice) };
        }
        throw pick(choice);
    }

private:
    HandPick pick(Choice const& choice) const
    {
        HandPick pick;
        pick.tick = m_machine.now();
        pick.core = choice.core;
        pick.ready.assign(choice.ready.begin(), choice.ready.end());
        auto const& trace = m_machine.trace();
        for (auto const& thread : trace.threads)
            pick.threads.push_back(thread.display_name);
        for (ThreadId id : choice.ready) {
            auto facts = m_machine.facts(id);
            auto const& code = trace.threads[static_cast<std::size_t>(id)].code;
            auto pc = m_machine.pc(id);
            pick.names.push_back(trace.name(id));
            pick.needs.push_back(HandPick::Need { pc < code.size() ? to_string(code[pc]) : std::string(),
                m_machine.mid_compute(id), facts.next_burst });
        }
        // Each built-in policy, asked fresh: the ready threads enqueued as if they had just
        // arrived, in id order (what it would pick among them, not its history).
        for (auto const& entry : all_schedulers()) {
            auto made = make_scheduler(entry.name, m_options);
            auto* scheduler = std::get_if<SchedulerChoice>(&made);
            if (!scheduler)
                continue;
            scheduler->scheduler->attach(m_machine);
            for (ThreadId id : choice.ready)
                scheduler->scheduler->enqueue(id, EnqueueReason::Arrived);
            auto chosen = scheduler->scheduler->pick_next(choice.core);
            pick.picks.emplace_back(std::string(entry.name), chosen ? trace.name(*chosen) : std::string("none"));
        }
        return pick;
    }

    Machine const& m_machine;
    SchedulerOptions const& m_options;
    std::vector<ThreadId> const& m_answers;
    std::size_t m_used = 0;
};

}

std::variant<Trace, HandPick, HandMisfit> run_by_hand(MachineConfig const& config, Program const& program,
    SchedulerOptions const& options, std::optional<Tick> quantum, std::vector<ThreadId> const& answers)
{
    auto machine = chosen_machine(config, program, quantum);
    Asker asker(machine, options, answers);
    machine.set_chooser(&asker);
    try {
        machine.run();
    } catch (HandPick& pick) {
        return std::move(pick);
    } catch (HandMisfit& misfit) {
        return std::move(misfit);
    }
    machine.set_chooser(nullptr);
    return machine.take_trace();
}

std::optional<ThreadId> pick_from(std::string_view answer, HandPick const& pick)
{
    for (std::size_t i = 0; i < pick.ready.size(); ++i)
        if (answer == pick.names[i] || answer == std::to_string(i + 1))
            return pick.ready[i];
    return std::nullopt;
}

}
