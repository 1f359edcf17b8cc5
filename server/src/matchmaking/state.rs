//! The solver's working schedule: who is booked where, loads of companies and resources,
//! and the one feasibility test the scheduler, the greedy baseline and the hand move share
//! (the checker has its own).

use super::model::Mode;
use super::problem::Problem;

const NONE: u32 = u32::MAX;

/// Where a pair is placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Assign {
    pub slot: u32,
    pub mode: Mode,
    /// Index of the interpreter, if the meeting has one.
    pub interp: Option<u32>,
}

/// What keeps a pair out of a slot and mode (the static checks passed).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Obstacles {
    pub buyer_busy: bool,
    pub company_full: bool,
    pub run_limit: bool,
    pub resource_full: bool,
    pub interpreters_busy: bool,
}

impl Obstacles {
    pub fn any(&self) -> bool {
        self.buyer_busy
            || self.company_full
            || self.run_limit
            || self.resource_full
            || self.interpreters_busy
    }
}

#[derive(Clone)]
pub struct State<'p> {
    pub prob: &'p Problem<'p>,
    pub at: Vec<Option<Assign>>,
    n: usize,
    buyer_occ: Vec<u32>,
    interp_occ: Vec<u32>,
    comp_load: Vec<u16>,
    tables: Vec<u32>,
    seats: Vec<u32>,
    /// Placed pairs of each company and in each slot (unordered).
    pub comp_pairs: Vec<Vec<u32>>,
    pub slot_pairs: Vec<Vec<u32>>,
    pub interp_load: Vec<u32>,
}

