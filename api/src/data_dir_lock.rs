//! Who uses the data directory. Every `pmt` process that opens the
//! database through the usual start-up (`serve` and the admin commands)
//! holds a shared lock on `$PMT_DATA_DIR/pmt.lock` for as long as it runs;
//! `pmt admin restore` needs it exclusively, so it refuses while any of
//! them runs, and they refuse to start during a restore. The operating
//! system drops the lock when its process ends, however it ends: there is
//! never a stale lock to clean up.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
}

fn open(data_dir: &Path) -> anyhow::Result<(File, PathBuf)> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("PMT_DATA_DIR: cannot create {}", data_dir.display()))?;
    let path = data_dir.join("pmt.lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    Ok((file, path))
}

impl DataDirLock {
    /// Taken by the server and the commands that work beside it.
    pub fn shared(data_dir: &Path) -> anyhow::Result<Self> {
        let (file, path) = open(data_dir)?;
        match file.try_lock_shared() {
            Ok(()) => Ok(Self { _file: file }),
            Err(TryLockError::WouldBlock) => bail!(
                "{} is locked by `pmt admin restore`: wait until it ends",
                path.display()
            ),
            Err(TryLockError::Error(e)) => {
                Err(e).with_context(|| format!("cannot lock {}", path.display()))
            }
        }
    }

    /// Taken by a restore: no other `pmt` process may use the directory.
    pub fn exclusive(data_dir: &Path) -> anyhow::Result<Self> {
        let (file, path) = open(data_dir)?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(TryLockError::WouldBlock) => bail!(
                "a pmt server or command is using {} (it holds {}): stop it, then restore",
                data_dir.display(),
                path.display()
            ),
            Err(TryLockError::Error(e)) => {
                Err(e).with_context(|| format!("cannot lock {}", path.display()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exclusive_lock_waits_for_every_shared_one_to_go() {
        let dir = std::env::temp_dir().join(format!("pmt-lock-{}", uuid::Uuid::new_v4()));
        let server = DataDirLock::shared(&dir).expect("shared");
        let command = DataDirLock::shared(&dir).expect("shared twice");
        let refused = DataDirLock::exclusive(&dir).expect_err("in use");
        assert!(refused.to_string().contains("stop it"), "{refused}");
        drop((server, command));
        let restore = DataDirLock::exclusive(&dir).expect("free");
        let refused = DataDirLock::shared(&dir).expect_err("restoring");
        assert!(refused.to_string().contains("restore"), "{refused}");
        drop(restore);
        std::fs::remove_dir_all(dir).expect("clean up");
    }
}
