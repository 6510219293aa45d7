-- +goose Up
-- A customer's payment settings (SPEC §6.3): billing mode and automatic top-up. A customer with no
-- row has the defaults: postpaid, no automatic top-up.
CREATE TABLE IF NOT EXISTS credit_settings (
    workspace_id          TEXT NOT NULL REFERENCES workspaces(id),
    organization_id       TEXT NOT NULL REFERENCES organizations(id),
    billing_mode          TEXT NOT NULL CHECK (billing_mode IN ('prepaid', 'postpaid')),
    auto_top_up           INTEGER NOT NULL CHECK (auto_top_up IN (0, 1)),
    auto_top_up_currency  TEXT NOT NULL,
    auto_top_up_threshold BIGINT NOT NULL CHECK (auto_top_up_threshold >= 0),
    auto_top_up_amount    BIGINT NOT NULL CHECK (auto_top_up_amount >= 0),
    updated_at            TEXT NOT NULL,
    PRIMARY KEY (workspace_id, organization_id),
    CHECK (auto_top_up = 0 OR (billing_mode = 'prepaid' AND auto_top_up_amount > 0))
);
-- How far below zero the customer's credit may go, per currency; a currency not here: none.
CREATE TABLE IF NOT EXISTS credit_limits (
    workspace_id    TEXT NOT NULL REFERENCES workspaces(id),
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    currency        TEXT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (workspace_id, organization_id, currency)
);

-- +goose Down
DROP TABLE IF EXISTS credit_limits;
DROP TABLE IF EXISTS credit_settings;
