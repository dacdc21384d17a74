//! Whole response envelopes: results and faults, in SOAP 1.1 or 1.2.

use super::envelope::{SoapProblem, SoapVersion};
use super::xml_text::xml_text;
use crate::domain::{Blame, Error};
use crate::http::status_of;
use actix_web::http::StatusCode;

/// A complete envelope around a Body payload, after an XML declaration: Ruby's REXML loses the
/// root's namespace without one.
pub fn envelope(version: SoapVersion, header: &str, payload: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="{}">{header}<s:Body>{payload}</s:Body></s:Envelope>"#,
        version.envelope_namespace()
    )
}

/// A fault envelope and its HTTP status. Authentication, size, media-type and rate errors keep
/// their own status; every other fault is 500 in both versions, as WCF services answer: a WCF
/// client builds a `FaultException` only from a 2xx or 500 answer.
pub fn fault(version: SoapVersion, problem: &SoapProblem) -> (StatusCode, String) {
    let (code, message, header) = match problem {
        SoapProblem::Catalogue(error) => {
            let code = match (error.blame(), version) {
                (Blame::Caller, SoapVersion::V11) => "s:Client",
                (Blame::Server, SoapVersion::V11) => "s:Server",
                (Blame::Caller, SoapVersion::V12) => "s:Sender",
                (Blame::Server, SoapVersion::V12) => "s:Receiver",
            };
            (code, error.to_string(), String::new())
        }
        SoapProblem::VersionMismatch => (
            "s:VersionMismatch",
            Error::MalformedRequest(
                "the envelope's SOAP version does not match the Content-Type".into(),
            )
            .to_string(),
            String::new(),
        ),
        SoapProblem::MustUnderstand { namespace, name } => {
            let message = Error::MalformedRequest(format!(
                "the mustUnderstand header {name} is not understood"
            ))
            .to_string();
            let header = match (version, namespace) {
                (SoapVersion::V12, Some(ns)) => format!(
                    r#"<s:Header><s:NotUnderstood qname="h:{}" xmlns:h="{}"/></s:Header>"#,
                    xml_text(name),
                    xml_text(ns)
                ),
                _ => String::new(),
            };
            ("s:MustUnderstand", message, header)
        }
    };
    let message = xml_text(&message);
    let body = match version {
        SoapVersion::V11 => format!(
            "<s:Fault><faultcode>{code}</faultcode><faultstring>{message}</faultstring></s:Fault>"
        ),
        SoapVersion::V12 => format!(
            r#"<s:Fault><s:Code><s:Value>{code}</s:Value></s:Code><s:Reason><s:Text xml:lang="en">{message}</s:Text></s:Reason></s:Fault>"#
        ),
    };
    (status(problem), envelope(version, &header, &body))
}

fn status(problem: &SoapProblem) -> StatusCode {
    match problem {
        SoapProblem::Catalogue(
            error @ (Error::InvalidLogin
            | Error::RequestTooLarge(_)
            | Error::ContentTypeNotSupported(_)
            | Error::ApiUsageExceeded { .. }),
        ) => status_of(error),
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soap11_fault_has_unqualified_code_and_the_rest_message() {
        let (status, body) = fault(
            SoapVersion::V11,
            &SoapProblem::Catalogue(Error::ApiUserNotFound),
        );
        assert_eq!(status, 500);
        assert!(body.starts_with(r#"<?xml version="1.0" encoding="utf-8"?><s:Envelope "#));
        assert!(body.contains(
            "<faultcode>s:Client</faultcode><faultstring>No such API user in this account. ERROR_APIUSER_NOT_FOUND</faultstring>"
        ));
    }

    #[test]
    fn soap12_statuses() {
        let sender = fault(
            SoapVersion::V12,
            &SoapProblem::Catalogue(Error::ApiUserNotFound),
        );
        assert_eq!(sender.0, 500);
        assert!(sender.1.contains("<s:Value>s:Sender</s:Value>"));
        let receiver = fault(
            SoapVersion::V12,
            &SoapProblem::Catalogue(Error::unknown("x")),
        );
        assert_eq!(receiver.0, 500);
        assert!(receiver.1.contains("<s:Value>s:Receiver</s:Value>"));
        let login = fault(
            SoapVersion::V12,
            &SoapProblem::Catalogue(Error::InvalidLogin),
        );
        assert_eq!(login.0, 401);
    }
}
