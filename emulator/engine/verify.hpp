#pragma once

// VERIFY states an invariant of the emulator itself. A failure is a ticklab bug, never a
// learner's mistake: it prints the file, line and expression and aborts (exit code 70 is
// not reachable from here; abort is deliberate so that a debugger or sanitizer stops).

#include <cstdio>
#include <cstdlib>

#define VERIFY(expr)                                                                        \
    do {                                                                                    \
        if (!(expr)) [[unlikely]] {                                                         \
            std::fprintf(stderr, "ticklab: internal error at %s:%d: VERIFY(%s) failed\n",   \
                __FILE__, __LINE__, #expr);                                                 \
            std::abort();                                                                   \
        }                                                                                   \
    } while (0)

#define VERIFY_NOT_REACHED() VERIFY(false && "not reached")
