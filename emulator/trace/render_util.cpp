#include "trace/render_util.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <fmt/format.h>

namespace tl {

std::string tick_or_dash(bool applies, Tick value)
{
    return applies ? fmt::format("{}", value) : "-";
}

std::string plural(std::int64_t count, std::string_view one, std::string_view many)
{
    return fmt::format("{} {}", count, count == 1 ? one : many);
}

std::string percent(double fraction) { return fmt::format("{:.1f}%", fraction * 100.0); }

std::string svg_colour(ThreadId thread)
{
    static constexpr std::array<std::string_view, 10> palette {
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
    };
    if (thread >= 0 && thread < std::ssize(palette))
        return std::string(palette[index_of(thread)]);
    auto hue = std::fmod(static_cast<double>(thread) * 137.508, 360.0);
    return fmt::format("hsl({:.0f},60%,62%)", hue);
}

std::string svg_number(double value)
{
    auto text = fmt::format("{:.2f}", value);
    while (text.back() == '0')
        text.pop_back();
    if (text.back() == '.')
        text.pop_back();
    return text == "-0" ? "0" : text;
}

std::vector<std::string> wrap_words(std::string_view text, int width)
{
    std::vector<std::string> lines;
    std::string current;
    int used = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find_first_of(" \n", start);
        if (end == std::string_view::npos)
            end = text.size();
        auto word = text.substr(start, end - start);
        start = end + 1;
        if (word.empty())
            continue;
        int w = display_width(word);
        if (used > 0 && used + 1 + w > width) {
            lines.push_back(std::move(current));
            current.clear();
            used = 0;
        }
        if (used > 0) {
            current += ' ';
            ++used;
        }
        current += word;
        used += w;
    }
    if (!current.empty() || lines.empty())
        lines.push_back(std::move(current));
    return lines;
}

std::string pad_right(std::string_view text, int width)
{
    std::string out(text);
    int shown = display_width(text);
    if (shown < width)
        out.append(static_cast<std::size_t>(width - shown), ' ');
    return out;
}

std::string pad_left(std::string_view text, int width)
{
    int shown = display_width(text);
    std::string out;
    if (shown < width)
        out.assign(static_cast<std::size_t>(width - shown), ' ');
    out += text;
    return out;
}

int digit_count(std::int64_t value)
{
    int digits = 1;
    while (value >= 10) {
        value /= 10;
        ++digits;
    }
    return digits;
}

std::string_view task_label(Trace const& trace, Event const& event)
{
    if (!trace.tasks.contains(event.task))
        return "?";
    return trace.tasks[event.task].label;
}

std::string_view gil_release_reason(Event const& event)
{
    switch (static_cast<GilReleaseCause>(event.value)) {
    case GilReleaseCause::Blocked: return "it blocks";
    case GilReleaseCause::Ended: return "it ends";
    case GilReleaseCause::Interval: return "switch interval";
    }
    return "?";
}

std::string_view wait_mnemonic(Trace const& trace, Event const& event)
{
    auto const* instruction = event.thread == no_thread ? nullptr : trace.instruction_at(event.thread, event.pc);
    return wait_mnemonic(event.kind, instruction == nullptr ? nullptr : &instruction->opcode);
}

std::string_view wait_mnemonic(EventKind kind, Opcode const* opcode)
{
    if (opcode == nullptr)
        return "wait";
    if (kind == EventKind::Block && opcode_info(*opcode).timing == Timing::EventLoop)
        return "tasks"; // its event loop has nothing to run until its earliest timer
    return opcode_info(*opcode).mnemonic;
}

bool watches_bus(Trace const& trace)
{
    if (trace.machine.load_chunk > 0)
        return true;
    for (auto const& thread : trace.threads)
        for (auto const& instruction : thread.code)
            if (memory_steps(instruction.opcode) > 0)
                return true;
    return false;
}

std::string_view thread_label(Trace const& trace, ThreadId id)
{
    return id == no_thread ? std::string_view("?") : std::string_view(trace.name(id));
}

std::string_view process_label(Trace const& trace, ProcessId id)
{
    return id == no_process ? std::string_view("?") : std::string_view(trace.processes[id].name);
}

std::string_view object_name(Trace const& trace, Event const& event)
{
    if (event.process == no_process || event.object < 0)
        return "?";
    auto const& process = trace.processes[event.process];
    bool lock = event.kind == EventKind::LockAcquire || event.kind == EventKind::LockRelease
        || event.kind == EventKind::LockWait;
    auto const& names = lock ? process.mutexes : process.variables;
    return event.object < std::ssize(names) ? std::string_view(names[index_of(event.object)]) : std::string_view("?");
}

std::string slice_activity(Trace const& trace, Slice const& slice, Tick t) { return slice_activity(trace, slice, t, t); }

std::string slice_activity(Trace const& trace, Slice const& slice, Tick first, Tick last)
{
    auto const& instruction = trace.instruction(slice);
    auto steps = memory_steps(instruction.opcode);
    if (steps == 0) {
        // The cache model: a warm tick does cache_warm_rate ticks of the instruction.
        bool cached = trace.machine.cache > 0 && trace.threads[slice.thread].working_set > 0;
        Tick rate = cached && slice.warm ? trace.machine.cache_warm_rate : 1;
        auto done_by = [&](Tick t) { return std::min(slice.done_before + (t - slice.start + 1) * rate, instruction.ticks); };
        auto progress = first == last ? fmt::format("{}", done_by(first)) : fmt::format("{}-{}", done_by(first), done_by(last));
        if (!cached)
            return fmt::format("{} {}/{}", opcode_info(instruction.opcode).mnemonic, progress, instruction.ticks);
        return fmt::format("{} {}/{} {}", opcode_info(instruction.opcode).mnemonic, progress, instruction.ticks,
            slice.warm ? "warm" : "cold");
    }
    std::string text = to_string(instruction);
    if (steps > 1) // which step: "incr x: add"
        text += fmt::format(": {}",
            step_name(memory_step(instruction.opcode, static_cast<int>(std::clamp<Tick>(slice.done_before, 0, steps - 1)))));
    if (slice.stalled)
        text += " (bus wait)";
    return text;
}

}
