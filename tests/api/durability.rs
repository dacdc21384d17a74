//! Nothing lost: many writers at once over both protocols, and a server killed in the middle
//! of a write load. Every check ends in the SQLite file itself.

use crate::helpers::*;
use crate::remote::{Created, Protocol, Remote, created};
use crate::server_process::{Server, WAIT};
use dualgate::domain::AccountId;
use dualgate::service::account_users::{Admin, NewUserInput, add_account_user};
use dualgate::startup::open_operator_gateway;
use reqwest::StatusCode;
use rusqlite::Connection;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// One write of the mixed load and what it was meant to do.
#[derive(Debug, Clone)]
enum Write {
    Create,
    /// Two clients ask for the same login at once: one gets it.
    Claim(String),
    Update(i64, String),
    Delete(i64),
    /// An update racing a delete of the same API user: it lands first or finds nothing.
    RacingUpdate(i64),
    RacingDelete(i64),
}

/// No server-side failure: below 500 on REST, success or a Client/Sender fault on SOAP
/// (SOAP 1.1 answers every fault with 500); and never "database is locked".
fn assert_no_server_error(protocol: Protocol, write: &Write, reply: &Reply) {
    assert!(
        !reply.body.to_lowercase().contains("is locked"),
        "{write:?}: {}",
        reply.body
    );
    if reply.status.is_success() {
        return;
    }
    assert_ne!(
        reply.error_code(),
        "ERROR_UNKNOWN",
        "{write:?}: {}",
        reply.body
    );
    match protocol {
        Protocol::Rest => assert!(reply.status.is_client_error(), "{write:?}: {}", reply.body),
        Protocol::Soap(_) => {
            let code = crate::xml::fault_code(&reply.body);
            assert!(
                code == "s:Client" || code == "s:Sender",
                "{write:?}: {code}"
            );
        }
    }
}

