-- How many users there are, active and inactive, kept as they change: counting 1,000,000 rows
-- for the users list's "of N users" and the overview took 15-50 ms every time. Triggers keep
-- it, so no write path can forget. A change is noted as a row of its own in
-- `user_count_changes` (instances creating users at once would otherwise queue on the one row
-- of `user_totals` until each commits, and a load of many users in one transaction would pile
-- up versions of that row); the service folds the notes into `user_totals` every few seconds,
-- and a count adds up both.
-- No user is created, deleted or switched between the count below and the triggers.
LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE user_totals (
    active BOOLEAN PRIMARY KEY NOT NULL,
    users  BIGINT NOT NULL
);
INSERT INTO user_totals (active, users)
    SELECT s.active, (SELECT COUNT(*) FROM users u WHERE u.active = s.active) FROM (VALUES (FALSE), (TRUE)) AS s(active);

CREATE TABLE user_count_changes (
    id     BIGSERIAL PRIMARY KEY,
    active BOOLEAN NOT NULL,
    delta  BIGINT NOT NULL
);

CREATE FUNCTION note_user_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO user_count_changes (active, delta) VALUES (OLD.active, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO user_count_changes (active, delta) VALUES (NEW.active, 1);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER users_counted AFTER INSERT OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION note_user_count_change();
CREATE TRIGGER users_recounted AFTER UPDATE OF active ON users
    FOR EACH ROW WHEN (OLD.active IS DISTINCT FROM NEW.active) EXECUTE FUNCTION note_user_count_change();
