#include "lesson/check.hpp"

#include "engine/machine.hpp"
#include "explore/by_hand.hpp"
#include "lang/parser.hpp"
#include "lesson/evaluate.hpp"
#include "lesson/lesson_parser.hpp"
#include "sched/start_run.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <map>

namespace tl {

LessonRun const* CheckedLesson::run(std::string_view name) const
{
    for (std::size_t i = 0; i < lesson.runs.size() && i < runs.size(); ++i)
        if (lesson.runs[i].name == name && runs[i])
            return &*runs[i];
    return nullptr;
}

namespace {

class LessonChecker {
public:
    LessonChecker(std::string_view source, std::string file, LessonEnvironment const& environment)
        : m_environment(environment)
    {
        auto parsed = parse_lesson(source, std::move(file));
        m_checked.lesson = std::move(parsed.lesson);
        m_checked.errors = std::move(parsed.errors);
    }

    CheckedLesson check()
    {
        auto const& lesson = m_checked.lesson;
        for (auto const& block : lesson.blocks)
            if (block.kind == BlockKind::Program)
                m_programs[block.name] = &block;
        m_checked.runs.resize(lesson.runs.size());
        for (std::size_t i = 0; i < lesson.runs.size(); ++i)
            m_checked.runs[i] = simulate_run(lesson.runs[i]);
        for (std::size_t b = 0; b < lesson.blocks.size(); ++b) {
            evaluate_block(lesson.blocks[b]);
            if (lesson.blocks[b].kind == BlockKind::Explore)
                check_explore(lesson.blocks[b]);
            if (lesson.blocks[b].kind == BlockKind::Manual)
                check_manual(lesson.blocks[b], b);
        }
        check_answers_unseen();
        check_names();
        auto const& file = lesson.file;
        std::stable_sort(m_checked.errors.begin(), m_checked.errors.end(), [&](Diagnostic const& a, Diagnostic const& b) {
            // The lesson's own errors in source order; errors inside a program file it names come
            // after them.
            bool a_own = a.file == file;
            bool b_own = b.file == file;
            if (a_own != b_own)
                return a_own;
            if (!a_own)
                return false;
            return a.where.line != b.where.line ? a.where.line < b.where.line : a.where.column < b.where.column;
        });
        return std::move(m_checked);
    }

private:
    void error(SourceLocation where, std::string message, std::string const& source_line)
    {
        m_checked.errors.push_back(Diagnostic { m_checked.lesson.file, where, std::move(message), source_line });
    }

    // Where a run's option word is, or the directive itself when it is not among its words.
    SourceLocation word_where(RunDirective const& run, std::string_view word) const
    {
        for (std::size_t i = 0; i < run.words.size(); ++i)
            if (run.words[i] == word)
                return run.word_where[i];
        return run.where;
    }

