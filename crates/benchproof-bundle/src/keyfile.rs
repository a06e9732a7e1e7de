//! Secret keys on disk: PKCS#8 v2 documents, readable only by their owner, optionally sealed
//! with a passphrase.
//!
//! Two file forms, told apart by their first byte:
//! - **plain**: the raw DER PKCS#8 document (`openssl pkey -inform DER` reads it), mode 0600;
//! - **passphrase-protected**: a small JSON document (mode 0600),
//!   `{"format":"benchproof-sealed-key/1","kdf":"pbkdf2-hmac-sha256","iterations":N,
//!     "salt":HEX,"aead":"chacha20-poly1305","nonce":HEX,"ciphertext":HEX}`:
//!   key = PBKDF2-HMAC-SHA256(passphrase, salt, N, 32 bytes); ciphertext = ChaCha20-Poly1305
//!   (key, nonce, aad = the format string) of the PKCS#8 document, tag appended.
//!
//! Files are written atomically (temporary file, fsync, rename) and never overwritten.

use std::fs;
use std::io::Write;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use ring::pbkdf2;
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};

const FORMAT: &str = "benchproof-sealed-key/1";
/// OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256.
pub const DEFAULT_ITERATIONS: u32 = 600_000;
const MIN_PASSPHRASE_CHARS: usize = 8;

/// How a key file is protected.
#[derive(Debug, Clone, Copy)]
pub enum Protection<'a> {
    /// Readable by the owner only (mode 0600); for station keys, which must work unattended.
    FileModeOnly,
    /// Sealed with a passphrase or PIN-derived secret; for department and proctor keys.
    Passphrase { passphrase: &'a str, iterations: u32 },
}

#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{0} already exists; refusing to overwrite a key (move it aside first if you really mean to replace it)")]
    Exists(PathBuf),
    #[error("{0} is protected by a passphrase; give it (e.g. --passphrase-file)")]
    NeedsPassphrase(PathBuf),
    #[error("wrong passphrase for {0}")]
    WrongPassphrase(PathBuf),
    #[error("{path} is not a benchproof key file: {detail}")]
    Malformed { path: PathBuf, detail: String },
    #[error("a passphrase needs at least {MIN_PASSPHRASE_CHARS} characters")]
    WeakPassphrase,
    #[error("{path} can be read by other users (mode {mode:o}); run `chmod 600 {path}` and try again")]
    TooOpen { path: PathBuf, mode: u32 },
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sealed {
    format: String,
    kdf: String,
    iterations: u32,
    salt: String,
    aead: String,
    nonce: String,
    ciphertext: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

fn derive(passphrase: &str, salt: &[u8], iterations: u32) -> LessSafeKey {
    let mut key = [0u8; 32];
    let n = NonZeroU32::new(iterations.max(1)).expect("at least one iteration");
    pbkdf2::derive(pbkdf2::PBKDF2_HMAC_SHA256, n, salt, passphrase.as_bytes(), &mut key);
    LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, &key).expect("32-byte ChaCha20 key"))
}

