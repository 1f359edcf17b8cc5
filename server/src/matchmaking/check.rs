//! An independent checker of a schedule against its input. It shares nothing with the
//! scheduler but the serde types: it lays out the slot grid itself, converts every meeting's
//! minutes to each participant's local time with the tz database, and sweeps meetings by
//! time per person and resource. Every rule broken is one [`Violation`].

use super::model::{Input, Mode, ModeWish, Participant, Placement, Schedule, Who};
use chrono::{DateTime, Duration, NaiveTime, TimeZone, Timelike};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Violation {
    BadInput {
        detail: String,
    },
    UnknownPair {
        pair: i64,
    },
    PairTwice {
        pair: i64,
    },
    PairMissing {
        pair: i64,
    },
    UnknownSlot {
        pair: i64,
        slot: u32,
    },
    SlotClosed {
        pair: i64,
        slot: u32,
    },
    ModeNotAccepted {
        pair: i64,
    },
    Overlap {
        who: Who,
        pairs: (i64, i64),
    },
    OverCapacity {
        company: i64,
        slot: u32,
        meetings: u32,
    },
    ResourceTwice {
        slot: u32,
        mode: Mode,
        resource: u32,
    },
    ResourceOutOfRange {
        slot: u32,
        mode: Mode,
        resource: u32,
    },
    Night {
        who: Who,
        pair: i64,
    },
    Unavailable {
        who: Who,
        pair: i64,
    },
    NotOnsite {
        who: Who,
        pair: i64,
    },
    InterpreterMissing {
        pair: i64,
    },
    InterpreterLanguages {
        pair: i64,
        interpreter: i64,
    },
    UnknownInterpreter {
        pair: i64,
        interpreter: i64,
    },
    RunTooLong {
        who: Who,
        meetings: u32,
    },
    FixedChanged {
        pair: i64,
    },
}

struct GridSlot {
    day: u16,
    start: i64,
    end: i64,
    onsite: bool,
    online: bool,
}

fn minute(t: NaiveTime) -> u32 {
    t.hour() * 60 + t.minute()
}

/// The grid from the fair's days: for each day every multiple of the slot length inside a
/// window of either mode, all sorted by time.
fn grid(input: &Input, tz: &Tz) -> Vec<GridSlot> {
    let step = u32::from(input.fair.slot_minutes);
    let mut out = Vec::new();
    for (d, day) in input.fair.days.iter().enumerate() {
        let windows = [(day.onsite, true), (day.online, false)];
        let mut starts: BTreeMap<u32, (bool, bool)> = BTreeMap::new();
        for (w, onsite) in windows {
            let Some(w) = w else { continue };
            let (a, b) = (minute(w.start), minute(w.end));
            let mut m = a.div_ceil(step) * step;
            while m + step <= b {
                let e = starts.entry(m).or_default();
                if onsite {
                    e.0 = true;
                } else {
                    e.1 = true;
                }
                m += step;
            }
        }
        for (m, (on, off)) in starts {
            let local = day
                .date
                .and_hms_opt(m / 60, m % 60, 0)
                .expect("a time of day");
            if let Some(t) = tz.from_local_datetime(&local).earliest() {
                let start = t.timestamp_millis();
                out.push(GridSlot {
                    day: d as u16,
                    start,
                    end: start + i64::from(step) * 60_000,
                    onsite: on,
                    online: off,
                });
            }
        }
    }
    out.sort_by_key(|s| s.start);
    out
}

/// Is any minute of `[start, end)` inside the night, in `tz`?
fn in_night(input: &Input, tz: &Tz, start: i64, end: i64) -> bool {
    let (ns, ne) = (minute(input.fair.night.start), minute(input.fair.night.end));
    let mut t = DateTime::from_timestamp_millis(start).expect("in range");
    let stop = DateTime::from_timestamp_millis(end).expect("in range");
    while t < stop {
        let m = minute(t.with_timezone(tz).time());
        let night = if ns < ne {
            m >= ns && m < ne
        } else {
            m >= ns || m < ne
        };
        if night {
            return true;
        }
        t += Duration::minutes(1);
    }
    false
}

fn primary(code: &str) -> String {
    code.split(['-', '_']).next().unwrap_or("").to_lowercase()
}

fn speaks(p: &Participant, lang: &str) -> bool {
    p.languages.iter().any(|l| primary(l) == primary(lang))
}

