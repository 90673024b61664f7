-- Usage per subject (key, principal, tenant) and calendar period. period is the label (d2031-03-14,
-- m2031-03); period_start (epoch ms) tells apart the same label in different time zones.
CREATE TABLE usage_totals (
  subject_kind TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  period TEXT NOT NULL,
  period_start INTEGER NOT NULL,
  requests INTEGER NOT NULL,
  tokens INTEGER NOT NULL,
  spend_micros INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (subject_kind, subject_id, period, period_start)
);
