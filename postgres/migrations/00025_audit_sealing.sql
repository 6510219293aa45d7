-- +goose NO TRANSACTION
-- +goose Up
-- Sealing the audit trail off the commit path (issue 12; docs/security.md): a change appends its
-- audit events unlinked (chain_no 0, no hashes) and its outbox events unnumbered (sequence 0);
-- a sealer links and numbers them after commit. The positions stay unique among sealed rows;
-- the partial indexes find what is left to seal without reading what is sealed.
ALTER TABLE audit_events ADD COLUMN IF NOT EXISTS sealed_at TEXT NOT NULL DEFAULT '';

-- An event stays append-only, except that an unsealed one may be sealed once: its link (chain
-- position, hashes, time sealed) written, nothing else of it changed.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.chain_no = 0 AND NEW.chain_no > 0 AND OLD.hash = '' AND NEW.hash <> ''
       AND OLD.prev_hash = '' AND OLD.sealed_at = '' AND NEW.sealed_at <> ''
       AND (NEW.workspace_id, NEW.seq, NEW.id, NEW.at, NEW.actor, NEW.source, NEW.action, NEW.entity, NEW.entity_id, NEW.before, NEW.after)
           IS NOT DISTINCT FROM
           (OLD.workspace_id, OLD.seq, OLD.id, OLD.at, OLD.actor, OLD.source, OLD.action, OLD.entity, OLD.entity_id, OLD.before, OLD.after) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only';
END;
$$;
-- +goose StatementEnd

CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS audit_events_sealed_chain_no ON audit_events (workspace_id, chain_no) WHERE chain_no > 0;
DROP INDEX CONCURRENTLY IF EXISTS audit_events_chain_no;
CREATE INDEX CONCURRENTLY IF NOT EXISTS audit_events_unsealed ON audit_events (workspace_id, seq) WHERE chain_no = 0;
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS events_numbered_sequence ON events (workspace_id, sequence) WHERE sequence > 0;
DROP INDEX CONCURRENTLY IF EXISTS events_sequence;
CREATE INDEX CONCURRENTLY IF NOT EXISTS events_unnumbered ON events (workspace_id, seq) WHERE sequence = 0;

-- +goose Down
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS events_sequence ON events (workspace_id, sequence);
DROP INDEX CONCURRENTLY IF EXISTS events_unnumbered;
DROP INDEX CONCURRENTLY IF EXISTS events_numbered_sequence;
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS audit_events_chain_no ON audit_events (workspace_id, chain_no);
DROP INDEX CONCURRENTLY IF EXISTS audit_events_unsealed;
DROP INDEX CONCURRENTLY IF EXISTS audit_events_sealed_chain_no;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$;
-- +goose StatementEnd
ALTER TABLE audit_events DROP COLUMN IF EXISTS sealed_at;
