//! RFC 8785 (JSON Canonicalization Scheme) cases: the RFC's examples (sections 3.2.2 and 3.2.3),
//! its Appendix B number table, and the test data of the RFC's reference implementation
//! (cyberphone/json-canonicalization, `testdata/`), as tables of input → canonical output.

use benchproof_evidence::jcs::{canonicalize, canonicalize_to_string};
use serde_json::Value;

fn canon_of_text(input: &str) -> String {
    let value: Value = serde_json::from_str(input).unwrap_or_else(|e| panic!("{input:?} is not JSON: {e}"));
    canonicalize_to_string(&value).unwrap()
}

/// RFC 8785 section 3.2.2: the sample object with "numbers", "string" and "literals".
#[test]
fn rfc_sample_object() {
    let input = r#"{
  "numbers": [333333333.33333329, 1E30, 4.50,
              2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}"#;
    let expected = r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#;
    assert_eq!(canon_of_text(input), expected);

    // Section 3.2.4: the UTF-8 bytes of that canonical form.
    let utf8_hex = "7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72 75 65 2c 66 61 6c 73 65 5d 2c 22 6e 75 6d \
                    62 65 72 73 22 3a 5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33 33 2c 31 65 2b 33 30 2c 34 2e 35 \
                    2c 30 2e 30 30 32 2c 31 65 2d 32 37 5d 2c 22 73 74 72 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30 30 66 \
                    5c 6e 41 27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22 7d";
    let bytes: Vec<u8> = utf8_hex.split_whitespace().map(|b| u8::from_str_radix(b, 16).unwrap()).collect();
    assert_eq!(canonicalize(&serde_json::from_str(input).unwrap()).unwrap(), bytes);
}

/// RFC 8785 section 3.2.3: members sorted by UTF-16 code units, not by code points or UTF-8.
#[test]
fn rfc_sorting_example() {
    let input = r#"{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}"#;
    let expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}";
    assert_eq!(canon_of_text(input), expected);
}

