#include "lang/bursts.hpp"

namespace tl {

Bursts bursts_of(std::span<Instruction const> code)
{
    Bursts bursts;
    bursts.burst_from.assign(code.size() + 1, 0);
    bursts.remaining_from.assign(code.size() + 1, 0);
    for (std::size_t i = code.size(); i-- > 0;) {
        auto const& info = opcode_info(code[i].opcode);
        Tick work = info.timing == Timing::Cpu ? code[i].ticks : memory_steps(code[i].opcode);
        bursts.remaining_from[i] = bursts.remaining_from[i + 1] + work;
        bursts.burst_from[i] = info.ends_burst ? 0 : bursts.burst_from[i + 1] + work;
    }
    return bursts;
}

}
