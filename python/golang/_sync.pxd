# cython: language_level=3
# golang/_sync.pxd: the nogil sync API (`from golang cimport sync`), the part
# of Pygolang 0.1's: Sema, Mutex, RWMutex, Once, WaitGroup, and WorkGroup
# (in golang/context.h: it needs context).

from golang cimport error, refptr
from golang cimport context

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

cdef extern from "golang/context.h" namespace "golang::sync" nogil:
    cppclass _WorkGroup:
        void  go(...)       # f: func<error(context.Context)>
        error wait()

    cppclass WorkGroup (refptr[_WorkGroup]):
        # WorkGroup.X = WorkGroup->X in C++
        void  go    "_ptr()->go" (...)
        error wait  "_ptr()->wait" ()

    WorkGroup NewWorkGroup(context.Context ctx)
