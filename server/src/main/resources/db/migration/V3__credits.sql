-- Credits: one account per organization, its transactions, and what each job costs and was billed.
-- Amounts are whole micro-credits (10^-6 credit). Portable between SQLite and PostgreSQL.

CREATE TABLE credit_accounts (
    organization_id TEXT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    balance         BIGINT NOT NULL,
    reserved        BIGINT NOT NULL,
    version         BIGINT NOT NULL,
    created_at      BIGINT NOT NULL
);

CREATE TABLE credit_transactions (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    seq             BIGINT NOT NULL,
    type            TEXT NOT NULL,
    amount          BIGINT NOT NULL,
    balance_after   BIGINT NOT NULL,
    job_id          TEXT,
    reason          TEXT NOT NULL,
    created_by      TEXT,
    created_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX credit_transactions_seq ON credit_transactions (organization_id, seq);
CREATE INDEX credit_transactions_job ON credit_transactions (job_id);

-- cost_per_hour is fixed at submit; held is what the job keeps back of its organization's balance
-- until it ends; billed is what its usage entries add up to, up to billed_until; billing_settled
-- says the last bill and the release of the hold are done.
ALTER TABLE jobs ADD COLUMN cost_per_hour BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN max_cost BIGINT;
ALTER TABLE jobs ADD COLUMN held BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN billed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN billed_until BIGINT;
ALTER TABLE jobs ADD COLUMN billing_settled INTEGER NOT NULL DEFAULT 0;
CREATE INDEX jobs_billing_open ON jobs (billing_settled, state);
