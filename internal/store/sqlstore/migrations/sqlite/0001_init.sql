-- localsec schema, version 1 (SQLite). Times are Unix microseconds, NULL
-- for none; tags are a JSON object, '' for none. Text compares bytewise.
CREATE TABLE enablements (
	service      TEXT NOT NULL,
	region       TEXT NOT NULL,
	account      TEXT NOT NULL,
	resource_id  TEXT NOT NULL,
	status       TEXT NOT NULL,
	client_token TEXT NOT NULL,
	settings     BLOB,
	tags         TEXT NOT NULL,
	created      BIGINT,
	updated      BIGINT,
	PRIMARY KEY (service, region, account)
);
CREATE TABLE members (
	service            TEXT NOT NULL,
	region             TEXT NOT NULL,
	admin              TEXT NOT NULL,
	member             TEXT NOT NULL,
	email              TEXT NOT NULL,
	status             TEXT NOT NULL,
	association        TEXT NOT NULL,
	tags               TEXT NOT NULL,
	created            BIGINT,
	updated            BIGINT,
	invited_at         BIGINT,
	invitation_id      TEXT NOT NULL,
	invitation_message TEXT NOT NULL,
	disable_email      BOOLEAN NOT NULL,
	declined           BOOLEAN NOT NULL,
	hidden             BOOLEAN NOT NULL,
	PRIMARY KEY (service, region, admin, member)
);
CREATE INDEX members_by_member ON members (service, member, region, admin);
CREATE TABLE org_admins (
	service TEXT NOT NULL,
	region  TEXT NOT NULL,
	account TEXT NOT NULL,
	status  TEXT NOT NULL,
	created BIGINT,
	PRIMARY KEY (service, region, account)
);
CREATE TABLE org_configs (
	service     TEXT NOT NULL,
	region      TEXT NOT NULL,
	account     TEXT NOT NULL,
	auto_enable BOOLEAN NOT NULL,
	settings    BLOB,
	updated     BIGINT,
	PRIMARY KEY (service, region, account)
);
