#pragma once

#include "engine/per_id.hpp"
#include "sched/prng.hpp"
#include "sched/scheduler.hpp"
#include "sched/settings.hpp"

#include <set>
#include <string>
#include <variant>
#include <vector>

namespace tl {

inline constexpr std::int64_t max_tickets = 1'000'000;

// Who holds how many tickets, for lottery and stride.
struct TicketConfig {
    PerId<ProcessId, std::int64_t> tickets; // for the first processes; the rest use their weight

    // Every thread of a process holds that process's tickets: the value given in `tickets`, or
    // else the weight of its priority in Linux's nice table (priority 0: 1024, 5: 335, -5: 3121).
    std::int64_t tickets_of(ProcessId process, int priority) const;
};

// Reads `tickets` (e.g. tickets=75,25: the first process 75, the second 25).
std::variant<TicketConfig, std::string> read_ticket_config(std::string_view policy, SchedulerOptions const&);
std::string describe(TicketConfig const&);

// Lottery scheduling (Waldspurger & Weihl 1994; OSTEP ch. 9). When a core is free, the
// tickets of the ready threads allowed on it are laid end to end in thread id order
// (declaration order), a winning number is drawn in [0, total) as `next random mod total`,
// and the thread holding that ticket runs for one quantum. The numbers come from splitmix64
// seeded with --seed, so the same seed replays the same run. No number is drawn when only one
// thread may run (so a lone thread does not use up the sequence). Not preemptive: a newcomer
// waits for the next draw.
class LotteryScheduler final : public Scheduler {
public:
    std::unique_ptr<Scheduler> clone() const override { return std::make_unique<LotteryScheduler>(*this); }
    LotteryScheduler(TicketConfig config, Tick quantum, std::uint64_t seed);

    void enqueue(ThreadId, EnqueueReason) override;
    void dequeue(ThreadId) override;
    std::optional<ThreadId> pick_next(CoreId) override;
    std::optional<Tick> slice(ThreadId, CoreId) override { return m_quantum; }
    // One queue in ticket order (thread id order).
    std::vector<ReadyQueue> ready_queues() const override;

    std::int64_t tickets(ThreadId) const;

private:
    // A Fenwick tree over thread ids holding the tickets of the ready unpinned threads, so
    // that a draw among thousands of threads costs a logarithm, not a walk.
    class TicketTree {
    public:
        void set(ThreadId, std::int64_t value);
        std::int64_t total() const { return m_total; }
        ThreadId find(std::int64_t number) const; // the thread whose range holds `number`

    private:
        std::vector<std::int64_t> m_values;
        std::vector<std::int64_t> m_tree; // 1-based
        std::int64_t m_total = 0;
    };

    std::int64_t tickets_of(ThreadId);
    bool is_ready(ThreadId) const;
    void remove(ThreadId);
    std::vector<ThreadId> ready_in_ticket_order() const;

    TicketConfig m_config;
    Tick m_quantum;
    SchedulerRandom m_random;
    PerId<ThreadId, std::int64_t> m_tickets; // 0: not seen yet
    // Per thread: 1 while ready. A flag array, not a set: a draw never walks the ready
    // threads (the tree answers it), and a set's insert and erase at every dispatch were half
    // of this policy's cost with 10,000 threads.
    PerId<ThreadId, std::uint8_t> m_is_ready;
    std::size_t m_ready_count = 0;
    std::set<ThreadId> m_pinned_ready;   // the ready threads that are pinned
    TicketTree m_unpinned;               // tickets of the ready threads that are not
};

}
