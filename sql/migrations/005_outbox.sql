-- 005 outbox: email that is never lost, and the one-time tokens of password reset and email
-- verification.
-- Depends on: 001 (auth.users, private.settings), 002 (app.bookings).
-- Every message is a row of outbox.messages, written in the same transaction as the change that
-- causes it; the worker (api/worker.py) claims rows, hands them to SMTP and marks them, so a
-- crash loses nothing and at worst sends a message twice under the same Message-ID.
-- Code (triggers, claim/mark functions, the api functions) is in sql/code/85-outbox.sql.

create schema outbox;
comment on schema outbox is 'Messages waiting to be sent, and their delivery state. Read by the worker only (service_role through private functions).';

create table outbox.messages (
  id bigint generated always as identity primary key,
  message_id text not null unique,
  kind text not null,
  recipient_id uuid references auth.users (id) on delete set null,
  recipient_email text not null,
  locale text not null default 'da',
  booking_id uuid references app.bookings (id) on delete set null,
  payload jsonb not null default '{}',
  status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  locked_until timestamptz,
  last_error text,
  created_at timestamptz not null default now(),
  sent_at timestamptz
);
-- The claim query: pending rows due now, oldest first.
create index messages_claim_idx on outbox.messages (next_attempt_at, id) where status = 'pending';
create index messages_recipient_id_idx on outbox.messages (recipient_id);
create index messages_booking_id_idx on outbox.messages (booking_id);
alter table outbox.messages enable row level security;
alter table outbox.messages force row level security;
comment on table outbox.messages is
  'One email per row, enqueued in the transaction of the change that causes it; sent at least once by the worker. No client reads it.';
comment on column outbox.messages.message_id is
  'Stable RFC 5322 Message-ID (without angle brackets), e.g. <booking_id>.booking_created.<sequence>@slotbase: the same event never enqueues twice, and a resend after a crash is recognisable as a duplicate.';
comment on column outbox.messages.kind is
  'booking_created, booking_confirmed, booking_declined, booking_rescheduled, booking_cancelled, booking_reminder, password_reset, email_verification.';
comment on column outbox.messages.payload is
  'Everything the renderer needs (names, service, start and end with their zone, organization, the plain token of a reset or verification link). Tokens are removed once the message is sent or has failed.';
comment on column outbox.messages.attempts is 'Claims so far; each claim counts as an attempt, whether it ends in mark_sent, mark_failed or a crash.';
comment on column outbox.messages.locked_until is 'Lease of the worker that claimed the row; once it passes, the row may be claimed again (the worker died).';

create table auth.one_time_tokens (
  id bigint generated always as identity primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  purpose text not null check (purpose in ('password_reset', 'email_verification')),
  token_hash bytea not null unique,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);
create index one_time_tokens_user_id_idx on auth.one_time_tokens (user_id, purpose);
alter table auth.one_time_tokens enable row level security;
alter table auth.one_time_tokens force row level security;
comment on table auth.one_time_tokens is
  'Single-purpose, single-use tokens of password-reset and email-verification links, stored as sha256 only. Opaque random text, never a JWT, so never an access token.';

-- Reminders look for active bookings starting soon.
create index bookings_reminder_idx on app.bookings (starts_at) where status in ('pending', 'confirmed');

insert into private.settings (name, value, description) values
  ('reminder_hours_before', '24', 'hours before its start that a booking''s reminder is sent'),
  ('outbox_max_attempts', '8', 'attempts to send a message before it is marked failed'),
  ('password_reset_minutes', '60', 'lifetime of a password-reset token'),
  ('email_verification_minutes', '2880', 'lifetime of an email-verification token');
