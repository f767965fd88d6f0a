#include "trace/races.hpp"
#include "trace/render_util.hpp"
#include "trace/visual.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

// Narration: each tick boundary told in plain sentences, from the trace alone. The events say
// what happened; the ready-queue snapshots say why a thread was the one picked. A boundary's
// events come in the order the Machine produced them (phases of engine/machine.cpp), with one
// wrinkle: a thread whose slice ended is queued in phase 4 but its Preempt event is only
// emitted in phase 6, when its core goes to someone else. So the queue as the scheduler saw it
// is rebuilt from the snapshot before the boundary plus the threads queued during it, in
// phase order, before the dispatches are explained.

namespace tl {

namespace {

// "ramen", "ramen and pasta", "ramen, pasta and cake".
std::string name_list(std::vector<std::string> const& names)
{
    std::string text;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0)
            text += i + 1 == names.size() ? " and " : ", ";
        text += names[i];
    }
    return text;
}

std::string ticks(Tick count) { return fmt::format("{} tick{}", count, count == 1 ? "" : "s"); }

// Why a thread left its core, kept until the core's next dispatch (or the end of the
// boundary) so that leaving and arriving make one sentence.
struct Leave {
    ThreadId thread = no_thread;
    std::string phrase; // as a reason: "ramen's 2-tick slice ended"
    std::string alone;  // as a sentence of its own: "ramen ends"
};

class Narrator {
public:
    Narrator(std::ostream& out, Trace const& trace)
        : m_out(out)
        , m_trace(trace)
        , m_cores(trace.core_slices.count())
        , m_dispatched_at(trace.threads.count(), 0)
        , m_slice(trace.threads.count(), 0)
        , m_switched(trace.core_slices.count(), 0)
        , m_ready_cause(trace.threads.count())
        , m_races(find_races(trace))
    {
        if (!trace.queue_snapshots.empty())
            for (auto const& queue : trace.queue_snapshots.front().queues)
                m_shape.push_back(ReadyQueue { queue.label, {} });
    }

    // Tells one boundary's events. `final`: the boundary at which the run ended.
    void boundary(Tick tick, std::span<Event const> events, bool final)
    {
        m_tick = tick;
        m_final = final;
        rebuild_queues(events);
        for (std::size_t i = 0; i < events.size(); ++i)
            i = tell(events, i);
        for (CoreId core : m_cores.ids())
            went_idle(core);
    }

private:
    struct CoreStory {
        ThreadId running = no_thread; // on the core, as far as the events tell
        ThreadId last = no_thread;    // the last thread it ran, for switch costs
        std::optional<Leave> leave;   // left this boundary, not yet followed by a dispatch
    };

    std::string name(ThreadId id) const
    {
        return std::string(thread_label(m_trace, id));
    }

    std::string_view process(ProcessId id) const
    {
        return process_label(m_trace, id);
    }

    void say(std::string const& sentence) { m_out << fmt::format("tick {}: {}.\n", m_tick, sentence); }

    // The races this access shows (found at it: it is the later of the two).
    void tell_races(Event const& event)
    {
        auto at = static_cast<std::size_t>(&event - m_trace.events.data());
        auto const& races = m_races.races;
        while (m_next_race < races.size() && races[m_next_race].event < at)
            ++m_next_race;
        for (; m_next_race < races.size() && races[m_next_race].event == at; ++m_next_race)
            say(fmt::format("that is a data race on {}: {}; another schedule could run the two the other way round",
                race_variable(m_trace, races[m_next_race]), race_sentence(m_trace, races[m_next_race])));
    }

