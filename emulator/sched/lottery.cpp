#include "sched/lottery.hpp"

#include "engine/verify.hpp"
#include "sched/registry.hpp"
#include "sched/weights.hpp"

#include <algorithm>
#include <bit>
#include <fmt/format.h>

namespace tl {

std::int64_t TicketConfig::tickets_of(ProcessId process, int priority) const
{
    return tickets.contains(process) ? tickets[process] : weight_of_priority(priority);
}

std::variant<TicketConfig, std::string> read_ticket_config(std::string_view policy, SchedulerOptions const& options)
{
    SettingsReader reader(policy, options);
    TicketConfig config;
    auto tickets = reader.list("tickets", 1, max_tickets, 100'000);
    if (reader.error())
        return *reader.error();
    config.tickets = std::move(tickets);
    return config;
}

std::string describe(TicketConfig const& config)
{
    if (config.tickets.empty())
        return "tickets by priority";
    return fmt::format("tickets {} by process", fmt::join(config.tickets, "/"));
}

void LotteryScheduler::TicketTree::set(ThreadId thread, std::int64_t value)
{
    auto index = index_of(thread);
    if (index >= m_values.size()) {
        // Grow, and rebuild the tree over the larger range.
        m_values.resize(std::max(index + 1, m_values.size() * 2), 0);
        m_tree.assign(m_values.size() + 1, 0);
        for (std::size_t i = 1; i <= m_values.size(); ++i) {
            m_tree[i] += m_values[i - 1];
            auto parent = i + (i & (~i + 1));
            if (parent <= m_values.size())
                m_tree[parent] += m_tree[i];
        }
    }
    auto delta = value - m_values[index];
    m_values[index] = value;
    m_total += delta;
    for (auto i = index + 1; i <= m_values.size(); i += i & (~i + 1))
        m_tree[i] += delta;
}

ThreadId LotteryScheduler::TicketTree::find(std::int64_t number) const
{
    VERIFY(number >= 0 && number < m_total);
    // Down the tree without a branch on the tickets: whether a step is taken depends on the
    // draw, so a branch there is mispredicted half the time, at every level of every pick
    // (a third of this policy's time on the headline workload, 10,000 threads, before).
    std::size_t position = 0;
    auto const size = m_values.size();
    for (auto step = std::bit_floor(size); step > 0; step >>= 1) {
        auto next = position + step;
        if (next > size)
            continue;
        auto value = m_tree[next];
        auto take = static_cast<std::size_t>(0) - static_cast<std::size_t>(value <= number); // all ones or zero
        position += step & take;
        number -= value & static_cast<std::int64_t>(take);
    }
    return static_cast<ThreadId>(position);
}

LotteryScheduler::LotteryScheduler(TicketConfig config, Tick quantum, std::uint64_t seed)
    : m_config(std::move(config))
    , m_quantum(quantum)
    , m_random(seed)
{
}

std::int64_t LotteryScheduler::tickets(ThreadId thread) const
{
    return m_tickets.contains(thread) ? m_tickets[thread] : 0;
}

std::int64_t LotteryScheduler::tickets_of(ThreadId thread)
{
    auto& tickets = m_tickets.grow_to(thread);
    if (tickets == 0) {
        auto facts = host().facts(thread);
        tickets = m_config.tickets_of(facts.process, facts.priority);
    }
    return tickets;
}

bool LotteryScheduler::is_ready(ThreadId thread) const
{
    return m_is_ready.contains(thread) && m_is_ready[thread] != 0;
}

void LotteryScheduler::enqueue(ThreadId thread, EnqueueReason)
{
    auto& ready = m_is_ready.grow_to(thread);
    VERIFY(ready == 0);
    ready = 1;
    ++m_ready_count;
    if (!host().brief(thread).pinned.empty())
        m_pinned_ready.insert(thread);
    else
        m_unpinned.set(thread, tickets_of(thread));
}

void LotteryScheduler::remove(ThreadId thread)
{
    VERIFY(is_ready(thread));
    m_is_ready[thread] = 0;
    --m_ready_count;
    if (m_pinned_ready.erase(thread) == 0)
        m_unpinned.set(thread, 0);
}

std::vector<ThreadId> LotteryScheduler::ready_in_ticket_order() const
{
    std::vector<ThreadId> ready;
    ready.reserve(m_ready_count);
    for (ThreadId thread : m_is_ready.ids())
        if (m_is_ready[thread] != 0)
            ready.push_back(thread);
    return ready;
}

void LotteryScheduler::dequeue(ThreadId thread) { remove(thread); }

std::optional<ThreadId> LotteryScheduler::pick_next(CoreId core)
{
    std::vector<ThreadId> pinned_here;
    for (ThreadId thread : m_pinned_ready)
        if (may_run_on(host().brief(thread).pinned, core))
            pinned_here.push_back(thread);
    std::size_t unpinned = m_ready_count - m_pinned_ready.size();
    std::size_t candidates = unpinned + pinned_here.size();
    if (candidates == 0)
        return std::nullopt;

    ThreadId winner = no_thread;
    if (candidates == 1) {
        winner = pinned_here.empty() ? m_unpinned.find(0) : pinned_here.front();
    } else if (pinned_here.empty()) {
        auto number = static_cast<std::int64_t>(m_random.below(static_cast<std::uint64_t>(m_unpinned.total())));
        winner = m_unpinned.find(number);
    } else {
        // Pinned threads among the candidates: walk them all in ticket order; rare enough.
        auto allowed = [&](ThreadId thread) {
            return !m_pinned_ready.contains(thread)
                || std::find(pinned_here.begin(), pinned_here.end(), thread) != pinned_here.end();
        };
        auto ready = ready_in_ticket_order();
        std::int64_t total = 0;
        for (ThreadId thread : ready)
            if (allowed(thread))
                total += tickets_of(thread);
        auto number = static_cast<std::int64_t>(m_random.below(static_cast<std::uint64_t>(total)));
        for (ThreadId thread : ready) {
            if (!allowed(thread))
                continue;
            number -= tickets_of(thread);
            if (number < 0) {
                winner = thread;
                break;
            }
        }
    }
    VERIFY(winner != no_thread);
    remove(winner);
    return winner;
}

std::vector<ReadyQueue> LotteryScheduler::ready_queues() const
{
    return { ReadyQueue { "", ready_in_ticket_order() } };
}

// Its row in the registry (sched/registry.hpp).
namespace {

SchedulerRegistration const lottery_registration { 80,
    SchedulerEntry {
        "lottery",
        "lottery: a seeded random draw among the ready threads' tickets picks who runs for a quantum",
        { quantum_setting, { "seed", "1", "the random seed: the same seed replays the same run" },
            tickets_setting },
        [](SchedulerOptions const& options) {
            return std::make_unique<LotteryScheduler>(
                checked(read_ticket_config("lottery", options)), options.quantum, options.seed);
        },
        [](SchedulerOptions const& options) {
            auto config = checked(read_ticket_config("lottery", options));
            return fmt::format("lottery, quantum {}, {}, seed {}", options.quantum, describe(config), options.seed);
        },
        [](SchedulerOptions const& options) { return error_of(read_ticket_config("lottery", options)); },
    } };

}

}
