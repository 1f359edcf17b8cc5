-- The stage chat (issue 14): a show has its own chat room (kind 'show'), moderated by the
-- organizers and the host company's staff; a slow mode per show (each sender waits
-- chat_slow_s seconds between messages); and the fair's word filter, which refuses a message
-- in a public room that has one of its words (in any of the fair's languages).

alter table chat_rooms add column show_id bigint references shows (id) on delete cascade;

-- SQLite cannot alter a check constraint, and rebuilding chat_rooms is not safe here: the
-- migration runs in a transaction with foreign keys on, so dropping the old table would
-- cascade into every message. Widening a check changes no stored row, so the table's stored
-- definition is edited in place, as SQLite documents for such changes
-- (https://sqlite.org/lang_altertable.html#otheralter). The scratch table's create and drop
-- bump the schema cookie, so every other connection reloads the schema; `reset` reloads this
-- one's. `migrations::show_rooms_pass_the_widened_kind_check` (e2e) tests it on a pool.
pragma writable_schema = on;
update sqlite_schema
    set sql = replace(sql, 'check (kind in (''booth'', ''hall'', ''fair'', ''private''))',
                           'check (kind in (''booth'', ''hall'', ''fair'', ''private'', ''show''))')
    where type = 'table' and name = 'chat_rooms';
pragma writable_schema = off;
create table schema_cookie_bump (x integer);
drop table schema_cookie_bump;
pragma writable_schema = reset;

alter table shows add column chat_slow_s bigint not null default 0;

create table chat_filter_words (
    -- Kept as the organizer wrote it; matched case-blind after Unicode normalization (NFKC).
    word text primary key,
    created_by bigint references users (id) on delete set null,
    created_ms bigint not null
);
