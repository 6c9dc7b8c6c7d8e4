-- 47 resources: rooms, chairs and equipment an organization shares between its providers, the
-- resources a service needs, and the claims that keep one unit from being used twice at once.
-- Depends on: 011 (app.resources, app.service_resources, app.resource_claims), 10-helpers
--   (private.now), 35-roles.
-- Raises: PT409 resource_unavailable.

create or replace function private.resources_free(
  p_service_id uuid,
  p_blocked tstzrange,
  p_exclude_booking uuid default null
)
returns boolean
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_now timestamptz := private.now();
begin
  -- For every kind the service needs: the active units of that kind, less the units a live claim
  -- holds anywhere in p_blocked, must cover the count.
  return not exists (
    select 1
    from app.service_resources r
    where r.service_id = p_service_id
      and r.count > (
        select coalesce(pg_catalog.sum(x.capacity), 0)
        from app.resources x
        where x.org_id = r.org_id and x.kind = r.kind and x.active
      ) - (
        select pg_catalog.count(distinct (c.resource_id, c.unit))
        from app.resource_claims c
        join app.resources x on x.id = c.resource_id
        where x.org_id = r.org_id and x.kind = r.kind and x.active
          and c.blocked operator(pg_catalog.&&) p_blocked
          and (pg_catalog.upper_inf(c.claimed) or pg_catalog.upper(c.claimed) > v_now)
          and c.booking_id is distinct from p_exclude_booking
      )
  );
end;
$$;
comment on function private.resources_free(uuid, tstzrange, uuid) is
  'Whether every resource the service needs is free in enough units for the whole of p_blocked (live holds and active bookings claim units; p_exclude_booking''s own claims do not count). Definer: the slot engine asks for anyone, and claims belong to other customers'' bookings; it answers yes or no only.';
grant execute on function private.resources_free(uuid, tstzrange, uuid) to anon, authenticated;
