-- +goose Up
-- Invoice search (q) matches o.name ILIKE '%q%' OR i.number ILIKE '%q%'. No B-tree serves that:
-- at 1,000,000 invoices every such search scanned them all (docs/benchmarks.md §6). pg_trgm's GIN
-- indexes do serve ILIKE '%q%' as it is written, so the search's meaning is unchanged.
--
-- The extension is created once per database, not per schema: a schema's objects (and its tests'
-- schemas, which are dropped with CASCADE) must not own it. If it is already installed, in
-- whatever schema, that one is used. The advisory lock makes migrations that run at the same
-- time in several schemas create it once; it is held until this migration commits. pg_trgm is a
-- trusted extension: a user with CREATE on the database may install it (docs/postgres.md).
-- +goose StatementBegin
DO $$
DECLARE
    trgm_schema text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('finapp.extension:pg_trgm', 0));
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE EXTENSION pg_trgm SCHEMA public;
    END IF;
    SELECT n.nspname INTO trgm_schema
        FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
    EXECUTE format('CREATE INDEX invoices_number_trgm ON invoices USING gin (number %I.gin_trgm_ops)', trgm_schema);
    EXECUTE format('CREATE INDEX organizations_name_trgm ON organizations USING gin (name %I.gin_trgm_ops)', trgm_schema);
END
$$;
-- +goose StatementEnd

-- A search by issue date is ordered by (issued_on DESC, id DESC): with this index a page reads its
-- own rows instead of sorting the whole range by id. It replaces invoices_issued, whose columns
-- are its prefix.
CREATE INDEX invoices_issued_list ON invoices (workspace_id, issued_on, id);
DROP INDEX invoices_issued;

-- +goose Down
CREATE INDEX invoices_issued ON invoices (workspace_id, issued_on);
DROP INDEX invoices_issued_list;
DROP INDEX organizations_name_trgm;
DROP INDEX invoices_number_trgm;
-- The extension stays: other schemas of this database may use it.
