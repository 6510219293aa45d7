-- +goose Up
-- An Idempotency-Key is now claimed inside the transaction of the change it guards; the claim
-- names what that change wrote, so that a client whose response was lost in a crash can be told
-- where to look (docs/api.md, Idempotency-Key).
ALTER TABLE idempotency_keys ADD COLUMN entity TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE idempotency_keys DROP COLUMN entity;
