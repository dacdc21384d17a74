//! Reading a SOAP 1.1 or 1.2 envelope: its version, its header blocks and the operation
//! element (the Body's first child).

use super::namespaces::{SOAP11_ENVELOPE, SOAP12_ENVELOPE, WSSE};
use super::xml_tree::{self, Element, XmlLimits};
use crate::domain::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoapVersion {
    V11,
    V12,
}

impl SoapVersion {
    /// As the request log names it after `SOAP`.
    pub fn as_str(self) -> &'static str {
        match self {
            SoapVersion::V11 => "1.1",
            SoapVersion::V12 => "1.2",
        }
    }

    pub fn envelope_namespace(self) -> &'static str {
        match self {
            SoapVersion::V11 => SOAP11_ENVELOPE,
            SoapVersion::V12 => SOAP12_ENVELOPE,
        }
    }

    fn of_namespace(namespace: Option<&str>) -> Option<SoapVersion> {
        match namespace {
            Some(SOAP11_ENVELOPE) => Some(SoapVersion::V11),
            Some(SOAP12_ENVELOPE) => Some(SoapVersion::V12),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub struct Envelope {
    pub headers: Vec<Element>,
    pub operation: Element,
}

/// Why an envelope cannot be processed: a catalogue error, or one of SOAP's own faults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SoapProblem {
    Catalogue(Error),
    VersionMismatch,
    /// A `mustUnderstand` header block that dualgate does not understand, by qualified name.
    MustUnderstand {
        namespace: Option<String>,
        name: String,
    },
}

impl From<Error> for SoapProblem {
    fn from(error: Error) -> Self {
        SoapProblem::Catalogue(error)
    }
}

fn malformed(what: &str) -> SoapProblem {
    SoapProblem::Catalogue(Error::MalformedRequest(what.to_owned()))
}

/// Parses `body`, within `limits`, as an envelope of the version its Content-Type announced.
pub fn read_envelope(
    body: &[u8],
    version: SoapVersion,
    limits: &XmlLimits,
) -> Result<Envelope, SoapProblem> {
    let root = xml_tree::parse(body, limits)?;
    if root.name != "Envelope" {
        return Err(malformed("the root element is not a SOAP Envelope"));
    }
    if SoapVersion::of_namespace(root.namespace.as_deref()) != Some(version) {
        return Err(SoapProblem::VersionMismatch);
    }
    let envelope_ns = version.envelope_namespace();
    let mut children = root.children.into_iter();
    let mut first = children.next();
    let mut headers = Vec::new();
    if let Some(header) = first.take_if(|e| e.is(envelope_ns, "Header")) {
        headers = header.children;
        first = children.next();
    }
    let body = first
        .filter(|e| e.is(envelope_ns, "Body"))
        .ok_or_else(|| malformed("the Envelope has no Body"))?;
    if let Some(block) = headers
        .iter()
        .find(|block| must_understand(block, envelope_ns) && !is_understood(block))
    {
        return Err(SoapProblem::MustUnderstand {
            namespace: block.namespace.as_deref().map(str::to_owned),
            name: block.name.clone(),
        });
    }
    let operation = body
        .children
        .into_iter()
        .next()
        .ok_or_else(|| malformed("the Body is empty"))?;
    Ok(Envelope { headers, operation })
}

fn must_understand(block: &Element, envelope_ns: &str) -> bool {
    matches!(
        block
            .attribute(Some(envelope_ns), "mustUnderstand")
            .map(str::trim),
        Some("1" | "true")
    )
}

/// The only header block dualgate acts on: WS-Security (for its UsernameToken).
fn is_understood(block: &Element) -> bool {
    block.is(WSSE, "Security")
}

#[cfg(test)]
mod tests {
    use super::*;

    const V11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
    const LIMITS: XmlLimits = crate::config::Limits::DEFAULT.xml();

    fn read_envelope(body: &[u8], version: SoapVersion) -> Result<Envelope, SoapProblem> {
        super::read_envelope(body, version, &LIMITS)
    }

    #[test]
    fn finds_the_operation_whatever_the_prefixes() {
        let body = format!(
            r#"<?xml version="1.0" standalone="yes"?><e:Envelope xmlns:e="{V11}"><e:Header/>
            <e:Body><Op xmlns="urn:x"/></e:Body></e:Envelope>"#
        );
        let envelope = read_envelope(body.as_bytes(), SoapVersion::V11).unwrap();
        assert!(envelope.operation.is("urn:x", "Op"));
        assert!(envelope.headers.is_empty());
    }

    #[test]
    fn version_must_match_the_content_type() {
        let body = format!(r#"<s:Envelope xmlns:s="{V11}"><s:Body><a/></s:Body></s:Envelope>"#);
        assert_eq!(
            read_envelope(body.as_bytes(), SoapVersion::V12).unwrap_err(),
            SoapProblem::VersionMismatch
        );
    }

    #[test]
    fn unknown_must_understand_header_is_refused() {
        let body = format!(
            r#"<s:Envelope xmlns:s="{V11}"><s:Header><t:Trace xmlns:t="urn:t" s:mustUnderstand="1"/>
            </s:Header><s:Body><a/></s:Body></s:Envelope>"#
        );
        assert_eq!(
            read_envelope(body.as_bytes(), SoapVersion::V11).unwrap_err(),
            SoapProblem::MustUnderstand {
                namespace: Some("urn:t".into()),
                name: "Trace".into()
            }
        );
    }

    #[test]
    fn empty_body_or_no_envelope_is_malformed() {
        let empty = format!(r#"<s:Envelope xmlns:s="{V11}"><s:Body/></s:Envelope>"#);
        assert!(matches!(
            read_envelope(empty.as_bytes(), SoapVersion::V11),
            Err(SoapProblem::Catalogue(Error::MalformedRequest(_)))
        ));
        assert!(matches!(
            read_envelope(b"<Envelope/>", SoapVersion::V11),
            Err(SoapProblem::VersionMismatch)
        ));
        assert!(matches!(
            read_envelope(b"<html/>", SoapVersion::V11),
            Err(SoapProblem::Catalogue(Error::MalformedRequest(_)))
        ));
    }
}
