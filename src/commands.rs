//! The `dualgate` commands.

use crate::config::{AccountCommand, Cli, Command, Settings, StoreSettings, UserCommand};
use crate::domain::{AccountId, AuditEvent};
use crate::service::Gateway;
use crate::service::accounts::{
    Bootstrap, add_account_user, audit_trail, create_account, unlock_account_user,
};
use crate::startup::{Application, on_a_blocking_thread, open_operator_gateway};
use std::io::BufRead;
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
        Command::User {
            command:
                UserCommand::Add {
                    email,
                    account,
                    can_manage_account,
                    store,
                },
        } => add_user(&store, &email, account, can_manage_account),
        Command::User {
            command: UserCommand::Unlock { email, store },
        } => unlock_user(&store, &email),
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

fn add_user(
    store: &StoreSettings,
    email: &str,
    account: Option<i64>,
    can_manage_account: bool,
) -> Result<(), String> {
    let password = read_password()?;
    let gateway = operator_gateway(store)?;
    let account = add_account_user(
        &gateway,
        account.map(AccountId),
        email,
        &password,
        can_manage_account,
    )
    .map_err(|e| e.to_string())?;
    println!(
        "added {} to account {}",
        email.trim().to_ascii_lowercase(),
        account.0
    );
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

fn unlock_user(store: &StoreSettings, email: &str) -> Result<(), String> {
    let gateway = operator_gateway(store)?;
    unlock_account_user(&gateway, email).map_err(|e| e.to_string())?;
    println!("unlocked {}", email.trim().to_ascii_lowercase());
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
