-- +goose Up
-- A new invoice is added to the number search by the store (sqlstore's indexInvoiceNumbers), a
-- statement for a whole batch, rather than by a trigger row by row. The trigger made every
-- multi-row INSERT of invoices a statement that writes to a virtual table: SQLite then journals
-- each page the statement touches in case it must undo it, and FTS5 flushes its buffer once per
-- statement of the trigger. For `finapp import invoices` that was a seventh of its time
-- (docs/benchmarks.md, run Q). Updates and deletes keep their triggers: they are one row at a
-- time anyway. CreateInvoice and CreateInvoices are the only ways an invoice is inserted.
DROP TRIGGER invoices_search_insert;

-- +goose Down
-- +goose StatementBegin
CREATE TRIGGER invoices_search_insert AFTER INSERT ON invoices BEGIN
    INSERT INTO invoice_search_docs (workspace_id, invoice_id) VALUES (new.workspace_id, new.id);
    INSERT INTO invoice_number_search (rowid, number) VALUES (last_insert_rowid(), new.number);
END;
-- +goose StatementEnd
