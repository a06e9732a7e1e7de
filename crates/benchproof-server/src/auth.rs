//! Who may call: enrolled stations (RFC 9421 signatures, [`station`]) and admins (argon2
//! passwords and session cookies, [`admin`]).

pub mod admin;
pub mod station;
