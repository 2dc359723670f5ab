// Plain C++ on the golang C ABI: a channel made, closed, and received from.
#include <golang/libgolang.h>
#include <stdio.h>

using namespace golang;

void dsotest() {
    chan<int> ch = makechan<int>();
    ch.close();
    std::pair<int, bool> r = ch.recv_();
    if (r.first != 0 || r.second)
        panic("dso.cpp: recv_ on a closed chan must give (0, false)");
    printf("dso.cpp: OK\n");
}
