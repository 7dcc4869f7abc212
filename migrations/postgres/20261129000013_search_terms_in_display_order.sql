-- A search sorted by name comes straight off the search terms as well. Each user has a place in
-- the list sorted by name as one text, `display_order`: the display name's key, a unit separator
-- (0x1F, below every character a stored name may hold) and the id, which sorts as that pair
-- does. The users table derives it, indexed by status for a search's hops; each search term
-- keeps a copy, indexed by term for its walks. At 1,000,000 users, "lovelace" sorted by name
-- walked 21,000 users before its first match (146 ms); off these indexes the page costs a page.
-- The application fills the copies by rebuilding every user's terms on its next start
-- (`rebuild_search_terms`), which also folds again any display name key an older migration
-- left unfolded, so that both copies agree.
ALTER TABLE users ADD COLUMN display_order TEXT COLLATE "C" GENERATED ALWAYS AS (display_name_key || chr(31) || id) STORED;
CREATE INDEX users_by_status_in_display_order ON users (active, display_order);
ALTER TABLE user_search_terms ADD COLUMN display_order TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX user_search_terms_by_display_order ON user_search_terms (term, display_order);
INSERT INTO store_upkeep (task) SELECT 'rebuild_search_terms' WHERE EXISTS (SELECT 1 FROM users)
    ON CONFLICT (task) DO NOTHING;
