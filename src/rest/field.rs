//! A JSON body's field whose value may be of the wrong type. serde would refuse the whole body
//! as malformed, naming no field; this keeps the body and lets the conversion refuse the field
//! as `ERROR_PARAMETER_INVALID` naming it, as SOAP does for the same mistake
//! (`{"isTieredRateLimitedApiUser": "yes"}` and `<IsTieredRateLimitedApiUser>yes</…>`).

use crate::domain::{Error, Result};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Absent and `null` are not given; anything else is the value, or a value of the wrong type.
#[derive(Debug, Default)]
pub struct Field<T>(Option<Option<T>>);

impl<'de, T: DeserializeOwned> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Field(match Value::deserialize(deserializer)? {
            Value::Null => None,
            given => Some(T::deserialize(given).ok()),
        }))
    }
}

impl<T> Field<T> {
    /// The value if given; `ERROR_PARAMETER_INVALID` naming `name` if of the wrong type.
    pub fn value(self, name: &'static str) -> Result<Option<T>> {
        self.0
            .map(|given| given.ok_or(Error::ParameterInvalid(name)))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Body {
        #[serde(default)]
        flag: Field<bool>,
    }

    fn flag(json: &str) -> Result<Option<bool>> {
        serde_json::from_str::<Body>(json)
            .unwrap()
            .flag
            .value("flag")
    }

    #[test]
    fn absent_and_null_are_not_given_and_a_wrong_type_names_the_field() {
        assert_eq!(flag("{}"), Ok(None));
        assert_eq!(flag(r#"{"flag": null}"#), Ok(None));
        assert_eq!(flag(r#"{"flag": false}"#), Ok(Some(false)));
        for wrong in [r#""yes""#, "1", "[true]", r#"{"a": true}"#] {
            assert_eq!(
                flag(&format!(r#"{{"flag": {wrong}}}"#)),
                Err(Error::ParameterInvalid("flag"))
            );
        }
    }
}
