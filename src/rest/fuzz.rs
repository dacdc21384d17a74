//! Fuzz target: mutated JSON bodies through the REST input parser. Every outcome is a value or
//! ERROR_MALFORMED_REQUEST, never a panic, and whatever is accepted is within the limits.

use super::dto::{CreateApiUserBody, PasswordBody, UpdateApiUserBody};
use super::json_body::{JsonLimits, read_json};
use crate::config::Limits;
use crate::domain::{Error, Result};
use crate::fuzzing::{config, inputs};
use proptest::prelude::*;
use serde_json::Value;

const LIMITS: JsonLimits = Limits::DEFAULT.json();

fn assert_value_or_malformed<T>(outcome: Result<T>) {
    if let Err(error) = outcome {
        assert!(matches!(error, Error::MalformedRequest(_)), "{error:?}");
        assert!(error.to_string().ends_with(error.code()), "{error}");
    }
}

/// Checks the depth and string lengths of an accepted value against the limits.
fn within_limits(value: &Value, depth: usize) {
    match value {
        Value::Array(items) => {
            assert!(depth < LIMITS.depth);
            items.iter().for_each(|item| within_limits(item, depth + 1));
        }
        Value::Object(members) => {
            assert!(depth < LIMITS.depth);
            for (key, item) in members {
                assert!(key.len() <= LIMITS.string_bytes);
                within_limits(item, depth + 1);
            }
        }
        Value::String(text) => assert!(text.len() <= LIMITS.string_bytes),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_json_bodies_are_read_or_refused_as_malformed(body in inputs("json")) {
        assert_value_or_malformed(read_json::<CreateApiUserBody>(&body, &LIMITS));
        assert_value_or_malformed(read_json::<UpdateApiUserBody>(&body, &LIMITS));
        assert_value_or_malformed(read_json::<PasswordBody>(&body, &LIMITS));
        let value = read_json::<Value>(&body, &LIMITS);
        if let Ok(value) = &value {
            within_limits(value, 0);
        }
        assert_value_or_malformed(value);
    }
}
