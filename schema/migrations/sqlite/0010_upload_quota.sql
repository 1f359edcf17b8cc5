-- Daily upload quotas: one row per stored upload (booth media or chat attachment), kept when
-- the file is later deleted or swept, so deleting and uploading again does not reset a quota.
-- Rows older than a day are deleted as the user's next upload arrives.
create table upload_ledger (
    id integer primary key,
    user_id bigint not null,
    kind text not null check (kind in ('media', 'attachment')),
    size_bytes bigint not null,
    created_ms bigint not null
);
create index upload_ledger_user on upload_ledger (user_id, kind, created_ms);
