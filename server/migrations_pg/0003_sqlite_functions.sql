-- SQLite's functions that the server's queries use, under SQLite's names, so that one text of
-- each query runs on both backends (sqlx's `Any`). Each behaves as SQLite's does for the
-- arguments the product passes; none is used by the schema itself.

-- strftime(format, seconds, 'unixepoch'): the formats the aggregates use (%Y %m %d %H %w), of
-- unix seconds read as UTC (callers add China's 28,800 s first).
CREATE FUNCTION strftime(format TEXT, seconds BIGINT, modifier TEXT) RETURNS TEXT
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    t TIMESTAMP := TIMESTAMP '1970-01-01' + seconds * INTERVAL '1 second';
BEGIN
    IF modifier IS DISTINCT FROM 'unixepoch' THEN
        RAISE EXCEPTION 'strftime: only the unixepoch modifier is supported, not %', modifier;
    END IF;
    RETURN replace(replace(replace(replace(replace(format,
        '%Y', to_char(t, 'YYYY')),
        '%m', to_char(t, 'MM')),
        '%d', to_char(t, 'DD')),
        '%H', to_char(t, 'HH24')),
        '%w', extract(dow FROM t)::TEXT);
END
$$;

-- group_concat(x): the values joined by commas in the order the rows arrive, NULLs skipped.
CREATE FUNCTION group_concat_step(joined TEXT, value TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN value IS NULL THEN joined
                WHEN joined IS NULL THEN value
                ELSE joined || ',' || value END
$$;
CREATE AGGREGATE group_concat(TEXT) (SFUNC = group_concat_step, STYPE = TEXT);
CREATE FUNCTION group_concat_step(joined TEXT, value BIGINT) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT group_concat_step(joined, value::TEXT) $$;
CREATE AGGREGATE group_concat(BIGINT) (SFUNC = group_concat_step, STYPE = TEXT);

-- json_extract(document, path) for the paths the settings use: '$' and '$.key[.key…]'. Returns
-- the value as text (SQLite returns a JSON true as 1; the callers compare strings or read text).
CREATE FUNCTION json_extract(document TEXT, path TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN path = '$' THEN document::jsonb #>> '{}'
                ELSE document::jsonb #>> string_to_array(substr(path, 3), '.') END
$$;

-- min(a, b) and max(a, b): SQLite's scalar forms (PostgreSQL's LEAST and GREATEST, which SQLite
-- lacks), beside the aggregates of one argument.
CREATE FUNCTION min(a BIGINT, b BIGINT) RETURNS BIGINT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT LEAST(a, b) $$;
CREATE FUNCTION max(a BIGINT, b BIGINT) RETURNS BIGINT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT GREATEST(a, b) $$;
