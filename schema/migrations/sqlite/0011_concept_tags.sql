-- Product taxonomy concepts of each company and product (schema/data/taxonomy.json), kept by
-- the application with the search document (booths::reindex) and rebuilt for every booth when
-- the taxonomy changes. product_id 0 is the company itself; source says where the tag came
-- from: 'tag' (the exhibitor's tags and categories), 'hs' (an HS heading), 'text' (a name).
create table concept_tags (
    company_id integer not null references companies (id) on delete cascade,
    product_id integer not null default 0,
    concept text not null,
    source text not null,
    primary key (company_id, product_id, concept)
);
create index concept_tags_concept on concept_tags (concept);
