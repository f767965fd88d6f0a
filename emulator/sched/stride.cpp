#include "sched/stride.hpp"

#include "sched/registry.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace tl {

StrideScheduler::Account& StrideScheduler::account(ThreadId thread)
{
    auto& account = m_accounts.grow_to(thread);
    if (account.stride == 0) {
        auto facts = host().facts(thread);
        account.stride = stride_numerator / m_config.tickets_of(facts.process, facts.priority);
    }
    return account;
}

std::int64_t StrideScheduler::pass(ThreadId thread) const
{
    return m_accounts.contains(thread) ? m_accounts[thread].pass : 0;
}

std::int64_t StrideScheduler::stride(ThreadId thread) const
{
    return m_accounts.contains(thread) ? m_accounts[thread].stride : 0;
}

// The global pass: the lowest pass among the threads competing now (ready, or running), but
// never lower than it was, so a thread arriving while everyone else sleeps does not start far
// behind them.
std::int64_t StrideScheduler::global_pass()
{
    std::optional<std::int64_t> lowest;
    if (!ready().empty())
        lowest = ready().begin()->key;
    if (auto running = m_running.lowest())
        lowest = std::min(lowest.value_or(*running), *running);
    if (lowest)
        m_global_pass = std::max(m_global_pass, *lowest);
    return m_global_pass;
}

std::int64_t StrideScheduler::key_on_enqueue(ThreadId thread, EnqueueReason reason)
{
    auto& self = account(thread);
    switch (reason) {
    case EnqueueReason::Arrived: self.pass = global_pass(); break;
    case EnqueueReason::Woke: self.pass = std::max(self.pass, global_pass()); break;
    case EnqueueReason::Preempted: break;
    }
    return self.pass;
}

void StrideScheduler::on_started(ThreadId thread, CoreId core) { m_running.set(core, pass(thread)); }

void StrideScheduler::on_stopped(ThreadId thread, CoreId core, Tick ran)
{
    m_running.clear(core);
    account(thread).pass += account(thread).stride * ran;
}

// Its row in the registry (sched/registry.hpp).
namespace {

SchedulerRegistration const stride_registration { 90,
    SchedulerEntry {
        "stride",
        "stride: the ready thread with the lowest pass runs a quantum; its pass grows by 1,000,000 / tickets per tick",
        { quantum_setting, tickets_setting },
        [](SchedulerOptions const& options) {
            return std::make_unique<StrideScheduler>(checked(read_ticket_config("stride", options)), options.quantum);
        },
        [](SchedulerOptions const& options) {
            auto config = checked(read_ticket_config("stride", options));
            return fmt::format("stride, quantum {}, {}", options.quantum, describe(config));
        },
        [](SchedulerOptions const& options) { return error_of(read_ticket_config("stride", options)); },
    } };

}

}
