//! The Access page through the real server, as a browser without JavaScript uses it: forms,
//! cookies and redirects. What a user sees (status, HTML) and what is stored are both checked.

use crate::helpers::{
    API_PASSWORD, OWNER, OWNER_PASSWORD, Reply, TestApp, browser, spawn_app, spawn_app_with,
};
use reqwest::StatusCode;
use reqwest::header::{LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use std::sync::Arc;

const LIST: &str = "/settings/access/api-users";
const NEW: &str = "/settings/access/api-users/new";
const USERS: &str = "/settings/access/users";
const NEW_ACCOUNT_USER: &str = "/settings/access/users/new";
const CLERK: &str = "clerk@example.com";
const CLERK_PASSWORD: &str = "Quiet#Harbor-41";
const NEW_PASSWORD: &str = "Fresh#Secret-2027";

/// A cookie-keeping client that does not follow redirects, so that each 303 is seen.
struct Browser {
    app: Arc<TestApp>,
    client: reqwest::Client,
}

impl Browser {
    async fn open() -> Browser {
        Browser::on(spawn_app().await)
    }

    fn on(app: TestApp) -> Browser {
        Browser::sharing(Arc::new(app))
    }

    fn sharing(app: Arc<TestApp>) -> Browser {
        Browser {
            app,
            client: browser(),
        }
    }

    /// A second browser, with its own cookies, on the same server.
    fn on_same_server(other: &Browser) -> Browser {
        Browser::sharing(other.app.clone())
    }

    /// Another browser on the same server, with no cookies.
    fn stranger(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(Policy::none())
            .build()
            .unwrap()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.app.address)
    }

    async fn get(&self, path: &str) -> Reply {
        send(self.client.get(self.url(path))).await
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Reply {
        send(self.client.post(self.url(path)).form(form)).await
    }

    async fn sign_in(&self, email: &str, password: &str) -> Reply {
        let page = self.get("/sign-in").await;
        assert_eq!(page.status, StatusCode::OK);
        let csrf = csrf_of(&page.body);
        self.post_form(
            "/sign-in",
            &csrf,
            &[("email", email), ("password", password)],
        )
        .await
    }

    async fn sign_in_as_owner(&self) {
        let reply = self.sign_in(OWNER, OWNER_PASSWORD).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        assert_eq!(reply.header("location"), Some(LIST));
    }

    /// A browser on a fresh server, signed in as the account's owner.
    async fn owner() -> Browser {
        let browser = Browser::open().await;
        browser.sign_in_as_owner().await;
        browser
    }

    /// Adds an account user to the server's account and signs in as them.
    async fn sign_in_as_new_account_user(
        &self,
        email: &str,
        password: &str,
        can_manage_account: bool,
    ) -> Reply {
        self.app
            .add_account_user(email, password, can_manage_account, None);
        self.sign_in(email, password).await
    }

    /// Posts a form: the CSRF token `csrf` first, then `fields`.
    async fn post_form(&self, path: &str, csrf: &str, fields: &[(&str, &str)]) -> Reply {
        let mut form = vec![("csrf", csrf)];
        form.extend_from_slice(fields);
        self.post(path, &form).await
    }

    /// Saves the new-user form with the email left empty (so generated) and `API_PASSWORD`.
    async fn add_through_form(&self, csrf: &str, description: &str) -> Reply {
        self.post(
            NEW,
            &new_user_form(csrf, "", description, API_PASSWORD, API_PASSWORD),
        )
        .await
    }

    /// An API user created through the REST API: its id and email.
    async fn api_user(&self, description: &str) -> (i64, String) {
        let user = self.app.create_api_user(description).await;
        let id = user["id"].as_i64().unwrap();
        (id, user["email"].as_str().unwrap().to_owned())
    }

    /// Whether the list page, fetched now, shows `text`.
    async fn list_shows(&self, text: &str) -> bool {
        self.get(LIST).await.body.contains(text)
    }

    /// The owner's sign-in form posted with `token` by a browser with no cookies, carrying
    /// only `cookie` if one is given.
    async fn stranger_signs_in(&self, token: &str, cookie: Option<String>) -> Reply {
        let mut request = self.stranger().post(self.url("/sign-in"));
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        send(request.form(&[
            ("csrf", token),
            ("email", OWNER),
            ("password", OWNER_PASSWORD),
        ]))
        .await
    }

    /// A page fetched by a browser with no cookies but `cookie`.
    async fn stranger_gets(&self, path: &str, cookie: String) -> Reply {
        send(self.stranger().get(self.url(path)).header("Cookie", cookie)).await
    }

    /// The session's CSRF token, as the list page's sign-out form carries it.
    async fn csrf(&self) -> String {
        csrf_of(&self.get(LIST).await.body)
    }

    fn web_sessions(&self) -> i64 {
        let conn = rusqlite::Connection::open(&self.app.db).unwrap();
        conn.query_row("SELECT COUNT(*) FROM web_sessions", [], |row| row.get(0))
            .unwrap()
    }

    fn sql(&self, statement: &str) {
        let conn = rusqlite::Connection::open(&self.app.db).unwrap();
        conn.execute(statement, []).unwrap();
    }

    /// An account user as stored: id, "Can manage account", locked and password hash.
    fn stored_account_user(&self, login: &str) -> Option<(i64, bool, bool, String)> {
        let conn = rusqlite::Connection::open(&self.app.db).unwrap();
        conn.query_row(
            "SELECT id, can_manage_account, locked, password_hash FROM account_users
             WHERE login = ?1",
            [login],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .ok()
    }

    fn account_user_page(&self, login: &str) -> String {
        format!("{USERS}/{}", self.stored_account_user(login).unwrap().0)
    }

    /// The audit trail's actions, targets and protocols, oldest first.
    fn audit_trail(&self) -> Vec<(String, String, String)> {
        let conn = rusqlite::Connection::open(&self.app.db).unwrap();
        let mut statement = conn
            .prepare("SELECT action, target, protocol FROM audit_events ORDER BY id")
            .unwrap();
        statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }
}

/// Sends `request` and reads the whole reply.
async fn send(request: reqwest::RequestBuilder) -> Reply {
    reply(request.send().await.unwrap()).await
}

async fn reply(response: reqwest::Response) -> Reply {
    Reply {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.text().await.unwrap(),
    }
}

/// The value of the first `csrf` hidden field of a page.
pub fn csrf_of(html: &str) -> String {
    let marker = r#"name="csrf" value=""#;
    let start = html.find(marker).expect("a form with a CSRF token") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// The HTML of one form field: its label, input, error and hint.
fn field<'a>(html: &'a str, name: &str) -> &'a str {
    let start = html
        .find(&format!(r#"id="field-{name}""#))
        .unwrap_or_else(|| panic!("no field {name} in {html}"));
    let end_tag = if name == "status" {
        "</fieldset>"
    } else {
        "</div>"
    };
    let end = html[start..].find(end_tag).unwrap() + start;
    &html[start..end]
}

fn set_cookies(reply: &Reply) -> Vec<String> {
    reply
        .headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

fn cookie_named(reply: &Reply, name: &str) -> String {
    set_cookies(reply)
        .into_iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie in {:?}", set_cookies(reply)))
}

fn assert_security_headers(reply: &Reply) {
    let policy = reply.header("content-security-policy").unwrap_or_default();
    assert!(policy.contains("default-src 'self'"), "{policy}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert_eq!(reply.header("x-frame-options"), Some("DENY"));
    assert!(reply.header("referrer-policy").is_some());
    assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(reply.header("cache-control"), Some("no-store"));
}

fn new_user_form<'a>(
    csrf: &'a str,
    email: &'a str,
    description: &'a str,
    password: &'a str,
    confirmation: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("email", email),
        ("description", description),
        ("password", password),
        ("confirm_password", confirmation),
        ("status", "Enabled"),
    ]
}

/// The generated email the new-user form offers.
fn offered_email(html: &str) -> String {
    let input = field(html, "email");
    let marker = r#"value=""#;
    let start = input.find(marker).unwrap() + marker.len();
    input[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn signed_out_visitors_are_sent_to_sign_in() {
    let browser = Browser::open().await;
    let root = browser.get("/").await;
    assert_eq!(root.status, StatusCode::SEE_OTHER);
    assert_eq!(root.header("location"), Some(LIST));
    for path in [LIST, NEW, "/settings/access/api-users/1"] {
        let page = browser.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(page.header("location"), Some("/sign-in"), "{path}");
    }
    let form = browser.post(NEW, &[("csrf", "x")]).await;
    assert_eq!(form.header("location"), Some("/sign-in"));
}

#[tokio::test]
async fn the_sign_in_page_is_a_form_with_a_strict_cookie_and_security_headers() {
    let browser = Browser::open().await;
    let page = browser.get("/sign-in").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<h1>Sign in</h1>"));
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert_security_headers(&page);
    let cookie = cookie_named(&page, "dualgate-sign-in");
    assert!(cookie.contains(&format!("={}", csrf_of(&page.body))));
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/sign-in"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "http public URL: {cookie}");
    let stylesheet = browser.get("/assets/access.css").await;
    assert_eq!(stylesheet.status, StatusCode::OK);
    assert_eq!(
        stylesheet.header("content-type"),
        Some("text/css; charset=utf-8")
    );
    assert!(page.body.contains(r#"href="/assets/favicon.svg""#));
    let icon = browser.get("/assets/favicon.svg").await;
    assert_eq!(icon.header("content-type"), Some("image/svg+xml"));
}

#[tokio::test]
async fn the_owner_signs_in_and_sees_the_api_users_tab_with_the_endpoints() {
    let browser = Browser::open().await;
    let signed_in = browser.sign_in(OWNER, OWNER_PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    let session = cookie_named(&signed_in, "dualgate-session");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(session.contains(attribute), "{session}");
    }
    assert!(!session.contains("Secure"), "{session}");
    assert!(
        !session.contains("Max-Age") && !session.contains("Expires"),
        "the server keeps the expiry: {session}"
    );
    assert!(cookie_named(&signed_in, "dualgate-sign-in").contains("Max-Age=0"));
    assert_eq!(browser.web_sessions(), 1);

    let page = browser.get(LIST).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_security_headers(&page);
    assert!(page.body.contains("API users"));
    assert!(
        page.body.contains(OWNER),
        "the top bar names who is signed in"
    );
    assert!(page.body.contains(&format!("{}/v2/", browser.app.address)));
    assert!(
        page.body
            .contains(&format!("{}/v2/Api.svc?wsdl", browser.app.address))
    );
    assert!(page.body.contains("No API users yet."));
    assert!(
        page.body
            .contains(r#"href="/settings/access/api-users/new""#)
    );
}

#[tokio::test]
async fn the_sidebars_settings_menu_leads_to_the_access_pages_tabs() {
    let browser = Browser::owner().await;
    let page = browser.get(LIST).await.body;
    let sidebar = between(
        &page,
        r#"<nav class="sidebar" aria-label="Main">"#,
        "</nav>",
    );
    assert!(
        sidebar.contains(r#"<summary title="Settings">"#)
            && sidebar.contains(r#"<span class="visually-hidden">Settings</span>"#),
        "{sidebar}"
    );
    assert!(
        sidebar.contains(r#"<ul class="menu" aria-label="Settings"><li><a href="/settings/access/api-users">Access</a>"#),
        "{sidebar}"
    );
    let tabs = between(&page, r#"<nav class="tabs" aria-label="Access">"#, "</nav>");
    assert!(
        tabs.contains(r#"<a class="tab active" href="/settings/access/api-users" aria-current="page">API users</a>"#),
        "{tabs}"
    );
    let signed_out = Browser::open().await.get("/sign-in").await.body;
    assert!(!signed_out.contains("sidebar"), "no sidebar before sign-in");
}

/// The part of `html` from `start` to the next `end`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in {html}"));
    let rest = &html[from..];
    &rest[..rest.find(end).map_or(rest.len(), |at| at + end.len())]
}

#[tokio::test]
async fn cookies_are_secure_and_host_bound_when_the_public_url_is_https() {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let app = spawn_app_with(dir, &["--public-url", "https://gateway.example/"]).await;
    let browser = Browser::on(app);
    let page = browser.get("/sign-in").await;
    let sign_in_cookie = cookie_named(&page, "__Secure-dualgate-sign-in");
    assert!(sign_in_cookie.contains("Secure"), "{sign_in_cookie}");
    let token = csrf_of(&page.body);
    // Secure cookies are not sent back over http by a cookie store: send it by hand.
    let cookie = format!("__Secure-dualgate-sign-in={token}");
    let signed_in = browser.stranger_signs_in(&token, Some(cookie)).await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    let session = cookie_named(&signed_in, "__Host-dualgate-session");
    for attribute in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(session.contains(attribute), "{session}");
    }
    let value = session.split(';').next().unwrap().to_owned();
    let list = browser.stranger_gets(LIST, value).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body
            .contains("https://gateway.example/v2/Api.svc?wsdl")
    );
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_the_email_kept_and_no_session() {
    let browser = Browser::open().await;
    let refused = browser.sign_in(OWNER, "Wrong#Secret-1").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let challenge = refused.header("www-authenticate").unwrap();
    assert!(
        !challenge.starts_with("Basic"),
        "no browser dialog: {challenge}"
    );
    assert!(refused.body.contains("ERROR_INVALID_LOGIN"));
    assert!(refused.body.contains("not right"));
    assert!(refused.body.contains(&format!(r#"value="{OWNER}""#)));
    assert!(!refused.body.contains("Wrong#Secret-1"));
    assert!(
        set_cookies(&refused)
            .iter()
            .all(|c| !c.starts_with("dualgate-session"))
    );
    assert_eq!(browser.web_sessions(), 0);
    assert_eq!(browser.get(LIST).await.status, StatusCode::SEE_OTHER);

    let unknown = browser.sign_in("nobody@example.com", OWNER_PASSWORD).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn api_users_cannot_sign_in_to_the_page() {
    let browser = Browser::open().await;
    let (_, email) = browser.api_user("Magento shop").await;
    let refused = browser.sign_in(&email, API_PASSWORD).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused
            .body
            .contains("API users cannot sign in to this page")
    );
    assert!(!refused.body.contains(API_PASSWORD));
    assert_eq!(browser.web_sessions(), 0);
    assert_eq!(browser.get(LIST).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sign_in_without_the_forms_token_is_refused() {
    let browser = Browser::open().await;
    let page = browser.get("/sign-in").await;
    let token = csrf_of(&page.body);
    let credentials = [("email", OWNER), ("password", OWNER_PASSWORD)];
    let missing = browser.post("/sign-in", &credentials).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    let wrong = [
        ("csrf", "not-the-token"),
        ("email", OWNER),
        ("password", OWNER_PASSWORD),
    ];
    assert_eq!(
        browser.post("/sign-in", &wrong).await.status,
        StatusCode::FORBIDDEN
    );
    // The form's token without its cookie (another site's page posting here) is refused too.
    let cookieless = browser.stranger_signs_in(&token, None).await;
    assert_eq!(cookieless.status, StatusCode::FORBIDDEN);
    assert!(cookieless.body.contains("Nothing was changed"));
    assert_eq!(browser.web_sessions(), 0);
}

#[tokio::test]
async fn a_new_user_saved_through_the_form_appears_in_the_list_and_can_call_the_api() {
    let browser = Browser::owner().await;
    let form = browser.get(NEW).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_security_headers(&form);
    let email = offered_email(&form.body);
    assert!(email.starts_with("apiuser-") && email.ends_with("@apiconnector.com"));
    assert!(
        field(&form.body, "status").contains(r#"value="Enabled" checked"#),
        "Enabled is selected"
    );
    let csrf = csrf_of(&form.body);

    let saved = browser
        .post(
            NEW,
            &new_user_form(&csrf, &email, "Magento shop", API_PASSWORD, API_PASSWORD),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.header("location"), Some(LIST));

    let list = browser.get(LIST).await;
    assert!(list.body.contains(&format!("API user {email} was added.")));
    assert!(list.body.contains(&email));
    assert!(list.body.contains("Magento shop"));
    assert!(list.body.contains("Never"), "last used");
    assert!(
        !browser.list_shows("was added").await,
        "the flash shows once"
    );

    let stored = browser.app.stored_api_users();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].login, email);
    assert_eq!(stored[0].description, "Magento shop");
    assert_eq!(stored[0].status, "Enabled");
    assert!(stored[0].password_hash.starts_with("$2"));
    let call = browser.app.account_info_as(&email, API_PASSWORD).await;
    assert_eq!(call.status, StatusCode::OK, "{}", call.body);
}

#[tokio::test]
async fn an_emptied_email_gets_a_generated_one() {
    let browser = Browser::owner().await;
    let csrf = browser.csrf().await;
    let saved = browser.add_through_form(&csrf, "ERP").await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert!(
        browser.app.stored_api_users()[0]
            .login
            .starts_with("apiuser-")
    );
}

#[tokio::test]
async fn form_errors_show_next_to_their_field_with_input_kept_and_passwords_not_echoed() {
    let browser = Browser::owner().await;
    let (_, taken) = browser.api_user("First").await;
    let csrf = browser.csrf().await;
    let email = "shop@apiconnector.com";
    let long = "d".repeat(256);
    let cases: [(&str, &str, &str, &str, StatusCode, &str, &str); 5] = [
        (
            email,
            "Shop <b>bold</b>",
            "short1",
            "short1",
            StatusCode::BAD_REQUEST,
            "password",
            "ERROR_WEAK_PASSWORD",
        ),
        (
            email,
            "Shop",
            API_PASSWORD,
            "Magento#2026shoP",
            StatusCode::BAD_REQUEST,
            "confirm_password",
            "ERROR_PASSWORDS_DO_NOT_MATCH",
        ),
        (
            "shop@example.com",
            "Shop",
            API_PASSWORD,
            API_PASSWORD,
            StatusCode::BAD_REQUEST,
            "email",
            "ERROR_PARAMETER_INVALID",
        ),
        (
            &taken,
            "Shop",
            API_PASSWORD,
            API_PASSWORD,
            StatusCode::CONFLICT,
            "email",
            "ERROR_INVALID_APIUSEREXISTS",
        ),
        (
            email,
            &long,
            API_PASSWORD,
            API_PASSWORD,
            StatusCode::BAD_REQUEST,
            "description",
            "ERROR_PARAMETER_INVALID",
        ),
    ];
    for (email, description, password, confirmation, status, at, code) in cases {
        let page = browser
            .post(
                NEW,
                &new_user_form(&csrf, email, description, password, confirmation),
            )
            .await;
        assert_eq!(page.status, status, "{code}");
        assert_security_headers(&page);
        let block = field(&page.body, at);
        assert!(block.contains(code), "{code} not at {at}: {block}");
        assert!(block.contains(r#"aria-invalid="true""#), "{block}");
        assert_eq!(page.body.matches("ERROR_").count(), 1, "one error shown");
        assert!(field(&page.body, "email").contains(&format!(r#"value="{email}""#)));
        if description.len() < 100 {
            let kept = description.replace('<', "&lt;").replace('>', "&gt;");
            assert!(
                field(&page.body, "description").contains(&kept),
                "description kept"
            );
        }
        assert!(!page.body.contains(password), "password echoed for {code}");
        assert!(!page.body.contains(confirmation), "confirmation echoed");
    }
    assert_eq!(browser.app.stored_api_users().len(), 1, "nothing saved");
}

#[tokio::test]
async fn a_status_kept_after_an_error_stays_selected() {
    let browser = Browser::owner().await;
    let csrf = browser.csrf().await;
    let mut form = new_user_form(&csrf, "", "Shop", "short1", "short1");
    form.retain(|(name, _)| *name != "status");
    form.push(("status", "Disabled"));
    let page = browser.post(NEW, &form).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(field(&page.body, "status").contains(r#"value="Disabled" checked"#));
}

#[tokio::test]
async fn forms_without_the_sessions_token_change_nothing() {
    let browser = Browser::owner().await;
    let (id, email) = browser.api_user("Keep me").await;
    browser.sql("UPDATE api_users SET locked = 1");
    let before = browser.app.stored_api_users();
    let base = format!("{LIST}/{id}");
    let forms: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            NEW.to_owned(),
            new_user_form("", "", "New", API_PASSWORD, API_PASSWORD)[1..].to_vec(),
        ),
        (
            base.clone(),
            vec![("description", "Changed"), ("status", "Disabled")],
        ),
        (
            format!("{base}/password"),
            vec![
                ("password", NEW_PASSWORD),
                ("confirm_password", NEW_PASSWORD),
            ],
        ),
        (format!("{base}/unlock"), vec![]),
        (format!("{base}/delete"), vec![]),
        ("/sign-out".to_owned(), vec![]),
    ];
    for (path, fields) in forms {
        let missing = browser.post(&path, &fields).await;
        assert_eq!(
            missing.status,
            StatusCode::FORBIDDEN,
            "{path} without a token"
        );
        assert!(missing.body.contains("This form was refused"));
        let mut wrong = fields.clone();
        wrong.push(("csrf", "forged-token"));
        let forged = browser.post(&path, &wrong).await;
        assert_eq!(
            forged.status,
            StatusCode::FORBIDDEN,
            "{path} with a wrong token"
        );
    }
    assert_eq!(browser.app.stored_api_users(), before);
    assert_eq!(browser.web_sessions(), 1, "still signed in");
    assert_eq!(
        browser
            .app
            .account_info_as(&email, API_PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "still locked, old password"
    );
}

#[tokio::test]
async fn editing_disables_sets_the_password_unlocks_and_deletes() {
    let browser = Browser::owner().await;
    let (id, email) = browser.api_user("Magento shop").await;
    let page = format!("{LIST}/{id}");

    let edit = browser.get(&page).await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(edit.body.contains(&email));
    assert!(field(&edit.body, "description").contains(r#"value="Magento shop""#));
    assert!(!edit.body.contains("Unlock"), "not locked");
    let csrf = csrf_of(&edit.body);

    let saved = browser
        .post_form(
            &page,
            &csrf,
            &[("description", "Magento (old)"), ("status", "Disabled")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(
        browser
            .list_shows(&format!("Changes to {email} were saved."))
            .await
    );
    let stored = &browser.app.stored_api_users()[0];
    assert_eq!(
        (stored.description.as_str(), stored.status.as_str()),
        ("Magento (old)", "Disabled")
    );
    let refused = browser.app.account_info_as(&email, API_PASSWORD).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.error_code(), "ERROR_INVALID_LOGIN");

    let invalid = browser
        .post_form(&page, &csrf, &[("status", "Sleeping")])
        .await;
    assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
    assert!(field(&invalid.body, "status").contains("ERROR_PARAMETER_INVALID"));

    let password_page = format!("{page}/password");
    let mismatch = browser
        .post_form(
            &password_page,
            &csrf,
            &[
                ("password", NEW_PASSWORD),
                ("confirm_password", "Other#Secret-2027"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::BAD_REQUEST);
    assert!(field(&mismatch.body, "confirm_password").contains("ERROR_PASSWORDS_DO_NOT_MATCH"));
    assert!(!mismatch.body.contains(NEW_PASSWORD));
    let set = browser
        .post_form(
            &password_page,
            &csrf,
            &[
                ("password", NEW_PASSWORD),
                ("confirm_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER);
    browser
        .post_form(&page, &csrf, &[("status", "Enabled")])
        .await;
    assert_eq!(
        browser
            .app
            .account_info_as(&email, NEW_PASSWORD)
            .await
            .status,
        StatusCode::OK
    );

    browser.sql("UPDATE api_users SET locked = 1");
    let locked = browser.get(&page).await;
    assert!(locked.body.contains("Unlock"));
    let unlocked = browser
        .post_form(&format!("{page}/unlock"), &csrf, &[])
        .await;
    assert_eq!(unlocked.status, StatusCode::SEE_OTHER);
    assert!(!browser.app.stored_api_users()[0].locked);
    assert!(browser.list_shows(&format!("{email} was unlocked.")).await);

    let confirm = browser.get(&format!("{page}/delete")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains(&format!("Delete {email}?")));
    assert_eq!(
        browser.app.stored_api_users().len(),
        1,
        "asking deletes nothing"
    );
    let deleted = browser
        .post_form(&format!("{page}/delete"), &csrf, &[])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert!(browser.app.stored_api_users().is_empty());
    let list = browser.get(LIST).await;
    assert!(
        list.body
            .contains(&format!("API user {email} was deleted."))
    );
    assert_eq!(browser.get(&page).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn account_users_without_can_manage_account_get_a_clear_403() {
    let browser = Browser::open().await;
    let signed_in = browser
        .sign_in_as_new_account_user("clerk@example.com", "Quiet#Harbor-41", false)
        .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    let (id, _) = browser.api_user("Shop").await;
    for path in [
        LIST.to_owned(),
        NEW.to_owned(),
        format!("{LIST}/{id}"),
        format!("{LIST}/{id}/delete"),
    ] {
        let page = browser.get(&path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(
            page.body
                .contains("You need the “Can manage account” permission"),
            "{path}"
        );
        assert!(page.body.contains("Sign out"), "{path}");
    }
    let csrf = csrf_of(&browser.get(LIST).await.body);
    let create = browser.add_through_form(&csrf, "Sneaky").await;
    assert_eq!(create.status, StatusCode::FORBIDDEN);
    let delete = browser
        .post_form(&format!("{LIST}/{id}/delete"), &csrf, &[])
        .await;
    assert_eq!(delete.status, StatusCode::FORBIDDEN);
    assert_eq!(browser.app.stored_api_users().len(), 1);
}

#[tokio::test]
async fn account_users_with_can_manage_account_manage_api_users() {
    let browser = Browser::open().await;
    browser
        .sign_in_as_new_account_user("admin@example.com", "Bright#Meadow-52", true)
        .await;
    let csrf = browser.csrf().await;
    let saved = browser.add_through_form(&csrf, "ERP").await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert!(browser.list_shows("ERP").await);
}

#[tokio::test]
async fn signing_out_ends_the_session_for_good() {
    let browser = Browser::open().await;
    let signed_in = browser.sign_in(OWNER, OWNER_PASSWORD).await;
    let old_cookie = cookie_named(&signed_in, "dualgate-session")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let csrf = browser.csrf().await;
    let signed_out = browser.post_form("/sign-out", &csrf, &[]).await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
    assert_eq!(signed_out.header("location"), Some("/sign-in?signed-out"));
    assert!(cookie_named(&signed_out, "dualgate-session").contains("Max-Age=0"));
    assert_eq!(browser.web_sessions(), 0);
    assert!(
        browser
            .get("/sign-in?signed-out")
            .await
            .body
            .contains("You are signed out.")
    );

    let replayed = browser.stranger_gets(LIST, old_cookie).await;
    assert_eq!(replayed.status, StatusCode::SEE_OTHER);
    assert_eq!(replayed.headers.get(LOCATION).unwrap(), "/sign-in");
}

#[tokio::test]
async fn an_expired_session_opens_nothing() {
    let browser = Browser::owner().await;
    assert_eq!(browser.get(LIST).await.status, StatusCode::OK);
    browser.sql("UPDATE web_sessions SET expires = 0");
    let page = browser.get(LIST).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.header("location"), Some("/sign-in"));
}

#[tokio::test]
async fn each_request_renews_the_session() {
    let browser = Browser::owner().await;
    let expiry = || {
        let conn = rusqlite::Connection::open(&browser.app.db).unwrap();
        conn.query_row("SELECT expires FROM web_sessions", [], |row| {
            row.get::<_, i64>(0)
        })
        .unwrap()
    };
    browser.sql("UPDATE web_sessions SET expires = expires - 600");
    let shortened = expiry();
    browser.get(LIST).await;
    assert!(expiry() >= shortened + 600, "sliding expiry");
}

#[tokio::test]
async fn long_lists_are_paged() {
    let browser = Browser::owner().await;
    for n in 1..=23 {
        browser.app.create_api_user(&format!("System {n:02}")).await;
    }
    let first = browser.get(LIST).await;
    assert!(first.body.contains("System 20") && !first.body.contains("System 21"));
    assert!(first.body.contains("1–20"));
    assert!(
        first
            .body
            .contains(r#"href="/settings/access/api-users?skip=20""#)
    );
    assert!(!first.body.contains("Previous"));
    let second = browser.get(&format!("{LIST}?skip=20")).await;
    assert_eq!(second.status, StatusCode::OK);
    assert!(second.body.contains("System 21") && second.body.contains("System 23"));
    assert!(!second.body.contains("System 20"));
    assert!(second.body.contains("21–23"));
    assert!(
        second
            .body
            .contains(r#"href="/settings/access/api-users?skip=0""#)
    );
    assert!(!second.body.contains("Next"));
    let invalid = browser.get(&format!("{LIST}?skip=-1")).await;
    assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
    assert!(invalid.body.contains("ERROR_PARAMETER_INVALID"));
}

#[tokio::test]
async fn what_users_typed_is_escaped() {
    let browser = Browser::owner().await;
    browser
        .app
        .create_api_user("<script>alert(1)</script> & co")
        .await;
    let list = browser.get(LIST).await;
    assert!(!list.body.contains("<script>"));
    assert!(
        list.body
            .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co")
    );
}

#[tokio::test]
async fn another_accounts_or_a_missing_api_user_is_not_found() {
    let browser = Browser::owner().await;
    let account = browser
        .app
        .create_account("Other", "boss@other.example", "Silver#Canyon-63");
    let other = reqwest::Client::new()
        .post(browser.url("/v2/api-users"))
        .basic_auth("boss@other.example", Some("Silver#Canyon-63"))
        .json(&serde_json::json!({"password": API_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::CREATED, "account {account}");
    let id = other.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    for path in [format!("{LIST}/{id}"), format!("{LIST}/999")] {
        let page = browser.get(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(page.body.contains("ERROR_APIUSER_NOT_FOUND"));
    }
    let csrf = browser.csrf().await;
    let delete = browser
        .post_form(&format!("{LIST}/{id}/delete"), &csrf, &[])
        .await;
    assert_eq!(delete.status, StatusCode::NOT_FOUND);
    assert_eq!(browser.app.stored_api_users().len(), 1);
    assert_eq!(
        browser.get(&format!("{LIST}/abc")).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        browser.get("/settings/access/nothing-here").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_page_is_not_in_the_openapi_document() {
    let app = spawn_app().await;
    let document = app.owner_get("/openapi.json").await.body;
    for path in ["/sign-in", "/sign-out", "/settings/", "/assets/"] {
        assert!(!document.contains(path), "{path}");
    }
}

#[tokio::test]
async fn the_apis_lockout_applies_to_the_page_and_ends_a_locked_users_sessions() {
    let browser = Browser::open().await;
    browser
        .app
        .add_account_user("admin@example.com", "Bright#Meadow-52", true, None);
    let signed_in_elsewhere = Browser::on_same_server(&browser);
    let session = signed_in_elsewhere
        .sign_in("admin@example.com", "Bright#Meadow-52")
        .await;
    assert_eq!(session.status, StatusCode::SEE_OTHER);
    for attempt in 1..=5 {
        let wrong = browser
            .sign_in("admin@example.com", &format!("Wrong#Guess-{attempt}"))
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let right = browser
        .sign_in("admin@example.com", "Bright#Meadow-52")
        .await;
    assert_eq!(right.status, StatusCode::UNAUTHORIZED, "locked");
    assert!(right.body.contains("ERROR_INVALID_LOGIN"));
    let locked_out = signed_in_elsewhere.get(LIST).await;
    assert_eq!(locked_out.status, StatusCode::SEE_OTHER);
    assert_eq!(locked_out.header("location"), Some("/sign-in"));
}

#[tokio::test]
async fn changes_made_on_the_page_are_audited_as_web_with_the_address() {
    let browser = Browser::owner().await;
    let csrf = browser.csrf().await;
    let saved = browser.add_through_form(&csrf, "Audited").await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let events = browser.app.owner_get("/v2/audit-events").await.json();
    let created = &events[0];
    assert_eq!(created["action"], "ApiUserCreated");
    assert_eq!(created["actor"], OWNER);
    assert_eq!(created["protocol"], "Web");
    assert_eq!(created["address"], "127.0.0.1");
    assert!(!events.to_string().contains(API_PASSWORD));
}

/// Posts a raw form body, as a browser never would but a script may.
async fn post_raw(browser: &Browser, path: &str, body: String) -> Reply {
    send(
        browser
            .client
            .post(browser.url(path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body),
    )
    .await
}

#[tokio::test]
async fn forms_that_are_not_utf8_or_cannot_be_read_get_the_pages_error_page_and_change_nothing() {
    let browser = Browser::owner().await;
    let (id, _) = browser.api_user("Magento shop").await;
    let page = format!("{LIST}/{id}");
    let csrf = csrf_of(&browser.get(&page).await.body);
    for body in [
        format!("csrf={csrf}&description=%FF%FE"),
        format!("csrf={csrf}&descr%FFiption=x"),
        format!("csrf={csrf}&csrf={csrf}&description=Twice"),
    ] {
        let refused = post_raw(&browser, &page, body.clone()).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(
            refused.header("content-type"),
            Some("text/html; charset=utf-8"),
            "{body}"
        );
        assert_security_headers(&refused);
        assert!(
            refused.body.contains("ERROR_MALFORMED_REQUEST"),
            "{}",
            refused.body
        );
    }
    let stored = &browser.app.stored_api_users()[0];
    assert_eq!(stored.description, "Magento shop");
    let new_user = post_raw(
        &browser,
        NEW,
        format!("csrf={csrf}&description=%C3%28&password=x"),
    )
    .await;
    assert_eq!(new_user.status, StatusCode::BAD_REQUEST);
    assert_security_headers(&new_user);
    assert_eq!(browser.app.stored_api_users().len(), 1);
}

/// The new-account-user form with `password` twice and the permission ticked or not.
fn account_user_form<'a>(
    csrf: &'a str,
    email: &'a str,
    password: &'a str,
    confirm: &'a str,
    can_manage: bool,
) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("csrf", csrf),
        ("email", email),
        ("password", password),
        ("confirm_password", confirm),
    ];
    if can_manage {
        form.push(("can_manage_account", "true"));
    }
    form
}

#[tokio::test]
async fn the_users_tab_adds_changes_unlocks_and_removes_account_users() {
    let owner = Browser::owner().await;
    let list = owner.get(USERS).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(r#"aria-current="page">Users</a>"#));
    assert!(list.body.contains(OWNER) && list.body.contains("Owner"));
    assert!(
        list.body.contains("<time"),
        "the owner's last sign-in is shown"
    );
    let form = owner.get(NEW_ACCOUNT_USER).await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = csrf_of(&form.body);

    let mismatch = owner
        .post(
            NEW_ACCOUNT_USER,
            &account_user_form(&csrf, CLERK, CLERK_PASSWORD, "Other#1x", true),
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::BAD_REQUEST);
    assert!(
        mismatch
            .body
            .contains(r#"<p class="error" id="confirm_password-error">"#)
    );
    assert!(mismatch.body.contains("ERROR_PASSWORDS_DO_NOT_MATCH"));
    assert!(
        mismatch.body.contains(&format!(r#"value="{CLERK}""#)),
        "the email is kept"
    );
    assert!(
        !mismatch.body.contains(CLERK_PASSWORD),
        "passwords are not echoed"
    );
    let weak = owner
        .post(
            NEW_ACCOUNT_USER,
            &account_user_form(&csrf, CLERK, "short", "short", false),
        )
        .await;
    assert!(
        weak.body.contains(r#"id="password-error""#) && weak.body.contains("ERROR_WEAK_PASSWORD")
    );
    let taken = owner
        .post(
            NEW_ACCOUNT_USER,
            &account_user_form(&csrf, OWNER, CLERK_PASSWORD, CLERK_PASSWORD, false),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert!(
        taken.body.contains(r#"id="email-error""#)
            && taken.body.contains("ERROR_INVALID_APIUSEREXISTS")
    );
    let mut odd = account_user_form(&csrf, CLERK, CLERK_PASSWORD, CLERK_PASSWORD, false);
    odd.push(("can_manage_account", "yes"));
    let odd = owner.post(NEW_ACCOUNT_USER, &odd).await;
    assert_eq!(odd.status, StatusCode::BAD_REQUEST);
    assert!(
        odd.body.contains(r#"id="can_manage_account-error""#),
        "{}",
        odd.body
    );
    assert_eq!(
        owner.stored_account_user(CLERK),
        None,
        "refusals add nobody"
    );

    let added = owner
        .post(
            NEW_ACCOUNT_USER,
            &account_user_form(&csrf, CLERK, CLERK_PASSWORD, CLERK_PASSWORD, true),
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    assert_eq!(added.header("location"), Some(USERS));
    assert!(
        owner
            .get(USERS)
            .await
            .body
            .contains(&format!("{CLERK} was added."))
    );
    let (_, can_manage, _, hash) = owner.stored_account_user(CLERK).unwrap();
    assert!(can_manage && hash.starts_with("$2"));

    let clerk = Browser::on_same_server(&owner);
    assert_eq!(
        clerk.sign_in(CLERK, CLERK_PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(clerk.get(LIST).await.status, StatusCode::OK);

    let page = owner.account_user_page(CLERK);
    let shown = owner.get(&page).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("Remove user…") && shown.body.contains("checked"));
    let taken_away = owner.post_form(&page, &csrf, &[]).await;
    assert_eq!(taken_away.status, StatusCode::SEE_OTHER);
    assert!(!owner.stored_account_user(CLERK).unwrap().1);
    let refused = clerk.get(LIST).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused
            .body
            .contains("You need the “Can manage account” permission")
    );

    let password = format!("{page}/password");
    let unmatched = owner
        .post_form(
            &password,
            &csrf,
            &[("password", NEW_PASSWORD), ("confirm_password", "x")],
        )
        .await;
    assert_eq!(unmatched.status, StatusCode::BAD_REQUEST);
    assert!(unmatched.body.contains("ERROR_PASSWORDS_DO_NOT_MATCH"));
    assert_eq!(
        owner.stored_account_user(CLERK).unwrap().3,
        hash,
        "nothing changed"
    );
    let set = owner
        .post_form(
            &password,
            &csrf,
            &[
                ("password", NEW_PASSWORD),
                ("confirm_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER);
    let again = Browser::on_same_server(&owner);
    assert_eq!(
        again.sign_in(CLERK, NEW_PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );

    owner.sql("UPDATE account_users SET locked = 1 WHERE login = 'clerk@example.com'");
    assert!(owner.get(&page).await.body.contains("Unlock"));
    let unlocked = owner.post_form(&format!("{page}/unlock"), &csrf, &[]).await;
    assert_eq!(unlocked.status, StatusCode::SEE_OTHER);
    assert!(!owner.stored_account_user(CLERK).unwrap().2);

    let confirm = owner.get(&format!("{page}/remove")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains(&format!("Remove {CLERK}?")));
    let removed = owner.post_form(&format!("{page}/remove"), &csrf, &[]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(owner.stored_account_user(CLERK), None);
    assert!(
        owner
            .get(USERS)
            .await
            .body
            .contains(&format!("{CLERK} was removed."))
    );
    let ended = clerk.get(USERS).await;
    assert_eq!(
        ended.header("location"),
        Some("/sign-in"),
        "their session ended"
    );

    let clerks: Vec<(String, String)> = owner
        .audit_trail()
        .into_iter()
        .filter(|(_, target, _)| target == CLERK)
        .map(|(action, _, protocol)| (action, protocol))
        .collect();
    let web = |action: &str| (action.to_owned(), "Web".to_owned());
    assert_eq!(
        clerks,
        [
            web("AccountUserAdded"),
            web("AccountUserUpdated"),
            web("AccountUserPasswordSet"),
            web("AccountUserUnlocked"),
            web("AccountUserRemoved"),
        ]
    );
}

#[tokio::test]
async fn the_owner_keeps_the_permission_and_stays_and_nobody_removes_themselves() {
    let owner = Browser::owner().await;
    let csrf = csrf_of(&owner.get(USERS).await.body);
    let page = owner.account_user_page(OWNER);
    let shown = owner.get(&page).await.body;
    assert!(shown.contains("The account owner cannot be removed."));
    assert!(shown.contains("always has “Can manage account”"));
    assert!(!shown.contains("Remove user…"));
    let demoted = owner.post_form(&page, &csrf, &[]).await;
    assert_eq!(demoted.status, StatusCode::BAD_REQUEST);
    assert!(demoted.body.contains("ERROR_PARAMETER_INVALID"));
    let removed = owner.post_form(&format!("{page}/remove"), &csrf, &[]).await;
    assert_eq!(removed.status, StatusCode::BAD_REQUEST);
    assert!(
        removed
            .body
            .contains("The account owner cannot be removed.")
    );
    assert!(
        owner.stored_account_user(OWNER).unwrap().1,
        "the owner keeps it"
    );

    let manager = Browser::on_same_server(&owner);
    manager
        .sign_in_as_new_account_user(CLERK, CLERK_PASSWORD, true)
        .await;
    let own = manager.account_user_page(CLERK);
    let manager_csrf = csrf_of(&manager.get(USERS).await.body);
    assert!(
        manager
            .get(&own)
            .await
            .body
            .contains("You cannot remove yourself")
    );
    let themselves = manager
        .post_form(&format!("{own}/remove"), &manager_csrf, &[])
        .await;
    assert_eq!(themselves.status, StatusCode::BAD_REQUEST);
    assert!(themselves.body.contains("ERROR_PARAMETER_INVALID"));
    assert!(manager.stored_account_user(CLERK).is_some());
    let owner_by_manager = manager
        .post_form(&format!("{page}/remove"), &manager_csrf, &[])
        .await;
    assert_eq!(owner_by_manager.status, StatusCode::BAD_REQUEST);
    assert!(owner.stored_account_user(OWNER).is_some());
}

#[tokio::test]
async fn the_users_tab_needs_the_permission_the_sessions_token_and_a_user_of_this_account() {
    let owner = Browser::owner().await;
    owner
        .app
        .create_account("Other Co", "boss@other.example", "Chief#Key-73");
    let stranger_page = owner.account_user_page("boss@other.example");
    for path in [
        stranger_page.clone(),
        format!("{USERS}/x"),
        format!("{stranger_page}/remove"),
    ] {
        let reply = owner.get(&path).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(reply.body.contains("ERROR_PARAMETER_INVALID"), "{path}");
    }
    let csrf = csrf_of(&owner.get(USERS).await.body);
    let other = owner
        .post_form(&format!("{stranger_page}/remove"), &csrf, &[])
        .await;
    assert_eq!(other.status, StatusCode::BAD_REQUEST);
    assert!(owner.stored_account_user("boss@other.example").is_some());

    let clerk = Browser::on_same_server(&owner);
    clerk
        .sign_in_as_new_account_user(CLERK, CLERK_PASSWORD, false)
        .await;
    let page = owner.account_user_page(CLERK);
    for path in [
        USERS.to_owned(),
        NEW_ACCOUNT_USER.to_owned(),
        page.clone(),
        format!("{page}/remove"),
    ] {
        let reply = clerk.get(&path).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}");
        assert!(
            reply
                .body
                .contains("You need the “Can manage account” permission"),
            "{path}"
        );
    }
    let clerk_csrf = csrf_of(&clerk.get(USERS).await.body);
    let promoted = clerk
        .post_form(&page, &clerk_csrf, &[("can_manage_account", "true")])
        .await;
    assert_eq!(promoted.status, StatusCode::FORBIDDEN);
    assert!(
        !owner.stored_account_user(CLERK).unwrap().1,
        "no promotion of oneself"
    );

    let before = owner.audit_trail().len();
    for (path, form) in [
        (
            NEW_ACCOUNT_USER.to_owned(),
            account_user_form(
                "forged",
                "x@example.com",
                CLERK_PASSWORD,
                CLERK_PASSWORD,
                true,
            ),
        ),
        (
            page.clone(),
            vec![("csrf", "forged"), ("can_manage_account", "true")],
        ),
        (
            format!("{page}/password"),
            vec![
                ("csrf", "forged"),
                ("password", NEW_PASSWORD),
                ("confirm_password", NEW_PASSWORD),
            ],
        ),
        (format!("{page}/unlock"), vec![("csrf", "forged")]),
        (format!("{page}/remove"), vec![("csrf", "forged")]),
    ] {
        let reply = owner.post(&path, &form).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}");
        assert!(reply.body.contains("This form was refused"), "{path}");
    }
    assert_eq!(
        owner.audit_trail().len(),
        before,
        "forged forms change nothing"
    );
    assert!(owner.stored_account_user(CLERK).is_some());
}

const AUDIT: &str = "/settings/access/audit";

/// The Audit tab's rows, newest first, each as its HTML.
fn audit_rows(html: &str) -> Vec<&str> {
    between(html, "<tbody>", "</tbody>")
        .split("<tr>")
        .skip(1)
        .collect()
}

#[tokio::test]
async fn the_audit_tab_shows_each_change_newest_first_with_who_when_how_and_what() {
    let browser = Browser::owner().await;
    let csrf = browser.csrf().await;
    let saved = browser.add_through_form(&csrf, "Audited").await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let (_, by_rest) = browser.api_user("Over REST").await;

    let page = browser.get(AUDIT).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains(r#"href="/settings/access/audit" aria-current="page">Audit"#)
    );
    let rows = audit_rows(&page.body);
    assert_eq!(rows.len(), 3, "two creations and the account's own");
    assert!(rows[0].contains("ApiUserCreated") && rows[0].contains(&by_rest));
    assert!(rows[0].contains(">REST<") && rows[0].contains(OWNER));
    assert!(rows[1].contains("ApiUserCreated") && rows[1].contains(">Web<"));
    assert!(rows[1].contains("127.0.0.1"));
    assert!(rows[1].contains("description</span> → Audited"));
    assert!(rows[1].contains("<time datetime="));
    assert!(rows[2].contains("AccountCreated"));
    assert!(!page.body.contains(API_PASSWORD));
    assert!(!page.body.contains("Older"), "one page");
}

#[tokio::test]
async fn the_audit_tab_filters_by_target_and_action_and_says_when_nothing_matches() {
    let browser = Browser::owner().await;
    let (id, shop) = browser.api_user("Shop").await;
    let (_, crm) = browser.api_user("CRM").await;
    let csrf = browser.csrf().await;
    let deleted = browser
        .post_form(&format!("{LIST}/{id}/delete"), &csrf, &[])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);

    let by_target = browser
        .get(&format!("{AUDIT}?target={}&action=", shop.to_uppercase()))
        .await;
    assert_eq!(by_target.status, StatusCode::OK);
    let rows = audit_rows(&by_target.body);
    assert_eq!(rows.len(), 2);
    assert!(rows[0].contains("ApiUserDeleted") && rows[1].contains("ApiUserCreated"));
    assert!(!by_target.body.contains(&crm));
    let typed = format!(r#"value="{}""#, shop.to_uppercase());
    assert!(field(&by_target.body, "target").contains(&typed));
    assert!(
        by_target
            .body
            .contains(r#"href="/settings/access/audit">Clear"#)
    );

    let by_action = browser.get(&format!("{AUDIT}?action=ApiUserCreated")).await;
    let rows = audit_rows(&by_action.body);
    assert_eq!(rows.len(), 2);
    assert!(rows[0].contains(&crm) && rows[1].contains(&shop));
    assert!(
        field(&by_action.body, "action")
            .contains(r#"<option value="ApiUserCreated" selected>ApiUserCreated"#)
    );

    let both = browser
        .get(&format!("{AUDIT}?target={crm}&action=ApiUserDeleted"))
        .await;
    assert_eq!(both.status, StatusCode::OK);
    assert!(both.body.contains("No events match this filter."));
    assert!(!both.body.contains("<tbody>"));
}

#[tokio::test]
async fn an_unknown_action_a_target_that_is_no_login_or_a_negative_skip_is_refused() {
    let browser = Browser::owner().await;
    let unknown = browser.get(&format!("{AUDIT}?action=PasswordShown")).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    let action = field(&unknown.body, "action");
    assert!(action.contains(r#"id="action-error""#));
    assert!(action.contains("ERROR_PARAMETER_INVALID"));
    assert!(action.contains(r#"aria-invalid="true""#));
    assert!(
        !unknown.body.contains("<tbody>"),
        "no events beside the error"
    );

    let not_a_login = browser.get(&format!("{AUDIT}?target=shop")).await;
    assert_eq!(not_a_login.status, StatusCode::BAD_REQUEST);
    let target = field(&not_a_login.body, "target");
    assert!(target.contains(r#"id="target-error""#) && target.contains(r#"value="shop""#));

    let negative = browser.get(&format!("{AUDIT}?skip=-1")).await;
    assert_eq!(negative.status, StatusCode::BAD_REQUEST);
    assert!(negative.body.contains(r#"role="alert""#));
    assert!(negative.body.contains("ERROR_PARAMETER_INVALID"));
}

#[tokio::test]
async fn the_audit_trail_is_paged_with_the_filter_kept() {
    let browser = Browser::owner().await;
    for n in 1..=23 {
        browser.app.create_api_user(&format!("System {n:02}")).await;
    }
    let filtered = "action=ApiUserCreated";
    let first = browser.get(&format!("{AUDIT}?{filtered}")).await;
    let rows = audit_rows(&first.body);
    assert_eq!(rows.len(), 20);
    assert!(rows[0].contains("System 23") && rows[19].contains("System 04"));
    assert!(first.body.contains("1–20"));
    assert!(
        first
            .body
            .contains(&format!(r#"href="{AUDIT}?{filtered}&amp;skip=20">Older"#))
    );
    assert!(!first.body.contains("Newer"));

    let second = browser.get(&format!("{AUDIT}?{filtered}&skip=20")).await;
    let rows = audit_rows(&second.body);
    assert_eq!(rows.len(), 3);
    assert!(rows[2].contains("System 01"), "no AccountCreated: filtered");
    assert!(second.body.contains("21–23"));
    assert!(
        second
            .body
            .contains(&format!(r#"href="{AUDIT}?{filtered}&amp;skip=0">← Newer"#))
    );
    assert!(!second.body.contains("Older"));

    let beyond = browser.get(&format!("{AUDIT}?skip=100")).await;
    assert_eq!(beyond.status, StatusCode::OK);
    assert!(beyond.body.contains("No older events"));
}

#[tokio::test]
async fn the_audit_tab_needs_can_manage_account() {
    let browser = Browser::open().await;
    let signed_in = browser
        .sign_in_as_new_account_user(CLERK, CLERK_PASSWORD, false)
        .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    for path in [AUDIT.to_owned(), format!("{AUDIT}?action=PasswordShown")] {
        let page = browser.get(&path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(
            page.body
                .contains("You need the “Can manage account” permission"),
            "{path}"
        );
        assert!(!page.body.contains("AccountCreated"), "{path}");
    }
    let signed_out = Browser::on_same_server(&browser).get(AUDIT).await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
    assert_eq!(signed_out.header("location"), Some("/sign-in"));
}
