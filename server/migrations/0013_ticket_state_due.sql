-- 办理时限 in every state (issue 10, "no stalled ticket"): besides the first contact and a
-- complaint's reply, which run from the opening, each step now sets the deadline of the state it
-- leads to (已核实待处置, 立行立改 or 台账整改, 待回复, 申诉复核, 待评价, 重办) from the
-- administrators' settings, so that every ticket not yet closed can become overdue and be raised.
-- End of the working day, unix ms (China time); NULL while the holiday calendar lacks the year.
ALTER TABLE ticket ADD COLUMN state_due_at INTEGER;

-- Tickets already past their opening keep the deadline that ran for them before: a complaint's
-- reply, a ledger entry's rectification. The others get one at their next step.
UPDATE ticket SET state_due_at = CASE
    WHEN kind = 'complaint' THEN reply_due_at
    WHEN state = 'rectifying' THEN rectify_due_at
END
WHERE state NOT IN ('open', 'closed');

