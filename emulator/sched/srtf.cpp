#include "sched/srtf.hpp"

namespace tl {

// The running thread's length as of now: the Machine's facts count the ticks it has done.
std::int64_t SrtfScheduler::running_key(ThreadId thread, CoreId) const { return length(thread); }

}
