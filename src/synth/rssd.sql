-- The tables the generator fills: the orchestration tables as surveilr creates them
-- (our own transcription of their columns). No foreign keys are enforced.
CREATE TABLE device (device_id VARCHAR PRIMARY KEY NOT NULL, name TEXT NOT NULL);
CREATE TABLE orchestration_nature (orchestration_nature_id TEXT PRIMARY KEY NOT NULL, nature TEXT NOT NULL);
CREATE TABLE orchestration_session (
    orchestration_session_id VARCHAR PRIMARY KEY NOT NULL,
    device_id VARCHAR NOT NULL,
    orchestration_nature_id TEXT NOT NULL,
    version TEXT NOT NULL,
    orch_started_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    orch_finished_at TIMESTAMPTZ,
    elaboration TEXT,
    args_json TEXT,
    diagnostics_json TEXT,
    diagnostics_md TEXT
);
CREATE TABLE orchestration_session_entry (
    orchestration_session_entry_id VARCHAR PRIMARY KEY NOT NULL,
    session_id VARCHAR NOT NULL,
    ingest_src TEXT NOT NULL,
    ingest_table_name TEXT,
    elaboration TEXT
);
CREATE TABLE orchestration_session_state (
    orchestration_session_state_id VARCHAR PRIMARY KEY NOT NULL,
    session_id VARCHAR NOT NULL,
    session_entry_id VARCHAR,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    transition_result TEXT,
    transition_reason TEXT,
    transitioned_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    elaboration TEXT
);
CREATE TABLE orchestration_session_exec (
    orchestration_session_exec_id VARCHAR PRIMARY KEY NOT NULL,
    exec_nature TEXT NOT NULL,
    session_id VARCHAR NOT NULL,
    session_entry_id VARCHAR,
    parent_exec_id VARCHAR,
    namespace TEXT,
    exec_identity TEXT,
    exec_code TEXT NOT NULL,
    exec_status INTEGER NOT NULL,
    input_text TEXT,
    exec_error_text TEXT,
    output_text TEXT,
    output_nature TEXT,
    narrative_md TEXT,
    elaboration TEXT
);
CREATE TABLE orchestration_session_issue (
    orchestration_session_issue_id UUID PRIMARY KEY NOT NULL,
    session_id VARCHAR NOT NULL,
    session_entry_id VARCHAR,
    issue_type TEXT NOT NULL,
    issue_message TEXT NOT NULL,
    issue_row INTEGER,
    issue_column TEXT,
    invalid_value TEXT,
    remediation TEXT,
    elaboration TEXT
);
CREATE TABLE orchestration_session_issue_relation (
    orchestration_session_issue_relation_id UUID PRIMARY KEY NOT NULL,
    issue_id_prime UUID NOT NULL,
    issue_id_rel TEXT NOT NULL,
    relationship_nature TEXT NOT NULL,
    elaboration TEXT
);
CREATE TABLE orchestration_session_log (
    orchestration_session_log_id UUID PRIMARY KEY NOT NULL,
    category TEXT,
    parent_exec_id UUID,
    content TEXT NOT NULL,
    sibling_order INTEGER,
    elaboration TEXT
);
