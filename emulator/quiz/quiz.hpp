#pragma once

// Worksheets, in the habit of OSTEP's homework simulators (scheduler.py, process-run.py,
// mlfq.py, lottery.py, multi.py): a topic and a seed make a workload and its questions; the
// answers are never stored but computed by running the engine (or explore) on that workload,
// so they are what `ticklab run` prints for it. See docs/quiz.md.
//
// The same topic, seed, level and language give the same worksheet, byte for byte: the
// workload comes from the generator's SplitMix64, never from std's distributions.
//
// A topic's conventions are its Settings (scheduler, quantum, cores, --set values): a topic
// that wants other conventions adds settings, and the worksheet prints them, so the printed
// command reproduces the answers.

#include "explore/explore.hpp"
#include "lesson/lesson.hpp"
#include "trace/trace.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tl {

struct QuizTopic {
    std::string_view name;
    std::string_view summary_en;
    std::string_view summary_ko;
};

// Every topic, in the order `ticklab quiz --list` shows them.
std::span<QuizTopic const> quiz_topics();
QuizTopic const* find_quiz_topic(std::string_view name);

inline constexpr int min_quiz_level = 1;
inline constexpr int max_quiz_level = 3;
inline constexpr std::uint64_t max_quiz_seed = 4'294'967'295; // 2^32 - 1

struct QuizRequest {
    std::string topic;
    std::uint64_t seed = 0;
    int level = 1;
    Language language = Language::En;
    // A policy to ask about instead of the topic's own (a Lua file, or any name `ticklab run
    // --scheduler` takes): "what does this policy do" on a scheduling topic's workload.
    std::string policy;
};

// Whether a worksheet may ask about the policy: nothing when it can be built, else the
// one-line error of `ticklab run --scheduler` (a Lua file that does not load, an unknown name).
std::optional<std::string> check_quiz_policy(std::string const& policy);
// The topics a policy of its own can go with: fcfs, sjf, srtf, rr, priority and mlfq.
bool quiz_topic_takes_policy(std::string_view topic);

// How an answer is compared with the one the learner wrote.
enum class AnswerKind : std::uint8_t {
    Number, // a number; right when within 0.01 of the exact value
    Names,  // names in order, separated by commas or blanks ("B, C, A")
    Set,    // whole numbers in any order ("2, 3, 4")
    Words,  // words in order, case ignored ("run ready")
};

struct QuizQuestion {
    std::string id;     // "average_waiting", "order", ...
    std::string text;   // the question, in the worksheet's language
    AnswerKind kind = AnswerKind::Number;
    std::string answer; // as printed: "5.67", "B, C, A", "2, 3, 4"
    double exact = 0;   // Number: the exact value (answer is it rounded to 2 decimals)
    std::string how;    // how the answer follows from the run, in the worksheet's language
};

// The run settings the answers come from, spelled as `ticklab run` options.
struct QuizSettings {
    std::string scheduler;          // "rr"; "rr,per-core" for two runs compared; "explore"
    Tick quantum = 2;
    int cores = 1;
    std::vector<std::string> set;   // --set NAME=VALUE
    std::optional<std::uint64_t> policy_seed; // --seed, for the policies that draw
};

struct Worksheet {
    std::string topic;
    std::uint64_t seed = 0;
    int level = 1;
    Language language = Language::En;
    std::string policy;  // QuizRequest::policy: asked about instead of the topic's own, or empty
    std::string jobs;    // the workload as --jobs text, or empty
    std::string program; // the workload as a program, or empty
    QuizSettings settings;
    std::vector<std::string> commands; // the command lines that show the answers' runs
    std::string problem;               // what the learner is told about the workload
    std::vector<QuizQuestion> questions;
    std::vector<Trace> runs;           // the runs the answers come from (one per scheduler)
    std::optional<ExploreResult> explored; // the race topic's every schedule
};

// A worksheet for the request, its answers computed; or a one-line error (unknown topic,
// level or seed out of range). The runs are those a `ticklab run` of the printed commands
// makes.
std::variant<Worksheet, std::string> make_worksheet(QuizRequest const&);

// A learner's answer against the question: right or wrong, or a problem with its form
// (a column, 1-based in code points of `given`, and a message) when it cannot be read as
// that kind of answer at all.
struct AnswerProblem {
    int column = 1;
    std::string message;
};
std::variant<bool, AnswerProblem> grade_answer(QuizQuestion const&, std::string_view given);

}
