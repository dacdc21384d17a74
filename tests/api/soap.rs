use crate::helpers::*;
use crate::xml::{body_payload, fault_code, parse};
use reqwest::StatusCode;

const OWNER_AUTH: Option<(&str, &str)> = Some((OWNER, OWNER_PASSWORD));
const BOTH: [Soap; 2] = [Soap::V11, Soap::V12];
const XML_DECLARATION: &str = r#"<?xml version="1.0" encoding="utf-8"?>"#;

fn create_payload(description: &str, password: &str, confirm: &str) -> String {
    format!(
        r#"<CreateApiUser xmlns="{V2_NS}"><apiUser xmlns:a="{TYPES_NS}"><a:Description>{description}</a:Description><a:Status>Enabled</a:Status><a:Password>{password}</a:Password><a:ConfirmPassword>{confirm}</a:ConfirmPassword></apiUser></CreateApiUser>"#
    )
}

fn id_payload(operation: &str, id: &str) -> String {
    format!(r#"<{operation} xmlns="{V2_NS}"><id>{id}</id></{operation}>"#)
}

fn content_type(version: Soap) -> &'static str {
    match version {
        Soap::V11 => "text/xml; charset=utf-8",
        Soap::V12 => "application/soap+xml; charset=utf-8",
    }
}

