-- The people desk: rejected registrations keep their reason (the applicant is shown it),
-- buyers carry the HS codes they source, and invitations also go to imported buyers, in a
-- language of their own, and can be resent (a new token) or revoked.

-- A rejected registration: the account is disabled, and these say when and why.
alter table users add column rejected_ms bigint;
alter table users add column rejection_reason text;
-- A buyer's sourcing interests as HS codes (digits only, 2 to 10), json list.
alter table users add column hs_codes text not null default '[]';

alter table invitations drop constraint if exists invitations_role_check;
alter table invitations add constraint invitations_role_check
    check (role in ('exhibitor', 'interpreter', 'buyer'));
-- The language the invitation is written in (mail and page): one of the fair's six.
alter table invitations add column language text not null default 'en';
-- When the last link was made (creation or resend); a resend replaces token_hash.
alter table invitations add column sent_ms bigint;
alter table invitations add column revoked_ms bigint;
-- An imported buyer's account, created with the data before the invitation is accepted.
alter table invitations add column user_id bigint references users (id) on delete cascade;
create index invitations_email on invitations (email);
-- An invitation made before keeps its invitee's first language the fair speaks (else English).
update invitations set sent_ms = created_ms,
    language = coalesce((select t.l from jsonb_array_elements_text(languages::jsonb)
                         with ordinality as t(l, n)
                         where t.l in ('en', 'ko', 'zh', 'ru', 'mn', 'ja') order by t.n limit 1), 'en');
