// The translation check: a lesson's translation must ask, run and claim what the original
// does, block by block, in the same order; only its prose and comments may differ.

#include "lesson/lesson.hpp"
#include "lesson/lesson_parser.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace tl {

using lesson_parsing::join;

namespace {

// A program block without its comments and quoted texts: what a translation may change.
std::string program_skeleton(std::string_view text)
{
    std::string out;
    bool quoted = false;
    bool comment = false;
    for (char c : text) {
        if (c == '\n') {
            while (!out.empty() && out.back() == ' ')
                out.pop_back();
            out += '\n';
            quoted = comment = false;
            continue;
        }
        if (comment)
            continue;
        if (c == '"') {
            quoted = !quoted;
            out += c;
            continue;
        }
        if (quoted)
            continue;
        if (c == '#') {
            comment = true;
            continue;
        }
        out += c;
    }
    return out;
}

// What a block asks, runs or claims, without its prose.
std::optional<std::string> signature(Block const& block, Lesson const& lesson)
{
    switch (block.kind) {
    case BlockKind::Run: {
        auto const& run = lesson.runs[block.run];
        std::string words;
        for (auto const& word : run.words)
            words += " " + word;
        return fmt::format("@run {} = {}{}", run.name, run.program, words);
    }
    case BlockKind::Show: {
        std::string views;
        for (auto const& view : block.views)
            views += " " + view;
        return fmt::format("@show {}{}", block.name, views);
    }
    case BlockKind::Step:
        return fmt::format("@step {} {} {}", block.name, block.from, block.to);
    case BlockKind::Predict:
        return fmt::format("@predict {}", block.expr ? to_string(*block.expr) : "");
    case BlockKind::Check:
        return fmt::format("@check {}", block.expr ? to_string(*block.expr) : "");
    case BlockKind::Explore:
        return fmt::format("@explore {} {}", block.name, block.variable);
    case BlockKind::Manual:
        return fmt::format("@manual {} {}", block.name, block.expr ? to_string(*block.expr) : "");
    case BlockKind::Choice: {
        std::string options;
        for (auto const& option : block.options)
            options += " - " + (option.condition ? "[" + to_string(*option.condition) + "]" : to_string(*option.value));
        return fmt::format("@choice {}:{}", block.expr ? to_string(*block.expr) : "", options);
    }
    case BlockKind::Program:
        return fmt::format("::: program {}\n{}", block.name, program_skeleton(block.text));
    case BlockKind::NotYet:
        return fmt::format("::: not-yet {}", block.name);
    case BlockKind::Heading:
    case BlockKind::Prose:
    case BlockKind::Pause:
    case BlockKind::Code:
        break;
    }
    return std::nullopt;
}

// "{makespan = 13}", as a figure is written, spaced the one way.
std::string figure_signature(Figure const& figure)
{
    return figure.stated ? fmt::format("{{{} = {}}}", to_string(figure.expr), figure.stated_text)
                         : fmt::format("{{{}}}", to_string(figure.expr));
}

std::string first_line(std::string_view text)
{
    return std::string(text.substr(0, text.find('\n')));
}

}

std::vector<Diagnostic> compare_translation(Lesson const& original, Lesson const& translation,
    std::string_view translation_source)
{
    std::vector<Diagnostic> problems;
    auto needs = [](Lesson const& lesson) {
        auto sorted = lesson.needs;
        std::sort(sorted.begin(), sorted.end());
        return sorted;
    };
    if (needs(original) != needs(translation)) {
        problems.push_back(Diagnostic { translation.file, SourceLocation { 1, 1 },
            fmt::format("the translation needs '{}' but {} needs '{}'", join(needs(translation), ", "), original.file,
                join(needs(original), ", ")),
            first_line(translation_source) });
        return problems;
    }
    struct Entry {
        std::string text;
        SourceLocation where;
        std::string source_line;
    };
    auto entries = [](Lesson const& lesson) {
        std::vector<Entry> out;
        for (auto const& block : lesson.blocks) {
            if (auto text = signature(block, lesson))
                out.push_back(Entry { *text, block.where, block.source_line });
            // A figure in prose states the same value in every language.
            for (auto const& figure : block.figures)
                out.push_back(Entry { figure_signature(figure), figure.where, figure.source_line });
        }
        return out;
    };
    auto a = entries(original);
    auto b = entries(translation);
    for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
        if (i < a.size() && i < b.size() && a[i].text == b[i].text)
            continue;
        bool here = i < b.size();
        auto where = here ? b[i].where : SourceLocation { 1, 1 };
        std::string message;
        if (i >= b.size())
            message = fmt::format("the translation ends here, but {}:{} goes on with '{}'", original.file,
                a[i].where.line, first_line(a[i].text));
        else if (i >= a.size())
            message = fmt::format("the translation has '{}' here, which {} does not have", first_line(b[i].text), original.file);
        else
            message = fmt::format("the translation has '{}' here, but {}:{} has '{}'", first_line(b[i].text), original.file,
                a[i].where.line, first_line(a[i].text));
        problems.push_back(Diagnostic { translation.file, where, std::move(message),
            here ? b[i].source_line : first_line(translation_source) });
        break;
    }
    return problems;
}



}
