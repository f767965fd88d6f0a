#include "lesson/stepper.hpp"

#include "engine/verify.hpp"
#include "sched/start_run.hpp"
#include "trace/render.hpp"
#include "trace/render_util.hpp"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>

namespace tl {

namespace {

constexpr std::string_view s_event_names[] = { "arrive", "wait", "admit", "ready", "migrate", "dispatch", "preempt", "block",
    "wake", "print", "exit", "task", "gil", "load", "read", "write", "lock", "spawn", "join", "fault", "deadlock", "any" };

// The Stepper's scheduler and options were checked before (see its constructor), so the
// run starts.
std::unique_ptr<Machine> started(Program const& program, MachineConfig const& config, SchedulerOptions const& options,
    std::string const& scheduler)
{
    auto run = start_run(config, program, scheduler, options);
    VERIFY(std::holds_alternative<std::unique_ptr<Machine>>(run));
    return std::move(std::get<std::unique_ptr<Machine>>(run));
}

MachineConfig stepping(MachineConfig config)
{
    config.step_every_tick = true;
    config.record_events = true;
    config.record_queues = true;
    return config;
}

Trace whole_run(Program const& program, MachineConfig const& config, SchedulerOptions const& options,
    std::string const& scheduler)
{
    // Jumping over quiet ticks gives the same trace as stopping at each (the determinism
    // tests hold it so), in a few boundaries instead of one a tick: `compute 10000000` took
    // 44 s and 3.2 GB before the first prompt.
    auto whole = stepping(config);
    whole.step_every_tick = false;
    auto machine = started(program, whole, options, scheduler);
    machine->run();
    return machine->take_trace();
}

std::vector<std::string> split(std::string_view line)
{
    std::vector<std::string> words;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
            ++i;
        auto start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t')
            ++i;
        if (i > start)
            words.emplace_back(line.substr(start, i - start));
    }
    return words;
}

std::optional<Tick> number(std::string_view word)
{
    Tick value = 0;
    auto [rest, status] = std::from_chars(word.data(), word.data() + word.size(), value);
    if (status != std::errc() || rest != word.data() + word.size() || value < 0)
        return std::nullopt;
    return value;
}

}

Stepper::Stepper(Program program, MachineConfig config, SchedulerOptions options, std::string scheduler)
    : m_program(std::move(program))
    , m_config(stepping(config))
    , m_options(std::move(options))
    , m_scheduler(std::move(scheduler))
    , m_whole(whole_run(m_program, m_config, m_options, m_scheduler))
    , m_rows(m_whole)
{
    restart();
}

void Stepper::restart()
{
    m_machine = started(m_program, m_config, m_options, m_scheduler);
    m_machine->advance(); // tick 0: the first arrivals and dispatches
    m_seen_events = m_machine->trace().events.size();
}

void Stepper::replay_to(Tick target)
{
    restart();
    while (!m_machine->ended() && m_machine->now() < target)
        m_machine->advance();
    m_seen_events = m_machine->trace().events.size();
}

std::string Stepper::banner() const
{
    auto const& machine = m_config;
    return fmt::format("Stepping {} on {} core{}, RAM {}, scheduler {}. The run ends at tick {}.\n"
                       "Commands: n(ext) [N], c(ontinue), until TICK, back [N], break EVENT [NAME], p THREAD, "
                       "process NAME, queues, ram, bus, help, quit.\n",
        m_whole.program_file, machine.cores, machine.cores == 1 ? "" : "s", format_bytes(machine.ram),
        m_whole.scheduler_description, m_whole.end);
}

std::string Stepper::current() const
{
    auto tick = m_machine->now();
    std::string out = m_rows.header();
    if (auto row = m_rows.row(tick))
        out += *row;
    else
        out += fmt::format("{} | (nothing happens at this tick)\n", pad_left(fmt::format("{}", tick), 4));
    return out + ending();
}

