# cython: language_level=3
# golang/_sync.pxd: the nogil sync API (`from golang cimport sync`), the part
# of Pygolang 0.1's that is implemented: Sema, Mutex, RWMutex, Once and
# WaitGroup. WorkGroup (it needs context) is not declared yet.

cdef extern from "golang/sync.h" namespace "golang::sync" nogil:
    cppclass Sema:
        Sema()
        void acquire()
        void release()

    cppclass Mutex:
        void lock()
        void unlock()

    cppclass RWMutex:
        void Lock()
        void Unlock()
        void RLock()
        void RUnlock()
        void UnlockToRLock()

    cppclass Once:
        void do "do_" (...)     # f: func<void()>

    cppclass WaitGroup:
        void done()
        void add(int delta)
        void wait()
