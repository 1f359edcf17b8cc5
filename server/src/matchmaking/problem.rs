//! The input compiled for the solver: slots with their UTC times, every participant's
//! per-slot flags (free, awake, in business hours, in the hall), the interpreters each pair
//! could use and each pair's static candidates (slot and mode where both sides are free and
//! awake and, if needed, some interpreter could come). Vectors and indices only, so every
//! decision iterates in a fixed order.

use super::model::{
    FairDay, Input, InputError, LanguagePair, Mode, ModeWish, Participant, Placement, Priority,
    Who, Window,
};
use chrono::{DateTime, TimeZone, Timelike};
use chrono_tz::Tz;
use std::collections::BTreeMap;

/// Free: available that day and not blocked.
pub const FREE: u8 = 1;
/// Awake: not in the local night.
pub const AWAKE: u8 = 2;
/// Inside the local business hours.
pub const BUSINESS: u8 = 4;
/// In the hall that day.
pub const ONSITE: u8 = 8;

/// One slot of the grid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotInfo {
    pub day: u16,
    pub start_ms: i64,
    pub end_ms: i64,
    pub onsite: bool,
    pub online: bool,
    /// First slot of the run of back-to-back slots this one is in, and one past its last.
    pub block_start: u32,
    pub block_end: u32,
}

/// A static candidate: a slot and a mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cand {
    pub slot: u32,
    pub mode: Mode,
    /// Inside both sides' business hours.
    pub business: bool,
}

/// One pair, compiled.
#[derive(Clone, Debug)]
pub struct PairInfo {
    pub id: i64,
    /// Indices into buyers and companies; `None` when the input does not know them.
    pub buyer: Option<u32>,
    pub company: Option<u32>,
    pub weight: u32,
    pub wish: ModeWish,
    pub needs_interpreter: bool,
    /// Interpreters that bridge the two sides, with the languages they would use.
    pub interpreters: Vec<(u32, u16)>,
    /// The language pairs of `interpreters` (index `u16` above).
    pub languages: Vec<LanguagePair>,
    pub cands: Vec<Cand>,
    /// Index into `Input::fixed`.
    pub fixed: Option<u32>,
}

pub struct Problem<'a> {
    pub input: &'a Input,
    pub slots: Vec<SlotInfo>,
    pub tz: Tz,
    /// `[person * slots + slot]` flags of buyers, companies and interpreters.
    pub buyer_flags: Vec<u8>,
    pub company_flags: Vec<u8>,
    pub interp_flags: Vec<u8>,
    pub interp_langs: Vec<Vec<String>>,
    pub tables: Vec<u32>,
    pub seats: Vec<u32>,
    pub pairs: Vec<PairInfo>,
    pub max_run: u32,
    pub buyer_ix: BTreeMap<i64, u32>,
    pub company_ix: BTreeMap<i64, u32>,
    pub interp_ix: BTreeMap<i64, u32>,
    pub pair_ix: BTreeMap<i64, u32>,
}

