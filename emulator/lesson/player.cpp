#include "lesson/player.hpp"
#include "lesson/player_text.hpp"

#include "lesson/capabilities.hpp"
#include "engine/machine.hpp"
#include "explore/by_hand.hpp"
#include "lesson/evaluate.hpp"
#include "lesson/lesson_parser.hpp"
#include "lesson/say.hpp"
#include "lesson/table_rows.hpp"
#include "sched/start_run.hpp"
#include "trace/render.hpp"
#include "trace/render_util.hpp"
#include "trace/visual.hpp"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sstream>

namespace tl {

namespace {

using namespace player_text;

std::vector<std::string> every_builtin_policy()
{
    auto all = builtin_policy_list("all");
    VERIFY(std::holds_alternative<std::vector<std::string>>(all));
    return std::get<std::vector<std::string>>(std::move(all));
}

class Player {
public:
    Player(CheckedLesson const& lesson, PlayOptions const& options, std::ostream& out, LineReader const& read)
        : m_lesson(lesson)
        , m_options(options)
        , m_out(out)
        , m_read(read)
        , m_reveal(options.reveal)
        , m_compare_with(options.compare_with ? *options.compare_with : every_builtin_policy())
    {
    }

    PlayResult play()
    {
        auto language = m_options.language;
        auto heading = lesson_heading(m_options.number, m_lesson.lesson.title, language);
        m_out << heading << '\n' << std::string(static_cast<std::size_t>(display_width(heading)), '=') << "\n\n";
        if (!m_lesson.lesson.needs.empty()) {
            std::string missing;
            for (auto const& need : m_lesson.lesson.needs)
                if (auto const* capability = find_capability(need))
                    missing += fmt::format("\n  - {}", describe(*capability, language));
            m_out << say(language,
                "Not yet available: part of this lesson is about something ticklab cannot run yet:{}\n"
                "The lesson shows what ticklab can show today, and marks the rest \"not yet in ticklab\".\n\n",
                "아직 준비 중: 이번 강의 일부는 ticklab이 아직 실행하지 못하는 내용을 다룹니다:{}\n"
                "오늘 보여 줄 수 있는 것은 직접 실행해 보고, 나머지는 \"ticklab에 아직 없음\"으로 표시해 두었습니다.\n\n",
                missing);
        }
        bool first_section = true;
        for (auto const& block : m_lesson.lesson.blocks) {
            if (!play_block(block, first_section))
                return PlayResult::Stopped;
            if (block.kind == BlockKind::Heading)
                first_section = false;
        }
        m_out << (m_options.number > 0 ? say(language, "End of lesson {}.\n", "{}강 끝.\n", m_options.number)
                                       : say(language, "End of the lesson.\n", "이번 강 끝.\n"));
        return m_input_ended ? PlayResult::InputEnded : PlayResult::Finished;
    }

private:
    // Waits for Enter; false when the learner asked to stop.
    bool pause(std::string_view prompt)
    {
        if (!m_options.pause || m_reveal)
            return true;
        m_out.flush();
        auto line = m_read(std::string(prompt));
        if (!line) {
            m_input_ended = true;
            m_reveal = true;
            return true;
        }
        return !(*line == "q" || *line == "quit");
    }

    bool play_block(Block const& block, bool first_section)
    {
        auto language = m_options.language;
        switch (block.kind) {
        case BlockKind::Heading: {
            if (!first_section && !pause(tr(language, "[Enter: go on, q: stop] ", "[Enter: 계속, q: 그만] ")))
                return false;
            m_out << block.text << '\n' << std::string(static_cast<std::size_t>(display_width(block.text)), '-') << "\n\n";
            return true;
        }
        case BlockKind::Prose:
            m_out << prose(block) << "\n\n";
            return true;
        case BlockKind::Pause:
            return pause(tr(language, "[Enter: go on, q: stop] ", "[Enter: 계속, q: 그만] "));
        case BlockKind::Code:
        case BlockKind::Program:
            m_out << indented(block.text, "    ") << '\n';
            return true;
        case BlockKind::NotYet: {
            auto const* capability = find_capability(block.name);
            auto what = capability ? describe(*capability, language) : std::string_view(block.name);
            m_out << say(language, "  +-- Not yet in ticklab: {}\n", "  +-- ticklab에 아직 없음: {}\n", what);
            m_out << indented(block.text, "  | ");
            m_out << "  +--\n\n";
            return true;
        }
        case BlockKind::Run:
            return true;
        case BlockKind::Show:
            show(block);
            return true;
        case BlockKind::Step:
            return step(block);
        case BlockKind::Predict:
            predict(block);
            return !m_stopped;
        case BlockKind::Choice:
            choice(block);
            return !m_stopped;
        case BlockKind::Check:
            return true;
        case BlockKind::Explore:
            explore_block(block);
            return !m_stopped;
        case BlockKind::Manual:
            return manual(block);
        }
        return true;
    }

