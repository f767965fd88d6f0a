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

enum class OperandKind : std::uint8_t { None, Ticks, Text, Call, Calls, Variable, Assign, Mutex, Thread };

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
    // Variable, Assign, Mutex and Thread operands: the name as written is in `text`, and
    // `target` is its index in the process's variables, mutexes or threads. Assign's number
    // is in `ticks`.
    std::int32_t target = -1;
    bool operator==(Instruction const&) const = default;
};

// Ticks a shared-memory instruction takes, one step a tick (Read, Write, AtomicIncr: 1;
// Incr: 3, read - add - write); 0 for every other instruction.
int memory_steps(Opcode);
// Whether step `step` of such an instruction uses the bus (all but Incr's add, step 1).
bool step_uses_bus(Opcode, int step);

// "compute 4", "print \"hi\"": the instruction as a learner would write it.
std::string to_string(Instruction const&);

struct ThreadSpec {
    std::string name;
    std::vector<int> pinned; // cores this thread may run on; empty means any
    bool spawned = false;    // starts only when another thread of its process runs `spawn NAME`
    std::vector<Instruction> code; // its own instructions, then the bodies of the coroutine calls
                                   // it makes (each ending with Return), see CallTarget
    SourceLocation where;
};

inline constexpr std::uint64_t default_process_memory = 16 * 1024;

struct ProcessSpec {
    std::string name;
    Tick arrival = 0;
    std::uint64_t memory = default_process_memory; // bytes of RAM it needs; 0 (quick jobs) for none
    int priority = 0;                              // lower number = higher priority
    bool gil = false;                              // threads must hold the process's lock to run
    Tick gil_interval = 5;                         // ticks before a waiter gets the lock
    std::vector<ThreadSpec> threads;
    std::vector<std::string> variables;           // shared variables, in declaration order
    std::vector<std::int64_t> initial_values;     // one per variable
    std::vector<std::string> mutexes;             // mutexes, in declaration order
    SourceLocation where;
};

struct Program {
    std::string file; // the name used in diagnostics ("<jobs>" for --jobs)
    std::vector<ProcessSpec> processes;
};

}
