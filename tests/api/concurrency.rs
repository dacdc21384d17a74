use crate::helpers::*;
use reqwest::{Method, StatusCode};
use std::collections::BTreeSet;

/// Many creates at once, REST and SOAP mixed: every acknowledged create is stored, logins
/// stay unique, and none fails with "database is locked".
#[tokio::test]
async fn concurrent_creates_over_both_protocols_are_all_stored() {
    let app = std::sync::Arc::new(spawn_app().await);
    let mut tasks = Vec::new();
    for n in 0..40 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let description = format!("system {n}");
            if n % 2 == 0 {
                let reply = app
                    .rest(
                        Method::POST,
                        "/v2/api-users",
                        Some((OWNER, OWNER_PASSWORD)),
                        Some(serde_json::json!({"description": description, "password": API_PASSWORD})),
                    )
                    .await;
                assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
            } else {
                let version = if n % 4 == 1 { Soap::V11 } else { Soap::V12 };
                let reply = app
                    .soap(
                        version,
                        Some((OWNER, OWNER_PASSWORD)),
                        &format!(
                            r#"<CreateApiUser xmlns="{V2_NS}"><apiUser xmlns:a="{TYPES_NS}"><a:Description>{description}</a:Description><a:Password>{API_PASSWORD}</a:Password></apiUser></CreateApiUser>"#
                        ),
                    )
                    .await;
                assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            }
            description
        }));
    }
    let mut acknowledged = BTreeSet::new();
    for task in tasks {
        acknowledged.insert(task.await.unwrap());
    }
    let stored = app.stored_api_users();
    let descriptions: BTreeSet<String> = stored.iter().map(|u| u.description.clone()).collect();
    assert_eq!(descriptions, acknowledged);
    let logins: BTreeSet<&str> = stored.iter().map(|u| u.login.as_str()).collect();
    assert_eq!(logins.len(), 40);
}
