// Precompiled header of the command line (meson's cpp_pch): CLI11, which every command's
// options are built with, and the headers around it, parsed once per build instead of once
// per file. Each file still includes what it uses; this only makes the build faster.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <iostream>
#include <optional>
#include <string>
#include <vector>