impl<'p> State<'p> {
    pub fn new(prob: &'p Problem<'p>) -> State<'p> {
        let n = prob.n_slots();
        let input = prob.input;
        State {
            prob,
            at: vec![None; prob.pairs.len()],
            n,
            buyer_occ: vec![NONE; input.buyers.len() * n],
            interp_occ: vec![NONE; input.interpreters.len() * n],
            comp_load: vec![0; input.companies.len() * n],
            tables: vec![0; n],
            seats: vec![0; n],
            comp_pairs: vec![Vec::new(); input.companies.len()],
            slot_pairs: vec![Vec::new(); n],
            interp_load: vec![0; input.interpreters.len()],
        }
    }

    pub fn place(&mut self, p: u32, a: Assign) {
        debug_assert!(self.at[p as usize].is_none());
        let info = &self.prob.pairs[p as usize];
        let (b, c) = (info.buyer.expect("known"), info.company.expect("known"));
        let s = a.slot as usize;
        self.buyer_occ[b as usize * self.n + s] = p;
        self.comp_load[c as usize * self.n + s] += 1;
        match a.mode {
            Mode::Onsite => self.tables[s] += 1,
            Mode::Online => self.seats[s] += 1,
        }
        if let Some(i) = a.interp {
            self.interp_occ[i as usize * self.n + s] = p;
            self.interp_load[i as usize] += 1;
        }
        self.comp_pairs[c as usize].push(p);
        self.slot_pairs[s].push(p);
        self.at[p as usize] = Some(a);
    }

    pub fn unplace(&mut self, p: u32) -> Assign {
        let a = self.at[p as usize].take().expect("placed");
        let info = &self.prob.pairs[p as usize];
        let (b, c) = (info.buyer.expect("known"), info.company.expect("known"));
        let s = a.slot as usize;
        if self.buyer_occ[b as usize * self.n + s] == p {
            self.buyer_occ[b as usize * self.n + s] = NONE;
        }
        self.comp_load[c as usize * self.n + s] -= 1;
        match a.mode {
            Mode::Onsite => self.tables[s] -= 1,
            Mode::Online => self.seats[s] -= 1,
        }
        if let Some(i) = a.interp {
            if self.interp_occ[i as usize * self.n + s] == p {
                self.interp_occ[i as usize * self.n + s] = NONE;
            }
            self.interp_load[i as usize] -= 1;
        }
        remove(&mut self.comp_pairs[c as usize], p);
        remove(&mut self.slot_pairs[s], p);
        a
    }

    pub fn buyer_at(&self, b: u32, s: u32) -> Option<u32> {
        let v = self.buyer_occ[b as usize * self.n + s as usize];
        (v != NONE).then_some(v)
    }

    pub fn interp_at(&self, i: u32, s: u32) -> Option<u32> {
        let v = self.interp_occ[i as usize * self.n + s as usize];
        (v != NONE).then_some(v)
    }

    pub fn company_load(&self, c: u32, s: u32) -> u32 {
        u32::from(self.comp_load[c as usize * self.n + s as usize])
    }

    pub fn resource_used(&self, s: u32, mode: Mode) -> u32 {
        match mode {
            Mode::Onsite => self.tables[s as usize],
            Mode::Online => self.seats[s as usize],
        }
    }

    /// Length of the run of booked slots `s` would join (counting `s`).
    fn run_with(&self, occ: &[u32], row: usize, s: u32) -> u32 {
        let slot = &self.prob.slots[s as usize];
        let base = row * self.n;
        let mut run = 1;
        let mut k = s;
        while k > slot.block_start && occ[base + k as usize - 1] != NONE {
            run += 1;
            k -= 1;
        }
        let mut k = s + 1;
        while k < slot.block_end && occ[base + k as usize] != NONE {
            run += 1;
            k += 1;
        }
        run
    }

    pub fn buyer_run_ok(&self, b: u32, s: u32) -> bool {
        self.run_with(&self.buyer_occ, b as usize, s) <= self.prob.max_run
    }

    pub fn interp_run_ok(&self, i: u32, s: u32) -> bool {
        self.run_with(&self.interp_occ, i as usize, s) <= self.prob.max_run
    }

    /// A company with `cap` seats has at most `cap * max_run` meetings in any `max_run + 1`
    /// back-to-back slots (its staff take turns to rest); one more in `s` keeps that.
    pub fn company_window_ok(&self, c: u32, s: u32) -> bool {
        let r = self.prob.max_run;
        let limit = self.prob.capacity(c) * r;
        let slot = &self.prob.slots[s as usize];
        let lo = slot.block_start.max(s.saturating_sub(r));
        let base = c as usize * self.n;
        let mut w = lo;
        while w <= s && w + r < slot.block_end {
            let sum: u32 = (w..=w + r)
                .map(|k| u32::from(self.comp_load[base + k as usize]))
                .sum();
            if sum + 1 > limit {
                return false;
            }
            w += 1;
        }
        true
    }

    /// The interpreter to take for pair `p` in `s`: free, awake, not over a run; the one
    /// with the fewest languages (keep the versatile ones), then the least loaded.
    pub fn pick_interp(&self, p: u32, s: u32, mode: Mode) -> Option<u32> {
        let info = &self.prob.pairs[p as usize];
        let mut best: Option<(usize, u32, u32)> = None;
        for &(i, _) in &info.interpreters {
            if !self.interp_free(i, s, mode) {
                continue;
            }
            let key = (
                self.prob.interp_langs[i as usize].len(),
                self.interp_load[i as usize],
                i,
            );
            if best.is_none_or(|b| key < b) {
                best = Some(key);
            }
        }
        best.map(|b| b.2)
    }

    pub fn interp_free(&self, i: u32, s: u32, mode: Mode) -> bool {
        self.prob.interp_can(i, s, mode)
            && self.interp_at(i, s).is_none()
            && self.interp_run_ok(i, s)
    }

    /// The assignment of pair `p` to `s` in `mode` if nothing stands in the way (the static
    /// checks are the caller's: `s`/`mode` is one of the pair's candidates).
    pub fn feasible(&self, p: u32, s: u32, mode: Mode) -> Option<Assign> {
        let info = &self.prob.pairs[p as usize];
        let (b, c) = (info.buyer?, info.company?);
        if self.buyer_at(b, s).is_some()
            || self.company_load(c, s) >= self.prob.capacity(c)
            || self.resource_used(s, mode) >= self.prob.resource_count(s, mode)
            || !self.buyer_run_ok(b, s)
            || !self.company_window_ok(c, s)
        {
            return None;
        }
        let interp = if info.needs_interpreter {
            Some(self.pick_interp(p, s, mode)?)
        } else {
            None
        };
        Some(Assign {
            slot: s,
            mode,
            interp,
        })
    }

    /// Every obstacle for pair `p` at `s`/`mode` (a candidate).
    pub fn obstacles(&self, p: u32, s: u32, mode: Mode) -> Obstacles {
        let info = &self.prob.pairs[p as usize];
        let (Some(b), Some(c)) = (info.buyer, info.company) else {
            return Obstacles::default();
        };
        let mut o = Obstacles {
            buyer_busy: self.buyer_at(b, s).is_some(),
            company_full: self.company_load(c, s) >= self.prob.capacity(c),
            resource_full: self.resource_used(s, mode) >= self.prob.resource_count(s, mode),
            ..Obstacles::default()
        };
        // A run counts only where the slot itself is free for both sides.
        let free = !o.buyer_busy && !o.company_full;
        o.run_limit = free && !(self.buyer_run_ok(b, s) && self.company_window_ok(c, s));
        if info.needs_interpreter && self.pick_interp(p, s, mode).is_none() {
            o.interpreters_busy = true;
        }
        o
    }

    /// Back-to-back neighbours the buyer (and the interpreter) would have in `s`.
    pub fn adjacency(&self, p: u32, s: u32, interp: Option<u32>) -> u32 {
        let info = &self.prob.pairs[p as usize];
        let mut adj = 0;
        if let Some(b) = info.buyer {
            adj += self.neighbours(&self.buyer_occ, b as usize, s, p);
        }
        if let Some(i) = interp {
            adj += self.neighbours(&self.interp_occ, i as usize, s, p);
        }
        adj
    }

    fn neighbours(&self, occ: &[u32], row: usize, s: u32, me: u32) -> u32 {
        let slot = &self.prob.slots[s as usize];
        let base = row * self.n;
        let mut adj = 0;
        if s > slot.block_start {
            let v = occ[base + s as usize - 1];
            adj += u32::from(v != NONE && v != me);
        }
        if s + 1 < slot.block_end {
            let v = occ[base + s as usize + 1];
            adj += u32::from(v != NONE && v != me);
        }
        adj
    }

    /// For each obstacle keeping `p` out of `s`/`mode`, the placed meetings whose removal
    /// would clear it (fixed meetings never count). Ejecting one meeting of every set may
    /// let `p` in; an empty set means nothing can (false then, and when nothing blocks).
    pub fn blockers(&self, p: u32, s: u32, mode: Mode, sets: &mut Vec<Vec<u32>>) -> bool {
        sets.clear();
        let info = &self.prob.pairs[p as usize];
        let (Some(b), Some(c)) = (info.buyer, info.company) else {
            return false;
        };
        let o = self.obstacles(p, s, mode);
        if !o.any() {
            return false;
        }
        let slot = &self.prob.slots[s as usize];
        let r = self.prob.max_run;
        let (lo, hi) = (
            slot.block_start.max(s.saturating_sub(r)),
            slot.block_end.min(s + r + 1),
        );
        if o.buyer_busy {
            sets.push(self.buyer_at(b, s).into_iter().collect());
        }
        if o.company_full {
            sets.push(self.company_at(c, s, s + 1));
        }
        if o.resource_full {
            sets.push(
                self.slot_pairs[s as usize]
                    .iter()
                    .copied()
                    .filter(|&q| self.at[q as usize].is_some_and(|a| a.mode == mode))
                    .collect(),
            );
        }
        if o.interpreters_busy {
            // The meeting of each interpreter who could come, or its neighbours when it is
            // only a run that stops it.
            let mut set = Vec::new();
            for &(i, _) in &info.interpreters {
                if !self.prob.interp_can(i, s, mode) {
                    continue;
                }
                match self.interp_at(i, s) {
                    Some(q) => set.push(q),
                    None => set.extend((lo..hi).filter_map(|k| self.interp_at(i, k))),
                }
            }
            sets.push(set);
        }
        if o.run_limit {
            let mut near: Vec<u32> = (lo..hi).filter_map(|k| self.buyer_at(b, k)).collect();
            near.extend(self.company_at(c, lo, hi));
            sets.push(near);
        }
        for set in sets.iter_mut() {
            set.retain(|&q| self.prob.pairs[q as usize].fixed.is_none() && q != p);
            set.sort_unstable();
            set.dedup();
        }
        sets.iter().all(|set| !set.is_empty())
    }

    /// Company `c`'s placed meetings in slots `lo..hi`.
    fn company_at(&self, c: u32, lo: u32, hi: u32) -> Vec<u32> {
        self.comp_pairs[c as usize]
            .iter()
            .copied()
            .filter(|&q| self.at[q as usize].is_some_and(|a| a.slot >= lo && a.slot < hi))
            .collect()
    }

    /// Is pair `p` currently placed?
    pub fn placed(&self, p: u32) -> bool {
        self.at[p as usize].is_some()
    }
}

fn remove(v: &mut Vec<u32>, p: u32) {
    if let Some(k) = v.iter().position(|&x| x == p) {
        v.swap_remove(k);
    }
}
