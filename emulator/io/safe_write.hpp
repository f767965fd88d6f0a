#pragma once

// Writing a file ticklab owns without harming one it does not: the file a learner names
// (`generate -o`, $TICKLAB_PROGRESS) may already hold something else, or be a symbolic link
// into another file.

#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace tl {

// Says whether an existing file (its first bytes, at most 4 KiB) is one ticklab wrote and may
// replace.
using OwnedBy = std::function<bool(std::string_view head)>;

// Writes TEXT to PATH: into a new temporary file in the same folder, then renamed over PATH,
// so that nobody ever sees half a file and a symbolic link at PATH is never written through.
// An existing PATH is replaced only when it is a regular file that OWNED_BY recognises, or
// is empty, or FORCE is set; a symbolic link only with FORCE (the link itself is replaced,
// never its target); a folder, device or pipe never. Creates PATH's folder when CREATE_FOLDER.
// Returns nothing on success, else a one-line reason naming the file.
std::optional<std::string> write_file_safely(std::filesystem::path const& path, std::string_view text,
    OwnedBy const& owned_by, bool force, bool create_folder = false);

// The same, for a text made in pieces: PRODUCE is called once with a function that writes the
// next piece (it returns false once a write has failed), and returns false when it stopped
// early; the temporary file is then removed and PATH left as it was.
using PieceWriter = std::function<bool(std::string_view piece)>;
std::optional<std::string> write_file_safely(std::filesystem::path const& path,
    std::function<bool(PieceWriter const&)> const& produce, OwnedBy const& owned_by, bool force, bool create_folder = false);

// A scratch file for a writer that holds more than memory should (the JSON writer's event
// records, the Perfetto trace's sorted runs): made in $TMPDIR (/tmp when it is unset or
// empty), opened for reading and writing, and already unlinked, so it goes away when it is
// closed or ticklab stops. Null on failure, with `error` saying what it was for (PURPOSE), where
// and why.
std::FILE* scratch_file(std::string_view purpose, std::string& error);

}