/// Writes a PKCS#8 document to a new key file, mode 0600, atomically.
pub fn write(path: &Path, pkcs8: &[u8], protection: Protection<'_>) -> Result<(), KeyFileError> {
    let io = |source| KeyFileError::Io { path: path.to_owned(), source };
    if path.exists() {
        return Err(KeyFileError::Exists(path.to_owned()));
    }
    let bytes = match protection {
        Protection::FileModeOnly => pkcs8.to_vec(),
        Protection::Passphrase { passphrase, iterations } => {
            if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
                return Err(KeyFileError::WeakPassphrase);
            }
            let rng = SystemRandom::new();
            let mut salt = [0u8; 16];
            let mut nonce = [0u8; NONCE_LEN];
            rng.fill(&mut salt).map_err(|_| io(std::io::Error::other("no system randomness")))?;
            rng.fill(&mut nonce).map_err(|_| io(std::io::Error::other("no system randomness")))?;
            let mut sealed = pkcs8.to_vec();
            derive(passphrase, &salt, iterations)
                .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(FORMAT), &mut sealed)
                .map_err(|_| io(std::io::Error::other("encryption failed")))?;
            let doc = Sealed {
                format: FORMAT.into(),
                kdf: "pbkdf2-hmac-sha256".into(),
                iterations,
                salt: hex(&salt),
                aead: "chacha20-poly1305".into(),
                nonce: hex(&nonce),
                ciphertext: hex(&sealed),
            };
            let mut json = serde_json::to_vec_pretty(&doc).expect("serialises");
            json.push(b'\n');
            json
        }
    };
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(io)?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name().map_or("key".into(), |n| n.to_string_lossy()),
        std::process::id()
    ));
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let result = (|| {
        let mut f = options.open(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(io)
}

/// Whether a key file needs a passphrase to open.
pub fn is_sealed(path: &Path) -> Result<bool, KeyFileError> {
    let bytes = fs::read(path).map_err(|source| KeyFileError::Io { path: path.to_owned(), source })?;
    Ok(bytes.first() == Some(&b'{'))
}

/// Reads a key file back to its PKCS#8 document.
pub fn read(path: &Path, passphrase: Option<&str>) -> Result<Vec<u8>, KeyFileError> {
    let io = |source| KeyFileError::Io { path: path.to_owned(), source };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path).map_err(io)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(KeyFileError::TooOpen { path: path.to_owned(), mode });
        }
    }
    let bytes = fs::read(path).map_err(io)?;
    let malformed = |detail: &str| KeyFileError::Malformed { path: path.to_owned(), detail: detail.to_owned() };
    match bytes.first() {
        Some(0x30) => Ok(bytes), // DER SEQUENCE: a plain PKCS#8 document.
        Some(b'{') => {
            let doc: Sealed = serde_json::from_slice(&bytes).map_err(|e| malformed(&e.to_string()))?;
            if doc.format != FORMAT || doc.kdf != "pbkdf2-hmac-sha256" || doc.aead != "chacha20-poly1305" {
                return Err(malformed("unknown format, key derivation or cipher"));
            }
            let passphrase = passphrase.ok_or_else(|| KeyFileError::NeedsPassphrase(path.to_owned()))?;
            let salt = unhex(&doc.salt).ok_or_else(|| malformed("salt is not hex"))?;
            let nonce: [u8; NONCE_LEN] = unhex(&doc.nonce)
                .and_then(|n| n.try_into().ok())
                .ok_or_else(|| malformed("nonce is not 12 hex bytes"))?;
            let mut sealed = unhex(&doc.ciphertext).ok_or_else(|| malformed("ciphertext is not hex"))?;
            let plain = derive(passphrase, &salt, doc.iterations)
                .open_in_place(Nonce::assume_unique_for_key(nonce), Aad::from(FORMAT), &mut sealed)
                .map_err(|_| KeyFileError::WrongPassphrase(path.to_owned()))?;
            Ok(plain.to_vec())
        }
        _ => Err(malformed("neither a DER PKCS#8 document nor a sealed key")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PKCS8: &[u8] = &[0x30, 0x53, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70];

    #[test]
    fn plain_and_sealed_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("station.pk8");
        write(&plain, PKCS8, Protection::FileModeOnly).unwrap();
        assert_eq!(read(&plain, None).unwrap(), PKCS8);
        assert!(!is_sealed(&plain).unwrap());

        let sealed = dir.path().join("proctor.key");
        write(&sealed, PKCS8, Protection::Passphrase { passphrase: "correct horse", iterations: 1000 }).unwrap();
        assert!(is_sealed(&sealed).unwrap());
        assert!(matches!(read(&sealed, None), Err(KeyFileError::NeedsPassphrase(_))));
        assert!(matches!(read(&sealed, Some("wrong horse")), Err(KeyFileError::WrongPassphrase(_))));
        assert_eq!(read(&sealed, Some("correct horse")).unwrap(), PKCS8);
        assert!(matches!(write(&sealed, PKCS8, Protection::FileModeOnly), Err(KeyFileError::Exists(_))));
        assert!(matches!(
            write(&dir.path().join("x"), PKCS8, Protection::Passphrase { passphrase: "1234", iterations: 1 }),
            Err(KeyFileError::WeakPassphrase)
        ));
    }

    #[cfg(unix)]
    #[test]
    fn files_are_private_and_open_ones_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.pk8");
        write(&path, PKCS8, Protection::FileModeOnly).unwrap();
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(read(&path, None), Err(KeyFileError::TooOpen { .. })));
    }

    #[test]
    fn a_tampered_sealed_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.key");
        write(&path, PKCS8, Protection::Passphrase { passphrase: "long enough", iterations: 1000 }).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        let ct = doc["ciphertext"].as_str().unwrap();
        let flipped = format!("{}{}", if &ct[..1] == "0" { "1" } else { "0" }, &ct[1..]);
        fs::remove_file(&path).unwrap();
        let mut f = fs::OpenOptions::new();
        f.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut f, 0o600);
        f.open(&path).unwrap().write_all(text.replace(ct, &flipped).as_bytes()).unwrap();
        assert!(matches!(read(&path, Some("long enough")), Err(KeyFileError::WrongPassphrase(_))));
    }
}
