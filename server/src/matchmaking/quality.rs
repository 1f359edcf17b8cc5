//! The quality report of a run: placement (plain and weighted by priority), business-hours
//! share, runs of back-to-back meetings, interpreter use, reasons of the pairs left out and
//! runtime.

use super::greedy::greedy_problem;
use super::model::{Input, InputError, Priority, Quality, Reason, Run, Schedule};
use super::problem::{Problem, BUSINESS};
use super::solve::solve_problem;
use std::collections::BTreeMap;
use std::time::Instant;

/// Schedule an input and report on it.
pub fn run(input: &Input) -> Result<Run, InputError> {
    timed(input, solve_problem)
}

/// The greedy baseline, reported the same way.
pub fn run_greedy(input: &Input) -> Result<Run, InputError> {
    timed(input, greedy_problem)
}

fn timed(input: &Input, f: fn(&Problem) -> Schedule) -> Result<Run, InputError> {
    let t = Instant::now();
    let prob = Problem::new(input)?;
    let schedule = f(&prob);
    let runtime_ms = t.elapsed().as_secs_f64() * 1e3;
    let quality = quality(&prob, &schedule, runtime_ms);
    Ok(Run { schedule, quality })
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

pub fn reason_code(r: &Reason) -> String {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| v.get("code").and_then(|c| c.as_str()).map(str::to_string))
        .unwrap_or_default()
}

pub fn quality(prob: &Problem, schedule: &Schedule, runtime_ms: f64) -> Quality {
    let input = prob.input;
    let n = prob.n_slots();
    let (mut weight_all, mut weight_placed, mut must_all, mut must_placed) =
        (0u64, 0u64, 0u64, 0u64);
    let mut placed_ix = vec![false; prob.pairs.len()];
    for pl in &schedule.placements {
        if let Some(&p) = prob.pair_ix.get(&pl.pair) {
            placed_ix[p as usize] = true;
        }
    }
    for (p, info) in prob.pairs.iter().enumerate() {
        let must = input.pairs[p].priority == Priority::MustMeet;
        weight_all += u64::from(info.weight);
        must_all += u64::from(must);
        if placed_ix[p] {
            weight_placed += u64::from(info.weight);
            must_placed += u64::from(must);
        }
    }
    let mut business = 0u32;
    let mut buyer_rows: Vec<Vec<bool>> = vec![Vec::new(); input.buyers.len()];
    let mut interp_rows: Vec<Vec<bool>> = vec![Vec::new(); input.interpreters.len()];
    let mut interpreted = 0u32;
    for pl in &schedule.placements {
        let Some(&p) = prob.pair_ix.get(&pl.pair) else {
            continue;
        };
        let info = &prob.pairs[p as usize];
        let (Some(b), Some(c)) = (info.buyer, info.company) else {
            continue;
        };
        if (pl.slot as usize) >= n {
            continue;
        }
        if prob.buyer_flag(b, pl.slot) & prob.company_flag(c, pl.slot) & BUSINESS != 0 {
            business += 1;
        }
        mark(&mut buyer_rows[b as usize], n, pl.slot);
        if let Some(i) = pl
            .interpreting
            .as_ref()
            .and_then(|i| prob.interp_ix.get(&i.interpreter))
        {
            mark(&mut interp_rows[*i as usize], n, pl.slot);
            interpreted += 1;
        }
    }
    let mut longest_runs: Vec<u32> = Vec::new();
    let mut back_to_back = 0;
    for row in buyer_rows.iter().chain(interp_rows.iter()) {
        if row.is_empty() {
            continue;
        }
        let (longest, adj) = runs(prob, row);
        back_to_back += adj;
        if longest as usize > longest_runs.len() {
            longest_runs.resize(longest as usize, 0);
        }
        longest_runs[longest as usize - 1] += 1;
    }
    let free: u64 = (0..input.interpreters.len() as u32)
        .map(|i| {
            (0..n as u32)
                .filter(|&s| prob.interp_can(i, s, super::model::Mode::Online))
                .count() as u64
        })
        .sum();
    let mut unplaced_by_reason = BTreeMap::new();
    for u in &schedule.unplaced {
        *unplaced_by_reason
            .entry(reason_code(&u.reason))
            .or_insert(0) += 1;
    }
    let placed = schedule.placements.len() as u32;
    Quality {
        pairs: prob.pairs.len() as u32,
        placed,
        placement_rate: ratio(u64::from(placed), prob.pairs.len() as u64),
        weighted_rate: ratio(weight_placed, weight_all),
        weighted_placed: weight_placed as u32,
        must_meet_rate: ratio(must_placed, must_all),
        business,
        business_share: ratio(u64::from(business), u64::from(placed)),
        longest_run: longest_runs.len() as u32,
        longest_runs,
        back_to_back,
        interpreter_utilisation: ratio(u64::from(interpreted), free),
        interpreted,
        unplaced_by_reason,
        runtime_ms,
    }
}

fn mark(row: &mut Vec<bool>, n: usize, s: u32) {
    if row.is_empty() {
        row.resize(n, false);
    }
    row[s as usize] = true;
}

/// Longest run and number of back-to-back neighbours in a row of booked slots.
fn runs(prob: &Problem, row: &[bool]) -> (u32, u32) {
    let (mut longest, mut run, mut adj) = (0, 0, 0);
    for (s, &busy) in row.iter().enumerate() {
        let follows = s > 0 && prob.slots[s].block_start as usize != s;
        if busy {
            if follows && row[s - 1] {
                run += 1;
                adj += 1;
            } else {
                run = 1;
            }
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    (longest, adj)
}
