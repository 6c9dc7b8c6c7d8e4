-- 42 invitations: joining an organization by accepting an invitation to a verified address.
-- Depends on: 009 (app.invitations, invitation_days), 35-roles (private.is_org_manager),
--   40-organizations (private.require_visible_org), 41-members (private.add_member calls private.invite;
--   private.member_json), 85-outbox (outbox.messages).
-- Raises: PT401 unauthorized; PT403 forbidden (not a manager; the caller's address is not
--   verified); PT404 not_found (no such open invitation to the caller, or not the caller's to
--   see); PT422 validation_failed (limit, cursor).
--
-- No client privileges on the table: every read and write goes through these definer functions,
-- which check who asks. An invitation names an address, not an account, so whoever registers
-- that address first gains nothing: accepting needs the address verified, by its mailbox.

create or replace function private.invitation_json(p_invitation app.invitations)
returns json
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return (
    select pg_catalog.json_build_object(
      'id', p_invitation.id,
      'org', pg_catalog.json_build_object('id', o.id, 'slug', o.slug, 'name', o.name),
      'email', p_invitation.email::text,
      'role', p_invitation.role,
      'created_at', private.utc(p_invitation.created_at),
      'expires_at', private.utc(p_invitation.expires_at)
    )
    from app.organizations o
    where o.id = p_invitation.org_id
  );
end;
$$;
comment on function private.invitation_json(app.invitations) is
  'The invitation object {id, org: {id, slug, name}, email, role, created_at, expires_at}. Definer: reads the organization of an invitation the caller was already allowed to see.';
grant execute on function private.invitation_json(app.invitations) to authenticated;

create or replace function private.invite(
  p_org_id uuid,
  p_email extensions.citext,
  p_role app.member_role
)
returns json
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_now timestamptz := private.now();
  v_expires timestamptz := private.now()
    + pg_catalog.make_interval(days => private.setting('invitation_days')::integer);
  v_invitation app.invitations;
  v_invitee auth.users;
begin
  -- Inviting the same address again renews its open invitation (new role, new expiry).
  update app.invitations i
  set role = p_role, expires_at = v_expires, invited_by = auth.uid(), created_at = v_now
  where i.org_id = p_org_id and i.email operator(extensions.=) p_email
    and i.accepted_at is null and i.declined_at is null and i.revoked_at is null
  returning * into v_invitation;
  if not found then
    insert into app.invitations (org_id, email, role, invited_by, created_at, expires_at)
    values (p_org_id, p_email, p_role, auth.uid(), v_now, v_expires)
    returning * into v_invitation;
  end if;
  select * into v_invitee from auth.users u
  where u.email operator(extensions.=) p_email and u.deleted_at is null;
  insert into outbox.messages (message_id, kind, recipient_id, recipient_email, locale, payload,
    next_attempt_at, created_at)
  select
    'invitation.' || v_invitation.id::text || '.'
      || pg_catalog.floor(extract(epoch from v_now))::bigint::text || '@slotbase',
    'invitation',
    v_invitee.id,
    p_email::text,
    coalesce(v_invitee.locale, 'da'),
    pg_catalog.jsonb_build_object(
      'org_name', o.name,
      'role', p_role,
      'inviter_name', coalesce(nullif(inviter.full_name, ''), inviter.email::text, ''),
      'recipient_name', coalesce(v_invitee.full_name, ''),
      'expires_at', private.utc(v_expires)
    ),
    v_now,
    v_now
  from app.organizations o
  left join auth.users inviter on inviter.id = auth.uid()
  where o.id = p_org_id
  on conflict (message_id) do nothing;
  return private.invitation_json(v_invitation);
end;
$$;
comment on function private.invite(uuid, extensions.citext, app.member_role) is
  'Open (or renew) the invitation of an address to an organization and enqueue its email. Called by private.add_member after its checks. Definer: writes app.invitations and outbox.messages.';

create or replace function private.my_invitation(p_id uuid)
returns app.invitations
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_user auth.users;
  v_invitation app.invitations;
