#include "cli/quiz_command.hpp"

#include "cli/exit_codes.hpp"
#include "cli/formats.hpp"
#include "lang/diagnostic.hpp"
#include "lang/input_file.hpp"
#include "lang/suggest.hpp"
#include "lesson/say.hpp"
#include "quiz/quiz.hpp"
#include "trace/render_util.hpp"
#include "trace/visual.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace tl {

namespace {

std::string topic_names()
{
    std::string names;
    for (auto const& topic : quiz_topics())
        names += fmt::format("{}{}", names.empty() ? "" : ", ", topic.name);
    return names;
}

int list_topics(Language language)
{
    int width = 0;
    for (auto const& topic : quiz_topics())
        width = std::max(width, display_width(topic.name));
    for (auto const& topic : quiz_topics())
        fmt::print("{}  {}\n", pad_right(topic.name, width), tr(language, topic.summary_en, topic.summary_ko));
    fmt::print("{}\n", tr(language, "Make a worksheet with: ticklab quiz --topic NAME --seed N (docs/quiz.md)",
                           "워크시트 만들기: ticklab quiz --topic 이름 --seed N (docs/quiz.md)"));
    return exit_code::ok;
}

// A whole number typed for --seed or --level, or nothing.
std::optional<std::uint64_t> whole_number(std::string const& text)
{
    if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return std::stoull(text);
}

// The run (or the outcomes) the answers come from, as `ticklab run` prints them.
std::string explanation(Worksheet const& sheet)
{
    std::ostringstream out;
    Presentation presentation;
    presentation.width = 80;
    presentation.language = sheet.language;
    if (sheet.explored) {
        auto const& result = *sheet.explored;
        out << say(sheet.language, "{}: {} distinct states, {} schedules, {} outcomes\n",
            "{}: 서로 다른 상태 {}개, 스케줄 {}개, 결과 {}가지\n", sheet.commands.front(), result.states, result.schedules,
            result.outcomes.size());
        for (auto const& outcome : result.outcomes) {
            std::string witness;
            for (auto const& name : outcome.witness)
                witness += (witness.empty() ? "" : " ") + name;
            out << say(sheet.language, "  count = {}: {} schedules, e.g. {}\n", "  count = {}: 스케줄 {}개, 예: {}\n",
                outcome.variables.at(0).second, outcome.schedules, witness);
        }
        return out.str();
    }
    for (std::size_t i = 0; i < sheet.runs.size(); ++i) {
        if (i > 0)
            out << "\n";
        out << "$ " << sheet.commands[i] << "\n";
        if (sheet.topic == "process-run") {
            print_run(out, sheet.runs[i], "table", presentation);
        } else if (sheet.topic == "async") {
            print_run(out, sheet.runs[i], "summary", presentation); // its printed lines, with their ticks
        } else {
            print_run(out, sheet.runs[i], "gantt", presentation);
            out << "\n";
            print_run(out, sheet.runs[i], "summary", presentation);
        }
    }
    return out.str();
}

std::string title(Worksheet const& sheet)
{
    return say(sheet.language, "ticklab worksheet: {}, seed {}, level {}", "ticklab 워크시트: {}, 시드 {}, 단계 {}", sheet.topic,
        sheet.seed, sheet.level);
}

std::string again(Worksheet const& sheet, std::string_view extra)
{
    return fmt::format("ticklab quiz --topic {} --seed {}{}{}{}{}", sheet.topic, sheet.seed,
        sheet.level != 1 ? fmt::format(" --level {}", sheet.level) : std::string(),
        sheet.policy.empty() ? std::string() : fmt::format(" --scheduler {}", sheet.policy),
        sheet.language == Language::Ko ? " --lang ko" : "", extra);
}

std::string text_sheet(Worksheet const& sheet, bool answers)
{
    auto language = sheet.language;
    std::string out = title(sheet) + "\n\n";
    // The problem's first paragraph wrapped to 80 columns; the table or program below as it is.
    auto split = sheet.problem.find("\n\n");
    for (auto const& line : wrap_words(sheet.problem.substr(0, split), 80))
        out += line + "\n";
    if (split != std::string::npos)
        out += "\n" + sheet.problem.substr(split + 2);
    if (out.back() != '\n')
        out += "\n";
    out += "\n";
    out += tr(language, "Questions (for --check, write one answer a line, in this order):\n",
        "질문 (--check에는 이 순서대로 한 줄에 답 하나씩):\n");
    for (std::size_t i = 0; i < sheet.questions.size(); ++i) {
        auto const& question = sheet.questions[i];
        out += fmt::format("{:>3}. {} [{}]\n", i + 1, question.text, question.id);
        if (answers)
            out += say(language, "     answer: {} ({})\n", "     답: {} ({})\n", question.answer, question.how);
    }
    out += "\n";
    if (answers) {
        out += tr(language, "The run behind the answers:\n", "답이 나온 실행:\n");
        out += explanation(sheet);
    } else {
        out += say(language, "Work them out by hand, then see the answers with: {}\n",
            "손으로 풀어 본 뒤 답을 보려면: {}\n", again(sheet, " --answers"));
        out += say(language, "or grade a file of answers (one a line) with: {}\n", "또는 답 파일(한 줄에 하나)을 채점하려면: {}\n",
            again(sheet, " --check FILE"));
    }
    return out;
}

nlohmann::ordered_json json_sheet(Worksheet const& sheet, bool answers)
{
    nlohmann::ordered_json document;
    document["topic"] = sheet.topic;
    document["seed"] = sheet.seed;
    document["level"] = sheet.level;
    document["lang"] = to_string(sheet.language);
    nlohmann::ordered_json workload;
    workload["jobs"] = sheet.jobs;
    workload["program"] = sheet.program;
    document["workload"] = workload;
    nlohmann::ordered_json settings;
    settings["scheduler"] = sheet.settings.scheduler;
    settings["quantum"] = sheet.settings.quantum;
    settings["cores"] = sheet.settings.cores;
    settings["set"] = sheet.settings.set;
    settings["seed"] = sheet.settings.policy_seed ? nlohmann::ordered_json(*sheet.settings.policy_seed)
                                                  : nlohmann::ordered_json(nullptr);
    document["settings"] = settings;
    document["commands"] = sheet.commands;
    document["problem"] = sheet.problem;
    auto questions = nlohmann::ordered_json::array();
    for (auto const& question : sheet.questions) {
        nlohmann::ordered_json entry;
        entry["id"] = question.id;
        entry["text"] = question.text;
        if (answers) {
            if (question.kind == AnswerKind::Number && question.answer.find('.') == std::string::npos)
                entry["answer"] = static_cast<std::int64_t>(question.exact); // a count or a tick
            else if (question.kind == AnswerKind::Number)
                entry["answer"] = question.exact; // unrounded, as `ticklab run --format json` has it
            else
                entry["answer"] = question.answer;
            entry["how"] = question.how;
        }
        questions.push_back(entry);
    }
    document["questions"] = questions;
    return document;
}

std::string md_sheet(Worksheet const& sheet, bool answers)
{
    auto language = sheet.language;
    std::string out = fmt::format("# {}\n\n", title(sheet));
    // The problem's table and programs are aligned text: a code block keeps them so.
    auto split = sheet.problem.find("\n\n");
    out += sheet.problem.substr(0, split) + "\n\n";
    if (split != std::string::npos)
        out += "```\n" + sheet.problem.substr(split + 2) + (sheet.problem.back() == '\n' ? "" : "\n") + "```\n\n";
    out += tr(language, "## Questions\n\n", "## 질문\n\n");
    for (std::size_t i = 0; i < sheet.questions.size(); ++i)
        out += fmt::format("{}. {} `{}`\n\n   {} ____________________\n\n", i + 1, sheet.questions[i].text,
            sheet.questions[i].id, tr(language, "Answer:", "답:"));
    out += say(language, "_Made with `{}`._\n", "_`{}`로 만들었습니다._\n", again(sheet, ""));
    if (!answers)
        return out;
    out += "\n<div style=\"page-break-before: always\"></div>\n\n";
    out += say(language, "# Answers: {}\n\n", "# 답: {}\n\n", title(sheet));
    for (std::size_t i = 0; i < sheet.questions.size(); ++i)
        out += fmt::format("{}. **{}**: {}\n", i + 1, sheet.questions[i].answer, sheet.questions[i].how);
    out += tr(language, "\n## The run behind the answers\n\n", "\n## 답이 나온 실행\n\n");
    out += "```\n" + explanation(sheet) + "```\n";
    return out;
}

std::string html_text(std::string_view text) { return xml_escape(text); }

std::string html_sheet(Worksheet const& sheet, bool answers)
{
    auto language = sheet.language;
    std::string out = fmt::format("<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n",
        to_string(language), html_text(title(sheet)));
    out += "<style>\n"
           "body { font-family: sans-serif; max-width: 46em; margin: 2em auto; line-height: 1.5; }\n"
           "pre { background: #f4f4f4; padding: 0.6em; overflow-x: auto; }\n"
           "li { margin-bottom: 1.2em; }\n"
           ".blank { display: inline-block; min-width: 14em; border-bottom: 1px solid #000; }\n"
           ".answers { break-before: page; page-break-before: always; }\n"
           "code { font-size: 0.9em; }\n"
           "</style>\n</head>\n<body>\n";
    out += fmt::format("<h1>{}</h1>\n", html_text(title(sheet)));
    auto split = sheet.problem.find("\n\n");
    out += fmt::format("<p>{}</p>\n", html_text(sheet.problem.substr(0, split)));
    if (split != std::string::npos)
        out += fmt::format("<pre>{}</pre>\n", html_text(sheet.problem.substr(split + 2)));
    out += fmt::format("<h2>{}</h2>\n<ol>\n", tr(language, "Questions", "질문"));
    for (auto const& question : sheet.questions)
        out += fmt::format("<li>{} <code>{}</code><br>{} <span class=\"blank\"></span></li>\n", html_text(question.text),
            html_text(question.id), tr(language, "Answer:", "답:"));
    out += "</ol>\n";
    out += fmt::format("<p><small>{}</small></p>\n",
        html_text(say(language, "Made with {}", "{}로 만들었습니다", again(sheet, ""))));
    if (answers) {
        out += "<section class=\"answers\">\n";
        out += fmt::format("<h1>{}</h1>\n<ol>\n", html_text(say(language, "Answers: {}", "답: {}", title(sheet))));
        for (auto const& question : sheet.questions)
            out += fmt::format("<li><strong>{}</strong>: {}</li>\n", html_text(question.answer), html_text(question.how));
        out += fmt::format("</ol>\n<h2>{}</h2>\n<pre>{}</pre>\n</section>\n",
            tr(language, "The run behind the answers", "답이 나온 실행"), html_text(explanation(sheet)));
    }
    out += "</body>\n</html>\n";
    return out;
}

// Grades the answers in `file`, one a line in question order (blank lines and lines starting
// with # are skipped). Prints each verdict; a line that cannot be read as its question's kind
// of answer is an error with its file, line and column.
int check_answers(Worksheet const& sheet, std::string const& file)
{
    auto language = sheet.language;
    std::string error;
    auto content = read_input_file(file, error);
    if (!content) {
        fmt::print(stderr, "ticklab: error: cannot read '{}': {}\n", file, error);
        return exit_code::bad_input;
    }
    std::string_view text = *content;
    if (text.substr(0, 3) == "\xEF\xBB\xBF")
        text.remove_prefix(3);
    struct Given {
        int line = 0;
        std::string text;
    };
    std::vector<Given> given;
    int number = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos)
            end = text.size();
        auto line = std::string(text.substr(start, end - start));
        start = end + 1;
        ++number;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        auto first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line[first] == '#')
            continue;
        if (given.size() == sheet.questions.size()) {
            Diagnostic diagnostic { file, { number, static_cast<int>(first) + 1 },
                fmt::format("more answers than questions: the worksheet has {} questions", sheet.questions.size()), line };
            std::cerr << format_diagnostic(diagnostic);
            return exit_code::bad_input;
        }
        auto verdict = grade_answer(sheet.questions[given.size()], line);
        if (auto const* problem = std::get_if<AnswerProblem>(&verdict)) {
            Diagnostic diagnostic { file, { number, problem->column },
                fmt::format("{} (answer {}, {})", problem->message, given.size() + 1, sheet.questions[given.size()].id),
                line };
            std::cerr << format_diagnostic(diagnostic);
            return exit_code::bad_input;
        }
        given.push_back({ number, line });
    }
    std::size_t right = 0;
    fmt::print("{}\n\n", title(sheet));
    for (std::size_t i = 0; i < sheet.questions.size(); ++i) {
        auto const& question = sheet.questions[i];
        if (i >= given.size()) {
            fmt::print("{:>3}. {}: {}\n", i + 1, question.id, tr(language, "no answer", "답 없음"));
            fmt::print("     {}\n", say(language, "expected {}: {}", "정답 {}: {}", question.answer, question.how));
            continue;
        }
        auto verdict = std::get<bool>(grade_answer(question, given[i].text));
        auto shown = given[i].text.substr(given[i].text.find_first_not_of(" \t"));
        if (verdict) {
            ++right;
            fmt::print("{:>3}. {}: {} ({})\n", i + 1, question.id, tr(language, "right", "맞음"), shown);
        } else {
            fmt::print("{:>3}. {}: {} ({}:{}: {})\n", i + 1, question.id, tr(language, "wrong", "틀림"), file, given[i].line,
                shown);
            fmt::print("     {}\n", say(language, "expected {}: {}", "정답 {}: {}", question.answer, question.how));
        }
    }
    fmt::print("\n{}\n", say(language, "{} of {} right", "{1}개 중 {0}개 맞음", right, sheet.questions.size()));
    if (right != sheet.questions.size())
        fmt::print("{}\n", say(language, "the run behind the answers: {}", "답이 나온 실행: {}", again(sheet, " --answers")));
    return right == sheet.questions.size() ? exit_code::ok : exit_code::wrong_answers;
}

}

