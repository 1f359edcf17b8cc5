//! A seeded fair generator for tests and the bench. It draws buyers from Russia, China,
//! Mongolia, Japan, Central Asia and the Americas (UTC+10 to UTC−8), Korean companies, the
//! interpreters the pairs' languages call for, and the accepted pairs; then it *plants* a
//! schedule (each pair at a random feasible place) and tightens the fair around it: pairs it
//! could not plant are dropped, tables and seats are cut to the planted peak, and part of
//! everybody's unused slots are blocked. So every generated fair has a schedule placing all
//! its pairs, and a scheduler's placement rate measures how close it gets.

use super::model::{
    Company, Fair, FairDay, Input, Mode, ModeWish, Pair, Participant, Pool, Priority, Resources,
    Weights, Window,
};
use super::problem::Problem;
use super::rng::Rng;
use super::state::State;
use chrono::NaiveDate;

/// The size and shape of a generated fair.
#[derive(Clone, Debug, PartialEq)]
pub struct FairSpec {
    pub name: String,
    pub buyers: u32,
    pub companies: u32,
    pub pairs_per_buyer: u32,
    /// Pairs per buyer added after planting: an overbooked fair, not all placeable.
    pub extra_pairs_per_buyer: u32,
    pub days: u16,
    pub interpreters: u32,
    /// Share of each participant's unused slots blocked after planting.
    pub block_share: f64,
    pub seed: u64,
}

impl FairSpec {
    fn new(name: &str, buyers: u32, companies: u32, days: u16, interpreters: u32) -> FairSpec {
        FairSpec {
            name: name.to_string(),
            buyers,
            companies,
            pairs_per_buyer: 3,
            extra_pairs_per_buyer: 0,
            days,
            interpreters,
            block_share: 0.6,
            seed: 2021,
        }
    }

    /// 12 buyers, 6 companies, one day.
    pub fn tiny() -> FairSpec {
        FairSpec::new("tiny", 12, 6, 1, 3)
    }

    /// 30 buyers, 15 companies, two days.
    pub fn small() -> FairSpec {
        FairSpec::new("small", 30, 15, 2, 5)
    }

    /// GTI 2021's shape: 330 buyers, 110 companies, ~1000 pairs, 4 days, 20 interpreters.
    pub fn gti() -> FairSpec {
        FairSpec::new("gti", 330, 110, 4, 20)
    }

    /// `k` times GTI (more of everyone, the same 4 days).
    pub fn gti_times(k: u32) -> FairSpec {
        FairSpec::new(&format!("gti×{k}"), 330 * k, 110 * k, 4, 20 * k)
    }

    pub fn with_seed(mut self, seed: u64) -> FairSpec {
        self.seed = seed;
        self
    }
}

struct Country {
    share: f64,
    zones: &'static [&'static str],
    language: &'static str,
    extra: &'static [(&'static str, f64)],
    /// Can come to the hall (the Americas join online).
    travels: bool,
}

const COUNTRIES: &[Country] = &[
    Country {
        share: 0.22,
        zones: &[
            "Europe/Moscow",
            "Asia/Novosibirsk",
            "Asia/Irkutsk",
            "Asia/Vladivostok",
        ],
        language: "ru",
        extra: &[("en", 0.3), ("ko", 0.04)],
        travels: true,
    },
    Country {
        share: 0.22,
        zones: &["Asia/Shanghai"],
        language: "zh",
        extra: &[("en", 0.25), ("ko", 0.06)],
        travels: true,
    },
    Country {
        share: 0.15,
        zones: &["Asia/Ulaanbaatar"],
        language: "mn",
        extra: &[("ru", 0.35), ("en", 0.2)],
        travels: true,
    },
    Country {
        share: 0.14,
        zones: &["Asia/Tokyo"],
        language: "ja",
        extra: &[("en", 0.3), ("ko", 0.05)],
        travels: true,
    },
    Country {
        share: 0.15,
        zones: &[
            "Asia/Almaty",
            "Asia/Tashkent",
            "Asia/Dubai",
            "Asia/Ho_Chi_Minh",
        ],
        language: "ru",
        extra: &[("en", 0.5)],
        travels: true,
    },
    Country {
        share: 0.12,
        zones: &[
            "America/New_York",
            "America/Chicago",
            "America/Denver",
            "America/Los_Angeles",
            "America/Mexico_City",
        ],
        language: "en",
        extra: &[],
        travels: false,
    },
];

fn languages(rng: &mut Rng, first: &str, extra: &[(&str, f64)]) -> Vec<String> {
    let mut out = vec![first.to_string()];
    for &(l, p) in extra {
        if rng.chance(p) {
            out.push(l.to_string());
        }
    }
    out
}

fn some_days(rng: &mut Rng, days: u16, min: u16) -> Vec<u16> {
    let mut all: Vec<u16> = (0..days).collect();
    rng.shuffle(&mut all);
    let keep = min + rng.below(u64::from(days - min + 1)) as u16;
    all.truncate(keep.into());
    all.sort_unstable();
    all
}