    std::optional<LessonRun> simulate_run(RunDirective const& directive)
    {
        auto const& line = directive.source_line;
        auto parsed_args = m_environment.parse_run_args(directive.words);
        if (auto* problem = std::get_if<RunArgsError>(&parsed_args)) {
            auto where = problem->word < directive.word_where.size() ? directive.word_where[problem->word] : directive.where;
            error(where, problem->message, line);
            return std::nullopt;
        }
        LessonRun run;
        run.name = directive.name;
        run.command = directive.command;
        run.setup = std::get<RunSetup>(std::move(parsed_args));
        auto& setup = run.setup;

        if (!directive.program.empty() && !setup.jobs.empty()) {
            error(word_where(directive, setup.jobs), "give a run either a program or --jobs, not both", line);
            return std::nullopt;
        }
        if (directive.program.empty() && setup.jobs.empty()) {
            error(directive.where, "a run needs a program: '@run NAME = PROGRAM [ticklab run options]'", line);
            return std::nullopt;
        }
        if (!directive.program.empty()) {
            if (auto found = m_programs.find(directive.program); found != m_programs.end()) {
                auto const& block = *found->second;
                auto parsed = parse_program(block.text, m_checked.lesson.file);
                // The block's lines are the lesson's lines, shifted: errors point into the lesson.
                for (auto diagnostic : parsed.errors) {
                    diagnostic.where.line += block.first_line - 1;
                    m_checked.errors.push_back(std::move(diagnostic));
                }
                if (!parsed.ok())
                    return std::nullopt;
                run.program = std::move(parsed.program);
                run.program.file = directive.program;
                run.program_source = block.text;
                run.program_in_lesson = true;
            } else {
                std::string problem;
                auto text = m_environment.find_program(directive.program, problem);
                if (!text) {
                    error(directive.program_where,
                        fmt::format("{} (name a bundled program, a file, or a '::: program' block of this lesson)", problem),
                        line);
                    return std::nullopt;
                }
                auto parsed = parse_program(text->content, text->name);
                for (auto& diagnostic : parsed.errors)
                    m_checked.errors.push_back(std::move(diagnostic));
                if (!parsed.ok())
                    return std::nullopt;
                run.program = std::move(parsed.program);
                // The learner named it "kitchen": the table's header says so too, wherever the
                // file was found.
                run.program.file = directive.program;
                run.program_source = text->content;
            }
        } else {
            auto parsed = parse_jobs(setup.jobs);
            auto at = word_where(directive, setup.jobs);
            for (auto const& diagnostic : parsed.errors) {
                // Columns inside the jobs list become columns of the lesson line (quotes aside).
                auto where = at;
                if (at.line == directive.where.line && at.column > 1)
                    where.column = at.column + std::max(0, diagnostic.where.column - 1);
                error(where, diagnostic.message, line);
            }
            if (!parsed.ok())
                return std::nullopt;
            run.program = std::move(parsed.program);
            run.program_source = setup.jobs;
        }
        auto simulated = tl::simulate_run(setup.machine, run.program, setup.scheduler, setup.options);
        if (auto const* problems = std::get_if<std::vector<RunProblem>>(&simulated)) {
            // Each at what it is about: the directive, the program, the scheduler's word.
            for (auto const& problem : *problems) {
                auto where = problem.kind == RunProblem::Kind::Policy ? word_where(directive, setup.scheduler)
                    : problem.kind == RunProblem::Kind::Program && !directive.program.empty()
                    ? directive.program_where
                    : directive.where;
                error(where, problem.message, line);
            }
            return std::nullopt;
        }
        run.trace = std::get<Trace>(std::move(simulated));
        if (run.trace.outcome == Outcome::TickLimit) {
            error(directive.where,
                fmt::format("this run stopped at its tick limit ({} ticks) before every thread finished; "
                            "a lesson's runs must finish",
                    setup.machine.max_ticks),
                line);
            return std::nullopt;
        }
        run.metrics = compute_metrics(run.trace);
        return run;
    }

    // Whether every run an expression reads has run; errors about the others were reported.
    bool runs_ready(Expr const& expr) const
    {
        if (expr.kind == Expr::Kind::Measure)
            return m_checked.run(expr.run) != nullptr;
        return std::all_of(expr.operands.begin(), expr.operands.end(), [&](Expr const& operand) { return runs_ready(operand); });
    }

    std::optional<Evaluation> evaluate_here(Expr const& expr, std::string const& line)
    {
        if (!runs_ready(expr))
            return std::nullopt;
        auto result = evaluate(expr, m_checked, Language::En);
        if (auto* problem = std::get_if<EvaluationError>(&result)) {
            error(problem->where, problem->message, line);
            return std::nullopt;
        }
        return std::get<Evaluation>(std::move(result));
    }

    // "makespan is 13" for a measure, "13" for a literal.
    static std::string side(Expr const& expr, Value const& value)
    {
        if (expr.kind == Expr::Kind::Number || expr.kind == Expr::Kind::Text)
            return to_string(value);
        return fmt::format("{} is {}", to_string(expr), to_string(value));
    }

