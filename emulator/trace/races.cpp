#include "trace/races.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <memory>
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

// How far a thread with `join` instructions is known to have run, to take the edge of a join
// that went straight through (its thread had already ended), which no event records. The
// code is straight-line stretches ("blocks"): the thread's own code from 0, and the body of
// each coroutine call from its entry (each call has its own copy, entered from one
// instruction). Within a block an instruction runs only after those before it; a call
// before it has returned (its whole body ran); and the block's caller ran up to the call.
struct Walk {
    std::vector<std::int32_t> starts; // block starts, sorted
    std::vector<std::int32_t> caller; // per block: the pc of the instruction that calls it, -1 for the own code
    std::vector<std::int32_t> cursor; // per block: the first pc not walked yet
};

class RaceChecker {
public:
    explicit RaceChecker(Trace const& trace)
        : m_trace(trace)
        , m_checked(trace.processes.count(), false)
        , m_local(trace.threads.count(), 0)
        , m_clocks(trace.threads.count())
        , m_held(trace.threads.count())
        , m_pending(trace.threads.count())
        , m_walks(trace.threads.count())
        , m_variables(trace.processes.count())
        , m_mutexes(trace.processes.count())
    {
        for (ProcessId p : trace.processes.ids()) {
            auto const& process = trace.processes[p];
            if (process.variables.empty())
                continue;
            if (process.threads.size() > max_race_checked_threads) {
                m_report.unchecked.push_back(p);
                continue;
            }
            m_checked[p] = true;
            m_variables[p].resize(static_cast<VariableId>(process.variables.size()));
            m_mutexes[p].resize(static_cast<MutexId>(process.mutexes.size()));
            for (std::size_t i = 0; i < process.threads.size(); ++i) {
                ThreadId id = process.threads[i];
                m_local[id] = static_cast<std::uint32_t>(i);
                index_blocks(id);
            }
        }
    }

