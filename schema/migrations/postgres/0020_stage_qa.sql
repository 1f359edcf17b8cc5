-- The stage chat's questions and polls, and who may write in a show's chat (issue 14).
-- chat_mode: 'open' (everyone signed in), 'buyers' (approved buyers, the host's staff and
-- organizers), 'followers' (buyers who marked the host company in matchmaking, the host's
-- staff and organizers).

alter table shows add column chat_mode text not null default 'open'
    check (chat_mode in ('open', 'buyers', 'followers'));

-- A viewer's question to the host; viewers upvote it, moderators mark it answered or hide it.
create table show_questions (
    id bigserial primary key,
    show_id bigint not null references shows (id) on delete cascade,
    asker_id bigint not null references users (id) on delete cascade,
    body text not null,
    created_ms bigint not null,
    answered_ms bigint,
    hidden_ms bigint
);
create index show_questions_show on show_questions (show_id, created_ms);

create table show_question_votes (
    question_id bigint not null references show_questions (id) on delete cascade,
    user_id bigint not null references users (id) on delete cascade,
    created_ms bigint not null,
    primary key (question_id, user_id)
);

-- A poll the host runs during a show: options as a JSON array of strings; one vote per
-- viewer (a second vote changes it) until it is closed.
create table show_polls (
    id bigserial primary key,
    show_id bigint not null references shows (id) on delete cascade,
    question text not null,
    options text not null,
    created_by bigint references users (id) on delete set null,
    created_ms bigint not null,
    closed_ms bigint
);
create index show_polls_show on show_polls (show_id, created_ms);

create table show_poll_votes (
    poll_id bigint not null references show_polls (id) on delete cascade,
    user_id bigint not null references users (id) on delete cascade,
    option_index bigint not null,
    created_ms bigint not null,
    primary key (poll_id, user_id)
);
