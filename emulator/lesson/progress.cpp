#include "lesson/progress.hpp"

#include "io/safe_write.hpp"
#include "lang/input_file.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>

namespace tl {

namespace {

constexpr std::uintmax_t max_progress_bytes = 1024 * 1024;

}

Progress Progress::load(std::filesystem::path const& path)
{
    Progress progress;
    // A few lines a lesson; a device, a FIFO or a huge file is no progress file at all.
    std::string error;
    auto content = read_input_file(path, error, max_progress_bytes);
    if (!content)
        return progress;
    std::istringstream in(*content);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line.front() == '#')
            continue;
        std::istringstream words(line);
        std::string lesson;
        std::string status;
        words >> lesson >> status;
        if (status == "done")
            progress.m_status[lesson] = LessonStatus::Done;
        else if (status == "started")
            progress.m_status[lesson] = LessonStatus::InProgress;
    }
    return progress;
}

LessonStatus Progress::status(std::string_view lesson) const
{
    auto found = m_status.find(lesson);
    return found == m_status.end() ? LessonStatus::NotStarted : found->second;
}

void Progress::record(std::string_view lesson, LessonStatus status)
{
    if (status == LessonStatus::NotStarted) {
        if (auto found = m_status.find(lesson); found != m_status.end())
            m_status.erase(found);
        return;
    }
    auto& entry = m_status[std::string(lesson)];
    if (entry != LessonStatus::Done)
        entry = status;
}

bool Progress::save(std::filesystem::path const& path, std::string& error) const
{
    std::string text(progress_header);
    text += '\n';
    for (auto const& [lesson, status] : m_status)
        text += lesson + ' ' + (status == LessonStatus::Done ? "done" : "started") + '\n';
    // Only a progress file is replaced: $TICKLAB_PROGRESS may name someone's notes.
    auto ours = [](std::string_view head) { return head.rfind(progress_header, 0) == 0; };
    if (auto problem = write_file_safely(path, text, ours, false, true)) {
        error = *problem;
        return false;
    }
    return true;
}

std::optional<std::filesystem::path> progress_path()
{
    if (char const* path = std::getenv("TICKLAB_PROGRESS"); path && *path)
        return std::filesystem::path(path);
    if (char const* state = std::getenv("XDG_STATE_HOME"); state && *state)
        return std::filesystem::path(state) / "ticklab" / "progress";
    if (char const* home = std::getenv("HOME"); home && *home)
        return std::filesystem::path(home) / ".local" / "state" / "ticklab" / "progress";
    return std::nullopt;
}

}
