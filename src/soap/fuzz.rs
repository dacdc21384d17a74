//! Fuzz target: mutated envelopes through the SOAP reader, the operation lookup and the decoder.
//! Every outcome is a value or a catalogue error (or a SOAP fault), never a panic, and whatever
//! the reader accepts is within its limits.

use super::decode::decode;
use super::envelope::{SoapProblem, SoapVersion, read_envelope};
use super::handler::dispatchable;
use super::xml_tree::{Element, XmlLimits, parse};
use crate::config::Limits;
use crate::domain::Error;
use crate::fuzzing::{config, inputs};
use proptest::prelude::*;

const LIMITS: XmlLimits = Limits::DEFAULT.xml();

fn assert_catalogue(error: &Error, allowed: &[&str]) {
    assert!(allowed.contains(&error.code()), "{error:?}");
    assert!(error.to_string().ends_with(error.code()), "{error}");
}

/// Counts the elements of `element`'s tree, checking each one against the limits.
fn within_limits(element: &Element, depth: usize) -> usize {
    assert!(depth <= LIMITS.depth);
    assert!(element.children.len() <= LIMITS.children);
    assert!(element.attributes.len() <= LIMITS.attributes);
    assert!(element.name.len() <= LIMITS.name_bytes);
    assert!(element.text.len() <= LIMITS.text_bytes);
    1 + element
        .children
        .iter()
        .map(|child| within_limits(child, depth + 1))
        .sum::<usize>()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_envelopes_are_read_or_refused_with_a_catalogue_error(body in inputs("soap")) {
        if let Ok(root) = parse(&body, &LIMITS) {
            prop_assert!(within_limits(&root, 1) <= LIMITS.elements);
        }
        for version in [SoapVersion::V11, SoapVersion::V12] {
            let envelope = match read_envelope(&body, version, &LIMITS) {
                Ok(envelope) => envelope,
                Err(SoapProblem::Catalogue(error)) => {
                    assert_catalogue(&error, &["ERROR_MALFORMED_REQUEST"]);
                    continue;
                }
                Err(SoapProblem::VersionMismatch | SoapProblem::MustUnderstand { .. }) => continue,
            };
            let decoded = dispatchable(&envelope.operation)
                .and_then(|operation| decode(operation, &envelope.operation));
            if let Err(error) = decoded {
                assert_catalogue(&error, &["ERROR_MALFORMED_REQUEST", "ERROR_PARAMETER_INVALID"]);
            }
        }
    }
}
