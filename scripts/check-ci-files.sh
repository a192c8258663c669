#!/usr/bin/env bash
# Checks the CI files of a built site with real consumers:
#   - JUnit XML against schemas/junit.xsd (xmllint) and parsed by Python's junitparser,
#   - the JSON report against schemas/report-v1.schema.json (Python's jsonschema).
# usage: scripts/check-ci-files.sh SITE_DIR
# Needs: xmllint (Debian libxml2-utils), python3 with junitparser and jsonschema.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
site="${1:?usage: check-ci-files.sh SITE_DIR}"
xmllint --noout --schema "$here/schemas/junit.xsd" "$site/ci/junit.xml"
python3 - "$site" "$here/schemas/report-v1.schema.json" <<'PY'
import json, sys
import jsonschema
from junitparser import JUnitXml, Failure, Skipped

site, schema_path = sys.argv[1], sys.argv[2]
xml = JUnitXml.fromfile(f"{site}/ci/junit.xml")
suites = list(xml)
cases = [c for s in suites for c in s]
failed = [c for c in cases if any(isinstance(r, Failure) for r in c.result)]
skipped = [c for c in cases if any(isinstance(r, Skipped) for r in c.result)]
report = json.load(open(f"{site}/ci/report.json", encoding="utf-8"))
jsonschema.validate(report, json.load(open(schema_path, encoding="utf-8")))
t = report["totals"]
assert len(suites) == len(report["sessions"]), (len(suites), len(report["sessions"]))
assert len(cases) == t["exec_total"], (len(cases), t["exec_total"])
assert len(failed) == t["exec_failed"], (len(failed), t["exec_failed"])
assert len(skipped) == t["exec_unknown"], (len(skipped), t["exec_unknown"])
print(f"junitparser: {len(suites)} suites, {len(cases)} cases, {len(failed)} failed, {len(skipped)} skipped")
print(f"jsonschema: report.json valid ({len(report['sessions'])} sessions)")
PY
