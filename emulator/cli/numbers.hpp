#pragma once

// Whole-number options read the way people write them: in decimal, always. CLI11 on its own
// reads "010" as octal 8 and "0x10" as hex, and turns a value past the type's range into
// the largest one; ticklab reads "010" as ten, refuses the rest, and says how large a value
// may be.

#include "cli/exit_codes.hpp"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdint>
#include <fmt/format.h>
#include <limits>
#include <string>

namespace tl {

// A value past an option's range: bad input (exit 3), as the machine checks (e.g. "--cores
// 0") are.
class OutOfRange : public CLI::ParseError {
public:
    explicit OutOfRange(std::string message)
        : CLI::ParseError("OutOfRange", std::move(message), exit_code::bad_input)
    {
    }
};

// Not a decimal whole number at all ("zero", "0x10", "1e3"): a usage error (exit 2).
class NotANumber : public CLI::ParseError {
public:
    explicit NotANumber(std::string message)
        : CLI::ParseError("NotANumber", std::move(message), exit_code::usage)
    {
    }
};

// Makes OPTION read its value as a decimal whole number from MIN to MAX: leading zeros are
// dropped ("010" is 10), anything but an optional sign and digits throws NotANumber, and a
// value past the bounds throws OutOfRange ("--cores 9223372036854775808 is too large: at
// most 1024"). Values inside the type but outside a narrower domain check (e.g. "--cores 0")
// are left to the caller's own checks.
inline CLI::Option* decimal(CLI::Option* option, std::int64_t min, std::uint64_t max)
{
    std::string name = option->get_name();
    option->transform(CLI::Validator(
        [name, min, max](std::string& text) -> std::string {
            std::string_view digits = text;
            bool negative = !digits.empty() && digits.front() == '-';
            if (negative || (!digits.empty() && digits.front() == '+'))
                digits.remove_prefix(1);
            if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos)
                throw NotANumber(fmt::format("{} expects a whole number in decimal, not '{}'", name, text));
            auto first = digits.find_first_not_of('0');
            digits = first == std::string_view::npos ? std::string_view("0") : digits.substr(first);
            std::uint64_t magnitude = 0;
            auto [rest, status] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude);
            bool huge = status != std::errc() || rest != digits.data() + digits.size();
            if (!negative && (huge || magnitude > max))
                throw OutOfRange(fmt::format("{} {} is too large: at most {}", name, text, max));
            auto lowest = min < 0 ? static_cast<std::uint64_t>(-(min + 1)) + 1 : 0;
            if (negative && magnitude != 0 && (huge || min >= 0 || magnitude > lowest))
                throw OutOfRange(fmt::format("{} {} is too small: at least {}", name, text, min));
            text = negative && magnitude != 0 ? fmt::format("-{}", digits) : std::string(digits);
            return std::string();
        },
        "", "decimal"));
    return option;
}

// The same, bounded by the target's type.
template <typename T>
CLI::Option* decimal(CLI::Option* option)
{
    return decimal(option, static_cast<std::int64_t>(std::numeric_limits<T>::min()),
        static_cast<std::uint64_t>(std::numeric_limits<T>::max()));
}

}
