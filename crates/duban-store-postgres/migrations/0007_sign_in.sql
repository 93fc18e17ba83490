-- Sign-in: a password hash (argon2id, PHC string) per person, the count of failed attempts in a
-- row and the time before which no attempt is taken (backoff); and sessions, kept by the SHA-256
-- of their token so that a copy of the database holds no usable session.
CREATE TABLE credentials (
    person_id BIGINT PRIMARY KEY REFERENCES people(id),
    password_hash TEXT NOT NULL,
    failures BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT,
    updated_at BIGINT NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES people(id),
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_person ON sessions(person_id);
