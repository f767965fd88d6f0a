#pragma once

// Evaluating a lesson's expressions against its runs, with the evidence a learner is shown:
// not only "13" but "the kitchen finished at tick 13 on 1 core (rr)".

#include "lesson/check.hpp"

#include <string>
#include <variant>
#include <vector>

namespace tl {

struct Value {
    ValueType type = ValueType::Number;
    double number = 0;
    bool percent = false;                         // shown with a '%'
    std::vector<std::vector<std::string>> groups; // Name: one group (names that tie); Order: groups in order
    bool truth = false;
    std::string missing; // the capability it needs, when ticklab cannot compute it yet
};

// "13", "1.86", "33%", "pasta", "pasta, cake, ramen"; ties are joined with " = ".
std::string to_string(Value const&);

struct Evaluation {
    Value value;
    std::vector<std::string> evidence; // one clause a measure the expression read, in order
};

struct EvaluationError {
    SourceLocation where;
    std::string message;
};

std::variant<Evaluation, EvaluationError> evaluate(Expr const&, CheckedLesson const&, Language);

// A @manual's goal, evaluated with its run replaced by `trace` (a run the learner scheduled):
// its evidence speaks of that run alone.
std::variant<Evaluation, EvaluationError> evaluate_goal(Expr const& goal, CheckedLesson const&, std::string const& run,
    Trace trace, Language);

// Helpers the measures' evaluators (lesson/measures.cpp) share with the evaluation.
std::variant<Evaluation, EvaluationError> evaluation_error(SourceLocation where, std::string message);
std::string format_number(double);                         // "13", "1.86": at most two decimals
Value number_value(double, bool percent = false);
// The thread a name means in a run: its display name, or its declared name while only one
// thread has it. `any_case`: in any case.
std::optional<ThreadId> find_thread(Trace const&, std::string_view name, bool any_case = false);
std::optional<ProcessId> find_process(Trace const&, std::string_view name, bool any_case = false);

// Whether two values are the same answer: numbers within a hundredth (a check's arithmetic
// may produce 1.857...), names when one of a tie matches, orders group by group.
bool same_value(Value const&, Value const&);

// The evidence as one sentence, or a few: clauses joined and ended the language's way.
std::string evidence_text(Evaluation const&, Language);

// The thread or process of a run that `typed` names: its name in any case, or a word the
// lesson's @names gives it ("파스타" for pasta). Returns the name as the run shows it;
// nothing when the run has no such thread or process.
std::optional<std::string> named_in_run(Trace const&, std::string_view typed, std::vector<NameAlias> const& aliases = {});

// What the learner typed, as a value of the type asked for. Names are matched against the
// run's threads and processes (whatever the case the learner used, or a word of the
// lesson's @names). A number may be followed by a unit ("13 ticks", "13틱", "62%", "13틱입니다");
// anything else after it is refused, never cut off. On failure, a message in the learner's
// language saying what to type.
std::variant<Value, std::string> parse_answer(std::string_view input, ValueType, LessonRun const*, Language,
    std::vector<NameAlias> const& aliases = {});

// Whether the learner's answer is right: exact for whole numbers, within 0.05 otherwise (so
// 1.9 is right for 1.857).
bool answer_matches(Value const& answer, Value const& truth);

// The run an expression reads first, for naming threads in answers.
LessonRun const* run_of(Expr const&, CheckedLesson const&);

}
