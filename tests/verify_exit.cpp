// A failed VERIFY ends ticklab with its message and exit code 70 (docs/cli.md), not abort().
#include "engine/verify.hpp"

int main(int argc, char**)
{
    VERIFY(argc == 0);
    return 0;
}
