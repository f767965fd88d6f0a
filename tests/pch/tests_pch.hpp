// Precompiled header of the tests (meson's cpp_pch): Catch2's single header and the headers
// around it, parsed once per build instead of once per test file. Each file still includes
// what it uses; this only makes the build faster.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <map>
#include <string>
#include <vector>
