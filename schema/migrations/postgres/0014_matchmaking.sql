-- Matchmaking (issue 13): who wants to meet whom, the pairs the organizer accepts, and the
-- scheduler's runs over them.

-- A mark by one side of a buyer–company pair on the other: the buyer on a company
-- (side = 'buyer'), or the company's staff on a buyer (side = 'company'). One per side.
create table match_marks (
    buyer_id bigint not null references users (id) on delete cascade,
    company_id bigint not null references companies (id) on delete cascade,
    side text not null check (side in ('buyer', 'company')),
    level text not null check (level in ('must_meet', 'would_meet', 'no_thanks')),
    marked_by bigint references users (id) on delete set null,
    updated_ms bigint not null,
    primary key (buyer_id, company_id, side)
);
create index match_marks_company on match_marks (company_id);

-- The pairs the organizer accepted for scheduling: one meeting each.
create table match_pairs (
    id bigserial primary key,
    buyer_id bigint not null references users (id) on delete cascade,
    company_id bigint not null references companies (id) on delete cascade,
    priority text not null check (priority in ('must_meet', 'would_meet')),
    mode text not null default 'either' check (mode in ('onsite', 'online', 'either')),
    -- The meeting publishing placed for it, while that meeting is active.
    meeting_id bigint references meetings (id) on delete set null,
    created_ms bigint not null,
    unique (buyer_id, company_id)
);

-- A scheduler run: its input and answer as JSON (expo_schema::matchmaking), and when it was
-- published (then its meetings exist).
create table match_runs (
    id bigserial primary key,
    created_by bigint references users (id) on delete set null,
    created_ms bigint not null,
    input text not null,
    result text not null,
    published_ms bigint
);
