#pragma once

// VERIFY states an invariant of the emulator itself. A failure is a ticklab bug, never a
// learner's mistake: it prints the file, line and expression and ends ticklab with exit code
// 70 (docs/cli.md). It ends through std::exit, so what was already printed is flushed and a
// fuzzer's exit hook records the input; in a debugger, break on tl::verify_failed.

#include <cstdio>
#include <cstdlib>

namespace tl {

[[noreturn]] [[gnu::cold]] [[gnu::noinline]] inline void verify_failed(char const* file, int line, char const* expression)
{
    std::fflush(stdout);
    std::fprintf(stderr, "ticklab: internal error at %s:%d: VERIFY(%s) failed; this is a ticklab bug, please report it\n",
        file, line, expression);
    std::exit(70); // tl::exit_code::internal
}

}

#define VERIFY(expr)                                                                        \
    do {                                                                                    \
        if (!(expr)) [[unlikely]]                                                           \
            ::tl::verify_failed(__FILE__, __LINE__, #expr);                                 \
    } while (0)

#define VERIFY_NOT_REACHED() VERIFY(false && "not reached")
