-- Meeting scheduling: the fair's slot grid, each company's availability and seats (tables or
-- video seats), and meetings. The database itself refuses double bookings: no person and no
-- seat is ever in two active meetings whose times overlap.

-- btree_gist lets one exclusion constraint mix equality (who) with range overlap (when).
create extension if not exists btree_gist;

create table meeting_slots (
    id bigserial primary key,
    -- The fair day the slot belongs to, in the grid's own time zone (YYYY-MM-DD).
    day text not null,
    starts_ms bigint not null,
    ends_ms bigint not null,
    check (ends_ms > starts_ms),
    unique (starts_ms, ends_ms)
);
create index meeting_slots_day on meeting_slots (day, starts_ms);

-- How many meetings a company can hold at once (its tables or video seats).
alter table companies add column meeting_seats bigint not null default 1 check (meeting_seats between 1 and 50);

create table company_slots (
    company_id bigint not null references companies (id) on delete cascade,
    slot_id bigint not null references meeting_slots (id) on delete cascade,
    primary key (company_id, slot_id)
);

create table meetings (
    id bigserial primary key,
    company_id bigint not null references companies (id) on delete cascade,
    buyer_id bigint not null references users (id) on delete cascade,
    -- The staff member who takes it (chosen on acceptance).
    staff_id bigint references users (id) on delete set null,
    interpreter_id bigint references users (id) on delete set null,
    slot_id bigint not null references meeting_slots (id),
    -- Which of the company's seats it occupies (1 .. meeting_seats).
    seat bigint not null,
    starts_ms bigint not null,
    ends_ms bigint not null,
    mode text not null check (mode in ('online', 'onsite')),
    state text not null check (state in ('requested', 'confirmed', 'declined', 'cancelled', 'expired')),
    message text,
    decline_reason text,
    requested_by bigint not null references users (id),
    created_ms bigint not null,
    updated_ms bigint not null,
    -- A pending request holds the slot until then.
    expires_ms bigint not null,
    check (ends_ms > starts_ms),
    -- The heart of it: among active meetings, no seat, buyer, staff member or interpreter
    -- is in two that overlap. Nulls never conflict.
    constraint meetings_seat_free exclude using gist (
        company_id with =, seat with =, int8range(starts_ms, ends_ms) with &&
    ) where (state in ('requested', 'confirmed')),
    constraint meetings_buyer_free exclude using gist (
        buyer_id with =, int8range(starts_ms, ends_ms) with &&
    ) where (state in ('requested', 'confirmed')),
    constraint meetings_staff_free exclude using gist (
        staff_id with =, int8range(starts_ms, ends_ms) with &&
    ) where (state in ('requested', 'confirmed')),
    constraint meetings_interpreter_free exclude using gist (
        interpreter_id with =, int8range(starts_ms, ends_ms) with &&
    ) where (state in ('requested', 'confirmed'))
);
create index meetings_company on meetings (company_id, starts_ms);
create index meetings_buyer on meetings (buyer_id, starts_ms);
