#pragma once

// A parsed toy program: what the parser produces and the Machine loads.
// Nothing here knows about time passing; see engine/machine.hpp for that.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tl {

using Tick = std::int64_t;

enum class Opcode : std::uint8_t {
#define TL_OPCODE(name, mnemonic, operand, summary) name,
#include "lang/opcodes.def"
#undef TL_OPCODE
};

enum class OperandKind : std::uint8_t { None, Ticks, Text };

struct OpcodeInfo {
    Opcode opcode;
    std::string_view mnemonic;
    OperandKind operand;
    std::string_view summary;
};

// Every opcode in declaration order.
std::span<OpcodeInfo const> all_opcodes();
OpcodeInfo const& opcode_info(Opcode);
std::optional<Opcode> opcode_from_mnemonic(std::string_view);

// 1-based line and column (columns count Unicode code points, not bytes).
struct SourceLocation {
    int line = 0;
    int column = 0;
    bool operator==(SourceLocation const&) const = default;
};

struct Instruction {
    Opcode opcode {};
    Tick ticks = 0;       // the operand of a Ticks instruction
    std::string text;     // the operand of a Text instruction
    SourceLocation where; // where the mnemonic starts
};

// "compute 4", "print \"hi\"": the instruction as a learner would write it.
std::string to_string(Instruction const&);

struct ThreadSpec {
    std::string name;
    std::vector<int> pinned; // cores this thread may run on; empty means any
    std::vector<Instruction> code;
    SourceLocation where;
};

inline constexpr std::uint64_t default_process_memory = 16 * 1024;

struct ProcessSpec {
    std::string name;
    Tick arrival = 0;
    std::uint64_t memory = default_process_memory; // bytes of RAM the process needs
    int priority = 0;                              // lower number = higher priority
    std::vector<ThreadSpec> threads;
    SourceLocation where;
};

struct Program {
    std::string file; // the name used in diagnostics ("<jobs>" for --jobs)
    std::vector<ProcessSpec> processes;
};

}
