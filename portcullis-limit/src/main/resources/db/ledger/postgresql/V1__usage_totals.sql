-- Usage per subject (key, principal, tenant) and calendar period. period is the label (d2031-03-14,
-- m2031-03); period_start (epoch ms) tells apart the same label in different time zones.
CREATE TABLE usage_totals (
  subject_kind VARCHAR(16) NOT NULL,
  subject_id TEXT NOT NULL,
  period VARCHAR(16) NOT NULL,
  period_start BIGINT NOT NULL,
  requests BIGINT NOT NULL,
  tokens BIGINT NOT NULL,
  spend_micros BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (subject_kind, subject_id, period, period_start)
);
