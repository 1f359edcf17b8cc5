-- Hardening: failed sign-ins shared by every node, and indexes for upload quotas and for
-- finding attachments that no message refers to.

-- One row per failed sign-in. Counting the rows of an email (or of a client address) within
-- the login window decides whether the next attempt is heard at all, on every node alike, and
-- before any password is hashed. Rows older than the window are deleted as new ones arrive.
create table login_failures (
    id bigserial primary key,
    -- The normalized email that was tried (also for emails with no account).
    email text not null,
    -- The client address the attempt came from.
    address text not null,
    failed_ms bigint not null
);
create index login_failures_email on login_failures (email, failed_ms);
create index login_failures_address on login_failures (address, failed_ms);
create index login_failures_time on login_failures (failed_ms);

-- Upload quotas count a user's attachments of the last 24 hours.
create index chat_attachments_uploader on chat_attachments (uploader_id, created_ms);
-- The sweep of unsent attachments asks, per attachment, whether a message refers to it.
create index chat_messages_attachment on chat_messages (attachment_id);
