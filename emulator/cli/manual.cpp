#include "cli/manual.hpp"

#include "engine/per_id.hpp"
#include "cli/exit_codes.hpp"
#include "cli/policy_table.hpp"
#include "cli/step_command.hpp"
#include "explore/by_hand.hpp"
#include "engine/verify.hpp"
#include "lang/input_file.hpp"
#include "sched/registry.hpp"
#include "trace/render.hpp"
#include "trace/render_util.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace tl {

namespace {

std::string trim(std::string text)
{
    text.erase(0, text.find_first_not_of(" \t\r"));
    text.erase(text.find_last_not_of(" \t\r") + 1);
    return text;
}

void show_question(HandPick const& question)
{
    fmt::print("tick {}: core {} needs a thread. Ready:\n", question.tick, question.core);
    for (std::size_t i = 0; i < question.ready.size(); ++i) {
        auto const& need = question.needs[i];
        fmt::print("  {}. {}  next: {}{}; {} tick{} of compute before it waits or ends\n", i + 1, question.names[i],
            need.next.empty() ? std::string("its end") : need.next, need.under_way ? " (under way)" : "", need.burst,
            need.burst == 1 ? "" : "s");
    }
    // Grouped by the thread picked, in the order the threads are listed.
    std::string picks;
    for (auto const& name : question.names) {
        std::string who;
        for (auto const& [policy, thread] : question.picks)
            if (thread == name)
                who += (who.empty() ? "" : ", ") + policy;
        if (!who.empty())
            picks += fmt::format("{}{} would pick {}", picks.empty() ? "" : "; ", who, name);
    }
    for (auto const& line : wrap_words(picks, 78))
        fmt::print("  {}\n", line);
}

std::string compare_sentence(Metrics const& mine, std::vector<PolicyRow> const& rows, bool every_policy)
{
    std::string same;
    bool better_than_all = true;
    double best = mine.averages.waiting;
    std::string best_name;
    for (auto const& row : rows) {
        auto waiting = row.metrics.averages.waiting;
        if (fmt::format("{:.2f}", waiting) == fmt::format("{:.2f}", mine.averages.waiting))
            same += (same.empty() ? "" : ", ") + row.policy;
        if (waiting <= mine.averages.waiting)
            better_than_all = false;
        if (waiting < best) {
            best = waiting;
            best_name = row.policy;
        }
    }
    auto text = fmt::format("your average waiting {:.2f}", mine.averages.waiting);
    if (!same.empty())
        text += " — as good as " + same;
    else if (better_than_all)
        text += every_policy ? " — better than every built-in policy" : " — better than every policy here";
    if (!best_name.empty())
        text += fmt::format("; {} did better ({:.2f})", best_name, best);
    return text;
}

}

