DROP TABLE peer_people;
DROP TABLE peer_views;
DROP TABLE peer_heads;
DROP TABLE peer_outbox;
ALTER TABLE organisations DROP COLUMN peer;
