-- Failed console sign-ins per key, counted in the database so that every instance shares them.
CREATE TABLE sign_in_failures (
    key          TEXT PRIMARY KEY,
    failures     BIGINT NOT NULL,
    window_start BIGINT NOT NULL
);
