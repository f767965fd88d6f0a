#pragma once

// Reading what a learner hands ticklab (programs, lessons, the progress file) without ever
// reading forever: a device (/dev/zero), a FIFO or a socket is refused before it is opened,
// and no read goes past a size limit, even when a file grows while it is read.

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>

namespace tl {

// The most ticklab reads of one program or lesson file (or of standard input). The largest
// bundled lesson is under 40K.
inline constexpr std::uintmax_t max_input_bytes = 4 * 1024 * 1024;
// The most ticklab reads of a program file (or a program on standard input): a generated
// workload of 1,000,000 threads of 16 instructions is about 250 MB.
inline constexpr std::uintmax_t max_program_bytes = 1024 * 1024 * 1024;

// The whole of a regular file, at most max_bytes of it. On failure, nothing, and `error` says
// why in words that follow "cannot read 'NAME': " ("it is a device, a pipe or a socket, not a
// file", "it is larger than 4 MiB", "no such file", "permission denied").
std::optional<std::string> read_input_file(std::filesystem::path const&, std::string& error,
    std::uintmax_t max_bytes = max_input_bytes);

// The rest of a stream, at most max_bytes of it (for standard input); nothing, with the same
// kind of message, when there is more or the stream fails.
std::optional<std::string> read_input_stream(std::istream&, std::string& error, std::uintmax_t max_bytes = max_input_bytes);

// "4 MiB", "64 KiB", "100 bytes": a limit as the messages above state it.
std::string limit_text(std::uintmax_t bytes);

}