std::string Stepper::ending() const
{
    if (!m_machine->ended())
        return "";
    auto const& live = m_machine->trace();
    auto tick = m_machine->now();
    auto list = [&](std::vector<ThreadId> const& ids) {
        std::string names;
        for (std::size_t i = 0; i < ids.size(); ++i)
            names += fmt::format("{}{}", i == 0 ? "" : i + 1 == ids.size() ? " and " : ", ", m_whole.name(ids[i]));
        return names;
    };
    std::vector<ThreadId> finished, killed, never_spawned, unfinished;
    for (ThreadId id = 0; id < static_cast<ThreadId>(m_whole.threads.size()); ++id) {
        auto const& totals = live.totals[id];
        if (totals.faulted)
            continue; // told with its fault, below
        if (!totals.started)
            never_spawned.push_back(id);
        else if (totals.killed)
            killed.push_back(id);
        else if (totals.finish >= 0)
            finished.push_back(id);
        else
            unfinished.push_back(id);
    }
    std::string stop;
    if (live.outcome == Outcome::TickLimit) {
        stop = fmt::format("The run stopped at its tick limit, tick {}", tick);
    } else if (live.outcome == Outcome::Deadlock) {
        stop = fmt::format("The run stopped at tick {}: no thread can ever go on", tick);
        for (auto const& event : live.events)
            if (event.kind == EventKind::Deadlock)
                stop += fmt::format(" ({})", live.text(event));
    } else {
        stop = fmt::format("The run ended at tick {}", tick);
    }
    if (killed.empty() && never_spawned.empty() && unfinished.empty()
        && std::none_of(live.totals.begin(), live.totals.end(), [](auto const& totals) { return totals.faulted; }))
        return stop + ": every thread has finished.\n";
    std::string out = stop + ".\n";
    if (!finished.empty())
        out += fmt::format("  finished: {}\n", list(finished));
    for (auto const& event : live.events)
        if (event.kind == EventKind::Fault)
            out += fmt::format("  faulted: {}, at tick {} on line {}: {}\n", m_whole.name(event.thread), event.tick,
                event.line, live.text(event));
    if (!killed.empty())
        out += fmt::format("  killed when their process ended: {}\n", list(killed));
    if (!unfinished.empty())
        out += fmt::format("  {}: {}\n",
            live.outcome == Outcome::Deadlock ? "stuck for ever" : "not finished", list(unfinished));
    if (!never_spawned.empty())
        out += fmt::format("  never spawned: {}\n", list(never_spawned));
    return out;
}

