#include "sched/mlfq.hpp"

#include "engine/config.hpp"
#include "engine/verify.hpp"
#include "sched/registry.hpp"

#include <algorithm>
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
    config.quanta.assign(quanta.begin(), quanta.end());
    config.allotment.assign(allotment.begin(), allotment.end());
    return config;
}

std::string describe(MlfqConfig const& config)
{
    std::string boost = config.boost ? fmt::format("boost every {} ticks", *config.boost) : "no boost";
    if (config.levels() == 1)
        return fmt::format("mlfq, 1 level, quantum {}, {}", config.quanta[0], boost);
    return fmt::format("mlfq, {} levels, quanta {}, allotment {}, {}", config.levels(), join_ticks(config.quanta),
        join_ticks(config.allotment), boost);
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
    auto index = static_cast<std::size_t>(thread);
    if (index >= m_standing.size())
        m_standing.resize(index + 1);
    return m_standing[index];
}

int MlfqScheduler::level(ThreadId thread) const
{
    auto index = static_cast<std::size_t>(thread);
    return index < m_standing.size() ? m_standing[index].level : 0;
}

Tick MlfqScheduler::used(ThreadId thread) const
{
    auto index = static_cast<std::size_t>(thread);
    return index < m_standing.size() ? m_standing[index].used : 0;
}

std::int64_t MlfqScheduler::key_on_enqueue(ThreadId thread, EnqueueReason) { return standing(thread).level; }

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
    for (auto& standing : m_standing)
        standing = Standing {};
    std::vector<ThreadId> queued;
    for (auto const& entry : ready())
        queued.push_back(entry.thread);
    for (ThreadId thread : queued)
        rekey(thread, 0);
}

// Rule 4: the work counts against the allotment of the level it was done at. Work done
// before a boost that happened while the thread ran does not count.
void MlfqScheduler::on_stopped(ThreadId thread, CoreId, Tick ran)
{
    auto& self = standing(thread);
    if (m_last_boost)
        ran = std::min(ran, view_tick() - *m_last_boost);
    int last = m_config.levels() - 1;
    if (self.level == last)
        return;
    self.used += ran;
    if (self.used >= m_config.allotment[static_cast<std::size_t>(self.level)]) {
        ++self.level;
        self.used = 0;
    }
}

std::optional<Tick> MlfqScheduler::slice(ThreadId thread, CoreId)
{
    auto const& self = standing(thread);
    auto level = static_cast<std::size_t>(self.level);
    Tick quantum = m_config.quanta[level];
    if (self.level == m_config.levels() - 1)
        return quantum;
    return std::min(quantum, m_config.allotment[level] - self.used);
}

std::vector<ReadyQueue> MlfqScheduler::ready_queues() const
{
    std::vector<ReadyQueue> queues;
    for (int level = 0; level < m_config.levels(); ++level)
        queues.push_back(ReadyQueue { fmt::format("level {}", level), {} });
    for (auto const& entry : ready())
        queues[static_cast<std::size_t>(entry.key)].threads.push_back(entry.thread);
    return queues;
}

// Its row in the registry (sched/registry.hpp).
namespace {

SchedulerRegistration const registration { 70,
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
        },
        [](SchedulerOptions const& options) { return std::make_unique<MlfqScheduler>(checked(read_mlfq_config(options))); },
        [](SchedulerOptions const& options) { return describe(checked(read_mlfq_config(options))); },
        [](SchedulerOptions const& options) { return error_of(read_mlfq_config(options)); },
    } };

}

}