    // A paragraph with its figures in place: the value the prose states, or the one the run
    // computes.
    std::string prose(Block const& block) const
    {
        std::string out;
        std::size_t at = 0;
        for (auto const& figure : block.figures) {
            out.append(block.text, at, figure.offset - at);
            at = figure.offset;
            if (figure.stated) {
                out += figure.stated_text;
            } else {
                auto result = evaluate(figure.expr, m_lesson, m_options.language);
                auto const* evaluation = std::get_if<Evaluation>(&result);
                out += evaluation ? to_string(evaluation->value) : "?";
            }
        }
        out.append(block.text, at);
        return block.figures.empty() ? out : rewrapped(out);
    }

    // The command that repeats a run; a program of the lesson itself has to be saved to a
    // file first, and the line says so.
    std::string command_line(LessonRun const& run) const
    {
        auto line = "$ " + run.command;
        if (run.program_in_lesson)
            line += say(m_options.language, "    ({}: the program above, saved as {}.tl)",
                "    ({}: 위의 프로그램을 {}.tl 파일로 저장하면 실행할 수 있습니다)", run.program.file, run.program.file);
        return line + "\n";
    }

    void show(Block const& block)
    {
        auto const* run = m_lesson.run(block.name);
        if (!run)
            return;
        m_out << command_line(*run);
        for (auto const& view : block.views) {
            if (view == "program") {
                m_out << '\n' << indented(without_header(run->program_source), "    ");
            } else if (view == "summary") {
                m_out << '\n';
                render_summary(m_out, run->trace, run->metrics);
            } else if (view == "output") {
                m_out << '\n';
                render_output(m_out, run->trace);
            } else if (view == "chart") {
                m_out << '\n';
                render_gantt(m_out, run->trace, run->metrics, GanttStyle { m_options.colour, m_options.width });
            } else {
                m_out << '\n';
                render_header(m_out, run->trace);
                m_out << '\n';
                render_table(m_out, run->trace);
                std::ostringstream printed;
                render_output(printed, run->trace);
                if (!printed.str().empty())
                    m_out << '\n' << tr(m_options.language, "output:\n", "출력:\n") << printed.str();
            }
        }
        m_out << '\n';
    }

    bool step(Block const& block)
    {
        auto const* run = m_lesson.run(block.name);
        if (!run)
            return true;
        auto language = m_options.language;
        TableRows rows(run->trace);
        auto last = block.to < 0 ? run->trace.end : std::min(block.to, run->trace.end);
        m_out << command_line(*run) << '\n' << rows.header();
        bool stepping = m_options.pause;
        for (Tick t = block.from; t <= last; ++t) {
            auto row = rows.row(t);
            if (!row)
                continue;
            m_out << *row;
            if (stepping && !m_reveal && t < last) {
                m_out.flush();
                auto line = m_read(std::string(tr(language, "[Enter: next tick, c: the rest, q: stop] ",
                    "[Enter: 다음 틱, c: 나머지 모두, q: 그만] ")));
                if (!line) {
                    m_input_ended = true;
                    m_reveal = true;
                    stepping = false;
                } else if (*line == "q" || *line == "quit") {
                    return false;
                } else if (*line == "c") {
                    stepping = false;
                }
            }
        }
        m_out << '\n';
        return true;
    }

