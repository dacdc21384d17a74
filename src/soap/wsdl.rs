//! The WSDL: `wsdl/ApiService.wsdl` is the single source, served with its addresses set to the
//! configured public URL.

use actix_web::web::Bytes;
use quick_xml::escape::escape;

const SOURCE: &str = include_str!("../../wsdl/ApiService.wsdl");
/// The address written in the repository's file, replaced when served.
const SOURCE_ADDRESS: &str = "http://127.0.0.1:8080/v2/Api.svc";

/// The WSDL as served, built once at start-up (JAX-WS fetches it on every `new Service()`);
/// serving it clones a reference, not the document.
#[derive(Debug, Clone)]
pub struct ServedWsdl(pub Bytes);

impl ServedWsdl {
    /// `public_url` ends with `/`.
    pub fn new(public_url: &str) -> ServedWsdl {
        let address = format!("{public_url}v2/Api.svc");
        ServedWsdl(Bytes::from(
            SOURCE.replace(SOURCE_ADDRESS, &escape(&address)),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_ports_get_the_public_address() {
        let wsdl = ServedWsdl::new("https://api.example.com/");
        let wsdl = std::str::from_utf8(&wsdl.0).unwrap();
        assert_eq!(
            wsdl.matches(r#"location="https://api.example.com/v2/Api.svc""#)
                .count(),
            2
        );
        assert!(!wsdl.contains(SOURCE_ADDRESS));
    }
}