std::optional<std::string> Stepper::breakpoint_hit(Event const& event) const
{
    for (auto const& breakpoint : m_breakpoints) {
        auto const& kind = breakpoint.event;
        bool matches = kind == "any";
        switch (event.kind) {
        case EventKind::ProcessArrive: matches |= kind == "arrive"; break;
        case EventKind::ProcessWait: matches |= kind == "wait"; break;
        case EventKind::ProcessAdmit: matches |= kind == "admit"; break;
        case EventKind::ThreadReady: matches |= kind == "ready"; break;
        case EventKind::Migrate: matches |= kind == "migrate"; break;
        case EventKind::Dispatch: matches |= kind == "dispatch"; break;
        case EventKind::Preempt: matches |= kind == "preempt"; break;
        case EventKind::Block: matches |= kind == "block"; break;
        case EventKind::Wake: matches |= kind == "wake"; break;
        case EventKind::Print: matches |= kind == "print"; break;
        case EventKind::ThreadExit:
        case EventKind::ThreadKilled:
        case EventKind::ProcessExit: matches |= kind == "exit"; break;
        case EventKind::TaskStart:
        case EventKind::TaskRun:
        case EventKind::TaskAwait:
        case EventKind::TaskDone: matches |= kind == "task"; break;
        case EventKind::GilAcquire:
        case EventKind::GilRelease:
        case EventKind::GilWait: matches |= kind == "gil"; break;
        case EventKind::ProcessLoad: matches |= kind == "load"; break;
        case EventKind::VarRead: matches |= kind == "read"; break;
        case EventKind::VarWrite: matches |= kind == "write"; break;
        case EventKind::LockAcquire:
        case EventKind::LockRelease:
        case EventKind::LockWait: matches |= kind == "lock"; break;
        case EventKind::Spawn: matches |= kind == "spawn"; break;
        case EventKind::JoinWait: matches |= kind == "join"; break;
        case EventKind::Fault: matches |= kind == "fault"; break;
        case EventKind::Deadlock: matches |= kind == "deadlock"; break;
        case EventKind::TickLimit:
        case EventKind::CacheWarm:
        case EventKind::CacheEvict: break;
        }
        if (!matches)
            continue;
        if (!breakpoint.who.empty()) {
            bool thread = event.thread != no_thread
                && (m_whole.name(event.thread) == breakpoint.who
                    || m_whole.threads[event.thread].name == breakpoint.who);
            bool process = event.process != no_process
                && m_whole.processes[event.process].name == breakpoint.who;
            bool object = event.object >= 0 && object_name(m_whole, event) == breakpoint.who;
            if (!thread && !process && !object)
                continue;
        }
        return fmt::format("Breakpoint {} ({}{}{}): at tick {}, {}.\n", breakpoint.id, breakpoint.event,
            breakpoint.who.empty() ? "" : " ", breakpoint.who, event.tick, event_phrase(m_machine->trace(), event));
    }
    return std::nullopt;
}

std::string Stepper::forward(Tick ticks)
{
    for (Tick i = 0; i < ticks && !m_machine->ended(); ++i) {
        m_machine->advance();
        auto const& events = m_machine->trace().events;
        std::optional<std::string> hit;
        for (; m_seen_events < events.size(); ++m_seen_events)
            if (!hit)
                hit = breakpoint_hit(events[m_seen_events]);
        if (hit)
            return *hit;
    }
    return "";
}

