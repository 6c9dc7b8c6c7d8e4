-- 90 demo: a Copenhagen salon to try slotbase with, seeded by `slotbase demo` (and by
-- `make run` on an empty local database). Not granted to any client role.
-- Depends on: 002, 011, 30-accounts (private.register, private.random_token, private.token_hash).
-- Raises: nothing of its own: a second seeding answers the existing demo's ids.

drop function if exists private.demo_ids();

create or replace function private.demo_ids(p_calendar_feed text default null)
returns json
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return (
    select pg_catalog.json_build_object(
      'org_id', o.id, 'org_slug', o.slug,
      'providers', (select pg_catalog.json_object_agg(p.display_name, p.id order by p.display_name)
                    from app.providers p where p.org_id = o.id),
      'services', (select pg_catalog.json_object_agg(v.name, v.id order by v.name)
                   from app.services v where v.org_id = o.id),
      'owner', 'owner@salon-norrebro.example',
      'provider', 'mette@salon-norrebro.example',
      'customer', 'customer@salon-norrebro.example',
      'calendar_feed', p_calendar_feed
    )
    from app.organizations o
    where o.slug = 'salon-norrebro'
  );
end;
$$;
comment on function private.demo_ids(text) is
  'The demo salon''s ids (organization, providers and services by name), logins and p_calendar_feed (a feed path, known only when it was just made), NULL before it is seeded. Definer: reads across the demo organization.';

create or replace function private.seed_demo(p_owner_password text, p_customer_password text)
returns json
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_owner uuid;
  v_customer uuid;
  v_mette_user uuid;
  v_org uuid;
  v_mette uuid;
  v_jonas uuid;
  v_cut uuid;
  v_beard uuid;
  v_colour uuid;
  v_locs uuid;
  v_series uuid;
  v_first timestamptz;
  v_feed_token text := private.random_token();
