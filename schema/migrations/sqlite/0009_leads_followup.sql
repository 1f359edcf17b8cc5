-- Leads that lead somewhere: a booth's staff keep notes, a rating, tags and a follow-up state
-- per lead (one row per company and buyer, written only by that company's staff). And talk
-- requests a visitor withdrew before anyone answered: state 'cancelled'.

create table lead_notes (
    company_id integer not null references companies (id) on delete cascade,
    user_id integer not null references users (id) on delete cascade,
    notes text not null default '',
    -- 1 to 5 stars; null: not rated.
    rating integer check (rating between 1 and 5),
    -- JSON list of short tags.
    tags text not null default '[]',
    followup text not null default 'new'
        check (followup in ('new', 'contacted', 'meeting', 'won', 'lost')),
    updated_ms integer not null,
    updated_by integer references users (id) on delete set null,
    primary key (company_id, user_id)
);

-- SQLite cannot alter a check constraint: the table is rebuilt with 'cancelled' allowed.
-- Nothing references talk_requests, so dropping the old table touches no other row.
create table talk_requests_new (
    id integer primary key,
    company_id bigint not null references companies (id) on delete cascade,
    buyer_id bigint not null references users (id) on delete cascade,
    state text not null check (state in ('open', 'accepted', 'missed', 'cancelled')),
    accepted_by bigint references users (id) on delete set null,
    room_id bigint references chat_rooms (id) on delete set null,
    created_ms bigint not null,
    expires_ms bigint not null,
    resolved_ms bigint
);
insert into talk_requests_new (id, company_id, buyer_id, state, accepted_by, room_id, created_ms, expires_ms, resolved_ms)
    select id, company_id, buyer_id, state, accepted_by, room_id, created_ms, expires_ms, resolved_ms from talk_requests;
drop table talk_requests;
alter table talk_requests_new rename to talk_requests;
create index talk_requests_company on talk_requests (company_id, state);
create index talk_requests_created on talk_requests (created_ms);
