-- The hearth schema holds Hearth's own tables; app data lives in schema app.
CREATE SCHEMA IF NOT EXISTS hearth;
CREATE SCHEMA IF NOT EXISTS app;

-- Instance secrets, generated on first start and shared by every node.
CREATE TABLE hearth.secrets (
  name        text PRIMARY KEY,
  value       text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Key/value facts about this instance (e.g. whether setup is finished).
CREATE TABLE hearth.instance (
  key         text PRIMARY KEY,
  value       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
