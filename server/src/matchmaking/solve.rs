//! The scheduler: confirmed meetings first, then a construction hardest-pair-first, then a
//! repair of the pairs left out by ejection chains (move a meeting that stands in the way
//! somewhere else, recursively, a bounded number of steps), then local moves that bring
//! meetings into both sides' business hours and break up back-to-back runs.
//!
//! Objective, in this order: weighted placements, meetings in both sides' business hours,
//! fewest back-to-back neighbours. Every limit is a count of steps (ejections tried, per
//! pair and per run), never a clock, so the same input gives the same schedule on any
//! machine; the run's budgets grow with the number of pairs up to a ceiling, which bounds
//! the time an overbooked fair takes.

use super::explain::explain;
use super::finish::{finish, place_fixed};
use super::model::{FixedIssue, Input, InputError, Schedule};
use super::problem::{Cand, Problem};
use super::rng::{mix, tie};
use super::state::{Assign, State};

mod repair;

/// Ejections tried in the whole run, for placing pairs and for business hours: so many per
/// pair of the input, within a floor and a ceiling. They bound the time a fair that cannot
/// be fully placed takes.
const PLACE_WORK: (u64, u64, u64) = (20, 5_000, 100_000);
const BUSINESS_WORK: (u64, u64, u64) = (25, 5_000, 100_000);

fn budget((per_pair, floor, ceiling): (u64, u64, u64), pairs: usize) -> u64 {
    (per_pair * pairs as u64).clamp(floor, ceiling)
}

/// Passes of the improvement moves.
const IMPROVE_PASSES: u32 = 3;
/// Steps and depth of a chain that brings one meeting into business hours.
const IMPROVE_STEPS: u32 = 400;
const IMPROVE_DEPTH: u32 = 2;
/// Extra runs with other tie-breaks when pairs that have places were left out.
const RESTARTS: u64 = 3;

/// Schedule an input.
pub fn solve(input: &Input) -> Result<Schedule, InputError> {
    let prob = Problem::new(input)?;
    Ok(solve_problem(&prob))
}

pub fn solve_problem(prob: &Problem) -> Schedule {
    let seed = prob.input.fair.seed;
    let (mut best, fixed_issues) = attempt(prob, seed);
    let mut best_score = score(&best);
    // Pairs that have places but were left out: a fair that cannot hold them all. Other
    // tie-breaks find other packings; the best is kept (the first of equals).
    for k in 1..=RESTARTS {
        let open = (0..prob.pairs.len() as u32)
            .any(|p| !best.placed(p) && !prob.pairs[p as usize].cands.is_empty());
        if !open {
            break;
        }
        let (next, _) = attempt(prob, mix(seed ^ mix(k)));
        let next_score = score(&next);
        if next_score > best_score {
            (best, best_score) = (next, next_score);
        }
    }
    let unplaced = order_unplaced(&best);
    finish(&best, fixed_issues, unplaced)
}

/// Weighted placements, then meetings in both sides' business hours.
fn score(st: &State) -> (u64, u64) {
    let (mut weight, mut business) = (0, 0);
    for (p, a) in st.at.iter().enumerate() {
        if let Some(a) = a {
            let info = &st.prob.pairs[p];
            weight += u64::from(info.weight);
            business += u64::from(is_business(&info.cands, a));
        }
    }
    (weight, business)
}

/// One run of the scheduler with a tie-break seed.
fn attempt<'p>(prob: &'p Problem<'p>, seed: u64) -> (State<'p>, Vec<FixedIssue>) {
    let mut st = State::new(prob);
    let fixed_issues = place_fixed(&mut st);
    let mut solver = Solver {
        st,
        seed,
        log: Vec::new(),
        work: budget(PLACE_WORK, prob.pairs.len()),
    };
    // Construction: each pair at its best free place, hardest first.
    let order = solver.order();
    for &p in &order {
        solver.insert_direct(p);
    }
    // Repair: the pairs left out, by ejection chains and swaps.
    solver.repair(&order);
    // Improvement: business hours, then spread; on its own budget.
    let n = prob.pairs.len();
    let mut place_work = std::mem::replace(&mut solver.work, budget(BUSINESS_WORK, n));
    for _ in 0..IMPROVE_PASSES {
        let moved = solver.improve_business(&order) + solver.improve_spread(&order);
        if moved == 0 {
            break;
        }
    }
    // What the moves freed may take a pair still out.
    std::mem::swap(&mut solver.work, &mut place_work);
    solver.repair(&order);
    (solver.st, fixed_issues)
}