fn integrity_check(db: &Path) -> String {
    let conn = Connection::open(db).unwrap();
    let foreign_key_problems: i64 = conn
        .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(foreign_key_problems, 0);
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

/// `id -> (login, description)` of every stored API user.
fn stored_api_users(db: &Path) -> BTreeMap<i64, (String, String)> {
    let conn = Connection::open(db).unwrap();
    let mut statement = conn
        .prepare("SELECT id, login, description FROM api_users")
        .unwrap();
    statement
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Logins are unique whatever their case, and the `logins` table (which makes them unique
/// across API users and account users) holds exactly the logins in use.
fn assert_logins_consistent(db: &Path) {
    let conn = Connection::open(db).unwrap();
    let column = |sql: &str| -> Vec<String> {
        let mut statement = conn.prepare(sql).unwrap();
        statement
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let in_use = column("SELECT login FROM api_users UNION ALL SELECT login FROM account_users");
    let distinct: BTreeSet<String> = in_use.iter().map(|l| l.to_lowercase()).collect();
    assert_eq!(distinct.len(), in_use.len(), "a login is used twice");
    let claimed: BTreeSet<String> = column("SELECT lower(login) FROM logins")
        .into_iter()
        .collect();
    assert_eq!(
        claimed, distinct,
        "claimed logins differ from logins in use"
    );
}

/// How many audit events of each action are stored.
fn audit_counts(db: &Path) -> BTreeMap<String, i64> {
    let conn = Connection::open(db).unwrap();
    let mut statement = conn
        .prepare("SELECT action, COUNT(*) FROM audit_events GROUP BY action")
        .unwrap();
    statement
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Creates, updates and deletes at once over REST, SOAP 1.1 and SOAP 1.2; two clients
/// claiming the same login; updates racing deletes of the same API user; and an operator
/// command adding account users through its own connections, as `dualgate user add` does
/// beside the server. Every acknowledged write is stored, with its audit event; logins stay
/// unique; no request fails on the server's side, and none mentions a lock.
#[tokio::test]
async fn mixed_creates_updates_and_deletes_at_once_leave_a_consistent_database() {
    let app = spawn_app().await;
    let remote = Remote::of(&app);
    let mut seeded = Vec::new();
    for n in 0..30 {
        let reply = remote
            .create(Protocol::Rest, &format!("seed {n}"), None)
            .await
            .unwrap();
        seeded.push(created(&reply).expect("seeded"));
    }

    let mut writes = Vec::new();
    for n in 0..30 {
        writes.push((Protocol::nth(n), Write::Create));
    }
    for n in 0..5 {
        let login = format!("claimed-{n}@apiconnector.com");
        writes.push((Protocol::nth(n), Write::Claim(login.clone())));
        writes.push((Protocol::nth(n + 1), Write::Claim(login)));
    }
    for (n, user) in seeded[..10].iter().enumerate() {
        writes.push((
            Protocol::nth(n),
            Write::Update(user.id, format!("updated {n}")),
        ));
    }
    for (n, user) in seeded[10..20].iter().enumerate() {
        writes.push((Protocol::nth(n), Write::Delete(user.id)));
    }
    for (n, user) in seeded[20..].iter().enumerate() {
        writes.push((Protocol::nth(n), Write::RacingUpdate(user.id)));
        writes.push((Protocol::nth(n + 1), Write::RacingDelete(user.id)));
    }
    let tasks: Vec<_> = writes
        .into_iter()
        .map(|(protocol, write)| {
            let remote = remote.clone();
            tokio::spawn(async move {
                let reply = match &write {
                    Write::Create => remote.create(protocol, "concurrent", None).await,
                    Write::Claim(login) => remote.create(protocol, "claim", Some(login)).await,
                    Write::Update(id, description) => {
                        remote.update(protocol, *id, description).await
                    }
                    Write::RacingUpdate(id) => remote.update(protocol, *id, "raced").await,
                    Write::Delete(id) | Write::RacingDelete(id) => {
                        remote.delete(protocol, *id).await
                    }
                };
                (protocol, write, reply.expect("answered"))
            })
        })
        .collect();
    let db = app.db.clone();
    let operator = tokio::task::spawn_blocking(move || {
        for n in 0..5 {
            let gateway = open_operator_gateway(&store_settings(&db)).unwrap();
            let admin = Admin::operator(&gateway, Some(AccountId(1))).unwrap();
            let input = NewUserInput {
                email: &format!("clerk-{n}@example.com"),
                password: "Clerk#Key-2026",
                confirm_password: None,
                can_manage_account: false,
            };
            add_account_user(&gateway, &admin, &input)
                .expect("an operator's write beside the server");
        }
    });

    let mut expected: BTreeMap<i64, (String, String)> = seeded
        .iter()
        .map(|u| (u.id, (u.email.clone(), u.description.clone())))
        .collect();
    let mut claims: BTreeMap<String, Vec<Reply>> = BTreeMap::new();
    let mut racing_updates_applied = 0;
    for task in tasks {
        let (protocol, write, reply) = task.await.unwrap();
        assert_no_server_error(protocol, &write, &reply);
        match write {
            Write::Create => {
                let user = created(&reply).expect("acknowledged");
                expected.insert(user.id, (user.email, user.description));
            }
            Write::Claim(login) => claims.entry(login).or_default().push(reply),
            Write::Update(id, description) => {
                assert!(reply.status.is_success(), "{}", reply.body);
                expected.get_mut(&id).unwrap().1 = description;
            }
            Write::Delete(id) | Write::RacingDelete(id) => {
                assert!(reply.status.is_success(), "{}", reply.body);
                expected.remove(&id);
            }
            Write::RacingUpdate(_) if reply.status.is_success() => racing_updates_applied += 1,
            Write::RacingUpdate(_) => {
                assert_eq!(reply.error_code(), "ERROR_APIUSER_NOT_FOUND");
            }
        }
    }
    operator.await.unwrap();
    for (login, replies) in claims {
        let winners: Vec<Created> = replies.iter().filter_map(created).collect();
        assert_eq!(winners.len(), 1, "{login}: exactly one claim wins");
        assert_eq!(winners[0].email, login);
        let loser = replies.iter().find(|r| created(r).is_none()).unwrap();
        assert_eq!(loser.error_code(), "ERROR_INVALID_APIUSEREXISTS");
        expected.insert(winners[0].id, (login, "claim".to_owned()));
    }

    assert_eq!(stored_api_users(&app.db), expected);
    assert_logins_consistent(&app.db);
    let audit = audit_counts(&app.db);
    assert_eq!(audit["ApiUserCreated"], 30 + 30 + 5);
    assert_eq!(audit["ApiUserUpdated"], 10 + racing_updates_applied);
    assert_eq!(audit["ApiUserDeleted"], 20);
    assert_eq!(audit["AccountUserAdded"], 5);
    assert_eq!(integrity_check(&app.db), "ok");
}

/// The real binary, SIGKILLed while six clients create API users over REST, SOAP 1.1 and
/// SOAP 1.2, after 200 acknowledged creates (past the first automatic checkpoint, at 1000
/// WAL pages), then started again on the same file: every create a client saw acknowledged
/// is there, by id, login and description, with its audit event; nothing is there that no
/// client sent; and the file passes `PRAGMA integrity_check`. WAL with `synchronous =
/// NORMAL` loses nothing committed when only the process dies.
#[tokio::test]
async fn every_acknowledged_create_survives_a_sigkill_in_the_middle_of_writes() {
    const CLIENTS: usize = 6;
    const KILL_AFTER: usize = 200;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dualgate.db");
    let mut server = Server::start(&db);
    let remote = Remote::at_port(server.port);
    let acknowledged_so_far = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let remote = remote.clone();
            let counter = acknowledged_so_far.clone();
            tokio::spawn(async move {
                let mut acknowledged = Vec::new();
                let mut sent = Vec::new();
                for n in 0.. {
                    let description = format!("client {client} create {n}");
                    sent.push(description.clone());
                    let protocol = Protocol::nth(client + n);
                    let Ok(reply) = remote.create(protocol, &description, None).await else {
                        break;
                    };
                    let user = created(&reply).unwrap_or_else(|| panic!("{}", reply.body));
                    acknowledged.push(user);
                    counter.fetch_add(1, Ordering::SeqCst);
                }
                (acknowledged, sent)
            })
        })
        .collect();
    tokio::time::timeout(WAIT, async {
        while acknowledged_so_far.load(Ordering::SeqCst) < KILL_AFTER {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the clients get answers");
    server.kill();

    let mut acknowledged = Vec::new();
    let mut sent = BTreeSet::new();
    for client in clients {
        let (mine, attempted) = client.await.unwrap();
        acknowledged.extend(mine);
        sent.extend(attempted);
    }
    let unanswered = sent.len() - acknowledged.len();
    let size = |file: &str| std::fs::metadata(dir.path().join(file)).map(|m| m.len());
    let wal = size("dualgate.db-wal").expect("a killed server leaves its write-ahead log");
    let checkpointed = size("dualgate.db").unwrap();

    let mut restarted = Server::start(&db);
    let remote = Remote::at_port(restarted.port);
    let listed = remote.get("/v2/api-users?select=1000").await.unwrap();
    assert_eq!(listed.status, StatusCode::OK);
    let listed: BTreeMap<i64, (String, String)> = listed
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            let text = |field: &str| u[field].as_str().unwrap().to_owned();
            (
                u["id"].as_i64().unwrap(),
                (text("email"), text("description")),
            )
        })
        .collect();
    let found = acknowledged
        .iter()
        .filter(|u| listed.get(&u.id) == Some(&(u.email.clone(), u.description.clone())))
        .count();
    let integrity = integrity_check(&db);
    eprintln!(
        "SIGKILL with {unanswered} creates in flight: {found} of {} acknowledged creates found \
         after the restart, {} API users stored in all; at the kill the database file had \
         {checkpointed} bytes and the WAL {wal}; integrity_check {integrity}",
        acknowledged.len(),
        listed.len()
    );
    assert_eq!(found, acknowledged.len(), "an acknowledged create was lost");
    assert_eq!(integrity, "ok");
    assert_eq!(stored_api_users(&db), listed);
    assert!(
        listed
            .values()
            .all(|(_, description)| sent.contains(description)),
        "stored only what clients sent"
    );
    assert!(listed.len() <= acknowledged.len() + unanswered);
    assert_logins_consistent(&db);
    assert_eq!(
        audit_counts(&db)["ApiUserCreated"],
        i64::try_from(listed.len()).unwrap(),
        "every stored create has its audit event"
    );

    let after = remote
        .create(Protocol::Rest, "after the restart", None)
        .await
        .unwrap();
    let after = created(&after).expect("the restarted server takes writes");
    assert!(acknowledged.iter().all(|u| u.id < after.id));
    restarted.terminate();
    let (exit, _, _) = restarted.wait_for_exit(WAIT).await;
    assert!(exit.success());
}
