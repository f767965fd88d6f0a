#pragma once

#include "sched/lottery.hpp"
#include "sched/lowest_on_cores.hpp"
#include "sched/ranked.hpp"

#include <vector>

namespace tl {

// stride = stride_numerator / tickets. 1,000,000 keeps OSTEP's example exact (tickets 100,
// 50 and 250 give strides 10000, 20000 and 4000, OSTEP's 100, 200 and 40 times 100).
inline constexpr std::int64_t stride_numerator = 1'000'000;

// Stride scheduling (Waldspurger 1995; OSTEP ch. 9), lottery's deterministic sibling. Each
// thread holds tickets (as in lottery) and has a stride of 1,000,000 / tickets and a pass,
// which grows by its stride for every tick it runs. A free core runs the ready thread with
// the lowest pass (ties: the one that became ready first) for one quantum. The global pass
// is the lowest pass among the ready and running threads, and never goes back (it stays put
// while nobody competes). A new thread starts at the global pass, so it cannot monopolise the
// CPU; a waking thread's pass is raised to it if lower, so sleeping earns no credit. Not
// preemptive.
class StrideScheduler final : public RankedScheduler {
public:
    std::unique_ptr<Scheduler> clone() const override { return std::make_unique<StrideScheduler>(*this); }
    StrideScheduler(TicketConfig config, Tick quantum)
        : RankedScheduler(false)
        , m_config(std::move(config))
        , m_quantum(quantum)
    {
    }

    std::optional<Tick> slice(ThreadId, CoreId) override { return m_quantum; }

    std::int64_t pass(ThreadId) const;
    std::int64_t stride(ThreadId) const;

protected:
    std::int64_t key_on_enqueue(ThreadId, EnqueueReason) override;
    void on_started(ThreadId, CoreId) override;
    void on_stopped(ThreadId, CoreId, Tick ran) override;

private:
    struct Account {
        std::int64_t pass = 0;
        std::int64_t stride = 0; // 0: not seen yet
    };
    Account& account(ThreadId);
    std::int64_t global_pass();

    TicketConfig m_config;
    Tick m_quantum;
    PerId<ThreadId, Account> m_accounts;
    std::int64_t m_global_pass = 0;
    LowestOnCores m_running; // the running threads' passes (constant while they run)
};

}
