#pragma once

// Linux's nice-to-weight table (kernel/sched/core.c, sched_prio_to_weight): nice 0 weighs
// 1024 and each step of nice changes a thread's share of the CPU by about 10% against a
// nice-0 thread (weights differ by a factor of about 1.25). ticklab uses a process's priority
// as its nice value, so lower numbers weigh more, as with priorities everywhere in ticklab.
// The proportional-share policies (cfs, and the default tickets of lottery and stride) read
// their weights from here.

#include <algorithm>
#include <array>
#include <cstdint>

namespace tl {

inline constexpr std::array<std::int64_t, 40> nice_to_weight {
    /* -20 */ 88761, 71755, 56483, 46273, 36291,
    /* -15 */ 29154, 23254, 18705, 14949, 11916,
    /* -10 */ 9548, 7620, 6100, 4904, 3906,
    /*  -5 */ 3121, 2501, 1991, 1586, 1277,
    /*   0 */ 1024, 820, 655, 526, 423,
    /*   5 */ 335, 272, 215, 172, 137,
    /*  10 */ 110, 87, 70, 56, 45,
    /*  15 */ 36, 29, 23, 18, 15,
};

inline constexpr std::int64_t nice_0_weight = 1024;

// Priorities outside nice's range -20..19 weigh as its nearest end.
inline constexpr std::int64_t weight_of_priority(int priority)
{
    return nice_to_weight[static_cast<std::size_t>(std::clamp(priority, -20, 19) + 20)];
}

}
