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

/// Steps (ejections tried) and depth (levels of meetings moved) of one left-out pair's
/// repair: a shallow round for every pair, then a deep one for those still out, within a
/// total for the run.
const REPAIR_STEPS: u32 = 300;
const REPAIR_DEPTH: u32 = 3;
const DEEP_STEPS: u32 = 30_000;
const DEEP_DEPTH: u32 = 6;
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
/// Candidate ejections looked at per slot in a chain.
const BLOCKERS_PER_SLOT: usize = 6;

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

    /// Insert every left-out pair by ejection chains, shallow then deep; failing that, let a
    /// heavier pair take the place of lighter ones.
    fn repair(&mut self, order: &[u32]) {
        let left = |st: &State, p: u32| !st.placed(p);
        for &p in order {
            if left(&self.st, p) {
                let mut steps = REPAIR_STEPS;
                self.chain(
                    p,
                    false,
                    Goal::Place,
                    REPAIR_DEPTH,
                    &mut vec![p],
                    &mut steps,
                );
                self.log.clear();
            }
        }
        for &p in order {
            if left(&self.st, p) {
                self.swap_in(p, order);
                self.log.clear();
            }
        }
        for &p in order {
            if left(&self.st, p) {
                self.trade(p);
                self.log.clear();
            }
        }
        for &p in order {
            if left(&self.st, p) {
                let mut steps = DEEP_STEPS;
                self.chain(p, false, Goal::Place, DEEP_DEPTH, &mut vec![p], &mut steps);
                self.log.clear();
            }
        }
    }

    /// Place `p` (in both sides' business hours if `business`), ejecting the meetings in the
    /// way and placing them again the same way, at most `depth` levels deep. Leaves the
    /// schedule as it was when it fails.
    fn chain(
        &mut self,
        p: u32,
        business: bool,
        goal: Goal,
        depth: u32,
        path: &mut Vec<u32>,
        steps: &mut u32,
    ) -> bool {
        if let Some(a) = self.best(p, |c| c.business || !business) {
            self.place(p, a);
            return true;
        }
        if depth == 0 || *steps == 0 || self.work == 0 {
            return false;
        }
        let prob = self.st.prob;
        let mut cands: Vec<Cand> = prob.pairs[p as usize]
            .cands
            .iter()
            .filter(|c| c.business || !business)
            .copied()
            .collect();
        cands.sort_by_key(|c| (!c.business, self.tie(p, c.slot)));
        let mut sets = Vec::new();
        for c in &cands {
            if *steps == 0 {
                break;
            }
            if !self.st.blockers(p, c.slot, c.mode, &mut sets) {
                continue;
            }
            for combo in self.combos(&mut sets, path) {
                if *steps == 0 || self.work == 0 {
                    break;
                }
                *steps -= 1;
                self.work -= 1;
                let mark = self.log.len();
                let ejected: Vec<(u32, bool)> = combo
                    .iter()
                    .map(|&q| {
                        let a = self.unplace(q);
                        (q, goal == Goal::Business && self.business(q, &a))
                    })
                    .collect();
                if let Some(a) = self.st.feasible(p, c.slot, c.mode) {
                    self.place(p, a);
                    let len = path.len();
                    path.extend(&combo);
                    let done = ejected
                        .iter()
                        .all(|&(q, qb)| self.chain(q, qb, goal, depth - 1, path, steps));
                    path.truncate(len);
                    if done {
                        return true;
                    }
                }
                self.undo(mark);
            }
        }
        false
    }

    /// Sets of meetings to eject, one from each obstacle's set: the most movable first
    /// (more candidate slots), smaller sets of meetings first, a bounded number.
    fn combos(&self, sets: &mut [Vec<u32>], path: &[u32]) -> Vec<Vec<u32>> {
        let prob = self.st.prob;
        let per = match sets.len() {
            1 => BLOCKERS_PER_SLOT,
            2 => 3,
            _ => 2,
        };
        for set in sets.iter_mut() {
            set.retain(|q| !path.contains(q));
            set.sort_by_key(|&q| {
                (
                    std::cmp::Reverse(prob.pairs[q as usize].cands.len()),
                    self.tie(q, 1),
                )
            });
            set.truncate(per);
        }
        let mut out: Vec<Vec<u32>> = vec![Vec::new()];
        for set in sets.iter() {
            let mut next = Vec::new();
            for combo in &out {
                for &q in set {
                    let mut c = combo.clone();
                    if !c.contains(&q) {
                        c.push(q);
                    }
                    next.push(c);
                }
            }
            out = next;
        }
        for c in &mut out {
            c.sort_unstable();
        }
        out.sort_by_key(|c| c.len());
        out.dedup();
        out.retain(|c| !c.is_empty());
        out
    }

    /// One meeting out, two in: left-out `p` takes the place of one meeting no heavier than
    /// itself, and what that meeting leaves (its buyer's or company's time, its interpreter)
    /// lets another left-out pair in.
    fn swap_in(&mut self, p: u32, order: &[u32]) -> bool {
        let prob = self.st.prob;
        let w = prob.pairs[p as usize].weight;
        let mut sets = Vec::new();
        for c in prob.pairs[p as usize].cands.iter() {
            if !self.st.blockers(p, c.slot, c.mode, &mut sets) {
                continue;
            }
            for combo in self.combos(&mut sets, &[p]) {
                let [q] = combo[..] else { continue };
                let info = &prob.pairs[q as usize];
                if info.weight > w {
                    continue;
                }
                if self.work == 0 {
                    return false;
                }
                self.work -= 1;
                let mark = self.log.len();
                let old = self.unplace(q);
                if let Some(a) = self.st.feasible(p, c.slot, c.mode) {
                    self.place(p, a);
                    let near = |r: &u32| {
                        let x = &prob.pairs[*r as usize];
                        x.buyer == info.buyer
                            || x.company == info.company
                            || old
                                .interp
                                .is_some_and(|i| x.interpreters.iter().any(|&(k, _)| k == i))
                    };
                    let others: Vec<u32> = order
                        .iter()
                        .copied()
                        .filter(|&r| r != p && r != q && !self.st.placed(r))
                        .filter(near)
                        .collect();
                    for r in others {
                        if let Some(b) = self.best(r, |_| true) {
                            self.place(r, b);
                            return true;
                        }
                    }
                }
                self.undo(mark);
            }
        }
        false
    }

    /// A heavier left-out pair takes the place of lighter meetings (less weight in all),
    /// which are then tried elsewhere.
    fn trade(&mut self, p: u32) -> bool {
        if self.work == 0 {
            return false;
        }
        let prob = self.st.prob;
        let w = prob.pairs[p as usize].weight;
        let mut sets = Vec::new();
        for c in prob.pairs[p as usize].cands.iter() {
            if !self.st.blockers(p, c.slot, c.mode, &mut sets) {
                continue;
            }
            for combo in self.combos(&mut sets, &[p]) {
                let lighter: u32 = combo.iter().map(|&q| prob.pairs[q as usize].weight).sum();
                if lighter >= w {
                    continue;
                }
                if self.work == 0 {
                    return false;
                }
                self.work -= 1;
                let mark = self.log.len();
                for &q in &combo {
                    self.unplace(q);
                }
                if let Some(a) = self.st.feasible(p, c.slot, c.mode) {
                    self.place(p, a);
                    for &q in &combo {
                        let mut steps = REPAIR_STEPS / 4;
                        let mut path = vec![p, q];
                        self.chain(
                            q,
                            false,
                            Goal::Place,
                            REPAIR_DEPTH - 1,
                            &mut path,
                            &mut steps,
                        );
                    }
                    return true;
                }
                self.undo(mark);
            }
        }
        false
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
