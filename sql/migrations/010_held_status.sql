-- 010 held status: a booking row may be a hold, a slot kept for a customer until it expires.
-- Depends on: 002 (app.booking_status).
-- A value added to an enum cannot be used in the transaction that adds it, so it comes alone;
-- 011 builds on it.

alter type app.booking_status add value if not exists 'held';
