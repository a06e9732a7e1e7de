-- Bundles this station or verifier has sealed or accepted, one per assessment: a different
-- bundle claiming an assessment already seen is a replay. Append-only history: never edit.

CREATE TABLE bundles_seen (
    assessment_id   TEXT PRIMARY KEY NOT NULL,
    digest          TEXT NOT NULL,          -- SHA-256 of the bag's tagmanifest-sha256.txt
    first_seen      TEXT NOT NULL
) STRICT;
