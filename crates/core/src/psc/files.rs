//! Where hubs live on disk, and the checks that keep other users out.
//!
//! A hub binds a socket of its own generation, `<dir>/<name>.<pid>.sock` (pid: the process
//! running the hub), and points the well-known name `<dir>/<name>.sock` at it with a symlink
//! swapped in atomically. Two cluster primaries with one id (a rolling deploy on one host) so
//! each have their own socket: a worker connects to its own process's or its parent's hub
//! when there is one and stays with it (see [`Target`]); any other process follows the
//! well-known name to the newest hub. A hub removes only its own socket, and the well-known
//! name only while it still points at that socket.
//!
//! Nothing is trusted that another user could have made: the directory must be a real
//! directory owned by this user with no group or other permissions, and so must each socket.
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use crate::{Code, Error, Result};

fn refused(path: &Path, why: &str) -> Error {
    Error::new(
        Code::Psc,
        format!(
            "refusing {}: {why} (only this user may have access)",
            path.display()
        ),
    )
}

/// Owned by this process's user and closed to group and others.
fn check_owner(path: &Path, meta: &std::fs::Metadata) -> Result<()> {
    // SAFETY: geteuid has no preconditions.
    let uid = unsafe { libc::geteuid() };
    if meta.uid() != uid {
        return Err(refused(
            path,
            &format!("owned by uid {}, not {uid}", meta.uid()),
        ));
    }
    if meta.mode() & 0o077 != 0 {
        return Err(refused(
            path,
            &format!("mode {:o} lets other users in", meta.mode() & 0o777),
        ));
    }
    Ok(())
}

fn check_dir_meta(dir: &Path, meta: &std::fs::Metadata) -> Result<()> {
    if !meta.file_type().is_dir() {
        return Err(refused(dir, "not a directory (or a symbolic link)"));
    }
    check_owner(dir, meta)
}

/// Creates the directory owner-only if absent; refuses one that is not this user's own.
pub fn secure_dir(dir: &Path) -> Result<()> {
    match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| {
                    Error::new(Code::Psc, format!("cannot create {}: {e}", dir.display()))
                })?;
        }
        Err(e) => {
            return Err(Error::new(
                Code::Psc,
                format!("cannot create {}: {e}", dir.display()),
            ))
        }
    }
    let meta = std::fs::symlink_metadata(dir)
        .map_err(|e| Error::new(Code::Psc, format!("cannot inspect {}: {e}", dir.display())))?;
    check_dir_meta(dir, &meta)
}

/// Refuses the directory if it exists and is not this user's own; absent is fine.
pub fn check_dir_if_present(dir: &Path) -> Result<()> {
    match std::fs::symlink_metadata(dir) {
        Ok(meta) => check_dir_meta(dir, &meta),
        Err(_) => Ok(()),
    }
}

/// A socket owned by this user, closed to others, in a directory that is this user's own.
pub fn check_socket(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent() {
        let meta = std::fs::symlink_metadata(dir)
            .map_err(|e| Error::new(Code::Psc, format!("cannot inspect {}: {e}", dir.display())))?;
        check_dir_meta(dir, &meta)?;
    }
    let meta = std::fs::symlink_metadata(path)
        .map_err(|e| Error::new(Code::Psc, format!("cannot inspect {}: {e}", path.display())))?;
    if !meta.file_type().is_socket() {
        return Err(refused(path, "not a socket"));
    }
    check_owner(path, &meta)
}

/// `<dir>/<name>.<pid>.sock` for the well-known `<dir>/<name>.sock`.
pub fn generation_path(link: &Path, pid: u32) -> PathBuf {
    let stem = link.file_stem().unwrap_or_default().to_string_lossy();
    link.with_file_name(format!("{stem}.{pid}.sock"))
}

/// Whether `file` is a generation socket of `link` (any pid).
fn is_generation_of(link: &Path, file: &str) -> bool {
    let stem = link.file_stem().unwrap_or_default().to_string_lossy();
    file.strip_prefix(stem.as_ref())
        .and_then(|r| r.strip_prefix('.'))
        .and_then(|r| r.strip_suffix(".sock"))
        .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}

/// Points the well-known name at `target` (in the same directory), atomically.
pub fn publish(link: &Path, target: &Path) -> Result<()> {
    let name = target.file_name().unwrap_or_default();
    let tmp = target.with_extension("link");
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(name, &tmp)
        .and_then(|()| std::fs::rename(&tmp, link))
        .map_err(|e| Error::new(Code::Psc, format!("cannot publish {}: {e}", link.display())))
}

/// The generation socket the well-known name points at, if it is one (same directory).
pub fn resolve(link: &Path) -> Option<PathBuf> {
    let target = std::fs::read_link(link).ok()?;
    let name = target.to_str()?;
    (is_generation_of(link, name) && !name.contains('/')).then(|| link.with_file_name(name))
}

/// Removes the well-known name if it still points at `target`.
pub fn unpublish(link: &Path, target: &Path) {
    if resolve(link).as_deref() == Some(target) {
        let _ = std::fs::remove_file(link);
    }
}

/// Removes generation sockets of `link` that no hub answers on any more (crashed hubs).
pub fn sweep_stale(link: &Path) {
    let Some(dir) = link.parent() else { return };
    let Ok(list) = std::fs::read_dir(dir) else {
        return;
    };
    for e in list.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        if !is_generation_of(link, name) {
            continue;
        }
        let path = e.path();
        if std::os::unix::net::UnixStream::connect(&path).is_err() && check_socket(&path).is_ok() {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Which socket a client connects to. Its own process's hub or its parent's (the cluster
/// primary) when one exists, and then that one only: a worker of an older primary never
/// moves to a newer primary's hub (the two generations never mix entries). Otherwise the
/// newest hub, through the well-known name, resolved again on every connection.
pub struct Target {
    link: PathBuf,
    own: [PathBuf; 2],
    pinned: Option<PathBuf>,
}

impl Target {
    pub fn new(link: PathBuf) -> Target {
        // SAFETY: getppid has no preconditions.
        let parent = unsafe { libc::getppid() } as u32;
        let own = [
            generation_path(&link, std::process::id()),
            generation_path(&link, parent),
        ];
        Target {
            link,
            own,
            pinned: None,
        }
    }

    /// The socket to try now, checked to be this user's own; None if there is none yet.
    pub fn choose(&mut self) -> Option<PathBuf> {
        if self.pinned.is_none() {
            self.pinned = self
                .own
                .iter()
                .find(|p| std::fs::symlink_metadata(p).is_ok())
                .cloned();
        }
        let path = match &self.pinned {
            Some(p) => p.clone(),
            None => resolve(&self.link)?,
        };
        check_socket(&path).ok().map(|()| path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_names() {
        let link = Path::new("/d/app.sock");
        assert_eq!(generation_path(link, 42), Path::new("/d/app.42.sock"));
        assert!(is_generation_of(link, "app.42.sock"));
        assert!(!is_generation_of(link, "app.sock"));
        assert!(!is_generation_of(link, "app.x.sock"));
        assert!(!is_generation_of(link, "app.42.ring"));
        assert!(!is_generation_of(link, "other.42.sock"));
    }
}