    // The queues during the tick before this boundary, then the threads queued at it before
    // any dispatch, in the order the phases queued them.
    void rebuild_queues(std::span<Event const> events)
    {
        auto const& snapshots = m_trace.queue_snapshots;
        while (m_next_snapshot < snapshots.size() && snapshots[m_next_snapshot].tick < m_tick)
            m_in_force = &snapshots[m_next_snapshot++];
        m_queues = m_in_force ? m_in_force->queues : m_shape;
        m_unplaced.clear();
        // Only the threads marked at the last boundary are cleared: a boundary costs what
        // happened at it, not the number of threads.
        for (ThreadId id : m_caused)
            m_ready_cause[id].reset();
        m_caused.clear();

        std::vector<Event const*> arrived;
        std::vector<Event const*> sliced;
        std::vector<Event const*> preempted;
        m_later.clear();
        bool dispatched = false;
        for (auto const& event : events) {
            dispatched = dispatched || event.kind == EventKind::Dispatch;
            bool slice_ended = event.kind == EventKind::Preempt
                && static_cast<PreemptCause>(event.value) == PreemptCause::SliceEnded;
            if (slice_ended)
                sliced.push_back(&event);
            else if (dispatched && becomes_ready(event))
                m_later.push_back(&event); // during the dispatches (a spawn, a handed mutex): queued when told
            else if (dispatched)
                continue;
            else if (becomes_ready(event))
                arrived.push_back(&event);
            else if (event.kind == EventKind::Preempt)
                preempted.push_back(&event);
        }
        auto place_all = [&](std::vector<Event const*> const& list) {
            for (auto const* event : list)
                place(*event);
        };
        if (m_trace.machine.arrivals_first) {
            place_all(arrived);
            place_all(sliced);
        } else {
            place_all(sliced);
            place_all(arrived);
        }
        place_all(preempted);
    }

    // A thread enters a ready queue: it arrives or is spawned, wakes, or is handed the GIL
    // (which makes a waiting thread ready again with no Wake).
    static bool becomes_ready(Event const& event)
    {
        return event.kind == EventKind::ThreadReady || event.kind == EventKind::Wake
            || (event.kind == EventKind::GilAcquire && event.value != 0);
    }

    // Queues a thread that became ready at this boundary, in the queue the snapshot after it
    // shows it in (or the only queue there is).
    void place(Event const& event)
    {
        auto id = event.thread;
        m_ready_cause[id] = event.kind;
        m_caused.push_back(id);
        if (m_queues.size() == 1) {
            m_queues.front().threads.push_back(id);
            return;
        }
        auto const* after = snapshot_at(m_tick);
        if (after) {
            for (auto const& queue : after->queues) {
                if (std::find(queue.threads.begin(), queue.threads.end(), id) == queue.threads.end())
                    continue;
                for (auto& mine : m_queues)
                    if (mine.label == queue.label) {
                        mine.threads.push_back(id);
                        return;
                    }
            }
        }
        m_unplaced.push_back(id);
    }

    // The snapshot in force during tick `tick` (the latest at or before it).
    QueueSnapshot const* snapshot_at(Tick tick) const
    {
        QueueSnapshot const* found = nullptr;
        for (std::size_t i = m_next_snapshot > 0 ? m_next_snapshot - 1 : 0; i < m_trace.queue_snapshots.size(); ++i) {
            if (m_trace.queue_snapshots[i].tick > tick)
                break;
            found = &m_trace.queue_snapshots[i];
        }
        return found;
    }

    void unqueue(ThreadId id)
    {
        for (auto& queue : m_queues)
            queue.threads.erase(std::remove(queue.threads.begin(), queue.threads.end(), id), queue.threads.end());
        m_unplaced.erase(std::remove(m_unplaced.begin(), m_unplaced.end(), id), m_unplaced.end());
    }

