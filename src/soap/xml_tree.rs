//! A namespace-aware reader of small XML documents into a tree. Names are resolved to
//! (namespace, local name) pairs and never compared by prefix. DOCTYPE is refused outright,
//! so no entity is ever declared, expanded or fetched. Every structural limit is checked as
//! the events come, so reading stops at the first violation and never builds more than the
//! limits allow.

use crate::domain::text::is_storable_text;
use crate::domain::{Error, Result};
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{NamespaceError, ResolveResult};
use quick_xml::reader::NsReader;
use std::collections::HashSet;
use std::sync::Arc;

/// How much structure a document may have; anything beyond is refused as malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XmlLimits {
    /// Levels of element nesting, the root being level 1.
    pub depth: usize,
    /// Elements in the whole document.
    pub elements: usize,
    /// Child elements of any one element.
    pub children: usize,
    /// Attributes of any one element, namespace declarations not counted.
    pub attributes: usize,
    /// Namespace declarations in scope at once (an element's own and its ancestors').
    pub namespace_declarations: usize,
    /// Bytes of an element or attribute name, prefix included.
    pub name_bytes: usize,
    /// Bytes of one element's character data, or of one attribute value.
    pub text_bytes: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// Shared with every other name in the same namespace: a long namespace repeated on many
    /// elements costs one copy.
    pub namespace: Option<Arc<str>>,
    pub name: String,
    pub attributes: Vec<Attribute>,
    pub children: Vec<Element>,
    /// The element's character data, concatenated, with references resolved.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub namespace: Option<Arc<str>>,
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

fn reader_error(error: quick_xml::Error, limits: &XmlLimits) -> Error {
    match error {
        quick_xml::Error::Namespace(NamespaceError::TooManyBindings(_)) => malformed(format!(
            "more than {} namespace declarations in scope",
            limits.namespace_declarations
        )),
        other => malformed(other),
    }
}

/// One `Arc` per distinct namespace of the document.
#[derive(Default)]
struct Namespaces(HashSet<Arc<str>>);

impl Namespaces {
    fn of(&mut self, resolved: ResolveResult) -> Result<Option<Arc<str>>> {
        match resolved {
            ResolveResult::Bound(ns) => Ok(Some(match self.0.get(ns.0) {
                Some(shared) => shared.clone(),
                None => {
                    let shared: Arc<str> = Arc::from(ns.0);
                    self.0.insert(shared.clone());
                    shared
                }
            })),
            ResolveResult::Unbound => Ok(None),
            ResolveResult::Unknown(prefix) => Err(malformed(format!("undeclared prefix {prefix}"))),
        }
    }
}

/// Refuses `what` when it holds a character XML 1.0 cannot carry. Only a leaf element's text
/// is spared: it is a field's value, which the field's own rule refuses, naming the field.
pub(super) fn check_characters(text: &str, what: &str) -> Result<()> {
    match is_storable_text(text) {
        true => Ok(()),
        false => Err(malformed(format!(
            "{what} holds a character XML 1.0 cannot carry"
        ))),
    }
}

fn check_name(name: &str, limits: &XmlLimits) -> Result<()> {
    if name.len() > limits.name_bytes {
        return Err(malformed(format!(
            "a name is longer than {} bytes",
            limits.name_bytes
        )));
    }
    check_characters(name, "a name")
}

/// A comment may not hold `--` nor end with `-` (XML 1.0, production 15).
fn check_comment(comment: &str) -> Result<()> {
    if comment.contains("--") || comment.ends_with('-') {
        return Err(malformed("a comment holds \"--\""));
    }
    check_characters(comment, "a comment")
}

