-- The people desk: rejected registrations keep their reason (the applicant is shown it),
-- buyers carry the HS codes they source, and invitations also go to imported buyers, in a
-- language of their own, and can be resent (a new token) or revoked.

-- A rejected registration: the account is disabled, and these say when and why.
alter table users add column rejected_ms bigint;
alter table users add column rejection_reason text;
-- A buyer's sourcing interests as HS codes (digits only, 2 to 10), json list.
alter table users add column hs_codes text not null default '[]';

-- SQLite cannot change a CHECK constraint: the invitations table is made anew with buyers
-- allowed and the new columns, the rows copied over, and the new table renamed. Nothing
-- refers to invitations, so no foreign key is affected.
create table invitations_new (
    id integer primary key,
    token_hash text not null unique,
    email text not null,
    name text not null,
    role text not null check (role in ('exhibitor', 'interpreter', 'buyer')),
    company_id bigint references companies (id) on delete cascade,
    company_admin bigint not null default 0 check (company_admin in (0, 1)),
    languages text not null default '[]',
    timezone text,
    invited_by bigint references users (id) on delete set null,
    created_ms bigint not null,
    expires_ms bigint not null,
    accepted_ms bigint,
    -- The language the invitation is written in (mail and page): one of the fair's six.
    language text not null default 'en',
    -- When the last link was made (creation or resend); a resend replaces token_hash.
    sent_ms bigint,
    revoked_ms bigint,
    -- An imported buyer's account, created with the data before the invitation is accepted.
    user_id bigint references users (id) on delete cascade,
    check ((role = 'exhibitor') = (company_id is not null))
);
-- An invitation made before keeps its invitee's first language the fair speaks (else English).
insert into invitations_new (id, token_hash, email, name, role, company_id, company_admin,
    languages, timezone, invited_by, created_ms, expires_ms, accepted_ms, language, sent_ms)
select id, token_hash, email, name, role, company_id, company_admin,
    languages, timezone, invited_by, created_ms, expires_ms, accepted_ms,
    coalesce((select j.value from json_each(invitations.languages) j
              where j.value in ('en', 'ko', 'zh', 'ru', 'mn', 'ja') order by j.key limit 1), 'en'),
    created_ms
from invitations;
drop table invitations;
alter table invitations_new rename to invitations;
create index invitations_email on invitations (email);
