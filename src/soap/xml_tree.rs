//! A namespace-aware reader of small XML documents into a tree. Names are resolved to
//! (namespace, local name) pairs and never compared by prefix. DOCTYPE is refused outright,
//! so no entity is ever declared, expanded or fetched.

use crate::domain::{Error, Result};
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

/// Deeper documents are refused: no SOAP call of ours needs more than a handful of levels.
const MAX_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub namespace: Option<String>,
    pub name: String,
    pub attributes: Vec<Attribute>,
    pub children: Vec<Element>,
    /// The element's character data, concatenated, with references resolved.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub namespace: Option<String>,
    pub name: String,
    pub value: String,
}

impl Element {
    pub fn is(&self, namespace: &str, name: &str) -> bool {
        self.namespace.as_deref() == Some(namespace) && self.name == name
    }

    pub fn attribute(&self, namespace: Option<&str>, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.namespace.as_deref() == namespace && a.name == name)
            .map(|a| a.value.as_str())
    }

    /// `{namespace}name`, for messages.
    pub fn qualified_name(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{{{ns}}}{}", self.name),
            None => self.name.clone(),
        }
    }
}

fn malformed(what: impl std::fmt::Display) -> Error {
    Error::MalformedRequest(format!("the XML is not acceptable ({what})"))
}

fn namespace_of(resolved: ResolveResult) -> Result<Option<String>> {
    match resolved {
        ResolveResult::Bound(ns) => Ok(Some(ns.0.to_owned())),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(prefix) => Err(malformed(format!("undeclared prefix {prefix}"))),
    }
}

fn start_element(
    reader: &NsReader<&[u8]>,
    namespace: Option<String>,
    start: &BytesStart,
) -> Result<Element> {
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(malformed)?;
        let key = attribute.key.as_ref();
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let (namespace, local) = reader.resolver().resolve_attribute(attribute.key);
        attributes.push(Attribute {
            namespace: namespace_of(namespace)?,
            name: local.as_ref().to_owned(),
            value: attribute
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(malformed)?
                .into_owned(),
        });
    }
    Ok(Element {
        namespace,
        name: start.local_name().as_ref().to_owned(),
        attributes,
        children: Vec::new(),
        text: String::new(),
    })
}

/// Parses a whole document and returns its root element.
pub fn parse(document: &[u8]) -> Result<Element> {
    let document = document.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(document);
    std::str::from_utf8(document).map_err(|_| malformed("not UTF-8"))?;
    let mut reader = NsReader::from_reader(document);
    let mut open: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        let (resolved, event) = reader
            .read_resolved_event_into(&mut buffer)
            .map_err(malformed)?;
        let namespace = namespace_of(resolved)?;
        match event {
            Event::DocType(_) => return Err(malformed("DOCTYPE is not allowed")),
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(malformed("content after the root element"));
            }
            Event::Start(start) => {
                let element = start_element(&reader, namespace, &start)?;
                open.push(element);
                if open.len() > MAX_DEPTH {
                    return Err(malformed("too deeply nested"));
                }
            }
            Event::Empty(start) => {
                let element = start_element(&reader, namespace, &start)?;
                close(&mut open, &mut root, element);
            }
            Event::End(_) => {
                let element = open.pop().ok_or_else(|| malformed("unbalanced end tag"))?;
                close(&mut open, &mut root, element);
            }
            Event::Text(text) => {
                let text = text.xml10_content();
                match open.last_mut() {
                    Some(element) => element.text.push_str(&text),
                    None if text.trim().is_empty() => {}
                    None => return Err(malformed("text outside the root element")),
                }
            }
            Event::CData(data) => {
                open.last_mut()
                    .ok_or_else(|| malformed("CDATA outside the root element"))?
                    .text
                    .push_str(&data);
            }
            Event::GeneralRef(reference) => {
                let character = match reference.resolve_char_ref().map_err(malformed)? {
                    Some(c) => c,
                    None => predefined_entity(&reference)?,
                };
                open.last_mut()
                    .ok_or_else(|| malformed("reference outside the root element"))?
                    .text
                    .push(character);
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if !open.is_empty() {
        return Err(malformed("unclosed element"));
    }
    root.ok_or_else(|| malformed("no root element"))
}

fn close(open: &mut [Element], root: &mut Option<Element>, element: Element) {
    match open.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

fn predefined_entity(name: &str) -> Result<char> {
    match name {
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "amp" => Ok('&'),
        "apos" => Ok('\''),
        "quot" => Ok('"'),
        other => Err(malformed(format!("undefined entity &{other};"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_namespaces_not_prefixes() {
        let a = parse(br#"<x:A xmlns:x="urn:n"><x:B>1 &amp; &#x32;</x:B></x:A>"#).unwrap();
        let b = parse(br#"<A xmlns="urn:n"><B>1 &amp; &#x32;</B></A>"#).unwrap();
        assert_eq!(a, b);
        assert!(a.is("urn:n", "A"));
        assert_eq!(a.children[0].text, "1 & 2");
    }

    #[test]
    fn refuses_doctype_entities_and_garbage() {
        for bad in [
            &br#"<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>"#[..],
            b"<a>&nbsp;</a>",
            b"<a><b></a>",
            b"<a/><b/>",
            b"<p:a/>",
            b"text",
            b"",
            b"<a>\xff</a>",
        ] {
            assert!(
                matches!(parse(bad), Err(Error::MalformedRequest(_))),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn refuses_deep_nesting() {
        let deep = format!("{}{}", "<a>".repeat(40), "</a>".repeat(40));
        assert!(parse(deep.as_bytes()).is_err());
        let fine = format!("{}{}", "<a>".repeat(20), "</a>".repeat(20));
        assert!(parse(fine.as_bytes()).is_ok());
    }
}
