#pragma once

// The random numbers of the randomised policies (lottery). Our own splitmix64 (Steele,
// Lea & Flood, 2014): the same seed gives the same numbers with every compiler and standard
// library, which std::random_device and the std distributions do not promise. A run must be
// reproducible from its seed, or a learner cannot replay what they saw. The workload
// generator has its own copy (gen/generator.hpp) on purpose: a policy's stream of numbers
// must not change because the generator's needs did.

#include <cstdint>

namespace tl {

class SchedulerRandom {
public:
    explicit SchedulerRandom(std::uint64_t seed)
        : m_state(seed)
    {
    }

    std::uint64_t next()
    {
        std::uint64_t z = (m_state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

    // A number in [0, bound) as `next() mod bound`, like OSTEP's lottery code. The bias is
    // below bound / 2^64, far too small to show in any run.
    std::uint64_t below(std::uint64_t bound) { return next() % bound; }

private:
    std::uint64_t m_state;
};

}
