//! Hand-built fairs: pairs that cannot be placed and why, priorities, business hours, the
//! hand move, confirmed meetings that break a rule, and the checker catching broken
//! schedules.

use super::*;
use chrono::NaiveDate;

/// A fair in Seoul, `days` days from 2026-11-10, onsite and online 09:00–18:00.
fn fair(days: u16) -> Fair {
    let start = NaiveDate::from_ymd_opt(2026, 11, 10).unwrap();
    Fair {
        zone: "Asia/Seoul".into(),
        slot_minutes: 30,
        days: (0..days)
            .map(|d| FairDay {
                date: start + chrono::Days::new(d.into()),
                onsite: Some(Window::hm(9, 0, 18, 0)),
                online: Some(Window::hm(9, 0, 18, 0)),
            })
            .collect(),
        night: Window::hm(22, 0, 7, 0),
        max_run: 3,
        weights: Weights::default(),
        seed: 1,
    }
}

fn company(id: i64, langs: &[&str], capacity: u16) -> Company {
    Company {
        person: Participant::new(id, "Asia/Seoul", langs),
        capacity,
    }
}

fn pair(id: i64, buyer: i64, company: i64, priority: Priority, mode: ModeWish) -> Pair {
    Pair {
        id,
        buyer,
        company,
        priority,
        mode,
    }
}

fn input(fair: Fair) -> Input {
    Input {
        fair,
        buyers: Vec::new(),
        companies: Vec::new(),
        interpreters: Vec::new(),
        resources: Resources {
            tables: Pool {
                count: 10,
                overrides: Vec::new(),
            },
            seats: Pool {
                count: 10,
                overrides: Vec::new(),
            },
        },
        pairs: Vec::new(),
        fixed: Vec::new(),
    }
}

fn reason_of(s: &Schedule, pair: i64) -> &Reason {
    &s.unplaced
        .iter()
        .find(|u| u.pair == pair)
        .unwrap_or_else(|| panic!("pair {pair} placed: {s:?}"))
        .reason
}

fn solved(input: &Input) -> Schedule {
    let s = solve(input).expect("valid input");
    let v = check(input, &s);
    assert!(v.is_empty(), "{v:?}");
    s
}

#[test]
fn a_mongolian_buyer_without_an_mn_interpreter_on_day_two() {
    let mut inp = input(fair(4));
    let mut buyer = Participant::new(1, "Asia/Ulaanbaatar", &["mn"]);
    buyer.days = Some(vec![1]);
    inp.buyers.push(buyer);
    let mut ru = Participant::new(2, "Europe/Moscow", &["ru"]);
    ru.days = Some(vec![1]);
    inp.buyers.push(ru);
    inp.companies.push(company(10, &["ko"], 2));
    let mut mn = Participant::new(20, "Asia/Seoul", &["ko", "mn"]);
    mn.days = Some(vec![0, 2, 3]);
    inp.interpreters.push(mn);
    inp.interpreters
        .push(Participant::new(21, "Asia/Seoul", &["ko", "ru"]));
    inp.pairs
        .push(pair(100, 1, 10, Priority::MustMeet, ModeWish::Online));
    inp.pairs
        .push(pair(101, 2, 10, Priority::MustMeet, ModeWish::Online));
    let s = solved(&inp);
    assert_eq!(s.placements.len(), 1);
    assert_eq!(s.placements[0].pair, 101);
    let i = s.placements[0]
        .interpreting
        .as_ref()
        .expect("ko–ru interpreter");
    assert_eq!((i.interpreter, i.buyer_language.as_str()), (21, "ru"));
    assert_eq!(
        reason_of(&s, 100),
        &Reason::NoInterpreterOnDays {
            languages: vec![LanguagePair {
                buyer: "mn".into(),
                company: "ko".into()
            }],
            days: vec![1],
        }
    );
    // Nobody at all for Japanese.
    inp.buyers.push(Participant::new(3, "Asia/Tokyo", &["ja"]));
    inp.pairs
        .push(pair(102, 3, 10, Priority::WouldMeet, ModeWish::Online));
    let s = solved(&inp);
    assert_eq!(
        reason_of(&s, 102),
        &Reason::NoInterpreterForLanguages {
            buyer_languages: vec!["ja".into()],
            company_languages: vec!["ko".into()],
        }
    );
}