    // Why the scheduler's pick was this thread; takes it out of the rebuilt queues.
    std::string pick_reason(ThreadId id)
    {
        std::string reason;
        for (auto& queue : m_queues) {
            auto found = std::find(queue.threads.begin(), queue.threads.end(), id);
            if (found == queue.threads.end())
                continue;
            auto ahead = found - queue.threads.begin();
            if (ahead == 0)
                reason = queue.label.empty() ? fmt::format("{} was first in the ready queue", name(id))
                                             : fmt::format("{} was first in the {} queue", name(id), queue.label);
            else
                reason = fmt::format("the {} policy chose {} over the {} ahead of it in the queue", m_trace.scheduler,
                    name(id), ahead == 1 ? std::string("thread") : fmt::format("{} threads", ahead));
            queue.threads.erase(found);
            return reason;
        }
        m_unplaced.erase(std::remove(m_unplaced.begin(), m_unplaced.end(), id), m_unplaced.end());
        if (auto cause = m_ready_cause[id]) {
            if (*cause == EventKind::ThreadReady)
                return fmt::format("{} had just arrived", name(id));
            if (*cause == EventKind::Wake)
                return fmt::format("{} had just woken up", name(id));
            if (*cause == EventKind::GilAcquire)
                return fmt::format("{} had just been handed the GIL", name(id));
            return fmt::format("{} had just been queued again", name(id));
        }
        return fmt::format("the {} policy chose {}", m_trace.scheduler, name(id));
    }