    void evaluate_block(Block const& block)
    {
        auto const& line = block.source_line;
        switch (block.kind) {
        case BlockKind::Predict:
            if (block.expr)
                evaluate_here(*block.expr, line);
            break;
        case BlockKind::Check: {
            if (!block.expr)
                break;
            auto const& expr = *block.expr;
            auto result = evaluate_here(expr, line);
            if (!result || !result->value.missing.empty() || result->value.truth)
                break;
            // Say what the emulator found for each side, so the teacher sees what to fix.
            std::string found;
            if (expr.kind == Expr::Kind::Binary) {
                auto left = evaluate(expr.operands[0], m_checked, Language::En);
                auto right = evaluate(expr.operands[1], m_checked, Language::En);
                std::vector<std::string> sides;
                if (auto* value = std::get_if<Evaluation>(&left); value && expr.operands[0].kind != Expr::Kind::Number
                    && expr.operands[0].kind != Expr::Kind::Text)
                    sides.push_back(side(expr.operands[0], value->value));
                if (auto* value = std::get_if<Evaluation>(&right); value && expr.operands[1].kind != Expr::Kind::Number
                    && expr.operands[1].kind != Expr::Kind::Text)
                    sides.push_back(side(expr.operands[1], value->value));
                for (auto const& text : sides)
                    found += (found.empty() ? "" : " and ") + text;
            }
            error(expr.where,
                found.empty() ? fmt::format("this check does not hold: {}", to_string(expr))
                              : fmt::format("this check does not hold: {} (the lesson claims {})", found, to_string(expr)),
                line);
            break;
        }
        case BlockKind::Choice:
            evaluate_choice(block);
            break;
        case BlockKind::Step:
            check_step(block);
            break;
        case BlockKind::Prose:
            for (auto const& figure : block.figures)
                evaluate_figure(figure);
            break;
        case BlockKind::Heading:
        case BlockKind::Pause:
        case BlockKind::Code:
        case BlockKind::NotYet:
        case BlockKind::Program:
        case BlockKind::Run:
        case BlockKind::Show:
        case BlockKind::Explore:
        case BlockKind::Manual:
            break;
        }
    }

    // Every schedule of a run, found once and kept with the run; nothing (after an error at
    // `where`) when explore could not see them all.
    ExploreResult const* explored(std::string const& name, SourceLocation where, std::string const& line)
    {
        LessonRun* run = nullptr;
        for (std::size_t i = 0; i < m_checked.lesson.runs.size(); ++i)
            if (m_checked.lesson.runs[i].name == name && m_checked.runs[i])
                run = &*m_checked.runs[i];
        if (!run)
            return nullptr; // it could not run: reported at its @run
        if (!run->explored) {
            run->explored = explore(run->setup.machine, run->program, ExploreLimits { lesson_explore_states });
            if (!run->explored->complete)
                error(where,
                    fmt::format("explore stopped at {} states before it saw every schedule of run '{}': a lesson "
                                "explores only programs small enough to see them all",
                        run->explored->states, name),
                    line);
        }
        return run->explored->complete ? &*run->explored : nullptr;
    }

    void check_explore(Block const& block)
    {
        auto const* result = explored(block.name, block.where, block.source_line);
        if (!result || block.variable.empty())
            return;
        auto const* run = m_checked.run(block.name);
        auto names = variable_names(run->program);
        if (std::find(names.begin(), names.end(), block.variable) == names.end())
            error(block.variable_where,
                names.empty() ? fmt::format("run '{}' has no shared variable to ask about", block.name)
                              : fmt::format("run '{}' has no shared variable '{}'{} (variables: {})", block.name,
                                    block.variable, lesson_parsing::did_you_mean(block.variable, names),
                                    lesson_parsing::join(names)),
                block.source_line);
    }

    // A goal must be reachable: one of explore's witnesses, replayed by hand, must reach it.
    void check_manual(Block const& block, std::size_t index)
    {
        auto const* run = m_checked.run(block.name);
        if (!run || !block.expr)
            return;
        auto const& goal = *block.expr;
        if (!runs_ready(goal))
            return;
        // The goal must be something a run can be judged by (its measures exist in the run).
        if (!evaluate_here(goal, block.source_line))
            return;
        auto const* result = explored(block.name, block.where, block.source_line);
        if (!result)
            return;
        auto quantum = run->setup.quantum;
        for (auto const& outcome : result->outcomes) {
            std::vector<ThreadId> answers;
            for (auto const& name : outcome.witness)
                if (auto id = find_thread(run->trace, name))
                    answers.push_back(*id);
            std::vector<std::size_t> ready;
            auto ran = run_by_hand(run->setup.machine, run->program, run->setup.options, {}, quantum, answers, &ready);
            auto* trace = std::get_if<Trace>(&ran);
            if (!trace)
                continue;
            auto judged = evaluate_goal(goal, m_checked, block.name, *trace, Language::En);
            auto* evaluation = std::get_if<Evaluation>(&judged);
            if (!evaluation || !evaluation->value.truth)
                continue;
            CheckedLesson::Witness witness;
            witness.answers = std::move(answers);
            for (auto count : ready)
                witness.choice.push_back(count > 1);
            m_checked.witnesses[index] = std::move(witness);
            return;
        }
        error(goal.where,
            fmt::format("no schedule reaches this goal: explore saw every schedule of run '{}' ({} outcome{}) and none "
                        "makes {} true{}",
                block.name, result->outcomes.size(), result->outcomes.size() == 1 ? "" : "s", to_string(goal),
                quantum == Tick { 1 } ? "" : "; explore switches threads at every tick, so give the run '--quantum 1'"),
            block.source_line);
    }