#[test]
fn a_buyer_whose_day_never_meets_the_fair_hours() {
    let mut inp = input(fair(2));
    // Azores in November is UTC−1: Seoul 09:00–18:00 is 23:00–08:00 there; with the fair
    // online 09:00–17:00 every slot is in the buyer's night.
    for d in &mut inp.fair.days {
        d.online = Some(Window::hm(9, 0, 17, 0));
    }
    // Both stay at home (a day in the hall would be lived in Seoul's time).
    for (id, zone) in [(1, "Atlantic/Azores"), (2, "America/Los_Angeles")] {
        let mut b = Participant::new(id, zone, &["en"]);
        b.onsite_days = Some(vec![]);
        inp.buyers.push(b);
    }
    inp.companies.push(company(10, &["ko", "en"], 1));
    inp.pairs
        .push(pair(100, 1, 10, Priority::MustMeet, ModeWish::Online));
    inp.pairs
        .push(pair(101, 2, 10, Priority::MustMeet, ModeWish::Online));
    let s = solved(&inp);
    assert_eq!(
        reason_of(&s, 100),
        &Reason::NightOnlyOverlap {
            who: vec![Who::Buyer(1)]
        }
    );
    // Los Angeles (UTC−8) is awake for Seoul's mornings: placed, not in its night.
    let la = s.placements.iter().find(|p| p.pair == 101).expect("placed");
    assert!(la.slot % 18 < 12, "{la:?}");
}

#[test]
fn static_reasons_name_the_missing_piece() {
    let mut inp = input(fair(2));
    let mut b1 = Participant::new(1, "Asia/Shanghai", &["zh", "en"]);
    b1.days = Some(vec![0]);
    let mut b2 = Participant::new(2, "Asia/Tokyo", &["en"]);
    b2.onsite_days = Some(vec![]);
    inp.buyers.extend([b1, b2]);
    let mut c = company(10, &["ko", "en"], 1);
    c.person.days = Some(vec![1]);
    inp.companies.extend([c, company(11, &["en"], 1)]);
    inp.pairs
        .push(pair(100, 1, 10, Priority::MustMeet, ModeWish::Either));
    inp.pairs
        .push(pair(101, 2, 11, Priority::MustMeet, ModeWish::Onsite));
    inp.pairs
        .push(pair(102, 9, 11, Priority::MustMeet, ModeWish::Online));
    let s = solved(&inp);
    assert_eq!(reason_of(&s, 100), &Reason::NoCommonFreeSlot);
    assert_eq!(
        reason_of(&s, 101),
        &Reason::NotOnsite { who: Who::Buyer(2) }
    );
    assert_eq!(
        reason_of(&s, 102),
        &Reason::UnknownParticipant { who: Who::Buyer(9) }
    );
    let json = serde_json::to_value(reason_of(&s, 101)).unwrap();
    assert_eq!(json["code"], "not_onsite");
    assert_eq!(json["who"]["kind"], "buyer");
}

/// One company, one seat, a morning of three slots (09:00–10:30).
fn crowded(buyers: i64) -> Input {
    let mut inp = input(fair(1));
    inp.fair.days[0].onsite = None;
    inp.fair.days[0].online = Some(Window::hm(9, 0, 10, 30));
    inp.companies.push(company(10, &["en"], 1));
    for b in 1..=buyers {
        inp.buyers.push(Participant::new(b, "Asia/Seoul", &["en"]));
        let prio = if b == 2 {
            Priority::WouldMeet
        } else {
            Priority::MustMeet
        };
        inp.pairs.push(pair(100 + b, b, 10, prio, ModeWish::Online));
    }
    inp
}

