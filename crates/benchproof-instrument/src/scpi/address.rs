//! `HOST[:PORT]` instrument addresses.

use std::fmt;

use super::ScpiError;

/// The raw-socket SCPI port of LXI instruments (IVI "SCPI raw", also called port 5025).
pub const DEFAULT_PORT: u16 = 5025;

/// Where an instrument listens: a host name or IP address, and a TCP port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// Host name, IPv4 address or IPv6 address (without brackets).
    pub host: String,
    /// TCP port.
    pub port: u16,
}

impl Address {
    /// Parses `HOST`, `HOST:PORT`, `[IPV6]` or `[IPV6]:PORT`; the port defaults to 5025.
    pub fn parse(input: &str) -> Result<Self, ScpiError> {
        let bad = |reason: &str| ScpiError::BadAddress { input: input.to_owned(), reason: reason.to_owned() };
        let text = input.trim();
        if text.is_empty() {
            return Err(bad("it is empty"));
        }
        let (host, port) = if let Some(rest) = text.strip_prefix('[') {
            let (host, after) = rest.split_once(']').ok_or_else(|| bad("`[` without a closing `]`"))?;
            match after {
                "" => (host, None),
                _ => (host, Some(after.strip_prefix(':').ok_or_else(|| bad("expected `:PORT` after `]`"))?)),
            }
        } else if text.matches(':').count() > 1 {
            // A bare IPv6 address has no port.
            (text, None)
        } else {
            match text.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (text, None),
            }
        };
        if host.is_empty() {
            return Err(bad("the host is empty"));
        }
        if host.chars().any(|c| c.is_whitespace() || c == '/') {
            return Err(bad("the host contains a space or `/`"));
        }
        let port = match port {
            None => DEFAULT_PORT,
            Some(p) => match p.parse::<u16>() {
                Ok(0) | Err(_) => return Err(bad("the port must be a number from 1 to 65535")),
                Ok(p) => p,
            },
        };
        Ok(Self { host: host.to_owned(), port })
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_users_type() {
        let a = |s: &str| Address::parse(s).unwrap();
        assert_eq!(a("192.168.1.20"), Address { host: "192.168.1.20".into(), port: 5025 });
        assert_eq!(a("scope.lab:5555"), Address { host: "scope.lab".into(), port: 5555 });
        assert_eq!(a("[::1]:6000"), Address { host: "::1".into(), port: 6000 });
        assert_eq!(a("fe80::1"), Address { host: "fe80::1".into(), port: 5025 });
        assert_eq!(a("[::1]").to_string(), "[::1]:5025");
    }

    #[test]
    fn refuses_bad_addresses_with_a_reason() {
        for bad in ["", ":5025", "host:0", "host:http", "[::1", "[::1]x", "a b"] {
            let err = Address::parse(bad).unwrap_err();
            assert!(matches!(err, ScpiError::BadAddress { .. }), "{bad}: {err}");
            assert!(err.to_string().contains("HOST:PORT"), "{err}");
        }
    }
}
