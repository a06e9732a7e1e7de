#!/usr/bin/env python3
"""Regenerates ui/src/lib/backend/mock/rubrics.json from assets/rubrics/*.toml (run from the repo root).

The mock backend shows the same rubrics the station bundles; `mock/rubrics.test.ts` fails when
this file is stale (its sha256 no longer matches the TOML text).
"""
import glob
import hashlib
import json
import tomllib

out = []
for path in sorted(glob.glob("assets/rubrics/*.toml")):
    raw = open(path, "rb").read()
    d = tomllib.loads(raw.decode())
    rule = d.get("pass_rule", {})
    out.append({
        "id": d["id"],
        "version": d["version"],
        "title": d["title"],
        "description": d["description"].strip(),
        "pass_rule": {"min_share": rule.get("min_share"), "min_points": rule.get("min_points"), "required": rule.get("required", [])},
        "sha256": hashlib.sha256(raw).hexdigest(),
        "steps": [{
            "id": s["id"],
            "title": s["title"],
            "instruction": s["instruction"].strip(),
            "look_for": s["look_for"].strip(),
            "critical": s.get("critical", False),
            "evidence": s.get("evidence", []),
            "pre_roll_s": float(s.get("pre_roll_s", 0)),
            "post_roll_s": float(s.get("post_roll_s", 0)),
            "levels": [{"name": l["name"], "points": l["points"], "description": l["description"].strip()} for l in s.get("levels", [])],
        } for s in d["steps"]],
    })
with open("ui/src/lib/backend/mock/rubrics.json", "w") as f:
    json.dump(out, f, indent=1, ensure_ascii=False)
