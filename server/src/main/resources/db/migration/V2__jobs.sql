-- Jobs, their state changes and tags. Portable between SQLite and PostgreSQL.

CREATE TABLE jobs (
    id               TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL REFERENCES organizations (id),
    project_id       TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    owner_id         TEXT NOT NULL REFERENCES users (id),
    name             TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    state            TEXT NOT NULL,
    reason           TEXT,
    pending_reason   TEXT,
    priority         INTEGER NOT NULL,
    gpu_type         TEXT,
    gpus             INTEGER NOT NULL,
    cpu_cores        INTEGER NOT NULL,
    memory_mb        BIGINT NOT NULL,
    hdd_size_mb      BIGINT NOT NULL,
    image            TEXT,
    setup_command    TEXT,
    run_command      TEXT NOT NULL,
    env_vars         TEXT NOT NULL,
    tags             TEXT NOT NULL,
    expires          TEXT,
    expires_after_ms BIGINT,
    expires_at       BIGINT,
    executor         TEXT,
    node             TEXT,
    assigned_gpus    TEXT,
    handle           TEXT,
    exit_code        INTEGER,
    idempotency_key  TEXT,
    request_hash     TEXT,
    created_at       BIGINT NOT NULL,
    started_at       BIGINT,
    finished_at      BIGINT,
    version          BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX jobs_idempotency ON jobs (owner_id, idempotency_key);
CREATE INDEX jobs_state_queue ON jobs (state, priority, created_at);
CREATE INDEX jobs_org_created ON jobs (organization_id, created_at);
CREATE INDEX jobs_project_created ON jobs (project_id, created_at);

CREATE TABLE job_tags (
    job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    tag    TEXT NOT NULL,
    PRIMARY KEY (job_id, tag)
);
CREATE INDEX job_tags_tag ON job_tags (tag);

CREATE TABLE job_transitions (
    id         TEXT PRIMARY KEY,
    job_id     TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    from_state TEXT,
    to_state   TEXT NOT NULL,
    reason     TEXT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX job_transitions_job ON job_transitions (job_id, at);