    // The learner's answer, or nothing when they gave none (the input ended, or an empty
    // line) or asked to stop (q), which sets m_stopped.
    std::optional<std::string> ask()
    {
        if (m_reveal)
            return std::nullopt;
        m_out.flush();
        auto line = m_read("> ");
        if (!line) {
            m_input_ended = true;
            m_reveal = true;
            return std::nullopt;
        }
        if (*line == "q" || *line == "quit") {
            m_stopped = true;
            return std::nullopt;
        }
        return line;
    }

    void reveal(std::string const& answer, std::string const& evidence)
    {
        m_out << say(m_options.language, "Answer: {} — {}\n\n", "정답: {} — {}\n\n", bare(answer), evidence);
    }

    void verdict(bool right, std::string const& given, std::string const& answer, std::string const& evidence)
    {
        auto language = m_options.language;
        if (right)
            m_out << say(language, "Right: {}\n\n", "맞았습니다! {}\n\n", evidence);
        else
            m_out << say(language, "Not quite: you said {}; the answer is {} — {}\n\n",
                "아쉽네요. 입력한 답은 {}, 정답은 {}입니다. {}\n\n", bare(given), bare(answer), evidence);
    }

    void unavailable(std::string const& capability_name)
    {
        auto const* capability = find_capability(capability_name);
        auto what = capability ? describe(*capability, m_options.language) : std::string_view(capability_name);
        m_out << say(m_options.language,
            "(ticklab cannot compute this answer yet: it needs {}. Think it through; the lesson goes on below.)\n\n",
            "(ticklab은 아직 이 답을 계산할 수 없습니다. 필요한 기능: {}. 스스로 생각해 보고 다음으로 넘어가세요.)\n\n",
            what);
    }

    void predict(Block const& block)
    {
        auto language = m_options.language;
        m_out << "? " << block.text << '\n';
        auto result = evaluate(*block.expr, m_lesson, language);
        auto* evaluation = std::get_if<Evaluation>(&result);
        if (!evaluation)
            return; // check_lesson reported it; a lesson with errors is not played
        if (!evaluation->value.missing.empty()) {
            unavailable(evaluation->value.missing);
            return;
        }
        auto answer = to_string(evaluation->value);
        auto evidence = evidence_text(*evaluation, language);
        auto const* run = run_of(*block.expr, m_lesson);
        while (true) {
            auto line = ask();
            if (m_stopped)
                return;
            if (!line || line->find_first_not_of(" \t") == std::string::npos) {
                reveal(answer, evidence);
                return;
            }
            auto given = parse_answer(*line, evaluation->value.type, run, language, m_lesson.lesson.names);
            if (auto* problem = std::get_if<std::string>(&given)) {
                m_out << *problem << '\n';
                continue;
            }
            auto const& value = std::get<Value>(given);
            verdict(answer_matches(value, evaluation->value), to_string(value), answer, evidence);
            return;
        }
    }

    void choice(Block const& block)
    {
        auto language = m_options.language;
        m_out << "? " << block.text << '\n';
        for (std::size_t i = 0; i < block.options.size(); ++i)
            m_out << fmt::format("  {}) {}\n", static_cast<char>('a' + i), block.options[i].text);
        // Find the right option and its evidence, as check_lesson did.
        std::optional<std::size_t> right;
        Evaluation evidence_from;
        if (block.expr) {
            auto result = evaluate(*block.expr, m_lesson, language);
            auto* evaluation = std::get_if<Evaluation>(&result);
            if (!evaluation)
                return;
            if (!evaluation->value.missing.empty()) {
                unavailable(evaluation->value.missing);
                return;
            }
            evidence_from = *evaluation;
            for (std::size_t i = 0; i < block.options.size() && !right; ++i) {
                auto option = evaluate(*block.options[i].value, m_lesson, language);
                if (auto* value = std::get_if<Evaluation>(&option); value && same_value(value->value, evaluation->value))
                    right = i;
            }
        } else {
            for (std::size_t i = 0; i < block.options.size() && !right; ++i) {
                auto result = evaluate(*block.options[i].condition, m_lesson, language);
                auto* evaluation = std::get_if<Evaluation>(&result);
                if (!evaluation)
                    return;
                if (!evaluation->value.missing.empty()) {
                    unavailable(evaluation->value.missing);
                    return;
                }
                if (evaluation->value.truth) {
                    right = i;
                    evidence_from = *evaluation;
                }
            }
        }
        if (!right)
            return;
        auto answer = fmt::format("{}) {}", static_cast<char>('a' + *right), block.options[*right].text);
        auto evidence = evidence_text(evidence_from, language);
        auto last = static_cast<char>('a' + block.options.size() - 1);
        while (true) {
            auto line = ask();
            if (m_stopped)
                return;
            if (!line || line->find_first_not_of(" \t") == std::string::npos) {
                reveal(answer, evidence);
                return;
            }
            auto picked = pick(*line, block, m_lesson.lesson.names);
            if (!picked) {
                m_out << say(language, "Please answer with a letter from a to {}.\n", "a부터 {}까지의 글자로 답해 주세요.\n", last);
                continue;
            }
            verdict(*picked == *right, fmt::format("{}) {}", static_cast<char>('a' + *picked), block.options[*picked].text),
                answer, evidence);
            return;
        }
    }

