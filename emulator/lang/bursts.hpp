#pragma once

// The CPU bursts of a thread's code, per instruction: what SJF-style policies know as oracle
// knowledge (ThreadFacts::next_burst and ::remaining). A pure function of the code, computed
// once when a program is loaded.

#include "lang/program.hpp"

#include <span>
#include <vector>

namespace tl {

// Work counts the ticks of Cpu-timed instructions and the steps of Memory-timed ones (a tick
// each, when the bus does not make them wait); a burst ends at an instruction whose row of
// opcodes.def has ends_burst.
struct Bursts {
    std::vector<Tick> burst_from;     // per pc (code.size() + 1 entries): work from pc to the end of its burst
    std::vector<Tick> remaining_from; // per pc (code.size() + 1 entries): work from pc to the end of the code
};

Bursts bursts_of(std::span<Instruction const> code);

}
