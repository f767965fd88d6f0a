#include "trace/races.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>
#include <tuple>

namespace tl {

namespace {

using Clock = std::vector<std::uint32_t>; // one entry per thread of the process

void join_into(Clock& into, Clock const& from)
{
    if (from.empty())
        return;
    if (into.size() < from.size())
        into.resize(from.size(), 0);
    for (std::size_t i = 0; i < from.size(); ++i)
        into[i] = std::max(into[i], from[i]);
}

// An access as remembered for later checks: who, at which point of its clock, and enough to
// report it.
struct Access {
    std::uint32_t local = 0; // the thread's index within its process
    std::uint32_t clock = 0; // that thread's own clock entry at the access
    RaceAccess what;
};

struct Variable {
    std::optional<Access> write;  // the last write
    std::vector<Access> reads;    // the last read of each thread since that write
    Clock sync;                   // left by the last atomic access
};

// A `join` instruction of a thread, applied once the thread is seen past it.
struct JoinAt {
    std::int32_t pc = 0;
    ThreadId target = no_thread;
    std::int32_t block = 0; // the straight-line stretch of code it is in (see Checker::blocks)
};

class Checker {
public:
    explicit Checker(Trace const& trace)
        : m_trace(trace)
        , m_local(trace.threads.size(), 0)
        , m_clocks(trace.threads.size())
        , m_held(trace.threads.size())
        , m_pending(trace.threads.size())
        , m_joins(trace.threads.size())
        , m_join_done(trace.threads.size())
        , m_blocks(trace.threads.size())
    {
        m_checked.resize(trace.processes.size(), false);
        m_variables.resize(trace.processes.size());
        m_mutexes.resize(trace.processes.size());
        for (std::size_t p = 0; p < trace.processes.size(); ++p) {
            auto const& process = trace.processes[p];
            if (process.variables.empty())
                continue;
            if (process.threads.size() > max_race_checked_threads) {
                m_report.unchecked.push_back(static_cast<ProcessId>(p));
                continue;
            }
            m_checked[p] = true;
            m_variables[p].resize(process.variables.size());
            m_mutexes[p].resize(process.mutexes.size());
            for (std::size_t i = 0; i < process.threads.size(); ++i) {
                auto id = static_cast<std::size_t>(process.threads[i]);
                m_local[id] = static_cast<std::uint32_t>(i);
                index_joins(static_cast<ThreadId>(id));
            }
        }
    }

    RaceReport run()
    {
        for (auto const& event : m_trace.events) {
            if (event.process == no_process || !m_checked[static_cast<std::size_t>(event.process)]
                || event.thread == no_thread)
                continue;
            switch (event.kind) {
            case EventKind::VarRead:
            case EventKind::VarWrite:
            case EventKind::LockAcquire:
            case EventKind::LockRelease:
            case EventKind::Spawn:
            case EventKind::JoinWait:
            case EventKind::ThreadExit: break;
            default: continue;
            }
            catch_up(event.thread, event.pc);
            switch (event.kind) {
            case EventKind::VarRead: read(event); break;
            case EventKind::VarWrite: write(event); break;
            case EventKind::LockAcquire: {
                auto& held = m_held[static_cast<std::size_t>(event.thread)];
                held.push_back(event.object);
                join_into(clock(event.thread), mutex(event));
                break;
            }
            case EventKind::LockRelease: {
                auto& held = m_held[static_cast<std::size_t>(event.thread)];
                auto found = std::find(held.rbegin(), held.rend(), event.object);
                if (found != held.rend())
                    held.erase(std::next(found).base());
                mutex(event) = clock(event.thread);
                tick(event.thread);
                break;
            }
            case EventKind::Spawn: {
                auto spawned = static_cast<ThreadId>(event.value);
                join_into(clock(spawned), clock(event.thread));
                tick(event.thread);
                break;
            }
            case EventKind::JoinWait:
                // It waits until the target ends: the edge is taken at its next event, when
                // the target's clock is final.
                m_pending[static_cast<std::size_t>(event.thread)].push_back(static_cast<ThreadId>(event.value));
                break;
            case EventKind::ThreadExit:
                if (event.pc < 0) // it ran to its end, so past every join it has
                    catch_up(event.thread, static_cast<std::int32_t>(
                                               m_trace.threads[static_cast<std::size_t>(event.thread)].code.size()),
                        true);
                m_ended.insert(event.thread);
                break;
            default: break;
            }
        }
        return std::move(m_report);
    }

private:
    Clock& clock(ThreadId id)
    {
        auto& own = m_clocks[static_cast<std::size_t>(id)];
        if (own.empty()) {
            auto const& process = m_trace.processes[static_cast<std::size_t>(m_trace.threads[static_cast<std::size_t>(id)].process)];
            own.assign(process.threads.size(), 0);
            own[m_local[static_cast<std::size_t>(id)]] = 1;
        }
        return own;
    }

