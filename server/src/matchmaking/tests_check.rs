//! The checker itself: a valid hand-made schedule passes, and each way of breaking it is
//! caught with the right violation.

use super::*;
use chrono::NaiveDate;

fn base() -> Input {
    let day = FairDay {
        date: NaiveDate::from_ymd_opt(2026, 11, 10).unwrap(),
        onsite: Some(Window::hm(9, 0, 17, 0)),
        online: Some(Window::hm(9, 0, 18, 0)),
    };
    let mut ny = Participant::new(3, "America/New_York", &["en"]);
    ny.onsite_days = Some(vec![]);
    let pair = |id, buyer, company, mode| Pair {
        id,
        buyer,
        company,
        priority: Priority::MustMeet,
        mode,
    };
    Input {
        fair: Fair {
            zone: "Asia/Seoul".into(),
            slot_minutes: 30,
            days: vec![day],
            night: Window::hm(22, 0, 7, 0),
            max_run: 3,
            weights: Weights::default(),
            seed: 0,
        },
        buyers: vec![
            Participant::new(1, "Asia/Seoul", &["ru"]),
            Participant::new(2, "Asia/Seoul", &["en"]),
            ny,
            Participant::new(4, "Asia/Seoul", &["ru"]),
        ],
        companies: vec![
            Company {
                person: Participant::new(10, "Asia/Seoul", &["ko", "en"]),
                capacity: 1,
            },
            Company {
                person: Participant::new(11, "Asia/Seoul", &["ko"]),
                capacity: 2,
            },
        ],
        interpreters: vec![
            Participant::new(20, "Asia/Seoul", &["ko", "ru"]),
            Participant::new(21, "Asia/Seoul", &["ko", "ja"]),
        ],
        resources: Resources {
            tables: Pool {
                count: 2,
                overrides: Vec::new(),
            },
            seats: Pool {
                count: 2,
                overrides: Vec::new(),
            },
        },
        pairs: vec![
            pair(100, 1, 11, ModeWish::Either),
            pair(101, 2, 10, ModeWish::Either),
            pair(102, 3, 10, ModeWish::Online),
            pair(103, 4, 11, ModeWish::Online),
            pair(104, 2, 11, ModeWish::Online),
        ],
        fixed: Vec::new(),
    }
}

fn ru(interpreter: i64) -> Option<Interpreting> {
    Some(Interpreting {
        interpreter,
        buyer_language: "ru".into(),
        company_language: "ko".into(),
    })
}

fn at(
    pair: i64,
    slot: u32,
    mode: Mode,
    resource: u32,
    interpreting: Option<Interpreting>,
) -> Placement {
    Placement {
        pair,
        slot,
        mode,
        resource,
        interpreting,
        fixed: false,
    }
}

/// 100 onsite at 09:00 with a ko–ru interpreter, 101 onsite at 09:30, 102 online at 10:00
/// (20:00 in New York), 103 online at 10:30 with the interpreter; 104 (en–ko, nobody
/// interprets) left out.
fn valid() -> Schedule {
    Schedule {
        placements: vec![
            at(100, 0, Mode::Onsite, 0, ru(20)),
            at(101, 1, Mode::Onsite, 0, None),
            at(102, 2, Mode::Online, 0, None),
            at(103, 3, Mode::Online, 0, ru(20)),
        ],
        unplaced: vec![Unplaced {
            pair: 104,
            reason: Reason::NoCommonFreeSlot,
        }],
        fixed_issues: Vec::new(),
    }
}

fn broken(f: impl FnOnce(&mut Input, &mut Schedule)) -> Vec<Violation> {
    let (mut input, mut s) = (base(), valid());
    f(&mut input, &mut s);
    check(&input, &s)
}

fn pl(s: &mut Schedule, pair: i64) -> &mut Placement {
    s.placements.iter_mut().find(|p| p.pair == pair).unwrap()
}

#[test]
fn a_valid_schedule_passes_and_the_scheduler_agrees() {
    assert_eq!(check(&base(), &valid()), vec![]);
    let s = solve(&base()).unwrap();
    assert_eq!(check(&base(), &s), vec![]);
    assert_eq!(s.placements.len(), 4);
    assert!(matches!(
        s.unplaced[0].reason,
        Reason::NoInterpreterForLanguages { .. }
    ));
}

#[test]
fn double_bookings_are_caught() {
    let v = broken(|_, s| pl(s, 103).slot = 0);
    assert!(
        v.contains(&Violation::Overlap {
            who: Who::Interpreter(20),
            pairs: (100, 103)
        }),
        "{v:?}"
    );
    let v = broken(|_, s| pl(s, 102).slot = 1);
    assert!(v.contains(&Violation::OverCapacity {
        company: 10,
        slot: 1,
        meetings: 2
    }));
    let v = broken(|_, s| pl(s, 101).slot = 0);
    assert!(v.contains(&Violation::ResourceTwice {
        slot: 0,
        mode: Mode::Onsite,
        resource: 0
    }));
    let v = broken(|_, s| pl(s, 101).resource = 2);
    assert_eq!(
        v,
        vec![Violation::ResourceOutOfRange {
            slot: 1,
            mode: Mode::Onsite,
            resource: 2
        }]
    );
}