/// Creates an API user over SOAP and returns (id, email).
async fn soap_create(app: &TestApp, version: Soap, description: &str) -> (String, String) {
    let reply = app
        .soap(
            version,
            OWNER_AUTH,
            &create_payload(description, API_PASSWORD, API_PASSWORD),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let result = body_payload(&reply.body);
    let user = result.child(V2_NS, "CreateApiUserResult").expect("result");
    (
        user.child_text(TYPES_NS, "Id").unwrap(),
        user.child_text(TYPES_NS, "Email").unwrap(),
    )
}

#[tokio::test]
async fn every_operation_succeeds_over_soap_11_and_12() {
    for version in BOTH {
        let app = spawn_app().await;
        let (id, email) = soap_create(&app, version, "Magento shop").await;
        assert!(email.starts_with("apiuser-") && email.ends_with("@apiconnector.com"));

        let got = app
            .soap(version, OWNER_AUTH, &id_payload("GetApiUserById", &id))
            .await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(got.header("content-type"), Some(content_type(version)));
        assert!(got.body.starts_with(XML_DECLARATION), "{}", got.body);
        let user = body_payload(&got.body);
        let user = user.child(V2_NS, "GetApiUserByIdResult").unwrap();
        assert_eq!(
            user.child_text(TYPES_NS, "Description").as_deref(),
            Some("Magento shop")
        );
        assert_eq!(
            user.child_text(TYPES_NS, "Status").as_deref(),
            Some("Enabled")
        );
        assert_eq!(
            user.child_text(TYPES_NS, "IsLocked").as_deref(),
            Some("false")
        );
        assert!(user.child(TYPES_NS, "Password").is_none());
        let last_used = user.child(TYPES_NS, "LastUsed").unwrap();
        assert_eq!(last_used.attribute("i:nil"), Some("true"));

        let list = app
            .soap(
                version,
                OWNER_AUTH,
                &format!(r#"<GetApiUsers xmlns="{V2_NS}"><select>10</select><skip>0</skip></GetApiUsers>"#),
            )
            .await;
        let list = body_payload(&list.body);
        let users = list.child(V2_NS, "GetApiUsersResult").unwrap();
        assert_eq!(users.children.len(), 1);
        assert_eq!(users.children[0].namespace.as_deref(), Some(TYPES_NS));
        assert_eq!(users.children[0].name, "ApiUser");

        let update = app
            .soap(
                version,
                OWNER_AUTH,
                &format!(
                    r#"<UpdateApiUser xmlns="{V2_NS}" xmlns:a="{TYPES_NS}"><id>{id}</id><apiUser><a:Status>Disabled</a:Status><a:Description>ERP &amp; CRM</a:Description><a:IsTieredRateLimitedApiUser>false</a:IsTieredRateLimitedApiUser></apiUser></UpdateApiUser>"#
                ),
            )
            .await;
        assert_eq!(update.status, StatusCode::OK, "{}", update.body);
        let updated = body_payload(&update.body);
        let updated = updated.child(V2_NS, "UpdateApiUserResult").unwrap();
        assert_eq!(
            updated.child_text(TYPES_NS, "Status").as_deref(),
            Some("Disabled")
        );
        assert_eq!(
            updated.child_text(TYPES_NS, "Description").as_deref(),
            Some("ERP & CRM")
        );

        let set = app
            .soap(
                version,
                OWNER_AUTH,
                &format!(
                    r#"<SetApiUserPassword xmlns="{V2_NS}"><id>{id}</id><password>Fresh-Secret-77</password><confirmPassword>Fresh-Secret-77</confirmPassword></SetApiUserPassword>"#
                ),
            )
            .await;
        assert_eq!(set.status, StatusCode::OK);
        let empty = body_payload(&set.body);
        assert_eq!(
            (empty.name.as_str(), empty.children.len()),
            ("SetApiUserPasswordResponse", 0)
        );

        let unlock = app
            .soap(version, OWNER_AUTH, &id_payload("UnlockApiUser", &id))
            .await;
        assert_eq!(body_payload(&unlock.body).name, "UnlockApiUserResponse");

        let stored = app.stored_api_users();
        assert_eq!(
            (
                stored[0].description.as_str(),
                stored[0].status.as_str(),
                stored[0].tiered
            ),
            ("ERP & CRM", "Disabled", false)
        );

        let info = app
            .soap(
                version,
                OWNER_AUTH,
                &format!(r#"<GetCurrentAccountInfo xmlns="{V2_NS}"/>"#),
            )
            .await;
        let info = body_payload(&info.body);
        let account = info.child(V2_NS, "GetCurrentAccountInfoResult").unwrap();
        assert_eq!(account.child_text(TYPES_NS, "Id").as_deref(), Some("1"));
        let properties = account.child(TYPES_NS, "Properties").unwrap();
        let main_email = properties
            .children
            .iter()
            .find(|p| p.child_text(TYPES_NS, "Name").as_deref() == Some("MainEmail"))
            .unwrap();
        assert_eq!(
            main_email.child_text(TYPES_NS, "Type").as_deref(),
            Some("String")
        );
        assert_eq!(
            main_email.child_text(TYPES_NS, "Value").as_deref(),
            Some(OWNER)
        );

        let time = app
            .soap(
                version,
                OWNER_AUTH,
                &format!(r#"<GetServerTime xmlns="{V2_NS}"/>"#),
            )
            .await;
        let time = body_payload(&time.body);
        let value = time.child_text(V2_NS, "GetServerTimeResult").unwrap();
        assert!(value.ends_with('Z') && value.len() == 20, "{value}");

        let delete = app
            .soap(version, OWNER_AUTH, &id_payload("DeleteApiUser", &id))
            .await;
        assert_eq!(body_payload(&delete.body).name, "DeleteApiUserResponse");
        assert!(app.stored_api_users().is_empty());
    }
}

#[tokio::test]
async fn faults_carry_the_catalogue_code_in_both_versions() {
    let app = spawn_app().await;
    let missing = app
        .soap(Soap::V11, OWNER_AUTH, &id_payload("GetApiUserById", "999"))
        .await;
    assert_eq!(missing.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        missing.header("content-type"),
        Some("text/xml; charset=utf-8")
    );
    assert!(
        missing.body.starts_with(XML_DECLARATION),
        "{}",
        missing.body
    );
    let fault = parse(&missing.body);
    let fault = fault.find(V11, "Fault").unwrap();
    assert_eq!(fault.children[0].name, "faultcode");
    assert_eq!(fault.children[0].namespace, None);
    assert_eq!(fault.children[0].text, "s:Client");
    assert_eq!(
        fault.children[1].text,
        "No such API user in this account. ERROR_APIUSER_NOT_FOUND"
    );

    let missing12 = app
        .soap(Soap::V12, OWNER_AUTH, &id_payload("GetApiUserById", "999"))
        .await;
    assert_eq!(missing12.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        missing12.header("content-type"),
        Some("application/soap+xml; charset=utf-8")
    );
    let fault = parse(&missing12.body);
    assert_eq!(fault.find(V12, "Value").unwrap().text, "s:Sender");
    let text = fault.find(V12, "Text").unwrap();
    assert_eq!(text.attribute("xml:lang"), Some("en"));
    assert_eq!(missing12.error_code(), "ERROR_APIUSER_NOT_FOUND");

    for version in BOTH {
        let cases = [
            (create_payload("x", "weak", "weak"), "ERROR_WEAK_PASSWORD"),
            (
                create_payload("x", API_PASSWORD, "Other#2026shop"),
                "ERROR_PASSWORDS_DO_NOT_MATCH",
            ),
            (
                format!(r#"<GetApiUsers xmlns="{V2_NS}"><select>0</select></GetApiUsers>"#),
                "ERROR_PARAMETER_INVALID",
            ),
            (
                format!(r#"<GetApiUsers xmlns="{V2_NS}"><skip>-5</skip></GetApiUsers>"#),
                "ERROR_PARAMETER_INVALID",
            ),
            (
                id_payload("DeleteApiUser", "abc"),
                "ERROR_PARAMETER_INVALID",
            ),
            (id_payload("UnlockApiUser", "42"), "ERROR_APIUSER_NOT_FOUND"),
            (
                format!(r#"<DeleteApiUser xmlns="{V2_NS}"/>"#),
                "ERROR_PARAMETER_INVALID",
            ),
            (
                format!(r#"<CreateApiUser xmlns="{V2_NS}"/>"#),
                "ERROR_PARAMETER_INVALID",
            ),
            (
                format!(r#"<Frobnicate xmlns="{V2_NS}"/>"#),
                "ERROR_MALFORMED_REQUEST",
            ),
            (
                r#"<GetServerTime xmlns="urn:elsewhere"/>"#.to_owned(),
                "ERROR_MALFORMED_REQUEST",
            ),
            (
                format!(r#"<GetApiUserById xmlns="{V2_NS}"><Id xmlns="">1</Id></GetApiUserById>"#),
                "ERROR_MALFORMED_REQUEST",
            ),
        ];
        for (payload, code) in cases {
            let reply = app.soap(version, OWNER_AUTH, &payload).await;
            assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR, "{payload}");
            assert_eq!(reply.error_code(), code, "{payload}");
        }
    }
    assert!(app.stored_api_users().is_empty());
}

#[tokio::test]
async fn wrong_credentials_get_a_401_fault_with_the_challenge() {
    let app = spawn_app().await;
    let payload = format!(r#"<GetServerTime xmlns="{V2_NS}"/>"#);
    for version in BOTH {
        for auth in [
            None,
            Some((OWNER, "Wrong#Secret-1")),
            Some(("nobody@example.com", "x")),
        ] {
            let reply = app.soap(version, auth, &payload).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
            assert_eq!(
                reply.header("www-authenticate"),
                Some("Basic realm=\"dualgate\"")
            );
            assert_eq!(reply.header("content-type"), Some(content_type(version)));
            assert_eq!(reply.error_code(), "ERROR_INVALID_LOGIN");
        }
    }
}

#[tokio::test]
async fn envelope_version_must_match_the_content_type() {
    let app = spawn_app().await;
    let payload = format!(r#"<GetServerTime xmlns="{V2_NS}"/>"#);
    let v12_as_text_xml = app
        .soap_raw(Soap::V11, OWNER_AUTH, &envelope(Soap::V12, &payload), None)
        .await;
    assert_eq!(v12_as_text_xml.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(fault_code(&v12_as_text_xml.body), "s:VersionMismatch");

    let v11_as_soap_xml = app
        .soap_raw(Soap::V12, OWNER_AUTH, &envelope(Soap::V11, &payload), None)
        .await;
    assert_eq!(v11_as_soap_xml.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(fault_code(&v11_as_soap_xml.body), "s:VersionMismatch");
}

#[tokio::test]
async fn unsupported_media_type_garbage_and_size_are_faults() {
    let app = spawn_app().await;
    let url = format!("{}/v2/Api.svc", app.address);
    let json = app
        .client
        .post(&url)
        .basic_auth(OWNER, Some(OWNER_PASSWORD))
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(json.headers()["content-type"], "text/xml; charset=utf-8");
    assert!(
        json.text()
            .await
            .unwrap()
            .contains("ERROR_CONTENT_TYPE_IS_NOT_SUPPORTED</faultstring>")
    );

    for garbage in [
        "not xml",
        "<a><b></a>",
        "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"/>",
    ] {
        let reply = app.soap_raw(Soap::V11, OWNER_AUTH, garbage, None).await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR, "{garbage}");
        assert_eq!(reply.error_code(), "ERROR_MALFORMED_REQUEST", "{garbage}");
    }

    let big = envelope(
        Soap::V11,
        &format!(
            r#"<GetServerTime xmlns="{V2_NS}"/><!--{}-->"#,
            "x".repeat(70_000)
        ),
    );
    let reply = app.soap_raw(Soap::V11, OWNER_AUTH, &big, None).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.error_code(), "ERROR_REQUEST_TOO_LARGE");

    let put = app.client.put(&url).send().await.unwrap();
    assert_eq!(put.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(put.headers()["allow"], "GET, HEAD, POST");
}

#[tokio::test]
async fn must_understand_headers_are_faulted_unless_understood() {
    let app = spawn_app().await;
    for version in BOTH {
        let ns = if version == Soap::V11 { V11 } else { V12 };
        let document = format!(
            r#"<s:Envelope xmlns:s="{ns}"><s:Header><t:Trace xmlns:t="urn:trace" s:mustUnderstand="true">1</t:Trace></s:Header><s:Body><GetServerTime xmlns="{V2_NS}"/></s:Body></s:Envelope>"#
        );
        let reply = app.soap_raw(version, OWNER_AUTH, &document, None).await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
        let fault = parse(&reply.body);
        match version {
            Soap::V11 => assert_eq!(fault_code(&reply.body), "s:MustUnderstand"),
            Soap::V12 => {
                assert_eq!(fault_code(&reply.body), "s:MustUnderstand");
                let not_understood = fault.find(V12, "NotUnderstood").unwrap();
                assert_eq!(not_understood.attribute("qname"), Some("h:Trace"));
            }
        }
        let optional = document.replace(r#" s:mustUnderstand="true""#, "");
        let fine = app.soap_raw(version, OWNER_AUTH, &optional, None).await;
        assert_eq!(fine.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn soap_action_is_only_a_hint() {
    let app = spawn_app().await;
    let payload = envelope(Soap::V11, &format!(r#"<GetServerTime xmlns="{V2_NS}"/>"#));
    for action in [
        Some("http://apiconnector.com/v2/ApiService/GetServerTime"),
        Some("http://apiconnector.com/v2/ApiService/DeleteApiUser"),
        None,
    ] {
        let reply = app.soap_raw(Soap::V11, OWNER_AUTH, &payload, action).await;
        assert_eq!(reply.status, StatusCode::OK, "{action:?}");
        assert_eq!(body_payload(&reply.body).name, "GetServerTimeResponse");
    }
}

#[tokio::test]
async fn connection_close_is_echoed() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(format!("{}/v2/Api.svc", app.address))
        .basic_auth(OWNER, Some(OWNER_PASSWORD))
        .header("Content-Type", "text/xml; charset=utf-8")
        .header("Connection", "close")
        .body(envelope(
            Soap::V11,
            &format!(r#"<GetServerTime xmlns="{V2_NS}"/>"#),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["connection"], "close");
}

#[tokio::test]
async fn read_only_and_nil_fields_sent_back_are_accepted() {
    let app = spawn_app().await;
    let (id, email) = soap_create(&app, Soap::V11, "Magento shop").await;
    let payload = format!(
        r#"<UpdateApiUser xmlns="{V2_NS}"><id>{id}</id><apiUser xmlns:a="{TYPES_NS}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><a:Id>{id}</a:Id><a:Email>{email}</a:Email><a:Description>Renamed</a:Description><a:Status>Enabled</a:Status><a:IsTieredRateLimitedApiUser>true</a:IsTieredRateLimitedApiUser><a:IsLocked>false</a:IsLocked><a:Created>2026-01-01T00:00:00Z</a:Created><a:LastUsed i:nil="true"/><a:Password i:nil="true"/></apiUser></UpdateApiUser>"#
    );
    let reply = app.soap(Soap::V11, OWNER_AUTH, &payload).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(app.stored_api_users()[0].description, "Renamed");
}

#[tokio::test]
async fn a_storage_failure_is_error_unknown_without_details() {
    let app = spawn_app().await;
    let conn = rusqlite::Connection::open(&app.db).unwrap();
    conn.execute_batch("DROP TABLE api_users").unwrap();
    let rest = app.owner_get("/v2/api-users").await;
    assert_eq!(rest.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        rest.json(),
        serde_json::json!({"message": "An unexpected error occurred. ERROR_UNKNOWN"})
    );
    let payload = format!(r#"<GetApiUsers xmlns="{V2_NS}"/>"#);
    let v11 = app.soap(Soap::V11, OWNER_AUTH, &payload).await;
    assert_eq!(v11.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(fault_code(&v11.body), "s:Server");
    let v12 = app.soap(Soap::V12, OWNER_AUTH, &payload).await;
    assert_eq!(v12.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(fault_code(&v12.body), "s:Receiver");
    for reply in [&rest, &v11, &v12] {
        assert_eq!(reply.error_code(), "ERROR_UNKNOWN");
        assert!(!reply.body.contains("api_users") && !reply.body.contains("no such table"));
    }
}

/// What a WCF proxy sends for the nullable `Status` and `IsTieredRateLimitedApiUser` it was not
/// told: nil (or nothing). Neither is false or the first enumeration value.
#[tokio::test]
async fn nil_or_absent_status_and_scheme_are_not_given() {
    let app = spawn_app().await;
    let not_given = r#"<a:Status i:nil="true"/><a:IsTieredRateLimitedApiUser i:nil="true"/>"#;
    for version in BOTH {
        let create = app
            .soap(
                version,
                OWNER_AUTH,
                &format!(
                    r#"<CreateApiUser xmlns="{V2_NS}"><apiUser xmlns:a="{TYPES_NS}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><a:Description>WCF shop</a:Description>{not_given}<a:Password>{API_PASSWORD}</a:Password><a:ConfirmPassword>{API_PASSWORD}</a:ConfirmPassword></apiUser></CreateApiUser>"#
                ),
            )
            .await;
        assert_eq!(create.status, StatusCode::OK, "{}", create.body);
        let created = body_payload(&create.body);
        let created = created.child(V2_NS, "CreateApiUserResult").unwrap();
        let id = created.child_text(TYPES_NS, "Id").unwrap();
        let scheme_and_status = |user: &crate::xml::Node| {
            (
                user.child_text(TYPES_NS, "Status"),
                user.child_text(TYPES_NS, "IsTieredRateLimitedApiUser"),
            )
        };
        assert_eq!(
            scheme_and_status(created),
            (Some("Enabled".into()), Some("true".into()))
        );

        let update = |fields: String| {
            format!(
                r#"<UpdateApiUser xmlns="{V2_NS}"><id>{id}</id><apiUser xmlns:a="{TYPES_NS}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">{fields}</apiUser></UpdateApiUser>"#
            )
        };
        let flat_and_disabled = update(
            "<a:Status>Disabled</a:Status><a:IsTieredRateLimitedApiUser>false</a:IsTieredRateLimitedApiUser>"
                .into(),
        );
        let reply = app.soap(version, OWNER_AUTH, &flat_and_disabled).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        for fields in [
            format!("<a:Description>nil</a:Description>{not_given}"),
            "<a:Description>absent</a:Description>".to_owned(),
        ] {
            let reply = app.soap(version, OWNER_AUTH, &update(fields)).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            let updated = body_payload(&reply.body);
            let updated = updated.child(V2_NS, "UpdateApiUserResult").unwrap();
            assert_eq!(
                scheme_and_status(updated),
                (Some("Disabled".into()), Some("false".into()))
            );
        }
    }
    let stored = app.stored_api_users();
    assert!(stored.iter().all(|user| (
        user.description.as_str(),
        user.status.as_str(),
        user.tiered
    ) == ("absent", "Disabled", false)));
}
