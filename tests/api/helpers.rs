//! Starts the real server on 127.0.0.1:0 with a fresh SQLite file and bcrypt cost 4, and
//! talks to it over HTTP.

use clap::Parser;
use dualgate::config::{Cli, Command, StoreSettings};
use dualgate::service::account_users::{
    Admin, NewUserInput, add_account_user, operator_on, unlock_account_user,
};
use dualgate::service::accounts::create_account;
use dualgate::startup::{Application, open_operator_gateway};
use reqwest::redirect::Policy;
use reqwest::{Method, StatusCode};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tempfile::TempDir;

pub const OWNER: &str = "owner@example.com";
pub const OWNER_PASSWORD: &str = "Sturdy#Key-2026";
pub const API_PASSWORD: &str = "Magento#2026shop";
pub const V11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const V12: &str = "http://www.w3.org/2003/05/soap-envelope";
pub const V2_NS: &str = "http://apiconnector.com/v2";
pub const TYPES_NS: &str = "http://apiconnector.com";

/// A base URL and the client that talks to it: a server of the test process, one of several
/// gateway processes, or the load balancer in front of them.
#[derive(Clone)]
pub struct Endpoint {
    pub address: String,
    pub client: reqwest::Client,
}

/// A server in the test process; its endpoint's calls are its own (`Deref`).
pub struct TestApp {
    pub endpoint: Endpoint,
    /// The metrics listener's base URL, when `--metrics-bind` was given.
    pub metrics_address: Option<String>,
    pub db: PathBuf,
    handle: actix_web::dev::ServerHandle,
    /// Kept alive for the test's duration: the database lives in it.
    pub dir: Arc<TempDir>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Soap {
    V11,
    V12,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `ERROR_*` code: the last word of a REST message or a SOAP fault text.
    pub fn error_code(&self) -> String {
        let message = if self.body.trim_start().starts_with('{') {
            self.json()["message"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        } else {
            crate::xml::fault_text(&self.body).unwrap_or_default()
        };
        message.rsplit(' ').next().unwrap_or_default().to_owned()
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_in(Arc::new(tempfile::tempdir().unwrap())).await
}

/// Starts a server on the database in `dir` (a restart when it already holds one).
pub async fn spawn_app_in(dir: Arc<TempDir>) -> TestApp {
    spawn_app_with(dir, &[]).await
}

/// Starts a server with `dualgate serve`'s defaults (but, unless `flags` set them, bcrypt cost
/// 4 and a 64 KiB body limit), and `flags` on top, parsed as the command line parses them.
pub async fn spawn_app_with(dir: Arc<TempDir>, flags: &[&str]) -> TestApp {
    let db = dir.path().join("dualgate.db");
    let db_flag = db.to_str().unwrap();
    let base = [
        "dualgate",
        "serve",
        "--db",
        db_flag,
        "--bind",
        "127.0.0.1:0",
        "--owner-email",
        OWNER,
        "--owner-password",
        OWNER_PASSWORD,
    ];
    let defaults: Vec<&str> = [("--bcrypt-cost", "4"), ("--max-body-bytes", "65536")]
        .into_iter()
        .filter(|(flag, _)| !flags.contains(flag))
        .flat_map(|(flag, value)| [flag, value])
        .collect();
    let cli = Cli::try_parse_from(base.iter().chain(&defaults).chain(flags)).expect("valid flags");
    let Command::Serve(settings) = cli.command else {
        unreachable!("the serve command was parsed")
    };
    let application = Application::build(&settings).expect("the server starts");
    let address = format!("http://127.0.0.1:{}", application.port());
    let metrics_address = application
        .metrics_port()
        .map(|port| format!("http://127.0.0.1:{port}"));
    let handle = application.handle();
    tokio::spawn(application.run_until_stopped());
    TestApp {
        endpoint: Endpoint::new(address),
        metrics_address,
        db,
        handle,
        dir,
    }
}

impl std::ops::Deref for TestApp {
    type Target = Endpoint;

    fn deref(&self) -> &Endpoint {
        &self.endpoint
    }
}

impl std::ops::DerefMut for TestApp {
    fn deref_mut(&mut self) -> &mut Endpoint {
        &mut self.endpoint
    }
}

/// So that a helper can take servers of the test process and other endpoints alike.
impl AsRef<Endpoint> for TestApp {
    fn as_ref(&self) -> &Endpoint {
        &self.endpoint
    }
}

impl AsRef<Endpoint> for Endpoint {
    fn as_ref(&self) -> &Endpoint {
        self
    }
}

/// Starts a server on the PostgreSQL database `url` with `flags` on top: several of them on
/// one URL are several gateway instances sharing one database.
pub async fn spawn_on_database(url: &str, flags: &[&str]) -> TestApp {
    let flags = [&["--database-url", url], flags].concat();
    spawn_app_with(Arc::new(tempfile::tempdir().unwrap()), &flags).await
}

/// `count` instances on one fresh database of the test cluster, each with `flags`.
pub async fn instances_on_one_database(count: usize, flags: &[&str]) -> Vec<TestApp> {
    let url = crate::test_cluster::fresh_database_url();
    let mut apps = Vec::new();
    for _ in 0..count {
        apps.push(spawn_on_database(&url, flags).await);
    }
    apps
}

pub fn store_settings(db: &Path) -> StoreSettings {
    StoreSettings {
        db: db.to_owned(),
        database_url: None,
        bcrypt_cost: 4,
    }
}

impl TestApp {
    pub async fn stop(self) -> Arc<TempDir> {
        self.handle.stop(true).await;
        self.dir
    }

    /// Adds an account user through the same code as `dualgate user add`.
    pub fn add_account_user(
        &self,
        email: &str,
        password: &str,
        can_manage: bool,
        account: Option<i64>,
    ) {
        let gateway = open_operator_gateway(&store_settings(&self.db)).unwrap();
        let admin = Admin::operator(&gateway, account.map(dualgate::domain::AccountId)).unwrap();
        let input = NewUserInput {
            email,
            password,
            confirm_password: None,
            can_manage_account: can_manage,
        };
        add_account_user(&gateway, &admin, &input).expect("account user added");
    }

    /// Unlocks an account user through the same code as `dualgate user unlock`.
    pub fn unlock_account_user(&self, email: &str) {
        let gateway = open_operator_gateway(&store_settings(&self.db)).unwrap();
        let (admin, user) = operator_on(&gateway, email).unwrap();
        unlock_account_user(&gateway, &admin, user.id).expect("account user unlocked");
    }

    /// Creates a second account through the same code as `dualgate account create`.
    pub fn create_account(&self, name: &str, owner: &str, password: &str) -> i64 {
        let gateway = open_operator_gateway(&store_settings(&self.db)).unwrap();
        create_account(&gateway, name, owner, password).unwrap().0
    }

    /// Reads one column of an API user straight from the SQLite file.
    pub fn stored_api_users(&self) -> Vec<StoredApiUser> {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        let mut statement = conn
            .prepare(
                "SELECT login, description, status, tiered_rate_limit, locked, password_hash
                 FROM api_users ORDER BY id",
            )
            .unwrap();
        statement
            .query_map([], |row| {
                Ok(StoredApiUser {
                    login: row.get(0)?,
                    description: row.get(1)?,
                    status: row.get(2)?,
                    tiered: row.get(3)?,
                    locked: row.get(4)?,
                    password_hash: row.get(5)?,
                })
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }
}

impl Endpoint {
    pub fn new(address: String) -> Endpoint {
        Endpoint {
            address,
            client: reqwest::Client::new(),
        }
    }

    pub async fn rest(
        &self,
        method: Method,
        path: &str,
        auth: Option<(&str, &str)>,
        body: Option<serde_json::Value>,
    ) -> Reply {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address));
        if let Some((login, password)) = auth {
            request = request.basic_auth(login, Some(password));
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        into_reply(request.send().await.expect("request sent")).await
    }

    pub async fn owner_get(&self, path: &str) -> Reply {
        self.rest(Method::GET, path, Some((OWNER, OWNER_PASSWORD)), None)
            .await
    }

    /// `GET /v2/account-info` as the given principal: the simplest authenticated call.
    pub async fn account_info_as(&self, login: &str, password: &str) -> Reply {
        self.rest(
            Method::GET,
            "/v2/account-info",
            Some((login, password)),
            None,
        )
        .await
    }

    /// Sends the wrong passwords numbered `numbers` as `login`, each answered 401 (a number
    /// sent again counts once toward the lockout).
    pub async fn wrong_passwords(&self, login: &str, numbers: std::ops::Range<usize>) {
        for n in numbers {
            let reply = self
                .account_info_as(login, &format!("Wrong#Guess-{n}"))
                .await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        }
    }

    /// Creates an API user over REST as the owner and returns its JSON.
    pub async fn create_api_user(&self, description: &str) -> serde_json::Value {
        let reply = self.post_api_user(description).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.json()
    }

    /// Asks to create an API user with `API_PASSWORD` over REST, as the owner.
    pub async fn post_api_user(&self, description: &str) -> Reply {
        self.rest(
            Method::POST,
            "/v2/api-users",
            Some((OWNER, OWNER_PASSWORD)),
            Some(serde_json::json!({
                "description": description,
                "password": API_PASSWORD,
                "confirmPassword": API_PASSWORD
            })),
        )
        .await
    }

    /// Sets API user `id`'s password over REST, as the owner.
    pub async fn set_api_user_password(&self, id: &str, password: &str) -> Reply {
        self.rest(
            Method::PUT,
            &format!("/v2/api-users/{id}/password"),
            Some((OWNER, OWNER_PASSWORD)),
            Some(serde_json::json!({"password": password, "confirmPassword": password})),
        )
        .await
    }

    /// The emails `GetApiUsers` lists, asked as the owner over SOAP 1.2.
    pub async fn emails_listed_over_soap(&self) -> Vec<String> {
        let list = self
            .soap(
                Soap::V12,
                Some((OWNER, OWNER_PASSWORD)),
                &format!(r#"<GetApiUsers xmlns="{V2_NS}"/>"#),
            )
            .await;
        let payload = crate::xml::body_payload(&list.body);
        let users = payload.child(V2_NS, "GetApiUsersResult").unwrap();
        users
            .children
            .iter()
            .map(|user| user.child_text(TYPES_NS, "Email").unwrap())
            .collect()
    }

    /// The descriptions `GET /v2/api-users` lists, asked as the owner.
    pub async fn descriptions_listed_over_rest(&self) -> Vec<String> {
        let listed = self.owner_get("/v2/api-users").await.json();
        listed
            .as_array()
            .unwrap()
            .iter()
            .map(|user| user["description"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Posts a SOAP envelope around `payload`.
    pub async fn soap(&self, version: Soap, auth: Option<(&str, &str)>, payload: &str) -> Reply {
        self.soap_raw(version, auth, &envelope(version, payload), None)
            .await
    }

    /// Posts a whole document to the SOAP URL with the version's Content-Type.
    pub async fn soap_raw(
        &self,
        version: Soap,
        auth: Option<(&str, &str)>,
        document: &str,
        action: Option<&str>,
    ) -> Reply {
        let content_type = match (version, action) {
            (Soap::V11, _) => "text/xml; charset=utf-8".to_owned(),
            (Soap::V12, None) => "application/soap+xml; charset=utf-8".to_owned(),
            (Soap::V12, Some(a)) => format!("application/soap+xml; charset=utf-8; action=\"{a}\""),
        };
        let mut request = self
            .client
            .post(format!("{}/v2/Api.svc", self.address))
            .header("Content-Type", content_type)
            .body(document.to_owned());
        if let (Soap::V11, Some(action)) = (version, action) {
            request = request.header("SOAPAction", format!("\"{action}\""));
        }
        if let Some((login, password)) = auth {
            request = request.basic_auth(login, Some(password));
        }
        into_reply(request.send().await.expect("request sent")).await
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredApiUser {
    pub login: String,
    pub description: String,
    pub status: String,
    pub tiered: bool,
    pub locked: bool,
    pub password_hash: String,
}

pub fn envelope(version: Soap, payload: &str) -> String {
    let namespace = match version {
        Soap::V11 => V11,
        Soap::V12 => V12,
    };
    format!(r#"<s:Envelope xmlns:s="{namespace}"><s:Body>{payload}</s:Body></s:Envelope>"#)
}

pub async fn into_reply(response: reqwest::Response) -> Reply {
    Reply {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.text().await.unwrap(),
    }
}

pub fn fixture(path: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(path),
    )
    .unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

/// A browser without JavaScript, to be built: it keeps cookies (per host, so for 127.0.0.1
/// whatever the port, as browsers do) and shows each redirect instead of following it.
pub fn browser_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
}

/// `browser_builder` as it is.
pub fn browser() -> reqwest::Client {
    browser_builder().build().unwrap()
}