    // Tells the event at `index` (and any it belongs with); returns the last index used.
    std::size_t tell(std::span<Event const> events, std::size_t index)
    {
        auto const& event = events[index];
        // Made ready while the cores were being given threads: it joins the queue now, so the
        // dispatches after it see it (and those before it did not).
        if (std::find(m_later.begin(), m_later.end(), &event) != m_later.end())
            place(event);
        // A thread that stops being ready without a dispatch (killed with its process) is no
        // longer ahead of anyone in the queue.
        if (event.kind == EventKind::ThreadKilled || event.kind == EventKind::ThreadExit)
            unqueue(event.thread);
        switch (event.kind) {
        case EventKind::ProcessArrive: {
            auto const& info = m_trace.processes[event.process];
            bool next_is = index + 1 < events.size() && events[index + 1].process == event.process;
            if (next_is && events[index + 1].kind == EventKind::ProcessAdmit) {
                admitted(events, index + 1,
                    info.memory == 0 ? fmt::format("{} arrives (a job needs no memory)", info.name)
                                     : fmt::format("{} arrives and gets the {} of memory it needs", info.name,
                                           format_bytes(info.memory)));
                return index + 1;
            }
            if (next_is && events[index + 1].kind == EventKind::ProcessWait) {
                if (info.memory <= free_memory() && !m_memory_queue.empty())
                    say(fmt::format("{} arrives; its {} of memory would fit, but {} was waiting for memory first, so {} "
                                    "waits behind it (first come, first served)",
                        info.name, format_bytes(info.memory), process(m_memory_queue.front()), info.name));
                else
                    say(fmt::format("{} arrives but needs {} of memory and only {} is free, so it waits for memory",
                        info.name, format_bytes(info.memory), format_bytes(free_memory())));
                m_memory_queue.push_back(event.process);
                return index + 1;
            }
            say(fmt::format("{} arrives", info.name));
            return index;
        }
        case EventKind::ProcessWait:
            say(fmt::format("{} waits for memory", process(event.process)));
            m_memory_queue.push_back(event.process);
            return index;
        case EventKind::ProcessAdmit:
            admitted(events, index,
                fmt::format("{} is admitted: the {} of memory it needs is free now", process(event.process),
                    format_bytes(static_cast<std::uint64_t>(event.value))));
            return index;
        case EventKind::ThreadReady: return index; // told with the admission
        case EventKind::Wake: {
            auto on = wait_mnemonic(m_trace, event);
            if (on == "sleep")
                say(fmt::format("{}'s sleep is over and it is ready again", name(event.thread)));
            else if (on == "tasks")
                say(fmt::format("a timer of {}'s event loop is due and the thread is ready again", name(event.thread)));
            else
                say(fmt::format("{}'s {} is done and it is ready again", name(event.thread), on));
            return index;
        }
        case EventKind::Preempt: {
            if (static_cast<PreemptCause>(event.value) == PreemptCause::SliceEnded) {
                auto id = event.thread;
                Tick ran = m_tick - m_dispatched_at[id] - m_switched[event.core];
                auto phrase = m_slice[id] > 0 && ran == m_slice[id]
                    ? fmt::format("{}'s {}-tick slice ended", name(event.thread), m_slice[id])
                    : fmt::format("{}'s time slice ended", name(event.thread));
                leave(event.core, Leave { event.thread, phrase, phrase });
            } else if (static_cast<PreemptCause>(event.value) == PreemptCause::Yielded) {
                auto phrase = fmt::format("{} yields the core", name(event.thread));
                leave(event.core, Leave { event.thread, phrase, phrase });
            } else if (gil_interval_ended(events, index)) {
                // Not the policy: the GIL's switch interval took the lock from it (the release
                // comes just before, at the same boundary), and a thread without the GIL
                // cannot run.
                auto const& info = m_trace.processes[event.process];
                auto phrase = fmt::format("{}'s GIL switch interval ({}) ran out, so it let the GIL of {} go",
                    name(event.thread), ticks(info.gil_interval), info.name);
                leave(event.core, Leave { event.thread, phrase, phrase });
            } else {
                auto phrase = fmt::format("the {} policy preempted {}", m_trace.scheduler, name(event.thread));
                leave(event.core, Leave { event.thread, phrase, phrase });
            }
            return index;
        }
        case EventKind::Migrate: m_moved_from = static_cast<CoreId>(event.value); return index;
        case EventKind::Dispatch: dispatched(event); return index;
        case EventKind::Block: {
            auto on = wait_mnemonic(m_trace, event);
            auto phrase = on == "sleep" ? fmt::format("{} sleeps until tick {}", name(event.thread), event.value)
                : on == "tasks"
                ? fmt::format("every task of {} is waiting, so the thread blocks until its earliest timer, at tick {}",
                    name(event.thread), event.value)
                : fmt::format("{} waits on {} until tick {}", name(event.thread), on, event.value);
            if (event.core != no_core)
                leave(event.core, Leave { event.thread, phrase, phrase });
            else
                say(phrase);
            return index;
        }
        case EventKind::ThreadExit: {
            bool ran_exit = false;
            if (auto const* instruction = m_trace.instruction_at(event.thread, event.pc))
                ran_exit = instruction->opcode == Opcode::Exit;
            auto phrase = ran_exit ? fmt::format("{} ran exit", name(event.thread)) : fmt::format("{} ended", name(event.thread));
            auto alone = ran_exit ? fmt::format("{} runs exit", name(event.thread)) : fmt::format("{} ends", name(event.thread));
            if (m_cores.contains(event.core))
                leave(event.core, Leave { event.thread, phrase, alone });
            else
                say(alone);
            return index;
        }
        case EventKind::ThreadKilled: {
            auto by = static_cast<ThreadId>(event.value);
            auto what = m_trace.totals[by].faulted ? "faulted" : "ran exit";
            auto phrase = fmt::format("{} was killed because {} {}, which ends its whole process", name(event.thread),
                name(by), what);
            auto alone = fmt::format("{} is killed because {} {}, which ends its whole process", name(event.thread),
                name(by), what);
            if (m_cores.contains(event.core))
                leave(event.core, Leave { event.thread, phrase, alone });
            else
                say(alone);
            return index;
        }
        case EventKind::Print: say(fmt::format("{} prints \"{}\"", name(event.thread), m_trace.text(event))); return index;
        case EventKind::ProcessExit: {
            auto const& info = m_trace.processes[event.process];
            m_ram_used -= std::min(m_ram_used, info.memory);
            if (static_cast<ExitCause>(event.value) == ExitCause::ExitInstruction)
                say(fmt::format("process {} ends because {} ran exit, and its {} of memory is freed", info.name,
                    name(event.thread), format_bytes(info.memory)));
            else if (static_cast<ExitCause>(event.value) == ExitCause::Fault)
                say(fmt::format("process {} ends because {} faulted, and its {} of memory is freed; other processes "
                                "carry on",
                    info.name, name(event.thread), format_bytes(info.memory)));
            else if (info.memory == 0)
                say(fmt::format("process {} ends: all its threads have finished", info.name));
            else
                say(fmt::format("process {} ends: all its threads have finished, and its {} of memory is freed", info.name,
                    format_bytes(info.memory)));
            return index;
        }
        case EventKind::TickLimit:
            say(fmt::format("the run stops here: it reached its tick limit ({})", m_trace.machine.max_ticks));
            return index;
        case EventKind::TaskStart:
            say(fmt::format("{} creates the task {}", name(event.thread), task_label(m_trace, event)));
            return index;
        case EventKind::TaskRun:
            say(fmt::format("{}'s event loop runs {}", name(event.thread), task_label(m_trace, event)));
            return index;
        case EventKind::TaskAwait: {
            auto opcode = m_trace.threads[event.thread].code[index_of(event.pc)].opcode;
            if (opcode == Opcode::AwaitGather)
                say(fmt::format("{} gathers {} task{} and waits until they all return", task_label(m_trace, event),
                    event.value, event.value == 1 ? "" : "s"));
            else
                say(fmt::format("{} awaits {} until tick {}, so {}'s event loop can run another task",
                    task_label(m_trace, event), opcode == Opcode::AwaitIo ? "I/O" : "a sleep", event.value,
                    name(event.thread)));
            return index;
        }
        case EventKind::TaskDone: say(fmt::format("{} returns", task_label(m_trace, event))); return index;
        case EventKind::GilAcquire:
            say(event.value != 0
                    ? fmt::format("{} gets the GIL of {} and is ready again", name(event.thread), process(event.process))
                    : fmt::format("{} takes the GIL of {}", name(event.thread), process(event.process)));
            return index;
        case EventKind::GilRelease:
            say(fmt::format("{} lets the GIL of {} go ({})", name(event.thread), process(event.process),
                gil_release_reason(event)));
            return index;
        case EventKind::GilWait:
            say(fmt::format("{} cannot run: {} holds the GIL of {}, so it waits for it and the core stays free",
                name(event.thread), name(static_cast<ThreadId>(event.value)), process(event.process)));
            return index;
        case EventKind::ProcessLoad: {
            auto const& info = m_trace.processes[event.process];
            say(fmt::format("{}'s {} of RAM is reserved; the program now loads from storage, {} bus transfers", info.name,
                format_bytes(info.memory), info.load_transfers));
            return index;
        }
        case EventKind::VarRead:
            say(fmt::format("{} reads {} over the bus: {}", name(event.thread), object_name(m_trace, event), event.value));
            tell_races(event);
            return index;
        case EventKind::VarWrite:
            say(fmt::format("{} writes {} = {} over the bus", name(event.thread), object_name(m_trace, event), event.value));
            tell_races(event);
            return index;
        case EventKind::LockAcquire:
            say(event.value != 0 ? fmt::format("{} is handed mutex {} and is ready again", name(event.thread),
                                       object_name(m_trace, event))
                                 : fmt::format("{} locks mutex {}", name(event.thread), object_name(m_trace, event)));
            return index;
        case EventKind::LockRelease:
            say(fmt::format("{} unlocks mutex {}", name(event.thread), object_name(m_trace, event)));
            return index;
        case EventKind::LockWait: {
            auto phrase = fmt::format("{} must wait for mutex {}, which {} holds", name(event.thread),
                object_name(m_trace, event), name(static_cast<ThreadId>(event.value)));
            if (event.core != no_core)
                leave(event.core, Leave { event.thread, phrase, phrase });
            else
                say(phrase);
            return index;
        }
        case EventKind::Spawn:
            say(fmt::format("{} spawns {}", name(event.thread), name(static_cast<ThreadId>(event.value))));
            return index;
        case EventKind::JoinWait: {
            auto phrase = fmt::format("{} waits for {} to end", name(event.thread), name(static_cast<ThreadId>(event.value)));
            if (event.core != no_core)
                leave(event.core, Leave { event.thread, phrase, phrase });
            else
                say(phrase);
            return index;
        }
        case EventKind::Fault:
            say(fmt::format("{} faults at line {}: it {}", name(event.thread), event.line, m_trace.text(event)));
            // It was on a core: that core is free now, for the next dispatch to explain. (No
            // thread-exit follows a fault, so without this the core would seem to have been idle.)
            if (m_cores.contains(event.core) && !m_final) {
                auto phrase = fmt::format("{} faulted", name(event.thread));
                leave(event.core, Leave { event.thread, phrase, phrase });
            }
            return index;
        case EventKind::Deadlock: say(fmt::format("the run stops: {}", m_trace.text(event))); return index;
        case EventKind::CacheWarm:
            say(fmt::format("{}'s working set is now warm in core {}'s cache: it runs {} times as fast there",
                name(event.thread), event.core, m_trace.machine.cache_warm_rate));
            return index;
        case EventKind::CacheEvict:
            say(fmt::format("{}'s working set is pushed out of core {}'s cache", name(event.thread), event.core));
            return index;
        }
        return index;
    }