    // ---- @explore ------------------------------------------------------------------------

    // "count = 2; deadlock: left waits for ..."
    std::string describe_outcome(ExploreOutcome const& outcome) const
    {
        auto language = m_options.language;
        std::string text;
        for (auto const& [name, value] : outcome.variables)
            text += fmt::format("{}{} = {}", text.empty() ? "" : ", ", name, value);
        auto add = [&](std::string part) { text += (text.empty() ? "" : "; ") + part; };
        if (outcome.deadlock)
            add(say(language, "deadlock: {}", "교착 상태: {}", outcome.deadlock_text));
        if (outcome.fault)
            add(say(language, "fault: {}", "오류: {}", *outcome.fault));
        if (outcome.tick_limit)
            add(std::string(tr(language, "stopped at the tick limit", "틱 한도에서 멈춤")));
        if (text.empty())
            text = tr(language, "every thread finishes", "모든 스레드가 끝남");
        return text;
    }

    // The command that explores a run, as the learner would type it.
    std::string explore_command(LessonRun const& run) const
    {
        auto cores = run.setup.machine.cores;
        auto line = fmt::format("$ ticklab explore {}{}", run.program.file, cores == 1 ? std::string() : fmt::format(" --cores {}", cores));
        if (run.program_in_lesson)
            line += say(m_options.language, "    ({}: the program above, saved as {}.tl)",
                "    ({}: 위의 프로그램을 {}.tl 파일로 저장하면 실행할 수 있습니다)", run.program.file, run.program.file);
        return line + "\n";
    }

    void explore_block(Block const& block)
    {
        auto language = m_options.language;
        auto const* run = m_lesson.run(block.name);
        if (!run || !run->explored)
            return;
        auto const& result = *run->explored;
        if (!block.variable.empty()) {
            m_out << "? " << block.text << '\n';
            auto truth = outcome_values(result, block.variable);
            auto answer = join_values(truth);
            std::string listed;
            for (std::size_t i = 0; i < truth.size(); ++i)
                listed += fmt::format("{}{}", i == 0 ? "" : i + 1 == truth.size() ? tr(language, " or ", ", ") : ", ", truth[i]);
            auto evidence = say(language, "explore tried all {} schedules of {}: {} can end at {}.",
                "explore로 {1}의 스케줄 {0}개를 모두 시도해 보니 {2}의 마지막 값은 {3} 중 하나입니다.", result.schedules,
                run->program.file, block.variable, listed);
            while (true) {
                auto line = ask();
                if (m_stopped)
                    return;
                if (!line || line->find_first_not_of(" \t") == std::string::npos) {
                    reveal(answer, evidence);
                    break;
                }
                auto given = parse_values(*line);
                if (!given) {
                    m_out << say(language, "Type every value it can end with, separated by spaces, such as: 1 2\n",
                        "끝날 수 있는 값을 모두 띄어 써서 입력하세요. 예: 1 2\n");
                    continue;
                }
                verdict(*given == truth, join_values(*given), answer, evidence);
                break;
            }
        }
        m_out << explore_command(*run) << '\n';
        m_out << say(language, "every schedule: {} in all, {} different outcome{}:\n",
            "모든 스케줄: 모두 {}개, 서로 다른 결과 {}가지:\n", result.schedules, result.outcomes.size(),
            result.outcomes.size() == 1 ? "" : "s");
        std::vector<std::string> described;
        int width = 0;
        for (auto const& outcome : result.outcomes) {
            described.push_back(describe_outcome(outcome));
            width = std::max(width, display_width(described.back()));
        }
        for (std::size_t i = 0; i < result.outcomes.size(); ++i)
            m_out << "  " << pad_right(described[i], width)
                  << say(language, "   {} schedule{}\n", "   스케줄 {}개\n", result.outcomes[i].schedules,
                         result.outcomes[i].schedules == 1 ? "" : "s");
        m_out << '\n';
    }

