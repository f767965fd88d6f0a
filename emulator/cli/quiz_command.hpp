#pragma once

// `ticklab quiz`: a worksheet in the habit of OSTEP's homework simulators. A topic and a seed
// make a workload and its questions; --answers adds the answers, computed by running the
// engine, and the run that explains them; --check FILE grades a learner's answers. The
// worksheets themselves are made by quiz/quiz.hpp; this file prints them. See docs/quiz.md.

#include <string>

namespace CLI {
class App;
}

namespace tl {

struct QuizCommandSettings {
    std::string topic;
    std::string seed = "0";  // as typed: checked by quiz_command, with ticklab's own message
    std::string level = "1";
    std::string language = "en";
    std::string format = "text";
    bool answers = false;
    std::string check;       // --check FILE: grade the answers in FILE
    bool list = false;
    std::string scheduler;   // --scheduler: ask about this policy instead of the topic's
};

void add_quiz_options(CLI::App&, QuizCommandSettings&);
int quiz_command(QuizCommandSettings const&);

}
