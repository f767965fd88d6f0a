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

// Whether two values are the same answer: numbers within a hundredth (a check's arithmetic
// may produce 1.857...), names when one of a tie matches, orders group by group.
bool same_value(Value const&, Value const&);

// The evidence as one sentence, or a few: clauses joined and ended the language's way.
std::string evidence_text(Evaluation const&, Language);

// What the learner typed, as a value of the type asked for. Names are matched against the
// run's threads and processes (whatever the case the learner used). On failure, a message
// in the learner's language saying what to type.
std::variant<Value, std::string> parse_answer(std::string_view input, ValueType, LessonRun const*, Language);

// Whether the learner's answer is right: exact for whole numbers, within 0.05 otherwise (so
// 1.9 is right for 1.857).
bool answer_matches(Value const& answer, Value const& truth);

// The run an expression reads first, for naming threads in answers.
LessonRun const* run_of(Expr const&, CheckedLesson const&);

}
