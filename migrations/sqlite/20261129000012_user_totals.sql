-- How many users there are, active and inactive, kept as they change: counting 1,000,000 rows
-- for the users list's "of N users" and the overview took 15-50 ms every time. Triggers keep
-- it, so no write path can forget. SQLite has one writer, so the count is kept in place;
-- `user_count_changes` (where PostgreSQL's instances note changes without queuing on one row)
-- stays empty here, and the reads that add it up are the same on both.
CREATE TABLE user_totals (
    active BOOLEAN PRIMARY KEY NOT NULL,
    users  BIGINT NOT NULL
);
INSERT INTO user_totals (active, users)
    SELECT s.active, (SELECT COUNT(*) FROM users u WHERE u.active = s.active) FROM (SELECT FALSE AS active UNION ALL SELECT TRUE) s;

CREATE TABLE user_count_changes (
    id     INTEGER PRIMARY KEY,
    active BOOLEAN NOT NULL,
    delta  BIGINT NOT NULL
);

CREATE TRIGGER users_counted_in AFTER INSERT ON users BEGIN
    UPDATE user_totals SET users = users + 1 WHERE active = new.active;
END;
CREATE TRIGGER users_counted_out AFTER DELETE ON users BEGIN
    UPDATE user_totals SET users = users - 1 WHERE active = old.active;
END;
CREATE TRIGGER users_recounted AFTER UPDATE OF active ON users WHEN old.active <> new.active BEGIN
    UPDATE user_totals SET users = users - 1 WHERE active = old.active;
    UPDATE user_totals SET users = users + 1 WHERE active = new.active;
END;
