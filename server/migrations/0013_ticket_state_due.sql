-- 办理时限 in every state (issue 10, "no stalled ticket"): besides the first contact and a
-- complaint's reply, which run from the opening, each step now sets the deadline of the state it
-- leads to (已核实待处置, 立行立改 or 台账整改, 待回复, 申诉复核, 待评价, 重办) from the
-- administrators' settings, so that every ticket not yet closed can become overdue and be raised.
-- End of the working day, unix ms (China time); NULL while the holiday calendar lacks the year.
ALTER TABLE ticket ADD COLUMN state_due_at INTEGER;

-- Tickets already past their opening keep the deadline that ran for them before: a complaint's
-- reply (until the reply), a ledger entry's rectification. The others (重办 included: its old reply
-- deadline is long past) get theirs from the minute job, counted from the step that led to their
-- state (`features::ticket::fill_missing_deadlines`).
UPDATE ticket SET state_due_at = CASE
    WHEN kind = 'complaint' THEN reply_due_at
    ELSE rectify_due_at
END
WHERE (kind = 'complaint' AND state IN ('verified', 'rectifying', 'awaiting_reply'))
   OR (kind = 'bad_review' AND state = 'rectifying');
