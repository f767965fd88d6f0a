#include "lesson/capabilities.hpp"

#include <array>

namespace tl {

namespace {

// Flip `available` only together with the lessons that need the capability (see the header).
constexpr std::array s_capabilities {
    Capability { "memory-admission", true, "a process waits until its memory fits in RAM",
        "프로세스는 메모리가 RAM에 들어갈 자리가 생길 때까지 기다립니다" },
    Capability { "threads", true, "several threads in one process", "한 프로세스 안의 여러 스레드" },
    Capability { "exit", true, "`exit` ends the whole process, every thread of it",
        "`exit`는 프로세스 전체, 그 안의 모든 스레드를 끝냅니다" },
    Capability { "loading-time", true, "loading a program from storage into RAM takes time on the bus",
        "저장장치에서 RAM으로 프로그램을 적재하는 데 버스 시간이 걸리는 것" },
    Capability { "shared-memory", true, "shared variables that threads of one process read and write",
        "한 프로세스의 스레드들이 함께 읽고 쓰는 공유 변수" },
    Capability { "crash", true, "a fault in one thread that ends its whole process",
        "한 스레드의 오류(crash)가 프로세스 전체를 끝내는 것" },
    Capability { "coroutines", true, "async routines, `await` and `gather` inside one thread",
        "한 스레드 안의 async 루틴, `await`, `gather`" },
    Capability { "locks", true, "locks (mutexes) that make shared updates safe",
        "공유 변수의 갱신을 안전하게 만드는 락(뮤텍스)" },
    Capability { "gil", true, "a per-process interpreter lock, like CPython's GIL",
        "CPython의 GIL 같은, 프로세스마다 하나인 인터프리터 락" },
    Capability { "bus-contention", true, "memory traffic that competes for the system bus",
        "시스템 버스를 두고 다투는 메모리 접근" },
};

}

std::span<Capability const> all_capabilities() { return s_capabilities; }

Capability const* find_capability(std::string_view name)
{
    for (auto const& capability : s_capabilities)
        if (capability.name == name)
            return &capability;
    return nullptr;
}

std::string_view describe(Capability const& capability, Language language)
{
    return language == Language::Ko ? capability.ko : capability.en;
}

}
