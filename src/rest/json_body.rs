//! JSON request bodies: media type, then UTF-8 and shape within the limits, then the value.

use crate::domain::{Error, Result};
use crate::http::MediaType;
use serde::de::DeserializeOwned;

/// How much structure a JSON body may have; anything beyond is refused as malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonLimits {
    /// Arrays and objects nested in one another, the outermost being level 1.
    pub depth: usize,
    /// Bytes of one string (a key or a value) as written, escapes included.
    pub string_bytes: usize,
}

/// Parses a JSON body after checking its media type (`application/json` or `…+json`).
pub fn parse_json<T: DeserializeOwned>(
    media_type: &MediaType,
    body: &[u8],
    limits: &JsonLimits,
) -> Result<T> {
    let essence = &media_type.essence;
    if essence != "application/json" && !essence.ends_with("+json") {
        return Err(Error::unsupported_content_type(&media_type.raw));
    }
    read_json(body, limits)
}

/// The whole body must be UTF-8 (serde_json does not check the strings it skips), and its shape
/// within `limits` before a value is built.
pub fn read_json<T: DeserializeOwned>(body: &[u8], limits: &JsonLimits) -> Result<T> {
    let text = std::str::from_utf8(body)
        .map_err(|_| Error::MalformedRequest("the body is not UTF-8".into()))?;
    check_shape(text.as_bytes(), limits)?;
    serde_json::from_str(text).map_err(|e| Error::MalformedRequest(e.to_string()))
}

/// One pass over the bytes, stopping at the first string or nesting over the limits. Brackets
/// are counted outside strings only; an unbalanced document is left to the parser to refuse.
fn check_shape(body: &[u8], limits: &JsonLimits) -> Result<()> {
    let mut depth = 0usize;
    let mut string: Option<usize> = None;
    let mut escaped = false;
    for &byte in body {
        if let Some(length) = string.as_mut() {
            match (escaped, byte) {
                (false, b'"') => {
                    string = None;
                    continue;
                }
                (false, b'\\') => escaped = true,
                _ => escaped = false,
            }
            *length += 1;
            if *length > limits.string_bytes {
                return Err(Error::MalformedRequest(format!(
                    "a JSON string is longer than {} bytes",
                    limits.string_bytes
                )));
            }
            continue;
        }
        match byte {
            b'"' => string = Some(0),
            b'[' | b'{' => {
                depth += 1;
                if depth > limits.depth {
                    return Err(Error::MalformedRequest(format!(
                        "the JSON nests deeper than {} levels",
                        limits.depth
                    )));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const LIMITS: JsonLimits = JsonLimits {
        depth: 3,
        string_bytes: 4,
    };

    fn refusal(body: &str) -> String {
        match read_json::<Value>(body.as_bytes(), &LIMITS) {
            Err(Error::MalformedRequest(message)) => message,
            other => panic!("{other:?} for {body}"),
        }
    }

    #[test]
    fn each_limit_admits_its_value_and_refuses_one_more() {
        for fine in [
            r#"[[{"abcd": 1}]]"#,
            r#"{"a": "\"\\"}"#,
            r#"["]]]]", "{{{{"]"#,
        ] {
            assert!(
                read_json::<Value>(fine.as_bytes(), &LIMITS).is_ok(),
                "{fine}"
            );
        }
        assert!(refusal("[[[[1]]]]").contains("deeper than 3 levels"));
        assert!(refusal(r#"[{"a": {"b": []}}]"#).contains("deeper than 3 levels"));
        assert!(refusal(r#"{"abcde": 1}"#).contains("longer than 4 bytes"));
        assert!(refusal(r#"["\u0041"]"#).contains("longer than 4 bytes"));
    }

    #[test]
    fn invalid_utf8_is_refused_even_where_serde_would_skip_it() {
        #[derive(Debug, serde::Deserialize)]
        struct Skips {
            #[serde(rename = "x")]
            _x: serde::de::IgnoredAny,
        }
        let body = b"{\"x\": \"\xff\"}";
        assert!(serde_json::from_slice::<Skips>(body).is_ok());
        assert!(matches!(
            read_json::<Skips>(body, &LIMITS),
            Err(Error::MalformedRequest(message)) if message.contains("UTF-8")
        ));
    }
}
