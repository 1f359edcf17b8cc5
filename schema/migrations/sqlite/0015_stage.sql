-- The live stage (issue 14): stages and the shows scheduled on them. Expo Hub never carries
-- video: a show's encoder publishes to the media server under the show's secret stream key,
-- the media server asks Expo Hub whether to accept it (and tells it when publishing stops),
-- and viewers play the media server's HLS, or the show's external stream.

create table stages (
    id integer primary key,
    slug text not null unique,
    name text not null,
    kind text not null check (kind in ('main', 'studio')),
    position integer not null default 0
);

create table shows (
    id integer primary key,
    stage_id integer not null references stages (id) on delete cascade,
    -- The base-language title and description, and the translations as JSON text
    -- ({"ko": {"title": ..., "description": ...}, ...}): a show is read whole, never searched.
    title text not null,
    description text not null default '',
    texts text not null default '{}',
    host_company_id integer references companies (id) on delete set null,
    starts_ms integer not null,
    ends_ms integer not null,
    -- Product ids as a JSON array: shown with the show, never queried by product.
    featured text not null default '[]',
    -- The secret the encoder publishes under (random, like session tokens); null for a show
    -- streamed elsewhere (external_url), which the organizer marks live by hand.
    stream_key text unique,
    external_url text,
    state text not null default 'scheduled' check (state in ('scheduled', 'live', 'ended')),
    live_since_ms integer,
    ended_ms integer,
    created_ms integer not null,
    check (ends_ms > starts_ms)
);
create index shows_stage_start on shows (stage_id, starts_ms);
