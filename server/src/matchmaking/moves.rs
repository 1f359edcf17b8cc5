//! Typed conflicts of a meeting at a place, and the organizer's hand move (drag a meeting
//! to another slot): refused with the conflicts if it would break any rule.

use super::model::{Conflict, Input, Interpreting, Mode, MoveTo, Placement, Schedule, Who};
use super::problem::{Problem, AWAKE, FREE, ONSITE};
use super::state::{Assign, State};

/// Every rule meeting `p` would break at `a` in `st` (where `p` itself is not placed).
pub fn conflicts(st: &State, p: u32, a: &Assign) -> Vec<Conflict> {
    let prob = st.prob;
    let pair = &prob.input.pairs[p as usize];
    let info = &prob.pairs[p as usize];
    let mut out = Vec::new();
    let (s, mode) = (a.slot, a.mode);
    let Some(slot) = prob.slots.get(s as usize) else {
        return vec![Conflict::UnknownSlot { slot: s }];
    };
    let (Some(b), Some(c)) = (info.buyer, info.company) else {
        let who = if info.buyer.is_none() {
            Who::Buyer(pair.buyer)
        } else {
            Who::Company(pair.company)
        };
        return vec![Conflict::UnknownParticipant { who }];
    };
    if !info.wish.allows(mode) {
        out.push(Conflict::ModeNotAccepted { mode });
    }
    let open = match mode {
        Mode::Onsite => slot.onsite,
        Mode::Online => slot.online,
    };
    if !open {
        out.push(Conflict::SlotClosed { slot: s, mode });
    }
    let mut person = |who: Who, flags: u8| {
        if flags & FREE == 0 {
            out.push(Conflict::Unavailable { who, slot: s });
        }
        if flags & AWAKE == 0 {
            out.push(Conflict::Night { who, slot: s });
        }
        if mode == Mode::Onsite && flags & ONSITE == 0 {
            out.push(Conflict::NotOnsite { who, day: slot.day });
        }
    };
    person(Who::Buyer(pair.buyer), prob.buyer_flag(b, s));
    person(Who::Company(pair.company), prob.company_flag(c, s));
    if let Some(q) = st.buyer_at(b, s) {
        out.push(Conflict::BuyerBusy {
            buyer: pair.buyer,
            pair: prob.pairs[q as usize].id,
        });
    }
    if st.company_load(c, s) >= prob.capacity(c) {
        let mut pairs: Vec<i64> = st.comp_pairs[c as usize]
            .iter()
            .filter(|&&q| st.at[q as usize].is_some_and(|x| x.slot == s))
            .map(|&q| prob.pairs[q as usize].id)
            .collect();
        pairs.sort_unstable();
        out.push(Conflict::CompanyFull {
            company: pair.company,
            pairs,
        });
    }
    if st.resource_used(s, mode) >= prob.resource_count(s, mode) {
        out.push(match mode {
            Mode::Onsite => Conflict::TablesFull { slot: s },
            Mode::Online => Conflict::SeatsFull { slot: s },
        });
    }
    if !st.buyer_run_ok(b, s) {
        out.push(Conflict::RunTooLong {
            who: Who::Buyer(pair.buyer),
            run: prob.max_run + 1,
        });
    }
    if !st.company_window_ok(c, s) {
        out.push(Conflict::RunTooLong {
            who: Who::Company(pair.company),
            run: prob.max_run + 1,
        });
    }
    match (info.needs_interpreter, a.interp) {
        (true, None) => out.push(Conflict::InterpreterNeeded),
        (false, Some(i)) => out.push(Conflict::InterpreterNotNeeded {
            interpreter: prob.input.interpreters[i as usize].id,
        }),
        (true, Some(i)) => {
            let id = prob.input.interpreters[i as usize].id;
            let who = Who::Interpreter(id);
            if !info.interpreters.iter().any(|&(k, _)| k == i) {
                out.push(Conflict::InterpreterLanguages { interpreter: id });
            }
            let flags = prob.interp_flag(i, s);
            if flags & FREE == 0 {
                out.push(Conflict::Unavailable { who, slot: s });
            }
            if flags & AWAKE == 0 {
                out.push(Conflict::Night { who, slot: s });
            }
            if mode == Mode::Onsite && flags & ONSITE == 0 {
                out.push(Conflict::NotOnsite { who, day: slot.day });
            }
            if let Some(q) = st.interp_at(i, s) {
                out.push(Conflict::InterpreterBusy {
                    interpreter: id,
                    pair: prob.pairs[q as usize].id,
                });
            } else if !st.interp_run_ok(i, s) {
                out.push(Conflict::RunTooLong {
                    who,
                    run: prob.max_run + 1,
                });
            }
        }
        (false, None) => {}
    }
    out
}

