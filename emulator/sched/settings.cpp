#include "sched/settings.hpp"

#include "engine/config.hpp"

#include <charconv>
#include <fmt/format.h>

namespace tl {

namespace {

std::optional<std::int64_t> parse_whole(std::string_view text)
{
    std::int64_t value = 0;
    auto [rest, status] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || status != std::errc() || rest != text.data() + text.size())
        return std::nullopt;
    return value;
}

// Digits (with an optional '-') that name a number past what an int64 holds.
bool too_many_digits(std::string_view text)
{
    std::int64_t value = 0;
    auto [rest, status] = std::from_chars(text.data(), text.data() + text.size(), value);
    return status == std::errc::result_out_of_range && rest == text.data() + text.size();
}

// "too large: at most 10^12" for a value past the top of a range that only guards against
// overflow, or past what an int64 holds; else "" (and "between 1 and 16, not 17" is said).
std::string too_large(std::string_view given, std::optional<std::int64_t> value, std::int64_t max)
{
    bool large = value ? *value > max && max >= max_tick_limit : too_many_digits(given) && given.front() != '-';
    return large ? fmt::format("too large: at most {}", max) : std::string();
}

// "between 1 and 16", or "1 or more" when the upper bound is only a guard against overflow.
std::string range_text(std::int64_t min, std::int64_t max)
{
    if (max >= max_tick_limit)
        return fmt::format("{} or more", min);
    return fmt::format("between {} and {}", min, max);
}

}

bool SettingsReader::has(std::string_view name) const { return text(name).has_value(); }

std::optional<std::string_view> SettingsReader::text(std::string_view name) const
{
    auto found = m_options.settings.find(name);
    if (found == m_options.settings.end())
        return std::nullopt;
    return std::string_view(found->second);
}

void SettingsReader::fail(std::string message)
{
    if (!m_error)
        m_error = fmt::format("{}: {}", m_policy, message);
}

std::int64_t SettingsReader::number(std::string_view name, std::int64_t fallback, std::int64_t min, std::int64_t max)
{
    auto given = text(name);
    if (!given || m_error)
        return fallback;
    auto value = parse_whole(*given);
    if (auto large = too_large(*given, value, max); !large.empty()) {
        fail(fmt::format("{} {} is {}", name, *given, large));
        return fallback;
    }
    if (!value) {
        fail(fmt::format("{} must be a whole number {}, not '{}'", name, range_text(min, max), *given));
        return fallback;
    }
    if (*value < min || *value > max) {
        fail(fmt::format("{} must be {}, not {}", name, range_text(min, max), *value));
        return fallback;
    }
    return *value;
}

std::optional<Tick> SettingsReader::ticks_or_off(std::string_view name, std::optional<Tick> fallback, Tick max)
{
    auto given = text(name);
    if (!given || m_error)
        return fallback;
    if (*given == "off" || *given == "0")
        return std::nullopt;
    auto value = parse_whole(*given);
    if (auto large = too_large(*given, value, max); !large.empty()) {
        fail(fmt::format("{} {} is {}", name, *given, large));
        return fallback;
    }
    if (!value || *value < 1 || *value > max) {
        fail(fmt::format("{} must be a number of ticks ({}) or off, not '{}'", name, range_text(1, max), *given));
        return fallback;
    }
    return *value;
}

std::vector<std::int64_t> SettingsReader::list(
    std::string_view name, std::int64_t min, std::int64_t max, std::size_t max_count)
{
    auto given = text(name);
    if (!given || m_error)
        return {};
    std::vector<std::int64_t> values;
    std::string_view rest = *given;
    while (true) {
        auto comma = rest.find(',');
        auto piece = rest.substr(0, comma);
        auto value = parse_whole(piece);
        if (auto large = too_large(piece, value, max); !large.empty()) {
            fail(fmt::format("{} lists {}, {}", name, piece, large));
            return {};
        }
        if (!value || *value < min || *value > max) {
            fail(fmt::format("{} must be whole numbers {}, separated by commas (e.g. {}=2,4,8), not '{}'", name,
                range_text(min, max), name, *given));
            return {};
        }
        values.push_back(*value);
        if (comma == std::string_view::npos)
            break;
        rest.remove_prefix(comma + 1);
    }
    if (values.size() > max_count) {
        fail(fmt::format("{} lists {} values; at most {} are allowed", name, values.size(), max_count));
        return {};
    }
    return values;
}

std::string_view SettingsReader::choice(
    std::string_view name, std::string_view fallback, std::span<std::string_view const> choices)
{
    auto given = text(name);
    if (!given || m_error)
        return fallback;
    for (auto choice : choices)
        if (choice == *given)
            return choice;
    fail(fmt::format("{} must be one of {}, not '{}'", name, fmt::join(choices, ", "), *given));
    return fallback;
}

std::string join_ticks(std::span<Tick const> ticks, std::string_view separator)
{
    return fmt::format("{}", fmt::join(ticks, separator));
}

std::optional<std::string> add_setting(SchedulerOptions& options, std::string_view setting)
{
    auto equals = setting.find('=');
    if (equals == std::string_view::npos || equals == 0)
        return fmt::format("--set '{}' must look like NAME=VALUE", setting);
    options.settings[std::string(setting.substr(0, equals))] = std::string(setting.substr(equals + 1));
    return std::nullopt;
}

}