    // A figure the prose states must be what the run says: exactly for a whole number, to
    // the decimals written otherwise ("1.86" and "1.9" for 1.857, not "1.8" or "2").
    void evaluate_figure(Figure const& figure)
    {
        auto result = evaluate_here(figure.expr, figure.source_line);
        if (!result || !result->value.missing.empty() || !figure.stated)
            return;
        auto stated = evaluate(*figure.stated, m_checked, Language::En);
        auto* stated_value = std::get_if<Evaluation>(&stated);
        if (!stated_value)
            return;
        if (!figure_holds(stated_value->value, figure.stated_text, result->value))
            error(figure.stated_where,
                fmt::format("this figure is wrong: {} is {} (the lesson says {})", to_string(figure.expr),
                    to_string(result->value), figure.stated_text),
                figure.source_line);
    }

    static bool figure_holds(Value const& stated, std::string_view written, Value const& truth)
    {
        if (truth.type != ValueType::Number)
            return same_value(stated, truth);
        auto point = written.find('.');
        if (point == std::string_view::npos)
            return std::abs(stated.number - truth.number) < 1e-9;
        auto decimals = written.size() - point - 1;
        if (!written.empty() && written.back() == '%')
            --decimals;
        return std::abs(stated.number - truth.number) <= 0.5 * std::pow(10.0, -static_cast<double>(decimals)) + 1e-9;
    }

    // Each word of @names stands for a thread or process some run has, is not itself the name
    // of one (it would hide it), and is given once.
    void check_names()
    {
        auto const& names = m_checked.lesson.names;
        for (std::size_t i = 0; i < names.size(); ++i) {
            auto const& alias = names[i];
            auto earlier = std::find_if(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(i),
                [&](NameAlias const& other) { return other.word == alias.word; });
            if (earlier != names.begin() + static_cast<std::ptrdiff_t>(i)) {
                error(alias.where, fmt::format("'{}' already stands for '{}' (line {})", alias.word, earlier->name,
                                       earlier->where.line),
                    alias.source_line);
                continue;
            }
            bool ran = false;
            bool found = false;
            std::string hidden;
            std::string threads;
            for (std::size_t r = 0; r < m_checked.runs.size(); ++r) {
                auto const& run = m_checked.runs[r];
                if (!run)
                    continue;
                ran = true;
                found = found || named_in_run(run->trace, alias.name);
                if (hidden.empty() && named_in_run(run->trace, alias.word))
                    hidden = run->name;
                if (threads.empty())
                    for (auto const& thread : run->trace.threads)
                        threads += (threads.empty() ? "" : ", ") + thread.display_name;
            }
            if (!hidden.empty())
                error(alias.where,
                    fmt::format("'{}' is already a thread or process of run '{}'; a word of @names cannot stand for "
                                "another one",
                        alias.word, hidden),
                    alias.source_line);
            else if (ran && !found)
                error(alias.name_where,
                    fmt::format("no run of this lesson has a thread or process named '{}' (threads: {})", alias.name,
                        threads),
                    alias.source_line);
        }
    }

    // A @step that starts after its run has ended would show nothing at all.
    void check_step(Block const& block)
    {
        auto const* run = m_checked.run(block.name);
        if (!run || block.from <= run->trace.end)
            return;
        error(block.where,
            fmt::format("run '{}' ends at tick {}, so a @step from tick {} shows nothing; step from 0 to {}", block.name,
                run->trace.end, block.from, run->trace.end),
            block.source_line);
    }

