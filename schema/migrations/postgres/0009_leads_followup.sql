-- Leads that lead somewhere: a booth's staff keep notes, a rating, tags and a follow-up state
-- per lead (one row per company and buyer, written only by that company's staff). And talk
-- requests a visitor withdrew before anyone answered: state 'cancelled'.

create table lead_notes (
    company_id bigint not null references companies (id) on delete cascade,
    user_id bigint not null references users (id) on delete cascade,
    notes text not null default '',
    -- 1 to 5 stars; null: not rated.
    rating bigint check (rating between 1 and 5),
    -- JSON list of short tags.
    tags text not null default '[]',
    followup text not null default 'new'
        check (followup in ('new', 'contacted', 'meeting', 'won', 'lost')),
    updated_ms bigint not null,
    updated_by bigint references users (id) on delete set null,
    primary key (company_id, user_id)
);

alter table talk_requests drop constraint talk_requests_state_check;
alter table talk_requests add constraint talk_requests_state_check
    check (state in ('open', 'accepted', 'missed', 'cancelled'));
