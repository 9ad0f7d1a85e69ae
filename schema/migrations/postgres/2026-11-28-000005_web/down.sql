DROP TABLE web_password_links;
DROP TABLE web_sign_in_failures;
DROP TABLE web_sessions;
