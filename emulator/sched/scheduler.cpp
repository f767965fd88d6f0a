#include "sched/scheduler.hpp"

#include <algorithm>

namespace tl {

bool may_run_on(ThreadFacts const& facts, CoreId core) { return may_run_on(facts.pinned, core); }

bool may_run_on(std::span<int const> pinned, CoreId core)
{
    return pinned.empty() || std::find(pinned.begin(), pinned.end(), core) != pinned.end();
}

}