Stepper::Reply Stepper::execute(std::string_view line)
{
    auto words = split(line);
    if (words.empty()) {
        if (m_last_move.empty())
            return {};
        words = split(m_last_move);
    }
    auto const& command = words[0];
    auto argument = words.size() > 1 ? std::optional<std::string>(words[1]) : std::nullopt;
    auto count = [&]() -> std::optional<Tick> {
        if (!argument)
            return 1;
        auto value = number(*argument);
        if (!value || *value < 1)
            return std::nullopt;
        return value;
    };

    if (command == "n" || command == "next" || command == "s" || command == "step") {
        auto ticks = count();
        if (!ticks)
            return { fmt::format("'{}' takes a number of ticks, such as '{} 5'\n", command, command) };
        m_last_move = std::string(line.empty() ? m_last_move : std::string(line));
        if (m_machine->ended())
            return { "The run has ended; 'back' or 'until TICK' goes back.\n" + current() };
        auto why = forward(*ticks);
        return { why + current() };
    }
    if (command == "c" || command == "continue") {
        m_last_move.clear();
        if (m_machine->ended())
            return { "The run has ended; 'back' or 'until TICK' goes back.\n" + current() };
        auto why = forward(m_config.max_ticks + 1);
        return { why + current() };
    }
    if (command == "t" || command == "until" || command == "tick" || command == "goto") {
        m_last_move.clear();
        auto target = argument ? number(*argument) : std::nullopt;
        if (!target)
            return { fmt::format("'{}' takes the tick to go to, such as '{} 9'\n", command, command) };
        if (*target < m_machine->now()) {
            replay_to(*target);
            return { current() };
        }
        auto why = forward(*target - m_machine->now());
        std::string note;
        if (why.empty() && m_machine->ended() && m_machine->now() < *target)
            note = fmt::format("The run ends at tick {}, before tick {}.\n", m_machine->now(), *target);
        return { why + note + current() };
    }
    if (command == "back" || command == "prev") {
        auto ticks = count();
        if (!ticks)
            return { fmt::format("'{}' takes a number of ticks, such as '{} 2'\n", command, command) };
        m_last_move = std::string(line.empty() ? m_last_move : std::string(line));
        if (m_machine->now() == 0)
            return { "Already at tick 0, the start of the run.\n" + current() };
        replay_to(std::max<Tick>(0, m_machine->now() - *ticks));
        return { current() };
    }
    if (command == "b" || command == "break") {
        if (words.size() == 1)
            return { list_breakpoints() };
        return { add_breakpoint(words) };
    }
    if (command == "breaks" || command == "info")
        return { list_breakpoints() };
    if (command == "d" || command == "delete")
        return { delete_breakpoints(words) };
    if (command == "p" || command == "thread" || command == "inspect") {
        if (!argument)
            return { fmt::format("'{}' takes a thread's name, such as '{} {}'\n", command, command,
                m_whole.threads.empty() ? "main" : m_whole.name(0)) };
        return { inspect_thread(*argument) };
    }
    if (command == "process") {
        if (!argument)
            return { fmt::format("'process' takes a process's name, such as 'process {}'\n",
                m_whole.processes.empty() ? "main" : m_whole.processes.front().name) };
        return { inspect_process(*argument) };
    }
    if (command == "queues" || command == "queue")
        return { queues() };
    if (command == "ram" || command == "memory")
        return { ram() };
    if (command == "bus")
        return { bus() };
    if (command == "where" || command == "row" || command == "show")
        return { current() };
    if (command == "table")
        return { table_so_far() };
    if (command == "help" || command == "h" || command == "?")
        return { help() };
    if (command == "q" || command == "quit" || command == "exit")
        return { "", true };
    return { fmt::format("Unknown command '{}'; type 'help' for the commands.\n", command) };
}

std::string Stepper::help() const
{
    return "Moving (each stop shows that tick's row of the table):\n"
           "  n, next [N]        go forward one tick (or N ticks)\n"
           "  c, continue        go forward until a breakpoint or the end of the run\n"
           "  t, until TICK      go to a tick, forward or back\n"
           "  back [N]           go back one tick (or N): the run is replayed from the start, and\n"
           "                     since runs are deterministic it is the same run\n"
           "  (an empty line repeats the last 'next' or 'back')\n"
           "Breakpoints (stop when something happens):\n"
           "  b, break EVENT [NAME]   EVENT: arrive, wait, admit, ready, migrate, dispatch, preempt,\n"
           "                          block, wake, print, exit, task, gil, load, read, write, lock,\n"
           "                          spawn, join, fault, deadlock, any; NAME: a thread, a process, or a\n"
           "                          shared variable or mutex ('break write count')\n"
           "  b, breaks          list the breakpoints\n"
           "  d, delete [N]      delete breakpoint N, or all of them\n"
           "Looking around:\n"
           "  p, thread NAME     a thread: its state, its code and where it is, its ticks so far\n"
           "  process NAME       a process: its state, memory and threads\n"
           "  queues             the ready queues and who is blocked\n"
           "  ram                main memory: how much is in use and which process holds what\n"
           "  bus                the system bus\n"
           "  where              this tick's row again; table: every row so far\n"
           "  help, quit\n";
}

