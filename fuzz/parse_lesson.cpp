// libFuzzer target: the lesson parser must never crash, hang or trip a sanitizer on any
// bytes, and every diagnostic it reports must point inside the input. A lesson that parses
// is also compared with itself as its own translation, which must agree.

#include "lang/diagnostic.hpp"
#include "lesson/lesson.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::string_view source(reinterpret_cast<char const*>(data), size);
    auto parsed = tl::parse_lesson(source, "fuzz.lesson");
    for (auto const& error : parsed.errors) {
        if (error.where.line < 0 || error.where.column < 0)
            __builtin_trap();
        (void)tl::format_diagnostic(error);
    }
    if (parsed.ok() && !tl::compare_translation(parsed.lesson, parsed.lesson, source).empty())
        __builtin_trap();
    return 0;
}