void add_quiz_options(CLI::App& app, QuizCommandSettings& settings)
{
    app.add_option("-t,--topic", settings.topic, fmt::format("The topic: {} (see --list)", topic_names()))
        ->type_name("TOPIC");
    app.add_option("--seed", settings.seed,
           fmt::format("The seed that makes the workload, 0 to {}; the same seed gives the same worksheet", max_quiz_seed))
        ->type_name("N")
        ->capture_default_str();
    app.add_option("--level", settings.level, "Difficulty: 1 (three jobs at tick 0), 2 (more jobs, arriving over time), 3 (I/O too)")
        ->type_name("1..3")
        ->capture_default_str();
    app.add_option("--lang", settings.language, "The worksheet's language: en or ko")
        ->check(CLI::IsMember({ "en", "ko" }))
        ->capture_default_str();
    app.add_option("-f,--format", settings.format, "Output: text, json, md (Markdown) or html (a page to print)")
        ->check(CLI::IsMember({ "text", "json", "md", "html" }))
        ->capture_default_str();
    app.add_flag("--answers", settings.answers,
        "Also print the answers, computed by running the engine, and the run that explains them (OSTEP's -c)");
    app.add_option("--check", settings.check, "Grade the answers in FILE: one a line, in question order")->type_name("FILE");
    app.add_flag("--list", settings.list, "List the topics, one line each");
    app.add_option("-s,--scheduler", settings.scheduler,
           "With a scheduling topic (fcfs, sjf, srtf, rr, priority, mlfq): ask what this policy does instead, e.g. a "
           "policy file written in Lua (FILE.lua)")
        ->type_name("POLICY");
    app.footer("Example: ticklab quiz --topic rr --seed 7, then ticklab quiz --topic rr --seed 7 --answers (docs/quiz.md).\n"
               "What does a policy do: ticklab quiz --topic fcfs --seed 7 --scheduler policies/sjf.lua --answers\n"
               "Exit codes: 0 ok (with --check: every answer right), 1 --check found a wrong or missing answer, 2 usage "
               "error (unknown topic, --level or --seed out of range), 3 bad input (an answers file that cannot be read "
               "or has an answer of the wrong form, a --scheduler that does not load), 70 internal error.");
}