    // ---- @manual -------------------------------------------------------------------------

    std::string manual_command(LessonRun const& run) const
    {
        auto words = run.command;
        if (words.rfind("ticklab run ", 0) == 0)
            words = "ticklab step " + words.substr(12);
        auto line = "$ " + words + " --manual";
        if (m_options.compare_with)
            line += fmt::format(" --compare-with {}", fmt::join(m_compare_with, ","));
        if (run.program_in_lesson)
            line += say(m_options.language, "    ({}: the program above, saved as {}.tl)",
                "    ({}: 위의 프로그램을 {}.tl 파일로 저장하면 실행할 수 있습니다)", run.program.file, run.program.file);
        return line + "\n";
    }

    void show_pick(HandPick const& pick, bool details)
    {
        auto language = m_options.language;
        m_out << say(language, "tick {}, core {}: which thread runs?\n", "틱 {}, 코어 {}: 어느 스레드를 실행할까요?\n", pick.tick,
            pick.core);
        int width = 0;
        for (auto const& name : pick.names)
            width = std::max(width, display_width(name));
        for (std::size_t i = 0; i < pick.ready.size(); ++i) {
            auto const& need = pick.needs[i];
            std::string next = need.next.empty() ? std::string(tr(language, "its end", "끝")) : need.next;
            if (need.under_way)
                next += tr(language, " (under way)", " (진행 중)");
            if (!need.step.empty())
                next += need.read ? say(language, ", its {} step (it read {})", "의 {} 단계 (읽은 값 {})", need.step, *need.read)
                                  : say(language, ", its {} step", "의 {} 단계", need.step);
            if (details)
                next += say(language, " ({} tick{} before it waits or ends)", " (기다리거나 끝나기까지 {}틱)", need.burst,
                    need.burst == 1 ? "" : "s");
            m_out << fmt::format("  {}. {}  ", i + 1, pad_right(pick.names[i], width))
                  << say(language, "next: {}\n", "다음: {}\n", next);
        }
        if (!details)
            return;
        std::string picks;
        for (auto const& name : pick.names) {
            std::string who;
            for (auto const& [policy, thread] : pick.picks)
                if (thread == name)
                    who += (who.empty() ? "" : ", ") + policy;
            if (!who.empty())
                picks += fmt::format("{}{} → {}", picks.empty() ? "" : "; ", who, name);
        }
        if (!picks.empty())
            m_out << say(language, "  the policies would pick: {}\n", "  정책들의 선택: {}\n", picks);
    }

    // The ready thread the learner means: its name in any case, a word of @names, or its number.
    std::optional<ThreadId> picked_thread(std::string const& input, HandPick const& pick, LessonRun const& run) const
    {
        if (auto id = pick_from(input, pick))
            return id;
        if (auto name = named_in_run(run.trace, input, m_lesson.lesson.names))
            for (std::size_t i = 0; i < pick.ready.size(); ++i)
                if (pick.names[i] == *name)
                    return pick.ready[i];
        return std::nullopt;
    }

    struct Played {
        Trace trace;
        std::vector<ThreadId> answers;
        std::vector<bool> chosen; // per answer: more than one thread was ready
        bool stopped = false;
        bool gave_up = false;
    };

