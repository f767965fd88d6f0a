// fmt's compiled part, built with ticklab when ticklab is linked statically (meson.build,
// static_ticklab). Debian's libfmt-dev ships fmt's compiled functions only as a shared
// library, and including fmt header-only in every file instead made each file compile about
// twice as slowly (trace/summary.cpp at -O3: 2.9 s of CPU, 6.4 s header-only). So this one
// file compiles <fmt/format-inl.h>'s functions, and instantiates the templates <fmt/format.h>
// and <fmt/core.h> declare but leave to the library; every other file includes fmt as usual.
#include <fmt/format-inl.h>

FMT_BEGIN_NAMESPACE
namespace detail {

template FMT_API auto dragonbox::to_decimal(float) noexcept -> dragonbox::decimal_fp<float>;
template FMT_API auto dragonbox::to_decimal(double) noexcept -> dragonbox::decimal_fp<double>;

template FMT_API locale_ref::locale_ref(std::locale const&);
template FMT_API auto locale_ref::get<std::locale>() const -> std::locale;

template FMT_API auto thousands_sep_impl(locale_ref) -> thousands_sep_result<char>;
template FMT_API auto decimal_point_impl(locale_ref) -> char;
template FMT_API auto thousands_sep_impl(locale_ref) -> thousands_sep_result<wchar_t>;
template FMT_API auto decimal_point_impl(locale_ref) -> wchar_t;

template FMT_API void buffer<char>::append(char const*, char const*);
template FMT_API void vformat_to(buffer<char>&, string_view, basic_format_args<FMT_BUFFER_CONTEXT(char)>,
    locale_ref);

} // namespace detail
FMT_END_NAMESPACE
