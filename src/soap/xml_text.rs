//! Text as the SOAP writer puts it into a document: markup characters escaped, and every
//! character XML 1.0 cannot carry (no escape exists for them) replaced with U+FFFD. So no
//! answer is ever malformed, whatever the store or the request held: data stored before
//! today's rules still reads over SOAP, as it does over REST, its odd characters marked.

use crate::domain::text::{is_storable_char, is_storable_text};
use quick_xml::escape::escape;
use std::borrow::Cow;

pub fn xml_text(text: &str) -> Cow<'_, str> {
    if is_storable_text(text) {
        return escape(text);
    }
    let carried: String = text
        .chars()
        .map(|c| if is_storable_char(c) { c } else { '\u{FFFD}' })
        .collect();
    Cow::Owned(escape(&carried).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped_and_what_xml_cannot_carry_is_replaced() {
        assert_eq!(xml_text("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(
            xml_text("Shop\u{1}<EU>\u{FFFF}"),
            "Shop\u{FFFD}&lt;EU&gt;\u{FFFD}"
        );
        assert!(matches!(xml_text("plain"), Cow::Borrowed("plain")));
    }
}
