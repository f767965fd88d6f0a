#include "sched/mlfq.hpp"

#include "engine/config.hpp"
#include "engine/verify.hpp"
#include "sched/registry.hpp"

#include <algorithm>
#include <limits>
#include <utility>
#include <fmt/format.h>

namespace tl {

std::variant<MlfqConfig, std::string> read_mlfq_config(SchedulerOptions const& options)
{
    SettingsReader reader("mlfq", options);
    auto const levels_max = static_cast<std::size_t>(max_mlfq_levels);
    auto levels = reader.number("levels", 3, 1, max_mlfq_levels);
    auto quanta = reader.list("quanta", 1, max_tick_limit, levels_max);
    auto allotment = reader.list("allotment", 1, max_tick_limit, levels_max);
    MlfqConfig config;
    config.boost = reader.ticks_or_off("boost", std::nullopt, max_tick_limit);
    static constexpr std::string_view on_off[] { "off", "on" };
    static constexpr std::string_view places[] { "back", "front" };
    static constexpr std::string_view orders[] { "ready", "lowest-first" };
    config.io_resets = reader.choice("io-resets", "off", on_off) == "on";
    config.io_to_front = reader.choice("io-to-front", "off", on_off) == "on";
    config.preempted_front = reader.choice("preempted", "back", places) == "front";
    config.boost_lowest_first = reader.choice("boost-order", "ready", orders) == "lowest-first";
    if (reader.error())
        return *reader.error();

    // Without `levels`, a list with one value per level says how many there are.
    if (!reader.has("levels")) {
        if (quanta.size() > 1)
            levels = static_cast<std::int64_t>(quanta.size());
        else if (allotment.size() > 1)
            levels = static_cast<std::int64_t>(allotment.size());
    }
    auto count = static_cast<std::size_t>(levels);
    auto per_level = [&](std::vector<std::int64_t>& values, std::string_view name) {
        if (values.size() == 1)
            values.assign(count, values.front());
        if (!values.empty() && values.size() != count)
            reader.fail(fmt::format("{} lists {} values but there are {} levels (give one per level, or one for all)",
                name, values.size(), count));
    };
    per_level(quanta, "quanta");
    per_level(allotment, "allotment");
    if (reader.error())
        return *reader.error();

    // By default each level's quantum doubles (OSTEP: lower queues get longer slices), and
    // a thread may use one quantum at a level before it drops.
    if (quanta.empty()) {
        Tick quantum = std::clamp<Tick>(options.quantum, 1, max_tick_limit);
        for (std::size_t level = 0; level < count; ++level) {
            quanta.push_back(quantum);
            quantum = std::min(quantum * 2, max_tick_limit);
        }
    }
    if (allotment.empty())
        allotment = quanta;
    config.quanta = std::move(quanta);
    config.allotment = std::move(allotment);
    return config;
}

std::string describe(MlfqConfig const& config)
{
    std::string boost = config.boost ? fmt::format("boost every {} ticks", *config.boost) : "no boost";
    if (config.boost && config.boost_lowest_first)
        boost += " (lowest level first)";
    // The conventions in force that are not the default, as they are set.
    std::string conventions;
    if (config.io_resets)
        conventions += ", io-resets=on";
    if (config.io_to_front)
        conventions += ", io-to-front=on";
    if (config.preempted_front)
        conventions += ", preempted=front";
    if (config.boost_lowest_first && !config.boost)
        conventions += ", boost-order=lowest-first";
    if (config.levels() == 1)
        return fmt::format("mlfq, 1 level, quantum {}, {}{}", config.quanta[0], boost, conventions);
    return fmt::format("mlfq, {} levels, quanta {}, allotment {}, {}{}", config.levels(), join_ticks(config.quanta.values()),
        join_ticks(config.allotment.values()), boost, conventions);
}

MlfqScheduler::MlfqScheduler(MlfqConfig config)
    : RankedScheduler(true)
    , m_config(std::move(config))
{
    VERIFY(m_config.levels() >= 1 && m_config.allotment.size() == m_config.quanta.size());
    m_next_boost = m_config.boost;
}

MlfqScheduler::Standing& MlfqScheduler::standing(ThreadId thread)
{
    return m_standing.grow_to(thread);
}

int MlfqScheduler::level(ThreadId thread) const
{
    return m_standing.contains(thread) ? m_standing[thread].level : 0;
}

Tick MlfqScheduler::used(ThreadId thread) const
{
    return m_standing.contains(thread) ? m_standing[thread].used : 0;
}

std::int64_t MlfqScheduler::key_on_enqueue(ThreadId thread, EnqueueReason reason)
{
    auto& self = standing(thread);
    int band = 2;
    if (self.boost_ahead)
        band = 1;
    if (self.front || (m_config.io_to_front && reason == EnqueueReason::Woke))
        band = 0;
    self.front = false;
    self.boost_ahead = false;
    return key_of(self.level, band);
}

std::int64_t MlfqScheduler::running_key(ThreadId thread, CoreId) const
{
    if (m_standing.contains(thread) && m_standing[thread].boosted_off && m_last_boost && view_tick() == *m_last_boost)
        return std::numeric_limits<std::int64_t>::max() / 2; // any ready thread takes its core
    // io-to-front: one back from I/O goes ahead of the running thread of its level too (in
    // mlfq.py the running job stays first in its queue, and -I inserts before it).
    return key_of(level(thread), m_config.io_to_front ? 1 : 0);
}

// Rule 5, applied at the first hook at or after the boost tick. Ready threads are where they
// were at the boost tick (nothing happened in between), so the result is the same as if it
// had been applied on time; running threads are handled in on_stopped.
void MlfqScheduler::advance(Tick now)
{
    if (!m_next_boost || now < *m_next_boost)
        return;
    Tick period = *m_config.boost;
    m_last_boost = now / period * period;
    m_next_boost = *m_last_boost + period;
    if (m_config.boost_lowest_first) {
        boost_lowest_first();
        return;
    }
    for (auto& standing : m_standing) {
        standing.level = 0;
        standing.used = 0;
        standing.rest = 0;
    }
    std::vector<ThreadId> queued;
    for (auto const& entry : ready())
        queued.push_back(entry.thread);
    for (ThreadId thread : queued)
        rekey(thread, key_of(0, 2));
}

// mlfq.py's boost: the top queue keeps its order, then the queues below are moved up to it,
// lowest first, each in its order. The running thread, first in its queue there, is taken
// off its core if anyone is then ahead of it, and gets a fresh slice either way. (One core:
// with more, every running thread goes where the first one's queue goes.)
void MlfqScheduler::boost_lowest_first()
{
    int levels = m_config.levels();
    PerId<int, std::vector<ThreadId>> queues(levels);
    for (auto const& entry : ready())
        queues[level_of_key(entry.key)].push_back(entry.thread);
    std::vector<ThreadId> running;
    for (CoreId core = 0; core < host().core_count(); ++core)
        if (ThreadId thread = on_core(core); thread != no_thread)
            running.push_back(thread);
    // The levels in their new order, and where the first running thread goes: first of its level.
    std::vector<int> order { 0 };
    for (int level = levels - 1; level >= 1; --level)
        order.push_back(level);
    std::vector<ThreadId> ahead;
    std::vector<ThreadId> behind;
    bool placed = running.empty();
    for (int level : order) {
        if (!placed && level == this->level(running.front()))
            placed = true;
        for (ThreadId thread : queues[level])
            (placed ? behind : ahead).push_back(thread);
    }
    for (auto& standing : m_standing) {
        standing.level = 0;
        standing.used = 0;
        standing.rest = 0;
        standing.front = false;
    }
    for (ThreadId thread : running) {
        standing(thread).boosted_off = true;
        standing(thread).boost_ahead = true;
    }
    for (auto const* list : { &ahead, &behind }) {
        for (ThreadId thread : *list) {
            dequeue(thread);
            standing(thread).boost_ahead = list == &ahead;
            enqueue(thread, EnqueueReason::Arrived);
        }
    }
}

// A thread that gives up its core to wait (its next CPU burst is over, and work is left).
bool MlfqScheduler::waits(ThreadId thread) const
{
    auto facts = host().facts(thread);
    return facts.next_burst == 0 && facts.remaining > 0;
}

// Rule 4: the work counts against the allotment of the level it was done at. Work done
// before a boost that happened while the thread ran does not count.
void MlfqScheduler::on_stopped(ThreadId thread, CoreId, Tick ran)
{
    auto& self = standing(thread);
    Tick const worked = ran;
    bool const slice_over = worked >= self.slice;
    bool const boosted_off = std::exchange(self.boosted_off, false);
    if (!m_last_boost || view_tick() != *m_last_boost)
        self.boost_ahead = false; // only the boost's own preemption queues it there
    if (m_last_boost)
        ran = std::min(ran, view_tick() - *m_last_boost);
    int last = m_config.levels() - 1;
    auto allotment = m_config.allotment[self.level];
    bool const waiting = (m_config.io_resets || m_config.preempted_front) && waits(thread);
    if (m_config.preempted_front && !boosted_off) {
        // Preempted, or waiting, before its slice is over: the rest of the slice is kept.
        self.rest = slice_over ? 0 : self.slice - worked;
        self.front = !slice_over && !waiting;
    }
    if (m_config.io_resets && waiting) {
        // mlfq.py -S: the level's allotment starts again; a slice that ended with the wait
        // still counts as one used there.
        self.rest = 0;
        self.used = slice_over ? self.slice : 0;
        if (self.level != last && self.used >= allotment) {
            ++self.level;
            self.used = 0;
        }
        return;
    }
    if (self.level == last)
        return;
    self.used += ran;
    if (self.used >= allotment) {
        ++self.level;
        self.used = 0;
        self.rest = 0;
    }
}

std::optional<Tick> MlfqScheduler::slice(ThreadId thread, CoreId)
{
    auto& self = standing(thread);
    auto level = self.level;
    Tick slice = m_config.quanta[level];
    if (self.level != m_config.levels() - 1)
        slice = std::min(slice, m_config.allotment[level] - self.used);
    if (self.rest > 0)
        slice = std::min(slice, std::exchange(self.rest, 0));
    self.slice = slice;
    return slice;
}

std::vector<ReadyQueue> MlfqScheduler::ready_queues() const
{
    std::vector<ReadyQueue> queues;
    for (int level = 0; level < m_config.levels(); ++level)
        queues.push_back(ReadyQueue { fmt::format("level {}", level), {} });
    for (auto const& entry : ready())
        queues[index_of(level_of_key(entry.key))].threads.push_back(entry.thread);
    return queues;
}

// Its row in the registry (sched/registry.hpp).
namespace {

SchedulerRegistration const mlfq_registration { 70,
    SchedulerEntry {
        "mlfq",
        "multi-level feedback queue (OSTEP ch. 8): threads start on top and sink as they use their allotment",
        {
            { "quantum", "2", "the top level's quantum when quanta is not given; each level below doubles it" },
            { "levels", "3", "how many queues, 1 to 16" },
            { "quanta", "quantum x 2^level", "the quantum of each level, top first, e.g. 2,4,8 (one value: all levels)" },
            { "allotment", "the level's quantum",
                "ticks a thread may use at a level before it drops, e.g. 4,8,16 (one value: all levels)" },
            { "boost", "off", "every this many ticks all threads go back to the top level, or off" },
            { "io-resets", "off", "on: a thread that waits (I/O) keeps its level and its allotment starts again (mlfq.py -S)" },
            { "io-to-front", "off", "on: a thread back from a wait goes to the front of its level (mlfq.py -I)" },
            { "preempted", "back",
                "front: a thread preempted by a higher level keeps the front of its level and the rest of its slice "
                "(so does one that waits), as mlfq.py" },
            { "boost-order", "ready",
                "lowest-first: a boost moves the levels up lowest first and takes the running thread's slice away, as "
                "mlfq.py; ready: queued threads keep the order they became ready in" },
        },
        [](SchedulerOptions const& options) { return std::make_unique<MlfqScheduler>(checked(read_mlfq_config(options))); },
        [](SchedulerOptions const& options) { return describe(checked(read_mlfq_config(options))); },
        [](SchedulerOptions const& options) { return error_of(read_mlfq_config(options)); },
    } };

}

}
