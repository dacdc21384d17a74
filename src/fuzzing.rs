//! What the fuzz targets (`soap::fuzz`, `rest::fuzz`) share: the seed corpus under
//! `fixtures/fuzz/`, the mutations applied to it, and a bounded, reproducible run.
//!
//! `cargo test` runs a fixed number of cases from a fixed seed. For a longer hunt:
//! `DUALGATE_FUZZ_CASES=200000 DUALGATE_FUZZ_SEED=7 cargo test --release --lib fuzz`.

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngSeed};
use std::path::Path;

const DEFAULT_CASES: u32 = 2000;
const DEFAULT_SEED: u64 = 0x4475_616c_6761_7465;

/// Fragments that steer mutations towards what parsers get wrong: markup, references, escapes,
/// nesting openers and byte sequences that are not UTF-8.
const TOKENS: &[&[u8]] = &[
    b"<",
    b">",
    b"</",
    b"/>",
    b"<a>",
    b"</a>",
    b"&",
    b"&amp;",
    b"&e;",
    b"&#0;",
    b"&#xD800;",
    b"&#1114112;",
    b"<!DOCTYPE a [<!ENTITY e \"x\">]>",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"<?xml version=\"1.0\"?>",
    b" xmlns=\"urn:x\"",
    b" xmlns:p=\"urn:p\"",
    b"p:",
    b" a=\"1\"",
    b" s:mustUnderstand=\"1\"",
    b" xsi:nil=\"true\"",
    b"\"",
    b"'",
    b"=",
    b"{",
    b"}",
    b"[",
    b"]",
    b"{\"a\":",
    b"\\",
    b"\\u0000",
    b"\\ud800",
    b":",
    b",",
    b"null",
    b"1e999",
    b"\"id\":",
    b"\xff",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\xef\xbb\xbf",
    b"\x00",
];

/// Openers and closers for `Mutation::Wrap`.
const BRACKETS: &[(&[u8], &[u8])] = &[
    (b"<a>", b"</a>"),
    (b"<p:a xmlns:p=\"urn:p\">", b"</p:a>"),
    (b"[", b"]"),
    (b"{\"a\":", b"}"),
];

#[derive(Debug, Clone)]
enum Mutation {
    FlipBit {
        at: Index,
        bit: u8,
    },
    SetByte {
        at: Index,
        byte: u8,
    },
    Truncate {
        at: Index,
    },
    Remove {
        at: Index,
        len: usize,
    },
    Insert {
        at: Index,
        token: &'static [u8],
    },
    /// Copies a slice elsewhere, `times` over: enough repeats make floods and deep nesting.
    Duplicate {
        from: Index,
        len: usize,
        to: Index,
        times: usize,
    },
    /// Wraps the whole input in `times` balanced brackets: deep nesting that stays well-formed.
    Wrap {
        brackets: (&'static [u8], &'static [u8]),
        times: usize,
    },
}

/// Structural mutations weigh more than byte noise, which mostly ends at the UTF-8 check.
fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        1 => (any::<Index>(), 0..8u8).prop_map(|(at, bit)| Mutation::FlipBit { at, bit }),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| Mutation::SetByte { at, byte }),
        1 => any::<Index>().prop_map(|at| Mutation::Truncate { at }),
        2 => (any::<Index>(), 1..64usize).prop_map(|(at, len)| Mutation::Remove { at, len }),
        4 => (any::<Index>(), prop::sample::select(TOKENS))
            .prop_map(|(at, token)| Mutation::Insert { at, token }),
        2 => (any::<Index>(), 1..64usize, any::<Index>(), 1..2000usize).prop_map(
            |(from, len, to, times)| Mutation::Duplicate {
                from,
                len,
                to,
                times
            }
        ),
        2 => (prop::sample::select(BRACKETS), 1..100usize)
            .prop_map(|(brackets, times)| Mutation::Wrap { brackets, times }),
    ]
}

fn apply(mut input: Vec<u8>, mutation: &Mutation) -> Vec<u8> {
    if input.is_empty() {
        return input;
    }
    let len = input.len();
    match mutation {
        Mutation::FlipBit { at, bit } => input[at.index(len)] ^= 1 << bit,
        Mutation::SetByte { at, byte } => input[at.index(len)] = *byte,
        Mutation::Truncate { at } => input.truncate(at.index(len)),
        Mutation::Remove { at, len: count } => {
            let start = at.index(len);
            input.drain(start..(start + count).min(len));
        }
        Mutation::Insert { at, token } => {
            let at = at.index(len + 1);
            input.splice(at..at, token.iter().copied());
        }
        Mutation::Duplicate {
            from,
            len: count,
            to,
            times,
        } => {
            let start = from.index(len);
            let slice = input[start..(start + count).min(len)].repeat(*times);
            let at = to.index(len + 1);
            input.splice(at..at, slice);
        }
        Mutation::Wrap {
            brackets: (open, close),
            times,
        } => input = [open.repeat(*times), input, close.repeat(*times)].concat(),
    }
    input
}

/// Every file of `fixtures/fuzz/<kind>`, in name order.
pub fn seeds(kind: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/fuzz")
        .join(kind);
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no seeds in {}", dir.display());
    paths
        .iter()
        .map(|path| std::fs::read(path).unwrap())
        .collect()
}

/// A seed of `kind` as it is or with up to eight mutations.
pub fn inputs(kind: &str) -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(seeds(kind)),
        prop::collection::vec(mutation(), 0..8),
    )
        .prop_map(|(seed, mutations)| mutations.iter().fold(seed, apply))
}

fn from_env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// A fixed seed and a bounded number of cases, both overridable from the environment;
/// failures are reported with their shrunk input, not written to disk.
pub fn config() -> Config {
    Config {
        cases: from_env("DUALGATE_FUZZ_CASES", DEFAULT_CASES),
        rng_seed: RngSeed::Fixed(from_env("DUALGATE_FUZZ_SEED", DEFAULT_SEED)),
        failure_persistence: None,
        ..Config::default()
    }
}
