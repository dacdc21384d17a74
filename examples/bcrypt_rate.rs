//! How many bcrypt hashes one thread computes per second, with the same `bcrypt` crate (and the
//! same release build settings) as the server. The benchmark (`bench/run`) multiplies this by
//! the number of cores to get the bound of the bcrypt-bound scenarios.
//!
//!     cargo run --release --example bcrypt_rate -- --cost 12 --seconds 3
//!
//! prints one line: `bcrypt cost 12, one thread: 3.21 hashes/s (10 hashes in 3.12 s)`.
//!
//! With `--threads N` it hashes on N threads at once and prints their total rate, which shows
//! whether the cores really add up (on a shared or virtual machine they may not).

use clap::Parser;
use std::time::{Duration, Instant};

#[derive(Debug, Parser)]
#[command(about = "bcrypt hashing rate, on one thread unless told otherwise")]
struct Args {
    /// bcrypt cost (4..=31), as the server's `--bcrypt-cost`.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(4..=31))]
    cost: u32,
    /// How long to hash for; every thread completes at least one hash.
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// How many threads hash at the same time.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1024))]
    threads: u32,
}

/// Hashes until `budget` has passed; returns how many hashes were done and how long it took.
fn hash_for(cost: u32, budget: Duration) -> (u64, Duration) {
    let started = Instant::now();
    let mut hashes: u64 = 0;
    loop {
        // bcrypt's time does not depend on the password: its key schedule always runs over
        // 72 bytes.
        let hash = bcrypt::hash(format!("Bench#{hashes:08}"), cost).expect("bcrypt hash");
        std::hint::black_box(hash);
        hashes += 1;
        if started.elapsed() >= budget {
            return (hashes, started.elapsed());
        }
    }
}

fn main() {
    let args = Args::parse();
    let budget = Duration::from_secs_f64(args.seconds.max(0.0));
    // One warm-up hash, not counted: page faults and lazy initialisation.
    bcrypt::hash("Warm-up#2026", args.cost).expect("bcrypt hash");
    if args.threads == 1 {
        let (hashes, elapsed) = hash_for(args.cost, budget);
        let elapsed = elapsed.as_secs_f64();
        println!(
            "bcrypt cost {}, one thread: {:.2} hashes/s ({} hashes in {:.2} s)",
            args.cost,
            hashes as f64 / elapsed,
            hashes,
            elapsed
        );
        return;
    }
    let workers: Vec<_> = (0..args.threads)
        .map(|_| std::thread::spawn(move || hash_for(args.cost, budget)))
        .collect();
    let done: Vec<(u64, Duration)> = workers
        .into_iter()
        .map(|worker| worker.join().expect("hashing thread"))
        .collect();
    // Each thread's own rate, summed: threads stop at slightly different times.
    let total: f64 = done
        .iter()
        .map(|(hashes, elapsed)| *hashes as f64 / elapsed.as_secs_f64())
        .sum();
    let hashes: u64 = done.iter().map(|(hashes, _)| hashes).sum();
    let longest = done
        .iter()
        .map(|(_, elapsed)| elapsed.as_secs_f64())
        .fold(0.0, f64::max);
    println!(
        "bcrypt cost {}, {} threads: {:.2} hashes/s in total, {:.2} per thread ({} hashes in {:.2} s)",
        args.cost,
        args.threads,
        total,
        total / f64::from(args.threads),
        hashes,
        longest
    );
}