int manual_command(RunSettings const& settings, Prepared const& prepared, Program const& program)
{
    std::optional<Tick> quantum;
    if (settings.quantum_given)
        quantum = settings.quantum;
    bool json = settings.format == "json";
    if (settings.format != "table" && !json) {
        fmt::print(stderr, "ticklab: error: step --manual prints its session and a table (--format table) or the "
                           "run's JSON (--format json), not '{}'\n",
            settings.format);
        return exit_code::usage;
    }
    auto compared = builtin_policy_list(settings.compare_with);
    if (auto const* error = std::get_if<std::string>(&compared)) {
        fmt::print(stderr, "ticklab: error: --compare-with: {}\n", *error);
        return exit_code::usage;
    }
    auto const& policies = std::get<std::vector<std::string>>(compared);
    bool every_policy = settings.compare_with == "all";
    // Answers given in a file come first, each checked when its pick comes.
    std::vector<std::string> scripted;
    if (!settings.choices.empty()) {
        std::ifstream in(settings.choices);
        if (!in) {
            fmt::print(stderr, "ticklab: error: cannot read the choices file '{}'\n", settings.choices);
            return exit_code::bad_input;
        }
        std::string line;
        while (std::getline(in, line)) {
            line = trim(line);
            if (!line.empty() && line[0] != '#')
                scripted.push_back(line);
        }
    }
    std::size_t next_scripted = 0;
    auto read = terminal_line_reader();
    // In JSON mode the session's questions and answers would spoil the document: only the
    // JSON is printed, so the answers must come without prompts.
    std::ostringstream quiet;
    auto* saved = json ? std::cout.rdbuf(quiet.rdbuf()) : nullptr;
    std::vector<ThreadId> answers;
    std::optional<Trace> trace;
    bool input_ended = false;
    while (!trace) {
        auto ran = run_by_hand(prepared.machine, program, prepared.options, policies, quantum, answers);
        if (auto* done = std::get_if<Trace>(&ran)) {
            trace = std::move(*done);
            continue;
        }
        // Every answer kept was checked against its pick, and runs are deterministic.
        VERIFY(std::holds_alternative<HandPick>(ran));
        auto const& question = std::get<HandPick>(ran);
        if (input_ended) {
            answers.push_back(question.ready.front());
            continue;
        }
        if (!json)
            show_question(question);
        std::optional<std::string> line;
        if (next_scripted < scripted.size()) {
            line = scripted[next_scripted++];
            if (!json)
                fmt::print("(choices file) {}\n", *line);
        } else {
            std::cout.flush();
            line = read("choose: ");
        }
        if (!line) {
            if (!json)
                fmt::print("no more choices: the rest of the run takes the first ready thread at each pick\n");
            input_ended = true;
            continue;
        }
        auto answer = trim(*line);
        if (answer == "back") {
            if (answers.empty())
                fmt::print("nothing to undo: this is the first choice\n");
            else {
                fmt::print("undone: {}\n", question.threads[index_of(answers.back())]);
                answers.pop_back();
            }
            continue;
        }
        auto picked = pick_from(answer, question);
        if (!picked) {
            if (next_scripted > 0 && next_scripted <= scripted.size() && answer == trim(scripted[next_scripted - 1])) {
                if (saved)
                    std::cout.rdbuf(saved);
                fmt::print(stderr, "ticklab: error: {}: choice {}: '{}' is not a ready thread here (ready: ", settings.choices,
                    next_scripted, answer);
                for (std::size_t i = 0; i < question.ready.size(); ++i)
                    fmt::print(stderr, "{}{}", i ? ", " : "", question.names[i]);
                fmt::print(stderr, ")\n");
                return exit_code::bad_input;
            }
            fmt::print("'{}' is not a ready thread here; answer a name or a number from the list, or back\n", answer);
            continue;
        }
        answers.push_back(*picked);
    }
    if (saved)
        std::cout.rdbuf(saved);

    auto metrics = compute_metrics(*trace);
    std::vector<std::string> choices;
    for (ThreadId id : answers)
        choices.push_back(trace->name(id));
    if (json) {
        std::ostringstream text;
        render_json(text, *trace, metrics);
        auto document = nlohmann::ordered_json::parse(text.str());
        document["choices"] = choices;
        std::cout << document.dump(2) << '\n';
        return exit_for(*trace);
    }
    fmt::print("\n");
    render_summary(std::cout, *trace, metrics);
    std::vector<PolicyRow> rows;
    rows.push_back(PolicyRow { "you", *trace, metrics });
    std::vector<PolicyRow> compared_rows;
    for (auto const& name : policies) {
        auto run = simulate_with(prepared, program, name);
        if (!run)
            return exit_code::bad_input;
        auto run_metrics = compute_metrics(*run);
        compared_rows.push_back(PolicyRow { name, std::move(*run), std::move(run_metrics) });
    }
    fmt::print("\nyour schedule beside {} on the same workload:\n",
        every_policy ? std::string("every built-in policy") : fmt::format("{}", fmt::join(policies, ", ")));
    rows.insert(rows.end(), compared_rows.begin(), compared_rows.end());
    print_policy_rows(rows);
    fmt::print("\n{}\n", compare_sentence(metrics, compared_rows, every_policy));
    fmt::print("your choices, to replay with --choices FILE: {}\n", fmt::join(choices, " "));
    return exit_for(*trace);
}

}
