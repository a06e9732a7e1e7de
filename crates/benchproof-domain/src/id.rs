//! Identifiers: UUIDv7 newtypes. The caller generates them (UUIDv7 needs a clock and
//! randomness, which the domain does not touch); the domain only checks and carries them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("not a UUID: {0:?}")]
    Malformed(String),
    #[error("{0} is a UUID version {1}, but benchproof identifiers are UUIDv7")]
    NotV7(Uuid, usize),
}

macro_rules! uuid7_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps a UUID, refusing any version other than 7.
            pub fn from_uuid(u: Uuid) -> Result<Self, IdError> {
                match u.get_version_num() {
                    7 => Ok(Self(u)),
                    v => Err(IdError::NotV7(u, v)),
                }
            }
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                let u = Uuid::parse_str(s).map_err(|_| IdError::Malformed(s.chars().take(80).collect()))?;
                Self::from_uuid(u)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0.hyphenated())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

uuid7_id!(
    /// One assessment of one student against one rubric.
    AssessmentId
);
uuid7_id!(
    /// One saved piece of evidence (a clip, a screenshot, an instrument state).
    SnippetId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_v7_refuses_v4() {
        let v7 = "01936f1e-7c3a-7b2e-9c4d-5e6f7a8b9c0d";
        assert_eq!(v7.parse::<AssessmentId>().unwrap().to_string(), v7);
        let v4 = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
        assert!(matches!(v4.parse::<AssessmentId>(), Err(IdError::NotV7(_, 4))));
        assert!(matches!("nope".parse::<SnippetId>(), Err(IdError::Malformed(_))));
    }
}
