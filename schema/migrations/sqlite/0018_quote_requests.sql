-- Commerce in the stream (issue 14, item 4): a buyer asks an exhibitor for a quote or a
-- sample of a product, from the show that pinned it or from the booth page (show_id null).
-- The buyer consents to the exhibitor getting their contact details: a request is stored
-- only with consent = 1. Meetings booked from a show remember it too, so the exhibitor's
-- and the organizers' reports count both per show.

create table quote_requests (
    id integer primary key,
    company_id bigint not null references companies (id) on delete cascade,
    -- Kept when the product is deleted: the request is the exhibitor's lead all the same.
    product_id bigint references products (id) on delete set null,
    buyer_id bigint not null references users (id) on delete cascade,
    show_id bigint references shows (id) on delete set null,
    kind text not null check (kind in ('quote', 'sample')),
    quantity text,
    message text,
    consent bigint not null check (consent = 1),
    created_ms bigint not null
);
create index quote_requests_company on quote_requests (company_id, created_ms);
create index quote_requests_show on quote_requests (show_id);

alter table meetings add column show_id bigint references shows (id) on delete set null;
create index meetings_show on meetings (show_id);
