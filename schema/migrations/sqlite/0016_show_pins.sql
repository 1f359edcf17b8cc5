-- Commerce in the stream (issue 14): the product a show's host pins for every viewer, and
-- every pin and unpin in order, so a replay shows each pin at the moment it was made.

alter table shows add column pinned_product_id bigint references products (id) on delete set null;
alter table shows add column pinned_ms bigint;

create table show_pins (
    id integer primary key,
    show_id bigint not null references shows (id) on delete cascade,
    -- null: the pin was taken down.
    product_id bigint references products (id) on delete set null,
    pinned_by bigint references users (id) on delete set null,
    at_ms bigint not null
);
create index show_pins_show on show_pins (show_id, at_ms);
