// Precompiled header of the ticklab library (meson's cpp_pch): the standard and fmt headers
// nearly every file includes, parsed once per build instead of once per file. Each file
// still includes what it uses; this only makes the build faster.
#include <algorithm>
#include <array>
#include <cstdint>
#include <fmt/format.h>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>