begin
  select * into v_user from auth.users u where u.id = private.require_user() and u.deleted_at is null;
  if v_user.email_verified_at is null then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Verify your email address first: invitations are answered by the address they were sent to.';
  end if;
  select * into v_invitation
  from app.invitations i
  where i.id = p_id
    and i.email operator(extensions.=) v_user.email
    and i.accepted_at is null and i.declined_at is null and i.revoked_at is null
    and i.expires_at > private.now()
  for update;
  if not found then
    raise exception using errcode = 'PT404', message = 'not_found',
      detail = 'No open invitation with this id to your address.';
  end if;
  return v_invitation;
end;
$$;
comment on function private.my_invitation(uuid) is
  'The open, unexpired invitation with this id to the caller''s verified address, locked; 403 when the address is not verified, 404 otherwise. Definer: invitations have no client privileges.';

create or replace function private.list_invitations(org_id uuid, lim integer default null, cursor text default null)
returns json
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_limit integer := private.page_limit(list_invitations.lim);
  v_after text[];
  v_items json;
  v_next text;
begin
  perform private.require_user();
  perform private.require_visible_org(list_invitations.org_id);
  if not private.is_org_manager(list_invitations.org_id) then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Only the organization''s owners and admins see its invitations.';
  end if;
  v_after := private.decode_cursor(list_invitations.cursor, 'timestamptz', 'uuid');
  with page as (
    select i, i.created_at, i.id,
           pg_catalog.row_number() over (order by i.created_at, i.id) as n
    from app.invitations i
    where i.org_id = list_invitations.org_id
      and i.accepted_at is null and i.declined_at is null and i.revoked_at is null
      and i.expires_at > private.now()
      and (v_after is null or (i.created_at, i.id) > (v_after[1]::timestamptz, v_after[2]::uuid))
    order by i.created_at, i.id
    limit v_limit + 1
  )
  select coalesce(pg_catalog.json_agg(private.invitation_json(p.i) order by p.n)
                    filter (where p.n <= v_limit), '[]'),
         case when pg_catalog.count(*) > v_limit then
           (pg_catalog.array_agg(private.encode_cursor(p.created_at::text, p.id::text) order by p.n))[v_limit]
         end
  into v_items, v_next
  from page p;
  return pg_catalog.json_build_object('items', v_items, 'next_cursor', v_next);
end;
$$;
comment on function private.list_invitations(uuid, integer, text) is
  'The body of api.list_invitations. Definer: invitations have no client privileges; the caller is checked first.';
grant execute on function private.list_invitations(uuid, integer, text) to authenticated;

