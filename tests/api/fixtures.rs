//! Envelopes in the styles real clients send (`fixtures/envelopes/`), posted as they are.

use crate::helpers::*;
use crate::xml::{body_payload, fault_code};
use reqwest::StatusCode;

const OWNER_AUTH: Option<(&str, &str)> = Some((OWNER, OWNER_PASSWORD));
const ACTION: &str = "http://apiconnector.com/v2/ApiService/";

#[tokio::test]
async fn create_envelopes_from_every_client_style_create_the_same_user() {
    let app = spawn_app().await;
    let files = [
        (Soap::V11, "wcf-create-api-user.xml"),
        (Soap::V11, "wcf-create-api-user-all-members.xml"),
        (Soap::V11, "soapui-create-api-user.xml"),
        (Soap::V11, "php-create-api-user.xml"),
        (Soap::V11, "perl-soaplite-create-api-user.xml"),
        (Soap::V11, "zeep-create-api-user.xml"),
        (Soap::V12, "soap12-create-api-user.xml"),
    ];
    for (version, file) in files {
        let document = fixture(&format!("envelopes/{file}"));
        let reply = app
            .soap_raw(
                version,
                OWNER_AUTH,
                &document,
                Some(&format!("{ACTION}CreateApiUser")),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{file}: {}", reply.body);
        let payload = body_payload(&reply.body);
        let user = payload.child(V2_NS, "CreateApiUserResult").expect(file);
        assert_eq!(
            user.child_text(TYPES_NS, "Description").as_deref(),
            Some("Magento shop"),
            "{file}"
        );
        assert!(
            user.child_text(TYPES_NS, "Email")
                .unwrap()
                .ends_with("@apiconnector.com")
        );
    }
    let stored = app.stored_api_users();
    assert_eq!(stored.len(), files.len());
    for user in stored {
        assert_eq!(
            (user.description.as_str(), user.status.as_str()),
            ("Magento shop", "Enabled")
        );
    }
}

#[tokio::test]
async fn read_envelopes_from_every_client_style_are_answered() {
    let app = spawn_app().await;
    let files = [
        (
            Soap::V11,
            "wcf-get-current-account-info.xml",
            "GetCurrentAccountInfo",
            true,
        ),
        (Soap::V11, "soapui-get-api-users.xml", "GetApiUsers", true),
        (Soap::V11, "php-get-server-time.xml", "GetServerTime", true),
        (
            Soap::V11,
            "perl-soaplite-get-current-account-info.xml",
            "GetCurrentAccountInfo",
            true,
        ),
        (
            Soap::V11,
            "zeep-get-current-account-info.xml",
            "GetCurrentAccountInfo",
            false,
        ),
        (
            Soap::V12,
            "soap12-get-current-account-info.xml",
            "GetCurrentAccountInfo",
            true,
        ),
        (
            Soap::V12,
            "soap12-get-current-account-info.xml",
            "GetCurrentAccountInfo",
            false,
        ),
    ];
    for (version, file, operation, with_action) in files {
        let document = fixture(&format!("envelopes/{file}"));
        let action = format!("{ACTION}{operation}");
        let action = with_action.then_some(action.as_str());
        let reply = app.soap_raw(version, OWNER_AUTH, &document, action).await;
        assert_eq!(reply.status, StatusCode::OK, "{file}: {}", reply.body);
        assert_eq!(
            body_payload(&reply.body).name,
            format!("{operation}Response"),
            "{file}"
        );
    }
}

fn username_token(file: &str, login: &str, password: &str) -> String {
    fixture(&format!("envelopes/{file}"))
        .replace("{{LOGIN}}", login)
        .replace("{{PASSWORD}}", &password.replace('&', "&amp;"))
}

#[tokio::test]
async fn ws_security_username_token_with_password_text_authenticates() {
    let app = spawn_app().await;
    let user = app.create_api_user("Magento shop").await;
    let email = user["email"].as_str().unwrap();
    let file = "wsse-username-token-get-current-account-info.xml";
    let reply = app
        .soap_raw(
            Soap::V11,
            None,
            &username_token(file, email, API_PASSWORD),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        body_payload(&reply.body).name,
        "GetCurrentAccountInfoResponse"
    );

    let wrong = app
        .soap_raw(
            Soap::V11,
            None,
            &username_token(file, email, "Wrong#Secret-1"),
            None,
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.error_code(), "ERROR_INVALID_LOGIN");

    let digest = fixture("envelopes/wsse-password-digest-get-current-account-info.xml")
        .replace("{{LOGIN}}", email);
    let refused = app.soap_raw(Soap::V11, None, &digest, None).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.error_code(), "ERROR_INVALID_LOGIN");
}

#[tokio::test]
async fn unknown_must_understand_header_and_doctype_are_refused() {
    let app = spawn_app().await;
    let reply = app
        .soap_raw(
            Soap::V11,
            OWNER_AUTH,
            &fixture("envelopes/must-understand-unknown-header.xml"),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(fault_code(&reply.body), "s:MustUnderstand");

    let doctype = app
        .soap_raw(
            Soap::V11,
            OWNER_AUTH,
            &fixture("envelopes/doctype.xml"),
            None,
        )
        .await;
    assert_eq!(doctype.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(doctype.error_code(), "ERROR_MALFORMED_REQUEST");
    assert!(doctype.body.contains("DOCTYPE"));
}
