-- +goose Up
-- The writer merges the trigram indexes when it is idle (sqlstore/searchupkeep.go), each step two
-- segments of a level rather than FTS5's default four: a lookup seeks every trigram in every
-- segment, so fewer segments make each search cheaper. FTS5 keeps the setting in its own
-- configuration table.
INSERT INTO organization_name_search (organization_name_search, rank) VALUES ('usermerge', 2);
INSERT INTO invoice_number_search (invoice_number_search, rank) VALUES ('usermerge', 2);

-- +goose Down
INSERT INTO organization_name_search (organization_name_search, rank) VALUES ('usermerge', 4);
INSERT INTO invoice_number_search (invoice_number_search, rank) VALUES ('usermerge', 4);
