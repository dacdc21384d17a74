//! The WSDL: `wsdl/ApiService.wsdl` is the single source, served with its addresses set to the
//! configured public URL, whole (`?wsdl`, `?singleWsdl`) or without its SOAP 1.2 binding and
//! port (`?wsdl=soap11`) for tools that cannot read SOAP 1.2 bindings.

use super::xml_text::xml_text;
use actix_web::web::Bytes;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, Writer};

const SOURCE: &str = include_str!("../../wsdl/ApiService.wsdl");
/// The address written in the repository's file, replaced when served.
const SOURCE_ADDRESS: &str = "http://127.0.0.1:8080/v2/Api.svc";
/// The name shared by the SOAP 1.2 binding and its port.
const SOAP12_NAME: &str = "Secure_ApiService_Soap12";
const SOAP12_PREFIX_DECLARATION: &str = "xmlns:soap12";

/// The WSDL variants as served, built once at start-up (JAX-WS fetches the WSDL on every
/// `new Service()`); serving one clones a reference, not the document.
#[derive(Debug, Clone)]
pub struct ServedWsdl {
    pub full: Bytes,
    pub soap11_only: Bytes,
}

impl ServedWsdl {
    /// `public_url` ends with `/`.
    pub fn new(public_url: &str) -> ServedWsdl {
        let address = format!("{public_url}v2/Api.svc");
        let full = SOURCE.replace(SOURCE_ADDRESS, &xml_text(&address));
        let soap11_only = without_soap12(&full);
        ServedWsdl {
            full: Bytes::from(full),
            soap11_only: Bytes::from(soap11_only),
        }
    }
}

/// The document minus the SOAP 1.2 binding, its port and the `soap12` prefix declaration.
fn without_soap12(wsdl: &str) -> Vec<u8> {
    let mut reader = Reader::from_str(wsdl);
    let mut writer = Writer::new(Vec::with_capacity(wsdl.len()));
    // Indentation before an element is held back until we know the element is kept.
    let mut pending_indent = None;
    loop {
        let event = reader
            .read_event()
            .expect("the WSDL in the repository is well-formed");
        match event {
            Event::Eof => break,
            Event::Text(text) if text.as_ref().trim().is_empty() => {
                pending_indent = Some(Event::Text(text));
                continue;
            }
            Event::Start(element) if is_soap12_part(&element) => {
                let end = element.to_end().into_owned();
                reader
                    .read_to_end(end.name())
                    .expect("the WSDL in the repository is well-formed");
                pending_indent = None;
                continue;
            }
            Event::Start(element) if element.name().as_ref() == "wsdl:definitions" => {
                let mut kept = BytesStart::new("wsdl:definitions");
                kept.extend_attributes(
                    element
                        .attributes()
                        .flatten()
                        .filter(|attribute| attribute.key.as_ref() != SOAP12_PREFIX_DECLARATION),
                );
                write(&mut writer, pending_indent.take());
                write(&mut writer, Some(Event::Start(kept)));
            }
            other => {
                write(&mut writer, pending_indent.take());
                write(&mut writer, Some(other));
            }
        }
    }
    writer.into_inner()
}

fn is_soap12_part(element: &BytesStart) -> bool {
    matches!(element.name().as_ref(), "wsdl:binding" | "wsdl:port")
        && element
            .try_get_attribute("name")
            .ok()
            .flatten()
            .is_some_and(|name| name.value.as_ref() == SOAP12_NAME)
}

fn write(writer: &mut Writer<Vec<u8>>, event: Option<Event>) {
    if let Some(event) = event {
        writer
            .write_event(event)
            .expect("writing to memory cannot fail");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_ports_get_the_public_address() {
        let wsdl = ServedWsdl::new("https://api.example.com/");
        let wsdl = std::str::from_utf8(&wsdl.full).unwrap();
        assert_eq!(
            wsdl.matches(r#"location="https://api.example.com/v2/Api.svc""#)
                .count(),
            2
        );
        assert!(!wsdl.contains(SOURCE_ADDRESS));
    }

    #[test]
    fn both_variants_begin_with_the_xml_declaration() {
        let wsdl = ServedWsdl::new("https://api.example.com/");
        for document in [&wsdl.full, &wsdl.soap11_only] {
            assert!(document.starts_with(br#"<?xml version="1.0" encoding="utf-8"?>"#));
        }
    }

    #[test]
    fn the_soap11_variant_keeps_everything_but_the_soap12_binding_and_port() {
        let wsdl = ServedWsdl::new("https://api.example.com/");
        let full = std::str::from_utf8(&wsdl.full).unwrap();
        let soap11 = std::str::from_utf8(&wsdl.soap11_only).unwrap();
        assert!(!soap11.contains("soap12"), "{soap11}");
        assert_eq!(soap11.matches("<wsdl:binding ").count(), 1);
        assert_eq!(soap11.matches("<wsdl:port ").count(), 1);
        assert!(
            soap11.contains(r#"<soap:address location="https://api.example.com/v2/Api.svc"/>"#)
        );
        let types = |wsdl: &str| {
            wsdl[wsdl.find("<wsdl:types>").unwrap()..wsdl.find("<wsdl:binding ").unwrap()]
                .to_owned()
        };
        assert_eq!(types(soap11), types(full));
        assert!(
            soap11.ends_with("</wsdl:definitions>\n") || soap11.ends_with("</wsdl:definitions>")
        );
    }
}