fn order_unplaced(st: &State) -> Vec<super::model::Unplaced> {
    (0..st.prob.pairs.len() as u32)
        .filter(|&p| !st.placed(p))
        .map(|p| super::model::Unplaced {
            pair: st.prob.pairs[p as usize].id,
            reason: explain(st, p),
        })
        .collect()
}

/// What an ejection chain is for: placing a pair (the meetings moved may leave business
/// hours), or bringing one into business hours (those moved must stay in them).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Goal {
    Place,
    Business,
}

/// A change to the schedule, to undo a chain that failed.
enum Op {
    Placed(u32),
    Unplaced(u32, Assign),
}

struct Solver<'p> {
    st: State<'p>,
    seed: u64,
    /// Changes since the current top-level step began.
    log: Vec<Op>,
    /// Ejections the current phase may still try.
    work: u64,
}

impl<'p> Solver<'p> {
    fn place(&mut self, p: u32, a: Assign) {
        self.st.place(p, a);
        self.log.push(Op::Placed(p));
    }

    fn unplace(&mut self, p: u32) -> Assign {
        let a = self.st.unplace(p);
        self.log.push(Op::Unplaced(p, a));
        a
    }

    /// Undo every change after `mark`.
    fn undo(&mut self, mark: usize) {
        while self.log.len() > mark {
            match self.log.pop() {
                Some(Op::Placed(p)) => {
                    self.st.unplace(p);
                }
                Some(Op::Unplaced(p, a)) => self.st.place(p, a),
                None => break,
            }
        }
    }

    fn business(&self, p: u32, a: &Assign) -> bool {
        is_business(&self.st.prob.pairs[p as usize].cands, a)
    }

    fn tie(&self, p: u32, s: u32) -> u64 {
        tie(
            self.seed,
            self.st.prob.pairs[p as usize].id as u64,
            u64::from(s),
        )
    }

    /// Pairs to place, hardest first: heavier, then fewer candidate slots (scaled down by
    /// how contested the interpreters it needs are), then a seeded tie-break.
    fn order(&self) -> Vec<u32> {
        let prob = self.st.prob;
        let n_interp = prob.input.interpreters.len();
        let mut supply = vec![0u64; n_interp];
        for (i, s) in supply.iter_mut().enumerate() {
            *s = (0..prob.n_slots() as u32)
                .filter(|&k| prob.interp_can(i as u32, k, super::model::Mode::Online))
                .count() as u64;
        }
        let mut demand = vec![0u64; n_interp];
        for info in &prob.pairs {
            for &(i, _) in &info.interpreters {
                demand[i as usize] += 1;
            }
        }
        let mut keyed: Vec<(u32, u64, u64, u32)> = Vec::new();
        for (p, info) in prob.pairs.iter().enumerate() {
            if info.fixed.is_some() || self.st.placed(p as u32) || info.cands.is_empty() {
                continue;
            }
            let mut ease = info.cands.len() as u64 * 100;
            if info.needs_interpreter {
                let sup: u64 = info
                    .interpreters
                    .iter()
                    .map(|&(i, _)| supply[i as usize])
                    .sum();
                let dem: u64 = info
                    .interpreters
                    .iter()
                    .map(|&(i, _)| demand[i as usize])
                    .sum();
                // Interpreter slots per competing pair; below ~8 it is what binds.
                let ratio = (sup * 100) / dem.max(1);
                ease = ease * ratio.min(800) / 800;
            }
            keyed.push((
                u32::MAX - info.weight,
                ease,
                self.tie(p as u32, 0),
                p as u32,
            ));
        }
        keyed.sort_unstable();
        keyed.into_iter().map(|k| k.3).collect()
    }

