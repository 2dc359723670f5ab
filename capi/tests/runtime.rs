//! golang-capi against the real table of the installed package, in an
//! embedded interpreter: the package is found in the worktree's python/ and
//! .venv (made by ./setup.sh).

use golang_capi::{import, Chan, Panic};
use pyo3::prelude::*;
use std::ffi::c_void;

fn api() -> &'static golang_capi::CApi {
    Python::attach(|py| {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let sys = py.import("sys").unwrap();
        let path = sys.getattr("path").unwrap();
        let v = py.version_info();
        path.call_method1("insert", (0, format!("{root}/.venv/lib/python{}.{}/site-packages", v.major, v.minor))).unwrap();
        path.call_method1("insert", (0, format!("{root}/python"))).unwrap();
        import(py).expect("golang._golang._capi")
    })
}

#[test]
fn channels_goroutines_and_panics_through_the_shared_table() {
    let api = api();
    // Blocking calls must not hold the GIL: none is held here.
    let ch = Chan::<i64>::make(api, 0).unwrap();
    struct Arg(Chan<i64>);
    extern "C" fn worker(arg: *mut c_void) {
        // SAFETY: `go` below hands over a boxed Arg.
        let a = unsafe { Box::from_raw(arg as *mut Arg) };
        for i in 0..3 {
            a.0.send(i * 4).unwrap();
        }
        a.0.close().unwrap();
    }
    let arg = Box::into_raw(Box::new(Arg(ch.clone()))) as *mut c_void;
    assert_eq!((api.go)(worker, arg), std::ptr::null());
    let mut got = vec![];
    loop {
        let (v, ok) = ch.recv_().unwrap();
        if !ok {
            assert_eq!(v, 0);
            break;
        }
        got.push(v);
    }
    assert_eq!(got, vec![0, 4, 8]);
    assert_eq!(ch.close(), Err(Panic("close of closed channel")));
    assert_eq!(ch.send(1), Err(Panic("send on closed channel")));
    assert_eq!(Chan::<i32>::nil(api).close(), Err(Panic("close of nil channel")));
    // SAFETY: a live raw channel of this runtime.
    assert_eq!(unsafe { Chan::<i32>::wrap(api, ch.raw()) }.err(), Some(Panic("wrapchan: elemsize mismatch")));
    let b = Chan::<f64>::make(api, 2).unwrap();
    b.send(1.5).unwrap();
    assert_eq!((b.len(), b.cap()), (1, 2));
    assert_eq!(b.recv_().unwrap(), (1.5, true));
}

#[test]
fn file_io_of_feature_4_gives_counts_or_minus_errno() {
    let api = api();
    assert!(api.feature_version >= 4);
    let mut vfd = [-1i32; 2];
    assert_eq!((api.os_pipe)(vfd.as_mut_ptr()), 0);
    assert_eq!((api.os_fdopen)(vfd[0]), 0);
    let mut n: isize = 0;
    assert_eq!((api.os_write)(vfd[1], b"hi".as_ptr().cast(), 2, &mut n), std::ptr::null());
    assert_eq!(n, 2);
    let mut buf = [0u8; 8];
    assert_eq!((api.os_read)(vfd[0], buf.as_mut_ptr().cast(), buf.len(), &mut n), std::ptr::null());
    assert_eq!(&buf[..n as usize], b"hi");
    assert_eq!((api.os_close)(vfd[1]), 0);
    // (the write end closed: end of file)
    assert_eq!((api.os_read)(vfd[0], buf.as_mut_ptr().cast(), buf.len(), &mut n), std::ptr::null());
    assert_eq!(n, 0);
    assert_eq!((api.os_close)(vfd[0]), 0);
    // a closed descriptor: -EBADF everywhere (9 on Linux and macOS)
    assert_eq!((api.os_close)(vfd[0]), -9);
    assert_eq!((api.os_fdopen)(vfd[0]), -9);
    assert_eq!((api.os_read)(vfd[0], buf.as_mut_ptr().cast(), buf.len(), &mut n), std::ptr::null());
    assert_eq!(n, -9);
    // a missing path: -ENOENT (2)
    assert_eq!((api.os_open)(c"/nonexistent/golang-capi-test".as_ptr(), 0, 0), -2);
}
