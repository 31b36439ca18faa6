-- localsec schema, version 3 (PostgreSQL): the records the engines keep as
-- documents of their own, each under a key within its kind. The text
-- columns use the "C" collation, so that keys compare bytewise as in
-- SQLite and prefix and paged queries are ranges of the primary key.
CREATE TABLE records (
	kind  TEXT COLLATE "C" NOT NULL,
	key   TEXT COLLATE "C" NOT NULL,
	value BYTEA NOT NULL,
	PRIMARY KEY (kind, key)
);