    // Whether the Preempt at `index` is the GIL's switch interval taking the lock from a
    // running thread: the machine releases it (cause Interval) just before, same boundary.
    static bool gil_interval_ended(std::span<Event const> events, std::size_t index)
    {
        auto const& preempt = events[index];
        for (std::size_t i = index; i-- > 0;)
            if (events[i].kind == EventKind::GilRelease && events[i].thread == preempt.thread)
                return static_cast<GilReleaseCause>(events[i].value) == GilReleaseCause::Interval;
        return false;
    }

    std::uint64_t free_memory() const
    {
        return m_trace.machine.ram > m_ram_used ? m_trace.machine.ram - m_ram_used : 0;
    }

    void admitted(std::span<Event const> events, std::size_t admit, std::string const& opening)
    {
        auto const& event = events[admit];
        m_ram_used += static_cast<std::uint64_t>(event.value);
        m_memory_queue.erase(std::remove(m_memory_queue.begin(), m_memory_queue.end(), event.process), m_memory_queue.end());
        std::vector<std::string> ready;
        // Only the threads that start with the process: a `spawned` thread made ready later
        // in this boundary (by a `spawn`) is told with its spawn.
        for (std::size_t i = admit + 1; i < events.size(); ++i)
            if (events[i].kind == EventKind::ThreadReady && events[i].process == event.process
                && static_cast<ReadyCause>(events[i].value) != ReadyCause::Spawned)
                ready.push_back(name(events[i].thread));
        if (ready.empty())
            say(opening);
        else
            say(fmt::format("{}; {} {} ready", opening, name_list(ready), ready.size() == 1 ? "is" : "are"));
    }

