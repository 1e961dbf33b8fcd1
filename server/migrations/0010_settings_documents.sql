-- Settings become one JSON document per group ("deadlines", "disclosure") instead of one string per
-- field: the server reads and writes each group as a typed document (missing fields take their
-- defaults), so a new setting needs no new key parsing. The values saved so far are carried over.

INSERT INTO setting (key, value, updated_at)
SELECT 'deadlines',
       (SELECT json_group_object(substr(key, 10), CAST(value AS INTEGER))
          FROM setting WHERE key LIKE 'deadline.%'),
       (SELECT max(updated_at) FROM setting WHERE key LIKE 'deadline.%')
 WHERE EXISTS (SELECT 1 FROM setting WHERE key LIKE 'deadline.%');

INSERT INTO setting (key, value, updated_at)
SELECT 'disclosure',
       (SELECT json_group_object(
                   substr(key, 12),
                   CASE WHEN key IN ('disclosure.basic_counts_as_good', 'disclosure.staff_by_name')
                        THEN json(CASE value WHEN '1' THEN 'true' ELSE 'false' END)
                        ELSE CAST(value AS INTEGER) END)
          FROM setting WHERE key LIKE 'disclosure.%'),
       (SELECT max(updated_at) FROM setting WHERE key LIKE 'disclosure.%')
 WHERE EXISTS (SELECT 1 FROM setting WHERE key LIKE 'disclosure.%');

DELETE FROM setting WHERE key LIKE 'deadline.%' OR key LIKE 'disclosure.%';
