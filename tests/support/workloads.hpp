#pragma once

// Seeded workloads shared by the policy suites: the generator's programs, with and without
// pinned threads.

#include "gen/generator.hpp"
#include "lang/program.hpp"

#include <cstdint>

namespace tl::test {

// A seeded random workload from the generator: 8 processes of 3 threads, 4 priorities.
inline Program unpinned_workload(std::uint64_t seed)
{
    GeneratorOptions options;
    options.processes = 8;
    options.threads = 3;
    options.seed = seed;
    options.arrival_spread = 25;
    options.burst = { 1, 6 };
    options.wait = { 1, 5 };
    options.length = 6;
    options.priorities = 4;
    return generate_program(options);
}

// The same, with some threads pinned: every fourth to one core, some others to the first and
// last cores.
inline Program pinned_workload(int cores, std::uint64_t seed)
{
    auto program = unpinned_workload(seed);
    int count = 0;
    for (auto& process : program.processes) {
        for (auto& thread : process.threads) {
            if (count % 4 == 1)
                thread.pinned = { count % cores };
            else if (count % 7 == 3 && cores > 1)
                thread.pinned = { 0, cores - 1 };
            ++count;
        }
    }
    return program;
}

}
