/// The characters XML 1.0 cannot carry (most control characters, U+FFFE, U+FFFF): text that
/// SOAP could not return is refused on REST too. The ranges are inclusive.
const UNSTORABLE: [(char, char); 5] = [
    ('\u{0}', '\u{8}'),
    ('\u{B}', '\u{C}'),
    ('\u{E}', '\u{1F}'),
    ('\u{7F}', '\u{9F}'),
    ('\u{FFFE}', '\u{FFFF}'),
];

/// True when the character can be carried by both wire formats.
pub fn is_storable_char(c: char) -> bool {
    !UNSTORABLE
        .iter()
        .any(|(low, high)| (*low..=*high).contains(&c))
}

/// True when every character can be carried by both wire formats.
pub fn is_storable_text(text: &str) -> bool {
    text.chars().all(is_storable_char)
}

/// The same rule as an ECMA-262 regular expression, for schema documents.
pub fn storable_text_pattern() -> String {
    let ranges: String = UNSTORABLE
        .iter()
        .map(|(low, high)| format!("\\u{:04X}-\\u{:04X}", u32::from(*low), u32::from(*high)))
        .collect();
    format!("^[^{ranges}]*$")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_but_tab_and_line_ends_are_refused() {
        assert!(is_storable_text("Magento shop\tEU\r\n¡ünïcode ✓"));
        for c in [
            '\u{0}', '\u{1}', '\u{B}', '\u{1F}', '\u{7F}', '\u{85}', '\u{FFFE}',
        ] {
            assert!(!is_storable_text(&format!("a{c}b")), "{c:?}");
        }
        for c in 0..=0x10FFFF_u32 {
            let Some(c) = char::from_u32(c) else { continue };
            let old_rule = matches!(c, '\t' | '\n' | '\r')
                || (!c.is_control() && c != '\u{FFFE}' && c != '\u{FFFF}');
            assert_eq!(is_storable_text(&c.to_string()), old_rule, "{c:?}");
        }
    }

    #[test]
    fn the_pattern_names_the_same_ranges() {
        assert_eq!(
            storable_text_pattern(),
            r"^[^\u0000-\u0008\u000B-\u000C\u000E-\u001F\u007F-\u009F\uFFFE-\uFFFF]*$"
        );
    }
}