create or replace function private.revoke_invitation(id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_user();
  update app.invitations i
  set revoked_at = private.now()
  where i.id = revoke_invitation.id
    and i.accepted_at is null and i.declined_at is null and i.revoked_at is null
    and private.is_org_manager(i.org_id);
  if not found then
    raise exception using errcode = 'PT404', message = 'not_found',
      detail = 'No open invitation with this id in an organization you manage.';
  end if;
end;
$$;
comment on function private.revoke_invitation(uuid) is
  'The body of api.revoke_invitation. Definer: invitations have no client privileges; the caller is checked first.';
grant execute on function private.revoke_invitation(uuid) to authenticated;

create or replace function private.my_invitations()
returns json
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_user auth.users;
begin
  select * into v_user from auth.users u where u.id = private.require_user() and u.deleted_at is null;
  if v_user.email_verified_at is null then
    raise exception using errcode = 'PT403', message = 'forbidden',
      detail = 'Verify your email address to see the invitations sent to it.';
  end if;
  return pg_catalog.json_build_object(
    'items', coalesce((
      select pg_catalog.json_agg(private.invitation_json(i) order by i.created_at, i.id)
      from app.invitations i
      where i.email operator(extensions.=) v_user.email
        and i.accepted_at is null and i.declined_at is null and i.revoked_at is null
        and i.expires_at > private.now()
    ), '[]'),
    'next_cursor', null
  );
end;
$$;
comment on function private.my_invitations() is
  'The body of api.my_invitations. Definer: invitations have no client privileges; the caller is checked first.';
grant execute on function private.my_invitations() to authenticated;

create or replace function private.accept_invitation(id uuid)
returns json
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_invitation app.invitations := private.my_invitation(accept_invitation.id);
begin
  insert into app.memberships (org_id, user_id, role)
  values (v_invitation.org_id, auth.uid(), v_invitation.role)
  on conflict (org_id, user_id) do nothing;
  update app.invitations i set accepted_at = private.now() where i.id = v_invitation.id;
  return private.member_json(v_invitation.org_id, auth.uid());
end;
$$;
comment on function private.accept_invitation(uuid) is
  'The body of api.accept_invitation. Definer: invitations have no client privileges; the caller is checked first.';
grant execute on function private.accept_invitation(uuid) to authenticated;

create or replace function private.decline_invitation(id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_invitation app.invitations := private.my_invitation(decline_invitation.id);
begin
  update app.invitations i set declined_at = private.now() where i.id = v_invitation.id;
end;
$$;
comment on function private.decline_invitation(uuid) is
  'The body of api.decline_invitation. Definer: invitations have no client privileges; the caller is checked first.';
grant execute on function private.decline_invitation(uuid) to authenticated;

-- ---------------------------------------------------------------------------------------------
-- The contract

create or replace function api.list_invitations(org_id uuid, lim integer default null, cursor text default null)
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_user();
  return private.list_invitations(list_invitations.org_id, list_invitations.lim, list_invitations.cursor);
end;
$$;
comment on function api.list_invitations(uuid, integer, text) is
  'GET /orgs/{org_id}/invitations?limit&cursor. Owners and admins: the open invitations, oldest first: {items: [invitation {id, org, email, role, created_at, expires_at}], next_cursor}. Errors: 401 unauthorized; 403 forbidden; 404 not_found; 422 validation_failed.';
grant execute on function api.list_invitations(uuid, integer, text) to anon, authenticated;

create or replace function api.revoke_invitation(id uuid)
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_user();
  perform private.revoke_invitation(revoke_invitation.id);
end;
$$;
comment on function api.revoke_invitation(uuid) is
  'DELETE /invitations/{id} (204). Owners and admins of its organization withdraw an open invitation. Errors: 401 unauthorized; 404 not_found.';
grant execute on function api.revoke_invitation(uuid) to anon, authenticated;

create or replace function api.my_invitations()
returns json
language plpgsql
stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_user();
  return private.my_invitations();
end;
$$;
comment on function api.my_invitations() is
  'GET /users/me/invitations. The open invitations to the caller''s verified address: {items: [invitation], next_cursor: null}. Errors: 401 unauthorized; 403 forbidden (address not verified).';
grant execute on function api.my_invitations() to anon, authenticated;

create or replace function api.accept_invitation(id uuid)
returns json
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_user();
  return private.accept_invitation(accept_invitation.id);
end;
$$;
comment on function api.accept_invitation(uuid) is
  'POST /invitations/{id}/accept. The invitee, signed in with the invited address verified, becomes a member with the invited role (one who is a member already keeps their role) -> member {user_id, email, full_name, role, created_at}. Errors: 401 unauthorized; 403 forbidden (address not verified); 404 not_found (no open invitation to you).';
grant execute on function api.accept_invitation(uuid) to anon, authenticated;

create or replace function api.decline_invitation(id uuid)
returns void
language plpgsql
volatile
security invoker
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_user();
  perform private.decline_invitation(decline_invitation.id);
end;
$$;
comment on function api.decline_invitation(uuid) is
  'POST /invitations/{id}/decline (204). The invitee turns an open invitation down. Errors: 401 unauthorized; 403 forbidden (address not verified); 404 not_found.';
grant execute on function api.decline_invitation(uuid) to anon, authenticated;
