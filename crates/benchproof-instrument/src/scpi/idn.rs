//! The `*IDN?` answer (IEEE 488.2 §10.14): `manufacturer,model,serial,firmware`.

use serde::Serialize;

/// An instrument's identity as it reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Idn {
    /// First field, e.g. `RIGOL TECHNOLOGIES`.
    pub manufacturer: String,
    /// Second field, e.g. `DS1104Z`.
    pub model: String,
    /// Third field; `0` when the instrument does not report one.
    pub serial: String,
    /// Fourth field (may itself contain commas).
    pub firmware: String,
    /// The whole answer, trimmed.
    pub raw: String,
}

impl Idn {
    /// Splits an `*IDN?` answer; `None` unless it has four fields with a manufacturer and model.
    pub fn parse(answer: &str) -> Option<Self> {
        let raw = answer.trim();
        let mut fields = raw.splitn(4, ',').map(|f| f.trim().trim_matches('"').trim());
        let manufacturer = fields.next()?.to_owned();
        let model = fields.next()?.to_owned();
        let serial = fields.next()?.to_owned();
        let firmware = fields.next()?.to_owned();
        if manufacturer.is_empty() || model.is_empty() {
            return None;
        }
        Some(Self { manufacturer, model, serial, firmware, raw: raw.to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_real_answers() {
        let idn = Idn::parse("RIGOL TECHNOLOGIES,DS1104Z,DS1ZA000000001,00.04.04.SP3\n").unwrap();
        assert_eq!(
            (idn.manufacturer.as_str(), idn.model.as_str(), idn.serial.as_str(), idn.firmware.as_str()),
            ("RIGOL TECHNOLOGIES", "DS1104Z", "DS1ZA000000001", "00.04.04.SP3")
        );
        let idn = Idn::parse("KEYSIGHT TECHNOLOGIES,DSO-X 3024T,MY00000000,07.50.2021102830").unwrap();
        assert_eq!(idn.model, "DSO-X 3024T");
        let idn = Idn::parse("Siglent Technologies,SDS1202X-E,SDSMMEBQ000000,8.1.6.1.37R2,extra").unwrap();
        assert_eq!(idn.firmware, "8.1.6.1.37R2,extra");
    }

    #[test]
    fn refuses_answers_that_are_not_identities() {
        for bad in ["", "hello", "a,b,c", ",model,1,2", "maker,,1,2", "-113,\"Undefined header\""] {
            assert_eq!(Idn::parse(bad), None, "{bad}");
        }
    }
}
