use super::error::{Error, Result};
use super::text::is_storable_text;

/// What tells API users apart in the list: free text of at most 255 characters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Description(String);

pub const MAX_DESCRIPTION_CHARS: usize = 255;

impl Description {
    pub fn parse(raw: &str) -> Result<Description> {
        if raw.chars().count() > MAX_DESCRIPTION_CHARS || !is_storable_text(raw) {
            return Err(Error::ParameterInvalid("description"));
        }
        Ok(Description(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn up_to_255_characters_are_kept_as_given() {
        let text = "é".repeat(255);
        assert_eq!(Description::parse(&text).unwrap().as_str(), text);
        assert_eq!(Description::parse("").unwrap().as_str(), "");
    }

    #[test]
    fn longer_or_unprintable_text_is_refused() {
        let err = Err(Error::ParameterInvalid("description"));
        assert_eq!(Description::parse(&"x".repeat(256)), err);
        assert_eq!(Description::parse("bell\u{7}"), err);
        assert_eq!(Description::parse("nul\u{0}"), err);
    }
}
