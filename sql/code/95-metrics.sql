-- 95 metrics: what /metrics reads from the database when it is scraped.
-- Depends on: 005 (outbox.messages), 10-helpers (private.now).
-- Raises: nothing.

create or replace function private.outbox_backlog()
returns table (pending bigint, oldest_age_seconds double precision)
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
  -- Due rows only: a reminder queued for next week is not late. Uses messages_claim_idx.
  select pg_catalog.count(*),
         coalesce(extract(epoch from (select private.now()) - pg_catalog.min(m.next_attempt_at)), 0)::double precision
  from outbox.messages m
  where m.status = 'pending'
    and m.next_attempt_at <= (select private.now());
$$;
comment on function private.outbox_backlog() is
  'Emails due and not yet sent, and how many seconds the longest-waiting one has been due (0 when none waits), for the API''s /metrics. Definer: no API role reads outbox.messages, and only these two numbers leave it.';
revoke execute on function private.outbox_backlog() from public;
grant execute on function private.outbox_backlog() to authenticator;
