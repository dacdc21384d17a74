//! The writes the durability tests make, as the owner, over REST or SOAP, against a server
//! that runs in this process or as the real binary; and what each one answered.

use crate::helpers::*;
use crate::xml::body_payload;
use reqwest::{Method, StatusCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Rest,
    Soap(Soap),
}

impl Protocol {
    /// REST, SOAP 1.1 and SOAP 1.2 in turn.
    pub fn nth(n: usize) -> Protocol {
        [
            Protocol::Rest,
            Protocol::Soap(Soap::V11),
            Protocol::Soap(Soap::V12),
        ][n % 3]
    }
}

/// An API user whose create was acknowledged: 201 on REST, a `CreateApiUserResult` on SOAP.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Created {
    pub id: i64,
    pub email: String,
    pub description: String,
}

#[derive(Clone)]
pub struct Remote {
    pub address: String,
    pub client: reqwest::Client,
}

impl Remote {
    pub fn of(app: &TestApp) -> Remote {
        Remote {
            address: app.address.clone(),
            client: app.client.clone(),
        }
    }

    pub fn at_port(port: u16) -> Remote {
        Remote {
            address: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::new(),
        }
    }

    /// Creates an API user; `email` asks for that login instead of a generated one.
    pub async fn create(
        &self,
        protocol: Protocol,
        description: &str,
        email: Option<&str>,
    ) -> reqwest::Result<Reply> {
        match protocol {
            Protocol::Rest => {
                let mut body = serde_json::json!({
                    "description": description,
                    "password": API_PASSWORD,
                });
                if let Some(email) = email {
                    body["email"] = email.into();
                }
                self.rest(Method::POST, "/v2/api-users", Some(body)).await
            }
            Protocol::Soap(version) => {
                let email = email
                    .map(|e| format!("<a:Email>{e}</a:Email>"))
                    .unwrap_or_default();
                let payload = format!(
                    r#"<CreateApiUser xmlns="{V2_NS}"><apiUser xmlns:a="{TYPES_NS}">{email}<a:Description>{description}</a:Description><a:Password>{API_PASSWORD}</a:Password></apiUser></CreateApiUser>"#
                );
                self.soap(version, &payload).await
            }
        }
    }

    /// Changes an API user's description.
    pub async fn update(
        &self,
        protocol: Protocol,
        id: i64,
        description: &str,
    ) -> reqwest::Result<Reply> {
        match protocol {
            Protocol::Rest => {
                let body = serde_json::json!({"description": description});
                self.rest(Method::PUT, &format!("/v2/api-users/{id}"), Some(body))
                    .await
            }
            Protocol::Soap(version) => {
                let payload = format!(
                    r#"<UpdateApiUser xmlns="{V2_NS}"><id>{id}</id><apiUser xmlns:a="{TYPES_NS}"><a:Description>{description}</a:Description></apiUser></UpdateApiUser>"#
                );
                self.soap(version, &payload).await
            }
        }
    }

    pub async fn delete(&self, protocol: Protocol, id: i64) -> reqwest::Result<Reply> {
        match protocol {
            Protocol::Rest => {
                self.rest(Method::DELETE, &format!("/v2/api-users/{id}"), None)
                    .await
            }
            Protocol::Soap(version) => {
                let payload =
                    format!(r#"<DeleteApiUser xmlns="{V2_NS}"><id>{id}</id></DeleteApiUser>"#);
                self.soap(version, &payload).await
            }
        }
    }

    /// A GET as the owner.
    pub async fn get(&self, path: &str) -> reqwest::Result<Reply> {
        self.rest(Method::GET, path, None).await
    }

    /// A GET as another principal.
    pub async fn get_as(&self, path: &str, login: &str, password: &str) -> reqwest::Result<Reply> {
        let request = self
            .client
            .get(format!("{}{path}", self.address))
            .basic_auth(login, Some(password));
        reply(request).await
    }

    async fn rest(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> reqwest::Result<Reply> {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address))
            .basic_auth(OWNER, Some(OWNER_PASSWORD));
        if let Some(body) = body {
            request = request.json(&body);
        }
        reply(request).await
    }

    async fn soap(&self, version: Soap, payload: &str) -> reqwest::Result<Reply> {
        let content_type = match version {
            Soap::V11 => "text/xml; charset=utf-8",
            Soap::V12 => "application/soap+xml; charset=utf-8",
        };
        let request = self
            .client
            .post(format!("{}/v2/Api.svc", self.address))
            .basic_auth(OWNER, Some(OWNER_PASSWORD))
            .header("Content-Type", content_type)
            .body(envelope(version, payload));
        reply(request).await
    }
}

async fn reply(request: reqwest::RequestBuilder) -> reqwest::Result<Reply> {
    let response = request.send().await?;
    Ok(Reply {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.text().await?,
    })
}

/// The API user a create answered with, when it was acknowledged.
pub fn created(reply: &Reply) -> Option<Created> {
    if reply.status == StatusCode::CREATED {
        let user = reply.json();
        return Some(Created {
            id: user["id"].as_i64()?,
            email: user["email"].as_str()?.to_owned(),
            description: user["description"].as_str()?.to_owned(),
        });
    }
    if reply.status == StatusCode::OK {
        let result = body_payload(&reply.body);
        let user = result.child(V2_NS, "CreateApiUserResult")?;
        return Some(Created {
            id: user.child_text(TYPES_NS, "Id")?.parse().ok()?,
            email: user.child_text(TYPES_NS, "Email")?,
            description: user.child_text(TYPES_NS, "Description")?,
        });
    }
    None
}
