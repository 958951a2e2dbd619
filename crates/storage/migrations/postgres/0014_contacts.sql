-- A person's phone number (accounts created from a list), and each unit's contact:
-- its secretary, phone, e-mail and a free note, shown where the office chases a
-- missing report.
ALTER TABLE users ADD COLUMN phone TEXT;
CREATE TABLE unit_contacts (
    unit_id BIGINT PRIMARY KEY REFERENCES units(id),
    secretary TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL
);
