#pragma once

// The parser's inside, shared by its files (not part of the public face, lang/parser.hpp):
// its limits and keywords, the blocks it keeps open while it reads, and the Parser class.
//
//   parser.cpp              the driver: one line at a time, error reporting, parse_program
//   parser_blocks.cpp       the structure: process, thread and async headers, declarations,
//                           indentation and repeat blocks, closing a block
//   parser_instructions.cpp one instruction line: its words (from opcodes.def) and operands
//   parser_linking.cpp      names resolved when a process ends: shared variables, mutexes,
//                           threads, async routines; coroutine calls expanded

#include "engine/per_id.hpp"
#include "lang/lexer.hpp"
#include "lang/parser.hpp"
#include "lang/suggest.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <optional>
#include <unordered_map>

namespace tl::parser_detail {

// Limits. They keep every number far from overflow and match what the engine accepts:
// engine/config.hpp allows at most 10^12 ticks and 1024 cores.
constexpr std::int64_t max_ticks_operand = 1'000'000'000'000;
constexpr std::int64_t max_priority = 1'000'000'000;
constexpr std::int64_t max_core_number = 1023;
constexpr std::uint64_t max_memory = std::uint64_t(1) << 50; // 1 PiB, as engine's parse_size

constexpr std::string_view keyword_process = "process";
constexpr std::string_view keyword_thread = "thread";
constexpr std::string_view keyword_async = "async";
constexpr std::array<std::string_view, 5> process_attributes { "arrive", "memory", "priority", "gil", "working-set" };
// Limits of coroutine expansion (see Parser::link): each call gets its own copy of the body.
constexpr std::size_t max_expanded_code = 100'000;
constexpr std::array<std::string_view, 3> thread_attributes { "pin", "spawned", "working-set" };
constexpr std::string_view keyword_shared = "shared";
constexpr std::string_view keyword_mutex = "mutex";
constexpr std::string_view keyword_repeat = "repeat";
// Shared variables hold whole numbers up to 10^15 either way (so that a run of increments
// can never overflow); `repeat` runs its block at most this many times.
constexpr std::int64_t max_variable_value = 1'000'000'000'000'000;
constexpr std::int64_t max_repeat = 1'000'000;

// The closest candidate within two edits, if any. A candidate that shares nothing with the
// word (every character replaced, as "x" and "io") is no suggestion at all.
template<typename Candidates>
std::optional<std::string_view> closest(std::string_view word, Candidates const& candidates)
{
    return nearest(word, candidates, Nearness { .shares_half = true });
}

inline std::string quoted(Token const& token) { return fmt::format("'{}'", shorten(token.raw)); }

inline bool is_word(Token const& token, std::string_view text) { return token.kind == TokenKind::Word && token.raw == text; }

// The index of parameter `name` in `params`, or -1.
int find_param(std::vector<std::string> const& params, std::string_view name);
// "name, ticks": the parameters as a learner wrote them.
std::string param_list(std::vector<std::string> const& params);

// Linking's indices: an async routine of a process (in declaration order), and a parameter
// of one (in its header's order).
using RoutineId = int;
using ParamId = int;

// A coroutine call as written: `delivery("A", 9)`, or with a parameter of the caller.
struct RawArg {
    enum class Kind : std::uint8_t { Number, Text, Param };
    Kind kind = Kind::Number;
    std::int64_t number = 0;
    std::string text;  // Text: the string
    ParamId param = -1; // Param: the caller's parameter
    SourceLocation where;
};

struct RawCall {
    std::string name;
    SourceLocation where;
    std::vector<RawArg> args;
    RoutineId callee = -1; // set when linking
};

// A piece of a print's text: literal, a parameter's value, or the current tick.
struct Piece {
    enum class Kind : std::uint8_t { Literal, Param, Tick };
    Kind kind = Kind::Literal;
    std::string text;
    ParamId param = -1;
};

// An instruction before linking: its operand may still name a parameter.
struct Pending {
    Instruction instruction;
    SourceLocation target_where; // the name operand of a Variable, Assign, Mutex or Thread instruction
    ParamId ticks_param = -1; // the ticks operand is this parameter of the coroutine
    std::vector<RawCall> calls;
    std::vector<Piece> pieces; // Print
};

// An open `repeat N` block: its body is code[start..], and when the block ends the body is
// copied until it appears `count` times.
struct Repeat {
    std::size_t start = 0;
    std::int64_t count = 1;
    int header_indent = 0;
    int body_indent = -1; // set by its first line
    SourceLocation where; // the 'repeat' keyword
};

struct Coroutine {
    std::string name;
    std::vector<std::string> params;
    std::vector<Pending> body;
    SourceLocation where; // the 'async' keyword
};

// The blocks being parsed. They live outside Parser so they are complete types when Parser
// puts them in std::optional (clang checks that before Parser itself is complete).
struct OpenThread {
    ThreadSpec spec;
    std::vector<Pending> code;
    bool is_async = false;            // an `async NAME(...)` block, not a thread
    std::vector<std::string> params;  // its parameters
    SourceLocation name_where;
    bool poisoned = false; // its header was broken: parse its body, but keep nothing
    int code_indent = -1;  // set by its first instruction line
    int body_lines = 0;
    std::vector<Repeat> repeats; // open repeat blocks, innermost last
};

struct OpenProcess {
    ProcessSpec spec;
    SourceLocation name_where;
    bool poisoned = false; // its header was broken: parse its body, but keep nothing
    int child_indent = -1; // set by its first indented line
    bool saw_thread = false; // a thread line, even a broken one
    bool saw_direct = false; // an instruction line right under the process, even a broken one
    std::vector<Pending> direct; // instructions written right under the process
    std::vector<Repeat> direct_repeats;
    std::vector<std::vector<Pending>> thread_code; // per spec.threads entry, before linking
    PerId<RoutineId, Coroutine> coroutines;
    bool broken_async = false; // an async header too broken to name its routine
    int body_lines = 0;
    std::unordered_map<std::string, int> thread_lines; // thread name -> line of its header
    std::unordered_map<std::string, int> declaration_lines; // shared variable or mutex -> its line
    std::optional<OpenThread> thread;
};

class Parser {
public:
    Parser(std::string_view source, std::string file_name)
        : m_source(source)
    {
        m_result.program.file = file_name;
        m_file = std::move(file_name);
    }

