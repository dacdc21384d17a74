//! What a request may cost the gateway: body size and timing, XML and JSON structure. Each limit
//! is a flag with an environment twin; the defaults and why they are safe are in SECURITY.md.

use crate::http::BodyLimits;
use crate::rest::JsonLimits;
use crate::soap::XmlLimits;
use actix_web::http::KeepAlive;
use clap::Args;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Args)]
pub struct Limits {
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "DUALGATE_MAX_BODY_BYTES", default_value_t = Limits::DEFAULT.max_body_bytes)]
    pub max_body_bytes: usize,
    /// Seconds a client may take to send its request headers.
    #[arg(long, env = "DUALGATE_CLIENT_REQUEST_TIMEOUT_SECS",
          default_value_t = Limits::DEFAULT.client_request_timeout_secs,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub client_request_timeout_secs: u64,
    /// Seconds an idle connection is kept open for another request; 0 closes it after each
    /// answer.
    #[arg(long, env = "DUALGATE_KEEP_ALIVE_SECS", default_value_t = Limits::DEFAULT.keep_alive_secs)]
    pub keep_alive_secs: u64,
    /// Seconds a client may take to send its request body, once the headers are in.
    #[arg(long, env = "DUALGATE_BODY_READ_TIMEOUT_SECS",
          default_value_t = Limits::DEFAULT.body_read_timeout_secs,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub body_read_timeout_secs: u64,
    /// Deepest XML element nesting, the root being level 1.
    #[arg(long, env = "DUALGATE_MAX_XML_DEPTH", default_value_t = Limits::DEFAULT.max_xml_depth)]
    pub max_xml_depth: usize,
    /// Most elements in one XML document.
    #[arg(long, env = "DUALGATE_MAX_XML_ELEMENTS", default_value_t = Limits::DEFAULT.max_xml_elements)]
    pub max_xml_elements: usize,
    /// Most child elements of one XML element.
    #[arg(long, env = "DUALGATE_MAX_XML_CHILDREN", default_value_t = Limits::DEFAULT.max_xml_children)]
    pub max_xml_children: usize,
    /// Most attributes of one XML element, namespace declarations not counted.
    #[arg(long, env = "DUALGATE_MAX_XML_ATTRIBUTES", default_value_t = Limits::DEFAULT.max_xml_attributes)]
    pub max_xml_attributes: usize,
    /// Most XML namespace declarations in scope at once.
    #[arg(long, env = "DUALGATE_MAX_XML_NAMESPACE_DECLARATIONS",
          default_value_t = Limits::DEFAULT.max_xml_namespace_declarations)]
    pub max_xml_namespace_declarations: usize,
    /// Longest XML element or attribute name, prefix included, in bytes.
    #[arg(long, env = "DUALGATE_MAX_XML_NAME_BYTES", default_value_t = Limits::DEFAULT.max_xml_name_bytes)]
    pub max_xml_name_bytes: usize,
    /// Longest text of one XML element, or one attribute value, in bytes.
    #[arg(long, env = "DUALGATE_MAX_XML_TEXT_BYTES", default_value_t = Limits::DEFAULT.max_xml_text_bytes)]
    pub max_xml_text_bytes: usize,
    /// Deepest JSON nesting of arrays and objects.
    #[arg(long, env = "DUALGATE_MAX_JSON_DEPTH", default_value_t = Limits::DEFAULT.max_json_depth)]
    pub max_json_depth: usize,
    /// Longest JSON string (a key or a value) as written, escapes included, in bytes.
    #[arg(long, env = "DUALGATE_MAX_JSON_STRING_BYTES",
          default_value_t = Limits::DEFAULT.max_json_string_bytes)]
    pub max_json_string_bytes: usize,
}

impl Limits {
    pub const DEFAULT: Limits = Limits {
        max_body_bytes: 1024 * 1024,
        client_request_timeout_secs: 5,
        keep_alive_secs: 5,
        body_read_timeout_secs: 20,
        max_xml_depth: 32,
        max_xml_elements: 1024,
        max_xml_children: 256,
        max_xml_attributes: 32,
        max_xml_namespace_declarations: 64,
        max_xml_name_bytes: 256,
        max_xml_text_bytes: 8 * 1024,
        max_json_depth: 32,
        max_json_string_bytes: 8 * 1024,
    };

    pub const fn body(&self) -> BodyLimits {
        BodyLimits {
            max_bytes: self.max_body_bytes,
            read_timeout: Duration::from_secs(self.body_read_timeout_secs),
        }
    }

    pub const fn client_request_timeout(&self) -> Duration {
        Duration::from_secs(self.client_request_timeout_secs)
    }

    pub const fn keep_alive_time(&self) -> Duration {
        Duration::from_secs(self.keep_alive_secs)
    }

    pub const fn keep_alive(&self) -> KeepAlive {
        match self.keep_alive_secs {
            0 => KeepAlive::Disabled,
            secs => KeepAlive::Timeout(Duration::from_secs(secs)),
        }
    }

    pub const fn xml(&self) -> XmlLimits {
        XmlLimits {
            depth: self.max_xml_depth,
            elements: self.max_xml_elements,
            children: self.max_xml_children,
            attributes: self.max_xml_attributes,
            namespace_declarations: self.max_xml_namespace_declarations,
            name_bytes: self.max_xml_name_bytes,
            text_bytes: self.max_xml_text_bytes,
        }
    }

    pub const fn json(&self) -> JsonLimits {
        JsonLimits {
            depth: self.max_json_depth,
            string_bytes: self.max_json_string_bytes,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Only {
        #[command(flatten)]
        limits: Limits,
    }

    #[test]
    fn flags_default_to_the_documented_limits_and_can_be_set() {
        assert_eq!(Only::parse_from(["dualgate"]).limits, Limits::DEFAULT);
        let set = Only::parse_from([
            "dualgate",
            "--max-xml-depth",
            "8",
            "--max-json-string-bytes",
            "100",
            "--body-read-timeout-secs",
            "3",
        ])
        .limits;
        assert_eq!(set.xml().depth, 8);
        assert_eq!(set.json().string_bytes, 100);
        assert_eq!(set.body().read_timeout, Duration::from_secs(3));
        assert!(Only::try_parse_from(["dualgate", "--client-request-timeout-secs", "0"]).is_err());
    }
}