begin
  if exists (select 1 from app.organizations o where o.slug = 'salon-norrebro') then
    return private.demo_ids();
  end if;
  v_owner := (private.register('owner@salon-norrebro.example', p_owner_password, 'Sofie Owner', 'da') ->> 'id')::uuid;
  v_customer := (private.register('customer@salon-norrebro.example', p_customer_password, 'Karl Kunde', 'da') ->> 'id')::uuid;
  v_mette_user := (private.register('mette@salon-norrebro.example', p_owner_password, 'Mette Frisør', 'da') ->> 'id')::uuid;

  insert into app.organizations (slug, name, timezone, currency, search_language, cancellation_cutoff_minutes)
  values ('salon-norrebro', 'Salon Nørrebro', 'Europe/Copenhagen', 'DKK', 'danish', 1440)
  returning id into v_org;
  insert into app.memberships (org_id, user_id, role) values
    (v_org, v_owner, 'owner'),
    (v_org, v_mette_user, 'provider');

  insert into app.providers (org_id, user_id, display_name, bio)
  values (v_org, v_mette_user, 'Mette', 'Klipning og farve, 15 års erfaring.')
  returning id into v_mette;
  insert into app.providers (org_id, display_name, bio)
  values (v_org, 'Jonas', 'Locs, fletninger og skægtrim.')
  returning id into v_jonas;

  insert into app.services (org_id, name, description, duration_minutes, buffer_before_minutes,
    buffer_after_minutes, price_minor, currency, min_notice_minutes, max_advance_days,
    slot_interval_minutes, requires_confirmation)
  values (v_org, 'Klipning', 'Vask, klip og føn.', 45, 0, 15, 45000, 'DKK', 1440, 90, 30, false)
  returning id into v_cut;
  insert into app.services (org_id, name, description, duration_minutes, buffer_before_minutes,
    buffer_after_minutes, price_minor, currency, min_notice_minutes, max_advance_days,
    slot_interval_minutes, requires_confirmation)
  values (v_org, 'Skægtrim', 'Trim og konturer.', 20, 0, 10, 20000, 'DKK', 1440, 90, 30, false)
  returning id into v_beard;
  insert into app.services (org_id, name, description, duration_minutes, buffer_before_minutes,
    buffer_after_minutes, price_minor, currency, min_notice_minutes, max_advance_days,
    slot_interval_minutes, requires_confirmation)
  values (v_org, 'Farvning', 'Hel farve inkl. konsultation; bekræftes af salonen.', 120, 15, 15,
    125000, 'DKK', 1440, 90, 60, true)
  returning id into v_colour;
  insert into app.services (org_id, name, description, duration_minutes, buffer_before_minutes,
    buffer_after_minutes, price_minor, currency, min_notice_minutes, max_advance_days,
    slot_interval_minutes, requires_confirmation)
  values (v_org, 'Locs vedligehold', 'Retwist og pleje af locs.', 90, 0, 15, 90000, 'DKK', 1440, 90, 30, false)
  returning id into v_locs;

  insert into app.service_providers (org_id, service_id, provider_id) values
    (v_org, v_cut, v_mette), (v_org, v_colour, v_mette), (v_org, v_cut, v_jonas),
    (v_org, v_beard, v_jonas), (v_org, v_locs, v_jonas);

  -- Mette: Monday to Friday 09-17, Wednesday split around a long lunch.
  insert into app.working_hours (org_id, provider_id, weekday, starts, ends)
  select v_org, v_mette, d, '09:00', '17:00' from pg_catalog.generate_series(1, 5) d where d <> 3;
  insert into app.working_hours (org_id, provider_id, weekday, starts, ends) values
    (v_org, v_mette, 3, '09:00', '12:00'),
    (v_org, v_mette, 3, '13:30', '18:00');
  -- Jonas: Tuesday to Saturday 10-18, Saturday until 15.
  insert into app.working_hours (org_id, provider_id, weekday, starts, ends)
  select v_org, v_jonas, d, '10:00', '18:00' from pg_catalog.generate_series(2, 5) d;
  insert into app.working_hours (org_id, provider_id, weekday, starts, ends)
  values (v_org, v_jonas, 6, '10:00', '15:00');

  -- Two chairs and one basin: both can cut at once, and a colouring also needs the basin.
  insert into app.resources (org_id, name, kind, capacity) values
    (v_org, 'Stol ved vinduet', 'chair', 1),
    (v_org, 'Stol ved spejlet', 'chair', 1),
    (v_org, 'Vask', 'basin', 1);
  insert into app.service_resources (org_id, service_id, kind, count) values
    (v_org, v_cut, 'chair', 1), (v_org, v_beard, 'chair', 1), (v_org, v_locs, 'chair', 1),
    (v_org, v_colour, 'chair', 1), (v_org, v_colour, 'basin', 1);

  -- A course: Karl's locs every second Tuesday at 10:00 with Jonas, four times, from the first
  -- Tuesday at least two days ahead.
  v_first := ((pg_catalog.date_trunc('week', private.now() at time zone 'Europe/Copenhagen')::date
    + 1 + case when (private.now() at time zone 'Europe/Copenhagen')::date + 2
                    > pg_catalog.date_trunc('week', private.now() at time zone 'Europe/Copenhagen')::date + 1
               then 7 else 0 end) + time '10:00') at time zone 'Europe/Copenhagen';
  insert into app.booking_series (org_id, provider_id, service_id, customer_id, every_weeks,
    occurrences, first_start, created_by)
  values (v_org, v_jonas, v_locs, v_customer, 2, 4, v_first, v_customer)
  returning id into v_series;
  insert into app.bookings (org_id, provider_id, service_id, customer_id, starts_at, ends_at,
    buffer_after_minutes, status, price_minor, currency, series_id, created_by, created_at, updated_at)
  select v_org, v_jonas, v_locs, v_customer, t, t + interval '90 minutes', 15, 'confirmed', 90000,
    'DKK', v_series, v_customer, private.now(), private.now()
  from (
    select ((v_first at time zone 'Europe/Copenhagen') + i * interval '14 days') at time zone 'Europe/Copenhagen' as t
    from pg_catalog.generate_series(0, 3) i
  ) x;

  -- Mette's calendar feed; the token is shown once, now, and stored only as its hash.
  insert into app.calendar_feeds (provider_id, token_hash, created_by)
  values (v_mette, private.token_hash(v_feed_token), v_mette_user);

  return private.demo_ids('/api/v1/providers/' || v_mette || '/calendar.ics?token=' || v_feed_token);
end;
$$;
comment on function private.seed_demo(text, text) is
  'Seed the demo salon: an owner, a provider (Mette, with a login) and a customer account, two providers, four services (one requiring confirmation, with buffers), weekly hours with a split day, two chairs and a basin the services need, a course of four bookings for the customer, and Mette''s calendar feed. Returns the ids (private.demo_ids()) and, this once, the feed''s path with its token; when the demo exists already, returns the ids and changes nothing. Definer: the slotbase command runs it as the connecting administrator, who holds the owner''s privileges but not its BYPASSRLS, and every table forces row-level security.';