std::string Stepper::add_breakpoint(std::vector<std::string> const& words)
{
    auto const& event = words[1];
    if (std::find(std::begin(s_event_names), std::end(s_event_names), event) == std::end(s_event_names)) {
        std::string names;
        for (auto name : s_event_names)
            names += fmt::format("{}{}", names.empty() ? "" : ", ", name);
        return fmt::format("Unknown event '{}'; break on one of: {}\n", event, names);
    }
    std::string who = words.size() > 2 ? words[2] : "";
    auto is_object = [&] {
        for (auto const& process : m_whole.processes)
            if (std::find(process.variables.begin(), process.variables.end(), who) != process.variables.end()
                || std::find(process.mutexes.begin(), process.mutexes.end(), who) != process.mutexes.end())
                return true;
        return false;
    };
    if (!who.empty() && !find_thread(who) && !find_process(who) && !is_object())
        return fmt::format("No thread, process, shared variable or mutex is called '{}'.\n", who);
    m_breakpoints.push_back(Breakpoint { m_next_breakpoint++, event, who });
    auto const& added = m_breakpoints.back();
    return fmt::format("Breakpoint {}: stop when {}{}.\n", added.id,
        added.event == "any" ? "anything happens" : fmt::format("a '{}' event happens", added.event),
        who.empty() ? "" : fmt::format(" to {}", who));
}

std::string Stepper::list_breakpoints() const
{
    if (m_breakpoints.empty())
        return "No breakpoints. Add one with 'break EVENT [NAME]', e.g. 'break block ramen'.\n";
    std::string out;
    for (auto const& breakpoint : m_breakpoints)
        out += fmt::format("  {}: {}{}\n", breakpoint.id, breakpoint.event, breakpoint.who.empty() ? "" : " " + breakpoint.who);
    return out;
}

std::string Stepper::delete_breakpoints(std::vector<std::string> const& words)
{
    if (words.size() == 1) {
        m_breakpoints.clear();
        return "Deleted every breakpoint.\n";
    }
    auto id = number(words[1]);
    auto found = std::find_if(m_breakpoints.begin(), m_breakpoints.end(),
        [&](Breakpoint const& breakpoint) { return id && breakpoint.id == *id; });
    if (found == m_breakpoints.end())
        return fmt::format("No breakpoint {}.\n", words[1]);
    m_breakpoints.erase(found);
    return fmt::format("Deleted breakpoint {}.\n", words[1]);
}

std::optional<ThreadId> Stepper::find_thread(std::string_view name) const
{
    for (ThreadId id = 0; id < static_cast<ThreadId>(m_whole.threads.size()); ++id)
        if (m_whole.name(id) == name)
            return id;
    std::optional<ThreadId> found;
    int count = 0;
    for (ThreadId id = 0; id < static_cast<ThreadId>(m_whole.threads.size()); ++id)
        if (m_whole.threads[id].name == name) {
            found = id;
            ++count;
        }
    return count == 1 ? found : std::nullopt;
}

std::optional<ProcessId> Stepper::find_process(std::string_view name) const
{
    for (ProcessId id = 0; id < static_cast<ProcessId>(m_whole.processes.size()); ++id)
        if (m_whole.processes[id].name == name)
            return id;
    return std::nullopt;
}

Tick Stepper::ran_so_far(ThreadId id) const
{
    auto now = m_machine->now();
    Tick ran = 0;
    for (auto const& slices : m_whole.core_slices)
        for (auto const& slice : slices)
            if (slice.thread == id && !slice.switching && slice.start < now)
                ran += std::min(slice.end, now) - slice.start;
    return ran;
}

