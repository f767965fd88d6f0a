#include "sched/per_core.hpp"

#include "engine/config.hpp"
#include "engine/verify.hpp"
#include "sched/registry.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <fmt/format.h>

namespace tl {

std::variant<StealConfig, std::string> read_steal_config(SchedulerOptions const& options)
{
    StealConfig config;
    static constexpr std::array<std::string_view, 2> ends { "back", "front" };
    SettingsReader reader("per-core", options);
    config.from_front = reader.choice("steal-from", "back", ends) == "front";
    if (reader.error())
        return *reader.error();
    auto found = options.settings.find("steal");
    std::string_view text = found == options.settings.end() ? std::string_view("off") : std::string_view(found->second);
    if (text == "off" || text == "0") {
        if (reader.has("steal-from"))
            return std::string("per-core: steal-from says which thread a stealing core takes; it needs steal=on or steal=N");
        return config;
    }
    if (text == "on") {
        config.mode = StealConfig::Mode::Idle;
        return config;
    }
    Tick interval = 0;
    auto [rest, status] = std::from_chars(text.data(), text.data() + text.size(), interval);
    if (text.empty() || status != std::errc() || rest != text.data() + text.size() || interval < 1
        || interval > max_tick_limit)
        return fmt::format("per-core: steal must be on, off, or the ticks between balancing passes (1 or more), not '{}'",
            text);
    config.mode = StealConfig::Mode::Periodic;
    config.interval = interval;
    return config;
}

std::string describe(StealConfig const& config)
{
    switch (config.mode) {
    case StealConfig::Mode::Off: return "no stealing";
    case StealConfig::Mode::Idle: return config.from_front ? "idle cores steal from the front" : "idle cores steal";
    case StealConfig::Mode::Periodic:
        return fmt::format("queues balanced every {} ticks{}", config.interval, config.from_front ? " from the front" : "");
    }
    return "";
}

PerCoreScheduler::PerCoreScheduler(int cores, Tick quantum, StealConfig steal, TimerMode timer)
    : m_queues(cores)
    , m_on_core(cores, no_thread)
    , m_quantum(quantum)
    , m_steal(steal)
    , m_timer(timer)
    , m_next_balance(steal.mode == StealConfig::Mode::Periodic ? steal.interval : 0)
{
}

CoreId PerCoreScheduler::home(ThreadId thread) const
{
    return m_home.contains(thread) ? m_home[thread] : no_core;
}

std::size_t PerCoreScheduler::load(CoreId core) const
{
    return m_queues[core].size() + (m_on_core[core] != no_thread ? 1 : 0);
}

CoreId PerCoreScheduler::home_for(ThreadId thread) const
{
    auto facts = host().facts(thread);
    CoreId best = no_core;
    std::size_t best_load = 0;
    for (CoreId core : m_queues.ids()) {
        if (!may_run_on(facts, core))
            continue;
        std::size_t load = m_queues[core].size() + (host().running_on(core) != no_thread ? 1 : 0);
        if (best == no_core || load < best_load) {
            best = core;
            best_load = load;
        }
    }
    return best;
}

void PerCoreScheduler::enqueue(ThreadId thread, EnqueueReason)
{
    auto& home = m_home.grow_to(thread, no_core);
    if (home == no_core)
        home = home_for(thread);
    m_queues[home].push_back(thread);
    balance_if_due();
}

void PerCoreScheduler::dequeue(ThreadId thread)
{
    for (auto& queue : m_queues)
        std::erase(queue, thread);
}

void PerCoreScheduler::stopped(ThreadId thread, CoreId core, Tick)
{
    auto& running = m_on_core[core];
    if (running == thread)
        running = no_thread;
}

std::optional<ThreadId> PerCoreScheduler::pick_next(CoreId core)
{
    auto& queue = m_queues[core];
    std::optional<ThreadId> picked;
    if (!queue.empty()) {
        picked = queue.front();
        queue.pop_front();
    } else if (m_steal.mode == StealConfig::Mode::Idle) {
        picked = steal_for(core);
    }
    if (picked)
        m_on_core[core] = *picked;
    return picked;
}

void PerCoreScheduler::move(ThreadId thread, CoreId from, CoreId to)
{
    auto& source = m_queues[from];
    source.erase(std::find(source.begin(), source.end(), thread));
    m_home[thread] = to;
    ++m_steals;
}

ThreadId PerCoreScheduler::stealable(std::deque<ThreadId> const& queue, CoreId core) const
{
    auto may = [&](ThreadId thread) { return may_run_on(host().brief(thread).pinned, core); };
    if (m_steal.from_front) {
        auto found = std::find_if(queue.begin(), queue.end(), may);
        return found == queue.end() ? no_thread : *found;
    }
    auto found = std::find_if(queue.rbegin(), queue.rend(), may);
    return found == queue.rend() ? no_thread : *found;
}

// Only from a queue that would not be served at once anyway: a core that is busy, or one
// with two or more queued (its own core takes one of them). Otherwise a core asked first, in
// id order, would take the only thread of an idle core asked next. The rule depends only on
// state that the dispatch pass leaves behind, so a core that found nothing to steal at a
// boundary finds nothing at the quiet ticks after it either (stepping asks it every tick).
std::optional<ThreadId> PerCoreScheduler::steal_for(CoreId core)
{
    std::optional<CoreId> victim;
    std::optional<ThreadId> taken;
    for (CoreId other : m_queues.ids()) {
        auto const& queue = m_queues[other];
        if (other == core || queue.empty())
            continue;
        if (queue.size() < 2 && m_on_core[other] == no_thread)
            continue;
        if (victim && queue.size() <= m_queues[*victim].size())
            continue;
        ThreadId found = stealable(queue, core);
        if (found == no_thread)
            continue;
        victim = other;
        taken = found;
    }
    if (!taken)
        return std::nullopt;
    move(*taken, *victim, core);
    return taken;
}

std::optional<Tick> PerCoreScheduler::next_wakeup() const
{
    if (m_steal.mode != StealConfig::Mode::Periodic)
        return std::nullopt;
    return m_next_balance;
}

// Called when a thread has just been queued, so the balance sees it: done when a thread
// stops, before it is queued again, a core's load would look lighter than it is.
void PerCoreScheduler::balance_if_due()
{
    if (m_steal.mode != StealConfig::Mode::Periodic || host().now() < m_next_balance)
        return;
    Tick now = host().now();
    m_next_balance = now / m_steal.interval * m_steal.interval + m_steal.interval;
    auto cores = static_cast<CoreId>(m_queues.size());
    std::size_t queued = 0;
    for (auto const& queue : m_queues)
        queued += queue.size();
    // Each move lowers the spread of loads, so this ends; the bound is a guard.
    for (std::size_t moves = 0; moves < queued; ++moves) {
        CoreId busiest = no_core;
        CoreId lightest = 0;
        for (CoreId core = 0; core < cores; ++core) {
            if (!m_queues[core].empty() && (busiest == no_core || load(core) > load(busiest)))
                busiest = core;
            if (load(core) < load(lightest))
                lightest = core;
        }
        if (busiest == no_core || load(busiest) < load(lightest) + 2)
            return;
        auto const& queue = m_queues[busiest];
        ThreadId thread = stealable(queue, lightest);
        if (thread == no_thread)
            return; // pinning keeps them where they are
        move(thread, busiest, lightest);
        m_queues[lightest].push_back(thread);
    }
}

std::vector<ReadyQueue> PerCoreScheduler::ready_queues() const
{
    std::vector<ReadyQueue> queues;
    for (CoreId core : m_queues.ids())
        queues.push_back(ReadyQueue { fmt::format("core {}", core), { m_queues[core].begin(), m_queues[core].end() } });
    return queues;
}

// Its row in the registry (sched/registry.hpp).
namespace {

SchedulerRegistration const per_core_registration { 110,
    SchedulerEntry {
        "per-core",
        "per-core dispatch: a run queue per core, round-robin inside each; threads stay on their core",
        { quantum_setting,
            { "steal", "off", "on: an idle core steals from a busy one; N: balance the queues every N ticks; off" },
            { "steal-from", "back", "which thread a stealing core takes from a queue: back (the last) or front (the first)" },
            timer_setting },
        [](SchedulerOptions const& options) {
            return std::make_unique<PerCoreScheduler>(options.cores, options.quantum, checked(read_steal_config(options)),
                checked(read_timer("per-core", options)));
        },
        [](SchedulerOptions const& options) {
            auto steal = checked(read_steal_config(options));
            return fmt::format("per-core dispatch, a queue per core, round-robin quantum {}, {}{}", options.quantum,
                describe(steal), describe(checked(read_timer("per-core", options))));
        },
        [](SchedulerOptions const& options) {
            if (auto error = error_of(read_steal_config(options)))
                return error;
            return error_of(read_timer("per-core", options));
        },
    } };

}

}
