#include "cli/paths.hpp"

#include "lang/input_file.hpp"
#include "ticklab_config.h"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <system_error>
#include <unistd.h>

namespace fs = std::filesystem;

namespace tl {

namespace {

// "too many levels of symbolic links (a symbolic link that leads back to itself)".
std::string describe_error(std::error_code const& error)
{
    if (error == std::errc::too_many_symbolic_link_levels)
        return "it is a symbolic link that leads round in a loop (too many levels of symbolic links)";
    if (error == std::errc::permission_denied)
        return "permission denied";
    return error.message();
}

fs::path executable_directory()
{
    std::error_code error;
    auto self = fs::read_symlink("/proc/self/exe", error);
    return error ? fs::path() : self.parent_path();
}

}

std::vector<fs::path> data_directories()
{
    std::vector<fs::path> directories;
    if (char const* override_dir = std::getenv("TICKLAB_DATA"); override_dir && *override_dir)
        directories.emplace_back(override_dir);
    if (auto exe = executable_directory(); !exe.empty())
        directories.push_back(exe.parent_path() / "share" / "ticklab");
    directories.emplace_back(TICKLAB_DATADIR);
    directories.emplace_back(TICKLAB_SOURCE_DIR);
    return directories;
}

std::optional<LoadedFile> load_program_file(std::string const& name, std::string& error, bool allow_stdin, fs::path const& base)
{
    if (name == "-" && allow_stdin) {
        // As Unix tools do: the program comes from standard input, with the same cap as a file.
        std::string content;
        char buffer[65536];
        std::size_t got = 0;
        while ((got = std::fread(buffer, 1, sizeof buffer, stdin)) > 0) {
            content.append(buffer, got);
            if (content.size() > max_program_bytes) {
                error = fmt::format("cannot run the program on standard input: it is larger than {}; is it really "
                                    "a program?",
                    limit_text(max_program_bytes));
                return std::nullopt;
            }
        }
        if (std::ferror(stdin)) {
            error = fmt::format("cannot read the program from standard input: {}", std::strerror(errno));
            return std::nullopt;
        }
        return LoadedFile { "<stdin>", std::move(content) };
    }
    // Each candidate with the directory it was found under (empty: as the learner wrote it).
    std::vector<fs::path> candidates { base / fs::path(name), base / fs::path(name + ".tl") };
    std::vector<fs::path> roots { fs::path(), fs::path() };
    fs::path relative(name);
    if (relative.is_relative()) {
        for (auto const& directory : data_directories()) {
            for (auto const& base : { directory, directory / "programs" }) {
                candidates.push_back(base / relative);
                candidates.push_back(base / fs::path(name + ".tl"));
                roots.insert(roots.end(), 2, directory);
            }
        }
    }
    std::error_code ec;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        auto const& candidate = candidates[i];
        auto status = fs::status(candidate, ec);
        // The file as written exists but cannot be reached (a loop of symbolic links, a
        // folder it may not enter): say why, not "no such file".
        if (ec && i < 2 && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory) {
            error = fmt::format("cannot open '{}': {}", candidate.string(), describe_error(ec));
            return std::nullopt;
        }
        if (ec || !fs::exists(status))
            continue;
        if (fs::is_directory(status)) {
            if (i == 0) {
                error = fmt::format("cannot run '{}': it is a directory, not a program file", name);
                return std::nullopt;
            }
            continue;
        }
        if (!fs::is_regular_file(status)) {
            // /dev/zero, a FIFO, a socket: reading one could go on forever, or wait forever.
            error = fmt::format("cannot run '{}': it is a device, a pipe or a socket, not a program file", name);
            return std::nullopt;
        }
        if (fs::file_size(candidate, ec) > max_program_bytes && !ec) {
            error = fmt::format("cannot run '{}': the file is larger than {}; is it really a program?", name,
                limit_text(max_program_bytes));
            return std::nullopt;
        }
        std::string reason;
        auto content = read_input_file(candidate, reason, max_program_bytes);
        if (!content) {
            error = fmt::format("cannot open '{}': {}", candidate.string(), reason);
            return std::nullopt;
        }
        // Diagnostics name the file as the learner wrote it when that is what was found, and
        // a bundled program by its place in ticklab's data ("programs/kitchen.tl"), the same
        // wherever ticklab is installed.
        std::string shown = i < 2 ? candidate.string() : candidate.lexically_relative(roots[i]).string();
        return LoadedFile { shown, std::move(*content) };
    }
    error = fmt::format("cannot open '{}': no such file, and no bundled program of that name "
                        "(see 'ticklab programs')",
        name);
    return std::nullopt;
}

std::string find_policy_file(std::string const& name)
{
    std::error_code error;
    fs::path path(name);
    if (path.is_absolute() || fs::exists(path, error))
        return name;
    for (auto const& directory : data_directories())
        if (fs::is_regular_file(directory / path, error))
            return (directory / path).string();
    return name;
}

}