    // One run scheduled by the learner; the picks with one thread ready are made alone.
    Played play_by_hand(LessonRun const& run, bool details, bool has_goal)
    {
        auto language = m_options.language;
        Played played;
        bool ask_more = !m_reveal;
        while (true) {
            auto ran = run_by_hand(
                run.setup.machine, run.program, run.setup.options, m_compare_with, run.setup.quantum, played.answers);
            if (auto* trace = std::get_if<Trace>(&ran)) {
                played.trace = std::move(*trace);
                return played;
            }
            auto const* pick = std::get_if<HandPick>(&ran);
            if (!pick) {
                // Cannot happen: every answer was one of its pick's ready threads, and runs are
                // deterministic. Were it to, the learner is shown the way rather than a broken run.
                played.gave_up = true;
                return played;
            }
            if (pick->ready.size() == 1 || !ask_more) {
                played.answers.push_back(pick->ready.front());
                played.chosen.push_back(pick->ready.size() > 1);
                continue;
            }
            show_pick(*pick, details);
            m_out.flush();
            auto line = m_read(std::string(tr(language, "pick: ", "선택: ")));
            if (!line) {
                m_input_ended = true;
                m_reveal = true;
                ask_more = false;
                m_out << tr(language, "(no more input: the rest of the run takes the first ready thread at each pick)\n",
                    "(입력이 끝났습니다: 나머지는 고를 때마다 준비된 첫 스레드를 실행합니다)\n");
                continue;
            }
            auto answer = std::string(lesson_parsing::trim(*line));
            if (answer == "q" || answer == "quit") {
                played.stopped = true;
                return played;
            }
            if (has_goal && (answer == "give up" || answer == "포기")) {
                played.gave_up = true;
                return played;
            }
            if (answer == "back" || answer == "뒤로") {
                while (!played.answers.empty() && !played.chosen.back()) {
                    played.answers.pop_back();
                    played.chosen.pop_back();
                }
                if (played.answers.empty()) {
                    m_out << tr(language, "nothing to undo: this is the first pick\n", "취소할 것이 없습니다: 첫 선택입니다\n");
                    continue;
                }
                m_out << say(language, "undone: {}\n", "취소: {}\n", pick->threads[index_of(played.answers.back())]);
                played.answers.pop_back();
                played.chosen.pop_back();
                continue;
            }
            auto id = picked_thread(answer, *pick, run);
            if (!id) {
                m_out << say(language, "'{}' is not a ready thread here: type a name or a number from the list{}\n",
                    "'{}'은(는) 지금 준비된 스레드가 아닙니다. 목록의 이름이나 번호를 입력하세요{}\n", answer,
                    has_goal ? tr(language, " (back: undo, give up: see a way)", " (뒤로: 취소, 포기: 방법 보기)")
                             : tr(language, " (back: undo)", " (뒤로: 취소)"));
                continue;
            }
            played.answers.push_back(*id);
            played.chosen.push_back(true);
        }
    }

    void show_chart(Trace const& trace)
    {
        render_gantt(m_out, trace, compute_metrics(trace), GanttStyle { m_options.colour, m_options.width });
        m_out << '\n';
    }

    std::string goal_evidence(Block const& block, Trace const& trace, bool& reached) const
    {
        auto judged = evaluate_goal(*block.expr, m_lesson, block.name, trace, m_options.language);
        auto const* evaluation = std::get_if<Evaluation>(&judged);
        reached = evaluation && evaluation->value.truth;
        return evaluation ? evidence_text(*evaluation, m_options.language) : std::string();
    }

    void show_witness(Block const& block, LessonRun const& run, std::size_t index)
    {
        auto language = m_options.language;
        auto found = m_lesson.witnesses.find(index);
        if (found == m_lesson.witnesses.end())
            return;
        auto const& witness = found->second;
        auto ran = run_by_hand(run.setup.machine, run.program, run.setup.options, {}, run.setup.quantum, witness.answers);
        auto const* trace = std::get_if<Trace>(&ran);
        if (!trace)
            return;
        m_out << say(language, "A schedule that does it (each pick with more than one thread ready): {}\n",
            "이렇게 고르면 됩니다 (스레드가 둘 이상 준비됐을 때마다 고른 것): {}\n",
            picks_text(*trace, witness.answers, witness.choice));
        bool reached = false;
        auto evidence = goal_evidence(block, *trace, reached);
        m_out << "  → " << evidence << "\n\n";
        show_chart(*trace);
    }

