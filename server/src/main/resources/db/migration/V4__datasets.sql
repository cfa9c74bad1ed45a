-- Datasets: versioned files of a project, stored by content in the blob store. Portable SQL.

CREATE TABLE datasets (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    project_id      TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    version         INTEGER NOT NULL,
    size_bytes      BIGINT NOT NULL,
    sha256          TEXT NOT NULL,
    format          TEXT NOT NULL,
    columns         TEXT NOT NULL,
    row_count       BIGINT,
    created_by      TEXT NOT NULL REFERENCES users (id),
    created_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX datasets_name_version ON datasets (project_id, name, version);
CREATE INDEX datasets_sha256 ON datasets (sha256);

-- Which datasets a job reads: a dataset cannot be deleted while an unfinished job uses it.
CREATE TABLE job_datasets (
    job_id     TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    dataset_id TEXT NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    PRIMARY KEY (job_id, dataset_id)
);
CREATE INDEX job_datasets_dataset ON job_datasets (dataset_id);

-- Files a job uploads through its reporting channel (exports of custom models, checkpoints...).
CREATE TABLE job_artifacts (
    job_id     TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (job_id, name)
);
