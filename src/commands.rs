//! The `dualgate` commands.

use crate::config::{
    AccountCommand, Cli, Command, DatabaseUrl, Settings, StoreSettings, UserCommand,
};
use crate::domain::{AccountId, AccountUser, AccountUserId, AuditEvent, Result as Outcome};
use crate::service::Gateway;
use crate::service::account_users::{
    Admin, NewUserInput, add_account_user, list_account_users, operator_on, remove_account_user,
    set_account_user_password, set_can_manage_account, unlock_account_user,
};
use crate::service::accounts::{Bootstrap, audit_trail, create_account};
use crate::startup::{Application, on_a_blocking_thread, open_operator_gateway};
use crate::storage::migrate_data;
use std::io::BufRead;
use std::path::Path;
use std::process::ExitCode;

pub async fn run(cli: Cli) -> ExitCode {
    let outcome = match cli.command {
        Command::Serve(settings) => serve(*settings).await,
        operator => on_a_blocking_thread(|| run_operator_command(operator)),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("dualgate: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Every command but `serve`: it reaches the store directly, so it runs off the async thread.
fn run_operator_command(command: Command) -> Result<(), String> {
    match command {
        Command::Serve(_) => unreachable!("serve is no operator command"),
        Command::User { command } => user_command(command),
        Command::Audit {
            account,
            select,
            skip,
            store,
        } => print_audit(&store, account, select.as_deref(), skip.as_deref()),
        Command::Account {
            command:
                AccountCommand::Create {
                    name,
                    owner_email,
                    store,
                },
        } => new_account(&store, &name, &owner_email),
        Command::MigrateData { db, to } => copy_to_postgres(&db, &to),
    }
}

async fn serve(settings: Settings) -> Result<(), String> {
    let application = Application::build(&settings).map_err(|e| e.to_string())?;
    if let Bootstrap::Created {
        account,
        owner,
        generated_password,
    } = application.bootstrap()
    {
        eprintln!("dualgate: created account {} with owner {owner}", account.0);
        if let Some(password) = generated_password {
            eprintln!("dualgate: the owner's generated password (shown once): {password}");
        }
    }
    actix_web::rt::spawn(crate::tls::reload_on_hangup(application.certificate()));
    tracing::info!(port = application.port(), "dualgate is listening");
    application
        .run_until_stopped()
        .await
        .map_err(|e| e.to_string())
}

/// The store for an operator command. A failure to open it says its cause: the operator, unlike
/// an API caller, may read it.
fn operator_gateway(store: &StoreSettings) -> Result<Gateway, String> {
    open_operator_gateway(store).map_err(|e| match e.cause() {
        Some(cause) => format!("cannot open the database: {cause}"),
        None => e.to_string(),
    })
}

/// The first line of standard input, without its line ending.
fn read_password() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn user_command(command: UserCommand) -> Result<(), String> {
    match command {
        UserCommand::Add {
            email,
            account,
            can_manage_account,
            store,
        } => add_user(&store, &email, account, can_manage_account),
        UserCommand::List { account, store } => list_users(&store, account),
        UserCommand::Set {
            email,
            can_manage_account,
            password,
            store,
        } => set_user(&store, &email, can_manage_account, password),
        UserCommand::Unlock { email, store } => {
            on_user(&store, &email, "unlocked", unlock_account_user)
        }
        UserCommand::Remove { email, store } => {
            on_user(&store, &email, "removed", remove_account_user)
        }
    }
}

fn add_user(
    store: &StoreSettings,
    email: &str,
    account: Option<i64>,
    can_manage_account: bool,
) -> Result<(), String> {
    let password = read_password()?;
    let gateway = operator_gateway(store)?;
    let added = Admin::operator(&gateway, account.map(AccountId)).and_then(|admin| {
        let input = NewUserInput {
            email,
            password: &password,
            confirm_password: None,
            can_manage_account,
        };
        add_account_user(&gateway, &admin, &input).map(|login| (login, admin.account()))
    });
    let (login, account) = added.map_err(|e| e.to_string())?;
    println!("added {login} to account {}", account.0);
    Ok(())
}

fn list_users(store: &StoreSettings, account: Option<i64>) -> Result<(), String> {
    let gateway = operator_gateway(store)?;
    let users = Admin::operator(&gateway, account.map(AccountId))
        .and_then(|admin| list_account_users(&gateway, &admin))
        .map_err(|e| e.to_string())?;
    for user in users {
        println!("{}", user_line(&user));
    }
    Ok(())
}

/// `email role can-manage-account locked last-sign-in`, tab-separated; `-` for never.
fn user_line(user: &AccountUser) -> String {
    let yes_no = |flag: bool| if flag { "yes" } else { "no" };
    [
        user.login.to_string(),
        (if user.is_owner { "owner" } else { "user" }).to_owned(),
        format!("can-manage-account={}", yes_no(user.can_manage_account)),
        format!("locked={}", yes_no(user.locked)),
        user.last_sign_in
            .map_or_else(|| "-".to_owned(), |at| at.to_string()),
    ]
    .join("\t")
}

fn set_user(
    store: &StoreSettings,
    email: &str,
    can_manage_account: Option<bool>,
    password: bool,
) -> Result<(), String> {
    if can_manage_account.is_none() && !password {
        return Err("nothing to set: give --can-manage-account true|false or --password".into());
    }
    let password = password.then(read_password).transpose()?;
    let gateway = operator_gateway(store)?;
    let (admin, user) = operator_on(&gateway, email).map_err(|e| e.to_string())?;
    if let Some(can_manage_account) = can_manage_account {
        set_can_manage_account(&gateway, &admin, user.id, can_manage_account)
            .map_err(|e| e.to_string())?;
    }
    if let Some(password) = password {
        set_account_user_password(&gateway, &admin, user.id, &password, None)
            .map_err(|e| e.to_string())?;
    }
    println!("changed {}", user.login);
    Ok(())
}

/// Runs `change` on the account user with this email, then prints `done` and the login.
fn on_user(
    store: &StoreSettings,
    email: &str,
    done: &str,
    change: fn(&Gateway, &Admin, AccountUserId) -> Outcome<AccountUser>,
) -> Result<(), String> {
    let gateway = operator_gateway(store)?;
    let user = operator_on(&gateway, email)
        .and_then(|(admin, user)| change(&gateway, &admin, user.id))
        .map_err(|e| e.to_string())?;
    println!("{done} {}", user.login);
    Ok(())
}

fn new_account(store: &StoreSettings, name: &str, owner_email: &str) -> Result<(), String> {
    let password = read_password()?;
    let gateway = operator_gateway(store)?;
    let account =
        create_account(&gateway, name, owner_email, &password).map_err(|e| e.to_string())?;
    println!("{}", account.0);
    Ok(())
}

/// `migrate-data`: prints where it copied to (the URL's password masked), then each table's
/// label and rows copied, tab-separated.
fn copy_to_postgres(db: &Path, to: &DatabaseUrl) -> Result<(), String> {
    let copied = migrate_data(db, to).map_err(|e| e.to_string())?;
    println!("copied {} to {to:?}", db.display());
    for count in copied {
        println!("{}\t{}", count.label, count.rows);
    }
    Ok(())
}

fn print_audit(
    store: &StoreSettings,
    account: Option<i64>,
    select: Option<&str>,
    skip: Option<&str>,
) -> Result<(), String> {
    let gateway = operator_gateway(store)?;
    let events =
        audit_trail(&gateway, account.map(AccountId), select, skip).map_err(|e| e.to_string())?;
    for event in events {
        println!("{}", audit_line(&event));
    }
    Ok(())
}

/// `at actor action target protocol address changes`, tab-separated; `-` for no address.
fn audit_line(event: &AuditEvent) -> String {
    let changes: Vec<String> = event
        .changes
        .iter()
        .map(|(field, value)| format!("{field}={value}"))
        .collect();
    [
        event.at.to_string(),
        event.actor.clone(),
        event.action.as_str().to_owned(),
        event.target.clone(),
        event.origin.channel.as_str().to_owned(),
        event
            .origin
            .address
            .clone()
            .unwrap_or_else(|| "-".to_owned()),
        changes.join(" "),
    ]
    .join("\t")
}