    void evaluate_choice(Block const& block)
    {
        auto const& line = block.source_line;
        std::vector<std::size_t> right;
        std::string answer;
        if (block.expr) {
            auto result = evaluate_here(*block.expr, line);
            if (!result || !result->value.missing.empty())
                return;
            answer = to_string(result->value);
            for (std::size_t i = 0; i < block.options.size(); ++i) {
                auto option = evaluate(*block.options[i].value, m_checked, Language::En);
                if (auto* value = std::get_if<Evaluation>(&option); value && same_value(value->value, result->value))
                    right.push_back(i);
            }
        } else {
            for (std::size_t i = 0; i < block.options.size(); ++i) {
                auto const& option = block.options[i];
                auto result = evaluate_here(*option.condition, option.source_line);
                if (!result)
                    return;
                if (!result->value.missing.empty())
                    return;
                if (result->value.truth)
                    right.push_back(i);
            }
        }
        if (right.size() == 1)
            return;
        if (right.empty()) {
            error(block.where,
                answer.empty() ? std::string("no option of this choice is right: every condition is false")
                               : fmt::format("no option of this choice is right: the emulator says {}", answer),
                line);
            return;
        }
        auto const& second = block.options[right[1]];
        error(second.where,
            fmt::format("options {} and {} are both right; a choice has exactly one right option",
                static_cast<char>('a' + right[0]), static_cast<char>('a' + right[1])),
            second.source_line);
    }

    // A question must come before any view that prints its answer: a chart's footer states
    // the makespan, the switches and the utilisation; a summary states those and every
    // thread's times; a table ends at the makespan and shows who finished when. (Questions
    // whose options are conditions ask why, not what, and may follow the view they reason
    // about, and a question that computes with figures already shown is still a question.)
    static bool reveals(std::string_view view, std::string_view measure, bool has_argument)
    {
        static constexpr std::string_view chart[] = { "makespan", "switches" };
        static constexpr std::string_view summary[] = { "makespan", "switches", "average-waiting", "average-turnaround",
            "average-response", "first-finish", "last-finish", "finish-order", "finish", "arrival", "first-run",
            "turnaround", "waiting", "response" };
        static constexpr std::string_view table[] = { "makespan", "first-finish", "last-finish", "finish-order", "finish" };
        auto in = [&](auto const& list) { return std::find(std::begin(list), std::end(list), measure) != std::end(list); };
        if (view == "chart")
            return in(chart) || (measure == "utilisation" && !has_argument);
        if (view == "summary")
            return in(summary) || measure == "utilisation";
        if (view == "table")
            return in(table);
        return false;
    }

    static void measures_of(Expr const& expr, std::vector<Expr const*>& out)
    {
        if (expr.kind == Expr::Kind::Measure)
            out.push_back(&expr);
        for (auto const& operand : expr.operands)
            measures_of(operand, out);
    }

    void check_answers_unseen()
    {
        struct Shown {
            std::string run;
            std::string view;
            int line;
        };
        std::vector<Shown> shown;
        for (auto const& block : m_checked.lesson.blocks) {
            if (block.kind == BlockKind::Show) {
                for (auto const& view : block.views)
                    shown.push_back(Shown { block.name, view, block.where.line });
                continue;
            }
            if ((block.kind != BlockKind::Predict && block.kind != BlockKind::Choice) || !block.expr)
                continue;
            // Arithmetic over figures already seen ("how many times faster") is still a
            // question; a single measure that a view printed is not.
            if (block.expr->kind != Expr::Kind::Measure)
                continue;
            std::vector<Expr const*> measures;
            measures_of(*block.expr, measures);
            for (auto const* measure : measures) {
                auto seen = std::find_if(shown.begin(), shown.end(), [&](Shown const& earlier) {
                    return earlier.run == measure->run && reveals(earlier.view, measure->text, measure->has_argument);
                });
                if (seen == shown.end())
                    continue;
                error(block.where,
                    fmt::format("this question's answer is already shown: the {} of run '{}' (line {}) states its {}; "
                                "ask the question before that @show",
                        seen->view, seen->run, seen->line, measure->text),
                    block.source_line);
                break;
            }
        }
    }

    LessonEnvironment const& m_environment;
    CheckedLesson m_checked;
    std::map<std::string, Block const*> m_programs;
};

}

CheckedLesson check_lesson(std::string_view source, std::string file_name, LessonEnvironment const& environment)
{
    LessonChecker checker(source, std::move(file_name), environment);
    return checker.check();
}

}
