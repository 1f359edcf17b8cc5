-- Virtual booths: richer company profiles, texts in several languages, product details,
-- media (logos, photos, brochures, videos), booth visits (leads), and search.

alter table companies add column export_countries text not null default '[]';
-- The media row of the company logo, if any (no foreign key: media references companies).
alter table companies add column logo_media_id integer;
alter table companies add column updated_ms integer not null default 0;
-- Everything searchable about the company and its products, in every language, maintained by
-- the application on each write; the FTS5 table below indexes it.
alter table companies add column search_doc text not null default '';

-- Full-text index over search_doc, keyed by company id (rowid). Kept in step by the
-- application in the same transaction as every write to search_doc.
create virtual table company_fts using fts5 (search_doc, tokenize = 'unicode61 remove_diacritics 2');

-- Texts in the viewer's language. The base columns of companies and products hold the
-- default (English) text; a row here overrides it for one language.
create table company_texts (
    company_id integer not null references companies (id) on delete cascade,
    lang text not null,
    name text,
    tagline text,
    description text,
    primary key (company_id, lang)
);

alter table products add column code text;
alter table products add column category text;
alter table products add column min_order text;
alter table products add column price_range text;
alter table products add column certifications text not null default '[]';
alter table products add column position integer not null default 0;
-- A product code is the stable key of a product within its company (imports match on it).
create unique index products_company_code on products (company_id, code);

create table product_texts (
    product_id integer not null references products (id) on delete cascade,
    lang text not null,
    name text,
    description text,
    primary key (product_id, lang)
);

create table media (
    id integer primary key,
    company_id integer not null references companies (id) on delete cascade,
    product_id integer references products (id) on delete cascade,
    kind text not null check (kind in ('logo', 'photo', 'brochure', 'video')),
    title text not null,
    -- The uploader's file name, made safe; the file itself is stored under a random name.
    file_name text,
    stored_name text unique,
    content_type text,
    size_bytes integer,
    -- For videos hosted elsewhere (YouTube, Vimeo ...): a link instead of a file.
    external_url text,
    uploaded_by integer references users (id) on delete set null,
    created_ms integer not null,
    check ((stored_name is null) <> (external_url is null))
);
create index media_company on media (company_id);

-- One row per time a person entered a booth. left_ms stays null while they are inside.
create table booth_visits (
    id integer primary key,
    company_id integer not null references companies (id) on delete cascade,
    user_id integer not null references users (id) on delete cascade,
    conn_id text not null,
    entered_ms integer not null,
    left_ms integer
);
create index booth_visits_company on booth_visits (company_id, entered_ms);
create index booth_visits_open on booth_visits (conn_id) where left_ms is null;

-- What a visitor opened during a visit.
create table visit_opens (
    id integer primary key,
    visit_id integer not null references booth_visits (id) on delete cascade,
    kind text not null check (kind in ('product', 'brochure', 'video', 'photo')),
    item_id integer not null,
    opened_ms integer not null
);
create index visit_opens_visit on visit_opens (visit_id);
