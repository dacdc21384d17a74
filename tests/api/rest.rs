use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

const OWNER_AUTH: Option<(&str, &str)> = Some((OWNER, OWNER_PASSWORD));

#[tokio::test]
async fn create_generates_a_login_and_returns_201_with_location() {
    let app = spawn_app().await;
    let reply = app
        .rest(
            Method::POST,
            "/v2/api-users",
            OWNER_AUTH,
            Some(json!({"description": "Magento shop", "password": API_PASSWORD, "confirmPassword": API_PASSWORD})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let user = reply.json();
    let email = user["email"].as_str().unwrap();
    let hex = email
        .strip_prefix("apiuser-")
        .and_then(|rest| rest.strip_suffix("@apiconnector.com"))
        .expect("generated login shape");
    assert_eq!(hex.len(), 12);
    assert!(
        hex.chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    );
    assert_eq!(user["description"], "Magento shop");
    assert_eq!(user["status"], "Enabled");
    assert_eq!(user["isTieredRateLimitedApiUser"], true);
    assert_eq!(user["isLocked"], false);
    assert_eq!(user["lastUsed"], serde_json::Value::Null);
    assert!(user["created"].as_str().unwrap().ends_with('Z'));
    assert!(user.get("password").is_none() && user.get("passwordHash").is_none());
    assert_eq!(
        reply.header("location"),
        Some(format!("/v2/api-users/{}", user["id"]).as_str())
    );
    let stored = app.stored_api_users();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].login, email);
    assert!(stored[0].password_hash.starts_with("$2"));
    assert!(!stored[0].password_hash.contains(API_PASSWORD));
}

#[tokio::test]
async fn a_given_login_must_be_in_the_domain_and_unused() {
    let app = spawn_app().await;
    let body = |email: &str| json!({"email": email, "description": "ERP", "password": API_PASSWORD, "confirmPassword": API_PASSWORD});
    let created = app
        .rest(
            Method::POST,
            "/v2/api-users",
            OWNER_AUTH,
            Some(body("erp@apiconnector.com")),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.json()["email"], "erp@apiconnector.com");

    let taken = app
        .rest(
            Method::POST,
            "/v2/api-users",
            OWNER_AUTH,
            Some(body("ERP@apiconnector.com")),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert_eq!(taken.error_code(), "ERROR_INVALID_APIUSEREXISTS");

    let owners_login = app
        .rest(
            Method::POST,
            "/v2/api-users",
            OWNER_AUTH,
            Some(body("owner@example.com")),
        )
        .await;
    assert_eq!(owners_login.error_code(), "ERROR_PARAMETER_INVALID");

    let elsewhere = app
        .rest(
            Method::POST,
            "/v2/api-users",
            OWNER_AUTH,
            Some(body("erp@example.com")),
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        elsewhere.json()["message"],
        "The parameter 'email' is invalid. ERROR_PARAMETER_INVALID"
    );
    assert_eq!(app.stored_api_users().len(), 1);
}

#[tokio::test]
async fn weak_or_mismatched_passwords_are_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let cases = [
        (
            json!({"password": "Sh0rt!", "confirmPassword": "Sh0rt!"}),
            "ERROR_WEAK_PASSWORD",
        ),
        (json!({"password": "OnlyLetters"}), "ERROR_WEAK_PASSWORD"),
        (json!({"password": "myPassword99"}), "ERROR_WEAK_PASSWORD"),
        (json!({"password": "Default-2026!"}), "ERROR_WEAK_PASSWORD"),
        (
            json!({"password": format!("1{}", "a".repeat(72))}),
            "ERROR_WEAK_PASSWORD",
        ),
        (
            json!({"password": API_PASSWORD, "confirmPassword": "Magento#2026sho"}),
            "ERROR_PASSWORDS_DO_NOT_MATCH",
        ),
        (
            json!({"description": "no password"}),
            "ERROR_PARAMETER_INVALID",
        ),
        (
            json!({"password": API_PASSWORD, "description": "x".repeat(256)}),
            "ERROR_PARAMETER_INVALID",
        ),
        (
            json!({"password": API_PASSWORD, "status": "enabled"}),
            "ERROR_PARAMETER_INVALID",
        ),
    ];
    for (body, code) in cases {
        let reply = app
            .rest(
                Method::POST,
                "/v2/api-users",
                OWNER_AUTH,
                Some(body.clone()),
            )
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.error_code(), code, "{body}");
    }
    assert!(app.stored_api_users().is_empty());
}

