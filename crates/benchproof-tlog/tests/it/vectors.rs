//! Published vectors: the Certificate Transparency test tree (via transparency-dev/merkle's
//! `testonly/constants.go`) and Go's `sumdb/note` example (see `tests/vectors/README.md`).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use benchproof_evidence::{PublicKey, SigningKey};
use benchproof_tlog::note::{self, NoteError};
use benchproof_tlog::{
    consistency_proof, inclusion_proof, leaf_hash, root, verify_consistency, verify_inclusion, Hash,
};

use crate::unhex;

const ENTRIES: [&str; 8] =
    ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];
const ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

fn h(text: &str) -> Hash {
    unhex(text).try_into().unwrap()
}

fn ct_leaves() -> Vec<Hash> {
    ENTRIES.iter().map(|e| leaf_hash(&unhex(e))).collect()
}

#[test]
fn roots_match_certificate_transparency() {
    let leaves = ct_leaves();
    for n in 1..=8 {
        assert_eq!(root(&leaves[..n]), h(ROOTS[n - 1]), "size {n}");
    }
}

#[test]
fn inclusion_proofs_match_certificate_transparency() {
    let leaves = ct_leaves();
    let cases: [(u64, [&str; 3]); 2] = [
        (
            0,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            5,
            [
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
    ];
    for (index, expected) in cases {
        let expected: Vec<Hash> = expected.iter().map(|e| h(e)).collect();
        assert_eq!(inclusion_proof(&leaves, index).unwrap(), expected);
        verify_inclusion(&leaves[index as usize], index, 8, &expected, &h(ROOTS[7])).unwrap();
    }
}

#[test]
fn consistency_proofs_match_certificate_transparency() {
    let leaves = ct_leaves();
    let cases: [(u64, u64, &[&str]); 3] = [
        (
            2,
            8,
            &[
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            6,
            8,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            5,
            &[
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
    ];
    for (from, to, expected) in cases {
        let expected: Vec<Hash> = expected.iter().map(|e| h(e)).collect();
        assert_eq!(consistency_proof(&leaves, from, to).unwrap(), expected, "{from} -> {to}");
        let (root_from, root_to) = (h(ROOTS[from as usize - 1]), h(ROOTS[to as usize - 1]));
        verify_consistency(from, to, &root_from, &root_to, &expected).unwrap();
    }
}

/// The seed inside Go's `PRIVATE+KEY+PeterNeumann+c74f20a3+<base64(0x01 ‖ seed)>`.
fn peter() -> (SigningKey, PublicKey) {
    let encoded = STANDARD.decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz").unwrap();
    assert_eq!(encoded[0], 1, "algorithm byte: Ed25519");
    let key = SigningKey::from_seed_bytes(&encoded[1..]).unwrap();
    let public = key.public_key();
    (key, public)
}

const PETER_NOTE: &str = include_str!("../vectors/peter-neumann.note");
const PETER_TEXT: &str =
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";

#[test]
fn go_sumdb_note_vector_signs_byte_for_byte() {
    let (key, public) = peter();
    assert_eq!(
        note::verifier_key("PeterNeumann", &public),
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    );
    assert_eq!(note::key_id("PeterNeumann", &public), [0xc7, 0x4f, 0x20, 0xa3]);
    assert_eq!(note::sign(PETER_TEXT, &key, "PeterNeumann").unwrap(), PETER_NOTE);
}

#[test]
fn go_sumdb_note_vector_opens_and_refuses_tampering() {
    let (_, public) = peter();
    assert_eq!(note::open(PETER_NOTE, "PeterNeumann", &public).unwrap(), PETER_TEXT);
    let tampered = PETER_NOTE.replace("cryptography", "cryptographY");
    assert_eq!(
        note::open(&tampered, "PeterNeumann", &public),
        Err(NoteError::BadSignature { name: "PeterNeumann".into() })
    );
    assert!(matches!(note::open(PETER_NOTE, "PaulNeumann", &public), Err(NoteError::NotSignedByKey { .. })));
}
