#include "sched/scheduler.hpp"

#include <algorithm>

namespace tl {

bool may_run_on(ThreadFacts const& facts, CoreId core)
{
    return facts.pinned.empty() || std::find(facts.pinned.begin(), facts.pinned.end(), core) != facts.pinned.end();
}

}
