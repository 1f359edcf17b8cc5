-- Foundation: the fair's halls, companies and products; accounts, sessions and invitations.
--
-- Conventions shared with the postgres migrations, so one runtime query serves both engines:
-- ids are bigint, times are bigint utc milliseconds since the epoch (`*_ms`), flags are
-- bigint 0/1 (the sqlx `any` driver cannot decode sqlite booleans), and lists are json text.

-- Small key/value facts about this database, e.g. whether the demo fair was loaded.
create table meta (
    key text primary key,
    value text not null
);

create table halls (
    id integer primary key,
    slug text not null unique,
    name text not null,
    industry text not null,
    position bigint not null default 0
);

create table companies (
    id integer primary key,
    -- The business registration number: the stable key that imports match on.
    reg_no text not null unique,
    name text not null,
    hall_id bigint references halls (id) on delete set null,
    country text not null default 'KR',
    region text,
    tagline text,
    description text,
    website text,
    founded_year bigint,
    tags text not null default '[]',
    created_ms bigint not null
);
create index companies_hall on companies (hall_id);

create table products (
    id integer primary key,
    company_id bigint not null references companies (id) on delete cascade,
    name text not null,
    description text,
    hs_code text,
    tags text not null default '[]',
    created_ms bigint not null
);
create index products_company on products (company_id);

create table users (
    id integer primary key,
    -- Always stored lower-cased by the application, so a plain unique key is case-insensitive.
    email text not null unique,
    name text not null,
    role text not null check (role in ('organizer', 'exhibitor', 'buyer', 'interpreter')),
    status text not null check (status in ('active', 'pending', 'disabled')),
    -- argon2id PHC string.
    password_hash text not null,
    company_id bigint references companies (id) on delete cascade,
    company_admin bigint not null default 0 check (company_admin in (0, 1)),
    -- A buyer's own firm (buyers do not exhibit, so this is free text).
    buyer_company text,
    country text,
    timezone text not null default 'Asia/Seoul',
    languages text not null default '[]',
    interests text not null default '[]',
    share_contact bigint not null default 0 check (share_contact in (0, 1)),
    created_ms bigint not null,
    -- Exhibitor staff always belong to a company; nobody else does.
    check ((role = 'exhibitor') = (company_id is not null))
);
create index users_company on users (company_id);
create index users_role on users (role, status);

create table sessions (
    id integer primary key,
    -- sha-256 of the opaque token; the token itself is never stored.
    token_hash text not null unique,
    user_id bigint not null references users (id) on delete cascade,
    created_ms bigint not null,
    expires_ms bigint not null,
    revoked_ms bigint
);
create index sessions_user on sessions (user_id);

create table invitations (
    id integer primary key,
    token_hash text not null unique,
    email text not null,
    name text not null,
    role text not null check (role in ('exhibitor', 'interpreter')),
    company_id bigint references companies (id) on delete cascade,
    company_admin bigint not null default 0 check (company_admin in (0, 1)),
    languages text not null default '[]',
    timezone text,
    invited_by bigint references users (id) on delete set null,
    created_ms bigint not null,
    expires_ms bigint not null,
    accepted_ms bigint,
    check ((role = 'exhibitor') = (company_id is not null))
);
