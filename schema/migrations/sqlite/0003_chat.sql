-- Live chat: rooms with one total order each, stored messages with idempotency keys, read
-- markers, moderation (mutes, bans, blocks) and talk-to-staff requests.

create table chat_rooms (
    id integer primary key,
    kind text not null check (kind in ('booth', 'hall', 'fair', 'private')),
    -- One room per target: 'booth:7', 'hall:2', 'fair', 'private:7:44'.
    target text not null unique,
    company_id bigint references companies (id) on delete cascade,
    hall_id bigint references halls (id) on delete cascade,
    buyer_id bigint references users (id) on delete cascade,
    -- The newest message's sequence. Taking the next one is an update of this row, so the
    -- row lock orders concurrent senders: every node agrees on one order per room.
    last_seq bigint not null default 0,
    created_ms bigint not null
);

-- Files shared in a room (images and PDFs, checked like booth uploads).
create table chat_attachments (
    id integer primary key,
    room_id bigint not null references chat_rooms (id) on delete cascade,
    uploader_id bigint not null references users (id) on delete cascade,
    file_name text not null,
    stored_name text not null unique,
    content_type text not null,
    size_bytes bigint not null,
    created_ms bigint not null
);

create table chat_messages (
    id integer primary key,
    room_id bigint not null references chat_rooms (id) on delete cascade,
    seq bigint not null,
    sender_id bigint not null references users (id) on delete cascade,
    -- Null once deleted: the stored text is gone, the place in the order stays.
    body text,
    -- The sender's idempotency key: a resend returns the first message.
    client_key text not null,
    attachment_id bigint references chat_attachments (id) on delete set null,
    created_ms bigint not null,
    deleted_ms bigint,
    deleted_by bigint references users (id) on delete set null,
    unique (room_id, seq),
    unique (sender_id, client_key)
);

-- Extra members of private rooms (interpreters invited by the company or an organizer).
create table chat_members (
    room_id bigint not null references chat_rooms (id) on delete cascade,
    user_id bigint not null references users (id) on delete cascade,
    added_by bigint references users (id) on delete set null,
    added_ms bigint not null,
    primary key (room_id, user_id)
);

-- How far each user has read each room, shared by all their devices.
create table chat_reads (
    room_id bigint not null references chat_rooms (id) on delete cascade,
    user_id bigint not null references users (id) on delete cascade,
    read_seq bigint not null,
    primary key (room_id, user_id)
);

-- Mutes (may not post) and bans (may not read or post), in one room or fair-wide (room null).
create table chat_sanctions (
    id integer primary key,
    user_id bigint not null references users (id) on delete cascade,
    room_id bigint references chat_rooms (id) on delete cascade,
    kind text not null check (kind in ('mute', 'ban')),
    until_ms bigint,
    created_by bigint references users (id) on delete set null,
    created_ms bigint not null
);
create index chat_sanctions_user on chat_sanctions (user_id);

create table user_blocks (
    blocker_id bigint not null references users (id) on delete cascade,
    blocked_id bigint not null references users (id) on delete cascade,
    created_ms bigint not null,
    primary key (blocker_id, blocked_id)
);

create table talk_requests (
    id integer primary key,
    company_id bigint not null references companies (id) on delete cascade,
    buyer_id bigint not null references users (id) on delete cascade,
    state text not null check (state in ('open', 'accepted', 'missed')),
    accepted_by bigint references users (id) on delete set null,
    room_id bigint references chat_rooms (id) on delete set null,
    created_ms bigint not null,
    expires_ms bigint not null,
    resolved_ms bigint
);
create index talk_requests_company on talk_requests (company_id, state);