/// U+10000 is D800 DC00 in UTF-16, so it sorts *before* U+FB33 although its code point is higher.
#[test]
fn non_bmp_keys_sort_by_utf16_code_units() {
    let cases: &[(&str, &str)] = &[
        (r#"{"\ufb33":1,"\ud800\udc00":2}"#, "{\"\u{10000}\":2,\"\u{fb33}\":1}"),
        (r#"{"\uffff":1,"\ud800\udc00":2}"#, "{\"\u{10000}\":2,\"\u{ffff}\":1}"),
        (r#"{"\ud7ff":1,"\ud800\udc00":2}"#, "{\"\u{d7ff}\":1,\"\u{10000}\":2}"),
        (r#"{"\u00f6":1,"\u20ac":2,"\u0080":3,"1":4,"\r":5}"#, "{\"\\r\":5,\"1\":4,\"\u{80}\":3,\"ö\":1,\"€\":2}"),
        (r#"{"b":1,"a":2,"aa":3,"A":4,"":5}"#, r#"{"":5,"A":4,"a":2,"aa":3,"b":1}"#),
    ];
    for (input, expected) in cases {
        assert_eq!(canon_of_text(input), *expected, "input {input}");
    }
}

/// Number serialisation of JSON texts (ECMAScript Number.prototype.toString of the nearest double).
#[test]
fn number_texts() {
    let cases: &[(&str, &str)] = &[
        ("1E30", "1e+30"),
        ("-0", "0"),
        ("-0.0", "0"),
        ("0.0", "0"),
        ("1e-7", "1e-7"),
        ("0.0000001", "1e-7"),
        ("0.000001", "0.000001"),
        ("333333333.33333329", "333333333.3333333"),
        ("4.50", "4.5"),
        ("2e-3", "0.002"),
        ("0.000000000000000000000000001", "1e-27"),
        ("1e21", "1e+21"),
        ("1e20", "100000000000000000000"),
        ("123456789012345680000", "123456789012345680000"),
        ("56.0", "56"),
        ("-1.5e-10", "-1.5e-10"),
        ("9007199254740991", "9007199254740991"),
        ("9007199254740992", "9007199254740992"),
        // Integers beyond 2^53 become the nearest double.
        ("9007199254740993", "9007199254740992"),
        ("18446744073709551615", "18446744073709552000"),
        ("-9223372036854775808", "-9223372036854776000"),
        ("295147905179352825856", "295147905179352830000"),
    ];
    for (input, expected) in cases {
        assert_eq!(canon_of_text(input), *expected, "number {input}");
        assert_eq!(canon_of_text(&format!("[{input}]")), format!("[{expected}]"));
    }
}

/// RFC 8785 Appendix B: IEEE-754 doubles (as bit patterns) and their canonical forms.
#[test]
fn rfc_appendix_b_numbers() {
    let cases: &[(u64, &str)] = &[
        (0x0000000000000000, "0"),
        (0x8000000000000000, "0"),
        (0x0000000000000001, "5e-324"),
        (0x8000000000000001, "-5e-324"),
        (0x7fefffffffffffff, "1.7976931348623157e+308"),
        (0xffefffffffffffff, "-1.7976931348623157e+308"),
        (0x4340000000000000, "9007199254740992"),
        (0xc340000000000000, "-9007199254740992"),
        (0x4430000000000000, "295147905179352830000"),
        (0x44b52d02c7e14af5, "9.999999999999997e+22"),
        (0x44b52d02c7e14af6, "1e+23"),
        (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
        (0x444b1ae4d6e2ef4e, "999999999999999700000"),
        (0x444b1ae4d6e2ef4f, "999999999999999900000"),
        (0x444b1ae4d6e2ef50, "1e+21"),
        (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
        (0x3eb0c6f7a0b5ed8d, "0.000001"),
        (0x41b3de4355555553, "333333333.3333332"),
        (0x41b3de4355555554, "333333333.33333325"),
        (0x41b3de4355555555, "333333333.3333333"),
        (0x41b3de4355555556, "333333333.3333334"),
        (0x41b3de4355555557, "333333333.33333343"),
        (0xbecbf647612f3696, "-0.0000033333333333333333"),
        (0x43143ff3c1cb0959, "1424953923781206.2"),
    ];
    for (bits, expected) in cases {
        let value = Value::from(f64::from_bits(*bits));
        assert_eq!(canonicalize_to_string(&value).unwrap(), *expected, "bits {bits:016x}");
    }
    // NaN and the infinities (0x7fffffffffffffff, 0x7ff0000000000000) are not JSON: serde_json
    // turns them into null, so they never reach the canonicaliser as numbers.
    assert_eq!(Value::from(f64::from_bits(0x7ff0000000000000)), Value::Null);
}

/// String escaping: only `"`, `\` and control characters are escaped, with the short forms where
/// ECMAScript has them and lower-case `\u00xx` otherwise; everything else is raw UTF-8.
#[test]
fn string_escaping() {
    let cases: &[(&str, &str)] = &[
        (r#""\u0000\u0001\u001f""#, r#""\u0000\u0001\u001f""#),
        (r#""\b\f\n\r\t""#, r#""\b\f\n\r\t""#),
        (r#""\u0008\u000C\u000A\u000D\u0009""#, r#""\b\f\n\r\t""#),
        (r#""\"\\\/""#, r#""\"\\/""#),
        (r#""\u007f\u0080\u00ff""#, "\"\u{7f}\u{80}\u{ff}\""),
        (r#""\u20ac\ud83d\ude00""#, "\"€😀\""),
        (r#""\u2028\u2029""#, "\"\u{2028}\u{2029}\""),
        (r#""A\u030a""#, "\"A\u{30a}\""),
        (r#""</script>""#, r#""</script>""#),
    ];
    for (input, expected) in cases {
        assert_eq!(canon_of_text(input), *expected, "string {input}");
    }
}

/// The reference implementation's test data (cyberphone/json-canonicalization `testdata/`:
/// `input/*.json` → `output/*.json`).
#[test]
fn reference_test_data() {
    let cases: &[(&str, &str, &str)] = &[
        ("arrays", "[\n  56,\n  {\n    \"d\": true,\n    \"10\": null,\n    \"1\": [ ]\n  }\n]\n", r#"[56,{"1":[],"10":null,"d":true}]"#),
        (
            "french",
            "{\n  \"peach\": \"This sorting order\",\n  \"péché\": \"is wrong according to French\",\n  \"pêche\": \"but canonicalization MUST\",\n  \"sin\":   \"ignore locale\"\n}\n",
            r#"{"peach":"This sorting order","péché":"is wrong according to French","pêche":"but canonicalization MUST","sin":"ignore locale"}"#,
        ),
        (
            "structures",
            "{\n  \"1\": {\"f\": {\"f\": \"hi\",\"F\": 5} ,\"\\n\": 56.0},\n  \"10\": { },\n  \"\": \"empty\",\n  \"a\": { },\n  \"111\": [ {\"e\": \"yes\",\"E\": \"no\" } ],\n  \"A\": { }\n}",
            r#"{"":"empty","1":{"\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{"E":"no","e":"yes"}],"A":{},"a":{}}"#,
        ),
        ("unicode", "{\n  \"Unnormalized Unicode\":\"A\\u030a\"\n}\n", "{\"Unnormalized Unicode\":\"A\u{30a}\"}"),
        (
            "values",
            "{\n  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n  \"literals\": [null, true, false]\n}",
            r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#,
        ),
        (
            "weird",
            "{\n  \"\\u20ac\": \"Euro Sign\",\n  \"\\r\": \"Carriage Return\",\n  \"\\u000a\": \"Newline\",\n  \"1\": \"One\",\n  \"\\u0080\": \"Control\\u007f\",\n  \"\\ud83d\\ude02\": \"Smiley\",\n  \"\\u00f6\": \"Latin Small Letter O With Diaeresis\",\n  \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\",\n  \"</script>\": \"Browser Challenge\"\n}\n",
            "{\"\\n\":\"Newline\",\"\\r\":\"Carriage Return\",\"1\":\"One\",\"</script>\":\"Browser Challenge\",\"\u{80}\":\"Control\u{7f}\",\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\"😂\":\"Smiley\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}",
        ),
    ];
    for (name, input, expected) in cases {
        assert_eq!(canon_of_text(input), *expected, "testdata {name}");
    }
}

/// Canonicalisation is idempotent: the canonical text parses back to a value with the same form.
#[test]
fn canonical_form_is_a_fixed_point() {
    let input = r#"{"z":[1.0,2e2,{"y":"\u00e9","x":null}],"a":-0,"m":1E-7}"#;
    let once = canon_of_text(input);
    assert_eq!(canon_of_text(&once), once);
    assert_eq!(once, r#"{"a":0,"m":1e-7,"z":[1,200,{"x":null,"y":"é"}]}"#);
}
