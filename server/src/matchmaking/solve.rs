//! The scheduler: confirmed meetings first, then a construction hardest-pair-first, then a
//! repair of the pairs left out by ejection chains (move a meeting that stands in the way
//! somewhere else, recursively, a bounded number of steps), then local moves that bring
//! meetings into both sides' business hours and break up back-to-back runs.
//!
//! Objective, in this order: weighted placements, meetings in both sides' business hours,
//! fewest back-to-back neighbours. Every limit is a count of steps, never a clock, so the
//! same input gives the same schedule.

use super::explain::explain;
use super::finish::{finish, place_fixed};
use super::model::{Input, InputError, Schedule};
use super::problem::{Cand, Problem};
use super::rng::tie;
use super::state::{Assign, State};

/// Steps one left-out pair's repair may take (each an ejection tried).
const REPAIR_STEPS: u32 = 4_000;
/// Depth of an ejection chain (meetings moved for one insertion).
const REPAIR_DEPTH: u32 = 3;
/// Passes of the improvement moves.
const IMPROVE_PASSES: u32 = 3;
/// Candidate ejections looked at per slot in a chain.
const BLOCKERS_PER_SLOT: usize = 6;

/// Schedule an input.
pub fn solve(input: &Input) -> Result<Schedule, InputError> {
    let prob = Problem::new(input)?;
    Ok(solve_problem(&prob))
}

pub fn solve_problem(prob: &Problem) -> Schedule {
    let mut st = State::new(prob);
    let fixed_issues = place_fixed(&mut st);
    let mut solver = Solver {
        st,
        seed: prob.input.fair.seed,
        scratch: Vec::new(),
    };
    let order = solver.order();
    for &p in &order {
        solver.insert_direct(p);
    }
    solver.repair(&order);
    for _ in 0..IMPROVE_PASSES {
        let moved = solver.improve_business(&order) + solver.improve_spread(&order);
        if moved == 0 {
            break;
        }
    }
    solver.repair(&order);
    let st = solver.st;
    let unplaced = order_unplaced(&st);
    finish(&st, fixed_issues, unplaced)
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

struct Solver<'p> {
    st: State<'p>,
    seed: u64,
    scratch: Vec<u32>,
}

impl<'p> Solver<'p> {
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

    /// Insert every left-out pair by ejection chains; then, for a heavier pair, accept
    /// dropping one lighter meeting.
    fn repair(&mut self, order: &[u32]) {
        for &p in order {
            if self.st.placed(p) {
                continue;
            }
            let mut steps = REPAIR_STEPS;
            let mut path = vec![p];
            if !self.chain(p, REPAIR_DEPTH, &mut path, &mut steps) {
                self.trade(p);
            }
        }
    }

    /// Place `p`, moving at most `depth` meetings in a chain. Undoes itself on failure.
    fn chain(&mut self, p: u32, depth: u32, path: &mut Vec<u32>, steps: &mut u32) -> bool {
        if self.insert_direct(p) {
            return true;
        }
        if depth == 0 {
            return false;
        }
        let prob = self.st.prob;
        let mut cands: Vec<Cand> = prob.pairs[p as usize].cands.clone();
        cands.sort_by_key(|c| (!c.business, self.tie(p, c.slot)));
        let mut blockers = std::mem::take(&mut self.scratch);
        for c in &cands {
            if *steps == 0 {
                break;
            }
            self.st.blockers(p, c.slot, c.mode, &mut blockers);
            blockers.retain(|q| !path.contains(q));
            // Most movable first: more candidate slots.
            blockers.sort_by_key(|&q| {
                (
                    std::cmp::Reverse(prob.pairs[q as usize].cands.len()),
                    self.tie(q, c.slot),
                )
            });
            blockers.truncate(BLOCKERS_PER_SLOT);
            let list = blockers.clone();
            for q in list {
                if *steps == 0 {
                    break;
                }
                *steps -= 1;
                let old = self.st.unplace(q);
                if let Some(a) = self.st.feasible(p, c.slot, c.mode) {
                    self.st.place(p, a);
                    path.push(q);
                    if self.chain(q, depth - 1, path, steps) {
                        self.scratch = blockers;
                        return true;
                    }
                    path.pop();
                    self.st.unplace(p);
                }
                self.st.place(q, old);
            }
        }
        self.scratch = blockers;
        false
    }

    /// A heavier left-out pair takes the place of one lighter meeting, which is then tried
    /// elsewhere once more.
    fn trade(&mut self, p: u32) -> bool {
        let prob = self.st.prob;
        let w = prob.pairs[p as usize].weight;
        let mut blockers = Vec::new();
        for c in prob.pairs[p as usize].cands.iter() {
            self.st.blockers(p, c.slot, c.mode, &mut blockers);
            for &q in &blockers {
                if prob.pairs[q as usize].weight >= w {
                    continue;
                }
                let old = self.st.unplace(q);
                if let Some(a) = self.st.feasible(p, c.slot, c.mode) {
                    self.st.place(p, a);
                    let mut steps = REPAIR_STEPS / 4;
                    let mut path = vec![p, q];
                    self.chain(q, REPAIR_DEPTH - 1, &mut path, &mut steps);
                    return true;
                }
                self.st.place(q, old);
            }
        }
        false
    }

    /// Move meetings outside someone's business hours into both sides' hours: directly, or
    /// by moving one meeting in the way to a slot no worse for it.
    fn improve_business(&mut self, order: &[u32]) -> u32 {
        let prob = self.st.prob;
        let mut moved = 0;
        let mut blockers = Vec::new();
        for &p in order {
            let Some(old) = self.st.at[p as usize] else {
                continue;
            };
            let info = &prob.pairs[p as usize];
            if is_business(info.cands.as_slice(), &old) {
                continue;
            }
            self.st.unplace(p);
            if let Some(a) = self.best(p, |c| c.business) {
                self.st.place(p, a);
                moved += 1;
                continue;
            }
            let mut done = false;
            'cands: for c in info.cands.iter().filter(|c| c.business) {
                self.st.blockers(p, c.slot, c.mode, &mut blockers);
                for &q in &blockers {
                    let q_old = self.st.unplace(q);
                    let q_business = is_business(&prob.pairs[q as usize].cands, &q_old);
                    if let Some(a) = self.st.feasible(p, c.slot, c.mode) {
                        self.st.place(p, a);
                        if let Some(b) = self.best(q, |k| k.business || !q_business) {
                            self.st.place(q, b);
                            done = true;
                            break 'cands;
                        }
                        self.st.unplace(p);
                    }
                    self.st.place(q, q_old);
                }
            }
            if done {
                moved += 1;
            } else {
                self.st.place(p, old);
            }
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
