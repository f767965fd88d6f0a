// The toy language: good programs give exact ASTs, bad ones give exact diagnostics, all of
// them in one pass. Error expectations are the full text a learner sees, compared verbatim.

#include "lang/parser.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <string>
#include <string_view>

using namespace tl;

// This file's names are its own: the test files are compiled several to a unit (tests/meson.build).
namespace parser_test {

namespace {

// The AST as text, one line per process, thread and instruction, with every location: one
// comparison then checks all of it, and a failure shows exactly what differs.
std::string dump(Program const& program)
{
    std::string out;
    for (auto const& process : program.processes) {
        out += fmt::format("process {} @{}:{} arrive {} memory {} priority {}\n", process.name, process.where.line,
            process.where.column, process.arrival, process.memory, process.priority);
        for (auto const& thread : process.threads) {
            out += fmt::format("  thread {} @{}:{}", thread.name, thread.where.line, thread.where.column);
            if (!thread.pinned.empty())
                out += fmt::format(" pin {}", fmt::join(thread.pinned, ","));
            out += '\n';
            for (auto const& instruction : thread.code)
                out += fmt::format("    {} @{}:{}\n", to_string(instruction), instruction.where.line,
                    instruction.where.column);
        }
    }
    return out;
}

std::string parsed(std::string_view source)
{
    auto result = parse_program(source, "test.tl");
    INFO(format_diagnostics(result.errors));
    REQUIRE(result.ok());
    CHECK(result.program.file == "test.tl");
    return dump(result.program);
}

// What the learner sees for a bad program; a bad program never yields processes to run.
std::string errors(std::string_view source)
{
    auto result = parse_program(source, "test.tl");
    CHECK_FALSE(result.ok());
    CHECK(result.program.processes.empty());
    return format_diagnostics(result.errors);
}

std::string job_errors(std::string_view list)
{
    auto result = parse_jobs(list);
    CHECK_FALSE(result.ok());
    CHECK(result.program.processes.empty());
    return format_diagnostics(result.errors);
}

constexpr std::string_view kitchen = R"(# Jarvis gets three orders at once.
process kitchen arrive 0 memory 64K priority 2
  thread ramen
    compute 4
    io 2          # the noodles boil; the cook is free meanwhile
    compute 1
    print "ramen is ready"
  thread pasta pin 0,2
    compute 3
  thread cake
    compute 5
    exit
)";

}

// Good programs ---------------------------------------------------------------------------

TEST_CASE("The kitchen example parses into processes, threads and instructions with their locations", "[parser]")
{
    CHECK(parsed(kitchen) == R"(process kitchen @2:1 arrive 0 memory 65536 priority 2
  thread ramen @3:3
    compute 4 @4:5
    io 2 @5:5
    compute 1 @6:5
    print "ramen is ready" @7:5
  thread pasta @8:3 pin 0,2
    compute 3 @9:5
  thread cake @10:3
    compute 5 @11:5
    exit @12:5
)");
}

TEST_CASE("The kitchen example's fields hold exactly the values written", "[parser]")
{
    auto result = parse_program(kitchen, "programs/kitchen.tl");
    REQUIRE(result.ok());
    REQUIRE(result.program.processes.size() == 1);
    auto const& process = result.program.processes[0];
    CHECK(process.name == "kitchen");
    CHECK(process.arrival == 0);
    CHECK(process.memory == 64 * 1024);
    CHECK(process.priority == 2);
    CHECK(process.where == SourceLocation { 2, 1 });
    REQUIRE(process.threads.size() == 3);
    auto const& ramen = process.threads[0];
    CHECK(ramen.name == "ramen");
    CHECK(ramen.pinned.empty());
    REQUIRE(ramen.code.size() == 4);
    CHECK(ramen.code[0].opcode == Opcode::Compute);
    CHECK(ramen.code[0].ticks == 4);
    CHECK(ramen.code[1].opcode == Opcode::Io);
    CHECK(ramen.code[1].ticks == 2);
    CHECK(ramen.code[1].where == SourceLocation { 5, 5 });
    CHECK(ramen.code[3].opcode == Opcode::Print);
    CHECK(ramen.code[3].text == "ramen is ready");
    CHECK(process.threads[1].pinned == std::vector<int> { 0, 2 });
    CHECK(process.threads[2].code.back().opcode == Opcode::Exit);
}