std::string Stepper::inspect_thread(std::string_view name) const
{
    auto found = find_thread(name);
    if (!found) {
        std::string names;
        for (auto const& thread : m_whole.threads)
            names += fmt::format("{}{}", names.empty() ? "" : ", ", thread.display_name);
        return fmt::format("No thread is called '{}'; the threads are {}.\n", name, names);
    }
    auto id = *found;
    auto const& info = m_whole.threads[id];
    auto const& process = m_whole.processes[info.process];
    auto now = m_machine->now();
    auto state = m_machine->state(id);
    auto const& live = m_machine->trace();

    std::string where;
    switch (state) {
    case ThreadState::New:
        where = m_machine->process_state(info.process) == ProcessState::Waiting
            ? fmt::format("new: its process has arrived and waits for {} of RAM", format_bytes(process.memory))
            : fmt::format("new: its process arrives at tick {}", process.arrival);
        break;
    case ThreadState::Ready: {
        where = "ready: waiting for a core";
        if (!live.queue_snapshots.empty()) {
            for (auto const& queue : live.queue_snapshots.back().queues) {
                auto in = std::find(queue.threads.begin(), queue.threads.end(), id);
                if (in != queue.threads.end())
                    where = fmt::format("ready: number {} of {} in the {}ready queue", in - queue.threads.begin() + 1,
                        queue.threads.size(), queue.label.empty() ? "" : queue.label + " ");
            }
        }
        break;
    }
    case ThreadState::Running: {
        where = "running";
        for (CoreId core = 0; core < m_config.cores; ++core) {
            for (auto const& slice : m_whole.core_slices[core]) {
                if (slice.thread != id || slice.start > now || slice.end <= now)
                    continue;
                auto const& instruction = m_whole.instruction(slice);
                where = slice.switching ? fmt::format("running: core {} is switching to it", core)
                                        : fmt::format("running on core {}: tick {} of '{}'", core,
                                            slice.done_before + (now - slice.start) + 1, to_string(instruction));
            }
        }
        break;
    }
    case ThreadState::Blocked: {
        // The last wait it began says what it waits for now.
        where = "blocked";
        for (auto const& event : live.events) {
            if (event.thread != id)
                continue;
            if (event.kind == EventKind::Block)
                where = fmt::format("blocked on '{}' until tick {}; its core is free for others",
                    to_string(info.code[index_of(event.pc)]), event.value);
            else if (event.kind == EventKind::LockWait)
                where = fmt::format("blocked: it waits for mutex {}, held by {}", object_name(live, event),
                    m_whole.name(static_cast<ThreadId>(event.value)));
            else if (event.kind == EventKind::JoinWait)
                where = fmt::format("blocked: it waits for {} to end", m_whole.name(static_cast<ThreadId>(event.value)));
            else if (event.kind == EventKind::GilWait)
                where = fmt::format("blocked: it waits for the GIL of {}, held by {}", process.name,
                    m_whole.name(static_cast<ThreadId>(event.value)));
        }
        break;
    }
    case ThreadState::Done: {
        where = "done";
        for (auto const& event : live.events) {
            if (event.thread == id && event.kind == EventKind::ThreadExit)
                where = fmt::format("done: it finished at tick {}", event.tick);
            if (event.thread == id && event.kind == EventKind::Fault)
                where = fmt::format("done: it faulted at tick {} on line {} ({}), which ended its process", event.tick,
                    event.line, live.text(event));
            if (event.thread == id && event.kind == EventKind::ThreadKilled) {
                auto by = static_cast<ThreadId>(event.value);
                where = fmt::format("done: killed at tick {}, when {} {} and so ended its process", event.tick,
                    m_whole.name(by), live.totals[by].faulted ? "faulted" : "ran 'exit'");
            }
        }
        break;
    }
    }

    std::string out = fmt::format("thread {} (process {}) at tick {}: {}\n", m_whole.name(id), process.name, now, where);
    // Where it is in its code: for a thread that faulted or was killed, where it stopped.
    auto pc = m_machine->pc(id);
    for (std::size_t i = 0; i < info.code.size(); ++i)
        out += fmt::format("  {} {:>4}  {}\n", i == pc ? ">" : " ", info.code[i].where.line, to_string(info.code[i]));
    // What is left: compute ticks, and the steps of memory instructions (a tick each, more
    // when the bus makes them wait), as ThreadFacts::remaining counts them together.
    Tick compute = 0;
    Tick steps = 0;
    for (auto i = std::min(pc, info.code.size()); i < info.code.size(); ++i) {
        if (opcode_info(info.code[i].opcode).timing == Timing::Cpu)
            compute += info.code[i].ticks;
        steps += memory_steps(info.code[i].opcode);
    }
    auto done_here = compute + steps - m_machine->facts(id).remaining; // of the instruction at pc
    if (pc < info.code.size() && opcode_info(info.code[pc].opcode).timing == Timing::Cpu)
        compute -= done_here;
    else
        steps -= done_here;
    auto ran = ran_so_far(id);
    bool stopped = live.totals[id].killed;
    std::string left = fmt::format("{} tick{} of compute", compute, compute == 1 ? "" : "s");
    if (steps > 0)
        left += fmt::format(" and {} memory step{}", steps, steps == 1 ? "" : "s");
    out += fmt::format("  so far: ran {} tick{}; {} {}\n", ran, ran == 1 ? "" : "s", left,
        stopped && compute + steps > 0 ? (compute + steps == 1 ? "was never run" : "were never run") : "left");
    return out;
}