    void tick(ThreadId id) { ++clock(id)[m_local[static_cast<std::size_t>(id)]]; }

    Clock& mutex(Event const& event)
    {
        return m_mutexes[static_cast<std::size_t>(event.process)][static_cast<std::size_t>(event.object)];
    }

    // The stretches of straight-line code: the thread's own code from 0, and each coroutine
    // call's body from its entry. Within one, an instruction runs only after those before it.
    void index_joins(ThreadId id)
    {
        auto const& code = m_trace.threads[static_cast<std::size_t>(id)].code;
        bool any = std::any_of(code.begin(), code.end(), [](Instruction const& i) { return i.opcode == Opcode::Join; });
        if (!any)
            return;
        auto& blocks = m_blocks[static_cast<std::size_t>(id)];
        blocks.push_back(0);
        for (auto const& instruction : code)
            for (auto const& call : instruction.calls)
                blocks.push_back(call.entry);
        std::sort(blocks.begin(), blocks.end());
        blocks.erase(std::unique(blocks.begin(), blocks.end()), blocks.end());
        auto& joins = m_joins[static_cast<std::size_t>(id)];
        for (std::size_t pc = 0; pc < code.size(); ++pc)
            if (code[pc].opcode == Opcode::Join)
                joins.push_back(JoinAt { static_cast<std::int32_t>(pc), static_cast<ThreadId>(m_trace.processes[
                    static_cast<std::size_t>(m_trace.threads[static_cast<std::size_t>(id)].process)].threads[
                        static_cast<std::size_t>(code[pc].target)]), block_of(id, static_cast<std::int32_t>(pc)) });
        m_join_done[static_cast<std::size_t>(id)].assign(joins.size(), false);
    }

    std::int32_t block_of(ThreadId id, std::int32_t pc) const
    {
        auto const& blocks = m_blocks[static_cast<std::size_t>(id)];
        auto after = std::upper_bound(blocks.begin(), blocks.end(), pc);
        return static_cast<std::int32_t>(after - blocks.begin()) - 1;
    }

    // Before the thread's event at `pc`: the joins it waited in (JoinWait) and the joins it
    // went straight through (their target had already ended, so no event says so) are edges
    // from the target's end. A join at an earlier pc of the same stretch of code has run;
    // `all`: every join of the thread has (it ran to its end).
    void catch_up(ThreadId id, std::int32_t pc, bool all = false)
    {
        auto& pending = m_pending[static_cast<std::size_t>(id)];
        for (ThreadId target : pending)
            join_into(clock(id), clock(target));
        pending.clear();
        auto const& joins = m_joins[static_cast<std::size_t>(id)];
        if (joins.empty() || pc < 0)
            return;
        auto block = all ? 0 : block_of(id, pc);
        auto& done = m_join_done[static_cast<std::size_t>(id)];
        for (std::size_t j = 0; j < joins.size(); ++j) {
            if (done[j] || (!all && (joins[j].block != block || joins[j].pc >= pc)))
                continue;
            if (!m_ended.contains(joins[j].target))
                continue; // not run yet after all (a stretch entered again cannot happen; be safe)
            done[j] = true;
            join_into(clock(id), clock(joins[j].target));
        }
    }

    Variable& variable(Event const& event)
    {
        return m_variables[static_cast<std::size_t>(event.process)][static_cast<std::size_t>(event.object)];
    }

    Access access(Event const& event, bool write, bool atomic)
    {
        auto const& held = m_held[static_cast<std::size_t>(event.thread)];
        auto local = m_local[static_cast<std::size_t>(event.thread)];
        return Access { local, clock(event.thread)[local],
            RaceAccess { event.thread, event.line, event.tick, write, atomic, held.empty() ? -1 : held.back() } };
    }

    // Whether `earlier` happens before what thread `id` does now.
    bool ordered(Access const& earlier, ThreadId id)
    {
        auto const& now = clock(id);
        return earlier.clock <= now[earlier.local];
    }

    void check(Event const& event, Access const& earlier, Access const& now)
    {
        if (earlier.what.thread == now.what.thread || (earlier.what.atomic && now.what.atomic))
            return;
        if (ordered(earlier, event.thread))
            return;
        auto a = std::min(earlier.what.thread, now.what.thread);
        auto b = std::max(earlier.what.thread, now.what.thread);
        if (!m_found.insert({ event.process, event.object, a, b }).second)
            return;
        m_report.races.push_back(Race { event.process, event.object, earlier.what, now.what,
            static_cast<std::size_t>(&event - m_trace.events.data()) });
    }

    void read(Event const& event)
    {
        auto& state = variable(event);
        auto now = access(event, false, false);
        if (state.write)
            check(event, *state.write, now);
        for (auto& read : state.reads)
            if (read.what.thread == event.thread) {
                read = now;
                return;
            }
        state.reads.push_back(now);
    }

