//! did:key and Multikey round trips and error cases.

use benchproof_evidence::did_key::{
    decode_public_key_multibase, decode_secret_key_multibase, encode_public_key_multibase, encode_secret_key_multibase,
    ED25519_PRIV_HEADER, ED25519_PUB_HEADER,
};
use benchproof_evidence::multibase::{encode_base58btc, MultibaseError};
use benchproof_evidence::{DidKey, DidKeyError, PublicKey, SecretSeed, SigningKey};
use proptest::prelude::*;

use crate::key;

#[test]
fn did_key_forms_of_a_key() {
    let k = key(5);
    let did = k.did_key();
    let mb = k.public_key().to_multibase();
    assert!(mb.starts_with("z6Mk"), "{mb}");
    assert_eq!(did.to_string(), format!("did:key:{mb}"));
    assert_eq!(did.did(), did.to_string());
    assert_eq!(did.public_key_multibase(), mb);
    assert_eq!(k.verification_method_id(), format!("did:key:{mb}#{mb}"));
    assert_eq!(did.to_string().parse::<DidKey>().unwrap(), did);
    assert_eq!(DidKey::parse_verification_method(&k.verification_method_id()).unwrap().public_key(), &k.public_key());
}

#[test]
fn parse_errors() {
    let mb = key(5).public_key().to_multibase();
    let cases: Vec<(String, DidKeyError)> = vec![
        ("did:web:bench.example".into(), DidKeyError::WrongPrefix { found: "did:web:bench.example".into() }),
        ("DID:KEY:".to_owned() + &mb, DidKeyError::WrongPrefix { found: "DID:KEY:".to_owned() + &mb }),
        ("did:key:".into(), DidKeyError::Multibase(MultibaseError::Empty)),
        (format!("did:key:m{}", &mb[1..]), DidKeyError::Multibase(MultibaseError::UnsupportedBase { prefix: 'm' })),
        (
            format!("did:key:{}I", &mb[..20]),
            DidKeyError::Multibase(MultibaseError::InvalidCharacter { character: 'I', index: 20 }),
        ),
        (
            format!("did:key:{}", encode_base58btc(&[0x12, 0x20, 1, 2])),
            DidKeyError::WrongMulticodec {
                expected: ED25519_PUB_HEADER,
                expected_name: "ed25519-pub",
                found: vec![0x12, 0x20],
            },
        ),
        (
            format!("did:key:{}", encode_base58btc(&[0xed])),
            DidKeyError::WrongMulticodec {
                expected: ED25519_PUB_HEADER,
                expected_name: "ed25519-pub",
                found: vec![0xed],
            },
        ),
        (
            format!("did:key:{}", encode_base58btc(&[[0xed, 0x01].as_slice(), &[7; 33]].concat())),
            DidKeyError::WrongLength { expected: 32, found: 33 },
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(DidKey::parse(&input), Err(expected), "input {input:?}");
    }
    // Long input is quoted shortened.
    let with_fragment = format!("did:key:{mb}#{mb}");
    let Err(DidKeyError::UnexpectedFragment { found }) = DidKey::parse(&with_fragment) else {
        panic!("fragment accepted")
    };
    assert_eq!(found, format!("{}…", &with_fragment[..80]));
    assert_eq!(DidKey::parse_verification_method(&format!("did:key:{mb}")), Err(DidKeyError::MissingFragment));
    assert_eq!(
        DidKey::parse_verification_method(&format!("did:key:{mb}#")),
        Err(DidKeyError::FragmentMismatch { key: mb.clone(), fragment: String::new() })
    );
    let other = key(6).public_key().to_multibase();
    assert_eq!(
        DidKey::parse_verification_method(&format!("did:key:{mb}#{other}")),
        Err(DidKeyError::FragmentMismatch { key: mb.clone(), fragment: other })
    );
    assert!(matches!(
        DidKey::parse_verification_method("https://bench.example/keys#1"),
        Err(DidKeyError::WrongPrefix { .. })
    ));
    // Error messages say what is wrong.
    let err = DidKey::parse(&format!("did:key:{}", encode_base58btc(&[0xed, 0x01, 1]))).unwrap_err();
    assert_eq!(err.to_string(), "wrong key length: 1 bytes after the multicodec header, expected 32");
}

#[test]
fn secret_key_multibase() {
    let seed = SecretSeed::from_bytes([9; 32]);
    let mb = encode_secret_key_multibase(&seed);
    assert!(mb.starts_with("z3u2"), "{mb}");
    assert_eq!(decode_secret_key_multibase(&mb).unwrap(), seed);
    assert_eq!(SigningKey::from_secret_key_multibase(&mb).unwrap().public_key(), key(9).public_key());
    // A public key is not a secret key, and vice versa.
    let public = key(9).public_key().to_multibase();
    assert_eq!(
        decode_secret_key_multibase(&public),
        Err(DidKeyError::WrongMulticodec {
            expected: ED25519_PRIV_HEADER,
            expected_name: "ed25519-priv",
            found: ED25519_PUB_HEADER.to_vec()
        })
    );
    assert!(matches!(decode_public_key_multibase(&mb), Err(DidKeyError::WrongMulticodec { .. })));
}

proptest! {
    #[test]
    fn public_key_round_trips(bytes in any::<[u8; 32]>()) {
        let key = PublicKey::from_bytes(bytes);
        let mb = encode_public_key_multibase(&key);
        prop_assert!(mb.starts_with("z6Mk"));
        prop_assert_eq!(decode_public_key_multibase(&mb).unwrap(), key);
        let did = DidKey::from_public_key(key);
        prop_assert_eq!(DidKey::parse(&did.to_string()).unwrap(), did.clone());
        prop_assert_eq!(DidKey::parse_verification_method(&did.verification_method_id()).unwrap(), did);
    }

    #[test]
    fn secret_seed_round_trips(bytes in any::<[u8; 32]>()) {
        let seed = SecretSeed::from_bytes(bytes);
        let mb = encode_secret_key_multibase(&seed);
        prop_assert!(mb.starts_with("z3u2"));
        prop_assert_eq!(decode_secret_key_multibase(&mb).unwrap(), seed);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,80}") {
        let _ = DidKey::parse(&text);
        let _ = DidKey::parse_verification_method(&text);
        let _ = DidKey::parse(&format!("did:key:z{text}"));
    }
}
