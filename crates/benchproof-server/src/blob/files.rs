//! Blobs as files under one directory (the embedded default).

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use super::{check_key, deletable, BlobError, BlobStore, BoxFut, Put};

/// Files under `root`, one per key.
#[derive(Debug, Clone)]
pub struct FileBlobs {
    root: PathBuf,
}

impl FileBlobs {
    /// Blobs under `root` (created if missing). `put` sources must be on the same filesystem
    /// (the server spools into `<data dir>/spool`), so storing is a rename, not a copy.
    pub fn open(root: &Path) -> Result<FileBlobs, BlobError> {
        fs::create_dir_all(root).map_err(|e| BlobError::Io(format!("cannot create {}", root.display()), e))?;
        Ok(FileBlobs { root: root.to_owned() })
    }

    fn path(&self, key: &str) -> Result<PathBuf, BlobError> {
        check_key(key)?;
        Ok(self.root.join(key))
    }
}

fn io(ctx: impl Into<String>) -> impl FnOnce(io::Error) -> BlobError {
    let ctx = ctx.into();
    move |e| BlobError::Io(ctx, e)
}

/// Bytes an unprivileged process may still write on the filesystem holding `dir` (`None` where
/// the platform cannot tell).
pub fn free_space(dir: &Path) -> io::Result<Option<u64>> {
    #[cfg(unix)]
    {
        let st = rustix::fs::statvfs(dir).map_err(io::Error::from)?;
        Ok(Some(st.f_bavail.saturating_mul(st.f_frsize)))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(None)
    }
}

/// fsyncs a directory so a rename or link in it survives a crash.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

fn put_blocking(dest: &Path, source: &Path, mode: Put) -> Result<(), BlobError> {
    let dir = dest.parent().expect("blob paths have a parent");
    fs::create_dir_all(dir).map_err(io(format!("cannot create {}", dir.display())))?;
    match mode {
        Put::Replace => fs::rename(source, dest).map_err(io(format!("cannot store {}", dest.display())))?,
        Put::CreateOnly => {
            // A hard link fails if `dest` exists: an atomic create-if-absent.
            match fs::hard_link(source, dest) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(BlobError::Io(format!("cannot store {}", dest.display()), e)),
            }
            fs::remove_file(source).map_err(io(format!("cannot remove {}", source.display())))?;
        }
    }
    sync_dir(dir).map_err(io(format!("cannot fsync {}", dir.display())))
}

fn append_blocking(src: &Path, dest: &Path) -> Result<(), BlobError> {
    let mut from = File::open(src).map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            BlobError::Missing(src.display().to_string())
        } else {
            BlobError::Io(format!("cannot open {}", src.display()), e)
        }
    })?;
    let mut to = OpenOptions::new()
        .append(true)
        .create(true)
        .open(dest)
        .map_err(io(format!("cannot open {}", dest.display())))?;
    io::copy(&mut from, &mut to).map_err(io(format!("cannot write {}", dest.display())))?;
    Ok(())
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, BlobError> + Send + 'static,
) -> Result<T, BlobError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| BlobError::Store(format!("blob worker stopped: {e}")))?
}

impl BlobStore for FileBlobs {
    fn put(&self, key: &str, source: &Path, mode: Put) -> BoxFut<'_, ()> {
        let (dest, source) = (self.path(key), source.to_owned());
        Box::pin(async move {
            let dest = dest?;
            blocking(move || put_blocking(&dest, &source, mode)).await
        })
    }

    fn append_to(&self, key: &str, dest: &Path) -> BoxFut<'_, ()> {
        let (src, dest) = (self.path(key), dest.to_owned());
        Box::pin(async move {
            let src = src?;
            blocking(move || append_blocking(&src, &dest)).await
        })
    }

    fn in_place(&self, upload: &str) -> Option<(String, PathBuf)> {
        let key = format!("uploads/{upload}.data");
        let path = self.path(&key).ok()?;
        Some((key, path))
    }

    fn exists(&self, key: &str) -> BoxFut<'_, bool> {
        let p = self.path(key);
        Box::pin(async move { Ok(p?.exists()) })
    }

    fn delete(&self, key: &str) -> BoxFut<'_, ()> {
        let p = deletable(key).and_then(|()| self.path(key));
        Box::pin(async move {
            let p = p?;
            blocking(move || match fs::remove_file(&p) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(BlobError::Io(format!("cannot delete {}", p.display()), e)),
            })
            .await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn create_only_keeps_the_first_and_archive_is_undeletable() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = FileBlobs::open(&dir.path().join("blobs")).unwrap();
        let a = dir.path().join("a");
        fs::write(&a, b"first").unwrap();
        blobs.put("archive/x.zip", &a, Put::CreateOnly).await.unwrap();
        fs::write(&a, b"second").unwrap();
        blobs.put("archive/x.zip", &a, Put::CreateOnly).await.unwrap();
        assert!(!a.exists(), "the source is consumed either way");
        assert_eq!(fs::read(dir.path().join("blobs/archive/x.zip")).unwrap(), b"first");
        assert!(matches!(blobs.delete("archive/x.zip").await, Err(BlobError::Archived(_))));
        assert!(blobs.put("../escape", &a, Put::Replace).await.is_err());
    }
}
