-- The handbook's five languages (issue 19): the language a person reads, chosen by them on
-- the pages or through the API (NULL: not chosen, the site's country decides), and the
-- country of a site (ISO 3166-1 alpha-2), from which its people's default language follows.
ALTER TABLE users ADD COLUMN language TEXT;
ALTER TABLE sites ADD COLUMN country TEXT;
