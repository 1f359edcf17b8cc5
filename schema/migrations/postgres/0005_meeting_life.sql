-- Meetings, second part: who answers a request, moves (sequence), interpreters, onsite tables,
-- busy slots, check-in, no-shows, outcomes, calendar feeds and reminders claimed exactly once.

create table meeting_tables (
    id bigserial primary key,
    hall_id bigint not null references halls (id) on delete cascade,
    number bigint not null check (number between 1 and 999),
    -- What the table's QR code carries: scanning it checks you in to your meeting there.
    code text not null unique,
    unique (hall_id, number)
);

alter table meetings add column awaiting text not null default 'company' check (awaiting in ('buyer', 'company'));
alter table meetings add column sequence bigint not null default 0;
alter table meetings add column products text not null default '[]';
alter table meetings add column interpreter_languages text not null default '[]';
alter table meetings add column table_id bigint references meeting_tables (id) on delete set null;
alter table meetings add column buyer_checkin_ms bigint;
alter table meetings add column company_checkin_ms bigint;
alter table meetings add column interpreter_checkin_ms bigint;
alter table meetings add column closed_ms bigint;
alter table meetings add column buyer_no_show bigint not null default 0 check (buyer_no_show in (0, 1));
alter table meetings add column company_no_show bigint not null default 0 check (company_no_show in (0, 1));
alter table meetings add column buyer_says_held bigint check (buyer_says_held in (0, 1));
alter table meetings add column company_says_held bigint check (company_says_held in (0, 1));
alter table meetings add column consult_usd bigint;
alter table meetings add column contract_usd bigint;
alter table meetings add column mou_signed bigint check (mou_signed in (0, 1));
alter table meetings add column samples_requested bigint check (samples_requested in (0, 1));
alter table meetings add column outcome_notes text;
alter table meetings add column rating bigint check (rating between 1 and 5);
alter table meetings add column outcome_ms bigint;
alter table meetings add column cancelled_by bigint references users (id) on delete set null;
-- Each table holds one meeting at a time.
alter table meetings add constraint meetings_table_free exclude using gist (
    table_id with =, int8range(starts_ms, ends_ms) with &&
) where (state in ('requested', 'confirmed'));
create index meetings_interpreter on meetings (interpreter_id, starts_ms);
create index meetings_open on meetings (state, ends_ms) where closed_ms is null;
-- Pending holds, for the expiry sweep that runs before every booking.
create index meetings_holds on meetings (expires_ms) where state = 'requested';
-- Confirmed meetings by start, for the reminder job.
create index meetings_starts on meetings (starts_ms) where state = 'confirmed';

-- Slots a buyer or a staff member cannot take.
create table busy_slots (
    user_id bigint not null references users (id) on delete cascade,
    slot_id bigint not null references meeting_slots (id) on delete cascade,
    primary key (user_id, slot_id)
);

-- Timed notices (reminders), each claimed by exactly one node: the insert that wins the
-- primary key sends it. A reschedule bumps the sequence, which arms them again.
create table meeting_notices (
    meeting_id bigint not null references meetings (id) on delete cascade,
    kind text not null,
    sequence bigint not null,
    node text not null,
    sent_ms bigint not null,
    primary key (meeting_id, kind, sequence)
);

-- The private calendar feed's token (a capability URL, shown to its owner on request).
alter table users add column calendar_token text unique;
