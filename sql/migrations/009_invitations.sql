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

-- Rules each organization sets for who may book: one account must not fill a competitor's
-- calendar, and a salon may want a proven address before it holds a slot for someone.
alter table app.organizations
  add column max_active_bookings_per_customer integer not null default 10
    check (max_active_bookings_per_customer between 1 and 1000),
  add column booking_requires_verified_email boolean not null default false;
comment on column app.organizations.max_active_bookings_per_customer is
  'How many pending or confirmed bookings in the future one customer may hold at this organization (staff booking for them count too).';
comment on column app.organizations.booking_requires_verified_email is
  'Customers must have verified their email address before they can book here.';
