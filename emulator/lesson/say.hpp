#pragma once

// A sentence in the learner's language: every English/Korean pair of ticklab's lessons goes
// through these two, so that each text is written once in each language beside the other.

#include "lesson/lesson.hpp"

#include <fmt/format.h>
#include <string>
#include <string_view>
#include <utility>

namespace tl {

// The text for the language: `en` or `ko`.
inline std::string_view tr(Language language, std::string_view en, std::string_view ko)
{
    return language == Language::Ko ? ko : en;
}

// The text for the language, formatted: each language may order the arguments its own way
// ("{1} ... {0}").
template<typename... Args>
std::string say(Language language, std::string_view en, std::string_view ko, Args&&... args)
{
    return fmt::format(fmt::runtime(tr(language, en, ko)), std::forward<Args>(args)...);
}

}