std::string Stepper::inspect_process(std::string_view name) const
{
    auto found = find_process(name);
    if (!found) {
        std::string names;
        for (auto const& process : m_whole.processes)
            names += fmt::format("{}{}", names.empty() ? "" : ", ", process.name);
        return fmt::format("No process is called '{}'; the processes are {}.\n", name, names);
    }
    auto id = *found;
    auto const& info = m_whole.processes[id];
    auto state = m_machine->process_state(id);
    std::string out = fmt::format("process {} at tick {}: {}\n", info.name, m_machine->now(), to_string(state));
    std::string memory;
    switch (state) {
    case ProcessState::New: memory = fmt::format("still a program in storage; it arrives at tick {}", info.arrival); break;
    case ProcessState::Waiting: memory = fmt::format("arrived, but its {} does not fit in free RAM yet", format_bytes(info.memory)); break;
    case ProcessState::Loading:
        memory = fmt::format("loading: {} of RAM reserved at {}, its bytes coming from storage over the bus",
            format_bytes(info.memory), info.base == 0 ? std::string("0") : format_bytes(static_cast<std::uint64_t>(info.base)));
        break;
    case ProcessState::Done: memory = fmt::format("ended; its {} of RAM is free again", format_bytes(info.memory)); break;
    case ProcessState::Ready:
    case ProcessState::Running:
    case ProcessState::Blocked: memory = fmt::format("loaded: it holds {} of RAM", format_bytes(info.memory)); break;
    }
    out += "  " + memory + "\n  threads:";
    for (ThreadId thread : info.threads)
        out += fmt::format(" {} ({})", m_whole.name(thread), to_string(m_machine->state(thread)));
    out += '\n';
    return out;
}

std::string Stepper::queues() const
{
    auto const& live = m_machine->trace();
    std::string out = fmt::format("at tick {}:\n", m_machine->now());
    std::string ready;
    if (!live.queue_snapshots.empty()) {
        for (auto const& queue : live.queue_snapshots.back().queues) {
            std::string names;
            for (ThreadId thread : queue.threads)
                names += fmt::format("{}{}", names.empty() ? "" : " ", m_whole.name(thread));
            ready += fmt::format("  ready{}: {} (front first)\n", queue.label.empty() ? "" : " (" + queue.label + ")",
                names.empty() ? "-" : names);
        }
    }
    out += ready.empty() ? "  ready: -\n" : ready;
    std::string blocked;
    for (ThreadId id = 0; id < static_cast<ThreadId>(m_whole.threads.size()); ++id) {
        if (m_machine->state(id) != ThreadState::Blocked)
            continue;
        std::string why = "?";
        for (auto const& event : live.events) {
            if (event.thread != id)
                continue;
            if (event.kind == EventKind::Block)
                why = fmt::format("until tick {}", event.value);
            else if (event.kind == EventKind::LockWait)
                why = fmt::format("for mutex {}", object_name(live, event));
            else if (event.kind == EventKind::JoinWait)
                why = fmt::format("to join {}", m_whole.name(static_cast<ThreadId>(event.value)));
            else if (event.kind == EventKind::GilWait)
                why = "for the GIL";
        }
        blocked += fmt::format("{}{} ({})", blocked.empty() ? "" : ", ", m_whole.name(id), why);
    }
    out += fmt::format("  blocked: {}\n", blocked.empty() ? "-" : blocked);
    std::string waiting;
    for (ProcessId id = 0; id < static_cast<ProcessId>(m_whole.processes.size()); ++id)
        if (m_machine->process_state(id) == ProcessState::Waiting)
            waiting += fmt::format("{}{} ({})", waiting.empty() ? "" : ", ", m_whole.processes[id].name,
                format_bytes(m_whole.processes[id].memory));
    out += fmt::format("  waiting for RAM: {}\n", waiting.empty() ? "-" : waiting);
    return out;
}

