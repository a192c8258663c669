-- The example RSSD of osx-report: written by us, shaped like what surveilr records.
-- Rebuild site-example/example.sqlite.db with `python3 site-example/make-example.py`.
--
-- Sessions (newest last):
--   ORCHSESSID-ABANDONED  an old ingest session that never recorded a final state
--   ORCHSESSID-VV-1       V&V of two CSV files: issues of several types, a relation
--   ORCHSESSID-SHELL-1    `surveilr shell` with rusqlite: nested executions, JSON,
--                         ANSI-coloured and long output, a Markdown narrative, logs
--   ORCHSESSID-DEID-1     de-identification of patient data
--   ORCHSESSID-CSV-FAIL   a CSV transform that failed deep in its tree
--   ORCHSESSID-RUNNING    a session still in progress

-- surveilr does not enforce foreign keys: orchestration_session_log.parent_exec_id holds
-- execution ids as well as log ids.
PRAGMA foreign_keys = OFF;

CREATE TABLE "device" (
    "device_id" VARCHAR PRIMARY KEY NOT NULL,
    "name" TEXT NOT NULL,
    "state" TEXT CHECK(json_valid(state)) NOT NULL,
    "boundary" TEXT NOT NULL,
    "segmentation" TEXT CHECK(json_valid(segmentation) OR segmentation IS NULL),
    "state_sysinfo" TEXT CHECK(json_valid(state_sysinfo) OR state_sysinfo IS NULL),
    "elaboration" TEXT CHECK(json_valid(elaboration) OR elaboration IS NULL),
    "created_at" TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    UNIQUE("name", "state", "boundary")
);
CREATE INDEX "idx_device__name__state" ON "device"("name", "state");

CREATE TABLE "ur_ingest_session" (
    "ur_ingest_session_id" VARCHAR PRIMARY KEY NOT NULL,
    "device_id" VARCHAR NOT NULL,
    "ingest_started_at" TIMESTAMPTZ NOT NULL,
    "ingest_finished_at" TIMESTAMPTZ,
    "elaboration" TEXT CHECK(json_valid(elaboration) OR elaboration IS NULL),
    FOREIGN KEY("device_id") REFERENCES "device"("device_id")
);

CREATE TABLE "uniform_resource" (
    "uniform_resource_id" VARCHAR PRIMARY KEY NOT NULL,
    "device_id" VARCHAR NOT NULL,
    "ingest_session_id" VARCHAR NOT NULL,
    "uri" TEXT NOT NULL,
    "content_digest" TEXT NOT NULL,
    "content" BLOB,
    "nature" TEXT,
    "size_bytes" INTEGER,
    "frontmatter" TEXT CHECK(json_valid(frontmatter) OR frontmatter IS NULL),
    FOREIGN KEY("device_id") REFERENCES "device"("device_id"),
    FOREIGN KEY("ingest_session_id") REFERENCES "ur_ingest_session"("ur_ingest_session_id"),
    UNIQUE("device_id", "content_digest", "uri", "size_bytes")
);

CREATE TABLE "orchestration_nature" (
    "orchestration_nature_id" TEXT PRIMARY KEY NOT NULL,
    "nature" TEXT NOT NULL,
    "elaboration" TEXT CHECK(json_valid(elaboration) OR elaboration IS NULL),
    UNIQUE("orchestration_nature_id", "nature")
);

CREATE TABLE "orchestration_session" (
    "orchestration_session_id" VARCHAR PRIMARY KEY NOT NULL,
    "device_id" VARCHAR NOT NULL,
    "orchestration_nature_id" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "orch_started_at" TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    "orch_finished_at" TIMESTAMPTZ,
    "elaboration" TEXT CHECK(json_valid(elaboration) OR elaboration IS NULL),
    "args_json" TEXT CHECK(json_valid(args_json) OR args_json IS NULL),
    "diagnostics_json" TEXT CHECK(json_valid(diagnostics_json) OR diagnostics_json IS NULL),
    "diagnostics_md" TEXT,
    FOREIGN KEY("device_id") REFERENCES "device"("device_id"),
    FOREIGN KEY("orchestration_nature_id") REFERENCES "orchestration_nature"("orchestration_nature_id")
);