#[test]
fn nights_availability_and_the_hall_are_caught() {
    // 16:00 in Seoul is 02:00 in New York.
    let v = broken(|_, s| pl(s, 102).slot = 14);
    assert_eq!(
        v,
        vec![Violation::Night {
            who: Who::Buyer(3),
            pair: 102
        }]
    );
    let v = broken(|i, _| i.buyers[1].blocked.push(1));
    assert_eq!(
        v,
        vec![Violation::Unavailable {
            who: Who::Buyer(2),
            pair: 101
        }]
    );
    let v = broken(|i, s| {
        i.pairs[2].mode = ModeWish::Either;
        pl(s, 102).mode = Mode::Onsite;
    });
    assert_eq!(
        v,
        vec![Violation::NotOnsite {
            who: Who::Buyer(3),
            pair: 102
        }]
    );
    // 17:30 is online only; 102 only accepts online.
    let v = broken(|_, s| pl(s, 101).slot = 17);
    assert_eq!(
        v,
        vec![Violation::SlotClosed {
            pair: 101,
            slot: 17
        }]
    );
    let v = broken(|_, s| pl(s, 102).mode = Mode::Onsite);
    assert!(v.contains(&Violation::ModeNotAccepted { pair: 102 }));
}

#[test]
fn interpreters_are_checked() {
    let v = broken(|_, s| pl(s, 100).interpreting = ru(21));
    assert_eq!(
        v,
        vec![Violation::InterpreterLanguages {
            pair: 100,
            interpreter: 21
        }]
    );
    let v = broken(|_, s| pl(s, 103).interpreting = None);
    assert_eq!(v, vec![Violation::InterpreterMissing { pair: 103 }]);
    let v = broken(|_, s| pl(s, 103).interpreting = ru(99));
    assert_eq!(
        v,
        vec![Violation::UnknownInterpreter {
            pair: 103,
            interpreter: 99
        }]
    );
}

#[test]
fn every_pair_once_and_fixed_meetings_kept() {
    let v = broken(|_, s| {
        s.placements.remove(1);
    });
    assert_eq!(v, vec![Violation::PairMissing { pair: 101 }]);
    let v = broken(|_, s| {
        s.unplaced.push(Unplaced {
            pair: 100,
            reason: Reason::NoCommonFreeSlot,
        })
    });
    assert_eq!(v, vec![Violation::PairTwice { pair: 100 }]);
    let v = broken(|_, s| s.placements.push(at(999, 5, Mode::Online, 1, None)));
    assert_eq!(v, vec![Violation::UnknownPair { pair: 999 }]);
    // Confirmed at 09:30: kept passes, moved is caught.
    let v = broken(|i, s| {
        i.fixed.push(at(101, 1, Mode::Onsite, 0, None));
        pl(s, 101).fixed = true;
    });
    assert_eq!(v, vec![]);
    let v = broken(|i, s| {
        i.fixed.push(at(101, 1, Mode::Onsite, 0, None));
        pl(s, 101).fixed = true;
        pl(s, 101).slot = 5;
    });
    assert_eq!(v, vec![Violation::FixedChanged { pair: 101 }]);
}

#[test]
fn runs_are_caught() {
    // Buyer 2 meets company 10 four times in a row, then company 10 is in four in a row.
    let v = broken(|i, s| {
        i.companies[0].capacity = 4;
        for k in 0..3 {
            i.pairs.push(Pair {
                id: 200 + k,
                buyer: 2,
                company: 10,
                priority: Priority::WouldMeet,
                mode: ModeWish::Online,
            });
            s.placements
                .push(at(200 + k, 2 + k as u32, Mode::Online, 1, None));
        }
    });
    assert_eq!(
        v,
        vec![Violation::RunTooLong {
            who: Who::Buyer(2),
            meetings: 4
        }]
    );
    let v = broken(|i, s| {
        for (k, b) in [1, 4].into_iter().enumerate() {
            i.pairs.push(Pair {
                id: 300 + k as i64,
                buyer: b,
                company: 10,
                priority: Priority::WouldMeet,
                mode: ModeWish::Online,
            });
        }
        i.buyers[0].languages.push("en".into());
        i.buyers[3].languages.push("en".into());
        s.placements.push(at(300, 3, Mode::Online, 1, None));
        s.placements.push(at(301, 4, Mode::Online, 0, None));
    });
    // Company 10 (one seat) at 09:30, 10:00, 10:30, 11:00.
    assert_eq!(
        v,
        vec![Violation::RunTooLong {
            who: Who::Company(10),
            meetings: 4
        }]
    );
}
