//! Seal and verify on deterministic golden bundles; every tampering class is refused with its
//! own reason; the committed fixtures in `fixtures/bundles/` are pinned byte for byte.

mod golden;
mod independent;
mod tampering;
