#pragma once

#include "sched/ranked.hpp"
#include "sched/settings.hpp"

#include <string>
#include <variant>

namespace tl {

// What "shortest" measures: the rest of the current CPU burst (Silberschatz's SJF, the
// default), or all the compute left in the thread (OSTEP's "time to completion").
enum class JobLength : std::uint8_t { Burst, Remaining };

struct SjfConfig {
    JobLength by = JobLength::Burst;
};

// Reads `by` (burst or remaining) for sjf and srtf.
std::variant<SjfConfig, std::string> read_sjf_config(std::string_view policy, SchedulerOptions const&);
// "next CPU burst" or "compute left", for a policy's description.
std::string_view describe(SjfConfig const&);

// Shortest job first, non-preemptive: when a core is free it takes the ready thread with the
// shortest next CPU burst (the Machine's oracle knowledge, ThreadFacts::next_burst), which
// then runs until it blocks or ends. Ties go to the thread that became ready first. With
// by=remaining the length is all the compute left in the thread.
class SjfScheduler : public RankedScheduler {
public:
    std::unique_ptr<Scheduler> clone() const override { return std::make_unique<SjfScheduler>(*this); }
    explicit SjfScheduler(SjfConfig config)
        : SjfScheduler(config, false)
    {
    }

protected:
    SjfScheduler(SjfConfig config, bool preemptive)
        : RankedScheduler(preemptive)
        , m_config(config)
    {
    }

    std::int64_t length(ThreadId) const;
    std::int64_t key_on_enqueue(ThreadId thread, EnqueueReason) override { return length(thread); }

private:
    SjfConfig m_config;
};

}
