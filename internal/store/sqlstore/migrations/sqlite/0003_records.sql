-- localsec schema, version 3 (SQLite): the records the engines keep as
-- documents of their own, each under a key within its kind. Keys compare
-- bytewise (the BINARY collation), so that prefix and paged queries are
-- ranges of the primary key.
CREATE TABLE records (
	kind  TEXT NOT NULL,
	key   TEXT NOT NULL,
	value BLOB NOT NULL,
	PRIMARY KEY (kind, key)
);
