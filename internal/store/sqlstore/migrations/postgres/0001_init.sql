-- localsec schema, version 1 (PostgreSQL). Times are Unix microseconds, NULL
-- for none; tags are a JSON object, '' for none. Text columns use the "C" collation, so that order is bytewise as in SQLite.
CREATE TABLE enablements (
	service      TEXT COLLATE "C" NOT NULL,
	region       TEXT COLLATE "C" NOT NULL,
	account      TEXT COLLATE "C" NOT NULL,
	resource_id  TEXT COLLATE "C" NOT NULL,
	status       TEXT COLLATE "C" NOT NULL,
	client_token TEXT COLLATE "C" NOT NULL,
	settings     BYTEA,
	tags         TEXT COLLATE "C" NOT NULL,
	created      BIGINT,
	updated      BIGINT,
	PRIMARY KEY (service, region, account)
);
CREATE TABLE members (
	service            TEXT COLLATE "C" NOT NULL,
	region             TEXT COLLATE "C" NOT NULL,
	admin              TEXT COLLATE "C" NOT NULL,
	member             TEXT COLLATE "C" NOT NULL,
	email              TEXT COLLATE "C" NOT NULL,
	status             TEXT COLLATE "C" NOT NULL,
	association        TEXT COLLATE "C" NOT NULL,
	tags               TEXT COLLATE "C" NOT NULL,
	created            BIGINT,
	updated            BIGINT,
	invited_at         BIGINT,
	invitation_id      TEXT COLLATE "C" NOT NULL,
	invitation_message TEXT COLLATE "C" NOT NULL,
	disable_email      BOOLEAN NOT NULL,
	declined           BOOLEAN NOT NULL,
	hidden             BOOLEAN NOT NULL,
	PRIMARY KEY (service, region, admin, member)
);
CREATE INDEX members_by_member ON members (service, member, region, admin);
CREATE TABLE org_admins (
	service TEXT COLLATE "C" NOT NULL,
	region  TEXT COLLATE "C" NOT NULL,
	account TEXT COLLATE "C" NOT NULL,
	status  TEXT COLLATE "C" NOT NULL,
	created BIGINT,
	PRIMARY KEY (service, region, account)
);
CREATE TABLE org_configs (
	service     TEXT COLLATE "C" NOT NULL,
	region      TEXT COLLATE "C" NOT NULL,
	account     TEXT COLLATE "C" NOT NULL,
	auto_enable BOOLEAN NOT NULL,
	settings    BYTEA,
	updated     BIGINT,
	PRIMARY KEY (service, region, account)
);
