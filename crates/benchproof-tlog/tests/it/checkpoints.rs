//! Signed checkpoints: round trips, other keys' cosignatures, strict refusals.

use benchproof_tlog::note::{self, NoteError};
use benchproof_tlog::{Checkpoint, CheckpointError};
use proptest::prelude::*;

use crate::key;

fn checkpoint(size: u64) -> Checkpoint {
    Checkpoint { origin: "benchproof.example.edu/log".into(), size, root: [size as u8; 32] }
}

#[test]
fn sign_then_verify_round_trips() {
    let k = key(1);
    let cp = checkpoint(41);
    let text = cp.sign(&k, &cp.origin).unwrap();
    assert!(text.starts_with("benchproof.example.edu/log\n41\n"));
    assert!(text.contains("\n\n\u{2014} benchproof.example.edu/log "));
    assert_eq!(Checkpoint::verify_note(&text, &cp.origin, &k.public_key()).unwrap(), cp);
    assert_eq!(Checkpoint::verify_note_by_key(&text, &k.public_key(), Some(&cp.origin)).unwrap(), cp);
}

#[test]
fn other_signatures_are_ignored_when_the_trusted_one_verifies() {
    let (log, witness) = (key(1), key(2));
    let cp = checkpoint(7);
    let signed = cp.sign(&log, "log").unwrap();
    let by_witness = cp.sign(&witness, "witness").unwrap();
    let witness_line = by_witness.rsplit_once("\n\n").unwrap().1;
    let both = format!("{signed}{witness_line}");
    assert_eq!(Checkpoint::verify_note(&both, "log", &log.public_key()).unwrap(), cp);
    assert_eq!(Checkpoint::verify_note(&both, "witness", &witness.public_key()).unwrap(), cp);
    // Signed only by someone else: refused.
    assert!(matches!(
        Checkpoint::verify_note(&by_witness, "log", &log.public_key()),
        Err(CheckpointError::Note(NoteError::NotSignedByKey { .. }))
    ));
}

#[test]
fn wrong_origin_is_refused() {
    let k = key(1);
    let text = checkpoint(3).sign(&k, "log").unwrap();
    assert!(matches!(
        Checkpoint::verify_note_by_key(&text, &k.public_key(), Some("elsewhere/log")),
        Err(CheckpointError::WrongOrigin { .. })
    ));
}

#[test]
fn malformed_notes_are_refused() {
    let k = key(1);
    let good = checkpoint(3).sign(&k, "log").unwrap();
    let cases = [
        good.trim_end().to_owned(),                           // no final newline
        good.replace("\n\n", "\n"),                           // no blank line
        good.replace('\u{2014}', "-"),                        // not an em dash
        good.replace("\u{2014} log ", "\u{2014} log  "),      // bad base64
        good.replace("log\n3\n", "log\r\n3\n"),               // control character
        format!("{}\n", good.rsplit_once("\n\n").unwrap().0), // no signatures
        good.replace("\n3\n", "\n4\n"),                       // altered body
        good.replace("\u{2014} log ", "\u{2014} log+x "),     // bad key name
    ];
    for text in cases {
        assert!(Checkpoint::verify_note(&text, "log", &k.public_key()).is_err(), "accepted {text:?}");
    }
    assert!(matches!(note::sign("no newline", &k, "log"), Err(NoteError::Malformed { .. })));
    assert!(matches!(note::sign("x\n", &k, "has space"), Err(NoteError::BadKeyName { .. })));
}

proptest! {
    #[test]
    fn any_checkpoint_round_trips(origin in "[a-z0-9./-]{1,40}", size in any::<u64>(), root in any::<[u8; 32]>(), seed in any::<u8>()) {
        let k = key(seed);
        let cp = Checkpoint { origin, size, root };
        let text = cp.sign(&k, "log").unwrap();
        prop_assert_eq!(Checkpoint::verify_note(&text, "log", &k.public_key()).unwrap(), cp);
        prop_assert!(Checkpoint::verify_note(&text, "log", &key(seed.wrapping_add(1)).public_key()).is_err());
    }
}
