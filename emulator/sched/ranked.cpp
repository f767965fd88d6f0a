#include "sched/ranked.hpp"

#include "engine/verify.hpp"

#include <algorithm>

namespace tl {

void RankedScheduler::catch_up()
{
    if (m_on_core.empty())
        m_on_core.assign(host().core_count(), no_thread);
    m_view_tick = host().now();
    advance(m_view_tick);
}

ThreadId RankedScheduler::on_core(CoreId core) const
{
    return m_on_core.contains(core) ? m_on_core[core] : no_thread;
}

bool RankedScheduler::is_ready(ThreadId thread) const
{
    return m_slots.contains(thread) && m_slots[thread].ready;
}

void RankedScheduler::enqueue(ThreadId thread, EnqueueReason reason)
{
    catch_up();
    auto& slot = m_slots.grow_to(thread);
    VERIFY(!slot.ready);
    Entry entry { key_on_enqueue(thread, reason), m_sequence++, thread };
    // Keys mostly grow (a pass, a virtual runtime, a sequence number on ties): try the end
    // first, which costs one comparison and saves a walk down the tree when it is right.
    slot = { m_ready.insert(m_ready.end(), entry), true };
}

void RankedScheduler::dequeue(ThreadId thread)
{
    catch_up();
    VERIFY(is_ready(thread));
    auto& slot = m_slots[thread];
    m_ready.erase(slot.where);
    slot.ready = false;
    on_dequeued(thread);
}

void RankedScheduler::rekey(ThreadId thread, std::int64_t key)
{
    auto& slot = m_slots[thread];
    Entry entry = *slot.where;
    m_ready.erase(slot.where);
    entry.key = key;
    slot.where = m_ready.insert(entry).first;
}

bool RankedScheduler::any_ready_for(CoreId core) const
{
    return std::any_of(m_ready.begin(), m_ready.end(),
        [&](Entry const& entry) { return may_run_on(host().brief(entry.thread).pinned, core); });
}

std::optional<RankedScheduler::Entry> RankedScheduler::best_for(CoreId core) const
{
    if (!keys_change_while_ready()) {
        for (auto const& entry : m_ready)
            if (may_run_on(host().brief(entry.thread).pinned, core))
                return entry;
        return std::nullopt;
    }
    std::optional<Entry> best;
    std::int64_t best_key = 0;
    for (auto const& entry : m_ready) {
        if (!may_run_on(host().brief(entry.thread).pinned, core))
            continue;
        auto key = key_now(entry);
        if (!best || key < best_key || (key == best_key && entry.sequence < best->sequence)) {
            best = entry;
            best_key = key;
        }
    }
    return best;
}

std::vector<RankedScheduler::Entry> RankedScheduler::ready_in_order() const
{
    std::vector<Entry> entries(m_ready.begin(), m_ready.end());
    if (keys_change_while_ready()) {
        for (auto& entry : entries)
            entry.key = key_now(entry);
        std::sort(entries.begin(), entries.end());
    }
    return entries;
}

std::optional<ThreadId> RankedScheduler::pick_next(CoreId core)
{
    // Find out whether there is anything to run before changing any state: stepping every
    // tick asks idle cores at every quiet tick, and those calls must leave no trace.
    if (!any_ready_for(core))
        return std::nullopt;
    catch_up();
    auto best = best_for(core);
    VERIFY(best.has_value());
    ThreadId thread = best->thread;
    auto& slot = m_slots[thread];
    m_ready.erase(slot.where);
    slot.ready = false;
    m_on_core[core] = thread;
    on_picked(thread, core);
    return thread;
}

void RankedScheduler::stopped(ThreadId thread, CoreId core, Tick ran)
{
    catch_up();
    auto& running = m_on_core[core];
    if (running == thread)
        running = no_thread;
    on_stopped(thread, core, ran);
}

bool RankedScheduler::should_preempt(CoreId core, ThreadId)
{
    catch_up();
    if (!m_preemptive)
        return false;
    // The Machine asks core by core and queues each preempted thread before asking the next;
    // deciding for every core at once, from the ready set as it stood, keeps one newcomer
    // from emptying several cores.
    if (m_plan_tick != m_view_tick) {
        plan_preemptions();
        m_plan_tick = m_view_tick;
    }
    return m_plan[core] != 0;
}

// Each ready thread, best first, is placed as dispatch would place it: on the lowest idle core
// it may use. A thread that finds no idle core takes the core running the worst thread it
// beats (ties: the lowest core id). Each core is taken at most once.
void RankedScheduler::plan_preemptions()
{
    CoreId cores = host().core_count();
    m_plan.assign(cores, 0);
    PerId<CoreId, char> idle(cores, 0);
    PerId<CoreId, char> open(cores, 0);
    PerId<CoreId, std::int64_t> running(cores, 0);
    std::size_t slots = 0;
    for (CoreId core = 0; core < cores; ++core) {
        ThreadId thread = host().running_on(core);
        if (thread != no_thread) {
            open[core] = 1;
            running[core] = running_key(thread, core);
            ++slots;
        } else if (on_core(core) == no_thread) {
            idle[core] = 1; // a core being switched to is neither idle nor preemptible
            ++slots;
        }
    }
    auto place = [&](Entry const& entry) {
        auto pinned = host().brief(entry.thread).pinned;
        for (CoreId core = 0; core < cores; ++core) {
            if (idle[core] && may_run_on(pinned, core)) {
                idle[core] = 0;
                --slots;
                return true;
            }
        }
        std::optional<CoreId> victim;
        for (CoreId core = 0; core < cores; ++core) {
            if (!open[core] || !may_run_on(pinned, core))
                continue;
            if (entry.key + preempt_margin() >= running[core])
                continue;
            if (!victim || running[core] > running[*victim])
                victim = core;
        }
        if (victim) {
            open[*victim] = 0;
            m_plan[*victim] = 1;
            --slots;
            return true;
        }
        // Nothing later, being no better, can do what an unpinned thread could not.
        return !pinned.empty();
    };
    auto visit = [&](auto const& entries) {
        for (auto const& entry : entries)
            if (slots == 0 || !place(entry))
                return;
    };
    // Copying and sorting is only needed when keys move while threads wait.
    if (keys_change_while_ready())
        visit(ready_in_order());
    else
        visit(m_ready);
}

std::vector<ReadyQueue> RankedScheduler::ready_queue_heads(std::size_t limit) const
{
    if (keys_change_while_ready())
        return Scheduler::ready_queue_heads(limit); // the order is worked out over all of them
    ReadyQueue queue;
    for (auto const& entry : m_ready) {
        if (queue.threads.size() == limit) {
            queue.more = static_cast<std::int64_t>(m_ready.size() - limit);
            break;
        }
        queue.threads.push_back(entry.thread);
    }
    return { queue };
}

std::vector<ReadyQueue> RankedScheduler::ready_queues() const
{
    ReadyQueue queue;
    queue.threads.reserve(m_ready.size());
    if (keys_change_while_ready()) {
        for (auto const& entry : ready_in_order())
            queue.threads.push_back(entry.thread);
    } else {
        for (auto const& entry : m_ready)
            queue.threads.push_back(entry.thread);
    }
    return { queue };
}

}
