-- Search: the folding function and configurations, the language mapping, the generated
-- documents and their GIN indexes, the plans that use them, and the triggers that re-index.
-- Depends on: sql/migrations/004_search.sql, sql/code/80-search.sql and
--   tests/sql/helpers/10-personas.sql (personas).
begin;
select plan(35);

-- Explain a query as text, one plan line a row joined by newlines (superuser only).
create function pg_temp.plan(p_query text)
returns text
language plpgsql
as $$
declare
  v_line text;
  v_plan text := '';
begin
  for v_line in execute 'explain (costs off) ' || p_query loop
    v_plan := v_plan || v_line || E'\n';
  end loop;
  return v_plan;
end;
$$;

-- as the superuser: folding -------------------------------------------------------------------

select is(
  (select p.provolatile::text from pg_catalog.pg_proc p where p.oid = 'private.search_fold(text)'::regprocedure),
  'i',
  'private.search_fold is IMMUTABLE, so indexes and generated columns may use it'
);
select is(
  private.search_fold('Frisør Æble ÅBEN Café Øl æ ø å é'),
  'frisor aeble aben cafe ol ae o a e',
  'private.search_fold lowers and folds ø, æ, å and é (upper and lower case)'
);
select is(private.search_fold(null), null, 'private.search_fold of NULL is NULL');
select set_has(
  $$select c.cfgname::text from pg_catalog.pg_ts_config c where c.cfgnamespace = 'extensions'::regnamespace$$,
  $$values ('danish_unaccent'), ('english_unaccent'), ('simple_unaccent'), ('german_unaccent'), ('swedish_unaccent')$$,
  'Every built-in text search configuration has a folding twin in schema extensions'
);
select is(
  pg_catalog.to_tsvector('extensions.danish_unaccent', 'Frisør klipninger og skæg'),
  $$'frisor':1 'klipning':2 'skaeg':4$$::tsvector,
  'danish_unaccent folds accents, then stems and drops Danish stop words'
);
select is(
  pg_catalog.to_tsvector('extensions.english_unaccent', 'Café cutting'),
  $$'cafe':1 'cut':2$$::tsvector,
  'english_unaccent folds accents, then stems in English'
);
select is(
  pg_catalog.to_tsvector('extensions.simple_unaccent', 'Frisøren Klipning'),
  $$'frisoren':1 'klipning':2$$::tsvector,
  'simple_unaccent folds accents and keeps words whole'
);

-- The language mapping.
select results_eq(
  $$select private.search_config(l)::text
    from unnest(array['danish', 'pg_catalog.danish', 'english', 'simple', 'german',
                      'extensions.english_unaccent', 'public.my_config', '']) l$$,
  $$values ('extensions.danish_unaccent'), ('extensions.danish_unaccent'),
           ('extensions.english_unaccent'), ('extensions.simple_unaccent'),
           ('extensions.german_unaccent'), ('extensions.english_unaccent'),
           ('extensions.simple_unaccent'), ('extensions.simple_unaccent')$$,
  'search_language maps to its folding twin; a folding configuration to itself; anything else to simple_unaccent'
);

