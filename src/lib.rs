//! dualgate: an account's API users, managed over REST (JSON), SOAP (WSDL) and the Access web
//! page, stored in SQLite or PostgreSQL.
#![forbid(unsafe_code)]

pub mod auth;
pub mod commands;
pub mod config;
pub mod connection;
pub mod domain;
pub mod edge;
#[cfg(test)]
mod fuzzing;
pub mod http;
pub mod monitoring;
pub mod rest;
pub mod service;
pub mod soap;
pub mod startup;
pub mod storage;
pub mod telemetry;
pub mod tls;
pub mod web;