CREATE TABLE "orchestration_session_entry" (
    "orchestration_session_entry_id" VARCHAR PRIMARY KEY NOT NULL,
    "session_id" VARCHAR NOT NULL,
    "ingest_src" TEXT NOT NULL,
    "ingest_table_name" TEXT,
    "elaboration" TEXT CHECK(json_valid(elaboration) OR elaboration IS NULL),
    FOREIGN KEY("session_id") REFERENCES "orchestration_session"("orchestration_session_id")
);

CREATE TABLE "orchestration_session_state" (
    "orchestration_session_state_id" VARCHAR PRIMARY KEY NOT NULL,
    "session_id" VARCHAR NOT NULL,
    "session_entry_id" VARCHAR,
    "from_state" TEXT NOT NULL,
    "to_state" TEXT NOT NULL,
    "transition_result" TEXT CHECK(json_valid(transition_result) OR transition_result IS NULL),
    "transition_reason" TEXT,
    "transitioned_at" TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    "elaboration" TEXT CHECK(json_valid(elaboration) OR elaboration IS NULL),
    FOREIGN KEY("session_id") REFERENCES "orchestration_session"("orchestration_session_id"),
    FOREIGN KEY("session_entry_id") REFERENCES "orchestration_session_entry"("orchestration_session_entry_id"),
    UNIQUE("orchestration_session_state_id", "from_state", "to_state")
);

CREATE TABLE "orchestration_session_exec" (
    "orchestration_session_exec_id" VARCHAR PRIMARY KEY NOT NULL,
    "exec_nature" TEXT NOT NULL,
    "session_id" VARCHAR NOT NULL,
    "session_entry_id" VARCHAR,
    "parent_exec_id" VARCHAR,
    "namespace" TEXT,
    "exec_identity" TEXT,
    "exec_code" TEXT NOT NULL,
    "exec_status" INTEGER NOT NULL,
    "input_text" TEXT,
    "exec_error_text" TEXT,
    "output_text" TEXT,
    "output_nature" TEXT CHECK(json_valid(output_nature) OR output_nature IS NULL),
    "narrative_md" TEXT,
    "elaboration" TEXT CHECK(json_valid(elaboration) OR elaboration IS NULL),
    FOREIGN KEY("session_id") REFERENCES "orchestration_session"("orchestration_session_id"),
    FOREIGN KEY("session_entry_id") REFERENCES "orchestration_session_entry"("orchestration_session_entry_id"),
    FOREIGN KEY("parent_exec_id") REFERENCES "orchestration_session_exec"("orchestration_session_exec_id")
);

CREATE TABLE "orchestration_session_issue" (
    "orchestration_session_issue_id" UUID PRIMARY KEY NOT NULL,
    "session_id" VARCHAR NOT NULL,
    "session_entry_id" VARCHAR,
    "issue_type" TEXT NOT NULL,
    "issue_message" TEXT NOT NULL,
    "issue_row" INTEGER,
    "issue_column" TEXT,
    "invalid_value" TEXT,
    "remediation" TEXT,
    "elaboration" TEXT CHECK(json_valid(elaboration) OR elaboration IS NULL),
    FOREIGN KEY("session_id") REFERENCES "orchestration_session"("orchestration_session_id"),
    FOREIGN KEY("session_entry_id") REFERENCES "orchestration_session_entry"("orchestration_session_entry_id")
);

