-- 004 search: accent-folding full-text search over services and providers, and a trigram
-- fallback for typos.
-- Depends on: 001 (schema extensions), 002 (app.organizations, app.services, app.providers).
-- Adds: extensions unaccent and pg_trgm; a folding twin extensions.<language>_unaccent of every
-- text search configuration PostgreSQL ships; private.search_fold() and private.search_config();
-- on app.services and app.providers the columns search_config, search_document, search_name and
-- their GIN indexes. The triggers that keep search_config equal to the organization's language,
-- and the functions that search, are in sql/code/80-search.sql. docs/search.md tells the story.
--
-- Why search_config is a column: a row's document depends on its organization's search_language,
-- which a generated column cannot read from another table. The triggers copy the (mapped)
-- language into the row; the documents are generated columns of that copy, so they can never
-- disagree with the name, description or bio they were made from.

create extension if not exists unaccent with schema extensions;
create extension if not exists pg_trgm with schema extensions;

-- A folding twin of each built-in configuration: the same parser and dictionaries, with unaccent
-- in front of the stemmer for the token types that may carry accents (word, hword, hword_part;
-- the ascii* types cannot). "Frisør" is indexed as "frisor", so "frisor" and "frisør" find it.
-- A side effect worth knowing: a stop word with an accent ("på", "være") is folded before the
-- stemmer's stop list sees it, so it is indexed as an ordinary word.
do $$
declare
  v_config record;
  v_mapping record;
begin
  for v_config in
    select c.oid, c.cfgname, c.cfgparser
    from pg_catalog.pg_ts_config c
    where c.cfgnamespace = 'pg_catalog'::pg_catalog.regnamespace
    order by c.cfgname
  loop
    execute pg_catalog.format(
      'create text search configuration extensions.%I (copy = pg_catalog.%I)',
      v_config.cfgname || '_unaccent', v_config.cfgname);
    execute pg_catalog.format(
      'comment on text search configuration extensions.%I is %L',
      v_config.cfgname || '_unaccent',
      pg_catalog.format('pg_catalog.%s with unaccent before its dictionaries (search_language %s).',
        v_config.cfgname, v_config.cfgname));
    for v_mapping in
      select t.alias,
             pg_catalog.string_agg(pg_catalog.format('%I.%I', n.nspname, d.dictname), ', '
               order by m.mapseqno) as dictionaries
      from pg_catalog.ts_token_type(v_config.cfgparser) t
      join pg_catalog.pg_ts_config_map m on m.maptokentype = t.tokid and m.mapcfg = v_config.oid
      join pg_catalog.pg_ts_dict d on d.oid = m.mapdict
      join pg_catalog.pg_namespace n on n.oid = d.dictnamespace
      where t.alias in ('word', 'hword', 'hword_part')
      group by t.alias
    loop
      execute pg_catalog.format(
        'alter text search configuration extensions.%I alter mapping for %I with extensions.unaccent, %s',
        v_config.cfgname || '_unaccent', v_mapping.alias, v_mapping.dictionaries);
    end loop;
  end loop;
end
$$;

-- unaccent() is only STABLE: its one-argument form finds the dictionary through search_path, and
-- a dictionary's rules file could be edited. Naming the dictionary explicitly removes the first;
-- the second is the same promise every text search index already makes (to_tsvector(regconfig,
-- text) is IMMUTABLE although its dictionaries read files): the rules file ships with the
-- extension and is not edited in place, and whoever edits it must rebuild what was derived from
-- it (the search_name columns below and the search_document columns). lower() is immutable.
create function private.search_fold(p_text text)
returns text
language plpgsql
immutable
strict
parallel safe
security invoker
set search_path = ''
as $$
begin
  return pg_catalog.lower(extensions.unaccent('extensions.unaccent'::pg_catalog.regdictionary, p_text));
end;
$$;
comment on function private.search_fold(text) is
  'Lower case without accents ("Frisør Æble Åben Café" -> "frisor aeble aben cafe"): the text trigram search compares. IMMUTABLE although unaccent() is STABLE, because the dictionary is named explicitly (no search_path lookup) and its rules file is fixed at installation; rebuild search_name if it ever changes.';
grant execute on function private.search_fold(text) to anon, authenticated, service_role;

