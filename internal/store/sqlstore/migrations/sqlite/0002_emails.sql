-- localsec schema, version 2 (SQLite): the outbox of invitation emails.
CREATE TABLE emails (
	id            TEXT NOT NULL PRIMARY KEY,
	service       TEXT NOT NULL,
	region        TEXT NOT NULL,
	sender        TEXT NOT NULL,
	recipient     TEXT NOT NULL,
	address       TEXT NOT NULL,
	message       TEXT NOT NULL,
	invitation_id TEXT NOT NULL,
	sent          BIGINT
);
CREATE INDEX emails_by_sent ON emails (sent, id);
