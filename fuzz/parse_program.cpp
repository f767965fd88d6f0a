// libFuzzer target: the program parser must never crash, hang or trip a sanitizer on any
// bytes, and every diagnostic it reports must point inside the input.

#include "lang/parser.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::string_view source(reinterpret_cast<char const*>(data), size);
    auto result = tl::parse_program(source, "fuzz.tl");
    for (auto const& error : result.errors) {
        if (error.where.line < 0 || error.where.column < 0)
            __builtin_trap();
        (void)tl::format_diagnostic(error);
    }
    auto jobs = tl::parse_jobs(source);
    for (auto const& error : jobs.errors)
        (void)tl::format_diagnostic(error);
    return 0;
}
