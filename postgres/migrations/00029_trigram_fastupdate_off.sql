-- +goose Up
-- The trigram indexes of the invoice search take each new entry into the index itself rather
-- than into GIN's pending list. With fastupdate on (PostgreSQL's default) new invoices and
-- organizations wait in that list until a vacuum merges it, and every search in the meantime
-- reads the whole list: invoices created one by one made every name search slower until
-- autovacuum came by (docs/benchmarks.md, run V). Each insert now costs its entries' updates in
-- the index, once.
ALTER INDEX invoices_number_trgm SET (fastupdate = off);
ALTER INDEX organizations_name_trgm SET (fastupdate = off);
SELECT gin_clean_pending_list('invoices_number_trgm'::regclass);
SELECT gin_clean_pending_list('organizations_name_trgm'::regclass);

-- +goose Down
ALTER INDEX invoices_number_trgm SET (fastupdate = on);
ALTER INDEX organizations_name_trgm SET (fastupdate = on);