-- The mapping from app.organizations.search_language to a folding configuration. It lives here,
-- beside the configurations and the backfill that need it; changing it means re-indexing rows,
-- which is a migration's job.
create function private.search_config(p_language text)
returns pg_catalog.regconfig
language plpgsql
stable
parallel safe
security invoker
set search_path = ''
as $$
declare
  v_name text := pg_catalog.regexp_replace(coalesce(p_language, ''), '^pg_catalog\.', '');
begin
  -- "danish" and "pg_catalog.danish" -> extensions.danish_unaccent; a folding configuration
  -- named directly is itself; anything else (a custom configuration) -> simple_unaccent, so every
  -- document is built with a configuration of one known set (see api.search).
  if v_name like 'extensions.%\_unaccent' then
    v_name := pg_catalog.substr(v_name, pg_catalog.length('extensions.') + 1);
  else
    v_name := v_name || '_unaccent';
  end if;
  return coalesce(
    (select c.oid::pg_catalog.regconfig
     from pg_catalog.pg_ts_config c
     where c.cfgnamespace = 'extensions'::pg_catalog.regnamespace and c.cfgname = v_name),
    'extensions.simple_unaccent'::pg_catalog.regconfig);
end;
$$;
comment on function private.search_config(text) is
  'The folding text search configuration for an organization''s search_language: danish -> extensions.danish_unaccent (likewise every built-in language); a custom configuration without a folding twin -> extensions.simple_unaccent.';
grant execute on function private.search_config(text) to anon, authenticated, service_role;

-- Documents. Weight A is the name, B the description or bio: a name match ranks first.
alter table app.services
  add column search_config pg_catalog.regconfig not null default 'extensions.danish_unaccent';
update app.services s
set search_config = private.search_config(o.search_language)
from app.organizations o
where o.id = s.org_id
  and private.search_config(o.search_language) <> 'extensions.danish_unaccent'::pg_catalog.regconfig;
-- From now on the trigger in 80-search sets it on every write. The default stays for loads that
-- skip triggers (session_replication_role = replica): their rows are indexed as Danish, the
-- platform's default language, until their next update.
alter table app.services
  add column search_document tsvector generated always as (
    pg_catalog.setweight(pg_catalog.to_tsvector(search_config, name), 'A')
    || pg_catalog.setweight(pg_catalog.to_tsvector(search_config, description), 'B')
  ) stored,
  add column search_name text generated always as (private.search_fold(name)) stored;
comment on column app.services.search_config is
  'The folding text search configuration of the organization''s search_language (private.search_config), set by trigger on every write (extensions.danish_unaccent when triggers are skipped); the document is built with it.';
comment on column app.services.search_document is
  'Full-text document: name (weight A) and description (B), accents folded, in the organization''s language.';
comment on column app.services.search_name is 'The name folded (private.search_fold) for trigram typo matching.';
create index services_search_document_idx on app.services using gin (search_document);
create index services_search_name_trgm_idx on app.services using gin (search_name extensions.gin_trgm_ops);

alter table app.providers
  add column search_config pg_catalog.regconfig not null default 'extensions.danish_unaccent';
update app.providers p
set search_config = private.search_config(o.search_language)
from app.organizations o
where o.id = p.org_id
  and private.search_config(o.search_language) <> 'extensions.danish_unaccent'::pg_catalog.regconfig;
alter table app.providers
  add column search_document tsvector generated always as (
    pg_catalog.setweight(pg_catalog.to_tsvector(search_config, display_name), 'A')
    || pg_catalog.setweight(pg_catalog.to_tsvector(search_config, bio), 'B')
  ) stored,
  add column search_name text generated always as (private.search_fold(display_name)) stored;
comment on column app.providers.search_config is
  'The folding text search configuration of the organization''s search_language (private.search_config), set by trigger on every write (extensions.danish_unaccent when triggers are skipped); the document is built with it.';
comment on column app.providers.search_document is
  'Full-text document: display_name (weight A) and bio (B), accents folded, in the organization''s language.';
comment on column app.providers.search_name is 'The display name folded (private.search_fold) for trigram typo matching.';
create index providers_search_document_idx on app.providers using gin (search_document);
create index providers_search_name_trgm_idx on app.providers using gin (search_name extensions.gin_trgm_ops);

-- api.search reads the distinct languages in use with a skip scan over this index.
create index organizations_search_language_idx on app.organizations (search_language);
