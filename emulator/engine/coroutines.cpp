// Coroutines: a thread's event loop, like asyncio's (see docs/language.md, "Coroutines").

#include "engine/machine.hpp"

#include "engine/verify.hpp"


namespace tl {

// `run NAME(...)`: the thread's event loop starts, with the call as its main task.
bool Machine::do_run(CoreId core_id, ThreadId id, Instruction const& instruction)
{
    auto& thread = m_threads[id];
    auto* loop = m_loops[id].get();
    VERIFY(loop && !loop->active && instruction.calls.size() == 1);
    loop->active = true;
    loop->resume_pc = thread.pc + 1;
    loop->tasks.clear();
    loop->ready.clear();
    loop->main = new_task(id, instruction.calls[0], -1, instruction.where.line);
    loop->ready.push_back(loop->main);
    return loop_next(core_id, id, thread.pc);
}

// `await NAME(...)`: the caller's frame waits; the callee runs at once, in the same task.
bool Machine::do_await_call(ThreadId id, Instruction const& instruction)
{
    auto& thread = m_threads[id];
    auto* loop = m_loops[id].get();
    VERIFY(loop && loop->current >= 0 && instruction.calls.size() == 1);
    loop->tasks[loop->current].returns.push_back(thread.pc + 1);
    thread.pc = index_of(instruction.calls[0].entry);
    load_pc(id);
    return true;
}

bool Machine::do_await_gather(CoreId core_id, ThreadId id, Instruction const& instruction)
{
    auto& thread = m_threads[id];
    auto* loop = m_loops[id].get();
    VERIFY(loop && loop->current >= 0);
    auto current = loop->current;
    loop->tasks[current].pc = thread.pc + 1;
    loop->tasks[current].waiting = static_cast<std::int32_t>(instruction.calls.size());
    for (auto const& call : instruction.calls)
        loop->ready.push_back(new_task(id, call, current, instruction.where.line));
    emit({ .tick = m_now, .kind = EventKind::TaskAwait, .core = core_id, .process = process_of(id), .thread = id,
        .line = instruction.where.line, .pc = static_cast<std::int32_t>(thread.pc),
        .value = static_cast<std::int64_t>(instruction.calls.size()),
        .task = loop->tasks[current].id });
    return loop_next(core_id, id, thread.pc);
}

// `await sleep N` and `await io N`: the task waits on a timer of the loop.
bool Machine::do_await_timer(CoreId core_id, ThreadId id, Instruction const& instruction)
{
    auto& thread = m_threads[id];
    auto* loop = m_loops[id].get();
    VERIFY(loop && loop->current >= 0);
    auto& task = loop->tasks[loop->current];
    task.pc = thread.pc + 1;
    Tick until = m_now + instruction.ticks;
    loop->timers.push(Timer { until, m_wait_sequence++, loop->current });
    emit({ .tick = m_now, .kind = EventKind::TaskAwait, .core = core_id, .process = process_of(id), .thread = id,
        .line = instruction.where.line, .pc = static_cast<std::int32_t>(thread.pc), .value = until, .task = task.id });
    return loop_next(core_id, id, thread.pc);
}

bool Machine::do_return(CoreId core_id, ThreadId id, Instruction const& instruction)
{
    auto& thread = m_threads[id];
    auto* loop = m_loops[id].get();
    if (!loop || !loop->active) {
        // The end of a thread's own code, before the coroutine bodies that follow it.
        finish_thread(id, core_id);
        return false;
    }
    VERIFY(loop->current >= 0);
    auto current = loop->current;
    auto& task = loop->tasks[current];
    if (!task.returns.empty()) {
        thread.pc = task.returns.back();
        task.returns.pop_back();
        load_pc(id);
        return true;
    }
    emit({ .tick = m_now, .kind = EventKind::TaskDone, .core = core_id, .process = process_of(id), .thread = id,
        .line = instruction.where.line, .pc = static_cast<std::int32_t>(thread.pc), .task = task.id });
    if (current == loop->main) {
        // asyncio.run returns: the thread goes on after `run`.
        loop->active = false;
        loop->current = -1;
        thread.pc = loop->resume_pc;
        load_pc(id);
        return true;
    }
    if (task.parent >= 0 && --loop->tasks[task.parent].waiting == 0)
        loop->ready.push_back(task.parent);
    return loop_next(core_id, id, thread.pc);
}

std::int32_t Machine::new_task(ThreadId id, CallTarget const& call, std::int32_t parent, std::int32_t line)
{
    auto& loop = *m_loops[id];
    VERIFY(call.entry >= 0);
    Task task;
    task.pc = index_of(call.entry);
    task.parent = parent;
    task.id = m_trace.tasks.count();
    m_trace.tasks.push_back(TaskInfo { id, call.label });
    loop.tasks.push_back(std::move(task));
    emit({ .tick = m_now, .kind = EventKind::TaskStart, .process = process_of(id),
        .thread = id, .line = line, .task = loop.tasks.back().id });
    return static_cast<std::int32_t>(loop.tasks.size() - 1);
}

// The running task awaited or returned (or the thread comes back to a loop that had nothing
// to run): due timers join the ready FIFO, then its first task runs. With nothing ready the
// thread blocks until its earliest timer, and answers false.
bool Machine::loop_next(CoreId core_id, ThreadId id, std::size_t await_pc)
{
    auto& loop = *m_loops[id];
    auto& thread = m_threads[id];
    auto const& info = m_trace.threads[id];
    while (!loop.timers.empty() && loop.timers.top().at <= m_now) {
        loop.ready.push_back(loop.timers.top().task);
        loop.timers.pop();
    }
    if (!loop.ready.empty()) {
        loop.current = loop.ready.front();
        loop.ready.pop_front();
        auto const& task = loop.tasks[loop.current];
        thread.pc = task.pc;
        emit({ .tick = m_now, .kind = EventKind::TaskRun, .core = core_id, .process = info.process, .thread = id,
            .line = thread.pc < info.code.size() ? info.code[thread.pc].where.line : 0,
            .pc = static_cast<std::int32_t>(thread.pc), .task = task.id });
        load_pc(id);
        return true;
    }
    VERIFY(!loop.timers.empty());
    Tick wake = loop.timers.top().at;
    loop.current = -1;
    loop.idle = true;
    thread.pc = await_pc;
    thread.pc_ticks = 0;
    emit({ .tick = m_now, .kind = EventKind::Block, .core = core_id, .process = info.process, .thread = id,
        .line = info.code[await_pc].where.line, .pc = static_cast<std::int32_t>(await_pc), .value = wake });
    stop_on_core(core_id, m_now);
    enter_state(id, ThreadState::Blocked);
    m_wakeups.push(Wakeup { wake, m_wait_sequence++, id, thread.wait_generation });
    if (m_any_gil)
        gil_release(id, GilReleaseCause::Blocked);
    return false;
}

}
