#include "lang/input_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <istream>
#include <sys/stat.h>
#include <unistd.h>

namespace tl {

std::string limit_text(std::uintmax_t bytes)
{
    if (bytes >= 1024 * 1024 * 1024 && bytes % (1024 * 1024 * 1024) == 0)
        return fmt::format("{} GiB", bytes / (1024 * 1024 * 1024));
    if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0)
        return fmt::format("{} MiB", bytes / (1024 * 1024));
    if (bytes >= 1024 && bytes % 1024 == 0)
        return fmt::format("{} KiB", bytes / 1024);
    return fmt::format("{} bytes", bytes);
}

namespace {

std::string open_error(int code)
{
    switch (code) {
    case ENOENT: return "no such file";
    case EACCES:
    case EPERM: return "permission denied";
    case ELOOP: return "too many levels of symbolic links";
    case EISDIR: return "it is a directory, not a file";
    case ENOTDIR: return "a part of the path is not a directory";
    default: return std::strerror(code);
    }
}

std::string too_large(std::uintmax_t max_bytes) { return fmt::format("it is larger than {}", limit_text(max_bytes)); }

}

std::optional<std::string> read_input_file(std::filesystem::path const& path, std::string& error, std::uintmax_t max_bytes)
{
    // Checked before opening: opening a FIFO for reading would wait for a writer.
    struct stat status {};
    if (::stat(path.c_str(), &status) != 0) {
        error = open_error(errno);
        return std::nullopt;
    }
    if (S_ISDIR(status.st_mode)) {
        error = open_error(EISDIR);
        return std::nullopt;
    }
    if (!S_ISREG(status.st_mode)) {
        error = "it is a device, a pipe or a socket, not a file";
        return std::nullopt;
    }
    if (static_cast<std::uintmax_t>(status.st_size) > max_bytes) {
        error = too_large(max_bytes);
        return std::nullopt;
    }
    // O_NONBLOCK: should the path have become a FIFO since, opening it does not wait.
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        error = open_error(errno);
        return std::nullopt;
    }
    if (::fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) {
        ::close(fd);
        error = "it is a device, a pipe or a socket, not a file";
        return std::nullopt;
    }
    std::string content;
    char buffer[64 * 1024];
    for (;;) {
        auto count = ::read(fd, buffer, sizeof buffer);
        if (count < 0 && errno == EINTR)
            continue;
        if (count < 0) {
            error = open_error(errno);
            ::close(fd);
            return std::nullopt;
        }
        if (count == 0)
            break;
        if (content.size() + static_cast<std::size_t>(count) > max_bytes) {
            ::close(fd);
            error = too_large(max_bytes); // it grew while being read
            return std::nullopt;
        }
        content.append(buffer, static_cast<std::size_t>(count));
    }
    ::close(fd);
    return content;
}

std::optional<std::string> read_input_stream(std::istream& in, std::string& error, std::uintmax_t max_bytes)
{
    std::string content;
    char buffer[64 * 1024];
    while (in) {
        in.read(buffer, sizeof buffer);
        auto count = static_cast<std::size_t>(in.gcount());
        if (content.size() + count > max_bytes) {
            error = too_large(max_bytes);
            return std::nullopt;
        }
        content.append(buffer, count);
    }
    if (in.bad()) {
        error = "it could not be read";
        return std::nullopt;
    }
    return content;
}

}
