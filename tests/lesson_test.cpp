// Lessons: every bundled lesson, in both languages, runs and holds (each check true, each
// question answered by the emulator, each choice with exactly one right option); the
// translations ask the same as the originals; malformed lessons get exact diagnostics; the
// player and the stepper behave as a learner expects.

#include "lang/parser.hpp"
#include "lesson/check.hpp"
#include "lesson/evaluate.hpp"
#include "lesson/player.hpp"
#include "lesson/progress.hpp"
#include "lesson/stepper.hpp"
#include "lesson/table_rows.hpp"
#include "sched/start_run.hpp"
#include "trace/render.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

using namespace tl;
namespace fs = std::filesystem;

// This file's names are its own: the test files are compiled several to a unit (tests/meson.build).
namespace lesson_test {

namespace {

fs::path source_dir() { return fs::path(TICKLAB_TEST_SOURCE_DIR); }

std::string read(fs::path const& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

std::optional<Tick> whole(std::string const& text)
{
    Tick value = 0;
    auto [rest, status] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (status != std::errc() || rest != text.data() + text.size())
        return std::nullopt;
    return value;
}

// The command line reads a @run's options with the very parser of `ticklab run` (CLI11 and
// add_machine_options), which lives in the executable, not in the library these tests
// link. This reads the same spellings for the library's tests; the command line's own
// path is covered end to end by tests/lesson_session.sh (`ticklab lesson --check`).
std::variant<RunSetup, RunArgsError> test_run_args(std::vector<std::string> const& words)
{
    RunSetup setup;
    for (std::size_t i = 0; i < words.size(); ++i) {
        auto word = words[i];
        std::optional<std::string> inline_value;
        if (auto equals = word.find('='); equals != std::string::npos && word.rfind("--", 0) == 0) {
            inline_value = word.substr(equals + 1);
            word = word.substr(0, equals);
        }
        auto at = i;
        auto value = [&]() -> std::optional<std::string> {
            if (inline_value)
                return inline_value;
            if (i + 1 < words.size())
                return words[++i];
            return std::nullopt;
        };
        auto number = [&]() -> std::optional<Tick> {
            auto text = value();
            return text ? whole(*text) : std::nullopt;
        };
        std::optional<Tick> n;
        if (word == "-s" || word == "--scheduler") {
            auto text = value();
            if (!text)
                return RunArgsError { at, "--scheduler needs a value" };
            setup.scheduler = *text;
        } else if (word == "-j" || word == "--jobs") {
            auto text = value();
            if (!text)
                return RunArgsError { at, "--jobs needs a value" };
            setup.jobs = *text;
        } else if (word == "--ram") {
            auto text = value();
            auto size = text ? parse_size(*text) : std::nullopt;
            if (!size)
                return RunArgsError { at, "--ram needs a size" };
            setup.machine.ram = *size;
        } else if (word == "--load") {
            auto text = value();
            auto size = text ? parse_size(*text) : std::nullopt;
            if (!size)
                return RunArgsError { at, "--load needs a size" };
            setup.machine.load_chunk = *size;
        } else if (word == "--cache") {
            auto text = value();
            auto size = text ? parse_size(*text) : std::nullopt;
            if (!size)
                return RunArgsError { at, "--cache needs a size" };
            setup.machine.cache = *size;
        } else if (word == "--cache-warm-rate" && (n = number())) {
            setup.machine.cache_warm_rate = *n;
        } else if (word == "--cache-warmup" && (n = number())) {
            setup.machine.cache_warmup = *n;
        } else if (word == "--set") {
            auto text = value();
            auto equals = text ? text->find('=') : std::string::npos;
            if (equals == std::string::npos)
                return RunArgsError { at, "--set needs NAME=VALUE" };
            setup.options.settings[text->substr(0, equals)] = text->substr(equals + 1);
        } else if (word == "--preempted-first") {
            setup.machine.arrivals_first = false;
        } else if (word == "--no-wake-preempt") {
            setup.machine.wake_preempts = false;
        } else if (word == "--step-every-tick") {
            setup.machine.step_every_tick = true;
        } else if ((word == "-c" || word == "--cores") && (n = number())) {
            setup.machine.cores = static_cast<int>(*n);
            setup.options.cores = static_cast<int>(*n);
        } else if ((word == "-q" || word == "--quantum") && (n = number())) {
            setup.options.quantum = *n;
            setup.quantum = *n;
        } else if (word == "--bus" && (n = number())) {
            setup.machine.bus_bandwidth = static_cast<int>(*n);
        } else if (word == "--switch-cost" && (n = number())) {
            setup.machine.switch_cost = *n;
        } else if (word == "--max-ticks" && (n = number())) {
            setup.machine.max_ticks = *n;
        } else if (word == "--seed" && (n = number())) {
            setup.options.seed = static_cast<std::uint64_t>(*n);
        } else {
            return RunArgsError { at, "'ticklab run' has no option '" + word + "'" };
        }
    }
    return setup;
}

LessonEnvironment test_environment()
{
    LessonEnvironment environment;
    environment.parse_run_args = test_run_args;
    environment.find_program = [](std::string const& name, std::string& error) -> std::optional<ProgramText> {
        auto path = source_dir() / "programs" / (name + ".tl");
        if (!fs::exists(path)) {
            error = "cannot open '" + name + "': no such file or bundled program";
            return std::nullopt;
        }
        return ProgramText { "programs/" + name + ".tl", read(path) };
    };
    return environment;
}

std::vector<fs::path> lesson_files(std::string_view language)
{
    std::vector<fs::path> files;
    for (auto const& entry : fs::directory_iterator(source_dir() / "lessons" / std::string(language)))
        if (entry.path().extension() == ".lesson")
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

CheckedLesson check_text(std::string_view text)
{
    return check_lesson(text, "test.lesson", test_environment());
}

std::string diagnostics_of(std::string_view text) { return format_diagnostics(check_text(text).errors); }

// A learner who types the given lines, then stops.
LineReader scripted(std::vector<std::string> lines, std::string& transcript)
{
    auto next = std::make_shared<std::size_t>(0);
    return [lines = std::move(lines), next, &transcript](std::string const& prompt) -> std::optional<std::string> {
        transcript += prompt;
        if (*next >= lines.size())
            return std::nullopt;
        transcript += lines[*next] + "\n";
        return lines[(*next)++];
    };
}

std::string play(CheckedLesson const& lesson, PlayOptions const& options, std::vector<std::string> answers = {})
{
    std::ostringstream out;
    std::string transcript;
    play_lesson(lesson, options, out, scripted(std::move(answers), transcript));
    return out.str();
}

std::size_t count(std::string const& text, std::string_view what)
{
    std::size_t found = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size()))
        ++found;
    return found;
}

Program load_program_file(std::string const& name)
{
    auto parsed = parse_program(read(source_dir() / "programs" / (name + ".tl")), name);
    INFO(format_diagnostics(parsed.errors));
    REQUIRE(parsed.ok());
    return parsed.program;
}

}

TEST_CASE("every bundled lesson runs, answers every question and keeps every claim, in both languages", "[lesson]")
{
    for (auto language : { Language::En, Language::Ko }) {
        auto files = lesson_files(to_string(language));
        REQUIRE(files.size() >= 11);
        for (auto const& file : files) {
            INFO(file.string());
            auto checked = check_lesson(read(file), file.string(), test_environment());
            INFO(format_diagnostics(checked.errors));
            REQUIRE(checked.ok());
            CHECK(!checked.lesson.title.empty());
            CHECK(lesson_number(file.stem().string()) > 0);

            // Every question has an answer computed from its run, in the learner's language,
            // or needs a capability the lesson declares missing.
            std::size_t answerable = 0;
            for (auto const& block : checked.lesson.blocks) {
                if (block.kind != BlockKind::Predict && !(block.kind == BlockKind::Choice && block.expr))
                    continue;
                auto result = evaluate(*block.expr, checked, language);
                REQUIRE(std::holds_alternative<Evaluation>(result));
                auto const& evaluation = std::get<Evaluation>(result);
                if (!evaluation.value.missing.empty()) {
                    auto const& needs = checked.lesson.needs;
                    CHECK(std::find(needs.begin(), needs.end(), evaluation.value.missing) != needs.end());
                    continue;
                }
                CHECK(!evidence_text(evaluation, language).empty());
                ++answerable;
            }
            for (auto const& block : checked.lesson.blocks) {
                answerable += block.kind == BlockKind::Choice && !block.expr;
                // An @explore question's answer is the set of values explore finds.
                answerable += block.kind == BlockKind::Explore && !block.variable.empty();
                // A @manual goal has a schedule that reaches it, found when the lesson was checked.
                if (block.kind == BlockKind::Manual && block.expr)
                    CHECK(checked.witnesses.count(static_cast<std::size_t>(&block - checked.lesson.blocks.data())) == 1);
            }

            // Read through non-interactively, the lesson shows every answer.
            PlayOptions options;
            options.language = language;
            options.number = lesson_number(file.stem().string());
            options.reveal = true;
            auto text = play(checked, options);
            CHECK(count(text, language == Language::Ko ? "정답: " : "Answer: ") == answerable);
            CHECK(text.find(checked.lesson.title) != std::string::npos);
        }
    }
}

TEST_CASE("the Korean lessons ask the same questions about the same runs as the English ones", "[lesson]")
{
    auto english = lesson_files("en");
    auto korean = lesson_files("ko");
    REQUIRE(english.size() == korean.size());
    for (std::size_t i = 0; i < english.size(); ++i) {
        INFO(korean[i].string());
        REQUIRE(english[i].filename() == korean[i].filename());
        auto original = parse_lesson(read(english[i]), english[i].string());
        auto source = read(korean[i]);
        auto translation = parse_lesson(source, korean[i].string());
        REQUIRE(original.ok());
        REQUIRE(translation.ok());
        CHECK(format_diagnostics(compare_translation(original.lesson, translation.lesson, source)).empty());
        // The prose is really translated: a Korean lesson's title is in Hangul.
        CHECK(translation.lesson.title != original.lesson.title);
    }
}

TEST_CASE("a translation that asks something else is reported where it differs", "[lesson]")
{
    std::string original = "# T\n@run k = kitchen\n@predict makespan: How long?\n@check makespan == 13\n";
    std::string translation = "# 제목\n@run k = kitchen\n@predict makespan: 얼마나?\n@check makespan == 12\n";
    auto a = parse_lesson(original, "en.lesson");
    auto b = parse_lesson(translation, "ko.lesson");
    CHECK(format_diagnostics(compare_translation(a.lesson, b.lesson, translation))
        == "ko.lesson:4:1: error: the translation has '@check makespan == 12' here, but en.lesson:4 has '@check "
           "makespan == 13'\n"
           "    4 | @check makespan == 12\n"
           "      | ^\n");
}

TEST_CASE("a figure in prose shows the value it states, or the one the run computes", "[lesson]")
{
    auto checked = check_text("# Jarvis\n"
                              "@run jarvis = kitchen --cores 1 --scheduler rr\n"
                              "@run team = kitchen --cores 3 --scheduler per-core\n"
                              "Alone at tick {jarvis.makespan = 13}, as a team at {team.makespan}:\n"
                              "{jarvis.makespan / team.makespan = 1.9} times as fast; {team.first-finish = pasta} first,\n"
                              "{jarvis.utilisation = 100%} busy; a brace: \\{ \\}.\n");
    INFO(format_diagnostics(checked.errors));
    REQUIRE(checked.ok());
    PlayOptions options;
    // Shorter on screen than in the source, the paragraph is wrapped again.
    CHECK(play(checked, options).find("Alone at tick 13, as a team at 7: 1.9 times as fast; pasta first, 100% busy; a brace: { }.\n\n")
        != std::string::npos);
}

TEST_CASE("a figure stated wrong fails the check, to the decimals it is written with", "[lesson]")
{
    // 13 / 7 is 1.857...: "1.86" and "1.9" hold, "1.8" and "2" do not.
    auto text = "# T\n@run one = kitchen --cores 1 --scheduler rr\n@run three = kitchen --cores 3 --scheduler per-core\n"
                "{one.makespan / three.makespan = 1.86} or {one.makespan / three.makespan = 1.9}\n"
                "{one.makespan / three.makespan = 1.8} or {one.makespan / three.makespan = 2}\n";
    CHECK(diagnostics_of(text)
        == "test.lesson:5:34: error: this figure is wrong: one.makespan / three.makespan is 1.86 (the lesson says 1.8)\n"
           "    5 | {one.makespan / three.makespan = 1.8} or {one.makespan / three.makespan = 2}\n"
           "      |                                  ^\n"
           "test.lesson:5:75: error: this figure is wrong: one.makespan / three.makespan is 1.86 (the lesson says 2)\n"
           "    5 | {one.makespan / three.makespan = 1.8} or {one.makespan / three.makespan = 2}\n"
           "      |                                                                           ^\n");
}

TEST_CASE("a translation states the same figures as the lesson it translates", "[lesson]")
{
    std::string original = "# T\n@run k = kitchen\nIt ends at tick {makespan = 13}.\n";
    std::string translation = "# 제목\n@run k = kitchen\n\n{makespan = 12}틱에 끝납니다.\n";
    auto a = parse_lesson(original, "en.lesson");
    auto b = parse_lesson(translation, "ko.lesson");
    CHECK(format_diagnostics(compare_translation(a.lesson, b.lesson, translation))
        == "ko.lesson:4:1: error: the translation has '{makespan = 12}' here, but en.lesson:3 has '{makespan = 13}'\n"
           "    4 | {makespan = 12}틱에 끝납니다.\n"
           "      | ^\n");
}

TEST_CASE("malformed lessons get every error in one pass, each at its line and column", "[lesson]")
{
    SECTION("a lesson without a title")
    {
        CHECK(diagnostics_of("Jarvis cooks.\n")
            == "test.lesson:1:1: error: a lesson starts with its title, a line like '# Concurrency on one core'\n"
               "    1 | Jarvis cooks.\n"
               "      | ^\n");
    }
    SECTION("a mistyped directive and a mistyped measure")
    {
        CHECK(diagnostics_of("# T\n@run k = kitchen\n@prdict makespan: How long?\n@predict makspan: How long?\n")
            == "test.lesson:3:2: error: unknown directive '@prdict'; did you mean '@predict'? (directives: @needs, @names, @run, "
               "@show, @step, @predict, @choice, @check, @explore, @manual)\n"
               "    3 | @prdict makespan: How long?\n"
               "      |  ^\n"
               "test.lesson:4:10: error: unknown measure 'makspan'; did you mean 'makespan'?\n"
               "    4 | @predict makspan: How long?\n"
               "      |          ^\n");
    }
    SECTION("a measure before any run, and a run that is not there")
    {
        CHECK(diagnostics_of("# T\n@check makespan == 3\n@run one = kitchen\n@check thre.makespan == 3\n")
            == "test.lesson:2:8: error: no run above this line for 'makespan' to measure; declare one with '@run'\n"
               "    2 | @check makespan == 3\n"
               "      |        ^\n"
               "test.lesson:4:8: error: no run named 'thre' above this line (runs so far: one)\n"
               "    4 | @check thre.makespan == 3\n"
               "      |        ^\n");
    }
    SECTION("comparing a name with a number, and a check that is not a comparison")
    {
        CHECK(diagnostics_of("# T\n@run k = kitchen\n@check first-finish == 3\n@check makespan\n")
            == "test.lesson:3:21: error: cannot compare these: first-finish is a name, 3 is a number\n"
               "    3 | @check first-finish == 3\n"
               "      |                     ^\n"
               "test.lesson:4:8: error: a check must be a comparison, such as 'makespan == 13'\n"
               "    4 | @check makespan\n"
               "      |        ^\n");
    }
    SECTION("a block that is never closed")
    {
        CHECK(diagnostics_of("# T\n\n::: program p\nprocess p\n  compute 1\n")
            == "test.lesson:3:1: error: this block is never closed: end it with a line holding only ':::'\n"
               "    3 | ::: program p\n"
               "      | ^\n");
    }
    SECTION("an error inside an embedded program points into the lesson")
    {
        CHECK(diagnostics_of("# T\n\n::: program p\nprocess p\n  compte 1\n:::\n@run p\n")
            == "test.lesson:5:3: error: unknown instruction 'compte'; did you mean 'compute'?\n"
               "    5 |   compte 1\n"
               "      |   ^\n");
    }
    SECTION("a thread the run does not have, and a program that does not exist")
    {
        CHECK(diagnostics_of("# T\n@run k = kitchen\n@predict waiting(ramn): How long?\n@run x = kichen\n")
            == "test.lesson:3:18: error: run 'k' has no thread named 'ramn' (its threads: ramen, pasta, cake)\n"
               "    3 | @predict waiting(ramn): How long?\n"
               "      |                  ^\n"
               "test.lesson:4:10: error: cannot open 'kichen': no such file or bundled program (name a bundled program, "
               "a file, or a '::: program' block of this lesson)\n"
               "    4 | @run x = kichen\n"
               "      |          ^\n");
    }
    SECTION("an option `ticklab run` does not have, and a scheduler that does not exist")
    {
        auto text = diagnostics_of("# T\n@run a = kitchen --corse 3\n@run b = kitchen -s fifo\n");
        CHECK(text.find("test.lesson:2:18: error: 'ticklab run' has no option '--corse'\n") == 0);
        CHECK(text.find("test.lesson:3:21: error: unknown scheduler 'fifo'") != std::string::npos);
    }
    SECTION("a stale lesson: a claim that does not hold, and a choice without a right option")
    {
        CHECK(diagnostics_of("# T\n@run k = kitchen\n@check makespan == 12\n@choice first-finish: First?\n- ramen\n- cake\n")
            == "test.lesson:3:8: error: this check does not hold: makespan is 13 (the lesson claims makespan == 12)\n"
               "    3 | @check makespan == 12\n"
               "      |        ^\n"
               "test.lesson:4:1: error: no option of this choice is right: the emulator says pasta\n"
               "    4 | @choice first-finish: First?\n"
               "      | ^\n");
    }
    SECTION("a missing question, a duplicate run and an unknown capability")
    {
        CHECK(diagnostics_of("# T\n@needs corutines\n@run k = kitchen\n@run k = hello\n@predict makespan\n")
            == "test.lesson:2:8: error: unknown capability 'corutines'; did you mean 'coroutines'? (known: "
               "memory-admission, threads, exit, loading-time, shared-memory, crash, coroutines, locks, gil, "
               "bus-contention)\n"
               "    2 | @needs corutines\n"
               "      |        ^\n"
               "test.lesson:4:6: error: a run named 'k' already exists (line 3); give this one another name: '@run NAME "
               "= ...'\n"
               "    4 | @run k = hello\n"
               "      |      ^\n"
               "test.lesson:5:18: error: expected ':' and the question after the measure, as in '@predict makespan: How "
               "many ticks does it take?'\n"
               "    5 | @predict makespan\n"
               "      |                  ^\n");
    }
    SECTION("a capability that is not missing cannot be marked as missing")
    {
        CHECK(diagnostics_of("# T\n@needs threads\n")
            == "test.lesson:2:8: error: 'threads' is in ticklab now: remove it from '@needs' and show it in the lesson\n"
               "    2 | @needs threads\n"
               "      |        ^\n");
    }
    SECTION("value(V) names a shared variable of the run")
    {
        CHECK(diagnostics_of("# T\n@run k = kitchen\n@predict k.value(counter): What is left?\n")
            == "test.lesson:3:18: error: run 'k' has no shared variable named 'counter' (it has none)\n"
               "    3 | @predict k.value(counter): What is left?\n"
               "      |                  ^\n");
        CHECK(diagnostics_of("# T\n@run r = race --cores 2\n@check r.value(count) == 100\n")
            .empty());
        CHECK(diagnostics_of("# T\n@run r = race --cores 2\n@check r.value(count) == 200\n").find("error") != std::string::npos);
    }
}

TEST_CASE("the player says whether the learner was right, with the emulator's evidence", "[lesson]")
{
    auto checked = check_text("# Jarvis\n"
                              "@run jarvis = kitchen --cores 1 --scheduler rr\n"
                              "@predict makespan: When?\n"
                              "@predict first-finish: Which first?\n"
                              "@choice: Which?\n"
                              "- [makespan > 10] Late.\n"
                              "- [makespan <= 10] Early.\n"
                              "@check makespan == 13\n");
    REQUIRE(checked.ok());
    PlayOptions options;
    options.number = 4;

    SECTION("right, wrong, and a choice by letter")
    {
        auto text = play(checked, options, { "13", "ramen", "A" });
        CHECK(text.find("Right: kitchen finished at tick 13 on 1 core (rr).\n") != std::string::npos);
        CHECK(text.find("Not quite: you said ramen; the answer is pasta — pasta finished first, at tick 9; the order was "
                        "pasta at 9, ramen at 12, cake at 13.\n")
            != std::string::npos);
        CHECK(text.find("Right: kitchen finished at tick 13 on 1 core (rr).\n", text.find("a) Late.")) != std::string::npos);
        CHECK(text.find("End of lesson 4.") != std::string::npos);
    }
    SECTION("an answer that is not a number is asked again")
    {
        auto text = play(checked, options, { "thirteen", "13 ticks", "PASTA", "b" });
        CHECK(text.find("Please answer with a number, such as 12.\n") != std::string::npos);
        CHECK(count(text, "Right: ") == 2);
        CHECK(text.find("Not quite: you said b) Early; the answer is a) Late") != std::string::npos);
    }
    SECTION("when the input ends, the rest is shown with its answers")
    {
        std::ostringstream out;
        std::string transcript;
        auto result = play_lesson(checked, options, out, scripted({ "13" }, transcript));
        CHECK(result == PlayResult::InputEnded);
        CHECK(out.str().find("Answer: pasta — pasta finished first") != std::string::npos);
    }
    SECTION("in Korean")
    {
        options.language = Language::Ko;
        auto text = play(checked, options, { "13" });
        CHECK(text.find("4강: Jarvis\n") == 0);
        CHECK(text.find("맞았습니다! kitchen 프로세스가 코어 1개에서 13틱에 끝났습니다 (rr).\n") != std::string::npos);
        CHECK(text.find("정답: pasta — pasta 스레드가 9틱에 가장 먼저 끝났습니다. 끝난 순서: pasta 9틱, ramen 12틱, "
                        "cake 13틱.\n")
            != std::string::npos);
    }
}

TEST_CASE("a number may carry a unit, in either language; anything else after it is refused, never cut", "[lesson]")
{
    auto number = [](std::string_view typed) -> std::optional<double> {
        auto given = parse_answer(typed, ValueType::Number, nullptr, Language::Ko);
        if (auto* value = std::get_if<Value>(&given))
            return value->number;
        return std::nullopt;
    };
    for (std::string_view typed : { "13", " 13 ", "13 ticks", "13 tick", "13 Ticks", "13틱", "13 틱", "13틱.", "13틱입니다",
             "13틱이요", "13입니다", "13요", "13번", "13 times", "13%", "13 퍼센트", "13 percent" }) {
        INFO(typed);
        CHECK(number(typed) == 13.0);
    }
    for (std::string_view typed : { "13 or 14", "13틱쯤", "13초", "13 seconds", "13-14", "13 13" }) {
        INFO(typed);
        CHECK(!number(typed));
    }
    CHECK(std::get<std::string>(parse_answer("13초", ValueType::Number, nullptr, Language::Ko))
        == "숫자 하나로 답해 주세요 (예: 12, 12틱, 12%). '초'은(는) 알 수 있는 단위가 아닙니다.");
    CHECK(std::get<std::string>(parse_answer("13 or 14", ValueType::Number, nullptr, Language::En))
        == "Please answer with one number, such as 12 (a unit may follow: 12 ticks, 12%); 'or 14' is not one.");
}

TEST_CASE("a learner may answer with the word a lesson uses for a thread (@names)", "[lesson]")
{
    auto checked = check_text("# 자비스\n"
                              "@names 라면=ramen 파스타=pasta 케이크=cake\n"
                              "@run jarvis = kitchen --cores 1 --scheduler rr\n"
                              "@predict first-finish: 가장 먼저?\n"
                              "@predict finish-order: 순서는?\n"
                              "@choice last-finish: 가장 늦게?\n"
                              "- ramen\n"
                              "- pasta\n"
                              "- cake\n");
    REQUIRE(checked.ok());
    REQUIRE(checked.lesson.names.size() == 3);
    CHECK(checked.lesson.names[1].word == "파스타");
    CHECK(checked.lesson.names[1].name == "pasta");
    PlayOptions options;
    options.language = Language::Ko;

    SECTION("a word of @names is the thread it stands for, in a name, an order and a choice")
    {
        auto text = play(checked, options, { "파스타", "파스타, 라면 케이크", "케이크" });
        CHECK(count(text, "맞았습니다! ") == 3);
    }
    SECTION("a word the lesson does not give is refused with the names and their words")
    {
        auto text = play(checked, options, { "국수", "라면" });
        CHECK(text.find("'국수'라는 스레드는 없습니다. 스레드는 ramen (라면), pasta (파스타), cake (케이크)입니다.\n")
            != std::string::npos);
        CHECK(text.find("아쉽네요. 입력한 답은 ramen, 정답은 pasta입니다.") != std::string::npos);
    }
    SECTION("the program's own names still work")
    {
        auto text = play(checked, options, { "PASTA", "pasta ramen cake", "c" });
        CHECK(count(text, "맞았습니다! ") == 3);
    }
}

TEST_CASE("stepping back one tick shows exactly what stepping forward showed", "[lesson]")
{
    Stepper stepper(load_program_file("kitchen"), MachineConfig {}, SchedulerOptions {}, "rr");
    CHECK(stepper.now() == 0);
    auto at_nine = stepper.execute("until 9").text;
    CHECK(stepper.now() == 9);
    CHECK(at_nine.find("\n   9 | cake compute 3/5") != std::string::npos);
    auto thread_at_nine = stepper.execute("p ramen").text;
    CHECK(thread_at_nine
        == "thread ramen (process kitchen) at tick 9: blocked on 'io 2' until tick 10; its core is free for others\n"
           "      12  compute 4\n"
           "  >   13  io 2\n"
           "      14  compute 1\n"
           "      15  print \"ramen is served\"\n"
           "  so far: ran 4 ticks; 1 tick of compute left\n");
    auto at_ten = stepper.execute("n").text;
    CHECK(stepper.now() == 10);
    CHECK(at_ten != at_nine);
    CHECK(stepper.execute("back").text == at_nine);
    CHECK(stepper.now() == 9);
    CHECK(stepper.execute("p ramen").text == thread_at_nine);

    // A fresh session that steps one tick at a time sees the same tick 9.
    Stepper single(load_program_file("kitchen"), MachineConfig {}, SchedulerOptions {}, "rr");
    std::string last;
    for (int i = 0; i < 9; ++i)
        last = single.execute("next").text;
    CHECK(last == at_nine);
}

TEST_CASE("the stepper stops at breakpoints and tells about threads, queues and RAM", "[lesson]")
{
    MachineConfig config;
    config.cores = 2;
    config.ram = 64 * 1024;
    SchedulerOptions options;
    options.cores = 2;
    Stepper stepper(load_program_file("memory_wait"), config, options, "rr");
    CHECK(stepper.execute("break admit browser").text == "Breakpoint 1: stop when a 'admit' event happens to browser.\n");
    auto stop = stepper.execute("continue").text;
    CHECK(stop.find("Breakpoint 1 (admit browser): at tick 4, browser admitted (32K).\n") == 0);
    CHECK(stepper.now() == 4);
    CHECK(stepper.execute("ram").text
        == "RAM at tick 4: 40K of 64K in use, 24K free\n"
           "  loaded (processes):\n"
           "    browser      32K at 0\n"
           "    clock        8K at 32K\n"
           "  ended (memory freed):\n"
           "    editor       40K\n");
    CHECK(stepper.execute("until 1").text.find("\n   1 | editor compute 2/4") != std::string::npos);
    CHECK(stepper.execute("queues").text
        == "at tick 1:\n  ready: - (front first)\n  blocked: -\n  waiting for RAM: browser (32K), clock (8K)\n");
    CHECK(stepper.execute("process clock").text
        == "process clock at tick 1: waiting for memory\n"
           "  arrived, but its 8K does not fit in free RAM yet\n"
           "  threads: clock (new)\n");
    CHECK(stepper.execute("break fault").text == "Breakpoint 2: stop when a 'fault' event happens.\n");
    CHECK(stepper.execute("bus").text
        == "The bus moves 8 transfers per tick; 0 granted so far.\n"
           "  tick 1: 0 granted (0 for finished I/O, 0 for loading), 0 cores waiting for it\n"
           "  core 0: 0 ticks stalled on the bus so far\n"
           "  core 1: 0 ticks stalled on the bus so far\n");
    CHECK(stepper.execute("delete").text == "Deleted every breakpoint.\n");
    CHECK(stepper.execute("c").text.find("The run ended at tick 7: every thread has finished.\n") != std::string::npos);
    CHECK(stepper.execute("quit").quit);
}

TEST_CASE("the stepper points at the instruction a thread is at and tells how the run really ended", "[lesson]")
{
    MachineConfig config;
    config.cores = 2;
    SchedulerOptions options;
    options.cores = 2;
    Stepper stepper(load_program_file("crash"), config, options, "rr");
    stepper.execute("t 3");
    // Tick 3 is the add of tab's `incr pages` (its read was at tick 2; the write comes at 6).
    CHECK(stepper.execute("p tab").text
        == "thread tab (process browser) at tick 3: running on core 1: tick 2 of 'incr pages'\n"
           "      11  compute 2\n"
           "  >   12  incr pages\n"
           "      13  crash\n"
           "  so far: ran 3 ticks; 0 ticks of compute and 2 memory steps left\n");
    stepper.execute("t 7");
    CHECK(stepper.execute("p tab").text
        == "thread tab (process browser) at tick 7: done: it faulted at tick 7 on line 13 (ran 'crash'), which ended "
           "its process\n"
           "      11  compute 2\n"
           "      12  incr pages\n"
           "  >   13  crash\n"
           "  so far: ran 5 ticks; 0 ticks of compute left\n");
    CHECK(stepper.execute("p network").text
        == "thread network (process browser) at tick 7: done: killed at tick 7, when tab faulted and so ended its "
           "process\n"
           "      17  io 4\n"
           "  >   18  compute 4\n"
           "  so far: ran 1 tick; 3 ticks of compute were never run\n");
    auto end = stepper.execute("until 100").text;
    CHECK(end.find("every thread has finished") == std::string::npos);
    CHECK(end.substr(end.find("The run ends at tick 9"))
        == "The run ends at tick 9, before tick 100.\n"
           "tick | core 0                    | core 1                    | bus | ready           | blocked              "
           "| shared       | events\n"
           "   9 | -                         | -                         | -   | -               | -                    "
           "| pages=1      | typing prints \"the editor saved its file\"; typing ends; editor ends\n"
           "The run ended at tick 9.\n"
           "  finished: typing\n"
           "  faulted: tab, at tick 7 on line 13: ran 'crash'\n"
           "  killed when their process ended: renderer and network\n");
    CHECK(stepper.execute("break migrate").text == "Breakpoint 1: stop when a 'migrate' event happens.\n");
    stepper.execute("t 0");
    CHECK(stepper.execute("c").text.find("Breakpoint 1 (migrate): at tick 2, tab moves from core 0 to core 1.\n") == 0);
}

TEST_CASE("the stepper names what a blocked thread waits for, and a deadlock's stuck threads", "[lesson]")
{
    MachineConfig config;
    config.cores = 2;
    SchedulerOptions options;
    options.cores = 2;
    Stepper stepper(load_program_file("deadlock"), config, options, "rr");
    auto end = stepper.execute("c").text;
    CHECK(end.substr(end.find("The run stopped"))
        == "The run stopped at tick 2: no thread can ever go on (deadlock: left waits for mutex 'fork2' held by right; "
           "right waits for mutex 'fork1' held by left).\n"
           "  stuck for ever: left and right\n");
    CHECK(stepper.execute("p left").text.find("thread left (process philosophers) at tick 2: blocked: it waits for mutex "
                                              "fork2, held by right\n")
        == 0);
}

namespace {

std::string file_text(fs::path const& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_text(fs::path const& path, std::string const& text)
{
    std::ofstream(path, std::ios::binary) << text;
}

}

TEST_CASE("progress never overwrites a file ticklab did not write, nor writes through a link", "[lesson]")
{
    auto folder = fs::temp_directory_path() / "ticklab-progress-clobber-test";
    fs::remove_all(folder);
    fs::create_directories(folder);
    Progress progress;
    progress.record("04-concurrency-one-core", LessonStatus::Done);
    std::string error;

    // TICKLAB_PROGRESS=notes.txt: the learner's notes stay as they are.
    auto notes = folder / "notes.txt";
    write_text(notes, "my notes\n");
    CHECK_FALSE(progress.save(notes, error));
    CHECK(error == fmt::format("'{}' already exists and ticklab did not write it, so it is left alone", notes.string()));
    CHECK(file_text(notes) == "my notes\n");

    // A link to the notes: neither the link nor the notes change.
    auto link = folder / "progress-link";
    fs::create_symlink(notes, link);
    CHECK_FALSE(progress.save(link, error));
    CHECK(error.find("is a symbolic link") != std::string::npos);
    CHECK(fs::is_symlink(link));
    CHECK(file_text(notes) == "my notes\n");

    // ticklab's own file (recognised by its first line) and an empty one are replaced.
    auto own = folder / "progress";
    write_text(own, std::string(progress_header) + "\n05-parallelism started\n");
    REQUIRE(progress.save(own, error));
    CHECK(file_text(own) == std::string(progress_header) + "\n04-concurrency-one-core done\n");
    auto empty = folder / "empty";
    write_text(empty, "");
    CHECK(progress.save(empty, error));

    // A folder is never replaced; and no temporary file is left behind by any of this.
    CHECK_FALSE(progress.save(folder, error));
    std::vector<std::string> names;
    for (auto const& entry : fs::directory_iterator(folder))
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string> { "empty", "notes.txt", "progress", "progress-link" });
    fs::remove_all(folder);
}

TEST_CASE("progress is remembered per lesson and never undone by replaying", "[lesson]")
{
    auto path = fs::temp_directory_path() / "ticklab-lesson-test" / "progress";
    fs::remove_all(path.parent_path());
    Progress progress;
    progress.record("04-concurrency-one-core", LessonStatus::Done);
    progress.record("05-parallelism", LessonStatus::InProgress);
    progress.record("04-concurrency-one-core", LessonStatus::InProgress);
    std::string error;
    REQUIRE(progress.save(path, error));
    auto loaded = Progress::load(path);
    CHECK(loaded.status("04-concurrency-one-core") == LessonStatus::Done);
    CHECK(loaded.status("05-parallelism") == LessonStatus::InProgress);
    CHECK(loaded.status("06-coroutines") == LessonStatus::NotStarted);
    fs::remove_all(path.parent_path());
}

TEST_CASE("an answer's evidence bears on its question: a killed thread, a deadlock, loading", "[lesson]")
{
    PlayOptions options;
    options.reveal = true;
    SECTION("a thread killed by its process's exit says when and by whom")
    {
        auto checked = check_text("# T\n@run shop = exit --cores 2\n@predict running(worker): How much work?\n");
        REQUIRE(checked.ok());
        CHECK(play(checked, options).find("Answer: 2 — worker ran on a core for 2 ticks; it was killed at tick 3 when "
                                          "manager ended its process shop.\n")
            != std::string::npos);
        options.language = Language::Ko;
        CHECK(play(checked, options).find("정답: 2 — worker 스레드는 코어에서 2틱 동안 실행되었습니다. manager 스레드가 "
                                          "shop 프로세스를 끝내면서 3틱에 강제 종료되었습니다.\n")
            != std::string::npos);
    }
    SECTION("a deadlock is judged on the deadlock itself")
    {
        auto checked = check_text("# T\n@run stuck = deadlock --cores 2\n@choice: What happens?\n"
                                  "- [deadlocked == 2] They wait for ever.\n- [deadlocked == 0] They eat in turn.\n");
        REQUIRE(checked.ok());
        CHECK(play(checked, options).find("Answer: a) They wait for ever — the run stopped at tick 2 in a deadlock: left "
                                          "waits for mutex 'fork2' held by right; right waits for mutex 'fork1' held by left.\n")
            != std::string::npos);
    }
    SECTION("waiting for memory and loading over the bus are told apart, and a run is named once")
    {
        auto checked = check_text("# T\n@run small = memory_wait --ram 64K --cores 2\n"
                                  "@choice: The clock?\n- [admitted(clock) > arrival(clock)] It waits.\n"
                                  "- [admitted(clock) == arrival(clock)] It fits.\n"
                                  "@run loaded = memory_wait --cores 2 --load 4K\n"
                                  "@predict loaded.admitted(browser): When?\n");
        REQUIRE(checked.ok());
        auto text = play(checked, options);
        CHECK(text.find("Answer: a) It waits — on 2 cores (rr, 64K of RAM), clock arrived at tick 1, waited 3 ticks for "
                        "free memory, and was loaded into RAM at tick 4.\n")
            != std::string::npos);
        CHECK(text.find("Answer: 3 — on 2 cores (rr), browser arrived at tick 0 and was loaded over the bus in 8 "
                        "transfers, ready at tick 3.\n")
            != std::string::npos);
    }
}

TEST_CASE("a check of 150,000 terms is one error at its 101st operator, found without deep recursion", "[lesson]")
{
    // Before the bound: 12,000 terms overflowed the stack while evaluating, 150,000 while
    // copying the parsed tree, and parsing 400,000 took over a minute.
    std::string terms = "1";
    for (int i = 1; i < 150000; ++i)
        terms += " + 1";
    auto source = "# Long\n\n@run one = kitchen\n@check " + terms + " == 150000\n";
    auto parsed = parse_lesson(source, "long.lesson");
    REQUIRE(parsed.errors.size() == 1);
    CHECK(parsed.errors[0].where.line == 4);
    // "@check " is 7 columns; the 101st '+' follows 101 terms of "1 + ".
    CHECK(parsed.errors[0].where.column == 8 + 100 * 4 + 2);
    CHECK(parsed.errors[0].message == "this expression has too many operators (at most 100); split it into several checks");

    std::string hundred = "1";
    for (int i = 1; i <= 99; ++i)
        hundred += " + 1"; // 99 additions and the comparison: 100 operators
    auto fine = parse_lesson("# Long\n\n@run one = kitchen\n@check " + hundred + " == 100\n", "fine.lesson");
    CHECK(fine.ok());
}

TEST_CASE("the rows a stepper shows, a window at a time, are the whole table's rows in any order", "[lesson]")
{
    // 3,000 ticks: three windows of rows, with waits, output and a thread that ends early.
    auto parsed = parse_program("process p\n"
                                "    thread long\n        compute 2500\n        print \"done\"\n"
                                "    thread naps\n        repeat 40\n            sleep 30\n            compute 7\n"
                                "    thread short\n        compute 9\n",
        "windows.tl");
    REQUIRE(parsed.ok());
    auto simulated = simulate_run(MachineConfig {}, parsed.program, "rr", SchedulerOptions {});
    REQUIRE(std::holds_alternative<Trace>(simulated));
    auto const& trace = std::get<Trace>(simulated);
    REQUIRE(trace.end > 2 * 1024);
    std::ostringstream whole;
    TableOptions every_tick;
    every_tick.every_tick = true; // the stepper's rows: one per tick
    render_table(whole, trace, every_tick);
    std::vector<std::string> lines;
    std::istringstream in(whole.str());
    for (std::string line; std::getline(in, line);)
        lines.push_back(line + "\n");

    TableRows rows(trace);
    CHECK(rows.header() == lines[0]);
    for (Tick t = 0; t <= trace.end; ++t) {
        auto row = rows.row(t);
        REQUIRE(row);
        CHECK(*row == lines[static_cast<std::size_t>(t) + 1]);
    }
    for (Tick t = trace.end; t >= 0; t -= 97)
        CHECK(*rows.row(t) == lines[static_cast<std::size_t>(t) + 1]);
    CHECK_FALSE(rows.row(trace.end + 1));
}

TEST_CASE("stepping a ten-million-tick program starts at once: the whole run is not stepped tick by tick", "[lesson]")
{
    // Before: 44 s and 3.2 GB before the first prompt (every tick simulated and rendered,
    // whatever the policy). Under fcfs the engine runs the one burst in a single step, so this
    // test times the stepper, not the engine: under rr's 5 million slices of 2 ticks the
    // engine's own run took 16 s under the sanitizers.
    auto parsed = parse_program("process p\n    thread t\n        compute 10000000\n", "long.tl");
    REQUIRE(parsed.ok());
    MachineConfig config;
    config.max_ticks = 20'000'000;
    Stepper stepper(std::move(parsed.program), config, SchedulerOptions {}, "fcfs");
    CHECK(stepper.now() == 0);
    CHECK(stepper.current().find("\n       0 | t compute 1/10000000") != std::string::npos);
    CHECK(stepper.execute("next 3").text.find("\n       3 | t compute 4/10000000") != std::string::npos);
}

} // namespace lesson_test
