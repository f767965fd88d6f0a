#pragma once

// The policy interface, in the spirit of Linux's struct sched_class: the Machine owns the
// mechanism (it does every switch and all accounting); a Scheduler only answers hooks. A
// policy never touches a thread's registers, memory or output, and keeps whatever it needs
// per thread in its own tables, keyed by ThreadId.
//
// When the hooks are called, within one tick boundary (see engine/machine.cpp):
//   1. stopped()        for each core whose thread stops running (core id order)
//   2. enqueue()        for arriving threads, woken threads and preempted ones, in the order
//                       the run's convention gives (arrivals before the preempted thread)
//   3. on_timer()       once, when the tick the policy asked for with next_wakeup() is due
//      should_preempt() for each running core in id order, only when something was
//                       enqueued in step 2 or the timer fired (so jumping over quiet ticks
//                       changes nothing)
//   4. pick_next()      for each idle core in id order, then slice() for the picked thread
//
// Calls never depend on how many quiet ticks passed in between, which is why a run that jumps
// over them and a run that steps every tick give the same trace.

#include "engine/ids.hpp"
#include "trace/trace.hpp"

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tl {

// What a policy may know about a thread. Oracle knowledge (the length of the next CPU burst)
// is here because SJF-style policies are defined by it.
struct ThreadFacts {
    ThreadId id = no_thread;
    ProcessId process = no_process;
    Tick arrival = 0;
    int priority = 0;            // lower number = higher priority (process priority)
    Tick next_burst = 0;         // compute ticks left before its next wait or its end
    Tick remaining = 0;          // compute ticks left in the whole thread
    CoreId last_core = no_core;  // the core it last ran on, or no_core
    std::span<int const> pinned; // cores it may use; empty: any
};

// The facts that never change during a run, from one compact array.
struct ThreadBrief {
    ProcessId process = no_process;
    int priority = 0;            // as ThreadFacts::priority
    std::span<int const> pinned; // cores it may use; empty: any
};

// What the Machine offers a policy. All read-only.
class SchedulerHost {
public:
    virtual ~SchedulerHost() = default;
    virtual Tick now() const = 0;
    virtual int core_count() const = 0;
    virtual ThreadFacts facts(ThreadId) const = 0;
    virtual ThreadId running_on(CoreId) const = 0; // no_thread when idle or switching
    // Ticks of work the core's running thread has done since it was picked (or its slice
    // renewed); 0 when idle or switching. Cheap, unlike facts().
    virtual Tick worked(CoreId) const = 0;
    // Who the thread is, in brief: its process, priority and pinning. Cheap, unlike facts():
    // for a policy's inner loop.
    virtual ThreadBrief brief(ThreadId) const = 0;
};

enum class EnqueueReason : std::uint8_t { Arrived, Woke, Preempted };

class Scheduler {
public:
    virtual ~Scheduler() = default;

    // Called once, before the run, and again on a copy made by clone() for its own Machine.
    void attach(SchedulerHost const& host) { m_host = &host; }

    // A copy of the policy in its current state (its queues, counters, random generator), still
    // attached to the same host until attach() is called on it. Machine's copy constructor uses
    // it, so that a copied machine runs on exactly as the original would; the outside-choice
    // seam (Chooser) uses it to ask what the policy would pick without changing it. Almost
    // every policy holds only values, and its clone() is the one line
    //     return std::make_unique<MyScheduler>(*this);
    virtual std::unique_ptr<Scheduler> clone() const = 0;

    // A thread became ready: it arrived, woke up, or was taken off a core (preempted, or its
    // slice ended). The policy must remember it until pick_next() returns it or dequeue().
    virtual void enqueue(ThreadId, EnqueueReason) = 0;

    // A ready thread leaves without running (its process ended). Forget it.
    virtual void dequeue(ThreadId) = 0;

    // `core` is free. Return a ready thread to run there (and forget it as ready), or nothing
    // to leave the core idle. May return the thread that just stopped on this core: the
    // Machine then lets it go on without a context switch.
    virtual std::optional<ThreadId> pick_next(CoreId) = 0;

    // How many ticks the thread just picked may run before the policy is asked again;
    // nothing means until it blocks or ends (non-preemptive).
    virtual std::optional<Tick> slice(ThreadId, CoreId) { return std::nullopt; }

    // Something became ready this boundary: should the thread running on `core` give way now?
    // If yes, the Machine preempts it (it is enqueued as Preempted) and calls pick_next.
    virtual bool should_preempt(CoreId, ThreadId) { return false; }

    // The thread starts running on `core`: from now on host().running_on(core) is it. Called
    // when it lands (after its context switch, if any) and when the policy gives it back the
    // core its slice just ended on. Each is followed by a stopped() for the same core.
    virtual void started(ThreadId, CoreId) { }

    // The thread stopped running on `core` after `ran` ticks of work since its dispatch (or
    // since its slice was renewed). Called before it is enqueued again, if it is.
    virtual void stopped(ThreadId, CoreId, Tick) { }

    // The next tick at which the policy's choices change with nothing else happening (an
    // MLFQ boost, an aging step, a balancing pass), or nothing. Depends only on the policy's
    // state. The Machine asks after each dispatch phase and visits that tick.
    virtual std::optional<Tick> next_wakeup() const { return std::nullopt; }

    // Called once at the tick next_wakeup() named (phase 5, before should_preempt, which is
    // then asked for every running core as when something arrives).
    virtual void on_timer() { }

    // A hint, for speed only: the thread pick_next(core) would most likely return now, or
    // no_thread. After each dispatch the Machine asks it for the next idle core and starts
    // loading that thread's state (with thousands of threads it is not in cache). Must not
    // change state; a wrong guess costs nothing but the load.
    virtual ThreadId likely_next(CoreId) const { return no_thread; }

    // The ready queues, front first, for the learner's table. Must not change state.
    virtual std::vector<ReadyQueue> ready_queues() const = 0;

    // The same with at most `limit` threads of each queue listed and the rest counted in
    // ReadyQueue::more: what a run printed as a table records (MachineConfig::
    // queue_snapshot_limit). The default cuts ready_queues() down; a policy whose queues can
    // hold thousands of threads lists only their heads, so as not to copy them whole at
    // every change.
    virtual std::vector<ReadyQueue> ready_queue_heads(std::size_t limit) const;

protected:
    SchedulerHost const& host() const { return *m_host; }

private:
    SchedulerHost const* m_host = nullptr;
};

// Scheduling choices from outside the policy: the seam of a learner who picks which thread
// runs (ticklab step --manual) and of a search over every schedule (explore).
//
// With a Chooser set (Machine::set_chooser), each time phase 6 finds a core free and at least
// one ready thread that may run there, the Machine first asks a copy of the policy (clone())
// what it would pick, then asks the Chooser, showing it the core, every ready thread that may
// run on it, and that pick. The Machine then carries out the answer:
//   - the policy's own pick: the policy's pick_next() is called as without a Chooser, so a
//     Chooser that always answers policy_pick gives exactly the run without one;
//   - another ready thread: the policy is told it left the queue with dequeue(), and the
//     thread is dispatched as if pick_next() had returned it (a switch, its slice, started());
//   - nothing: the core stays idle until the Machine next dispatches (the next boundary at
//     which something happens); with nothing else due the run ends as deadlocked.
// The policy keeps its say over everything else (slices, preemption, timers). Undo (`back`)
// and backtracking (explore) copy the Machine (its copy constructor) before a choice. The
// Machine does not own the Chooser; a copied Machine asks the same one.
struct Choice {
    CoreId core = no_core;
    std::span<ThreadId const> ready;     // the ready threads that may run on `core`, by id
    std::optional<ThreadId> policy_pick; // what the policy would pick; nothing: leave it idle
};

class Chooser {
public:
    virtual ~Chooser() = default;
    // One of choice.ready, or nothing to leave the core idle.
    virtual std::optional<ThreadId> choose(Choice const&) = 0;
};

// Chooses among candidate cores for a thread honouring its pinning: true when the thread
// may run on `core`.
bool may_run_on(ThreadFacts const&, CoreId);
bool may_run_on(std::span<int const> pinned, CoreId); // as SchedulerHost::brief() gives it: cheap

}