    // The policies compared with (every built-in one unless --compare-with chose some) on the
    // run's workload, the learner's run first when there is one.
    void compare_with_policies(LessonRun const& run, Trace const* mine)
    {
        auto language = m_options.language;
        struct Row {
            std::string label;
            Metrics metrics;
        };
        std::vector<Row> rows;
        if (mine)
            rows.push_back(Row { std::string(tr(language, "you", "나")), compute_metrics(*mine) });
        for (auto const& name : m_compare_with) {
            // A policy that does not read one of the run's settings is left out.
            auto simulated = simulate_run(run.setup.machine, run.program, name, run.setup.options);
            if (auto const* trace = std::get_if<Trace>(&simulated))
                rows.push_back(Row { name, compute_metrics(*trace) });
        }
        std::vector<std::string> header { "", std::string(tr(language, "waiting", "평균 대기")),
            std::string(tr(language, "turnaround", "평균 반환")), std::string(tr(language, "response", "평균 응답")),
            std::string(tr(language, "makespan", "끝난 틱")), std::string(tr(language, "switches", "전환")) };
        std::vector<std::vector<std::string>> cells;
        for (auto const& row : rows)
            cells.push_back({ row.label, fmt::format("{:.2f}", row.metrics.averages.waiting),
                fmt::format("{:.2f}", row.metrics.averages.turnaround), fmt::format("{:.2f}", row.metrics.averages.response),
                fmt::format("{}", row.metrics.makespan), fmt::format("{}", row.metrics.context_switches) });
        std::vector<int> width(header.size());
        for (std::size_t c = 0; c < header.size(); ++c) {
            width[c] = display_width(header[c]);
            for (auto const& line : cells)
                width[c] = std::max(width[c], display_width(line[c]));
        }
        auto print = [&](std::vector<std::string> const& line) {
            std::string text = "  " + pad_right(line[0], width[0]);
            for (std::size_t c = 1; c < line.size(); ++c)
                text += "  " + pad_left(line[c], width[c]);
            m_out << text << '\n';
        };
        print(header);
        for (auto const& line : cells)
            print(line);
        m_out << '\n';
        if (!mine)
            return;
        // "as good as sjf", "better than every built-in policy", "sjf did better (3.00)".
        auto const& you = rows.front().metrics.averages.waiting;
        std::string same;
        bool best_of_all = true;
        double best = you;
        std::string best_name;
        for (std::size_t i = 1; i < rows.size(); ++i) {
            auto waiting = rows[i].metrics.averages.waiting;
            if (fmt::format("{:.2f}", waiting) == fmt::format("{:.2f}", you))
                same += (same.empty() ? "" : ", ") + rows[i].label;
            if (waiting <= you)
                best_of_all = false;
            if (waiting < best) {
                best = waiting;
                best_name = rows[i].label;
            }
        }
        auto text = say(language, "Your average waiting is {:.2f}", "내 평균 대기 시간: {:.2f}", you);
        if (!same.empty())
            text += say(language, ": as good as {}", ". {}만큼 좋습니다", same);
        else if (best_of_all)
            text += m_options.compare_with ? tr(language, ": better than every policy here", ". 여기 있는 모든 정책보다 좋습니다")
                                           : tr(language, ": better than every built-in policy", ". 모든 기본 정책보다 좋습니다");
        if (!best_name.empty())
            text += say(language, "; {} did better ({:.2f})", ". 더 나은 정책은 {}({:.2f})입니다", best_name, best);
        m_out << text << ".\n\n";
    }

