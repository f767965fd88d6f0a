// libFuzzer target: a lesson as `ticklab lesson --check` reads it. Its runs are simulated
// (on a small tick limit), then every @predict, @choice and @check expression is evaluated,
// in English and in Korean, and the lesson is played with every answer shown. Nothing may
// crash, hang or trip a sanitizer, and every diagnostic must point inside the input.
//
// A @run's options are read by a small reader here (the command line's own one lives in
// cli/, which the library does not link); any program name that is not a '::: program'
// block is the bundled kitchen, so seeds taken from lessons/ run as they do for real.

#include "lang/diagnostic.hpp"
#include "lesson/check.hpp"
#include "lesson/evaluate.hpp"
#include "lesson/player.hpp"

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::string_view s_kitchen = R"(process kitchen
  thread ramen
    compute 4
    io 2
    compute 1
    print "ramen is served"
  thread pasta
    compute 3
    print "pasta is served"
  thread cake
    compute 5
    print "cake is served"
)";

std::optional<std::int64_t> whole(std::string const& text, std::int64_t max)
{
    std::int64_t value = 0;
    auto [rest, status] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || status != std::errc() || rest != text.data() + text.size() || value < 0 || value > max)
        return std::nullopt;
    return value;
}

std::variant<tl::RunSetup, tl::RunArgsError> run_args(std::vector<std::string> const& words)
{
    tl::RunSetup setup;
    setup.machine.max_ticks = 2000;
    for (std::size_t i = 0; i < words.size(); ++i) {
        auto const& word = words[i];
        auto value = [&]() -> std::optional<std::string> {
            if (i + 1 >= words.size())
                return std::nullopt;
            return words[++i];
        };
        std::optional<std::string> text;
        std::optional<std::int64_t> n;
        if ((word == "-s" || word == "--scheduler") && (text = value())) {
            setup.scheduler = *text;
        } else if ((word == "-j" || word == "--jobs") && (text = value())) {
            setup.jobs = *text;
        } else if (word == "--set" && (text = value()) && text->find('=') != std::string::npos) {
            auto equals = text->find('=');
            setup.options.settings[text->substr(0, equals)] = text->substr(equals + 1);
        } else if (word == "--preempted-first") {
            setup.machine.arrivals_first = false;
        } else if (word == "--no-wake-preempt") {
            setup.machine.wake_preempts = false;
        } else if (word == "--step-every-tick") {
            setup.machine.step_every_tick = true;
        } else if ((word == "-c" || word == "--cores") && (text = value()) && (n = whole(*text, 8))) {
            setup.machine.cores = static_cast<int>(*n);
            setup.options.cores = static_cast<int>(*n);
        } else if ((word == "-q" || word == "--quantum") && (text = value()) && (n = whole(*text, 100))) {
            setup.options.quantum = *n;
        } else if (word == "--bus" && (text = value()) && (n = whole(*text, 100))) {
            setup.machine.bus_bandwidth = static_cast<int>(*n);
        } else if (word == "--switch-cost" && (text = value()) && (n = whole(*text, 10))) {
            setup.machine.switch_cost = *n;
        } else if (word == "--max-ticks" && (text = value()) && (n = whole(*text, 2000))) {
            setup.machine.max_ticks = *n;
        } else if (word == "--seed" && (text = value()) && (n = whole(*text, 1'000'000))) {
            setup.options.seed = static_cast<std::uint64_t>(*n);
        } else {
            return tl::RunArgsError { i, "not an option the fuzzer reads" };
        }
    }
    return setup;
}

void evaluate_all(tl::Expr const& expr, tl::CheckedLesson const& checked)
{
    for (auto language : { tl::Language::En, tl::Language::Ko })
        (void)tl::evaluate(expr, checked, language);
}

}

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::string_view source(reinterpret_cast<char const*>(data), size);
    tl::LessonEnvironment environment;
    environment.parse_run_args = run_args;
    environment.find_program = [](std::string const&, std::string&) -> std::optional<tl::ProgramText> {
        return tl::ProgramText { "programs/kitchen.tl", std::string(s_kitchen) };
    };
    auto checked = tl::check_lesson(source, "fuzz.lesson", environment);
    for (auto const& error : checked.errors) {
        if (error.where.line < 0 || error.where.column < 0)
            __builtin_trap();
        (void)tl::format_diagnostic(error);
    }
    // Every expression again, on its own and in both languages (check_lesson stops at the
    // first problem of a block; these reach the rest).
    for (auto const& block : checked.lesson.blocks) {
        if (block.expr)
            evaluate_all(*block.expr, checked);
        for (auto const& option : block.options) {
            if (option.condition)
                evaluate_all(*option.condition, checked);
            if (option.value)
                evaluate_all(*option.value, checked);
        }
    }
    if (checked.ok()) {
        std::ostringstream out;
        tl::PlayOptions options;
        options.reveal = true;
        auto nobody = [](std::string const&) -> std::optional<std::string> { return std::nullopt; };
        (void)tl::play_lesson(checked, options, out, nobody);
        options.language = tl::Language::Ko;
        (void)tl::play_lesson(checked, options, out, nobody);
    }
    return 0;
}
