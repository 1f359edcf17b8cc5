//! Repair of the pairs left out: ejection chains (shallow, then deep), one-out-two-in swaps
//! and trades of lighter meetings for a heavier pair. Every change goes through the
//! solver's journal, so a move that fails is undone exactly.

use super::{Goal, Solver};
use crate::matchmaking::problem::Cand;
use crate::matchmaking::state::State;

/// Steps (ejections tried) and depth (levels of meetings moved) of one left-out pair's
/// repair: a shallow round for every pair, then a deep one for those still out, within the
/// run's budget.
const REPAIR_STEPS: u32 = 300;
const REPAIR_DEPTH: u32 = 3;
const DEEP_STEPS: u32 = 30_000;
const DEEP_DEPTH: u32 = 6;
/// Candidate ejections looked at per slot in a chain.
const BLOCKERS_PER_SLOT: usize = 6;

impl Solver<'_> {
    /// Insert every left-out pair by ejection chains, shallow then deep; failing that, let a
    /// heavier pair take the place of lighter ones.
    pub(super) fn repair(&mut self, order: &[u32]) {
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
    pub(super) fn chain(
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
}
