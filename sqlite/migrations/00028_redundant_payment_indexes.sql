-- +goose Up
-- payments_org and payments_received are prefixes of payments_org_list and
-- payments_received_list (each with the id after): every query either served is served as well
-- by the longer one, and each recorded payment wrote two index entries for nothing.
DROP INDEX payments_org;
DROP INDEX payments_received;

-- +goose Down
CREATE INDEX payments_org ON payments (workspace_id, organization_id);
CREATE INDEX payments_received ON payments (workspace_id, received_on);