/// The schedule rebuilt as a working state (every placement, fixed or not).
pub(crate) fn load<'p>(prob: &'p Problem<'p>, schedule: &Schedule) -> State<'p> {
    let mut st = State::new(prob);
    for pl in &schedule.placements {
        let Some(&p) = prob.pair_ix.get(&pl.pair) else {
            continue;
        };
        let info = &prob.pairs[p as usize];
        if info.buyer.is_none() || info.company.is_none() || st.placed(p) {
            continue;
        }
        if pl.slot as usize >= prob.n_slots() {
            continue;
        }
        let interp = pl
            .interpreting
            .as_ref()
            .and_then(|i| prob.interp_ix.get(&i.interpreter).copied());
        st.place(
            p,
            Assign {
                slot: pl.slot,
                mode: pl.mode,
                interp,
            },
        );
    }
    st
}

/// Move (or place) the meeting of pair `pair` to `to` by hand. Refused with every conflict
/// it would have; on success the new schedule, with the meeting's table or seat number
/// taken from the free ones and everything else unchanged.
pub fn move_meeting(
    input: &Input,
    schedule: &Schedule,
    pair: i64,
    to: &MoveTo,
) -> Result<Schedule, Vec<Conflict>> {
    let prob = Problem::new(input).map_err(|error| vec![Conflict::InvalidInput { error }])?;
    let Some(&p) = prob.pair_ix.get(&pair) else {
        return Err(vec![Conflict::UnknownPair { pair }]);
    };
    if to.slot as usize >= prob.n_slots() {
        return Err(vec![Conflict::UnknownSlot { slot: to.slot }]);
    }
    let mut st = load(&prob, schedule);
    let before = st.at[p as usize];
    if before.is_some() {
        st.unplace(p);
    }
    let info = &prob.pairs[p as usize];
    let interp = match to.interpreter {
        Some(id) => match prob.interp_ix.get(&id) {
            Some(&i) => Some(i),
            None => return Err(vec![Conflict::UnknownInterpreter { interpreter: id }]),
        },
        None if info.needs_interpreter => before
            .and_then(|b| b.interp)
            .filter(|&i| {
                info.interpreters.iter().any(|&(k, _)| k == i)
                    && st.interp_free(i, to.slot, to.mode)
            })
            .or_else(|| st.pick_interp(p, to.slot, to.mode))
            .or_else(|| info.interpreters.first().map(|&(i, _)| i)),
        None => None,
    };
    let a = Assign {
        slot: to.slot,
        mode: to.mode,
        interp,
    };
    let found = conflicts(&st, p, &a);
    if !found.is_empty() {
        return Err(found);
    }
    let old = schedule.placements.iter().find(|pl| pl.pair == pair);
    let resource = free_resource(
        schedule,
        pair,
        to.slot,
        to.mode,
        prob.resource_count(to.slot, to.mode),
    );
    let interpreting = interp.map(|i| {
        let k = info
            .interpreters
            .iter()
            .find(|&&(x, _)| x == i)
            .map_or(0, |&(_, k)| k);
        let lp = &info.languages[k as usize];
        Interpreting {
            interpreter: prob.input.interpreters[i as usize].id,
            buyer_language: lp.buyer.clone(),
            company_language: lp.company.clone(),
        }
    });
    let moved = Placement {
        pair,
        slot: to.slot,
        mode: to.mode,
        resource,
        interpreting,
        fixed: old.is_some_and(|o| o.fixed),
    };
    let mut out = schedule.clone();
    out.placements.retain(|pl| pl.pair != pair);
    out.unplaced.retain(|u| u.pair != pair);
    let at = out
        .placements
        .partition_point(|pl| (pl.slot, pl.pair) < (moved.slot, moved.pair));
    out.placements.insert(at, moved);
    Ok(out)
}

/// The lowest table or seat number free in a slot (the meeting's own old one excepted).
fn free_resource(schedule: &Schedule, pair: i64, slot: u32, mode: Mode, count: u32) -> u32 {
    let used: Vec<u32> = schedule
        .placements
        .iter()
        .filter(|pl| pl.pair != pair && pl.slot == slot && pl.mode == mode)
        .map(|pl| pl.resource)
        .collect();
    (0..count).find(|r| !used.contains(r)).unwrap_or(count)
}
