//! The first frame of a hub connection, with the shared log's descriptor attached.
//!
//! The log is an anonymous, sealed memory file (see [`super::platform`]): it has no path another
//! process could truncate or replace, and a client maps exactly the one its hub created. Its
//! descriptor travels as `SCM_RIGHTS` ancillary data on the hub's `Welcome` frame.
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

use tokio::io::Interest;
use tokio::net::UnixStream;

const MAX_WELCOME: usize = 256;

/// Control-message buffer, aligned for `cmsghdr`; room for a few descriptors (extras closed).
#[repr(C, align(8))]
struct Control([u8; 64]);

/// Lets the kernel queue up to `bytes` (within the system's limit) for this socket's peer,
/// so a large frame (a late joiner's snapshot) goes out in one write instead of a wake-up of
/// both ends per socket buffer. Best effort: the default buffer still works.
pub fn widen_send_buffer(sock: RawFd, bytes: usize) {
    let size = bytes.min(i32::MAX as usize) as libc::c_int;
    // SAFETY: `size` outlives the call and its length is passed with it.
    unsafe {
        libc::setsockopt(
            sock,
            libc::SOL_SOCKET,
            libc::SO_SNDBUF,
            (&size as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
}

/// Sends `bytes` in one message with `fd` attached. Fails unless all of it went out.
pub fn send(sock: RawFd, bytes: &[u8], fd: Option<RawFd>) -> std::io::Result<()> {
    let mut iov = libc::iovec {
        iov_base: bytes.as_ptr() as *mut libc::c_void,
        iov_len: bytes.len(),
    };
    let mut control = Control([0; 64]);
    // SAFETY: msghdr is plain data; every pointer set below outlives the sendmsg call, and
    // the control buffer holds CMSG_SPACE(one fd) bytes, aligned for cmsghdr.
    let n = unsafe {
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        if let Some(fd) = fd {
            let space = libc::CMSG_SPACE(std::mem::size_of::<RawFd>() as u32) as usize;
            msg.msg_control = control.0.as_mut_ptr() as *mut libc::c_void;
            msg.msg_controllen = space as _;
            let cmsg = libc::CMSG_FIRSTHDR(&msg);
            (*cmsg).cmsg_level = libc::SOL_SOCKET;
            (*cmsg).cmsg_type = libc::SCM_RIGHTS;
            (*cmsg).cmsg_len = libc::CMSG_LEN(std::mem::size_of::<RawFd>() as u32) as _;
            (libc::CMSG_DATA(cmsg) as *mut RawFd).write_unaligned(fd);
        }
        libc::sendmsg(sock, &msg, libc::MSG_NOSIGNAL)
    };
    if n < 0 {
        return Err(std::io::Error::last_os_error());
    }
    if n as usize != bytes.len() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::WriteZero,
            "welcome frame only partly sent",
        ));
    }
    Ok(())
}

/// One `recvmsg` into `buf`; the first descriptor received is returned, any others closed.
fn recv(sock: RawFd, buf: &mut [u8]) -> std::io::Result<(usize, Option<OwnedFd>)> {
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr() as *mut libc::c_void,
        iov_len: buf.len(),
    };
    let mut control = Control([0; 64]);
    // SAFETY: as in `send`; descriptors received are owned by us from here on.
    unsafe {
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.0.as_mut_ptr() as *mut libc::c_void;
        msg.msg_controllen = control.0.len() as _;
        let n = libc::recvmsg(sock, &mut msg, super::platform::RECV_FLAGS);
        if n < 0 {
            return Err(std::io::Error::last_os_error());
        }
        let mut first = None;
        let mut cmsg = libc::CMSG_FIRSTHDR(&msg);
        while !cmsg.is_null() {
            if (*cmsg).cmsg_level == libc::SOL_SOCKET && (*cmsg).cmsg_type == libc::SCM_RIGHTS {
                let data = libc::CMSG_DATA(cmsg);
                let bytes = (*cmsg).cmsg_len as usize - (data as usize - cmsg as usize);
                for i in 0..bytes / std::mem::size_of::<RawFd>() {
                    let fd = (data as *const RawFd).add(i).read_unaligned();
                    let owned = OwnedFd::from_raw_fd(fd);
                    if first.is_none() {
                        first = Some(owned);
                    }
                }
            }
            cmsg = libc::CMSG_NXTHDR(&msg, cmsg);
        }
        Ok((n as usize, first))
    }
}

/// Fills `buf` from the stream, keeping the first descriptor that comes with it.
async fn fill(
    stream: &UnixStream,
    buf: &mut [u8],
    fd: &mut Option<OwnedFd>,
) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let raw = stream.as_raw_fd();
    let mut got = 0;
    while got < buf.len() {
        stream.readable().await?;
        match stream.try_io(Interest::READABLE, || recv(raw, &mut buf[got..])) {
            Ok((0, _)) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok((n, f)) => {
                got += n;
                if fd.is_none() {
                    *fd = f;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Reads the hub's first frame body (never more) and the descriptor sent with it.
pub async fn receive(stream: &UnixStream) -> std::io::Result<(Vec<u8>, Option<OwnedFd>)> {
    let mut fd = None;
    let mut head = [0u8; 4];
    fill(stream, &mut head, &mut fd).await?;
    let len = u32::from_le_bytes(head) as usize;
    if len > MAX_WELCOME {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "first frame too large",
        ));
    }
    let mut body = vec![0u8; len];
    fill(stream, &mut body, &mut fd).await?;
    Ok((body, fd))
}

#[cfg(test)]
mod tests {
    use std::os::fd::AsRawFd;

    fn send_buffer(sock: super::RawFd) -> libc::c_int {
        let mut size: libc::c_int = 0;
        let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: both out-pointers outlive the call; `len` holds the size of `size`.
        unsafe {
            libc::getsockopt(
                sock,
                libc::SOL_SOCKET,
                libc::SO_SNDBUF,
                (&mut size as *mut libc::c_int).cast(),
                &mut len,
            );
        }
        size
    }

    #[test]
    fn a_widened_send_buffer_grows_up_to_the_system_limit() {
        let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
        let before = send_buffer(a.as_raw_fd());
        let max: libc::c_int = std::fs::read_to_string("/proc/sys/net/core/wmem_max")
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0);
        super::widen_send_buffer(a.as_raw_fd(), 2 << 20);
        let after = send_buffer(a.as_raw_fd());
        // The kernel doubles the request (for its bookkeeping) after capping it at wmem_max.
        assert_eq!(after, 2 * max.min(2 << 20).max(before / 2));
    }
}
