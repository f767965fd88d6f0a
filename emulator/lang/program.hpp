#pragma once

// A parsed toy program: what the parser produces and the Machine loads.
// Nothing here knows about time passing; see engine/machine.hpp for that.

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tl {

using Tick = std::int64_t;

enum class Opcode : std::uint8_t {
#define TL_OPCODE(name, words, operand, place, timing, steps, ends_burst, misplaced, summary) name,
#include "lang/opcodes.def"
#undef TL_OPCODE
};

// The columns of lang/opcodes.def (its top comment says what each means).
enum class OperandKind : std::uint8_t { None, Ticks, TicksFromZero, Text, Call, Calls, Variable, Assign, Mutex, Thread };
enum class Place : std::uint8_t { Anywhere, Thread, Async };
enum class Timing : std::uint8_t { Cpu, Blocking, Instant, Memory, EventLoop };
// One tick of a memory instruction, as the bus sees it (the letters of opcodes.def).
enum class MemoryStep : char {
    Read = 'r',      // the variable into the thread's register (a bus transfer)
    Add = 'a',       // 1 added to the register, on the CPU (no transfer)
    WriteBack = 'w', // the register into the variable (a bus transfer)
    Set = 's',       // the instruction's number into the variable (a bus transfer)
    AtomicAdd = 'x', // 1 added to the variable in one indivisible transfer
};

struct OpcodeInfo {
    Opcode opcode;
    std::string_view mnemonic;  // its words as written, before the operand: "await io"
    OperandKind operand;
    Place place;
    Timing timing;
    std::string_view steps;     // its memory steps, a MemoryStep letter each; empty for none
    bool ends_burst;            // its thread's CPU burst ends here
    std::string_view misplaced; // the error where its Place does not allow it
    std::string_view summary;
};

namespace detail {
inline constexpr OpcodeInfo opcode_table[] = {
#define TL_OPCODE(name, words, operand, place, timing, steps, ends_burst, misplaced, summary)                  \
    OpcodeInfo { Opcode::name, words, OperandKind::operand, Place::place, Timing::timing, steps, ends_burst, \
        misplaced, summary },
#include "lang/opcodes.def"
#undef TL_OPCODE
};
}

// Every opcode in declaration order.
std::span<OpcodeInfo const> all_opcodes();
// Its row of opcodes.def; inline, as the Machine asks it in its loops.
constexpr OpcodeInfo const& opcode_info(Opcode opcode) { return detail::opcode_table[static_cast<std::size_t>(opcode)]; }
std::optional<Opcode> opcode_from_mnemonic(std::string_view);
// Whether it may be written in an async routine (`in_async`) or in a thread's own code.
bool allowed_in(Opcode, bool in_async);
// Its last word: "await io" -> "io", "compute" -> "compute".
std::string_view last_word(Opcode);

// The first word of instructions written in two words (TL_PREFIX in opcodes.def) and what
// the parser says when the words after it name none of them.
struct WordPrefix {
    std::string_view word;
    std::string_view nothing;     // nothing follows it
    std::string_view other;       // something else follows ({} is it, quoted)
    std::string_view instruction; // another instruction's word follows ({} it, quoted; {} a hint)
};
std::span<WordPrefix const> word_prefixes();

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

// Whether it runs on the CPU for its `ticks` (opcodes.def's Cpu timing): compute.
constexpr bool is_compute(Instruction const& instruction) { return opcode_info(instruction.opcode).timing == Timing::Cpu; }

// Ticks a shared-memory instruction takes, one memory step a tick (Read, Write, AtomicIncr:
// 1; Incr: 3, read - add - write); 0 for every other instruction. From opcodes.def.
constexpr int memory_steps(Opcode opcode) { return static_cast<int>(opcode_info(opcode).steps.size()); }
// Step `step` (0-based, below memory_steps) of a memory instruction.
constexpr MemoryStep memory_step(Opcode opcode, int step)
{
    return static_cast<MemoryStep>(opcode_info(opcode).steps[static_cast<std::size_t>(step)]);
}
// Whether step `step` of a memory instruction uses the bus (every kind but Add).
constexpr bool step_uses_bus(Opcode opcode, int step)
{
    return step < 0 || step >= memory_steps(opcode) || memory_step(opcode, step) != MemoryStep::Add;
}
// "read", "add", "write": a step as the per-tick table names it.
std::string_view step_name(MemoryStep);

// "compute 4", "print \"hi\"": the instruction as a learner would write it.
std::string to_string(Instruction const&);

// A thread's code: its instructions, shared between the program and every run made of it
// rather than copied (a trace, and each copy of a Machine that explore makes, hold the same
// instructions as the program; the headline workload's 172,000 would otherwise be held twice,
// 18 MB). Read like a vector; edit() gives the vector to change, copied first if shared.
class Code {
public:
    Code() = default;
    Code(std::vector<Instruction> instructions)
        : m_instructions(std::make_shared<std::vector<Instruction>>(std::move(instructions)))
    {
    }
    Code(std::initializer_list<Instruction> instructions) : Code(std::vector<Instruction>(instructions)) { }

    std::size_t size() const { return m_instructions ? m_instructions->size() : 0; }
    bool empty() const { return size() == 0; }
    Instruction const* data() const { return m_instructions ? m_instructions->data() : nullptr; }
    Instruction const* begin() const { return data(); }
    Instruction const* end() const { return data() + size(); }
    Instruction const& operator[](std::size_t index) const { return (*m_instructions)[index]; }
    Instruction const& front() const { return m_instructions->front(); }
    Instruction const& back() const { return m_instructions->back(); }

    std::vector<Instruction>& edit()
    {
        if (!m_instructions)
            m_instructions = std::make_shared<std::vector<Instruction>>();
        else if (m_instructions.use_count() > 1)
            m_instructions = std::make_shared<std::vector<Instruction>>(*m_instructions);
        return *m_instructions;
    }

    bool operator==(Code const& other) const { return std::equal(begin(), end(), other.begin(), other.end()); }

private:
    std::shared_ptr<std::vector<Instruction>> m_instructions;
};

struct ThreadSpec {
    std::string name;
    std::vector<int> pinned; // cores this thread may run on; empty means any
    bool spawned = false;    // starts only when another thread of its process runs `spawn NAME`
    std::uint64_t working_set = 0; // `working-set SIZE`, for the cache model; 0: its process's
    Code code; // its own instructions, then the bodies of the coroutine calls it makes (each
               // ending with Return), see CallTarget
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
    std::uint64_t working_set = 0;                 // `working-set SIZE`: each thread's, unless it gives its own; 0: none
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
