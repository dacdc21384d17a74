//! The WSDL in the repository is the single source: served as it is (but for its address),
//! listing exactly the operations dispatched, and describing every answer the adapter writes.

use crate::helpers::*;
use crate::xml::{Node, parse};
use dualgate::service::Operation;
use reqwest::StatusCode;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

const WSDL_NS: &str = "http://schemas.xmlsoap.org/wsdl/";
const XS_NS: &str = "http://www.w3.org/2001/XMLSchema";
const SOAP11_BINDING: &str = "http://schemas.xmlsoap.org/wsdl/soap/";
const SOAP12_BINDING: &str = "http://schemas.xmlsoap.org/wsdl/soap12/";

fn repository_wsdl() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("wsdl/ApiService.wsdl"))
        .unwrap()
}

async fn served_wsdl(app: &TestApp, query: &str) -> String {
    let response = app
        .client
        .get(format!("{}/v2/Api.svc?{query}", app.address))
        .basic_auth("someone@example.com", Some("wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/xml; charset=utf-8"
    );
    response.text().await.unwrap()
}

fn children<'a>(
    node: &'a Node,
    namespace: &'a str,
    name: &'a str,
) -> impl Iterator<Item = &'a Node> {
    node.children
        .iter()
        .filter(move |c| c.namespace.as_deref() == Some(namespace) && c.name == name)
}

