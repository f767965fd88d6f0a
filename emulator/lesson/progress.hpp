#pragma once

// Which lessons a learner has finished, remembered between sessions in a small text file:
// $TICKLAB_PROGRESS if set (tests use it), else $XDG_STATE_HOME/ticklab/progress, else
// ~/.local/state/ticklab/progress. A lesson is named by its file's stem without the
// language ("04-concurrency-one-core"), so progress carries over from English to Korean.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace tl {

// The first line of every progress file: how ticklab knows a file is its own.
inline constexpr std::string_view progress_header
    = "# ticklab lesson progress: a lesson and its status (started or done), one a line";

enum class LessonStatus : std::uint8_t { NotStarted, InProgress, Done };

class Progress {
public:
    // A missing or unreadable file is no progress yet, and so is what is not a regular file
    // or is larger than 1 MiB; unknown lines are ignored.
    static Progress load(std::filesystem::path const&);

    LessonStatus status(std::string_view lesson) const;
    // Never takes a finished lesson back to "in progress": replaying it does not undo it.
    void record(std::string_view lesson, LessonStatus);
    void forget_all() { m_status.clear(); }

    // Writes the file (a new file renamed over the old one), creating its directory. An
    // existing file is replaced only if it starts with progress_header (or is empty); a
    // symbolic link or anything else is left alone. On failure, a one-line error.
    bool save(std::filesystem::path const&, std::string& error) const;

private:
    std::map<std::string, LessonStatus, std::less<>> m_status;
};

std::optional<std::filesystem::path> progress_path();

}
