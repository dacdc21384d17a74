//! A small namespace-aware XML tree for reading the server's SOAP answers in tests.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

#[derive(Debug, Clone)]
pub struct Node {
    pub namespace: Option<String>,
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub children: Vec<Node>,
    pub text: String,
}

impl Node {
    /// The first descendant-or-self with this namespace and local name.
    pub fn find(&self, namespace: &str, name: &str) -> Option<&Node> {
        if self.namespace.as_deref() == Some(namespace) && self.name == name {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(namespace, name))
    }

    /// The direct child with this namespace and local name.
    pub fn child(&self, namespace: &str, name: &str) -> Option<&Node> {
        self.children
            .iter()
            .find(|c| c.namespace.as_deref() == Some(namespace) && c.name == name)
    }

    pub fn child_text(&self, namespace: &str, name: &str) -> Option<String> {
        self.child(namespace, name).map(|c| c.text.clone())
    }

    pub fn attribute(&self, qname: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == qname)
            .map(|(_, v)| v.as_str())
    }
}

pub fn parse(document: &str) -> Node {
    let mut reader = NsReader::from_str(document);
    let mut open: Vec<Node> = Vec::new();
    loop {
        let (resolved, event) = reader.read_resolved_event().expect("well-formed XML");
        let namespace = match resolved {
            ResolveResult::Bound(ns) => Some(ns.0.to_owned()),
            _ => None,
        };
        let finished = match event {
            Event::Start(e) => {
                open.push(node(namespace, &e));
                None
            }
            Event::Empty(e) => close(&mut open, node(namespace, &e)),
            Event::End(_) => {
                let finished = open.pop().expect("balanced");
                close(&mut open, finished)
            }
            Event::Text(t) => {
                if let Some(top) = open.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
                None
            }
            Event::GeneralRef(r) => {
                if let Some(top) = open.last_mut() {
                    let c = r.resolve_char_ref().unwrap().unwrap_or(match &*r {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "quot" => '"',
                        _ => '\'',
                    });
                    top.text.push(c);
                }
                None
            }
            Event::Eof => panic!("document ended early"),
            _ => None,
        };
        if let Some(root) = finished {
            return root;
        }
    }
}

fn node(namespace: Option<String>, start: &quick_xml::events::BytesStart) -> Node {
    Node {
        namespace,
        name: start.local_name().as_ref().to_owned(),
        attributes: start
            .attributes()
            .map(|a| {
                let a = a.unwrap();
                (
                    a.key.as_ref().to_owned(),
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .unwrap()
                        .into_owned(),
                )
            })
            .collect(),
        children: Vec::new(),
        text: String::new(),
    }
}

/// Attaches a finished node to its parent; returns it when it was the root.
fn close(open: &mut [Node], finished: Node) -> Option<Node> {
    match open.last_mut() {
        Some(parent) => {
            parent.children.push(finished);
            None
        }
        None => Some(finished),
    }
}

/// Parses `document` and checks that every character is one XML 1.0 allows (production 2: tab,
/// line ends, and everything from U+0020 but U+FFFE and U+FFFF): quick-xml alone would read
/// control characters without complaint.
pub fn assert_xml_1_0(document: &str) -> Node {
    let forbidden = |c: char| !matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..);
    assert!(
        !document.chars().any(forbidden),
        "not XML 1.0: {document:?}"
    );
    parse(document)
}

/// The fault's human text: `faultstring` (1.1) or `Reason/Text` (1.2).
pub fn fault_text(document: &str) -> Option<String> {
    let root = parse(document);
    let fault = root
        .find(crate::helpers::V11, "Fault")
        .or_else(|| root.find(crate::helpers::V12, "Fault"))?;
    fault
        .children
        .iter()
        .find(|c| c.name == "faultstring")
        .map(|c| c.text.clone())
        .or_else(|| {
            fault
                .find(crate::helpers::V12, "Text")
                .map(|t| t.text.clone())
        })
}

/// The fault code: the unqualified `faultcode` (1.1, written first) or `Code/Value` (1.2).
pub fn fault_code(document: &str) -> String {
    let root = parse(document);
    if let Some(fault) = root.find(crate::helpers::V11, "Fault") {
        let code = &fault.children[0];
        assert_eq!(
            (code.namespace.as_deref(), code.name.as_str()),
            (None, "faultcode")
        );
        return code.text.clone();
    }
    root.find(crate::helpers::V12, "Value")
        .expect("a fault")
        .text
        .clone()
}

/// The payload of a SOAP answer: the Body's first child.
pub fn body_payload(document: &str) -> Node {
    let root = parse(document);
    let body = root
        .find(crate::helpers::V11, "Body")
        .or_else(|| root.find(crate::helpers::V12, "Body"))
        .expect("a Body");
    body.children.first().expect("a payload").clone()
}
