//! Confirmed meetings into the working state before anything else, and the working state
//! out as a [`Schedule`]: table and seat numbers (a company keeps its table from one slot to
//! the next where it can), interpreters' languages, a fixed order.

use super::model::{FixedIssue, Interpreting, Mode, Placement, Schedule, Unplaced};
use super::moves::conflicts;
use super::state::{Assign, State};
use std::collections::BTreeMap;

/// Put every confirmed meeting where it is; those that break a rule of today's input are
/// kept all the same and reported.
pub fn place_fixed(st: &mut State) -> Vec<FixedIssue> {
    let prob = st.prob;
    let mut issues = Vec::new();
    for f in &prob.input.fixed {
        let p = prob.pair_ix[&f.pair];
        let info = &prob.pairs[p as usize];
        if info.buyer.is_none() || info.company.is_none() || st.placed(p) {
            continue;
        }
        let a = Assign {
            slot: f.slot,
            mode: f.mode,
            interp: f
                .interpreting
                .as_ref()
                .map(|i| prob.interp_ix[&i.interpreter]),
        };
        let found = conflicts(st, p, &a);
        if !found.is_empty() {
            issues.push(FixedIssue {
                pair: f.pair,
                conflicts: found,
            });
        }
        st.place(p, a);
    }
    issues
}

pub fn finish(st: &State, fixed_issues: Vec<FixedIssue>, unplaced: Vec<Unplaced>) -> Schedule {
    let prob = st.prob;
    let n = prob.n_slots();
    // Slot -> placed pairs, in pair order.
    let mut by_slot: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (p, a) in st.at.iter().enumerate() {
        if let Some(a) = a {
            by_slot[a.slot as usize].push(p as u32);
        }
    }
    let mut placements = Vec::new();
    // Company -> table it had in the previous slot.
    let mut last_table: BTreeMap<u32, u32> = BTreeMap::new();
    for (s, pairs) in by_slot.iter().enumerate() {
        let mut taken: [Vec<bool>; 2] = [
            vec![false; prob.tables[s] as usize],
            vec![false; prob.seats[s] as usize],
        ];
        let mut number: BTreeMap<u32, u32> = BTreeMap::new();
        // Confirmed meetings keep their numbers.
        for &p in pairs {
            if let Some(k) = prob.pairs[p as usize].fixed {
                let f = &prob.input.fixed[k as usize];
                let a = st.at[p as usize].expect("placed");
                if let Some(t) = taken[mode_ix(a.mode)].get_mut(f.resource as usize) {
                    *t = true;
                }
                number.insert(p, f.resource);
            }
        }
        let mut tables_now: BTreeMap<u32, u32> = BTreeMap::new();
        for &p in pairs {
            let a = st.at[p as usize].expect("placed");
            let company = prob.pairs[p as usize]
                .company
                .expect("placed pairs are known");
            let r = match number.get(&p) {
                Some(&r) => r,
                None => {
                    let free = &mut taken[mode_ix(a.mode)];
                    let sticky = (a.mode == Mode::Onsite)
                        .then(|| last_table.get(&company).copied())
                        .flatten()
                        .filter(|&t| free.get(t as usize) == Some(&false));
                    let r = sticky
                        .or_else(|| free.iter().position(|t| !t).map(|r| r as u32))
                        .unwrap_or(free.len() as u32);
                    if let Some(t) = free.get_mut(r as usize) {
                        *t = true;
                    }
                    r
                }
            };
            if a.mode == Mode::Onsite {
                tables_now.insert(company, r);
            }
            placements.push(placement(st, p, &a, r));
        }
        last_table = tables_now;
    }
    placements.sort_by_key(|pl| (pl.slot, pl.pair));
    Schedule {
        placements,
        unplaced,
        fixed_issues,
    }
}

fn mode_ix(m: Mode) -> usize {
    match m {
        Mode::Onsite => 0,
        Mode::Online => 1,
    }
}

fn placement(st: &State, p: u32, a: &Assign, resource: u32) -> Placement {
    let prob = st.prob;
    let info = &prob.pairs[p as usize];
    let interpreting = a.interp.map(|i| {
        let id = prob.input.interpreters[i as usize].id;
        match info.interpreters.iter().find(|&&(x, _)| x == i) {
            Some(&(_, k)) => Interpreting {
                interpreter: id,
                buyer_language: info.languages[k as usize].buyer.clone(),
                company_language: info.languages[k as usize].company.clone(),
            },
            // A confirmed meeting's interpreter the languages no longer fit: as given.
            None => prob.input.fixed[info.fixed.expect("only confirmed ones") as usize]
                .interpreting
                .clone()
                .expect("it has one"),
        }
    });
    Placement {
        pair: info.id,
        slot: a.slot,
        mode: a.mode,
        resource,
        interpreting,
        fixed: info.fixed.is_some(),
    }
}
