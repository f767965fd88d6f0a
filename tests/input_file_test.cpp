// Reading inputs: only regular files, never past the size limit, never waiting on a FIFO.

#include "lang/input_file.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fmt/format.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using namespace tl;
namespace fs = std::filesystem;

// This file's names are its own: the test files are compiled several to a unit (tests/meson.build).
namespace input_file_test {

namespace {

fs::path scratch(std::string const& name)
{
    auto directory = fs::temp_directory_path() / fmt::format("ticklab-input-{}", ::getpid());
    fs::create_directories(directory);
    return directory / name;
}

}

TEST_CASE("a regular file is read whole, up to the limit and no further", "[input]")
{
    auto path = scratch("small.tl");
    std::ofstream(path, std::ios::binary) << "process p\n";
    std::string error;
    auto content = read_input_file(path, error);
    REQUIRE(content);
    CHECK(*content == "process p\n");

    CHECK(read_input_file(path, error, 10));
    CHECK_FALSE(read_input_file(path, error, 9));
    CHECK(error == "it is larger than 9 bytes");
    fs::remove_all(path.parent_path());
}

TEST_CASE("devices, FIFOs, directories and missing files are refused without reading", "[input]")
{
    std::string error;
    CHECK_FALSE(read_input_file("/dev/zero", error));
    CHECK(error == "it is a device, a pipe or a socket, not a file");
    CHECK_FALSE(read_input_file("/dev/urandom", error));
    CHECK(error == "it is a device, a pipe or a socket, not a file");

    // Opening a FIFO for reading waits for a writer: it must be refused before.
    auto fifo = scratch("fifo");
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK_FALSE(read_input_file(fifo, error));
    CHECK(error == "it is a device, a pipe or a socket, not a file");

    CHECK_FALSE(read_input_file(fifo.parent_path(), error));
    CHECK(error == "it is a directory, not a file");
    CHECK_FALSE(read_input_file(fifo.parent_path() / "none.tl", error));
    CHECK(error == "no such file");
    fs::remove_all(fifo.parent_path());
}

TEST_CASE("a stream is read up to the limit", "[input]")
{
    std::string error;
    std::istringstream small("abc");
    auto content = read_input_stream(small, error, 3);
    REQUIRE(content);
    CHECK(*content == "abc");
    std::istringstream big("abcd");
    CHECK_FALSE(read_input_stream(big, error, 3));
    CHECK(error == "it is larger than 3 bytes");
    CHECK(limit_text(4 * 1024 * 1024) == "4 MiB");
    CHECK(limit_text(1024 * 1024 * 1024) == "1 GiB");
}

} // namespace input_file_test
