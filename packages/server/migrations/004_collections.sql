-- Collections: the history of applied schema documents (the newest row is the
-- live schema), Idempotency-Key replay records for record creates, and the
-- `verified` column the built-in users collection exposes to rules.

CREATE TABLE hearth.schema_versions (
  id          bigserial PRIMARY KEY,
  document    jsonb NOT NULL,
  -- The steps that were applied to reach this version from the previous one.
  plan        jsonb NOT NULL DEFAULT '[]'::jsonb,
  applied_at  timestamptz NOT NULL DEFAULT now(),
  -- "user:<id>" or "key:<id>".
  applied_by  text
);

-- One row per (caller, key): the create it stands for and the response it
-- got. Rows are written in the same transaction as the record, so a failed
-- create leaves no key behind and a concurrent duplicate waits on the row lock.
CREATE TABLE hearth.idempotency_keys (
  scope         text NOT NULL,
  key           text NOT NULL,
  request_hash  bytea NOT NULL,
  status        integer NOT NULL,
  response      jsonb NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_expires_at ON hearth.idempotency_keys (expires_at);

-- Rules read `verified` on users records (auth.verified, owner.verified).
ALTER TABLE hearth.users ADD COLUMN verified boolean GENERATED ALWAYS AS ("emailVerified") STORED;