/// A generated fair (planted: every pair can be placed).
pub fn generate(spec: &FairSpec) -> Input {
    let mut rng = Rng::new(spec.seed);
    let start = NaiveDate::from_ymd_opt(2026, 11, 10).expect("a date");
    let days: Vec<FairDay> = (0..spec.days)
        .map(|d| FairDay {
            date: start + chrono::Days::new(d.into()),
            onsite: Some(Window::hm(9, 0, 18, 0)),
            online: Some(Window::hm(7, 0, 22, 0)),
        })
        .collect();
    let fair = Fair {
        zone: "Asia/Seoul".into(),
        slot_minutes: 30,
        days,
        night: Window::hm(22, 0, 7, 0),
        max_run: 3,
        weights: Weights::default(),
        seed: spec.seed,
    };
    let mut companies = Vec::new();
    for k in 0..spec.companies {
        let langs = languages(
            &mut rng,
            "ko",
            &[("en", 0.45), ("zh", 0.12), ("ru", 0.08), ("ja", 0.06)],
        );
        let refs: Vec<&str> = langs.iter().map(String::as_str).collect();
        let capacity = match rng.below(10) {
            0..=3 => 1,
            4..=7 => 2,
            _ => 3,
        };
        companies.push(Company {
            person: Participant::new(200_000 + i64::from(k), "Asia/Seoul", &refs),
            capacity,
        });
    }
    let mut buyers = Vec::new();
    for k in 0..spec.buyers {
        let mut x = rng.next_u64() as f64 / u64::MAX as f64;
        let country = COUNTRIES
            .iter()
            .find(|c| {
                x -= c.share;
                x <= 0.0
            })
            .unwrap_or(&COUNTRIES[0]);
        let langs = languages(&mut rng, country.language, country.extra);
        let refs: Vec<&str> = langs.iter().map(String::as_str).collect();
        let zone = rng.pick(country.zones).to_string();
        let mut b = Participant::new(100_000 + i64::from(k), &zone, &refs);
        b.onsite_days = Some(if country.travels && rng.chance(0.65) {
            let len = 1 + rng.below(u64::from(spec.days)) as u16;
            let first = rng.below(u64::from(spec.days - len + 1)) as u16;
            (first..first + len).collect()
        } else {
            Vec::new()
        });
        if rng.chance(0.3) {
            let mut d = some_days(&mut rng, spec.days, 1);
            d.extend(b.onsite_days.iter().flatten());
            d.sort_unstable();
            d.dedup();
            b.days = Some(d);
        }
        buyers.push(b);
    }
    let pairs = draw_pairs(&mut rng, &buyers, &companies, spec.pairs_per_buyer, 1);
    let interpreters = interpreters(&mut rng, spec, &buyers, &companies, &pairs);
    let mut input = Input {
        fair,
        buyers,
        companies,
        interpreters,
        resources: Resources {
            tables: Pool {
                count: 100_000,
                overrides: Vec::new(),
            },
            seats: Pool {
                count: 100_000,
                overrides: Vec::new(),
            },
        },
        pairs,
        fixed: Vec::new(),
    };
    plant(&mut input, &mut rng, spec.block_share);
    if spec.extra_pairs_per_buyer > 0 {
        let first = input.pairs.iter().map(|p| p.id).max().unwrap_or(0) + 1;
        let more = draw_pairs(
            &mut rng,
            &input.buyers,
            &input.companies,
            spec.extra_pairs_per_buyer,
            first,
        );
        input.pairs.extend(more);
    }
    input
}

/// `per_buyer` pairs of each buyer with distinct companies (popular ones more often), ids
/// from `first`.
fn draw_pairs(
    rng: &mut Rng,
    buyers: &[Participant],
    companies: &[Company],
    per_buyer: u32,
    first: i64,
) -> Vec<Pair> {
    let n = companies.len() as u64;
    let mut pairs = Vec::new();
    for b in buyers {
        let mut chosen: Vec<u64> = Vec::new();
        while chosen.len() < (per_buyer as usize).min(companies.len()) {
            let c = rng.below(n) * rng.below(n) / n;
            if !chosen.contains(&c) {
                chosen.push(c);
            }
        }
        let onsite = b.onsite_days.as_ref().is_some_and(|d| !d.is_empty());
        for c in chosen {
            let mode = match (onsite, rng.below(10)) {
                (false, _) => ModeWish::Online,
                (true, 0..=4) => ModeWish::Either,
                (true, 5..=7) => ModeWish::Onsite,
                (true, _) => ModeWish::Online,
            };
            let priority = if rng.chance(0.35) {
                Priority::MustMeet
            } else {
                Priority::WouldMeet
            };
            pairs.push(Pair {
                id: first + pairs.len() as i64,
                buyer: b.id,
                company: companies[c as usize].person.id,
                priority,
                mode,
            });
        }
    }
    pairs
}