CREATE TABLE "orchestration_session_issue_relation" (
    "orchestration_session_issue_relation_id" UUID PRIMARY KEY NOT NULL,
    "issue_id_prime" UUID NOT NULL,
    "issue_id_rel" TEXT NOT NULL,
    "relationship_nature" TEXT NOT NULL,
    "elaboration" TEXT CHECK(json_valid(elaboration) OR elaboration IS NULL),
    FOREIGN KEY("issue_id_prime") REFERENCES "orchestration_session_issue"("orchestration_session_issue_id")
);

CREATE TABLE "orchestration_session_log" (
    "orchestration_session_log_id" UUID PRIMARY KEY NOT NULL,
    "category" TEXT,
    "parent_exec_id" UUID,
    "content" TEXT NOT NULL,
    "sibling_order" INTEGER,
    "elaboration" TEXT CHECK(json_valid(elaboration) OR elaboration IS NULL),
    FOREIGN KEY("parent_exec_id") REFERENCES "orchestration_session_log"("orchestration_session_log_id")
);

CREATE VIEW "orchestration_session_by_state" AS
    SELECT s.orchestration_session_id, n.nature, st.to_state, st.transitioned_at
      FROM orchestration_session s
      JOIN orchestration_nature n ON n.orchestration_nature_id = s.orchestration_nature_id
      LEFT JOIN orchestration_session_state st ON st.session_id = s.orchestration_session_id;

-- ---------------------------------------------------------------- reference rows
INSERT INTO device VALUES
  ('DEV-CI-01', 'ci-runner-01', '{"os":"linux","arch":"x86_64"}', 'ci', NULL, NULL, NULL, '2026-11-01 08:00:00'),
  ('DEV-LAPTOP', 'qa-laptop', '{"os":"macos"}', 'office', NULL, NULL, NULL, '2026-11-01 08:00:00');

INSERT INTO orchestration_nature VALUES
  ('V&V', 'V&V', '{"description":"verification and validation"}'),
  ('shell-rusqlite', 'shell-rusqlite', NULL),
  ('deidentification', 'deidentification', NULL),
  ('surveilr-transform-csv', 'surveilr-transform-csv', NULL),
  ('surveilr-ingest', 'surveilr-ingest', NULL);

INSERT INTO ur_ingest_session VALUES
  ('URSESS-1', 'DEV-CI-01', '2026-11-20 09:00:00', '2026-11-20 09:00:42', NULL);
INSERT INTO uniform_resource VALUES
  ('UR-1', 'DEV-CI-01', 'URSESS-1', 'file:///data/patients.csv', 'sha1:3f2a', NULL, 'csv', 2048, NULL),
  ('UR-2', 'DEV-CI-01', 'URSESS-1', 'file:///data/encounters.csv', 'sha1:77b1', NULL, 'csv', 4096, NULL);

-- ---------------------------------------------------------------- an abandoned session
INSERT INTO orchestration_session VALUES
  ('ORCHSESSID-ABANDONED', 'DEV-LAPTOP', 'surveilr-ingest', '1.4.2', '2026-11-18 16:00:00', NULL,
   NULL, '{"root_paths":["/home/qa/docs"]}', NULL, NULL);
INSERT INTO orchestration_session_state VALUES
  ('STATE-AB-1', 'ORCHSESSID-ABANDONED', NULL, 'surveilr_orch_init', 'surveilr_orch_progress', NULL,
   'walking /home/qa/docs', '2026-11-18 16:00:01', NULL);
INSERT INTO orchestration_session_exec VALUES
  ('EXEC-AB-1', 'shell', 'ORCHSESSID-ABANDONED', NULL, NULL, NULL, 'walk', 'surveilr ingest files -r /home/qa/docs',
   0, NULL, NULL, 'walked 1,204 files', NULL, NULL, NULL);

