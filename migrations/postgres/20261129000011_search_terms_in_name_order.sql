-- A search's first page comes straight off the search terms in user-name order: each term's
-- entries are kept sorted by the user's name key, so the page costs a page however many users
-- match (at 1,000,000 users, "lovelace" matched 41,545 and was sorted from all of them). The
-- terms are also cut differently ("lovelace42" is "lovelace" and "42"), so the application
-- rebuilds them all on its next start (`rebuild_search_terms`), told so by the row below.
DROP TABLE user_search_terms;
CREATE TABLE user_search_terms (
    term          TEXT COLLATE "C" NOT NULL,
    user_name_key TEXT COLLATE "C" NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (term, user_name_key)
);
CREATE INDEX user_search_terms_by_user ON user_search_terms (user_id, term);

-- Work the application owes the store after a migration, one row per task, deleted when done
-- (a new, empty store owes nothing).
CREATE TABLE store_upkeep (
    task TEXT PRIMARY KEY NOT NULL
);
INSERT INTO store_upkeep (task) SELECT 'rebuild_search_terms' WHERE EXISTS (SELECT 1 FROM users);
