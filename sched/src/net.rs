//! TCP on the reactor: a listener and a stream whose operations park the
//! goroutine instead of the thread.

use crate::reactor::Async;
use std::io::{self, Read, Write};
use std::net::{self, SocketAddr, ToSocketAddrs};

/// A TCP listener for goroutines.
pub struct TcpListener {
    inner: Async<net::TcpListener>,
}

impl TcpListener {
    /// Binds to `addr` (e.g. "127.0.0.1:0").
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<TcpListener> {
        let l = net::TcpListener::bind(addr)?;
        l.set_nonblocking(true)?;
        Ok(TcpListener { inner: Async::new(l)? })
    }

    /// The bound address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }

    /// Waits for the next connection.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (s, a) = self.inner.read_with(|l| l.accept()).await?;
        s.set_nonblocking(true)?;
        Ok((TcpStream { inner: Async::new(s)? }, a))
    }
}

/// A TCP connection for goroutines.
pub struct TcpStream {
    inner: Async<net::TcpStream>,
}

impl TcpStream {
    /// Connects to `addr`. The connect itself runs on a helper thread (std
    /// has no non-blocking connect), so the executor keeps running.
    pub async fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
        let s = crate::unblock(move || net::TcpStream::connect(addr)).await?;
        s.set_nonblocking(true)?;
        s.set_nodelay(true)?;
        Ok(TcpStream { inner: Async::new(s)? })
    }

    /// Reads some bytes; 0 means the peer closed its side.
    pub async fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read_with(|mut s| s.read(buf)).await
    }

    /// Writes some bytes.
    pub async fn write(&self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write_with(|mut s| s.write(buf)).await
    }

    /// Writes all of `buf`.
    pub async fn write_all(&self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            let n = self.write(buf).await?;
            if n == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            buf = &buf[n..];
        }
        Ok(())
    }

    /// Reads exactly `buf.len()` bytes.
    pub async fn read_exact(&self, mut buf: &mut [u8]) -> io::Result<()> {
        while !buf.is_empty() {
            let n = self.read(buf).await?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            buf = &mut buf[n..];
        }
        Ok(())
    }

    /// Shuts the write side down (the peer reads EOF).
    pub fn shutdown_write(&self) -> io::Result<()> {
        self.inner.get_ref().shutdown(net::Shutdown::Write)
    }
}
