-- Claiming the upward outbox without losing a row to concurrent writers.
--
-- On SQLite one writer commits at a time, so outbox ids are committed in order and "every row up
-- to claimed_to" is exact. Here many transactions write at once: a row with a smaller id can
-- commit after one with a larger id has been claimed. Each row therefore records the transaction
-- that wrote it, and a target's cursor is the pair (claimed_xid, claimed_to): the reporter claims
-- rows after it in (transaction, id) order, only from transactions older than every one still
-- running (pg_snapshot_xmin), which have all ended; later transactions get larger ids.

ALTER TABLE upward_outbox ADD COLUMN written_in xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX upward_outbox_written ON upward_outbox (written_in, id);

ALTER TABLE upward_target ADD COLUMN claimed_xid xid8 NOT NULL DEFAULT '0';
-- Rows written before this migration all carry its transaction: the cursor (this transaction,
-- claimed_to) leaves them claimed or not exactly as before.
UPDATE upward_target SET claimed_xid = pg_current_xact_id();