int quiz_command(QuizCommandSettings const& settings)
{
    auto language = settings.language == "ko" ? Language::Ko : Language::En;
    if (settings.list)
        return list_topics(language);
    if (settings.topic.empty()) {
        fmt::print(stderr, "ticklab: error: which topic? give --topic, one of: {} (see 'ticklab quiz --list')\n",
            topic_names());
        return exit_code::usage;
    }
    if (!find_quiz_topic(settings.topic)) {
        std::vector<std::string> names;
        for (auto const& topic : quiz_topics())
            names.emplace_back(topic.name);
        fmt::print(stderr, "ticklab: error: unknown topic '{}'{} (the topics are {}; see 'ticklab quiz --list')\n",
            settings.topic, did_you_mean(nearest(settings.topic, names)), topic_names());
        return exit_code::usage;
    }
    auto seed = whole_number(settings.seed);
    if (!seed || *seed > max_quiz_seed) {
        fmt::print(stderr, "ticklab: error: --seed must be a whole number from 0 to {}, not '{}'\n", max_quiz_seed,
            settings.seed);
        return exit_code::usage;
    }
    auto level = whole_number(settings.level);
    if (!level || *level < static_cast<std::uint64_t>(min_quiz_level) || *level > static_cast<std::uint64_t>(max_quiz_level)) {
        fmt::print(stderr, "ticklab: error: --level must be {} to {}, not '{}'\n", min_quiz_level, max_quiz_level,
            settings.level);
        return exit_code::usage;
    }
    if (!settings.check.empty() && (settings.answers || settings.format != "text")) {
        fmt::print(stderr, "ticklab: error: --check grades a file and prints its verdicts as text; leave out {}\n",
            settings.answers ? "--answers" : "--format");
        return exit_code::usage;
    }
    if (!settings.scheduler.empty() && !quiz_topic_takes_policy(settings.topic)) {
        fmt::print(stderr, "ticklab: error: --scheduler goes with a scheduling topic (fcfs, sjf, srtf, rr, priority or mlfq), "
                           "not '{}'\n",
            settings.topic);
        return exit_code::usage;
    }
    if (!settings.scheduler.empty())
        if (auto error = check_quiz_policy(settings.scheduler)) {
            fmt::print(stderr, "ticklab: error: {}\n", *error);
            return exit_code::bad_input;
        }
    auto made = make_worksheet({ settings.topic, *seed, static_cast<int>(*level), language, settings.scheduler });
    if (auto const* error = std::get_if<std::string>(&made)) {
        fmt::print(stderr, "ticklab: error: {}\n", *error);
        return exit_code::usage;
    }
    auto const& sheet = std::get<Worksheet>(made);
    if (!settings.check.empty())
        return check_answers(sheet, settings.check);
    if (settings.format == "json")
        std::cout << json_sheet(sheet, settings.answers).dump(2) << '\n';
    else if (settings.format == "md")
        std::cout << md_sheet(sheet, settings.answers);
    else if (settings.format == "html")
        std::cout << html_sheet(sheet, settings.answers);
    else
        std::cout << text_sheet(sheet, settings.answers);
    return exit_code::ok;
}

}