/// The primary subtag, lower case: `zh-Hans` and `ZH` are both `zh`.
pub fn lang_key(code: &str) -> String {
    code.split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

pub fn parse_zone(zone: &str) -> Result<Tz, InputError> {
    zone.parse::<Tz>().map_err(|_| InputError::UnknownZone {
        zone: zone.to_string(),
    })
}

/// Minutes of `[a, a + len)` (minutes after a local midnight, `a < 1440`) inside a daily
/// window (repeated every day, wrapping past midnight when `end <= start`).
pub fn minutes_in(w: &Window, a: u32, len: u32) -> u32 {
    let s = w.start.num_seconds_from_midnight() / 60;
    let e = w.end.num_seconds_from_midnight() / 60;
    let mut total = 0;
    let b = a + len;
    for day in 0..3u32 {
        let o = day * 1440;
        let parts: [(u32, u32); 2] = if s < e {
            [(s + o, e + o), (0, 0)]
        } else {
            [(o, e + o), (s + o, 1440 + o)]
        };
        for (ps, pe) in parts {
            let lo = ps.max(a);
            let hi = pe.min(b);
            if hi > lo {
                total += hi - lo;
            }
        }
    }
    total
}

/// Local minute of the day of an instant in a zone.
pub fn local_minute(tz: &Tz, ms: i64) -> u32 {
    let t = DateTime::from_timestamp_millis(ms)
        .expect("a slot time in range")
        .with_timezone(tz);
    t.hour() * 60 + t.minute()
}

fn build_slots(input: &Input, tz: &Tz) -> Result<Vec<SlotInfo>, InputError> {
    let fair = &input.fair;
    if fair.slot_minutes == 0 || 1440 % u32::from(fair.slot_minutes) != 0 {
        return Err(InputError::BadSlotMinutes {
            slot_minutes: fair.slot_minutes,
        });
    }
    let step = u32::from(fair.slot_minutes);
    let mut slots: Vec<SlotInfo> = Vec::new();
    for (d, day) in fair.days.iter().enumerate() {
        let FairDay {
            date,
            onsite,
            online,
        } = day;
        let mins = |w: &Option<Window>| {
            w.map(|w| {
                (
                    w.start.num_seconds_from_midnight() / 60,
                    w.end.num_seconds_from_midnight() / 60,
                )
            })
        };
        let (on, off) = (mins(onsite), mins(online));
        let lo = [on, off].iter().flatten().map(|w| w.0).min();
        let hi = [on, off].iter().flatten().map(|w| w.1).max();
        let (Some(lo), Some(hi)) = (lo, hi) else {
            continue;
        };
        let mut m = lo - lo % step;
        while m + step <= hi {
            let inside = |w: Option<(u32, u32)>| w.is_some_and(|(s, e)| m >= s && m + step <= e);
            let (is_on, is_off) = (inside(on), inside(off));
            let local = date
                .and_hms_opt(m / 60, m % 60, 0)
                .expect("minute of a day");
            if let (true, Some(start)) =
                (is_on || is_off, tz.from_local_datetime(&local).earliest())
            {
                let start_ms = start.timestamp_millis();
                slots.push(SlotInfo {
                    day: d as u16,
                    start_ms,
                    end_ms: start_ms + i64::from(step) * 60_000,
                    onsite: is_on,
                    online: is_off,
                    block_start: 0,
                    block_end: 0,
                });
            }
            m += step;
        }
    }
    if slots.is_empty() {
        return Err(InputError::EmptyGrid);
    }
    slots.sort_by_key(|s| s.start_ms);
    let n = slots.len();
    let mut start = 0;
    for i in 0..n {
        if i > 0 && slots[i].start_ms != slots[i - 1].end_ms {
            start = i;
        }
        slots[i].block_start = start as u32;
    }
    let mut end = n;
    for i in (0..n).rev() {
        if i + 1 < n && slots[i + 1].start_ms != slots[i].end_ms {
            end = i + 1;
        }
        slots[i].block_end = end as u32;
    }
    Ok(slots)
}

fn person_flags(
    p: &Participant,
    slots: &[SlotInfo],
    fair_tz: &Tz,
    input: &Input,
    out: &mut Vec<u8>,
) -> Result<(), InputError> {
    let home = parse_zone(&p.zone)?;
    let n = slots.len();
    let base = out.len();
    let len = u32::from(input.fair.slot_minutes);
    for s in slots {
        let day_ok = p.days.as_ref().is_none_or(|d| d.contains(&s.day));
        let onsite = p.onsite_days.as_ref().is_none_or(|d| d.contains(&s.day));
        // A day in the hall is lived in the fair's zone.
        let tz = if onsite { fair_tz } else { &home };
        let a = local_minute(tz, s.start_ms);
        let mut f = 0;
        if day_ok {
            f |= FREE;
        }
        if minutes_in(&input.fair.night, a, len) == 0 {
            f |= AWAKE;
        }
        if minutes_in(&p.business_hours, a, len) == len {
            f |= BUSINESS;
        }
        if onsite {
            f |= ONSITE;
        }
        out.push(f);
    }
    for &b in &p.blocked {
        if (b as usize) < n {
            out[base + b as usize] &= !FREE;
        }
    }
    Ok(())
}

fn index<T>(
    items: &[T],
    id: impl Fn(&T) -> i64,
    who: impl Fn(i64) -> Who,
) -> Result<BTreeMap<i64, u32>, InputError> {
    let mut map = BTreeMap::new();
    for (i, it) in items.iter().enumerate() {
        if map.insert(id(it), i as u32).is_some() {
            return Err(InputError::DuplicateId { who: who(id(it)) });
        }
    }
    Ok(map)
}

fn pool(p: &super::model::Pool, n: usize) -> Vec<u32> {
    let mut v = vec![p.count; n];
    for o in &p.overrides {
        if (o.slot as usize) < n {
            v[o.slot as usize] = o.count;
        }
    }
    v
}

impl<'a> Problem<'a> {
    pub fn new(input: &'a Input) -> Result<Problem<'a>, InputError> {
        let tz = parse_zone(&input.fair.zone)?;
        let slots = build_slots(input, &tz)?;
        let n = slots.len();
        let buyer_ix = index(&input.buyers, |b| b.id, Who::Buyer)?;
        let company_ix = index(&input.companies, |c| c.person.id, Who::Company)?;
        let interp_ix = index(&input.interpreters, |i| i.id, Who::Interpreter)?;
        let pair_ix = index(&input.pairs, |p| p.id, Who::Buyer).map_err(|e| match e {
            InputError::DuplicateId {
                who: Who::Buyer(id),
            } => InputError::DuplicatePair { pair: id },
            other => other,
        })?;
        for c in &input.companies {
            if c.capacity == 0 {
                return Err(InputError::ZeroCapacity {
                    company: c.person.id,
                });
            }
        }
        let mut buyer_flags = Vec::with_capacity(input.buyers.len() * n);
        for b in &input.buyers {
            person_flags(b, &slots, &tz, input, &mut buyer_flags)?;
        }
        let mut company_flags = Vec::with_capacity(input.companies.len() * n);
        for c in &input.companies {
            person_flags(&c.person, &slots, &tz, input, &mut company_flags)?;
        }
        let mut interp_flags = Vec::with_capacity(input.interpreters.len() * n);
        for i in &input.interpreters {
            person_flags(i, &slots, &tz, input, &mut interp_flags)?;
        }
        let interp_langs: Vec<Vec<String>> = input
            .interpreters
            .iter()
            .map(|i| i.languages.iter().map(|l| lang_key(l)).collect())
            .collect();
        let mut problem = Problem {
            input,
            slots,
            tz,
            buyer_flags,
            company_flags,
            interp_flags,
            interp_langs,
            tables: pool(&input.resources.tables, n),
            seats: pool(&input.resources.seats, n),
            pairs: Vec::with_capacity(input.pairs.len()),
            max_run: u32::from(input.fair.max_run.max(1)),
            buyer_ix,
            company_ix,
            interp_ix,
            pair_ix,
        };
        let mut fixed_of = BTreeMap::new();
        for (k, f) in input.fixed.iter().enumerate() {
            problem.check_fixed(f)?;
            if fixed_of.insert(f.pair, k as u32).is_some() {
                return Err(InputError::DuplicatePair { pair: f.pair });
            }
        }
        for pair in &input.pairs {
            let info = problem.compile_pair(pair, fixed_of.get(&pair.id).copied());
            problem.pairs.push(info);
        }
        Ok(problem)
    }

    fn check_fixed(&self, f: &Placement) -> Result<(), InputError> {
        let Some(&p) = self.pair_ix.get(&f.pair) else {
            return Err(InputError::FixedUnknownPair { pair: f.pair });
        };
        let pair = &self.input.pairs[p as usize];
        if !self.buyer_ix.contains_key(&pair.buyer) || !self.company_ix.contains_key(&pair.company)
        {
            return Err(InputError::FixedUnknownParticipant { pair: f.pair });
        }
        if f.slot as usize >= self.slots.len() {
            return Err(InputError::FixedUnknownSlot {
                pair: f.pair,
                slot: f.slot,
            });
        }
        if let Some(i) = &f.interpreting {
            if !self.interp_ix.contains_key(&i.interpreter) {
                return Err(InputError::FixedUnknownInterpreter {
                    pair: f.pair,
                    interpreter: i.interpreter,
                });
            }
        }
        Ok(())
    }

    fn compile_pair(&self, pair: &super::model::Pair, fixed: Option<u32>) -> PairInfo {
        let input = self.input;
        let weight = match pair.priority {
            Priority::MustMeet => input.fair.weights.must_meet,
            Priority::WouldMeet => input.fair.weights.would_meet,
        };
        let buyer = self.buyer_ix.get(&pair.buyer).copied();
        let company = self.company_ix.get(&pair.company).copied();
        let mut info = PairInfo {
            id: pair.id,
            buyer,
            company,
            weight,
            wish: pair.mode,
            needs_interpreter: false,
            interpreters: Vec::new(),
            languages: Vec::new(),
            cands: Vec::new(),
            fixed,
        };
        let (Some(b), Some(c)) = (buyer, company) else {
            return info;
        };
        let bl: Vec<String> = input.buyers[b as usize]
            .languages
            .iter()
            .map(|l| lang_key(l))
            .collect();
        let cl: Vec<String> = input.companies[c as usize]
            .person
            .languages
            .iter()
            .map(|l| lang_key(l))
            .collect();
        info.needs_interpreter = !bl.iter().any(|l| cl.contains(l));
        if info.needs_interpreter {
            for (i, langs) in self.interp_langs.iter().enumerate() {
                let bridge = bl
                    .iter()
                    .flat_map(|a| cl.iter().map(move |b| (a, b)))
                    .find(|(a, b)| langs.contains(a) && langs.contains(b));
                if let Some((a, b)) = bridge {
                    let lp = LanguagePair {
                        buyer: a.clone(),
                        company: b.clone(),
                    };
                    let k = match info.languages.iter().position(|x| *x == lp) {
                        Some(k) => k,
                        None => {
                            info.languages.push(lp);
                            info.languages.len() - 1
                        }
                    };
                    info.interpreters.push((i as u32, k as u16));
                }
            }
        }
        for s in 0..self.slots.len() as u32 {
            for mode in [Mode::Onsite, Mode::Online] {
                if !self.static_ok(&info, b, c, s, mode) {
                    continue;
                }
                let business = self.buyer_flag(b, s) & BUSINESS != 0
                    && self.company_flag(c, s) & BUSINESS != 0;
                info.cands.push(Cand {
                    slot: s,
                    mode,
                    business,
                });
            }
        }
        info
    }

    /// Both sides free, awake, in the hall for onsite, the mode open, an interpreter
    /// possible.
    fn static_ok(&self, info: &PairInfo, b: u32, c: u32, s: u32, mode: Mode) -> bool {
        let slot = &self.slots[s as usize];
        let open = match mode {
            Mode::Onsite => slot.onsite,
            Mode::Online => slot.online,
        };
        if !open || !info.wish.allows(mode) {
            return false;
        }
        let need = FREE | AWAKE | if mode == Mode::Onsite { ONSITE } else { 0 };
        if self.buyer_flag(b, s) & need != need || self.company_flag(c, s) & need != need {
            return false;
        }
        !info.needs_interpreter
            || info
                .interpreters
                .iter()
                .any(|&(i, _)| self.interp_flag(i, s) & need == need)
    }

    pub fn n_slots(&self) -> usize {
        self.slots.len()
    }

    pub fn buyer_flag(&self, b: u32, s: u32) -> u8 {
        self.buyer_flags[b as usize * self.slots.len() + s as usize]
    }

    pub fn company_flag(&self, c: u32, s: u32) -> u8 {
        self.company_flags[c as usize * self.slots.len() + s as usize]
    }

    pub fn interp_flag(&self, i: u32, s: u32) -> u8 {
        self.interp_flags[i as usize * self.slots.len() + s as usize]
    }

    /// Can interpreter `i` take a meeting of this mode in slot `s` (statically)?
    pub fn interp_can(&self, i: u32, s: u32, mode: Mode) -> bool {
        let need = FREE | AWAKE | if mode == Mode::Onsite { ONSITE } else { 0 };
        self.interp_flag(i, s) & need == need
    }

    pub fn capacity(&self, c: u32) -> u32 {
        u32::from(self.input.companies[c as usize].capacity)
    }

    pub fn resource_count(&self, s: u32, mode: Mode) -> u32 {
        match mode {
            Mode::Onsite => self.tables[s as usize],
            Mode::Online => self.seats[s as usize],
        }
    }
}
