//! The OpenAPI document at `/openapi.json` describes exactly the routes the server answers, and
//! the human page at `/docs` loads nothing from outside the machine.

use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;

async fn document(app: &TestApp) -> Value {
    let response = app
        .client
        .get(format!("{}/openapi.json", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// `(METHOD, path)` of every documented operation.
fn operations(document: &Value) -> BTreeSet<(String, String)> {
    document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect()
}

#[tokio::test]
async fn the_document_lists_the_contracts_rest_operations_and_health() {
    let app = spawn_app().await;
    let expected: BTreeSet<(String, String)> = [
        ("GET", "/v2/account-info"),
        ("GET", "/v2/server-time"),
        ("GET", "/v2/api-users"),
        ("POST", "/v2/api-users"),
        ("GET", "/v2/api-users/{id}"),
        ("PUT", "/v2/api-users/{id}"),
        ("DELETE", "/v2/api-users/{id}"),
        ("PUT", "/v2/api-users/{id}/password"),
        ("POST", "/v2/api-users/{id}/unlock"),
        ("GET", "/v2/audit-events"),
        ("GET", "/health"),
    ]
    .into_iter()
    .map(|(method, path)| (method.to_owned(), path.to_owned()))
    .collect();
    let document = document(&app).await;
    assert_eq!(operations(&document), expected);
    assert_eq!(
        document["components"]["securitySchemes"]["basic"],
        json!({"type": "http", "scheme": "basic"})
    );
}

#[tokio::test]
async fn every_documented_operation_is_served_and_answers_a_documented_status() {
    let app = spawn_app().await;
    let document = document(&app).await;
    let id = app.create_api_user("openapi route check").await["id"]
        .as_i64()
        .unwrap();
    let mut operations: Vec<_> = operations(&document).into_iter().collect();
    // The delete goes last: the others need the API user.
    operations.sort_by_key(|(method, _)| method == "DELETE");
    for (method, path) in operations {
        let documented = &document["paths"][&path][method.to_lowercase()]["responses"];
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let body = matches!(method, Method::POST | Method::PUT).then(|| json!({}));
        let concrete = path.replace("{id}", &id.to_string());
        let reply = app
            .rest(
                method.clone(),
                &concrete,
                Some((OWNER, OWNER_PASSWORD)),
                body,
            )
            .await;
        assert_ne!(
            reply.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert!(!reply.body.contains("no resource at"), "{method} {path}");
        assert!(
            documented.get(reply.status.as_str()).is_some(),
            "{method} {path} answered an undocumented {}: {}",
            reply.status,
            reply.body
        );
    }
}

#[tokio::test]
async fn an_undocumented_method_on_a_documented_path_is_405_naming_the_documented_ones_and_head() {
    let app = spawn_app().await;
    let document = document(&app).await;
    for (path, item) in document["paths"].as_object().unwrap() {
        let mut documented: Vec<String> = item
            .as_object()
            .unwrap()
            .keys()
            .map(|method| method.to_uppercase())
            .collect();
        if documented.iter().any(|method| method == "GET") {
            documented.push("HEAD".to_owned());
        }
        documented.sort();
        let reply = app
            .rest(
                Method::PATCH,
                &path.replace("{id}", "1"),
                Some((OWNER, OWNER_PASSWORD)),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{path}");
        let mut allowed: Vec<String> = reply
            .header("allow")
            .unwrap()
            .split(", ")
            .map(str::to_owned)
            .collect();
        allowed.sort();
        assert_eq!(allowed, documented, "{path}");
        assert_eq!(reply.error_code(), "ERROR_MALFORMED_REQUEST");
    }
}

#[tokio::test]
async fn the_docs_page_loads_only_assets_served_here() {
    let app = spawn_app().await;
    let page = app
        .client
        .get(format!("{}/docs", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK, "/docs redirects to /docs/");
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = page.text().await.unwrap();
    let assets: Vec<&str> = page
        .split(['"', '\''])
        .filter(|token| {
            token.ends_with(".js") || token.ends_with(".css") || token.ends_with(".png")
        })
        .collect();
    assert!(assets.len() >= 4, "{page}");
    for asset in assets {
        assert!(!asset.contains("//"), "{asset} is not served here");
        let url = format!("{}/docs/{}", app.address, asset.trim_start_matches("./"));
        let response = app.client.get(&url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{url}");
    }
    let initializer = app
        .client
        .get(format!("{}/docs/swagger-initializer.js", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        initializer.contains(r#""url": "/openapi.json""#),
        "{initializer}"
    );
    assert!(
        initializer.contains(r#""validatorUrl": "none""#),
        "{initializer}"
    );
}

/// Every documented `GET` path (the API users' `{id}` filled in), and the routes outside the
/// document that answer `GET`: the WSDL, the Access page, the documentation.
async fn get_paths(app: &TestApp) -> Vec<String> {
    let id = app.create_api_user("head check").await["id"].to_string();
    let mut paths: Vec<String> = operations(&document(app).await)
        .into_iter()
        .filter(|(method, _)| method == "GET")
        .map(|(_, path)| path.replace("{id}", &id))
        .collect();
    paths.extend(
        [
            "/v2/Api.svc?wsdl",
            "/v2/Api.svc",
            "/sign-in",
            "/docs/",
            "/openapi.json",
        ]
        .map(str::to_owned),
    );
    paths
}

#[tokio::test]
async fn head_works_wherever_get_does_and_the_servers_own_4xx_answers_have_catalogue_bodies() {
    let app = spawn_app().await;
    for path in get_paths(&app).await {
        let url = format!("{}{path}", app.address);
        let get = app
            .client
            .get(&url)
            .basic_auth(OWNER, Some(OWNER_PASSWORD))
            .send()
            .await
            .unwrap();
        let head = app
            .client
            .head(&url)
            .basic_auth(OWNER, Some(OWNER_PASSWORD))
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), get.status(), "HEAD {path}");
        assert_eq!(head.status(), StatusCode::OK, "HEAD {path}");
        assert_eq!(
            head.headers().get("content-type"),
            get.headers().get("content-type"),
            "HEAD {path}"
        );
        assert!(
            head.bytes().await.unwrap().is_empty(),
            "HEAD {path} has no body"
        );
    }

    let refused = [
        (
            Method::PUT,
            "/sign-in",
            StatusCode::METHOD_NOT_ALLOWED,
            "text/html; charset=utf-8",
        ),
        (
            Method::DELETE,
            "/settings/access/api-users/new",
            StatusCode::METHOD_NOT_ALLOWED,
            "text/html; charset=utf-8",
        ),
        (
            Method::GET,
            "/docs/no-such-file.js",
            StatusCode::NOT_FOUND,
            "application/json",
        ),
    ];
    for (method, path, status, content_type) in refused {
        let reply = app.rest(method.clone(), path, None, None).await;
        assert_eq!(reply.status, status, "{method} {path}");
        assert_eq!(
            reply.header("content-type"),
            Some(content_type),
            "{method} {path}"
        );
        assert!(
            reply.body.contains("ERROR_MALFORMED_REQUEST"),
            "{method} {path}: {}",
            reply.body
        );
    }
}
