#include "explore/explore.hpp"

#include "explore/chosen.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <unordered_map>

namespace tl {

std::vector<ThreadId> explore_options(Machine const& machine, Choice const& choice)
{
    std::vector<ThreadId> options;
    for (ThreadId id : choice.ready) {
        if (!machine.mid_compute(id)) {
            options.push_back(id);
            continue;
        }
        if (machine.facts(id).last_core == choice.core)
            return { id }; // it goes on: a switch inside a compute changes nothing shared
    }
    if (options.empty())
        options.assign(choice.ready.begin(), choice.ready.end());
    return options;
}

Machine chosen_machine(MachineConfig const& config, Program const& program, std::optional<Tick> quantum)
{
    return Machine(config, program, std::make_unique<ChosenScheduler>(quantum), "chosen",
        quantum ? "chosen by hand, quantum " + std::to_string(*quantum) : "chosen by hand");
}

std::vector<std::string> variable_names(Program const& program)
{
    std::map<std::string, int> count;
    for (auto const& process : program.processes)
        for (auto const& name : process.variables)
            ++count[name];
    std::vector<std::string> names;
    for (auto const& process : program.processes)
        for (auto const& name : process.variables)
            names.push_back(count[name] > 1 ? process.name + "." + name : name);
    return names;
}

namespace {

// Answers from a script, then the first option, noting every pick with more than one.
class Branching final : public Chooser {
public:
    Branching(Machine const& machine, std::vector<ThreadId> const& script)
        : m_machine(machine)
        , m_script(script)
    {
    }
    std::optional<ThreadId> choose(Choice const& choice) override
    {
        auto options = explore_options(m_machine, choice);
        ThreadId pick = options.front();
        if (made.size() < m_script.size()) {
            pick = m_script[made.size()];
        } else if (options.size() > 1) {
            open.emplace_back(made.size(), std::vector<ThreadId>(options.begin() + 1, options.end()));
        }
        made.push_back(pick);
        return pick;
    }

    std::vector<ThreadId> made;
    std::vector<std::pair<std::size_t, std::vector<ThreadId>>> open; // the other answers, by pick

private:
    Machine const& m_machine;
    std::vector<ThreadId> const& m_script;
};

std::uint64_t add_saturating(std::uint64_t a, std::uint64_t b)
{
    return a > std::numeric_limits<std::uint64_t>::max() - b ? std::numeric_limits<std::uint64_t>::max() : a + b;
}

class Explorer {
public:
    Explorer(MachineConfig const& config, Program const& program, ExploreLimits const& limits)
        : m_config(config)
        , m_program(program)
        , m_names(variable_names(program))
        , m_limits(limits)
    {
    }

    // Per outcome (index into result.outcomes), the number of schedules from this state there.
    using Counts = std::vector<std::pair<std::size_t, std::uint64_t>>;

    Counts visit(Machine const& machine, std::vector<ThreadId>& path)
    {
        if (machine.ended())
            return { { record(machine.trace(), path), 1 } };
        auto key = machine.state_key();
        if (auto found = m_seen.find(key); found != m_seen.end())
            return found->second;
        if (result.states >= m_limits.max_states) {
            result.complete = false;
            if (result.outcomes.empty()) {
                // Not one schedule finished within the limit: finish this one, taking the
                // first answer at every pick, so a partial result still shows an outcome.
                Machine rest(machine);
                std::vector<ThreadId> none;
                Branching first(rest, none);
                rest.set_chooser(&first);
                rest.run();
                auto length = path.size();
                path.insert(path.end(), first.made.begin(), first.made.end());
                auto outcome = record(rest.trace(), path);
                path.resize(length);
                return { { outcome, 1 } };
            }
            return {};
        }
        ++result.states;
        std::map<std::size_t, std::uint64_t> counts;
        std::vector<std::vector<ThreadId>> scripts { {} };
        while (!scripts.empty()) {
            auto script = std::move(scripts.back());
            scripts.pop_back();
            Machine child(machine);
            Branching branching(child, script);
            child.set_chooser(&branching);
            child.advance();
            child.set_chooser(nullptr);
            // Other answers at this boundary, last first, so the first answers are tried first.
            for (auto open = branching.open.rbegin(); open != branching.open.rend(); ++open)
                for (auto other = open->second.rbegin(); other != open->second.rend(); ++other) {
                    std::vector<ThreadId> next(branching.made.begin(),
                        branching.made.begin() + static_cast<std::ptrdiff_t>(open->first));
                    next.push_back(*other);
                    scripts.push_back(std::move(next));
                }
            auto length = path.size();
            path.insert(path.end(), branching.made.begin(), branching.made.end());
            for (auto const& [outcome, n] : visit(child, path))
                counts[outcome] = add_saturating(counts[outcome], n);
            path.resize(length);
        }
        Counts list(counts.begin(), counts.end());
        m_seen.emplace(std::move(key), list);
        return list;
    }