    /// Score of a feasible assignment (higher is better): business hours, then fewer
    /// back-to-back neighbours, then a less loaded slot, then the tie-break.
    fn score(&self, p: u32, c: &Cand, a: &Assign) -> (bool, i64, u64) {
        let st = &self.st;
        let info = &st.prob.pairs[p as usize];
        let adj = i64::from(st.adjacency(p, c.slot, a.interp));
        let comp = info.company.map_or(0, |k| st.company_load(k, c.slot));
        let cnt = st.prob.resource_count(c.slot, c.mode).max(1);
        let pressure = i64::from(st.resource_used(c.slot, c.mode) * 16 / cnt);
        let spread = -adj * 1_000 - i64::from(comp) * 20 - pressure;
        (c.business, spread, self.tie(p, c.slot * 2 + c.mode as u32))
    }

    /// The best feasible candidate of `p` now, among those `keep` accepts.
    fn best(&self, p: u32, keep: impl Fn(&Cand) -> bool) -> Option<Assign> {
        let info = &self.st.prob.pairs[p as usize];
        let mut best: Option<((bool, i64, u64), Assign)> = None;
        for c in info.cands.iter().filter(|c| keep(c)) {
            if let Some(a) = self.st.feasible(p, c.slot, c.mode) {
                let sc = self.score(p, c, &a);
                if best.as_ref().is_none_or(|b| sc > b.0) {
                    best = Some((sc, a));
                }
            }
        }
        best.map(|b| b.1)
    }

    fn insert_direct(&mut self, p: u32) -> bool {
        match self.best(p, |_| true) {
            Some(a) => {
                self.st.place(p, a);
                true
            }
            None => false,
        }
    }

    /// Move meetings outside someone's business hours into both sides' hours, moving the
    /// meetings in the way to places no worse for them.
    fn improve_business(&mut self, order: &[u32]) -> u32 {
        let mut moved = 0;
        for &p in order {
            let Some(old) = self.st.at[p as usize] else {
                continue;
            };
            if self.business(p, &old) || self.st.prob.pairs[p as usize].fixed.is_some() {
                continue;
            }
            let mark = self.log.len();
            self.unplace(p);
            let mut steps = IMPROVE_STEPS;
            let mut path = vec![p];
            if self.chain(
                p,
                true,
                Goal::Business,
                IMPROVE_DEPTH,
                &mut path,
                &mut steps,
            ) {
                moved += 1;
            } else {
                self.undo(mark);
            }
            self.log.clear();
        }
        moved
    }

    /// Move meetings with back-to-back neighbours to a slot with fewer, keeping business
    /// hours.
    fn improve_spread(&mut self, order: &[u32]) -> u32 {
        let prob = self.st.prob;
        let mut moved = 0;
        for &p in order {
            let Some(old) = self.st.at[p as usize] else {
                continue;
            };
            let adj = self.st.adjacency(p, old.slot, old.interp);
            if adj == 0 {
                continue;
            }
            let info = &prob.pairs[p as usize];
            let business = is_business(&info.cands, &old);
            self.st.unplace(p);
            let mut best: Option<(u32, Assign)> = None;
            for c in info.cands.iter().filter(|c| c.business || !business) {
                if let Some(a) = self.st.feasible(p, c.slot, c.mode) {
                    let a_adj = self.st.adjacency(p, c.slot, a.interp);
                    if a_adj < adj && best.is_none_or(|b| a_adj < b.0) {
                        best = Some((a_adj, a));
                    }
                }
            }
            match best {
                Some((_, a)) => {
                    self.st.place(p, a);
                    moved += 1;
                }
                None => self.st.place(p, old),
            }
        }
        moved
    }
}

pub(crate) fn is_business(cands: &[Cand], a: &Assign) -> bool {
    cands
        .iter()
        .any(|c| c.slot == a.slot && c.mode == a.mode && c.business)
}