fn start_element(
    reader: &NsReader<&[u8]>,
    namespaces: &mut Namespaces,
    namespace: Option<Arc<str>>,
    start: &BytesStart,
    limits: &XmlLimits,
) -> Result<Element> {
    check_name(start.name().as_ref(), limits)?;
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(malformed)?;
        let key = attribute.key.as_ref();
        check_name(key, limits)?;
        if attribute.value.len() > limits.text_bytes {
            return Err(malformed(format!(
                "an attribute value is longer than {} bytes",
                limits.text_bytes
            )));
        }
        if attribute.value.contains('<') {
            return Err(malformed("an attribute value holds \"<\""));
        }
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        if attributes.len() == limits.attributes {
            return Err(malformed(format!(
                "an element has more than {} attributes",
                limits.attributes
            )));
        }
        let (namespace, local) = reader.resolver().resolve_attribute(attribute.key);
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(malformed)?;
        check_characters(&value, "an attribute value")?;
        attributes.push(Attribute {
            namespace: namespaces.of(namespace)?,
            name: local.as_ref().to_owned(),
            value: value.into_owned(),
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

/// The elements being read: the open ones, the finished root, and what has been counted.
struct Tree<'l> {
    limits: &'l XmlLimits,
    open: Vec<Element>,
    root: Option<Element>,
    elements: usize,
}

impl Tree<'_> {
    /// Refuses a new element before it is built when it would break a structural limit.
    fn admit(&mut self) -> Result<()> {
        let limits = self.limits;
        if self.root.is_some() {
            return Err(malformed("content after the root element"));
        }
        if self.open.len() == limits.depth {
            return Err(malformed(format!(
                "nested deeper than {} levels",
                limits.depth
            )));
        }
        if self.elements == limits.elements {
            return Err(malformed(format!("more than {} elements", limits.elements)));
        }
        if self
            .open
            .last()
            .is_some_and(|parent| parent.children.len() == limits.children)
        {
            return Err(malformed(format!(
                "an element has more than {} children",
                limits.children
            )));
        }
        self.elements += 1;
        Ok(())
    }

    fn close(&mut self, element: Element) -> Result<()> {
        if !element.children.is_empty() {
            check_characters(&element.text, "text beside elements")?;
        }
        match self.open.last_mut() {
            Some(parent) => parent.children.push(element),
            None => self.root = Some(element),
        }
        Ok(())
    }

    /// Appends character data to the open element; only whitespace may stand outside it.
    fn text(&mut self, text: &str, what: &str) -> Result<()> {
        let Some(element) = self.open.last_mut() else {
            return match text.trim().is_empty() {
                true => Ok(()),
                false => Err(malformed(format!("{what} outside the root element"))),
            };
        };
        if element.text.len() + text.len() > self.limits.text_bytes {
            return Err(malformed(format!(
                "an element's text is longer than {} bytes",
                self.limits.text_bytes
            )));
        }
        element.text.push_str(text);
        Ok(())
    }
}

/// Parses a whole document and returns its root element.
pub fn parse(document: &[u8], limits: &XmlLimits) -> Result<Element> {
    let document = document.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(document);
    std::str::from_utf8(document).map_err(|_| malformed("not UTF-8"))?;
    let mut reader = NsReader::from_reader(document);
    reader
        .resolver_mut()
        .set_max_namespace_bindings(limits.namespace_declarations);
    let mut namespaces = Namespaces::default();
    let mut tree = Tree {
        limits,
        open: Vec::new(),
        root: None,
        elements: 0,
    };
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        let (resolved, event) = reader
            .read_resolved_event_into(&mut buffer)
            .map_err(|e| reader_error(e, limits))?;
        let namespace = namespaces.of(resolved)?;
        match event {
            Event::DocType(_) => return Err(malformed("DOCTYPE is not allowed")),
            Event::Start(start) => {
                tree.admit()?;
                let element = start_element(&reader, &mut namespaces, namespace, &start, limits)?;
                tree.open.push(element);
            }
            Event::Empty(start) => {
                tree.admit()?;
                let element = start_element(&reader, &mut namespaces, namespace, &start, limits)?;
                tree.close(element)?;
            }
            Event::End(_) => {
                let element = tree
                    .open
                    .pop()
                    .ok_or_else(|| malformed("unbalanced end tag"))?;
                tree.close(element)?;
            }
            Event::Text(text) => tree.text(&text.xml10_content(), "text")?,
            Event::CData(data) => tree.text(&data, "CDATA")?,
            Event::GeneralRef(reference) => {
                let character = match reference.resolve_char_ref().map_err(malformed)? {
                    Some(c) => c,
                    None => predefined_entity(&reference)?,
                };
                tree.text(character.encode_utf8(&mut [0; 4]), "a reference")?;
            }
            Event::Eof => break,
            Event::Comment(comment) => check_comment(&comment)?,
            Event::PI(instruction) => check_characters(&instruction, "a processing instruction")?,
            Event::Decl(_) => {}
        }
    }
    if !tree.open.is_empty() {
        return Err(malformed("unclosed element"));
    }
    tree.root.ok_or_else(|| malformed("no root element"))
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

    const LIMITS: XmlLimits = crate::config::Limits::DEFAULT.xml();

    fn refused(document: &[u8], limits: &XmlLimits) -> String {
        match parse(document, limits) {
            Err(Error::MalformedRequest(message)) => message,
            other => panic!("{other:?} for {:?}", String::from_utf8_lossy(document)),
        }
    }

    #[test]
    fn resolves_namespaces_not_prefixes() {
        let a = parse(
            br#"<x:A xmlns:x="urn:n"><x:B>1 &amp; &#x32;</x:B></x:A>"#,
            &LIMITS,
        )
        .unwrap();
        let b = parse(br#"<A xmlns="urn:n"><B>1 &amp; &#x32;</B></A>"#, &LIMITS).unwrap();
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
            refused(bad, &LIMITS);
        }
    }

    #[test]
    fn refuses_what_xml_1_0_forbids_except_in_a_leafs_text() {
        for bad in [
            "<Get\u{1}ApiUsers/>",
            "<a b\u{1}=\"1\"/>",
            "<a b=\"<\"/>",
            "<a b=\"x\u{1}\"/>",
            "<a><!-- x -- y --></a>",
            "<a><!-- x ---></a>",
            "<a><!-- \u{1} --></a>",
            "<a><?pi \u{1}?></a>",
            "<a>\u{1}<b/></a>",
            "<a><b/>&#1;</a>",
            "\u{1}<a/>",
        ] {
            refused(bad.as_bytes(), &LIMITS);
        }
        let root = parse(
            "<a><!-- fine - here --><b>x\u{1}&#2;</b></a>".as_bytes(),
            &LIMITS,
        )
        .unwrap();
        assert_eq!(
            root.children[0].text, "x\u{1}\u{2}",
            "a field's value, for its rule"
        );
    }

    #[test]
    fn refuses_deep_nesting() {
        let deep = format!("{}{}", "<a>".repeat(33), "</a>".repeat(33));
        assert!(refused(deep.as_bytes(), &LIMITS).contains("deeper than 32 levels"));
        let fine = format!("{}{}", "<a>".repeat(32), "</a>".repeat(32));
        assert!(parse(fine.as_bytes(), &LIMITS).is_ok());
    }

    #[test]
    fn each_limit_admits_its_value_and_refuses_one_more() {
        let limits = XmlLimits {
            depth: 4,
            elements: 5,
            children: 3,
            attributes: 2,
            namespace_declarations: 2,
            name_bytes: 8,
            text_bytes: 4,
        };
        let cases: [(&str, &str, &str); 7] = [
            ("<r><a/><a/><a/></r>", "<r><a/><a/><a/><a/></r>", "children"),
            (
                "<r><a><a/></a><a/><a/></r>",
                "<r><a><a/><a/></a><a/><a/></r>",
                "elements",
            ),
            (
                r#"<r a="1" b="2"/>"#,
                r#"<r a="1" b="2" c="3"/>"#,
                "attributes",
            ),
            (
                r#"<r xmlns="u:a" xmlns:b="u:b"/>"#,
                r#"<r xmlns="u:a" xmlns:b="u:b"><c xmlns:c="u:c"/></r>"#,
                "namespace declarations",
            ),
            ("<abcdefgh/>", "<abcdefghi/>", "longer than 8 bytes"),
            (
                "<r>abcd</r>",
                "<r>ab<![CDATA[c]]>&amp;d</r>",
                "text is longer",
            ),
            (r#"<r a="abcd"/>"#, r#"<r a="abcde"/>"#, "value is longer"),
        ];
        for (fine, over, message) in cases {
            assert!(parse(fine.as_bytes(), &limits).is_ok(), "{fine}");
            let refusal = refused(over.as_bytes(), &limits);
            assert!(refusal.contains(message), "{over}: {refusal}");
        }
    }

    #[test]
    fn a_namespace_repeated_on_every_element_is_stored_once() {
        let namespace = format!("urn:{}", "n".repeat(200));
        let document = format!(
            r#"<p:r xmlns:p="{namespace}">{}</p:r>"#,
            r#"<p:a p:x="1"/>"#.repeat(100)
        );
        let root = parse(document.as_bytes(), &LIMITS).unwrap();
        let first = root.namespace.as_ref().unwrap();
        for child in &root.children {
            assert!(Arc::ptr_eq(first, child.namespace.as_ref().unwrap()));
            assert!(Arc::ptr_eq(
                first,
                child.attributes[0].namespace.as_ref().unwrap()
            ));
        }
    }
}
