-- Meeting scheduling: the fair's slot grid, each company's availability and seats (tables or
-- video seats), and meetings. SQLite has no exclusion constraints: the application checks
-- for overlaps inside the same write transaction that books, after taking the database's
-- single write lock (see server/src/meetings/mod.rs), so two bookings can never interleave.

create table meeting_slots (
    id integer primary key,
    day text not null,
    starts_ms integer not null,
    ends_ms integer not null,
    check (ends_ms > starts_ms),
    unique (starts_ms, ends_ms)
);
create index meeting_slots_day on meeting_slots (day, starts_ms);

alter table companies add column meeting_seats integer not null default 1 check (meeting_seats between 1 and 50);

create table company_slots (
    company_id integer not null references companies (id) on delete cascade,
    slot_id integer not null references meeting_slots (id) on delete cascade,
    primary key (company_id, slot_id)
);

create table meetings (
    id integer primary key,
    company_id integer not null references companies (id) on delete cascade,
    buyer_id integer not null references users (id) on delete cascade,
    staff_id integer references users (id) on delete set null,
    interpreter_id integer references users (id) on delete set null,
    slot_id integer not null references meeting_slots (id),
    seat integer not null,
    starts_ms integer not null,
    ends_ms integer not null,
    mode text not null check (mode in ('online', 'onsite')),
    state text not null check (state in ('requested', 'confirmed', 'declined', 'cancelled', 'expired')),
    message text,
    decline_reason text,
    requested_by integer not null references users (id),
    created_ms integer not null,
    updated_ms integer not null,
    expires_ms integer not null,
    check (ends_ms > starts_ms)
);
create index meetings_company on meetings (company_id, starts_ms);
create index meetings_buyer on meetings (buyer_id, starts_ms);
-- Also the lock row: every booking first updates it, which takes the write lock up front.
create table meeting_lock (id integer primary key, bookings integer not null);
insert into meeting_lock (id, bookings) values (1, 0);
