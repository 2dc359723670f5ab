//! File I/O on descriptors for C++ (`golang/os.h`'s `os::File`, feature 4
//! of the C ABI): open, fdopen, read, write, fstat, close and pipe, each
//! giving `-errno` on failure, the way Pygolang's runtime does its I/O.
//!
//! This file holds no state of its own; what it keeps true of the
//! descriptors it is given:
//! 1. Under the thread runtime a call is the plain syscall: a read on an
//!    empty pipe blocks the calling OS thread, which holds no GIL (capi.rs
//!    invariant 5).
//! 2. Under the gevent runtime C goroutines are greenlets of one OS thread
//!    (capi.rs invariant 7), so a blocking read would stop them all. There
//!    `prepare` (run by `os_open` and `os_fdopen`, i.e. for every file C++
//!    makes) puts a descriptor that can block for long (a pipe, a socket, a
//!    tty: anything but a regular file, a directory or a block device) in
//!    non-blocking mode, as Pygolang's gevent runtime does; regular files
//!    are read directly (they never block for long).
//! 3. A read or write that finds a non-blocking descriptor not ready
//!    (EAGAIN) waits for it and tries again: a greenlet waits in the gevent
//!    hub (`gevent.socket.wait_read`/`wait_write`, with the GIL), letting the
//!    other greenlets run; any other thread waits in poll(2) (no GIL). So a
//!    descriptor made non-blocking under (2) still reads as a blocking one
//!    from any thread, and so does one the caller made non-blocking itself.
//! 4. EINTR is retried for read and write (Go's os does so too); never for
//!    close, whose descriptor is gone after an EINTR on Linux.
//! 5. errno is left as the caller had it.

use std::ffi::{c_char, c_void};

/// What a waiting read or write waits for (invariant 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ready {
    Readable,
    Writable,
}

/// errno of the last failed libc call of this thread.
fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO)
}

/// Runs `f` with errno put back afterwards (invariant 5).
fn keeping_errno<R>(f: impl FnOnce() -> R) -> R {
    // SAFETY: __errno_location gives this thread's errno, always valid.
    let saved = unsafe { *libc::__errno_location() };
    let r = f();
    // SAFETY: as above.
    unsafe { *libc::__errno_location() = saved };
    r
}

/// `r` when it is >= 0, else `-errno`.
fn or_errno(r: isize) -> isize {
    if r < 0 {
        -(errno() as isize)
    } else {
        r
    }
}

/// Whether the gevent runtime is on: descriptors are prepared for it
/// (invariant 2).
fn gevent_runtime() -> bool {
    crate::gevent::enabled()
}

/// Checks that `fd` is an open descriptor, and under the gevent runtime puts
/// one that can block for long in non-blocking mode (invariant 2). 0 or
/// -errno.
pub(crate) fn prepare(fd: i32) -> i32 {
    keeping_errno(|| {
        // SAFETY: a zeroed `stat` is a valid out buffer for fstat.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: `st` is a writable `stat`; a bad `fd` gives EBADF.
        if unsafe { libc::fstat(fd, &mut st) } < 0 {
            return -errno();
        }
        if !gevent_runtime() {
            return 0;
        }
        let fmt = st.st_mode & libc::S_IFMT;
        // (these never block for long: read directly, invariant 2)
        if fmt == libc::S_IFREG || fmt == libc::S_IFDIR || fmt == libc::S_IFBLK {
            return 0;
        }
        // SAFETY: fcntl on a descriptor fstat just accepted.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
        if flags < 0 {
            return -errno();
        }
        if flags & libc::O_NONBLOCK == 0 {
            // SAFETY: as above.
            if unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
                return -errno();
            }
        }
        0
    })
}

