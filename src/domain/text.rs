/// True when every character can be carried by both wire formats: XML 1.0 forbids most control
/// characters and U+FFFE/U+FFFF, so text that SOAP could not return is refused on REST too.
pub fn is_storable_text(text: &str) -> bool {
    text.chars().all(|c| {
        matches!(c, '\t' | '\n' | '\r') || (!c.is_control() && c != '\u{FFFE}' && c != '\u{FFFF}')
    })
}