    RaceReport run()
    {
        for (auto const& event : m_trace.events) {
            if (event.process == no_process || !m_checked[event.process]
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
                auto& held = m_held[event.thread];
                held.push_back(event.object);
                join_into(clock(event.thread), mutex(event));
                break;
            }
            case EventKind::LockRelease: {
                auto& held = m_held[event.thread];
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
                m_pending[event.thread].push_back(static_cast<ThreadId>(event.value));
                break;
            case EventKind::ThreadExit:
                if (event.pc < 0 && m_walks[event.thread]) // it ran to its end
                    walk_block(event.thread, 0, std::numeric_limits<std::int32_t>::max());
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
        auto& own = m_clocks[id];
        if (own.empty()) {
            auto const& process = m_trace.processes[m_trace.threads[id].process];
            own.assign(process.threads.size(), 0);
            own[m_local[id]] = 1;
        }
        return own;
    }

    void tick(ThreadId id) { ++clock(id)[m_local[id]]; }

    Clock& mutex(Event const& event)
    {
        return m_mutexes[event.process][event.object];
    }

    void index_blocks(ThreadId id)
    {
        auto const& code = m_trace.threads[id].code;
        if (std::none_of(code.begin(), code.end(), [](Instruction const& i) { return i.opcode == Opcode::Join; }))
            return;
        auto walk = std::make_unique<Walk>();
        std::vector<std::pair<std::int32_t, std::int32_t>> entries { { 0, -1 } }; // (start, caller pc)
        for (std::size_t pc = 0; pc < code.size(); ++pc)
            for (auto const& call : code[pc].calls)
                if (call.entry > 0 && call.entry < std::ssize(code))
                    entries.emplace_back(call.entry, static_cast<std::int32_t>(pc));
        std::sort(entries.begin(), entries.end());
        for (auto const& [start, caller] : entries) {
            if (!walk->starts.empty() && walk->starts.back() == start)
                continue;
            walk->starts.push_back(start);
            walk->caller.push_back(caller);
            walk->cursor.push_back(start);
        }
        m_walks[id] = std::move(walk);
    }

    std::size_t block_of(Walk const& walk, std::int32_t pc) const
    {
        auto after = std::upper_bound(walk.starts.begin(), walk.starts.end(), pc);
        return static_cast<std::size_t>(after - walk.starts.begin()) - 1;
    }

    // Takes the joins of `block` before `pc`, and those of every call it made before `pc`
    // (each to its body's `return`): they have all run. Each instruction is walked once.
    void walk_block(ThreadId id, std::size_t block, std::int32_t pc)
    {
        auto& walk = *m_walks[id];
        auto const& code = m_trace.threads[id].code;
        auto block_end = block + 1 < walk.starts.size() ? walk.starts[block + 1] : static_cast<std::int32_t>(code.size());
        auto end = std::min(block_end, pc);
        for (auto& at = walk.cursor[block]; at < end; ++at) {
            auto const& instruction = code[index_of(at)];
            if (instruction.opcode == Opcode::Join) {
                auto target = m_trace.processes[m_trace.threads[id].process].threads[index_of(instruction.target)];
                if (m_ended.contains(target))
                    join_into(clock(id), clock(target));
            }
            for (auto const& call : instruction.calls)
                if (call.entry > 0 && call.entry < std::ssize(code))
                    walk_block(id, block_of(walk, call.entry), std::numeric_limits<std::int32_t>::max());
            if (instruction.opcode == Opcode::Return) {
                at = block_end; // the rest of the stretch never runs
                break;
            }
        }
    }

    // Before the thread's event at `pc`: the joins it waited in (JoinWait) are edges from
    // their thread's end, and so are the joins it has gone past (see Walk).
    void catch_up(ThreadId id, std::int32_t pc)
    {
        auto& pending = m_pending[id];
        for (ThreadId target : pending)
            join_into(clock(id), clock(target));
        pending.clear();
        auto const* walk = m_walks[id].get();
        if (!walk || pc < 0)
            return;
        auto block = block_of(*walk, pc);
        while (true) {
            walk_block(id, block, pc);
            if (walk->caller[block] < 0)
                break;
            pc = walk->caller[block];
            block = block_of(*walk, pc);
        }
    }

    Variable& variable(Event const& event)
    {
        return m_variables[event.process][event.object];
    }

    Access access(Event const& event, bool write, bool atomic)
    {
        auto const& held = m_held[event.thread];
        auto local = m_local[event.thread];
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
        auto const& code = m_trace.threads[event.thread].code;
        bool atomic = event.pc >= 0 && event.pc < std::ssize(code) && code[index_of(event.pc)].opcode == Opcode::AtomicIncr;
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
    PerId<ProcessId, bool> m_checked;
    PerId<ThreadId, std::uint32_t> m_local;             // its index in its process
    PerId<ThreadId, Clock> m_clocks;                    // made when first needed
    PerId<ThreadId, std::vector<MutexId>> m_held;       // the mutexes it holds, in order taken
    PerId<ThreadId, std::vector<ThreadId>> m_pending;   // the threads it waits to join
    PerId<ThreadId, std::unique_ptr<Walk>> m_walks;     // threads with joins only
    PerId<ProcessId, PerId<VariableId, Variable>> m_variables;
    PerId<ProcessId, PerId<MutexId, Clock>> m_mutexes;  // the last unlocker's clock
    std::set<ThreadId> m_ended;
    std::set<std::tuple<ProcessId, std::int32_t, ThreadId, ThreadId>> m_found;
};

std::string_view verb(RaceAccess const& access) { return access.write ? "writes" : "reads"; }

std::string mutex_name(Trace const& trace, ProcessId process, std::int32_t mutex)
{
    return trace.processes[process].mutexes[index_of(mutex)];
}

}

RaceReport find_races(Trace const& trace)
{
    if (!races_checked(trace))
        return {};
    return RaceChecker(trace).run();
}

bool races_checked(Trace const& trace)
{
    return (trace.machine.record_events || trace.machine.record_notable)
        && std::any_of(trace.processes.begin(), trace.processes.end(), [](auto const& p) { return !p.variables.empty(); });
}

std::string race_sentence(Trace const& trace, Race const& race)
{
    return race_accesses(trace, race) + "; " + race_reason(trace, race);
}

std::string race_variable(Trace const& trace, Race const& race)
{
    auto const& process = trace.processes[race.process];
    auto const& name = process.variables[index_of(race.variable)];
    for (ProcessId p : trace.processes.ids())
        if (p != race.process
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
    if (trace.processes[race.process].gil)
        why += " (the GIL does not order them: it can pass to the other thread between a read and the write after it)";
    return why;
}

}
