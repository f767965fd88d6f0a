#include "lang/program.hpp"

#include <fmt/format.h>

namespace tl {

namespace {

constexpr WordPrefix s_prefixes[] = {
#define TL_OPCODE(...)
#define TL_PREFIX(word, nothing, other, instruction) WordPrefix { word, nothing, other, instruction },
#include "lang/opcodes.def"
#undef TL_PREFIX
#undef TL_OPCODE
};

}

std::span<OpcodeInfo const> all_opcodes() { return detail::opcode_table; }

std::span<WordPrefix const> word_prefixes() { return s_prefixes; }

std::optional<Opcode> opcode_from_mnemonic(std::string_view mnemonic)
{
    for (auto const& info : detail::opcode_table)
        if (info.mnemonic == mnemonic)
            return info.opcode;
    return std::nullopt;
}

bool allowed_in(Opcode opcode, bool in_async)
{
    auto place = opcode_info(opcode).place;
    return place == Place::Anywhere || (place == Place::Async) == in_async;
}

std::string_view last_word(Opcode opcode)
{
    auto words = opcode_info(opcode).mnemonic;
    auto space = words.rfind(' ');
    return space == std::string_view::npos ? words : words.substr(space + 1);
}

std::string_view step_name(MemoryStep step)
{
    switch (step) {
    case MemoryStep::Read: return "read";
    case MemoryStep::Add: return "add";
    case MemoryStep::WriteBack: return "write";
    case MemoryStep::Set: return "set";
    case MemoryStep::AtomicAdd: return "atomic add";
    }
    return "?";
}

std::string to_string(Instruction const& instruction)
{
    auto const& info = opcode_info(instruction.opcode);
    switch (info.operand) {
    case OperandKind::None:
        return std::string(info.mnemonic);
    case OperandKind::Ticks:
    case OperandKind::TicksFromZero:
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

}