    ParseResult run();

private:
    void line(LexedLine const&);
    void column_one_line(LexedLine const&);
    void process_header(LexedLine const&);
    void thread_header(LexedLine const&);
    std::optional<Pending> instruction(LexedLine const&, OpenThread const* async_block);
    // The instruction that the line's first words name (opcodes.def), when it is allowed where
    // it stands (`in_async`: in an async routine); sets `first_operand` to the index of the
    // token after its words. Reports and answers nothing when the words name none allowed here.
    std::optional<Opcode> recognize(LexedLine const&, bool in_async, std::size_t& first_operand);
    void async_header(LexedLine const&);
    void declaration(LexedLine const&);
    // A `repeat N` line: opens a block in `code`.
    void repeat_header(LexedLine const&, std::vector<Pending>& code, std::vector<Repeat>& repeats);
    // Closes the repeat blocks that `line` is not inside and checks its indentation against
    // the innermost open one (or `base_indent`); reports and answers false when it fits none.
    bool fit_block(LexedLine const&, std::vector<Pending>& code, std::vector<Repeat>& repeats, int base_indent);
    void close_repeat(std::vector<Pending>& code, std::vector<Repeat>& repeats);
    void close_repeats(std::vector<Pending>& code, std::vector<Repeat>& repeats);
    // A line of code that fits its block: a `repeat N` header or an instruction.
    void code_line(LexedLine const&, std::vector<Pending>& code, std::vector<Repeat>& repeats,
        OpenThread const* async_block);
    // Names of shared variables, mutexes and threads used by instructions, resolved.
    void resolve_names(OpenProcess&);
    // NAME(ARG, ...) at tokens[index]; with `many`, more calls may follow after commas.
    // Answers the index past the calls, or 0 after reporting an error.
    std::size_t parse_calls(LexedLine const&, std::size_t index, std::string_view after, bool many,
        OpenThread const* async_block, std::vector<RawCall>& out);
    bool parse_text(Token const&, OpenThread const* async_block, std::vector<Piece>& out);
    void link(OpenProcess&);
    void close_thread();
    void close_process();
    void open_dummy_process(int child_indent);

    // Every error goes through here. When the token to blame is the lexer's Error token, the
    // lexer's message wins: it is the real trouble at that spot.
    void error_at(Token const& token, std::string message);
    void error_at(int column, std::string message);
    void error_at(int line, int column, std::string message);
    // Whether an error at `where` would be among those shown: a suggestion searches every
    // name of a process, so an error that is not shown (a file of thousands) gets none.
    bool will_be_shown(SourceLocation where) const;
    template<typename Candidates>
    std::optional<std::string_view> suggest_at(SourceLocation where, std::string_view word, Candidates const& candidates) const
    {
        return will_be_shown(where) ? closest(word, candidates) : std::nullopt;
    }
    void inconsistent_indent(LexedLine const&, int expected);

    // "process kitchen arrive 0": the line from its first token to the end of tokens[last].
    std::string text_up_to(LexedLine const&, std::size_t last) const;

    // The operand of a Ticks instruction (1 or more) or of `arrive` (0 or more), at
    // line.tokens[index]; reports the error and answers false when it is not one.
    // `from_zero`: an operand that may be 0 (opcodes.def's TicksFromZero).
    bool parse_ticks(LexedLine const&, std::size_t index, std::string_view after, bool arrival, std::int64_t& out,
        bool from_zero = false);
    // A value for a shared variable (`shared x = N`, `write x N`); reports what is wrong with it.
    std::optional<std::int64_t> variable_value(Token const& value, std::string_view expected);
    // The size after `working-set` at line.tokens[index] (a whole number of 1 or more,
    // optionally with K, M or G); reports the error and answers nothing when it is not one.
    std::optional<std::uint64_t> working_set(LexedLine const&, std::size_t index);

    // "process 'kitchen'", or "this process" when its header was too broken to name it.
    std::string process_label() const;

    std::string_view m_source;
    std::string m_file;
    ParseResult m_result;
    std::vector<std::string_view> m_lines;
    int m_line = 0; // the line being parsed
    std::optional<OpenProcess> m_process;
    std::unordered_map<std::string, int> m_process_lines; // process name -> line of its header
    bool m_saw_process_keyword = false;
};

}
