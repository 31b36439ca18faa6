-- localsec schema, version 2 (PostgreSQL): the outbox of invitation emails.
CREATE TABLE emails (
	id            TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	service       TEXT COLLATE "C" NOT NULL,
	region        TEXT COLLATE "C" NOT NULL,
	sender        TEXT COLLATE "C" NOT NULL,
	recipient     TEXT COLLATE "C" NOT NULL,
	address       TEXT COLLATE "C" NOT NULL,
	message       TEXT COLLATE "C" NOT NULL,
	invitation_id TEXT COLLATE "C" NOT NULL,
	sent          BIGINT
);
CREATE INDEX emails_by_sent ON emails (sent, id);