/// Interpreters in proportion to the pairs that need each foreign language, a fifth of
/// them with a second one; most in the hall, some remote, some not every day.
fn interpreters(
    rng: &mut Rng,
    spec: &FairSpec,
    buyers: &[Participant],
    companies: &[Company],
    pairs: &[Pair],
) -> Vec<Participant> {
    let foreign = ["ru", "zh", "mn", "ja", "en"];
    let mut need = [0u32; 5];
    for p in pairs {
        let b = buyers.iter().find(|b| b.id == p.buyer).expect("buyer");
        let c = companies
            .iter()
            .find(|c| c.person.id == p.company)
            .expect("company");
        if !b.languages.iter().any(|l| c.person.languages.contains(l)) {
            if let Some(k) = foreign.iter().position(|f| *f == b.languages[0]) {
                need[k] += 1;
            }
        }
    }
    let total: u32 = need.iter().sum::<u32>().max(1);
    let mut out = Vec::new();
    for (k, &n) in need.iter().enumerate() {
        if n == 0 {
            continue;
        }
        let count = (spec.interpreters * n).div_ceil(total).max(1);
        for _ in 0..count {
            let mut langs = vec!["ko", foreign[k]];
            if rng.chance(0.2) {
                let other = if foreign[k] == "en" { "ru" } else { "en" };
                langs.push(other);
            }
            let mut i = Participant::new(300_000 + out.len() as i64, "Asia/Seoul", &langs);
            if rng.chance(0.25) {
                i.onsite_days = Some(Vec::new());
            }
            if spec.days > 1 && rng.chance(0.4) {
                i.days = Some(some_days(rng, spec.days, spec.days - 1));
            }
            out.push(i);
        }
    }
    out
}

/// Place every pair at a random feasible place (dropping those that find none), then cut
/// tables and seats to the planted peak and block a share of everyone's unused slots.
fn plant(input: &mut Input, rng: &mut Rng, block_share: f64) {
    let (kept, usage, peak) = {
        let prob = Problem::new(input).expect("a generated fair is valid");
        let mut st = State::new(&prob);
        let mut order: Vec<u32> = (0..prob.pairs.len() as u32).collect();
        rng.shuffle(&mut order);
        for p in order {
            let info = &prob.pairs[p as usize];
            let options: Vec<_> = info
                .cands
                .iter()
                .filter_map(|c| st.feasible(p, c.slot, c.mode))
                .collect();
            if !options.is_empty() {
                let a = *rng.pick(&options);
                st.place(p, a);
            }
        }
        let n = prob.n_slots();
        let mut busy = vec![
            vec![false; n];
            input.buyers.len() + input.companies.len() + input.interpreters.len()
        ];
        let mut usage = [vec![0u32; n], vec![0u32; n]];
        let mut kept = Vec::new();
        let peak: Vec<u16> = (0..input.companies.len() as u32)
            .map(|c| {
                (0..n as u32)
                    .map(|s| st.company_load(c, s) as u16)
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for (p, a) in st.at.iter().enumerate() {
            let Some(a) = a else { continue };
            kept.push(p);
            let info = &prob.pairs[p];
            let s = a.slot as usize;
            busy[info.buyer.expect("known") as usize][s] = true;
            busy[input.buyers.len() + info.company.expect("known") as usize][s] = true;
            if let Some(i) = a.interp {
                busy[input.buyers.len() + input.companies.len() + i as usize][s] = true;
            }
            usage[usize::from(a.mode == Mode::Online)][s] += 1;
        }
        for (k, row) in busy.iter().enumerate() {
            let free: Vec<u32> = (0..n as u32).filter(|&s| !row[s as usize]).collect();
            let share = if k >= input.buyers.len() && k < input.buyers.len() + input.companies.len()
            {
                block_share / 2.0
            } else {
                block_share
            };
            let blocked: Vec<u32> = free.into_iter().filter(|_| rng.chance(share)).collect();
            let person = if k < input.buyers.len() {
                &mut input.buyers[k]
            } else if k < input.buyers.len() + input.companies.len() {
                &mut input.companies[k - input.buyers.len()].person
            } else {
                &mut input.interpreters[k - input.buyers.len() - input.companies.len()]
            };
            person.blocked = blocked;
        }
        (kept, usage, peak)
    };
    let keep: Vec<bool> = {
        let mut v = vec![false; input.pairs.len()];
        for p in kept {
            v[p] = true;
        }
        v
    };
    let mut k = 0;
    input.pairs.retain(|_| {
        k += 1;
        keep[k - 1]
    });
    for (c, load) in peak.into_iter().enumerate() {
        input.companies[c].capacity = load.max(1);
    }
    input.resources.tables.count = usage[0].iter().copied().max().unwrap_or(0);
    input.resources.seats.count = usage[1].iter().copied().max().unwrap_or(0);
}