#[tokio::test]
async fn a_72_byte_password_is_accepted() {
    let app = spawn_app().await;
    let password = format!("1{}", "a".repeat(71));
    let reply = app
        .rest(
            Method::POST,
            "/v2/api-users",
            OWNER_AUTH,
            Some(json!({"password": password})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let email = reply.json()["email"].as_str().unwrap().to_owned();
    let info = app.account_info_as(&email, &password).await;
    assert_eq!(info.status, StatusCode::OK);
}

#[tokio::test]
async fn list_pages_by_id_within_bounds() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(app.create_api_user(&format!("system {n}")).await["id"].clone());
    }
    let all = app.owner_get("/v2/api-users").await.json();
    assert_eq!(
        all.as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].clone())
            .collect::<Vec<_>>(),
        ids
    );
    let first = app.owner_get("/v2/api-users?select=2&skip=0").await.json();
    assert_eq!(first.as_array().unwrap().len(), 2);
    assert_eq!(first[0]["description"], "system 0");
    let second = app.owner_get("/v2/api-users?select=2&skip=2").await.json();
    assert_eq!(second.as_array().unwrap().len(), 1);
    assert_eq!(second[0]["description"], "system 2");
    let past = app.owner_get("/v2/api-users?select=2&skip=4").await;
    assert_eq!(past.status, StatusCode::OK);
    assert_eq!(past.json(), json!([]));
    assert_eq!(
        app.owner_get("/v2/api-users?select=1000").await.status,
        StatusCode::OK
    );
    for (query, parameter) in [
        ("select=0", "select"),
        ("select=1001", "select"),
        ("select=abc", "select"),
        ("skip=-1", "skip"),
    ] {
        let reply = app.owner_get(&format!("/v2/api-users?{query}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(
            reply.json()["message"],
            format!("The parameter '{parameter}' is invalid. ERROR_PARAMETER_INVALID")
        );
    }
}

#[tokio::test]
async fn get_one_and_unknown_ids() {
    let app = spawn_app().await;
    let user = app.create_api_user("Magento shop").await;
    let reply = app
        .owner_get(&format!("/v2/api-users/{}", user["id"]))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), user);
    let missing = app.owner_get("/v2/api-users/999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        missing.json(),
        json!({"message": "No such API user in this account. ERROR_APIUSER_NOT_FOUND"})
    );
    assert_eq!(missing.header("content-type"), Some("application/json"));
    let garbage = app.owner_get("/v2/api-users/abc").await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST);
    assert_eq!(garbage.error_code(), "ERROR_PARAMETER_INVALID");
}

