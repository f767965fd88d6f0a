#include "trace/metrics.hpp"

namespace tl {

Metrics compute_metrics(Trace const& trace)
{
    Metrics metrics;
    metrics.makespan = trace.end;
    metrics.context_switches = trace.context_switches;

    int finished = 0;
    for (ThreadId id = 0; id < static_cast<ThreadId>(trace.threads.size()); ++id) {
        auto const& totals = trace.totals[id];
        auto const& info = trace.threads[id];
        JobMetrics job;
        job.thread = id;
        job.name = info.display_name;
        job.process = trace.processes[info.process].name;
        job.arrival = totals.arrival;
        job.first_run = totals.first_run;
        job.finish = totals.finish;
        job.running = totals.running - totals.stalled; // a thread stalled on the bus does no work
        job.blocked = totals.blocked;
        job.waiting = totals.ready;
        job.killed = totals.killed;
        job.faulted = totals.faulted;
        job.started = totals.started;
        job.stalled = totals.stalled;
        job.warm = totals.warm;
        job.cold = totals.cold;
        job.migrations = totals.migrations;
        job.finished = totals.finish >= 0 && !totals.killed;
        job.turnaround = job.finished ? totals.finish - totals.arrival : 0;
        job.response = totals.first_run >= 0 ? totals.first_run - totals.arrival : 0;
        if (job.finished) {
            ++finished;
            metrics.averages.turnaround += static_cast<double>(job.turnaround);
            metrics.averages.waiting += static_cast<double>(job.waiting);
            metrics.averages.response += static_cast<double>(job.response);
        }
        metrics.jobs.push_back(std::move(job));
    }
    if (finished > 0) {
        metrics.averages.turnaround /= finished;
        metrics.averages.waiting /= finished;
        metrics.averages.response /= finished;
    }

    for (CoreId core = 0; core < static_cast<CoreId>(trace.core_slices.size()); ++core) {
        CoreMetrics core_metrics;
        core_metrics.id = core;
        core_metrics.busy = trace.core_busy[core];
        core_metrics.switching = trace.core_switching[core];
        core_metrics.stalled = trace.core_stalled[core];
        metrics.stalled += core_metrics.stalled;
        if (metrics.makespan > 0)
            core_metrics.utilisation = static_cast<double>(core_metrics.busy) / static_cast<double>(metrics.makespan);
        metrics.busy += core_metrics.busy;
        metrics.cores.push_back(core_metrics);
    }
    for (auto const& process : trace.processes)
        metrics.processes.push_back(ProcessMetrics { .name = process.name });
    for (auto const& event : trace.events) {
        if (event.kind != EventKind::ProcessWait)
            continue;
        auto const& process = trace.processes[event.process];
        auto& entry = metrics.processes[event.process];
        entry.waited = true;
        entry.memory_wait = (process.allocated >= 0 ? process.allocated : trace.end) - event.tick;
        entry.still_waiting = process.allocated < 0;
    }
    metrics.bus_transfers = trace.bus_transfers;
    if (metrics.makespan > 0)
        metrics.bus_utilisation = static_cast<double>(trace.bus_transfers)
            / (static_cast<double>(metrics.makespan) * static_cast<double>(trace.machine.bus_bandwidth));
    if (metrics.makespan > 0 && !metrics.cores.empty())
        metrics.utilisation = static_cast<double>(metrics.busy)
            / (static_cast<double>(metrics.makespan) * static_cast<double>(metrics.cores.size()));
    return metrics;
}

}
