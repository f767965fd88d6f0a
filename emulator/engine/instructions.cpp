// Settling a thread at an instruction boundary: one small function per instruction. Those of
// locks, spawn and join are in sync.cpp, those of coroutines in coroutines.cpp.

#include "engine/machine.hpp"

#include "engine/verify.hpp"

#include <fmt/format.h>

namespace tl {

// settle() (machine.hpp) when the thread is not in the middle of a compute instruction: run
// its zero-time instructions until it reaches compute work (it keeps the core), a wait (it
// blocks) or its end.
void Machine::settle_at_instruction(CoreId core_id)
{
    ThreadId id = m_cores[core_id].thread;
    auto& thread = m_threads[id];
    auto* loop = m_loops[id].get();
    if (loop && loop->active && loop->current < 0 && !loop_next(core_id, id, thread.pc))
        return; // nothing to run yet: it blocked again
    while (thread.pc < thread.code_size)
        if (!execute(core_id, id, thread.code[thread.pc]))
            return;
    finish_thread(id, core_id);
}

// Carries out the instruction at the thread's pc. True: it took no time and the thread is at
// its next instruction, still on the core. False: the thread stays at a compute or memory
// instruction (it keeps the core), or it left the core (it blocked, ended, or faulted).
bool Machine::execute(CoreId core_id, ThreadId id, Instruction const& instruction)
{
    if (opcode_info(instruction.opcode).timing == Timing::Memory)
        return false; // it keeps the core; phase 7 asks the bus for its steps
    switch (instruction.opcode) {
    case Opcode::Compute: return do_compute(core_id, id);
    case Opcode::Print: return do_print(core_id, id, instruction);
    case Opcode::Io:
    case Opcode::Sleep: return do_block(core_id, id, instruction);
    case Opcode::Exit: return do_exit(id);
    case Opcode::Yield: return do_yield(core_id, id);
    case Opcode::Read:
    case Opcode::Write:
    case Opcode::Incr:
    case Opcode::AtomicIncr: break; // Memory timing, above
    case Opcode::Crash: return do_crash(core_id, id);
    case Opcode::Lock: return do_lock(core_id, id, instruction);
    case Opcode::Unlock: return do_unlock(core_id, id, instruction);
    case Opcode::Spawn: return do_spawn(core_id, id, instruction);
    case Opcode::Join: return do_join(core_id, id, instruction);
    case Opcode::Run: return do_run(core_id, id, instruction);
    case Opcode::AwaitCall: return do_await_call(id, instruction);
    case Opcode::AwaitGather: return do_await_gather(core_id, id, instruction);
    case Opcode::AwaitSleep:
    case Opcode::AwaitIo: return do_await_timer(core_id, id, instruction);
    case Opcode::Return: return do_return(core_id, id, instruction);
    }
    VERIFY_NOT_REACHED();
    return false;
}

// The thread moves on to its next instruction.
bool Machine::next_instruction(ThreadId id)
{
    ++m_threads[id].pc;
    load_pc(id);
    return true;
}

bool Machine::do_compute(CoreId core_id, ThreadId id)
{
    VERIFY(m_threads[id].left > 0);
    if (m_cores[core_id].slice_end != m_now)
        open_slice(core_id, false);
    return false;
}

bool Machine::do_print(CoreId core_id, ThreadId id, Instruction const& instruction)
{
    print_text(core_id, id, instruction, static_cast<std::int32_t>(m_threads[id].pc));
    return next_instruction(id);
}

// `io N` and `sleep N`: blocked until m_now + N.
bool Machine::do_block(CoreId core_id, ThreadId id, Instruction const& instruction)
{
    auto& thread = m_threads[id];
    Tick wake = m_now + instruction.ticks;
    emit_lazy(EventKind::Block, [&] {
        return Event { .tick = m_now, .kind = EventKind::Block, .core = core_id, .process = process_of(id),
            .thread = id, .line = instruction.where.line, .pc = static_cast<std::int32_t>(thread.pc), .value = wake };
    });
    // --switch-on end: the core waits, idle, for the thread to come back from its I/O.
    if (m_config.switch_on_end && instruction.opcode == Opcode::Io)
        m_cores[core_id].reserved = id;
    stop_on_core(core_id, m_now);
    enter_state(id, ThreadState::Blocked);
    if (wake > m_now)
        m_wakeups.push(Wakeup { wake, m_wait_sequence++, id, thread.wait_generation });
    if (m_any_gil)
        gil_release(id, GilReleaseCause::Blocked);
    if (wake == m_now)
        this->wake(id); // `io 0`: it gave up the core, and is ready again at once
    return false;
}

// `yield`: the thread gives up the core and is ready again at once, queued as a thread whose
// slice ended; the policy picks who runs next (it may be the same thread).
bool Machine::do_yield(CoreId core_id, ThreadId id)
{
    emit({ .tick = m_now, .kind = EventKind::Preempt, .core = core_id, .process = process_of(id), .thread = id,
        .line = line_of(id, EventKind::Preempt), .pc = static_cast<std::int32_t>(m_threads[id].pc),
        .value = static_cast<std::int64_t>(PreemptCause::Yielded) });
    stop_on_core(core_id, m_now);
    next_instruction(id);
    make_ready(id, EnqueueReason::Preempted);
    return false;
}

bool Machine::do_exit(ThreadId id)
{
    end_process(process_of(id), ExitCause::ExitInstruction, id);
    return false;
}

bool Machine::do_crash(CoreId core_id, ThreadId id)
{
    fault(id, core_id, "ran 'crash'");
    return false;
}

void Machine::print_text(CoreId core_id, ThreadId id, Instruction const& instruction, std::int32_t pc)
{
    auto const& info = m_trace.threads[id];
    if (instruction.tick_at.empty()) {
        m_trace.texts.push_back(instruction.text);
    } else {
        // {tick}: the tick it prints at.
        std::string text;
        std::size_t from = 0;
        for (auto at : instruction.tick_at) {
            text.append(instruction.text, from, at - from);
            text += fmt::format("{}", m_now);
            from = at;
        }
        text.append(instruction.text, from);
        m_trace.texts.push_back(std::move(text));
    }
    emit({ .tick = m_now, .kind = EventKind::Print, .core = core_id, .process = info.process, .thread = id,
        .line = instruction.where.line, .pc = pc, .text = static_cast<std::int32_t>(m_trace.texts.size() - 1) });
}

}