    void leave(CoreId core, Leave what)
    {
        auto& story = m_cores[core];
        if (m_final) {
            // The run ends at this boundary: no core waits for anything any more, so the
            // thread's end is told where it happened.
            story.running = no_thread;
            say(what.alone);
            return;
        }
        if (story.leave) // two departures without a dispatch between: tell the first alone
            went_idle(core);
        story.running = no_thread;
        story.leave = std::move(what);
    }

    void dispatched(Event const& event)
    {
        auto& story = m_cores[event.core];
        auto id = event.thread;
        Tick cost = m_trace.machine.switch_cost;
        bool switches = cost > 0 && story.last != no_thread && story.last != id;
        m_switched[event.core] = switches ? cost : 0;
        auto note = switches ? fmt::format(" (the switch takes {})", ticks(cost)) : std::string();
        if (m_moved_from != no_core)
            note += fmt::format(" (it moves here from core {})", m_moved_from);
        m_moved_from = no_core;
        auto reason = pick_reason(id);
        if (story.leave) {
            say(fmt::format("core {} switches from {} to {}{}: {}; {}", event.core, name(story.leave->thread), name(id), note,
                story.leave->phrase, reason));
            story.leave.reset();
        } else if (story.last == no_thread) {
            say(fmt::format("core {} starts {}{}: {}", event.core, name(id), note, reason));
        } else {
            say(fmt::format("core {} was idle and now runs {}{}: {}", event.core, name(id), note, reason));
        }
        story.running = id;
        story.last = id;
        m_dispatched_at[id] = m_tick;
        m_slice[id] = event.value;
    }