/// Every rule the schedule breaks (empty: valid).
pub fn check(input: &Input, schedule: &Schedule) -> Vec<Violation> {
    let mut v = Vec::new();
    let Ok(tz) = input.fair.zone.parse::<Tz>() else {
        return vec![Violation::BadInput {
            detail: format!("zone {}", input.fair.zone),
        }];
    };
    let slots = grid(input, &tz);
    let buyers: BTreeMap<i64, &Participant> = input.buyers.iter().map(|b| (b.id, b)).collect();
    let companies: BTreeMap<i64, (&Participant, u16)> = input
        .companies
        .iter()
        .map(|c| (c.person.id, (&c.person, c.capacity)))
        .collect();
    let interps: BTreeMap<i64, &Participant> =
        input.interpreters.iter().map(|i| (i.id, i)).collect();
    let pairs: BTreeMap<i64, &super::model::Pair> = input.pairs.iter().map(|p| (p.id, p)).collect();

    // Each pair once, placed or left out.
    let mut seen: BTreeMap<i64, u32> = BTreeMap::new();
    for id in schedule
        .placements
        .iter()
        .map(|p| p.pair)
        .chain(schedule.unplaced.iter().map(|u| u.pair))
    {
        *seen.entry(id).or_default() += 1;
    }
    for (&id, &n) in &seen {
        if !pairs.contains_key(&id) {
            v.push(Violation::UnknownPair { pair: id });
        } else if n > 1 {
            v.push(Violation::PairTwice { pair: id });
        }
    }
    for p in &input.pairs {
        if !seen.contains_key(&p.id) {
            v.push(Violation::PairMissing { pair: p.id });
        }
    }

    // Per person: (start, end, pair); per company: the same; per resource: (slot, number).
    let mut busy: BTreeMap<Who, Vec<(i64, i64, i64)>> = BTreeMap::new();
    let mut resources: BTreeMap<(u32, Mode, u32), u32> = BTreeMap::new();
    for pl in &schedule.placements {
        let Some(pair) = pairs.get(&pl.pair) else {
            continue;
        };
        let Some(slot) = slots.get(pl.slot as usize) else {
            v.push(Violation::UnknownSlot {
                pair: pl.pair,
                slot: pl.slot,
            });
            continue;
        };
        let open = match pl.mode {
            Mode::Onsite => slot.onsite,
            Mode::Online => slot.online,
        };
        if !open {
            v.push(Violation::SlotClosed {
                pair: pl.pair,
                slot: pl.slot,
            });
        }
        let accepted = matches!(
            (pair.mode, pl.mode),
            (ModeWish::Either, _)
                | (ModeWish::Onsite, Mode::Onsite)
                | (ModeWish::Online, Mode::Online)
        );
        if !accepted {
            v.push(Violation::ModeNotAccepted { pair: pl.pair });
        }
        *resources
            .entry((pl.slot, pl.mode, pl.resource))
            .or_default() += 1;
        let (Some(&buyer), Some(&(company, _))) =
            (buyers.get(&pair.buyer), companies.get(&pair.company))
        else {
            v.push(Violation::BadInput {
                detail: format!("pair {} has an unknown side", pl.pair),
            });
            continue;
        };
        let mut people = vec![
            (Who::Buyer(buyer.id), buyer),
            (Who::Company(company.id), company),
        ];
        let shared = buyer.languages.iter().any(|l| speaks(company, l));
        match &pl.interpreting {
            None if !shared => v.push(Violation::InterpreterMissing { pair: pl.pair }),
            None => {}
            Some(i) => match interps.get(&i.interpreter) {
                None => v.push(Violation::UnknownInterpreter {
                    pair: pl.pair,
                    interpreter: i.interpreter,
                }),
                Some(&ip) => {
                    let bridges = speaks(ip, &i.buyer_language)
                        && speaks(ip, &i.company_language)
                        && speaks(buyer, &i.buyer_language)
                        && speaks(company, &i.company_language);
                    if !bridges {
                        v.push(Violation::InterpreterLanguages {
                            pair: pl.pair,
                            interpreter: i.interpreter,
                        });
                    }
                    people.push((Who::Interpreter(ip.id), ip));
                }
            },
        }
        for (who, person) in people {
            check_person(input, &tz, pl, slot, who, person, &mut v);
            busy.entry(who)
                .or_default()
                .push((slot.start, slot.end, pl.pair));
        }
    }
    for ((slot, mode, resource), n) in resources {
        let count = pool_count(input, slot, mode);
        if resource >= count {
            v.push(Violation::ResourceOutOfRange {
                slot,
                mode,
                resource,
            });
        }
        if n > 1 {
            v.push(Violation::ResourceTwice {
                slot,
                mode,
                resource,
            });
        }
    }
    let step_ms = i64::from(input.fair.slot_minutes) * 60_000;
    let max_run = u32::from(input.fair.max_run.max(1));
    for (who, mut list) in busy {
        list.sort();
        if let Who::Company(id) = who {
            let cap = u32::from(companies[&id].1);
            check_company(&slots, &list, id, cap, max_run, step_ms, &mut v);
            continue;
        }
        let mut run = 0;
        let mut prev: Option<(i64, i64, i64)> = None;
        for &m in &list {
            if let Some(p) = prev {
                if m.0 < p.1 {
                    v.push(Violation::Overlap {
                        who,
                        pairs: (p.2, m.2),
                    });
                }
            }
            run = if prev.is_some_and(|p| p.1 == m.0) {
                run + 1
            } else {
                1
            };
            if run == max_run + 1 {
                v.push(Violation::RunTooLong { who, meetings: run });
            }
            prev = Some(m);
        }
    }
    check_fixed(input, schedule, &mut v);
    v.sort();
    v.dedup();
    v
}

