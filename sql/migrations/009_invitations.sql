-- 009 invitations: people join an organization by accepting an invitation to their address.
--
-- An owner or admin invites an email address with a role; the person becomes a member only when
-- they accept it while signed in with that address verified. Adding whichever account holds an
-- address (registered by anyone, verified or not) let a stranger who registered it first become
-- staff of a salon that meant to add someone else.
-- Depends on: 001 (auth.users, private.settings), 002 (app.organizations, app.member_role).
-- Code (the functions, policies, grants) is in sql/code/40-organizations.sql.

create table app.invitations (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references app.organizations (id) on delete cascade,
  email extensions.citext not null check (length(email::text) <= 254),
  role app.member_role not null,
  invited_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  accepted_at timestamptz,
  declined_at timestamptz,
  revoked_at timestamptz,
  check (num_nonnulls(accepted_at, declined_at, revoked_at) <= 1)
);
-- One open invitation per organization and address; inviting again renews it.
create unique index invitations_open_key on app.invitations (org_id, email)
  where accepted_at is null and declined_at is null and revoked_at is null;
create index invitations_email_idx on app.invitations (email);
create index invitations_org_id_created_at_idx on app.invitations (org_id, created_at, id);
create index invitations_invited_by_idx on app.invitations (invited_by);
alter table app.invitations enable row level security;
alter table app.invitations force row level security;
comment on table app.invitations is
  'Invitations to join an organization with a role, by email address. Open until accepted, declined, revoked or expired; accepting needs that address verified.';

insert into private.settings (name, value, description) values
  ('invitation_days', '7', 'how long an invitation to join an organization stays open');