/// open(2) of `path`, then `prepare`: the descriptor or -errno.
///
/// # Safety
/// `path` is a NUL-terminated string.
pub(crate) unsafe fn open(path: *const c_char, flags: i32, mode: u32) -> i32 {
    if path.is_null() {
        return -libc::EFAULT;
    }
    keeping_errno(|| {
        // SAFETY: `path` is a C string (the function's contract); open
        // takes the mode as a variadic unsigned int.
        let fd = unsafe { libc::open(path, flags, mode as libc::c_uint) };
        if fd < 0 {
            return -errno();
        }
        let r = prepare(fd);
        if r < 0 {
            // SAFETY: our own descriptor, not handed out.
            unsafe { libc::close(fd) };
            return r;
        }
        fd
    })
}

/// close(2): 0 or -errno (invariant 4: no retry).
pub(crate) fn close(fd: i32) -> i32 {
    // SAFETY: closing a descriptor is memory-safe whatever it is.
    keeping_errno(|| if unsafe { libc::close(fd) } < 0 { -errno() } else { 0 })
}

/// fstat(2) into the caller's `struct stat`: 0 or -errno.
///
/// # Safety
/// `st` points to a writable `struct stat` of this platform.
pub(crate) unsafe fn fstat(fd: i32, st: *mut c_void) -> i32 {
    // SAFETY: the function's contract.
    keeping_errno(|| if unsafe { libc::fstat(fd, st.cast()) } < 0 { -errno() } else { 0 })
}

/// pipe(2) into `vfd[0]` (read end) and `vfd[1]` (write end), both
/// prepared: 0 or -errno.
///
/// # Safety
/// `vfd` points to two writable ints.
pub(crate) unsafe fn pipe(vfd: *mut i32) -> i32 {
    keeping_errno(|| {
        let mut fds = [-1; 2];
        // SAFETY: `fds` has room for two descriptors.
        if unsafe { libc::pipe(fds.as_mut_ptr()) } < 0 {
            return -errno();
        }
        for fd in fds {
            let r = prepare(fd);
            if r < 0 {
                // SAFETY: our own descriptors, not handed out.
                unsafe {
                    libc::close(fds[0]);
                    libc::close(fds[1]);
                }
                return r;
            }
        }
        // SAFETY: the function's contract.
        unsafe {
            *vfd = fds[0];
            *vfd.add(1) = fds[1];
        }
        0
    })
}

/// Waits in poll(2) until `fd` is ready (a thread: invariant 3). 0 or
/// -errno.
pub(crate) fn poll_wait(fd: i32, ready: Ready) -> i32 {
    let events = match ready {
        Ready::Readable => libc::POLLIN,
        Ready::Writable => libc::POLLOUT,
    };
    loop {
        let mut p = libc::pollfd { fd, events, revents: 0 };
        // SAFETY: one valid pollfd.
        let r = unsafe { libc::poll(&mut p, 1, -1) };
        if r >= 0 {
            // (an error or hang-up condition is ready too: the retried call
            // reports it)
            return 0;
        }
        let e = errno();
        if e != libc::EINTR {
            return -e;
        }
    }
}

/// read(2) or write(2) of `count` bytes at `buf`, retried on EINTR and, on
/// EAGAIN, after `wait(fd, ready)` says the descriptor is ready (invariant
/// 3): the count done or -errno, or the error of `wait` (a greenlet's wait
/// interrupted).
///
/// # Safety
/// `buf` has `count` bytes, writable for a read.
pub(crate) unsafe fn io<E>(
    fd: i32,
    buf: *mut c_void,
    count: usize,
    ready: Ready,
    mut wait: impl FnMut(i32, Ready) -> Result<i32, E>,
) -> Result<isize, E> {
    keeping_errno(|| loop {
        // SAFETY: the function's contract.
        let r = or_errno(unsafe {
            match ready {
                Ready::Readable => libc::read(fd, buf, count),
                Ready::Writable => libc::write(fd, buf, count),
            }
        });
        match -r as i32 {
            libc::EINTR => continue,
            e if e == libc::EAGAIN || e == libc::EWOULDBLOCK => {
                let w = wait(fd, ready)?;
                if w < 0 {
                    return Ok(w as isize);
                }
            }
            _ => return Ok(r),
        }
    })
}
