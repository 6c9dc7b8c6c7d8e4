-- 80 search: full-text search over services and providers in each organization's language, with
-- accents folded and a trigram fallback for typos; the triggers that keep the documents current.
-- Depends on: 004 (folding configurations, private.search_fold, private.search_config, the
--   search_* columns and their GIN indexes), 10-helpers (private.page_limit, cursors),
--   43-providers and 44-services (grants and policies on app.providers and app.services;
--   api.list_services calls private.search_services below for ?q=).
-- Raises: PT422 validation_failed (q missing, blank or over 200 characters; limit; cursor).
--
-- How a query is read (docs/search.md has the long form):
-- 1. Full text. q goes through the same folding configuration as the documents (to_tsvector),
--    and every lexeme that comes out becomes a prefix term ('klip':*), all of them required. The
--    terms are quoted lexemes, never user text pasted into tsquery syntax. "klip" finds
--    "Klipning", "frisor" and "frisør" find "Frisør". Rank: 3 + ts_rank when every term is in the
--    name, 2 + ts_rank when some are only in the description or bio (ts_rank normalized to
--    [0, 1)).
-- 2. Typos. The folded q is compared with the folded name by trigram word similarity
--    (pg_trgm's <% operator, threshold pg_trgm.word_similarity_threshold, default 0.6):
--    "klipnig" finds "Klipning", "frisr" finds "Frisør". Rank: the similarity, at most 1, so
--    every full-text match ranks above every typo match. A row found both ways counts once, with
--    its full-text rank.
-- 3. Pages. Results are ordered by (rank desc, name, kind, id) and paged by keyset: the cursor
--    holds the last row's (rank, name, kind, id), so a walk through the pages never repeats a row
--    even when rows are added meanwhile. Across organizations a page is filled from the
--    full-text matches first; the trigram comparison runs only when they run out.
-- Visibility: within one organization the search runs as the caller, under the policies. Across
-- organizations it runs as the owner (private.search_public, see its comment for why) and
-- returns active rows only, exactly what the visitors' policies show anyone.

-- ---------------------------------------------------------------------------------------------
-- Privileges: the api functions run as the caller and read these columns. Re-granted here
-- because 43-providers and 44-services revoke and re-grant the tables' privileges when applied.

grant select (search_config, search_document, search_name) on app.services, app.providers
  to anon, authenticated;

-- ---------------------------------------------------------------------------------------------
-- Keeping the documents current

create or replace function private.set_search_config()
returns trigger
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  -- The documents are generated from search_config, so setting it here, on every write, is
  -- all it takes; a client cannot choose it (no column privilege), and this overrides anyone else.
  NEW.search_config := private.search_config(
    (select o.search_language from app.organizations o where o.id = NEW.org_id));
  return NEW;
end;
$$;
comment on function private.set_search_config() is
  'BEFORE INSERT OR UPDATE trigger on app.services and app.providers: search_config := the folding configuration of the organization''s search_language, from which the search_document column is generated.';

drop trigger if exists services_search_config on app.services;
create trigger services_search_config before insert or update on app.services
  for each row execute function private.set_search_config();

drop trigger if exists providers_search_config on app.providers;
create trigger providers_search_config before insert or update on app.providers
  for each row execute function private.set_search_config();

create or replace function private.reindex_org_search()
returns trigger
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_config pg_catalog.regconfig := private.search_config(NEW.search_language);
begin
  update app.services s set search_config = v_config
  where s.org_id = NEW.id and s.search_config <> v_config;
  update app.providers p set search_config = v_config
  where p.org_id = NEW.id and p.search_config <> v_config;
  return null;
end;
$$;
comment on function private.reindex_org_search() is
  'AFTER UPDATE OF search_language trigger on app.organizations: re-index the organization''s services and providers in the new language. Definer: the manager who changes the language has no privilege on search_config, and the documents must follow for every row, not only those the caller may write.';

drop trigger if exists organizations_search_reindex on app.organizations;
create trigger organizations_search_reindex after update of search_language on app.organizations
  for each row when (NEW.search_language is distinct from OLD.search_language)
  execute function private.reindex_org_search();

-- ---------------------------------------------------------------------------------------------
-- Reading q

create or replace function private.search_q(p_q text)
returns text
language plpgsql
immutable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_q text := pg_catalog.btrim(p_q);
begin
  if v_q is null or v_q = '' then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'q is required: the words to search for.';
  end if;
  if pg_catalog.length(v_q) > 200 then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'q must have at most 200 characters.';
  end if;
  return v_q;
end;
$$;
comment on function private.search_q(text) is 'q trimmed; 422 validation_failed when blank or over 200 characters.';
grant execute on function private.search_q(text) to anon, authenticated, service_role;

create or replace function private.search_query(p_config pg_catalog.regconfig, p_text text, p_weights text default '')
returns tsquery
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_terms text;
begin
  if coalesce(p_weights, '') !~ '^[ABCD]*$' then
    raise exception using errcode = 'PT422', message = 'validation_failed',
      detail = 'Weights are letters A to D.';
  end if;
  -- The text is parsed, folded and stemmed exactly like the documents; each lexeme is then
  -- quoted (quotes and backslashes escaped) and made a prefix term. No lexeme (only stop words
  -- or punctuation) gives NULL, which matches nothing, instead of an empty query and a NOTICE.
  select pg_catalog.string_agg(
           '''' || pg_catalog.replace(pg_catalog.replace(t.lexeme, '\', '\\'), '''', '''''')
             || ''':*' || coalesce(p_weights, ''),
           ' & ' order by t.lexeme)
  into v_terms
  from pg_catalog.unnest(pg_catalog.to_tsvector(p_config, p_text)) t;
  return v_terms::tsquery;
end;
$$;
comment on function private.search_query(pg_catalog.regconfig, text, text) is
  'The prefix query for free text in a configuration: every lexeme required, each a prefix (''klip'':*), optionally limited to weights (''A'' = names only); NULL when the text has no lexeme.';
grant execute on function private.search_query(pg_catalog.regconfig, text, text) to anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- Ranked keyset cursors: private.encode_cursor(rank, name, kind, id). The rank travels as text:
-- real's text form reads back to the identical value.

-- Earlier versions had a cursor format of their own for search.
drop function if exists private.search_cursor(real, text, text, uuid);
drop function if exists private.search_cursor_parts(text);

-- ---------------------------------------------------------------------------------------------
-- Searching one organization's services (GET /orgs/{id}/services?q=)

create or replace function private.search_services(
  p_org app.organizations,
  p_q text,
  p_limit integer,
  p_cursor text
)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_config pg_catalog.regconfig := private.search_config(p_org.search_language);
  v_query tsquery := private.search_query(v_config, p_q);
  v_name_query tsquery := private.search_query(v_config, p_q, 'A');
  v_fold text := private.search_fold(p_q);
  v_after text[];
  v_items json;
  v_next text;
begin
  v_after := private.decode_cursor(p_cursor, 'real', 'text', 'text', 'uuid');
  -- Rows come under the caller's policies: members find inactive services too, others do not.
  with hits as (
    select s, s.id, s.name,
           (case when s.search_document @@ v_name_query then 3::real else 2::real end)
             + pg_catalog.ts_rank(s.search_document, v_query, 32) as rank
    from app.services s
    where s.org_id = p_org.id
      and s.search_document @@ v_query
    union all
    select s, s.id, s.name, extensions.word_similarity(v_fold, s.search_name)
    from app.services s
    where s.org_id = p_org.id
      and s.search_name operator(extensions.%>) v_fold
  ),
  best as (
    select distinct on (h.id) h.s, h.id, h.name, h.rank
    from hits h
    order by h.id, h.rank desc
  ),
  page as (
    select b.s, b.id, b.name, b.rank,
           pg_catalog.row_number() over (order by b.rank desc, b.name, b.id) as n
    from best b
    where v_after is null
       or b.rank < v_after[1]::real
       or (b.rank = v_after[1]::real
           and (b.name, 'service', b.id) > (v_after[2], v_after[3], v_after[4]::uuid))
    order by b.rank desc, b.name, b.id
    limit p_limit + 1
  )
  select coalesce(pg_catalog.json_agg(private.service_json(x.s) order by x.n)
                    filter (where x.n <= p_limit), '[]'),
         case when pg_catalog.count(*) > p_limit then
           (pg_catalog.array_agg(private.encode_cursor(x.rank::text, x.name, 'service', x.id::text) order by x.n))[p_limit]
         end
  into v_items, v_next
  from page x;
  return pg_catalog.json_build_object('items', v_items, 'next_cursor', v_next);
end;
$$;
comment on function private.search_services(app.organizations, text, integer, text) is
  'The ?q= page of api.list_services: the organization''s services the caller may see, ranked as api.search ranks them (full text, then typos): {items: [service], next_cursor}.';
grant execute on function private.search_services(app.organizations, text, integer, text) to anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- Searching every organization (GET /search)

create or replace function private.search_public(
  p_q text,
  p_limit integer,
  p_after_rank real default null,
  p_after_name text default null,
  p_after_kind text default null,
  p_after_id uuid default null
)
returns table (kind text, id uuid, org_id uuid, name text, text text, rank real)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_fold text := private.search_fold(p_q);
  v_configs pg_catalog.regconfig[];
  v_queries tsquery[];
  v_name_queries tsquery[];
  v_any tsquery;
  v_query tsquery;
  v_found bigint := 0;
begin
  -- One query per language in use (a skip scan over organizations_search_language_idx finds
  -- them), since a word stems differently in danish and english. Their disjunction finds the
  -- candidates through the GIN index; each row then must match its own language's query.
  with recursive languages as (
    (select o.search_language as language
     from app.organizations o
     order by o.search_language
     limit 1)
    union all
    select (select o.search_language
            from app.organizations o
            where o.search_language > l.language
            order by o.search_language
            limit 1)
    from languages l
    where l.language is not null
  ),
  configs as (
    select distinct private.search_config(l.language) as config
    from languages l
    where l.language is not null
  ),
  queries as (
    select c.config,
           private.search_query(c.config, p_q) as query,
           private.search_query(c.config, p_q, 'A') as name_query
    from configs c
  )
  select pg_catalog.array_agg(x.config), pg_catalog.array_agg(x.query), pg_catalog.array_agg(x.name_query)
  into v_configs, v_queries, v_name_queries
  from queries x
  where x.query is not null;
  for v_query in select distinct u.query from pg_catalog.unnest(v_queries) u(query) loop
    v_any := case when v_any is null then v_query else v_any || v_query end;
  end loop;

  -- Public rows only: "active" is the whole of what the visitors' policies on app.services and
  -- app.providers admit (43-providers, 44-services); keep the two in step.
  -- Full-text matches rank >= 2 and typo matches <= 1, so a page is filled from the full-text
  -- matches first and, only when they run out, from the typo matches: a common word never pays
  -- for the trigram comparison, and a walk through the pages still meets every row once.
  if p_after_rank is null or p_after_rank >= 2 then
    return query
    select h.kind, h.id, h.org_id, h.name, h.text, h.rank
    from (
      select 'service'::text as kind, s.id, s.org_id, s.name, s.description as text,
             (case when s.search_document @@ qq.name_query then 3::real else 2::real end)
               + pg_catalog.ts_rank(s.search_document, qq.query, 32) as rank
      from app.services s
      join rows from (pg_catalog.unnest(v_configs), pg_catalog.unnest(v_queries),
                      pg_catalog.unnest(v_name_queries)) qq(config, query, name_query)
        on qq.config = s.search_config
      where v_any is not null
        and s.search_document @@ v_any
        and s.search_document @@ qq.query
        and s.active
      union all
      select 'provider', p.id, p.org_id, p.display_name, p.bio,
             (case when p.search_document @@ qq.name_query then 3::real else 2::real end)
               + pg_catalog.ts_rank(p.search_document, qq.query, 32)
      from app.providers p
      join rows from (pg_catalog.unnest(v_configs), pg_catalog.unnest(v_queries),
                      pg_catalog.unnest(v_name_queries)) qq(config, query, name_query)
        on qq.config = p.search_config
      where v_any is not null
        and p.search_document @@ v_any
        and p.search_document @@ qq.query
        and p.active
    ) h
    where p_after_rank is null
       or h.rank < p_after_rank
       or (h.rank = p_after_rank and (h.name, h.kind, h.id) > (p_after_name, p_after_kind, p_after_id))
    order by h.rank desc, h.name, h.kind, h.id
    limit p_limit;
    get diagnostics v_found = row_count;
  end if;
  if v_found < p_limit then
    -- Typos: names close to q that the full text did not find (those were listed above).
    return query
    select h.kind, h.id, h.org_id, h.name, h.text, h.rank
    from (
      select 'service'::text as kind, s.id, s.org_id, s.name, s.description as text,
             extensions.word_similarity(v_fold, s.search_name) as rank
      from app.services s
      left join rows from (pg_catalog.unnest(v_configs), pg_catalog.unnest(v_queries)) qq(config, query)
        on qq.config = s.search_config
      where s.search_name operator(extensions.%>) v_fold
        and s.active
        and not coalesce(s.search_document @@ qq.query, false)
      union all
      select 'provider', p.id, p.org_id, p.display_name, p.bio,
             extensions.word_similarity(v_fold, p.search_name)
      from app.providers p
      left join rows from (pg_catalog.unnest(v_configs), pg_catalog.unnest(v_queries)) qq(config, query)
        on qq.config = p.search_config
      where p.search_name operator(extensions.%>) v_fold
        and p.active
        and not coalesce(p.search_document @@ qq.query, false)
    ) h
    where p_after_rank is null
       or p_after_rank >= 2
       or h.rank < p_after_rank
       or (h.rank = p_after_rank and (h.name, h.kind, h.id) > (p_after_name, p_after_kind, p_after_id))
    order by h.rank desc, h.name, h.kind, h.id
    limit p_limit - v_found;
  end if;
end;
$$;
comment on function private.search_public(text, integer, real, text, text, uuid) is
  'The ranked page of api.search after a cursor position: active services and providers of every organization matching q, best first. Definer: under row-level security PostgreSQL may not use an index for a condition whose operator is not leakproof (@@, %>), so as the caller every search would read every row; as the owner it reads the GIN indexes, and it returns active rows only, exactly what the visitors'' policies show anyone.';
grant execute on function private.search_public(text, integer, real, text, text, uuid) to anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- The contract: search across organizations

create or replace function api.search(q text, lim integer default null, cursor text default null)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_q text := private.search_q(search.q);
  v_limit integer := private.page_limit(search.lim);
  v_after text[];
  v_items json;
  v_next text;
begin
  v_after := private.decode_cursor(search.cursor, 'real', 'text', 'text', 'uuid');
  with page as (
    select h.kind, h.id, h.org_id, h.name, h.text, h.rank,
           pg_catalog.row_number() over (order by h.rank desc, h.name, h.kind, h.id) as n
    from private.search_public(v_q, v_limit + 1, v_after[1]::real, v_after[2], v_after[3], v_after[4]::uuid) h
  )
  select coalesce(
           pg_catalog.json_agg(
             pg_catalog.json_build_object(
               'kind', x.kind,
               'id', x.id,
               'org_id', x.org_id,
               'org_slug', o.slug,
               'org_name', o.name,
               'name', x.name,
               case when x.kind = 'service' then 'description' else 'bio' end, x.text,
               'rank', x.rank)
             order by x.n) filter (where x.n <= v_limit),
           '[]'),
         case when pg_catalog.count(*) > v_limit then
           (pg_catalog.array_agg(private.encode_cursor(x.rank::text, x.name, x.kind, x.id::text) order by x.n))[v_limit]
         end
  into v_items, v_next
  from page x
  join app.organizations o on o.id = x.org_id;
  return pg_catalog.json_build_object('items', v_items, 'next_cursor', v_next);
end;
$$;
comment on function api.search(text, integer, text) is
  'GET /search?q&limit&cursor. Anyone. Searches the active services (name, description) and active providers (display name, bio) of every organization, each in its organization''s search_language with accents folded: every word of q is a required prefix ("klip" finds "Klipning", "frisor" finds "Frisør"); when a name is close but not matching (a typo: "klipnig"), trigram similarity finds it. Ranked: names matching the words (rank >= 3), then descriptions and bios (2..3), then typo matches (< 1); ties by name. -> {items: [{kind: "service"|"provider", id, org_id, org_slug, org_name, name, description (services) | bio (providers), rank}], next_cursor} (keyset pages; limit 1..200, default 50). Errors: 422 validation_failed (q missing, blank or over 200 characters; limit; cursor).';
grant execute on function api.search(text, integer, text) to anon, authenticated;
