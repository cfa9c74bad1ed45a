-- Models of a project, their versions (one per successful training job) and the jobs that work on them.

CREATE TABLE models (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    project_id      TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    task            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    dataset_id      TEXT,
    target_column   TEXT,
    feature_columns TEXT NOT NULL,
    algorithm       TEXT NOT NULL,
    hyperparameters TEXT NOT NULL,
    commands        TEXT NOT NULL,
    created_by      TEXT NOT NULL REFERENCES users (id),
    created_at      BIGINT NOT NULL
);
CREATE INDEX models_project ON models (project_id, created_at);

CREATE TABLE model_versions (
    id         TEXT PRIMARY KEY,
    model_id   TEXT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    job_id     TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    metrics    TEXT NOT NULL,
    test_results TEXT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX model_versions_version ON model_versions (model_id, version);

CREATE TABLE model_exports (
    id         TEXT PRIMARY KEY,
    model_id   TEXT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    name       TEXT NOT NULL,
    format     TEXT NOT NULL,
    job_id     TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX model_exports_name ON model_exports (model_id, name);

CREATE TABLE model_jobs (
    job_id   TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    model_id TEXT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    kind     TEXT NOT NULL
);