#[tokio::test]
async fn the_served_wsdl_is_the_repository_file_with_the_public_address() {
    let app = spawn_app().await;
    let served = served_wsdl(&app, "wsdl").await;
    assert_eq!(served, served_wsdl(&app, "singleWsdl").await);
    assert!(served.starts_with(r#"<?xml version="1.0" encoding="utf-8"?>"#));
    let address = format!("{}/v2/Api.svc", app.address);
    assert_eq!(
        served,
        repository_wsdl().replace("http://127.0.0.1:8080/v2/Api.svc", &address)
    );
    let definitions = parse(&served);
    let service = children(&definitions, WSDL_NS, "service").next().unwrap();
    assert_eq!(service.attribute("name"), Some("ApiService"));
    let ports: Vec<_> = children(service, WSDL_NS, "port").collect();
    assert_eq!(ports[0].attribute("name"), Some("Secure_ApiService"));
    assert_eq!(ports[1].attribute("name"), Some("Secure_ApiService_Soap12"));
    assert_eq!(
        ports[0]
            .child(SOAP11_BINDING, "address")
            .unwrap()
            .attribute("location"),
        Some(address.as_str())
    );
    assert_eq!(
        ports[1]
            .child(SOAP12_BINDING, "address")
            .unwrap()
            .attribute("location"),
        Some(address.as_str())
    );
    assert_eq!(ports.len(), 2, "no HTTP GET/POST ports");
}

#[tokio::test]
async fn the_soap11_variant_has_only_the_soap11_port_and_the_same_types() {
    let app = spawn_app().await;
    let full = parse(&served_wsdl(&app, "wsdl").await);
    let soap11 = served_wsdl(&app, "wsdl=soap11").await;
    assert!(!soap11.contains(SOAP12_BINDING), "{soap11}");
    assert!(soap11.starts_with(r#"<?xml version="1.0" encoding="utf-8"?>"#));
    let soap11 = parse(&soap11);
    let bindings: Vec<_> = children(&soap11, WSDL_NS, "binding").collect();
    assert_eq!(bindings.len(), 1);
    assert_eq!(bindings[0].attribute("name"), Some("Secure_ApiService"));
    assert!(bindings[0].child(SOAP11_BINDING, "binding").is_some());
    let service = children(&soap11, WSDL_NS, "service").next().unwrap();
    let ports: Vec<_> = children(service, WSDL_NS, "port").collect();
    assert_eq!(ports.len(), 1);
    assert_eq!(
        ports[0]
            .child(SOAP11_BINDING, "address")
            .unwrap()
            .attribute("location"),
        Some(format!("{}/v2/Api.svc", app.address).as_str())
    );
    for kept in ["types", "message", "portType"] {
        assert_eq!(
            format!("{:?}", children(&soap11, WSDL_NS, kept).collect::<Vec<_>>()),
            format!("{:?}", children(&full, WSDL_NS, kept).collect::<Vec<_>>()),
            "{kept}"
        );
    }
}

#[tokio::test]
async fn wsdl_operations_and_dispatched_operations_are_the_same_set() {
    let app = spawn_app().await;
    let definitions = parse(&served_wsdl(&app, "wsdl").await);
    let port_type = children(&definitions, WSDL_NS, "portType").next().unwrap();
    assert_eq!(port_type.attribute("name"), Some("ApiService"));
    let in_wsdl: BTreeSet<String> = children(port_type, WSDL_NS, "operation")
        .map(|op| op.attribute("name").unwrap().to_owned())
        .collect();
    let dispatched: BTreeSet<String> = Operation::API
        .iter()
        .map(|op| op.name().to_owned())
        .collect();
    assert_eq!(in_wsdl, dispatched);

    for binding in children(&definitions, WSDL_NS, "binding") {
        let soap_ns = if binding.attribute("name") == Some("Secure_ApiService") {
            SOAP11_BINDING
        } else {
            SOAP12_BINDING
        };
        let bound: BTreeSet<String> = children(binding, WSDL_NS, "operation")
            .map(|op| {
                let name = op.attribute("name").unwrap().to_owned();
                let action = op
                    .child(soap_ns, "operation")
                    .unwrap()
                    .attribute("soapAction")
                    .unwrap();
                assert_eq!(
                    action,
                    format!("http://apiconnector.com/v2/ApiService/{name}")
                );
                name
            })
            .collect();
        assert_eq!(bound, dispatched);
    }

    // Every operation the WSDL names reaches a handler (an empty call is refused by the
    // core's rules, never as an unknown operation).
    for name in &in_wsdl {
        let reply = app
            .soap(
                Soap::V11,
                Some((OWNER, OWNER_PASSWORD)),
                &format!(r#"<{name} xmlns="{V2_NS}"/>"#),
            )
            .await;
        assert!(
            !reply.body.contains("unknown operation"),
            "{name}: {}",
            reply.body
        );
    }
}

/// Cuts the WSDL's inline schemas into files that xmllint can load together.
fn extract_schemas(wsdl: &str, dir: &Path) -> std::path::PathBuf {
    let mut names = Vec::new();
    let mut rest = wsdl;
    while let Some(start) = rest.find("<xs:schema ") {
        let end = rest[start..].find("</xs:schema>").unwrap() + start + "</xs:schema>".len();
        let schema = &rest[start..end];
        let target = if schema.contains(r#"targetNamespace="http://apiconnector.com/v2""#) {
            "v2.xsd"
        } else {
            "types.xsd"
        };
        let schema = schema.replace(
            r#"<xs:import namespace="http://apiconnector.com"/>"#,
            r#"<xs:import namespace="http://apiconnector.com" schemaLocation="types.xsd"/>"#,
        );
        std::fs::write(dir.join(target), schema).unwrap();
        names.push(target);
        rest = &rest[end..];
    }
    names.sort();
    assert_eq!(names, ["types.xsd", "v2.xsd"]);
    let all = dir.join("all.xsd");
    std::fs::write(
        &all,
        format!(
            r#"<xs:schema xmlns:xs="{XS_NS}"><xs:import namespace="http://apiconnector.com" schemaLocation="types.xsd"/><xs:import namespace="{V2_NS}" schemaLocation="v2.xsd"/></xs:schema>"#
        ),
    )
    .unwrap();
    all
}

fn validates(schema: &Path, document: &str) -> Result<(), String> {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), document).unwrap();
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schema)
        .arg(file.path())
        .output()
        .expect("xmllint is needed (Debian libxml2-utils; scripts/test.sh installs it)");
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// The Body's content of an answer, as the raw text the adapter wrote.
fn raw_payload(envelope: &str) -> String {
    let start = envelope.find("<s:Body>").expect("a Body") + "<s:Body>".len();
    let end = envelope.rfind("</s:Body>").unwrap();
    envelope[start..end].to_owned()
}

#[tokio::test]
async fn every_answer_validates_against_the_wsdl_schema() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let schema = extract_schemas(&served_wsdl(&app, "wsdl").await, dir.path());

    let mis_qualified = format!(
        r#"<GetServerTimeResponse xmlns="{V2_NS}"><GetServerTimeResult xmlns="">2026-01-01T00:00:00Z</GetServerTimeResult></GetServerTimeResponse>"#
    );
    assert!(
        validates(&schema, &mis_qualified).is_err(),
        "the check must be able to fail"
    );

    let owner = Some((OWNER, OWNER_PASSWORD));
    let mut answers = Vec::new();
    for version in [Soap::V11, Soap::V12] {
        let created = app
            .soap(version, owner, &format!(r#"<CreateApiUser xmlns="{V2_NS}"><apiUser xmlns:a="{TYPES_NS}"><a:Description>A &amp; B</a:Description><a:Password>{API_PASSWORD}</a:Password></apiUser></CreateApiUser>"#))
            .await;
        answers.push(raw_payload(&created.body));
        let id = crate::xml::body_payload(&created.body)
            .find(TYPES_NS, "Id")
            .unwrap()
            .text
            .clone();
        let calls = [
            format!(r#"<GetApiUsers xmlns="{V2_NS}"/>"#),
            format!(r#"<GetApiUsers xmlns="{V2_NS}"><skip>500</skip></GetApiUsers>"#),
            format!(r#"<GetApiUserById xmlns="{V2_NS}"><id>{id}</id></GetApiUserById>"#),
            format!(
                r#"<UpdateApiUser xmlns="{V2_NS}"><id>{id}</id><apiUser xmlns:a="{TYPES_NS}"><a:Status>Disabled</a:Status></apiUser></UpdateApiUser>"#
            ),
            format!(
                r#"<SetApiUserPassword xmlns="{V2_NS}"><id>{id}</id><password>Fresh-Secret-77</password></SetApiUserPassword>"#
            ),
            format!(r#"<UnlockApiUser xmlns="{V2_NS}"><id>{id}</id></UnlockApiUser>"#),
            format!(r#"<GetCurrentAccountInfo xmlns="{V2_NS}"/>"#),
            format!(r#"<GetServerTime xmlns="{V2_NS}"/>"#),
            format!(r#"<DeleteApiUser xmlns="{V2_NS}"><id>{id}</id></DeleteApiUser>"#),
        ];
        for call in calls {
            let reply = app.soap(version, owner, &call).await;
            assert_eq!(reply.status, StatusCode::OK, "{call}: {}", reply.body);
            answers.push(raw_payload(&reply.body));
        }
        // The same user, now with a lastUsed value, seen through a call of its own.
        let created = app
            .soap(version, owner, &format!(r#"<CreateApiUser xmlns="{V2_NS}"><apiUser xmlns:a="{TYPES_NS}"><a:Password>{API_PASSWORD}</a:Password></apiUser></CreateApiUser>"#))
            .await;
        let email = crate::xml::body_payload(&created.body)
            .find(TYPES_NS, "Email")
            .unwrap()
            .text
            .clone();
        app.soap(
            version,
            Some((&email, API_PASSWORD)),
            &format!(r#"<GetServerTime xmlns="{V2_NS}"/>"#),
        )
        .await;
        let listed = app
            .soap(
                version,
                owner,
                &format!(r#"<GetApiUsers xmlns="{V2_NS}"/>"#),
            )
            .await;
        assert!(listed.body.contains("<a:LastUsed>"), "{}", listed.body);
        answers.push(raw_payload(&listed.body));
    }
    for answer in &answers {
        validates(&schema, answer).unwrap_or_else(|e| panic!("{answer}\n{e}"));
    }
    assert_eq!(answers.len(), 22);

    let golden =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/responses"))
            .unwrap();
    for file in golden {
        let document = std::fs::read_to_string(file.unwrap().path()).unwrap();
        validates(&schema, &document).unwrap();
    }
}