std::string Stepper::ram() const
{
    auto in_use = m_machine->ram_in_use();
    auto total = m_config.ram;
    std::string out = fmt::format("RAM at tick {}: {} of {} in use, {} free\n", m_machine->now(), format_bytes(in_use),
        format_bytes(total), format_bytes(total - in_use));
    std::string loaded;
    std::string waiting;
    std::string loading;
    std::string storage;
    std::string done;
    for (ProcessId id = 0; id < static_cast<ProcessId>(m_whole.processes.size()); ++id) {
        auto const& info = m_whole.processes[id];
        auto entry = info.base >= 0 && m_machine->process_state(id) != ProcessState::Done
            ? fmt::format("    {} {} at {}\n", pad_right(info.name, 12), format_bytes(info.memory),
                  info.base == 0 ? std::string("0") : format_bytes(static_cast<std::uint64_t>(info.base)))
            : fmt::format("    {} {}\n", pad_right(info.name, 12), format_bytes(info.memory));
        switch (m_machine->process_state(id)) {
        case ProcessState::New: storage += entry; break;
        case ProcessState::Waiting: waiting += entry; break;
        case ProcessState::Loading: loading += entry; break;
        case ProcessState::Done: done += entry; break;
        case ProcessState::Ready:
        case ProcessState::Running:
        case ProcessState::Blocked: loaded += entry; break;
        }
    }
    auto section = [&](std::string_view title, std::string const& entries) {
        if (!entries.empty())
            out += fmt::format("  {}:\n{}", title, entries);
    };
    section("loaded (processes)", loaded);
    section("loading from storage over the bus", loading);
    section("arrived, waiting for RAM", waiting);
    section("still in storage (programs, not yet arrived)", storage);
    section("ended (memory freed)", done);
    return out;
}

std::string Stepper::bus() const
{
    auto const& live = m_machine->trace();
    Tick now = m_machine->now();
    std::string out = fmt::format("The bus moves {} transfers per tick; {} granted so far.\n", m_config.bus_bandwidth,
        live.bus_transfers);
    BusTick use { now, 0, 0, 0, 0 };
    for (auto it = live.bus.rbegin(); it != live.bus.rend(); ++it)
        if (it->tick == now) {
            use = *it;
            break;
        }
    out += fmt::format("  tick {}: {} granted ({} for finished I/O, {} for loading), {} core{} waiting for it\n", now,
        use.granted, use.devices, use.loading, use.stalled, use.stalled == 1 ? "" : "s");
    for (CoreId core = 0; core < static_cast<CoreId>(live.core_stalled.size()); ++core)
        out += fmt::format("  core {}: {} tick{} stalled on the bus so far\n", core, live.core_stalled[core],
            live.core_stalled[core] == 1 ? "" : "s");
    return out;
}

std::string Stepper::table_so_far() const
{
    std::string out = m_rows.header();
    for (Tick t = 0; t <= m_machine->now(); ++t)
        if (auto row = m_rows.row(t))
            out += *row;
    return out;
}

}
