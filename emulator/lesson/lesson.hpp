#pragma once

// A lesson: prose a teacher writes, runs of the emulator embedded in it, questions whose
// right answers the emulator computes from those runs, and checks that the prose's claims
// hold. docs/writing-lessons.md is the reference for the format; this is its model.
//
// Nothing here runs anything: parse_lesson() only reads the text. lesson/check.hpp turns a
// parsed lesson into runs and evaluates every question and check.

#include "engine/ids.hpp"
#include "lang/diagnostic.hpp"
#include "lang/program.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tl {

enum class Language : std::uint8_t { En, Ko };
std::string_view to_string(Language);
std::optional<Language> language_from_code(std::string_view); // "en", "ko"

// The static type of an expression, known without running anything, so that a lesson
// comparing a name with a number is caught when it is written, not when it is played.
enum class ValueType : std::uint8_t {
    Number, // ticks, counts, percentages
    Name,   // a thread (or process) name, such as the one that finished first
    Order,  // thread names in the order something happened
    Truth,  // a comparison
};
std::string_view to_string(ValueType);

// An expression over measures of runs: `makespan`, `three.finish(pasta)`,
// `one.makespan / three.makespan`, `first-finish == "pasta"`.
struct Expr {
    enum class Kind : std::uint8_t { Number, Text, Measure, Binary };
    Kind kind = Kind::Number;
    ValueType type = ValueType::Number;
    double number = 0;     // Number
    std::string text;      // Text: the literal; Measure: the measure's name; Binary: the operator
    std::string run;       // Measure: the run it reads (written, or the latest @run above)
    bool run_written = false; // Measure: `one.makespan` rather than `makespan`
    std::string argument;  // Measure: the thread, process or core it is about
    bool has_argument = false;
    SourceLocation where;          // the first character of this (sub)expression
    SourceLocation argument_where; // Measure: where its argument starts
    std::vector<Expr> operands;    // Binary: left and right
};

// "one.makespan / three.makespan", rebuilt from the tree (for messages and comparisons).
std::string to_string(Expr const&);

struct RunDirective {
    std::string name;                  // what measures call it: `one` in `one.makespan`
    std::string program;               // a '::: program' block, a bundled program or a path; "" with --jobs
    SourceLocation where;              // the '@' of the directive
    SourceLocation program_where;      // where the program's name is written
    std::vector<std::string> words;    // the `ticklab run` options after the program, unquoted
    std::vector<SourceLocation> word_where;
    std::string source_line;           // the whole directive line, for diagnostics
    std::string command;               // "ticklab run kitchen --cores 3 -s per-core", as the learner would type it
};

struct ChoiceOption {
    std::string text;              // as shown to the learner
    std::optional<Expr> condition; // "- [three.makespan < one.makespan] It finishes sooner."
    std::optional<Expr> value;     // in a choice on an expression, the option's value
    SourceLocation where;
    std::string source_line;
};

enum class BlockKind : std::uint8_t {
    Heading, // "## ...": a new section; the player pauses before it
    Prose,   // paragraphs, shown as written
    Pause,   // "---": the player waits for Enter
    Code,    // "::: code python": shown as written, never run (the study note's asyncio example)
    NotYet,  // "::: not-yet coroutines": what ticklab cannot show yet, in a frame
    Program, // "::: program name": a toy program the lesson's runs can use
    Run,     // "@run": declares a run (simulated when the lesson is loaded)
    Show,    // "@show": prints a run: its table, summary, output, chart or program
    Step,    // "@step": prints a run's table a tick at a time
    Predict, // "@predict": asks for a number, a name or an order, computed from a run
    Choice,  // "@choice": multiple choice; the right option is computed
    Check,   // "@check": a claim of the prose that must hold (the tests evaluate it)
    Explore, // "@explore": every schedule of a run's program (ticklab explore), after a question on a variable
    Manual,  // "@manual": the learner schedules a run by hand, towards a goal or to compare with the policies
};

// A figure in prose: "{makespan = 13}" states 13 and claims that the run's makespan is 13
// (the player shows "13"; the check fails when the run says otherwise); "{makespan}" shows
// the value itself, computed from the run.
struct Figure {
    std::size_t offset = 0;        // where in its paragraph's text it is shown
    Expr expr;
    std::optional<Expr> stated;    // the value the prose states, if it states one
    std::string stated_text;       // the stated value as written, shown to the learner
    SourceLocation where;          // the '{'
    SourceLocation stated_where;
    std::string source_line;
};

struct Block {
    BlockKind kind = BlockKind::Prose;
    SourceLocation where;
    std::string source_line;         // the line that starts it, for diagnostics
    std::string text;                // Heading, Prose, Code, NotYet, Program: the text; Predict, Choice, Explore: the question; Manual: the task
    std::string name;                // Program: its name; Show, Step, Explore, Manual: the run; NotYet: the capability; Code: the language
    std::string variable;            // Explore: the shared variable its question asks about ("" without a question)
    SourceLocation variable_where;
    int first_line = 0;              // Program: the lesson line its first line of code is on
    std::vector<std::string> views;  // Show: what to show
    Tick from = 0;                   // Step: the first tick shown
    Tick to = -1;                    // Step: the last tick shown; -1: the end of the run
    std::optional<Expr> expr;        // Predict, Check, a Choice on an expression, and a Manual's goal
    std::vector<ChoiceOption> options;
    std::vector<Figure> figures;     // Prose: its figures, in order
    std::size_t run = 0;             // Run: its index in Lesson::runs
};

// "@names 라면=ramen": a word the lesson's prose uses for a thread or process, which a
// learner may type as an answer instead of the name in the program.
struct NameAlias {
    std::string word; // 라면
    std::string name; // ramen
    SourceLocation where;      // the word
    SourceLocation name_where; // the name
    std::string source_line;
};

struct Lesson {
    std::string file;
    std::string title;
    std::vector<std::string> needs; // capabilities it needs (see lesson/capabilities.hpp)
    std::vector<SourceLocation> needs_where;
    std::vector<NameAlias> names;   // @names, in the order written
    std::vector<Block> blocks;
    std::vector<RunDirective> runs;
};

struct LessonParse {
    Lesson lesson;
    std::vector<Diagnostic> errors; // every error, in source order; empty on success
    bool ok() const { return errors.empty(); }
};

// Reads a lesson. Never throws on bad input and goes on after an error, so that one pass
// reports every mistake, each at its line and column.
LessonParse parse_lesson(std::string_view source, std::string file_name);

// A choice's options are answered with a letter, a) to z).
inline constexpr std::size_t max_choice_options = 26;

// The shows a @show directive knows.
inline constexpr std::string_view lesson_views[] = { "table", "summary", "output", "chart", "program" };

// A translation must ask the same questions about the same runs and make the same checks as
// the lesson it translates; only the prose may differ. Reports the first place where it
// does not, as a diagnostic in the translation (empty when they agree).
std::vector<Diagnostic> compare_translation(Lesson const& original, Lesson const& translation,
    std::string_view translation_source);

// The number a lesson file starts with ("04-concurrency.lesson" is lesson 4); 0 if none.
int lesson_number(std::string_view file_stem);

}
