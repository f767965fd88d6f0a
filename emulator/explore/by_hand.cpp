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
    Asker(Machine const& machine, SchedulerOptions const& options, std::vector<std::string> const& policies,
        std::vector<ThreadId> const& answers, std::vector<std::size_t>* ready_counts)
        : m_machine(machine)
        , m_options(options)
        , m_policies(policies)
        , m_answers(answers)
        , m_ready_counts(ready_counts)
    {
    }
    std::optional<ThreadId> choose(Choice const& choice) override
    {
        if (m_used < m_answers.size()) {
            if (m_ready_counts)
                m_ready_counts->push_back(choice.ready.size());
            auto answer = m_answers[m_used++];
            if (std::find(choice.ready.begin(), choice.ready.end(), answer) != choice.ready.end())
                return answer;
            throw HandMisfit { m_used - 1, pick(choice) };
        }
        throw pick(choice);
    }

private:
    // Which step of a memory instruction of several comes next (`incr`: read, add, write), from
    // the ticks the thread has run of it so far, and the value it read.
    static void memory_progress(Trace const& trace, ThreadId id, std::int32_t pc, int steps, HandPick::Need& need)
    {
        Slice const* last = nullptr;
        for (auto const& slices : trace.core_slices)
            for (auto const& slice : slices)
                if (slice.thread == id && !slice.switching && !slice.stalled && (!last || slice.start > last->start))
                    last = &slice;
        auto done = last && last->pc == pc ? static_cast<int>((last->done_before + last->end - last->start) % steps) : 0;
        auto const& code = trace.threads[id].code;
        need.step = std::string(step_name(memory_step(code[index_of(pc)].opcode, done)));
        if (done == 0)
            return;
        for (auto event = trace.events.rbegin(); event != trace.events.rend(); ++event)
            if (event->thread == id && event->kind == EventKind::VarRead) {
                need.read = event->value;
                break;
            }
    }

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
            auto const& code = trace.threads[id].code;
            auto pc = m_machine.pc(id);
            pick.names.push_back(trace.name(id));
            HandPick::Need need { pc < code.size() ? to_string(code[pc]) : std::string(), m_machine.mid_compute(id),
                facts.next_burst, {}, {} };
            if (pc < code.size() && memory_steps(code[pc].opcode) > 1)
                memory_progress(trace, id, static_cast<std::int32_t>(pc), memory_steps(code[pc].opcode), need);
            pick.needs.push_back(std::move(need));
        }
        // Each policy asked, fresh: the ready threads enqueued as if they had just arrived, in
        // id order (what it would pick among them, not its history).
        for (auto const& name : m_policies) {
            auto made = make_scheduler(name, m_options);
            auto* scheduler = std::get_if<SchedulerChoice>(&made);
            if (!scheduler)
                continue;
            scheduler->scheduler->attach(m_machine);
            for (ThreadId id : choice.ready)
                scheduler->scheduler->enqueue(id, EnqueueReason::Arrived);
            auto chosen = scheduler->scheduler->pick_next(choice.core);
            pick.picks.emplace_back(name, chosen ? trace.name(*chosen) : std::string("none"));
        }
        return pick;
    }

    Machine const& m_machine;
    SchedulerOptions const& m_options;
    std::vector<std::string> const& m_policies;
    std::vector<ThreadId> const& m_answers;
    std::vector<std::size_t>* m_ready_counts;
    std::size_t m_used = 0;
};

}

std::variant<Trace, HandPick, HandMisfit> run_by_hand(MachineConfig const& config, Program const& program,
    SchedulerOptions const& options, std::vector<std::string> const& policies, std::optional<Tick> quantum,
    std::vector<ThreadId> const& answers, std::vector<std::size_t>* ready_counts)
{
    auto machine = chosen_machine(config, program, quantum);
    Asker asker(machine, options, policies, answers, ready_counts);
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
