#include "lang/program.hpp"

#include <array>
#include <fmt/format.h>

namespace tl {

namespace {

constexpr std::array s_opcodes {
#define TL_OPCODE(name, mnemonic, operand, summary) \
    OpcodeInfo { Opcode::name, mnemonic, OperandKind::operand, summary },
#include "lang/opcodes.def"
#undef TL_OPCODE
};

}

std::span<OpcodeInfo const> all_opcodes() { return s_opcodes; }

OpcodeInfo const& opcode_info(Opcode opcode) { return s_opcodes[static_cast<std::size_t>(opcode)]; }

std::optional<Opcode> opcode_from_mnemonic(std::string_view mnemonic)
{
    for (auto const& info : s_opcodes)
        if (info.mnemonic == mnemonic)
            return info.opcode;
    return std::nullopt;
}

std::string to_string(Instruction const& instruction)
{
    auto const& info = opcode_info(instruction.opcode);
    switch (info.operand) {
    case OperandKind::None:
        return std::string(info.mnemonic);
    case OperandKind::Ticks:
        return fmt::format("{} {}", info.mnemonic, instruction.ticks);
    case OperandKind::Text: {
        // As written: {tick} back where it goes, and a brace of the text doubled.
        std::string text;
        std::size_t hole = 0;
        for (std::size_t i = 0; i <= instruction.text.size(); ++i) {
            for (; hole < instruction.tick_at.size() && instruction.tick_at[hole] == i; ++hole)
                text += "{tick}";
            if (i == instruction.text.size())
                break;
            char c = instruction.text[i];
            text += c;
            if (c == '{' || c == '}')
                text += c;
        }
        return fmt::format("{} \"{}\"", info.mnemonic, text);
    }
    case OperandKind::Call:
    case OperandKind::Calls: {
        std::string text(info.mnemonic);
        for (std::size_t i = 0; i < instruction.calls.size(); ++i)
            text += (i == 0 ? " " : ", ") + instruction.calls[i].label;
        return text;
    }
    case OperandKind::Variable:
    case OperandKind::Mutex:
    case OperandKind::Thread:
        return fmt::format("{} {}", info.mnemonic, instruction.text);
    case OperandKind::Assign:
        return fmt::format("{} {} {}", info.mnemonic, instruction.text, instruction.ticks);
    }
    return std::string(info.mnemonic);
}

int memory_steps(Opcode opcode)
{
    switch (opcode) {
    case Opcode::Read:
    case Opcode::Write:
    case Opcode::AtomicIncr: return 1;
    case Opcode::Incr: return 3;
    default: return 0;
    }
}

bool step_uses_bus(Opcode opcode, int step) { return !(opcode == Opcode::Incr && step == 1); }

}
