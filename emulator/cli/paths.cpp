#include "cli/paths.hpp"

#include "ticklab_config.h"

#include <cstdlib>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <system_error>
#include <unistd.h>

namespace fs = std::filesystem;

namespace tl {

namespace {

constexpr std::uintmax_t max_program_bytes = 4 * 1024 * 1024;

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

std::optional<LoadedFile> load_program_file(std::string const& name, std::string& error, fs::path const& base)
{
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
        if (ec || !fs::exists(status))
            continue;
        if (fs::is_directory(status)) {
            if (i == 0) {
                error = fmt::format("cannot run '{}': it is a directory, not a program file", name);
                return std::nullopt;
            }
            continue;
        }
        if (fs::file_size(candidate, ec) > max_program_bytes && !ec) {
            error = fmt::format("cannot run '{}': the file is larger than {} MiB; is it really a program?", name,
                max_program_bytes / (1024 * 1024));
            return std::nullopt;
        }
        std::ifstream in(candidate, std::ios::binary);
        if (!in) {
            error = fmt::format("cannot open '{}': permission denied or unreadable", candidate.string());
            return std::nullopt;
        }
        std::ostringstream content;
        content << in.rdbuf();
        // Diagnostics name the file as the learner wrote it when that is what was found, and
        // a bundled program by its place in ticklab's data ("programs/kitchen.tl"), the same
        // wherever ticklab is installed.
        std::string shown = i < 2 ? candidate.string() : candidate.lexically_relative(roots[i]).string();
        return LoadedFile { shown, content.str() };
    }
    error = fmt::format("cannot open '{}': no such file, and no bundled program of that name "
                        "(see 'ticklab programs')",
        name);
    return std::nullopt;
}

}
