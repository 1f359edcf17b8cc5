-- Organizer monitoring: every online session, node liveness (so sessions and visits of a node
-- that died are closed at the time its presence expired), QR badges and onsite check-ins.

create table online_sessions (
    id integer primary key,
    user_id integer not null references users (id) on delete cascade,
    role text not null,
    country text,
    node text not null,
    conn_id text not null unique,
    connected_ms integer not null,
    disconnected_ms integer,
    -- How it ended: 'closed' (the socket closed) or 'node_lost' (closed at presence expiry).
    ended text check (ended in ('closed', 'node_lost'))
);
create index online_sessions_open on online_sessions (node) where disconnected_ms is null;
create index online_sessions_span on online_sessions (connected_ms, disconnected_ms);

-- Each node's heartbeat. A node whose beat is older than the presence timeout is gone.
create table node_beats (
    node text primary key,
    started_ms integer not null,
    seen_ms integer not null,
    stopped_ms integer
);

-- The code on each person's QR badge.
alter table users add column badge_code text;
create unique index users_badge_code on users (badge_code);

-- Onsite scans: at the entrance (organizers), or at a booth (its staff), which is also an
-- onsite booth visit and a lead.
create table onsite_checkins (
    id integer primary key,
    user_id integer not null references users (id) on delete cascade,
    place text not null check (place in ('entrance', 'booth')),
    company_id integer references companies (id) on delete cascade,
    scanned_by integer references users (id) on delete set null,
    at_ms integer not null
);
create index onsite_checkins_time on onsite_checkins (at_ms);
create index onsite_checkins_company on onsite_checkins (company_id, at_ms);

alter table booth_visits add column source text not null default 'online' check (source in ('online', 'onsite'));
create index booth_visits_time on booth_visits (entered_ms);
create index chat_messages_created on chat_messages (created_ms);
create index talk_requests_created on talk_requests (created_ms);
