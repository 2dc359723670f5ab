//! The golden file shared with the Python suite: programs and every way a
//! run of each may end under Go's rules, as the model computes it.
//!
//! `GOLANG_FUZZ_WRITE_GOLDEN=1 cargo test --test fuzz_model golden` rewrites
//! it (from a fixed generator seed); otherwise the test checks that the model
//! still gives each program's recorded outcomes and that real runs end in
//! one of them.

use super::model::{self, Verdict};
use super::program::{self, Program};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::collections::BTreeSet;

pub const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fuzz/golden.txt");
const PROGRAMS: usize = 120;
/// Golden programs have at most this many model states (the Python model
/// explores them all too).
pub const STATES: usize = 1500;

/// The golden file's text.
pub fn generate() -> String {
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &[7u8; 32]));
    let mut out = String::from(
        "# Programs of the model-checked fuzz suite and how a run of each may end under\n\
         # Go's rules, from the model (tests/fuzz/model.rs); the Python suite\n\
         # (tests/python/test_fuzz_model.py) checks its model against it. Written by\n\
         # GOLANG_FUZZ_WRITE_GOLDEN=1 cargo test --test fuzz_model golden\n",
    );
    let mut n = 0;
    while n < PROGRAMS {
        let p = program::program(4).new_tree(&mut runner).unwrap().current();
        let Some(classes) = model::outcome_classes(&p, STATES, false) else { continue };
        if classes.len() < 2 && n % 3 != 0 {
            continue; // prefer programs that can end more than one way
        }
        out += &p.to_golden();
        out += &format!("outcomes {}\nend\n", classes.into_iter().collect::<Vec<_>>().join("; "));
        n += 1;
    }
    out
}

/// The golden file's programs and outcome classes.
pub fn parse(text: &str) -> Vec<(Program, BTreeSet<String>)> {
    let mut out = Vec::new();
    let mut block: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.is_empty() || line == "program" {
            continue;
        }
        if let Some(rest) = line.strip_prefix("outcomes ") {
            let p = Program::parse_golden(&block).unwrap_or_else(|e| panic!("golden file: {e}"));
            out.push((p, rest.split("; ").map(String::from).collect()));
            block.clear();
        } else if line != "end" {
            block.push(line);
        }
    }
    out
}

/// Checks the golden file (or writes it).
pub fn check(run_and_check: impl Fn(&Program, u64) -> (Verdict, String)) {
    if std::env::var("GOLANG_FUZZ_WRITE_GOLDEN").is_ok_and(|v| v == "1") {
        std::fs::write(PATH, generate()).unwrap();
    }
    let text = std::fs::read_to_string(PATH).unwrap();
    let programs = parse(&text);
    assert!(programs.len() >= PROGRAMS, "golden file has {} programs", programs.len());
    for (p, classes) in &programs {
        assert_eq!(Program::parse_golden(&p.to_golden().lines().skip(1).collect::<Vec<_>>()).as_ref(), Ok(p));
        let got = model::outcome_classes(p, STATES, false).expect("golden programs are small");
        assert_eq!(&got, classes, "the model's outcomes changed for\n{p}");
        for seed in 0..3 {
            let (v, class) = run_and_check(p, seed);
            if let Verdict::Fail(why) = v {
                panic!("seed {seed}, program:\n{p}\n{why}");
            }
            assert!(classes.contains(&class), "seed {seed}: the run ended with {class}, not one of {classes:?}:\n{p}");
        }
    }
}