    void write(Event const& event)
    {
        auto const& code = m_trace.threads[static_cast<std::size_t>(event.thread)].code;
        bool atomic = event.pc >= 0 && static_cast<std::size_t>(event.pc) < code.size()
            && code[static_cast<std::size_t>(event.pc)].opcode == Opcode::AtomicIncr;
        auto& state = variable(event);
        if (atomic)
            join_into(clock(event.thread), state.sync); // it takes what the last atomic access left
        auto now = access(event, true, atomic);
        if (state.write)
            check(event, *state.write, now);
        for (auto const& read : state.reads)
            check(event, read, now);
        state.reads.clear();
        state.write = now;
        if (atomic) {
            state.sync = clock(event.thread);
            tick(event.thread);
        }
    }

    Trace const& m_trace;
    RaceReport m_report;
    std::vector<bool> m_checked;                       // per process
    std::vector<std::uint32_t> m_local;                // per thread: its index in its process
    std::vector<Clock> m_clocks;                       // per thread, made when first needed
    std::vector<std::vector<std::int32_t>> m_held;     // per thread: the mutexes it holds, in order taken
    std::vector<std::vector<ThreadId>> m_pending;      // per thread: the threads it waits to join
    std::vector<std::vector<JoinAt>> m_joins;          // per thread: its join instructions
    std::vector<std::vector<bool>> m_join_done;        // per thread, per join: taken
    std::vector<std::vector<std::int32_t>> m_blocks;   // per thread with joins: stretch starts
    std::vector<std::vector<Variable>> m_variables;    // per process, per variable
    std::vector<std::vector<Clock>> m_mutexes;         // per process, per mutex: the last unlocker's clock
    std::set<ThreadId> m_ended;
    std::set<std::tuple<ProcessId, std::int32_t, ThreadId, ThreadId>> m_found;
};

std::string_view verb(RaceAccess const& access) { return access.write ? "writes" : "reads"; }

std::string mutex_name(Trace const& trace, ProcessId process, std::int32_t mutex)
{
    return trace.processes[static_cast<std::size_t>(process)].mutexes[static_cast<std::size_t>(mutex)];
}

}

RaceReport find_races(Trace const& trace)
{
    if (!races_checked(trace))
        return {};
    return Checker(trace).run();
}

bool races_checked(Trace const& trace)
{
    return trace.machine.record_events
        && std::any_of(trace.processes.begin(), trace.processes.end(), [](auto const& p) { return !p.variables.empty(); });
}

std::string race_sentence(Trace const& trace, Race const& race)
{
    return race_accesses(trace, race) + "; " + race_reason(trace, race);
}

std::string race_variable(Trace const& trace, Race const& race)
{
    auto const& process = trace.processes[static_cast<std::size_t>(race.process)];
    auto const& name = process.variables[static_cast<std::size_t>(race.variable)];
    for (std::size_t p = 0; p < trace.processes.size(); ++p)
        if (static_cast<ProcessId>(p) != race.process
            && std::find(trace.processes[p].variables.begin(), trace.processes[p].variables.end(), name)
                != trace.processes[p].variables.end())
            return process.name + "." + name;
    return name;
}

std::string race_accesses(Trace const& trace, Race const& race)
{
    auto name = race_variable(trace, race);
    auto side = [&](RaceAccess const& access) {
        return fmt::format("thread {} (line {}) {}{}", trace.name(access.thread), access.line,
            access.atomic ? "atomically " : "", verb(access));
    };
    return fmt::format("{} {} at tick {} and {} it at tick {}", side(race.first), name, race.first.tick,
        side(race.second), race.second.tick);
}

std::string race_reason(Trace const& trace, Race const& race)
{
    auto const& a = race.first;
    auto const& b = race.second;
    std::string why;
    if (a.atomic != b.atomic) {
        auto const& plain = a.atomic ? b : a;
        why = fmt::format("{}'s {} is not atomic, and an atomic access only excludes other atomic ones; neither waits "
                          "for the other",
            trace.name(plain.thread), plain.write ? "write" : "read");
    } else if (a.mutex >= 0 && b.mutex >= 0) {
        why = fmt::format("{} holds mutex {} and {} holds mutex {}: different mutexes do not exclude each other, and "
                          "neither waits for the other",
            trace.name(a.thread), mutex_name(trace, race.process, a.mutex), trace.name(b.thread),
            mutex_name(trace, race.process, b.mutex));
    } else if (a.mutex >= 0 || b.mutex >= 0) {
        auto const& locked = a.mutex >= 0 ? a : b;
        auto const& bare = a.mutex >= 0 ? b : a;
        why = fmt::format("{} holds mutex {} but {} takes no lock, and neither waits for the other",
            trace.name(locked.thread), mutex_name(trace, race.process, locked.mutex), trace.name(bare.thread));
    } else {
        why = "no lock is held by both and neither waits for the other";
    }
    if (trace.processes[static_cast<std::size_t>(race.process)].gil)
        why += " (the GIL does not order them: it can pass to the other thread between a read and the write after it)";
    return why;
}

}
