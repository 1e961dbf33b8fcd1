-- Administrator-entered holiday schedules (国务院办公厅节假日安排), for years the built-in calendar does
-- not know yet or to correct one. Kept as the notice's text; read into the calendar at start-up.
CREATE TABLE holiday_year (
    year       INTEGER PRIMARY KEY,
    -- Comma-separated dates or ranges (YYYY-MM-DD..YYYY-MM-DD) of days off.
    off_days   TEXT NOT NULL,
    -- Comma-separated weekend dates that are worked (调休).
    work_days  TEXT NOT NULL,
    entered_at INTEGER NOT NULL
);
