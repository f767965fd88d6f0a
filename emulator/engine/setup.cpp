// The Machine at tick 0: its threads, processes, cores and trace, built from the program
// and the configuration (the tick phases are in machine.cpp).

#include "engine/machine.hpp"

#include "engine/verify.hpp"
#include "lang/bursts.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace tl {

namespace {

// For each thread name, how many processes have a thread of that name: built once, so that
// naming 10,000 threads is not 10^8 string comparisons.
std::unordered_map<std::string_view, int> processes_per_thread_name(Program const& program)
{
    std::unordered_map<std::string_view, int> count;
    for (auto const& process : program.processes) {
        std::unordered_set<std::string_view> seen;
        for (auto const& thread : process.threads)
            if (seen.insert(thread.name).second)
                ++count[thread.name];
    }
    return count;
}

// "name", or "process.name" when another process has a thread of the same name.
std::string unique_display_name(Program const& program, std::unordered_map<std::string_view, int> const& count,
    std::size_t process, std::size_t thread)
{
    auto const& name = program.processes[process].threads[thread].name;
    if (count.at(name) > 1)
        return program.processes[process].name + "." + name;
    return name;
}

}

Machine::Machine(MachineConfig const& config, Program const& program, std::unique_ptr<Scheduler> scheduler,
    std::string scheduler_name, std::string scheduler_description)
    : m_config(config)
    , m_scheduler(std::move(scheduler))
{
    VERIFY(check_machine(config).empty());
    VERIFY(check_program_fits(config, program).empty());

    m_trace.program_file = program.file;
    m_trace.machine = config;
    m_trace.scheduler = std::move(scheduler_name);
    m_trace.scheduler_description = std::move(scheduler_description);
    m_trace.core_slices.resize(config.cores);
    m_trace.core_busy.resize(config.cores);
    m_trace.core_switching.resize(config.cores);
    m_cores.resize(config.cores);
    m_due.assign(config.cores, no_due);
    m_touched.resize(index_of(config.cores));
    m_idle_cores.assign((index_of(config.cores) + 63) / 64, 0);
    for (CoreId core = 0; core < config.cores; ++core)
        set_idle(core);

    auto const names = processes_per_thread_name(program);
    for (std::size_t p = 0; p < program.processes.size(); ++p) {
        auto const& spec = program.processes[p];
        ProcessInfo info;
        info.name = spec.name;
        info.arrival = spec.arrival;
        info.memory = spec.memory;
        info.priority = spec.priority;
        info.gil = spec.gil;
        info.gil_interval = spec.gil ? spec.gil_interval : 0;
        info.variables = spec.variables;
        info.initial_values = spec.initial_values;
        info.final_values = spec.initial_values;
        info.mutexes = spec.mutexes;
        if (config.load_chunk > 0)
            info.load_transfers = static_cast<std::int64_t>((spec.memory + config.load_chunk - 1) / config.load_chunk);
        m_gils.push_back(Gil { spec.gil, spec.gil_interval, no_thread, {}, -1, -1 });
        m_any_gil |= spec.gil;
        for (std::size_t t = 0; t < spec.threads.size(); ++t) {
            auto const& thread = spec.threads[t];
            VERIFY(!thread.code.empty());
            auto id = static_cast<ThreadId>(m_trace.threads.size());
            info.threads.push_back(id);
            m_trace.threads.push_back(ThreadInfo {
                thread.name, unique_display_name(program, names, p, t), static_cast<ProcessId>(p), thread.code, thread.pinned,
                thread.working_set != 0 ? thread.working_set : spec.working_set });
            m_thread_process.push_back(static_cast<ProcessId>(p));
            m_briefs.push_back(ThreadBrief { static_cast<ProcessId>(p), spec.priority, {} });
            ThreadTotals totals;
            totals.arrival = spec.arrival;
            m_trace.totals.push_back(totals);

            ThreadRuntime runtime;
            auto const& code = thread.code;
            for (auto const& instruction : code)
                m_any_memory |= memory_steps(instruction.opcode) > 0;
            if (is_compute(code[0]))
                runtime.left = runtime.pc_ticks = code[0].ticks;
            m_threads.push_back(std::move(runtime));
            m_bursts.push_back(bursts_of(code));
            bool runs = std::any_of(code.begin(), code.end(), [](auto const& i) { return i.opcode == Opcode::Run; });
            m_loops.push_back(runs ? std::make_unique<EventLoop>() : nullptr);
            m_memory.push_back(MemoryState { 0, 0, !thread.spawned });
            m_trace.totals.back().started = !thread.spawned;
            if (thread.spawned)
                m_trace.totals.back().arrival = -1;
        }
        ProcessRuntime runtime;
        runtime.values = spec.initial_values;
        runtime.holders.assign(spec.mutexes.size(), no_thread);
        runtime.lock_waiters.resize(spec.mutexes.size());
        m_processes.push_back(std::move(runtime));
        m_trace.processes.push_back(std::move(info));
        m_by_arrival.push_back(static_cast<ProcessId>(p));
    }
    std::stable_sort(m_by_arrival.begin(), m_by_arrival.end(), [&](ProcessId a, ProcessId b) {
        return m_trace.processes[a].arrival < m_trace.processes[b].arrival;
    });
    m_joiners.resize(m_threads.count());
    m_trace.core_stalled.resize(config.cores);
    m_processes_left = static_cast<int>(m_processes.size());
    if (config.cache > 0) {
        std::vector<std::uint64_t> working_sets;
        for (auto const& thread : m_trace.threads)
            working_sets.push_back(thread.working_set);
        m_cache = std::make_unique<CacheModel>(config, std::move(working_sets));
    }
    point_at_code();
    m_scheduler->attach(*this);
}

// Each thread's runtime points at its code in m_trace, and its brief at its pinned cores, (once m_trace.threads no longer grows).
// A code vector's buffer stays where it is when the trace moves, so these stay valid as long
// as the Machine (or the trace it gave away).
void Machine::point_at_code()
{
    for (std::size_t t = 0; t < m_threads.size(); ++t) {
        auto const& code = m_trace.threads[t].code;
        m_threads[t].code = code.data();
        m_threads[t].code_size = static_cast<std::uint32_t>(code.size());
        m_briefs[t].pinned = m_trace.threads[t].pinned;
    }
}

}
