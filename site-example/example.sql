-- A small RSSD of our own for the example site (grown in later work).
CREATE TABLE "device" (
    "device_id" VARCHAR PRIMARY KEY NOT NULL,
    "name" TEXT NOT NULL,
    "state" TEXT CHECK(json_valid(state)) NOT NULL,
    "boundary" TEXT NOT NULL,
    "elaboration" TEXT CHECK(json_valid(elaboration) OR elaboration IS NULL),
    UNIQUE("name", "state", "boundary")
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
INSERT INTO device VALUES ('DEV-1', 'build-runner-01', '{"os":"linux"}', 'ci', NULL);
INSERT INTO orchestration_nature VALUES ('V&V', 'V&V', NULL);
INSERT INTO orchestration_session VALUES ('ORCHSESSID-1', 'DEV-1', 'V&V', '1.0.0',
  '2026-11-01T10:00:00Z', '2026-11-01T10:00:05Z', NULL, '{"script":"verify.sql"}', NULL, NULL);