    ExploreResult result;

private:
    std::size_t record(Trace const& trace, std::vector<ThreadId> const& path)
    {
        ExploreOutcome outcome;
        std::size_t index = 0;
        for (auto const& process : trace.processes)
            for (auto value : process.final_values)
                outcome.variables.emplace_back(m_names[index++], value);
        outcome.deadlock = trace.outcome == Outcome::Deadlock;
        outcome.tick_limit = trace.outcome == Outcome::TickLimit;
        // Explored without events (they only record); a deadlock's cycle and a fault's message
        // come from the same schedule run again with them.
        bool faulted = std::any_of(trace.totals.begin(), trace.totals.end(), [](auto const& t) { return t.faulted; });
        std::optional<Trace> full;
        if (outcome.deadlock || faulted) {
            auto config = m_config;
            config.record_events = true;
            auto machine = chosen_machine(config, m_program, Tick { 1 });
            Branching replay(machine, path);
            machine.set_chooser(&replay);
            machine.run();
            full = machine.take_trace();
        }
        Trace const& told = full ? *full : trace;
        for (auto const& event : told.events) {
            if (event.kind == EventKind::Deadlock && outcome.deadlock_text.empty())
            {
                outcome.deadlock_text = std::string(told.text(event));
                if (outcome.deadlock_text.rfind("deadlock: ", 0) == 0)
                    outcome.deadlock_text.erase(0, 10); // the cycle alone
            }
            if (event.kind == EventKind::Fault && !outcome.fault)
                outcome.fault = told.name(event.thread) + ": " + std::string(told.text(event));
        }
        for (std::size_t i = 0; i < result.outcomes.size(); ++i) {
            auto const& known = result.outcomes[i];
            if (known.variables == outcome.variables && known.deadlock == outcome.deadlock
                && known.deadlock_text == outcome.deadlock_text && known.fault == outcome.fault
                && known.tick_limit == outcome.tick_limit)
                return i;
        }
        for (ThreadId id : path)
            outcome.witness.push_back(trace.name(id));
        result.outcomes.push_back(std::move(outcome));
        return result.outcomes.size() - 1;
    }

    MachineConfig m_config;
    Program const& m_program;
    std::vector<std::string> m_names;
    ExploreLimits m_limits;
    std::unordered_map<std::string, Counts> m_seen;
};

}

ExploreResult explore(MachineConfig const& config, Program const& program, ExploreLimits const& limits)
{
    // Only totals are kept while exploring: the events and queues only record (see record()).
    auto quiet = config;
    quiet.record_events = false;
    quiet.record_queues = false;
    Explorer explorer(quiet, program, limits);
    auto machine = chosen_machine(quiet, program, Tick { 1 });
    std::vector<ThreadId> path;
    auto counts = explorer.visit(machine, path);
    for (auto const& [outcome, n] : counts) {
        explorer.result.outcomes[outcome].schedules = n;
        explorer.result.schedules = add_saturating(explorer.result.schedules, n);
    }
    return std::move(explorer.result);
}

}
