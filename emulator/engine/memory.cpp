// RAM, loading programs from storage, and the bus: admission (phase 2) and phase 7.

#include "engine/machine.hpp"

#include "engine/verify.hpp"

#include <algorithm>

namespace tl {

void Machine::admit_processes()
{
    // Programs whose loading ended at this tick become processes first, in the order they
    // started loading.
    if (!m_loading.empty()) {
        auto still = m_loading.begin();
        for (ProcessId id : m_loading) {
            auto const& info = m_trace.processes[id];
            if (info.loaded == m_now)
                start_threads(id);
            else
                *still++ = id;
        }
        m_loading.erase(still, m_loading.end());
    }
    // Those already waiting for memory go first, strictly in order, so none is overtaken
    // forever by smaller late-comers.
    while (!m_memory_queue.empty()) {
        ProcessId first = m_memory_queue.front();
        if (!find_hole(m_trace.processes[first].memory))
            break;
        m_memory_queue.erase(m_memory_queue.begin());
        admit(first);
    }
    while (m_next_arrival < m_by_arrival.size()) {
        ProcessId id = m_by_arrival[m_next_arrival];
        auto const& info = m_trace.processes[id];
        if (info.arrival != m_now)
            break;
        ++m_next_arrival;
        m_processes[id].arrived = true;
        for (ThreadId thread : info.threads)
            m_threads[thread].since = m_now;
        emit({ .tick = m_now, .kind = EventKind::ProcessArrive, .process = id,
            .value = static_cast<std::int64_t>(info.memory) });
        if (m_memory_queue.empty() && find_hole(info.memory)) {
            admit(id);
        } else {
            emit({ .tick = m_now, .kind = EventKind::ProcessWait, .process = id,
                .value = static_cast<std::int64_t>(info.memory) });
            m_memory_queue.push_back(id);
        }
    }
}

// The first free block of RAM that holds `size` bytes, lowest address first (first fit).
std::optional<std::uint64_t> Machine::find_hole(std::uint64_t size) const
{
    std::uint64_t at = 0;
    for (auto const& block : m_ram_map) {
        if (block.base - at >= size)
            return at;
        at = block.base + block.size;
    }
    if (m_config.ram - at >= size)
        return at;
    return std::nullopt;
}

void Machine::allocate(ProcessId id)
{
    auto& info = m_trace.processes[id];
    info.allocated = m_now;
    if (info.memory == 0)
        return; // a quick job (--jobs) needs no RAM: it holds no block and has no base
    auto base = find_hole(info.memory);
    VERIFY(base.has_value());
    Allocation block { *base, info.memory, id };
    auto at = std::lower_bound(m_ram_map.begin(), m_ram_map.end(), block.base,
        [](Allocation const& a, std::uint64_t base) { return a.base < base; });
    m_ram_map.insert(at, block);
    m_ram_in_use += info.memory;
    info.base = static_cast<std::int64_t>(*base);
}

// Its memory fits: RAM is reserved, and the program becomes a process at once or, when
// loading takes time (MachineConfig::load_chunk), once its bytes have come over the bus.
void Machine::admit(ProcessId id)
{
    allocate(id);
    auto& info = m_trace.processes[id];
    auto& process = m_processes[id];
    if (info.load_transfers > 0) {
        process.loading = true;
        process.transfers_left = info.load_transfers;
        m_loading.push_back(id);
        emit({ .tick = m_now, .kind = EventKind::ProcessLoad, .process = id, .value = info.base });
        return;
    }
    info.loaded = m_now;
    start_threads(id);
}

void Machine::start_threads(ProcessId id)
{
    auto const& info = m_trace.processes[id];
    auto& process = m_processes[id];
    process.loading = false;
    process.admitted = true;
    emit({ .tick = m_now, .kind = EventKind::ProcessAdmit, .process = id, .value = static_cast<std::int64_t>(info.memory) });
    int started = 0;
    for (ThreadId thread : info.threads) {
        if (!m_memory[thread].started)
            continue; // it waits for a `spawn`
        ++started;
        make_ready(thread, EnqueueReason::Arrived);
    }
    process.live_threads = started;
}

// Phase 7. See the phase list at the top of this file.
void Machine::bus_phase()
{
    int budget = m_config.bus_bandwidth;
    BusTick use { m_now, 0, 0, 0, 0 };
    // Devices first: each I/O that finished copies its data into RAM with one transfer. The
    // waiting thread is not held up (it woke already); the transfers take bandwidth that cores
    // and loading then do not get, and what does not fit this tick goes first the next.
    auto devices = static_cast<int>(std::min<std::int64_t>(m_device_backlog, budget));
    m_device_backlog -= devices;
    budget -= devices;
    use.granted += devices;
    use.devices = devices;
    auto cores = m_config.cores;
    for (CoreId k = 0; k < cores; ++k) {
        auto core_id = static_cast<CoreId>((m_now + k) % cores);
        auto& core = m_cores[core_id];
        if (core.thread == no_thread || core.switching)
            continue;
        ThreadId id = core.thread;
        if (m_threads[id].pc_ticks != 0)
            continue; // computing
        auto const& thread = m_threads[id];
        auto opcode = thread.code[thread.pc].opcode;
        auto step = m_memory[id].step;
        bool granted = true;
        if (step_uses_bus(opcode, step)) {
            granted = budget > 0;
            if (granted) {
                --budget;
                ++use.granted;
            } else {
                ++use.stalled;
                ++m_trace.totals[id].stalled;
            }
        }
        memory_step(core_id, id, granted);
    }
    for (ProcessId id : m_loading) {
        auto& process = m_processes[id];
        if (process.transfers_left == 0)
            continue; // loaded; it becomes a process at the next boundary
        auto take = std::min<std::int64_t>(budget, process.transfers_left);
        budget -= static_cast<int>(take);
        use.granted += static_cast<std::int32_t>(take);
        use.loading += static_cast<std::int32_t>(take);
        process.transfers_left -= take;
        if (process.transfers_left == 0)
            m_trace.processes[id].loaded = m_now + 1;
    }
    m_trace.bus_transfers += use.granted;
    if (m_observer != nullptr && (use.granted > 0 || use.stalled > 0))
        m_observer->bus(use);
    if (m_config.record_events && (use.granted > 0 || use.stalled > 0))
        m_trace.bus.push_back(use);
}

// One tick of a memory instruction on `core_id`: its step when `granted` (the access takes
// effect now), else a stall. Either way the core is busy for tick m_now.
void Machine::memory_step(CoreId core_id, ThreadId id, bool granted)
{
    auto& core = m_cores[core_id];
    auto& thread = m_threads[id];
    auto& state = m_memory[id];
    auto const& info = m_trace.threads[id];
    auto const& instruction = info.code[thread.pc];
    auto pc = static_cast<std::int32_t>(thread.pc);
    touch(core_id);
    core.open = Slice { m_now, m_now, id, pc, state.step, false, !granted };
    if (m_observer != nullptr)
        m_observer->slice_begins(core_id, core.open);
    core.stepped = granted;
    if (!granted)
        return;
    auto& values = m_processes[info.process].values;
    auto& value = values[instruction.target];
    auto access = [&](EventKind kind, std::int64_t seen) {
        emit({ .tick = m_now, .kind = kind, .core = core_id, .process = info.process, .thread = id,
            .line = instruction.where.line, .pc = pc, .value = seen, .object = instruction.target });
    };
    switch (tl::memory_step(instruction.opcode, state.step)) {
    case MemoryStep::Read:
        state.reg = value;
        access(EventKind::VarRead, value);
        break;
    case MemoryStep::Add:
        ++state.reg; // on the CPU: nobody else sees it yet
        break;
    case MemoryStep::WriteBack:
        value = state.reg;
        access(EventKind::VarWrite, value);
        break;
    case MemoryStep::Set:
        value = instruction.ticks;
        access(EventKind::VarWrite, value);
        break;
    case MemoryStep::AtomicAdd:
        ++value;
        access(EventKind::VarWrite, value);
        break;
    }
}

void Machine::record_final_values(ProcessId id)
{
    m_trace.processes[id].final_values = m_processes[id].values.values();
}

}
