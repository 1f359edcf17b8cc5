-- The stage chat (issue 14): a show has its own chat room (kind 'show'), moderated by the
-- organizers and the host company's staff; a slow mode per show (each sender waits
-- chat_slow_s seconds between messages); and the fair's word filter, which refuses a message
-- in a public room that has one of its words (in any of the fair's languages).

alter table chat_rooms drop constraint chat_rooms_kind_check;
alter table chat_rooms add constraint chat_rooms_kind_check
    check (kind in ('booth', 'hall', 'fair', 'private', 'show'));
alter table chat_rooms add column show_id bigint references shows (id) on delete cascade;

alter table shows add column chat_slow_s bigint not null default 0;

create table chat_filter_words (
    -- Kept as the organizer wrote it; matched case-blind after Unicode normalization (NFKC).
    word text primary key,
    created_by bigint references users (id) on delete set null,
    created_ms bigint not null
);