TEST_CASE("Instructions written right under a process form one thread named after the process", "[parser]")
{
    CHECK(parsed(R"(process hello
  print "hello from tick 0"
  compute 3
process other arrive 5
    sleep 2
)") == R"(process hello @1:1 arrive 0 memory 16384 priority 0
  thread hello @1:1
    print "hello from tick 0" @2:3
    compute 3 @3:3
process other @4:1 arrive 5 memory 16384 priority 0
  thread other @4:1
    sleep 2 @5:5
)");
}

TEST_CASE("Process attributes come in any order and memory sizes take K, M and G in either case", "[parser]")
{
    CHECK(parsed(R"(process a priority -5 memory 2m arrive 7
  compute 1
process b memory 1G
  compute 1
process c memory 100 priority 0
  compute 1
process d memory 3k
  compute 1
process e memory 64K arrive 1000000000000 priority 1000000000
  compute 1
)") == R"(process a @1:1 arrive 7 memory 2097152 priority -5
  thread a @1:1
    compute 1 @2:3
process b @3:1 arrive 0 memory 1073741824 priority 0
  thread b @3:1
    compute 1 @4:3
process c @5:1 arrive 0 memory 100 priority 0
  thread c @5:1
    compute 1 @6:3
process d @7:1 arrive 0 memory 3072 priority 0
  thread d @7:1
    compute 1 @8:3
process e @9:1 arrive 1000000000000 memory 65536 priority 1000000000
  thread e @9:1
    compute 1 @10:3
)");
}

TEST_CASE("Every instruction of opcodes.def parses with its kind of operand", "[parser]")
{
    std::string source = "process p\n";
    std::string expected = "process p @1:1 arrive 0 memory 16384 priority 0\n  thread p @1:1\n";
    int line = 2;
    for (auto const& info : all_opcodes()) {
        std::string text;
        switch (info.operand) {
        case OperandKind::None: text = std::string(info.mnemonic); break;
        case OperandKind::Ticks:
        case OperandKind::TicksFromZero: text = fmt::format("{} 7", info.mnemonic); break;
        case OperandKind::Text: text = fmt::format("{} \"hi\"", info.mnemonic); break;
        case OperandKind::Call:
        case OperandKind::Calls: continue; // coroutines: see coroutine_test.cpp
        case OperandKind::Variable:
        case OperandKind::Assign:
        case OperandKind::Mutex:
        case OperandKind::Thread: continue; // they need declarations: see memory_test.cpp
        }
        if (info.opcode == Opcode::Return || info.opcode == Opcode::AwaitSleep || info.opcode == Opcode::AwaitIo)
            continue; // only inside async routines: see coroutine_test.cpp
        source += "  " + text + "\n";
        expected += fmt::format("    {} @{}:3\n", text, line++);
    }
    CHECK(parsed(source) == expected);
}

TEST_CASE("Strings keep '#' and decode the escapes \\\" \\\\ and \\n", "[parser]")
{
    auto result = parse_program("process p\n  print \"say \\\"hi\\\" # not a comment \\\\ \\n!\" # a comment\n", "t.tl");
    REQUIRE(result.ok());
    CHECK(result.program.processes[0].threads[0].code[0].text == "say \"hi\" # not a comment \\ \n!");
}

TEST_CASE("Ticks take the largest allowed operand, 10^12, and leading zeros", "[parser]")
{
    CHECK(parsed("process p\n  compute 1000000000000\n  io 007\n") == R"(process p @1:1 arrive 0 memory 16384 priority 0
  thread p @1:1
    compute 1000000000000 @2:3
    io 7 @3:3
)");
}

TEST_CASE("Comments, blank lines, trailing blanks and a missing final newline are all fine", "[parser]")
{
    CHECK(parsed("# header\n\n   # indented comment\nprocess p   # the process\n\n  thread t pin 3, 1 \n"
                 "    # a comment inside\n    compute 1   \n\n    exit")
        == R"(process p @4:1 arrive 0 memory 16384 priority 0
  thread t @6:3 pin 3,1
    compute 1 @8:5
    exit @10:5
)");
}

TEST_CASE("Each process and each thread chooses its own indentation", "[parser]")
{
    CHECK(parsed(R"(process a
    thread x
        compute 1
    thread y
      compute 2
process b
 compute 3
)") == R"(process a @1:1 arrive 0 memory 16384 priority 0
  thread x @2:5
    compute 1 @3:9
  thread y @4:5
    compute 2 @5:7
process b @6:1 arrive 0 memory 16384 priority 0
  thread b @6:1
    compute 3 @7:2
)");
}

TEST_CASE("A Windows file with CRLF line endings and a byte-order mark parses like a Unix one", "[parser]")
{
    std::string windows = "\xEF\xBB\xBF";
    for (char c : kitchen) {
        if (c == '\n')
            windows += '\r';
        windows += c;
    }
    CHECK(parsed(windows) == parsed(kitchen));
}

TEST_CASE("Korean names and strings parse, with columns counted in code points", "[parser]")
{
    auto result = parse_program("process 주방 memory 1M\n  thread 라면\n    print \"라면이 다 됐어요\"\n    compute 3\n",
        "주방.tl");
    REQUIRE(result.ok());
    CHECK(dump(result.program) == R"(process 주방 @1:1 arrive 0 memory 1048576 priority 0
  thread 라면 @2:3
    print "라면이 다 됐어요" @3:5
    compute 3 @4:5
)");
    CHECK(result.program.processes[0].threads[0].code[0].text == "라면이 다 됐어요");
}

TEST_CASE("Names may hold digits, '_' and '-' after their first character", "[parser]")
{
    CHECK(parsed("process _web-server2\n  thread worker_1\n    compute 1\n") ==
        "process _web-server2 @1:1 arrive 0 memory 16384 priority 0\n  thread worker_1 @2:3\n    compute 1 @3:5\n");
}

// Bad programs: every error, in one pass, verbatim ------------------------------------------

TEST_CASE("Several errors in one file are all reported in one pass, in source order", "[parser]")
{
    CHECK(errors(R"(# A program with three mistakes, all reported in one pass.
process kitchen
  thread ramen
    compute
    io 2
    boil 3
  thread pasta
    compute 0
)") == R"(test.tl:4:12: error: expected a number of ticks after 'compute'
    4 |     compute
      |            ^
test.tl:6:5: error: unknown instruction 'boil' ('ticklab language' lists them all)
    6 |     boil 3
      |     ^
test.tl:8:13: error: 'compute' needs at least 1 tick
    8 |     compute 0
      |             ^
)");
}

TEST_CASE("An unknown instruction gets a suggestion when one is close", "[parser]")
{
    CHECK(errors("process p\n  compte 3\n  slep 2\n  prnt \"x\"\n  thred t\n") == R"(test.tl:2:3: error: unknown instruction 'compte'; did you mean 'compute'?
    2 |   compte 3
      |   ^
test.tl:3:3: error: unknown instruction 'slep'; did you mean 'sleep'?
    3 |   slep 2
      |   ^
test.tl:4:3: error: unknown instruction 'prnt'; did you mean 'print'?
    4 |   prnt "x"
      |   ^
test.tl:5:3: error: unknown instruction 'thred'; did you mean 'thread'?
    5 |   thred t
      |   ^
)");
}

TEST_CASE("An unknown instruction gets no suggestion when nothing is close", "[parser]")
{
    CHECK(errors("process p\n  boil 3\n  x 1\n") == R"(test.tl:2:3: error: unknown instruction 'boil' ('ticklab language' lists them all)
    2 |   boil 3
      |   ^
test.tl:3:3: error: unknown instruction 'x' ('ticklab language' lists them all)
    3 |   x 1
      |   ^
)");
}

TEST_CASE("A missing operand is reported just after the mnemonic", "[parser]")
{
    CHECK(errors("process p\n  compute\n  io   # waits\n  print\n") == R"(test.tl:2:10: error: expected a number of ticks after 'compute'
    2 |   compute
      |          ^
test.tl:3:5: error: expected a number of ticks after 'io'
    3 |   io   # waits
      |     ^
test.tl:4:8: error: expected a double-quoted string after 'print', e.g. print "hello"
    4 |   print
      |        ^
)");
}

TEST_CASE("Zero ticks are refused: every timed instruction needs at least one tick", "[parser]")
{
    CHECK(errors("process p\n  sleep 0\n") == R"(test.tl:2:9: error: 'sleep' needs at least 1 tick
    2 |   sleep 0
      |         ^
)");
}

TEST_CASE("Negative ticks are refused", "[parser]")
{
    CHECK(errors("process p\n  compute -3\n") == R"(test.tl:2:11: error: 'compute' needs at least 1 tick; -3 is negative
    2 |   compute -3
      |           ^
)");
}

TEST_CASE("Huge tick counts are refused without overflowing", "[parser]")
{
    CHECK(errors("process p\n  compute 1000000000001\n  io 99999999999999999999999999999999\n")
        == R"(test.tl:2:11: error: 1000000000001 is too large; the most is 1000000000000
    2 |   compute 1000000000001
      |           ^
test.tl:3:6: error: 99999999999999999999999999999999 is too large; the most is 1000000000000
    3 |   io 99999999999999999999999999999999
      |      ^
)");
}

TEST_CASE("Ticks must be written as whole numbers", "[parser]")
{
    CHECK(errors("process p\n  compute 2.5\n  io four\n") == R"(test.tl:2:11: error: ticks are whole numbers; found '2.5'
    2 |   compute 2.5
      |           ^
test.tl:3:6: error: expected a number of ticks after 'io', found 'four'
    3 |   io four
      |      ^
)");
}

TEST_CASE("An unterminated string is reported at its opening quote", "[parser]")
{
    CHECK(errors("process p\n  print \"hello # not a comment\n") == R"(test.tl:2:9: error: unterminated string; add a closing "
    2 |   print "hello # not a comment
      |         ^
)");
}

TEST_CASE("An unknown escape in a string is reported at its backslash", "[parser]")
{
    CHECK(errors("process p\n  print \"tab\\there\"\n") == R"(test.tl:2:13: error: unknown escape '\t' in a string; write \" for a quote, \\ for a backslash or \n for a new line
    2 |   print "tab\there"
      |             ^
)");
}

TEST_CASE("print needs its text in double quotes", "[parser]")
{
    CHECK(errors("process p\n  print hello\n") == R"(test.tl:2:9: error: expected a double-quoted string after 'print', found 'hello'
    2 |   print hello
      |         ^
)");
}

TEST_CASE("Nothing may follow a complete instruction", "[parser]")
{
    CHECK(errors("process p\n  compute 4 ticks\n  print \"a\" \"b\"\n  exit now\n")
        == R"(test.tl:2:13: error: unexpected 'ticks' after 'compute 4'
    2 |   compute 4 ticks
      |             ^
test.tl:3:13: error: unexpected '"b"' after 'print "a"'
    3 |   print "a" "b"
      |             ^
test.tl:4:8: error: unexpected 'now' after 'exit', which takes no operand
    4 |   exit now
      |        ^
)");
}

TEST_CASE("A tab in the indentation is refused at the tab, and the echoed line shows it as a space", "[parser]")
{
    CHECK(errors("process p\n\tcompute 1\n  \tcompute 2\n  compute 3\n") == R"(test.tl:2:1: error: tabs are not allowed in indentation; indent with spaces
    2 |  compute 1
      | ^
test.tl:3:3: error: tabs are not allowed in indentation; indent with spaces
    3 |    compute 2
      |   ^
)");
}

TEST_CASE("The instructions of one thread must line up", "[parser]")
{
    CHECK(errors(R"(process p
  thread a
    compute 1
     compute 2
   compute 3
  thread b
   compute 4
)") == R"(test.tl:4:6: error: inconsistent indentation: expected 4 spaces, found 5
    4 |      compute 2
      |      ^
test.tl:5:4: error: inconsistent indentation: expected 4 spaces, found 3
    5 |    compute 3
      |    ^
)");
}

TEST_CASE("Instructions right under a process must line up too", "[parser]")
{
    CHECK(errors("process p\n  compute 1\n    compute 2\n compute 3\n") == R"(test.tl:3:5: error: inconsistent indentation: expected 2 spaces, found 4
    3 |     compute 2
      |     ^
test.tl:4:2: error: inconsistent indentation: expected 2 spaces, found 1
    4 |  compute 3
      |  ^
)");
}

TEST_CASE("An instruction before any process is reported once, not for every line after it", "[parser]")
{
    CHECK(errors("  compute 3\n  compute 4\nprocess p\n  compute 1\n") == R"(test.tl:1:3: error: instruction 'compute' comes before any process; start the program with 'process NAME'
    1 |   compute 3
      |   ^
)");
    CHECK(errors("compute 3\nprocess p\n  compute 1\n") == R"(test.tl:1:1: error: instruction 'compute' comes before any process; start the program with 'process NAME'
    1 | compute 3
      | ^
)");
    CHECK(errors("   hello\n") == R"(test.tl:1:4: error: this line is indented, but no process has started yet; start the program with 'process NAME' at the start of a line
    1 |    hello
      |    ^
)");
}

TEST_CASE("A thread after instructions right under the process is refused", "[parser]")
{
    CHECK(errors("process p\n  compute 1\n  thread t\n    compute 2\n") == R"(test.tl:3:3: error: process 'p' already has instructions right under it, so it cannot also have threads; put those instructions in a thread too
    3 |   thread t
      |   ^
)");
}

TEST_CASE("An instruction right under a process that has threads is refused", "[parser]")
{
    CHECK(errors("process p\n  thread t\n    compute 2\n  compute 1\n") == R"(test.tl:4:3: error: process 'p' has threads, so this instruction must be inside one of them; indent it under a thread
    4 |   compute 1
      |   ^
)");
}

TEST_CASE("A duplicate process name points at the second and names the line of the first", "[parser]")
{
    CHECK(errors("process a\n  compute 1\nprocess b\n  compute 1\nprocess a\n  compute 2\n") == R"(test.tl:5:9: error: duplicate process name 'a'; the first 'a' is on line 1
    5 | process a
      |         ^
)");
}

TEST_CASE("A duplicate thread name in one process points at the second and names the line of the first", "[parser]")
{
    CHECK(errors("process p\n  thread t\n    compute 1\n  thread t\n    compute 2\n") == R"(test.tl:4:10: error: duplicate thread name 't' in process 'p'; the first 't' is on line 2
    4 |   thread t
      |          ^
)");
    // The same thread name in two processes is fine.
    CHECK(parsed("process a\n  thread t\n    compute 1\nprocess b\n  thread t\n    compute 1\n").size() > 0);
}

TEST_CASE("An attribute given twice is refused", "[parser]")
{
    CHECK(errors("process p memory 1K arrive 2 memory 2K\n  compute 1\n") == R"(test.tl:1:30: error: duplicate attribute 'memory'; it was already given at column 11
    1 | process p memory 1K arrive 2 memory 2K
      |                              ^
)");
    CHECK(errors("process p\n  thread t pin 0 pin 1\n    compute 1\n") == R"(test.tl:2:18: error: duplicate attribute 'pin'; list all the cores in one: pin 0,2
    2 |   thread t pin 0 pin 1
      |                  ^
)");
}

TEST_CASE("An unknown attribute is refused with a suggestion when one is close", "[parser]")
{
    CHECK(errors("process p arive 3\n  thread t priority 1\n    compute 1\n  thread u pn 0\n    compute 1\n"
                 "process q pin 0\n  compute 1\nprocess r colour blue\n  compute 1\n")
        == R"(test.tl:1:11: error: unknown process attribute 'arive' (a process can have arrive, memory, priority, gil and working-set); did you mean 'arrive'?
    1 | process p arive 3
      |           ^
test.tl:2:12: error: 'priority' belongs on the 'process' line, not on a thread
    2 |   thread t priority 1
      |            ^
test.tl:4:12: error: unknown thread attribute 'pn' (a thread can have pin, spawned and working-set); did you mean 'pin'?
    4 |   thread u pn 0
      |            ^
test.tl:6:11: error: 'pin' belongs on a 'thread' line, not on the process line
    6 | process q pin 0
      |           ^
test.tl:8:11: error: unknown process attribute 'colour' (a process can have arrive, memory, priority, gil and working-set)
    8 | process r colour blue
      |           ^
)");
}

TEST_CASE("Bad arrival and priority values are refused", "[parser]")
{
    CHECK(errors(R"(process a arrive -1
  compute 1
process b arrive 1.5
  compute 1
process c priority high
  compute 1
process d priority 2000000000
  compute 1
process e priority -2000000000
  compute 1
process f arrive
  compute 1
)") == R"(test.tl:1:18: error: an arrival tick cannot be negative; found '-1' (the first tick is 0)
    1 | process a arrive -1
      |                  ^
test.tl:3:18: error: ticks are whole numbers; found '1.5'
    3 | process b arrive 1.5
      |                  ^
test.tl:5:20: error: expected a priority number after 'priority', found 'high'
    5 | process c priority high
      |                    ^
test.tl:7:20: error: 2000000000 is too large; the most is 1000000000
    7 | process d priority 2000000000
      |                    ^
test.tl:9:20: error: -2000000000 is too small; the least is -1000000000
    9 | process e priority -2000000000
      |                    ^
test.tl:11:17: error: expected an arrival tick after 'arrive'
   11 | process f arrive
      |                 ^
)");
}

TEST_CASE("Bad memory sizes are refused", "[parser]")
{
    CHECK(errors(R"(process a memory 64Q
  compute 1
process b memory 0
  compute 1
process c memory 2000000G
  compute 1
process d memory
  compute 1
)") == R"(test.tl:1:18: error: expected a memory size after 'memory', found '64Q'; write a whole number of bytes, optionally with K, M or G, e.g. 64K
    1 | process a memory 64Q
      |                  ^
test.tl:3:18: error: a process needs at least 1 byte of memory
    3 | process b memory 0
      |                  ^
test.tl:5:18: error: memory 2000000G is too large; the most is 1048576G
    5 | process c memory 2000000G
      |                  ^
test.tl:7:17: error: expected a memory size such as 64K after 'memory'
    7 | process d memory
      |                 ^
)");
}

TEST_CASE("Bad core lists after pin are refused", "[parser]")
{
    CHECK(errors(R"(process p
  thread a pin 1,1
    compute 1
  thread b pin -1
    compute 1
  thread c pin 1024
    compute 1
  thread d pin 0,
    compute 1
  thread e pin 0 1
    compute 1
)") == R"(test.tl:2:18: error: core 1 is listed twice after 'pin'
    2 |   thread a pin 1,1
      |                  ^
test.tl:4:16: error: core numbers start at 0; -1 is negative
    4 |   thread b pin -1
      |                ^
test.tl:6:16: error: core 1024 is too large; the most is 1023
    6 |   thread c pin 1024
      |                ^
test.tl:8:18: error: expected a core number after ','
    8 |   thread d pin 0,
      |                  ^
test.tl:10:18: error: expected ',' between core numbers, found '1'; write pin 0,2
   10 |   thread e pin 0 1
      |                  ^
)");
}

TEST_CASE("An empty file has no processes", "[parser]")
{
    CHECK(errors("") == "test.tl:1:1: error: the program has no processes; start it with 'process NAME'\n"
                        "    1 | \n"
                        "      | ^\n");
}

TEST_CASE("A file of nothing but comments and blank lines has no processes", "[parser]")
{
    CHECK(errors("# just a comment\n\n   # another\n") == R"(test.tl:1:1: error: the program has no processes; start it with 'process NAME'
    1 | # just a comment
      | ^
)");
}

TEST_CASE("A process with nothing under it is refused at its name", "[parser]")
{
    CHECK(errors("process p arrive 3\nprocess q\n  compute 1\nprocess r\n") == R"(test.tl:1:9: error: process 'p' has no threads or instructions
    1 | process p arrive 3
      |         ^
test.tl:4:9: error: process 'r' has no threads or instructions
    4 | process r
      |         ^
)");
}

TEST_CASE("A thread with no instructions is refused at its name", "[parser]")
{
    CHECK(errors("process p\n  thread a\n  thread b\n    compute 1\n  thread c\n") == R"(test.tl:2:10: error: thread 'a' has no instructions
    2 |   thread a
      |          ^
test.tl:5:10: error: thread 'c' has no instructions
    5 |   thread c
      |          ^
)");
}

TEST_CASE("Missing and invalid names are refused", "[parser]")
{
    CHECK(errors("process\n  compute 1\nprocess 1st\n  compute 1\nprocess ok\n  thread \"t\"\n    compute 1\n")
        == R"(test.tl:1:8: error: expected a process name after 'process'
    1 | process
      |        ^
test.tl:3:9: error: '1st' is not a valid process name; a name starts with a letter or '_' and goes on with letters, digits, '_' or '-'
    3 | process 1st
      |         ^
test.tl:6:10: error: expected a thread name after 'thread', found '"t"'
    6 |   thread "t"
      |          ^
)");
}

TEST_CASE("Lines out of place in the block structure are refused", "[parser]")
{
    CHECK(errors("process p\n  thread a\n    compute 1\n    thread b\n  process q\nthread t\n  compute 2\n")
        == R"(test.tl:4:5: error: threads cannot be nested; a 'thread' line goes at 2 spaces, like the other threads of process 'p'
    4 |     thread b
      |     ^
test.tl:5:3: error: 'process' lines must start at the beginning of the line, without indentation
    5 |   process q
      |   ^
test.tl:6:1: error: a 'thread' line must be indented under its process
    6 | thread t
      | ^
)");
}

TEST_CASE("A misspelt process keyword gets a suggestion and does not swallow the lines under it", "[parser]")
{
    CHECK(errors("process a\n  thread t\n    compute 1\nproces p\n  compute 1\nProcess q\n  compute 1\n")
        == R"(test.tl:4:1: error: expected 'process' at the start of the line, found 'proces'; did you mean 'process'?
    4 | proces p
      | ^
test.tl:6:1: error: expected 'process' at the start of the line, found 'Process'; did you mean 'process'?
    6 | Process q
      | ^
)");
}

TEST_CASE("Garbage bytes give one clear error per line, a binary file one error, and no crash", "[parser]")
{
    using namespace std::string_literals;
    // A NUL byte anywhere: one error for the whole file, at the first NUL.
    CHECK(errors("process p\n  \xff\x00\xfe\n\x00"s)
        == "test.tl:2:4: error: this looks like a binary file, not a program: it holds a NUL byte here; a program is "
           "plain text\n"
           "    2 |   \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\n"
           "      |    ^\n");
    CHECK(errors("process p\n  \xff\xfe\xfd\n\x01\x02\n") ==
        "test.tl:2:3: error: invalid UTF-8 in the file\n"
        "    2 |   \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\n"
        "      |   ^\n"
        "test.tl:3:1: error: unexpected control character U+0001 in the file; is this a text file?\n"
        "    3 | \xEF\xBF\xBD\xEF\xBF\xBD\n"
        "      | ^\n");
}

TEST_CASE("Invalid UTF-8 in a string or a comment is reported once per line", "[parser]")
{
    CHECK(errors("process p\n  print \"caf\xe9 \xff\" # \xfe\n  compute 1 # \xc3\x28\n") ==
        "test.tl:2:13: error: invalid UTF-8 in the file\n"
        "    2 |   print \"caf\xEF\xBF\xBD \xEF\xBF\xBD\" # \xEF\xBF\xBD\n"
        "      |             ^\n"
        "test.tl:3:15: error: invalid UTF-8 in the file\n"
        "    3 |   compute 1 # \xEF\xBF\xBD(\n"
        "      |               ^\n");
}

TEST_CASE("Columns in an error on a line with Korean text count code points; the caret goes under the character", "[parser]")
{
    // Column 15 is the 15th code point; the terminal draws '끝' two columns wide, so the
    // caret is 15 columns in, not 14.
    CHECK(errors("process 주방\n  thread 라면\n    print \"라면이 다 됐어요\"\n    compute 삼\n    print \"끝\" 다음\n")
        == R"(test.tl:4:13: error: expected a number of ticks after 'compute', found '삼'
    4 |     compute 삼
      |             ^
test.tl:5:15: error: unexpected '다음' after 'print "끝"'
    5 |     print "끝" 다음
      |                ^
)");
    CHECK(errors("process 주방 memory 1X\n  thread t\n    compute 1\n")
        == R"(test.tl:1:19: error: expected a memory size after 'memory', found '1X'; write a whole number of bytes, optionally with K, M or G, e.g. 64K
    1 | process 주방 memory 1X
      |                     ^
)");
}

TEST_CASE("Errors in a CRLF file echo their line without the carriage return", "[parser]")
{
    CHECK(errors("process p\r\n  compute 0\r\n") == R"(test.tl:2:11: error: 'compute' needs at least 1 tick
    2 |   compute 0
      |           ^
)");
}

TEST_CASE("Any bytes at all parse without a crash and every error points inside the input", "[parser]")
{
    // A small deterministic fuzz: pieces of the language and of garbage, glued at random.
    std::string_view const pieces[] = { "process", " ", "  ", "    ", "\n", "\r\n", "\t", "thread", "compute", "io",
        "print", "exit", "sleep", "\"", "\\", "#", "pin", ",", "0", "7", "-", "99999999999999999999", "K", "arrive",
        "memory", "priority", "x", "주", "\xff", "\xc3", std::string_view("\0", 1), "é" };
    std::uint32_t state = 12345;
    auto next = [&] { return state = state * 1103515245 + 12345, (state >> 16) & 0x7FFF; };
    for (int round = 0; round < 3000; ++round) {
        std::string source;
        for (auto count = next() % 30; count > 0; --count)
            source += pieces[next() % std::size(pieces)];
        auto result = parse_program(source, "fuzz.tl");
        for (auto const& error : result.errors) {
            REQUIRE(error.where.line >= 1);
            REQUIRE(error.where.column >= 1);
            REQUIRE_FALSE(format_diagnostic(error).empty());
        }
        if (result.ok())
            for (auto const& process : result.program.processes)
                for (auto const& thread : process.threads)
                    REQUIRE_FALSE(thread.code.empty());
        auto jobs = parse_jobs(source);
        for (auto const& error : jobs.errors)
            REQUIRE(error.where.column >= 1);
    }
}

// Diagnostics rendering --------------------------------------------------------------------

TEST_CASE("A diagnostic beyond line 99999 widens both gutters alike", "[parser]")
{
    Diagnostic diagnostic { "big.tl", { 123456, 3 }, "something is wrong", "  compute 0" };
    CHECK(format_diagnostic(diagnostic) == R"(big.tl:123456:3: error: something is wrong
123456 |   compute 0
       |   ^
)");
}

TEST_CASE("A whole-input diagnostic at line 0 with no source line names only the file", "[parser]")
{
    Diagnostic diagnostic { "x.tl", { 0, 0 }, "the file is empty", "" };
    CHECK(format_diagnostic(diagnostic) == "x.tl: error: the file is empty\n");
}

TEST_CASE("A source line wider than a terminal is shown as a window around the caret", "[parser]")
{
    // 306 code points: 2 spaces, 300 'x', "boil". A 100-column window centred on the caret
    // (column 303) would run past the end, so it slides back to the last 100 (columns 207 to
    // 306); the cut at the front is marked "...", and the caret moves with the window.
    std::string line = "  " + std::string(300, 'x') + "boil";
    Diagnostic tail { "w.tl", { 1, 303 }, "here", line };
    CHECK(format_diagnostic(tail)
        == "w.tl:1:303: error: here\n    1 | ..." + std::string(96, 'x') + "boil\n      | " + std::string(99, ' ')
            + "^\n");
    // In the middle (column 151) both ends are cut: columns 101 to 200 are shown.
    Diagnostic middle { "w.tl", { 1, 151 }, "here", line };
    CHECK(format_diagnostic(middle)
        == "w.tl:1:151: error: here\n    1 | ..." + std::string(100, 'x') + "...\n      | " + std::string(53, ' ')
            + "^\n");
}

TEST_CASE("After 50 errors the parser says how many there were and stops listing them", "[parser]")
{
    std::string source = "process p\n  thread t\n";
    for (int i = 0; i < 60; ++i)
        source += "    boil 1\n";
    auto result = tl::parse_program(source, "many.tl");
    CHECK(result.error_count == 60);
    REQUIRE(result.errors.size() == 51);
    CHECK(result.errors[49].where.line == 52);
    CHECK(format_diagnostic(result.errors[50])
        == "many.tl: error: too many errors (60 in all); the first 50 are shown above: fix them first\n");
}

// Quick jobs --------------------------------------------------------------------------------

TEST_CASE("A jobs list becomes one-thread processes that compute for their burst and need no memory", "[parser]")
{
    auto result = parse_jobs("P1:0:24,P2:0:3,P3:0:3");
    REQUIRE(result.ok());
    CHECK(dump(result.program) == R"(process P1 @1:1 arrive 0 memory 0 priority 0
  thread P1 @1:1
    compute 24 @1:6
process P2 @1:9 arrive 0 memory 0 priority 0
  thread P2 @1:9
    compute 3 @1:14
process P3 @1:16 arrive 0 memory 0 priority 0
  thread P3 @1:16
    compute 3 @1:21
)");
}

TEST_CASE("A jobs list takes an optional priority and blanks around its fields", "[parser]")
{
    auto result = parse_jobs(" A : 1 : 2 : -5 , B:0:1:3");
    REQUIRE(result.ok());
    CHECK(dump(result.program) == R"(process A @1:2 arrive 1 memory 0 priority -5
  thread A @1:2
    compute 2 @1:10
process B @1:19 arrive 0 memory 0 priority 3
  thread B @1:19
    compute 1 @1:23
)");
}

TEST_CASE("An empty jobs list is refused", "[parser]")
{
    CHECK(job_errors("") == "--jobs:1:1: error: the jobs list is empty; give jobs as name:arrival:burst[:priority], "
                            "e.g. P1:0:24,P2:0:3\n"
                            "    1 | \n"
                            "      | ^\n");
}

TEST_CASE("Every mistake in a jobs list is reported in one pass", "[parser]")
{
    CHECK(job_errors("P1:-1:0,P1:x:2.5:9999999999,1a:0:99999999999999,:0:1,P2:0:1:2:3,")
        == R"(--jobs:1:4: error: an arrival tick cannot be negative; found -1
    1 | P1:-1:0,P1:x:2.5:9999999999,1a:0:99999999999999,:0:1,P2:0:1:2:3,
      |    ^
--jobs:1:7: error: a burst of ticks must be at least 1; found 0
    1 | P1:-1:0,P1:x:2.5:9999999999,1a:0:99999999999999,:0:1,P2:0:1:2:3,
      |       ^
--jobs:1:9: error: duplicate job name 'P1'; the first 'P1' is at column 1
    1 | P1:-1:0,P1:x:2.5:9999999999,1a:0:99999999999999,:0:1,P2:0:1:2:3,
      |         ^
--jobs:1:12: error: expected an arrival tick, found 'x'
    1 | P1:-1:0,P1:x:2.5:9999999999,1a:0:99999999999999,:0:1,P2:0:1:2:3,
      |            ^
--jobs:1:14: error: a burst of ticks must be a whole number; found '2.5'
    1 | P1:-1:0,P1:x:2.5:9999999999,1a:0:99999999999999,:0:1,P2:0:1:2:3,
      |              ^
--jobs:1:18: error: 9999999999 is too large; the most is 1000000000
    1 | P1:-1:0,P1:x:2.5:9999999999,1a:0:99999999999999,:0:1,P2:0:1:2:3,
      |                  ^
--jobs:1:29: error: '1a' is not a valid job name; a name starts with a letter or '_' and goes on with letters, digits, '_' or '-'
    1 | P1:-1:0,P1:x:2.5:9999999999,1a:0:99999999999999,:0:1,P2:0:1:2:3,
      |                             ^
--jobs:1:34: error: 99999999999999 is too large; the most is 1000000000000
    1 | P1:-1:0,P1:x:2.5:9999999999,1a:0:99999999999999,:0:1,P2:0:1:2:3,
      |                                  ^
--jobs:1:49: error: expected a job name in name:arrival:burst[:priority]
    1 | P1:-1:0,P1:x:2.5:9999999999,1a:0:99999999999999,:0:1,P2:0:1:2:3,
      |                                                 ^
--jobs:1:54: error: expected name:arrival:burst[:priority], found 'P2:0:1:2:3'
    1 | P1:-1:0,P1:x:2.5:9999999999,1a:0:99999999999999,:0:1,P2:0:1:2:3,
      |                                                      ^
--jobs:1:65: error: empty job; expected name:arrival:burst[:priority]
    1 | P1:-1:0,P1:x:2.5:9999999999,1a:0:99999999999999,:0:1,P2:0:1:2:3,
      |                                                                 ^
)");
}

TEST_CASE("A jobs list with too few fields or a non-ASCII name gives columns in code points", "[parser]")
{
    CHECK(job_errors("P1:0") == R"(--jobs:1:1: error: expected name:arrival:burst[:priority], found 'P1:0'
    1 | P1:0
      | ^
)");
    CHECK(job_errors("주방:0:3,x:0:-3") == R"(--jobs:1:12: error: a burst of ticks cannot be negative; found -3
    1 | 주방:0:3,x:0:-3
      |              ^
)");
}

TEST_CASE("Of thousands of misspelt names, the 50 errors shown keep their suggestions", "[parser]")
{
    // Suggestions search every name of the process; they are computed only for the errors
    // shown (4,000 of them took 2 s of edit distances before).
    std::string source = "process p\n";
    for (int i = 0; i < 4000; ++i)
        source += fmt::format("    thread worker{}\n        join workr{}\n", i, i);
    auto result = tl::parse_program(source, "many.tl");
    CHECK(result.error_count == 4000);
    REQUIRE(result.errors.size() == tl::max_reported_errors + 1);
    for (std::size_t i = 0; i < tl::max_reported_errors; ++i)
        CHECK(result.errors[i].message
            == fmt::format("unknown thread 'workr{}' in process 'p'; did you mean 'worker{}'?", i, i));
}

namespace {

// A valid operand for each kind, against the declarations of opcode_program().
std::string_view sample_operand(OperandKind kind)
{
    switch (kind) {
    case OperandKind::None: return "";
    case OperandKind::Ticks:
    case OperandKind::TicksFromZero: return " 7";
    case OperandKind::Text: return " \"hi\"";
    case OperandKind::Call: return " inner()";
    case OperandKind::Calls: return " inner(), inner()";
    case OperandKind::Variable: return " v";
    case OperandKind::Assign: return " v 5";
    case OperandKind::Mutex: return " m";
    case OperandKind::Thread: return " w";
    }
    return "";
}

// `text` on line 7, column 5, either in thread t's own code or in the async routine outer().
std::string opcode_program(std::string_view text, bool in_async)
{
    return in_async ? fmt::format("process p\n  shared v = 0\n  mutex m\n  async inner()\n    print \"i\"\n  async "
                                  "outer()\n    {}\n  thread t\n    run outer()\n  thread w spawned\n    compute 1\n",
                          text)
                    : fmt::format("process p\n  shared v = 0\n  mutex m\n  async inner()\n    print \"i\"\n  thread "
                                  "t\n    {}\n  thread w spawned\n    compute 1\n",
                          text);
}

}

TEST_CASE("Every opcode's words parse where opcodes.def allows them and are refused elsewhere", "[parser]")
{
    for (auto const& info : all_opcodes()) {
        for (bool in_async : { false, true }) {
            auto text = fmt::format("{}{}", info.mnemonic, sample_operand(info.operand));
            INFO(text << (in_async ? " in an async routine" : " in a thread"));
            auto result = parse_program(opcode_program(text, in_async), "t.tl");
            if (allowed_in(info.opcode, in_async)) {
                INFO(format_diagnostics(result.errors));
                REQUIRE(result.ok());
                // The instruction of line 7 is the opcode whose words were written.
                bool found = false;
                for (auto const& thread : result.program.processes[0].threads)
                    for (auto const& instruction : thread.code)
                        if (instruction.where == SourceLocation { 7, 5 }) {
                            CHECK(instruction.opcode == info.opcode);
                            CHECK(to_string(instruction) == text);
                            found = true;
                        }
                CHECK(found);
            } else {
                REQUIRE(result.errors.size() == 1);
                CHECK(result.errors[0].where == SourceLocation { 7, 5 });
                CHECK(result.errors[0].message == info.misplaced);
            }
        }
    }
}

TEST_CASE("Where instructions are allowed, as docs/language.md says", "[parser]")
{
    // Written out, not read from the table: these fail if a row of opcodes.def changes.
    CHECK(allowed_in(Opcode::Compute, false));
    CHECK(allowed_in(Opcode::Compute, true));
    CHECK(allowed_in(Opcode::AtomicIncr, true));
    CHECK(allowed_in(Opcode::Run, false));
    CHECK_FALSE(allowed_in(Opcode::Run, true));
    CHECK_FALSE(allowed_in(Opcode::Return, false));
    CHECK_FALSE(allowed_in(Opcode::AwaitIo, false));
    CHECK(allowed_in(Opcode::AwaitGather, true));

    auto message = [](std::string_view text, bool in_async) {
        auto result = parse_program(opcode_program(text, in_async), "t.tl");
        return result.errors.size() == 1 ? result.errors[0].message : std::string("(not one error)");
    };
    CHECK(message("return", false) == "'return' is only allowed inside an async routine; 'exit' ends a process");
    CHECK(message("run inner()", true)
        == "'run' starts a thread's event loop; inside an async routine, write 'await NAME(...)' instead");
    CHECK(message("await io 3", false)
        == "'await' is only allowed inside an async routine (declared with 'async NAME(...)' under the process)");
    // Words that name no instruction allowed there, after the first word of two-word ones.
    CHECK(message("await compute 3", true)
        == "'compute' cannot be awaited; await sleep N, io N, gather or a coroutine call (compute holds the thread: "
           "write it without 'await')");
    CHECK(message("await lock m", true) == "'lock' cannot be awaited; await sleep N, io N, gather or a coroutine call");
    CHECK(message("await later", true)
        == "'later' cannot be awaited; await sleep N, io N, gather NAME(...), ... or a coroutine call NAME(...)");
    CHECK(message("await", true)
        == "expected what to await after 'await': sleep N, io N, gather NAME(...), ... or a call NAME(...)");
    CHECK(message("atomic read v", false)
        == "expected 'incr' after 'atomic': atomic incr NAME adds 1 to a shared variable in one step");
    CHECK(message("awiat io 3", true) == "unknown instruction 'awiat'; did you mean 'await'?");
    CHECK(message("comptue 3", false) == "unknown instruction 'comptue'; did you mean 'compute'?");
    // A word followed by '(' is a call's name: this awaits a routine named gather.
    CHECK(message("await gather(3)", true) == "unknown async routine 'gather' in process 'p'");
}

TEST_CASE("memory_steps and the other queries agree with opcodes.def", "[parser]")
{
    // Exact values, written out.
    CHECK(memory_steps(Opcode::Read) == 1);
    CHECK(memory_steps(Opcode::Write) == 1);
    CHECK(memory_steps(Opcode::AtomicIncr) == 1);
    CHECK(memory_steps(Opcode::Incr) == 3);
    CHECK(memory_steps(Opcode::Compute) == 0);
    CHECK(memory_steps(Opcode::Lock) == 0);
    CHECK(memory_step(Opcode::Incr, 0) == MemoryStep::Read);
    CHECK(memory_step(Opcode::Incr, 1) == MemoryStep::Add);
    CHECK(memory_step(Opcode::Incr, 2) == MemoryStep::WriteBack);
    CHECK(memory_step(Opcode::Write, 0) == MemoryStep::Set);
    CHECK(memory_step(Opcode::AtomicIncr, 0) == MemoryStep::AtomicAdd);
    CHECK(step_uses_bus(Opcode::Incr, 0));
    CHECK_FALSE(step_uses_bus(Opcode::Incr, 1));
    CHECK(step_uses_bus(Opcode::Incr, 2));
    CHECK(step_name(MemoryStep::Add) == "add");
    CHECK(opcode_info(Opcode::Compute).timing == Timing::Cpu);
    CHECK(opcode_info(Opcode::Io).timing == Timing::Blocking);
    CHECK(opcode_info(Opcode::Lock).timing == Timing::Instant);
    CHECK(opcode_info(Opcode::Incr).timing == Timing::Memory);
    CHECK(opcode_info(Opcode::AwaitCall).timing == Timing::EventLoop);
    // A burst ends where the thread waits or ends; lock, join and crash do not end one.
    for (auto opcode : { Opcode::Io, Opcode::Sleep, Opcode::Exit, Opcode::AwaitSleep, Opcode::AwaitIo,
             Opcode::AwaitGather, Opcode::Return })
        CHECK(opcode_info(opcode).ends_burst);
    for (auto opcode : { Opcode::Compute, Opcode::Print, Opcode::Run, Opcode::AwaitCall, Opcode::Lock, Opcode::Join,
             Opcode::Crash, Opcode::Incr })
        CHECK_FALSE(opcode_info(opcode).ends_burst);
    CHECK(last_word(Opcode::AwaitIo) == "io");
    CHECK(last_word(Opcode::Compute) == "compute");

    // Every row: memory steps exactly for the Memory-timed instructions, each a known kind,
    // and only Add without the bus.
    for (auto const& info : all_opcodes()) {
        INFO(info.mnemonic);
        CHECK((memory_steps(info.opcode) > 0) == (info.timing == Timing::Memory));
        CHECK(memory_steps(info.opcode) == static_cast<int>(info.steps.size()));
        for (int step = 0; step < memory_steps(info.opcode); ++step) {
            auto kind = memory_step(info.opcode, step);
            CHECK(step_name(kind) != "?");
            CHECK(step_uses_bus(info.opcode, step) == (kind != MemoryStep::Add));
        }
        CHECK(info.misplaced.empty() == (info.place == Place::Anywhere));
    }
}

} // namespace parser_test
