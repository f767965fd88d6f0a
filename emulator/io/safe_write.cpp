#include "io/safe_write.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace tl {

namespace {

// The first bytes of a regular file, read without following a link (the caller checked).
std::optional<std::string> head_of(fs::path const& path)
{
    int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    std::array<char, 4096> buffer {};
    auto got = ::read(fd, buffer.data(), buffer.size());
    ::close(fd);
    if (got < 0)
        return std::nullopt;
    return std::string(buffer.data(), static_cast<std::size_t>(got));
}

bool write_all(int fd, std::string_view text)
{
    while (!text.empty()) {
        auto wrote = ::write(fd, text.data(), text.size());
        if (wrote < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        text.remove_prefix(static_cast<std::size_t>(wrote));
    }
    return true;
}

}

std::optional<std::string> write_file_safely(
    fs::path const& path, std::string_view text, OwnedBy const& owned_by, bool force, bool create_folder)
{
    return write_file_safely(
        path, [text](PieceWriter const& write) { return write(text); }, owned_by, force, create_folder);
}

std::optional<std::string> write_file_safely(fs::path const& path, std::function<bool(PieceWriter const&)> const& produce,
    OwnedBy const& owned_by, bool force, bool create_folder)
{
    auto shown = path.string();
    if (path.empty() || !path.has_filename())
        return fmt::format("cannot write '{}': it names no file", shown);
    auto folder = path.parent_path();
    if (create_folder && !folder.empty()) {
        std::error_code ignored;
        fs::create_directories(folder, ignored); // if it fails, creating the file says why
    }

    struct stat existing {};
    if (::lstat(path.c_str(), &existing) == 0) {
        if (S_ISLNK(existing.st_mode)) {
            if (!force)
                return fmt::format("'{}' is a symbolic link; ticklab does not write through it into another file", shown);
        } else if (!S_ISREG(existing.st_mode)) {
            return fmt::format("cannot write '{}': it is not a regular file", shown);
        } else if (!force && existing.st_size > 0) {
            auto head = head_of(path);
            if (!head)
                return fmt::format("cannot write '{}': {}", shown, std::strerror(errno));
            if (!owned_by(*head))
                return fmt::format("'{}' already exists and ticklab did not write it, so it is left alone", shown);
        }
    } else if (errno != ENOENT) {
        return fmt::format("cannot write '{}': {}", shown, std::strerror(errno));
    }

    auto temporary = (folder.empty() ? fs::path(".") : folder) / fmt::format(".{}.XXXXXX", path.filename().string());
    std::string name = temporary.string();
    int fd = ::mkstemp(name.data());
    if (fd < 0)
        return fmt::format("cannot write '{}': {}", shown, std::strerror(errno));
    // mkstemp makes the file private; give it the permissions a new file normally gets.
    auto mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, static_cast<mode_t>(0666 & ~mask));
    int saved = 0;
    bool failed = false;
    bool ok = produce([&](std::string_view piece) {
        if (failed)
            return false;
        if (!write_all(fd, piece)) {
            failed = true;
            saved = errno;
        }
        return !failed;
    });
    if (!ok && !failed)
        saved = EIO; // the producer stopped for its own reason
    ok = ok && !failed;
    if (::close(fd) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (ok && ::rename(name.c_str(), path.c_str()) != 0) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        ::unlink(name.c_str());
        return fmt::format("cannot write '{}': {}", shown, std::strerror(saved));
    }
    return std::nullopt;
}

std::FILE* scratch_file(std::string_view purpose, std::string& error)
{
    char const* from_environment = std::getenv("TMPDIR");
    bool given = from_environment != nullptr && *from_environment != '\0';
    std::string folder = given ? from_environment : "/tmp";
    std::string name = (std::filesystem::path(folder) / "ticklab-XXXXXX").string();
    int fd = ::mkstemp(name.data());
    if (fd < 0) {
        error = fmt::format("cannot make a temporary file for {} in '{}'{}: {}", purpose, folder,
            given ? " ($TMPDIR)" : "", std::strerror(errno));
        return nullptr;
    }
    ::unlink(name.c_str());
    std::FILE* file = ::fdopen(fd, "w+b");
    if (file == nullptr) {
        error = fmt::format("cannot open a temporary file for {} in '{}': {}", purpose, folder, std::strerror(errno));
        ::close(fd);
    }
    return file;
}

}