-- Prefix queries are built from lexemes, never from query syntax.
select is(
  private.search_query('extensions.danish_unaccent', 'Klip FRISØR'),
  $$'frisor':* & 'klip':*$$::tsquery,
  'Every lexeme of q becomes a required prefix term'
);
select is(
  private.search_query('extensions.danish_unaccent', 'klip', 'A'),
  $$'klip':*A$$::tsquery,
  'The name query limits the terms to weight A'
);
select is(
  private.search_query('extensions.simple_unaccent', $$it's \ & ! | :* <-> (x)$$),
  $$'it':* & 's':* & 'x':*$$::tsquery,
  'Quotes, backslashes and operators in q are separators, not syntax'
);
select is(
  private.search_query('extensions.danish_unaccent', 'og !!!'),
  null,
  'A q without lexemes (stop words, punctuation) gives no query: NULL matches nothing'
);

-- Columns and indexes ---------------------------------------------------------------------------

select results_eq(
  $$select pg_catalog.format('%s.%s %s', c.relname, a.attname, a.attgenerated) collate "default"
    from pg_catalog.pg_attribute a join pg_catalog.pg_class c on c.oid = a.attrelid
    where c.oid in ('app.services'::regclass, 'app.providers'::regclass)
      and a.attname in ('search_document', 'search_name')
    order by 1$$,
  $$values ('providers.search_document s'), ('providers.search_name s'),
           ('services.search_document s'), ('services.search_name s')$$,
  'search_document and search_name are stored generated columns of services and providers'
);
select index_is_type('app', 'services', 'services_search_document_idx', 'gin',
  'services_search_document_idx is a GIN index');
select has_index('app', 'services', 'services_search_document_idx', 'search_document',
  'services_search_document_idx indexes search_document');
select index_is_type('app', 'services', 'services_search_name_trgm_idx', 'gin',
  'services_search_name_trgm_idx is a GIN index');
select index_is_type('app', 'providers', 'providers_search_document_idx', 'gin',
  'providers_search_document_idx is a GIN index');
select index_is_type('app', 'providers', 'providers_search_name_trgm_idx', 'gin',
  'providers_search_name_trgm_idx is a GIN index');
select results_eq(
  $$select pg_catalog.format('%s %s', i.indexrelid::regclass, o.opcname) collate "default"
    from pg_catalog.pg_index i join pg_catalog.pg_opclass o on o.oid = i.indclass[0]
    where i.indexrelid in ('app.services_search_name_trgm_idx'::regclass, 'app.providers_search_name_trgm_idx'::regclass)
    order by 1$$,
  $$values ('app.providers_search_name_trgm_idx gin_trgm_ops'), ('app.services_search_name_trgm_idx gin_trgm_ops')$$,
  'The name indexes use pg_trgm''s gin_trgm_ops'
);

-- Fixtures: a Danish salon with a few thousand services, and Alma who manages it ------------------

select tests.create_user('alma');
select tests.authenticate_as('alma');
select lives_ok(
  $$select api.create_org('salon-sog', 'Salon Søg')$$,
  'Alma creates Salon Søg (danish by default)'
);
select tests.clear_authentication();

insert into app.services (org_id, name, description, duration_minutes, price_minor)
select o.id,
       (array['Klipning', 'Farvning', 'Skægtrim', 'Massage', 'Negle', 'Vipper', 'Bryn',
              'Fletning', 'Hårvask', 'Permanent', 'Balayage', 'Highlights', 'Manicure',
              'Pedicure', 'Opsætning', 'Føntørring', 'Locs', 'Voks', 'Make-up', 'Konsultation',
              'Spraytan', 'Ansigtsbehandling', 'Hotstone', 'Sportsmassage', 'Børneklip',
              'Herreklip', 'Dameklip', 'Barbering', 'Hårkur', 'Styling'])[1 + n % 30]
         || ' ' || n,
       'Beskrivelse nummer ' || n || '.',
       30,
       10000
from app.organizations o, generate_series(1, 3000) n
where o.slug = 'salon-sog';
insert into app.providers (org_id, display_name, bio)
select o.id, 'Frisør ' || n, 'Erfaren frisør.'
from app.organizations o, generate_series(1, 200) n
where o.slug = 'salon-sog';
analyze app.services;
analyze app.providers;

select is(
  (select s.search_document from app.services s where s.name = 'Klipning 30'),
  $$'30':2A,5B 'beskriv':3B 'klipning':1A 'num':4B$$::tsvector,
  'A service''s document holds its name at weight A and its description at weight B'
);
select is(
  (select s.search_name from app.services s where s.name = 'Skægtrim 2'),
  'skaegtrim 2',
  'search_name is the folded name'
);

-- Plans: what private.search_public runs, as its owner (to whom row-level security does not
-- apply, which is why it is a definer: see its comment). Sequential scans are turned off so the
-- check reads "the index can serve this predicate", not "the planner preferred it today".
set local enable_seqscan = off;
select matches(
  pg_temp.plan($$select s.id from app.services s
    where s.search_document @@ private.search_query('extensions.danish_unaccent', 'klip') and s.active$$),
  'Bitmap Index Scan on services_search_document_idx',
  'The full-text predicate on services reads services_search_document_idx'
);
select matches(
  pg_temp.plan($$select s.id from app.services s
    where s.search_name operator(extensions.%>) private.search_fold('klipnig') and s.active$$),
  'Bitmap Index Scan on services_search_name_trgm_idx',
  'The typo predicate on services reads services_search_name_trgm_idx'
);
select matches(
  pg_temp.plan($$select p.id from app.providers p
    where p.search_document @@ private.search_query('extensions.danish_unaccent', 'frisor') and p.active$$),
  'Bitmap Index Scan on providers_search_document_idx',
  'The full-text predicate on providers reads providers_search_document_idx'
);
select matches(
  pg_temp.plan($$select p.id from app.providers p
    where p.search_name operator(extensions.%>) private.search_fold('frisr') and p.active$$),
  'Bitmap Index Scan on providers_search_name_trgm_idx',
  'The typo predicate on providers reads providers_search_name_trgm_idx'
);
-- plpgsql may switch to a generic plan after five calls; that plan must use the index too.
prepare search_generic(tsquery) as
  select s.id from app.services s where s.search_document @@ $1 and s.active;
set local plan_cache_mode = force_generic_plan;
select matches(
  pg_temp.plan($$execute search_generic('klip:*')$$),
  'Bitmap Index Scan on services_search_document_idx',
  'A generic plan of the full-text predicate reads the GIN index as well'
);
reset plan_cache_mode;
reset enable_seqscan;

-- as anon ---------------------------------------------------------------------------------------
select tests.authenticate_as_anon();

select is(
  (api.search('klipning 30') -> 'items' -> 0 ->> 'name'),
  'Klipning 30',
  'Anon finds a service by the words of its name'
);
select is(
  (api.search('klip', 200) -> 'items' -> 0 ->> 'kind'),
  'service',
  'Anon finds services by a prefix'
);
select is(
  pg_catalog.json_array_length(api.search('frisr', 200) -> 'items'),
  200,
  'A typo ("frisr") finds the providers named Frisør'
);
select throws_ok(
  $$select api.search('   ')$$,
  'PT422',
  'validation_failed',
  'A blank q is refused with 422 validation_failed'
);

-- as alma (owner of Salon Søg) ------------------------------------------------------------------
select tests.authenticate_as('alma');

select throws_ok(
  $$insert into app.services (org_id, name, duration_minutes, price_minor, search_config)
    select o.id, 'Spoof', 30, 100, 'extensions.english_unaccent'
    from app.organizations o where o.slug = 'salon-sog'$$,
  '42501',
  null,
  'Not even a manager may choose the search configuration of a row'
);
select lives_ok(
  $$update app.organizations o set search_language = 'english' where o.slug = 'salon-sog'$$,
  'Alma switches Salon Søg to english'
);

-- as the superuser, checking every row ------------------------------------------------------------
select tests.clear_authentication();

select results_eq(
  $$select distinct s.search_config::text from app.services s
    join app.organizations o on o.id = s.org_id where o.slug = 'salon-sog'
    union all
    select distinct p.search_config::text from app.providers p
    join app.organizations o on o.id = p.org_id where o.slug = 'salon-sog'$$,
  $$values ('extensions.english_unaccent'), ('extensions.english_unaccent')$$,
  'Changing the search language re-indexed every service and provider of the organization'
);
select is(
  (select s.search_document from app.services s where s.name = 'Klipning 30'),
  $$'30':2A,5B 'beskrivels':3B 'klipn':1A 'nummer':4B$$::tsvector,
  'The re-indexed document is stemmed in English'
);

select * from finish();
rollback;
