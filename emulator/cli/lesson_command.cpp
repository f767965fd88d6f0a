#include "cli/lesson_command.hpp"

#include "cli/exit_codes.hpp"
#include "cli/formats.hpp"
#include "cli/paths.hpp"
#include "cli/step_command.hpp"
#include "lang/input_file.hpp"
#include "lang/suggest.hpp"
#include "lesson/player.hpp"
#include "lesson/progress.hpp"
#include "lesson/say.hpp"
#include "sched/registry.hpp"
#include "trace/render_util.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;

namespace tl {

namespace {

// The word that holds an option's value: the one after "--ram", or "--ram=64K" itself.
std::size_t value_word(std::vector<std::string> const& words, std::initializer_list<std::string_view> names)
{
    for (std::size_t i = 0; i < words.size(); ++i) {
        for (auto name : names) {
            if (words[i] == name)
                return i + 1 < words.size() ? i + 1 : i;
            if (words[i].size() > name.size() && words[i].compare(0, name.size(), name) == 0 && words[i][name.size()] == '=')
                return i;
        }
    }
    return whole_directive;
}

bool is_option_word(std::string const& word)
{
    return word.size() > 1 && word[0] == '-' && !(word[1] >= '0' && word[1] <= '9');
}

}

std::variant<RunSetup, RunArgsError> parse_run_words(std::vector<std::string> const& words)
{
    RunSettings settings;
    CLI::App app { "a lesson's run", "run" };
    app.set_help_flag();
    add_machine_options(app, settings);
    app.add_option("-j,--jobs", settings.jobs, "Quick jobs instead of a file");

    // Words `ticklab run` would not take are reported at the word itself, with a suggestion.
    std::vector<std::string> names;
    for (auto const* option : app.get_options()) {
        for (auto const& name : option->get_lnames())
            names.push_back("--" + name);
        for (auto const& name : option->get_snames())
            names.push_back("-" + name);
    }
    for (std::size_t i = 0; i < words.size(); ++i) {
        auto const& word = words[i];
        if (!is_option_word(word))
            return RunArgsError { i, fmt::format("unexpected '{}': a run names its program first, then options of "
                                                 "'ticklab run'", word) };
        auto name = word.substr(0, word.find('='));
        auto const* option = app.get_option_no_throw(name);
        // Options of `ticklab run` about how a run is shown: the lesson decides that (@show, @step).
        constexpr std::string_view shown[] = { "-f", "--format", "--explain", "--color", "--width", "--show" };
        if (!option && std::find(std::begin(shown), std::end(shown), name) != std::end(shown))
            return RunArgsError { i, fmt::format("'{}' is an option of 'ticklab run' that is not allowed in a lesson: the "
                                                 "lesson shows its runs with @show and @step",
                                         name) };
        if (!option) {
            return RunArgsError { i, fmt::format("'ticklab run' has no option '{}'{}", name,
                                         did_you_mean(nearest(name, names))) };
        }
        if (option->get_items_expected_max() > 0 && word.find('=') == std::string::npos) {
            if (i + 1 >= words.size() || is_option_word(words[i + 1]))
                return RunArgsError { i, fmt::format("'{}' needs a value", name) };
            ++i;
        }
    }
    try {
        std::vector<std::string> reversed(words.rbegin(), words.rend());
        app.parse(reversed);
    } catch (CLI::ParseError const& error) {
        std::string message = error.what();
        if (!message.empty() && message[0] >= 'A' && message[0] <= 'Z')
            message[0] = static_cast<char>(message[0] - 'A' + 'a');
        std::size_t at = whole_directive;
        for (std::size_t i = 0; i < words.size() && at == whole_directive; ++i) {
            if (!is_option_word(words[i]))
                continue;
            auto const* option = app.get_option_no_throw(words[i].substr(0, words[i].find('=')));
            if (option && message.find(option->get_name()) != std::string::npos)
                at = words[i].find('=') == std::string::npos && i + 1 < words.size() ? i + 1 : i;
        }
        return RunArgsError { at, message };
    }

    auto read = read_run_settings(settings);
    if (auto const* problem = std::get_if<SettingsProblem>(&read)) {
        if (problem->option != "--set")
            return RunArgsError { value_word(words, { problem->option }), problem->message };
        std::size_t at = whole_directive;
        for (std::size_t i = 0; i < words.size(); ++i)
            if (words[i] == problem->given || words[i] == "--set=" + problem->given)
                at = i;
        return RunArgsError { at, problem->message };
    }
    RunSetup setup;
    setup.machine = std::get<Prepared>(read).machine;
    setup.options = std::get<Prepared>(read).options;
    setup.scheduler = settings.scheduler;
    setup.jobs = settings.jobs;
    if (app.get_option("--quantum")->count() > 0)
        setup.quantum = settings.quantum;
    return setup;
}

LessonEnvironment cli_lesson_environment(fs::path const& lesson_file)
{
    LessonEnvironment environment;
    environment.parse_run_args = parse_run_words;
    auto folder = lesson_file.parent_path();
    environment.find_program = [folder](std::string const& name, std::string& error) -> std::optional<ProgramText> {
        auto file = load_program_file(name, error, false, folder);
        if (!file)
            return std::nullopt;
        return ProgramText { file->name, file->content };
    };
    return environment;
}

namespace {

struct LessonFile {
    fs::path path;
    std::string shown; // "lessons/en/04-concurrency-one-core.lesson": how diagnostics name it
    std::string stem;  // "04-concurrency-one-core": the lesson, in any language
    int number = 0;
};

Language choose_language(LessonSettings const& settings)
{
    if (auto language = language_from_code(settings.language))
        return *language;
    // The locale's language, in POSIX precedence: the first of these that is set decides.
    for (auto const* name : { "LC_ALL", "LC_MESSAGES", "LANG" }) {
        char const* value = std::getenv(name);
        if (value && *value)
            return std::string_view(value).substr(0, 2) == "ko" ? Language::Ko : Language::En;
    }
    return Language::En;
}

std::optional<fs::path> lessons_directory()
{
    for (auto const& directory : data_directories()) {
        std::error_code error;
        if (fs::is_directory(directory / "lessons" / "en", error))
            return directory / "lessons";
    }
    return std::nullopt;
}

std::vector<LessonFile> lesson_files(fs::path const& lessons, Language language)
{
    std::vector<LessonFile> files;
    std::error_code error;
    auto directory = lessons / std::string(to_string(language));
    for (auto const& entry : fs::directory_iterator(directory, error)) {
        if (entry.path().extension() != ".lesson")
            continue;
        LessonFile file;
        file.path = entry.path();
        file.stem = entry.path().stem().string();
        file.number = lesson_number(file.stem);
        file.shown = (fs::path("lessons") / std::string(to_string(language)) / entry.path().filename()).string();
        files.push_back(std::move(file));
    }
    std::sort(files.begin(), files.end(), [](LessonFile const& a, LessonFile const& b) {
        return a.number != b.number ? a.number < b.number : a.stem < b.stem;
    });
    return files;
}

// A lesson file, at most max_input_bytes of it; `error` says why not.
std::optional<std::string> read_file(fs::path const& path, std::string& error)
{
    return read_input_file(path, error);
}

std::optional<std::string> read_file(fs::path const& path)
{
    std::string error;
    return read_input_file(path, error);
}

// The first max_reported_errors errors, then how many there are in all, as for programs: a
// file that is mostly mistakes (or not a lesson at all) would bury the first ones.
void print_errors(std::vector<Diagnostic> const& errors)
{
    if (errors.size() <= max_reported_errors) {
        std::cerr << format_diagnostics(errors);
        return;
    }
    std::vector<Diagnostic> shown(errors.begin(), errors.begin() + max_reported_errors);
    auto last = shown.back();
    last.where = {};
    last.source_line.clear();
    last.message = fmt::format("too many errors ({} in all); the first {} are shown above: fix them first", errors.size(),
        max_reported_errors);
    shown.push_back(std::move(last));
    std::cerr << format_diagnostics(shown);
}

std::string status_text(LessonStatus status, Language language)
{
    switch (status) {
    case LessonStatus::NotStarted: return std::string(tr(language, "not started", "시작 전"));
    case LessonStatus::InProgress: return std::string(tr(language, "in progress", "진행 중"));
    case LessonStatus::Done: return std::string(tr(language, "done", "완료"));
    }
    return "";
}

int list_lessons(fs::path const& lessons, Language language, Progress const& progress)
{
    auto files = lesson_files(lessons, language);
    std::cout << tr(language, "Lessons (in English; in Korean: ticklab lesson --lang ko)\n",
        "강 목록 (한국어; 영어로 보려면 ticklab lesson --lang en)\n");
    std::vector<std::string> titles;
    std::vector<std::string> notes;
    int width = 0;
    for (auto const& file : files) {
        auto content = read_file(file.path).value_or("");
        auto parsed = parse_lesson(content, file.shown);
        auto title = parsed.lesson.title.empty() ? file.stem : parsed.lesson.title;
        std::string note;
        if (!parsed.ok())
            note = fmt::format(fmt::runtime(tr(language, "  [has errors: ticklab lesson {} --check]",
                                   "  [오류 있음: ticklab lesson {} --check]")),
                file.number);
        else if (!parsed.lesson.needs.empty()) {
            std::string needs;
            for (auto const& need : parsed.lesson.needs)
                needs += (needs.empty() ? "" : ", ") + need;
            note = fmt::format(fmt::runtime(tr(language, "  [not yet available: {}]", "  [아직 준비 중: {}]")), needs);
        }
        width = std::max(width, display_width(title));
        titles.push_back(std::move(title));
        notes.push_back(std::move(note));
    }
    for (std::size_t i = 0; i < files.size(); ++i)
        std::cout << fmt::format("  {:>2}  {}  {}{}\n", files[i].number, pad_right(titles[i], width),
            status_text(progress.status(files[i].stem), language), notes[i]);
    std::cout << tr(language, "Play one with: ticklab lesson N   (--all shows a whole lesson with its answers)\n",
        "N강 시작: ticklab lesson N   (--all: 정답까지 한 번에 보기)\n");
    return exit_code::ok;
}

// A lesson named on the command line: its number, its name, or a file.
std::optional<LessonFile> find_lesson(std::string const& name, std::vector<LessonFile> const& files)
{
    if (!name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        auto number = std::atoi(name.c_str());
        for (auto const& file : files)
            if (file.number == number)
                return file;
        return std::nullopt;
    }
    for (auto const& file : files) {
        auto unnumbered = file.stem.substr(std::min(file.stem.size(), file.stem.find('-') + 1));
        if (file.stem == name || unnumbered == name || file.path.filename() == name)
            return file;
    }
    std::error_code error;
    if (fs::is_regular_file(name, error)) {
        LessonFile file;
        file.path = name;
        file.shown = name;
        file.stem = fs::path(name).stem().string();
        file.number = lesson_number(file.stem);
        return file;
    }
    return std::nullopt;
}

// Checks one lesson file (and, for a translation, that it matches the English one).
bool check_one(LessonFile const& file, std::optional<LessonFile> const& original)
{
    auto environment = cli_lesson_environment(file.path);
    std::string reason;
    auto content = read_file(file.path, reason);
    if (!content) {
        fmt::print(stderr, "ticklab: error: cannot read {}: {}\n", file.shown, reason);
        return false;
    }
    auto checked = check_lesson(*content, file.shown, environment);
    auto errors = checked.errors;
    if (original && checked.ok()) {
        auto original_content = read_file(original->path).value_or("");
        auto parsed = parse_lesson(original_content, original->shown);
        if (parsed.ok()) {
            auto differences = compare_translation(parsed.lesson, checked.lesson, *content);
            errors.insert(errors.end(), differences.begin(), differences.end());
        }
    }
    if (!errors.empty()) {
        print_errors(errors);
        return false;
    }
    std::size_t questions = 0;
    std::size_t checks = 0;
    std::size_t by_hand = 0;
    for (auto const& block : checked.lesson.blocks) {
        questions += block.kind == BlockKind::Predict || block.kind == BlockKind::Choice
            || (block.kind == BlockKind::Explore && !block.variable.empty());
        checks += block.kind == BlockKind::Check;
        by_hand += block.kind == BlockKind::Manual;
    }
    fmt::print("{}: ok ({} run{}, {} question{}, {} check{}{})\n", file.shown, checked.lesson.runs.size(),
        checked.lesson.runs.size() == 1 ? "" : "s", questions, questions == 1 ? "" : "s", checks, checks == 1 ? "" : "s",
        by_hand == 0 ? std::string() : fmt::format(", {} played by hand", by_hand));
    return true;
}

int check_lessons(fs::path const& lessons, LessonSettings const& settings, Language language)
{
    auto english = lesson_files(lessons, Language::En);
    auto counterpart = [&](LessonFile const& file, Language in) -> std::optional<LessonFile> {
        if (in == Language::En)
            return std::nullopt;
        for (auto const& candidate : english)
            if (candidate.stem == file.stem)
                return candidate;
        return std::nullopt;
    };
    int failed = 0;
    int count = 0;
    if (!settings.lesson.empty()) {
        auto file = find_lesson(settings.lesson, lesson_files(lessons, language));
        if (!file) {
            fmt::print(stderr, "ticklab: error: no lesson '{}'; list them with 'ticklab lesson'\n", settings.lesson);
            return exit_code::bad_input;
        }
        ++count;
        failed += !check_one(*file, counterpart(*file, language));
    } else {
        for (auto in : { Language::En, Language::Ko }) {
            auto files = lesson_files(lessons, in);
            for (auto const& file : files) {
                ++count;
                failed += !check_one(file, counterpart(file, in));
            }
            if (in == Language::Ko) {
                // Every lesson exists in both languages.
                for (auto const& file : english) {
                    if (std::none_of(files.begin(), files.end(), [&](LessonFile const& ko) { return ko.stem == file.stem; })) {
                        fmt::print(stderr, "{}: error: no Korean translation (lessons/ko/{}.lesson)\n", file.shown, file.stem);
                        ++failed;
                    }
                }
            }
        }
    }
    if (failed > 0) {
        fmt::print(stderr, "{} of {} lesson files have errors\n", failed, count);
        return exit_code::bad_input;
    }
    fmt::print("all {} lesson files hold\n", count);
    return exit_code::ok;
}

void save_progress(Progress const& progress, std::optional<fs::path> const& path)
{
    std::string error;
    if (path && !progress.save(*path, error))
        fmt::print(stderr, "ticklab: warning: {}; your progress is not remembered\n", error);
}

int play(fs::path const& lessons, LessonSettings const& settings, Language language)
{
    auto files = lesson_files(lessons, language);
    auto file = find_lesson(settings.lesson, files);
    if (!file && language != Language::En) {
        // A lesson not translated yet is played in English rather than not at all.
        file = find_lesson(settings.lesson, lesson_files(lessons, Language::En));
        if (file)
            language = Language::En;
    }
    if (!file) {
        fmt::print(stderr, "ticklab: error: no lesson '{}'; list them with 'ticklab lesson'\n", settings.lesson);
        return exit_code::bad_input;
    }
    std::string reason;
    auto content = read_file(file->path, reason);
    if (!content) {
        fmt::print(stderr, "ticklab: error: cannot read {}: {}\n", file->shown, reason);
        return exit_code::bad_input;
    }
    auto checked = check_lesson(*content, file->shown, cli_lesson_environment(file->path));
    if (!checked.ok()) {
        print_errors(checked.errors);
        auto count = checked.errors.size();
        fmt::print(stderr, "{} error{} in the lesson; it cannot be played until {} fixed\n", count, count == 1 ? "" : "s",
            count == 1 ? "it is" : "they are");
        return exit_code::bad_input;
    }

    PlayOptions options;
    options.language = language;
    options.number = file->number;
    options.reveal = settings.all;
    options.pause = !settings.all && isatty(STDIN_FILENO);
    options.colour = colour_wanted("auto");
    options.width = terminal_width(0);
    if (!settings.compare_with.empty())
        options.compare_with = std::get<std::vector<std::string>>(builtin_policy_list(settings.compare_with));

    // Reading a lesson with its answers (--all) is not doing it: progress is left alone.
    auto path = progress_path();
    auto progress = path ? Progress::load(*path) : Progress {};
    if (!settings.all) {
        progress.record(file->stem, LessonStatus::InProgress);
        save_progress(progress, path);
    }
    auto result = play_lesson(checked, options, std::cout, terminal_line_reader());
    if (result == PlayResult::Finished && !settings.all) {
        progress.record(file->stem, LessonStatus::Done);
        save_progress(progress, path);
    }
    // A lesson file of one's own (no number) has no next lesson.
    if (result != PlayResult::Stopped && file->number > 0) {
        for (auto const& next : files) {
            if (next.number > file->number) {
                std::cout << fmt::format(fmt::runtime(tr(language, "Next: ticklab lesson {}\n", "다음 강: ticklab lesson {}\n")),
                    next.number);
                break;
            }
        }
    }
    std::cout.flush();
    return exit_code::ok;
}

}

void add_lesson_options(CLI::App& app, LessonSettings& settings)
{
    auto* lesson = &app;
    lesson->add_option("lesson", settings.lesson, "A lesson's number (e.g. 4), name, or a lesson file");
    lesson->add_option("--lang", settings.language, "Language: en or ko (default: from LANG, else en)")
        ->check(CLI::IsMember({ "en", "ko" }));
    lesson->add_flag("--all,--non-interactive", settings.all, "Print the whole lesson with every answer; ask nothing");
    lesson->add_flag("--check", settings.check,
        "Check lessons (all of them, in both languages, or the one named): every run, answer and claim");
    lesson->add_flag("--reset", settings.reset, "Forget which lessons you have done");
    lesson->add_option("--compare-with", settings.compare_with,
        "The built-in policies a @manual exercise shows beside you: a list such as fcfs,sjf,rr (default: all)");
    lesson->footer("Progress is kept in $TICKLAB_PROGRESS, else $XDG_STATE_HOME/ticklab/progress, else "
                   "~/.local/state/ticklab/progress. Exit codes: 0 ok, 2 usage error, 3 bad lesson.\n");
}

int lesson_command(LessonSettings const& settings)
{
    if (!settings.compare_with.empty()) {
        auto compared = builtin_policy_list(settings.compare_with);
        if (auto const* error = std::get_if<std::string>(&compared)) {
            fmt::print(stderr, "ticklab: error: --compare-with: {}\n", *error);
            return exit_code::usage;
        }
        if (settings.lesson.empty() || settings.check) {
            fmt::print(stderr, "ticklab: error: --compare-with chooses the policies a lesson's @manual shows: give the "
                               "lesson to play\n");
            return exit_code::usage;
        }
    }
    auto language = choose_language(settings);
    auto lessons = lessons_directory();
    if (!lessons && !(settings.check || !settings.lesson.empty())) {
        fmt::print(stderr, "ticklab: error: no lessons found (set TICKLAB_DATA to the folder holding lessons/)\n");
        return exit_code::bad_input;
    }
    auto directory = lessons.value_or(fs::path("lessons"));
    if (settings.reset) {
        auto path = progress_path();
        Progress progress;
        std::string error;
        if (path && !progress.save(*path, error)) {
            fmt::print(stderr, "ticklab: error: {}; progress was not reset\n", error);
            return exit_code::bad_input;
        }
        std::cout << tr(language, "Progress forgotten: every lesson is marked not started.\n",
            "진행 기록을 지웠습니다. 이제 모든 강이 '시작 전'입니다.\n");
        if (settings.lesson.empty() && !settings.check)
            return exit_code::ok;
    }
    if (settings.check)
        return check_lessons(directory, settings, language);
    if (settings.lesson.empty()) {
        auto path = progress_path();
        return list_lessons(directory, language, path ? Progress::load(*path) : Progress {});
    }
    return play(directory, settings, language);
}

}
