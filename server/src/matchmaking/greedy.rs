//! The plain baseline: confirmed meetings, then every pair in input order at its first
//! feasible slot (earliest slot, onsite before online), the first free interpreter in input
//! order. No reordering, no repair, no preferences.

use super::explain::explain;
use super::finish::{finish, place_fixed};
use super::model::{Input, InputError, Schedule, Unplaced};
use super::problem::Problem;
use super::state::{Assign, State};

pub fn greedy(input: &Input) -> Result<Schedule, InputError> {
    let prob = Problem::new(input)?;
    Ok(greedy_problem(&prob))
}

pub fn greedy_problem(prob: &Problem) -> Schedule {
    let mut st = State::new(prob);
    let fixed_issues = place_fixed(&mut st);
    for p in 0..prob.pairs.len() as u32 {
        if st.placed(p) {
            continue;
        }
        let info = &prob.pairs[p as usize];
        for c in &info.cands {
            let Some(a) = st.feasible(p, c.slot, c.mode) else {
                continue;
            };
            let interp = match a.interp {
                None => None,
                // The first free interpreter, not the scheduler's pick.
                Some(_) => info
                    .interpreters
                    .iter()
                    .map(|&(i, _)| i)
                    .find(|&i| st.interp_free(i, c.slot, c.mode)),
            };
            st.place(
                p,
                Assign {
                    slot: c.slot,
                    mode: c.mode,
                    interp,
                },
            );
            break;
        }
    }
    let unplaced: Vec<Unplaced> = (0..prob.pairs.len() as u32)
        .filter(|&p| !st.placed(p))
        .map(|p| Unplaced {
            pair: prob.pairs[p as usize].id,
            reason: explain(&st, p),
        })
        .collect();
    finish(&st, fixed_issues, unplaced)
}
