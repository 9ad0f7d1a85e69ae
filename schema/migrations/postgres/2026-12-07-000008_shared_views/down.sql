ALTER TABLE outbox DROP COLUMN stamp;
DROP TABLE share_versions;
DROP INDEX case_shares_view;
ALTER TABLE case_shares DROP COLUMN rests_on;
ALTER TABLE case_shares DROP COLUMN view_id;
