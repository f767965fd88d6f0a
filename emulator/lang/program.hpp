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

enum class OperandKind : std::uint8_t { None, Ticks, Text, Call, Calls };

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

// One call of a coroutine, resolved: coroutine calls are expanded when a program is parsed
// (there is no recursion and every argument is known), so each call has its own copy of the
// coroutine's body in the thread's code, with the arguments filled in.
struct CallTarget {
    std::string label;        // "delivery(A, 9)": the coroutine and its arguments, for views
    std::int32_t entry = -1;  // index in the thread's code where this call's body starts
    bool operator==(CallTarget const&) const = default;
};

struct Instruction {
    Opcode opcode {};
    Tick ticks = 0;       // the operand of a Ticks instruction
    std::string text;     // the operand of a Text instruction
    SourceLocation where; // where the mnemonic starts
    std::vector<CallTarget> calls;     // Run, AwaitCall (one), AwaitGather (one or more)
    std::vector<std::uint32_t> tick_at; // Print: byte offsets in text where {tick} puts the tick
    bool operator==(Instruction const&) const = default;
};

// "compute 4", "print \"hi\"": the instruction as a learner would write it.
std::string to_string(Instruction const&);

struct ThreadSpec {
    std::string name;
    std::vector<int> pinned; // cores this thread may run on; empty means any
    std::vector<Instruction> code; // its own instructions, then the bodies of the coroutine calls
                                   // it makes (each ending with Return), see CallTarget
    SourceLocation where;
};

inline constexpr std::uint64_t default_process_memory = 16 * 1024;

struct ProcessSpec {
    std::string name;
    Tick arrival = 0;
    std::uint64_t memory = default_process_memory; // bytes of RAM the process needs
    int priority = 0;                              // lower number = higher priority
    bool gil = false;                              // threads must hold the process's lock to run
    Tick gil_interval = 5;                         // ticks before a waiter gets the lock
    std::vector<ThreadSpec> threads;
    SourceLocation where;
};

struct Program {
    std::string file; // the name used in diagnostics ("<jobs>" for --jobs)
    std::vector<ProcessSpec> processes;
};

}
