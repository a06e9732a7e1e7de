//! Reading passphrases without putting them on the command line.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// A passphrase from a file (first line), else from an environment variable.
pub fn passphrase(file: Option<&Path>, env: &str) -> anyhow::Result<Option<String>> {
    if let Some(f) = file {
        let text =
            std::fs::read_to_string(f).with_context(|| format!("reading the passphrase file {}", f.display()))?;
        return Ok(Some(text.lines().next().unwrap_or_default().to_owned()));
    }
    Ok(std::env::var(env).ok().filter(|p| !p.is_empty()))
}

pub fn required(value: Option<String>, file_flag: &str, env: &str) -> anyhow::Result<String> {
    value.ok_or_else(|| anyhow::anyhow!("a passphrase is needed: pass {file_flag} FILE or set {env}"))
}

/// The department folder: `--dept-dir`, else `DATA_DIR/department`.
pub fn dept_dir(flag: Option<PathBuf>, data_dir: &Path) -> PathBuf {
    flag.unwrap_or_else(|| data_dir.join("department"))
}

pub const DEPT_ENV: &str = "BENCHPROOF_DEPT_PASSPHRASE";
pub const PROCTOR_ENV: &str = "BENCHPROOF_PROCTOR_PASSPHRASE";
