-- Failed console sign-ins per key (user name with client address, client address), counted in
-- the store so that a restart or a second instance gives an attacker no fresh budget.
CREATE TABLE sign_in_failures (
    key          TEXT PRIMARY KEY NOT NULL,
    failures     BIGINT NOT NULL,
    window_start BIGINT NOT NULL
);