    // A core whose thread left and got no other: why nothing came next.
    void went_idle(CoreId core)
    {
        auto& story = m_cores[core];
        if (!story.leave)
            return;
        auto const leave = *story.leave;
        story.leave.reset();
        std::string why = "nothing else is ready";
        if (auto const* after = snapshot_at(m_tick)) {
            auto own = fmt::format("core {}", core);
            bool any = false;
            bool labelled = false;
            for (auto const& queue : after->queues) {
                any = any || !queue.threads.empty();
                labelled = labelled || queue.label == own;
            }
            if (labelled && any)
                why = fmt::format("its own queue ({}) is empty", own);
            else if (any)
                why = "no ready thread may run on it";
        }
        say(fmt::format("core {} goes idle: {}, and {}", core, leave.phrase, why));
    }

    std::ostream& m_out;
    Trace const& m_trace;
    Tick m_tick = 0;
    bool m_final = false;
    PerId<CoreId, CoreStory> m_cores;
    PerId<ThreadId, Tick> m_dispatched_at; // the tick of its last dispatch
    PerId<ThreadId, Tick> m_slice;         // the slice it was last given (0: until it blocks)
    PerId<CoreId, Tick> m_switched;        // switch ticks before its current thread's slice
    CoreId m_moved_from = no_core;     // the Migrate just before the next Dispatch, if any
    PerId<ThreadId, std::optional<EventKind>> m_ready_cause; // how it became ready this boundary
    std::vector<ThreadId> m_caused;                      // the threads m_ready_cause holds a cause for
    std::vector<ReadyQueue> m_shape;   // the scheduler's queues, empty
    std::vector<ReadyQueue> m_queues;  // rebuilt: as the scheduler saw them at this boundary
    std::vector<ThreadId> m_unplaced;  // queued this boundary into a queue the snapshots do not show
    std::vector<Event const*> m_later; // threads made ready after this boundary's first dispatch
    QueueSnapshot const* m_in_force = nullptr;
    std::size_t m_next_snapshot = 0;
    std::uint64_t m_ram_used = 0;
    std::vector<ProcessId> m_memory_queue; // waiting for memory, first come first served
    RaceReport m_races;                    // in the order of the events that showed them
    std::size_t m_next_race = 0;
};

}

void render_narration(std::ostream& out, Trace const& trace)
{
    Narrator narrator(out, trace);
    auto const& events = trace.events;
    std::size_t begin = 0;
    while (begin < events.size()) {
        std::size_t end = begin;
        while (end < events.size() && events[end].tick == events[begin].tick)
            ++end;
        bool final = end == events.size() && events[begin].tick == trace.end;
        narrator.boundary(events[begin].tick, std::span<Event const>(events).subspan(begin, end - begin), final);
        begin = end;
    }
    if (trace.outcome == Outcome::Finished)
        out << fmt::format("tick {}: the run is over: every process has finished, so the makespan is {}.\n", trace.end,
            ticks(trace.end));
}

}
