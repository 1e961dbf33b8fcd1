-- 整改公示 lists the closed 差评 of a month's services. Found through the month's occurrences, the
-- list cost grew with every rating of the month (4.2 s for a full month at 3 × 10⁷ ratings a year);
-- a bad-review ticket now carries its service's registration time, so that the month's closed
-- tickets come by index and the cost follows the month's tickets only. NULL for complaints.
ALTER TABLE ticket ADD COLUMN service_registered_at INTEGER;
UPDATE ticket SET service_registered_at = (
    SELECT o.registered_at FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id
    WHERE e.id = ticket.evaluation_id)
WHERE evaluation_id IS NOT NULL;
CREATE INDEX ticket_service_month ON ticket (kind, state, service_registered_at);