#[test]
fn a_full_company_leaves_out_the_would_meet_pair() {
    let s = solved(&crowded(4));
    assert_eq!(s.placements.len(), 3);
    match reason_of(&s, 102) {
        Reason::CompanyCapacityFull { company, blocked } => {
            assert_eq!(*company, 10);
            assert_eq!(blocked.candidates, 3);
            assert_eq!(blocked.company_full, 3);
        }
        other => panic!("{other:?}"),
    }
    // By hand, into a slot of the full company: refused, naming the meeting there.
    let s = solve(&crowded(4)).unwrap();
    let taken = s.placements[0].clone();
    let err = move_meeting(
        &crowded(4),
        &s,
        102,
        &MoveTo {
            slot: taken.slot,
            mode: Mode::Online,
            interpreter: None,
        },
    )
    .unwrap_err();
    assert_eq!(
        err,
        vec![Conflict::CompanyFull {
            company: 10,
            pairs: vec![taken.pair]
        }]
    );
    // Greedy takes the pairs in order, the would-meet one among them.
    let g = greedy(&crowded(4)).unwrap();
    assert!(g.placements.iter().any(|p| p.pair == 102));
    assert!(check(&crowded(4), &g).is_empty());
}

#[test]
fn seats_and_interpreters_run_out() {
    let mut inp = crowded(3);
    inp.companies[0].capacity = 3;
    inp.resources.seats.count = 1;
    inp.resources
        .seats
        .overrides
        .push(SlotCount { slot: 2, count: 0 });
    let s = solved(&inp);
    assert_eq!(s.placements.len(), 2);
    assert!(matches!(reason_of(&s, 102), Reason::SeatsFull { .. }));

    let mut inp = crowded(3);
    inp.companies[0].capacity = 3;
    inp.companies[0].person.languages = vec!["ko".into()];
    for b in &mut inp.buyers {
        b.languages = vec!["ru".into()];
    }
    inp.interpreters
        .push(Participant::new(20, "Asia/Seoul", &["ko", "ru"]));
    inp.fair.max_run = 2;
    let s = solved(&inp);
    // One interpreter, three slots, at most two in a row: two meetings.
    assert_eq!(s.placements.len(), 2);
    assert!(matches!(
        reason_of(&s, 102),
        Reason::InterpretersBusy { .. } | Reason::RunLimit { .. }
    ));
}

#[test]
fn business_hours_are_preferred_and_runs_broken_up() {
    let mut inp = input(fair(1));
    inp.fair.days[0].online = Some(Window::hm(7, 0, 22, 0));
    // Moscow is Seoul − 6 h: both sides' business hours meet 15:00–18:00 Seoul (six
    // slots); the buyer is awake 13:00–22:00 Seoul.
    inp.buyers
        .push(Participant::new(1, "Europe/Moscow", &["ru", "en"]));
    for c in 0..4 {
        inp.companies.push(company(10 + c, &["ko", "en"], 1));
        inp.pairs.push(pair(
            100 + c,
            1,
            10 + c,
            Priority::MustMeet,
            ModeWish::Online,
        ));
    }
    let s = solved(&inp);
    assert_eq!(s.placements.len(), 4);
    let prob = Problem::new(&inp).unwrap();
    let q = quality(&prob, &s, 0.0);
    // All four in the six shared slots, with one back-to-back pair at most.
    assert_eq!(q.business, 4, "{s:?}");
    assert!(q.longest_run <= 2, "{q:?}");
    assert!(q.back_to_back <= 1, "{q:?}");
}

