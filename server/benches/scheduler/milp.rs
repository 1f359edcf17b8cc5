//! The exact optimum of the scheduler's objective on small fairs, by a MILP (good_lp with
//! the pure-Rust microlp backend; a dev-dependency, so the server never carries it).
//!
//! x[p, slot, mode, interpreter] ∈ {0, 1} for each static candidate of each pair (one per
//! interpreter that could come, for pairs that need one). Maximise
//! Σ x · (W · weight(p) + business(p, slot)) with W larger than any business-hours total,
//! so placements come first, subject to: each pair at most once; a buyer and an interpreter
//! in at most one meeting per slot, a company in at most `capacity`; tables and seats per
//! slot; in any `max_run + 1` back-to-back slots at most `max_run` meetings of a buyer or an
//! interpreter and `capacity · max_run` of a company. The same hard rules as the scheduler;
//! the spread term (back-to-back neighbours) is left out of the MILP.

use expo_server::matchmaking::problem::Problem;
use expo_server::matchmaking::{Mode, Schedule};
use good_lp::solvers::{SolutionStatus, WithInitialSolution, WithTimeLimit};
use good_lp::{microlp, variable, Expression, ProblemVariables, Solution, SolverModel, Variable};
use std::collections::BTreeMap;
use std::time::Instant;

pub struct Milp {
    /// Optimal (or best found, or LP bound) objective.
    pub objective: f64,
    pub weighted_placed: f64,
    pub business: f64,
    /// Proven optimal (else the time limit cut the search).
    pub optimal: bool,
    pub secs: f64,
}

/// The big weight of a placement's weight unit: more than all business hours together.
pub fn big_w(prob: &Problem) -> f64 {
    (prob.pairs.len() + 1) as f64
}

struct X {
    pair: usize,
    slot: u32,
    mode: Mode,
    interp: Option<u32>,
    business: bool,
    var: Variable,
}

/// Solve the MILP (or, with `relax`, its LP relaxation: an upper bound).
pub fn solve(prob: &Problem, warm: Option<&Schedule>, relax: bool, time_limit: f64) -> Milp {
    let t = Instant::now();
    let mut vars = ProblemVariables::new();
    let mut xs: Vec<X> = Vec::new();
    for (p, info) in prob.pairs.iter().enumerate() {
        for c in &info.cands {
            let interps: Vec<Option<u32>> = if info.needs_interpreter {
                info.interpreters
                    .iter()
                    .filter(|&&(i, _)| prob.interp_can(i, c.slot, c.mode))
                    .map(|&(i, _)| Some(i))
                    .collect()
            } else {
                vec![None]
            };
            for interp in interps {
                let def = if relax {
                    variable().min(0).max(1)
                } else {
                    variable().binary()
                };
                xs.push(X {
                    pair: p,
                    slot: c.slot,
                    mode: c.mode,
                    interp,
                    business: c.business,
                    var: vars.add(def),
                });
            }
        }
    }
    let w = big_w(prob);
    let mut objective = Expression::with_capacity(xs.len());
    for x in &xs {
        let coef = w * f64::from(prob.pairs[x.pair].weight) + f64::from(u8::from(x.business));
        objective.add_mul(coef, x.var);
    }
    let mut model = vars.maximise(objective).using(microlp);
    if !relax {
        model = model.with_time_limit(time_limit);
    }
    if let (Some(s), false) = (warm, relax) {
        let chosen: Vec<(i64, u32, Mode, Option<i64>)> = s
            .placements
            .iter()
            .map(|pl| {
                (
                    pl.pair,
                    pl.slot,
                    pl.mode,
                    pl.interpreting.as_ref().map(|i| i.interpreter),
                )
            })
            .collect();
        let init: Vec<(Variable, f64)> = xs
            .iter()
            .map(|x| {
                let key = (
                    prob.pairs[x.pair].id,
                    x.slot,
                    x.mode,
                    x.interp.map(|i| prob.input.interpreters[i as usize].id),
                );
                (x.var, f64::from(u8::from(chosen.contains(&key))))
            })
            .collect();
        model = model.with_initial_solution(init);
    }
    // Sums by key, each `<= bound`.
    let mut rows: BTreeMap<(u8, u32, u32), (Vec<Variable>, f64)> = BTreeMap::new();
    let mut add = |kind: u8, a: u32, b: u32, bound: f64, v: Variable| {
        rows.entry((kind, a, b))
            .or_insert((Vec::new(), bound))
            .0
            .push(v);
    };
    let r = prob.max_run;
    for x in &xs {
        let info = &prob.pairs[x.pair];
        let (b, c) = (info.buyer.unwrap(), info.company.unwrap());
        let cap = f64::from(prob.capacity(c));
        add(0, x.pair as u32, 0, 1.0, x.var);
        add(1, b, x.slot, 1.0, x.var);
        add(2, c, x.slot, cap, x.var);
        let (kind, count) = match x.mode {
            Mode::Onsite => (3, prob.tables[x.slot as usize]),
            Mode::Online => (4, prob.seats[x.slot as usize]),
        };
        add(kind, x.slot, 0, f64::from(count), x.var);
        if let Some(i) = x.interp {
            add(5, i, x.slot, 1.0, x.var);
        }
        // Windows of r + 1 back-to-back slots that contain the slot.
        let slot = &prob.slots[x.slot as usize];
        let lo = slot.block_start.max(x.slot.saturating_sub(r));
        for start in lo..=x.slot {
            if start + r >= slot.block_end {
                break;
            }
            add(6, b, start, f64::from(r), x.var);
            add(7, c, start, cap * f64::from(r), x.var);
            if let Some(i) = x.interp {
                add(8, i, start, f64::from(r), x.var);
            }
        }
    }
    for (_, (list, bound)) in rows {
        if list.len() as f64 <= bound {
            continue;
        }
        let mut e = Expression::with_capacity(list.len());
        for v in list {
            e.add_mul(1.0, v);
        }
        model.add_constraint(e.leq(bound));
    }
    let solution = model
        .solve()
        .expect("the MILP solves (all zero is feasible)");
    let optimal = relax || matches!(solution.status(), SolutionStatus::Optimal);
    let (mut objective, mut weighted, mut business) = (0.0, 0.0, 0.0);
    for x in &xs {
        let v = solution.value(x.var);
        let wt = f64::from(prob.pairs[x.pair].weight);
        weighted += v * wt;
        business += v * f64::from(u8::from(x.business));
        objective += v * (w * wt + f64::from(u8::from(x.business)));
    }
    Milp {
        objective,
        weighted_placed: weighted,
        business,
        optimal,
        secs: t.elapsed().as_secs_f64(),
    }
}