    bool manual(Block const& block)
    {
        auto language = m_options.language;
        auto const* run = m_lesson.run(block.name);
        if (!run)
            return true;
        auto index = static_cast<std::size_t>(&block - m_lesson.lesson.blocks.data());
        bool has_goal = block.expr.has_value();
        m_out << (has_goal ? say(language, "* Challenge: {}\n", "* 도전: {}\n", block.text)
                           : say(language, "* Your turn: {}\n", "* 직접 해 보기: {}\n", block.text));
        m_out << manual_command(*run) << '\n';
        if (m_reveal) {
            if (has_goal)
                show_witness(block, *run, index);
            else {
                if (m_options.compare_with)
                    m_out << say(language, "At a terminal you pick the threads yourself. {} on the same workload:\n",
                        "터미널에서는 스레드를 직접 고릅니다. 같은 작업에서 {}의 결과:\n", fmt::join(m_compare_with, ", "));
                else
                    m_out << tr(language, "At a terminal you pick the threads yourself. Every built-in policy on the same workload:\n",
                        "터미널에서는 스레드를 직접 고릅니다. 같은 작업에서 기본 정책들의 결과:\n");
                compare_with_policies(*run, nullptr);
            }
            return true;
        }
        m_out << (has_goal ? tr(language,
                                 "Whenever the core needs a thread, type its name or its number. back undoes your last pick;\n"
                                 "give up shows a schedule that does it; q stops the lesson.\n\n",
                                 "코어가 스레드를 필요로 할 때마다 이름이나 번호를 입력하세요. 뒤로(back)는 방금 고른 것을\n"
                                 "취소하고, 포기(give up)는 방법을 보여 주며, q는 강의를 멈춥니다.\n\n")
                           : tr(language,
                                 "Whenever a core needs a thread, type its name or its number. back undoes your last pick;\n"
                                 "q stops the lesson.\n\n",
                                 "코어가 스레드를 필요로 할 때마다 이름이나 번호를 입력하세요. 뒤로(back)는 방금 고른 것을\n"
                                 "취소하고, q는 강의를 멈춥니다.\n\n"));
        while (true) {
            auto played = play_by_hand(*run, !has_goal, has_goal);
            if (played.stopped) {
                m_stopped = true;
                return false;
            }
            if (played.gave_up) {
                show_witness(block, *run, index);
                return true;
            }
            m_out << '\n' << say(language, "Your picks: {}\n\n", "고른 순서: {}\n\n", picks_text(played.trace, played.answers, played.chosen));
            show_chart(played.trace);
            if (!has_goal) {
                compare_with_policies(*run, &played.trace);
                return true;
            }
            bool reached = false;
            auto evidence = goal_evidence(block, played.trace, reached);
            if (reached) {
                m_out << say(language, "Done: {}\n\n", "성공! {}\n\n", evidence);
                return true;
            }
            m_out << say(language, "Not yet: {}\n", "아직 아닙니다. {}\n", evidence);
            if (m_reveal) {
                m_out << '\n';
                show_witness(block, *run, index);
                return true;
            }
            while (true) {
                m_out.flush();
                auto line = m_read(std::string(tr(language, "[Enter: try again, s: show a way, q: stop] ",
                    "[Enter: 다시 하기, s: 방법 보기, q: 그만] ")));
                if (!line) {
                    m_input_ended = true;
                    m_reveal = true;
                    m_out << '\n';
                    show_witness(block, *run, index);
                    return true;
                }
                auto answer = std::string(lesson_parsing::trim(*line));
                if (answer == "q" || answer == "quit") {
                    m_stopped = true;
                    return false;
                }
                if (answer == "s") {
                    m_out << '\n';
                    show_witness(block, *run, index);
                    return true;
                }
                if (answer.empty())
                    break;
                m_out << tr(language, "Press Enter to try again, or type s to see a way, or q to stop.\n",
                    "다시 하려면 Enter를, 방법을 보려면 s를, 그만두려면 q를 입력하세요.\n");
            }
            m_out << '\n';
        }
    }

    CheckedLesson const& m_lesson;
    PlayOptions const& m_options;
    std::ostream& m_out;
    LineReader const& m_read;
    bool m_reveal = false;
    std::vector<std::string> m_compare_with; // the built-in policies a @manual shows beside the learner
    bool m_input_ended = false;
    bool m_stopped = false;
};

}

std::string lesson_heading(int number, std::string_view title, Language language)
{
    if (number <= 0)
        return std::string(title);
    return language == Language::Ko ? fmt::format("{}강: {}", number, title) : fmt::format("Lesson {}: {}", number, title);
}

PlayResult play_lesson(CheckedLesson const& lesson, PlayOptions const& options, std::ostream& out, LineReader const& read)
{
    Player player(lesson, options, out, read);
    return player.play();
}

}