#[tokio::test]
async fn update_changes_only_the_given_fields() {
    let app = spawn_app().await;
    let user = app.create_api_user("Magento shop").await;
    let path = format!("/v2/api-users/{}", user["id"]);
    let reply = app
        .rest(
            Method::PUT,
            &path,
            OWNER_AUTH,
            Some(json!({"status": "Disabled"})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let updated = reply.json();
    assert_eq!(updated["status"], "Disabled");
    assert_eq!(updated["description"], "Magento shop");
    assert_eq!(updated["isTieredRateLimitedApiUser"], true);

    let reply = app
        .rest(
            Method::PUT,
            &path,
            OWNER_AUTH,
            Some(json!({"description": "ERP", "isTieredRateLimitedApiUser": false})),
        )
        .await;
    let updated = reply.json();
    assert_eq!(updated["status"], "Disabled");
    assert_eq!(updated["description"], "ERP");
    assert_eq!(updated["isTieredRateLimitedApiUser"], false);

    // What was read can be sent back as it is.
    let mut round_trip = updated.clone();
    round_trip["description"] = json!("ERP sync");
    let reply = app
        .rest(Method::PUT, &path, OWNER_AUTH, Some(round_trip))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.json()["description"], "ERP sync");

    for (body, code) in [
        (
            json!({"email": "other@apiconnector.com"}),
            "ERROR_PARAMETER_INVALID",
        ),
        (json!({"password": API_PASSWORD}), "ERROR_PARAMETER_INVALID"),
        (json!({"status": "Paused"}), "ERROR_PARAMETER_INVALID"),
        (
            json!({"description": "d".repeat(256)}),
            "ERROR_PARAMETER_INVALID",
        ),
        (json!({"nickname": "x"}), "ERROR_MALFORMED_REQUEST"),
    ] {
        let reply = app
            .rest(Method::PUT, &path, OWNER_AUTH, Some(body.clone()))
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.error_code(), code, "{body}");
    }
    let stored = &app.stored_api_users()[0];
    assert_eq!(
        (
            stored.description.as_str(),
            stored.status.as_str(),
            stored.tiered
        ),
        ("ERP sync", "Disabled", false)
    );
    let missing = app
        .rest(
            Method::PUT,
            "/v2/api-users/999",
            OWNER_AUTH,
            Some(json!({"description": "x"})),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn set_password_takes_effect_at_once() {
    let app = spawn_app().await;
    let user = app.create_api_user("Magento shop").await;
    let email = user["email"].as_str().unwrap();
    let path = format!("/v2/api-users/{}/password", user["id"]);
    let new_password = "Fresh-Secret-77";
    let weak = app
        .rest(
            Method::PUT,
            &path,
            OWNER_AUTH,
            Some(json!({"password": "weak"})),
        )
        .await;
    assert_eq!(weak.error_code(), "ERROR_WEAK_PASSWORD");
    let mismatch = app
        .rest(
            Method::PUT,
            &path,
            OWNER_AUTH,
            Some(json!({"password": new_password, "confirmPassword": "Fresh-Secret-78"})),
        )
        .await;
    assert_eq!(mismatch.error_code(), "ERROR_PASSWORDS_DO_NOT_MATCH");
    let own_login = app
        .rest(
            Method::PUT,
            &path,
            OWNER_AUTH,
            Some(json!({"password": format!("{}!1", email.split('@').next().unwrap())})),
        )
        .await;
    assert_eq!(own_login.error_code(), "ERROR_WEAK_PASSWORD");
    let before = app.stored_api_users()[0].password_hash.clone();

    let reply = app
        .rest(
            Method::PUT,
            &path,
            OWNER_AUTH,
            Some(json!({"password": new_password, "confirmPassword": new_password})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert!(reply.body.is_empty());
    assert_ne!(app.stored_api_users()[0].password_hash, before);
    let old = app.account_info_as(email, API_PASSWORD).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = app.account_info_as(email, new_password).await;
    assert_eq!(new.status, StatusCode::OK);
    let missing = app
        .rest(
            Method::PUT,
            "/v2/api-users/999/password",
            OWNER_AUTH,
            Some(json!({"password": new_password})),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unlock_clears_the_lock_and_the_user_can_call_again() {
    let app = spawn_app().await;
    let user = app.create_api_user("Magento shop").await;
    let email = user["email"].as_str().unwrap();
    let conn = rusqlite::Connection::open(&app.db).unwrap();
    conn.execute("UPDATE api_users SET locked = 1", []).unwrap();
    let locked = app.account_info_as(email, API_PASSWORD).await;
    assert_eq!(locked.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.owner_get(&format!("/v2/api-users/{}", user["id"]))
            .await
            .json()["isLocked"],
        true
    );
    let reply = app
        .rest(
            Method::POST,
            &format!("/v2/api-users/{}/unlock", user["id"]),
            OWNER_AUTH,
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert!(!app.stored_api_users()[0].locked);
    let again = app.account_info_as(email, API_PASSWORD).await;
    assert_eq!(again.status, StatusCode::OK);
    let missing = app
        .rest(Method::POST, "/v2/api-users/999/unlock", OWNER_AUTH, None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn delete_removes_the_user_and_its_login() {
    let app = spawn_app().await;
    let user = app.create_api_user("Magento shop").await;
    let email = user["email"].as_str().unwrap().to_owned();
    let path = format!("/v2/api-users/{}", user["id"]);
    let reply = app.rest(Method::DELETE, &path, OWNER_AUTH, None).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert!(app.stored_api_users().is_empty());
    assert_eq!(app.owner_get(&path).await.status, StatusCode::NOT_FOUND);
    let again = app.rest(Method::DELETE, &path, OWNER_AUTH, None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let gone = app.account_info_as(&email, API_PASSWORD).await;
    assert_eq!(gone.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn account_info_has_dotdigitals_shape_and_counts_calls() {
    let app = spawn_app().await;
    let user = app.create_api_user("Magento shop").await;
    let auth = Some((user["email"].as_str().unwrap(), API_PASSWORD));
    app.rest(Method::GET, "/v2/server-time", auth, None).await;
    let reply = app.rest(Method::GET, "/v2/account-info", auth, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let info = reply.json();
    assert_eq!(info["id"], 1);
    let property = |name: &str| {
        info["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("property {name}"))
            .clone()
    };
    assert_eq!(
        property("Name"),
        json!({"name": "Name", "type": "String", "value": "Default"})
    );
    assert_eq!(property("MainEmail")["value"], OWNER);
    assert_eq!(
        property("ApiEndpoint")["value"],
        format!("{}/", app.address)
    );
    assert_eq!(property("APILocale")["type"], "String");
    assert_eq!(property("TimeZoneIana")["type"], "String");
    assert_eq!(
        property("ApiCallsInLastHour"),
        json!({"name": "ApiCallsInLastHour", "type": "Int", "value": "2"})
    );
    assert_eq!(property("ApiCallsRemaining")["value"], "1998");
    for p in info["properties"].as_array().unwrap() {
        assert!(p["value"].is_string(), "{p}");
    }
}

#[tokio::test]
async fn server_time_is_utc_now() {
    let app = spawn_app().await;
    let reply = app.owner_get("/v2/server-time").await;
    assert_eq!(reply.status, StatusCode::OK);
    let time = reply.json()["serverTime"].as_str().unwrap().to_owned();
    assert_eq!(time.len(), "2026-11-28T22:47:52Z".len());
    assert!(time.ends_with('Z'));
    let now = time::OffsetDateTime::now_utc().year().to_string();
    assert!(time.starts_with(&now));
}

#[tokio::test]
async fn last_used_is_set_by_a_successful_call() {
    let app = spawn_app().await;
    let user = app.create_api_user("Magento shop").await;
    assert!(user["lastUsed"].is_null());
    let auth = Some((user["email"].as_str().unwrap(), API_PASSWORD));
    app.rest(Method::GET, "/v2/server-time", auth, None).await;
    let read = app
        .owner_get(&format!("/v2/api-users/{}", user["id"]))
        .await
        .json();
    assert!(read["lastUsed"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn media_type_syntax_size_and_method_errors() {
    let app = spawn_app().await;
    let url = format!("{}/v2/api-users", app.address);
    let text = app
        .client
        .post(&url)
        .basic_auth(OWNER, Some(OWNER_PASSWORD))
        .header("Content-Type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(
        text.text()
            .await
            .unwrap()
            .ends_with("ERROR_CONTENT_TYPE_IS_NOT_SUPPORTED\"}")
    );

    let broken = app
        .client
        .post(&url)
        .basic_auth(OWNER, Some(OWNER_PASSWORD))
        .header("Content-Type", "application/json")
        .body("{\"description\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), StatusCode::BAD_REQUEST);
    assert!(
        broken
            .text()
            .await
            .unwrap()
            .contains("ERROR_MALFORMED_REQUEST")
    );

    let unknown_field = app
        .rest(
            Method::POST,
            "/v2/api-users",
            Some((OWNER, OWNER_PASSWORD)),
            Some(json!({"password": API_PASSWORD, "role": "admin"})),
        )
        .await;
    assert_eq!(unknown_field.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown_field.error_code(), "ERROR_MALFORMED_REQUEST");
    assert!(unknown_field.body.contains("role"));

    let huge = app
        .client
        .post(&url)
        .basic_auth(OWNER, Some(OWNER_PASSWORD))
        .header("Content-Type", "application/json")
        .body(format!(
            "{{\"description\": \"{}\"}}",
            "x".repeat(100 * 1024)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        huge.text()
            .await
            .unwrap()
            .contains("ERROR_REQUEST_TOO_LARGE")
    );

    let patch = app
        .rest(
            Method::PATCH,
            "/v2/api-users/1",
            Some((OWNER, OWNER_PASSWORD)),
            None,
        )
        .await;
    assert_eq!(patch.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(patch.header("allow"), Some("GET, HEAD, PUT, DELETE"));
    assert_eq!(patch.error_code(), "ERROR_MALFORMED_REQUEST");
    let post_info = app.rest(Method::POST, "/v2/account-info", None, None).await;
    assert_eq!(post_info.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(post_info.header("allow"), Some("GET, HEAD"));

    let nowhere = app.owner_get("/v2/contacts").await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    assert_eq!(nowhere.error_code(), "ERROR_MALFORMED_REQUEST");
    assert!(app.stored_api_users().is_empty());
}

#[tokio::test]
async fn health_answers_without_credentials() {
    let app = spawn_app().await;
    let reply = app.rest(Method::GET, "/health", None, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["status"], "ok");
}
