-- 003 audit and gdpr: the audit trail (schema audit), recorded consents (schema gdpr) and the
-- retention periods that gdpr.purge_expired() applies.
-- Depends on: 001 (auth.users, private.settings).
-- The trigger that writes audit.log, its policies and the api functions that read it are in
-- sql/code/70-audit.sql; export, erasure, consents and retention in sql/code/75-gdpr.sql.

create schema audit;
create schema gdpr;
comment on schema audit is 'The audit trail: who changed which row, when, in which request, from what to what. Written by trigger only.';
comment on schema gdpr is 'Data protection: recorded consents and the retention job (gdpr.purge_expired). Export and erasure are exposed through api.';

-- actor_id, org_id and subject_user_id carry no foreign keys on purpose: an entry records what
-- was true when it was written and must neither block nor follow later deletes of those rows.
create table audit.log (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  actor_id uuid,
  request_id text,
  table_name text not null,
  row_id text not null,
  org_id uuid,
  subject_user_id uuid,
  action text not null check (action in ('insert', 'update', 'delete')),
  old_values jsonb,
  new_values jsonb
);
create index log_org_id_at_idx on audit.log (org_id, at desc, id desc);
create index log_subject_user_id_at_idx on audit.log (subject_user_id, at desc, id desc);
create index log_actor_id_at_idx on audit.log (actor_id, at desc, id desc);
create index log_table_row_idx on audit.log (table_name, row_id);
create index log_at_idx on audit.log (at);
alter table audit.log enable row level security;
alter table audit.log force row level security;
comment on table audit.log is
  'One entry per insert, update or delete of an audited row. Secret columns (password, token and request hashes) and generated columns are never recorded. Owners and admins read their organization''s entries, platform admins all; nobody writes through the API roles.';
comment on column audit.log.at is 'When the change was made (private.now(), the transaction''s instant).';
comment on column audit.log.actor_id is 'The user whose request made the change (auth.uid()); NULL for the system (maintenance jobs, migrations, psql).';
comment on column audit.log.request_id is 'The API request that caused the change (setting request.id, the X-Request-ID of the response); NULL outside the API.';
comment on column audit.log.table_name is 'Schema-qualified table, e.g. app.bookings.';
comment on column audit.log.row_id is 'The primary key of the row as text; the columns of a composite key joined with "/" in key order.';
comment on column audit.log.org_id is 'The organization the row belongs to (NULL for accounts and consents): decides who may read the entry.';
comment on column audit.log.subject_user_id is 'The person the row is about (the account, the member, the customer of a booking, the person behind a provider): whose export holds the entry and whose erasure scrubs it.';
comment on column audit.log.old_values is 'Before the change: the whole row for delete, only the changed columns for update, NULL for insert.';
comment on column audit.log.new_values is 'After the change: the whole row for insert, only the changed columns for update, NULL for delete. An update that changed only secret columns (a new password) has {} on both sides.';

create table gdpr.consents (
  id bigint generated always as identity primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  purpose text not null check (purpose in ('marketing')),
  granted boolean not null,
  policy_version text not null check (length(btrim(policy_version)) between 1 and 64),
  at timestamptz not null default now()
);
create index consents_user_id_purpose_at_idx on gdpr.consents (user_id, purpose, at desc, id desc);
alter table gdpr.consents enable row level security;
alter table gdpr.consents force row level security;
comment on table gdpr.consents is
  'Every consent given or withdrawn, append-only: the latest row per user and purpose is the current state. No personal data beyond the user id, so erasure keeps it.';
comment on column gdpr.consents.policy_version is 'The version of the privacy policy or terms the person saw when deciding.';

insert into private.settings (name, value, description) values
  ('retention_inactive_account_days', '1095', 'gdpr.purge_expired erases customer accounts without activity (login, booking) for this many days; empty = never'),
  ('retention_audit_days', '1825', 'gdpr.purge_expired deletes audit entries older than this many days; empty = never'),
  ('retention_session_days', '90', 'gdpr.purge_expired deletes sessions (and their refresh tokens) and one-time tokens this many days after they expired, were revoked or used; empty = never'),
  ('retention_login_failure_days', '30', 'gdpr.purge_expired deletes failed-login records older than this many days; empty = never'),
  ('retention_idempotency_key_days', '30', 'gdpr.purge_expired deletes stored Idempotency-Key responses older than this many days; empty = never'),
  ('retention_sent_message_days', '180', 'gdpr.purge_expired deletes sent and failed outbox messages older than this many days; empty = never');
