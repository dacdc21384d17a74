#![forbid(unsafe_code)]

use clap::Parser;
use dualgate::config::Cli;
use std::process::ExitCode;

#[actix_web::main]
async fn main() -> ExitCode {
    dualgate::telemetry::init();
    dualgate::commands::run(Cli::parse()).await
}