#[test]
fn a_hand_move_into_a_conflict_is_refused() {
    let mut inp = input(fair(1));
    inp.buyers.push(Participant::new(1, "Asia/Seoul", &["ru"]));
    inp.buyers.push(Participant::new(2, "Asia/Seoul", &["ru"]));
    inp.companies.push(company(10, &["ko"], 1));
    inp.companies.push(company(11, &["ko"], 1));
    inp.interpreters
        .push(Participant::new(20, "Asia/Seoul", &["ko", "ru"]));
    inp.interpreters
        .push(Participant::new(21, "Asia/Seoul", &["ko", "ja"]));
    inp.pairs
        .push(pair(100, 1, 10, Priority::MustMeet, ModeWish::Online));
    inp.pairs
        .push(pair(101, 1, 11, Priority::MustMeet, ModeWish::Online));
    inp.pairs
        .push(pair(102, 2, 11, Priority::MustMeet, ModeWish::Online));
    let s = solved(&inp);
    assert_eq!(s.placements.len(), 3);
    let at = |pair: i64| {
        s.placements
            .iter()
            .find(|p| p.pair == pair)
            .unwrap()
            .clone()
    };
    let (a, b) = (at(100), at(101));
    // Onto the buyer's other meeting: busy buyer, busy interpreter.
    let err = move_meeting(
        &inp,
        &s,
        100,
        &MoveTo {
            slot: b.slot,
            mode: Mode::Online,
            interpreter: Some(20),
        },
    )
    .unwrap_err();
    assert!(
        err.contains(&Conflict::BuyerBusy {
            buyer: 1,
            pair: 101
        }),
        "{err:?}"
    );
    assert!(err.contains(&Conflict::InterpreterBusy {
        interpreter: 20,
        pair: 101
    }));
    // The wrong interpreter, an onsite move into an online-only pair, a slot off the grid.
    let free = (0..18)
        .find(|k| s.placements.iter().all(|p| p.slot != *k))
        .unwrap();
    let to = |slot, mode, interpreter| MoveTo {
        slot,
        mode,
        interpreter,
    };
    let err = move_meeting(&inp, &s, 100, &to(free, Mode::Online, Some(21))).unwrap_err();
    assert_eq!(
        err,
        vec![Conflict::InterpreterLanguages { interpreter: 21 }]
    );
    let err = move_meeting(&inp, &s, 100, &to(free, Mode::Onsite, None)).unwrap_err();
    assert_eq!(err, vec![Conflict::ModeNotAccepted { mode: Mode::Onsite }]);
    let err = move_meeting(&inp, &s, 100, &to(99, Mode::Online, None)).unwrap_err();
    assert_eq!(err, vec![Conflict::UnknownSlot { slot: 99 }]);
    // A blocked slot.
    let mut blocked = inp.clone();
    blocked.buyers[0].blocked.push(free);
    let err = move_meeting(&blocked, &s, 100, &to(free, Mode::Online, None)).unwrap_err();
    assert_eq!(
        err,
        vec![Conflict::Unavailable {
            who: Who::Buyer(1),
            slot: free
        }]
    );
    // A free slot: moved, the rest untouched, still valid.
    let moved = move_meeting(&inp, &s, 100, &to(free, Mode::Online, None)).unwrap();
    assert!(check(&inp, &moved).is_empty());
    let m = moved.placements.iter().find(|p| p.pair == 100).unwrap();
    assert_eq!(
        (m.slot, m.interpreting.as_ref().unwrap().interpreter),
        (free, 20)
    );
    assert_ne!(a.slot, m.slot);
    assert_eq!(moved.placements.iter().filter(|p| p.pair != 100).count(), 2);
}

#[test]
fn a_confirmed_meeting_that_breaks_a_rule_is_kept_and_reported() {
    let mut inp = crowded(2);
    inp.buyers[0].blocked.push(0);
    inp.fixed.push(Placement {
        pair: 101,
        slot: 0,
        mode: Mode::Online,
        resource: 0,
        interpreting: None,
        fixed: false,
    });
    let s = solve(&inp).unwrap();
    assert_eq!(s.fixed_issues.len(), 1);
    assert_eq!(
        s.fixed_issues[0].conflicts,
        vec![Conflict::Unavailable {
            who: Who::Buyer(1),
            slot: 0
        }]
    );
    assert!(s
        .placements
        .iter()
        .any(|p| p.pair == 101 && p.slot == 0 && p.fixed));
    assert_eq!(
        check(&inp, &s),
        vec![Violation::Unavailable {
            who: Who::Buyer(1),
            pair: 101
        }]
    );
}

#[test]
fn bad_inputs_are_refused() {
    let mut inp = crowded(1);
    inp.fair.zone = "Mars/Olympus".into();
    assert_eq!(
        solve(&inp).unwrap_err(),
        InputError::UnknownZone {
            zone: "Mars/Olympus".into()
        }
    );
    let mut inp = crowded(1);
    inp.pairs.push(inp.pairs[0].clone());
    assert_eq!(
        solve(&inp).unwrap_err(),
        InputError::DuplicatePair { pair: 101 }
    );
    let mut inp = crowded(1);
    inp.companies[0].capacity = 0;
    assert_eq!(
        solve(&inp).unwrap_err(),
        InputError::ZeroCapacity { company: 10 }
    );
}