-- ---------------------------------------------------------------- V&V with issues
INSERT INTO orchestration_session VALUES
  ('ORCHSESSID-VV-1', 'DEV-CI-01', 'V&V', '1.6.0', '2026-11-20 10:00:00', '2026-11-20 10:00:07',
   '{"ruleset":"clinical-csv-v3"}',
   '{"files":["patients.csv","encounters.csv"],"strict":true}',
   '{"checked_rows":1520,"issues":4}',
   '## Verification summary

Two files were checked against **clinical-csv-v3**.

| File | Rows | Issues |
|------|-----:|-------:|
| patients.csv | 820 | 3 |
| encounters.csv | 700 | 1 |

- [x] schema checked
- [x] types checked
- [ ] referential integrity (needs the encounters upload)
');
INSERT INTO orchestration_session_entry VALUES
  ('ENTRY-VV-PAT', 'ORCHSESSID-VV-1', 'file:///data/patients.csv', 'patients', NULL),
  ('ENTRY-VV-ENC', 'ORCHSESSID-VV-1', 'file:///data/encounters.csv', 'encounters', '{"delimiter":","}');
INSERT INTO orchestration_session_state VALUES
  ('STATE-VV-1', 'ORCHSESSID-VV-1', NULL, 'surveilr_orch_init', 'surveilr_orch_progress', NULL, 'session started', '2026-11-20 10:00:00', NULL),
  ('STATE-VV-2', 'ORCHSESSID-VV-1', 'ENTRY-VV-PAT', 'surveilr_orch_progress', 'surveilr_orch_progress', '{"rows":820}', 'patients.csv checked', '2026-11-20 10:00:04', NULL),
  ('STATE-VV-3', 'ORCHSESSID-VV-1', NULL, 'surveilr_orch_progress', 'surveilr_orch_completed', '{"issues":4}', 'all files checked', '2026-11-20 10:00:07', NULL);
INSERT INTO orchestration_session_exec VALUES
  ('EXEC-VV-1', 'V&V', 'ORCHSESSID-VV-1', 'ENTRY-VV-PAT', NULL, 'clinical', 'check patients.csv',
   'SELECT count(*) AS rows, sum(birth_date IS NULL) AS missing_birth_dates
  FROM patients;', 0, NULL, NULL,
   '{"rows":820,"missing_birth_dates":2}', '{"mimeType":"application/json"}',
   'Checked **patients.csv**: 2 rows have no birth date.[^1]

[^1]: Rows 17 and 230; see the issues below.', '{"duration_ms":1830}'),
  ('EXEC-VV-2', 'V&V', 'ORCHSESSID-VV-1', 'ENTRY-VV-ENC', NULL, 'clinical', 'check encounters.csv',
   'SELECT encounter_id, admitted_at FROM encounters WHERE admitted_at NOT GLOB ''[0-9][0-9][0-9][0-9]-*'';',
   'SUCCESS', NULL, NULL, 'encounter_id | admitted_at
E-1009       | 31/02/2026', NULL, NULL, '{"duration_ms":940}');
INSERT INTO orchestration_session_issue VALUES
  ('ISSUE-VV-1', 'ORCHSESSID-VV-1', 'ENTRY-VV-PAT', 'Missing Value', 'birth_date is required', 17, 'birth_date', '', 'Ask the registry for the birth date', NULL),
  ('ISSUE-VV-2', 'ORCHSESSID-VV-1', 'ENTRY-VV-PAT', 'Missing Value', 'birth_date is required', 230, 'birth_date', '', 'Ask the registry for the birth date', NULL),
  ('ISSUE-VV-3', 'ORCHSESSID-VV-1', 'ENTRY-VV-PAT', 'Data Type Mismatch', 'gender must be one of M, F, U', 402, 'gender', 'male', 'Map "male" to M', '{"allowed":["M","F","U"]}'),
  ('ISSUE-VV-4', 'ORCHSESSID-VV-1', 'ENTRY-VV-ENC', 'Invalid Date', 'admitted_at is not a date', 9, 'admitted_at', '31/02/2026', 'Use ISO 8601 (YYYY-MM-DD)', NULL);
INSERT INTO orchestration_session_issue_relation VALUES
  ('ISSREL-1', 'ISSUE-VV-2', 'ISSUE-VV-1', 'same rule', NULL);

-- ---------------------------------------------------------------- surveilr shell (rusqlite)
INSERT INTO orchestration_session VALUES
  ('ORCHSESSID-SHELL-1', 'DEV-CI-01', 'shell-rusqlite', '1.6.0', '2026-11-21 14:00:00', '2026-11-21 14:01:30',
   NULL, '{"scripts":["setup.sql","report.sql"],"engine":"rusqlite"}', NULL, NULL);
INSERT INTO orchestration_session_state VALUES
  ('STATE-SH-1', 'ORCHSESSID-SHELL-1', NULL, 'surveilr_orch_init', 'surveilr_orch_progress', NULL, NULL, '2026-11-21 14:00:00', NULL),
  ('STATE-SH-2', 'ORCHSESSID-SHELL-1', NULL, 'surveilr_orch_progress', 'surveilr_orch_completed', NULL, 'scripts done', '2026-11-21 14:01:30', NULL);
INSERT INTO orchestration_session_exec VALUES
  ('EXEC-SH-1', 'shell-rusqlite', 'ORCHSESSID-SHELL-1', NULL, NULL, 'setup', 'setup.sql',
   '-- setup.sql: create the reporting tables
.read schema.sql
.read seed.sql', 0, NULL, NULL, 'ran 2 scripts', NULL, NULL, '{"duration_ms":12400}'),
  ('EXEC-SH-1-1', 'shell-rusqlite', 'ORCHSESSID-SHELL-1', NULL, 'EXEC-SH-1', 'setup', 'schema.sql',
   'CREATE TABLE IF NOT EXISTS report_run (id INTEGER PRIMARY KEY, started_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS report_run_started ON report_run(started_at);', 0, NULL, NULL, NULL, NULL, NULL, '{"duration_ms":35}'),
  ('EXEC-SH-1-2', 'shell-rusqlite', 'ORCHSESSID-SHELL-1', NULL, 'EXEC-SH-1', 'setup', 'seed.sql',
   'INSERT INTO report_run (started_at) VALUES (datetime(''now''));', 0, NULL, NULL, 'changes: 1', NULL, NULL, '{"duration_ms":8}'),
  ('EXEC-SH-2', 'shell-rusqlite', 'ORCHSESSID-SHELL-1', NULL, NULL, 'report', 'report.sql',
   '-- report.sql
SELECT nature, count(*) AS sessions FROM orchestration_session_by_state GROUP BY nature;', 0, NULL, NULL,
   '[{"nature":"V&V","sessions":1},{"nature":"shell-rusqlite","sessions":1},{"nature":"deidentification","sessions":1}]',
   '{"nature":"json"}',
   '### What this report shows

Sessions per nature, from the `orchestration_session_by_state` view. See <https://www.surveilr.com> for the natures.

<script>alert("narratives are sanitised")</script>', '{"duration_ms":2100}'),
  ('EXEC-SH-2-1', 'shell', 'ORCHSESSID-SHELL-1', NULL, 'EXEC-SH-2', 'report', 'run the test suite',
   'cargo test --color=always', 0, NULL, NULL,
   'running 4 tests' || char(10) ||
   'test parse ... ' || char(27) || '[32mok' || char(27) || '[0m' || char(10) ||
   'test render ... ' || char(27) || '[32mok' || char(27) || '[0m' || char(10) ||
   'test slow ... ' || char(27) || '[33mignored' || char(27) || '[0m' || char(10) ||
   'test budget ... ' || char(27) || '[32mok' || char(27) || '[0m' || char(10) || char(10) ||
   'test result: ' || char(27) || '[1;32mok' || char(27) || '[0m. 3 passed; 0 failed; 1 ignored',
   NULL, NULL, '{"duration_ms":5200}'),
  ('EXEC-SH-2-1-1', 'shell', 'ORCHSESSID-SHELL-1', NULL, 'EXEC-SH-2-1', 'report', 'dump the audit log',
   'sqlite3 audit.db ".dump audit"', 0, NULL, NULL,
   (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 600)
    SELECT group_concat(printf('INSERT INTO audit VALUES(%d, ''2026-11-21T14:00:%02d'', ''user%d'', ''read'');', i, i % 60, i % 7), char(10)) FROM n),
   NULL, NULL, '{"duration_ms":410}'),
  ('EXEC-SH-2-1-1-1', 'shell', 'ORCHSESSID-SHELL-1', NULL, 'EXEC-SH-2-1-1', 'report', 'count audit rows',
   'sqlite3 audit.db "SELECT count(*) FROM audit"', 0, NULL, NULL, '600', NULL, NULL, NULL);
INSERT INTO orchestration_session_log VALUES
  ('LOG-SH-1', 'info', 'EXEC-SH-2', 'report.sql started', 1, NULL),
  ('LOG-SH-2', 'debug', 'LOG-SH-1', 'prepared 1 statement', 1, NULL),
  ('LOG-SH-3', 'info', 'EXEC-SH-2', 'report.sql finished: 3 rows', 2, NULL),
  ('LOG-SH-4', 'warn', 'EXEC-SH-2-1', '1 test ignored', NULL, NULL);

-- ---------------------------------------------------------------- de-identification
INSERT INTO orchestration_session VALUES
  ('ORCHSESSID-DEID-1', 'DEV-CI-01', 'deidentification', '1.6.0', '2026-11-22 09:30:00', '2026-11-22 09:30:21',
   NULL, '{"policy":"hipaa-safe-harbor"}', NULL, 'De-identified **patients** with the *safe harbor* policy.');
INSERT INTO orchestration_session_entry VALUES
  ('ENTRY-DEID-PAT', 'ORCHSESSID-DEID-1', 'patients', 'patients', NULL);
INSERT INTO orchestration_session_state VALUES
  ('STATE-DE-1', 'ORCHSESSID-DEID-1', NULL, 'surveilr_orch_init', 'surveilr_orch_progress', NULL, NULL, '2026-11-22 09:30:00', NULL),
  ('STATE-DE-2', 'ORCHSESSID-DEID-1', NULL, 'surveilr_orch_progress', 'surveilr_orch_completed', '{"rows_changed":1640}', NULL, '2026-11-22 09:30:21', NULL);
INSERT INTO orchestration_session_exec VALUES
  ('EXEC-DE-1', 'deidentification', 'ORCHSESSID-DEID-1', 'ENTRY-DEID-PAT', NULL, 'hipaa', 'mask names',
   'UPDATE patients SET first_name = anonymize_name(first_name), last_name = anonymize_name(last_name);',
   0, NULL, NULL, 'rows changed: 820', NULL, NULL, '{"duration_ms":6100}'),
  ('EXEC-DE-2', 'deidentification', 'ORCHSESSID-DEID-1', 'ENTRY-DEID-PAT', NULL, 'hipaa', 'generalise birth dates',
   'UPDATE patients SET birth_date = strftime(''%Y'', birth_date) || ''-01-01'';',
   0, NULL, NULL, 'rows changed: 820', NULL, NULL, '{"duration_ms":4200}');

-- ---------------------------------------------------------------- a failed CSV transform
INSERT INTO orchestration_session VALUES
  ('ORCHSESSID-CSV-FAIL', 'DEV-CI-01', 'surveilr-transform-csv', '1.6.0', '2026-11-23 11:00:00', '2026-11-23 11:00:09',
   NULL, '{"src":"encounters.csv","target":"encounters"}', '{"error":"constraint failed"}', NULL);
INSERT INTO orchestration_session_entry VALUES
  ('ENTRY-CSV-ENC', 'ORCHSESSID-CSV-FAIL', 'file:///data/encounters.csv', 'encounters', NULL);
INSERT INTO orchestration_session_state VALUES
  ('STATE-CF-1', 'ORCHSESSID-CSV-FAIL', NULL, 'surveilr_orch_init', 'surveilr_orch_progress', NULL, NULL, '2026-11-23 11:00:00', NULL),
  ('STATE-CF-2', 'ORCHSESSID-CSV-FAIL', 'ENTRY-CSV-ENC', 'surveilr_orch_progress', 'surveilr_orch_failed', '{"failed_exec":"EXEC-CF-2-2"}', 'load step failed', '2026-11-23 11:00:09', NULL);
INSERT INTO orchestration_session_exec VALUES
  ('EXEC-CF-1', 'surveilr-transform-csv', 'ORCHSESSID-CSV-FAIL', 'ENTRY-CSV-ENC', NULL, 'transform', 'read encounters.csv',
   'surveilr transform csv --src encounters.csv', 0, NULL, NULL, 'read 700 rows, 9 columns', NULL, NULL, '{"duration_ms":800}'),
  ('EXEC-CF-2', 'surveilr-transform-csv', 'ORCHSESSID-CSV-FAIL', 'ENTRY-CSV-ENC', NULL, 'transform', 'load encounters',
   'BEGIN;
INSERT INTO encounters SELECT * FROM csv_encounters;
COMMIT;', 1, NULL, 'load aborted: 1 statement failed', NULL, NULL, NULL, '{"duration_ms":7900}'),
  ('EXEC-CF-2-1', 'shell-rusqlite', 'ORCHSESSID-CSV-FAIL', 'ENTRY-CSV-ENC', 'EXEC-CF-2', 'transform', 'create target',
   'CREATE TABLE IF NOT EXISTS encounters (encounter_id TEXT PRIMARY KEY, patient_id TEXT NOT NULL, admitted_at TEXT NOT NULL);',
   0, NULL, NULL, NULL, NULL, NULL, NULL),
  ('EXEC-CF-2-2', 'shell-rusqlite', 'ORCHSESSID-CSV-FAIL', 'ENTRY-CSV-ENC', 'EXEC-CF-2', 'transform', 'insert rows',
   'INSERT INTO encounters SELECT * FROM csv_encounters;', 19, NULL,
   'Error: stepping, NOT NULL constraint failed: encounters.patient_id (19)
  at row 412 of csv_encounters', 'inserted 411 rows before the failure', NULL,
   'Row **412** has an empty `patient_id`; the whole load was rolled back.', '{"duration_ms":7000}'),
  ('EXEC-CF-2-3', 'shell-rusqlite', 'ORCHSESSID-CSV-FAIL', 'ENTRY-CSV-ENC', 'EXEC-CF-2', 'transform', 'rollback',
   'ROLLBACK;', 0, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO orchestration_session_issue VALUES
  ('ISSUE-CF-1', 'ORCHSESSID-CSV-FAIL', 'ENTRY-CSV-ENC', 'Constraint Violation', 'patient_id is empty', 412, 'patient_id', '', 'Fill patient_id or drop the row', NULL);

-- ---------------------------------------------------------------- still running
INSERT INTO orchestration_session VALUES
  ('ORCHSESSID-RUNNING', 'DEV-CI-01', 'V&V', '1.6.0', '2026-11-24 08:00:00', NULL, NULL, '{"files":["labs.csv"]}', NULL, NULL);
INSERT INTO orchestration_session_state VALUES
  ('STATE-RU-1', 'ORCHSESSID-RUNNING', NULL, 'surveilr_orch_init', 'surveilr_orch_progress', NULL, 'checking labs.csv', '2026-11-24 08:00:01', NULL);
INSERT INTO orchestration_session_exec VALUES
  ('EXEC-RU-1', 'V&V', 'ORCHSESSID-RUNNING', NULL, NULL, 'clinical', 'check labs.csv',
   'SELECT count(*) FROM labs;', 0, NULL, NULL, '15230', NULL, NULL, NULL);