fn pool_count(input: &Input, slot: u32, mode: Mode) -> u32 {
    let pool = match mode {
        Mode::Onsite => &input.resources.tables,
        Mode::Online => &input.resources.seats,
    };
    pool.overrides
        .iter()
        .rev()
        .find(|o| o.slot == slot)
        .map_or(pool.count, |o| o.count)
}

fn check_person(
    input: &Input,
    fair_tz: &Tz,
    pl: &Placement,
    slot: &GridSlot,
    who: Who,
    person: &Participant,
    v: &mut Vec<Violation>,
) {
    let onsite_today = person
        .onsite_days
        .as_ref()
        .is_none_or(|d| d.contains(&slot.day));
    if pl.mode == Mode::Onsite && !onsite_today {
        v.push(Violation::NotOnsite { who, pair: pl.pair });
    }
    let attends = person.days.as_ref().is_none_or(|d| d.contains(&slot.day));
    if !attends || person.blocked.contains(&pl.slot) {
        v.push(Violation::Unavailable { who, pair: pl.pair });
    }
    let home: Tz = match person.zone.parse() {
        Ok(z) => z,
        Err(_) => {
            v.push(Violation::BadInput {
                detail: format!("zone {}", person.zone),
            });
            return;
        }
    };
    let tz = if onsite_today { fair_tz } else { &home };
    if in_night(input, tz, slot.start, slot.end) {
        v.push(Violation::Night { who, pair: pl.pair });
    }
}

/// A company's meetings at once within its capacity, and in any `max_run + 1` back-to-back
/// grid slots at most `capacity * max_run` of them.
fn check_company(
    slots: &[GridSlot],
    list: &[(i64, i64, i64)],
    id: i64,
    cap: u32,
    max_run: u32,
    step_ms: i64,
    v: &mut Vec<Violation>,
) {
    let mut at: BTreeMap<i64, u32> = BTreeMap::new();
    for m in list {
        *at.entry(m.0).or_default() += 1;
    }
    for (&start, &n) in &at {
        if n > cap {
            let slot = slots.iter().position(|s| s.start == start).unwrap_or(0) as u32;
            v.push(Violation::OverCapacity {
                company: id,
                slot,
                meetings: n,
            });
        }
    }
    let r = max_run as usize;
    for w in slots.windows(r + 1) {
        let contiguous = w.windows(2).all(|p| p[0].end == p[1].start);
        if !contiguous || w[0].end - w[0].start != step_ms {
            continue;
        }
        let n: u32 = w
            .iter()
            .map(|s| at.get(&s.start).copied().unwrap_or(0))
            .sum();
        if n > cap * max_run {
            v.push(Violation::RunTooLong {
                who: Who::Company(id),
                meetings: n,
            });
        }
    }
}

fn check_fixed(input: &Input, schedule: &Schedule, v: &mut Vec<Violation>) {
    for f in &input.fixed {
        let kept = Placement {
            fixed: true,
            ..f.clone()
        };
        if !schedule.placements.contains(&kept) {
            v.push(Violation::FixedChanged { pair: f.pair });
        }
    }
}
