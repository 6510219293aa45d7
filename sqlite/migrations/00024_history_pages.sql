-- +goose Up
-- A payment's, an invoice's and a credit note's history is read a page at a time, newest first
-- (issue 12): these indexes read a page in order, ties broken by id, without sorting the whole
-- history. They replace the indexes on payment_id, invoice_id and credit_note_id alone, which
-- they lead with.
CREATE INDEX allocations_payment_list ON allocations (payment_id, id);
CREATE INDEX allocations_invoice_list ON allocations (invoice_id, id);
CREATE INDEX top_ups_payment_list ON top_ups (payment_id, id);
CREATE INDEX credit_note_applications_note_list ON credit_note_applications (credit_note_id, id);
DROP INDEX allocations_payment;
DROP INDEX allocations_invoice;
DROP INDEX top_ups_payment;
DROP INDEX credit_note_applications_note;

-- +goose Down
CREATE INDEX allocations_payment ON allocations (payment_id);
CREATE INDEX allocations_invoice ON allocations (invoice_id);
CREATE INDEX top_ups_payment ON top_ups (payment_id);
CREATE INDEX credit_note_applications_note ON credit_note_applications (credit_note_id);
DROP INDEX allocations_payment_list;
DROP INDEX allocations_invoice_list;
DROP INDEX top_ups_payment_list;
DROP INDEX credit_note_applications_note_list;
