-- +goose NO TRANSACTION
-- +goose Up
-- A payment's, an invoice's and a credit note's history is read a page at a time, newest first
-- (issue 12): these indexes read a page in order, ties broken by id, without sorting the whole
-- history. They replace the indexes on payment_id, invoice_id and credit_note_id alone, which
-- they lead with. Built and dropped CONCURRENTLY, so that writes go on meanwhile
-- (docs/architecture.md); the old ones go only once the new ones exist, so no query is ever left
-- without one.
CREATE INDEX CONCURRENTLY IF NOT EXISTS allocations_payment_list ON allocations (payment_id, id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS allocations_invoice_list ON allocations (invoice_id, id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS top_ups_payment_list ON top_ups (payment_id, id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS credit_note_applications_note_list ON credit_note_applications (credit_note_id, id);
DROP INDEX CONCURRENTLY IF EXISTS allocations_payment;
DROP INDEX CONCURRENTLY IF EXISTS allocations_invoice;
DROP INDEX CONCURRENTLY IF EXISTS top_ups_payment;
DROP INDEX CONCURRENTLY IF EXISTS credit_note_applications_note;

-- +goose Down
CREATE INDEX CONCURRENTLY IF NOT EXISTS allocations_payment ON allocations (payment_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS allocations_invoice ON allocations (invoice_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS top_ups_payment ON top_ups (payment_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS credit_note_applications_note ON credit_note_applications (credit_note_id);
DROP INDEX CONCURRENTLY IF EXISTS allocations_payment_list;
DROP INDEX CONCURRENTLY IF EXISTS allocations_invoice_list;
DROP INDEX CONCURRENTLY IF EXISTS top_ups_payment_list;
DROP INDEX CONCURRENTLY IF EXISTS credit_note_applications_note_list;
