#include "lesson/player.hpp"

#include "lesson/capabilities.hpp"
#include "lesson/evaluate.hpp"
#include "lesson/say.hpp"
#include "lesson/table_rows.hpp"
#include "trace/render.hpp"
#include "trace/render_util.hpp"
#include "trace/visual.hpp"

#include <fmt/format.h>
#include <sstream>

namespace tl {

namespace {

std::string indented(std::string_view text, std::string_view prefix)
{
    std::string out;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos)
            end = text.size();
        auto line = text.substr(start, end - start);
        out += line.empty() ? std::string(prefix.substr(0, prefix.find_last_not_of(' ') + 1)) : std::string(prefix);
        out += line;
        out += '\n';
        start = end + 1;
    }
    return out;
}

// A program file without the comment block it opens with: that block explains the program,
// often with the very answers a lesson asks for, and the lesson's prose does the explaining.
std::string_view without_header(std::string_view source)
{
    std::size_t start = 0;
    while (start < source.size()) {
        auto end = source.find('\n', start);
        if (end == std::string_view::npos)
            end = source.size();
        auto line = source.substr(start, end - start);
        auto first = line.find_first_not_of(" \t\r");
        if (first != std::string_view::npos && line[first] != '#')
            break;
        start = end + 1;
    }
    return start < source.size() ? source.substr(start) : source;
}

class Player {
public:
    Player(CheckedLesson const& lesson, PlayOptions const& options, std::ostream& out, LineReader const& read)
        : m_lesson(lesson)
        , m_options(options)
        , m_out(out)
        , m_read(read)
        , m_reveal(options.reveal)
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

    // A figure is shorter on screen than in the lesson's source, so a paragraph with figures
    // is wrapped again, at spaces, to the width lessons are written to. Paragraphs whose lines
    // are items or indented keep their lines.
    static std::string rewrapped(std::string const& text)
    {
        constexpr int width = 90;
        std::size_t start = 0;
        std::string_view all(text);
        while (start <= all.size()) {
            auto end = all.find('\n', start);
            if (end == std::string_view::npos)
                end = all.size();
            auto line = all.substr(start, end - start);
            if (!line.empty() && (line.front() == ' ' || line.front() == '-' || line.front() == '|'))
                return text;
            start = end + 1;
        }
        std::string out;
        for (auto const& line : wrap_words(text, width))
            out += (out.empty() ? "" : "\n") + line;
        return out;
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

    // "pasta" or "a) It finishes sooner", without a final period before the evidence's dash.
    static std::string bare(std::string answer)
    {
        while (!answer.empty() && answer.back() == '.')
            answer.pop_back();
        return answer;
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

    // The option the learner means: its letter, its number, or its text (or, for an option
    // that is a name, a word the lesson's @names gives it: "파스타" for "- pasta").
    static std::optional<std::size_t> pick(std::string const& input, Block const& block, std::vector<NameAlias> const& aliases)
    {
        auto start = input.find_first_not_of(" \t");
        auto end = input.find_last_not_of(" \t)");
        auto text = input.substr(start, end == std::string::npos ? std::string::npos : end - start + 1);
        for (auto const& alias : aliases)
            if (alias.word == text)
                text = alias.name;
        auto count = block.options.size();
        if (text.size() == 1) {
            char c = text[0];
            if (c >= 'A' && c <= 'Z')
                c = static_cast<char>(c - 'A' + 'a');
            if (c >= 'a' && static_cast<std::size_t>(c - 'a') < count)
                return static_cast<std::size_t>(c - 'a');
            if (c >= '1' && static_cast<std::size_t>(c - '1') < count)
                return static_cast<std::size_t>(c - '1');
        }
        for (std::size_t i = 0; i < count; ++i)
            if (block.options[i].text == text)
                return i;
        return std::nullopt;
    }

    CheckedLesson const& m_lesson;
    PlayOptions const& m_options;
    std::ostream& m_out;
    LineReader const& m_read;
    bool m_reveal = false;
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
