-- 整改公示 lists the closed 差评 of a month's services: a bad-review ticket carries its service's
-- registration time so that the month's closed tickets come by index (SQLite migration 0031).
ALTER TABLE ticket ADD COLUMN service_registered_at BIGINT;
UPDATE ticket SET service_registered_at = (
    SELECT o.registered_at FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id
    WHERE e.id = ticket.evaluation_id)
WHERE evaluation_id IS NOT NULL;
CREATE INDEX ticket_service_month ON ticket (kind, state, service_registered_at);
