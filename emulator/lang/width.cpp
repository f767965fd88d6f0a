#include "lang/width.hpp"

#include <utf8proc.h>

namespace tl {

int display_width(std::string_view utf8)
{
    auto const* bytes = reinterpret_cast<utf8proc_uint8_t const*>(utf8.data());
    auto left = static_cast<utf8proc_ssize_t>(utf8.size());
    int width = 0;
    while (left > 0) {
        utf8proc_int32_t code_point = 0;
        auto length = utf8proc_iterate(bytes, left, &code_point);
        if (length <= 0) {
            // Not UTF-8 here: one replacement character for the byte, then go on.
            ++width;
            ++bytes;
            --left;
            continue;
        }
        width += utf8proc_charwidth(code_point);
        bytes += length;
        left -= length;
    }
    return width;
}

}
