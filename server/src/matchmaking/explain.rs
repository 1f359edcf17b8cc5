//! Why a pair was left out: the first static filter that leaves it no slot (availability,
//! being in the hall, night, interpreters), else the obstacle that blocked most of its
//! candidate slots in the final schedule.

use super::model::{Blocked, Mode, Reason, Who};
use super::problem::{AWAKE, FREE, ONSITE};
use super::state::State;

pub fn explain(st: &State, p: u32) -> Reason {
    let prob = st.prob;
    let info = &prob.pairs[p as usize];
    let pair = &prob.input.pairs[p as usize];
    let (b, c) = match (info.buyer, info.company) {
        (Some(b), Some(c)) => (b, c),
        (None, _) => {
            return Reason::UnknownParticipant {
                who: Who::Buyer(pair.buyer),
            }
        }
        (_, None) => {
            return Reason::UnknownParticipant {
                who: Who::Company(pair.company),
            }
        }
    };
    let mut common: Vec<(u32, Mode)> = Vec::new();
    for (s, slot) in prob.slots.iter().enumerate() {
        let s = s as u32;
        for mode in [Mode::Onsite, Mode::Online] {
            let open = if mode == Mode::Onsite {
                slot.onsite
            } else {
                slot.online
            };
            if open
                && info.wish.allows(mode)
                && prob.buyer_flag(b, s) & FREE != 0
                && prob.company_flag(c, s) & FREE != 0
            {
                common.push((s, mode));
            }
        }
    }
    if common.is_empty() {
        return Reason::NoCommonFreeSlot;
    }
    let present: Vec<(u32, Mode)> = common
        .iter()
        .copied()
        .filter(|&(s, m)| {
            m == Mode::Online
                || (prob.buyer_flag(b, s) & ONSITE != 0 && prob.company_flag(c, s) & ONSITE != 0)
        })
        .collect();
    if present.is_empty() {
        let buyer_there = common
            .iter()
            .any(|&(s, _)| prob.buyer_flag(b, s) & ONSITE != 0);
        let who = if buyer_there {
            Who::Company(pair.company)
        } else {
            Who::Buyer(pair.buyer)
        };
        return Reason::NotOnsite { who };
    }
    let awake: Vec<(u32, Mode)> = present
        .iter()
        .copied()
        .filter(|&(s, _)| {
            prob.buyer_flag(b, s) & AWAKE != 0 && prob.company_flag(c, s) & AWAKE != 0
        })
        .collect();
    if awake.is_empty() {
        let buyer_night = present
            .iter()
            .all(|&(s, _)| prob.buyer_flag(b, s) & AWAKE == 0);
        let company_night = present
            .iter()
            .all(|&(s, _)| prob.company_flag(c, s) & AWAKE == 0);
        let who = match (buyer_night, company_night) {
            (true, false) => vec![Who::Buyer(pair.buyer)],
            (false, true) => vec![Who::Company(pair.company)],
            _ => vec![Who::Buyer(pair.buyer), Who::Company(pair.company)],
        };
        return Reason::NightOnlyOverlap { who };
    }
    if info.needs_interpreter && info.interpreters.is_empty() {
        return Reason::NoInterpreterForLanguages {
            buyer_languages: prob.input.buyers[b as usize].languages.clone(),
            company_languages: prob.input.companies[c as usize].person.languages.clone(),
        };
    }
    if info.cands.is_empty() {
        let mut days: Vec<u16> = awake
            .iter()
            .map(|&(s, _)| prob.slots[s as usize].day)
            .collect();
        days.dedup();
        return Reason::NoInterpreterOnDays {
            languages: info.languages.clone(),
            days,
        };
    }
    let mut n = Blocked {
        candidates: info.cands.len() as u32,
        ..Blocked::default()
    };
    for cand in &info.cands {
        let o = st.obstacles(p, cand.slot, cand.mode);
        n.buyer_busy += u32::from(o.buyer_busy);
        n.company_full += u32::from(o.company_full);
        n.run_limit += u32::from(o.run_limit);
        n.interpreters_busy += u32::from(o.interpreters_busy);
        if o.resource_full {
            match cand.mode {
                Mode::Onsite => n.tables_full += 1,
                Mode::Online => n.seats_full += 1,
            }
        }
    }
    let ranked = [
        n.company_full,
        n.buyer_busy,
        n.interpreters_busy,
        n.tables_full,
        n.seats_full,
        n.run_limit,
    ];
    let top = ranked.iter().copied().max().unwrap_or(0);
    let first = ranked.iter().position(|&x| x == top).unwrap_or(5);
    match first {
        0 => Reason::CompanyCapacityFull {
            company: pair.company,
            blocked: n,
        },
        1 => Reason::BuyerFullyBooked {
            buyer: pair.buyer,
            blocked: n,
        },
        2 => Reason::InterpretersBusy {
            languages: info.languages.clone(),
            blocked: n,
        },
        3 => Reason::TablesFull { blocked: n },
        4 => Reason::SeatsFull { blocked: n },
        _ => Reason::RunLimit {
            max_run: prob.max_run as u8,
            blocked: n,
        },
    }
}
