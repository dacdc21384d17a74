//! Integration tests: the real server on 127.0.0.1:0, a fresh SQLite file per test (a fresh
//! PostgreSQL database of a throwaway cluster in `postgres`).

mod authorization;
mod cli;
mod concurrency;
mod control_characters;
mod credential_cache;
mod credentials_hold;
mod durability;
mod fixtures;
mod helpers;
mod hostile;
mod load_balanced;
mod load_balancer;
mod metrics;
mod migrate_data;
mod openapi;
mod parity;
mod postgres;
mod protection;
mod remote;
mod rest;
mod restart;
mod server_process;
mod shared_counters;
mod shutdown;
mod soap;
mod storage_faults;
#[path = "../../src/storage/postgres/test_cluster.rs"]
mod test_cluster;
mod tls;
mod trusted_proxy;
mod web;
mod write_load;
mod wsdl;
mod xml;
